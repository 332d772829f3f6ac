#pragma once
// Parsing of numbers, ranges and quantities with units. Pure functions on text.
#include <string_view>

namespace llm_energy {

// A value with its documented plausible range; low <= value <= high.
struct Range {
  double low = 0;
  double value = 0;
  double high = 0;

  [[nodiscard]] static Range exact(double v) { return {v, v, v}; }
  [[nodiscard]] bool is_exact() const { return low == value && value == high; }
  [[nodiscard]] Range scaled(double f) const { return {low * f, value * f, high * f}; }
  bool operator==(const Range&) const = default;
};

// Return the finite number in `text`: decimal or scientific, optionally followed by a
// count suffix: k or K (1e3), M (1e6), B, b or G (1e9), T or t (1e12). Not m (milli in SI)
// or g. Throws InputError naming `what`.
[[nodiscard]] double parse_count(std::string_view text, std::string_view what);

// Return a plain finite number (no suffix). Throws InputError naming `what`.
[[nodiscard]] double parse_plain_number(std::string_view text, std::string_view what);

// Return a Range from "V" (exact) or "LOW:HIGH" (central = midpoint) or "LOW:V:HIGH".
// Each part accepts count suffixes. Throws InputError naming `what`.
[[nodiscard]] Range parse_range(std::string_view text, std::string_view what);

// Return kWh from an energy like "500MWh", "12 kWh", "3GWh", "800Wh", "2.5e3kWh", "1TWh".
// A bare number is kWh. Units are case-sensitive: Wh, kWh, MWh, GWh, TWh only (mWh, mwh,
// KWH are refused). Throws InputError naming `what`.
[[nodiscard]] double parse_energy_kwh(std::string_view text, std::string_view what);

// Return kg from a mass like "100t", "12kg", "500g", "2kt", "1Mt". A bare number is kg.
// Units are case-sensitive: g, kg, t, kt, Mt only.
[[nodiscard]] double parse_mass_kg(std::string_view text, std::string_view what);

// Return a fraction from "80%" or "0.8".
[[nodiscard]] double parse_fraction(std::string_view text, std::string_view what);

// Return a duration in hours from "36h", "90m" or "90min", "2d", "3600s"; a bare number is
// hours. Units are case-sensitive (lower case only).
[[nodiscard]] double parse_duration_hours(std::string_view text, std::string_view what);

}  // namespace llm_energy
