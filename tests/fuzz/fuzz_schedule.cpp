// libFuzzer harness: the intensity parser and the window search. Whatever the CSV text and the
// request, parse_intensity_csv and schedule() either throw InputError or return finite figures
// with the best start inside the series and no dearer than the immediate one; on small inputs
// the running sums find the direct sums' minimum (the search as it was, hours x duration).
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "llm_energy/error.hpp"
#include "llm_energy/schedule.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llm_energy;
  using namespace llm_energy::whatif;
  // The first 4 bytes choose the request: duration (a fraction of an hour to ~200 hours, or a
  // raw double for the extremes), energy, earliest and deadline offsets; the rest is the CSV.
  if (size < 4) {
    return 0;
  }
  ScheduleRequest r;
  const std::uint8_t d = data[0];
  if (d == 255 && size >= 12) {
    double raw = 0;
    std::memcpy(&raw, data + 4, sizeof raw);
    r.duration_hours = raw;
    data += 8;
    size -= 8;
  } else {
    r.duration_hours = d < 128 ? (d + 1) / 64.0 : static_cast<double>(d - 127) * 1.5;
  }
  r.energy_kwh = std::pow(10.0, static_cast<double>(data[1] % 16));
  const std::string text(reinterpret_cast<const char*>(data + 4), size - 4);
  try {
    const IntensitySeries s = parse_intensity_csv(text, "fuzz.csv", "fuzz");
    if (s.g_per_kwh.empty() || s.end() <= s.start) {
      std::abort();
    }
    if (data[2] % 4 == 1) {
      r.earliest = s.start + static_cast<std::int64_t>(data[2]) * 97;
    }
    if (data[3] % 4 == 1) {
      r.deadline = s.end() - static_cast<std::int64_t>(data[3]) * 131;
    }
    const ScheduleResult out = schedule({s}, r);
    if (!std::isfinite(out.best_co2e_kg) || !std::isfinite(out.immediate_co2e_kg) ||
        !std::isfinite(out.savings_fraction) || out.best_co2e_kg < 0 || out.candidates == 0) {
      std::abort();
    }
    if (out.best_start < s.start || out.best_start >= s.end() || (out.best_start - s.start) % 3600 != 0) {
      std::abort();
    }
    if (out.best_co2e_kg > out.immediate_co2e_kg * (1 + 1e-9) + 1e-300) {
      std::abort();
    }
    // Small inputs: the direct sums agree on the minimum.
    if (s.g_per_kwh.size() <= 400 && r.duration_hours <= 200) {
      double best = -1;
      const double dur_s = r.duration_hours * 3600.0;
      std::int64_t first = s.start;
      if (r.earliest && *r.earliest > first) {
        first = s.start + (*r.earliest - s.start + 3599) / 3600 * 3600;
      }
      const std::int64_t limit = r.deadline ? std::min(s.end(), *r.deadline) : s.end();
      for (std::int64_t t = first; t < s.end() && static_cast<double>(t - s.start) + dur_s <=
                                                      static_cast<double>(limit - s.start) + 1e-6;
           t += 3600) {
        const double c = job_co2e_kg(s, t, r.duration_hours, r.energy_kwh);
        best = best < 0 ? c : std::min(best, c);
      }
      if (best < 0 || std::fabs(best - out.best_co2e_kg) > 1e-9 * std::max(1.0, best)) {
        std::abort();
      }
    }
  } catch (const InputError&) {
  }
  return 0;
}
