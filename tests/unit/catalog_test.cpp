// Unit tests for llm_energy/catalog.hpp: the built-in catalogs and user overrides.
#include <catch2/catch.hpp>

#include <cmath>

#include <fstream>
#include <sstream>
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
using llm_energy::ServingModel;
using llm_energy::TrainingModel;

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
                                        "gaudi3",
                                        "b300",
                                        "gb300",
                                        "mi355x",
                                        "tpu-v7"};
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
    const std::string w = std::string(h.id) + ".";
    check_datum(h.tdp_w, w + "tdp_w");
    check_datum(h.memory_gb, w + "memory_gb");
    check_datum(h.memory_bandwidth_gbps, w + "memory_bandwidth_gbps");
    check_datum(h.embodied_kgco2e, w + "embodied_kgco2e");
    if (h.kind == "accelerator") {  // CPUs and edge devices do not train: no training figures
      check_datum(h.training_mfu, w + "training_mfu");
      check_datum(h.avg_power_fraction, w + "avg_power_fraction");
    }
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
    CHECK((h.kind != "accelerator" || h.training_mfu.low > 0));
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
  REQUIRE_THROWS_AS(cat.find_hardware("h100x"), InputError);
  REQUIRE_THROWS_WITH(cat.find_hardware("h100x"),
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

TEST_CASE("the training utilisation model is sourced and sane", "[catalog]") {
  const auto& tm = builtin_catalog().training;
  const std::pair<const Datum*, const char*> fields[] = {
      {&tm.width_coefficient, "width_coefficient"},
      {&tm.moe_routing_coefficient, "moe_routing_coefficient"},
      {&tm.exposed_communication, "exposed_communication"},
      {&tm.goodput, "goodput"},
      {&tm.seq_len, "seq_len"},
      {&tm.batch_coefficient, "batch_coefficient"},
      {&tm.batch_exponent, "batch_exponent"},
      {&tm.batch_min_tokens, "batch_min_tokens"},
      {&tm.batch_max_tokens, "batch_max_tokens"},
      {&tm.state_bytes_per_param, "state_bytes_per_param"},
      {&tm.shard_memory_share, "shard_memory_share"},
      {&tm.target_days, "target_days"},
      {&tm.min_chips, "min_chips"},
      {&tm.model_error, "model_error"},
      {&tm.fallback_scale_out_gbps, "fallback_scale_out_gbps"},
      {&tm.nic_power_w, "nic_power_w"},
      {&tm.switch_port_power_w, "switch_port_power_w"},
      {&tm.switch_radix, "switch_radix"},
      {&tm.nic_link_gbps, "nic_link_gbps"},
      {&tm.checkpoint_interval_hours, "checkpoint_interval_hours"},
      {&tm.dataset_bytes_per_token, "dataset_bytes_per_token"},
      {&tm.storage_j_per_gb, "storage_j_per_gb"}};
  for (const auto& [d, key] : fields) {
    check_datum(*d, std::string("training_model.") + key);
    CHECK(d->value > 0);
  }
  CHECK(tm.goodput.high <= 1.0);
  CHECK(tm.exposed_communication.high <= 1.0);
  CHECK(tm.batch_min_tokens.value < tm.batch_max_tokens.value);
  CHECK(tm.batch_exponent.value < 1.0);
  // The default batch at 1e21 FLOP is about 2.1M tokens (DeepSeek LLM's own figure).
  CHECK(tm.batch_coefficient.value * std::pow(1e21, tm.batch_exponent.value) == Approx(2.1e6).epsilon(0.05));
  // An 80% half-width below ln 2: high/low within 4.
  CHECK(tm.model_error.value < std::log(2.0));
}

TEST_CASE("every built-in accelerator has its interconnect", "[catalog]") {
  for (const auto& h : builtin_catalog().hardware) {
    if (h.kind != "accelerator") {
      continue;  // CPUs and edge devices serve on one socket or module: no training fabric
    }
    const std::string w = std::string(h.id) + ".";
    REQUIRE(h.scale_up_gbps);
    REQUIRE(h.scale_up_domain);
    REQUIRE(h.scale_out_gbps);
    check_datum(*h.scale_up_gbps, w + "scale_up_gbps");
    check_datum(*h.scale_out_gbps, w + "scale_out_gbps");
    CHECK(h.scale_up_domain->value >= 1);
    // Scale-up links are faster per chip than the network (PCIe cards: at least as fast).
    CHECK(h.scale_up_gbps->value >= h.scale_out_gbps->value);
  }
}

TEST_CASE("the what-if constants are sourced and sane", "[catalog]") {
  const auto& w = builtin_catalog().whatif;
  check_datum(w.power_cap_time_exponent, "whatif_model.power_cap_time_exponent");
  check_datum(w.power_cap_power_exponent, "whatif_model.power_cap_power_exponent");
  check_datum(w.two_four_weight_bytes, "whatif_model.two_four_weight_bytes");
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

// ---- The loader's rules, on the small fixture catalog in tests/data/catalog ----

namespace {

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  REQUIRE(f.good());
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// Return the fixture catalog's sources, named "fixture/FILE".
CatalogSources fixture() {
  const std::string dir = std::string(LLM_ENERGY_SOURCE_DIR) + "/tests/data/catalog/";
  return {{"fixture/hardware.json", slurp(dir + "hardware.json")},
          {"fixture/regions.json", slurp(dir + "regions.json")},
          {"fixture/models.json", slurp(dir + "models.json")},
          {},
          {}};
}

// Return `text` with its one occurrence of `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(text.find(from, at + 1) == std::string::npos);
  return text.replace(at, from.size(), to);
}

// The fixture with hardware override files user.json, user2.json, ...
Catalog fixture_hw(const std::vector<std::string>& texts) {
  CatalogSources src = fixture();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    src.hardware_overrides.push_back(
        CatalogText{i == 0 ? "user.json" : "user" + std::to_string(i + 1) + ".json", texts[i]});
  }
  return load_catalog(src);
}

Catalog fixture_regions(const std::vector<std::string>& texts) {
  CatalogSources src = fixture();
  for (std::size_t i = 0; i < texts.size(); ++i) {
    src.regions_overrides.push_back(CatalogText{
        i == 0 ? "regions-user.json" : "regions-user" + std::to_string(i + 1) + ".json", texts[i]});
  }
  return load_catalog(src);
}

// The text is views, as in a catalog: pass string literals (static storage).
Datum datum(double value, double low, double high, std::string_view source, int year = 0,
            std::string_view note = "") {
  return Datum{.value = value, .low = low, .high = high, .source = source, .year = year, .note = note};
}

}  // namespace

