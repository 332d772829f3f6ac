#include "llm_energy/estimate.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <tuple>

#include "llm_energy/error.hpp"
#include "llm_energy/model.hpp"
#include "propagate.hpp"

namespace llm_energy {
namespace {

std::string cite(const Datum& d) {
  std::string s = d.source;
  if (d.year > 0) {
    s += " (" + std::to_string(d.year) + ")";
  }
  if (!d.note.empty()) {
    s += "; " + d.note;
  }
  return s;
}

std::string origin_of(Origin o) {
  return std::string(to_string(o));
}

// Collects resolved inputs in a fixed order.
class Resolver {
 public:
  Resolver(std::vector<Assumption>& out, bool enabled) : on(enabled), m_out(out) {}

  // False when the caller does not want assumptions (batch, sweep): callers skip building
  // the strings, which are most of an estimate's cost.
  const bool on;

  void add(std::string key, Range v, std::string unit, std::string origin, std::string source) {
    m_out.push_back({std::move(key), "", v, std::move(unit), std::move(origin), std::move(source)});
  }
  void add_text(std::string key, std::string text, std::string origin, std::string source) {
    m_out.push_back({std::move(key), std::move(text), {}, "", std::move(origin), std::move(source)});
  }

  // Return the given count, or `fallback` (recorded as a default with `why`).
  double count(const std::optional<Given<double>>& g, const char* key, const char* unit, double fallback,
               const std::string& origin, const Datum& why) {
    if (g) {
      if (on) {
        add(key, Range::exact(g->value), unit, origin_of(g->origin), "");
      }
      return g->value;
    }
    if (on) {
      add(key, Range::exact(fallback), unit, origin, cite(why));
    }
    return fallback;
  }

 private:
  std::vector<Assumption>& m_out;
};

void require_positive(double v, const char* key) {
  if (!(v > 0) || !std::isfinite(v)) {
    throw InputError(std::string(key) + ": must be greater than zero");
  }
}

void require_integer(double v, const char* key) {
  if (v != std::floor(v)) {
    throw InputError(std::string(key) + ": must be a whole number");
  }
}

void check_fraction_range(const Range& r, const char* key) {
  if (!(r.low > 0 && r.high <= 1.0)) {
    throw InputError(std::string(key) + ": must lie in (0, 1]");
  }
}

// Pick the compute precision: the requested one, which the chip must have; else bf16, or
// fp16 on chips without bf16 (V100, T4), or the first the chip has.
Precision resolve_precision(const Scenario& s, const Hardware& hw) {
  if (s.precision) {
    const Precision p = parse_precision(s.precision->value);
    if (!hw.peak(p)) {
      std::string have;
      for (Precision q : k_all_precisions) {
        if (hw.peak(q)) {
          have += (have.empty() ? "" : ", ") + std::string(to_string(q));
        }
      }
      throw InputError("precision: " + hw.id + " has no " + std::string(to_string(p)) + " peak (it has " +
                       have + ")");
    }
    return p;
  }
  for (Precision q : {Precision::bf16, Precision::fp16, Precision::tf32, Precision::fp32}) {
    if (hw.peak(q)) {
      return q;
    }
  }
  for (Precision q : k_all_precisions) {
    if (hw.peak(q)) {
      return q;
    }
  }
  return Precision::fp32;  // unreachable: the catalog requires one precision
}

struct GridInputs {
  Range intensity;
  Range pue;
};

GridInputs resolve_grid(const Scenario& s, const Catalog& cat, Resolver& res, Estimate& e) {
  if (s.region && s.carbon_intensity) {
    throw InputError("conflicting inputs: give --region or --carbon-intensity, not both");
  }
  GridInputs g;
  const Region* region = nullptr;
  if (s.carbon_intensity) {
    g.intensity = s.carbon_intensity->value;
    if (!(g.intensity.low >= 0)) {
      throw InputError("carbon_intensity: must not be negative");
    }
    if (res.on)
      res.add("carbon_intensity", g.intensity, "gCO2e/kWh", origin_of(s.carbon_intensity->origin), "");
    e.region = "custom";
  } else {
    region = &cat.find_region(s.region ? std::string_view(s.region->value) : "world");
    e.region = region->id;
    if (res.on)
      res.add_text("region", region->id, s.region ? origin_of(s.region->origin) : "default",
                   region->name + (s.region ? "" : " (no --region given)"));
    g.intensity = region->carbon_intensity.range();
    if (res.on)
      res.add("carbon_intensity", g.intensity, "gCO2e/kWh", "catalog:" + region->id,
              region->basis + ", location-based; " + cite(region->carbon_intensity));
  }
  if (s.pue) {
    g.pue = s.pue->value;
    if (!(g.pue.low >= 1.0)) {
      throw InputError("pue: must be at least 1.0");
    }
    if (res.on)
      res.add("pue", g.pue, "ratio", origin_of(s.pue->origin), "");
  } else {
    const Operator& op = region ? cat.operator_for(*region) : cat.find_operator(cat.default_operator);
    g.pue = op.pue.range();
    if (res.on)
      res.add("pue", g.pue, "ratio", "catalog:" + op.id, cite(op.pue));
  }
  return g;
}

enum TrainIn { t_mfu, t_accel_w, t_host_w, t_pue, t_ci, t_embodied, t_life, t_count };
constexpr std::array<const char*, t_count> k_train_names = {
    "mfu", "accelerator power", "host power", "pue", "carbon intensity", "embodied carbon", "service life"};
enum TrainOut { o_chip_hours, o_acc_kwh, o_server_kwh, o_kwh, o_co2e, o_embodied, o_count };
static_assert(o_chip_hours == 0 && o_kwh == 3 && o_co2e == 4 && o_count == 6);

// A direct-mapped memo: a hit needs a bitwise-identical key, so it returns exactly what the
// computation would. Collisions just overwrite.
template <class Key, class Value>
class DirectMap {
 public:
  explicit DirectMap(std::size_t slots) : m_slots(slots) {}
  [[nodiscard]] const Value* find(const Key& k) const {
    const Slot& slot = m_slots[index(k)];
    if (!slot.used) {
      return nullptr;
    }
    for (std::size_t i = 0; i < k.size(); ++i) {  // bit patterns: -0.0 and 0.0 differ, as they may
      if (std::bit_cast<std::uint64_t>(slot.key[i]) != std::bit_cast<std::uint64_t>(k[i])) {
        return nullptr;
      }
    }
    return &slot.value;
  }
  void store(const Key& k, const Value& v) {
    Slot& slot = m_slots[index(k)];
    slot.used = true;
    slot.key = k;
    slot.value = v;
  }

