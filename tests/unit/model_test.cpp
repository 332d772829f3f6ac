// Unit tests for llm_energy/model.hpp: the physics, checked against hand-computed values.
#include <catch2/catch.hpp>

#include <cmath>

#include "llm_energy/model.hpp"

namespace m = llm_energy::model;

TEST_CASE("training FLOPs are 6ND, or 8ND with recomputation", "[model]") {
  CHECK(m::training_flops(1e9, 1e8, false) == Approx(6e17));
  CHECK(m::training_flops(1e9, 1e8, true) == Approx(8e17));
  CHECK(m::training_flops(175e9, 300e9, false) == Approx(3.15e23));
}

TEST_CASE("chip-hours and implied MFU are inverses", "[model]") {
  // 6e17 FLOP at 1e15 FLOP/s and 50% -> 1200 s = 1/3 h.
  const double hours = m::chip_hours(6e17, 1e15, 0.5);
  CHECK(hours == Approx(6e17 / 5e14 / 3600.0));
  CHECK(hours == Approx(1.0 / 3.0));
  CHECK(m::implied_mfu(6e17, 1e15, hours) == Approx(0.5));
  // GPT-3 on V100: 3.15e23 FLOP, 125 TFLOP/s peak, 3.552M chip-hours -> ~0.197.
  CHECK(m::implied_mfu(3.15e23, 125e12, 3552000.0) == Approx(0.19707).epsilon(1e-3));
}

TEST_CASE("wall clock, energy, facility and carbon", "[model]") {
  CHECK(m::wall_clock_hours(800.0, 8.0) == Approx(100.0));
  CHECK(m::energy_kwh(10.0, 500.0) == Approx(5.0));
  CHECK(m::facility_kwh(100.0, 1.2) == Approx(120.0));
  CHECK(m::co2e_kg(1000.0, 400.0) == Approx(400.0));
  CHECK(m::co2e_kg(0.0, 400.0) == Approx(0.0));
}

TEST_CASE("embodied carbon is amortised over service life", "[model]") {
  CHECK(m::k_hours_per_year == Approx(8766.0));
  CHECK(m::embodied_co2e_kg(8766.0, 100.0, 1.0) == Approx(100.0));
  CHECK(m::embodied_co2e_kg(8766.0, 100.0, 4.0) == Approx(25.0));
  CHECK(m::embodied_co2e_kg(0.0, 100.0, 4.0) == Approx(0.0));
}

TEST_CASE("attention FLOPs of training: 6 L s d per token, 8 with recomputation", "[model]") {
  // Llama 3.1 8B at 8192: 6 * 32 * 8192 * 4096 = 6.44e9 per token, 13% of 6N = 4.8e10.
  CHECK(m::training_attention_flops_per_token(32, 8192, 4096, false) == Approx(6.442e9).epsilon(1e-3));
  CHECK(m::training_attention_flops_per_token(32, 8192, 4096, false) / (6 * 8.03e9) ==
        Approx(0.134).epsilon(0.01));
  CHECK(m::training_attention_flops_per_token(32, 8192, 4096, true) ==
        Approx(8.0 / 6.0 * m::training_attention_flops_per_token(32, 8192, 4096, false)));
}

TEST_CASE("the default global batch follows the DeepSeek LLM law within its bounds", "[model]") {
  CHECK(m::default_global_batch_tokens(1e21, 0.292, 0.3271, 5e5, 6.7e7) ==
        Approx(0.292 * std::pow(1e21, 0.3271)));
  CHECK(m::default_global_batch_tokens(1e10, 0.292, 0.3271, 5e5, 6.7e7) == Approx(5e5));
  CHECK(m::default_global_batch_tokens(1e30, 0.292, 0.3271, 5e5, 6.7e7) == Approx(6.7e7));
}