TEST_CASE("the fixture catalog loads with every field", "[catalog][fixture]") {
  const Catalog cat = load_catalog(fixture());
  REQUIRE(cat.hardware.size() == 3);
  REQUIRE(cat.regions.size() == 3);
  REQUIRE(cat.operators.size() == 2);
  REQUIRE(cat.models.size() == 2);
  CHECK(cat.hardware_version == "fixture.1");
  CHECK(cat.regions_version == "fixture.1");
  CHECK(cat.default_operator == "op-a");

  const Hardware& a = cat.find_hardware("chip-a");
  CHECK(a.name == "Acme Chip A");
  CHECK(a.vendor == "Acme");
  CHECK(a.generation == "gen-a");
  CHECK(a.release_year == 2020);
  CHECK(a.notes == "The fixture's main chip.");
  CHECK(a.tdp_w == datum(400, 350, 450, "chip-a datasheet", 2020, "board power"));
  REQUIRE(a.peak(Precision::fp8));
  CHECK(*a.peak(Precision::fp8) == datum(600, 550, 600, "chip-a datasheet", 2020, "dense"));
  CHECK(a.peak(Precision::bf16).has_value());
  CHECK(a.peak(Precision::fp16).has_value());
  CHECK_FALSE(a.peak(Precision::int8).has_value());
  REQUIRE(a.sparse_speedup);
  CHECK(a.sparse_speedup->value == 2);
  CHECK(a.embodied_kgco2e == datum(150, 100, 200, "chip-a estimate", 2023, "scaled from a PCF"));
  // Generation defaults.
  CHECK(a.training_mfu == datum(0.4, 0.3, 0.5, "gen-a paper", 2021, "gen-a utilisation"));
  CHECK(a.service_life_years == datum(5, 4, 6, "gen-a paper", 2021));
  // A chip's own figure wins over its generation's.
  const Hardware& b = cat.find_hardware("chip-b");
  CHECK(b.host_power_w == datum(120, 100, 140, "chip-b system sheet", 2022, "its own host figure"));
  CHECK(b.avg_power_fraction == datum(0.7, 0.6, 0.8, "gen-b paper", 2022));
  CHECK_FALSE(b.sparse_speedup.has_value());
  // Bare numbers: the range is the value, the source the file, no year.
  const Hardware& c = cat.find_hardware("chip-c");
  CHECK(c.name == "chip-c");
  CHECK(c.tdp_w == datum(250, 250, 250, "fixture/hardware.json"));
  CHECK(c.training_mfu == a.training_mfu);

  const auto& fr = cat.find_region("FR");
  CHECK(fr.carbon_intensity == datum(50, 30, 80, "grid report", 2024, "annual mean"));
  CHECK(fr.basis == "life-cycle");
  CHECK(cat.operator_for(fr).id == "op-a");
  const auto& cloud = cat.find_region("cloud-1");
  CHECK(cloud.provider == "acme");
  CHECK(cloud.country == "FR");
  CHECK(cat.operator_for(cloud).id == "op-b");
  const auto& op = cat.find_operator("op-a");
  CHECK(op.name == "Operator A");
  CHECK(op.pue == datum(1.5, 1.3, 1.7, "op-a report", 2022));
  CHECK(op.wue_l_per_kwh == datum(1.8, 1.0, 2.5, "op-a report", 2022));
  CHECK(cat.find_operator("op-b").wue_l_per_kwh == Datum{});

  const auto& moe = cat.find_model("model-moe");
  CHECK(moe.experts == 8);
  CHECK(moe.active_experts == 2);
  CHECK(moe.active_params == 1.3e10);
  CHECK(moe.note == "a mixture of experts");
  CHECK(cat.serving.default_batch == datum(16, 8, 32, "fixture serving_model", 2020));
  CHECK(cat.training.width_coefficient == datum(2, 1, 3, "fixture training_model", 2020));
  CHECK(cat.whatif.power_cap_time_exponent == datum(0.2, 0.2, 0.2, "fixture whatif_model", 2020));
}

