#pragma once
// Self-contained SVG charts (no plotting dependency): bar panels with stacked segments and
// error bars, and line charts with optional log axes and a shaded band. Colours are the
// Okabe-Ito palette (colour-blind safe); every chart carries <title> and <desc>.
// Nothing here does I/O.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy::render::svg {

// Return `s` escaped for XML text and attribute values.
[[nodiscard]] std::string escape(std::string_view s);

// What a value measures: the axis picks a readable unit (Wh..TWh, g..kt) from the largest value.
enum class Quantity { energy_kwh, mass_kg, plain };

struct Bar {
  std::string label;             // category under the bar
  std::vector<double> segments;  // stacked from the bottom, one per series (base units)
  std::optional<double> low;     // error bar (base units), drawn when both are set
  std::optional<double> high;
  std::string annotation;  // printed above the bar (e.g. the formatted total)
};

struct Panel {
  std::string title;  // e.g. "Energy (facility)"
  Quantity quantity = Quantity::energy_kwh;
  std::vector<Bar> bars;
};

struct BarChart {
  std::string title;
  std::string subtitle;  // under the title when not empty (the scenario)
  std::string desc;
  std::vector<std::string> series;  // legend names, one colour each
  std::vector<Panel> panels;        // side by side, each with its own axis
  bool error_bars_in_legend = false;
};

[[nodiscard]] std::string bar_chart(const BarChart& c);

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

struct LineChart {
  std::string title;
  std::string desc;
  std::string x_label;  // with its unit
  Quantity y_quantity = Quantity::energy_kwh;
  std::string y_label;  // the unit is appended
  std::string x_unit;   // appended to x_label in brackets when not empty
  std::vector<Series> series;
  std::optional<bool> log_x;  // default: log when the data span more than 2 decades
  std::optional<bool> log_y;
  std::optional<std::pair<double, double>> band;  // shaded x interval
  std::string band_label;
};

[[nodiscard]] std::string line_chart(const LineChart& c);

}  // namespace llm_energy::render::svg
