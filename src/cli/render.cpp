#include "render.hpp"

#include <fmt/format.h>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "format_units.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/version.hpp"

namespace llm_energy::cli {
namespace {

using json = nlohmann::ordered_json;

json interval(const Interval& i) {
  return json::array({round6(i.low), round6(i.high)});
}

std::string phase_name(Phase p) {
  switch (p) {
    case Phase::training:
      return "training";
    case Phase::inference:
      return "inference";
    case Phase::both:
      return "both";
  }
  return "both";
}

// Display width in code points (the table uses a few multi-byte characters).
std::size_t width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

std::string fit(std::string s, std::size_t max) {
  if (width(s) <= max) {
    return s;
  }
  std::string out;
  std::size_t n = 0;
  for (char c : s) {
    const bool start = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (start && n + 1 >= max) {
      break;
    }
    n += start ? 1 : 0;
    out += c;
  }
  return out + "\u2026";
}

std::string pad(const std::string& s, std::size_t w) {
  const std::size_t n = width(s);
  return n >= w ? s : s + std::string(w - n, ' ');
}

std::string assumption_value(const Assumption& a) {
  if (!a.text.empty()) {
    return a.text;
  }
  std::string v = a.value.is_exact()
                      ? sig3(a.value.value)
                      : sig3(a.value.value) + " (" + sig3(a.value.low) + "\u2013" + sig3(a.value.high) + ")";
  if (a.value.value >= 1e6 && a.value.is_exact()) {
    v = human_count(a.value.value);
  }
  return a.unit.empty() || a.unit == "fraction" || a.unit == "ratio" ? v : v + " " + a.unit;
}

struct Row {
  std::string label;
  std::string value;
};

std::vector<Row> training_rows(const TrainingEstimate& t) {
  return {
      {"Compute", fmt::format("{:.2e} FLOP", t.flops)},
      {"Chip-hours", count_with_range(t.chip_hours, t.interval.chip_hours.low, t.interval.chip_hours.high)},
      {"Wall-clock", human_hours(t.wall_clock_hours)},
      {"Utilisation (MFU)", sig3(t.implied_mfu)},
      {"Energy, accelerators", human_energy_kwh(t.accelerator_energy_kwh)},
      {"Energy, servers", human_energy_kwh(t.server_energy_kwh)},
      {"Energy, facility",
       energy_with_range(t.energy_kwh, t.interval.energy_kwh.low, t.interval.energy_kwh.high)},
      {"CO2e, operational", mass_with_range(t.co2e_kg, t.interval.co2e_kg.low, t.interval.co2e_kg.high)},
      {"CO2e, embodied", human_mass_kg(t.embodied_co2e_kg)},
      {"Per token", sig3(t.energy_per_token_j) + " J"},
      {"Per parameter", sig3(t.energy_per_param_j) + " J"},
      {"Main uncertainty", t.main_uncertainty},
  };
}

std::vector<Row> inference_rows(const InferenceEstimate& i) {
  const auto& iv = i.interval;
  return {
      {"Output tokens", human_count(i.tokens) + " (" + human_count(i.requests) + " requests of " +
                            sig3(i.input_tokens_per_request) + " in / " + sig3(i.output_tokens_per_request) +
                            " out)"},
      {"Replica", sig3(i.chips) + (i.chips == 1 ? " chip" : " chips") + ", batch " + sig3(i.batch_size) +
                      ", decode " + i.bound + "-bound"},
      {"Speed",
       sig3(i.tokens_per_second) + " tokens/s, " + sig3(i.time_per_output_token_ms) + " ms per output token"},
      {"J per output token, accel.", sig3(i.accelerator_energy_per_token_j) + " (" +
                                         sig3(iv.accelerator_energy_per_token_j.low) + "\u2013" +
                                         sig3(iv.accelerator_energy_per_token_j.high) + ")"},
      {"J per output token, server", sig3(i.server_energy_per_token_j)},
      {"J per output token, facility", sig3(i.energy_per_token_j) + " (" + sig3(iv.energy_per_token_j.low) +
                                           "\u2013" + sig3(iv.energy_per_token_j.high) + ")"},
      {"J per input token, facility", sig3(i.energy_per_input_token_j)},
      {"Per request", sig3(i.energy_per_request_wh) + " Wh"},
      {"Per million output tokens", sig3(i.kwh_per_million_tokens) + " kWh"},
      {"Energy, facility", energy_with_range(i.energy_kwh, iv.energy_kwh.low, iv.energy_kwh.high)},
      {"CO2e, operational", mass_with_range(i.co2e_kg, iv.co2e_kg.low, iv.co2e_kg.high)},
      {"CO2e, embodied", human_mass_kg(i.embodied_co2e_kg)},
      {"Main uncertainty", i.main_uncertainty},
  };
}

std::string render_table(const Estimate& e, bool color) {
  const std::string bold = color ? "\x1b[1m" : "";
  const std::string dim = color ? "\x1b[2m" : "";
  const std::string reset = color ? "\x1b[0m" : "";
  std::string out =
      bold + "llm-energy " + k_version + reset + " \u2014 " + e.hardware + ", region " + e.region + "\n";
  auto section = [&](const std::string& title, const std::vector<Row>& rows) {
    out += "\n" + bold + title + reset + "\n";
    for (const auto& r : rows) {
      out += "  " + pad(r.label, 30) + r.value + "\n";
    }
  };
  if (e.training) {
    section("Training", training_rows(*e.training));
  }
  if (e.inference) {
    section("Inference", inference_rows(*e.inference));
  }
  out += "\n" + bold + "Assumptions" + reset + dim +
         " (value, origin, source; --format json for full sources)" + reset + "\n";
  for (const auto& a : e.assumptions) {
    std::string line = "  " + pad(a.key, 24) + " " + pad(fit(assumption_value(a), 27), 27) + " " +
                       pad(fit(a.origin, 19), 19);
    if (!a.source.empty()) {
      line += " " + fit(a.source, 100 - width(line) - 1);
    }
    out += line + "\n";
  }
  out += "\nRanges combine each uncertain input's documented range (log-space root-sum-square).\n";
  return out;
}

std::string render_markdown(const Estimate& e) {
  std::string out = "### llm-energy estimate (" + e.hardware + ", region " + e.region + ")\n\n";
  auto section = [&](const std::string& title, const std::vector<Row>& rows) {
    out += "| " + title + " | value |\n| --- | --- |\n";
    for (const auto& r : rows) {
      out += "| " + r.label + " | " + r.value + " |\n";
    }
    out += "\n";
  };
  if (e.training) {
    section("Training", training_rows(*e.training));
  }
  if (e.inference) {
    section("Inference", inference_rows(*e.inference));
  }
  out +=
      "<details><summary>Assumptions</summary>\n\n| input | value | origin | source |\n| --- | --- | --- | "
      "--- |\n";
  for (const auto& a : e.assumptions) {
    std::string src = a.source;
    for (auto& c : src) {
      if (c == '|') {
        c = '/';
      }
    }
    out += "| " + a.key + " | " + assumption_value(a) + " | " + a.origin + " | " + src + " |\n";
  }
  out += "\n</details>\n\n_llm-energy " + std::string(k_version) + "_\n";
  return out;
}

void flatten(const json& j, const std::string& prefix, json& out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object()) {
      flatten(it.value(), key, out);
    } else if (it.value().is_array() && it.value().size() == 2) {
      out[key + ".low"] = it.value()[0];
      out[key + ".high"] = it.value()[1];
    } else {
      out[key] = it.value();
    }
  }
}

}  // namespace

