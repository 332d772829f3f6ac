#include "app.hpp"

#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "batch.hpp"
#include "budget.hpp"
#include "charts.hpp"
#include "common.hpp"
#include "format_units.hpp"
#include "io.hpp"
#include "llm_energy/calibrate.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"
#include "llm_energy/units.hpp"
#include "llm_energy/validation.hpp"
#include "llm_energy/version.hpp"
#include "measure.hpp"
#include "model_card.hpp"
#include "render.hpp"
#include "shell.hpp"
#include "validate_render.hpp"
#include "whatif_cmd.hpp"

namespace llm_energy::cli {
namespace {

using json = nlohmann::ordered_json;

std::string one_line(std::string s) {
  for (auto& c : s) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return s;
}

// Options shared by the subcommands that load catalogs and write output.
struct Common {
  std::string format = "table";
  std::string output;
  std::vector<std::string> hardware_files;
  std::vector<std::string> regions_files;
};

void add_catalog_options(CLI::App* cmd, Common& c) {
  cmd->add_option("--hardware-file", c.hardware_files,
                  "JSON file adding or overriding hardware entries (same format as configs/hardware.json)")
      ->type_name("FILE");
  cmd->add_option("--regions-file", c.regions_files,
                  "JSON file adding or overriding regions and operators (format of configs/regions.json)")
      ->type_name("FILE");
}

// Return the catalog: the built-in one, or one with the user's override files merged in.
CatalogHandle load(const Common& c) {
  return load_catalog_files(c.hardware_files, c.regions_files);
}

bool use_color(const Common& c, std::ostream& out) {
  return c.output.empty() && &out == &std::cout && ::isatty(STDOUT_FILENO) == 1 &&
         std::getenv("NO_COLOR") == nullptr;
}

void emit(const Common& c, std::ostream& out, const std::string& text) {
  if (c.output.empty() || c.output == "-") {
    out << text;
    out.flush();
  } else {
    write_file_atomic(c.output, text);
  }
}

// ---- catalog listing ----

std::string list_hardware(const Catalog& cat, Format f) {
  if (f == Format::json) {
    json arr = json::array();
    for (const auto& h : cat.hardware) {
      json peaks = json::object();
      for (Precision p : k_all_precisions) {
        if (h.peak(p)) {
          peaks[std::string(to_string(p))] = h.peak(p)->value;
        }
      }
      arr.push_back({{"id", h.id},
                     {"name", h.name},
                     {"generation", h.generation},
                     {"release_year", h.release_year},
                     {"tdp_w", h.tdp_w.value},
                     {"peak_tflops", peaks},
                     {"memory_gb", h.memory_gb.value},
                     {"memory_bandwidth_gbps", h.memory_bandwidth_gbps.value},
                     {"embodied_kgco2e", h.embodied_kgco2e.value}});
    }
    return json{{"data_version", cat.hardware_version}, {"hardware", arr}}.dump(2) + "\n";
  }
  std::string out = fmt::format("{:<16} {:<34} {:>6} {:>9} {:>8} {:>8} {:>5}\n", "id", "name", "TDP W",
                                "16-bit TF", "mem GB", "BW GB/s", "year");
  for (const auto& h : cat.hardware) {
    const auto& p16 = h.peak(Precision::bf16) ? h.peak(Precision::bf16) : h.peak(Precision::fp16);
    out += fmt::format("{:<16} {:<34} {:>6} {:>9} {:>8} {:>8} {:>5}\n", h.id, h.name.substr(0, 34),
                       sig3(h.tdp_w.value), p16 ? sig3(p16->value) : "-", sig3(h.memory_gb.value),
                       sig3(h.memory_bandwidth_gbps.value), h.release_year);
  }
  return out;
}

json datum_json(const Datum& d) {
  json j{{"value", d.value}};
  if (d.low != d.value || d.high != d.value) {
    j["low"] = d.low;
    j["high"] = d.high;
  }
  j["source"] = d.source;
  if (d.year) {
    j["year"] = d.year;
  }
  if (!d.note.empty()) {
    j["note"] = d.note;
  }
  return j;
}

std::string show_hardware(const Hardware& h, Format f) {
  json j{{"id", h.id},
         {"name", h.name},
         {"vendor", h.vendor},
         {"generation", h.generation},
         {"release_year", h.release_year},
         {"tdp_w", datum_json(h.tdp_w)}};
  json peaks = json::object();
  for (Precision p : k_all_precisions) {
    if (h.peak(p)) {
      peaks[std::string(to_string(p))] = datum_json(*h.peak(p));
    }
  }
  j["peak_tflops"] = peaks;
  if (h.sparse_speedup) {
    j["sparse_speedup"] = datum_json(*h.sparse_speedup);
  }
  j["memory_gb"] = datum_json(h.memory_gb);
  j["memory_bandwidth_gbps"] = datum_json(h.memory_bandwidth_gbps);
  j["embodied_kgco2e"] = datum_json(h.embodied_kgco2e);
  j["training_mfu"] = datum_json(h.training_mfu);
  j["avg_power_fraction"] = datum_json(h.avg_power_fraction);
  j["idle_power_fraction"] = datum_json(h.idle_power_fraction);
  j["host_power_w"] = datum_json(h.host_power_w);
  j["host_embodied_kgco2e"] = datum_json(h.host_embodied_kgco2e);
  j["service_life_years"] = datum_json(h.service_life_years);
  j["notes"] = h.notes;
  if (f == Format::json) {
    return j.dump(2) + "\n";
  }
  std::string out = h.id + ": " + h.name + " (" + h.vendor + ", " + h.generation + ", " +
                    std::to_string(h.release_year) + ")\n";
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_object()) {
      continue;
    }
    if (it.key() == "peak_tflops") {
      for (auto p = it.value().begin(); p != it.value().end(); ++p) {
        out += fmt::format("  peak {:<6} {:>10} TFLOP/s  {}\n", p.key(),
                           sig3(p.value()["value"].get<double>()), p.value()["source"].get<std::string>());
      }
      continue;
    }
    const auto& d = it.value();
    std::string v = sig3(d["value"].get<double>());
    if (d.contains("low")) {
      v += " (" + sig3(d["low"].get<double>()) + "\u2013" + sig3(d["high"].get<double>()) + ")";
    }
    out += fmt::format("  {:<22} {:<20} {}{}\n", it.key(), v, d["source"].get<std::string>(),
                       d.contains("year") ? " (" + std::to_string(d["year"].get<int>()) + ")" : "");
  }
  if (!h.notes.empty()) {
    out += "  notes: " + h.notes + "\n";
  }
  return out;
}

