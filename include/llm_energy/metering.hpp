#pragma once
// Accounting for measured energy (llm-energy measure): the devices' energies summed at the
// accelerator and server boundaries, then the facility energy and CO2e from the grid that
// resolve_grid() decides, as for an estimate; the estimate that stands in when no counter
// could be read; the per-node reports of a run under a launcher read back and merged. Pure:
// the meters and the launcher's environment live in src/measure.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/resolve.hpp"
#include "llm_energy/spread.hpp"

namespace llm_energy {

// cpu-package, dram and gpu are read; server is an estimated entry (accelerators and host).
enum class DeviceKind { cpu_package, dram, gpu, server };
enum class MeterMethod { counter, power_sampling, estimated };
[[nodiscard]] std::string_view to_string(DeviceKind k);   // "cpu-package", "dram", "gpu", "server"
[[nodiscard]] std::string_view to_string(MeterMethod m);  // "counter", "power-sampling", "estimated"

// How an estimated entry was computed: duration x chips x (accelerator power + host power),
// the powers per chip as resolve() gives them for the hardware (TDP x the average-draw
// fraction, and the host share), with their ranges.
struct PowerEstimate {
  std::string hardware;           // the catalog's id
  bool default_hardware = false;  // --hardware was not given: resolve()'s default hardware
  double chips = 1;
  double duration_s = 0;
  Range accelerator_w;  // per chip
  Range host_w;         // per chip
  bool operator==(const PowerEstimate&) const = default;
};

struct DeviceEnergy {
  std::string name;
  DeviceKind kind = DeviceKind::gpu;
  MeterMethod method = MeterMethod::counter;
  double energy_j = 0;
  std::optional<PowerEstimate> estimate;  // set when method is estimated

  // The part of energy_j inside the accelerator boundary.
  [[nodiscard]] double accelerator_j() const;
  bool operator==(const DeviceEnergy&) const = default;
};

// Return the entry that stands in for the devices when none could be read: resolve()'s power
// figures for `r.hardware` (a training scenario of that hardware) over `duration_s` on
// `chips` chips. Named "estimate: CHIPS x ID".
[[nodiscard]] DeviceEnergy estimated_device(const Resolved& r, double chips, bool default_hardware,
                                            double duration_s);

// Return the range of one entry's energy [J]: exact for a reading; for an estimate, the
// accelerator and host power at their low and high ends combined as estimate() combines
// ranges (log-space root-sum-square).
[[nodiscard]] Interval energy_interval_j(const DeviceEnergy& d);

// The grid as a report records it: the ids in words, the figures with their ranges.
struct GridFigures {
  std::string region = "custom";  // the region id; "custom" for --carbon-intensity
  std::string pue_operator;       // the operator whose PUE applies; empty: --pue
  Range pue = Range::exact(1);
  Range intensity = Range::exact(0);  // gCO2e/kWh
  bool operator==(const GridFigures&) const = default;
};
[[nodiscard]] GridFigures grid_figures(const Grid& g);

struct MeasuredFootprint {
  double accelerator_j = 0;  // GPUs (and the accelerator part of an estimate)
  double server_j = 0;       // GPUs + CPU packages + DRAM (or the estimate)
  double accelerator_kwh = 0;
  double server_kwh = 0;
  double energy_kwh = 0;          // facility: server x PUE
  double co2e_kg = 0;             // operational, location-based
  Interval accelerator_interval;  // kWh; exact unless estimated
  Interval server_interval;       // kWh; exact unless estimated
  Interval energy_interval;       // over the PUE's range (and the estimate's)
  Interval co2e_interval;         // over the PUE's and the intensity's ranges (and the estimate's)
  bool estimated = false;         // some of the energy is an estimate
};

// Return the footprint of `devices` on `grid`. Ranges are combined as estimate() combines
// them; the power figures of several estimated entries move together (one datum each).
[[nodiscard]] MeasuredFootprint account(const std::vector<DeviceEnergy>& devices, const GridFigures& grid);

// A source that could not be read (a path, or "NVML (library)"), and why.
struct Unreadable {
  std::string source;
  std::string reason;
  bool operator==(const Unreadable&) const = default;
};

// Something read that is not to be trusted as it stands (a counter that stepped back, a
// launcher without a local rank), and what was done about it.
struct MeterWarning {
  std::string source;
  std::string message;
  bool operator==(const MeterWarning&) const = default;
};

// The launcher a process runs under and its job metadata (src/measure/launcher.hpp reads it
// from the environment), so that a report joins against the scheduler's accounting (sacct).
struct JobInfo {
  std::string launcher;                 // "torchrun", "open-mpi", "pmi", "slurm"; empty: none
  std::string node;                     // LLM_ENERGY_NODE_NAME, SLURMD_NODENAME or the host name
  std::string job_id;                   // SLURM_JOB_ID; empty outside Slurm
  std::string job_name;                 // SLURM_JOB_NAME
  std::optional<long long> node_id;     // SLURM_NODEID, else torchrun's GROUP_RANK
  std::optional<long long> rank;        // the launcher's global rank
  std::optional<long long> local_rank;  // the rank within the node
  std::optional<long long> world_size;  // ranks in the job
  bool operator==(const JobInfo&) const = default;
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
  std::string hardware;         // --hardware (the catalog's id); empty when not given
  std::optional<double> chips;  // --chips; empty when not given
  JobInfo job;
  GridFigures grid;
  MeasuredFootprint footprint;

  // True when the energy is an estimate (no counter could be read).
  [[nodiscard]] bool estimated() const;
  // The GPUs read (by counter or power sampling).
  [[nodiscard]] std::size_t gpus() const;
};

// ---- Reports read back and merged (llm-energy measure --merge) ----

inline constexpr std::string_view k_measure_schema = "llm-energy/measure/1";
inline constexpr std::string_view k_merged_schema = "llm-energy/measure-merged/1";

// Return the report in `text`, a JSON report of schema llm-energy/measure/1 (what
// render_measurement writes), its footprint recomputed from its devices and grid. Throws
// InputError naming `name` for malformed JSON, another schema (a merged report included),
// a missing or mistyped key.
[[nodiscard]] MeasurementReport parse_measurement(std::string_view text, std::string_view name);

struct NodeMeasurement {
  std::string file;  // where the report was read from, for messages and the merged report
  MeasurementReport report;
};

// Per-node reports of one run, summed.
struct MergedMeasurement {
  std::vector<std::string> command;
  JobInfo job;                         // launcher, job id and name, world size (no node fields)
  std::string hardware;                // the nodes' --hardware when they all give the same one; else empty
  std::vector<NodeMeasurement> nodes;  // by node id, then node name; footprints on `grid`
  double duration_s = 0;               // the longest node's
  int exit_code = 0;                   // the first non-zero node exit code in that order, else 0
  GridFigures grid;
  MeasuredFootprint footprint;                      // the nodes' devices together
  std::vector<std::string> nodes_without_counters;  // nodes where nothing could be read (estimated)
};

// Return the merge of `nodes`: energies add, the duration is the longest node's, facility
// energy and CO2e come from `grid` (default: the reports' own, which must then agree).
// Throws InputError (one line) for no report, the same node twice, or reports of different
// runs: another command, Slurm job id or world size.
[[nodiscard]] MergedMeasurement merge_measurements(std::vector<NodeMeasurement> nodes,
                                                   const std::optional<GridFigures>& grid);

}  // namespace llm_energy
