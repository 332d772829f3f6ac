#pragma once
// The meters of `llm-energy measure`: energy counters read while a command runs.
//
// measure reads, every --interval while the command runs (and once at its start and end):
//  * CPU package and DRAM counters of the Linux powercap interface (intel-rapl zones under
//    /sys/class/powercap, or --powercap-root DIR, or $LLM_ENERGY_POWERCAP_ROOT): each zone's
//    energy_uj, which wraps to zero after max_energy_range_uj (sampling often catches every
//    wrap; a zone is counted once even when it appears both flat and nested). A counter that
//    steps back by less than half its range is not a wrap but a reset or a glitch: that step
//    is not counted and is named on the warning line (WrappingCounter). Zones named
//    package-N are "cpu-package", zones named dram are "dram"; core, uncore and psys zones are
//    skipped (they are parts of a package, or the whole platform) so nothing is counted twice.
//  * NVIDIA GPUs through NVML, loaded at run time (dlopen of libnvidia-ml.so.1, or
//    --nvml-library PATH): the total-energy counter (mJ) where the GPU has one ("counter"),
//    else power (mW) sampled and integrated with the trapezoid rule ("power-sampling").
// The command inherits standard input, output and error untouched. The report goes to
// standard error by default (the command's standard output stays clean), to --output FILE,
// or to standard output with --output -. Sources that cannot be read (no permission, a VM,
// no GPU or driver) are named on one warning line on standard error and in "unreadable"; the
// run completes with what could be read. The exit code is the command's (128+N when it was
// killed by signal N); 2 when it cannot be started or for bad usage.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "llm_energy/metering.hpp"

namespace llm_energy::measure {

// A cumulative counter that wraps to zero after `range` (RAPL's max_energy_range_uj; 0: none).
//
// A value below the previous one is one wrap only when it stepped back by at least half the
// range: the counter ran up to the top and on from zero, adding range - previous + now, which
// is then at most half the range (a sampling interval is far shorter than the time half a
// range takes: 262 kJ, the usual package range, is 22 minutes at 200 W; --interval is at most
// 60 s). Any smaller step back (and any step back when the range is 0: a counter that does not
// wrap, as NVML's) is a reset or a glitch: it is not counted (counting goes on from the new
// value) and steps_back() counts it, for the warning line. Counting it as a wrap would add
// almost a whole range of energy that was never drawn.
class WrappingCounter {
 public:
  enum class Step { forward, wrap, back };
  WrappingCounter(std::uint64_t first, std::uint64_t range);
  // Account the increase up to `now`, and return what the step was.
  Step update(std::uint64_t now);
  [[nodiscard]] std::uint64_t total() const { return m_total; }
  [[nodiscard]] std::uint64_t wraps() const { return m_wraps; }
  [[nodiscard]] std::uint64_t steps_back() const { return m_steps_back; }
  [[nodiscard]] std::uint64_t largest_step_back() const { return m_largest_back; }
  [[nodiscard]] std::uint64_t range() const { return m_range; }

 private:
  std::uint64_t m_last;
  std::uint64_t m_range;
  std::uint64_t m_total = 0;
  std::uint64_t m_wraps = 0;
  std::uint64_t m_steps_back = 0;
  std::uint64_t m_largest_back = 0;
};

// Return the warning for a counter that stepped back (empty when it never did); `unit` is
// the counter's unit ("uJ", "mJ").
[[nodiscard]] std::string step_back_warning(const WrappingCounter& c, const std::string& unit);

// The trapezoid integral of power samples (seconds, watts) given in time order.
class PowerIntegral {
 public:
  void add(double t_s, double watts);
  [[nodiscard]] double joules() const { return m_joules; }
  [[nodiscard]] std::size_t samples() const { return m_samples; }

 private:
  double m_t = 0;
  double m_w = 0;
  double m_joules = 0;
  std::size_t m_samples = 0;
};

// The powercap zones under `root`. Zones that cannot be read are added to `unreadable`.
class PowercapMeter {
 public:
  PowercapMeter(const std::string& root, std::vector<Unreadable>& unreadable);
  // Read every zone's counter (call at the start, every interval, and at the end).
  void sample();
  [[nodiscard]] std::vector<DeviceEnergy> devices() const;
  // Counters that stepped back during the run (not counted), one entry per zone.
  [[nodiscard]] std::vector<MeterWarning> warnings() const;

 private:
  struct Zone {
    std::string name;
    DeviceKind kind;
    std::string energy_path;
    WrappingCounter counter;
    bool failed = false;
  };
  std::vector<Zone> m_zones;
  std::vector<Unreadable>* m_unreadable;
};

// NVIDIA GPUs through NVML loaded at run time.
class NvmlMeter {
 public:
  // Load `library` (a path or a soname for dlopen) and open every GPU. Failures are added to
  // `unreadable` and leave the meter empty.
  NvmlMeter(const std::string& library, std::vector<Unreadable>& unreadable);
  NvmlMeter(const NvmlMeter&) = delete;
  NvmlMeter& operator=(const NvmlMeter&) = delete;
  ~NvmlMeter();
  // Read every GPU at `t_s` seconds since the start (call at the start, every interval, and at the end).
  void sample(double t_s);
  [[nodiscard]] std::vector<DeviceEnergy> devices() const;
  // Energy counters that stepped back during the run (a driver reset: not counted).
  [[nodiscard]] std::vector<MeterWarning> warnings() const;
  // The GPUs NVML reported (read or not); 0 when NVML could not be loaded or initialised.
  [[nodiscard]] unsigned int gpus_found() const { return m_found; }

  struct Api;

 private:
  std::unique_ptr<Api> m_api;
  struct Gpu;
  std::vector<Gpu> m_gpus;
  std::vector<Unreadable>* m_unreadable;
  unsigned int m_found = 0;
};

// Return the sampling interval in seconds from "100ms", "0.5s" or a bare number of
// milliseconds; throws InputError outside 1 ms to 60 s.
[[nodiscard]] double parse_interval_s(const std::string& text);

// ---- Running the command ----

struct ChildResult {
  int exit_code = 0;
  int signal = 0;
  double duration_s = 0;
};

using Clock = std::chrono::steady_clock;

// Run `command`, calling sample(t) every `interval_s` until it ends (t: seconds since `t0`).
// SIGINT and SIGQUIT are ignored meanwhile (as time(1) does). Throws InputError when the
// command cannot be started.
ChildResult run_command(const std::vector<std::string>& command, double interval_s, Clock::time_point t0,
                        const std::function<void(double)>& sample);

}  // namespace llm_energy::measure
