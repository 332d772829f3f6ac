#include "render/number6.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace llm_energy::render {
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

#if defined(__GNUC__)
[[gnu::always_inline]]
#endif
inline Digits
digits6(double a) {
  // Decimal exponent from the binary one: floor(e2 * log10(2)) for |e2| < 1700 (arithmetic
  // shift), off by at most one, corrected below. Subnormals end in the exact path.
  const auto biased = static_cast<int>((std::bit_cast<std::uint64_t>(a) >> 52) & 0x7ffU);
  int e = ((biased - 1023) * 78913) >> 18;
  // One comparison settles the usual case (a >= 10^(e+1) within the same binade).
  const int next = e + 1 + 22;  // index of 10^(e+1)
  if (next >= 0 && next <= 44 && a >= k_pow10_near[static_cast<std::size_t>(next)]) {
    ++e;
  }
  double y = 0;
  for (int tries = 0; tries < 3; ++tries) {
    const int k = 5 - e;
    if (k < -22 || k > 22) {
      return digits_exact(a);
    }
    // One multiplication: at most ~1 ulp (about 1e-10 at this magnitude) from a * 10^k.
    const int at = k + 22;
    y = a * k_pow10_near[static_cast<std::size_t>(at)];
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
  // Far from a rounding tie the rounding is certain (|frac - 0.5| >= 1e-6, 10^4 times the
  // error). Near one (integers like 1234565 are exact ties), decide on the exact value.
  auto whole = static_cast<std::uint32_t>(y);  // y is positive: truncation is floor
  double frac = y - whole;
  bool up = frac > 0.5;
  if (std::fabs(frac - 0.5) < 1e-6) {
    // Scale once more with an exact power (one correctly rounded operation) and take the
    // sign of its exact residual: the true a*10^k is above, at or below y. Within this band
    // frac is a multiple of ulp(y) and the true value is within half an ulp of y.
    const int k = 5 - e;
    double residual = 0;  // sign of (a * 10^k - y)
    if (!scale(a, k, y)) {
      return digits_exact(a);
    }
    residual = k >= 0 ? std::fma(a, k_pow10[static_cast<std::size_t>(k)], -y)
                      : std::fma(-y, k_pow10[static_cast<std::size_t>(-k)], a);
    whole = static_cast<std::uint32_t>(y);
    frac = y - whole;
    if (frac != 0.5) {
      up = frac > 0.5;
    } else if (residual != 0) {
      up = residual > 0;
    } else {
      up = (whole & 1U) != 0;  // an exact tie: to even, as printf and fmt round
    }
    if (whole + (up ? 1U : 0U) >= 1000000U || whole < 100000U) {
      return digits_exact(a);  // the tie moved the decade: leave it to fmt
    }
  }
  Digits d;
  d.m = whole + (up ? 1U : 0U);
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
    return std::copy_n("null", 4, p);
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
  // The six digits as the bytes of one register, first digit lowest, padded with '0' (kept
  // out of memory: byte stores read back as a word would stall on store forwarding).
  const std::uint32_t m = d.m;
  auto pair = [](std::uint32_t two) {
    std::uint16_t bytes = 0;
    std::memcpy(&bytes, k_pairs + std::size_t{2} * two, 2);
    if constexpr (std::endian::native == std::endian::big) {
      bytes = __builtin_bswap16(bytes);
    }
    return static_cast<std::uint64_t>(bytes);
  };
  constexpr std::uint64_t k_zeros = 0x3030303030303030ULL;  // "00000000"
  const std::uint64_t word =
      pair(m / 10000) | pair(m / 100 % 100) << 16 | pair(m % 100) << 32 | (k_zeros & 0xffff000000000000ULL);
  // k: the digits without trailing zeros (the first digit is not 0, so k >= 1).
  const std::uint64_t nonzero = (word ^ k_zeros) & 0x0000ffffffffffffULL;
  const int k = (63 - std::countl_zero(nonzero)) / 8 + 1;
  auto store = [&p](std::size_t at, std::uint64_t bytes) {
    if constexpr (std::endian::native == std::endian::big) {
      bytes = __builtin_bswap64(bytes);
    }
    std::memcpy(p + at, &bytes, 8);
  };
  // nlohmann::json's layout (like printf %g with exponents -4..15, and ".0" on integers). The
  // stores are fixed-size (the buffer has room); the pointer then moves by the real length.
  const int n = d.e + 1;    // position of the decimal point relative to the first digit
  if (k <= n && n <= 15) {  // digits[000].0
    store(0, word);
    store(8, k_zeros);
    p += n;
    *p++ = '.';
    *p++ = '0';
  } else if (0 < n && n <= 15) {  // dig.its (n < k <= 6)
    store(0, word);
    p[n] = '.';
    store(static_cast<std::size_t>(n) + 1, word >> (8 * n));
    p += k + 1;
  } else if (-4 < n && n <= 0) {  // 0.[000]digits
    std::copy_n("0.0000", 6, p);
    p += 2 - n;
    store(0, word);
    p += k;
  } else {  // d.igitse+XX
    *p++ = static_cast<char>(word & 0xff);
    if (k > 1) {
      *p++ = '.';
      store(0, word >> 8);
      p += k - 1;
    }
    const int x = n - 1;
    *p++ = 'e';
    *p++ = x < 0 ? '-' : '+';
    const int ax = x < 0 ? -x : x;
    if (ax >= 100) {
      *p++ = static_cast<char>('0' + ax / 100);
    }
    std::memcpy(p, k_pairs + std::size_t{2} * static_cast<std::size_t>(ax % 100), 2);
    p += 2;
  }
  return p;
}

void append_number6(std::string& out, double v) {
  char buf[k_number6_max];
  out.append(buf, write_number6(buf, v));
}

}  // namespace llm_energy::render
