#pragma once
// The physics: each step of the estimate is a named pure function of plain numbers.
// Units are in the names (_w watts, _kwh kilowatt-hours, _s seconds, _kg kilograms).

namespace llm_energy::model {

inline constexpr double k_hours_per_year = 8766.0;  // 365.25 days

// ---- Training ----

// Return training FLOPs: 6*N*D, or 8*N*D with full activation recomputation
// (one extra forward pass), for N active parameters and D tokens.
[[nodiscard]] double training_flops(double active_params, double tokens, bool recompute);

// Return accelerator-hours to execute `flops` at `peak_flops_per_s` per chip and `mfu`.
[[nodiscard]] double chip_hours(double flops, double peak_flops_per_s, double mfu);

// Return the utilisation implied by a known chip-hour count.
[[nodiscard]] double implied_mfu(double flops, double peak_flops_per_s, double chip_hours);

// Return wall-clock hours for `chip_hours` spread over `chips` (ideal scaling).
[[nodiscard]] double wall_clock_hours(double chip_hours, double chips);

// Return kWh drawn by `hours` of a load of `watts`.
[[nodiscard]] double energy_kwh(double hours, double watts);

// Return facility energy: IT energy times PUE.
[[nodiscard]] double facility_kwh(double it_kwh, double pue);

// Return location-based operational CO2e in kg for `kwh` at `g_per_kwh`.
[[nodiscard]] double co2e_kg(double kwh, double g_per_kwh);

// Return embodied CO2e in kg amortised over the share of service life used:
// chip_hours * (chip + host share) kgCO2e / (life_years * 8766 h).
[[nodiscard]] double embodied_co2e_kg(double chip_hours, double embodied_kg_per_chip, double life_years);

// Return the training-utilisation scale factor for a model of `active_params`: small
// models keep the tensor cores less busy (short matrices; kernel-launch, memory-bound and
// communication overheads not amortised): (N / reference)^exponent, within [min_factor, 1].
[[nodiscard]] double mfu_size_factor(double active_params, double reference, double exponent,
                                     double min_factor);

// Return the scaling efficiency of data/model-parallel training on `chips` relative to one
// 8-accelerator server: 1 / (1 + overhead * log2(chips / 8)) above 8 chips, else 1 (the
// communication that more chips add per step; `overhead` per doubling).
[[nodiscard]] double chip_scaling_efficiency(double chips, double overhead);

// ---- Inference (roofline) ----

struct Shape {
  double layers = 0;
  double hidden = 0;
  double heads = 0;
  double kv_heads = 0;
  double head_dim = 0;
  double experts = 0;         // 0 = dense
  double active_experts = 0;  // routed experts per token
  bool operator==(const Shape&) const = default;
};

// Return a documented default shape for a dense model of `params` parameters:
// d_model = (N * 128 / 12)^(1/3) rounded to a multiple of 128, layers = d_model / 128,
// head_dim 128, GQA with min(heads, 8) KV heads (the Llama 2-70B/Llama 3/Qwen/Mistral layout).
[[nodiscard]] Shape default_shape(double params);

// Return the parameters read from memory per decode step at batch `batch`: for a dense model
// all of them; for MoE the shared part plus the experts touched by batch*k routings,
// E*(1-(1-k/E)^B) per layer in expectation.
[[nodiscard]] double params_read_per_step(double params, double active_params, const Shape& s, double batch);

// Return KV-cache bytes of one sequence at `context` tokens.
[[nodiscard]] double kv_bytes_per_sequence(const Shape& s, double context, double kv_bits);

// Return forward FLOPs per token at `context` tokens of attention span:
// 2*N_active + 4*layers*context*heads*head_dim (QK^T and AV).
[[nodiscard]] double forward_flops_per_token(double active_params, const Shape& s, double context);

// Return prefill FLOPs for a prompt of `tokens` (causal attention: the mean span is T/2).
[[nodiscard]] double prefill_flops(double active_params, const Shape& s, double tokens);

// Return the roofline time: max(flops / compute, bytes / bandwidth).
[[nodiscard]] double roofline_seconds(double flops, double flops_per_s, double bytes, double bytes_per_s);

// Return the accelerator's power fraction of TDP from its activity: idle plus the dynamic
// share driven by memory traffic (u_mem) and tensor work (u_compute), capped at 1.
[[nodiscard]] double power_fraction(double idle_fraction, double u_mem, double u_compute, double mem_weight,
                                    double compute_weight);

// ---- One serving replica in steady state (continuous batching) ----

struct ServingSetup {
  double params = 0;
  double active_params = 0;
  Shape shape;
  double weight_bits = 16;
  double kv_bits = 16;
  double peak_flops_per_s = 0;       // per chip, at the compute precision
  double bandwidth_bytes_per_s = 0;  // per chip
  double chips = 1;                  // per replica (tensor parallel)
  double batch = 1;                  // concurrent sequences
  double input_tokens = 0;           // per request
  double output_tokens = 1;          // per request
  double tdp_w = 0;
  bool operator==(const ServingSetup&) const = default;
};

struct ServingFactors {
  double memory_efficiency = 0.6;     // achieved fraction of peak bandwidth reading weights
  double kv_efficiency = 0.45;        // achieved fraction of peak bandwidth reading the KV cache
  double quantized_efficiency = 0.5;  // bandwidth factor for weights stored below 16 bits
  double compute_efficiency = 0.6;    // achieved fraction of peak FLOP/s in decode
  double prefill_efficiency = 0.6;    // achieved fraction of peak FLOP/s in prefill
  double idle_fraction = 0.1;         // idle draw / TDP
  double power_memory_weight = 0.7;   // dynamic power share at full memory activity
  double power_compute_weight = 1.0;  // dynamic power share at full tensor activity
  double tp_overhead = 0.1;           // extra step time per doubling of chips (communication)
  double time_overhead = 1.0;         // time outside the roofline (scheduling gaps, kernel launches,
                                      // sampling, software version) at unchanged power
  double host_w = 0;                  // host power per chip
  double pue = 1;
  bool operator==(const ServingFactors&) const = default;
};

struct ServingPoint {
  double step_s = 0;     // one decode step for the whole batch
  double prefill_s = 0;  // prefill of one request
  double itl_s = 0;      // time per output token seen by a sequence (incl. prefill stalls)
  double u_mem = 0;      // decode memory activity (fraction of peak bandwidth)
  double u_compute = 0;  // decode tensor activity (fraction of peak FLOP/s)
  bool compute_bound = false;
  double decode_power_w = 0;                  // per chip
  double prefill_power_w = 0;                 // per chip
  double accelerator_j_per_output_token = 0;  // incl. the prefill share
  double server_j_per_output_token = 0;
  double facility_j_per_output_token = 0;
  double facility_j_per_input_token = 0;  // prefill only
  double chip_seconds_per_output_token = 0;
};

// Return the steady-state energy and time of one replica serving requests of
// `input_tokens` + `output_tokens` at batch `batch`:
//   decode step  = max(FLOPs/(chips*peak*eff_c),
//                      weights read/(chips*BW*eff_w*q) + KV read/(chips*BW*eff_kv))
//                  (q = quantized_efficiency when weights are stored below 16 bits, else 1)
//                  * (1 + tp_overhead*log2(chips))
//   prefill      = prefill FLOPs/(chips*peak*eff_p) per request, interleaved with decode
//   power/chip   = TDP * power_fraction(idle, activity)
//   J per token  = chips * (P_decode*step/B + P_prefill*prefill/output_tokens)
[[nodiscard]] ServingPoint serve(const ServingSetup& setup, const ServingFactors& f);

}  // namespace llm_energy::model
