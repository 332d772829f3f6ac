#pragma once
// One measured interval: the meters `llm-energy measure` reads (powercap and NVML), the
// estimated fallback when none can be read, and the report they make. The measure command
// runs a child process between start() and finish(); the Python module's measure() context
// manager runs the caller's own code.
#include <optional>
#include <string>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/metering.hpp"
#include "llm_energy/resolve.hpp"
#include "llm_energy/scenario.hpp"
#include "measure/meters.hpp"

namespace llm_energy::measure {

struct SessionOptions {
  std::string powercap_root;  // empty: $LLM_ENERGY_POWERCAP_ROOT, else /sys/class/powercap
  std::string nvml_library = "libnvidia-ml.so.1";
  std::string hardware;         // the accelerator for the estimated fallback; empty: the default
  std::optional<double> chips;  // chips for that estimate; empty: the GPUs NVML found, else 1
  Scenario grid;                // region, carbon_intensity, pue (as estimate parses them)
};

// Return the powercap root: `given`, else $LLM_ENERGY_POWERCAP_ROOT, else /sys/class/powercap.
[[nodiscard]] std::string powercap_root(const std::string& given);

class Session {
 public:
  // Resolve the grid and the fallback's power figures and open the meters (sources that
  // cannot be read go to the report's "unreadable"). Throws InputError for bad options.
  Session(const SessionOptions& o, const Catalog& cat);
  // Read every meter at the start (t = 0).
  void start();
  // Read every meter `t_s` seconds after start() (call every interval).
  void sample(double t_s);
  [[nodiscard]] Clock::time_point t0() const { return m_t0; }
  // Read the meters a last time at `duration_s` and return the report of the interval.
  [[nodiscard]] MeasurementReport finish(std::vector<std::string> command, int exit_code, int signal,
                                         double duration_s, const JobInfo& job);

 private:
  MeasurementReport m_report;
  std::string m_hardware;
  std::optional<double> m_chips;
  GridFigures m_grid;
  PowercapMeter m_powercap;
  NvmlMeter m_nvml;
  double m_estimate_chips = 1;
  std::optional<Resolved> m_power;
  Clock::time_point m_t0{};
};

}  // namespace llm_energy::measure
