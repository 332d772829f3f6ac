#include "llm_energy/units.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <string>
#include <system_error>
#include <utility>

#include "llm_energy/error.hpp"

namespace llm_energy {
namespace {

// The C locale's white space (as std::isspace there), without a locale call per character.
bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) {
    s.remove_prefix(1);
  }
  while (!s.empty() && is_space(s.back())) {
    s.remove_suffix(1);
  }
  return s;
}

// Printable excerpt of user text for an error message (never echoes control bytes).
std::string quote(std::string_view s) {
  std::string out = "'";
  for (char c : s.substr(0, 40)) {
    auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (s.size() > 40) {
    out += "...";
  }
  return out + "'";
}

// Parse the leading number of `s`; return it and the rest of the text.
std::pair<double, std::string_view> leading_number(std::string_view s, std::string_view what,
                                                   std::string_view original) {
  double v = 0;
  // from_chars rejects a leading '+'; accept it for convenience.
  std::string_view body = s;
  if (!body.empty() && body.front() == '+') {
    body.remove_prefix(1);
  }
  const char* first = body.data();
  const char* last = body.data() + body.size();
  auto [ptr, ec] = std::from_chars(first, last, v, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    throw InputError(std::string(what) + ": " + quote(original) + " is out of range");
  }
  if (ec != std::errc() || ptr == first) {
    throw InputError(std::string(what) + ": " + quote(original) + " is not a number");
  }
  if (!std::isfinite(v)) {
    throw InputError(std::string(what) + ": " + quote(original) + " is not a finite number");
  }
  return {v, body.substr(static_cast<std::size_t>(ptr - first))};
}

double checked(double v, std::string_view what, std::string_view original) {
  if (!std::isfinite(v)) {
    throw InputError(std::string(what) + ": " + quote(original) + " is out of range");
  }
  return v;
}

struct UnitFactor {
  std::string_view unit;
  double factor;
};

double parse_with_units(std::string_view text, std::string_view what, const UnitFactor* units, std::size_t n,
                        std::string_view expected) {
  const std::string_view s = trim(text);
  if (s.empty()) {
    throw InputError(std::string(what) + ": empty value");
  }
  auto [v, rest] = leading_number(s, what, text);
  rest = trim(rest);
  if (rest.empty()) {
    return checked(v * units[0].factor, what, text);
  }
  // Units are case-sensitive (SI: m is milli, M is mega): only the listed spellings.
  for (std::size_t i = 0; i < n; ++i) {
    if (rest == units[i].unit) {
      return checked(v * units[i].factor, what, text);
    }
  }
  throw InputError(std::string(what) + ": unknown unit " + quote(rest) + " in " + quote(text) + " (use " +
                   std::string(expected) + "; units are case-sensitive)");
}

}  // namespace

double parse_plain_number(std::string_view text, std::string_view what) {
  const std::string_view s = trim(text);
  if (s.empty()) {
    throw InputError(std::string(what) + ": empty value");
  }
  auto [v, rest] = leading_number(s, what, text);
  if (!trim(rest).empty()) {
    throw InputError(std::string(what) + ": " + quote(text) + " is not a number");
  }
  return v;
}

double parse_count(std::string_view text, std::string_view what) {
  const std::string_view s = trim(text);
  if (s.empty()) {
    throw InputError(std::string(what) + ": empty value");
  }
  auto [v, rest] = leading_number(s, what, text);
  rest = trim(rest);
  if (rest.empty()) {
    return v;
  }
  // k/K, M, B/b, G, T/t. Not m (milli in SI, so 1m would read a billion times too large) or
  // g (a gram).
  double mult = 0;
  if (rest.size() == 1) {
    switch (rest[0]) {
      case 'k':
      case 'K':
        mult = 1e3;
        break;
      case 'M':
        mult = 1e6;
        break;
      case 'B':
      case 'b':
      case 'G':
        mult = 1e9;
        break;
      case 'T':
      case 't':
        mult = 1e12;
        break;
      default:
        break;
    }
  }
  if (mult == 0) {
    const std::string hint = rest == "m" ? "; m is milli, a million is M" : "";
    throw InputError(std::string(what) + ": unknown suffix " + quote(rest) + " in " + quote(text) +
                     " (use k, M, B or G, T, e.g. 70B or 1.5T" + hint + ")");
  }
  return checked(v * mult, what, text);
}

Range parse_range(std::string_view text, std::string_view what) {
  std::array<std::string_view, 3> parts{};
  std::size_t n = 0;
  std::string_view rest = text;
  while (true) {
    const auto colon = rest.find(':');
    if (n == parts.size()) {
      throw InputError(std::string(what) + ": " + quote(text) +
                       " has too many ':' (use V, LOW:HIGH or LOW:V:HIGH)");
    }
    parts[n++] = rest.substr(0, colon);
    if (colon == std::string_view::npos) {
      break;
    }
    rest.remove_prefix(colon + 1);
  }
  if (n == 1) {
    return Range::exact(parse_count(parts[0], what));
  }
  Range r;
  r.low = parse_count(parts[0], what);
  r.high = parse_count(parts[n - 1], what);
  r.value = n == 3 ? parse_count(parts[1], what) : 0.5 * (r.low + r.high);
  if (!(r.low <= r.value && r.value <= r.high)) {
    throw InputError(std::string(what) + ": range " + quote(text) + " must be ordered LOW <= VALUE <= HIGH");
  }
  return r;
}

double parse_energy_kwh(std::string_view text, std::string_view what) {
  static constexpr UnitFactor units[] = {{"kWh", 1.0}, {"Wh", 1e-3}, {"kWh", 1.0},
                                         {"MWh", 1e3}, {"GWh", 1e6}, {"TWh", 1e9}};
  return parse_with_units(text, what, units, std::size(units), "Wh, kWh, MWh, GWh or TWh");
}

double parse_mass_kg(std::string_view text, std::string_view what) {
  static constexpr UnitFactor units[] = {{"kg", 1.0}, {"g", 1e-3}, {"kg", 1.0},
                                         {"t", 1e3},  {"kt", 1e6}, {"Mt", 1e9}};
  return parse_with_units(text, what, units, std::size(units), "g, kg, t, kt or Mt");
}

double parse_fraction(std::string_view text, std::string_view what) {
  static constexpr UnitFactor units[] = {{"", 1.0}, {"%", 0.01}};
  return parse_with_units(text, what, units, std::size(units), "a fraction like 0.8 or 80%");
}

double parse_duration_hours(std::string_view text, std::string_view what) {
  static constexpr UnitFactor units[] = {{"h", 1.0},        {"s", 1.0 / 3600}, {"m", 1.0 / 60},
                                         {"min", 1.0 / 60}, {"h", 1.0},        {"d", 24.0}};
  return parse_with_units(text, what, units, std::size(units), "s, m or min, h or d");
}

}  // namespace llm_energy
