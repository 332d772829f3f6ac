#include "number6.hpp"

#include <fmt/format.h>

#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace llm_energy::cli {
namespace {

// Powers of ten that are exact doubles (10^22 is the largest).
constexpr std::array<double, 23> k_pow10 = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                            1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
constexpr int k_max_exact = 22;

// The six significant digits of a positive finite `a`: a ~= m * 10^(e - 5), 1e5 <= m < 1e6.
struct Digits {
  std::uint32_t m = 0;
  int e = 0;  // decimal exponent of the leading digit
};

// Exact path: fmt rounds the binary value itself to 6 digits ("d.ddddde+XX").
Digits digits_exact(double a) {
  char buf[40];
  const auto end = fmt::format_to_n(buf, sizeof buf - 1, "{:.5e}", a).out;
  Digits d;
  d.m = static_cast<std::uint32_t>(buf[0] - '0');
  for (int i = 2; i < 7; ++i) {
    d.m = d.m * 10 + static_cast<std::uint32_t>(buf[i] - '0');
  }
  int exp = 0;
  const char* p = buf + 8;  // after 'e'
  if (*p == '+') {
    ++p;
  }
  std::from_chars(p, end, exp);
  d.e = exp;
  return d;
}

// a * 10^k rounded once (exact operands), or false when 10^|k| is not an exact double.
bool scale(double a, int k, double& out) {
  if (k >= 0 && k <= k_max_exact) {
    out = a * k_pow10[static_cast<std::size_t>(k)];
    return true;
  }
  if (k < 0 && -k <= k_max_exact) {
    out = a / k_pow10[static_cast<std::size_t>(-k)];
    return true;
  }
  return false;
}

// 10^k for k in -22..22 as the nearest doubles (the negative powers are not exact; the digit
// search below tolerates their half-ulp error).
constexpr std::array<double, 45> k_pow10_near = {
    1e-22, 1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11, 1e-10, 1e-9, 1e-8,
    1e-7,  1e-6,  1e-5,  1e-4,  1e-3,  1e-2,  1e-1,  1e0,   1e1,   1e2,   1e3,   1e4,   1e5,   1e6,  1e7,
    1e8,   1e9,   1e10,  1e11,  1e12,  1e13,  1e14,  1e15,  1e16,  1e17,  1e18,  1e19,  1e20,  1e21, 1e22};

Digits digits6(double a) {
  // Decimal exponent from the binary one: floor(e2 * log10(2)) for |e2| < 1700 (arithmetic
  // shift), off by at most one, corrected below. Subnormals end in the exact path.
  const auto biased = static_cast<int>((std::bit_cast<std::uint64_t>(a) >> 52) & 0x7ffU);
  int e = ((biased - 1023) * 78913) >> 18;
  double y = 0;
  for (int tries = 0; tries < 3; ++tries) {
    const int k = 5 - e;
    if (k < -22 || k > 22) {
      return digits_exact(a);
    }
    // One multiplication: at most ~1 ulp (about 1e-10 at this magnitude) from a * 10^k.
    y = a * k_pow10_near[static_cast<std::size_t>(k + 22)];
    // The bounds are rounding ties too (999999.5 rounds up to the next decade).
    if (std::fabs(y - 999999.5) < 1e-5 || std::fabs(y - 99999.5) < 1e-6) {
      return digits_exact(a);
    }
    if (y >= 999999.5) {
      ++e;
    } else if (y < 99999.5) {
      --e;
    } else {
      break;
    }
  }
  if (!(y >= 99999.5 && y < 999999.5)) {
    return digits_exact(a);
  }
  // Far from a rounding tie the rounding is certain; near one (|frac - 0.5| < 1e-6, a margin
  // of 10^4 times the error), let fmt decide on the exact binary value.
  const auto whole = static_cast<std::uint32_t>(y);  // y is positive: truncation is floor
  const double frac = y - whole;
  if (std::fabs(frac - 0.5) < 1e-6) {
    return digits_exact(a);
  }
  Digits d;
  d.m = whole + (frac > 0.5 ? 1U : 0U);
  d.e = e;
  return d;
}

constexpr char k_pairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

}  // namespace

double round6(double v) {
  if (v == 0 || !std::isfinite(v)) {
    return v;
  }
  const double a = std::fabs(v);
  const Digits d = digits6(a);
  double r = 0;
  if (!scale(static_cast<double>(d.m), d.e - 5, r)) {
    // Through text: the double nearest the decimal.
    char buf[40];
    const auto end = fmt::format_to_n(buf, sizeof buf - 1, "{}e{}", d.m, d.e - 5).out;
    std::from_chars(buf, end, r);
  }
  return v < 0 ? -r : r;
}

char* write_number6(char* p, double v) {
  if (!std::isfinite(v)) {
    std::memcpy(p, "null", 4);
    return p + 4;
  }
  if (std::signbit(v)) {
    *p++ = '-';
  }
  if (v == 0) {
    *p++ = '0';
    *p++ = '.';
    *p++ = '0';
    return p;
  }
  const Digits d = digits6(std::fabs(v));
  // The six digits (padded so that fixed-size copies may read past them), and k, their count
  // without trailing zeros (m >= 100000, so the first digit is not 0).
  char digits[16] = "000000000000000";
  const std::uint32_t m = d.m;
  std::memcpy(digits, k_pairs + 2 * (m / 10000), 2);
  std::memcpy(digits + 2, k_pairs + 2 * (m / 100 % 100), 2);
  std::memcpy(digits + 4, k_pairs + 2 * (m % 100), 2);
  int k = 6;
  while (digits[k - 1] == '0') {
    --k;
  }
  // nlohmann::json's layout (like printf %g with exponents -4..15, and ".0" on integers). The
  // copies are fixed-size (the buffer has room); the pointer then moves by the real length.
  const int n = d.e + 1;         // position of the decimal point relative to the first digit
  if (k <= n && n <= 15) {       // digits[000].0
    std::memcpy(p, digits, 16);  // the digits, then zeros
    p += n;
    std::memcpy(p, ".0", 2);
    p += 2;
  } else if (0 < n && n <= 15) {  // dig.its
    std::memcpy(p, digits, 8);
    p[n] = '.';
    std::memcpy(p + n + 1, digits + n, 8);
    p += k + 1;
  } else if (-4 < n && n <= 0) {  // 0.[000]digits
    std::memcpy(p, "0.0000", 6);
    p += 2 - n;
    std::memcpy(p, digits, 8);
    p += k;
  } else {  // d.igitse+XX
    *p++ = digits[0];
    if (k > 1) {
      *p++ = '.';
      std::memcpy(p, digits + 1, 8);
      p += k - 1;
    }
    const int x = n - 1;
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    const int ax = x < 0 ? -x : x;
    if (ax >= 100) {
      *p++ = static_cast<char>('0' + ax / 100);
    }
    std::memcpy(p, k_pairs + 2 * (ax % 100), 2);
    p += 2;
  }
  return p;
}

void append_number6(std::string& out, double v) {
  char buf[k_number6_max];
  out.append(buf, write_number6(buf, v));
}

}  // namespace llm_energy::cli
