#include "llm_energy/scenario.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <cmath>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "llm_energy/error.hpp"
#include "llm_energy/json_util.hpp"
#include "llm_energy/suggest.hpp"

namespace llm_energy {
namespace {

using D = std::optional<Given<double>> Scenario::*;
using R = std::optional<Given<Range>> Scenario::*;
using S = std::optional<Given<std::string>> Scenario::*;
using B = std::optional<Given<bool>> Scenario::*;
using P = std::optional<Given<Phase>> Scenario::*;
using Q = std::optional<Given<Precision>> Scenario::*;
using Z = std::optional<Given<Sparsity>> Scenario::*;
using Member = std::variant<D, R, S, B, P, Q, Z>;

constexpr std::array<std::string_view, 3> k_phases = {"training", "inference", "both"};
constexpr std::array<std::string_view, 8> k_precisions = {"fp32", "tf32", "bf16", "fp16",
                                                          "fp8",  "int8", "int4", "q4"};
constexpr std::array<std::string_view, 2> k_sparsities = {"dense", "2:4"};
constexpr std::array<std::string_view, 2> k_stacks = {"current", "legacy"};
constexpr std::array<std::string_view, 3> k_facilities = {"hyperscale", "colocation", "enterprise"};
constexpr std::array<std::string_view, 2> k_provisioning = {"static", "autoscale"};

struct Binding {
  FieldSpec spec;
  Member member;
};

// The single table of scenario fields: key, kind, unit, help, and where it is stored.
const std::array<Binding, 57> k_bindings = {{
    {{"tokens", FieldKind::count, "tokens", "training tokens D (e.g. 1e8, 2T)"}, &Scenario::tokens},
    {{"params", FieldKind::count, "parameters", "model parameters N (e.g. 7e9, 70B)"}, &Scenario::params},
    {{"active_params", FieldKind::count, "parameters", "parameters active per token (MoE); default --params"},
     &Scenario::active_params},
    {{"recompute", FieldKind::boolean, "", "full activation recomputation: 8*N*D instead of 6*N*D"},
     &Scenario::recompute},
    {{"hardware", FieldKind::text, "",
      "accelerator, CPU or edge device id (see 'llm-energy hardware list'); default h100-sxm"},
     &Scenario::hardware},
    {{"chips", FieldKind::count, "chips",
      "accelerators used for training; default the fewest (from 8, powers of two) that finish in 30 days"},
     &Scenario::chips},
    {{"precision", FieldKind::choice, "",
      "fp32, tf32, bf16, fp16, fp8, int8, int4 or q4 (GGUF-style 4.5-bit weights); default bf16 (fp16 where "
      "the chip has no bf16)",
      k_precisions},
     &Scenario::precision},
    {{"mfu", FieldKind::range, "fraction",
      "model FLOPs utilisation in training steps (0,1], or LOW:HIGH; default from the utilisation model"},
     &Scenario::mfu},
    {{"goodput", FieldKind::fraction, "fraction",
      "share of the chip-hours in steps that count (restarts, failures take the rest); default 0.9"},
     &Scenario::goodput},
    {{"seq_len", FieldKind::count, "tokens", "training sequence length (attention FLOPs); default 4096"},
     &Scenario::seq_len},
    {{"global_batch_tokens", FieldKind::count, "tokens",
      "tokens per optimizer step; default 0.292 C^0.327 (DeepSeek LLM), 0.5M-64M"},
     &Scenario::global_batch_tokens},
    {{"teacher_params", FieldKind::count, "parameters",
      "distillation: a teacher of this size runs a forward pass on every training token"},
     &Scenario::teacher_params},
    {{"chip_hours", FieldKind::count, "chip-hours",
      "known accelerator-hours; the implied MFU is reported (with only --hardware and --region: a training "
      "footprint without --params/--tokens)"},
     &Scenario::chip_hours},
    {{"power_watts", FieldKind::range, "W",
      "average power per chip including its host, network and storage share (replaces the catalog figures)"},
     &Scenario::power_watts},
    {{"pue", FieldKind::range, "ratio", "data-centre PUE >= 1; default from the region's operator"},
     &Scenario::pue},
    {{"facility", FieldKind::choice, "",
      "data-centre class for PUE and on-site water: hyperscale, colocation or enterprise; default: a cloud "
      "region's operator, else colocation",
      k_facilities},
     &Scenario::facility},
    {{"region", FieldKind::text, "", "grid region: ISO country code, cloud region or 'world' (default)"},
     &Scenario::region},
    {{"carbon_intensity", FieldKind::range, "gCO2e/kWh", "grid carbon intensity (instead of --region)"},
     &Scenario::carbon_intensity},
    {{"power_cap", FieldKind::fraction, "fraction of TDP",
      "accelerator power cap as a fraction of TDP, e.g. 0.7 (longer time, less accelerator power)"},
     &Scenario::power_cap},
    {{"renewable_share", FieldKind::fraction, "fraction",
      "also report market-based CO2e = facility energy x (1 - share) x location intensity"},
     &Scenario::renewable_share},
    {{"market_based_intensity", FieldKind::count, "gCO2e/kWh",
      "also report market-based CO2e at this contractual intensity"},
     &Scenario::market_based_intensity},
    {{"phase", FieldKind::choice, "", "training, inference or both (default both)", k_phases},
     &Scenario::phase},
    {{"inference_tokens", FieldKind::count, "tokens",
      "total output tokens served; default = --tokens, else one request"},
     &Scenario::inference_tokens},
    {{"input_tokens", FieldKind::count, "tokens", "prompt tokens per request; default 400"},
     &Scenario::input_tokens},
    {{"output_tokens", FieldKind::count, "tokens", "output tokens per request; default 400"},
     &Scenario::output_tokens},
    {{"requests", FieldKind::count, "requests",
      "number of requests (total output = requests * output tokens)"},
     &Scenario::requests},
    {{"batch_size", FieldKind::count, "sequences", "concurrent sequences per replica; default 64"},
     &Scenario::batch_size},
    {{"inference_chips", FieldKind::count, "chips",
      "chips per serving replica; default: smallest power of two that fits"},
     &Scenario::inference_chips},
    {{"kv_bits", FieldKind::count, "bits", "bits per KV-cache element (16, 8 or 4); default the precision's"},
     &Scenario::kv_bits},
    {{"sparsity", FieldKind::choice, "",
      "served weights: dense (default) or 2:4 (structured sparse, on sparse tensor cores where the chip has "
      "them)",
      k_sparsities},
     &Scenario::sparsity},
    {{"serving_stack", FieldKind::choice, "",
      "current (vLLM >= 0.6, SGLang, TensorRT-LLM; default) or legacy (vLLM <= 0.5: the GPU waits on the "
      "host)",
      k_stacks},
     &Scenario::serving_stack},
    {{"requests_per_day", FieldKind::count, "requests/day",
      "fleet: requests per day (e.g. 10M); sizes replicas for a daily load"},
     &Scenario::requests_per_day},
    {{"request_rate", FieldKind::count, "requests/s", "fleet: mean requests per second (instead of per day)"},
     &Scenario::request_rate},
    {{"load_profile", FieldKind::text, "",
      "fleet: daily load shape: flat (default), diurnal, business-hours, or a CSV file hour,rate"},
     &Scenario::load_profile},
    {{"max_tpot_ms", FieldKind::count, "ms",
      "fleet: time per output token target; sets the batch per replica"},
     &Scenario::max_tpot_ms},
    {{"max_ttft_ms", FieldKind::count, "ms",
      "fleet: time to first token target, queueing included (M/M/c); adds replicas"},
     &Scenario::max_ttft_ms},
    {{"provisioning", FieldKind::choice, "",
      "fleet: static (for the peak, default) or autoscale (follows the load with a lag)", k_provisioning},
     &Scenario::provisioning},
    {{"redundancy", FieldKind::count, "replicas",
      "fleet: spare replicas (1 = N+1), or a fraction of those needed (0.2); default 0"},
     &Scenario::redundancy},
    {{"autoscale_min_replicas", FieldKind::count, "replicas", "fleet: fewest replicas kept; default 1"},
     &Scenario::autoscale_min_replicas},
    {{"autoscale_step", FieldKind::count, "replicas",
      "fleet: replicas added or removed at a time; default 1"},
     &Scenario::autoscale_step},
    {{"autoscale_lag_min", FieldKind::count, "minutes",
      "fleet: minutes to start or stop a replica; default 10"},
     &Scenario::autoscale_lag_min},
    {{"prefill_hardware", FieldKind::text, "",
      "fleet: disaggregated serving: prefill on this accelerator (KV cache sent over scale_out_gbps)"},
     &Scenario::prefill_hardware},
    {{"decode_hardware", FieldKind::text, "", "fleet: disaggregated serving: decode on this accelerator"},
     &Scenario::decode_hardware},
    {{"model", FieldKind::text, "", "model id from 'llm-energy models list' (sets params and shape)"},
     &Scenario::model},
    {{"layers", FieldKind::count, "", "transformer layers"}, &Scenario::layers},
    {{"hidden_size", FieldKind::count, "", "hidden size d_model"}, &Scenario::hidden_size},
    {{"heads", FieldKind::count, "", "attention heads"}, &Scenario::heads},
    {{"kv_heads", FieldKind::count, "", "key/value heads (GQA)"}, &Scenario::kv_heads},
    {{"head_dim", FieldKind::count, "", "dimension per head"}, &Scenario::head_dim},
    {{"experts", FieldKind::count, "", "experts per MoE layer (0 = dense)"}, &Scenario::experts},
    {{"moe_layers", FieldKind::count, "", "layers with experts (default: every layer of an MoE model)"},
     &Scenario::moe_layers},
    {{"active_experts", FieldKind::count, "", "experts routed per token"}, &Scenario::active_experts},
    {{"max_energy", FieldKind::energy, "kWh", "energy budget, e.g. 500MWh (exit 1 when exceeded)"},
     &Scenario::max_energy},
    {{"max_co2e", FieldKind::mass, "kg", "CO2e budget, e.g. 100t (exit 1 when exceeded)"},
     &Scenario::max_co2e},
    {{"max_chip_hours", FieldKind::count, "chip-hours", "chip-hours budget (exit 1 when exceeded)"},
     &Scenario::max_chip_hours},
    {{"max_energy_per_request", FieldKind::energy, "kWh",
      "facility energy per request budget, e.g. 0.5Wh (the fleet's when a fleet is given; exit 1 when "
      "exceeded)"},
     &Scenario::max_energy_per_request},
    {{"id", FieldKind::text, "", "row id (batch)"}, &Scenario::id},
}};

const std::vector<FieldSpec>& specs() {
  static const std::vector<FieldSpec> k_specs = [] {
    std::vector<FieldSpec> v;
    for (const auto& b : k_bindings) {
      v.push_back(b.spec);
    }
    return v;
  }();
  return k_specs;
}

std::vector<std::string> all_keys() {
  std::vector<std::string> keys;
  for (const auto& b : k_bindings) {
    keys.emplace_back(b.spec.key);
  }
  return keys;
}

const Binding* find_binding(std::string_view key) {
  for (const auto& b : k_bindings) {
    if (b.spec.key == key) {
      return &b;
    }
  }
  return nullptr;
}

bool parse_bool(std::string_view text, std::string_view what) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") {
    return true;
  }
  if (text == "false" || text == "0" || text == "no" || text == "off") {
    return false;
  }
  throw InputError(std::string(what) + ": expected true or false");
}