TEST_CASE("an override's datum replaces the catalog's datum whole", "[catalog][overrides]") {
  const Catalog base = load_catalog(fixture());
  SECTION("a datum object outside the catalog's range: its own range, no year, note or basis") {
    // With a key-by-key merge this kept low 30, high 80 and failed "needs low <= value <= high".
    const Catalog cat =
        fixture_regions({R"({"regions":[{"id":"FR","carbon_intensity":{"value":10,"source":"my meter"}}]})"});
    const auto& fr = cat.find_region("FR");
    CHECK(fr.carbon_intensity == datum(10, 10, 10, "my meter"));
    CHECK(fr.basis.empty());
    CHECK(fr.name == "France");  // keys not given stay
    CHECK(fr.kind == "country");
  }
  SECTION("a value alone: no mixed provenance, the source is the user's file") {
    const Catalog cat = fixture_regions({R"({"regions":[{"id":"FR","carbon_intensity":{"value":60}}]})"});
    CHECK(cat.find_region("FR").carbon_intensity == datum(60, 60, 60, "regions-user.json"));
  }
  SECTION("a bare number") {
    const Catalog cat = fixture_regions({R"({"regions":[{"id":"FR","carbon_intensity":70}]})"});
    CHECK(cat.find_region("FR").carbon_intensity == datum(70, 70, 70, "regions-user.json"));
  }
  SECTION("a hardware datum; every other field of the entry stays the catalog's") {
    const Catalog cat =
        fixture_hw({R"({"hardware":[{"id":"chip-a","tdp_w":{"value":500,"high":520,"year":2025}}]})"});
    Hardware expected = base.find_hardware("chip-a");
    expected.tdp_w = datum(500, 500, 520, "user.json", 2025);
    CHECK(cat.find_hardware("chip-a") == expected);
    CHECK(cat.find_hardware("chip-b") == base.find_hardware("chip-b"));
  }
  SECTION("a generation field given in an entry replaces the generation's default for that chip") {
    const Catalog cat = fixture_hw({R"({"hardware":[{"id":"chip-a","training_mfu":0.45}]})"});
    CHECK(cat.find_hardware("chip-a").training_mfu == datum(0.45, 0.45, 0.45, "user.json"));
    CHECK(cat.find_hardware("chip-c").training_mfu == base.find_hardware("chip-c").training_mfu);
  }
  SECTION("the match on id ignores case and keeps the catalog's spelling") {
    const Catalog cat = fixture_hw({R"({"hardware":[{"id":"CHIP-A","memory_gb":128}]})"});
    REQUIRE(cat.hardware.size() == 3);
    CHECK(cat.hardware[0].id == "chip-a");
    CHECK(cat.hardware[0].memory_gb == datum(128, 128, 128, "user.json"));
  }
}

