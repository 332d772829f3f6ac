#include "whatif_cmd.hpp"

#include "common.hpp"

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "app.hpp"
#include "charts.hpp"
#include "format_units.hpp"
#include "io.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/scenario.hpp"
#include "llm_energy/units.hpp"
#include "llm_energy/version.hpp"
#include "report.hpp"

namespace llm_energy::cli {
namespace {

using json = nlohmann::ordered_json;

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    std::string item = text.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) {
      out.push_back(item);
    }
    pos = comma + 1;
  }
  return out;
}

// The options every what-if command shares: the scenario flags, --config, output, catalogs.
struct ScenarioFlags {
  CLI::App* cmd = nullptr;
  std::map<std::string, std::string> values;
  bool recompute = false;
  std::string config;
  std::string format = "table";
  std::string output;
  std::vector<std::string> hardware_files;
  std::vector<std::string> regions_files;
  std::map<std::string, std::string> renamed;  // scenario key -> flag, where compare renames it
};

void register_scenario(ScenarioFlags& c, const std::vector<std::string>& formats,
                       const std::map<std::string, std::string>& renamed = {}) {
  c.renamed = renamed;
  for (const auto& f : scenario_fields()) {
    const std::string key(f.key);
    if (key == "id" || key == "max_energy" || key == "max_co2e" || key == "max_chip_hours") {
      continue;
    }
    auto it = renamed.find(key);
    const bool is_renamed = it != renamed.end();
    add_scenario_flag(*c.cmd, f, is_renamed ? it->second : flag_name(key), c.values, c.recompute,
                      is_renamed ? "baseline's " : "");
  }
  c.cmd
      ->add_option("--config", c.config,
                   "JSON file of settings (flag names in snake_case); flags override it")
      ->type_name("FILE");
  c.cmd->add_option("--format", c.format, "output format")->check(CLI::IsMember(formats));
  c.cmd->add_option("--output,-o", c.output, "write to FILE instead of standard output")->type_name("FILE");
  c.cmd
      ->add_option("--hardware-file", c.hardware_files,
                   "JSON file adding or overriding hardware entries (same format as configs/hardware.json)")
      ->type_name("FILE");
  c.cmd
      ->add_option("--regions-file", c.regions_files,
                   "JSON file adding or overriding regions and operators (format of configs/regions.json)")
      ->type_name("FILE");
}

Scenario scenario_from(const ScenarioFlags& c) {
  Scenario s;
  if (!c.config.empty()) {
    apply_config_json(s, read_file(c.config), c.config);
  }
  for (const auto& f : scenario_fields()) {
    const std::string key(f.key);
    auto vit = c.values.find(key);
    if (f.kind == FieldKind::boolean) {
      if (c.recompute) {
        set_field(s, key, "true", Origin::flag);
      }
      continue;
    }
    if (vit == c.values.end()) {
      continue;
    }
    auto rit = c.renamed.find(key);
    const std::string flag = rit != c.renamed.end() ? rit->second : flag_name(key);
    if (c.cmd->count(flag) > 0) {
      set_field(s, key, vit->second, Origin::flag);
    }
  }
  return s;
}

// True when any scenario flag (or --config) was given.
bool any_scenario_flag(const ScenarioFlags& c) {
  if (!c.config.empty() || c.recompute) {
    return true;
  }
  for (const auto& [key, v] : c.values) {
    auto rit = c.renamed.find(key);
    if (c.cmd->count(rit != c.renamed.end() ? rit->second : flag_name(key)) > 0) {
      return true;
    }
  }
  return false;
}

CatalogHandle load(const ScenarioFlags& c) {
  return load_catalog_files(c.hardware_files, c.regions_files);
}

void emit(const ScenarioFlags& c, std::ostream& out, const std::string& text) {
  if (c.output.empty() || c.output == "-") {
    out << text;
    out.flush();
  } else {
    write_file_atomic(c.output, text);
  }
}

json opt_num(const std::optional<double>& v) {
  return v ? json(round6(*v)) : json(nullptr);
}

std::optional<double> change_pct(double v, double base) {
  if (base == 0) {
    return std::nullopt;
  }
  return 100.0 * (v - base) / base;
}

std::string pct_text(const std::optional<double>& p) {
  if (!p) {
    return "";
  }
  if (std::abs(*p) < 0.05) {
    return "0.0%";
  }
  return fmt::format("{:+.1f}%", *p);
}

std::string time_text(const whatif::Totals& t) {
  if (t.wall_clock_hours) {
    return human_hours(*t.wall_clock_hours);
  }
  if (t.time_per_output_token_ms) {
    return sig3(*t.time_per_output_token_ms) + " ms/token";
  }
  return "-";
}