namespace {

m::TrainingSetup h100_run(double params, double chips) {
  m::TrainingSetup s;
  s.params = s.active_params = params;
  s.hidden = 8192;
  s.layers = 80;
  s.seq_len = 4096;
  s.global_batch_tokens = 4e6;
  s.chips = chips;
  s.peak_flops_per_s = 989.4e12;
  s.memory_bytes_per_s = 3.35e12;
  s.memory_bytes = 80e9;
  s.scale_up_bytes_per_s = 450e9;
  s.scale_up_domain = 8;
  s.scale_out_bytes_per_s = 50e9;
  return s;
}

m::TrainingCoefficients coefficients() {
  m::TrainingCoefficients k;
  k.width = 2;
  k.moe_routing = 5;
  k.exposed_communication = 0.25;
  k.state_bytes_per_param = 16;
  k.shard_memory_share = 0.5;
  return k;
}

}  // namespace

TEST_CASE("training layout: model parallelism from memory, data parallelism over the rest", "[model]") {
  const m::TrainingCoefficients k = coefficients();
  // 70B: 4 bytes x 70e9 = 280 GB of weights and gradients over 0.5 x 80 GB -> 7 -> 8 (TP8).
  const m::TrainingLayout l = m::training_layout(h100_run(70e9, 1024), k);
  CHECK(l.tensor == 8);
  CHECK(l.pipeline == 1);
  CHECK(l.data == 128);
  CHECK(l.tokens_per_replica == Approx(4e6 / 128));
  CHECK(l.min_chips == 14);  // 16 bytes x 70e9 = 1.12 TB over 80 GB
  // 405B: 1.62 TB / 40 GB = 40.5 -> 64 = TP8 x PP8.
  const m::TrainingLayout big = m::training_layout(h100_run(405e9, 16384), k);
  CHECK(big.tensor == 8);
  CHECK(big.pipeline == 8);
  // Fewer chips than the model-parallel degree: capped at the chips.
  CHECK(m::training_layout(h100_run(405e9, 16), k).tensor *
            m::training_layout(h100_run(405e9, 16), k).pipeline ==
        16);
}

TEST_CASE("training efficiency: each term by hand", "[model]") {
  const m::TrainingCoefficients k = coefficients();
  const m::TrainingSetup s = h100_run(70e9, 1024);
  const m::TrainingEfficiency e = m::training_efficiency(s, 0.4, k);
  // width: 1 / (1 + 2 x (989.4e12 / 3.35e12) / 8192) = 1 / 1.07210
  CHECK(e.width_factor == Approx(1.0 / (1.0 + 2.0 * (989.4e12 / 3.35e12) / 8192)));
  // communication: 0.25 x 2/3 x (127/128) x 0.4 x 989.4e12 / (31250 tokens x 50e9)
  CHECK(e.communication == Approx(0.25 * 2.0 / 3.0 * 127.0 / 128.0 * 0.4 * 989.4e12 / (31250 * 50e9)));
  CHECK(e.bubble == 0);
  CHECK(e.routing == 0);
  CHECK(e.mfu == Approx(0.4 * e.width_factor / (1 + e.communication)));
  SECTION("inside one scale-up domain the all-reduce runs over NVLink") {
    const m::TrainingEfficiency n = m::training_efficiency(h100_run(7e9, 8), 0.4, k);
    const m::TrainingLayout l = n.layout;
    CHECK(n.communication ==
          Approx(0.25 * 2.0 / 3.0 * (l.data - 1) / l.data * 0.4 * 989.4e12 / (l.tokens_per_replica * 450e9)));
  }
  SECTION("pipeline stages add the interleaved bubble") {
    const m::TrainingEfficiency p = m::training_efficiency(h100_run(405e9, 2048), 0.4, k);
    REQUIRE(p.layout.pipeline == 8);
    const double m_micro = p.layout.tokens_per_replica / 4096;
    CHECK(p.bubble == Approx(7.0 / (80.0 / 8.0 * m_micro)));
  }
  SECTION("mixture of experts adds routing") {
    m::TrainingSetup moe = s;
    moe.moe = true;
    const m::TrainingEfficiency r = m::training_efficiency(moe, 0.4, k);
    CHECK(r.routing == Approx(5.0 * (989.4e12 / 3.35e12) / 8192));
    CHECK(r.mfu < e.mfu);
  }
}

