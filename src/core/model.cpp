#include "llm_energy/model.hpp"

#include <algorithm>
#include <cmath>

namespace llm_energy::model {

double training_flops(double active_params, double tokens, bool recompute) {
  return (recompute ? 8.0 : 6.0) * active_params * tokens;
}

double chip_hours(double flops, double peak_flops_per_s, double mfu) {
  return flops / (peak_flops_per_s * mfu) / 3600.0;
}

double implied_mfu(double flops, double peak_flops_per_s, double chip_hours) {
  return flops / (peak_flops_per_s * chip_hours * 3600.0);
}

double wall_clock_hours(double chip_hours, double chips) {
  return chip_hours / chips;
}

double energy_kwh(double hours, double watts) {
  return hours * watts / 1000.0;
}

double facility_kwh(double it_kwh, double pue) {
  return it_kwh * pue;
}

double co2e_kg(double kwh, double g_per_kwh) {
  return kwh * g_per_kwh / 1000.0;
}

double onsite_water_l(double it_kwh, double wue_l_per_kwh) {
  return it_kwh * wue_l_per_kwh;
}

double generation_water_l(double facility_kwh, double l_per_kwh) {
  return facility_kwh * l_per_kwh;
}

double embodied_co2e_kg(double chip_hours, double embodied_kg_per_chip, double life_years) {
  return chip_hours * embodied_kg_per_chip / (life_years * k_hours_per_year);
}

double training_attention_flops_per_token(double layers, double seq_len, double attention_width,
                                          bool recompute) {
  return (recompute ? 8.0 : 6.0) * layers * seq_len * attention_width;
}

double default_global_batch_tokens(double flops, double a, double b, double min_tokens, double max_tokens) {
  return std::clamp(a * std::pow(flops, b), min_tokens, max_tokens);
}

namespace {
double pow2_at_least(double x) {
  return x <= 1 ? 1.0 : std::exp2(std::ceil(std::log2(x) - 1e-9));
}
double pow2_at_most(double x) {
  return x <= 1 ? 1.0 : std::exp2(std::floor(std::log2(x) + 1e-9));
}
}  // namespace

TrainingLayout training_layout(const TrainingSetup& s, const TrainingCoefficients& k) {
  TrainingLayout l;
  const double chips = std::max(1.0, s.chips);
  l.min_chips = std::max(1.0, std::ceil(k.state_bytes_per_param * s.params / s.memory_bytes - 1e-9));
  // 16-bit weights and gradients (4 bytes per parameter) on each model-parallel shard.
  const double mp =
      std::min(pow2_at_least(4.0 * s.params / (k.shard_memory_share * s.memory_bytes)), pow2_at_most(chips));
  l.tensor = std::min(mp, pow2_at_most(std::max(1.0, s.scale_up_domain)));
  l.pipeline = mp / l.tensor;
  l.data = chips / mp;
  l.tokens_per_replica = s.global_batch_tokens / l.data;
  return l;
}

TrainingEfficiency training_efficiency(const TrainingSetup& s, double ceiling,
                                       const TrainingCoefficients& k) {
  TrainingEfficiency e;
  e.layout = training_layout(s, k);
  const TrainingLayout& l = e.layout;
  const double flop_per_byte = s.peak_flops_per_s / s.memory_bytes_per_s;
  e.width_factor = 1.0 / (1.0 + k.width * flop_per_byte / s.hidden);
  // Data-parallel gradient all-reduce (ring: 2 (n-1)/n x 2-byte gradients of the shard) against
  // the shard's 6 N/(TP PP) x tokens-per-replica FLOPs, over the scale-up link when the whole run
  // fits in one domain, else the network.
  const double link = s.chips <= s.scale_up_domain ? s.scale_up_bytes_per_s : s.scale_out_bytes_per_s;
  if (l.data > 1 && link > 0) {
    e.communication = k.exposed_communication * (2.0 / 3.0) * (l.data - 1.0) / l.data * ceiling *
                      s.peak_flops_per_s / (l.tokens_per_replica * link);
  }
  if (l.pipeline > 1) {
    const double interleave = std::max(1.0, s.layers / l.pipeline);
    const double micro_batches = std::max(1.0, l.tokens_per_replica / s.seq_len);
    e.bubble = (l.pipeline - 1.0) / (interleave * micro_batches);
  }
  if (s.moe) {
    e.routing = k.moe_routing * flop_per_byte / s.hidden;
  }
  e.mfu = ceiling * e.width_factor / (1.0 + e.communication + e.bubble + e.routing);
  return e;
}

double default_training_chips(TrainingSetup s, double ceiling, const TrainingCoefficients& k, double flops,
                              double goodput, double target_hours, double min_chips) {
  s.chips = 1;
  double n = std::max(min_chips, pow2_at_least(training_layout(s, k).min_chips));
  for (int i = 0; i < 30; ++i) {
    s.chips = n;
    const TrainingEfficiency e = training_efficiency(s, ceiling, k);
    const double hours = chip_hours(flops, s.peak_flops_per_s, e.mfu * goodput);
    const double model_parallel = e.layout.tensor * e.layout.pipeline;
    if (hours / n <= target_hours || 2.0 * n / model_parallel > s.global_batch_tokens / s.seq_len) {
      break;
    }
    n *= 2;
  }
  return n;
}

double fat_tree_tiers(double endpoints, double radix) {
  if (endpoints <= radix) {
    return 1;
  }
  double tiers = 2;
  double reach = radix * radix / 2.0;
  while (endpoints > reach && tiers < 8) {
    reach *= radix / 2.0;
    tiers += 1;
  }
  return tiers;
}

double network_power_w(double chips, double scale_up_domain, double scale_out_bytes_per_s,
                       double link_bytes_per_s, double nic_w, double port_w, double radix) {
  if (chips <= scale_up_domain || !(scale_out_bytes_per_s > 0) || !(link_bytes_per_s > 0)) {
    return 0;
  }
  const double links = scale_out_bytes_per_s / link_bytes_per_s;
  const double tiers = fat_tree_tiers(chips * links, radix);
  return links * (nic_w + (2.0 * tiers - 1.0) * port_w);
}

double checkpoint_bytes_per_chip_hour(double params, double state_bytes_per_param, double chips,
                                      double interval_hours) {
  return params * state_bytes_per_param / (chips * interval_hours);
}

Shape default_shape(double params) {
  Shape s;
  double d = std::cbrt(params * 128.0 / 12.0);
  d = std::max(128.0, std::round(d / 128.0) * 128.0);
  s.hidden = d;
  s.layers = std::max(1.0, d / 128.0);
  s.head_dim = 128;
  s.heads = d / 128.0;
  s.kv_heads = std::min(s.heads, 8.0);
  return s;
}

double params_read_per_step(double params, double active_params, const Shape& s, double batch) {
  if (s.experts <= 0 || s.active_experts <= 0 || s.experts <= s.active_experts || params <= active_params) {
    return params;
  }
  const double per_expert = (params - active_params) / (s.experts - s.active_experts);
  const double shared = params - s.experts * per_expert;
  const double touched =
      s.experts * (1.0 - std::pow(1.0 - s.active_experts / s.experts, std::max(1.0, batch)));
  return std::min(params, shared + touched * per_expert);
}

double kv_bytes_per_sequence(const Shape& s, double context, double kv_bits) {
  return context * 2.0 * s.layers * s.kv_heads * s.head_dim * kv_bits / 8.0;
}

double forward_flops_per_token(double active_params, const Shape& s, double context) {
  return 2.0 * active_params + 4.0 * s.layers * context * s.heads * s.head_dim;
}

double prefill_flops(double active_params, const Shape& s, double tokens) {
  return tokens * forward_flops_per_token(active_params, s, tokens / 2.0);
}

double roofline_seconds(double flops, double flops_per_s, double bytes, double bytes_per_s) {
  return std::max(flops / flops_per_s, bytes / bytes_per_s);
}

double power_fraction(double floor, double u_mem, double u_compute, double mem_weight,
                      double compute_weight) {
  const double dynamic = mem_weight * u_mem + compute_weight * u_compute;
  return std::min(1.0, floor + (1.0 - floor) * std::min(1.0, dynamic));
}

}  // namespace llm_energy::model
