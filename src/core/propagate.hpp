#pragma once
// Range propagation used by the estimators (internal).
//
// Each uncertain input i has a documented [low, high] range. The model is evaluated with all
// inputs central, then with input i at its low and at its high end (one at a time). For each
// output, the log-ratios to the central value are combined in quadrature (root-sum-square),
// separately upward and downward: the inputs are independent, so their extremes rarely
// coincide, and the product of several ranges is much narrower than their worst-case corner.
// An exact input contributes nothing; widening an input's range never narrows an output's.
// The "main uncertainty" is the input with the largest log-span on the chosen output.
#include <array>
#include <cmath>
#include <cstddef>
#include <utility>

#include "llm_energy/units.hpp"

namespace llm_energy::detail {

template <std::size_t M>
struct Propagated {
  std::array<double, M> value{};
  std::array<double, M> low{};
  std::array<double, M> high{};
  int main_driver = -1;  // index of the input with the widest effect on output `driver_output`
};

// `wanted[m]` false: output m's interval is not needed (its low and high are left at the
// central value), which skips its logarithms. The other outputs do not depend on it.
template <std::size_t K, std::size_t M, class F>
Propagated<M> propagate(const std::array<Range, K>& inputs, F&& f, std::size_t driver_output,
                        const std::array<bool, M>& wanted) {
  std::array<double, K> x{};
  for (std::size_t i = 0; i < K; ++i) {
    x[i] = inputs[i].value;
  }
  Propagated<M> out;
  out.value = f(x);
  std::array<double, M> up{};
  std::array<double, M> down{};
  std::array<double, M> min = out.value;
  std::array<double, M> max = out.value;
  double widest = 0;
  for (std::size_t i = 0; i < K; ++i) {
    if (inputs[i].is_exact()) {
      continue;
    }
    auto xi = x;
    xi[i] = inputs[i].low;
    const auto lo = f(xi);
    xi[i] = inputs[i].high;
    const auto hi = f(xi);
    for (std::size_t m = 0; m < M; ++m) {
      if (!wanted[m]) {
        continue;
      }
      const double a = std::min(lo[m], hi[m]);
      const double b = std::max(lo[m], hi[m]);
      min[m] = std::min(min[m], a);
      max[m] = std::max(max[m], b);
      const double c = out.value[m];
      if (c > 0 && a > 0) {
        // log(1) is exactly 0: an input that does not move this output costs no logarithm.
        const double u = b > c ? std::log(b / c) : 0.0;
        const double d = a < c ? std::log(c / a) : 0.0;
        up[m] += u * u;
        down[m] += d * d;
        if (m == driver_output && u + d > widest * (1 + 1e-12)) {
          widest = u + d;
          out.main_driver = static_cast<int>(i);
        }
      }
    }
  }
  for (std::size_t m = 0; m < M; ++m) {
    const double c = out.value[m];
    if (!wanted[m]) {
      out.low[m] = c;
      out.high[m] = c;
    } else if (c > 0 && min[m] > 0) {
      out.low[m] = c * std::exp(-std::sqrt(down[m]));
      out.high[m] = c * std::exp(std::sqrt(up[m]));
    } else {  // zero or sign change: fall back to the one-at-a-time envelope
      out.low[m] = min[m];
      out.high[m] = max[m];
    }
  }
  return out;
}

// Every output's interval.
template <std::size_t K, std::size_t M, class F>
Propagated<M> propagate(const std::array<Range, K>& inputs, F&& f, std::size_t driver_output) {
  std::array<bool, M> all{};
  all.fill(true);
  return propagate<K, M>(inputs, std::forward<F>(f), driver_output, all);
}

}  // namespace llm_energy::detail
