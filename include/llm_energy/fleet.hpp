#pragma once
// A serving fleet over a day: a request rate with a daily load shape, latency targets, the
// replicas provisioned for them (static for the peak, or autoscaled with a lag), the idle
// capacity and the hosts that draw power while the accelerators wait, and prefill and decode
// on different hardware with the KV cache sent between them. Pure: every replica figure comes
// from model::serve (llm_energy/model.hpp); this module only sizes, queues and sums.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/model.hpp"
#include "llm_energy/spread.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy {

enum class Provisioning { static_peak, autoscale };
[[nodiscard]] std::string_view to_string(Provisioning p);

// The daily load: intervals starting at `start_h` (hours from midnight, the first at 0, each
// lasting until the next and the last until 24), with a rate `weight` each. Weights are
// relative (a built-in shape, mean 1) or requests per second (a file).
struct LoadProfile {
  std::string name;
  std::vector<double> start_h;
  std::vector<double> weight;
  [[nodiscard]] double hours(std::size_t i) const {
    return (i + 1 < start_h.size() ? start_h[i + 1] : 24.0) - start_h[i];
  }
  // The time-weighted mean of the weights over the day.
  [[nodiscard]] double mean() const;
};

// Return a built-in profile of 24 hourly intervals ("flat", "diurnal", "business-hours"), or
// nullopt for another name. diurnal: 1 + a cos(2 pi (h + 0.5 - peak) / 24); business-hours: 1
// from `start` to `end` and `off` outside, both scaled to mean 1.
[[nodiscard]] std::optional<LoadProfile> builtin_load_profile(std::string_view name, double diurnal_amplitude,
                                                              double diurnal_peak_hour, double business_start,
                                                              double business_end, double business_off_share);

// Parse "hour,rate" CSV text (hours from midnight in [0, 24), the first 0, sorted, evenly
// spaced, rates in requests per second, not negative, not all zero); throws InputError
// "NAME:LINE: ..." naming the problem.
[[nodiscard]] LoadProfile parse_load_profile(std::string_view text, std::string_view name);

// One pool of serving replicas of one kind of chip, as model::serve sees one of them.
enum class PoolRole { colocated, prefill, decode };
struct FleetPool {
  PoolRole role = PoolRole::colocated;
  std::string_view hardware;
  model::ServingSetup setup;      // at the resolved batch
  model::ServingFactors factors;  // central values
  double max_batch = 1;           // the most sequences the replica's KV cache admits
  double idle_w = 0;              // per chip, the accelerator idle
  double host_idle_fraction = 0.5;
  double scale_out_gbps = 0;  // per chip and direction (KV-cache transfer)
};

struct FleetInputs {
  double requests_per_s = 0;  // daily mean
  LoadProfile profile;        // its shape (scaled to the mean)
  std::optional<double> max_tpot_s;
  std::optional<double> max_ttft_s;
  Provisioning provisioning = Provisioning::static_peak;
  double redundancy = 0;  // >= 1: spare replicas; in (0, 1): a fraction of the replicas needed
  double min_replicas = 1;
  double step = 1;
  double lag_h = 0;
  std::vector<FleetPool> pools;  // one (colocated) or two (prefill, decode)
  double intensity_g_per_kwh = 0;
};

