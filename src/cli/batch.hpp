#pragma once
// `llm-energy batch` and `llm-energy sweep`: many estimates in one process, streamed.
//
// batch reads JSONL (one config object per line), CSV (a header row of config keys) or a
// JSON array of objects, and writes one output row per input row, in input order, as soon as
// it is computed. JSONL and CSV input are read line by line (constant memory); a JSON array
// is parsed whole (not streamed). A bad row becomes an output row with an "error" field;
// nothing is dropped. Blank lines are skipped and are not rows (line numbers stay physical).
//
// sweep runs the cartesian product of comma lists and ranges (START:STOP:xFACTOR or
// START:STOP:+STEP) of any estimate flag and writes the same rows, one per combination.
#include <cstddef>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "budget.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

namespace CLI {
class App;
}

namespace llm_energy::cli {

enum class BatchInput { detect, jsonl, csv, json };
enum class BatchOutput { jsonl, csv, json };

[[nodiscard]] BatchInput parse_batch_input(std::string_view text);
[[nodiscard]] BatchOutput parse_batch_output(std::string_view text);

struct BatchOptions {
  BatchInput input = BatchInput::detect;
  BatchOutput output = BatchOutput::jsonl;
  Scenario base;  // the command's flags; a row's own keys override them
  BudgetOptions budget;
  bool fail_fast = false;
  bool progress = false;  // redraw "rows, rows/s" on `err` (the CLI sets it when stderr is a tty)
  std::string input_name = "-";
};

struct BatchResult {
  std::size_t rows = 0;
  std::size_t failed = 0;
  std::size_t over_budget = 0;
  // 2 when a row failed, else 1 when a row is over budget, else 0.
  [[nodiscard]] int exit_code() const;
};

// Run a batch from `in` to `out`. Throws InputError only for problems with the whole input
// (a malformed JSON array, an unknown CSV column); row problems become error rows.
BatchResult run_batch(std::istream& in, std::ostream& out, std::ostream& err, const BatchOptions& o,
                      const Catalog& cat);

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
  BudgetOptions budget;
  BatchOutput output = BatchOutput::csv;
  bool fail_fast = false;
  bool progress = false;
  // Called with every successful estimate and its swept values (sweep --plot).
  std::function<void(const Estimate&, const std::vector<std::string>&)> on_estimate;
  // Worker threads; 0: one per core. Small sweeps, --fail-fast, --plot and JSON-array output
  // run on one thread. The output is the same either way.
  unsigned threads = 0;
};

// Return the threads a sweep of `combinations` uses for `requested` (0: one per core).
[[nodiscard]] unsigned sweep_threads(unsigned requested, std::size_t combinations);

// The most combinations sweep --plot draws.
inline constexpr std::size_t k_max_plot_points = 10'000;

// Return the number of combinations; throws InputError above k_max_sweep_combinations.
[[nodiscard]] std::size_t sweep_size(const std::vector<SweepAxis>& axes);

BatchResult run_sweep(std::ostream& out, std::ostream& err, const SweepOptions& o, const Catalog& cat);

// The CLI wiring: register the subcommands on `app`, then run whichever was parsed.
class BatchCommands {
 public:
  struct State;
  explicit BatchCommands(std::unique_ptr<State> state);
  BatchCommands(BatchCommands&&) noexcept;
  BatchCommands& operator=(BatchCommands&&) noexcept;
  ~BatchCommands();

  // Return the exit code when batch or sweep was parsed, else nullopt. Throws InputError.
  [[nodiscard]] std::optional<int> run_if_parsed(std::ostream& out, std::ostream& err);

 private:
  std::unique_ptr<State> m_state;
};

[[nodiscard]] BatchCommands register_batch_commands(CLI::App& app);

}  // namespace llm_energy::cli
