// Unit tests for llm_energy/catalog.hpp: the built-in catalogs and user overrides.
#include <catch2/catch.hpp>

#include <cmath>

#include <string>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"

using llm_energy::builtin_catalog;
using llm_energy::builtin_sources;
using llm_energy::Catalog;
using llm_energy::CatalogSources;
using llm_energy::CatalogText;
using llm_energy::Datum;
using llm_energy::Hardware;
using llm_energy::InputError;
using llm_energy::load_catalog;
using llm_energy::Precision;

namespace {

void check_datum(const Datum& d, const std::string& what) {
  INFO(what << " = " << d.value << " [" << d.low << ", " << d.high << "] source '" << d.source << "' year "
            << d.year);
  CHECK_FALSE(d.source.empty());
  CHECK(d.year > 0);
  CHECK(d.low <= d.value);
  CHECK(d.value <= d.high);
}

Catalog with_hardware_override(const std::string& text) {
  CatalogSources src = builtin_sources();
  src.hardware_overrides.push_back(CatalogText{"user.json", text});
  return load_catalog(src);
}

}  // namespace

TEST_CASE("the built-in catalog loads with every documented accelerator", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  const std::vector<std::string> ids = {"v100-sxm2-32gb",
                                        "a100-sxm4-40gb",
                                        "a100-sxm4-80gb",
                                        "h100-sxm",
                                        "h100-pcie",
                                        "h200",
                                        "b200",
                                        "gb200",
                                        "l4",
                                        "l40s",
                                        "t4",
                                        "a10g",
                                        "mi250x",
                                        "mi300x",
                                        "mi325x",
                                        "tpu-v2",
                                        "tpu-v3",
                                        "tpu-v4",
                                        "tpu-v5e",
                                        "tpu-v5p",
                                        "tpu-v6e",
                                        "gaudi2",
                                        "gaudi3"};
  for (const auto& id : ids) {
    INFO("hardware " << id);
    CHECK_NOTHROW(cat.find_hardware(id));
  }
  CHECK(cat.hardware.size() >= ids.size());
  CHECK_FALSE(cat.default_operator.empty());
}

TEST_CASE("every hardware figure is sourced, dated and ordered", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  for (const Hardware& h : cat.hardware) {
    const std::string w = h.id + ".";
    check_datum(h.tdp_w, w + "tdp_w");
    check_datum(h.memory_gb, w + "memory_gb");
    check_datum(h.memory_bandwidth_gbps, w + "memory_bandwidth_gbps");
    check_datum(h.embodied_kgco2e, w + "embodied_kgco2e");
    check_datum(h.training_mfu, w + "training_mfu");
    check_datum(h.avg_power_fraction, w + "avg_power_fraction");
    check_datum(h.host_power_w, w + "host_power_w");
    check_datum(h.service_life_years, w + "service_life_years");
    bool any_peak = false;
    for (Precision p : llm_energy::k_all_precisions) {
      if (h.peak(p)) {
        any_peak = true;
        check_datum(*h.peak(p), w + "peak_tflops." + std::string(llm_energy::to_string(p)));
        CHECK(h.peak(p)->value > 0);
      }
    }
    INFO(h.id);
    CHECK(any_peak);
    CHECK(h.tdp_w.value > 0);
    CHECK(h.training_mfu.high <= 1.0);
    CHECK(h.training_mfu.low > 0);
    CHECK_FALSE(h.generation.empty());
  }
}

TEST_CASE("hardware figures match the datasheets", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  const Hardware& h100 = cat.find_hardware("h100-sxm");
  REQUIRE(h100.peak(Precision::bf16));
  CHECK(h100.peak(Precision::bf16)->value == Approx(989.4));
  CHECK(h100.tdp_w.value == Approx(700.0));
  CHECK(h100.memory_gb.value == Approx(80.0));
  const Hardware& a100 = cat.find_hardware("a100-sxm4-80gb");
  CHECK_FALSE(a100.peak(Precision::fp8).has_value());
  CHECK(a100.peak(Precision::bf16).has_value());
  const Hardware& v100 = cat.find_hardware("v100-sxm2-32gb");
  CHECK_FALSE(v100.peak(Precision::bf16).has_value());
  REQUIRE(v100.peak(Precision::fp16));
  CHECK(v100.peak(Precision::fp16)->value == Approx(125.0));
}

