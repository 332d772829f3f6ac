#pragma once
// `llm-energy compare`, `llm-energy plan` and `llm-energy schedule`: the what-if commands.
// The arithmetic lives in the core (llm_energy/whatif.hpp); this file parses flags, reads
// files and renders.
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "llm_energy/estimate.hpp"
#include "llm_energy/whatif.hpp"
#include "render.hpp"

namespace CLI {
class App;
}

namespace llm_energy::cli {

// One evaluated row of a comparison (the baseline or a variant).
struct CompareRow {
  std::string label;
  Estimate estimate;
  whatif::Totals totals;
  std::optional<whatif::Distillation> distillation;
  std::optional<double> market_based_co2e_kg;
  std::vector<std::string> notes;
};

struct Comparison {
  CompareRow baseline;
  std::vector<CompareRow> variants;
  std::string best_energy, best_time, best_co2e;  // labels
};

[[nodiscard]] std::string render_comparison(const Comparison& c, Format f);
[[nodiscard]] std::string render_plan(const whatif::Plan& p, Format f);
[[nodiscard]] std::string render_schedule(const whatif::ScheduleResult& r, const whatif::ScheduleRequest& q,
                                          Format f);

// The CLI wiring: register the subcommands on `app`, then run whichever was parsed.
class WhatifCommands {
 public:
  struct State;
  explicit WhatifCommands(std::unique_ptr<State> state);
  WhatifCommands(WhatifCommands&&) noexcept;
  WhatifCommands& operator=(WhatifCommands&&) noexcept;
  ~WhatifCommands();

  // Return the exit code when compare, plan or schedule was parsed, else nullopt.
  // Throws InputError for bad input.
  [[nodiscard]] std::optional<int> run_if_parsed(std::ostream& out, std::ostream& err);

 private:
  std::unique_ptr<State> m_state;
};

[[nodiscard]] WhatifCommands register_whatif_commands(CLI::App& app);

}  // namespace llm_energy::cli
