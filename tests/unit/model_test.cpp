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

TEST_CASE("mfu_size_factor is 1 for large models and decreases below, floored", "[model]") {
  // factor = (N / reference)^exponent within [min_factor, 1]; here reference 20e9, 0.12, 0.55.
  auto f = [](double n) { return m::mfu_size_factor(n, 20e9, 0.12, 0.55); };
  CHECK(f(20e9) == Approx(1.0));
  CHECK(f(175e9) == Approx(1.0));
  CHECK(f(1e12) == Approx(1.0));
  // (7e9 / 20e9)^0.12 = 0.88163
  CHECK(f(7e9) == Approx(0.88163).epsilon(1e-4));
  double prev = 1.0;
  for (double n : {10e9, 5e9, 1e9, 1e8, 1e7, 1e6, 1e3}) {
    const double v = f(n);
    INFO("params " << n);
    CHECK(v <= prev);
    CHECK(v >= 0.55);
    CHECK(v < 1.0);
    prev = v;
  }
  CHECK(f(1e6) == Approx(0.55));
  // Other constants: (1e9 / 5e9)^0.1 = 0.85134.
  CHECK(m::mfu_size_factor(1e9, 5e9, 0.1, 0.55) == Approx(0.851340).epsilon(1e-5));
  CHECK(m::mfu_size_factor(5e9, 5e9, 0.1, 0.55) == Approx(1.0));
  CHECK(m::mfu_size_factor(1.0, 5e9, 0.1, 0.7) == Approx(0.7));
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
  m::ServingFactors f;
  f.memory_efficiency = 0.5;
  f.compute_efficiency = 0.5;
  f.prefill_efficiency = 0.5;
  f.idle_fraction = 0.1;
  f.power_memory_weight = 0.7;
  f.power_compute_weight = 1.0;
  f.tp_overhead = 0.1;
  f.host_w = 0;
  f.pue = 1;
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
  CHECK(p.server_j_per_output_token == Approx(1.6618));
  CHECK(p.facility_j_per_output_token == Approx(1.6618));
  CHECK(p.facility_j_per_input_token == Approx(0.0));
  CHECK(p.chip_seconds_per_output_token == Approx(0.004));
  CHECK(p.itl_s == Approx(0.004));

  SECTION("host power and PUE add on top") {
    f.host_w = 100;
    f.pue = 1.5;
    const m::ServingPoint q = m::serve(su, f);
    // server = 1.6618 + 100 W * 4 ms = 2.0618 J; facility = 1.5x.
    CHECK(q.server_j_per_output_token == Approx(2.0618));
    CHECK(q.facility_j_per_output_token == Approx(3.0927));
  }
  SECTION("tensor parallelism over 2 chips adds the communication overhead") {
    su.chips = 2;
    const m::ServingPoint q = m::serve(su, f);
    // max(2e9/(2e12*0.5), ...) * (1 + 0.1 * log2 2) = 2 ms * 1.1.
    CHECK(q.step_s == Approx(0.0022));
    CHECK(q.chip_seconds_per_output_token == Approx(0.0044));
  }
  SECTION("a prompt adds compute-bound prefill") {
    su.input_tokens = 100;
    const m::ServingPoint q = m::serve(su, f);
    // 100 tokens * 2e9 FLOP / (1e15 * 0.5) = 0.4 ms.
    CHECK(q.prefill_s == Approx(4e-4));
    CHECK(q.accelerator_j_per_output_token > p.accelerator_j_per_output_token);
    CHECK(q.facility_j_per_input_token > 0);
  }
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
  f.host_w = 150;
  f.pue = 1.2;
  const m::ServingPoint p = m::serve(llama_8b_on_h100(64), f);
  CHECK_FALSE(p.compute_bound);  // decode at batch 64 is memory-bound
  CHECK(p.step_s > 0);
  CHECK(p.decode_power_w <= 700.0);
  CHECK(p.decode_power_w >= 700.0 * f.idle_fraction);
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