TEST_CASE("lookups are case-insensitive and suggest the nearest id", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  CHECK(cat.find_hardware("H100-SXM").id == "h100-sxm");
  REQUIRE_THROWS_AS(cat.find_hardware("h100"), InputError);
  REQUIRE_THROWS_WITH(cat.find_hardware("h100"),
                      Catch::Contains("unknown hardware") && Catch::Contains("h100-sxm"));
  REQUIRE_THROWS_AS(cat.find_region("XX"), InputError);
  REQUIRE_THROWS_WITH(cat.find_region("XX"), Catch::Contains("unknown region"));
  REQUIRE_THROWS_AS(cat.find_model("llama-9"), InputError);
  REQUIRE_THROWS_AS(cat.find_operator("nobody"), InputError);
}

TEST_CASE("regions cover countries, the world and cloud regions", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  std::size_t countries = 0;
  for (const auto& r : cat.regions) {
    if (r.kind == "country") {
      ++countries;
    }
    INFO("region " << r.id);
    CHECK(r.carbon_intensity.low >= 0);
    CHECK(r.carbon_intensity.low <= r.carbon_intensity.value);
    CHECK(r.carbon_intensity.value <= r.carbon_intensity.high);
    CHECK_NOTHROW(cat.operator_for(r));
  }
  CHECK(countries >= 35);
  const auto& world = cat.find_region("world");
  CHECK(world.kind == "world");
  CHECK(world.carbon_intensity.value > 0);
  for (const char* id : {"world", "us-east-1", "europe-west1", "westeurope"}) {
    INFO("region " << id);
    const auto& r = cat.find_region(id);
    CHECK_FALSE(r.carbon_intensity.source.empty());
    CHECK_FALSE(r.basis.empty());
    CHECK(r.carbon_intensity.year > 0);
  }
  CHECK(cat.find_region("us-east-1").provider == "aws");
  CHECK(cat.find_region("europe-west1").provider == "gcp");
  CHECK(cat.find_region("westeurope").provider == "azure");
  CHECK(cat.find_region("us-east-1").kind == "cloud");
}

TEST_CASE("every operator's PUE is at least 1", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  REQUIRE_FALSE(cat.operators.empty());
  for (const auto& op : cat.operators) {
    INFO("operator " << op.id);
    CHECK(op.pue.low >= 1.0);
    CHECK(op.pue.low <= op.pue.value);
    CHECK(op.pue.value <= op.pue.high);
  }
  CHECK_NOTHROW(cat.find_operator(cat.default_operator));
}

TEST_CASE("the models catalog holds the Llama 3.1 8B shape", "[catalog]") {
  const Catalog& cat = builtin_catalog();
  const auto& m = cat.find_model("llama-3.1-8b");
  CHECK(m.layers == 32);
  CHECK(m.kv_heads == 8);
  CHECK(m.heads == 32);
  CHECK(m.head_dim == 128);
  CHECK(m.hidden_size == 4096);
  CHECK(m.params == Approx(8.03e9).epsilon(0.01));
  CHECK(m.active_params == Approx(m.params));
  for (const auto& model : cat.models) {
    INFO("model " << model.id);
    CHECK(model.active_params <= model.params);
    CHECK(model.active_experts <= model.experts);
  }
}

