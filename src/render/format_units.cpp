#include "render/format_units.hpp"

#include <fmt/format.h>
#include <array>
#include <cmath>
#include <utility>

namespace llm_energy::render {
namespace {

struct Scale {
  double factor;
  const char* unit;
};

// Pick the unit for `v` (in base units) from ascending scales.
template <std::size_t N>
const Scale& pick(double v, const std::array<Scale, N>& scales) {
  const Scale* best = &scales[0];
  for (const auto& s : scales) {
    if (std::fabs(v) >= s.factor * 0.9995) {
      best = &s;
    }
  }
  return *best;
}

constexpr std::array<Scale, 5> k_energy = {
    {{1e-3, "Wh"}, {1, "kWh"}, {1e3, "MWh"}, {1e6, "GWh"}, {1e9, "TWh"}}};
constexpr std::array<Scale, 4> k_mass = {{{1e-3, "g"}, {1, "kg"}, {1e3, "t"}, {1e6, "kt"}}};
constexpr std::array<Scale, 5> k_volume = {{{1e-3, "mL"}, {1, "L"}, {1e3, "kL"}, {1e6, "ML"}, {1e9, "GL"}}};

std::string with_range(double v, double lo, double hi, double factor, const char* unit) {
  if (lo == v && hi == v) {
    return sig3(v / factor) + " " + unit;
  }
  return sig3(v / factor) + " " + unit + " (" + sig3(lo / factor) + "\u2013" + sig3(hi / factor) + ")";
}

}  // namespace

std::string sig3(double v) {
  if (v == 0) {
    return "0";
  }
  const double a = std::fabs(v);
  if (a >= 1e6 || a < 1e-3) {
    return fmt::format("{:.2e}", v);
  }
  if (v == std::floor(v) && a < 1e6) {
    return fmt::format("{:.0f}", v);  // whole numbers print as such: 8 chips, batch 64
  }
  const int digits = static_cast<int>(std::floor(std::log10(a)));
  const int decimals = std::max(0, 2 - digits);
  return fmt::format("{:.{}f}", v, decimals);
}

std::string human_energy_kwh(double kwh) {
  const Scale& s = pick(kwh, k_energy);
  return sig3(kwh / s.factor) + " " + s.unit;
}

std::string human_mass_kg(double kg) {
  const Scale& s = pick(kg, k_mass);
  return sig3(kg / s.factor) + " " + s.unit;
}

std::string human_water_l(double litres) {
  const Scale& s = pick(litres, k_volume);
  return sig3(litres / s.factor) + " " + s.unit;
}

std::string human_hours(double hours) {
  if (hours < 1.0 / 60) {
    return sig3(hours * 3600) + " s";
  }
  if (hours < 1) {
    return sig3(hours * 60) + " min";
  }
  if (hours < 48) {
    return sig3(hours) + " hours";
  }
  if (hours < 24 * 730) {
    return sig3(hours / 24) + " days";
  }
  return sig3(hours / 8766) + " years";
}

std::string human_count(double v) {
  const double a = std::fabs(v);
  if (a >= 1e15) {
    return fmt::format("{:.2e}", v);
  }
  static constexpr std::array<Scale, 4> k_counts = {{{1e3, "k"}, {1e6, "M"}, {1e9, "B"}, {1e12, "T"}}};
  if (a < 1e3) {
    return sig3(v);
  }
  const Scale& s = pick(v, k_counts);
  return sig3(v / s.factor) + " " + s.unit;
}

std::string energy_with_range(double kwh, double low, double high) {
  const Scale& s = pick(kwh, k_energy);
  return with_range(kwh, low, high, s.factor, s.unit);
}

std::string mass_with_range(double kg, double low, double high) {
  const Scale& s = pick(kg, k_mass);
  return with_range(kg, low, high, s.factor, s.unit);
}

std::string water_with_range(double litres, double low, double high) {
  const Scale& s = pick(litres, k_volume);
  return with_range(litres, low, high, s.factor, s.unit);
}

std::string count_with_range(double v, double low, double high) {
  if (low == v && high == v) {
    return human_count(v);
  }
  return human_count(v) + " (" + human_count(low) + "\u2013" + human_count(high) + ")";
}

std::string ascii_fallback(std::string_view text) {
  // UTF-8 sequences and their ASCII spellings (the characters the catalogs and renderers use).
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 32> k_map = {{
      {"\u2013", "-"},  {"\u2014", "-"},  {"\u2212", "-"},  {"\u00d7", "x"}, {"\u00b5", "u"},
      {"\u03bc", "u"},  {"\u00f7", "/"},  {"\u00b1", "+-"}, {"\u2248", "~"}, {"\u2026", "..."},
      {"\u2192", "->"}, {"\u2264", "<="}, {"\u2265", ">="}, {"\u00b7", "."}, {"\u00b0", " deg"},
      {"\u00b2", "2"},  {"\u00b3", "3"},  {"\u2018", "'"},  {"\u2019", "'"}, {"\u201c", "\""},
      {"\u201d", "\""}, {"\u00a0", " "},  {"\u2009", " "},  {"\u202f", " "}, {"\u00e3", "a"},
      {"\u00e4", "a"},  {"\u00e9", "e"},  {"\u00e8", "e"},  {"\u00fc", "u"}, {"\u00f6", "o"},
      {"\u00e7", "c"},  {"\u00f4", "o"},
  }};
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out += text[i++];
      continue;
    }
    bool done = false;
    for (const auto& [from, to] : k_map) {
      if (text.substr(i, from.size()) == from) {
        out += to;
        i += from.size();
        done = true;
        break;
      }
    }
    if (!done) {
      // One '?' for the whole sequence: a lead byte and its continuation bytes.
      std::size_t n = 1;
      while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0U) == 0x80U) {
        ++n;
      }
      out += '?';
      i += n;
    }
  }
  // "x/\u00f7 1.35" (times or divided by) would read "x//".
  for (std::size_t at = out.find("x//"); at != std::string::npos; at = out.find("x//", at + 6)) {
    out.replace(at, 3, "x or /");
  }
  return out;
}

}  // namespace llm_energy::render
