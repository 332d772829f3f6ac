#include "llm_energy/spread.hpp"

#include <algorithm>
#include <cmath>

namespace llm_energy {

std::string_view to_string(Uncertain u) {
  static constexpr std::array<std::string_view, k_uncertain_count> k_names = {"mfu",
                                                                              "accelerator power",
                                                                              "memory efficiency",
                                                                              "KV-cache efficiency",
                                                                              "compute efficiency",
                                                                              "serving model error",
                                                                              "host power",
                                                                              "pue",
                                                                              "carbon intensity",
                                                                              "embodied carbon",
                                                                              "service life",
                                                                              "batch size",
                                                                              "network power",
                                                                              "storage energy",
                                                                              "wue",
                                                                              "water intensity"};
  return k_names[static_cast<std::size_t>(u)];
}

Spread Spread::exact(double v) {
  Spread s;
  s.value = v;
  s.at_low.fill(v);
  s.at_high.fill(v);
  return s;
}

Interval Spread::interval() const {
  const double c = value;
  double up = 0;
  double down = 0;
  double min = c;
  double max = c;
  for (std::size_t i = 0; i < k_uncertain_count; ++i) {
    const double a = std::min(at_low[i], at_high[i]);
    const double b = std::max(at_low[i], at_high[i]);
    min = std::min(min, a);
    max = std::max(max, b);
    if (c > 0 && a > 0) {
      // log(1) is exactly 0: an input that does not move this figure costs no logarithm.
      const double u = b > c ? std::log(b / c) : 0.0;
      const double d = a < c ? std::log(c / a) : 0.0;
      up += u * u;
      down += d * d;
    }
  }
  if (c > 0 && min > 0) {
    return {c * std::exp(-std::sqrt(down)), c * std::exp(std::sqrt(up))};
  }
  return {min, max};  // zero or a sign change: the one-at-a-time envelope
}

std::optional<Uncertain> Spread::main_driver() const {
  const double c = value;
  double widest = 0;
  std::optional<Uncertain> out;
  for (std::size_t i = 0; i < k_uncertain_count; ++i) {
    const double a = std::min(at_low[i], at_high[i]);
    const double b = std::max(at_low[i], at_high[i]);
    if (!(c > 0 && a > 0)) {
      continue;
    }
    const double u = b > c ? std::log(b / c) : 0.0;
    const double d = a < c ? std::log(c / a) : 0.0;
    if (u + d > widest * (1 + 1e-12)) {
      widest = u + d;
      out = static_cast<Uncertain>(i);
    }
  }
  return out;
}

Spread Spread::scaled(double f) const {
  Spread s;
  s.value = value * f;
  for (std::size_t i = 0; i < k_uncertain_count; ++i) {
    s.at_low[i] = at_low[i] * f;
    s.at_high[i] = at_high[i] * f;
  }
  return s;
}

void Spread::add_scaled(const Spread& o, double f) {
  value += o.value * f;
  for (std::size_t i = 0; i < k_uncertain_count; ++i) {
    at_low[i] += o.at_low[i] * f;
    at_high[i] += o.at_high[i] * f;
  }
}

Spread& Spread::operator+=(const Spread& o) {
  value += o.value;
  for (std::size_t i = 0; i < k_uncertain_count; ++i) {
    at_low[i] += o.at_low[i];
    at_high[i] += o.at_high[i];
  }
  return *this;
}

}  // namespace llm_energy
