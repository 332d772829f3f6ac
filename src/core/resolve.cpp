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
    sh.moe_layers = arch->moe_layers;
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
  override_int(s.layers, sh.layers, "layers", false);
  override_int(s.hidden_size, sh.hidden, "hidden_size", false);
  override_int(s.head_dim, sh.head_dim, "head_dim", false);
  override_int(s.heads, sh.heads, "heads", false);
  override_int(s.kv_heads, sh.kv_heads, "kv_heads", false);
  // Derived dimensions follow the given ones: heads = hidden / head_dim, head_dim = hidden /
  // heads, and the default 8 KV heads (GQA) at most.
  if (!s.heads && (s.hidden_size || s.head_dim) && (arch == nullptr || s.hidden_size)) {
    sh.heads = std::max(1.0, std::round(sh.hidden / sh.head_dim));
    if (!s.kv_heads) {
      sh.kv_heads = std::min(sh.heads, arch != nullptr ? sh.kv_heads : 8.0);
    }
  }
  if (s.heads && !s.head_dim && arch == nullptr) {
    sh.head_dim = std::max(1.0, std::round(sh.hidden / sh.heads));
  }
  if (!s.kv_heads && sh.kv_heads > sh.heads) {
    sh.kv_heads = sh.heads;
  }
  override_int(s.experts, sh.experts, "experts", true);
  override_int(s.active_experts, sh.active_experts, "active_experts", true);
  override_int(s.moe_layers, sh.moe_layers, "moe_layers", true);
  if (sh.moe_layers > sh.layers || (sh.moe_layers > 0 && sh.experts == 0)) {
    throw InputError("moe_layers: must lie in [0, layers] and needs experts");
  }
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

// The network a training run's data-parallel all-reduce crosses: the chip's scale-up link
// inside one domain, else its network (or the catalog's fallback NIC).
void interconnect(const Hardware& hw, const Catalog& cat, model::TrainingSetup& su) {
  su.scale_up_bytes_per_s = hw.scale_up_gbps ? hw.scale_up_gbps->value * 1e9 : 0.0;
  su.scale_up_domain = hw.scale_up_domain ? hw.scale_up_domain->value : 1.0;
  su.scale_out_bytes_per_s =
      (hw.scale_out_gbps ? hw.scale_out_gbps->value : cat.training.fallback_scale_out_gbps.value) * 1e9;
}

// Log half-widths of the default MFU: the model error (the 80th percentile of the out-of-sample
// |ln(published / predicted)|) and the ceiling datum's own range (generations without runs),
// combined in quadrature.
Range mfu_band(double central, const Datum& ceiling, const Datum& model_error) {
  const double e = model_error.value;
  const double lo = std::log(ceiling.value / ceiling.low);
  const double hi = std::log(ceiling.high / ceiling.value);
  Range m{central * std::exp(-std::sqrt(e * e + lo * lo)), central,
          central * std::exp(std::sqrt(e * e + hi * hi))};
  m.high = std::min(m.high, 1.0);
  return m;
}

// Communication and storage, the training energy outside the servers' accelerators and hosts.
// The network: adapters and switch ports per chip on the fat tree its chip count needs (zero in
// one scale-up domain). The adapters sit in the servers whose measured wall power the host share
// is (Patterson et al. 2021; Chien et al. 2023), so the host share gives them up: only the switch
// ports are new energy. Storage: checkpoints of the training state and the dataset read once.
void resolve_fabric_and_storage(const Scenario& s, const TrainingModel& tm, const Hardware& hw, Size size,
                                TrainingInputs& t, const model::TrainingSetup& su, Resolved& r,
                                Recorder& rec) {
  const double link = tm.nic_link_gbps.value * 1e9;
  const double links = su.scale_out_bytes_per_s / link;
  auto network = [&](double nic, double port) {
    return model::network_power_w(t.chips, su.scale_up_domain, su.scale_out_bytes_per_s, link, nic, port,
                                  tm.switch_radix.value);
  };
  const double net_w = network(tm.nic_power_w.value, tm.switch_port_power_w.value);
  if (s.power_watts || !(net_w > 0)) {
    r.range(Uncertain::network_power) = Range::exact(0);  // --power-watts: the whole per-chip figure
  } else {
    r.range(Uncertain::network_power) = {network(tm.nic_power_w.low, tm.switch_port_power_w.low), net_w,
                                         network(tm.nic_power_w.high, tm.switch_port_power_w.high)};
    const double tiers = model::fat_tree_tiers(t.chips * links, tm.switch_radix.value);
    Assumption& a =
        rec.number("network_power_w", r.range(Uncertain::network_power), "W per chip", OriginKind::derived);
    a.basis = Basis::network_fabric;
    a.datum = &tm.nic_power_w;
    a.datum2 = &tm.switch_port_power_w;
    a.detail = links;
    a.detail2 = tiers;
    // The host range stays the catalog's (the inference phase shares it); estimate() takes the
    // adapters (`detail` of this assumption) off the training host share.
    const double nic_w = links * tm.nic_power_w.value;
    const Range host = r.range(Uncertain::host_power);
    const Range less{std::max(0.0, host.low - nic_w), std::max(0.0, host.value - nic_w),
                     std::max(0.0, host.high - nic_w)};
    Assumption& h = rec.number("host_power_less_nic_w", less, "W", OriginKind::derived);
    h.basis = Basis::host_less_nic;
    h.datum = &hw.host_power_w;
    h.detail = nic_w;
  }
  t.checkpoint_bytes_per_chip_hour = model::checkpoint_bytes_per_chip_hour(
      size.params, tm.state_bytes_per_param.value, t.chips, tm.checkpoint_interval_hours.value);
  t.dataset_bytes = t.tokens * tm.dataset_bytes_per_token.value;
  if (s.power_watts) {  // the whole per-chip figure: the fabric and storage are in it
    r.range(Uncertain::storage_energy) = Range::exact(0);
    return;
  }
  {
    Assumption& a =
        rec.number("checkpoint_gb", Range::exact(size.params * tm.state_bytes_per_param.value / 1e9),
                   "GB per checkpoint", OriginKind::derived);
    a.basis = Basis::checkpoint_writes;
    a.datum = &tm.checkpoint_interval_hours;
    a.datum2 = &tm.state_bytes_per_param;
    a.detail = tm.checkpoint_interval_hours.value;
  }
  {
    Assumption& a =
        rec.number("dataset_gb", Range::exact(t.dataset_bytes / 1e9), "GB read", OriginKind::derived);
    a.basis = Basis::dataset_reads;
    a.datum = &tm.dataset_bytes_per_token;
    a.detail = tm.dataset_bytes_per_token.value;
  }
  r.range(Uncertain::storage_energy) = tm.storage_j_per_gb.range();
  rec.cited("storage_j_per_gb", r.range(Uncertain::storage_energy), "J/GB", "training_model",
            tm.storage_j_per_gb)
      .origin = OriginKind::default_value;
}