 private:
  struct Slot {
    bool used = false;
    Key key{};
    Value value{};
  };
  [[nodiscard]] std::size_t index(const Key& k) const {
    // Four independent lanes (short dependency chains), then MurmurHash3's finaliser.
    std::array<std::uint64_t, 4> lane = {0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL,
                                         0x2545f4914f6cdd1dULL};
    for (std::size_t i = 0; i < k.size(); ++i) {
      std::uint64_t& h = lane[i % 4];
      h = (h ^ std::bit_cast<std::uint64_t>(k[i])) * 0xff51afd7ed558ccdULL;
      h ^= h >> 32;
    }
    std::uint64_t h = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7);
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return static_cast<std::size_t>(h % m_slots.size());
  }
  std::vector<Slot> m_slots;
};

using TrainingKey = std::array<double, 2 + 3 * t_count>;
using TrainingPropagated = detail::Propagated<o_count>;
using TrainingMemo = DirectMap<TrainingKey, TrainingPropagated>;

// The model size, from --params/--active-params or the --model catalog entry.
struct Size {
  double params = 0;
  double active = 0;
};

TrainingEstimate estimate_training(const Scenario& s, const Catalog& cat, const Hardware& hw, Precision prec,
                                   const GridInputs& grid, Size size, Resolver& res, TrainingMemo* cache) {
  if (!s.tokens) {
    throw InputError("training needs --tokens (or use --phase inference)");
  }
  const double tokens = s.tokens->value;
  require_positive(tokens, "tokens");
  const double params = size.params;
  const double active = size.active;
  if (res.on)
    res.add("tokens", Range::exact(tokens), "tokens", origin_of(s.tokens->origin), "");
  const bool recompute = s.recompute && s.recompute->value;
  if (s.recompute) {
    if (res.on)
      res.add("recompute", Range::exact(recompute ? 1 : 0), "", origin_of(s.recompute->origin),
              "8*N*D with full activation recomputation");
  }
  const double chips = s.chips ? s.chips->value : 8.0;
  require_positive(chips, "chips");
  require_integer(chips, "chips");
  if (res.on)
    res.add("chips", Range::exact(chips), "chips", s.chips ? origin_of(s.chips->origin) : "default",
            s.chips ? "" : "one 8-accelerator server; affects wall-clock only");

  const Datum& peak = *hw.peak(prec);
  const double peak_flops = peak.value * 1e12;
  if (res.on)
    res.add("peak_tflops", Range::exact(peak.value), "TFLOP/s", "catalog:" + hw.id,
            std::string(to_string(prec)) + " dense; " + cite(peak));

  std::array<Range, t_count> in{};
  const bool given_hours = s.chip_hours.has_value();
  if (given_hours) {
    require_positive(s.chip_hours->value, "chip_hours");
    if (res.on)
      res.add("chip_hours", Range::exact(s.chip_hours->value), "chip-hours", origin_of(s.chip_hours->origin),
              "");
    in[t_mfu] = Range::exact(1.0);  // unused
  } else if (s.mfu) {
    check_fraction_range(s.mfu->value, "mfu");
    in[t_mfu] = s.mfu->value;
    if (res.on)
      res.add("mfu", in[t_mfu], "fraction", origin_of(s.mfu->origin), "");
  } else {
    const TrainingModel& tm = cat.training;
    const double f = model::mfu_size_factor(active, tm.size_reference_params.value, tm.size_exponent.value,
                                            tm.size_min_factor.value);
    in[t_mfu] = hw.training_mfu.range().scaled(f);
    in[t_mfu].high = std::min(in[t_mfu].high, 1.0);
    if (res.on) {
      std::string why = "effective utilisation (MFU x goodput) of the " + hw.generation + " generation; " +
                        cite(hw.training_mfu);
      if (f < 1.0) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "; x%.2f for a %.3g-parameter model (size factor: ", f, active);
        why += buf + cite(tm.size_exponent) + ")";
      }
      res.add("mfu", in[t_mfu], "fraction", "catalog:" + hw.id, why);
    }
  }
  if (s.power_watts) {
    const Range w = s.power_watts->value;
    if (!(w.low > 0)) {
      throw InputError("power_watts: must be greater than zero");
    }
    in[t_accel_w] = w;
    in[t_host_w] = Range::exact(0);
    if (res.on)
      res.add("power_watts", w, "W", origin_of(s.power_watts->origin),
              "whole per-chip figure (accelerator and host share)");
  } else {
    in[t_accel_w] = hw.avg_power_fraction.range().scaled(hw.tdp_w.value);
    in[t_host_w] = hw.host_power_w.range();
    if (res.on)
      res.add("tdp_w", Range::exact(hw.tdp_w.value), "W", "catalog:" + hw.id, cite(hw.tdp_w));
    if (res.on)
      res.add("accelerator_power_w", in[t_accel_w], "W", "catalog:" + hw.id,
              "TDP x average-draw fraction " + std::to_string(hw.avg_power_fraction.value).substr(0, 4) +
                  "; " + cite(hw.avg_power_fraction));
    if (res.on)
      res.add("host_power_w", in[t_host_w], "W", "catalog:" + hw.id, cite(hw.host_power_w));
  }
  in[t_pue] = grid.pue;
  in[t_ci] = grid.intensity;
  const Range emb_chip = hw.embodied_kgco2e.range();
  const Range emb_host = hw.host_embodied_kgco2e.range();
  in[t_embodied] = {emb_chip.low + emb_host.low, emb_chip.value + emb_host.value,
                    emb_chip.high + emb_host.high};
  in[t_life] = hw.service_life_years.range();
  if (res.on)
    res.add("embodied_kgco2e_per_chip", in[t_embodied], "kgCO2e", "catalog:" + hw.id,
            "chip " + cite(hw.embodied_kgco2e) + "; host share " + cite(hw.host_embodied_kgco2e));
  if (res.on)
    res.add("service_life_years", in[t_life], "years", "catalog:" + hw.id, cite(hw.service_life_years));

  TrainingEstimate t;
  t.flops = model::training_flops(active, tokens, recompute);
  const double flops = t.flops;
  // Every output is proportional to the chip-hours, so the range propagation runs per unit
  // (per FLOP, or per given chip-hour) and is scaled: the same inputs give the same per-unit
  // figures whatever the token count, which lets batch and sweep reuse them (EstimateCache).
  const double unit = given_hours ? s.chip_hours->value : flops;
  auto run = [&](const std::array<double, t_count>& x) {
    std::array<double, o_count> o{};
    const double hours = given_hours ? 1.0 : model::chip_hours(1.0, peak_flops, x[t_mfu]);
    o[o_chip_hours] = hours;
    o[o_acc_kwh] = model::energy_kwh(hours, x[t_accel_w]);
    o[o_server_kwh] = model::energy_kwh(hours, x[t_accel_w] + x[t_host_w]);
    o[o_kwh] = model::facility_kwh(o[o_server_kwh], x[t_pue]);
    o[o_co2e] = model::co2e_kg(o[o_kwh], x[t_ci]);
    o[o_embodied] = model::embodied_co2e_kg(hours, x[t_embodied], x[t_life]);
    return o;
  };
  TrainingKey key{};
  key[0] = given_hours ? 1.0 : 0.0;
  key[1] = peak_flops;
  for (std::size_t i = 0; i < t_count; ++i) {
    key[2 + 3 * i] = in[i].low;
    key[3 + 3 * i] = in[i].value;
    key[4 + 3 * i] = in[i].high;
  }
  const TrainingPropagated* cached = cache != nullptr ? cache->find(key) : nullptr;
  const TrainingPropagated p =
      cached != nullptr
          ? *cached
          : detail::propagate<t_count, o_count>(in, run, o_kwh, {true, false, false, true, true, false});
  if (cache != nullptr && cached == nullptr) {
    cache->store(key, p);
  }
  auto scaled = [unit](double per_unit) { return per_unit * unit; };
  t.chip_hours = scaled(p.value[o_chip_hours]);
  t.wall_clock_hours = model::wall_clock_hours(t.chip_hours, chips);
  t.implied_mfu = model::implied_mfu(flops, peak_flops, t.chip_hours);
  t.accelerator_energy_kwh = scaled(p.value[o_acc_kwh]);
  t.server_energy_kwh = scaled(p.value[o_server_kwh]);
  t.energy_kwh = scaled(p.value[o_kwh]);
  t.co2e_kg = scaled(p.value[o_co2e]);
  t.embodied_co2e_kg = scaled(p.value[o_embodied]);
  t.energy_per_token_j = t.energy_kwh * 3.6e6 / tokens;
  t.energy_per_param_j = t.energy_kwh * 3.6e6 / params;
  t.interval.chip_hours = {scaled(p.low[o_chip_hours]), scaled(p.high[o_chip_hours])};
  t.interval.energy_kwh = {scaled(p.low[o_kwh]), scaled(p.high[o_kwh])};
  t.interval.co2e_kg = {scaled(p.low[o_co2e]), scaled(p.high[o_co2e])};
  t.main_uncertainty = p.main_driver >= 0 ? k_train_names[static_cast<std::size_t>(p.main_driver)] : "none";
  return t;
}

