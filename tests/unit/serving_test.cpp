// Serving-model behaviours that published measurements pin down (ML.ENERGY v3).
#include <catch2/catch.hpp>
#include <string>
#include <utility>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

using namespace llm_energy;

namespace {

double acc_j(const std::vector<std::pair<std::string, std::string>>& kv) {
  Scenario s;
  set_field(s, "phase", "inference", Origin::flag);
  set_field(s, "inference_tokens", "1e6", Origin::flag);
  for (const auto& [k, v] : kv) {
    set_field(s, k, v, Origin::flag);
  }
  return estimate(s, builtin_catalog()).inference->accelerator_energy_per_token_j;
}

}  // namespace

TEST_CASE("FP8 MoE costs more than BF16 at small batch and less at large batch", "[serving]") {
  // ML.ENERGY v3, Qwen3-235B-A22B on 8 H100: FP8 +56% J/token at batch 8, -13% at 256. The
  // mechanism: block-FP8 MoE kernels cost time per MoE layer (fp8_moe_layer_time_us), which
  // outweighs the halved weight bytes only while the step is dominated by fixed time.
  auto j = [](const char* precision, const char* batch) {
    return acc_j({{"model", "qwen3-235b-a22b"},
                  {"inference_chips", "8"},
                  {"batch_size", batch},
                  {"precision", precision}});
  };
  CHECK(j("fp8", "8") / j("bf16", "8") > 1.1);
  CHECK(j("fp8", "256") < j("bf16", "256"));
}

TEST_CASE("dense FP8 reads half the bytes; fixed time keeps small models from gaining", "[serving]") {
  // Dense Llama-3.1-405B-FP8 (ML.ENERGY v3, B200): the same step on half the GPUs, 0.6x J/token.
  auto ratio = [](const char* model, const char* batch) {
    auto j = [&](const char* p) {
      return acc_j({{"model", model}, {"batch_size", batch}, {"precision", p}});
    };
    return j("fp8") / j("bf16");
  };
  const double big = ratio("llama-3.1-8b", "8");
  CHECK(big < 0.95);
  CHECK(big > 0.5);  // less than the byte ratio: the per-layer time does not halve
  // A 0.6B model at batch 8 is dominated by its per-layer time: FP8 saves much less.
  CHECK(ratio("qwen3-0.6b", "8") > big + 0.15);
}

TEST_CASE("energy per token falls with batch by several times", "[serving]") {
  // ML.ENERGY v3, Llama-3.1-8B on one H100: 0.455 J at batch 8, 0.070 J at 512 (6.5x).
  const double b8 = acc_j({{"model", "llama-3.1-8b"}, {"batch_size", "8"}});
  const double b512 = acc_j({{"model", "llama-3.1-8b"}, {"batch_size", "512"}, {"input_tokens", "400"}});
  CHECK(b8 / b512 > 4.0);
  CHECK(b8 / b512 < 10.0);
}

TEST_CASE("a sparse MoE model costs less per token than a dense one of similar size", "[serving]") {
  // ML.ENERGY v3: Qwen3-30B-A3B uses several times less energy per token than Qwen3-32B.
  const double moe = acc_j({{"model", "qwen3-30b-a3b"}, {"batch_size", "128"}});
  const double dense = acc_j({{"model", "qwen3-32b"}, {"batch_size", "128"}});
  CHECK(moe < dense / 1.5);
}

TEST_CASE("more chips at the same batch raise energy per token", "[serving]") {
  // ML.ENERGY v3 analysis: true in 93% of H100 cases.
  const double one = acc_j({{"model", "llama-3.1-8b"}, {"batch_size", "64"}, {"inference_chips", "1"}});
  const double four = acc_j({{"model", "llama-3.1-8b"}, {"batch_size", "64"}, {"inference_chips", "4"}});
  CHECK(four > one);
}