json delta_json(const CompareRow& r, const CompareRow& b) {
  json d;
  d["energy_pct"] = opt_num(change_pct(r.totals.energy_kwh, b.totals.energy_kwh));
  d["co2e_pct"] = opt_num(change_pct(r.totals.co2e_kg, b.totals.co2e_kg));
  d["time_pct"] = opt_num(change_pct(r.totals.time(), b.totals.time()));
  d["energy_per_token_pct"] = opt_num(change_pct(r.totals.energy_per_token_j, b.totals.energy_per_token_j));
  if (r.market_based_co2e_kg && b.market_based_co2e_kg) {
    d["market_based_co2e_pct"] = opt_num(change_pct(*r.market_based_co2e_kg, *b.market_based_co2e_kg));
  }
  return d;
}

json totals_json(const whatif::Totals& t) {
  return {{"energy_kwh", round6(t.energy_kwh)},
          {"co2e_kg", round6(t.co2e_kg)},
          {"wall_clock_hours", opt_num(t.wall_clock_hours)},
          {"time_per_output_token_ms", opt_num(t.time_per_output_token_ms)},
          {"energy_per_token_j", round6(t.energy_per_token_j)}};
}

std::string best_marks(const Comparison& c, const std::string& label) {
  std::string m;
  if (c.best_energy == label) {
    m += "E";
  }
  if (c.best_time == label) {
    m += "T";
  }
  if (c.best_co2e == label) {
    m += "C";
  }
  return m;
}

std::string distill_note(const CompareRow& r) {
  const auto& d = *r.distillation;
  std::string s = r.label + ": distillation " +
                  human_energy_kwh(d.teacher_energy_kwh + d.student_training_energy_kwh) +
                  " (teacher forward " + human_energy_kwh(d.teacher_energy_kwh) + ", student training " +
                  human_energy_kwh(d.student_training_energy_kwh) + "); saves " + sig3(d.saving_per_token_j) +
                  " J per output token";
  if (d.break_even_tokens) {
    s += "; break-even after " + human_count(*d.break_even_tokens) + " served tokens";
  }
  return s;
}

}  // namespace

// ---- Rendering ----

