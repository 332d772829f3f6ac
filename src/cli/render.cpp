#include "render.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "format_units.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/version.hpp"

namespace llm_energy::cli {
namespace {

using json = nlohmann::ordered_json;

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
      {"Main uncertainty", std::string(t.main_uncertainty)},
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
      {"Main uncertainty", std::string(i.main_uncertainty)},
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

}  // namespace

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

namespace {

// A comma, quote, CR or LF (one pass; find_first_of would call memchr per character).
bool needs_csv_quotes(std::string_view s) {
  for (char c : s) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      return true;
    }
  }
  return false;
}

// ---- One walk over an estimate's figures, in schema order ----
// to_json, the CSV header and values, and the streamed JSON of batch rows all come from this
// walk, so the key order and names are written once. A visitor has:
//   open(key) / close()            a nested object
//   number(key, v), text(key, s)   a leaf
//   interval(key, Interval)        [low, high] (CSV: key.low, key.high)
//   missing(key, walk_empty)       a phase that was not run (CSV keeps its empty columns)

template <class V>
void walk_training(const TrainingEstimate& t, V& v) {
  v.number("flops", t.flops);
  v.number("chip_hours", t.chip_hours);
  v.number("wall_clock_hours", t.wall_clock_hours);
  v.number("implied_mfu", t.implied_mfu);
  v.number("accelerator_energy_kwh", t.accelerator_energy_kwh);
  v.number("server_energy_kwh", t.server_energy_kwh);
  v.number("energy_kwh", t.energy_kwh);
  v.number("co2e_kg", t.co2e_kg);
  v.number("embodied_co2e_kg", t.embodied_co2e_kg);
  v.number("energy_per_token_j", t.energy_per_token_j);
  v.number("energy_per_param_j", t.energy_per_param_j);
  v.open("interval");
  v.interval("chip_hours", t.interval.chip_hours);
  v.interval("energy_kwh", t.interval.energy_kwh);
  v.interval("co2e_kg", t.interval.co2e_kg);
  v.close();
  v.text("main_uncertainty", t.main_uncertainty);
}

template <class V>
void walk_inference(const InferenceEstimate& i, V& v) {
  v.number("tokens", i.tokens);
  v.number("requests", i.requests);
  v.number("input_tokens_per_request", i.input_tokens_per_request);
  v.number("output_tokens_per_request", i.output_tokens_per_request);
  v.number("batch_size", i.batch_size);
  v.number("chips", i.chips);
  v.text("bound", i.bound);
  v.number("memory_required_gb", i.memory_required_gb);
  v.number("tokens_per_second", i.tokens_per_second);
  v.number("time_per_output_token_ms", i.time_per_output_token_ms);
  v.number("accelerator_energy_per_token_j", i.accelerator_energy_per_token_j);
  v.number("server_energy_per_token_j", i.server_energy_per_token_j);
  v.number("energy_per_token_j", i.energy_per_token_j);
  v.number("energy_per_input_token_j", i.energy_per_input_token_j);
  v.number("energy_per_request_wh", i.energy_per_request_wh);
  v.number("kwh_per_million_tokens", i.kwh_per_million_tokens);
  v.number("accelerator_energy_kwh", i.accelerator_energy_kwh);
  v.number("server_energy_kwh", i.server_energy_kwh);
  v.number("energy_kwh", i.energy_kwh);
  v.number("co2e_kg", i.co2e_kg);
  v.number("embodied_co2e_kg", i.embodied_co2e_kg);
  v.number("chip_hours", i.chip_hours);
  v.open("interval");
  v.interval("energy_per_token_j", i.interval.energy_per_token_j);
  v.interval("accelerator_energy_per_token_j", i.interval.accelerator_energy_per_token_j);
  v.interval("energy_kwh", i.interval.energy_kwh);
  v.interval("co2e_kg", i.interval.co2e_kg);
  v.close();
  v.text("main_uncertainty", i.main_uncertainty);
}

// Everything but "schema" and "assumptions".
template <class V>
void walk_estimate(const Estimate& e, V& v) {
  v.text("version", k_version);
  v.text("phase", phase_name(e.phase));
  v.text("hardware", e.hardware);
  v.text("region", e.region);
  if (e.training) {
    v.open("training");
    walk_training(*e.training, v);
    v.close();
  } else {
    v.missing("training", [](V& w) { walk_training(TrainingEstimate{}, w); });
  }
  if (e.inference) {
    v.open("inference");
    walk_inference(*e.inference, v);
    v.close();
  } else {
    v.missing("inference", [](V& w) { walk_inference(InferenceEstimate{}, w); });
  }
}

// Builds an ordered_json (numbers rounded to 6 significant digits).
class JsonBuilder {
 public:
  explicit JsonBuilder(json& root) { m_stack.push_back(&root); }
  void open(const char* key) { m_stack.push_back(&(*m_stack.back())[key]); }
  void close() { m_stack.pop_back(); }
  void number(const char* key, double v) { (*m_stack.back())[key] = round6(v); }
  void text(const char* key, std::string_view s) { (*m_stack.back())[key] = s; }
  void interval(const char* key, const Interval& i) {
    (*m_stack.back())[key] = json::array({round6(i.low), round6(i.high)});
  }
  template <class F>
  void missing(const char* /*key*/, F&& /*walk_empty*/) {}