// The training run's power (catalog figures or --power-watts) and embodied carbon.
void resolve_training_power(const Scenario& s, const Hardware& hw, Resolved& r, Recorder& rec) {
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
}

// A training run known only by its chip-hours (no --params, --model or --tokens): energy, CO2e
// and water from the hours at the chip's power; compute, utilisation and per-token figures need
// the model and its tokens and are left out (Estimate: flops 0).
void resolve_training_hours(const Scenario& s, const Hardware& hw, Resolved& r, Recorder& rec) {
  TrainingInputs t;
  require_positive(s.chip_hours->value, "chip_hours");
  t.chip_hours = s.chip_hours->value * r.cap_time_factor;
  rec.given("chip_hours", *t.chip_hours, "chip-hours", s.chip_hours->origin);
  t.chips = 0;  // unknown: no wall-clock
  if (s.chips) {
    t.chips = s.chips->value;
    require_positive(t.chips, "chips");
    require_integer(t.chips, "chips");
    rec.given("chips", t.chips, "chips", s.chips->origin);
  }
  {
    Assumption& a = rec.text("per_token_figures", "left out", OriginKind::derived);
    a.basis = Basis::hours_only;
  }
  r.range(Uncertain::mfu) = Range::exact(1.0);  // unused
  resolve_training_power(s, hw, r, rec);
  r.training = t;
}