std::string render_comparison(const Comparison& c, Format f) {
  std::vector<const CompareRow*> rows{&c.baseline};
  for (const auto& v : c.variants) {
    rows.push_back(&v);
  }
  const bool market = c.baseline.market_based_co2e_kg.has_value();
  std::vector<std::string> notes;
  for (const auto* r : rows) {
    if (r->distillation) {
      notes.push_back(distill_note(*r));
    }
    for (const auto& n : r->notes) {
      if (std::find(notes.begin(), notes.end(), n) == notes.end()) {
        notes.push_back(n);
      }
    }
  }
  if (f == Format::json) {
    json j;
    j["schema"] = "llm-energy/compare/1";
    j["version"] = k_version;
    json base = to_json(c.baseline.estimate);
    base["totals"] = totals_json(c.baseline.totals);
    if (market) {
      base["market_based_co2e_kg"] = round6(*c.baseline.market_based_co2e_kg);
    }
    j["baseline"] = base;
    json vars = json::array();
    for (const auto& v : c.variants) {
      json e = to_json(v.estimate);
      e.erase("schema");
      e.erase("version");
      json item;
      item["label"] = v.label;
      for (auto it = e.begin(); it != e.end(); ++it) {
        item[it.key()] = it.value();
      }
      item["totals"] = totals_json(v.totals);
      if (v.market_based_co2e_kg) {
        item["market_based_co2e_kg"] = round6(*v.market_based_co2e_kg);
      }
      if (v.distillation) {
        const auto& d = *v.distillation;
        item["distillation"] = {{"teacher_energy_kwh", round6(d.teacher_energy_kwh)},
                                {"student_training_energy_kwh", round6(d.student_training_energy_kwh)},
                                {"saving_per_token_j", round6(d.saving_per_token_j)},
                                {"break_even_tokens", opt_num(d.break_even_tokens)}};
      }
      item["delta"] = delta_json(v, c.baseline);
      item["notes"] = v.notes;
      vars.push_back(item);
    }
    j["variants"] = vars;
    j["best"] = {{"energy", c.best_energy}, {"time", c.best_time}, {"co2e", c.best_co2e}};
    j["notes"] = notes;
    return j.dump(2) + "\n";
  }
  if (f == Format::csv) {
    std::string out = "label,energy_kwh,energy_pct,co2e_kg,co2e_pct";
    out += market ? ",market_based_co2e_kg" : "";
    out +=
        ",wall_clock_hours,time_per_output_token_ms,time_pct,energy_per_token_j,energy_per_token_pct,best\n";
    for (const auto* r : rows) {
      const bool is_base = r == &c.baseline;
      auto p = [&](const std::optional<double>& v) {
        return is_base || !v ? std::string() : fmt::format("{}", round6(*v));
      };
      auto n = [](const std::optional<double>& v) {
        return v ? fmt::format("{}", round6(*v)) : std::string();
      };
      out += csv_escape(r->label) + "," + n(r->totals.energy_kwh) + "," +
             p(change_pct(r->totals.energy_kwh, c.baseline.totals.energy_kwh)) + "," + n(r->totals.co2e_kg) +
             "," + p(change_pct(r->totals.co2e_kg, c.baseline.totals.co2e_kg));
      if (market) {
        out += "," + n(r->market_based_co2e_kg);
      }
      out += "," + n(r->totals.wall_clock_hours) + "," + n(r->totals.time_per_output_token_ms) + "," +
             p(change_pct(r->totals.time(), c.baseline.totals.time())) + "," +
             n(r->totals.energy_per_token_j) + "," +
             p(change_pct(r->totals.energy_per_token_j, c.baseline.totals.energy_per_token_j)) + "," +
             best_marks(c, r->label) + "\n";
    }
    return out;
  }
  // Table and Markdown share the cells.
  struct Cells {
    std::vector<std::string> v;
  };
  std::vector<std::string> header = {"variant", "energy", "\u0394", "CO2e", "\u0394"};
  if (market) {
    header.insert(header.end(), {"CO2e mkt", "\u0394"});
  }
  header.insert(header.end(), {"time", "\u0394", "J/token", "\u0394", "best"});
  std::vector<Cells> body;
  for (const auto* r : rows) {
    const bool is_base = r == &c.baseline;
    auto d = [&](double v, double b) { return is_base ? std::string() : pct_text(change_pct(v, b)); };
    Cells cl;
    cl.v = {r->label, human_energy_kwh(r->totals.energy_kwh),
            d(r->totals.energy_kwh, c.baseline.totals.energy_kwh), human_mass_kg(r->totals.co2e_kg),
            d(r->totals.co2e_kg, c.baseline.totals.co2e_kg)};
    if (market) {
      cl.v.push_back(human_mass_kg(r->market_based_co2e_kg.value_or(0)));
      cl.v.push_back(d(r->market_based_co2e_kg.value_or(0), c.baseline.market_based_co2e_kg.value_or(0)));
    }
    cl.v.push_back(time_text(r->totals));
    cl.v.push_back(d(r->totals.time(), c.baseline.totals.time()));
    cl.v.push_back(sig3(r->totals.energy_per_token_j));
    cl.v.push_back(d(r->totals.energy_per_token_j, c.baseline.totals.energy_per_token_j));
    cl.v.push_back(best_marks(c, r->label));
    body.push_back(cl);
  }
  const Estimate& be = c.baseline.estimate;
  const std::string phase = be.training && be.inference ? "training + inference"
                            : be.training               ? "training"
                                                        : "inference";
  const std::string legend =
      "energy: facility, all phases (and distillation); CO2e: operational, location-based" +
      std::string(market ? " (mkt: market-based)" : "") +
      "; time: " + (be.training ? "training wall-clock" : "ms per output token") +
      "; J/token: " + (be.inference ? "facility J per output token" : "training J per token") +
      "; best: E energy, T time, C CO2e";
  if (f == Format::markdown) {
    std::string out = "### llm-energy compare (baseline: " + be.hardware + ", region " + be.region + ", " +
                      phase + ")\n\n|";
    for (const auto& h : header) {
      out += " " + h + " |";
    }
    out += "\n|";
    for (std::size_t i = 0; i < header.size(); ++i) {
      out += i == 0 ? " --- |" : " ---: |";
    }
    out += "\n";
    for (const auto& cl : body) {
      out += "|";
      for (const auto& x : cl.v) {
        out += " " + x + " |";
      }
      out += "\n";
    }
    out += "\n_" + legend + "_\n";
    if (!notes.empty()) {
      out += "\nNotes:\n\n";
      for (const auto& n : notes) {
        out += "- " + n + "\n";
      }
    }
    out += "\n_llm-energy " + std::string(k_version) + "_\n";
    return out;
  }
  std::vector<std::size_t> widths(header.size(), 0);
  auto width = [](const std::string& s) {
    std::size_t n = 0;
    for (char ch : s) {
      n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
    }
    return n;
  };
  for (std::size_t i = 0; i < header.size(); ++i) {
    widths[i] = width(header[i]);
    for (const auto& cl : body) {
      widths[i] = std::max(widths[i], width(cl.v[i]));
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string s;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string padding(widths[i] - width(cells[i]), ' ');
      s += i == 0 ? cells[i] + padding : "  " + padding + cells[i];
    }
    s.erase(s.find_last_not_of(' ') + 1);
    return s + "\n";
  };
  std::string out = "llm-energy " + std::string(k_version) + " \u2014 compare; baseline: " + be.hardware +
                    ", region " + be.region + ", " + phase + "\n\n";
  out += line(header);
  for (const auto& cl : body) {
    out += line(cl.v);
  }
  out += "\n" + legend + "\n";
  if (!notes.empty()) {
    out += "\nNotes\n";
    for (const auto& n : notes) {
      out += "  " + n + "\n";
    }
  }
  return out;
}

