#pragma once
// The chain of formulas behind an estimate, with the numbers substituted (--explain).
#include <string>
#include <vector>

#include "llm_energy/estimate.hpp"

namespace llm_energy {

struct ExplainStep {
  std::string phase;        // "training" or "inference"
  std::string name;         // e.g. "FLOPs"
  std::string formula;      // e.g. "6 x N_active x D"
  std::string substituted;  // e.g. "6 x 7.00e10 x 2.00e12"
  double result = 0;
  std::string unit;
};

// Return the steps that produced `e`'s central values, in order, using the resolved inputs in
// e.assumptions (each input's origin and source stay in the assumptions).
[[nodiscard]] std::vector<ExplainStep> explain(const Estimate& e);

}  // namespace llm_energy