enum InfIn { i_mem_eff, i_kv_eff, i_comp_eff, i_power, i_host_w, i_pue, i_ci, i_batch, i_count };
constexpr std::array<const char*, i_count> k_inf_names = {
    "memory efficiency", "KV-cache efficiency", "compute efficiency", "serving overhead", "host power", "pue",
    "carbon intensity",  "batch size"};
// Per output token: J at the accelerators, the servers, the facility; kg CO2e.
enum InfOut { q_acc_j, q_server_j, q_j, q_co2e, q_count };
static_assert(q_server_j == 1 && q_count == 4);
using InferenceKey = std::array<double, 29 + 3 * i_count>;
struct InferencePerToken {
  detail::Propagated<q_count> p;
  model::ServingPoint central;
};
using InferenceMemo = DirectMap<InferenceKey, InferencePerToken>;

model::Shape resolve_shape(const Scenario& s, const ModelArch* arch, double params, Resolver& res) {
  model::Shape sh;
  // Where the shape came from: "derived", the catalog entry, or the last override's origin.
  const Origin* override_origin = nullptr;
  if (arch != nullptr) {
    sh.layers = arch->layers;
    sh.hidden = arch->hidden_size;
    sh.heads = arch->heads;
    sh.kv_heads = arch->kv_heads;
    sh.head_dim = arch->head_dim;
    sh.experts = arch->experts;
    sh.active_experts = arch->active_experts;
  } else {
    sh = model::default_shape(params);
  }
  auto override_int = [&](const std::optional<Given<double>>& g, double& field, const char* key,
                          bool allow_zero) {
    if (!g) {
      return;
    }
    require_integer(g->value, key);
    if (g->value < 0 || (!allow_zero && g->value == 0)) {
      throw InputError(std::string(key) + ": must be " + (allow_zero ? "zero or more" : "greater than zero"));
    }
    field = g->value;
    override_origin = &g->origin;
  };
  const bool head_dim_given = s.head_dim.has_value();
  override_int(s.layers, sh.layers, "layers", false);
  override_int(s.hidden_size, sh.hidden, "hidden_size", false);
  if (s.hidden_size && !s.heads && !head_dim_given && arch == nullptr) {
    sh.heads = std::max(1.0, std::round(sh.hidden / 128.0));
    sh.kv_heads = std::min(sh.heads, 8.0);
  }
  override_int(s.heads, sh.heads, "heads", false);
  if (s.heads && !head_dim_given && arch == nullptr) {
    sh.head_dim = std::max(1.0, std::round(sh.hidden / sh.heads));
  }
  override_int(s.kv_heads, sh.kv_heads, "kv_heads", false);
  override_int(s.head_dim, sh.head_dim, "head_dim", false);
  override_int(s.experts, sh.experts, "experts", true);
  override_int(s.active_experts, sh.active_experts, "active_experts", true);
  if (sh.active_experts > sh.experts) {
    throw InputError("active_experts (" + std::to_string(static_cast<long long>(sh.active_experts)) +
                     ") exceeds experts (" + std::to_string(static_cast<long long>(sh.experts)) + ")");
  }
  if (sh.kv_heads > sh.heads && sh.heads > 0) {
    throw InputError("kv_heads exceeds heads");
  }
  if (sh.experts > 0 && sh.active_experts == 0) {
    throw InputError("experts given without active_experts (experts routed per token)");
  }
  if (!res.on) {
    return sh;
  }
  std::string origin = override_origin != nullptr ? origin_of(*override_origin)
                       : arch != nullptr          ? "catalog:" + arch->id
                                                  : "derived";
  const std::string why =
      arch != nullptr ? arch->source + (arch->year ? " (" + std::to_string(arch->year) + ")" : "")
                      : "default shape for the parameter count (d_model=(12N/128)^(1/3), 128-dim heads, 8 KV "
                        "heads)";
  char buf[160];
  std::snprintf(buf, sizeof buf, "layers %.0f, hidden %.0f, heads %.0f, kv heads %.0f, head dim %.0f%s",
                sh.layers, sh.hidden, sh.heads, sh.kv_heads, sh.head_dim, sh.experts > 0 ? ", MoE" : "");
  std::string text = buf;
  if (sh.experts > 0) {
    std::snprintf(buf, sizeof buf, " %.0f of %.0f experts", sh.active_experts, sh.experts);
    text += buf;
  }
  res.add_text("shape", text, origin, why);
  return sh;
}

