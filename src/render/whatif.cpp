#include "render/whatif.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "llm_energy/version.hpp"
#include "render/format_units.hpp"
#include "render/text_table.hpp"

namespace llm_energy::render {
namespace {

using json = nlohmann::ordered_json;
using whatif::Comparison;
using whatif::NoteKind;
using whatif::Row;

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

json opt_num(const std::optional<double>& v) {
  return v ? json(round6(*v)) : json(nullptr);
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

json delta_json(const whatif::Deltas& d) {
  json j;
  j["energy_pct"] = opt_num(d.energy_pct);
  j["co2e_pct"] = opt_num(d.co2e_pct);
  j["time_pct"] = opt_num(d.time_pct);
  j["energy_per_token_pct"] = opt_num(d.energy_per_token_pct);
  if (d.market_based_co2e_pct) {
    j["market_based_co2e_pct"] = opt_num(d.market_based_co2e_pct);
  }
  return j;
}

json totals_json(const whatif::Totals& t) {
  const Interval e = t.energy_kwh.interval();
  const Interval c = t.co2e_kg.interval();
  return {{"energy_kwh", round6(t.energy_kwh.value)},
          {"co2e_kg", round6(t.co2e_kg.value)},
          {"wall_clock_hours", opt_num(t.wall_clock_hours)},
          {"time_per_output_token_ms", opt_num(t.time_per_output_token_ms)},
          {"energy_per_token_j", round6(t.energy_per_token_j)},
          {"interval",
           {{"energy_kwh", json::array({round6(e.low), round6(e.high)})},
            {"co2e_kg", json::array({round6(c.low), round6(c.high)})}}}};
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

const Row* find_row(const Comparison& c, const std::string& label) {
  if (c.baseline.label == label) {
    return &c.baseline;
  }
  for (const auto& v : c.variants) {
    if (v.label == label) {
      return &v;
    }
  }
  return nullptr;
}

}  // namespace

std::string note_text(const whatif::Note& n, const Comparison& c) {
  const std::string& l = n.label;
  switch (n.kind) {
    case NoteKind::fp8_training_optimistic:
      return l +
             ": training at the fp8 peak with the bf16-calibrated utilisation; published FP8 training "
             "speed-ups are "
             "smaller than the 2x peak ratio, so this is optimistic";
    case NoteKind::no_fp8_training:
      return l + ": " + n.id + " has no fp8 peak: training kept at " + n.text;
    case NoteKind::inference_format:
      return l + ": training kept at " + n.text + " (" + n.id + " is an inference format)";
    case NoteKind::weight_only:
      return l + ": " + n.id + " has no " + n.text + " peak: modelled as weight-only " + n.text + " (" +
             n.text + " weights, " + n.text2 + " compute)";
    case NoteKind::accuracy_not_modelled:
      return "quantisation may cost accuracy; not modelled";
    case NoteKind::unstructured_no_change:
      return l +
             ": unstructured sparsity gives no speed-up on dense hardware and the weights are stored dense: "
             "no "
             "change";
    case NoteKind::structured:
      return l + ": structured pruning serves a model of params x " + num(n.x) +
             "; attention shape and KV cache kept (conservative)";
    case NoteKind::no_sparse_peak:
      return l + ": " + n.id +
             " has no sparse tensor-core peak: no speed-up, weights stored dense: no change";
    case NoteKind::two_four:
      return l + ": 2:4 sparse tensor cores at " + num(n.x) +
             "x the dense peak for the weight matmuls; weights read as 0.5625x (half the values plus a 2-bit "
             "index "
             "each); attention FLOPs approximated with the same scaling (1.125x)";
    case NoteKind::prune_training_unchanged:
      return "prune: training unchanged (the dense model is trained, then pruned); recovery fine-tuning and "
             "accuracy loss not modelled";
    case NoteKind::no_break_even:
      return l + ": the student saves no energy per served token: no break-even";
    case NoteKind::distillation:
      return "distillation = one run of student training (6*N_student*D + attention) with the teacher's "
             "forward pass on every token (2*N_teacher*D + attention; estimate --teacher-params); the "
             "teacher's own training is the baseline's; student quality not modelled";
    case NoteKind::chips_factor:
      return l + ": training utilisation x " + num(n.x) + " relative to " + n.text + " chips";
    case NoteKind::chips_scaling:
      return "chips: the utilisation model follows the chip count (the data-parallel all-reduce against "
             "fewer tokens per replica, pipeline bubbles; hardware.json training_model): energy rises as "
             "wall-clock falls; inference unchanged";
    case NoteKind::default_precision_used:
      return l + ": no " + n.text + " peak: default precision used";
    case NoteKind::catalog_power_used:
      return l +
             ": --chip-hours and --power-watts describe the baseline's chips: catalog figures used instead";
    case NoteKind::power_cap_factors:
      return l + ": time x " + num(n.x) + ", accelerator power x " + num(n.y);
    case NoteKind::power_cap:
      return "power cap: time x cap^-" + num(n.x) + " and accelerator power x cap^" + num(n.y) +
             " (Samsi et al. 2023, arXiv 2310.03003: a 0.7 cap cost 6-7% time and saved ~23% GPU energy); "
             "host "
             "power not capped, so facility energy saves less; peaks, bandwidth and TDP shown are the "
             "effective "
             "capped figures";
    case NoteKind::power_watts_scaled:
      return l + ": --power-watts includes the host share; the whole figure is scaled";
    case NoteKind::market_share:
      return fmt::format(
          "market-based CO2e: facility energy x (1 - {:.3g} renewable share) x location intensity", n.x);
    case NoteKind::market_intensity:
      return fmt::format("market-based CO2e: facility energy x {:.4g} gCO2e/kWh (contractual)", n.x);
    case NoteKind::mixed_grid_bases:
      return "grid factors on different bases (" + n.text +
             "): their CO2e does not compare; the catalog has no one basis for all of these regions";
    case NoteKind::distillation_summary: {
      const Row* r = find_row(c, l);
      if (r == nullptr || !r->distillation) {
        return l + ": distillation";
      }
      const auto& d = *r->distillation;
      std::string s = l + ": distillation " +
                      human_energy_kwh(d.teacher_energy_kwh + d.student_training_energy_kwh) +
                      " (teacher forward " + human_energy_kwh(d.teacher_energy_kwh) + ", student training " +
                      human_energy_kwh(d.student_training_energy_kwh) + "); saves " +
                      sig3(d.saving_per_token_j) + " J per output token";
      if (d.break_even_tokens) {
        s += "; break-even after " + human_count(*d.break_even_tokens) + " served tokens";
      }
      return s;
    }
  }
  return "";
}

std::string render_comparison(const Comparison& c, Format f) {
  std::vector<const Row*> rows{&c.baseline};
  for (const auto& v : c.variants) {
    rows.push_back(&v);
  }
  const bool market = c.baseline.totals.market_based_co2e_kg.has_value();
  std::vector<std::string> notes;
  for (const auto& n : c.notes) {
    notes.push_back(note_text(n, c));
  }
  if (f == Format::json) {
    json j;
    j["schema"] = "llm-energy/compare/1";
    j["version"] = k_version;
    json base = to_json(c.baseline.estimate);
    base["totals"] = totals_json(c.baseline.totals);
    if (market) {
      base["market_based_co2e_kg"] = round6(*c.baseline.totals.market_based_co2e_kg);
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
      if (v.totals.market_based_co2e_kg) {
        item["market_based_co2e_kg"] = round6(*v.totals.market_based_co2e_kg);
      }
      if (v.distillation) {
        const auto& d = *v.distillation;
        item["distillation"] = {{"teacher_energy_kwh", round6(d.teacher_energy_kwh)},
                                {"student_training_energy_kwh", round6(d.student_training_energy_kwh)},
                                {"saving_per_token_j", round6(d.saving_per_token_j)},
                                {"break_even_tokens", opt_num(d.break_even_tokens)}};
      }
      item["delta"] = delta_json(v.delta);
      json vn = json::array();
      for (const auto& n : v.notes) {
        vn.push_back(note_text(n, c));
      }
      item["notes"] = vn;
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
      out += csv_escape(r->label) + "," + n(r->totals.energy_kwh.value) + "," + p(r->delta.energy_pct) + "," +
             n(r->totals.co2e_kg.value) + "," + p(r->delta.co2e_pct);
      if (market) {
        out += "," + n(r->totals.market_based_co2e_kg);
      }
      out += "," + n(r->totals.wall_clock_hours) + "," + n(r->totals.time_per_output_token_ms) + "," +
             p(r->delta.time_pct) + "," + n(r->totals.energy_per_token_j) + "," +
             p(r->delta.energy_per_token_pct) + "," + best_marks(c, r->label) + "\n";
    }
    return out;
  }
  // Table and Markdown share the cells.
  std::vector<Column> cols = {{"variant"},
                              {"energy", Align::right},
                              {"\u0394", Align::right},
                              {"CO2e", Align::right},
                              {"\u0394", Align::right}};
  if (market) {
    cols.push_back({"CO2e mkt", Align::right});
    cols.push_back({"\u0394", Align::right});
  }
  for (const char* h : {"time", "\u0394", "J/token", "\u0394", "best"}) {
    cols.push_back({h, Align::right});
  }
  std::vector<std::vector<std::string>> body;
  for (const auto* r : rows) {
    const bool is_base = r == &c.baseline;
    auto d = [&](const std::optional<double>& p) { return is_base ? std::string() : pct_text(p); };
    std::vector<std::string> cl = {r->label, human_energy_kwh(r->totals.energy_kwh.value),
                                   d(r->delta.energy_pct), human_mass_kg(r->totals.co2e_kg.value),
                                   d(r->delta.co2e_pct)};
    if (market) {
      cl.push_back(human_mass_kg(r->totals.market_based_co2e_kg.value_or(0)));
      cl.push_back(d(r->delta.market_based_co2e_pct));
    }
    cl.push_back(time_text(r->totals));
    cl.push_back(d(r->delta.time_pct));
    cl.push_back(sig3(r->totals.energy_per_token_j));
    cl.push_back(d(r->delta.energy_per_token_pct));
    cl.push_back(best_marks(c, r->label));
    body.push_back(std::move(cl));
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
    std::string out = "### llm-energy compare (baseline: " + std::string(be.hardware) + ", region " +
                      std::string(be.region) + ", " + phase + ")\n\n|";
    for (const auto& h : cols) {
      out += " " + h.header + " |";
    }
    out += "\n|";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      out += i == 0 ? " --- |" : " ---: |";
    }
    out += "\n";
    for (const auto& cl : body) {
      out += "|";
      for (const auto& x : cl) {
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
  TextTable t(cols);
  for (auto& cl : body) {
    t.add(std::move(cl));
  }
  std::string out = "llm-energy " + std::string(k_version) +
                    " \u2014 compare; baseline: " + std::string(be.hardware) + ", region " +
                    std::string(be.region) + ", " + phase + "\n\n";
  out += t.str();
  out += "\n" + legend + "\n";
  if (!notes.empty()) {
    out += "\nNotes\n";
    for (const auto& n : notes) {
      out += "  " + n + "\n";
    }
  }
  return out;
}

std::string note_text(whatif::PlanNote n, const whatif::Plan& p) {
  switch (n) {
    case whatif::PlanNote::fit:
      return "fit: Hoffmann et al. 2022, approach 3: L(N,D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28; N_opt = "
             "G(C/6)^a, D_opt = (C/6)^b/G";
    case whatif::PlanNote::tokens_per_param:
      return "tokens per parameter: " + num(p.optimal.tokens / p.optimal.params) +
             " (approach 3 favours more tokens than the ~20 tokens/parameter rule of thumb from approaches 1 "
             "and 2)";
    case whatif::PlanNote::recompute:
      return "--recompute: the hardware executes 8*N*D FLOPs, 4/3 of the model FLOPs budgeted";
    case whatif::PlanNote::energy_search:
      return "compute C found so that the facility energy equals the budget (" +
             num(p.energy_budget_kwh.value_or(0)) + " kWh)";
  }
  return "";
}

namespace {

// A two-column "label  value" block, as plan and schedule print it.
std::string label_value_block(const std::vector<std::pair<std::string, std::string>>& rows) {
  TextTable t({{.width = 20}, {}}, "  ", "");
  for (const auto& [k, v] : rows) {
    t.add({k, v});
  }
  return t.str(false);
}

}  // namespace

std::string render_plan(const whatif::Plan& p, Format f) {
  const auto& t = *p.estimate.training;
  const double ratio = p.optimal.tokens / p.optimal.params;
  const double loss = whatif::chinchilla_loss(p.optimal.params, p.optimal.tokens);
  std::vector<std::string> notes;
  for (auto n : p.notes) {
    notes.push_back(note_text(n, p));
  }
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
    j["notes"] = notes;
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
                            std::string(p.estimate.hardware) + ", region " + std::string(p.estimate.region);
  std::string out;
  if (f == Format::markdown) {
    out = "### llm-energy " + title + "\n\n| quantity | value |\n| --- | --- |\n";
    for (const auto& [k, v] : rows) {
      out += "| " + k + " | " + v + " |\n";
    }
    out += "\nNotes:\n\n";
    for (const auto& n : notes) {
      out += "- " + n + "\n";
    }
    return out + "\n_llm-energy " + std::string(k_version) + "_\n";
  }
  out = "llm-energy " + std::string(k_version) + " \u2014 " + title + "\n\n";
  out += label_value_block(rows);
  out += "\nNotes\n";
  for (const auto& n : notes) {
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
  return out + label_value_block(rows);
}

}  // namespace llm_energy::render