std::string list_regions(const Catalog& cat, Format f) {
  if (f == Format::json) {
    json arr = json::array();
    for (const auto& r : cat.regions) {
      arr.push_back({{"id", r.id},
                     {"name", r.name},
                     {"kind", r.kind},
                     {"provider", r.provider},
                     {"carbon_intensity", datum_json(r.carbon_intensity)},
                     {"basis", r.basis},
                     {"pue", cat.operator_for(r).pue.value}});
    }
    json ops = json::object();
    for (const auto& o : cat.operators) {
      ops[o.id] = {
          {"name", o.name}, {"pue", datum_json(o.pue)}, {"wue_l_per_kwh", datum_json(o.wue_l_per_kwh)}};
    }
    return json{{"data_version", cat.regions_version},
                {"default_operator", cat.default_operator},
                {"operators", ops},
                {"regions", arr}}
               .dump(2) +
           "\n";
  }
  std::string out = fmt::format("{:<26} {:<8} {:<34} {:>9} {:>5} {:<12} {:>5}\n", "id", "kind", "name",
                                "gCO2e/kWh", "year", "basis", "PUE");
  for (const auto& r : cat.regions) {
    out += fmt::format("{:<26} {:<8} {:<34} {:>9} {:>5} {:<12} {:>5}\n", r.id, r.kind, r.name.substr(0, 34),
                       sig3(r.carbon_intensity.value), r.carbon_intensity.year, r.basis,
                       sig3(cat.operator_for(r).pue.value));
  }
  return out;
}

std::string show_region(const Catalog& cat, const Region& r, Format f) {
  const Operator& op = cat.operator_for(r);
  json j{{"id", r.id},
         {"name", r.name},
         {"kind", r.kind},
         {"provider", r.provider},
         {"country", r.country},
         {"basis", r.basis},
         {"carbon_intensity", datum_json(r.carbon_intensity)},
         {"operator", op.id},
         {"pue", datum_json(op.pue)},
         {"wue_l_per_kwh", datum_json(op.wue_l_per_kwh)}};
  if (f == Format::json) {
    return j.dump(2) + "\n";
  }
  const auto& ci = r.carbon_intensity;
  return fmt::format(
      "{}: {} ({}{})\n  carbon intensity  {} gCO2e/kWh ({}\u2013{}), {} {}, location-based\n"
      "                    {}\n  PUE ({})  {} ({}\u2013{}) {}\n",
      r.id, r.name, r.kind, r.provider.empty() ? "" : ", " + r.provider, sig3(ci.value), sig3(ci.low),
      sig3(ci.high), r.basis, ci.year, ci.source, op.id, sig3(op.pue.value), sig3(op.pue.low),
      sig3(op.pue.high), op.pue.source);
}