std::string printable(std::string_view s) {
  std::string out;
  for (char c : s.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  return out;
}

}  // namespace

std::string_view to_string(Origin o) {
  return o == Origin::flag ? "flag" : "config";
}

std::span<const FieldSpec> scenario_fields() {
  return specs();
}

const FieldSpec* find_field(std::string_view key) {
  const Binding* b = find_binding(key);
  return b ? &b->spec : nullptr;
}

namespace {

// The fields that hold whole numbers (the model converts some of them to integers): bounded
// where they are parsed, so that no later conversion of a huge double is undefined.
constexpr std::array<std::string_view, 13> k_whole_number_fields = {
    "layers",  "hidden_size", "heads",           "kv_heads",   "head_dim",   "experts", "active_experts",
    "kv_bits", "chips",       "inference_chips", "batch_size", "moe_layers", "seq_len"};
constexpr double k_max_whole_number = 9007199254740992.0;  // 2^53: every integer below is exact

bool is_whole_number_field(std::string_view key) {
  for (const auto k : k_whole_number_fields) {
    if (k == key) {
      return true;
    }
  }
  return false;
}

void set_binding(Scenario& s, const Binding* b, std::string_view text, Origin origin) {
  const std::string_view key = b->spec.key;
  std::string what(key);
  switch (b->spec.kind) {
    case FieldKind::count: {
      const double v = parse_count(text, what);
      if (!(std::fabs(v) < k_max_whole_number) && is_whole_number_field(key)) {
        throw InputError(what + ": '" + printable(text) +
                         "' is too large (at most 2^53 - 1 = 9007199254740991)");
      }
      s.*std::get<D>(b->member) = Given<double>{v, origin};
      break;
    }
    case FieldKind::energy:
      s.*std::get<D>(b->member) = Given<double>{parse_energy_kwh(text, what), origin};
      break;
    case FieldKind::mass:
      s.*std::get<D>(b->member) = Given<double>{parse_mass_kg(text, what), origin};
      break;
    case FieldKind::range:
      s.*std::get<R>(b->member) = Given<Range>{parse_range(text, what), origin};
      break;
    case FieldKind::text:
      if (text.empty()) {
        throw InputError(what + ": empty value");
      }
      s.*std::get<S>(b->member) = Given<std::string>{std::string(text), origin};
      break;
    case FieldKind::boolean:
      s.*std::get<B>(b->member) = Given<bool>{parse_bool(text, what), origin};
      break;
    case FieldKind::fraction:
      s.*std::get<D>(b->member) = Given<double>{parse_fraction(text, what), origin};
      break;
    case FieldKind::choice:
      if (const auto* p = std::get_if<P>(&b->member)) {
        s.** p = Given<Phase>{parse_phase(text), origin};
      } else if (const auto* q = std::get_if<Q>(&b->member)) {
        s.** q = Given<Precision>{parse_precision(text), origin};
      } else if (const auto* z = std::get_if<Z>(&b->member)) {
        s.** z = Given<Sparsity>{parse_sparsity(text), origin};
      } else {
        // A choice kept as text: one of the spec's values.
        const auto& c = b->spec.choices;
        if (std::find(c.begin(), c.end(), text) == c.end()) {
          std::string list;
          for (const auto& x : c) {
            list += (list.empty() ? "" : ", ") + std::string(x);
          }
          throw InputError(what + ": '" + std::string(text) + "' is not one of " + list);
        }
        s.*std::get<S>(b->member) = Given<std::string>{std::string(text), origin};
      }
      break;
  }
}

// ---- Fast path for the common flat JSON object (a batch row) ----
// Accepts only what nlohmann accepts and apply_config_json would apply unchanged: one object
// of known, distinct scenario keys whose values are numbers, true/false, or strings of
// printable ASCII without escapes. Anything else (nesting, "budget", documentation keys,
// escapes, non-ASCII, null, arrays, a value of the wrong JSON type, a value set_field
// rejects) returns false and the full parser runs, so errors read the same either way.

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

struct Cursor {
  std::string_view t;
  std::size_t i = 0;
  void skip_ws() {
    while (i < t.size() && is_ws(t[i])) {
      ++i;
    }
  }
  [[nodiscard]] bool at(char c) const { return i < t.size() && t[i] == c; }
  // A string of printable ASCII without escapes; the cursor is on the opening quote.
  bool plain_string(std::string_view& out) {
    const std::size_t start = ++i;
    while (i < t.size()) {
      const char c = t[i];
      if (c == '"') {
        out = t.substr(start, i - start);
        ++i;
        return true;
      }
      if (c == '\\' || static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e) {
        return false;
      }
      ++i;
    }
    return false;
  }
  // A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  bool number(std::string_view& out) {
    const std::size_t start = i;
    if (at('-')) {
      ++i;
    }
    if (at('0')) {
      ++i;
    } else if (i < t.size() && t[i] >= '1' && t[i] <= '9') {
      while (i < t.size() && is_digit(t[i])) {
        ++i;
      }
    } else {
      return false;
    }
    if (at('.')) {
      ++i;
      if (!(i < t.size() && is_digit(t[i]))) {
        return false;
      }
      while (i < t.size() && is_digit(t[i])) {
        ++i;
      }
    }
    if (at('e') || at('E')) {
      ++i;
      if (at('+') || at('-')) {
        ++i;
      }
      if (!(i < t.size() && is_digit(t[i]))) {
        return false;
      }
      while (i < t.size() && is_digit(t[i])) {
        ++i;
      }
    }
    out = t.substr(start, i - start);
    return true;
  }
  bool literal(std::string_view word) {
    if (t.substr(i, word.size()) != word) {
      return false;
    }
    i += word.size();
    return true;
  }
};

