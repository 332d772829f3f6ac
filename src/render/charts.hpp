#pragma once
// The --plot charts of estimate, compare, sweep and schedule, as self-contained SVG text
// (built with svg.hpp). Nothing here does I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/estimate.hpp"
#include "llm_energy/schedule.hpp"
#include "llm_energy/whatif.hpp"

namespace llm_energy::render {

// Stacked bars per phase: energy (accelerators, host, facility overhead) and CO2e (the same
// operational split plus embodied), with the range as error bars and the totals printed.
// `scenario` (the flags given, "--params 7B --tokens 2T") is shown under the title when not empty.
[[nodiscard]] std::string estimate_chart(const Estimate& e, std::string_view scenario = {});

// The serving fleet over the day: load, replicas provisioned and busy, and facility power, each
// as a share of its peak (the peaks in the legend). Needs e.inference->fleet.
[[nodiscard]] std::string fleet_chart(const Estimate& e);

// Bars per row (baseline and variants): facility energy with its range, and operational CO2e.
[[nodiscard]] std::string compare_chart(const whatif::Comparison& c, std::string_view scenario = {});

// One swept combination: the values of every swept key, and the plotted figure.
struct SweepPoint {
  std::vector<std::string> values;
  double y = 0;
};

// What sweep --plot draws: the swept key on the x axis (an index into the keys), the figure on
// the y axis, and whether the x axis is logarithmic (unset: when the values span 2 decades).
struct SweepPlot {
  std::size_t x = 0;
  std::string y = "energy";  // energy (facility kWh), co2e (kg, operational) or chip-hours
  std::optional<bool> log_x;
};

// The figures sweep --plot-y accepts.
[[nodiscard]] const std::vector<std::string>& sweep_plot_figures();
// Return the plotted figure of `e` ("energy", "co2e" or "chip-hours").
[[nodiscard]] double sweep_plot_value(const Estimate& e, const std::string& figure);

// Lines of the figure against one swept key, one per combination of the others (legends with
// counts as 7B, 2T).
[[nodiscard]] std::string sweep_chart(const std::vector<std::string>& keys,
                                      const std::vector<SweepPoint>& pts, const SweepPlot& plot = {});

// Return a count as users write it: 7e9 -> "7B", 2e12 -> "2T", 64 -> "64", 1.5e6 -> "1.5M";
// text that is not a number is returned unchanged.
[[nodiscard]] std::string short_count(const std::string& value);

// The intensity series of each file with the chosen window shaded.
[[nodiscard]] std::string schedule_chart(const std::vector<whatif::IntensitySeries>& series,
                                         const whatif::ScheduleResult& r, const whatif::ScheduleRequest& q);

}  // namespace llm_energy::render