TEST_CASE("maps of datums merge per key, each key's datum replaced whole", "[catalog][overrides]") {
  const Catalog base = load_catalog(fixture());
  SECTION("peak_tflops: one precision replaced, one removed with null, one added") {
    const Catalog cat = fixture_hw({R"({"hardware":[{"id":"chip-a","peak_tflops":{
        "bf16": {"value": 310, "source": "our benchmark"}, "fp8": null, "int8": 1200}}]})"});
    const Hardware& a = cat.find_hardware("chip-a");
    REQUIRE(a.peak(Precision::bf16));
    CHECK(*a.peak(Precision::bf16) == datum(310, 310, 310, "our benchmark"));
    CHECK_FALSE(a.peak(Precision::fp8).has_value());
    REQUIRE(a.peak(Precision::int8));
    CHECK(*a.peak(Precision::int8) == datum(1200, 1200, 1200, "user.json"));
    CHECK(a.peak(Precision::fp16) == base.find_hardware("chip-a").peak(Precision::fp16));
  }
  SECTION("generations: one field of one generation") {
    const Catalog cat =
        fixture_hw({R"({"generations":{"gen-a":{"training_mfu":{"value":0.5,"low":0.45}}}})"});
    for (const char* id : {"chip-a", "chip-c"}) {
      INFO(id);
      const Hardware& h = cat.find_hardware(id);
      CHECK(h.training_mfu == datum(0.5, 0.45, 0.5, "user.json"));
      CHECK(h.avg_power_fraction == base.find_hardware(id).avg_power_fraction);
      CHECK(h.host_power_w == base.find_hardware(id).host_power_w);
    }
    CHECK(cat.find_hardware("chip-b") == base.find_hardware("chip-b"));
  }
  SECTION("generations: a new generation for a new chip") {
    const Catalog cat = fixture_hw({R"({"generations":{"gen-new":{"description":"mine",
        "training_mfu":0.35,"avg_power_fraction":0.75,"idle_power_fraction":0.1,"host_power_w":90,
        "host_embodied_kgco2e":200,"service_life_years":4}},
        "hardware":[{"id":"chip-new","generation":"gen-new","tdp_w":300,"peak_tflops":{"bf16":400},
        "memory_gb":48,"memory_bandwidth_gbps":1000,"embodied_kgco2e":80}]})"});
    const Hardware& h = cat.find_hardware("chip-new");
    CHECK(h.training_mfu == datum(0.35, 0.35, 0.35, "user.json"));
    CHECK(h.service_life_years == datum(4, 4, 4, "user.json"));
    CHECK(cat.hardware.size() == 4);
  }
  SECTION("the model blocks: one constant") {
    const Catalog cat = fixture_hw(
        {R"({"serving_model":{"default_batch":8},"training_model":{"width_coefficient":{"value":0.2,"source":"me"}}})"});
    ServingModel expected = base.serving;
    expected.default_batch = datum(8, 8, 8, "user.json");
    CHECK(cat.serving == expected);
    TrainingModel training = base.training;
    training.width_coefficient = datum(0.2, 0.2, 0.2, "me");
    CHECK(cat.training == training);
    CHECK(cat.whatif == base.whatif);
  }
  SECTION("operators: one figure of one operator, and a new operator for a new region") {
    const Catalog cat = fixture_regions({R"({"operators":{"op-a":{"pue":1.2},"op-new":{"pue":1.3}},
        "regions":[{"id":"my-dc","operator":"op-new","carbon_intensity":20}]})"});
    const auto& op = cat.find_operator("op-a");
    CHECK(op.pue == datum(1.2, 1.2, 1.2, "regions-user.json"));
    CHECK(op.name == "Operator A");
    CHECK(op.wue_l_per_kwh == base.find_operator("op-a").wue_l_per_kwh);
    CHECK(cat.operator_for(cat.find_region("my-dc")).pue.value == 1.3);
    CHECK(cat.find_operator("op-b") == base.find_operator("op-b"));
  }
  SECTION("default_operator") {
    const Catalog cat = fixture_regions({R"({"default_operator":"op-b"})"});
    CHECK(cat.operator_for(cat.find_region("FR")).id == "op-b");
  }
}

TEST_CASE("override files apply in order", "[catalog][overrides]") {
  const Catalog cat =
      fixture_hw({R"({"hardware":[{"id":"chip-a","tdp_w":500},
        {"id":"chip-x","generation":"gen-b","tdp_w":100,"peak_tflops":{"fp16":50},
         "memory_gb":8,"memory_bandwidth_gbps":100,"embodied_kgco2e":10}]})",
                  R"({"hardware":[{"id":"chip-a","tdp_w":600},{"id":"chip-x","memory_gb":16}]})"});
  CHECK(cat.find_hardware("chip-a").tdp_w == datum(600, 600, 600, "user2.json"));
  const Hardware& x = cat.find_hardware("chip-x");
  CHECK(x.memory_gb == datum(16, 16, 16, "user2.json"));
  CHECK(x.tdp_w == datum(100, 100, 100, "user.json"));
  CHECK(cat.hardware.size() == 4);
  CHECK(cat.hardware.back().id == "chip-x");
}