std::string render_plan(const whatif::Plan& p, Format f) {
  const auto& t = *p.estimate.training;
  const double ratio = p.optimal.tokens / p.optimal.params;
  const double loss = whatif::chinchilla_loss(p.optimal.params, p.optimal.tokens);
  if (f == Format::json) {
    json e = to_json(p.estimate);
    json j;
    j["schema"] = "llm-energy/plan/1";
    j["version"] = k_version;
    j["fit"] = "Hoffmann et al. 2022, approach 3";
    j["params"] = round6(p.optimal.params);
    j["tokens"] = round6(p.optimal.tokens);
    j["flops"] = round6(p.optimal.flops);
    j["tokens_per_param"] = round6(ratio);
    j["predicted_loss"] = round6(loss);
    j["hardware"] = e["hardware"];
    j["region"] = e["region"];
    j["training"] = e["training"];
    j["assumptions"] = e["assumptions"];
    j["notes"] = p.notes;
    return j.dump(2) + "\n";
  }
  if (f == Format::csv) {
    std::string out =
        "params,tokens,flops,tokens_per_param,predicted_loss,hardware,region,chip_hours,"
        "wall_clock_hours,energy_kwh,co2e_kg,embodied_co2e_kg\n";
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", round6(p.optimal.params),
                       round6(p.optimal.tokens), round6(p.optimal.flops), round6(ratio), round6(loss),
                       csv_escape(p.estimate.hardware), csv_escape(p.estimate.region), round6(t.chip_hours),
                       round6(t.wall_clock_hours), round6(t.energy_kwh), round6(t.co2e_kg),
                       round6(t.embodied_co2e_kg));
    return out;
  }
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"Compute budget", fmt::format("{:.2e} FLOP", p.optimal.flops)},
      {"Parameters", human_count(p.optimal.params)},
      {"Tokens", human_count(p.optimal.tokens) + " (" + sig3(ratio) + " per parameter)"},
      {"Predicted loss", sig3(loss)},
      {"Chip-hours", count_with_range(t.chip_hours, t.interval.chip_hours.low, t.interval.chip_hours.high)},
      {"Wall-clock", human_hours(t.wall_clock_hours)},
      {"Energy, facility",
       energy_with_range(t.energy_kwh, t.interval.energy_kwh.low, t.interval.energy_kwh.high)},
      {"CO2e, operational", mass_with_range(t.co2e_kg, t.interval.co2e_kg.low, t.interval.co2e_kg.high)},
      {"CO2e, embodied", human_mass_kg(t.embodied_co2e_kg)},
  };
  const std::string title = "compute-optimal plan (Hoffmann et al. 2022, approach 3) on " +
                            p.estimate.hardware + ", region " + p.estimate.region;
  std::string out;
  if (f == Format::markdown) {
    out = "### llm-energy " + title + "\n\n| quantity | value |\n| --- | --- |\n";
    for (const auto& [k, v] : rows) {
      out += "| " + k + " | " + v + " |\n";
    }
    out += "\nNotes:\n\n";
    for (const auto& n : p.notes) {
      out += "- " + n + "\n";
    }
    return out + "\n_llm-energy " + std::string(k_version) + "_\n";
  }
  out = "llm-energy " + std::string(k_version) + " \u2014 " + title + "\n\n";
  for (const auto& [k, v] : rows) {
    out += fmt::format("  {:<20}{}\n", k, v);
  }
  out += "\nNotes\n";
  for (const auto& n : p.notes) {
    out += "  " + n + "\n";
  }
  return out;
}

