// The built-in catalog is generated at build time (src/codegen/catalog_codegen.cpp); it must be
// exactly what parsing configs/*.json gives.
#include <catch2/catch.hpp>

#include "llm_energy/catalog.hpp"

using namespace llm_energy;

namespace {

void same(const Datum& a, const Datum& b) {
  CHECK(a.value == b.value);
  CHECK(a.low == b.low);
  CHECK(a.high == b.high);
  CHECK(a.source == b.source);
  CHECK(a.year == b.year);
  CHECK(a.note == b.note);
}

}  // namespace

TEST_CASE("the generated built-in catalog equals the parsed configs", "[catalog]") {
  const Catalog& g = builtin_catalog();
  const Catalog p = load_catalog(builtin_sources());
  REQUIRE(g.hardware.size() == p.hardware.size());
  for (std::size_t i = 0; i < g.hardware.size(); ++i) {
    const auto& a = g.hardware[i];
    const auto& b = p.hardware[i];
    INFO(b.id);
    CHECK(a.id == b.id);
    CHECK(a.name == b.name);
    CHECK(a.generation == b.generation);
    CHECK(a.release_year == b.release_year);
    same(a.tdp_w, b.tdp_w);
    for (std::size_t k = 0; k < a.peak_tflops.size(); ++k) {
      REQUIRE(a.peak_tflops[k].has_value() == b.peak_tflops[k].has_value());
      if (a.peak_tflops[k]) {
        same(*a.peak_tflops[k], *b.peak_tflops[k]);
      }
    }
    CHECK(a.sparse_speedup.has_value() == b.sparse_speedup.has_value());
    same(a.memory_gb, b.memory_gb);
    same(a.memory_bandwidth_gbps, b.memory_bandwidth_gbps);
    same(a.embodied_kgco2e, b.embodied_kgco2e);
    same(a.training_mfu, b.training_mfu);
    same(a.avg_power_fraction, b.avg_power_fraction);
    same(a.idle_power_fraction, b.idle_power_fraction);
    same(a.host_power_w, b.host_power_w);
    same(a.host_embodied_kgco2e, b.host_embodied_kgco2e);
    same(a.service_life_years, b.service_life_years);
  }
  REQUIRE(g.regions.size() == p.regions.size());
  for (std::size_t i = 0; i < g.regions.size(); ++i) {
    CHECK(g.regions[i].id == p.regions[i].id);
    CHECK(g.regions[i].operator_id == p.regions[i].operator_id);
    CHECK(g.regions[i].basis == p.regions[i].basis);
    same(g.regions[i].carbon_intensity, p.regions[i].carbon_intensity);
  }
  REQUIRE(g.operators.size() == p.operators.size());
  for (std::size_t i = 0; i < g.operators.size(); ++i) {
    CHECK(g.operators[i].id == p.operators[i].id);
    same(g.operators[i].pue, p.operators[i].pue);
  }
  REQUIRE(g.models.size() == p.models.size());
  for (std::size_t i = 0; i < g.models.size(); ++i) {
    CHECK(g.models[i].id == p.models[i].id);
    CHECK(g.models[i].params == p.models[i].params);
    CHECK(g.models[i].kv_heads == p.models[i].kv_heads);
  }
  same(g.serving.memory_efficiency, p.serving.memory_efficiency);
  same(g.serving.quantized_efficiency, p.serving.quantized_efficiency);
  same(g.serving.serving_overhead, p.serving.serving_overhead);
  same(g.training.size_exponent, p.training.size_exponent);
  same(g.whatif.chip_scaling_overhead, p.whatif.chip_scaling_overhead);
  same(g.whatif.power_cap_time_exponent, p.whatif.power_cap_time_exponent);
  same(g.whatif.power_cap_power_exponent, p.whatif.power_cap_power_exponent);
  same(g.whatif.two_four_weight_bytes, p.whatif.two_four_weight_bytes);
  CHECK(g.default_operator == p.default_operator);
  CHECK(g.hardware_version == p.hardware_version);
}
