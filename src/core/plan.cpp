#include "llm_energy/plan.hpp"

#include <cmath>
#include <stdexcept>

#include "llm_energy/error.hpp"

namespace llm_energy::whatif {

ComputeOptimal chinchilla_optimal(double flops, const ChinchillaFit& fit) {
  if (!(flops > 0) || !std::isfinite(flops)) {
    throw InputError("compute-budget: must be greater than zero");
  }
  const double sum = fit.alpha + fit.beta;
  const double a = fit.beta / sum;
  const double b = fit.alpha / sum;
  const double g = std::pow(fit.alpha * fit.A / (fit.beta * fit.B), 1.0 / sum);
  ComputeOptimal o;
  o.params = g * std::pow(flops / 6.0, a);
  o.tokens = std::pow(flops / 6.0, b) / g;
  o.flops = flops;
  return o;
}

double chinchilla_loss(double params, double tokens, const ChinchillaFit& fit) {
  return fit.E + fit.A / std::pow(params, fit.alpha) + fit.B / std::pow(tokens, fit.beta);
}

Plan plan_for_compute(const Scenario& base, const Catalog& cat, double flops) {
  if (base.params || base.tokens || base.model || base.active_params) {
    throw InputError(
        "plan chooses the parameters and tokens itself: remove --params, --tokens, --model "
        "and --active-params");
  }
  if (base.chip_hours) {
    throw InputError("plan: --chip-hours fixes the run's length; remove it");
  }
  Plan p;
  p.optimal = chinchilla_optimal(flops);
  Scenario s = base;
  s.params = Given<double>{p.optimal.params, Origin::flag};
  s.tokens = Given<double>{p.optimal.tokens, Origin::flag};
  s.phase = Given<Phase>{Phase::training, Origin::flag};
  p.estimate = estimate(s, cat);
  p.notes = {PlanNote::fit, PlanNote::tokens_per_param};
  if (base.recompute && base.recompute->value) {
    p.notes.push_back(PlanNote::recompute);
  }
  return p;
}

Plan plan_for_energy(const Scenario& base, const Catalog& cat, double kwh) {
  if (!(kwh > 0) || !std::isfinite(kwh)) {
    throw InputError("energy-budget: must be greater than zero");
  }
  // Energy is linear in C at a fixed utilisation; the size factor of the default utilisation
  // bends it slightly, so scale and re-estimate until the energy matches.
  double c = 1e23;
  Plan p = plan_for_compute(base, cat, c);
  for (int i = 0; i < 50; ++i) {
    const double e = p.estimate.training->energy_kwh;
    if (std::abs(e / kwh - 1.0) < 1e-9) {
      break;
    }
    c *= kwh / e;
    if (!(std::isfinite(c) && c > 0)) {
      throw InputError(
          "energy-budget: no compute budget reaches this energy (the search left the range of a double)");
    }
    p = plan_for_compute(base, cat, c);
  }
  if (std::abs(p.estimate.training->energy_kwh / kwh - 1.0) > 1e-6) {
    throw std::runtime_error("plan: the energy budget search did not converge");
  }
  p.energy_budget_kwh = kwh;
  p.notes.push_back(PlanNote::energy_search);
  return p;
}

}  // namespace llm_energy::whatif