bool apply_flat_json(Scenario& s, std::string_view text) {
  struct FlatMember {
    const Binding* binding;
    std::string_view value;
  };
  std::array<FlatMember, k_bindings.size()> members{};
  std::size_t n = 0;
  std::bitset<k_bindings.size()> seen;
  Cursor c{text};
  c.skip_ws();
  if (!c.at('{')) {
    return false;
  }
  ++c.i;
  c.skip_ws();
  if (c.at('}')) {
    ++c.i;
  } else {
    while (true) {
      std::string_view key;
      if (!c.at('"') || !c.plain_string(key)) {
        return false;
      }
      const Binding* b = find_binding(key);
      if (b == nullptr) {
        return false;
      }
      const auto index = static_cast<std::size_t>(b - k_bindings.data());
      if (seen.test(index)) {
        return false;  // a duplicate key: the full parser names it
      }
      seen.set(index);
      c.skip_ws();
      if (!c.at(':')) {
        return false;
      }
      ++c.i;
      c.skip_ws();
      std::string_view value;
      const FieldKind kind = b->spec.kind;
      if (c.at('"')) {
        if (!c.plain_string(value)) {
          return false;
        }
      } else if (c.at('t') || c.at('f')) {
        if (kind != FieldKind::boolean) {
          return false;
        }
        value = c.at('t') ? "true" : "false";
        if (!c.literal(value)) {
          return false;
        }
      } else {
        // Numbers pass through the same text parser as flags (nlohmann's round trip of a
        // number gives the same double); text and boolean keys take no numbers here, and
        // negative numbers (nlohmann reads "-0" as the integer 0, not -0.0) go the full way.
        if (kind == FieldKind::text || kind == FieldKind::choice || kind == FieldKind::boolean || c.at('-') ||
            !c.number(value)) {
          return false;
        }
      }
      members[n++] = {b, value};
      c.skip_ws();
      if (c.at(',')) {
        ++c.i;
        c.skip_ws();
        continue;
      }
      if (c.at('}')) {
        ++c.i;
        break;
      }
      return false;
    }
  }
  c.skip_ws();
  if (c.i != text.size()) {
    return false;
  }
  try {
    for (std::size_t k = 0; k < n; ++k) {
      set_binding(s, members[k].binding, members[k].value, Origin::config);
    }
  } catch (const InputError&) {
    return false;  // the full parser re-applies every key and reports this one
  }
  return true;
}

}  // namespace

