// libFuzzer harness: any config text either fails with InputError or yields an estimate whose
// figures (every one the registry declares, and the totals) are finite and whose intervals
// contain their central values.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/figures.hpp"
#include "llm_energy/scenario.hpp"

namespace {
void require_finite(double v) {
  if (!std::isfinite(v)) {
    std::abort();
  }
}
void inside(double lo, double v, double hi) {
  require_finite(lo);
  require_finite(hi);
  if (lo > v * (1 + 1e-9) || hi < v * (1 - 1e-9)) {
    std::abort();
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llm_energy;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    Scenario s;
    apply_config_json(s, text, "fuzz.json");
    const Estimate e = estimate(s, builtin_catalog());
    // Every figure of the registry is finite, and every interval contains its figure.
    for (const Figure& f : figures()) {
      if (!f.present(e)) {
        continue;
      }
      if (f.type == FigureType::number) {
        require_finite(f.number(e));
      } else if (f.type == FigureType::interval) {
        const Figure* n = find_figure(f.section, f.key);
        const Interval i = f.interval(e);
        inside(i.low, n != nullptr ? n->number(e) : i.low, i.high);
      }
    }
    for (const Spread* t : {&e.total.energy_kwh, &e.total.co2e_kg, &e.total.chip_hours}) {
      inside(t->interval().low, t->value, t->interval().high);
    }
  } catch (const InputError&) {
  }
  return 0;
}