json model_json(const ModelArch& m) {
  return {{"id", m.id},
          {"name", m.name},
          {"params", m.params},
          {"active_params", m.active_params},
          {"layers", m.layers},
          {"hidden_size", m.hidden_size},
          {"heads", m.heads},
          {"kv_heads", m.kv_heads},
          {"head_dim", m.head_dim},
          {"experts", m.experts},
          {"active_experts", m.active_experts},
          {"context_length", m.context_length},
          {"source", m.source},
          {"year", m.year}};
}

std::string list_models(const Catalog& cat, Format f) {
  if (f == Format::json) {
    json arr = json::array();
    for (const auto& m : cat.models) {
      arr.push_back(model_json(m));
    }
    return json{{"models", arr}}.dump(2) + "\n";
  }
  std::string out = fmt::format("{:<28} {:>8} {:>8} {:>6} {:>7} {:>5} {:>4} {:>8}\n", "id", "params",
                                "active", "layers", "hidden", "kv_h", "hdim", "experts");
  for (const auto& m : cat.models) {
    out += fmt::format("{:<28} {:>8} {:>8} {:>6} {:>7} {:>5} {:>4} {:>8}\n", m.id, human_count(m.params),
                       human_count(m.active_params), m.layers, m.hidden_size, m.kv_heads, m.head_dim,
                       m.experts ? fmt::format("{}/{}", m.active_experts, m.experts) : "-");
  }
  return out;
}

const char* k_estimate_footer = R"(Examples:
  llm-energy estimate --tokens 1e8 --params 1e9
  llm-energy estimate --params 70B --tokens 2T --hardware a100-sxm4-80gb --chips 2048 --region US
  llm-energy estimate --params 175e9 --tokens 300e9 --hardware v100-sxm2-32gb --chips 10000 \
      --chip-hours 3552000 --power-watts 330 --pue 1.1 --carbon-intensity 429
  llm-energy estimate --model llama-3.1-8b --phase inference --requests 1M --batch-size 64
  llm-energy estimate --config configs/examples/llama2-70b.json --format json --max-energy 1GWh

