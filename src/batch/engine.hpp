#pragma once
// `llm-energy batch`: many estimates in one process, streamed. Reads JSONL (one config object
// per line), CSV (a header row of config keys) or a JSON array of objects and writes one
// output row per input row, in input order, as soon as it is computed. JSONL and CSV input are
// read line by line (constant memory); a JSON array is parsed whole. A bad row becomes an
// output row with an "error" field; nothing is dropped. Blank lines are skipped and are not
// rows (line numbers stay physical). No CLI here: the engine reports progress to a Status.
#include <cstddef>
#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "batch/rows.hpp"
#include "batch/status.hpp"
#include "llm_energy/budget.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy::batch {

struct BatchOptions {
  InputFormat input = InputFormat::detect;
  OutputFormat output = OutputFormat::jsonl;
  Scenario base;  // the command's flags; a row's own keys override them
  BudgetPolicy budget;
  bool fail_fast = false;
  std::string input_name = "-";
};

struct BatchResult {
  std::size_t rows = 0;
  std::size_t failed = 0;
  std::size_t over_budget = 0;
  std::size_t first_failed_line = 0;  // 0: none
  bool stopped = false;               // --fail-fast stopped the run at a failed row
  // 2 when a row failed, else 1 when a row is over budget, else 0.
  [[nodiscard]] int exit_code() const;
  BatchResult& operator+=(const BatchResult& o);
};

// One line for standard error when a row failed or is over budget (empty otherwise), e.g.
// "2 of 10 rows failed (the first at line 3); 1 over budget". `where` names a row's
// position: "line" (batch) or "combination" (sweep).
[[nodiscard]] std::string summary(const BatchResult& r, std::string_view where);

// The per-row engine shared by batch and sweep: estimate a row, check its budgets, write it.
class Engine {
 public:
  Engine(const Catalog& cat, const BudgetPolicy& budget, RowWriter& w, Status& status, bool fail_fast);

  // Estimate `s` and write its row (id: the scenario's own when `own_id`, else `line`); return
  // false when the run must stop (fail-fast).
  bool row(const Scenario& s, std::size_t line, const std::vector<std::string>* extra, bool own_id = true);
  // Write an error row; return false when the run must stop.
  bool fail(RowId id, std::size_t line, std::string_view what, const std::vector<std::string>* extra);

  [[nodiscard]] const BatchResult& result() const { return m_result; }
  // Call `sink` with every successful estimate (and the sweep's values), e.g. for --plot.
  void on_estimate(std::function<void(const Estimate&, const std::vector<std::string>*)> sink);

 private:
  const Catalog& m_cat;
  const BudgetPolicy& m_budget;
  RowWriter& m_writer;
  Status& m_status;
  bool m_fail_fast;
  BatchResult m_result;
  std::function<void(const Estimate&, const std::vector<std::string>*)> m_sink;
  EstimateCache m_cache;  // rows repeating a configuration with other token counts reuse its ranges
};

// Run a batch from `in` to `out`. Throws InputError only for problems with the whole input
// (a malformed JSON array, an unknown CSV column); row problems become error rows.
BatchResult run_batch(std::istream& in, std::ostream& out, Status& status, const BatchOptions& o,
                      const Catalog& cat);

}  // namespace llm_energy::batch