void set_field(Scenario& s, std::string_view key, std::string_view text, Origin origin) {
  const Binding* b = find_binding(key);
  if (b == nullptr) {
    throw InputError("unknown key '" + printable(key) + "'" + did_you_mean(key, all_keys()));
  }
  set_binding(s, b, text, origin);
}

bool has_field(const Scenario& s, std::string_view key) {
  const Binding* b = find_binding(key);
  if (b == nullptr) {
    return false;
  }
  return std::visit([&](auto m) { return (s.*m).has_value(); }, b->member);
}

std::string_view to_string(Phase p) {
  return k_phases[static_cast<std::size_t>(p)];
}

Phase parse_phase(std::string_view text) {
  for (std::size_t i = 0; i < k_phases.size(); ++i) {
    if (text == k_phases[i]) {
      return static_cast<Phase>(i);
    }
  }
  throw InputError("phase: unknown phase '" + printable(text) + "' (use training, inference or both)");
}

std::string_view to_string(Sparsity s) {
  return k_sparsities[static_cast<std::size_t>(s)];
}

Sparsity parse_sparsity(std::string_view text) {
  for (std::size_t i = 0; i < k_sparsities.size(); ++i) {
    if (text == k_sparsities[i]) {
      return static_cast<Sparsity>(i);
    }
  }
  throw InputError("sparsity: unknown value '" + printable(text) + "' (use dense or 2:4)");
}

