// Unit tests for src/cli/number6.hpp: six-significant-digit numbers in machine output.
#include <fmt/format.h>

#include <catch2/catch.hpp>
#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "render/number6.hpp"

namespace {

using llm_energy::render::append_number6;
using llm_energy::render::round6;

// The reference: fmt rounds the binary value to 6 digits, from_chars reads the decimal back.
double round6_reference(double v) {
  if (v == 0 || !std::isfinite(v)) {
    return v;
  }
  char buf[40];
  const auto end = fmt::format_to_n(buf, sizeof buf - 1, "{:.5e}", v).out;
  double r = 0;
  std::from_chars(buf, end, r);
  return r;
}

std::string text6(double v) {
  std::string s;
  append_number6(s, v);
  return s;
}

// Count significant digits in a JSON number's text.
int significant_digits(const std::string& s) {
  std::string mantissa = s.substr(0, s.find('e'));
  std::string digits;
  for (char c : mantissa) {
    if (c >= '0' && c <= '9') {
      digits += c;
    }
  }
  const auto first = digits.find_first_not_of('0');
  if (first == std::string::npos) {
    return 0;
  }
  digits = digits.substr(first);
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
  }
  return static_cast<int>(digits.size());
}

}  // namespace

TEST_CASE("round6 equals fmt + from_chars across magnitudes", "[number6]") {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> exponent(-30.0, 30.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 200000; ++i) {
    const double v = std::pow(10.0, exponent(rng)) * (unit(rng) < 0.1 ? -1 : 1);
    const double r = round6(v);
    if (r != round6_reference(v)) {
      FAIL("round6(" << fmt::format("{:.17g}", v) << ") = " << fmt::format("{:.17g}", r));
    }
  }
}

TEST_CASE("round6 handles ties, integers, extremes and specials like the reference", "[number6]") {
  for (double v : {1234565.0,
                   123456.5,
                   99999.95,
                   999999.95,
                   9999995e-11,
                   99999.5,
                   999999.5,
                   1234565e10,
                   0.5,
                   2.5,
                   999999.5,
                   9999995.0,
                   99999.95,
                   1e22,
                   1e23,
                   1e-22,
                   1e-23,
                   1.7976931348623157e308,
                   4.9406564584124654e-324,
                   2.2250738585072014e-308,
                   123456789012345678.0,
                   0.1,
                   0.3,
                   1.0 / 3.0,
                   2.0 / 3.0,
                   100.0,
                   1e15,
                   1e16}) {
    CHECK(round6(v) == round6_reference(v));
    CHECK(round6(-v) == round6_reference(-v));
  }
  // Exact ties in every decade and their neighbours (round half to even, as fmt).
  for (double tie : {1234565.0, 1234575.0, 1000005.0, 1000015.0, 9999985.0, 5000005.0}) {
    for (int shift = -12; shift <= 12; ++shift) {
      const double v = tie * std::pow(10.0, shift);
      for (double w : {v, std::nextafter(v, 0.0), std::nextafter(v, 1e300)}) {
        CHECK(round6(w) == round6_reference(w));
        CHECK(text6(w) == text6(round6_reference(w)));
      }
    }
  }
  CHECK(round6(0.0) == 0.0);
  CHECK(std::isnan(round6(std::numeric_limits<double>::quiet_NaN())));
  CHECK(round6(std::numeric_limits<double>::infinity()) == std::numeric_limits<double>::infinity());
}

TEST_CASE("append_number6 reads back as round6 and has at most 6 digits", "[number6]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> exponent(-12.0, 28.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int i = 0; i < 200000; ++i) {
    const double v = std::pow(10.0, exponent(rng)) * (unit(rng) < 0.1 ? -1 : 1);
    const std::string s = text6(v);
    double back = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), back);
    if (ec != std::errc() || ptr != s.data() + s.size() || back != round6(v) || significant_digits(s) > 6) {
      FAIL("append_number6(" << fmt::format("{:.17g}", v) << ") = " << s);
    }
  }
}

TEST_CASE("append_number6 lays numbers out as nlohmann::json dumps them", "[number6]") {
  // Where nlohmann's shortest digits are the 6-digit decimal (almost always), the text is
  // identical; both are the same double in any case (checked above).
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> exponent(-8.0, 25.0);
  int compared = 0;
  for (int i = 0; i < 100000; ++i) {
    const double r = round6(std::pow(10.0, exponent(rng)));
    const std::string reference = nlohmann::json(r).dump();
    if (significant_digits(reference) > 6) {
      continue;  // nlohmann's Grisu2 sometimes prints 17 digits for the same double
    }
    ++compared;
    if (text6(r) != reference) {
      FAIL("append_number6(" << reference << ") = " << text6(r));
    }
  }
  CHECK(compared > 90000);
  CHECK(text6(0.0) == "0.0");
  CHECK(text6(-0.0) == "-0.0");
  CHECK(text6(100.0) == "100.0");
  CHECK(text6(1e14) == "100000000000000.0");
  CHECK(text6(1e15) == "1e+15");
  CHECK(text6(4.2e22) == "4.2e+22");
  CHECK(text6(0.000123456) == "0.000123456");
  CHECK(text6(0.0000123456) == "1.23456e-05");
  CHECK(text6(123.4567) == "123.457");
  CHECK(text6(-2.5e-300) == "-2.5e-300");
  CHECK(text6(std::numeric_limits<double>::infinity()) == "null");
  CHECK(text6(std::numeric_limits<double>::quiet_NaN()) == "null");
}
