#pragma once
// Uncertainty: the documented ranges of an estimate's inputs, and how a figure moves with them.
//
// Each uncertain input has a documented [low, high] range. A figure is evaluated with every
// input central, then with one input at a time at its low and at its high end (a Spread holds
// those values). For the figure's interval, the log-ratios to the central value are combined
// in quadrature (root-sum-square), separately upward and downward: the inputs are independent,
// so their extremes rarely coincide, and the product of several ranges is much narrower than
// its worst-case corner. An exact input contributes nothing; widening an input's range never
// narrows an interval. Spreads add exactly (a sum of figures that share an input moves with it
// as one), which is how two phases, or a run and its distillation, are combined into a total.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace llm_energy {

// The uncertain inputs, in the order their contributions are summed.
enum class Uncertain : std::uint8_t {
  mfu,
  accelerator_power,
  memory_efficiency,
  kv_efficiency,
  compute_efficiency,
  serving_model_error,
  host_power,
  pue,
  carbon_intensity,
  embodied_carbon,
  service_life,
  batch_size,
  network_power,    // training: NIC and switch-port power per chip
  storage_energy,   // training: storage energy per byte written or read
  wue,              // on-site water per kWh of IT energy
  water_intensity,  // water consumed generating a kWh (off-site)
};
inline constexpr std::size_t k_uncertain_count = 16;

// Return the input's name as reports show it ("mfu", "carbon intensity", "batch size").
[[nodiscard]] std::string_view to_string(Uncertain u);

struct Interval {
  double low = 0;
  double high = 0;
};

struct Spread {
  double value = 0;
  std::array<double, k_uncertain_count> at_low{};   // the figure with input i at its low end
  std::array<double, k_uncertain_count> at_high{};  // ... at its high end

  // A figure that no uncertain input moves.
  [[nodiscard]] static Spread exact(double v);
  // Return the interval: log-space root-sum-square of each input's effect (the one-at-a-time
  // envelope when the central value is not positive or a variation reaches zero).
  [[nodiscard]] Interval interval() const;
  // Return the input with the widest effect on this figure; none when no input moves it.
  [[nodiscard]] std::optional<Uncertain> main_driver() const;

  [[nodiscard]] Spread scaled(double f) const;
  Spread& operator+=(const Spread& o);
  // *this += o.scaled(f), without the temporary.
  void add_scaled(const Spread& o, double f);
};

}  // namespace llm_energy
