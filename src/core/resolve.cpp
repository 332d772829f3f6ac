#include "llm_energy/resolve.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "llm_energy/error.hpp"
#include "llm_energy/model.hpp"

namespace llm_energy {
namespace {

OriginKind origin_of(Origin o) {
  return o == Origin::flag ? OriginKind::flag : OriginKind::config;
}

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

std::string short_number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// Appends assumptions in a fixed order.
class Recorder {
 public:
  explicit Recorder(std::vector<Assumption>* out) : m_out(out) {}

  Assumption& number(std::string_view key, Range v, std::string_view unit, OriginKind origin) {
    return push({.key = key, .value = v, .unit = unit, .origin = origin});
  }
  Assumption& given(std::string_view key, double v, std::string_view unit, Origin origin) {
    return number(key, Range::exact(v), unit, origin_of(origin));
  }
  Assumption& cited(std::string_view key, Range v, std::string_view unit, std::string_view entry,
                    const Datum& d) {
    Assumption& a = number(key, v, unit, OriginKind::catalog);
    a.entry = entry;
    a.basis = Basis::cited;
    a.datum = &d;
    return a;
  }
  Assumption& text(std::string_view key, std::string_view text, OriginKind origin) {
    return push({.key = key, .text = text, .origin = origin});
  }

