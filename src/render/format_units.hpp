#pragma once
// Human-readable numbers with scaled units, for tables and Markdown.
#include <string>
#include <string_view>

namespace llm_energy::render {

// Return `v` with 3 significant digits and no exponent where practical ("412", "1.29", "0.0700").
[[nodiscard]] std::string sig3(double v);
// Return an energy in the largest fitting unit: "812 Wh", "1.29 MWh".
[[nodiscard]] std::string human_energy_kwh(double kwh);
// Return a mass: "552 t", "12.3 kg", "410 g".
[[nodiscard]] std::string human_mass_kg(double kg);
// Return a volume of water: "310 mL", "4.20 L", "1.29 ML".
[[nodiscard]] std::string human_water_l(double litres);
// Return a duration: "45 s", "3.2 hours", "14.8 days".
[[nodiscard]] std::string human_hours(double hours);
// Return a large count with an SI-like suffix: "6.00e17", "3.55 M".
[[nodiscard]] std::string human_count(double v);
// Return "central (low–high)" with the low and high scaled to the central value's unit.
[[nodiscard]] std::string energy_with_range(double kwh, double low, double high);
[[nodiscard]] std::string mass_with_range(double kg, double low, double high);
[[nodiscard]] std::string water_with_range(double litres, double low, double high);
[[nodiscard]] std::string count_with_range(double v, double low, double high);

// Return `text` with its non-ASCII characters spelled in ASCII, for terminals whose locale is not
// UTF-8 (LC_ALL=C): "–" -> "-", "×" -> "x", "µ" -> "u", "÷" -> "/", accented letters without
// the accent; any other multi-byte character becomes "?".
[[nodiscard]] std::string ascii_fallback(std::string_view text);

}  // namespace llm_energy::render
