// libFuzzer harness: the number-and-unit parsers never crash, hang or return a non-finite value.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"

namespace {
template <class F>
void check(F&& f) {
  try {
    const double v = f();
    if (!std::isfinite(v)) {
      std::abort();
    }
  } catch (const llm_energy::InputError&) {
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  using namespace llm_energy;
  check([&] { return parse_count(text, "x"); });
  check([&] { return parse_plain_number(text, "x"); });
  check([&] { return parse_energy_kwh(text, "x"); });
  check([&] { return parse_mass_kg(text, "x"); });
  check([&] { return parse_fraction(text, "x"); });
  check([&] { return parse_duration_hours(text, "x"); });
  try {
    const Range r = parse_range(text, "x");
    if (!std::isfinite(r.low) || !std::isfinite(r.value) || !std::isfinite(r.high) || r.low > r.value ||
        r.value > r.high) {
      std::abort();
    }
  } catch (const InputError&) {
  }
  return 0;
}
