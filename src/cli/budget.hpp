#pragma once
// Energy, CO2e and chip-hour budgets (exit code 1 when exceeded).
#include <string>
#include <vector>

#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy::cli {

struct BudgetOptions {
  std::string budget_on = "central";  // "central" or "high" (top of the range)
  std::string warn_at;                // e.g. "80%": warn above this share of a budget
};

struct BudgetCheck {
  bool over = false;
  bool any_budget = false;
  std::vector<std::string> messages;  // "over budget: ..." and "warning: ..." lines
};

// Compare the estimate's totals (the sum of the estimated phases) with the scenario's budgets.
[[nodiscard]] BudgetCheck check_budgets(const Scenario& s, const Estimate& e, const BudgetOptions& o);

}  // namespace llm_energy::cli