 private:
  Assumption& push(Assumption a) {
    if (m_out == nullptr) {
      m_scratch = a;
      return m_scratch;
    }
    m_out->push_back(a);
    return m_out->back();
  }
  std::vector<Assumption>* m_out;
  Assumption m_scratch;
};

struct Size {
  double params = 0;
  double active = 0;
  bool active_given = false;
};

Size resolve_size(const Scenario& s, const Catalog& cat, Resolved& r, Recorder& rec) {
  std::optional<Given<double>> params = s.params;
  std::optional<Given<double>> active = s.active_params;
  const ModelArch* arch = nullptr;
  if (s.model) {
    arch = &cat.find_model(s.model->value);
    r.model = arch;
    Assumption& a = rec.text("model", arch->id, origin_of(s.model->origin));
    a.basis = Basis::model_source;
    a.word = arch->source;
    a.detail = arch->year;
    if (!params) {
      params = Given<double>{arch->params, s.model->origin};
    }
    if (!active && arch->active_params != arch->params) {
      active = Given<double>{arch->active_params, s.model->origin};
    }
  }
  if (!params) {
    throw InputError("missing --params (model parameters, e.g. --params 7e9) or --model");
  }
  require_positive(params->value, "params");
  {
    Assumption& a = rec.given("params", params->value, "parameters", params->origin);
    if (arch != nullptr && params->value == arch->params) {
      a.origin = OriginKind::catalog;
      a.entry = arch->id;
    }
  }
  Size size{params->value, params->value, false};
  if (active) {
    require_positive(active->value, "active_params");
    if (active->value > params->value) {
      throw InputError("active_params exceeds params");
    }
    rec.given("active_params", active->value, "parameters", active->origin);
    size.active = active->value;
    size.active_given = true;
  }
  return size;
}

std::string precisions_of(const Hardware& hw) {
  std::string have;
  for (Precision q : k_all_precisions) {
    if (hw.peak(q)) {
      have += (have.empty() ? "" : ", ") + std::string(to_string(q));
    }
  }
  return have;
}

model::Shape resolve_shape(const Scenario& s, const ModelArch* arch, double params, Recorder& rec) {
  model::Shape sh;
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
  Assumption& a = rec.text("shape", "",
                           override_origin != nullptr ? origin_of(*override_origin)
                           : arch != nullptr          ? OriginKind::catalog
                                                      : OriginKind::derived);
  if (arch != nullptr && override_origin == nullptr) {
    a.entry = arch->id;
  }
  if (arch != nullptr) {
    a.basis = Basis::catalog_shape;
    a.word = arch->source;
    a.detail = arch->year;
  } else {
    a.basis = Basis::default_shape;
  }
  return sh;
}

void resolve_training(const Scenario& s, const Catalog& cat, const Hardware& hw, Size size, Resolved& r,
                      Recorder& rec) {
  if (!s.tokens) {
    throw InputError("training needs --tokens (or use --phase inference)");
  }
  TrainingInputs t;
  t.tokens = s.tokens->value;
  require_positive(t.tokens, "tokens");
  rec.given("tokens", t.tokens, "tokens", s.tokens->origin);
  t.recompute = s.recompute && s.recompute->value;
  if (s.recompute) {
    Assumption& a = rec.given("recompute", t.recompute ? 1 : 0, "", s.recompute->origin);
    a.basis = Basis::recompute;
  }
  t.chips = s.chips ? s.chips->value : 8.0;
  require_positive(t.chips, "chips");
  require_integer(t.chips, "chips");
  {
    Assumption& a = rec.number("chips", Range::exact(t.chips), "chips",
                               s.chips ? origin_of(s.chips->origin) : OriginKind::default_value);
    if (!s.chips) {
      a.basis = Basis::default_chips;
    }
  }
  const Datum& peak = *hw.peak(r.precision);
  {
    Assumption& a =
        rec.cited("peak_tflops", Range::exact(peak.value / r.cap_time_factor), "TFLOP/s", hw.id, peak);
    a.basis = Basis::peak;
    a.word = to_string(r.precision);
  }
  t.flops = model::training_flops(size.active, t.tokens, t.recompute);

  if (s.chip_hours) {
    require_positive(s.chip_hours->value, "chip_hours");
    t.chip_hours = s.chip_hours->value * r.cap_time_factor;
    rec.given("chip_hours", *t.chip_hours, "chip-hours", s.chip_hours->origin);
    r.range(Uncertain::mfu) = Range::exact(1.0);  // unused
  } else if (s.mfu) {
    check_fraction_range(s.mfu->value, "mfu");
    r.range(Uncertain::mfu) = s.mfu->value;
    rec.number("mfu", s.mfu->value, "fraction", origin_of(s.mfu->origin));
  } else {
    const TrainingModel& tm = cat.training;
    const double f = model::mfu_size_factor(size.active, tm.size_reference_params.value,
                                            tm.size_exponent.value, tm.size_min_factor.value);
    r.range(Uncertain::mfu) = default_training_mfu(hw, cat, size.active, t.chips);
    Assumption& a = rec.cited("mfu", r.range(Uncertain::mfu), "fraction", hw.id, hw.training_mfu);
    a.basis = Basis::generation_mfu;
    a.word = hw.generation;
    a.datum2 = &tm.size_exponent;
    a.detail = f;
    a.detail2 = size.active;
    const double eta = model::chip_scaling_efficiency(t.chips, cat.whatif.chip_scaling_overhead.value);
    if (eta < 1.0) {
      Assumption& c = rec.number("chip_scaling", Range::exact(eta), "factor", OriginKind::derived);
      c.basis = Basis::chip_scaling;
      c.datum = &cat.whatif.chip_scaling_overhead;
      c.detail = t.chips;
    }
  }
  if (s.power_watts) {
    const Range w = s.power_watts->value;
    if (!(w.low > 0)) {
      throw InputError("power_watts: must be greater than zero");
    }
    r.range(Uncertain::accelerator_power) = w.scaled(r.cap_power_factor);
    r.range(Uncertain::host_power) = Range::exact(0);
    Assumption& a = rec.number("power_watts", r.range(Uncertain::accelerator_power), "W",
                               origin_of(s.power_watts->origin));
    a.basis = Basis::power_override;
  } else {
    const double tdp = hw.tdp_w.value * r.cap_power_factor;
    r.range(Uncertain::accelerator_power) = hw.avg_power_fraction.range().scaled(tdp);
    r.range(Uncertain::host_power) = hw.host_power_w.range();
    rec.cited("tdp_w", Range::exact(tdp), "W", hw.id, hw.tdp_w);
    Assumption& a = rec.cited("accelerator_power_w", r.range(Uncertain::accelerator_power), "W", hw.id,
                              hw.avg_power_fraction);
    a.basis = Basis::average_draw;
    a.detail = hw.avg_power_fraction.value;
    rec.cited("host_power_w", r.range(Uncertain::host_power), "W", hw.id, hw.host_power_w);
  }
  const Range emb_chip = hw.embodied_kgco2e.range();
  const Range emb_host = hw.host_embodied_kgco2e.range();
  r.range(Uncertain::embodied_carbon) = {emb_chip.low + emb_host.low, emb_chip.value + emb_host.value,
                                         emb_chip.high + emb_host.high};
  r.range(Uncertain::service_life) = hw.service_life_years.range();
  {
    Assumption& a = rec.cited("embodied_kgco2e_per_chip", r.range(Uncertain::embodied_carbon), "kgCO2e",
                              hw.id, hw.embodied_kgco2e);
    a.basis = Basis::embodied_split;
    a.datum2 = &hw.host_embodied_kgco2e;
  }
  rec.cited("service_life_years", r.range(Uncertain::service_life), "years", hw.id, hw.service_life_years);
  r.training = t;
}

void resolve_inference(const Scenario& s, const Catalog& cat, const Hardware& hw, Size size,
                       Precision compute, Resolved& r, Recorder& rec) {
  const ServingModel& sm = cat.serving;
  InferenceInputs in;
  in.compute_precision = compute;
  auto count = [&](const std::optional<Given<double>>& g, const char* key, const Datum& fallback) {
    if (g) {
      rec.given(key, g->value, "tokens", g->origin);
      return g->value;
    }
    Assumption& a = rec.number(key, Range::exact(fallback.value), "tokens", OriginKind::default_value);
    a.basis = Basis::cited;
    a.datum = &fallback;
    return fallback.value;
  };
  const double input_tokens = count(s.input_tokens, "input_tokens", sm.default_input_tokens);
  if (!(input_tokens >= 0)) {
    throw InputError("input_tokens: must not be negative");
  }
  const double output_tokens = count(s.output_tokens, "output_tokens", sm.default_output_tokens);
  require_positive(output_tokens, "output_tokens");

  // Total output tokens: --inference-tokens, else --requests x output tokens, else --tokens.
  if (s.inference_tokens && s.requests) {
    throw InputError("conflicting inputs: give --inference-tokens or --requests, not both");
  }
  if (s.inference_tokens) {
    in.tokens = s.inference_tokens->value;
    require_positive(in.tokens, "inference_tokens");
    rec.given("inference_tokens", in.tokens, "tokens", s.inference_tokens->origin);
  } else if (s.requests) {
    require_positive(s.requests->value, "requests");
    in.tokens = s.requests->value * output_tokens;
    rec.given("requests", s.requests->value, "requests", s.requests->origin);
  } else if (s.tokens) {
    in.tokens = s.tokens->value;
    require_positive(in.tokens, "tokens");
    Assumption& a =
        rec.number("inference_tokens", Range::exact(in.tokens), "tokens", OriginKind::default_value);
    a.basis = Basis::same_as_tokens;
  } else {
    throw InputError("inference needs --inference-tokens, --requests or --tokens");
  }
  in.requests = in.tokens / output_tokens;

  Range batch = sm.default_batch.range();
  if (s.batch_size) {
    require_positive(s.batch_size->value, "batch_size");
    require_integer(s.batch_size->value, "batch_size");
    batch = Range::exact(s.batch_size->value);
    rec.number("batch_size", batch, "sequences", origin_of(s.batch_size->origin));
  } else {
    Assumption& a = rec.number("batch_size", batch, "sequences", OriginKind::default_value);
    a.basis = Basis::cited;
    a.datum = &sm.default_batch;
  }

  const model::Shape shape = resolve_shape(s, r.model, size.params, rec);
  const double weight_bits = bits_of(r.precision);
  // Serving stacks keep the KV cache in 16 bits unless told otherwise (vLLM kv_cache_dtype
  // "auto"), also for FP8/INT8/INT4 weights; FP32 models keep it in 32 bits.
  double kv_bits = weight_bits > 16 ? weight_bits : 16.0;
  if (s.kv_bits) {
    kv_bits = s.kv_bits->value;
    if (kv_bits != 16 && kv_bits != 8 && kv_bits != 4 && kv_bits != 32) {
      throw InputError("kv_bits: " + std::to_string(static_cast<long long>(kv_bits)) +
                       " is not supported (use 32, 16, 8 or 4)");
    }
    rec.given("kv_bits", kv_bits, "bits", s.kv_bits->origin);
  } else {
    Assumption& a = rec.number("kv_bits", Range::exact(kv_bits), "bits", OriginKind::default_value);
    a.basis = Basis::default_kv_bits;
  }

  // 2:4 sparsity: half the values plus a 2-bit index each (x0.5625 of the dense bytes) and the
  // sparse tensor-core peak for the weight matmuls, modelled as a model of 0.5625 x the
  // parameters on a chip of speed-up x 0.5625 x the peak (the attention FLOPs scale alike).
  double sparse_params = 1.0;
  double sparse_peak = 1.0;
  if (s.sparsity && s.sparsity->value == Sparsity::two_four) {
    if (!hw.sparse_speedup || !(hw.sparse_speedup->value > 1.0)) {
      throw InputError("sparsity: " + std::string(hw.id) +
                       " has no sparse tensor-core peak (2:4 gives no speed-up there)");
    }
    sparse_params = cat.whatif.two_four_weight_bytes.value;
    sparse_peak = hw.sparse_speedup->value * sparse_params;
    Assumption& a = rec.text("sparsity", "2:4", origin_of(s.sparsity->origin));
    a.basis = Basis::sparse_two_four;
    a.datum = &*hw.sparse_speedup;
    a.detail = hw.sparse_speedup->value;
    a.entry = hw.id;
  }
  const double params = size.params * sparse_params;
  const double active = size.active * sparse_params;

  // Memory per replica and chip count.
  const double weight_bytes = params * weight_bits / 8.0;
  // Paged KV cache (vLLM and successors): in steady state a sequence holds its prompt plus on
  // average half its output.
  const double mean_context = input_tokens + 0.5 * output_tokens;
  const double kv_bytes = batch.value * model::kv_bytes_per_sequence(shape, mean_context, kv_bits);
  const double need_bytes = (weight_bytes + kv_bytes) * sm.memory_headroom.value;
  in.memory_required_gb = need_bytes / 1e9;
  const double chip_bytes = hw.memory_gb.value * 1e9;
  constexpr double k_max_replica = 64;
  double chips = 1;
  if (s.inference_chips) {
    chips = s.inference_chips->value;
    require_positive(chips, "inference_chips");
    require_integer(chips, "inference_chips");
    if (chips * chip_bytes < need_bytes) {
      char buf[200];
      std::snprintf(buf, sizeof buf,
                    "inference_chips: %.0f x %s (%.0f GB) cannot hold %.0f GB (weights + KV cache at batch "
                    "%.0f, x%.1f headroom)",
                    chips, std::string(hw.id).c_str(), chips * hw.memory_gb.value, in.memory_required_gb,
                    batch.value, sm.memory_headroom.value);
      throw InputError(buf);
    }
    rec.given("inference_chips", chips, "chips", s.inference_chips->origin);
  } else {
    while (chips * chip_bytes < need_bytes && chips < k_max_replica) {
      chips *= 2;
    }
    if (chips * chip_bytes < need_bytes) {
      char buf[240];
      std::snprintf(
          buf, sizeof buf,
          "the model needs %.0f GB (weights + KV cache at batch %.0f, x%.1f headroom), more than %.0f x %s "
          "(%.0f GB each); use a smaller --batch-size, a lower --precision or other hardware",
          in.memory_required_gb, batch.value, sm.memory_headroom.value, k_max_replica,
          std::string(hw.id).c_str(), hw.memory_gb.value);
      throw InputError(buf);
    }
    Assumption& a = rec.number("inference_chips", Range::exact(chips), "chips", OriginKind::derived);
    a.basis = Basis::smallest_replica;
    a.detail = sm.memory_headroom.value;
  }

  model::ServingSetup& su = in.setup;
  su.params = params;
  su.active_params = active;
  su.shape = shape;
  su.weight_bits = weight_bits;
  su.kv_bits = kv_bits;
  su.peak_flops_per_s = hw.peak(in.compute_precision)->value * 1e12 / r.cap_time_factor * sparse_peak;
  su.bandwidth_bytes_per_s = hw.memory_bandwidth_gbps.value * 1e9 / r.cap_time_factor;
  su.chips = chips;
  su.batch = batch.value;
  su.input_tokens = input_tokens;
  su.output_tokens = output_tokens;
  su.tdp_w = hw.tdp_w.value * r.cap_power_factor;
  rec.cited("memory_bandwidth_gbps", Range::exact(hw.memory_bandwidth_gbps.value / r.cap_time_factor), "GB/s",
            hw.id, hw.memory_bandwidth_gbps);

  r.range(Uncertain::memory_efficiency) = sm.memory_efficiency.range();
  r.range(Uncertain::kv_efficiency) = sm.kv_efficiency.range();
  r.range(Uncertain::compute_efficiency) = sm.compute_efficiency.range();
  r.range(Uncertain::serving_overhead) = sm.serving_overhead.range();
  r.range(Uncertain::host_power) = s.power_watts ? Range::exact(0) : hw.host_power_w.range();
  r.range(Uncertain::batch_size) = batch;
  rec.cited("memory_efficiency", sm.memory_efficiency.range(), "fraction", "serving_model",
            sm.memory_efficiency);
  rec.cited("kv_efficiency", sm.kv_efficiency.range(), "fraction", "serving_model", sm.kv_efficiency);
  rec.cited("compute_efficiency", sm.compute_efficiency.range(), "fraction", "serving_model",
            sm.compute_efficiency);
  rec.cited("serving_overhead", sm.serving_overhead.range(), "ratio", "serving_model", sm.serving_overhead);

  model::ServingFactors& f = in.factors;
  f.memory_efficiency = sm.memory_efficiency.value;
  f.kv_efficiency = sm.kv_efficiency.value;
  f.quantized_efficiency = sm.quantized_efficiency.value;
  f.compute_efficiency = sm.compute_efficiency.value;
  f.prefill_efficiency = sm.prefill_efficiency.value;
  f.idle_fraction = hw.idle_power_fraction.value;
  f.power_memory_weight = sm.power_memory_weight.value;
  f.power_compute_weight = sm.power_compute_weight.value;
  f.tp_overhead = sm.tp_overhead.value;
  f.time_overhead = sm.serving_overhead.value;
  f.host_w = r.range(Uncertain::host_power).value;
  f.pue = r.grid.pue.value;
  if (s.power_watts) {
    in.power_override_w = s.power_watts->value.value * r.cap_power_factor;
  }
  r.inference = in;
}

}  // namespace

Precision default_precision(const Hardware& hw) {
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

Range default_training_mfu(const Hardware& hw, const Catalog& cat, double active_params, double chips) {
  const TrainingModel& tm = cat.training;
  const double f = model::mfu_size_factor(active_params, tm.size_reference_params.value,
                                          tm.size_exponent.value, tm.size_min_factor.value) *
                   model::chip_scaling_efficiency(chips, cat.whatif.chip_scaling_overhead.value);
  Range m = hw.training_mfu.range().scaled(f);
  m.high = std::min(m.high, 1.0);
  return m;
}

Grid resolve_grid(const Scenario& s, const Catalog& cat, std::vector<Assumption>* out) {
  Recorder rec(out);
  if (s.region && s.carbon_intensity) {
    throw InputError("conflicting inputs: give --region or --carbon-intensity, not both");
  }
  Grid g;
  if (s.carbon_intensity) {
    g.intensity = s.carbon_intensity->value;
    if (!(g.intensity.low >= 0)) {
      throw InputError("carbon_intensity: must not be negative");
    }
    rec.number("carbon_intensity", g.intensity, "gCO2e/kWh", origin_of(s.carbon_intensity->origin));
  } else {
    g.region = &cat.find_region(s.region ? std::string_view(s.region->value) : "world");
    Assumption& a =
        rec.text("region", g.region->id, s.region ? origin_of(s.region->origin) : OriginKind::default_value);
    a.basis = Basis::entry_name;
    a.word = g.region->name;
    g.intensity = g.region->carbon_intensity.range();
    Assumption& c =
        rec.cited("carbon_intensity", g.intensity, "gCO2e/kWh", g.region->id, g.region->carbon_intensity);
    c.basis = Basis::grid_basis;
    c.word = g.region->basis;
  }
  if (s.pue) {
    g.pue = s.pue->value;
    if (!(g.pue.low >= 1.0)) {
      throw InputError("pue: must be at least 1.0");
    }
    rec.number("pue", g.pue, "ratio", origin_of(s.pue->origin));
  } else {
    g.op = g.region != nullptr ? &cat.operator_for(*g.region) : &cat.find_operator(cat.default_operator);
    g.pue = g.op->pue.range();
    rec.cited("pue", g.pue, "ratio", g.op->id, g.op->pue);
  }
  return g;
}

Resolved resolve(const Scenario& s, const Catalog& cat) {
  Resolved r;
  Recorder rec(&r.assumptions);
  r.assumptions.reserve(32);
  r.phase = s.phase ? s.phase->value : Phase::both;
  const Size size = resolve_size(s, cat, r, rec);
  r.params = size.params;
  r.active_params = size.active;

  const Hardware& hw = cat.find_hardware(s.hardware ? std::string_view(s.hardware->value) : "h100-sxm");
  r.hardware = &hw;
  {
    Assumption& a =
        rec.text("hardware", hw.id, s.hardware ? origin_of(s.hardware->origin) : OriginKind::default_value);
    a.basis = Basis::entry_name;
    a.word = hw.name;
  }
  // The precision: the requested one, which the chip must compute in for training; serving
  // may store weights in a format the chip cannot compute in (weight-only quantisation:
  // int8/int4/fp8 weights, 16-bit compute). Else bf16, or the chip's best 16-bit format.
  Precision compute = default_precision(hw);
  if (s.precision) {
    r.precision = s.precision->value;
    if (!hw.peak(r.precision)) {
      if (r.phase != Phase::inference || bits_of(r.precision) >= 16) {
        throw InputError("precision: " + std::string(hw.id) + " has no " +
                         std::string(to_string(r.precision)) + " peak (it has " + precisions_of(hw) + ")");
      }
    } else {
      compute = r.precision;
    }
    rec.text("precision", to_string(r.precision), origin_of(s.precision->origin));
  } else {
    r.precision = compute;
    Assumption& a = rec.text("precision", to_string(r.precision), OriginKind::default_value);
    a.basis = Basis::default_precision;
  }
  if (compute != r.precision) {
    Assumption& a = rec.text("compute_precision", to_string(compute), OriginKind::derived);
    a.basis = Basis::weight_only;
    a.word = to_string(r.precision);
  }

  r.grid = resolve_grid(s, cat, &r.assumptions);
  r.range(Uncertain::pue) = r.grid.pue;
  r.range(Uncertain::carbon_intensity) = r.grid.intensity;

  if (s.power_cap) {
    const double cap = s.power_cap->value;
    if (!(cap > 0 && cap <= 1)) {
      throw InputError("power_cap: must lie in (0, 1] (a fraction of TDP), got " + short_number(cap));
    }
    const WhatIfModel& w = cat.whatif;
    r.cap_time_factor = std::pow(cap, -w.power_cap_time_exponent.value);
    r.cap_power_factor = std::min(1.0, std::pow(cap, w.power_cap_power_exponent.value));
    Assumption& a = rec.given("power_cap", cap, "fraction of TDP", s.power_cap->origin);
    a.basis = Basis::power_cap;
    a.datum = &w.power_cap_time_exponent;
    a.datum2 = &w.power_cap_power_exponent;
    a.detail = r.cap_time_factor;
    a.detail2 = r.cap_power_factor;
  }
  if (s.renewable_share && s.market_based_intensity) {
    throw InputError("conflicting inputs: give --renewable-share or --market-based-intensity, not both");
  }
  if (s.renewable_share) {
    const double share = s.renewable_share->value;
    if (!(share >= 0 && share <= 1)) {
      throw InputError("renewable_share: must lie in [0, 1], got " + short_number(share));
    }
    r.renewable_share = share;
    rec.given("renewable_share", share, "fraction", s.renewable_share->origin);
  }
  if (s.market_based_intensity) {
    const double g = s.market_based_intensity->value;
    if (!(g >= 0)) {
      throw InputError("market_based_intensity: must not be negative");
    }
    r.market_based_intensity = g;
    rec.given("market_based_intensity", g, "gCO2e/kWh", s.market_based_intensity->origin);
  }

  if (r.phase != Phase::inference) {
    r.peak_flops_per_s = hw.peak(r.precision)->value * 1e12 / r.cap_time_factor;
    resolve_training(s, cat, hw, size, r, rec);
  }
  if (r.phase != Phase::training) {
    resolve_inference(s, cat, hw, size, compute, r, rec);
  }
  return r;
}

}  // namespace llm_energy
