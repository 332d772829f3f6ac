// The built-in catalog is generated at build time (src/codegen/catalog_codegen.cpp); it must be
// exactly what parsing configs/*.json gives. The comparison uses the structs' defaulted
// operator== (include/llm_energy/catalog.hpp), so every field is compared, including fields added
// after this test was written.
#include <catch2/catch.hpp>

#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "llm_energy/catalog.hpp"

using namespace llm_energy;

namespace Catch {
template <>
struct StringMaker<Datum> {
  static std::string convert(const Datum& d) {
    std::ostringstream o;
    o << "{value " << d.value << ", low " << d.low << ", high " << d.high << ", source '" << d.source
      << "', year " << d.year << ", note '" << d.note << "'}";
    return o.str();
  }
};
}  // namespace Catch

namespace {

// Return how many of `mutations` make a copy of `x` compare unequal to `x`.
template <class T>
std::size_t detected(const T& x, const std::vector<std::function<void(T&)>>& mutations) {
  std::size_t n = 0;
  for (const auto& m : mutations) {
    T y = x;
    m(y);
    if (!(y == x)) {
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("the generated built-in catalog equals the parsed configs, every field of every entry",
          "[catalog]") {
  const Catalog& g = builtin_catalog();
  const Catalog p = load_catalog(builtin_sources());
  REQUIRE(g.hardware.size() == p.hardware.size());
  for (std::size_t i = 0; i < g.hardware.size(); ++i) {
    INFO("hardware " << p.hardware[i].id);
    CHECK(g.hardware[i] == p.hardware[i]);
  }
  REQUIRE(g.operators.size() == p.operators.size());
  for (std::size_t i = 0; i < g.operators.size(); ++i) {
    INFO("operator " << p.operators[i].id);
    CHECK(g.operators[i] == p.operators[i]);
  }
  REQUIRE(g.regions.size() == p.regions.size());
  for (std::size_t i = 0; i < g.regions.size(); ++i) {
    INFO("region " << p.regions[i].id);
    CHECK(g.regions[i] == p.regions[i]);
  }
  REQUIRE(g.models.size() == p.models.size());
  for (std::size_t i = 0; i < g.models.size(); ++i) {
    INFO("model " << p.models[i].id);
    CHECK(g.models[i] == p.models[i]);
  }
  CHECK(g.training == p.training);
  CHECK(g.serving == p.serving);
  CHECK(g.whatif == p.whatif);
  CHECK(g.default_operator == p.default_operator);
  CHECK(g.hardware_version == p.hardware_version);
  CHECK(g.regions_version == p.regions_version);
  CHECK(g.region_index == p.region_index);
  // The whole catalog: a member added to Catalog itself is compared too.
  CHECK(g == p);
}

TEST_CASE("the catalog comparison sees a change in any field", "[catalog]") {
  const Catalog& g = builtin_catalog();
  REQUIRE_FALSE(g.hardware.empty());
  REQUIRE_FALSE(g.regions.empty());
  REQUIRE_FALSE(g.models.empty());
  REQUIRE_FALSE(g.operators.empty());

  const Datum d = g.hardware.front().tdp_w;
  const std::vector<std::function<void(Datum&)>> datum_changes = {
      [](Datum& x) { x.value += 1; }, [](Datum& x) { x.low -= 1; },
      [](Datum& x) { x.high += 1; },  [](Datum& x) { x.source = "a changed text"; },
      [](Datum& x) { x.year += 1; },  [](Datum& x) { x.note = "a changed text"; }};
  CHECK(detected(d, datum_changes) == datum_changes.size());

  const Hardware& h = g.hardware.front();
  const std::vector<std::function<void(Hardware&)>> hardware_changes = {
      [](Hardware& x) { x.id = "a changed text"; },
      [](Hardware& x) { x.aliases.emplace_back("a changed text"); },
      [](Hardware& x) { x.notes = "a changed text"; },
      [](Hardware& x) { x.release_year += 1; },
      [](Hardware& x) { x.peak_tflops[6] = x.peak_tflops[6] ? std::nullopt : std::optional<Datum>(Datum{}); },
      [](Hardware& x) {
        for (auto& peak : x.peak_tflops) {
          if (peak) {
            peak->source = "a changed text";
          }
        }
      },
      [](Hardware& x) { x.sparse_speedup = x.sparse_speedup ? std::nullopt : std::optional<Datum>(Datum{}); },
      [](Hardware& x) { x.embodied_kgco2e.note = "a changed text"; },
      [](Hardware& x) { x.service_life_years.high += 1; }};
  CHECK(detected(h, hardware_changes) == hardware_changes.size());

  const std::vector<std::function<void(Region&)>> region_changes = {
      [](Region& x) { x.operator_id = "a changed text"; }, [](Region& x) { x.carbon_intensity.year += 1; },
      [](Region& x) { x.basis = "a changed text"; }, [](Region& x) { x.aliases.emplace_back("x"); }};
  CHECK(detected(g.regions.front(), region_changes) == region_changes.size());

  const std::vector<std::function<void(Operator&)>> operator_changes = {
      [](Operator& x) { x.name = "a changed text"; }, [](Operator& x) { x.wue_l_per_kwh.low -= 1; }};
  CHECK(detected(g.operators.front(), operator_changes) == operator_changes.size());

  const std::vector<std::function<void(ModelArch&)>> model_changes = {
      [](ModelArch& x) { x.kv_heads += 1; }, [](ModelArch& x) { x.context_length += 1; },
      [](ModelArch& x) { x.note = "a changed text"; }, [](ModelArch& x) { x.aliases.clear(); }};
  CHECK(detected(g.models.front(), model_changes) == model_changes.size());

  const std::vector<std::function<void(Catalog&)>> catalog_changes = {
      [](Catalog& x) { x.training.target_days.value += 1; },
      [](Catalog& x) { x.whatif.two_four_weight_bytes.source = "a changed text"; },
      [](Catalog& x) { x.serving.default_output_tokens.high += 1; },
      [](Catalog& x) { x.serving.memory_efficiency.year += 1; },
      [](Catalog& x) { x.models.back().source = "a changed text"; },
      [](Catalog& x) { x.regions.pop_back(); },
      [](Catalog& x) { x.default_operator = "a changed text"; },
      [](Catalog& x) { x.hardware_version = "a changed text"; },
      [](Catalog& x) { x.regions_version = "a changed text"; }};
  CHECK(detected(g, catalog_changes) == catalog_changes.size());
}