void resolve_training(const Scenario& s, const Catalog& cat, const Hardware& hw, Size size,
                      const model::Shape& shape, Resolved& r, Recorder& rec) {
  if (!s.tokens) {
    throw InputError("training needs --tokens (or use --phase inference)");
  }
  const TrainingModel& tm = cat.training;
  const model::TrainingCoefficients coeff = training_coefficients(cat);
  TrainingInputs t;
  t.tokens = s.tokens->value;
  require_positive(t.tokens, "tokens");
  rec.given("tokens", t.tokens, "tokens", s.tokens->origin);
  t.recompute = s.recompute && s.recompute->value;
  if (s.recompute) {
    Assumption& a = rec.given("recompute", t.recompute ? 1 : 0, "", s.recompute->origin);
    a.basis = Basis::recompute;
  }
  const Datum& peak = *hw.peak(r.precision);
  {
    Assumption& a =
        rec.cited("peak_tflops", Range::exact(peak.value / r.cap_time_factor), "TFLOP/s", hw.id, peak);
    a.basis = Basis::peak;
    a.word = to_string(r.precision);
  }

  // FLOPs: 6 N D (8 with recomputation), the causal attention term at the sequence length,
  // and a distillation teacher's forward passes (2 N_t + its attention per token).
  if (s.seq_len) {
    require_positive(s.seq_len->value, "seq_len");
    require_integer(s.seq_len->value, "seq_len");
    t.seq_len = s.seq_len->value;
    rec.given("seq_len", t.seq_len, "tokens", s.seq_len->origin);
  } else {
    t.seq_len = tm.seq_len.value;
    rec.cited("seq_len", Range::exact(t.seq_len), "tokens", "training_model", tm.seq_len).origin =
        OriginKind::default_value;
  }
  const double main_flops = model::training_flops(size.active, t.tokens, t.recompute);
  const double attention = t.tokens * model::training_attention_flops_per_token(
                                          shape.layers, t.seq_len, shape.heads * shape.head_dim, t.recompute);
  t.flops = main_flops + attention;
  {
    Assumption& a = rec.number("attention_flops", Range::exact(attention), "FLOP", OriginKind::derived);
    a.basis = Basis::attention_flops;
    a.detail = attention / main_flops;
  }
  if (s.teacher_params) {
    const double nt = s.teacher_params->value;
    require_positive(nt, "teacher_params");
    const model::Shape ts = model::default_shape(nt);
    t.flops += t.tokens * (2.0 * nt + 2.0 * ts.layers * t.seq_len * ts.heads * ts.head_dim);
    rec.given("teacher_params", nt, "parameters", s.teacher_params->origin);
  }

  // The run as the utilisation model sees it.
  model::TrainingSetup& su = t.setup;
  su.params = size.params;
  su.active_params = size.active;
  su.hidden = shape.hidden;
  su.layers = shape.layers;
  su.moe = size.active < size.params || shape.experts > 0;
  su.seq_len = t.seq_len;
  su.peak_flops_per_s = r.peak_flops_per_s;
  su.memory_bytes_per_s = hw.memory_bandwidth_gbps.value * 1e9 / r.cap_time_factor;
  su.memory_bytes = hw.memory_gb.value * 1e9;
  interconnect(hw, cat, su);
  if (s.global_batch_tokens) {
    require_positive(s.global_batch_tokens->value, "global_batch_tokens");
    su.global_batch_tokens = s.global_batch_tokens->value;
    rec.given("global_batch_tokens", su.global_batch_tokens, "tokens", s.global_batch_tokens->origin);
  } else {
    su.global_batch_tokens =
        model::default_global_batch_tokens(main_flops, tm.batch_coefficient.value, tm.batch_exponent.value,
                                           tm.batch_min_tokens.value, tm.batch_max_tokens.value);
    Assumption& a = rec.number("global_batch_tokens", Range::exact(su.global_batch_tokens), "tokens",
                               OriginKind::default_value);
    a.basis = Basis::batch_law;
    a.datum = &tm.batch_coefficient;
    a.datum2 = &tm.batch_exponent;
  }
  t.global_batch_tokens = su.global_batch_tokens;
  if (s.goodput) {
    t.goodput = s.goodput->value;
    if (!(t.goodput > 0 && t.goodput <= 1)) {
      throw InputError("goodput: must lie in (0, 1]");
    }
    rec.given("goodput", t.goodput, "fraction", s.goodput->origin);
  } else {
    t.goodput = tm.goodput.value;
    rec.cited("goodput", Range::exact(t.goodput), "fraction", "training_model", tm.goodput).origin =
        OriginKind::default_value;
  }

  const Datum& ceiling = hw.training_mfu;
  su.chips = 1;
  const double min_chips = model::training_layout(su, coeff).min_chips;
  if (s.chips) {
    t.chips = s.chips->value;
    require_positive(t.chips, "chips");
    require_integer(t.chips, "chips");
    rec.given("chips", t.chips, "chips", s.chips->origin);
  } else {
    // The fewest chips (powers of two from one server) that finish within the target, with at
    // least one sequence per data-parallel replica; a given --mfu or --chip-hours counts.
    double n = 0;
    if (s.mfu || s.chip_hours) {
      const double hours = s.chip_hours ? s.chip_hours->value : 0.0;
      const double mfu = s.mfu ? s.mfu->value.value : 1.0;
      model::TrainingCoefficients fixed = coeff;
      fixed.width = 0;
      fixed.moe_routing = 0;
      fixed.exposed_communication = 0;
      // With the utilisation given, only the wall-clock target and the state bound apply.
      const double flops = s.chip_hours ? hours * 3600.0 * su.peak_flops_per_s * mfu * t.goodput : t.flops;
      n = model::default_training_chips(su, mfu, fixed, flops, t.goodput, tm.target_days.value * 24.0,
                                        tm.min_chips.value);
    } else {
      n = model::default_training_chips(su, ceiling.value, coeff, t.flops, t.goodput,
                                        tm.target_days.value * 24.0, tm.min_chips.value);
    }
    t.chips = n;
    Assumption& a = rec.number("chips", Range::exact(t.chips), "chips", OriginKind::default_value);
    a.basis = Basis::default_chips;
    a.datum = &tm.target_days;
    a.detail = tm.target_days.value;
    a.detail2 = tm.min_chips.value;
  }
  if (t.chips < min_chips) {
    char buf[320];
    std::snprintf(buf, sizeof buf,
                  "chips: %.0f x %s (%.0f GB each) cannot hold the training state of %.3g parameters "
                  "(%.0f bytes each, fully sharded: %.0f GB); use at least %.0f chips",
                  t.chips, std::string(hw.id).c_str(), hw.memory_gb.value, size.params,
                  tm.state_bytes_per_param.value, tm.state_bytes_per_param.value * size.params / 1e9,
                  min_chips);
    throw InputError(buf);
  }
  su.chips = t.chips;
  const model::TrainingEfficiency eff = model::training_efficiency(su, ceiling.value, coeff);
  t.layout = eff.layout;
  {
    Assumption& a = rec.number("training_layout", Range::exact(eff.layout.data), "data-parallel replicas",
                               OriginKind::derived);
    a.basis = Basis::training_layout;
    a.datum = &tm.shard_memory_share;
    a.detail = eff.layout.tensor;
    a.detail2 = eff.layout.pipeline;
  }

  if (s.chip_hours) {
    require_positive(s.chip_hours->value, "chip_hours");
    t.chip_hours = s.chip_hours->value * r.cap_time_factor;
    rec.given("chip_hours", *t.chip_hours, "chip-hours", s.chip_hours->origin);
    r.range(Uncertain::mfu) = Range::exact(1.0);  // unused
  } else if (s.mfu) {
    check_fraction_range(s.mfu->value, "mfu");
    r.range(Uncertain::mfu) = s.mfu->value.scaled(t.goodput);
    rec.number("mfu", s.mfu->value, "fraction", origin_of(s.mfu->origin));
  } else {
    t.efficiency = eff;
    {
      Assumption& a = rec.cited("mfu_ceiling", ceiling.range(), "fraction", hw.id, ceiling);
      a.basis = Basis::mfu_ceiling;
      a.word = hw.generation;
    }
    {
      Assumption& a =
          rec.number("width_factor", Range::exact(eff.width_factor), "factor", OriginKind::derived);
      a.basis = Basis::width_factor;
      a.datum = &tm.width_coefficient;
      a.detail = su.hidden;
    }
    if (eff.communication > 0) {
      Assumption& a =
          rec.number("communication", Range::exact(eff.communication), "of step", OriginKind::derived);
      a.basis = Basis::communication;
      a.datum = &tm.exposed_communication;
      a.detail = eff.layout.tokens_per_replica;
      a.detail2 = (t.chips <= su.scale_up_domain ? su.scale_up_bytes_per_s : su.scale_out_bytes_per_s) / 1e9;
    }
    if (eff.bubble > 0) {
      Assumption& a = rec.number("pipeline_bubble", Range::exact(eff.bubble), "of step", OriginKind::derived);
      a.basis = Basis::pipeline_bubble;
      a.detail = eff.layout.pipeline;
      a.detail2 = std::max(1.0, eff.layout.tokens_per_replica / t.seq_len);
    }
    if (eff.routing > 0) {
      Assumption& a = rec.number("moe_routing", Range::exact(eff.routing), "of step", OriginKind::derived);
      a.basis = Basis::moe_routing;
      a.datum = &tm.moe_routing_coefficient;
    }
    const Range m = mfu_band(eff.mfu, ceiling, tm.model_error);
    Assumption& a = rec.number("mfu", m, "fraction", OriginKind::derived);
    a.basis = Basis::utilisation_model;
    a.datum = &tm.model_error;
    r.range(Uncertain::mfu) = m.scaled(t.goodput);
  }
  resolve_training_power(s, hw, r, rec);
  resolve_fabric_and_storage(s, tm, hw, size, t, su, r, rec);
  r.training = t;
}