TEST_CASE("unknown keys are errors naming the file, the path and the nearest valid key", "[catalog][keys]") {
  struct Case {
    const char* what;
    const char* hardware;  // a hardware override (user.json), or null
    const char* regions;   // a regions override (regions-user.json), or null
    const char* message;
  };
  const Case cases[] = {
      {"a hardware entry", R"({"hardware":[{"id":"chip-a","tdp_watts":650}]})", nullptr,
       "user.json: hardware 'chip-a': unknown key 'tdp_watts' (did you mean 'tdp_w'?)"},
      {"a new hardware entry",
       R"({"hardware":[{"id":"mine","generation":"gen-a","tdp_w":1,"peak_tflops":{"bf16":1},"memory_gb":1,
           "memory_bandwidth_gbps":1,"embodied_kgco2e":1,"memory_gbs":2}]})",
       nullptr, "user.json: hardware 'mine': unknown key 'memory_gbs' (did you mean 'memory_gb'"},
      {"a datum", R"({"hardware":[{"id":"chip-a","tdp_w":{"vaule":650}}]})", nullptr,
       "user.json: hardware 'chip-a'.tdp_w: unknown key 'vaule' (did you mean 'value'?)"},
      {"a precision", R"({"hardware":[{"id":"chip-a","peak_tflops":{"bf61":650}}]})", nullptr,
       "user.json: hardware 'chip-a'.peak_tflops: unknown precision 'bf61' (did you mean 'bf16'"},
      {"a generation", R"({"generations":{"gen-a":{"training_mf":0.3}}})", nullptr,
       "user.json: generation 'gen-a': unknown key 'training_mf' (did you mean 'training_mfu'?)"},
      {"serving_model", R"({"serving_model":{"default_batchsize":8}})", nullptr,
       "user.json: serving_model: unknown key 'default_batchsize' (did you mean 'default_batch'"},
      {"training_model", R"({"training_model":{"width_coeficient":0.2}})", nullptr,
       "user.json: training_model: unknown key 'width_coeficient' (did you mean 'width_coefficient'"},
      {"whatif_model", R"({"whatif_model":{"power_cap_time_exponant":0.1}})", nullptr,
       "user.json: whatif_model: unknown key 'power_cap_time_exponant' (did you mean "
       "'power_cap_time_exponent'"},
      {"the top level of a hardware file", R"({"hardwares":[]})", nullptr,
       "user.json: top level: unknown key 'hardwares' (did you mean 'hardware'?)"},
      {"a region entry", nullptr, R"({"regions":[{"id":"FR","carbon_intensty":5}]})",
       "regions-user.json: region 'FR': unknown key 'carbon_intensty' (did you mean 'carbon_intensity'?)"},
      {"a carbon intensity", nullptr,
       R"({"regions":[{"id":"FR","carbon_intensity":{"value":5,"bassis":"x"}}]})",
       "regions-user.json: region 'FR'.carbon_intensity: unknown key 'bassis' (did you mean 'basis'?)"},
      {"an operator", nullptr, R"({"operators":{"op-a":{"peu":1.2}}})",
       "regions-user.json: operator 'op-a': unknown key 'peu' (did you mean 'pue'"},
      {"the top level of a regions file", nullptr, R"({"default_operater":"op-b"})",
       "regions-user.json: top level: unknown key 'default_operater' (did you mean 'default_operator'?)"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    CatalogSources src = fixture();
    if (c.hardware != nullptr) {
      src.hardware_overrides.push_back(CatalogText{"user.json", c.hardware});
    }
    if (c.regions != nullptr) {
      src.regions_overrides.push_back(CatalogText{"regions-user.json", c.regions});
    }
    CHECK_THROWS_WITH(load_catalog(src), Catch::Contains(c.message));
  }
}

