#pragma once
// The chain of formulas behind an estimate, with the numbers to substitute (--explain). Values
// only: each step names its formula and gives the operands; the renderer writes them into the
// step's pattern ("{}" marks an operand).
#include <string_view>
#include <vector>

#include "llm_energy/estimate.hpp"

namespace llm_energy {

struct ExplainStep {
  std::string_view phase;    // "training" or "inference"
  std::string_view name;     // e.g. "FLOPs"
  std::string_view formula;  // e.g. "6 x N_active x D"
  std::string_view pattern;  // the formula with "{}" for each operand, e.g. "6 x {} x {}"
  std::vector<double> operands;
  double result = 0;
  std::string_view unit;
};

// Return the steps that produced `e`'s central values, in order, using the resolved inputs in
// e.assumptions (each input's origin and source stay in the assumptions).
[[nodiscard]] std::vector<ExplainStep> explain(const Estimate& e);

}  // namespace llm_energy