void resolve_inference(const Scenario& s, const Catalog& cat, const Hardware& hw, Size size,
                       const model::Shape& shape, Precision compute, Resolved& r, Recorder& rec) {
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

  // Total output tokens: --inference-tokens, else --requests x output tokens, else --tokens, else
  // one request.
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
  } else if (s.requests_per_day || s.request_rate || !s.load_profile_csv.empty()) {
    // A fleet: one day of its requests (a profile file's own rates when no rate is given).
    const double per_day =
        s.requests_per_day ? s.requests_per_day->value
        : s.request_rate   ? s.request_rate->value * 86400.0
                           : parse_load_profile(s.load_profile_csv, s.load_profile->value).mean() * 86400.0;
    require_positive(per_day, s.requests_per_day ? "requests_per_day" : "request_rate");
    in.tokens = per_day * output_tokens;
    rec.number("inference_tokens", Range::exact(in.tokens), "tokens", OriginKind::derived);
  } else {
    // No count given: one request (what a local user asks first: the cost of one answer).
    in.tokens = output_tokens;
    Assumption& a =
        rec.number("inference_tokens", Range::exact(in.tokens), "tokens", OriginKind::default_value);
    a.basis = Basis::cited;
    a.datum = s.output_tokens ? nullptr : &sm.default_output_tokens;
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

  // Memory per replica and chip count. Paged KV cache (vLLM and successors): in steady state
  // a sequence holds its prompt plus on average half its output. A serving engine admits the
  // sequences its KV cache can hold and queues the rest: only weights that do not fit refuse.
  const double weight_bytes = params * weight_bits / 8.0;
  const double mean_context = input_tokens + 0.5 * output_tokens;
  const double kv_per_sequence = model::kv_bytes_per_sequence(shape, mean_context, kv_bits);
  const double headroom = sm.memory_headroom.value;
  const double chip_bytes = hw.memory_gb.value * 1e9;
  auto admits = [&](double chips) {
    return model::admitted_batch(weight_bytes, kv_per_sequence, chips, chip_bytes, headroom);
  };
  constexpr double k_max_replica = 64;
  double chips = 1;
  if (s.inference_chips) {
    chips = s.inference_chips->value;
    require_positive(chips, "inference_chips");
    require_integer(chips, "inference_chips");
    if (admits(chips) < 1) {
      char buf[260];
      std::snprintf(
          buf, sizeof buf,
          "inference_chips: %.0f x %s (%.0f GB) cannot hold the %.0f GB of weights and one sequence's "
          "KV cache (x%.1f headroom)",
          chips, std::string(hw.id).c_str(), chips * hw.memory_gb.value, weight_bytes / 1e9, headroom);
      throw InputError(buf);
    }
    rec.given("inference_chips", chips, "chips", s.inference_chips->origin);
  } else {
    while (admits(chips) < batch.value && chips < k_max_replica) {
      chips *= 2;
    }
    if (admits(chips) < 1) {
      char buf[260];
      std::snprintf(
          buf, sizeof buf,
          "the model's weights (%.0f GB, x%.1f headroom) and one sequence's KV cache do not fit in %.0f x "
          "%s (%.0f GB each); use a lower --precision or other hardware",
          weight_bytes / 1e9, headroom, k_max_replica, std::string(hw.id).c_str(), hw.memory_gb.value);
      throw InputError(buf);
    }
    Assumption& a = rec.number("inference_chips", Range::exact(chips), "chips", OriginKind::derived);
    a.basis = Basis::smallest_replica;
    a.detail = headroom;
  }
  in.max_batch = s.batch_size ? batch.value : std::min(admits(chips), 4096.0);
  const double admitted = std::min(batch.value, admits(chips));
  if (admitted < batch.value) {
    batch = Range::exact(admitted);
    Assumption& a = rec.number("admitted_batch", batch, "sequences", OriginKind::derived);
    a.basis = Basis::kv_admission;
    a.detail = kv_per_sequence / 1e6;
    a.detail2 = chips;
  }
  in.memory_required_gb = (weight_bytes + batch.value * kv_per_sequence) * headroom / 1e9;

  model::ServingSetup& su = in.setup;
  su.params = params;
  su.active_params = active;
  su.shape = shape;
  su.weight_bits = weight_bits;
  su.kv_bits = kv_bits;
  su.peak_flops_per_s = hw.peak(in.compute_precision)->value * 1e12 / r.cap_time_factor * sparse_peak;
  su.vector_flops_per_s =
      hw.peak(Precision::fp32) ? hw.peak(Precision::fp32)->value * 1e12 / r.cap_time_factor : 0.0;
  su.weight_only = weight_bits < bits_of(in.compute_precision);
  su.fp8_compute = in.compute_precision == Precision::fp8;
  su.bandwidth_bytes_per_s = hw.memory_bandwidth_gbps.value * 1e9 / r.cap_time_factor;
  su.chips = chips;
  su.batch = batch.value;
  su.input_tokens = input_tokens;
  su.output_tokens = output_tokens;
  su.tdp_w = hw.tdp_w.value * r.cap_power_factor;
  rec.cited("memory_bandwidth_gbps", Range::exact(hw.memory_bandwidth_gbps.value / r.cap_time_factor), "GB/s",
            hw.id, hw.memory_bandwidth_gbps);
  if (r.phase == Phase::inference && !s.power_watts) {  // (a training phase records them already)
    rec.cited("tdp_w", Range::exact(su.tdp_w), "W", hw.id, hw.tdp_w);
    rec.cited("host_power_w", hw.host_power_w.range(), "W", hw.id, hw.host_power_w);
  }

  // The serving stack: current engines keep the GPU busy through a step (CUDA graphs, async
  // scheduling); vLLM 0.5 and earlier leave it waiting on the host for most of each step.
  const bool legacy = s.serving_stack && s.serving_stack->value == "legacy";
  {
    Assumption& a =
        rec.text("serving_stack", legacy ? "legacy" : "current",
                 s.serving_stack ? origin_of(s.serving_stack->origin) : OriginKind::default_value);
    a.basis = legacy ? Basis::cited : Basis::given;
    a.datum = legacy ? &sm.legacy_busy_share : nullptr;
  }

  // The spread of an inference estimate: the serving model's out-of-sample error (its inputs
  // are central values; their own spreads are inside that error).
  const double q = sm.model_error.value;
  r.range(Uncertain::memory_efficiency) = Range::exact(sm.memory_efficiency.value);
  r.range(Uncertain::kv_efficiency) = Range::exact(sm.kv_efficiency.value);
  r.range(Uncertain::compute_efficiency) = Range::exact(sm.compute_efficiency.value);
  r.range(Uncertain::serving_model_error) = {std::exp(-q), 1.0, std::exp(q)};
  r.range(Uncertain::host_power) = s.power_watts ? Range::exact(0) : hw.host_power_w.range();
  r.range(Uncertain::batch_size) = batch;

  model::ServingFactors& f = in.factors;
  f.memory_efficiency = sm.memory_efficiency.value;
  f.kv_efficiency = sm.kv_efficiency.value;
  f.compute_efficiency = sm.compute_efficiency.value;
  f.prefill_efficiency = sm.prefill_efficiency.value;
  // GPU-side fixed times slow down with the clocks under a power cap, as the roofline does.
  const double us = 1e-6 * r.cap_time_factor;
  f.layer_time_s = sm.layer_time_us.value * us;
  f.moe_layer_time_s = sm.moe_layer_time_us.value * us;
  f.fp8_moe_layer_time_s = sm.fp8_moe_layer_time_us.value * us;
  f.allreduce_time_s = sm.allreduce_time_us.value * us;
  f.all_to_all_time_s = sm.all_to_all_time_us.value * us;
  f.sequence_time_s = sm.sequence_time_us.value * us;
  f.dequant_ops_per_weight = sm.dequant_ops_per_weight.value;
  f.idle_fraction = hw.idle_power_fraction.value;
  f.active_floor = sm.active_floor.value;
  f.power_memory_weight = sm.power_memory_weight.value;
  f.power_compute_weight = sm.power_compute_weight.value;
  f.host_busy_share = legacy ? sm.legacy_busy_share.value : 1.0;
  f.time_overhead = 1.0;
  f.host_w = r.range(Uncertain::host_power).value;
  f.pue = r.grid.pue.value;
  if (s.power_watts) {
    in.power_override_w = s.power_watts->value.value * r.cap_power_factor;
  }
  {
    const model::ServingPoint pt = model::serve(su, f);
    Assumption& a =
        rec.number("fixed_time_per_step", Range::exact(pt.fixed_s * 1e3), "ms", OriginKind::derived);
    a.basis = Basis::fixed_step_time;
    a.datum = &sm.layer_time_us;
    a.datum2 = shape.experts > 0 ? &sm.moe_layer_time_us : nullptr;
    a.detail = shape.layers;
    a.detail2 = chips;
  }
  {
    Assumption& a = rec.cited("serving_model_error", r.range(Uncertain::serving_model_error), "factor",
                              "serving_model", sm.model_error);
    a.basis = Basis::model_error;
  }
  r.inference = in;
}

