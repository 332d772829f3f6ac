#pragma once
// Accounting for measured energy (llm-energy measure): the devices' energies summed at the
// accelerator and server boundaries, then the facility energy and CO2e from the grid that
// resolve_grid() decides, as for an estimate. Pure: the meters themselves live in src/measure.
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/resolve.hpp"
#include "llm_energy/spread.hpp"

namespace llm_energy {

enum class DeviceKind { cpu_package, dram, gpu };
enum class MeterMethod { counter, power_sampling };
[[nodiscard]] std::string_view to_string(DeviceKind k);   // "cpu-package", "dram", "gpu"
[[nodiscard]] std::string_view to_string(MeterMethod m);  // "counter", "power-sampling"

struct DeviceEnergy {
  std::string name;
  DeviceKind kind = DeviceKind::gpu;
  MeterMethod method = MeterMethod::counter;
  double energy_j = 0;
};

struct MeasuredFootprint {
  double accelerator_j = 0;  // GPUs
  double server_j = 0;       // GPUs + CPU packages + DRAM
  double accelerator_kwh = 0;
  double server_kwh = 0;
  double energy_kwh = 0;     // facility: server x PUE
  double co2e_kg = 0;        // operational, location-based
  Interval energy_interval;  // over the PUE's range
  Interval co2e_interval;    // over the PUE's and the intensity's ranges
};

// A source that could not be read (a path, or "NVML (library)"), and why.
struct Unreadable {
  std::string source;
  std::string reason;
};

// Something read that is not to be trusted as it stands (a counter that stepped back), and
// what was done about it.
struct MeterWarning {
  std::string source;
  std::string message;
};

// One measured run of a command: what ran, how it ended, what was read and its footprint.
struct MeasurementReport {
  std::vector<std::string> command;
  int exit_code = 0;
  int signal = 0;  // the signal that ended it, or 0
  double duration_s = 0;
  std::vector<DeviceEnergy> devices;
  std::vector<Unreadable> unreadable;
  std::vector<MeterWarning> warnings;
  Grid grid;
  MeasuredFootprint footprint;
};

// Return the footprint of `devices` on `grid`.
[[nodiscard]] MeasuredFootprint account(const std::vector<DeviceEnergy>& devices, const Grid& grid);

}  // namespace llm_energy
