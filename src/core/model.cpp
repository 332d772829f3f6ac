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

double embodied_co2e_kg(double chip_hours, double embodied_kg_per_chip, double life_years) {
  return chip_hours * embodied_kg_per_chip / (life_years * k_hours_per_year);
}

double mfu_size_factor(double active_params, double reference, double exponent, double min_factor) {
  if (active_params >= reference) {
    return 1.0;
  }
  return std::clamp(std::pow(active_params / reference, exponent), min_factor, 1.0);
}

double chip_scaling_efficiency(double chips, double overhead) {
  if (!(chips > 8)) {
    return 1.0;
  }
  return 1.0 / (1.0 + overhead * std::log2(chips / 8.0));
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

double power_fraction(double idle_fraction, double u_mem, double u_compute, double mem_weight,
                      double compute_weight) {
  const double dynamic = mem_weight * u_mem + compute_weight * u_compute;
  return std::min(1.0, idle_fraction + (1.0 - idle_fraction) * std::min(1.0, dynamic));
}

}  // namespace llm_energy::model