Numbers accept 1e8, 100000000, 100M, 70B, 1.5T, 7b, 2k (k, M, B or G, T).
Ranges: --mfu 0.35:0.45 (LOW:HIGH) or 0.3:0.4:0.5 (LOW:VALUE:HIGH); a plain value is exact.
Exit codes: 0 ok, 1 over budget, 2 bad usage or input, 3 internal error.)";

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  CLI::App app{
      "llm-energy: estimate the energy, carbon and time of training and serving large "
      "language models, from physics (FLOPs, hardware peaks, utilisation, power, PUE, "
      "grid intensity), with a range on every figure.",
      "llm-energy"};
  app.set_version_flag("--version", [] {
    const Catalog& c = builtin_catalog();
    return std::string("llm-energy ") + k_version + " (catalogs: hardware " + c.hardware_version +
           ", regions " + c.regions_version + ")";
  });
  app.require_subcommand(1);
  app.footer(
      "Run 'llm-energy COMMAND --help' for a command's options and examples.\n"
      "Exit codes: 0 ok, 1 over budget, 2 bad usage or input, 3 internal error.");

  // estimate
  Common ec;
  BudgetOptions budget;
  std::string config_path;
  std::map<std::string, std::string> values;
  bool recompute = false;
  auto* est = app.add_subcommand("estimate", "Estimate training and inference energy, carbon and time");
  est->footer(k_estimate_footer);
  add_scenario_flags(*est, values, recompute);
  bool explain_flag = false;
  est->add_flag("--explain", explain_flag, "show the chain of formulas with the numbers substituted");
  est->add_option("--budget-on", budget.budget_on,
                  "compare budgets with the central value or the top of the range")
      ->check(CLI::IsMember({"central", "high"}));
  est->add_option("--warn-at", budget.warn_at,
                  "warn when a figure reaches this share of its budget, e.g. 80%");
  std::string profile_path;
  est->add_option("--profile", profile_path,
                  "hardware profile from 'llm-energy calibrate' (replaces the hardware's utilisation, "
                  "power fraction and host power)")
      ->type_name("FILE");
  est->add_option("--config", config_path,
                  "JSON file of settings (flag names in snake_case); flags override it")
      ->type_name("FILE");
  est->add_option("--format", ec.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv", "markdown", "model-card"}));
  est->add_option("--output,-o", ec.output, "write to FILE instead of standard output")->type_name("FILE");
  std::string plot_path;
  est->add_option("--plot", plot_path,
                  "also write an SVG chart (energy and CO2e by component, with ranges) to FILE.svg")
      ->type_name("FILE.svg");
  add_catalog_options(est, ec);

  // catalogs
  Common cc;
  std::string show_id;
  auto add_catalog_cmd = [&](const char* name, const char* what) {
    auto* cmd = app.add_subcommand(name, what);
    cmd->require_subcommand(1);
    auto* list = cmd->add_subcommand("list", std::string("List the ") + name);
    auto* show = cmd->add_subcommand("show", "Show one entry with the source of every figure");
    show->add_option("ID", show_id, "entry id")->required();
    for (auto* c : {list, show}) {
      c->add_option("--format", cc.format, "output format")->check(CLI::IsMember({"table", "json"}));
      c->add_option("--output,-o", cc.output, "write to FILE")->type_name("FILE");
      add_catalog_options(c, cc);
    }
    return std::pair{list, show};
  };
  auto [hw_list, hw_show] =
      add_catalog_cmd("hardware", "Accelerators: peaks, power, memory, embodied carbon");
  auto [rg_list, rg_show] =
      add_catalog_cmd("regions", "Grid carbon intensity by region, and PUE by operator");
  auto [md_list, md_show] = add_catalog_cmd("models", "Architectures of common open models");

  // validate
  Common vc;
  std::string dataset;
  bool inference_mode = false;
  std::string max_median = "";
  auto* val = app.add_subcommand("validate",
                                 "Check the estimator against published training runs "
                                 "(or measured inference energy with --inference)");
  val->add_option("--dataset", dataset,
                  "your own CSV with the columns of tests/data/training-runs.csv "
                  "(or inference-points.csv); default: the bundled dataset")
      ->type_name("FILE");
  val->add_flag("--inference", inference_mode,
                "validate inference energy per output token instead of training");
  val->add_option(
      "--max-median-error", max_median,
      "exit 1 when predict mode's median |error| exceeds this (default 20% training, 15% inference)");
  val->add_option("--format", vc.format, "output format")
      ->check(CLI::IsMember({"table", "json", "csv", "markdown"}));
  val->add_option("--output,-o", vc.output, "write to FILE instead of standard output")->type_name("FILE");
  add_catalog_options(val, vc);
  val->footer(
      "Reproduce mode must match every published figure within 2% (exit 1 otherwise).\n"
      "Examples:\n  llm-energy validate\n  llm-energy validate --inference --format markdown\n"
      "  llm-energy validate --dataset my-runs.csv --format csv");

  auto batch_cmds = register_batch_commands(app);
  auto whatif_cmds = register_whatif_commands(app);
  auto measure_cmds = register_measure_commands(app);

  // shell integration (registered last, so they see every other command)
  std::string shell_name;
  auto* comp = app.add_subcommand("completions", "Print a shell completion script (bash, zsh or fish)");
  comp->add_option("SHELL", shell_name, "the shell")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  comp->footer(
      "Examples:\n  source <(llm-energy completions bash)\n"
      "  llm-energy completions zsh > \"${fpath[1]}/_llm-energy\"\n"
      "  llm-energy completions fish > ~/.config/fish/completions/llm-energy.fish");
  auto* man_cmd =
      app.add_subcommand("man", "Print the manual page (roff); view with 'llm-energy man | man -l -'");

  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e, out, err);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e, out, err);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e, out, err);
    } catch (const CLI::RequiredError& e) {
      if (argc <= 1) {
        out << app.help();
        return static_cast<int>(Exit::bad_input);
      }
      throw InputError(one_line(e.what()) + " (see --help)");
    } catch (const CLI::ParseError& e) {
      throw InputError(one_line(e.what()) + " (see --help)");
    }

    if (est->parsed()) {
      Scenario s;
      if (!config_path.empty()) {
        apply_config_json(s, read_file(config_path), config_path);
      }
      for (const auto& f : scenario_fields()) {
        const std::string key(f.key);
        if (key == "id") {
          continue;
        }
        if (f.kind == FieldKind::boolean) {
          if (recompute) {
            set_field(s, key, "true", Origin::flag);
          }
        } else if (est->count(flag_name(key)) > 0) {
          set_field(s, key, values[key], Origin::flag);
        }
      }
      auto cat = load(ec);
      if (!profile_path.empty()) {
        const Profile prof = parse_profile(read_file(profile_path), profile_path);
        if (!s.hardware) {
          set_field(s, "hardware", prof.hardware, Origin::flag);
        } else if (s.hardware->value != prof.hardware) {
          throw InputError("--profile " + profile_path + " is for " + prof.hardware + ", not " +
                           s.hardware->value);
        }
        cat.reset(apply_profile(*cat, prof));
      }
      const Estimate e = estimate(s, *cat);
      const BudgetCheck bc = check_budgets(s, e, budget);
      if (!plot_path.empty()) {
        write_file_atomic(plot_path, estimate_chart(e));
      }
      if (ec.format == "model-card") {
        if (explain_flag) {
          throw InputError("--explain works with --format table, json or markdown, not model-card");
        }
        emit(ec, out, render_model_card(e, *cat));
      } else {
        const Format fmt_e = parse_format(ec.format);
        emit(ec, out,
             explain_flag ? render_explained(e, fmt_e, use_color(ec, out))
                          : render(e, fmt_e, use_color(ec, out)));
      }
      for (const auto& m : bc.messages) {
        err << "llm-energy: " << m << "\n";
      }
      return static_cast<int>(bc.over ? Exit::over_budget : Exit::ok);
    }

    if (comp->parsed()) {
      out << completion_script(app, shell_name);
      return static_cast<int>(Exit::ok);
    }
    if (man_cmd->parsed()) {
      out << man_page(app);
      return static_cast<int>(Exit::ok);
    }
    if (auto rc = batch_cmds.run_if_parsed(out, err)) {
      return *rc;
    }
    if (auto rc = whatif_cmds.run_if_parsed(out, err)) {
      return *rc;
    }
    if (auto rc = measure_cmds.run_if_parsed(out, err)) {
      return *rc;
    }

    if (val->parsed()) {
      const auto cat = load(vc);
      const Format vf = parse_format(vc.format);
      const std::string text_in =
          dataset.empty() ? std::string(inference_mode ? bundled_inference_points() : bundled_training_runs())
                          : read_file(dataset);
      const std::string name =
          dataset.empty() ? (inference_mode ? "bundled inference-points.csv" : "bundled training-runs.csv")
                          : dataset;
      const double bound = max_median.empty() ? (inference_mode ? 0.15 : 0.20)
                                              : parse_fraction(max_median, "max-median-error");
      bool ok = true;
      std::string report;
      std::string why;
      if (inference_mode) {
        const auto v = validate_inference(text_in, name, *cat);
        report = render_inference_validation(v, vf);
        if (v.median_abs_error > bound) {
          ok = false;
          why = fmt::format("inference median |error| {:.1f}% exceeds the bound {:.1f}%",
                            100 * v.median_abs_error, 100 * bound);
        }
      } else {
        const auto v = validate_training(text_in, name, *cat);
        report = render_training_validation(v, vf);
        if (!v.reproduce_all_ok) {
          ok = false;
          why = fmt::format("reproduce mode misses a published figure by {:.2f}% (more than 2%)",
                            100 * v.reproduce_max_error);
        } else if (v.median_abs_chip_hours_error > bound) {
          ok = false;
          why = fmt::format("predict-mode median |error| {:.1f}% exceeds the bound {:.1f}%",
                            100 * v.median_abs_chip_hours_error, 100 * bound);
        }
      }
      emit(vc, out, report);
      if (!ok) {
        err << "llm-energy: validation failed: " << why << "\n";
        return static_cast<int>(Exit::over_budget);
      }
      return static_cast<int>(Exit::ok);
    }

    const auto cat = load(cc);
    const Format f = parse_format(cc.format);
    std::string text;
    if (hw_list->parsed()) {
      text = list_hardware(*cat, f);
    } else if (hw_show->parsed()) {
      text = show_hardware(cat->find_hardware(show_id), f);
    } else if (rg_list->parsed()) {
      text = list_regions(*cat, f);
    } else if (rg_show->parsed()) {
      text = show_region(*cat, cat->find_region(show_id), f);
    } else if (md_list->parsed()) {
      text = list_models(*cat, f);
    } else if (md_show->parsed()) {
      const ModelArch& m = cat->find_model(show_id);
      json j = model_json(m);
      j["note"] = m.note;
      text = j.dump(2) + "\n";
    }
    emit(cc, out, text);
    return static_cast<int>(Exit::ok);
  } catch (const InputError& e) {
    err << "llm-energy: error: " << one_line(e.what()) << "\n";
    return static_cast<int>(Exit::bad_input);
  } catch (const std::exception& e) {
    err << "llm-energy: internal error: " << one_line(e.what()) << "\n";
    return static_cast<int>(Exit::internal);
  }
}

}  // namespace llm_energy::cli
