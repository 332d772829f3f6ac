#pragma once
// The --plot charts of estimate, compare, sweep and schedule, as self-contained SVG text
// (built with svg.hpp). Nothing here does I/O.
#include <string>
#include <vector>

#include "llm_energy/estimate.hpp"
#include "llm_energy/schedule.hpp"
#include "llm_energy/whatif.hpp"

namespace llm_energy::render {

// Stacked bars per phase: energy (accelerators, host, facility overhead) and CO2e (the same
// operational split plus embodied), with the range as error bars and the totals printed.
[[nodiscard]] std::string estimate_chart(const Estimate& e);

// The serving fleet over the day: load, replicas provisioned and busy, and facility power, each
// as a share of its peak (the peaks in the legend). Needs e.inference->fleet.
[[nodiscard]] std::string fleet_chart(const Estimate& e);

// Bars per row (baseline and variants): facility energy with its range, and operational CO2e.
[[nodiscard]] std::string compare_chart(const whatif::Comparison& c);

// One swept combination: the values of every swept key, and the facility energy.
struct SweepPoint {
  std::vector<std::string> values;
  double energy_kwh = 0;
};

// Lines of energy against the first swept key, one per combination of the others.
[[nodiscard]] std::string sweep_chart(const std::vector<std::string>& keys,
                                      const std::vector<SweepPoint>& pts);

// The intensity series of each file with the chosen window shaded.
[[nodiscard]] std::string schedule_chart(const std::vector<whatif::IntensitySeries>& series,
                                         const whatif::ScheduleResult& r, const whatif::ScheduleRequest& q);

}  // namespace llm_energy::render
