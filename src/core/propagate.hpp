#pragma once
// Range propagation used by the estimators (internal): evaluate a model with every uncertain
// input central, then with each non-exact input at its low and at its high end, one at a
// time, and collect each output's Spread (llm_energy/spread.hpp).
#include <array>
#include <cstddef>

#include "llm_energy/spread.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::detail {

using Inputs = std::array<Range, k_uncertain_count>;
using Point = std::array<double, k_uncertain_count>;

// `f(x)` returns the M outputs at input point x (indexed by Uncertain).
template <std::size_t M, class F>
std::array<Spread, M> propagate(const Inputs& inputs, F&& f) {
  Point x{};
  for (std::size_t i = 0; i < k_uncertain_count; ++i) {
    x[i] = inputs[i].value;
  }
  const std::array<double, M> central = f(x);
  std::array<Spread, M> out{};
  for (std::size_t m = 0; m < M; ++m) {
    out[m] = Spread::exact(central[m]);
  }
  for (std::size_t i = 0; i < k_uncertain_count; ++i) {
    if (inputs[i].is_exact()) {
      continue;
    }
    Point xi = x;
    xi[i] = inputs[i].low;
    const auto lo = f(xi);
    xi[i] = inputs[i].high;
    const auto hi = f(xi);
    for (std::size_t m = 0; m < M; ++m) {
      out[m].at_low[i] = lo[m];
      out[m].at_high[i] = hi[m];
    }
  }
  return out;
}

}  // namespace llm_energy::detail