InferenceEstimate estimate_inference(const Scenario& s, const Catalog& cat, const Hardware& hw,
                                     Precision prec, const ModelArch* arch, const GridInputs& grid, Size size,
                                     Resolver& res, InferenceMemo* cache) {
  const ServingModel& sm = cat.serving;
  InferenceEstimate r;
  const double params = size.params;
  const double active = size.active;

  r.input_tokens_per_request = res.count(s.input_tokens, "input_tokens", "tokens",
                                         sm.default_input_tokens.value, "default", sm.default_input_tokens);
  if (!(r.input_tokens_per_request >= 0)) {
    throw InputError("input_tokens: must not be negative");
  }
  r.output_tokens_per_request =
      res.count(s.output_tokens, "output_tokens", "tokens", sm.default_output_tokens.value, "default",
                sm.default_output_tokens);
  require_positive(r.output_tokens_per_request, "output_tokens");

  // Total output tokens: --inference-tokens, else --requests x output tokens, else --tokens.
  if (s.inference_tokens && s.requests) {
    throw InputError("conflicting inputs: give --inference-tokens or --requests, not both");
  }
  if (s.inference_tokens) {
    r.tokens = s.inference_tokens->value;
    require_positive(r.tokens, "inference_tokens");
    if (res.on)
      res.add("inference_tokens", Range::exact(r.tokens), "tokens", origin_of(s.inference_tokens->origin),
              "");
  } else if (s.requests) {
    require_positive(s.requests->value, "requests");
    r.tokens = s.requests->value * r.output_tokens_per_request;
    if (res.on)
      res.add("requests", Range::exact(s.requests->value), "requests", origin_of(s.requests->origin), "");
  } else if (s.tokens) {
    r.tokens = s.tokens->value;
    require_positive(r.tokens, "tokens");
    if (res.on)
      res.add("inference_tokens", Range::exact(r.tokens), "tokens", "default",
              "same count as --tokens (no --inference-tokens or --requests given)");
  } else {
    throw InputError("inference needs --inference-tokens, --requests or --tokens");
  }
  r.requests = r.tokens / r.output_tokens_per_request;

  Range batch = sm.default_batch.range();
  if (s.batch_size) {
    require_positive(s.batch_size->value, "batch_size");
    require_integer(s.batch_size->value, "batch_size");
    batch = Range::exact(s.batch_size->value);
    if (res.on)
      res.add("batch_size", batch, "sequences", origin_of(s.batch_size->origin), "");
  } else {
    if (res.on)
      res.add("batch_size", batch, "sequences", "default", cite(sm.default_batch));
  }
  r.batch_size = batch.value;

  const model::Shape shape = resolve_shape(s, arch, params, res);
  const double weight_bits = bits_of(prec);
  // Serving stacks keep the KV cache in 16 bits unless told otherwise (vLLM kv_cache_dtype
  // "auto"), also for FP8/INT8/INT4 weights; FP32 models keep it in 32 bits.
  double kv_bits = weight_bits > 16 ? weight_bits : 16.0;
  if (s.kv_bits) {
    kv_bits = s.kv_bits->value;
    if (kv_bits != 16 && kv_bits != 8 && kv_bits != 4 && kv_bits != 32) {
      throw InputError("kv_bits: " + std::to_string(static_cast<long long>(kv_bits)) +
                       " is not supported (use 32, 16, 8 or 4)");
    }
    if (res.on)
      res.add("kv_bits", Range::exact(kv_bits), "bits", origin_of(s.kv_bits->origin), "");
  } else {
    if (res.on)
      res.add("kv_bits", Range::exact(kv_bits), "bits", "default",
              "16-bit KV cache (vLLM kv_cache_dtype auto), 32 for fp32 models");
  }

  // Memory per replica and chip count.
  const double weight_bytes = params * weight_bits / 8.0;
  // Paged KV cache (vLLM and successors): in steady state a sequence holds its prompt plus on
  // average half its output.
  const double mean_context = r.input_tokens_per_request + 0.5 * r.output_tokens_per_request;
  const double kv_bytes = batch.value * model::kv_bytes_per_sequence(shape, mean_context, kv_bits);
  const double need_bytes = (weight_bytes + kv_bytes) * sm.memory_headroom.value;
  r.memory_required_gb = need_bytes / 1e9;
  const double chip_bytes = hw.memory_gb.value * 1e9;
  constexpr double k_max_replica = 64;
  if (s.inference_chips) {
    r.chips = s.inference_chips->value;
    require_positive(r.chips, "inference_chips");
    require_integer(r.chips, "inference_chips");
    if (r.chips * chip_bytes < need_bytes) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "inference_chips: %.0f x %s (%.0f GB) cannot hold %.0f GB (weights + KV cache at batch "
                    "%.0f, x%.1f headroom)",
                    r.chips, hw.id.c_str(), r.chips * hw.memory_gb.value, r.memory_required_gb, batch.value,
                    sm.memory_headroom.value);
      throw InputError(buf);
    }
    if (res.on)
      res.add("inference_chips", Range::exact(r.chips), "chips", origin_of(s.inference_chips->origin), "");
  } else {
    double n = 1;
    while (n * chip_bytes < need_bytes && n < k_max_replica) {
      n *= 2;
    }
    if (n * chip_bytes < need_bytes) {
      char buf[240];
      std::snprintf(
          buf, sizeof buf,
          "the model needs %.0f GB (weights + KV cache at batch %.0f, x%.1f headroom), more than %.0f x %s "
          "(%.0f GB each); use a smaller --batch-size, a lower --precision or other hardware",
          r.memory_required_gb, batch.value, sm.memory_headroom.value, k_max_replica, hw.id.c_str(),
          hw.memory_gb.value);
      throw InputError(buf);
    }
    r.chips = n;
    if (res.on)
      res.add("inference_chips", Range::exact(n), "chips", "derived",
              "smallest power of two holding weights + KV cache x" +
                  std::to_string(sm.memory_headroom.value).substr(0, 3));
  }

  const Datum& peak = *hw.peak(prec);
  model::ServingSetup su;
  su.params = params;
  su.active_params = active;
  su.shape = shape;
  su.weight_bits = weight_bits;
  su.kv_bits = kv_bits;
  su.peak_flops_per_s = peak.value * 1e12;
  su.bandwidth_bytes_per_s = hw.memory_bandwidth_gbps.value * 1e9;
  su.chips = r.chips;
  su.batch = batch.value;
  su.input_tokens = r.input_tokens_per_request;
  su.output_tokens = r.output_tokens_per_request;
  su.tdp_w = hw.tdp_w.value;
  if (res.on)
    res.add("memory_bandwidth_gbps", Range::exact(hw.memory_bandwidth_gbps.value), "GB/s", "catalog:" + hw.id,
            cite(hw.memory_bandwidth_gbps));

  std::array<Range, i_count> in{};
  in[i_mem_eff] = sm.memory_efficiency.range();
  in[i_kv_eff] = sm.kv_efficiency.range();
  in[i_comp_eff] = sm.compute_efficiency.range();
  in[i_power] = sm.serving_overhead.range();  // time outside the roofline
  in[i_host_w] = s.power_watts ? Range::exact(0) : hw.host_power_w.range();
  in[i_pue] = grid.pue;
  in[i_ci] = grid.intensity;
  in[i_batch] = batch;
  if (res.on)
    res.add("memory_efficiency", in[i_mem_eff], "fraction", "catalog:serving_model",
            cite(sm.memory_efficiency));
  if (res.on)
    res.add("kv_efficiency", in[i_kv_eff], "fraction", "catalog:serving_model", cite(sm.kv_efficiency));
  if (res.on)
    res.add("compute_efficiency", in[i_comp_eff], "fraction", "catalog:serving_model",
            cite(sm.compute_efficiency));
  if (res.on)
    res.add("serving_overhead", in[i_power], "ratio", "catalog:serving_model", cite(sm.serving_overhead));

  model::ServingFactors base;
  base.memory_efficiency = sm.memory_efficiency.value;
  base.kv_efficiency = sm.kv_efficiency.value;
  base.quantized_efficiency = sm.quantized_efficiency.value;
  base.compute_efficiency = sm.compute_efficiency.value;
  base.prefill_efficiency = sm.prefill_efficiency.value;
  base.idle_fraction = hw.idle_power_fraction.value;
  base.power_memory_weight = sm.power_memory_weight.value;
  base.power_compute_weight = sm.power_compute_weight.value;
  base.tp_overhead = sm.tp_overhead.value;
  const double tokens = r.tokens;
  const bool has_power_override = s.power_watts.has_value();
  const double power_override_w = has_power_override ? s.power_watts->value.value : 0.0;
  bool have_last = false;
  std::array<double, 5> last_key{};
  model::ServingPoint last_pt;
  auto run = [&](const std::array<double, i_count>& x) {
    model::ServingFactors f = base;
    f.memory_efficiency = x[i_mem_eff];
    f.kv_efficiency = x[i_kv_eff];
    f.compute_efficiency = x[i_comp_eff];
    f.prefill_efficiency = base.prefill_efficiency * x[i_comp_eff] / base.compute_efficiency;
    f.time_overhead = x[i_power];
    f.host_w = x[i_host_w];
    f.pue = x[i_pue];
    // Host power, PUE and carbon intensity do not move the roofline: re-runs that vary only
    // them reuse the last replica point and redo its last two lines (as in model::serve).
    const std::array<double, 5> key = {x[i_mem_eff], x[i_kv_eff], x[i_comp_eff], x[i_power], x[i_batch]};
    model::ServingPoint pt;
    if (have_last && key == last_key) {
      pt = last_pt;
      pt.server_j_per_output_token =
          pt.accelerator_j_per_output_token + f.host_w * pt.chip_seconds_per_output_token;
      pt.facility_j_per_output_token = pt.server_j_per_output_token * f.pue;
    } else {
      model::ServingSetup sx = su;
      sx.batch = x[i_batch];
      pt = model::serve(sx, f);
      last_key = key;
      last_pt = pt;
      have_last = true;
    }
    if (has_power_override) {  // --power-watts replaces the whole per-chip figure
      const double j = power_override_w * pt.chip_seconds_per_output_token;
      pt.accelerator_j_per_output_token = j;
      pt.server_j_per_output_token = j;
      pt.facility_j_per_output_token = j * f.pue;
    }
    std::array<double, q_count> o{};
    o[q_acc_j] = pt.accelerator_j_per_output_token;
    o[q_server_j] = pt.server_j_per_output_token;
    o[q_j] = pt.facility_j_per_output_token;
    o[q_co2e] = model::co2e_kg(o[q_j] / 3.6e6, x[i_ci]);
    return o;
  };
  // The per-token figures do not depend on the token count: the same replica and inputs give
  // the same figures, which lets batch and sweep reuse them (EstimateCache).
  InferenceKey key{};
  {
    // Everything the per-token run depends on besides the ranges (std::to_array: the count is
    // checked at compile time against the key).
    const auto fixed = std::to_array<double>({su.params,
                                              su.active_params,
                                              su.shape.layers,
                                              su.shape.hidden,
                                              su.shape.heads,
                                              su.shape.kv_heads,
                                              su.shape.head_dim,
                                              su.shape.experts,
                                              su.shape.active_experts,
                                              su.weight_bits,
                                              su.kv_bits,
                                              su.peak_flops_per_s,
                                              su.bandwidth_bytes_per_s,
                                              su.chips,
                                              su.batch,
                                              su.input_tokens,
                                              su.output_tokens,
                                              su.tdp_w,
                                              base.memory_efficiency,
                                              base.kv_efficiency,
                                              base.quantized_efficiency,
                                              base.compute_efficiency,
                                              base.prefill_efficiency,
                                              base.idle_fraction,
                                              base.power_memory_weight,
                                              base.power_compute_weight,
                                              base.tp_overhead,
                                              has_power_override ? 1.0 : 0.0,
                                              power_override_w});
    static_assert(std::tuple_size_v<decltype(fixed)> + std::size_t{3} * i_count ==
                  std::tuple_size_v<InferenceKey>);
    std::size_t k = 0;
    for (double v : fixed) {
      key[k++] = v;
    }
    for (const Range& x : in) {
      key[k++] = x.low;
      key[k++] = x.value;
      key[k++] = x.high;
    }
  }
  const InferencePerToken* cached = cache != nullptr ? cache->find(key) : nullptr;
  InferencePerToken computed;
  if (cached == nullptr) {
    computed.p =
        detail::propagate<i_count, q_count>(in, run, q_j, {true, false, true, true});  // not server J
    model::ServingFactors central = base;
    central.time_overhead = in[i_power].value;
    central.host_w = in[i_host_w].value;
    central.pue = grid.pue.value;
    computed.central = model::serve(su, central);
    if (cache != nullptr) {
      cache->store(key, computed);
    }
  }
  const auto& p = cached != nullptr ? cached->p : computed.p;
  const model::ServingPoint& pt = cached != nullptr ? cached->central : computed.central;
  const double kwh_per_j = tokens / 3.6e6;  // J per output token -> kWh in total

  r.bound = pt.compute_bound ? "compute" : "memory";
  r.time_per_output_token_ms = pt.itl_s * 1e3;
  r.tokens_per_second = batch.value / pt.itl_s;
  r.accelerator_energy_per_token_j = p.value[q_acc_j];
  r.server_energy_per_token_j = p.value[q_server_j];
  r.energy_per_token_j = p.value[q_j];
  r.energy_per_input_token_j = pt.facility_j_per_input_token;
  r.energy_per_request_wh = r.energy_per_token_j * r.output_tokens_per_request / 3600.0;
  r.kwh_per_million_tokens = r.energy_per_token_j * 1e6 / 3.6e6;
  r.accelerator_energy_kwh = r.accelerator_energy_per_token_j * tokens / 3.6e6;
  r.server_energy_kwh = r.server_energy_per_token_j * tokens / 3.6e6;
  r.energy_kwh = p.value[q_j] * kwh_per_j;
  r.co2e_kg = p.value[q_co2e] * tokens;
  r.chip_hours = pt.chip_seconds_per_output_token * tokens / 3600.0;
  const double emb = hw.embodied_kgco2e.value + hw.host_embodied_kgco2e.value;
  r.embodied_co2e_kg = model::embodied_co2e_kg(r.chip_hours, emb, hw.service_life_years.value);
  r.interval.accelerator_energy_per_token_j = {p.low[q_acc_j], p.high[q_acc_j]};
  r.interval.energy_per_token_j = {p.low[q_j], p.high[q_j]};
  r.interval.energy_kwh = {p.low[q_j] * kwh_per_j, p.high[q_j] * kwh_per_j};
  r.interval.co2e_kg = {p.low[q_co2e] * tokens, p.high[q_co2e] * tokens};
  r.main_uncertainty = p.main_driver >= 0 ? k_inf_names[static_cast<std::size_t>(p.main_driver)] : "none";
  return r;
}

