#include "llm_energy/budget.hpp"

#include <algorithm>

#include "llm_energy/error.hpp"

namespace llm_energy {

Budget budget_of(const Scenario& s) {
  Budget b;
  auto take = [](const std::optional<Given<double>>& g, std::optional<double>& out) {
    if (g) {
      if (!(g->value > 0)) {
        throw InputError("budgets must be greater than zero");
      }
      out = g->value;
    }
  };
  take(s.max_energy, b.energy_kwh);
  take(s.max_co2e, b.co2e_kg);
  take(s.max_chip_hours, b.chip_hours);
  take(s.max_energy_per_request, b.energy_per_request_kwh);
  return b;
}

Budget tighter(const Budget& cap, const Budget& row) {
  auto min = [](const std::optional<double>& a, const std::optional<double>& b) -> std::optional<double> {
    if (a && b) {
      return std::min(*a, *b);
    }
    return a ? a : b;
  };
  return {min(cap.energy_kwh, row.energy_kwh), min(cap.co2e_kg, row.co2e_kg),
          min(cap.chip_hours, row.chip_hours), min(cap.energy_per_request_kwh, row.energy_per_request_kwh)};
}

void check_policy(const BudgetPolicy& p) {
  if (p.warn_at && !(*p.warn_at > 0 && *p.warn_at <= 1.0)) {
    throw InputError("warn-at: must lie in (0%, 100%]");
  }
}

BudgetVerdict check_budgets(const Budget& b, const Estimate& e, const BudgetPolicy& p) {
  check_policy(p);
  BudgetVerdict v;
  v.any = b.any();
  v.on = p.on;
  v.phases = e.training && e.inference ? Phase::both : e.training ? Phase::training : Phase::inference;
  const bool high = p.on == BudgetOn::high;
  auto value_of = [high](const Spread& s) { return high ? s.interval().high : s.value; };
  auto one = [&](const std::optional<double>& limit, BudgetFigure figure, const Spread& s) {
    if (!limit) {
      return;
    }
    const double value = value_of(s);
    BudgetLine line{figure, value, *limit, value > *limit, false};
    if (!line.over && p.warn_at && value >= *p.warn_at * *limit) {
      line.warning = true;
    }
    if (line.over || line.warning) {
      v.over = v.over || line.over;
      v.lines.push_back(line);
    }
  };
  one(b.energy_kwh, BudgetFigure::energy, e.total.energy_kwh);
  one(b.co2e_kg, BudgetFigure::co2e, e.total.co2e_kg);
  one(b.chip_hours, BudgetFigure::chip_hours, e.total.chip_hours);
  if (b.energy_per_request_kwh && e.inference) {
    // Per request: the fleet's facility figure (idle capacity included) when there is a fleet,
    // else the busy replica's.
    const InferenceEstimate& i = *e.inference;
    Spread s = Spread::exact(0);
    if (i.fleet) {
      const Interval iv = i.fleet->interval.energy_per_request_facility_wh;
      s = Spread::exact(i.fleet->energy_per_request_wh.facility / 1000.0);
      s.at_high[0] = iv.high / 1000.0;
    } else {
      const double per = i.output_tokens_per_request / 3.6e6;
      s = Spread::exact(i.energy_per_token_j * per);
      s.at_high[0] = i.interval.energy_per_token_j.high * per;
    }
    one(b.energy_per_request_kwh, BudgetFigure::energy_per_request, s);
  }
  return v;
}

}  // namespace llm_energy