std::string render_schedule(const whatif::ScheduleResult& r, const whatif::ScheduleRequest& q, Format f) {
  if (f == Format::json) {
    json j;
    j["schema"] = "llm-energy/schedule/1";
    j["version"] = k_version;
    j["best_start"] = whatif::format_utc(r.best_start);
    j["best_region"] = r.best_region;
    j["best_co2e_kg"] = round6(r.best_co2e_kg);
    j["immediate_start"] = whatif::format_utc(r.immediate_start);
    j["immediate_region"] = r.immediate_region;
    j["immediate_co2e_kg"] = round6(r.immediate_co2e_kg);
    j["savings_fraction"] = round6(r.savings_fraction);
    j["duration_hours"] = round6(q.duration_hours);
    j["energy_kwh"] = round6(q.energy_kwh);
    j["candidates"] = r.candidates;
    return j.dump(2) + "\n";
  }
  if (f == Format::csv) {
    return "best_start,best_region,best_co2e_kg,immediate_start,immediate_region,immediate_co2e_kg,"
           "savings_fraction,duration_hours,energy_kwh\n" +
           fmt::format("{},{},{},{},{},{},{},{},{}\n", whatif::format_utc(r.best_start),
                       csv_escape(r.best_region), round6(r.best_co2e_kg),
                       whatif::format_utc(r.immediate_start), csv_escape(r.immediate_region),
                       round6(r.immediate_co2e_kg), round6(r.savings_fraction), round6(q.duration_hours),
                       round6(q.energy_kwh));
  }
  const std::vector<std::pair<std::string, std::string>> rows = {
      {"Best start", whatif::format_utc(r.best_start) + " in " + r.best_region},
      {"CO2e at best start", human_mass_kg(r.best_co2e_kg)},
      {"Immediate start", whatif::format_utc(r.immediate_start) + " in " + r.immediate_region},
      {"CO2e if immediate", human_mass_kg(r.immediate_co2e_kg)},
      {"Saving", fmt::format("{:.1f}%", 100.0 * r.savings_fraction)},
      {"Job", human_hours(q.duration_hours) + ", " + human_energy_kwh(q.energy_kwh) + " (constant power, " +
                  human_energy_kwh(q.energy_kwh / q.duration_hours) + " per hour)"},
      {"Start times tried", std::to_string(r.candidates)},
  };
  std::string out;
  if (f == Format::markdown) {
    out = "### llm-energy schedule\n\n| quantity | value |\n| --- | --- |\n";
    for (const auto& [k, v] : rows) {
      out += "| " + k + " | " + v + " |\n";
    }
    return out + "\n_llm-energy " + std::string(k_version) + "_\n";
  }
  out =
      "llm-energy " + std::string(k_version) + " \u2014 schedule (location-based hourly grid intensity)\n\n";
  for (const auto& [k, v] : rows) {
    out += fmt::format("  {:<20}{}\n", k, v);
  }
  return out;
}

// ---- Wiring ----

struct WhatifCommands::State {
  // compare
  ScenarioFlags compare;
  std::string quantize, prune, sparsity, distill_to, distill_tokens, chips, hardware, region, power_cap;
  std::string renewable_share, market_intensity;
  std::string compare_plot;
  // plan
  ScenarioFlags plan;
  std::string compute_budget, energy_budget;
  // schedule
  ScenarioFlags schedule;
  std::vector<std::string> intensity_files;
  std::string duration, energy, earliest, deadline;
  std::string schedule_plot;
  // report
  ScenarioFlags report;
  std::string report_html;
};

WhatifCommands::WhatifCommands(std::unique_ptr<State> state) : m_state(std::move(state)) {}
WhatifCommands::WhatifCommands(WhatifCommands&&) noexcept = default;
WhatifCommands& WhatifCommands::operator=(WhatifCommands&&) noexcept = default;
WhatifCommands::~WhatifCommands() = default;

namespace {

const char* k_compare_footer =
    R"(Each variant option takes a comma list; each value is one variant against the baseline.
The baseline takes every estimate flag (or --config); its hardware, region and chips are set
with --baseline-hardware, --baseline-region and --baseline-chips, since --hardware, --region
and --chips list variants here.

Examples:
  llm-energy compare --params 70B --tokens 2T --quantize fp8,int8,int4 --batch-size 256
  llm-energy compare --params 7e9 --tokens 1T --hardware a100-sxm4-80gb,h100-sxm,b200,tpu-v5p,mi300x
  llm-energy compare --model llama-3.1-70b --tokens 15T --region FR,US,PL --renewable-share 0.6 \
      --prune 0.5 --sparsity-pattern 2:4 --power-cap 0.7 --format json

Exit codes: 0 ok, 2 bad usage or input, 3 internal error.)";

const char* k_plan_footer =
    R"(Chinchilla-optimal parameters and tokens (Hoffmann et al. 2022, approach 3's parametric fit
L(N,D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28), and that training run's energy, CO2e and time
on the chosen hardware (any estimate flag except --params, --tokens, --model).

Examples:
  llm-energy plan --compute-budget 1e23
  llm-energy plan --energy-budget 500MWh --hardware b200 --chips 1024 --region FR
  llm-energy plan --compute-budget 3.8e25 --hardware h100-sxm --chips 16384 --format json

Exit codes: 0 ok, 2 bad usage or input, 3 internal error.)";

const char* k_schedule_footer =
    R"(Intensity files: CSV with a header timestamp,carbon_intensity; one row per hour, timestamps
ISO 8601 UTC (2024-03-01T00:00:00Z), sorted, without gaps or duplicates; values in gCO2e/kWh.
The region is the file's stem. The job draws constant power (energy/duration per hour; a
partial last hour pro-rated) and starts on the hour; the saving is against starting at the
first allowed hour in the first file. Samples: configs/intensity/ (synthetic).

Examples:
  llm-energy schedule --intensity configs/intensity/solar-heavy.csv --duration 36h --energy 10MWh
  llm-energy schedule --intensity configs/intensity/solar-heavy.csv --intensity configs/intensity/wind-heavy.csv \
      --duration 12h --energy 2MWh --earliest 2024-03-02T00:00:00Z --deadline 2024-03-05T00:00:00Z
  llm-energy schedule --intensity configs/intensity/coal-steady.csv --params 1e9 --tokens 20e9 --format json