// Every figure must be a finite number: extreme inputs (1e300 tokens, a denormal MFU) that
// overflow are bad input, never an inf or NaN in the output.
void check_finite(const Estimate& e) {
  auto check = [](double v, const char* what) {
    if (!std::isfinite(v)) {
      throw InputError(
          std::string("inputs out of range: the ") + what +
          " overflows (check the magnitudes of --tokens, --params, --mfu and the power figures)");
    }
  };
  if (e.training) {
    const auto& t = *e.training;
    for (double v : {t.flops, t.chip_hours, t.wall_clock_hours, t.implied_mfu, t.accelerator_energy_kwh,
                     t.server_energy_kwh, t.energy_kwh, t.co2e_kg, t.embodied_co2e_kg, t.energy_per_token_j,
                     t.energy_per_param_j, t.interval.chip_hours.low, t.interval.chip_hours.high,
                     t.interval.energy_kwh.low, t.interval.energy_kwh.high, t.interval.co2e_kg.low,
                     t.interval.co2e_kg.high}) {
      check(v, "training estimate");
    }
  }
  if (e.inference) {
    const auto& i = *e.inference;
    for (double v : {i.tokens,
                     i.requests,
                     i.tokens_per_second,
                     i.time_per_output_token_ms,
                     i.accelerator_energy_per_token_j,
                     i.server_energy_per_token_j,
                     i.energy_per_token_j,
                     i.energy_per_input_token_j,
                     i.energy_per_request_wh,
                     i.kwh_per_million_tokens,
                     i.accelerator_energy_kwh,
                     i.server_energy_kwh,
                     i.energy_kwh,
                     i.co2e_kg,
                     i.embodied_co2e_kg,
                     i.chip_hours,
                     i.memory_required_gb,
                     i.interval.energy_per_token_j.low,
                     i.interval.energy_per_token_j.high,
                     i.interval.accelerator_energy_per_token_j.low,
                     i.interval.accelerator_energy_per_token_j.high,
                     i.interval.energy_kwh.low,
                     i.interval.energy_kwh.high,
                     i.interval.co2e_kg.low,
                     i.interval.co2e_kg.high}) {
      check(v, "inference estimate");
    }
  }
}

}  // namespace