TEST_CASE("more chips never lower the energy and never raise the wall-clock", "[model]") {
  const m::TrainingCoefficients k = coefficients();
  double prev_mfu = 1;
  double prev_wall = 1e300;
  for (double n : {8.0, 64.0, 512.0, 1024.0, 4096.0, 16384.0, 65536.0}) {
    const m::TrainingEfficiency e = m::training_efficiency(h100_run(70e9, n), 0.4, k);
    const double hours = m::chip_hours(1e24, 989.4e12, e.mfu);
    INFO("chips " << n);
    CHECK(e.mfu <= prev_mfu);      // chip-hours (and energy) rise or stay
    CHECK(hours / n < prev_wall);  // wall-clock falls
    prev_mfu = e.mfu;
    prev_wall = hours / n;
  }
}

TEST_CASE("the default chip count finishes within the target from one server", "[model]") {
  const m::TrainingCoefficients k = coefficients();
  // 6 x 70e9 x 2e12 = 8.4e23 FLOP: ~3 days on 1024 H100, too long on 128.
  const double flops = 8.4e23;
  const double n = m::default_training_chips(h100_run(70e9, 1), 0.4, k, flops, 0.9, 30 * 24, 8);
  m::TrainingSetup s = h100_run(70e9, n);
  const double wall =
      m::chip_hours(flops, s.peak_flops_per_s, m::training_efficiency(s, 0.4, k).mfu * 0.9) / n;
  CHECK(wall <= 30 * 24);
  s.chips = n / 2;
  CHECK(m::chip_hours(flops, s.peak_flops_per_s, m::training_efficiency(s, 0.4, k).mfu * 0.9) / (n / 2) >
        30 * 24);
  CHECK(std::exp2(std::round(std::log2(n))) == n);
  // A tiny run stays on one server.
  CHECK(m::default_training_chips(h100_run(1e9, 1), 0.4, k, 6e17, 0.9, 30 * 24, 8) == 8);
  // The state of a 1T model needs 200 chips at least: the count starts above it.
  CHECK(m::default_training_chips(h100_run(1e12, 1), 0.4, k, 1e20, 0.9, 30 * 24, 8) == 256);
}

TEST_CASE("default_shape follows the documented rule", "[model]") {
  const m::Shape s = m::default_shape(7e9);
  // (7e9 * 128 / 12)^(1/3) = 4210.9 -> 4224 (33 x 128).
  CHECK(s.hidden == Approx(4224.0));
  CHECK(std::fmod(s.hidden, 128.0) == Approx(0.0));
  CHECK(s.layers == Approx(s.hidden / 128.0));
  CHECK(s.head_dim == Approx(128.0));
  CHECK(s.kv_heads == Approx(8.0));
  CHECK(s.experts == Approx(0.0));
  for (double n : {1e8, 1e9, 70e9, 400e9}) {
    const m::Shape t = m::default_shape(n);
    INFO("params " << n);
    CHECK(std::fmod(t.hidden, 128.0) == Approx(0.0));
    CHECK(t.hidden >= 128.0);
    CHECK(t.layers >= 1.0);
    CHECK(t.kv_heads <= t.heads);
    CHECK(t.kv_heads <= 8.0);
  }
  // A tiny model still has one 128-wide layer.
  const m::Shape tiny = m::default_shape(1000.0);
  CHECK(tiny.hidden == Approx(128.0));
  CHECK(tiny.layers == Approx(1.0));
  CHECK(tiny.kv_heads == Approx(1.0));
}