TEST_CASE("unknown keys in the catalog files themselves are errors too", "[catalog][keys]") {
  struct Case {
    CatalogText CatalogSources::*file;
    const char* from;
    const char* to;
    const char* message;
  };
  const Case cases[] = {
      {&CatalogSources::models, R"("kv_heads": 8,
      "head_dim": 128,
      "context_length": 8192,)",
       R"("kv_head": 8,
      "head_dim": 128,
      "context_length": 8192,)",
       "fixture/models.json: model 'model-dense': unknown key 'kv_head' (did you mean 'kv_heads'"},
      {&CatalogSources::models, R"("schema": "llm-energy/models/1")", R"("schemas": "llm-energy/models/1")",
       "fixture/models.json: top level: unknown key 'schemas' (did you mean 'schema'"},
      {&CatalogSources::hardware, R"("generations": {)", R"("generation": {)",
       "fixture/hardware.json: top level: unknown key 'generation' (did you mean 'generations'"},
      {&CatalogSources::hardware, R"x("description": "Generation B (chip-b)")x", R"("descripton": "B")",
       "fixture/hardware.json: generation 'gen-b': unknown key 'descripton' (did you mean 'description'"},
      {&CatalogSources::hardware, R"("notes": "The fixture's main chip.")", R"("note": "x")",
       "fixture/hardware.json: hardware 'chip-a': unknown key 'note' (did you mean 'notes'"},
      {&CatalogSources::regions, R"("note": "the default")", R"("notes": "the default")",
       "fixture/regions.json: operator 'op-a': unknown key 'notes' (did you mean 'note'"},
      {&CatalogSources::regions, R"("unit": "L/kWh")", R"("units": "L/kWh")",
       "fixture/regions.json: operator 'op-a'.wue_l_per_kwh: unknown key 'units' (did you mean 'unit'"},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    CatalogSources src = fixture();
    std::string& text = (src.*c.file).text;
    text = replaced(text, c.from, c.to);
    CHECK_THROWS_WITH(load_catalog(src), Catch::Contains(c.message));
  }
}

TEST_CASE("documentation keys are allowed in every object", "[catalog][keys]") {
  CatalogSources src = fixture();
  src.hardware_overrides.push_back(CatalogText{"user.json", R"({
      "$schema": "x", "schema": "llm-energy/hardware/1", "data_version": "mine", "notes": "n", "_comment": "c",
      "generations": {"gen-a": {"description": "d", "_comment": "c", "training_mfu": {"value": 0.3, "unit": "1"}}},
      "serving_model": {"_comment": "c"},
      "hardware": [{"id": "chip-a", "_comment": "c", "$ref": "r", "description": "d",
                    "peak_tflops": {"_comment": "c", "bf16": {"value": 1, "unit": "TFLOP/s", "_comment": "c"}}}]})"});
  src.regions_overrides.push_back(CatalogText{"regions-user.json", R"({"notes": "n", "_comment": "c",
      "operators": {"op-a": {"note": "n", "_comment": "c"}},
      "regions": [{"id": "FR", "_comment": "c", "carbon_intensity": {"value": 5, "basis": "direct", "unit": "g"}}]})"});
  const Catalog cat = load_catalog(src);
  CHECK(cat.find_hardware("chip-a").peak(Precision::bf16)->value == 1);
  CHECK(cat.find_region("FR").basis == "direct");
  // The shipped catalogs use them too (and the build's code generator loads them).
  CHECK_NOTHROW(load_catalog(builtin_sources()));
}

