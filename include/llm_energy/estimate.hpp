#pragma once
// estimate(Resolved) -> Estimate: run the model on the resolved inputs and propagate their
// documented ranges. estimate(Scenario, Catalog) resolves first. The result holds values only
// (figures, intervals, the resolved inputs with their origins); renderers turn it into text.
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/fleet.hpp"
#include "llm_energy/resolve.hpp"
#include "llm_energy/scenario.hpp"
#include "llm_energy/spread.hpp"

namespace llm_energy {

struct TrainingEstimate {
  double flops = 0;
  double chip_hours = 0;
  double wall_clock_hours = 0;
  double implied_mfu = 0;
  // Energy by part; compute + host + communication + storage + overhead = energy_kwh.
  double accelerator_energy_kwh = 0;    // compute: the accelerators
  double host_energy_kwh = 0;           // the servers' CPUs, memory, fans (network adapters excluded)
  double communication_energy_kwh = 0;  // network adapters and switch ports (scale-out fabric)
  double storage_energy_kwh = 0;        // checkpoint writes and dataset reads
  double overhead_energy_kwh = 0;       // facility overhead: (PUE - 1) x IT energy
  double server_energy_kwh = 0;         // accelerators + host + the adapters inside the servers
  double energy_kwh = 0;                // facility boundary (headline)
  double co2e_kg = 0;                   // operational, location-based
  double embodied_co2e_kg = 0;
  double energy_per_token_j = 0;
  double energy_per_param_j = 0;
  std::optional<double> market_based_co2e_kg;  // with --renewable-share or --market-based-intensity
  double onsite_water_l = 0;                   // WUE x IT (server) energy
  double water_l = 0;                          // on-site + water intensity of electricity x facility energy
  struct {
    Interval chip_hours, energy_kwh, co2e_kg, water_l;
    Interval accelerator_energy_kwh, host_energy_kwh, communication_energy_kwh, storage_energy_kwh,
        overhead_energy_kwh;
  } interval;
  std::string_view main_uncertainty;  // the input that drives most of the energy spread
};

struct InferenceEstimate {
  double tokens = 0;  // output tokens served in total
  double input_tokens_per_request = 0;
  double output_tokens_per_request = 0;
  double requests = 0;
  double batch_size = 0;
  double chips = 0;                     // per replica
  std::string_view bound;               // "memory" or "compute" (decode step)
  double tokens_per_second = 0;         // output tokens per second per replica
  double time_per_output_token_ms = 0;  // inter-token latency incl. interleaved prefill
  double accelerator_energy_per_token_j = 0;
  double server_energy_per_token_j = 0;
  double energy_per_token_j = 0;        // facility boundary, prefill share included
  double energy_per_input_token_j = 0;  // facility boundary, prefill only
  double energy_per_request_wh = 0;
  double kwh_per_million_tokens = 0;
  double accelerator_energy_kwh = 0;
  double server_energy_kwh = 0;
  double energy_kwh = 0;
  double co2e_kg = 0;
  double embodied_co2e_kg = 0;
  double chip_hours = 0;
  double memory_required_gb = 0;  // per replica: weights + KV cache at batch B, with headroom
  std::optional<double> market_based_co2e_kg;
  double onsite_water_l = 0;
  double water_l = 0;
  struct {
    Interval energy_per_token_j, accelerator_energy_per_token_j, energy_kwh, co2e_kg, water_l;
  } interval;
  std::string_view main_uncertainty;
  std::optional<FleetEstimate> fleet;  // a serving fleet over a day (--requests-per-day, ...)
};

// The estimated phases together: sums whose intervals combine the inputs the phases share
// (grid, PUE, host power) as one, by the Spread rule. With one phase, that phase's figures.
struct Total {
  Spread energy_kwh;
  Spread co2e_kg;
  Spread chip_hours;
  Spread water_l;
  double embodied_co2e_kg = 0;
  std::optional<double> market_based_co2e_kg;
};

struct Estimate {
  Phase phase = Phase::both;
  std::string_view hardware;  // the hardware id (catalog)
  std::string_view region;    // the region id, or "custom"
  model::Shape shape;         // the resolved architecture
  std::optional<TrainingEstimate> training;
  std::optional<InferenceEstimate> inference;
  Total total;
  std::vector<Assumption> assumptions;  // every resolved input with its origin and source
};

// A memo of the expensive, token-count-independent part of estimates: the range propagation
// per FLOP of training and per output token of serving. Batch and sweep runs that repeat a
// hardware / region / model configuration with other token counts reuse it. Owned by the
// caller, one per thread; an estimate is bitwise the same with or without it.
class EstimateCache {
 public:
  EstimateCache();
  ~EstimateCache();
  EstimateCache(const EstimateCache&) = delete;
  EstimateCache& operator=(const EstimateCache&) = delete;
  EstimateCache(EstimateCache&&) noexcept;
  EstimateCache& operator=(EstimateCache&&) noexcept;

  struct Impl;  // defined in estimate.cpp
  [[nodiscard]] Impl& impl() { return *m_impl; }

 private:
  std::unique_ptr<Impl> m_impl;
};

// Return the estimate of resolved inputs; throws InputError when a figure overflows.
[[nodiscard]] Estimate estimate(Resolved inputs, EstimateCache* cache = nullptr);

// Return the estimate for `s`: estimate(resolve(s, catalog)).
[[nodiscard]] Estimate estimate(const Scenario& s, const Catalog& catalog, EstimateCache* cache = nullptr);

// Return one estimate of the training phase of `training` and the inference phase of
// `inference` (what-if variants change one phase and not the other): the phases, a total
// combined by the Spread rule, and the assumptions of both (each key and value once).
[[nodiscard]] Estimate merge_phases(const Estimate* training, const Estimate* inference, Phase phase);

}  // namespace llm_energy
