#pragma once
// The physics: each step of the estimate is a named pure function of plain numbers.
// Units are in the names (_w watts, _kwh kilowatt-hours, _s seconds, _kg kilograms).

namespace llm_energy::model {

inline constexpr double k_hours_per_year = 8766.0;  // 365.25 days

// ---- Training ----

// Return training FLOPs: 6*N*D, or 8*N*D with full activation recomputation
// (one extra forward pass), for N active parameters and D tokens.
[[nodiscard]] double training_flops(double active_params, double tokens, bool recompute);

// Return the causal self-attention FLOPs of training per token at sequence length `seq_len`:
// 6 * layers * seq_len * d_attn (QK^T and AV, forward and backward, half the square under the
// causal mask; PaLM, arXiv 2204.02311, App. B counts 12*L*H*Q*T for the full square), times
// 8/6 with full recomputation.
[[nodiscard]] double training_attention_flops_per_token(double layers, double seq_len, double attention_width,
                                                        bool recompute);

// Return accelerator-hours to execute `flops` at `peak_flops_per_s` per chip and `mfu`.
[[nodiscard]] double chip_hours(double flops, double peak_flops_per_s, double mfu);

// Return the utilisation implied by a known chip-hour count.
[[nodiscard]] double implied_mfu(double flops, double peak_flops_per_s, double chip_hours);

// Return wall-clock hours for `chip_hours` spread over `chips`.
[[nodiscard]] double wall_clock_hours(double chip_hours, double chips);

// Return the default global batch of a run of `flops` (6*N*D): the compute-optimal batch of
// DeepSeek LLM (arXiv 2401.02954), B = a * C^b tokens, within [min_tokens, max_tokens].
[[nodiscard]] double default_global_batch_tokens(double flops, double a, double b, double min_tokens,
                                                 double max_tokens);

// One training run on one kind of chip, as the utilisation model sees it.
struct TrainingSetup {
  double params = 0;         // all parameters (memory)
  double active_params = 0;  // per token (FLOPs)
  double hidden = 0;         // d_model
  double layers = 0;
  bool moe = false;
  double seq_len = 4096;
  double global_batch_tokens = 0;
  double chips = 8;
  double peak_flops_per_s = 0;       // per chip
  double memory_bytes_per_s = 0;     // HBM bandwidth per chip
  double memory_bytes = 0;           // HBM capacity per chip
  double scale_up_bytes_per_s = 0;   // NVLink / xGMI / ICI per chip and direction
  double scale_up_domain = 1;        // chips in one scale-up domain
  double scale_out_bytes_per_s = 0;  // network (InfiniBand, RoCE, DCN) per chip and direction
  bool operator==(const TrainingSetup&) const = default;
};

// The constants of the utilisation model (hardware.json "training_model", sourced there).
struct TrainingCoefficients {
  double width = 0;                  // k: memory-bound non-GEMM work, 1/(1 + k (peak/BW)/d_model)
  double moe_routing = 0;            // a: MoE routing and all-to-all, + a (peak/BW)/d_model per step
  double exposed_communication = 0;  // share of the gradient all-reduce not hidden behind backward
  double state_bytes_per_param = 16;
  double shard_memory_share = 0.5;  // weights + gradients per model-parallel shard <= this x memory
  bool operator==(const TrainingCoefficients&) const = default;
};

// How the run is laid out: tensor x pipeline model parallelism (the smallest power of two whose
// 16-bit weights and gradients fit `shard_memory_share` of a chip, tensor parallel within the
// scale-up domain up to 8), data parallel over the rest; tokens per data-parallel replica per step.
struct TrainingLayout {
  double tensor = 1;
  double pipeline = 1;
  double data = 1;
  double tokens_per_replica = 0;  // global batch / data-parallel degree
  double min_chips = 1;           // chips that hold the model state fully sharded (ZeRO-3)
};

[[nodiscard]] TrainingLayout training_layout(const TrainingSetup& s, const TrainingCoefficients& k);

// The factors of effective utilisation: mfu = ceiling x width / (1 + communication + bubble
// + routing). Each term is a time relative to the step's GEMM time.
struct TrainingEfficiency {
  TrainingLayout layout;
  double width_factor = 1;   // 1 / (1 + k (peak / HBM BW) / d_model)
  double communication = 0;  // exposed data-parallel all-reduce: eps * (2/3) * ceiling * peak /
                             // (tokens per replica * bandwidth)
  double bubble = 0;         // pipeline bubble (p - 1) / (v * m), interleaved over v = layers / p
  double routing = 0;        // MoE: a * (peak / HBM BW) / d_model
  double mfu = 0;            // the result
};

// Return the MFU of `s` for a chip whose large-model, communication-free MFU is `ceiling`.
// Sources: width and routing, Megatron-LM (arXiv 2104.04473) and the small-model H100 runs in
// data/validation; the all-reduce, ring all-reduce bytes 2 x 2 bytes x N / (TP PP) against
// 6 N / (TP PP) x tokens per replica FLOPs; the bubble, Narayanan et al. 2021 sec. 2.2.
[[nodiscard]] TrainingEfficiency training_efficiency(const TrainingSetup& s, double ceiling,
                                                     const TrainingCoefficients& k);

// Return the default chip count of a run of `flops` at `goodput`: the fewest chips, powers of two
// from max(min_chips, the chips that hold the training state), whose wall-clock is within
// `target_hours`, and no more than one sequence per data-parallel replica allows.
// `s.chips` is ignored.
[[nodiscard]] double default_training_chips(TrainingSetup s, double ceiling, const TrainingCoefficients& k,
                                            double flops, double goodput, double target_hours,
                                            double min_chips);

// ---- Training energy by part: the fabric and storage ----

// Return the tiers of a non-blocking fat tree (folded Clos) of switches with `radix` ports that
// connects `endpoints` adapter ports: one tier holds `radix` endpoints, two radix^2/2, three
// radix^3/4, each further tier radix/2 times more (Leiserson 1985; Al-Fares et al., SIGCOMM 2008).
[[nodiscard]] double fat_tree_tiers(double endpoints, double radix);

// Return the scale-out network power per chip: links per chip x (one adapter port + 2 tiers - 1
// switch ports on its path, each with its transceiver), with links per chip = the chip's network
// bandwidth / one port's line rate. Zero when the run fits in one scale-up domain (its traffic
// stays on NVLink / ICI, whose power is in the accelerators' and the servers' figures).
[[nodiscard]] double network_power_w(double chips, double scale_up_domain, double scale_out_bytes_per_s,
                                     double link_bytes_per_s, double nic_w, double port_w, double radix);

// Return the bytes written per chip-hour by checkpoints: the training state (`state_bytes_per_param`
// x params: weights, gradients' master copy and Adam moments) once per `interval_hours` of wall
// clock, shared by `chips`.
[[nodiscard]] double checkpoint_bytes_per_chip_hour(double params, double state_bytes_per_param, double chips,
                                                    double interval_hours);

// Return kWh drawn by `hours` of a load of `watts`.
[[nodiscard]] double energy_kwh(double hours, double watts);

// Return facility energy: IT energy times PUE.
[[nodiscard]] double facility_kwh(double it_kwh, double pue);

// Return location-based operational CO2e in kg for `kwh` at `g_per_kwh`.
[[nodiscard]] double co2e_kg(double kwh, double g_per_kwh);

// Return on-site water in litres: IT energy times WUE (L/kWh of IT energy; The Green Grid's
// water usage effectiveness).
[[nodiscard]] double onsite_water_l(double it_kwh, double wue_l_per_kwh);

// Return the water consumed generating `facility_kwh` at `l_per_kwh` (off site; Li et al. 2023,
// arXiv:2304.03271: facility energy x the electricity's water intensity).
[[nodiscard]] double generation_water_l(double facility_kwh, double l_per_kwh);

// Return embodied CO2e in kg amortised over the share of service life used:
// chip_hours * (chip + host share) kgCO2e / (life_years * 8766 h).
[[nodiscard]] double embodied_co2e_kg(double chip_hours, double embodied_kg_per_chip, double life_years);

// ---- Inference (roofline) ----

struct Shape {
  double layers = 0;
  double hidden = 0;
  double heads = 0;
  double kv_heads = 0;
  double head_dim = 0;
  double experts = 0;         // 0 = dense
  double active_experts = 0;  // routed experts per token
  double moe_layers = 0;      // layers with experts (0 with experts > 0: every layer)
  [[nodiscard]] double expert_layers() const {
    return experts > 0 ? (moe_layers > 0 ? moe_layers : layers) : 0;
  }
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

// Return a busy accelerator's power fraction of TDP from its activity: the active floor plus the
// dynamic share driven by memory traffic (u_mem) and tensor work (u_compute), capped at 1.
[[nodiscard]] double power_fraction(double floor, double u_mem, double u_compute, double mem_weight,
                                    double compute_weight);

// ---- One serving replica in steady state (continuous batching) ----

struct ServingSetup {
  double params = 0;
  double active_params = 0;
  Shape shape;
  double weight_bits = 16;
  double kv_bits = 16;
  double peak_flops_per_s = 0;       // per chip, at the compute precision (tensor cores)
  double vector_flops_per_s = 0;     // per chip, non-tensor FP32 (dequantisation)
  double bandwidth_bytes_per_s = 0;  // per chip
  bool weight_only = false;          // weights stored below the compute precision (dequantised)
  bool fp8_compute = false;          // FP8 GEMMs (activations quantised per layer)
  double chips = 1;                  // per replica (tensor / expert parallel)
  double batch = 1;                  // concurrent sequences (what the KV cache admits)
  double input_tokens = 0;           // per request
  double output_tokens = 1;          // per request
  double tdp_w = 0;
  bool operator==(const ServingSetup&) const = default;
};

struct ServingFactors {
  double memory_efficiency = 0.85;    // achieved fraction of peak bandwidth streaming weights
  double kv_efficiency = 0.6;         // achieved fraction of peak bandwidth reading the KV cache
  double compute_efficiency = 0.6;    // achieved fraction of peak FLOP/s in decode GEMMs
  double prefill_efficiency = 0.6;    // achieved fraction of peak FLOP/s in prefill
  double layer_time_s = 50e-6;        // fixed GPU time per dense layer per step (small kernels)
  double moe_layer_time_s = 70e-6;    // fixed time per MoE layer (router, top-k, permute, experts)
  double fp8_moe_layer_time_s = 0;    // extra per MoE layer with FP8 GEMMs (block-scaled kernels)
  double allreduce_time_s = 10e-6;    // one small all-reduce; two per layer under tensor parallelism
  double all_to_all_time_s = 50e-6;   // dispatch + combine per MoE layer under expert parallelism
  double sequence_time_s = 5e-6;      // per sequence per step (sampling over the vocabulary, logits,
                                      // scheduler bookkeeping)
  double dequant_ops_per_weight = 2;  // vector ops to dequantise a weight-only element
  double idle_fraction = 0.1;         // idle draw / TDP (the GPU waiting for the host)
  double active_floor = 0.55;         // draw / TDP of a busy GPU before its dynamic share
  double power_memory_weight = 0.3;   // dynamic share at full memory activity
  double power_compute_weight = 0.5;  // dynamic share at full tensor activity
  double host_busy_share = 1;         // share of a step the GPU works (the rest: host scheduling)
  double time_overhead = 1.0;         // the model error on time (central 1), at unchanged power
  double host_w = 0;                  // host power per chip
  double pue = 1;
  bool operator==(const ServingFactors&) const = default;
};

struct ServingPoint {
  double step_s = 0;     // one decode step for the whole batch
  double fixed_s = 0;    // its fixed part (per-layer kernels, collectives)
  double prefill_s = 0;  // prefill of one request
  double itl_s = 0;      // time per output token seen by a sequence (incl. prefill stalls)
  double u_mem = 0;      // decode memory activity (fraction of peak bandwidth, GPU-busy time)
  double u_compute = 0;  // decode tensor activity (fraction of peak FLOP/s, GPU-busy time)
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
//   decode step  = [max(GEMM FLOPs/(chips*peak*eff_c) + dequantisation ops/(chips*vector peak),
//                       weights read/(chips*BW*eff_w) + KV read/(chips*BW*eff_kv))
//                   + fixed time: dense layers*t_layer + MoE layers*(t_moe [+ t_fp8_moe])
//                     [+ 2*layers*t_allreduce, MoE layers*t_all_to_all on several chips]
//                     + batch*t_sequence]
//                  / host_busy_share
//                  (weights read = params touched * bits/8: FP8 and INT4 stream fewer bytes)
//   prefill      = prefill FLOPs/(chips*peak*eff_p) per request, interleaved with decode
//   power/chip   = TDP * (busy * (floor + (1-floor)*min(1, w_m u_mem + w_c u_c)) + (1-busy) * idle)
//   J per token  = chips * (P_decode*step/B + P_prefill*prefill/output_tokens)
[[nodiscard]] ServingPoint serve(const ServingSetup& setup, const ServingFactors& f);

// Return the most sequences whose KV cache fits beside the weights on `chips` chips of
// `chip_bytes` each, with `headroom` (memory needed = (weights + KV) x headroom); 0 when the
// weights alone do not fit.
[[nodiscard]] double admitted_batch(double weight_bytes, double kv_bytes_per_sequence, double chips,
                                    double chip_bytes, double headroom);

}  // namespace llm_energy::model