TEST_CASE("errors name the file the bad value came from", "[catalog][overrides]") {
  SECTION("a bad figure in an override names the override, not the catalog") {
    const auto message = [] {
      try {
        (void)fixture_hw({R"({"hardware":[{"id":"chip-a","tdp_w":{"value":-5}}]})"});
      } catch (const InputError& e) {
        return std::string(e.what());
      }
      return std::string();
    }();
    CHECK(message == "user.json: hardware 'chip-a'.tdp_w: must be greater than zero");
  }
  SECTION("the file that gave the value, when a later file changed another key of the entry") {
    CHECK_THROWS_WITH(
        fixture_hw({R"({"hardware":[{"id":"chip-a","memory_bandwidth_gbps":0}]})",
                    R"({"hardware":[{"id":"chip-a","memory_gb":10}]})"}),
        Catch::StartsWith("user.json: hardware 'chip-a'.memory_bandwidth_gbps: must be greater"));
    CHECK_THROWS_WITH(fixture_hw({R"({"hardware":[{"id":"chip-a","memory_gb":10}]})",
                                  R"({"hardware":[{"id":"chip-a","memory_bandwidth_gbps":0}]})"}),
                      Catch::StartsWith("user2.json: hardware 'chip-a'.memory_bandwidth_gbps:"));
  }
  SECTION("a bad value that stayed the catalog's names the catalog") {
    CatalogSources src = fixture();
    src.hardware.text = replaced(src.hardware.text, R"("tdp_w": 250)", R"("tdp_w": -250)");
    src.hardware_overrides.push_back(
        CatalogText{"user.json", R"({"hardware":[{"id":"chip-c","memory_gb":10}]})"});
    CHECK_THROWS_WITH(
        load_catalog(src),
        Catch::StartsWith("fixture/hardware.json: hardware 'chip-c'.tdp_w: must be greater than zero"));
  }
  SECTION("a generation default from an override, checked on the chip") {
    CHECK_THROWS_WITH(
        fixture_hw({R"({"generations":{"gen-a":{"training_mfu":1.5}}})"}),
        Catch::StartsWith(
            "user.json: hardware 'chip-a'.training_mfu (from generation 'gen-a'): must lie in (0, 1.0]"));
  }
  SECTION("a new entry missing a key, an unknown generation, a removed last precision") {
    CHECK_THROWS_WITH(fixture_hw({R"({"hardware":[{"id":"mine","generation":"gen-a"}]})"}),
                      Catch::StartsWith("user.json: hardware 'mine': missing key 'tdp_w'"));
    CHECK_THROWS_WITH(
        fixture_hw({R"({"hardware":[{"id":"chip-a","generation":"gen-c"}]})"}),
        Catch::StartsWith("user.json: hardware 'chip-a'.generation: unknown generation 'gen-c'") &&
            Catch::Contains("'gen-a'"));
    CHECK_THROWS_WITH(
        fixture_hw({R"({"hardware":[{"id":"chip-b","peak_tflops":{"fp16":null}}]})"}),
        Catch::StartsWith("user.json: hardware 'chip-b'.peak_tflops: needs at least one precision"));
  }
  SECTION("regions and operators") {
    CHECK_THROWS_WITH(fixture_regions({R"({"regions":[{"id":"FR","operator":"op-z"}]})"}),
                      Catch::StartsWith("regions-user.json: region 'FR'.operator: unknown operator 'op-z'"));
    CHECK_THROWS_WITH(fixture_regions({R"({"default_operator":"op-c"})"}),
                      Catch::StartsWith("regions-user.json: default_operator: unknown operator 'op-c'"));
    CHECK_THROWS_WITH(fixture_regions({R"({"operators":{"op-b":{"pue":0.9}}})"}),
                      Catch::StartsWith("regions-user.json: operator 'op-b'.pue: PUE cannot be below 1"));
    CHECK_THROWS_WITH(
        fixture_regions({R"({"regions":[{"id":"DE","carbon_intensity":{"value":5,"low":6}}]})"}),
        Catch::StartsWith("regions-user.json: region 'DE'.carbon_intensity: needs low <= value <= high"));
  }
  SECTION("the built-in catalog's message no longer blames the built-in file") {
    CHECK_THROWS_WITH(
        with_hardware_override(R"({"hardware":[{"id":"h100-sxm","tdp_w":{"value":-5}}]})"),
        Catch::StartsWith("user.json: hardware 'h100-sxm'.tdp_w:") && !Catch::Contains("built-in"));
  }
}

TEST_CASE("duplicate and empty ids are errors naming the file and the entry", "[catalog][overrides]") {
  CHECK_THROWS_WITH(fixture_hw({R"({"hardware":[{"id":"chip-z","tdp_w":1},{"id":"chip-a","tdp_w":2},
                                 {"id":"chip-z","tdp_w":3}]})"}),
                    Catch::StartsWith("user.json: hardware[2]: duplicate id 'chip-z' (also hardware[0]"));
  CHECK_THROWS_WITH(fixture_hw({R"({"hardware":[{"id":"chip-a","tdp_w":1},{"id":"Chip-A","tdp_w":2}]})"}),
                    Catch::StartsWith("user.json: hardware[1]: duplicate id 'Chip-A' (also hardware[0]"));
  CHECK_THROWS_WITH(fixture_hw({R"({"hardware":[{"id":"chip-a","tdp_w":1},{"id":"","tdp_w":2}]})"}),
                    Catch::StartsWith("user.json: hardware[1].id: must not be empty"));
  CHECK_THROWS_WITH(fixture_regions({R"({"regions":[{"id":"FR","carbon_intensity":1},{"id":"fr"}]})"}),
                    Catch::StartsWith("regions-user.json: regions[1]: duplicate id 'fr' (also regions[0]"));
  CHECK_THROWS_WITH(fixture_hw({R"({"hardware":[{"id":5}]})"}),
                    Catch::StartsWith("user.json: hardware[0].id: expected a string"));
  // In the catalog file itself.
  CatalogSources src = fixture();
  src.regions.text = replaced(src.regions.text, R"("id": "DE")", R"("id": "fr")");
  CHECK_THROWS_WITH(
      load_catalog(src),
      Catch::StartsWith("fixture/regions.json: regions[1]: duplicate id 'fr' (also regions[0]"));
  // The same id in two files is an override, not a duplicate.
  CHECK(fixture_hw(
            {R"({"hardware":[{"id":"chip-a","tdp_w":1}]})", R"({"hardware":[{"id":"chip-a","tdp_w":2}]})"})
            .find_hardware("chip-a")
            .tdp_w.value == 2);
}

