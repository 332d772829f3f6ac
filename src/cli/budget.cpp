#include "budget.hpp"

#include <fmt/format.h>

#include "format_units.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::cli {

// Compare the estimate's totals (all estimated phases) with the scenario's budgets.
BudgetCheck check_budgets(const Scenario& s, const Estimate& e, const BudgetOptions& o) {
  BudgetCheck r;
  r.any_budget = s.max_energy || s.max_co2e || s.max_chip_hours;
  const bool high = o.budget_on == "high";
  const double warn = o.warn_at.empty() ? 0.0 : parse_fraction(o.warn_at, "warn-at");
  if (!o.warn_at.empty() && !(warn > 0 && warn <= 1.0)) {
    throw InputError("warn-at: must lie in (0%, 100%]");
  }
  double energy = 0;
  double co2e = 0;
  double hours = 0;
  if (e.training) {
    energy += high ? e.training->interval.energy_kwh.high : e.training->energy_kwh;
    co2e += high ? e.training->interval.co2e_kg.high : e.training->co2e_kg;
    hours += high ? e.training->interval.chip_hours.high : e.training->chip_hours;
  }
  if (e.inference) {
    energy += high ? e.inference->interval.energy_kwh.high : e.inference->energy_kwh;
    co2e += high ? e.inference->interval.co2e_kg.high : e.inference->co2e_kg;
    hours += e.inference->chip_hours;
  }
  const std::string which = high ? " (top of range)" : "";
  auto one = [&](const std::optional<Given<double>>& budget, const char* name, double value,
                 std::string (*human)(double)) {
    if (!budget) {
      return;
    }
    const double limit = budget->value;
    if (value > limit) {
      r.over = true;
      r.messages.push_back(fmt::format("over budget: {} {}{} exceeds {} by {} ({:.1f}% over)", name,
                                       human(value), which, human(limit), human(value - limit),
                                       limit > 0 ? 100.0 * (value - limit) / limit : 100.0));
    } else if (warn > 0 && value >= warn * limit) {
      r.messages.push_back(fmt::format("warning: {} {}{} is {:.1f}% of its budget {}", name, human(value),
                                       which, 100.0 * value / limit, human(limit)));
    }
  };
  auto chip_hours = [](double v) { return human_count(v) + " chip-hours"; };
  one(s.max_energy, "energy", energy, &human_energy_kwh);
  one(s.max_co2e, "CO2e", co2e, &human_mass_kg);
  one(s.max_chip_hours, "chip-hours", hours, +chip_hours);
  for (const auto* b : {&s.max_energy, &s.max_co2e, &s.max_chip_hours}) {
    if (*b && !((*b)->value > 0)) {
      throw InputError("budgets must be greater than zero");
    }
  }
  return r;
}

}  // namespace llm_energy::cli