Exit codes: 0 ok, 2 bad usage or input, 3 internal error.)";

double parse_count_flag(const std::string& text, const char* what) {
  return parse_count(text, what);
}

void add_rows(Comparison& c, const Scenario& base, const Catalog& cat, const std::vector<whatif::Variant>& vs,
              Phase phase, const whatif::MarketBasis* market) {
  for (const auto& v : vs) {
    CompareRow r;
    r.label = v.label;
    try {
      r.estimate = whatif::evaluate(v, phase);
    } catch (const InputError& e) {
      throw InputError("variant " + v.label + ": " + e.what());
    }
    r.distillation = v.distillation;
    r.totals = whatif::totals_of(r.estimate, r.distillation);
    r.notes = v.notes;
    if (market) {
      r.market_based_co2e_kg = whatif::market_based_co2e_kg(r.totals, *market);
    }
    c.variants.push_back(std::move(r));
  }
  (void)base;
  (void)cat;
}

int run_compare(WhatifCommands::State& st, std::ostream& out) {
  const Scenario base = scenario_from(st.compare);
  const auto cat = load(st.compare);
  const Format fmt_out = parse_format(st.compare.format);

  whatif::MarketBasis market;
  if (!st.renewable_share.empty() && !st.market_intensity.empty()) {
    throw InputError("conflicting inputs: give --renewable-share or --market-based-intensity, not both");
  }
  if (!st.renewable_share.empty()) {
    const double share = parse_fraction(st.renewable_share, "renewable-share");
    whatif::check_renewable_share(share);
    market.renewable_share = share;
  }
  if (!st.market_intensity.empty()) {
    const double g = parse_plain_number(st.market_intensity, "market-based-intensity");
    if (!(g >= 0)) {
      throw InputError("market-based-intensity: must not be negative");
    }
    market.intensity_g_per_kwh = g;
  }
  const bool has_market = market.renewable_share || market.intensity_g_per_kwh;

  // Validate every option before estimating anything.
  std::vector<whatif::Variant> vs;
  for (const auto& q : split_list(st.quantize)) {
    vs.push_back(whatif::quantize(base, *cat, parse_precision(q)));
  }
  if (!st.sparsity.empty() && st.prune.empty()) {
    throw InputError("--sparsity-pattern needs --prune FRACTION");
  }
  {
    std::vector<whatif::Sparsity> patterns;
    for (const auto& p : split_list(st.sparsity.empty() ? std::string("unstructured") : st.sparsity)) {
      patterns.push_back(whatif::parse_sparsity(p));
    }
    for (const auto& p : split_list(st.prune)) {
      const double fr = parse_plain_number(p, "prune");
      whatif::check_prune_fraction(fr);
      for (auto pat : patterns) {
        vs.push_back(whatif::prune(base, *cat, fr, pat));
      }
    }
  }
  if (!st.distill_to.empty() != !st.distill_tokens.empty()) {
    throw InputError("--distill-to and --distill-tokens go together (student size and distillation tokens)");
  }
  for (const auto& d : split_list(st.distill_to)) {
    vs.push_back(whatif::distill(base, *cat, parse_count_flag(d, "distill-to"),
                                 parse_count_flag(st.distill_tokens, "distill-tokens")));
  }
  for (const auto& n : split_list(st.chips)) {
    vs.push_back(whatif::with_chips(base, *cat, parse_count_flag(n, "chips")));
  }
  for (const auto& h : split_list(st.hardware)) {
    vs.push_back(whatif::with_hardware(base, *cat, h));
  }
  for (const auto& r : split_list(st.region)) {
    vs.push_back(whatif::with_region(base, *cat, r));
  }
  for (const auto& p : split_list(st.power_cap)) {
    const double cap = parse_fraction(p, "power-cap");
    whatif::check_power_cap(cap);
    vs.push_back(whatif::power_cap(base, *cat, cap));
  }
  if (vs.empty()) {
    throw InputError(
        "compare needs at least one variant option (--quantize, --prune, --distill-to, --chips, "
        "--hardware, --region or --power-cap)");
  }

  Comparison c;
  c.baseline.label = "baseline";
  c.baseline.estimate = estimate(base, *cat);
  c.baseline.totals = whatif::totals_of(c.baseline.estimate, std::nullopt);
  if (has_market) {
    c.baseline.market_based_co2e_kg = whatif::market_based_co2e_kg(c.baseline.totals, market);
  }
  add_rows(c, base, *cat, vs, c.baseline.estimate.phase, has_market ? &market : nullptr);
  if (market.renewable_share) {
    c.baseline.notes.push_back(
        fmt::format("market-based CO2e: facility energy x (1 - {:.3g} renewable share) x "
                    "location intensity",
                    *market.renewable_share));
  } else if (market.intensity_g_per_kwh) {
    c.baseline.notes.push_back(fmt::format(
        "market-based CO2e: facility energy x {:.4g} gCO2e/kWh (contractual)", *market.intensity_g_per_kwh));
  }

  // The best row for each figure (ties: the first listed).
  auto best = [&](auto key) {
    const CompareRow* b = &c.baseline;
    for (const auto& v : c.variants) {
      if (key(v) < key(*b)) {
        b = &v;
      }
    }
    return b->label;
  };
  c.best_energy = best([](const CompareRow& r) { return r.totals.energy_kwh; });
  c.best_time = best([](const CompareRow& r) { return r.totals.time(); });
  c.best_co2e = best([](const CompareRow& r) { return r.totals.co2e_kg; });
  if (!st.compare_plot.empty()) {
    write_file_atomic(st.compare_plot, compare_chart(c));
  }
  emit(st.compare, out, render_comparison(c, fmt_out));
  return static_cast<int>(Exit::ok);
}

