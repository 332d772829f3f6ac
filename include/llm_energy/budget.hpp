#pragma once
// Budgets on energy, CO2e and chip-hours: the verdict is a value (which figure, its value, its
// limit, over or near); the renderers word it and the CLI maps "over" to exit code 1.
#include <optional>
#include <vector>

#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy {

enum class BudgetOn { central, high };  // compare with the central value or the top of the range
enum class BudgetFigure { energy, co2e, chip_hours, energy_per_request };

struct Budget {
  std::optional<double> energy_kwh;
  std::optional<double> co2e_kg;
  std::optional<double> chip_hours;
  std::optional<double> energy_per_request_kwh;  // facility; the fleet's when the estimate has one
  [[nodiscard]] bool any() const { return energy_kwh || co2e_kg || chip_hours || energy_per_request_kwh; }
};

// Return the scenario's budgets; throws InputError when one is not greater than zero.
[[nodiscard]] Budget budget_of(const Scenario& s);

// Return `row` capped by `cap`: a budget given for a whole batch is a ceiling that a row may
// tighten but not loosen (each figure: the smaller of the two).
[[nodiscard]] Budget tighter(const Budget& cap, const Budget& row);

struct BudgetPolicy {
  BudgetOn on = BudgetOn::central;
  std::optional<double> warn_at;  // (0, 1]: warn at this share of a budget
  Budget cap;  // given for a whole batch (its command line): each row's budget is tighter(cap, row)
};

// Throws InputError when warn_at lies outside (0, 1].
void check_policy(const BudgetPolicy& p);

struct BudgetLine {
  BudgetFigure figure = BudgetFigure::energy;
  double value = 0;  // the estimate's (central or top of range), over the phases it covers
  double limit = 0;
  bool over = false;
  bool warning = false;  // within the budget but at or above the warn_at share of it
};

struct BudgetVerdict {
  bool any = false;   // some budget applies
  bool over = false;  // some figure exceeds its budget
  BudgetOn on = BudgetOn::central;
  Phase phases = Phase::both;     // the phases the figures cover
  std::vector<BudgetLine> lines;  // one per budget that is exceeded or warned about
};

// Return the verdict of the estimate's total (all its phases, combined by the Spread rule)
// against `b`.
[[nodiscard]] BudgetVerdict check_budgets(const Budget& b, const Estimate& e, const BudgetPolicy& p);

}  // namespace llm_energy