bool has_fleet_fields(const Scenario& s) {
  return s.requests_per_day || s.request_rate || s.load_profile || s.max_tpot_ms || s.max_ttft_ms ||
         s.provisioning || s.redundancy || s.autoscale_min_replicas || s.autoscale_step ||
         s.autoscale_lag_min || s.prefill_hardware || s.decode_hardware;
}

// The pool of replicas of resolved inputs `r` (its hardware, replica and factors).
FleetPool pool_of(const Resolved& r, PoolRole role, const Catalog& cat, Recorder* rec) {
  const Hardware& hw = *r.hardware;
  const InferenceInputs& in = *r.inference;
  FleetPool p;
  p.role = role;
  p.hardware = hw.id;
  p.setup = in.setup;
  p.factors = in.factors;
  p.max_batch = in.max_batch;
  p.host_idle_fraction = cat.serving.host_idle_fraction.value;
  p.scale_out_gbps =
      hw.scale_out_gbps ? hw.scale_out_gbps->value : cat.training.fallback_scale_out_gbps.value;
  // Idle draw: the entry's measured figure, else the generation's idle fraction of TDP.
  const char* key = role == PoolRole::prefill  ? "prefill_idle_power_w"
                    : role == PoolRole::decode ? "decode_idle_power_w"
                                               : "idle_power_w";
  if (hw.idle_power_w) {
    p.idle_w = hw.idle_power_w->value;
    if (rec != nullptr) {
      rec->cited(key, hw.idle_power_w->range(), "W", hw.id, *hw.idle_power_w);
    }
  } else {
    p.idle_w = hw.idle_power_fraction.value * hw.tdp_w.value * r.cap_power_factor;
    if (rec != nullptr) {
      Assumption& a = rec->number(key, Range::exact(p.idle_w), "W", OriginKind::catalog);
      a.entry = hw.id;
      a.basis = Basis::cited;
      a.datum = &hw.idle_power_fraction;
    }
  }
  return p;
}