void apply_config_json(Scenario& s, std::string_view text, std::string_view name) {
  if (apply_flat_json(s, text)) {
    return;
  }
  const auto doc = parse_json(text, name);
  const std::string file(name);
  if (!doc.is_object()) {
    throw InputError(file + ": expected a JSON object of settings, got " + std::string(json_type_name(doc)));
  }
  auto apply = [&](const std::string& key, const nlohmann::ordered_json& v, const std::string& where) {
    const Binding* b = find_binding(key);
    if (b == nullptr) {
      std::vector<std::string> keys = all_keys();
      keys.emplace_back("budget");
      throw InputError(file + ": unknown key '" + printable(key) + "'" + did_you_mean(key, keys));
    }
    std::string value;
    if (v.is_string()) {
      value = v.get<std::string>();
    } else if (v.is_number() && ((b->spec.kind != FieldKind::text && b->spec.kind != FieldKind::choice &&
                                  b->spec.kind != FieldKind::boolean) ||
                                 key == "id")) {
      value = v.dump();  // numbers pass through the same text parser as flags (ids may be numbers)
    } else if (v.is_boolean() && b->spec.kind == FieldKind::boolean) {
      value = v.get<bool>() ? "true" : "false";
    } else {
      const char* expected = b->spec.kind == FieldKind::boolean ? "true or false"
                             : b->spec.kind == FieldKind::text || b->spec.kind == FieldKind::choice
                                 ? "a string"
                                 : "a number or a string like \"70B\"";
      throw InputError(file + ": key '" + where + "': expected " + expected + ", got " +
                       std::string(json_type_name(v)));
    }
    try {
      set_field(s, key, value, Origin::config);
    } catch (const InputError& e) {
      throw InputError(file + ": " + e.what());
    }
  };
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    if (it.key() == "budget") {
      if (!it.value().is_object()) {
        throw InputError(file + ": key 'budget': expected an object, got " +
                         std::string(json_type_name(it.value())));
      }
      for (auto b = it.value().begin(); b != it.value().end(); ++b) {
        if (b.key() != "max_energy" && b.key() != "max_co2e" && b.key() != "max_chip_hours" &&
            b.key() != "max_energy_per_request") {
          throw InputError(
              file + ": unknown budget key '" + printable(b.key()) + "'" +
              did_you_mean(b.key(), {"max_energy", "max_co2e", "max_chip_hours", "max_energy_per_request"}));
        }
        apply(b.key(), b.value(), "budget." + b.key());
      }
      continue;
    }
    if (it.key().rfind('$', 0) == 0 || it.key() == "_comment" || it.key() == "description") {
      continue;  // documentation keys ("$schema", "_comment", "description") are allowed
    }
    apply(it.key(), it.value(), it.key());
  }
}

}  // namespace llm_energy