double round6(double v) {
  if (v == 0 || !std::isfinite(v)) {
    return v;
  }
  // Through text, so the result is the double nearest the 6-digit decimal and prints short.
  char buf[32];
  const auto end = fmt::format_to_n(buf, sizeof buf - 1, "{:.5e}", v).out;
  double r = v;
  std::from_chars(buf, end, r);
  return r;
}

Format parse_format(std::string_view text) {
  if (text == "table") {
    return Format::table;
  }
  if (text == "json") {
    return Format::json;
  }
  if (text == "csv") {
    return Format::csv;
  }
  if (text == "markdown" || text == "md") {
    return Format::markdown;
  }
  throw InputError("format: unknown format '" + std::string(text.substr(0, 20)) +
                   "' (use table, json, csv or markdown)");
}

json to_json(const Estimate& e) {
  json j;
  j["schema"] = "llm-energy/estimate/1";
  j["version"] = k_version;
  j["phase"] = phase_name(e.phase);
  j["hardware"] = e.hardware;
  j["region"] = e.region;
  if (e.training) {
    const auto& t = *e.training;
    j["training"] = {
        {"flops", round6(t.flops)},
        {"chip_hours", round6(t.chip_hours)},
        {"wall_clock_hours", round6(t.wall_clock_hours)},
        {"implied_mfu", round6(t.implied_mfu)},
        {"accelerator_energy_kwh", round6(t.accelerator_energy_kwh)},
        {"server_energy_kwh", round6(t.server_energy_kwh)},
        {"energy_kwh", round6(t.energy_kwh)},
        {"co2e_kg", round6(t.co2e_kg)},
        {"embodied_co2e_kg", round6(t.embodied_co2e_kg)},
        {"energy_per_token_j", round6(t.energy_per_token_j)},
        {"energy_per_param_j", round6(t.energy_per_param_j)},
        {"interval",
         {{"chip_hours", interval(t.interval.chip_hours)},
          {"energy_kwh", interval(t.interval.energy_kwh)},
          {"co2e_kg", interval(t.interval.co2e_kg)}}},
        {"main_uncertainty", t.main_uncertainty},
    };
  }
  if (e.inference) {
    const auto& i = *e.inference;
    j["inference"] = {
        {"tokens", round6(i.tokens)},
        {"requests", round6(i.requests)},
        {"input_tokens_per_request", round6(i.input_tokens_per_request)},
        {"output_tokens_per_request", round6(i.output_tokens_per_request)},
        {"batch_size", round6(i.batch_size)},
        {"chips", round6(i.chips)},
        {"bound", i.bound},
        {"memory_required_gb", round6(i.memory_required_gb)},
        {"tokens_per_second", round6(i.tokens_per_second)},
        {"time_per_output_token_ms", round6(i.time_per_output_token_ms)},
        {"accelerator_energy_per_token_j", round6(i.accelerator_energy_per_token_j)},
        {"server_energy_per_token_j", round6(i.server_energy_per_token_j)},
        {"energy_per_token_j", round6(i.energy_per_token_j)},
        {"energy_per_input_token_j", round6(i.energy_per_input_token_j)},
        {"energy_per_request_wh", round6(i.energy_per_request_wh)},
        {"kwh_per_million_tokens", round6(i.kwh_per_million_tokens)},
        {"accelerator_energy_kwh", round6(i.accelerator_energy_kwh)},
        {"server_energy_kwh", round6(i.server_energy_kwh)},
        {"energy_kwh", round6(i.energy_kwh)},
        {"co2e_kg", round6(i.co2e_kg)},
        {"embodied_co2e_kg", round6(i.embodied_co2e_kg)},
        {"chip_hours", round6(i.chip_hours)},
        {"interval",
         {{"energy_per_token_j", interval(i.interval.energy_per_token_j)},
          {"accelerator_energy_per_token_j", interval(i.interval.accelerator_energy_per_token_j)},
          {"energy_kwh", interval(i.interval.energy_kwh)},
          {"co2e_kg", interval(i.interval.co2e_kg)}}},
        {"main_uncertainty", i.main_uncertainty},
    };
  }
  json a = json::object();
  for (const auto& x : e.assumptions) {
    json item;
    if (!x.text.empty()) {
      item["value"] = x.text;
    } else {
      item["value"] = round6(x.value.value);
      if (!x.value.is_exact()) {
        item["low"] = round6(x.value.low);
        item["high"] = round6(x.value.high);
      }
      item["unit"] = x.unit;
    }
    item["origin"] = x.origin;
    if (!x.source.empty()) {
      item["source"] = x.source;
    }
    a[x.key] = item;
  }
  j["assumptions"] = a;
  return j;
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> k_columns = [] {
    // The columns of a full estimate (both phases), flattened with dots.
    Estimate e;
    e.training = TrainingEstimate{};
    e.inference = InferenceEstimate{};
    json flat = json::object();
    json j = to_json(e);
    j.erase("assumptions");
    j.erase("schema");
    flatten(j, "", flat);
    std::vector<std::string> cols;
    for (auto it = flat.begin(); it != flat.end(); ++it) {
      cols.push_back(it.key());
    }
    return cols;
  }();
  return k_columns;
}