int run_plan(WhatifCommands::State& st, std::ostream& out) {
  if (!st.compute_budget.empty() && !st.energy_budget.empty()) {
    throw InputError("conflicting inputs: give --compute-budget or --energy-budget, not both");
  }
  if (st.compute_budget.empty() && st.energy_budget.empty()) {
    throw InputError("plan needs --compute-budget FLOPS or --energy-budget ENERGY");
  }
  const Scenario base = scenario_from(st.plan);
  const auto cat = load(st.plan);
  const Format fmt_out = parse_format(st.plan.format);
  const whatif::Plan p =
      !st.compute_budget.empty()
          ? whatif::plan_for_compute(base, *cat, parse_count(st.compute_budget, "compute-budget"))
          : whatif::plan_for_energy(base, *cat, parse_energy_kwh(st.energy_budget, "energy-budget"));
  emit(st.plan, out, render_plan(p, fmt_out));
  return static_cast<int>(Exit::ok);
}

int run_report(WhatifCommands::State& st, std::ostream& out) {
  const Scenario s = scenario_from(st.report);
  const auto cat = load(st.report);
  const Estimate e = estimate(s, *cat);
  write_file_atomic(st.report_html, render_html_report(e));
  out << "llm-energy: wrote " << st.report_html << "\n";
  return static_cast<int>(Exit::ok);
}

int run_schedule(WhatifCommands::State& st, std::ostream& out) {
  if (st.intensity_files.empty()) {
    throw InputError("schedule needs --intensity FILE.csv (hourly grid intensity)");
  }
  const Format fmt_out = parse_format(st.schedule.format);
  whatif::ScheduleRequest q;
  const bool given_job = !st.duration.empty() || !st.energy.empty();
  if (given_job) {
    if (st.duration.empty() || st.energy.empty()) {
      throw InputError("give both --duration and --energy (or estimate flags instead)");
    }
    if (any_scenario_flag(st.schedule)) {
      throw InputError("conflicting inputs: give --duration and --energy, or estimate flags, not both");
    }
    q.duration_hours = parse_duration_hours(st.duration, "duration");
    q.energy_kwh = parse_energy_kwh(st.energy, "energy");
  } else {
    Scenario s = scenario_from(st.schedule);
    s.phase = Given<std::string>{"training", Origin::flag};
    const auto cat = load(st.schedule);
    const Estimate e = estimate(s, *cat);
    q.duration_hours = e.training->wall_clock_hours;
    q.energy_kwh = e.training->energy_kwh;
  }
  if (!st.earliest.empty()) {
    q.earliest = whatif::parse_utc(st.earliest, "earliest");
  }
  if (!st.deadline.empty()) {
    q.deadline = whatif::parse_utc(st.deadline, "deadline");
  }
  std::vector<whatif::IntensitySeries> series;
  for (const auto& f : st.intensity_files) {
    series.push_back(whatif::parse_intensity_csv(read_file(f), f, std::filesystem::path(f).stem().string()));
  }
  const whatif::ScheduleResult r = whatif::schedule(series, q);
  if (!st.schedule_plot.empty()) {
    write_file_atomic(st.schedule_plot, schedule_chart(series, r, q));
  }
  emit(st.schedule, out, render_schedule(r, q, fmt_out));
  return static_cast<int>(Exit::ok);
}

}  // namespace