TEST_CASE("params_read_per_step: dense reads all, MoE depends on batch", "[model]") {
  const m::Shape dense = m::default_shape(7e9);
  CHECK(m::params_read_per_step(7e9, 7e9, dense, 1.0) == Approx(7e9));
  CHECK(m::params_read_per_step(7e9, 7e9, dense, 512.0) == Approx(7e9));

  m::Shape moe;  // Mixtral 8x7B-like
  moe.experts = 8;
  moe.active_experts = 2;
  const double params = 46.7e9;
  const double active = 12.9e9;
  const double b1 = m::params_read_per_step(params, active, moe, 1.0);
  const double b4 = m::params_read_per_step(params, active, moe, 4.0);
  const double b512 = m::params_read_per_step(params, active, moe, 512.0);
  CHECK(b1 >= active * 0.999);
  CHECK(b1 <= params);
  CHECK(b1 == Approx(active));  // batch 1 touches exactly k experts
  CHECK(b4 > b1);
  CHECK(b4 < params);
  CHECK(b512 == Approx(params).epsilon(1e-3));
  CHECK(b512 <= params);
  // Expected experts touched at batch 4: 8 * (1 - 0.75^4) = 5.46875; per expert 5.633e9.
  const double per_expert = (params - active) / 6.0;
  const double shared = params - 8.0 * per_expert;
  CHECK(b4 == Approx(shared + 5.46875 * per_expert));
}

TEST_CASE("KV-cache bytes for the Llama 3.1 8B shape", "[model]") {
  m::Shape s;
  s.layers = 32;
  s.kv_heads = 8;
  s.head_dim = 128;
  s.heads = 32;
  s.hidden = 4096;
  // 2 (K and V) * 32 layers * 8 heads * 128 dims * 2 bytes = 131072 bytes per token.
  CHECK(m::kv_bytes_per_sequence(s, 1.0, 16.0) == Approx(131072.0));
  CHECK(m::kv_bytes_per_sequence(s, 1000.0, 16.0) == Approx(131072000.0));
  CHECK(m::kv_bytes_per_sequence(s, 1000.0, 8.0) == Approx(65536000.0));
}

TEST_CASE("forward and prefill FLOPs", "[model]") {
  m::Shape s;
  s.layers = 32;
  s.heads = 32;
  s.head_dim = 128;
  // 2N + 4 * layers * context * heads * head_dim.
  CHECK(m::forward_flops_per_token(8e9, s, 0.0) == Approx(16e9));
  CHECK(m::forward_flops_per_token(8e9, s, 1000.0) == Approx(16e9 + 4.0 * 32 * 1000 * 32 * 128));
  // Prefill of 1000 tokens: mean span 500.
  CHECK(m::prefill_flops(8e9, s, 1000.0) == Approx(1000.0 * (16e9 + 4.0 * 32 * 500 * 32 * 128)));
  CHECK(m::prefill_flops(8e9, s, 0.0) == Approx(0.0));
}

TEST_CASE("roofline takes the slower of compute and memory", "[model]") {
  CHECK(m::roofline_seconds(1e12, 1e12, 1e9, 1e12) == Approx(1.0));
  CHECK(m::roofline_seconds(1e9, 1e12, 2e12, 1e12) == Approx(2.0));
}

TEST_CASE("power_fraction is between idle and 1", "[model]") {
  CHECK(m::power_fraction(0.1, 0.0, 0.0, 0.7, 1.0) == Approx(0.1));
  // 0.1 + 0.9 * (0.7*0.5 + 1.0*0.2) = 0.595
  CHECK(m::power_fraction(0.1, 0.5, 0.2, 0.7, 1.0) == Approx(0.595));
  CHECK(m::power_fraction(0.1, 1.0, 1.0, 0.7, 1.0) == Approx(1.0));
  CHECK(m::power_fraction(0.1, 5.0, 5.0, 2.0, 2.0) == Approx(1.0));
  for (double u : {0.0, 0.1, 0.5, 0.9, 1.0, 3.0}) {
    const double f = m::power_fraction(0.2, u, u, 0.7, 1.0);
    CHECK(f >= 0.2);
    CHECK(f <= 1.0);
  }
}