 private:
  std::vector<json*> m_stack;
};

// Appends `"key":value` pairs as compact JSON text (the same text as dumping to_json).
class JsonTextWriter {
 public:
  explicit JsonTextWriter(std::string& out) : m_out(out) {}
  void open(const char* key) {
    this->key(key);
    m_out += '{';
    m_first = true;
  }
  void close() {
    m_out += '}';
    m_first = false;
  }
  void number(const char* key, double v) {
    this->key(key);
    append_number6(m_out, v);
  }
  void text(const char* key, std::string_view s) {
    this->key(key);
    append_json_string(m_out, s);
  }
  void interval(const char* key, const Interval& i) {
    this->key(key);
    m_out += '[';
    append_number6(m_out, i.low);
    m_out += ',';
    append_number6(m_out, i.high);
    m_out += ']';
  }
  template <class F>
  void missing(const char* /*key*/, F&& /*walk_empty*/) {}

 private:
  void key(const char* k) {
    if (!m_first) {
      m_out += ',';
    }
    m_first = false;
    m_out += '"';
    m_out += k;
    m_out += "\":";
  }
  std::string& m_out;
  bool m_first = false;  // the caller has written the object's first member
};

// Writes ",value" per CSV column into `out` from position `pos` on; a phase that was not run
// leaves its columns empty. The string is grown ahead and trimmed by the caller (end()), so a
// number (this runs ~50 times a row) is written straight into it.
class CsvWriter {
 public:
  CsvWriter(std::string& out, std::size_t pos) : m_out(out), m_pos(pos) {}
  void open(const char* /*key*/) {}
  void close() {}
  void number(const char* /*key*/, double v) {
    char* p = room(1 + k_number6_max);
    *p++ = ',';
    if (!m_blank && std::isfinite(v)) {
      p = write_number6(p, v);
    }
    m_pos = static_cast<std::size_t>(p - m_out.data());
  }
  void text(const char* /*key*/, std::string_view s) {
    char* p = room(3 + 2 * s.size());
    *p++ = ',';
    if (!m_blank) {
      const bool quote = needs_csv_quotes(s);
      if (quote) {
        *p++ = '"';
      }
      for (char c : s) {
        if (c == '"') {
          *p++ = '"';
        }
        *p++ = c;
      }
      if (quote) {
        *p++ = '"';
      }
    }
    m_pos = static_cast<std::size_t>(p - m_out.data());
  }
  void interval(const char* key, const Interval& i) {
    number(key, i.low);
    number(key, i.high);
  }
  template <class F>
  void missing(const char* /*key*/, F&& walk_empty) {
    m_blank = true;
    walk_empty(*this);
    m_blank = false;
  }
  [[nodiscard]] std::size_t end() const { return m_pos; }

 private:
  char* room(std::size_t n) {
    if (m_pos + n > m_out.size()) {
      m_out.resize(std::max(2 * m_out.size(), m_pos + n));
    }
    return m_out.data() + m_pos;
  }
  std::string& m_out;
  std::size_t m_pos;
  bool m_blank = false;
};

// Collects the dotted CSV column names.
class ColumnNames {
 public:
  void open(const char* key) { m_prefix.push_back(key); }
  void close() { m_prefix.pop_back(); }
  void number(const char* key, double /*v*/) { add(key, ""); }
  void text(const char* key, std::string_view /*s*/) { add(key, ""); }
  void interval(const char* key, const Interval& /*i*/) {
    add(key, ".low");
    add(key, ".high");
  }
  template <class F>
  void missing(const char* key, F&& walk_empty) {
    open(key);
    walk_empty(*this);
    close();
  }
  std::vector<std::string> names;

 private:
  void add(const char* key, const char* suffix) {
    std::string name;
    for (const auto& p : m_prefix) {
      name += p;
      name += '.';
    }
    names.push_back(name + key + suffix);
  }
  std::vector<std::string> m_prefix;
};

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  bool plain = true;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      plain = false;
      break;
    }
  }
  if (plain) {
    out += '"';
    out += s;
    out += '"';
  } else {
    out += json(s).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

void append_csv_field(std::string& out, std::string_view s) {
  if (!needs_csv_quotes(s)) {
    out += s;
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
}

json to_json(const Estimate& e) {
  json j;
  j["schema"] = "llm-energy/estimate/1";
  JsonBuilder b(j);
  walk_estimate(e, b);
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

void append_json_members(std::string& out, const Estimate& e) {
  out += "\"schema\":\"llm-energy/estimate/1\"";
  JsonTextWriter w(out);
  walk_estimate(e, w);
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> k_columns = [] {
    ColumnNames c;
    walk_estimate(Estimate{}, c);
    return std::move(c.names);
  }();
  return k_columns;
}

void append_csv_values(std::string& out, const Estimate& e) {
  const std::size_t start = out.size();
  out.resize(start + 2048);  // a row of numbers fits; longer text grows it
  CsvWriter w(out, start);
  walk_estimate(e, w);
  out.resize(w.end());
}

std::string csv_escape(std::string_view s) {
  std::string out;
  append_csv_field(out, s);
  return out;
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
      std::string row;
      append_csv_values(row, e);
      out.append(row, 1);  // without the leading comma
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