struct EstimateCache::Impl {
  TrainingMemo training{1024};
  InferenceMemo inference{1024};
};

EstimateCache::EstimateCache() : m_impl(std::make_unique<Impl>()) {}
EstimateCache::~EstimateCache() = default;
EstimateCache::EstimateCache(EstimateCache&&) noexcept = default;
EstimateCache& EstimateCache::operator=(EstimateCache&&) noexcept = default;

Estimate estimate(const Scenario& s, const Catalog& cat, const EstimateOptions& options) {
  Estimate e;
  Resolver res(e.assumptions, options.assumptions);
  e.phase = s.phase ? parse_phase(s.phase->value) : Phase::both;

  // --params and --active-params, else the --model entry's (no copy of the scenario).
  std::optional<Given<double>> params = s.params;
  std::optional<Given<double>> active_params = s.active_params;
  const ModelArch* arch = nullptr;
  if (s.model) {
    arch = &cat.find_model(s.model->value);
    if (res.on)
      res.add_text("model", arch->id, origin_of(s.model->origin),
                   arch->source + (arch->year ? " (" + std::to_string(arch->year) + ")" : ""));
    if (!params) {
      params = Given<double>{arch->params, s.model->origin};
    }
    if (!active_params && arch->active_params != arch->params) {
      active_params = Given<double>{arch->active_params, s.model->origin};
    }
  }
  if (!params) {
    throw InputError("missing --params (model parameters, e.g. --params 7e9) or --model");
  }
  require_positive(params->value, "params");
  if (res.on)
    res.add("params", Range::exact(params->value), "parameters",
            s.model && params->value == arch->params ? "catalog:" + arch->id : origin_of(params->origin), "");
  if (active_params) {
    require_positive(active_params->value, "active_params");
    if (active_params->value > params->value) {
      throw InputError("active_params exceeds params");
    }
    if (res.on)
      res.add("active_params", Range::exact(active_params->value), "parameters",
              origin_of(active_params->origin), "");
  }
  const Size size{params->value, active_params ? active_params->value : params->value};

  const Hardware& hw = cat.find_hardware(s.hardware ? std::string_view(s.hardware->value) : "h100-sxm");
  e.hardware = hw.id;
  if (res.on)
    res.add_text("hardware", hw.id, s.hardware ? origin_of(s.hardware->origin) : "default",
                 hw.name + (s.hardware ? "" : " (no --hardware given)"));
  const Precision prec = resolve_precision(s, hw);
  if (res.on)
    res.add_text("precision", std::string(to_string(prec)),
                 s.precision ? origin_of(s.precision->origin) : "default",
                 s.precision ? "" : "bf16, or the chip's best 16-bit format");
  const GridInputs grid = resolve_grid(s, cat, res, e);

  if (e.phase != Phase::inference) {
    e.training = estimate_training(s, cat, hw, prec, grid, size, res,
                                   options.cache != nullptr ? &options.cache->impl().training : nullptr);
  }
  if (e.phase != Phase::training) {
    e.inference = estimate_inference(s, cat, hw, prec, arch, grid, size, res,
                                     options.cache != nullptr ? &options.cache->impl().inference : nullptr);
  }
  check_finite(e);
  return e;
}

}  // namespace llm_energy
