#pragma once
// Derivative-free minimisation (internal): the Nelder-Mead simplex method with the standard
// coefficients (reflection 1, expansion 2, contraction 1/2, shrink 1/2; Nelder & Mead 1965),
// used by the cross-validation to refit the calibrated constants. Deterministic.
#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

namespace llm_energy::detail {

// Return the point near `x0` that minimises `f`, starting from a simplex of steps `step` along
// each axis, after at most `iterations` iterations or when the simplex's values agree within
// `tolerance`.
template <class F>
std::vector<double> nelder_mead(F&& f, std::vector<double> x0, double step, int iterations,
                                double tolerance = 1e-10) {
  const std::size_t n = x0.size();
  if (n == 0) {
    return x0;
  }
  std::vector<std::vector<double>> p(n + 1, x0);
  std::vector<double> v(n + 1);
  for (std::size_t i = 0; i < n; ++i) {
    p[i + 1][i] += step;
  }
  for (std::size_t i = 0; i <= n; ++i) {
    v[i] = f(p[i]);
  }
  std::vector<std::size_t> order(n + 1);
  std::vector<double> centre(n);
  std::vector<double> trial(n);
  std::vector<double> trial2(n);
  auto along = [&](double t, std::vector<double>& out, const std::vector<double>& worst) {
    for (std::size_t j = 0; j < n; ++j) {
      out[j] = centre[j] + t * (worst[j] - centre[j]);
    }
  };
  for (int it = 0; it < iterations; ++it) {
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    const std::size_t best = order.front();
    const std::size_t worst = order.back();
    const std::size_t second = order[n - 1];
    if (v[worst] - v[best] <= tolerance) {
      break;
    }
    std::fill(centre.begin(), centre.end(), 0.0);
    for (std::size_t i = 0; i <= n; ++i) {
      if (i != worst) {
        for (std::size_t j = 0; j < n; ++j) {
          centre[j] += p[i][j] / static_cast<double>(n);
        }
      }
    }
    along(-1.0, trial, p[worst]);
    const double fr = f(trial);
    if (fr < v[best]) {
      along(-2.0, trial2, p[worst]);
      const double fe = f(trial2);
      if (fe < fr) {
        p[worst] = trial2;
        v[worst] = fe;
      } else {
        p[worst] = trial;
        v[worst] = fr;
      }
    } else if (fr < v[second]) {
      p[worst] = trial;
      v[worst] = fr;
    } else {
      const bool outside = fr < v[worst];
      along(outside ? -0.5 : 0.5, trial2, p[worst]);
      const double fc = f(trial2);
      if (fc < (outside ? fr : v[worst])) {
        p[worst] = trial2;
        v[worst] = fc;
      } else {
        for (std::size_t i = 0; i <= n; ++i) {
          if (i == best) {
            continue;
          }
          for (std::size_t j = 0; j < n; ++j) {
            p[i][j] = p[best][j] + 0.5 * (p[i][j] - p[best][j]);
          }
          v[i] = f(p[i]);
        }
      }
    }
  }
  const auto b = std::min_element(v.begin(), v.end()) - v.begin();
  return p[static_cast<std::size_t>(b)];
}

}  // namespace llm_energy::detail
