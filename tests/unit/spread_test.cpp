// Unit tests for llm_energy/spread.hpp and src/core/propagate.hpp: one-at-a-time range
// propagation, combined in log-space root-sum-square, and the sum of figures that share inputs.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>

#include "core/propagate.hpp"
#include "llm_energy/spread.hpp"

using llm_energy::Interval;
using llm_energy::Range;
using llm_energy::Spread;
using llm_energy::Uncertain;
using llm_energy::detail::Inputs;
using llm_energy::detail::Point;
using llm_energy::detail::propagate;

namespace {

constexpr auto a_in = Uncertain::mfu;
constexpr auto b_in = Uncertain::pue;

std::size_t at(Uncertain u) {
  return static_cast<std::size_t>(u);
}

Inputs inputs(Range a, Range b) {
  Inputs in{};
  in.fill(Range::exact(1));
  in[at(a_in)] = a;
  in[at(b_in)] = b;
  return in;
}

Spread product(Range a, Range b) {
  return propagate<1>(inputs(a, b),
                      [](const Point& x) { return std::array<double, 1>{x[at(a_in)] * x[at(b_in)]}; })[0];
}

}  // namespace

TEST_CASE("spread: the central value uses every input's central value", "[spread]") {
  const Spread s = product({1, 2, 3}, {4, 5, 6});
  const Interval i = s.interval();
  CHECK(s.value == Approx(10.0));
  CHECK(i.low <= s.value);
  CHECK(s.value <= i.high);
  // The RSS interval is inside the worst-case corners [4, 18].
  CHECK(i.low >= 4.0);
  CHECK(i.high <= 18.0);
  // Hand-computed: 10 * exp(+-sqrt(ln(a)^2 + ln(b)^2)).
  CHECK(i.high == Approx(15.598204).epsilon(1e-6));  // ln 1.5, ln 1.2
  CHECK(i.low == Approx(4.827869).epsilon(1e-6));    // ln 2, ln 1.25
}

TEST_CASE("spread: exact inputs give a zero-width interval", "[spread]") {
  const Spread s = product(Range::exact(2), Range::exact(5));
  CHECK(s.value == Approx(10.0));
  CHECK(s.interval().low == s.value);
  CHECK(s.interval().high == s.value);
  CHECK_FALSE(s.main_driver().has_value());
}

TEST_CASE("spread: one uncertain input maps its range through f", "[spread]") {
  const Spread s = product({1, 2, 3}, Range::exact(5));
  CHECK(s.interval().low == Approx(5.0));
  CHECK(s.interval().high == Approx(15.0));
  CHECK(s.main_driver() == a_in);
}

TEST_CASE("spread: widening an input never narrows the output", "[spread]") {
  const Range other{4.5, 5, 5.5};
  const Interval narrow = product({1.8, 2, 2.2}, other).interval();
  const Interval mid = product({1.5, 2, 2.5}, other).interval();
  const Interval wide = product({1, 2, 3}, other).interval();
  CHECK(mid.low <= narrow.low);
  CHECK(mid.high >= narrow.high);
  CHECK(wide.low <= mid.low);
  CHECK(wide.high >= mid.high);
  CHECK(wide.high - wide.low > narrow.high - narrow.low);
}

TEST_CASE("spread: main_driver is the input with the widest effect", "[spread]") {
  CHECK(product({1, 2, 4}, {4.5, 5, 5.5}).main_driver() == a_in);
  CHECK(product({1.9, 2, 2.1}, {1, 5, 20}).main_driver() == b_in);
}

TEST_CASE("spread: decreasing functions and several outputs", "[spread]") {
  // out0 = 100 / a (decreasing), out1 = b (independent of a).
  const auto s = propagate<2>(inputs({2, 4, 5}, {1, 3, 9}), [](const Point& x) {
    return std::array<double, 2>{100.0 / x[at(a_in)], x[at(b_in)]};
  });
  CHECK(s[0].value == Approx(25.0));
  CHECK(s[0].interval().low == Approx(20.0));   // a high
  CHECK(s[0].interval().high == Approx(50.0));  // a low
  CHECK(s[1].value == Approx(3.0));
  CHECK(s[1].interval().low == Approx(1.0));
  CHECK(s[1].interval().high == Approx(9.0));
  CHECK(s[0].main_driver() == a_in);
}

TEST_CASE("spread: a zero central value falls back to the envelope", "[spread]") {
  Inputs in{};
  in.fill(Range::exact(1));
  in[at(a_in)] = Range{-1, 0, 1};
  const auto s = propagate<1>(in, [](const Point& x) { return std::array<double, 1>{x[at(a_in)]}; })[0];
  CHECK(s.value == Approx(0.0));
  CHECK(s.interval().low == Approx(-1.0));
  CHECK(s.interval().high == Approx(1.0));
}

TEST_CASE("spread: a sum moves with a shared input as one, independent inputs in quadrature", "[spread]") {
  // Two figures, each x * b: b is shared, a1 and a2 are their own inputs.
  const Range b{1, 2, 4};
  Inputs first{};
  first.fill(Range::exact(1));
  first[at(Uncertain::mfu)] = {1, 2, 4};
  first[at(b_in)] = b;
  Inputs second = first;
  second[at(Uncertain::mfu)] = Range::exact(2);
  second[at(Uncertain::batch_size)] = {1, 2, 4};
  auto f1 = [](const Point& x) { return std::array<double, 1>{x[at(Uncertain::mfu)] * x[at(b_in)]}; };
  auto f2 = [](const Point& x) { return std::array<double, 1>{x[at(Uncertain::batch_size)] * x[at(b_in)]}; };
  Spread total = propagate<1>(first, f1)[0];
  total += propagate<1>(second, f2)[0];
  CHECK(total.value == Approx(8.0));
  // The shared input doubles or halves the whole sum; each own input moves only its part.
  CHECK(total.at_high[at(b_in)] == Approx(16.0));
  CHECK(total.at_low[at(b_in)] == Approx(4.0));
  CHECK(total.at_high[at(Uncertain::mfu)] == Approx(12.0));
  const double up = std::sqrt(std::log(2.0) * std::log(2.0) + 2 * std::log(1.5) * std::log(1.5));
  CHECK(total.interval().high == Approx(8.0 * std::exp(up)));
  // Adding the phases' upper bounds would be wider than the combined interval.
  CHECK(total.interval().high < propagate<1>(first, f1)[0].interval().high * 2);
  // Scaling is exact.
  const Spread half = total.scaled(0.5);
  CHECK(half.interval().high == Approx(total.interval().high * 0.5));
}
