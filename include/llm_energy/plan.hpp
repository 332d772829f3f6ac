#pragma once
// Compute-optimal planning (Hoffmann et al. 2022, approach 3): the parameters and tokens for a
// compute or energy budget, and that run's estimate. Pure: no I/O.
#include <optional>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy::whatif {

struct ChinchillaFit {
  double E = 1.69;
  double A = 406.4;
  double B = 410.7;
  double alpha = 0.34;
  double beta = 0.28;
};

struct ComputeOptimal {
  double params = 0;
  double tokens = 0;
  double flops = 0;
};

// N_opt = G (C/6)^a, D_opt = G^-1 (C/6)^b, a = beta/(alpha+beta), b = alpha/(alpha+beta),
// G = (alpha A / (beta B))^(1/(alpha+beta)).
[[nodiscard]] ComputeOptimal chinchilla_optimal(double flops, const ChinchillaFit& fit = {});
// Return the fitted loss L(N, D) = E + A/N^alpha + B/D^beta.
[[nodiscard]] double chinchilla_loss(double params, double tokens, const ChinchillaFit& fit = {});

// What a plan's notes say (worded by the renderer): the fit used, the tokens per parameter,
// the recomputation overhead, and how an energy budget was met.
enum class PlanNote { fit, tokens_per_param, recompute, energy_search };

struct Plan {
  ComputeOptimal optimal;
  Estimate estimate;                        // training only
  std::optional<double> energy_budget_kwh;  // plan_for_energy's budget
  std::vector<PlanNote> notes;
};

// Plan for a compute budget (FLOPs) or a facility-energy budget (kWh) on the base scenario's
// hardware and settings. Throws InputError when the scenario fixes params or tokens.
[[nodiscard]] Plan plan_for_compute(const Scenario& base, const Catalog& cat, double flops);
[[nodiscard]] Plan plan_for_energy(const Scenario& base, const Catalog& cat, double kwh);

}  // namespace llm_energy::whatif