TEST_CASE("a large override file: every entry merged or added, in order", "[catalog][overrides]") {
  // Correctness at size only; no timing here (bench/gen_override.py writes files to time).
  std::string text = R"({"hardware":[{"id":"chip-b","tdp_w":650})";
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    text += R"(,{"id":"bulk-)" + std::to_string(i) + R"(","generation":"gen-a","tdp_w":)" +
            std::to_string(100 + i) +
            R"(,"peak_tflops":{"bf16":100},"memory_gb":16,"memory_bandwidth_gbps":500,"embodied_kgco2e":20})";
  }
  text += "]}";
  const Catalog cat = fixture_hw({text, R"({"hardware":[{"id":"BULK-1500","tdp_w":1}]})"});
  REQUIRE(cat.hardware.size() == 3 + static_cast<std::size_t>(n));
  CHECK(cat.hardware[1].tdp_w.value == 650);
  for (int i = 0; i < n; i += 499) {
    const Hardware& h = cat.hardware[3 + static_cast<std::size_t>(i)];
    INFO(i);
    CHECK(h.id == "bulk-" + std::to_string(i));
    CHECK(h.tdp_w.value == (i == 1500 ? 1 : 100 + i));
  }
  CHECK(cat.find_hardware("bulk-1500").tdp_w.source == "user2.json");
}

TEST_CASE("ids, aliases and names resolve regardless of case; a shared alias lists its entries",
          "[catalog]") {
  const Catalog& cat = builtin_catalog();
  CHECK(cat.find_hardware("H100").id == "h100-sxm");
  CHECK(cat.find_hardware("h100").id == "h100-sxm");
  CHECK(cat.find_hardware("A100-80GB").id == "a100-sxm4-80gb");
  CHECK(cat.find_hardware("ironwood").id == "tpu-v7");
  CHECK(cat.find_hardware("NVIDIA H100 SXM5 80GB").id == "h100-sxm");  // the display name
  CHECK(cat.find_region("France").id == "FR");
  CHECK(cat.find_region("germany").id == "DE");
  CHECK(cat.find_region("United States").id == "US");
  CHECK(cat.find_region("USA").id == "US");
  CHECK(cat.find_region("fr").id == "FR");
  CHECK(cat.find_model("meta-llama/Llama-3.1-8B").id == "llama-3.1-8b");
  CHECK_THROWS_WITH(cat.find_hardware("A100"),
                    "ambiguous hardware 'A100': it names 'a100-sxm4-40gb' or 'a100-sxm4-80gb'; give one of "
                    "these ids");
  // Suggestions come from aliases too, each shown as its id.
  CHECK_THROWS_WITH(cat.find_hardware("H100-SXM6"), Catch::Contains("did you mean 'h100-sxm'"));
  CHECK_THROWS_WITH(cat.find_region("Frnace"), Catch::Contains("'FR'"));
}

TEST_CASE("an alias that is an id is refused, naming the file", "[catalog]") {
  CHECK_THROWS_WITH(
      fixture_regions({R"({"regions":[{"id":"my-dc","aliases":["fr"],"carbon_intensity":{"value":50}}]})"}),
      Catch::Contains("region 'my-dc'.aliases: 'fr' is the id of region 'FR'"));
  CHECK_THROWS_WITH(fixture_regions({R"({"regions":[{"id":"my-dc","aliases":"x","carbon_intensity":5}]})"}),
                    Catch::Contains("expected an array of strings"));
  CHECK_THROWS_WITH(fixture_regions({R"({"regions":[{"id":"my-dc","aliases":[""],"carbon_intensity":5}]})"}),
                    Catch::Contains("must not be empty"));
}

TEST_CASE("no catalog intensity is zero unless its source states zero", "[catalog]") {
  for (const auto& r : builtin_catalog().regions) {
    INFO("region " << r.id);
    CHECK(r.carbon_intensity.low > 0);
  }
  CHECK_THROWS_WITH(fixture_regions({R"({"regions":[{"id":"my-dc","carbon_intensity":0}]})"}),
                    Catch::Contains("region 'my-dc'.carbon_intensity: zero intensity"));
  CHECK_THROWS_WITH(
      fixture_regions({R"({"regions":[{"id":"my-dc","carbon_intensity":{"value":3,"low":0,"high":5}}]})"}),
      Catch::Contains("zero intensity"));
  const Catalog cat = fixture_regions(
      {R"({"regions":[{"id":"my-dc","carbon_intensity":{"value":0,"source":"meter","source_states_zero":true}}]})"});
  CHECK(cat.find_region("my-dc").carbon_intensity.value == 0);
}
