#pragma once
// Carbon-aware scheduling over hourly grid-intensity series: the start time and region with the
// least CO2e for a job within a window. Pure: CSV text in, values out.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy::whatif {

// Seconds since 1970-01-01T00:00:00Z from "YYYY-MM-DDTHH:MM[:SS](Z|+00:00)"; throws InputError
// naming `what`.
[[nodiscard]] std::int64_t parse_utc(std::string_view text, std::string_view what);
[[nodiscard]] std::string format_utc(std::int64_t seconds);
// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
[[nodiscard]] std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d);
struct CivilDate {
  std::int64_t year = 1970;
  unsigned month = 1;
  unsigned day = 1;
};
[[nodiscard]] CivilDate civil_from_days(std::int64_t days);

struct IntensitySeries {
  std::string region;             // the file's stem
  std::int64_t start = 0;         // first timestamp (seconds, on the hour)
  std::vector<double> g_per_kwh;  // one value per consecutive hour
  [[nodiscard]] std::int64_t end() const {
    return start + static_cast<std::int64_t>(g_per_kwh.size()) * 3600;
  }
};

// The most a series' value may be, gCO2e/kWh (ten times the dirtiest grids): keeps every
// sum and product of the schedule finite.
inline constexpr double k_max_intensity_g_per_kwh = 10000;
// The most energy a scheduled job may have, kWh (10,000 TWh, a third of the world's yearly
// electricity).
inline constexpr double k_max_job_energy_kwh = 1e13;

// Parse "timestamp,carbon_intensity" CSV text (hourly, sorted, no gaps or duplicates, values
// in [0, k_max_intensity_g_per_kwh]); throws InputError "NAME:LINE: ..." naming the problem.
[[nodiscard]] IntensitySeries parse_intensity_csv(std::string_view text, std::string_view name,
                                                  std::string region);

struct ScheduleRequest {
  double duration_hours = 0;
  double energy_kwh = 0;  // facility energy of the job, drawn evenly over its duration
  std::optional<std::int64_t> earliest;
  std::optional<std::int64_t> deadline;  // the job must finish by then
};

struct ScheduleResult {
  std::int64_t best_start = 0;
  std::string best_region;
  double best_co2e_kg = 0;
  std::int64_t immediate_start = 0;
  std::string immediate_region;  // the first series
  double immediate_co2e_kg = 0;
  double savings_fraction = 0;  // 1 - best / immediate
  std::size_t candidates = 0;   // start times evaluated
};

// Return the CO2e of the job starting at `start` in `s` (energy/duration per hour, the partial
// last hour pro-rated). Throws InputError unless the job starts on an hour of the series and
// lies within it.
[[nodiscard]] double job_co2e_kg(const IntensitySeries& s, std::int64_t start, double duration_hours,
                                 double energy_kwh);

// Return the start time (on the hour) and series that minimise CO2e within the window (one
// pass over each series: linear in its hours, whatever the job's duration). The immediate
// start is the first series' first allowed hour. Throws InputError when no series has room
// for the job in the window.
[[nodiscard]] ScheduleResult schedule(const std::vector<IntensitySeries>& series, const ScheduleRequest& r);

}  // namespace llm_energy::whatif