// The inputs of `s` on other hardware, for a prefill or decode pool: the same model, requests
// and precision, its own replica (the smallest that fits) and catalog figures.
Resolved resolve_on(const Scenario& s, std::string_view hardware, double tokens, const Catalog& cat) {
  Scenario o = s;
  o.hardware = Given<std::string>{std::string(hardware), Origin::flag};
  o.phase = Given<Phase>{Phase::inference, Origin::flag};
  o.requests_per_day.reset();
  o.request_rate.reset();
  o.load_profile.reset();
  o.max_tpot_ms.reset();
  o.max_ttft_ms.reset();
  o.provisioning.reset();
  o.redundancy.reset();
  o.autoscale_min_replicas.reset();
  o.autoscale_step.reset();
  o.autoscale_lag_min.reset();
  o.prefill_hardware.reset();
  o.decode_hardware.reset();
  o.inference_chips.reset();
  o.requests.reset();
  o.tokens.reset();
  o.inference_tokens = Given<double>{tokens, Origin::flag};
  return resolve(o, cat);
}

void resolve_fleet(const Scenario& s, const Catalog& cat, Resolved& r, Recorder& rec) {
  const ServingModel& sm = cat.serving;
  if (s.power_watts) {
    throw InputError(
        "power_watts: a fleet needs the catalog's busy, idle and host power (drop --power-watts)");
  }
  FleetInputs f;
  // The rate.
  if (s.requests_per_day && s.request_rate) {
    throw InputError("conflicting inputs: give --requests-per-day or --request-rate, not both");
  }
  if (s.requests && (s.requests_per_day || s.request_rate)) {
    throw InputError(
        "conflicting inputs: give --requests (a total) or a fleet rate (--requests-per-day), not both");
  }
  constexpr double k_max_per_day = 1e11;
  if (s.requests_per_day) {
    require_positive(s.requests_per_day->value, "requests_per_day");
    if (s.requests_per_day->value > k_max_per_day) {
      throw InputError("requests_per_day: at most 1e11 (a thousand times the largest public services)");
    }
    f.requests_per_s = s.requests_per_day->value / 86400.0;
    rec.given("requests_per_day", s.requests_per_day->value, "requests/day", s.requests_per_day->origin);
  } else if (s.request_rate) {
    require_positive(s.request_rate->value, "request_rate");
    if (s.request_rate->value * 86400.0 > k_max_per_day) {
      throw InputError("request_rate: at most 1.16e6 requests per second");
    }
    f.requests_per_s = s.request_rate->value;
    rec.given("request_rate", s.request_rate->value, "requests/s", s.request_rate->origin);
  }
  // The load profile.
  const std::string profile = s.load_profile ? s.load_profile->value : "flat";
  if (auto b = builtin_load_profile(profile, sm.diurnal_amplitude.value, sm.diurnal_peak_hour.value,
                                    sm.business_start_hour.value, sm.business_end_hour.value,
                                    sm.business_off_share.value)) {
    f.profile = *b;
    const OriginKind o = s.load_profile ? origin_of(s.load_profile->origin) : OriginKind::default_value;
    if (profile == "diurnal") {
      Assumption& a = rec.cited("load_profile", sm.diurnal_amplitude.range(), "amplitude", "diurnal",
                                sm.diurnal_amplitude);
      a.origin = o;
    } else if (profile == "business-hours") {
      Assumption& a = rec.cited("load_profile", sm.business_off_share.range(), "off-hours share",
                                "business-hours", sm.business_off_share);
      a.origin = o;
    } else {
      rec.text("load_profile", "flat", o);
    }
  } else if (!s.load_profile_csv.empty()) {
    f.profile = parse_load_profile(s.load_profile_csv, profile);
    rec.text("load_profile", "file", origin_of(s.load_profile->origin));
    if (f.requests_per_s == 0) {
      f.requests_per_s = f.profile.mean();  // the file's rates, as given
    }
  } else {
    throw InputError("load_profile: '" + profile.substr(0, 60) +
                     "' is not flat, diurnal or business-hours (or a readable CSV file hour,rate)");
  }
  if (!(f.requests_per_s > 0)) {
    throw InputError("a fleet needs --requests-per-day, --request-rate or a --load-profile file of rates");
  }
  // Latency targets.
  if (s.max_tpot_ms) {
    require_positive(s.max_tpot_ms->value, "max_tpot_ms");
    f.max_tpot_s = s.max_tpot_ms->value / 1e3;
    rec.given("max_tpot_ms", s.max_tpot_ms->value, "ms", s.max_tpot_ms->origin);
  }
  if (s.max_ttft_ms) {
    require_positive(s.max_ttft_ms->value, "max_ttft_ms");
    f.max_ttft_s = s.max_ttft_ms->value / 1e3;
    rec.given("max_ttft_ms", s.max_ttft_ms->value, "ms", s.max_ttft_ms->origin);
  }
  // Provisioning.
  f.provisioning = s.provisioning && s.provisioning->value == "autoscale" ? Provisioning::autoscale
                                                                          : Provisioning::static_peak;
  rec.text("provisioning", to_string(f.provisioning),
           s.provisioning ? origin_of(s.provisioning->origin) : OriginKind::default_value);
  if (s.redundancy) {
    const double x = s.redundancy->value;
    if (!(x >= 0) || (x >= 1 && x != std::floor(x)) || x > 10000) {
      throw InputError(
          "redundancy: give spare replicas (a whole number, e.g. 1 for N+1) or a fraction in [0, 1)");
    }
    f.redundancy = x;
    rec.given("redundancy", x, x >= 1 ? "replicas" : "fraction", s.redundancy->origin);
  }
  auto knob = [&](const std::optional<Given<double>>& g, const char* key, const Datum& d, const char* unit,
                  bool integer, double min) {
    if (g) {
      if (!(g->value >= min) || g->value > 1e6) {
        throw InputError(std::string(key) + ": must lie in [" + short_number(min) + ", 1e6]");
      }
      if (integer) {
        require_integer(g->value, key);
      }
      rec.given(key, g->value, unit, g->origin);
      return g->value;
    }
    if (f.provisioning == Provisioning::autoscale) {
      rec.cited(key, d.range(), unit, "serving_model", d);
    }
    return d.value;
  };
  f.min_replicas = knob(s.autoscale_min_replicas, "autoscale_min_replicas", sm.autoscale_min_replicas,
                        "replicas", true, 1);
  f.step = knob(s.autoscale_step, "autoscale_step", sm.autoscale_step, "replicas", true, 1);
  f.lag_h = knob(s.autoscale_lag_min, "autoscale_lag_min", sm.autoscale_lag_min, "minutes", false, 0) / 60.0;
  if (f.provisioning == Provisioning::static_peak &&
      (s.autoscale_min_replicas || s.autoscale_step || s.autoscale_lag_min)) {
    throw InputError("the --autoscale-* settings need --provisioning autoscale");
  }
  // Pools: one colocated, or prefill and decode apart.
  if (s.prefill_hardware || s.decode_hardware) {
    const double tokens = r.inference->tokens;
    for (const auto& [g, role] : {std::pair{&s.prefill_hardware, PoolRole::prefill},
                                  std::pair{&s.decode_hardware, PoolRole::decode}}) {
      if (*g) {
        const Hardware& other = cat.find_hardware((*g)->value);
        Assumption& a = rec.text(role == PoolRole::prefill ? "prefill_hardware" : "decode_hardware", other.id,
                                 origin_of((*g)->origin));
        a.basis = Basis::entry_name;
        a.word = other.name;
        const Resolved o = resolve_on(s, other.id, tokens, cat);
        rec.number(role == PoolRole::prefill ? "prefill_inference_chips" : "decode_inference_chips",
                   Range::exact(o.inference->setup.chips), "chips", OriginKind::derived);
        f.pools.push_back(pool_of(o, role, cat, &rec));
      } else {
        f.pools.push_back(pool_of(r, role, cat, &rec));
      }
    }
  } else {
    f.pools.push_back(pool_of(r, PoolRole::colocated, cat, &rec));
  }
  {
    Assumption& a = rec.cited("host_idle_fraction", sm.host_idle_fraction.range(), "fraction",
                              "serving_model", sm.host_idle_fraction);
    a.basis = Basis::cited;
  }
  f.intensity_g_per_kwh = r.grid.intensity.value;
  FleetRanges& q = r.fleet_ranges;
  q.time_overhead = r.range(Uncertain::serving_model_error);
  const Range host = r.range(Uncertain::host_power);
  q.host_factor =
      host.value > 0 ? Range{host.low / host.value, 1.0, host.high / host.value} : Range::exact(1);
  q.pue = r.grid.pue;
  q.intensity = r.grid.intensity;
  q.wue = r.grid.wue;
  q.water_intensity = r.grid.water_intensity;
  r.fleet = std::move(f);
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

model::TrainingCoefficients training_coefficients(const Catalog& cat) {
  const TrainingModel& tm = cat.training;
  return {.width = tm.width_coefficient.value,
          .moe_routing = tm.moe_routing_coefficient.value,
          .exposed_communication = tm.exposed_communication.value,
          .state_bytes_per_param = tm.state_bytes_per_param.value,
          .shard_memory_share = tm.shard_memory_share.value};
}

Grid resolve_grid(const Scenario& s, const Catalog& cat, std::vector<Assumption>* out, bool on_device) {
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
    rec.text("grid_basis", "as given", origin_of(s.carbon_intensity->origin));
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
    // Every CO2e figure's basis, as a value of its own (life-cycle, operational or direct
    // combustion): figures on different bases do not compare.
    Assumption& b =
        rec.text("grid_basis", g.region->basis.empty() ? "unstated" : g.region->basis, OriginKind::catalog);
    b.entry = g.region->id;
    b.basis = Basis::cited;  // the intensity's own source states its basis
    b.datum = &g.region->carbon_intensity;
  }
  // The facility: --facility names a class's entry; else an edge device's own site; else a cloud
  // region's operator, else the catalog's default class (documented in configs/regions.json).
  const Operator& fac = s.facility            ? cat.find_operator(s.facility->value)
                        : on_device           ? cat.find_operator("on-device")
                        : g.region != nullptr ? cat.operator_for(*g.region)
                                              : cat.find_operator(cat.default_operator);
  g.facility = &fac;
  {
    const bool own =
        s.facility == std::nullopt && !on_device && g.region != nullptr && !g.region->operator_id.empty();
    Assumption& a = rec.text("facility", fac.id,
                             s.facility ? origin_of(s.facility->origin)
                             : own      ? OriginKind::catalog
                                        : OriginKind::default_value);
    a.basis = Basis::facility;
    a.word = fac.name;
    a.entry = own ? g.region->id : std::string_view();
    a.detail = own ? 1 : 0;
  }
  if (s.pue) {
    g.pue = s.pue->value;
    if (!(g.pue.low >= 1.0)) {
      throw InputError("pue: must be at least 1.0");
    }
    rec.number("pue", g.pue, "ratio", origin_of(s.pue->origin));
  } else {
    g.op = &fac;
    g.pue = g.op->pue.range();
    rec.cited("pue", g.pue, "ratio", g.op->id, g.op->pue);
  }
  g.wue = fac.wue_l_per_kwh.range();
  rec.cited("wue_l_per_kwh", g.wue, "L/kWh", fac.id, fac.wue_l_per_kwh);
  if (g.region != nullptr && g.region->water_intensity) {
    g.water_intensity = g.region->water_intensity->range();
    g.water_intensity_known = true;
    rec.cited("water_intensity", g.water_intensity, "L/kWh", g.region->id, *g.region->water_intensity);
  } else {
    g.water_intensity = Range::exact(0);
    Assumption& a = rec.text("water_intensity", "not counted", OriginKind::derived);
    a.basis = Basis::water_unsourced;
    a.word = g.region != nullptr ? std::string_view(g.region->id) : std::string_view("custom");
  }
  return g;
}

