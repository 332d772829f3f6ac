#pragma once
// estimate(Scenario, Catalog) -> Estimate: resolve every input (flag, config, catalog or
// default, with its source), run the model, and propagate the documented input ranges.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy {

struct Interval {
  double low = 0;
  double high = 0;
};

// One resolved input: its value (with range), unit, and where it came from.
struct Assumption {
  std::string key;
  std::string text;  // for textual inputs (hardware id, region, precision); else empty
  Range value;       // numeric value and range (exact unless uncertain)
  std::string unit;
  std::string origin;  // "flag", "config", "default", "catalog:<id>", "derived"
  std::string source;  // the catalog's source and year, or how a default is derived
};

struct TrainingEstimate {
  double flops = 0;
  double chip_hours = 0;
  double wall_clock_hours = 0;
  double implied_mfu = 0;
  double accelerator_energy_kwh = 0;
  double server_energy_kwh = 0;
  double energy_kwh = 0;  // facility boundary (headline)
  double co2e_kg = 0;     // operational, location-based
  double embodied_co2e_kg = 0;
  double energy_per_token_j = 0;
  double energy_per_param_j = 0;
  struct {
    Interval chip_hours, energy_kwh, co2e_kg;
  } interval;
  std::string_view main_uncertainty;  // the input that drives most of the energy spread (a static name)
};

struct InferenceEstimate {
  double tokens = 0;  // output tokens served in total
  double input_tokens_per_request = 0;
  double output_tokens_per_request = 0;
  double requests = 0;
  double batch_size = 0;
  double chips = 0;                     // per replica
  std::string bound;                    // "memory" or "compute" (decode step)
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
  struct {
    Interval energy_per_token_j, accelerator_energy_per_token_j, energy_kwh, co2e_kg;
  } interval;
  std::string_view main_uncertainty;  // a static name, as above
};

struct Estimate {
  Phase phase = Phase::both;
  std::string hardware;
  std::string region;
  std::optional<TrainingEstimate> training;
  std::optional<InferenceEstimate> inference;
  std::vector<Assumption> assumptions;
  std::vector<std::string> notes;
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

struct EstimateOptions {
  // Build Estimate::assumptions (every resolved input with its origin and source). Batch and
  // sweep output do not show them; skipping their strings makes an estimate several times faster.
  bool assumptions = true;
  // Reuse per-unit results across calls (see EstimateCache); null: compute everything.
  EstimateCache* cache = nullptr;
};

// Return the estimate for `s`; throws InputError for missing, invalid or conflicting inputs.
// The figures do not depend on `options`.
[[nodiscard]] Estimate estimate(const Scenario& s, const Catalog& catalog,
                                const EstimateOptions& options = {});

}  // namespace llm_energy
