#pragma once
// `llm-energy sweep`: the cartesian product of comma lists and ranges (START:STOP:xFACTOR or
// START:STOP:+STEP) of any estimate flag, written as the same rows as batch, one per
// combination, in order (on several threads for large sweeps: the same output).
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "batch/engine.hpp"

namespace llm_energy::batch {

// One swept key and its values, as text for set_field.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
};

// The most combinations a sweep may have.
inline constexpr std::size_t k_max_sweep_combinations = 10'000'000;

// Expand a sweep flag's value: a comma list whose items are plain values or ranges
// START:STOP:xFACTOR (geometric) / START:STOP:+STEP (arithmetic), inclusive of STOP within
// 1e-9 relative tolerance. Any other value (e.g. the uncertainty range 0.35:0.45) is kept
// as is. Throws InputError for an invalid range or a value set_field rejects.
[[nodiscard]] std::vector<std::string> expand_sweep_value(std::string_view key, std::string_view text);

// Return true when `text` uses sweep syntax (a comma list or a sweep range).
[[nodiscard]] bool is_sweep_value(std::string_view text);

struct SweepOptions {
  std::vector<SweepAxis> axes;  // the first axis varies slowest
  Scenario base;
  BudgetPolicy budget;
  OutputFormat output = OutputFormat::csv;
  bool fail_fast = false;
  // Called with every successful estimate and its swept values (sweep --plot).
  std::function<void(const Estimate&, const std::vector<std::string>&)> on_estimate;
  // Worker threads; 0: one per core. Small sweeps, --fail-fast, --plot and JSON-array output
  // run on one thread. The output is the same either way.
  unsigned threads = 0;
};

// Return the threads a sweep of `combinations` uses for `requested` (0: one per core).
[[nodiscard]] unsigned sweep_threads(unsigned requested, std::size_t combinations);

// Return the number of combinations; throws InputError above k_max_sweep_combinations.
[[nodiscard]] std::size_t sweep_size(const std::vector<SweepAxis>& axes);

BatchResult run_sweep(std::ostream& out, Status& status, const SweepOptions& o, const Catalog& cat);

}  // namespace llm_energy::batch