std::vector<std::string> csv_values(const json& estimate_json) {
  json flat = json::object();
  flatten(estimate_json, "", flat);
  // The flattened keys come in column order (a missing phase leaves a gap), so one merge walk
  // pairs them with the columns.
  std::vector<std::string> out;
  const auto& cols = csv_columns();
  out.reserve(cols.size());
  auto it = flat.begin();
  for (const auto& c : cols) {
    auto hit = it != flat.end() && it.key() == c ? it : flat.find(c);
    if (hit == flat.end() || hit->is_null()) {
      out.emplace_back();
      continue;
    }
    out.push_back(hit->is_string() ? hit->get<std::string>() : hit->dump());
    it = std::next(hit);
  }
  return out;
}

std::string csv_escape(std::string_view s) {
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    return std::string(s);
  }
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  return out + "\"";
}

std::string render(const Estimate& e, Format f, bool color) {
  switch (f) {
    case Format::json:
      return to_json(e).dump(2) + "\n";
    case Format::csv: {
      std::string out;
      const auto& cols = csv_columns();
      for (std::size_t i = 0; i < cols.size(); ++i) {
        out += (i ? "," : "") + csv_escape(cols[i]);
      }
      out += "\n";
      const auto vals = csv_values(to_json(e));
      for (std::size_t i = 0; i < vals.size(); ++i) {
        out += (i ? "," : "") + csv_escape(vals[i]);
      }
      return out + "\n";
    }
    case Format::markdown:
      return render_markdown(e);
    case Format::table:
      return render_table(e, color);
  }
  return {};
}

