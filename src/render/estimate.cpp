#include "render/estimate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "llm_energy/error.hpp"
#include "llm_energy/figures.hpp"
#include "llm_energy/version.hpp"
#include "render/format_units.hpp"
#include "render/text_table.hpp"

namespace llm_energy::render {
namespace {

using json = nlohmann::ordered_json;

// printf's %.3g (and kin), which some sources and the --explain chain were written with.
std::string g3(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}
std::string g4(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}
std::string f2(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}
std::string f0(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string shape_text(const model::Shape& sh) {
  std::string s = fmt::format("layers {:.0f}, hidden {:.0f}, heads {:.0f}, kv heads {:.0f}, head dim {:.0f}",
                              sh.layers, sh.hidden, sh.heads, sh.kv_heads, sh.head_dim);
  if (sh.experts > 0) {
    s += fmt::format(", MoE {:.0f} of {:.0f} experts", sh.active_experts, sh.experts);
    if (sh.moe_layers > 0 && sh.moe_layers < sh.layers) {
      s += fmt::format(" on {:.0f} layers", sh.moe_layers);
    }
  }
  return s;
}

// A comma, quote, CR or LF (one pass; find_first_of would call memchr per character).
bool needs_csv_quotes(std::string_view s) {
  for (char c : s) {
    if (c == ',' || c == '"' || c == '\r' || c == '\n') {
      return true;
    }
  }
  return false;
}

std::string_view phase_name(Phase p) {
  return to_string(p);
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

// ---- Assumptions in words ----

std::string cite(const Datum& d) {
  std::string s(d.source);
  if (d.year > 0) {
    s += " (" + std::to_string(d.year) + ")";
  }
  if (!d.note.empty()) {
    s += "; ";
    s += d.note;
  }
  return s;
}

std::string origin_text(const Assumption& a) {
  switch (a.origin) {
    case OriginKind::flag:
      return "flag";
    case OriginKind::config:
      return "config";
    case OriginKind::default_value:
      return "default";
    case OriginKind::catalog:
      return "catalog:" + std::string(a.entry);
    case OriginKind::derived:
      return "derived";
  }
  return "derived";
}

std::string value_text(const Assumption& a, const Estimate& e) {
  if (a.key == "shape") {
    return shape_text(e.shape);
  }
  if (a.key == "training_layout") {
    return "TP" + f0(a.detail) + " x PP" + f0(a.detail2) + " x DP" + f0(a.value.value);
  }
  if (!a.text.empty()) {
    return std::string(a.text);
  }
  std::string v = a.value.is_exact()
                      ? sig3(a.value.value)
                      : sig3(a.value.value) + " (" + sig3(a.value.low) + "\u2013" + sig3(a.value.high) + ")";
  if (a.value.value >= 1e6 && a.value.is_exact()) {
    v = human_count(a.value.value);
  }
  return a.unit.empty() || a.unit == "fraction" || a.unit == "ratio" ? v : v + " " + std::string(a.unit);
}

namespace {

// Text built from pieces, up to `cap` bytes (the rest is dropped: a table shows 25 characters
// of a source that may run to a thousand).
class Capped {
 public:
  explicit Capped(std::size_t cap) : m_cap(cap) {}
  Capped& operator<<(std::string_view s) {
    if (m_out.size() < m_cap) {
      m_out.append(s.substr(0, m_cap - m_out.size()));
    }
    return *this;
  }
  Capped& cite(const Datum& d) {
    *this << d.source;
    if (d.year > 0) {
      *this << " (" << std::to_string(d.year) << ")";
    }
    if (!d.note.empty()) {
      *this << "; " << d.note;
    }
    return *this;
  }
  [[nodiscard]] std::string str() && { return std::move(m_out); }

 private:
  std::size_t m_cap;
  std::string m_out;
};

}  // namespace

std::string source_text(const Assumption& a, std::size_t cap) {
  Capped t(cap);
  switch (a.basis) {
    case Basis::given:
      break;
    case Basis::cited:
      if (a.datum != nullptr) {
        t.cite(*a.datum);
      }
      break;
    case Basis::entry_name:
      t << a.word;
      if (a.origin == OriginKind::default_value) {
        t << " (no --" << a.key << " given)";
      }
      break;
    case Basis::model_source:
    case Basis::catalog_shape:
      t << a.word;
      if (a.detail > 0) {
        t << " (" << std::to_string(static_cast<int>(a.detail)) << ")";
      }
      break;
    case Basis::default_precision:
      t << "bf16, or the chip's best 16-bit format";
      break;
    case Basis::grid_basis:
      t << a.word << ", location-based; ";
      t.cite(*a.datum);
      break;
    case Basis::recompute:
      t << "8*N*D with full activation recomputation";
      break;
    case Basis::default_chips:
      t << "the fewest chips (powers of two from " << f0(a.detail2) << ") that finish within " << f0(a.detail)
        << " days, at most one sequence per replica; ";
      t.cite(*a.datum);
      break;
    case Basis::peak:
      t << a.word << " dense; ";
      t.cite(*a.datum);
      break;
    case Basis::weight_only:
      t << "weight-only quantisation: " << a.word << " weights, dequantised and computed at the chip's "
        << a.text << " peak";
      break;
    case Basis::mfu_ceiling:
      t << "large dense model MFU without communication, " << a.word << " generation; ";
      t.cite(*a.datum);
      break;
    case Basis::width_factor:
      t << "1/(1 + k x (peak/HBM bandwidth)/d_model) at d_model " << f0(a.detail)
        << " (memory-bound non-GEMM work); k: ";
      t.cite(*a.datum);
      break;
    case Basis::communication:
      t << "exposed data-parallel all-reduce: eps x (2/3) x ceiling x peak / (" << g3(a.detail)
        << " tokens per replica x " << g3(a.detail2) << " GB/s); eps: ";
      t.cite(*a.datum);
      break;
    case Basis::pipeline_bubble:
      t << "(p-1)/(v m) for p = " << f0(a.detail)
        << " stages interleaved over v = layers/p, m = " << g3(a.detail2)
        << " micro-batches (Narayanan et al. 2021)";
      break;
    case Basis::moe_routing:
      t << "MoE routing and all-to-all: a x (peak/HBM bandwidth)/d_model; a: ";
      t.cite(*a.datum);
      break;
    case Basis::utilisation_model:
      t << "ceiling x width / (1 + communication + bubble + routing); 80% range x/÷ exp(model error): ";
      t.cite(*a.datum);
      break;
    case Basis::training_layout:
      t << "TP" << f0(a.detail) << " x PP" << f0(a.detail2) << " x DP" << f0(a.value.value)
        << ": the smallest model-parallel degree whose 16-bit weights and gradients fit ";
      t.cite(*a.datum);
      break;
    case Basis::batch_law:
      t << "B = a C^b tokens within [0.5M, 64M] (C = 6ND); a: ";
      t.cite(*a.datum);
      break;
    case Basis::kv_admission:
      t << "the sequences whose KV cache (" << g3(a.detail) << " MB each) fits beside the weights on "
        << f0(a.detail2) << " chips; the engine queues the rest";
      break;
    case Basis::fixed_step_time:
      t << g3(a.detail) << " layers x fixed time per layer"
        << (a.detail2 > 1 ? " + two all-reduces per layer (and a dispatch/combine per MoE layer)" : "")
        << "; dense layer: ";
      t.cite(*a.datum);
      if (a.datum2 != nullptr) {
        t << "; MoE layer: ";
        t.cite(*a.datum2);
      }
      break;
    case Basis::model_error:
      t << "80% interval x/÷ exp(" << g3(a.datum->value) << "): ";
      t.cite(*a.datum);
      break;
    case Basis::attention_flops:
      t << "6 x layers x seq_len x d_attn per token (causal), " << f2(a.detail * 100) << "% of 6ND";
      break;
    case Basis::power_override:
      t << "whole per-chip figure (accelerator and host share)";
      break;
    case Basis::average_draw:
      t << "TDP x average-draw fraction " << std::to_string(a.detail).substr(0, 4) << "; ";
      t.cite(*a.datum);
      break;
    case Basis::embodied_split:
      t << "chip ";
      t.cite(*a.datum) << "; host share ";
      t.cite(*a.datum2);
      break;
    case Basis::same_as_tokens:
      t << "same count as --tokens (no --inference-tokens or --requests given)";
      break;
    case Basis::default_shape:
      t << "default shape for the parameter count (d_model=(12N/128)^(1/3), 128-dim heads, 8 KV heads)";
      break;
    case Basis::default_kv_bits:
      t << "16-bit KV cache (vLLM kv_cache_dtype auto), 32 for fp32 models";
      break;
    case Basis::smallest_replica:
      t << "smallest power of two holding weights + KV cache x" << std::to_string(a.detail).substr(0, 3);
      break;
    case Basis::power_cap:
      t << "time x " << g3(a.detail) << ", accelerator power x " << g3(a.detail2)
        << " (peaks, bandwidth and TDP shown are the capped figures); time exponent: ";
      t.cite(*a.datum) << "; power exponent: ";
      t.cite(*a.datum2);
      break;
    case Basis::facility:
      t << a.word;
      if (a.detail > 0) {
        t << " (region " << a.entry << "'s own operator)";
      } else if (a.origin == OriginKind::default_value) {
        t << " (no --facility given: the class for regions without an operator of their own)";
      }
      break;
    case Basis::hours_only:
      t << "chip-hours without --params and --tokens: energy, CO2e and water from the hours; compute, "
           "utilisation and per-token figures need the model and its tokens";
      break;
    case Basis::water_unsourced:
      t << "no sourced water intensity of electricity for " << a.word << ": water counts on-site water only";
      break;
    case Basis::sparse_two_four:
      t << "2:4 sparse weights: half the values plus a 2-bit index (0.5625x the bytes), on sparse tensor "
           "cores at "
        << g3(a.detail) << "x the dense peak; ";
      t.cite(*a.datum);
      break;
    case Basis::network_fabric:
      t << g3(a.detail) << " links per chip x (adapter port + " << f0(2 * a.detail2 - 1)
        << " switch ports of a " << f0(a.detail2) << "-tier fat tree); adapter: ";
      t.cite(*a.datum) << "; switch port: ";
      t.cite(*a.datum2);
      break;
    case Basis::host_less_nic:
      t << "the host share less the " << g3(a.detail) << " W of network adapters counted as communication; ";
      t.cite(*a.datum);
      break;
    case Basis::checkpoint_writes:
      t << "the training state (bytes per parameter x params) written every " << g3(a.detail)
        << " h of wall clock; interval: ";
      t.cite(*a.datum) << "; state: ";
      t.cite(*a.datum2);
      break;
    case Basis::dataset_reads:
      t << "the tokenised dataset read once, " << g3(a.detail) << " bytes per token; ";
      t.cite(*a.datum);
      break;
  }
  return std::move(t).str();
}

json assumptions_json(const Estimate& e) {
  json a = json::object();
  for (const auto& x : e.assumptions) {
    json item;
    const std::string shown = value_text(x, e);
    if (!x.text.empty() || x.key == "shape" || x.key == "training_layout") {
      item["value"] = shown;
    } else {
      item["value"] = round6(x.value.value);
      if (!x.value.is_exact()) {
        item["low"] = round6(x.value.low);
        item["high"] = round6(x.value.high);
      }
      item["unit"] = x.unit;
    }
    item["origin"] = origin_text(x);
    const std::string source = source_text(x);
    if (!source.empty()) {
      item["source"] = source;
    }
    a[std::string(x.key)] = item;
  }
  return a;
}

// ---- JSON and CSV: one walk over the registry ----

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

std::string csv_escape(std::string_view s) {
  std::string out;
  append_csv_field(out, s);
  return out;
}

namespace {

bool has_section(const Estimate& e, Section s) {
  return s == Section::training ? e.training.has_value() : e.inference.has_value();
}

constexpr std::array<Section, 2> k_sections = {Section::training, Section::inference};

bool has_fleet(const Estimate& e) {
  return e.inference && e.inference->fleet.has_value();
}

}  // namespace

namespace {

// The phases together (both ran): sums whose intervals combine the inputs the phases share
// as one (the Spread rule, Total in llm_energy/estimate.hpp).
struct TotalFigure {
  std::string_view key;
  std::string_view label;
  const Spread Total::*spread;
  std::string (*with_range)(double, double, double);
};
constexpr std::array<TotalFigure, 4> k_total_figures = {{
    {"energy_kwh", "Energy, facility", &Total::energy_kwh, &energy_with_range},
    {"co2e_kg", "CO2e, operational", &Total::co2e_kg, &mass_with_range},
    {"water_l", "Water", &Total::water_l, &water_with_range},
    {"chip_hours", "Chip-hours", &Total::chip_hours, &count_with_range},
}};

json total_json(const Estimate& e) {
  json t;
  t["phases"] = phases_text(Phase::both);
  for (const auto& f : k_total_figures) {
    t[std::string(f.key)] = round6((e.total.*f.spread).value);
  }
  t["embodied_co2e_kg"] = round6(e.total.embodied_co2e_kg);
  if (e.total.market_based_co2e_kg) {
    t["market_based_co2e_kg"] = round6(*e.total.market_based_co2e_kg);
  }
  for (const auto& f : k_total_figures) {
    const Interval i = (e.total.*f.spread).interval();
    t["interval"][std::string(f.key)] = json::array({round6(i.low), round6(i.high)});
  }
  return t;
}

}  // namespace

json fleet_json(const Estimate& e) {
  json obj = json::object();
  if (!has_fleet(e)) {
    return obj;
  }
  for (const Figure& f : fleet_figures()) {
    if (!f.present(e)) {
      continue;
    }
    const std::string key(f.key);
    const auto dot = key.find('.');
    json& base = f.type == FigureType::interval ? obj["interval"] : obj;
    json& slot = dot == std::string::npos ? base[key] : base[key.substr(0, dot)][key.substr(dot + 1)];
    switch (f.type) {
      case FigureType::number:
        slot = round6(f.number(e));
        break;
      case FigureType::text:
        slot = f.text(e);
        break;
      case FigureType::interval: {
        const Interval i = f.interval(e);
        slot = json::array({round6(i.low), round6(i.high)});
        break;
      }
    }
  }
  json rows = json::array();
  for (const FleetInterval& iv : e.inference->fleet->intervals) {
    rows.push_back({{"start_h", round6(iv.start_h)},
                    {"hours", round6(iv.hours)},
                    {"requests_per_s", round6(iv.requests_per_s)},
                    {"replicas_provisioned", round6(iv.replicas_provisioned)},
                    {"replicas_busy", round6(iv.replicas_busy)},
                    {"batch", round6(iv.batch)},
                    {"power_kw", round6(iv.power_kw)}});
  }
  obj["intervals"] = std::move(rows);
  return obj;
}

json to_json(const Estimate& e) {
  json j;
  j["schema"] = "llm-energy/estimate/1";
  j["version"] = k_version;
  j["phase"] = phase_name(e.phase);
  j["hardware"] = e.hardware;
  j["region"] = e.region;
  for (Section s : k_sections) {
    if (!has_section(e, s)) {
      continue;
    }
    json& obj = j[std::string(to_string(s))];
    for (const Figure& f : figures()) {
      if (f.section != s || !f.present(e)) {
        continue;
      }
      const std::string key(f.key);
      switch (f.type) {
        case FigureType::number:
          obj[key] = round6(f.number(e));
          break;
        case FigureType::text:
          obj[key] = f.text(e);
          break;
        case FigureType::interval: {
          const Interval i = f.interval(e);
          obj["interval"][key] = json::array({round6(i.low), round6(i.high)});
          break;
        }
      }
    }
    if (s == Section::inference && has_fleet(e)) {
      obj["fleet"] = fleet_json(e);
    }
  }
  if (e.training && e.inference) {
    j["total"] = total_json(e);
  }
  j["assumptions"] = assumptions_json(e);
  return j;
}

void append_json_members(std::string& out, const Estimate& e) {
  out += "\"schema\":\"llm-energy/estimate/1\",\"version\":";
  append_json_string(out, k_version);
  out += ",\"phase\":";
  append_json_string(out, phase_name(e.phase));
  out += ",\"hardware\":";
  append_json_string(out, e.hardware);
  out += ",\"region\":";
  append_json_string(out, e.region);
  for (Section s : k_sections) {
    if (!has_section(e, s)) {
      continue;
    }
    out += ",\"";
    out += to_string(s);
    out += "\":{";
    bool first = true;
    bool in_interval = false;
    auto key = [&](std::string_view k) {
      if (!first) {
        out += ',';
      }
      first = false;
      out += '"';
      out += k;
      out += "\":";
    };
    for (const Figure& f : figures()) {
      if (f.section != s || !f.present(e)) {
        continue;
      }
      if (f.type != FigureType::interval && in_interval) {
        out += '}';
        in_interval = false;
      }
      switch (f.type) {
        case FigureType::number:
          key(f.key);
          append_number6(out, f.number(e));
          break;
        case FigureType::text:
          key(f.key);
          append_json_string(out, f.text(e));
          break;
        case FigureType::interval: {
          if (!in_interval) {
            key("interval");
            out += '{';
            first = true;
            in_interval = true;
          }
          key(f.key);
          const Interval i = f.interval(e);
          out += '[';
          append_number6(out, i.low);
          out += ',';
          append_number6(out, i.high);
          out += ']';
          break;
        }
      }
    }
    if (in_interval) {
      out += '}';
    }
    if (s == Section::inference && has_fleet(e)) {
      out += ",\"fleet\":";
      out += fleet_json(e).dump(-1, ' ', false, json::error_handler_t::replace);
    }
    out += '}';
  }
  if (e.training && e.inference) {
    out += ",\"total\":";
    out += total_json(e).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

const std::vector<std::string>& fleet_csv_columns() {
  static const std::vector<std::string> k_columns = [] {
    std::vector<std::string> names;
    for (const Figure& f : fleet_figures()) {
      if (f.type == FigureType::interval) {
        names.push_back("inference.fleet.interval." + std::string(f.key) + ".low");
        names.push_back("inference.fleet.interval." + std::string(f.key) + ".high");
      } else {
        names.push_back("inference.fleet." + std::string(f.key));
      }
    }
    return names;
  }();
  return k_columns;
}

void append_fleet_csv_values(std::string& out, const Estimate& e) {
  for (const Figure& f : fleet_figures()) {
    const bool present = f.present(e);
    out += ',';
    switch (f.type) {
      case FigureType::number:
        if (present) {
          append_number6(out, f.number(e));
        }
        break;
      case FigureType::text:
        if (present) {
          append_csv_field(out, f.text(e));
        }
        break;
      case FigureType::interval: {
        if (present) {
          append_number6(out, f.interval(e).low);
        }
        out += ',';
        if (present) {
          append_number6(out, f.interval(e).high);
        }
        break;
      }
    }
  }
}

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> k_columns = [] {
    std::vector<std::string> names = {"version", "phase", "hardware", "region"};
    for (const Figure& f : figures()) {
      const std::string prefix = std::string(to_string(f.section)) + ".";
      if (f.type == FigureType::interval) {
        names.push_back(prefix + "interval." + std::string(f.key) + ".low");
        names.push_back(prefix + "interval." + std::string(f.key) + ".high");
      } else {
        names.push_back(prefix + std::string(f.key));
      }
    }
    return names;
  }();
  return k_columns;
}

void append_csv_values(std::string& out, const Estimate& e) {
  // The row is grown ahead and trimmed at the end, so numbers (written ~50 times a row) go
  // straight into it.
  std::size_t pos = out.size();
  out.resize(pos + 2048);
  auto room = [&](std::size_t n) {
    if (pos + n > out.size()) {
      out.resize(std::max(2 * out.size(), pos + n));
    }
    return out.data() + pos;
  };
  auto number = [&](double v, bool blank) {
    char* p = room(1 + k_number6_max);
    *p++ = ',';
    if (!blank && std::isfinite(v)) {
      p = write_number6(p, v);
      if (p[-2] == '.' && p[-1] == '0') {
        p -= 2;  // whole numbers as integers ("400", not JSON's "400.0")
      }
    }
    pos = static_cast<std::size_t>(p - out.data());
  };
  auto text = [&](std::string_view s) {
    char* p = room(3 + 2 * s.size());
    *p++ = ',';
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
    pos = static_cast<std::size_t>(p - out.data());
  };
  text(k_version);
  text(phase_name(e.phase));
  text(e.hardware);
  text(e.region);
  for (const Figure& f : figures()) {
    const bool present = f.present(e);
    switch (f.type) {
      case FigureType::number:
        number(present ? f.number(e) : 0.0, !present);
        break;
      case FigureType::text:
        text(present ? f.text(e) : std::string_view());
        break;
      case FigureType::interval: {
        const Interval i = present ? f.interval(e) : Interval{};
        number(i.low, !present);
        number(i.high, !present);
        break;
      }
    }
  }
  out.resize(pos);
}

// ---- Table and Markdown ----

namespace {

// The training chip count behind the wall-clock, when it is a default (the fewest powers of two
// that finish within the target): the wall-clock is then the default's, not the user's.
std::string chips_note(const Figure& f, const Estimate& e) {
  if (f.key != "wall_clock_hours") {
    return "";
  }
  for (const auto& a : e.assumptions) {
    if (a.key == "chips" && a.basis == Basis::default_chips) {
      return " (" + sig3(a.value.value) + " chips defaulted: fewest power of two in " + f0(a.detail) +
             " days)";
    }
  }
  return "";
}

}  // namespace

std::string row_text(const Figure& f, const Estimate& e) {
  const auto interval_of = [&] {
    const Figure* iv = find_figure(f.section, f.key, FigureType::interval);
    return iv != nullptr ? iv->interval(e) : Interval{f.number(e), f.number(e)};
  };
  switch (f.show) {
    case Show::none:
      return "";
    case Show::flops:
      return fmt::format("{:.2e} FLOP", f.number(e));
    case Show::count_range: {
      const Interval i = interval_of();
      return count_with_range(f.number(e), i.low, i.high);
    }
    case Show::hours:
      return human_hours(f.number(e)) + chips_note(f, e);
    case Show::plain:
      return sig3(f.number(e)) + std::string(f.suffix);
    case Show::plain_range: {
      const Interval i = interval_of();
      return sig3(f.number(e)) + " (" + sig3(i.low) + "\u2013" + sig3(i.high) + ")";
    }
    case Show::energy:
      return human_energy_kwh(f.number(e));
    case Show::energy_range: {
      const Interval i = interval_of();
      return energy_with_range(f.number(e), i.low, i.high);
    }
    case Show::mass:
      return human_mass_kg(f.number(e));
    case Show::mass_range: {
      const Interval i = interval_of();
      return mass_with_range(f.number(e), i.low, i.high);
    }
    case Show::water:
      return human_water_l(f.number(e));
    case Show::water_range: {
      const Interval i = interval_of();
      return water_with_range(f.number(e), i.low, i.high);
    }
    case Show::text:
      return std::string(f.text(e));
    case Show::tokens_summary: {
      const auto& i = *e.inference;
      return human_count(i.tokens) + " (" + human_count(i.requests) +
             (i.requests == 1 ? " request of " : " requests of ") + sig3(i.input_tokens_per_request) +
             " in / " + sig3(i.output_tokens_per_request) + " out)";
    }
    case Show::replica_summary: {
      const auto& i = *e.inference;
      return sig3(i.chips) + (i.chips == 1 ? " chip" : " chips") + ", batch " + sig3(i.batch_size) +
             ", decode " + std::string(i.bound) + "-bound";
    }
    case Show::speed_summary: {
      const auto& i = *e.inference;
      return sig3(i.tokens_per_second) + " tokens/s, " + sig3(i.time_per_output_token_ms) +
             " ms per output token";
    }
    case Show::fleet_load: {
      const auto& fl = *e.inference->fleet;
      return human_count(fl.requests_per_day) + " requests/day (" + escape_control(fl.profile) + "), " +
             std::string(fl.provisioning) + " provisioning";
    }
    case Show::fleet_replica: {
      const auto& fl = *e.inference->fleet;
      std::string s =
          sig3(fl.chips_per_replica) + " x " + std::string(fl.decode_hardware) + ", batch " + sig3(fl.batch);
      if (!fl.prefill_hardware.empty()) {
        s += "; prefill on " + std::string(fl.prefill_hardware);
      }
      return s;
    }
    case Show::fleet_chips: {
      const auto& fl = *e.inference->fleet;
      return sig3(fl.chips_peak) + " at the peak (" + sig3(fl.replicas_peak) + " replicas), " +
             sig3(fl.chips_mean) + " on average";
    }
    case Show::fleet_latency: {
      const auto& fl = *e.inference->fleet;
      return sig3(fl.tpot_ms) + " ms per output token, " + sig3(fl.ttft_ms) +
             " ms to the first token (busiest interval)";
    }
    case Show::fleet_breakdown: {
      const auto& b = e.inference->fleet->breakdown;
      auto pct = [](double x) { return fmt::format("{:.0f}%", 100.0 * x); };
      return pct(b.active_accelerator) + " active accelerators, " + pct(b.host) + " host, " + pct(b.idle) +
             " idle capacity, " + pct(b.overhead) + " facility overhead";
    }
  }
  return "";
}

namespace {

struct Row {
  std::string label;
  std::string value;
};

std::vector<Row> section_rows(const Estimate& e, Section s) {
  std::vector<Row> rows;
  for (const Figure& f : s == Section::fleet ? fleet_figures() : figures()) {
    if (f.section == s && f.show != Show::none && f.present(e)) {
      rows.push_back({std::string(f.label), row_text(f, e)});
    }
  }
  return rows;
}

std::string section_title(Section s) {
  return s == Section::training    ? "Training"
         : s == Section::inference ? "Inference"
                                   : "Serving fleet (one day)";
}

// The total rows, when both phases ran.
std::vector<Row> total_rows(const Estimate& e) {
  std::vector<Row> rows;
  if (!(e.training && e.inference)) {
    return rows;
  }
  for (const auto& f : k_total_figures) {
    const Spread& s = e.total.*f.spread;
    const Interval i = s.interval();
    rows.push_back({std::string(f.label), f.with_range(s.value, i.low, i.high)});
  }
  rows.push_back({"CO2e, embodied", human_mass_kg(e.total.embodied_co2e_kg)});
  if (e.total.market_based_co2e_kg) {
    rows.push_back({"CO2e, market-based", human_mass_kg(*e.total.market_based_co2e_kg)});
  }
  return rows;
}

const char* k_total_title = "Total (training + inference)";

// The budget verdict in words, for the table and Markdown ("" without a budget).
std::string budget_text(const BudgetVerdict* v) {
  if (v == nullptr || !v->any) {
    return "";
  }
  std::string s = std::string(v->over ? "over budget" : "within budget") + " (" + phases_text(v->phases) +
                  (v->on == BudgetOn::high ? ", top of range" : "") + ")";
  return s;
}

std::string render_table(const Estimate& e, const Style& style) {
  const std::string bold = style.color ? "\x1b[1m" : "";
  const std::string dim = style.color ? "\x1b[2m" : "";
  const std::string reset = style.color ? "\x1b[0m" : "";
  std::string out = bold + "llm-energy " + k_version + reset + " \u2014 " + escape_control(e.hardware) +
                    ", region " + escape_control(e.region) + "\n";
  for (Section s : k_sections) {
    if (!has_section(e, s)) {
      continue;
    }
    out += "\n" + bold + section_title(s) + reset + "\n";
    TextTable t({{.width = 30}, {}}, "  ", "");
    for (auto& r : section_rows(e, s)) {
      t.add({std::move(r.label), std::move(r.value)});
    }
    out += t.str(false);
    if (s == Section::inference && has_fleet(e)) {
      out += "\n" + bold + section_title(Section::fleet) + reset + "\n";
      TextTable ft({{.width = 34}, {}}, "  ", "");
      for (auto& r : section_rows(e, Section::fleet)) {
        ft.add({std::move(r.label), std::move(r.value)});
      }
      out += ft.str(false);
    }
  }
  if (const auto rows = total_rows(e); !rows.empty()) {
    out += "\n" + bold + k_total_title + reset + "\n";
    TextTable t({{.width = 30}, {}}, "  ", "");
    for (const auto& r : rows) {
      t.add({r.label, r.value});
    }
    out += t.str(false);
  }
  out += "\n" + bold + "Assumptions" + reset + dim +
         " (value, origin, source; --format json for full sources)" + reset + "\n";
  TextTable a({{.width = 24}, {.width = 27, .max = 27}, {.width = 19, .max = 19}, {.max = 25}}, "  ", " ",
              true);
  for (const auto& x : e.assumptions) {
    a.add({std::string(x.key), value_text(x, e), origin_text(x), source_text(x)});
  }
  out += a.str(false);
  out += "\nRanges combine each uncertain input's documented range (log-space root-sum-square).\n";
  return out;
}

std::string render_markdown(const Estimate& e, const BudgetVerdict* budget) {
  std::string out =
      "### llm-energy estimate (" + std::string(e.hardware) + ", region " + std::string(e.region) + ")\n\n";
  for (Section s : k_sections) {
    if (!has_section(e, s)) {
      continue;
    }
    out += "| " + section_title(s) + " | value |\n| --- | --- |\n";
    for (const auto& r : section_rows(e, s)) {
      out += "| " + r.label + " | " + r.value + " |\n";
    }
    out += "\n";
    if (s == Section::inference && has_fleet(e)) {
      out += "| " + section_title(Section::fleet) + " | value |\n| --- | --- |\n";
      for (const auto& r : section_rows(e, Section::fleet)) {
        out += "| " + r.label + " | " + r.value + " |\n";
      }
      out += "\n";
    }
  }
  if (const auto rows = total_rows(e); !rows.empty()) {
    out += std::string("| ") + k_total_title + " | value |\n| --- | --- |\n";
    for (const auto& r : rows) {
      out += "| " + r.label + " | " + r.value + " |\n";
    }
    out += "\n";
  }
  if (const std::string b = budget_text(budget); !b.empty()) {
    out += "**Budget:** " + b + "\n";
    for (const auto& m : budget_messages(*budget)) {
      out += "- " + m + "\n";
    }
    out += "\n";
  }
  out +=
      "<details><summary>Assumptions</summary>\n\n| input | value | origin | source |\n| --- | --- | --- | "
      "--- |\n";
  for (const auto& a : e.assumptions) {
    std::string src = source_text(a);
    std::replace(src.begin(), src.end(), '|', '/');
    out +=
        "| " + std::string(a.key) + " | " + value_text(a, e) + " | " + origin_text(a) + " | " + src + " |\n";
  }
  out += "\n</details>\n\n_llm-energy " + std::string(k_version) + "_\n";
  return out;
}

std::string explain_number(double v) {
  if (v != 0 && (v >= 1e5 || v < 1e-2)) {
    return g3(v);
  }
  return g4(v);
}

}  // namespace

std::string substituted(const ExplainStep& s) {
  std::string out;
  std::size_t k = 0;
  for (std::size_t i = 0; i < s.pattern.size(); ++i) {
    if (s.pattern[i] == '{' && i + 1 < s.pattern.size() && s.pattern[i + 1] == '}') {
      out += k < s.operands.size() ? explain_number(s.operands[k]) : "?";
      ++k;
      ++i;
    } else {
      out += s.pattern[i];
    }
  }
  return out;
}

std::string render(const Estimate& e, Format f, const Style& style, const BudgetVerdict* budget) {
  switch (f) {
    case Format::json: {
      json j = to_json(e);
      if (budget != nullptr && budget->any) {
        j["budget"] = budget_json(*budget);
      }
      return j.dump(2) + "\n";
    }
    case Format::csv: {
      std::string out;
      std::vector<std::string> cols = csv_columns();
      if (has_fleet(e)) {  // fleet columns only when there is a fleet
        cols.insert(cols.end(), fleet_csv_columns().begin(), fleet_csv_columns().end());
      }
      for (std::size_t i = 0; i < cols.size(); ++i) {
        out += (i ? "," : "") + csv_escape(cols[i]);
      }
      out += "\n";
      std::string row;
      append_csv_values(row, e);
      if (has_fleet(e)) {
        append_fleet_csv_values(row, e);
      }
      out.append(row, 1);  // without the leading comma
      return out + "\n";
    }
    case Format::markdown:
      return render_markdown(e, budget);
    case Format::table:
      return render_table(e, style);  // the budget's lines go to standard error
  }
  return {};
}

std::string render_explained(const Estimate& e, Format f, const Style& style, const BudgetVerdict* budget) {
  const auto steps = explain(e);
  if (f == Format::csv) {
    throw InputError("--explain works with --format table, json or markdown, not csv");
  }
  if (f == Format::json) {
    json j = to_json(e);
    if (budget != nullptr && budget->any) {
      j["budget"] = budget_json(*budget);
    }
    json arr = json::array();
    for (const auto& s : steps) {
      arr.push_back({{"phase", s.phase},
                     {"step", s.name},
                     {"formula", s.formula},
                     {"substituted", substituted(s)},
                     {"result", round6(s.result)},
                     {"unit", s.unit}});
    }
    j["explain"] = arr;
    return j.dump(2) + "\n";
  }
  std::string block = f == Format::markdown ? "\n#### How it was computed\n\n" : "\nHow it was computed\n";
  for (const auto& s : steps) {
    if (f == Format::markdown) {
      block += "- " + std::string(s.phase) + " " + std::string(s.name) + " = " + std::string(s.formula) +
               " = " + substituted(s) + " = **" + sig3(s.result) + " " + std::string(s.unit) + "**\n";
    } else {
      block += "  " + std::string(s.name) + " = " + std::string(s.formula) + "\n      = " + substituted(s) +
               " = " + sig3(s.result) + " " + std::string(s.unit) + "\n";
    }
  }
  block += f == Format::markdown ? "\n" : "  (each input's origin and source: see Assumptions)\n";
  std::string text = render(e, f, style, budget);
  // Put the chain before the assumptions block.
  const std::string marker = f == Format::markdown ? "<details><summary>Assumptions" : "Assumptions";
  const auto pos =
      text.find(f == Format::markdown ? marker : (style.color ? "\x1b[1mAssumptions" : "\nAssumptions"));
  if (pos == std::string::npos) {
    return text + block;
  }
  return text.substr(0, pos) + block + text.substr(pos);
}

// ---- Budgets in words ----

std::string phases_text(Phase p) {
  switch (p) {
    case Phase::training:
      return "training";
    case Phase::inference:
      return "inference";
    case Phase::both:
      return "training + inference";
  }
  return "training + inference";
}

std::vector<std::string> budget_messages(const BudgetVerdict& v) {
  std::vector<std::string> out;
  const std::string which = " (" + phases_text(v.phases) + (v.on == BudgetOn::high ? ", top of range)" : ")");
  for (const auto& l : v.lines) {
    std::string name;
    std::string (*human)(double) = nullptr;
    switch (l.figure) {
      case BudgetFigure::energy:
        name = "energy";
        human = &human_energy_kwh;
        break;
      case BudgetFigure::co2e:
        name = "CO2e";
        human = &human_mass_kg;
        break;
      case BudgetFigure::chip_hours:
        name = "chip-hours";
        human = [](double x) { return human_count(x) + " chip-hours"; };
        break;
      case BudgetFigure::energy_per_request:
        name = "energy per request";
        human = &human_energy_kwh;
        break;
    }
    if (l.over) {
      out.push_back(fmt::format("over budget: {} {}{} exceeds {} by {} ({:.1f}% over)", name, human(l.value),
                                which, human(l.limit), human(l.value - l.limit),
                                l.limit > 0 ? 100.0 * (l.value - l.limit) / l.limit : 100.0));
    } else {
      out.push_back(fmt::format("warning: {} {}{} is {:.1f}% of its budget {}", name, human(l.value), which,
                                100.0 * l.value / l.limit, human(l.limit)));
    }
  }
  return out;
}

json budget_json(const BudgetVerdict& v) {
  return json{{"within", !v.over}, {"messages", budget_messages(v)}};
}

}  // namespace llm_energy::render