namespace {

// Factors with no fixed time and a simple power model, for hand computation.
m::ServingFactors plain() {
  m::ServingFactors f;
  f.memory_efficiency = 0.5;
  f.kv_efficiency = 0.5;
  f.compute_efficiency = 0.5;
  f.prefill_efficiency = 0.5;
  f.layer_time_s = 0;
  f.moe_layer_time_s = 0;
  f.fp8_moe_layer_time_s = 0;
  f.allreduce_time_s = 0;
  f.all_to_all_time_s = 0;
  f.sequence_time_s = 0;
  f.idle_fraction = 0.1;
  f.active_floor = 0.1;
  f.power_memory_weight = 0.7;
  f.power_compute_weight = 1.0;
  f.host_w = 0;
  f.pue = 1;
  return f;
}

}  // namespace

TEST_CASE("serve: a hand-computed single-chip, weights-only decode", "[model][serve]") {
  // Dense 1e9 params at 16 bits (2e9 bytes), no attention (0 layers), batch 1, no prompt.
  m::ServingSetup su;
  su.params = 1e9;
  su.active_params = 1e9;
  su.peak_flops_per_s = 1e15;
  su.bandwidth_bytes_per_s = 1e12;
  su.batch = 1;
  su.input_tokens = 0;
  su.output_tokens = 1;
  su.tdp_w = 1000;
  m::ServingFactors f = plain();
  const m::ServingPoint p = m::serve(su, f);
  // t_mem = 2e9 / (1e12 * 0.5) = 4 ms; t_compute = 2e9 / (1e15 * 0.5) = 4 us.
  CHECK_FALSE(p.compute_bound);
  CHECK(p.step_s == Approx(0.004));
  CHECK(p.prefill_s == Approx(0.0));
  CHECK(p.u_mem == Approx(0.5));
  CHECK(p.u_compute == Approx(5e-4));
  // P = 1000 * (0.1 + 0.9 * (0.7*0.5 + 1.0*5e-4)) = 415.45 W; E = P * 4 ms = 1.6618 J.
  CHECK(p.decode_power_w == Approx(415.45));
  CHECK(p.accelerator_j_per_output_token == Approx(1.6618));
  CHECK(p.facility_j_per_input_token == Approx(0.0));
  CHECK(p.chip_seconds_per_output_token == Approx(0.004));
  CHECK(p.itl_s == Approx(0.004));

  SECTION("host power and PUE add on top") {
    f.host_w = 100;
    f.pue = 1.5;
    const m::ServingPoint q = m::serve(su, f);
    CHECK(q.server_j_per_output_token == Approx(2.0618));
    CHECK(q.facility_j_per_output_token == Approx(3.0927));
  }
  SECTION("a fixed time per layer, and two all-reduces per layer on several chips") {
    su.shape.layers = 10;
    su.shape.hidden = 1024;
    su.shape.heads = 8;
    su.shape.kv_heads = 8;
    su.shape.head_dim = 128;
    f.layer_time_s = 50e-6;
    f.allreduce_time_s = 10e-6;
    const m::ServingPoint one = m::serve(su, f);
    CHECK(one.fixed_s == Approx(10 * 50e-6));
    su.chips = 2;
    const m::ServingPoint two = m::serve(su, f);
    CHECK(two.fixed_s == Approx(10 * 50e-6 + 2 * 10 * 10e-6));
    // The weight stream halves; the fixed time does not.
    CHECK(two.step_s == Approx(0.002 + two.fixed_s).epsilon(1e-3));
  }
  SECTION("weights below 16 bits stream fewer bytes: int4 decodes faster at small batch") {
    su.weight_bits = 4;
    su.weight_only = true;
    su.vector_flops_per_s = 6.7e13;
    const m::ServingPoint q = m::serve(su, f);
    CHECK(q.step_s == Approx(0.001));  // a quarter of the bytes
    CHECK(q.step_s < p.step_s);
  }
  SECTION("dequantisation costs time only when the step is compute-bound") {
    su.batch = 4096;
    const m::ServingPoint dense = m::serve(su, f);
    su.weight_bits = 4;
    su.weight_only = true;
    su.vector_flops_per_s = 1e13;
    const m::ServingPoint q = m::serve(su, f);
    REQUIRE(q.compute_bound);
    // 1e9 weights x 2 ops / 1e13 = 0.2 ms more compute than the 16-bit model.
    CHECK(q.step_s == Approx(dense.step_s + 2e9 / 1e13).epsilon(1e-6));
  }
  SECTION("a legacy stack: the GPU waits on the host at idle power") {
    f.host_busy_share = 0.5;
    const m::ServingPoint q = m::serve(su, f);
    CHECK(q.step_s == Approx(0.008));
    CHECK(q.decode_power_w == Approx(0.5 * 415.45 + 0.5 * 100));
  }
  SECTION("a prompt adds compute-bound prefill") {
    su.input_tokens = 100;
    const m::ServingPoint q = m::serve(su, f);
    CHECK(q.prefill_s == Approx(4e-4));
    CHECK(q.accelerator_j_per_output_token > p.accelerator_j_per_output_token);
    CHECK(q.facility_j_per_input_token > 0);
  }
}

