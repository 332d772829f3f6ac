#include <algorithm>
#include <cmath>

#include "llm_energy/model.hpp"

namespace llm_energy::model {

ServingPoint serve(const ServingSetup& su, const ServingFactors& f) {
  ServingPoint p;
  const double chips = std::max(1.0, su.chips);
  const double batch = std::max(1.0, su.batch);
  const double tp_factor = 1.0 + f.tp_overhead * std::log2(chips);

  // Decode: one step produces one token for each of `batch` sequences whose mean context is
  // the prompt plus half the output.
  const double context = su.input_tokens + 0.5 * su.output_tokens;
  const double weight_bytes =
      params_read_per_step(su.params, su.active_params, su.shape, batch) * su.weight_bits / 8.0;
  const double kv_bytes = batch * kv_bytes_per_sequence(su.shape, context, su.kv_bits);
  const double step_flops = batch * forward_flops_per_token(su.active_params, su.shape, context);
  const double compute_rate = chips * su.peak_flops_per_s;
  const double memory_rate = chips * su.bandwidth_bytes_per_s;
  const double t_compute = step_flops / (compute_rate * f.compute_efficiency);
  // Dequantising sub-16-bit weights costs extra work per byte: measured FP8 decode is no
  // cheaper than BF16 at small batch (ML.ENERGY v3), so low-bit weights read more slowly.
  const double quant = su.weight_bits < 16 ? f.quantized_efficiency : 1.0;
  const double weight_eff = f.memory_efficiency * quant;
  const double t_memory =
      weight_bytes / (memory_rate * weight_eff) + kv_bytes / (memory_rate * f.kv_efficiency);
  p.compute_bound = t_compute > t_memory;
  p.step_s = std::max(t_compute, t_memory) * tp_factor;
  // Dequantisation keeps the chip as busy as reading 1/quant times the bytes.
  p.u_mem = std::min(1.0, (weight_bytes / quant + kv_bytes) / (memory_rate * p.step_s));
  p.u_compute = step_flops / (compute_rate * p.step_s);

  // Prefill: compute-bound for any real prompt; weights are read once per prefill chunk and
  // shared by many prompts, so their traffic is neglected here.
  const double pf = prefill_flops(su.active_params, su.shape, su.input_tokens);
  p.prefill_s = pf / (compute_rate * f.prefill_efficiency) * tp_factor;

  p.decode_power_w = su.tdp_w * power_fraction(f.idle_fraction, p.u_mem, p.u_compute, f.power_memory_weight,
                                               f.power_compute_weight);
  p.prefill_power_w = su.tdp_w * power_fraction(f.idle_fraction, 0.0, f.prefill_efficiency / tp_factor,
                                                f.power_memory_weight, f.power_compute_weight);
  // Serving software spends time outside the roofline at about the same draw.
  p.step_s *= f.time_overhead;
  p.prefill_s *= f.time_overhead;

  // Per output token, the replica spends step/B of decode and prefill/output_tokens of prefill.
  const double out = std::max(1.0, su.output_tokens);
  const double decode_s_per_token = p.step_s / batch;
  const double prefill_s_per_token = p.prefill_s / out;
  p.itl_s = p.step_s + batch * prefill_s_per_token;
  p.chip_seconds_per_output_token = chips * (decode_s_per_token + prefill_s_per_token);
  const double acc_decode = chips * p.decode_power_w * decode_s_per_token;
  const double acc_prefill = chips * p.prefill_power_w * prefill_s_per_token;
  p.accelerator_j_per_output_token = acc_decode + acc_prefill;
  p.server_j_per_output_token = p.accelerator_j_per_output_token + f.host_w * p.chip_seconds_per_output_token;
  p.facility_j_per_output_token = p.server_j_per_output_token * f.pue;
  if (su.input_tokens > 0) {
    const double prefill_server_j = chips * (p.prefill_power_w + f.host_w) * p.prefill_s;
    p.facility_j_per_input_token = prefill_server_j * f.pue / su.input_tokens;
  }
  return p;
}

}  // namespace llm_energy::model