namespace fleet {

// What one replica of a pool does at batch `b` (sequences in decode; 1 for prefill).
struct ReplicaAt {
  double tpot_s = 0;     // time per output token a sequence sees (0 for prefill)
  double service_s = 0;  // time one request holds one of the replica's b slots
  double accelerator_j_per_request = 0;
  double host_j_per_request = 0;  // the busy host's share
  double first_token_s = 0;       // prefill and the first step, without queueing
};
[[nodiscard]] ReplicaAt replica_at(const FleetPool& p, double batch);

// Return the largest integer batch in [1, p.max_batch] whose time per output token is within
// `max_tpot_s`; nullopt when batch 1 misses it (`best_s` then holds batch 1's).
[[nodiscard]] std::optional<double> batch_under_tpot(const FleetPool& p, double max_tpot_s, double& best_s);

// Return Erlang's C: the probability that an arrival waits in an M/M/c queue of `servers`
// servers offered `load` = arrival rate x service time (Erlang B recursion); 1 when load >= servers.
[[nodiscard]] double erlang_c(double servers, double load);

// Return the mean wait in an M/M/c queue (servers, arrivals per second, mean service seconds);
// infinity when it is not stable.
[[nodiscard]] double mmc_wait_s(double servers, double arrivals_per_s, double service_s);

// Return the replicas an autoscaler keeps per interval for `needed` replicas per interval of a
// profile: the most needed in any interval that overlaps [start - lag, end + lag] (it scales
// up `lag` ahead of a known daily curve and down `lag` after), rounded up to `min + k step`.
[[nodiscard]] std::vector<double> autoscale(const std::vector<double>& needed, const LoadProfile& profile,
                                            double min_replicas, double step, double lag_h);

// Return the spare replicas of a redundancy setting for `needed` replicas.
[[nodiscard]] double spare_replicas(double redundancy, double needed);

// Return the seconds to send `bytes` of KV cache from a prefill replica of `chips_a` chips to a
// decode replica of `chips_b`, each chip at `gbps_a` / `gbps_b` GB/s: the slower side's
// bandwidth per chip over the chips that send in parallel (the fewer).
[[nodiscard]] double kv_transfer_s(double bytes, double gbps_a, double chips_a, double gbps_b,
                                   double chips_b);

// Return the power of an idle replica: its chips at idle and its hosts at the idle fraction.
[[nodiscard]] double idle_replica_w(const FleetPool& p);

}  // namespace fleet

struct FleetInterval {
  double start_h = 0;
  double hours = 0;
  double requests_per_s = 0;
  double replicas_provisioned = 0;  // all pools
  double replicas_busy = 0;         // replica-time serving / interval time
  double batch = 0;                 // sequences per busy decode replica
  double power_kw = 0;              // facility power
};

struct FleetEstimate {
  std::string_view provisioning;
  std::string profile;
  std::string_view prefill_hardware;  // empty when prefill runs on the decode replicas
  std::string_view decode_hardware;
  double requests_per_day = 0;
  double batch = 0;              // the planned batch per decode replica
  double chips_per_replica = 0;  // decode (or colocated) replica
  double replicas_peak = 0;
  double chips_peak = 0;
  double chips_mean = 0;
  double utilisation_mean = 0;  // busy chip-time / provisioned chip-time
  double tpot_ms = 0;           // at the planned batch
  double ttft_ms = 0;           // at the busiest interval, queueing included
  double kv_transfer_ms = 0;
  struct {
    double active_accelerator = 0, server = 0, fleet = 0, facility = 0;
  } energy_per_request_wh;
  struct {
    double active_accelerator = 0, host = 0, idle = 0, overhead = 0;
  } breakdown;                // fractions of the facility energy
  double energy_kwh = 0;      // per day, facility
  double co2e_kg = 0;         // per day
  double water_l = 0;         // per day: on site (WUE x fleet IT energy) and off site (generation)
  double onsite_water_l = 0;  // per day, on site
  double full_to_active = 0;  // facility / active accelerator energy
  struct {
    Interval energy_per_request_facility_wh, energy_kwh, co2e_kg, water_l;
  } interval;
  Spread energy_spread = Spread::exact(0);  // energy_kwh with each input at its ends (the total's)
  Spread co2e_spread = Spread::exact(0);
  Spread water_spread = Spread::exact(0);
  double chip_hours = 0;  // provisioned, per day
  std::vector<FleetInterval> intervals;
};

// The uncertain inputs of a fleet estimate: the serving model's time error, host power, PUE,
// grid intensity, on-site WUE and the water of generation, each {low, value, high}.
struct FleetRanges {
  Range time_overhead = Range::exact(1);
  Range host_factor = Range::exact(1);  // host power / its central value
  Range pue = Range::exact(1);
  Range intensity = Range::exact(0);
  Range wue = Range::exact(0);              // L per kWh of IT energy (idle capacity included)
  Range water_intensity = Range::exact(0);  // L per kWh of facility energy, off site
};

// Return the fleet over one day; throws InputError when a latency target cannot be met.
[[nodiscard]] FleetEstimate estimate_fleet(const FleetInputs& in, const FleetRanges& ranges);

}  // namespace llm_energy