TEST_CASE("admission: the sequences whose KV cache fits beside the weights", "[model][serve]") {
  // 2 chips x 80 GB / 1.1 = 145.45 GB; 140 GB of weights leave 5.45 GB for 1 GB sequences.
  CHECK(m::admitted_batch(140e9, 1e9, 2, 80e9, 1.1) == 5);
  CHECK(m::admitted_batch(200e9, 1e9, 2, 80e9, 1.1) == 0);
}

namespace {

m::ServingSetup llama_8b_on_h100(double batch) {
  m::ServingSetup su;
  su.params = 8.03e9;
  su.active_params = 8.03e9;
  su.shape.layers = 32;
  su.shape.hidden = 4096;
  su.shape.heads = 32;
  su.shape.kv_heads = 8;
  su.shape.head_dim = 128;
  su.weight_bits = 16;
  su.kv_bits = 16;
  su.peak_flops_per_s = 989.4e12;
  su.bandwidth_bytes_per_s = 3.35e12;
  su.chips = 1;
  su.batch = batch;
  su.input_tokens = 1000;
  su.output_tokens = 400;
  su.tdp_w = 700;
  return su;
}

}  // namespace

TEST_CASE("serve: Llama 3.1 8B on an H100", "[model][serve]") {
  m::ServingFactors f;
  f.sequence_time_s = 0;
  f.host_w = 150;
  f.pue = 1.2;
  const m::ServingPoint p = m::serve(llama_8b_on_h100(64), f);
  CHECK_FALSE(p.compute_bound);  // decode at batch 64 is memory-bound
  CHECK(p.step_s > 0);
  CHECK(p.decode_power_w <= 700.0);
  CHECK(p.decode_power_w >= 700.0 * f.active_floor);
  CHECK(p.prefill_power_w <= 700.0);
  CHECK(p.u_mem <= 1.0);
  CHECK(p.accelerator_j_per_output_token > 0);
  CHECK(p.accelerator_j_per_output_token < p.server_j_per_output_token);
  CHECK(p.server_j_per_output_token < p.facility_j_per_output_token);
  CHECK(p.facility_j_per_output_token == Approx(p.server_j_per_output_token * 1.2));
  CHECK(p.facility_j_per_input_token > 0);
  // Order of magnitude: a few tenths of a joule per output token at batch 64.
  CHECK(p.accelerator_j_per_output_token > 0.01);
  CHECK(p.accelerator_j_per_output_token < 10.0);

  double prev = 1e300;
  for (double b : {8.0, 32.0, 128.0, 512.0}) {
    const m::ServingPoint q = m::serve(llama_8b_on_h100(b), f);
    INFO("batch " << b);
    CHECK(q.facility_j_per_output_token < prev);
    prev = q.facility_j_per_output_token;
  }
  const m::ServingPoint b8 = m::serve(llama_8b_on_h100(8), f);
  const m::ServingPoint b512 = m::serve(llama_8b_on_h100(512), f);
  CHECK(b512.accelerator_j_per_output_token < b8.accelerator_j_per_output_token);
  CHECK(b512.itl_s > b8.itl_s);  // larger batches are slower per sequence
}