WhatifCommands register_whatif_commands(CLI::App& app) {
  auto st = std::make_unique<WhatifCommands::State>();
  const std::vector<std::string> formats = {"table", "json", "csv", "markdown"};

  auto& c = st->compare;
  c.cmd = app.add_subcommand("compare",
                             "Compare a baseline with what-if variants (quantisation, pruning, "
                             "distillation, chips, hardware, region, power cap)");
  register_scenario(
      c, formats,
      {{"hardware", "--baseline-hardware"}, {"region", "--baseline-region"}, {"chips", "--baseline-chips"}});
  auto* cmd = c.cmd;
  cmd->add_option("--quantize", st->quantize, "variants at these precisions (fp8,int8,int4)")
      ->type_name("P[,P...]");
  cmd->add_option("--prune", st->prune, "variants pruning this fraction of the weights, in (0,1)")
      ->type_name("F[,F...]");
  cmd->add_option("--sparsity-pattern", st->sparsity,
                  "pruning pattern: unstructured (default), 2:4 or structured")
      ->type_name("PATTERN[,...]");
  cmd->add_option("--distill-to", st->distill_to,
                  "variants distilling into a student of this many parameters")
      ->type_name("N[,N...]");
  cmd->add_option("--distill-tokens", st->distill_tokens,
                  "tokens of distillation (teacher forward + student training)")
      ->type_name("N");
  cmd->add_option("--chips", st->chips, "training variants on this many chips (scaling efficiency modelled)")
      ->type_name("N[,N...]");
  cmd->add_option("--hardware", st->hardware,
                  "variants on these accelerators (ids: llm-energy hardware list)")
      ->type_name("ID[,ID...]");
  cmd->add_option("--region", st->region, "variants in these regions (location-based CO2e)")
      ->type_name("ID[,ID...]");
  cmd->add_option("--power-cap", st->power_cap,
                  "variants with the accelerators capped at this fraction of TDP, in (0,1]")
      ->type_name("F[,F...]");
  cmd->add_option("--renewable-share", st->renewable_share,
                  "also report market-based CO2e = facility energy x (1 - share) x location intensity")
      ->type_name("F");
  cmd->add_option("--market-based-intensity", st->market_intensity,
                  "also report market-based CO2e at this contractual intensity [gCO2e/kWh]")
      ->type_name("G");
  cmd->add_option("--plot", st->compare_plot,
                  "also write an SVG chart (energy with its range, and CO2e, per variant) to FILE.svg")
      ->type_name("FILE.svg");
  cmd->footer(k_compare_footer);

  auto& p = st->plan;
  p.cmd = app.add_subcommand("plan", "Compute-optimal model size and tokens for a compute or energy budget");
  register_scenario(p, formats);
  p.cmd->add_option("--compute-budget", st->compute_budget, "training compute budget [FLOP]")
      ->type_name("FLOPS");
  p.cmd->add_option("--energy-budget", st->energy_budget, "facility energy budget, e.g. 500MWh")
      ->type_name("ENERGY");
  p.cmd->footer(k_plan_footer);

  auto& s = st->schedule;
  s.cmd = app.add_subcommand("schedule",
                             "Pick the start time and region with the least CO2e from hourly grid intensity");
  register_scenario(s, formats);
  s.cmd
      ->add_option("--intensity", st->intensity_files,
                   "hourly grid-intensity CSV (repeatable; region = file stem)")
      ->type_name("FILE.csv");
  s.cmd->add_option("--duration", st->duration, "job duration, e.g. 36h, 90m, 2d")->type_name("TIME");
  s.cmd->add_option("--energy", st->energy, "job facility energy, e.g. 10MWh")->type_name("ENERGY");
  s.cmd->add_option("--earliest", st->earliest, "earliest start (ISO 8601 UTC)")->type_name("T");
  s.cmd->add_option("--deadline", st->deadline, "the job must finish by then (ISO 8601 UTC)")->type_name("T");
  s.cmd
      ->add_option("--plot", st->schedule_plot,
                   "also write an SVG chart (each intensity series, the chosen window shaded) to FILE.svg")
      ->type_name("FILE.svg");
  s.cmd->footer(k_schedule_footer);

  auto& rp = st->report;
  rp.cmd = app.add_subcommand("report",
                              "Write one self-contained HTML report (table, ranges, assumptions, chart) "
                              "of an estimate");
  register_scenario(rp, {"table"});
  // The report is HTML only: --html replaces --format and --output.
  rp.cmd->remove_option(rp.cmd->get_option("--format"));
  rp.cmd->remove_option(rp.cmd->get_option("--output"));
  rp.cmd
      ->add_option("--html", st->report_html, "write the report to FILE.html (self-contained, opens offline)")
      ->type_name("FILE.html")
      ->required();
  rp.cmd->footer(
      "Takes every estimate flag (or --config).\nExamples:\n"
      "  llm-energy report --params 7B --tokens 2T --region FR --html report.html\n"
      "  llm-energy report --config configs/examples/llama2-70b.json --html llama2-70b.html\n\n"
      "Exit codes: 0 ok, 2 bad usage or input, 3 internal error.");
  return WhatifCommands(std::move(st));
}

std::optional<int> WhatifCommands::run_if_parsed(std::ostream& out, std::ostream& /*err*/) {
  State& st = *m_state;
  if (st.compare.cmd->parsed()) {
    return run_compare(st, out);
  }
  if (st.plan.cmd->parsed()) {
    return run_plan(st, out);
  }
  if (st.report.cmd->parsed()) {
    return run_report(st, out);
  }
  if (st.schedule.cmd->parsed()) {
    return run_schedule(st, out);
  }
  return std::nullopt;
}

}  // namespace llm_energy::cli
