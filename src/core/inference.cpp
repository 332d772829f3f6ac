#include <algorithm>
#include <cmath>

#include "llm_energy/model.hpp"

namespace llm_energy::model {

ServingPoint serve(const ServingSetup& su, const ServingFactors& f) {
  ServingPoint p;
  const double chips = std::max(1.0, su.chips);
  const double batch = std::max(1.0, su.batch);
  const Shape& sh = su.shape;

  // Decode: one step produces one token for each of `batch` sequences whose mean context is
  // the prompt plus half the output.
  const double context = su.input_tokens + 0.5 * su.output_tokens;
  const double weights_read = params_read_per_step(su.params, su.active_params, sh, batch);
  const double weight_bytes = weights_read * su.weight_bits / 8.0;
  const double kv_bytes = batch * kv_bytes_per_sequence(sh, context, su.kv_bits);
  const double step_flops = batch * forward_flops_per_token(su.active_params, sh, context);
  const double compute_rate = chips * su.peak_flops_per_s;
  const double memory_rate = chips * su.bandwidth_bytes_per_s;
  // Weight-only formats dequantise each weight read once per step on the vector units: it
  // costs time only when the step is compute-bound (Marlin, arXiv 2408.11743).
  const double dequant_s = su.weight_only && su.vector_flops_per_s > 0
                               ? weights_read * f.dequant_ops_per_weight / (chips * su.vector_flops_per_s)
                               : 0.0;
  const double t_compute = step_flops / (compute_rate * f.compute_efficiency) + dequant_s;
  const double t_memory =
      weight_bytes / (memory_rate * f.memory_efficiency) + kv_bytes / (memory_rate * f.kv_efficiency);
  p.compute_bound = t_compute > t_memory;

  // Fixed time per step: the small kernels of every layer, the collectives of a replica on
  // several chips (two all-reduces per layer under tensor parallelism; a dispatch and a combine
  // per MoE layer under expert parallelism), and the work per sequence (sampling, scheduling).
  const double moe_layers = sh.expert_layers();
  const double dense_layers = std::max(0.0, sh.layers - moe_layers);
  p.fixed_s = dense_layers * f.layer_time_s +
              moe_layers * (f.moe_layer_time_s + (su.fp8_compute ? f.fp8_moe_layer_time_s : 0.0));
  if (chips > 1) {
    p.fixed_s += 2.0 * sh.layers * f.allreduce_time_s + moe_layers * f.all_to_all_time_s;
  }
  p.fixed_s += batch * f.sequence_time_s;
  const double gpu_s = (std::max(t_compute, t_memory) + p.fixed_s) * f.time_overhead;
  const double busy = std::clamp(f.host_busy_share, 1e-3, 1.0);
  p.step_s = gpu_s / busy;
  p.u_mem = std::min(1.0, (weight_bytes + kv_bytes) / (memory_rate * gpu_s));
  p.u_compute = std::min(1.0, step_flops / (compute_rate * gpu_s));

  // Prefill: compute-bound for any real prompt; weights are read once per prefill chunk and
  // shared by many prompts, so their traffic is neglected here.
  const double pf = prefill_flops(su.active_params, sh, su.input_tokens);
  p.prefill_s = pf / (compute_rate * f.prefill_efficiency) * f.time_overhead / busy;

  const double busy_w = su.tdp_w * power_fraction(f.active_floor, p.u_mem, p.u_compute, f.power_memory_weight,
                                                  f.power_compute_weight);
  const double idle_w = su.tdp_w * f.idle_fraction;
  p.decode_power_w = busy * busy_w + (1.0 - busy) * idle_w;
  p.prefill_power_w = busy * su.tdp_w *
                          power_fraction(f.active_floor, 0.0, f.prefill_efficiency, f.power_memory_weight,
                                         f.power_compute_weight) +
                      (1.0 - busy) * idle_w;

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

double admitted_batch(double weight_bytes, double kv_bytes_per_sequence, double chips, double chip_bytes,
                      double headroom) {
  const double room = chips * chip_bytes / headroom - weight_bytes;
  if (!(room > 0)) {
    return 0;
  }
  return kv_bytes_per_sequence > 0 ? std::floor(room / kv_bytes_per_sequence) : 1e9;
}

}  // namespace llm_energy::model