TEST_CASE("serving-model constants are sane", "[catalog]") {
  const auto& sm = builtin_catalog().serving;
  CHECK(sm.memory_efficiency.high <= 1.0);
  CHECK(sm.compute_efficiency.high <= 1.0);
  CHECK(sm.memory_headroom.value >= 1.0);
  CHECK(sm.default_batch.value >= 1.0);
  CHECK(sm.default_output_tokens.value >= 1.0);
}

TEST_CASE("the training-utilisation size model is sourced and sane", "[catalog]") {
  const auto& tm = builtin_catalog().training;
  check_datum(tm.size_reference_params, "training_model.size_reference_params");
  check_datum(tm.size_exponent, "training_model.size_exponent");
  check_datum(tm.size_min_factor, "training_model.size_min_factor");
  CHECK(tm.size_reference_params.value > 0);
  CHECK(tm.size_exponent.value > 0);
  CHECK(tm.size_exponent.value < 1.0);
  CHECK(tm.size_min_factor.value > 0);
  CHECK(tm.size_min_factor.value <= 1.0);
}

TEST_CASE("the what-if constants are sourced and sane", "[catalog]") {
  const auto& w = builtin_catalog().whatif;
  check_datum(w.chip_scaling_overhead, "whatif_model.chip_scaling_overhead");
  check_datum(w.power_cap_time_exponent, "whatif_model.power_cap_time_exponent");
  check_datum(w.power_cap_power_exponent, "whatif_model.power_cap_power_exponent");
  check_datum(w.two_four_weight_bytes, "whatif_model.two_four_weight_bytes");
  CHECK(w.chip_scaling_overhead.low <= w.chip_scaling_overhead.value);
  CHECK(w.chip_scaling_overhead.value <= w.chip_scaling_overhead.high);
  CHECK(w.two_four_weight_bytes.value < 1.0);
  // A 0.7 cap: 6-7% more time, ~23% less GPU energy (the source's own figures).
  CHECK(std::pow(0.7, -w.power_cap_time_exponent.value) == Approx(1.065).epsilon(0.002));
  CHECK(std::pow(0.7, w.power_cap_power_exponent.value + -w.power_cap_time_exponent.value) ==
        Approx(0.77).epsilon(0.005));
}

TEST_CASE("precision names and storage bits", "[catalog]") {
  CHECK(llm_energy::parse_precision("bf16") == Precision::bf16);
  CHECK(llm_energy::parse_precision("FP8") == Precision::fp8);
  REQUIRE_THROWS_AS(llm_energy::parse_precision("fp12"), InputError);
  REQUIRE_THROWS_WITH(llm_energy::parse_precision("fp12"), Catch::Contains("bf16"));
  CHECK(llm_energy::to_string(Precision::int4) == "int4");
  CHECK(llm_energy::bits_of(Precision::fp32) == 32);
  CHECK(llm_energy::bits_of(Precision::tf32) == 32);
  CHECK(llm_energy::bits_of(Precision::bf16) == 16);
  CHECK(llm_energy::bits_of(Precision::fp8) == 8);
  CHECK(llm_energy::bits_of(Precision::int4) == 4);
}

TEST_CASE("a hardware override changes one figure and keeps the rest", "[catalog]") {
  const Catalog cat = with_hardware_override(
      R"({"hardware":[{"id":"h100-sxm","tdp_w":{"value":650,"source":"me","year":2025}}]})");
  const Hardware& h = cat.find_hardware("h100-sxm");
  CHECK(h.tdp_w.value == Approx(650.0));
  CHECK(h.tdp_w.source == "me");
  CHECK(h.tdp_w.year == 2025);
  REQUIRE(h.peak(Precision::bf16));
  CHECK(h.peak(Precision::bf16)->value == Approx(989.4));
  CHECK(h.memory_gb.value == Approx(80.0));
  // The built-in catalog is not affected.
  CHECK(builtin_catalog().find_hardware("h100-sxm").tdp_w.value == Approx(700.0));
}