Resolved resolve(const Scenario& s, const Catalog& cat) {
  Resolved r;
  Recorder rec(&r.assumptions);
  r.assumptions.reserve(32);
  // A fleet without training tokens is a serving question: the inference phase.
  r.phase = s.phase ? s.phase->value : (has_fleet_fields(s) && !s.tokens ? Phase::inference : Phase::both);
  // The researcher's path: a run known by its chip-hours alone is a training footprint.
  const bool hours_only = s.chip_hours && !s.params && !s.model && !s.tokens;
  if (hours_only) {
    if (s.phase && s.phase->value != Phase::training) {
      throw InputError(
          "--chip-hours without --params and --tokens estimates a training run only (use --phase training, "
          "or give --params and --tokens)");
    }
    r.phase = Phase::training;
  }
  const Size size = hours_only ? Size{} : resolve_size(s, cat, r, rec);
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
  const bool accelerator = hw.kind == "accelerator";
  if (!accelerator && r.phase != Phase::inference) {
    throw InputError("training: " + std::string(hw.id) + " is " +
                     (hw.kind == "cpu" ? "a CPU" : "an edge device") +
                     "; llm-energy estimates training on accelerators only (use --phase inference)");
  }
  Precision compute = default_precision(hw);
  if (s.precision) {
    r.precision = s.precision->value;
    if (!hw.peak(r.precision)) {
      if (r.phase != Phase::inference || bits_of(r.precision) >= 16) {
        throw InputError("precision: " + std::string(hw.id) + " has no " +
                         std::string(to_string(r.precision)) + " peak (it has " + precisions_of(hw) + ")");
      }
      // CPUs and edge devices run integer block formats (GGUF Q8_0, Q4_0, Q4_K: llama.cpp, Ollama);
      // no common runtime there stores FP8 weights.
      if (!accelerator && r.precision == Precision::fp8) {
        throw InputError(
            "precision: " + std::string(hw.id) +
            " cannot run fp8 weights (CPUs and edge devices run q4, int4 or int8 weight formats, or " +
            precisions_of(hw) + ")");
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

  r.grid = resolve_grid(s, cat, &r.assumptions, hw.kind == "edge");
  r.range(Uncertain::pue) = r.grid.pue;
  r.range(Uncertain::carbon_intensity) = r.grid.intensity;
  r.range(Uncertain::wue) = r.grid.wue;
  r.range(Uncertain::water_intensity) = r.grid.water_intensity;

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

  if (hours_only) {
    r.peak_flops_per_s = hw.peak(r.precision)->value * 1e12 / r.cap_time_factor;
    resolve_training_hours(s, hw, r, rec);
    return r;
  }
  const model::Shape shape = resolve_shape(s, r.model, size.active, rec);
  r.shape = shape;
  if (r.phase != Phase::inference) {
    r.peak_flops_per_s = hw.peak(r.precision)->value * 1e12 / r.cap_time_factor;
    resolve_training(s, cat, hw, size, shape, r, rec);
  }
  if (r.phase != Phase::training) {
    resolve_inference(s, cat, hw, size, shape, compute, r, rec);
    if (has_fleet_fields(s)) {
      resolve_fleet(s, cat, r, rec);
    }
  }
  return r;
}

}  // namespace llm_energy
