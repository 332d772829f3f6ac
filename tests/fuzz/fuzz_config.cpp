// libFuzzer harness: any config text either fails with InputError or yields an estimate whose
// figures are all finite and whose intervals contain their central values.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
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
    if (e.training) {
      const auto& t = *e.training;
      for (double v : {t.flops, t.chip_hours, t.wall_clock_hours, t.implied_mfu, t.accelerator_energy_kwh,
                       t.server_energy_kwh, t.energy_kwh, t.co2e_kg, t.embodied_co2e_kg, t.energy_per_token_j,
                       t.energy_per_param_j}) {
        require_finite(v);
      }
      inside(t.interval.energy_kwh.low, t.energy_kwh, t.interval.energy_kwh.high);
      inside(t.interval.chip_hours.low, t.chip_hours, t.interval.chip_hours.high);
    }
    if (e.inference) {
      const auto& i = *e.inference;
      for (double v : {i.energy_per_token_j, i.accelerator_energy_per_token_j, i.energy_kwh, i.co2e_kg,
                       i.tokens_per_second, i.time_per_output_token_ms, i.energy_per_input_token_j}) {
        require_finite(v);
      }
      inside(i.interval.energy_per_token_j.low, i.energy_per_token_j, i.interval.energy_per_token_j.high);
    }
  } catch (const InputError&) {
  }
  return 0;
}