TEST_CASE("a hardware override can add a new accelerator", "[catalog]") {
  const Catalog cat = with_hardware_override(R"({"hardware":[{
      "id": "my-chip", "generation": "hopper",
      "tdp_w": {"value": 500, "source": "me", "year": 2025},
      "peak_tflops": {"bf16": {"value": 400, "source": "me", "year": 2025}},
      "memory_gb": 48, "memory_bandwidth_gbps": 2000, "embodied_kgco2e": 100}]})");
  const Hardware& h = cat.find_hardware("my-chip");
  CHECK(h.tdp_w.value == Approx(500.0));
  REQUIRE(h.peak(Precision::bf16));
  CHECK(h.peak(Precision::bf16)->value == Approx(400.0));
  CHECK_FALSE(h.peak(Precision::fp8).has_value());
  CHECK(h.memory_gb.value == Approx(48.0));
  CHECK(h.memory_bandwidth_gbps.value == Approx(2000.0));
  CHECK(h.name == "my-chip");
  // Generation defaults come from "hopper", like the H100's.
  const Hardware& h100 = cat.find_hardware("h100-sxm");
  CHECK(h.service_life_years.value == Approx(h100.service_life_years.value));
  CHECK(h.training_mfu.value > 0);
  CHECK(cat.hardware.size() == builtin_catalog().hardware.size() + 1);
}

TEST_CASE("malformed or inconsistent overrides are rejected with the file name", "[catalog]") {
  SECTION("malformed JSON names the file, line and column") {
    REQUIRE_THROWS_AS(with_hardware_override(R"({"hardware": [)"), InputError);
    REQUIRE_THROWS_WITH(with_hardware_override(R"({"hardware": [)"),
                        Catch::Contains("user.json:") && Catch::Contains("malformed JSON"));
  }
  SECTION("duplicate keys are rejected") {
    REQUIRE_THROWS_AS(with_hardware_override(R"({"hardware":[{"id":"h100-sxm","id":"h200"}]})"), InputError);
    REQUIRE_THROWS_WITH(with_hardware_override(R"({"hardware":[{"id":"h100-sxm","id":"h200"}]})"),
                        Catch::Contains("user.json") && Catch::Contains("duplicate key"));
  }
  SECTION("a non-positive figure is rejected") {
    REQUIRE_THROWS_WITH(with_hardware_override(R"({"hardware":[{"id":"h100-sxm","tdp_w":{"value":-5}}]})"),
                        Catch::Contains("tdp_w") && Catch::Contains("greater than zero"));
  }
  SECTION("an unknown generation is rejected with a suggestion") {
    REQUIRE_THROWS_WITH(with_hardware_override(R"({"hardware":[{"id":"h100-sxm","generation":"hoper"}]})"),
                        Catch::Contains("unknown generation") && Catch::Contains("hopper"));
  }
  SECTION("an unknown top-level key is rejected") {
    REQUIRE_THROWS_AS(with_hardware_override(R"({"hardwares":[]})"), InputError);
  }
  SECTION("a top level that is not an object is rejected") {
    REQUIRE_THROWS_AS(with_hardware_override(R"([1, 2])"), InputError);
  }
  SECTION("an entry without id is rejected") {
    REQUIRE_THROWS_WITH(with_hardware_override(R"({"hardware":[{"tdp_w":5}]})"),
                        Catch::Contains("missing key 'id'"));
  }
}

TEST_CASE("a region override adds a region", "[catalog]") {
  CatalogSources src = builtin_sources();
  src.regions_overrides.push_back(CatalogText{
      "regions-user.json",
      R"({"regions":[{"id":"my-dc","kind":"custom","carbon_intensity":{"value":50,"source":"me","year":2025}}]})"});
  const Catalog cat = load_catalog(src);
  const auto& r = cat.find_region("my-dc");
  CHECK(r.carbon_intensity.value == Approx(50.0));
  CHECK(cat.operator_for(r).id == cat.default_operator);
}