std::string render_explained(const Estimate& e, Format f, bool color) {
  const auto steps = explain(e);
  if (f == Format::csv) {
    throw InputError("--explain works with --format table, json or markdown, not csv");
  }
  if (f == Format::json) {
    json j = to_json(e);
    json arr = json::array();
    for (const auto& s : steps) {
      arr.push_back({{"phase", s.phase},
                     {"step", s.name},
                     {"formula", s.formula},
                     {"substituted", s.substituted},
                     {"result", round6(s.result)},
                     {"unit", s.unit}});
    }
    j["explain"] = arr;
    return j.dump(2) + "\n";
  }
  std::string block = f == Format::markdown ? "\n#### How it was computed\n\n" : "\nHow it was computed\n";
  for (const auto& s : steps) {
    if (f == Format::markdown) {
      block += "- " + s.phase + " " + s.name + " = " + s.formula + " = " + s.substituted + " = **" +
               sig3(s.result) + " " + s.unit + "**\n";
    } else {
      block += "  " + s.name + " = " + s.formula + "\n      = " + s.substituted + " = " + sig3(s.result) +
               " " + s.unit + "\n";
    }
  }
  block += f == Format::markdown ? "\n" : "  (each input's origin and source: see Assumptions)\n";
  std::string text = render(e, f, color);
  // Put the chain before the assumptions block.
  const std::string marker = f == Format::markdown ? "<details><summary>Assumptions" : "Assumptions";
  const auto pos =
      text.find(f == Format::markdown ? marker : (color ? "\x1b[1mAssumptions" : "\nAssumptions"));
  if (pos == std::string::npos) {
    return text + block;
  }
  return text.substr(0, pos) + block + text.substr(pos);
}

}  // namespace llm_energy::cli
