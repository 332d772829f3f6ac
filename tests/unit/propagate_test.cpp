// Unit tests for src/core/propagate.hpp: one-at-a-time range propagation, combined in
// log-space root-sum-square.
#include <catch2/catch.hpp>

#include <array>
#include <cmath>

#include "core/propagate.hpp"

using llm_energy::Range;
using llm_energy::detail::propagate;

namespace {

std::array<double, 1> product(const std::array<double, 2>& x) {
  return {x[0] * x[1]};
}

llm_energy::detail::Propagated<1> run(Range a, Range b) {
  return propagate<2, 1>(std::array<Range, 2>{a, b}, product, 0);
}

}  // namespace

TEST_CASE("propagate: the central value uses every input's central value", "[propagate]") {
  const auto p = run({1, 2, 3}, {4, 5, 6});
  CHECK(p.value[0] == Approx(10.0));
  CHECK(p.low[0] <= p.value[0]);
  CHECK(p.value[0] <= p.high[0]);
  // The RSS interval is inside the worst-case corners [4, 18].
  CHECK(p.low[0] >= 4.0);
  CHECK(p.high[0] <= 18.0);
  // Hand-computed: 10 * exp(+-sqrt(ln(a)^2 + ln(b)^2)).
  CHECK(p.high[0] == Approx(15.598204).epsilon(1e-6));  // ln 1.5, ln 1.2
  CHECK(p.low[0] == Approx(4.827869).epsilon(1e-6));    // ln 2, ln 1.25
}

TEST_CASE("propagate: exact inputs give a zero-width interval", "[propagate]") {
  const auto p = run(Range::exact(2), Range::exact(5));
  CHECK(p.value[0] == Approx(10.0));
  CHECK(p.low[0] == p.value[0]);
  CHECK(p.high[0] == p.value[0]);
  CHECK(p.main_driver == -1);
}

TEST_CASE("propagate: one uncertain input maps its range through f", "[propagate]") {
  const auto p = run({1, 2, 3}, Range::exact(5));
  CHECK(p.low[0] == Approx(5.0));
  CHECK(p.high[0] == Approx(15.0));
  CHECK(p.main_driver == 0);
}

TEST_CASE("propagate: widening an input never narrows the output", "[propagate]") {
  const Range other{4.5, 5, 5.5};
  const auto narrow = run({1.8, 2, 2.2}, other);
  const auto mid = run({1.5, 2, 2.5}, other);
  const auto wide = run({1, 2, 3}, other);
  CHECK(mid.low[0] <= narrow.low[0]);
  CHECK(mid.high[0] >= narrow.high[0]);
  CHECK(wide.low[0] <= mid.low[0]);
  CHECK(wide.high[0] >= mid.high[0]);
  CHECK(wide.high[0] - wide.low[0] > narrow.high[0] - narrow.low[0]);
  // Same central value throughout.
  CHECK(narrow.value[0] == Approx(wide.value[0]));
}

TEST_CASE("propagate: main_driver is the input with the widest effect", "[propagate]") {
  CHECK(run({1, 2, 4}, {4.5, 5, 5.5}).main_driver == 0);
  CHECK(run({1.9, 2, 2.1}, {1, 5, 20}).main_driver == 1);
}

TEST_CASE("propagate: decreasing functions and several outputs", "[propagate]") {
  // out0 = 100 / x0 (decreasing), out1 = x1 (independent of x0).
  auto f = [](const std::array<double, 2>& x) { return std::array<double, 2>{100.0 / x[0], x[1]}; };
  const auto p = propagate<2, 2>(std::array<Range, 2>{Range{2, 4, 5}, Range{1, 3, 9}}, f, 0);
  CHECK(p.value[0] == Approx(25.0));
  CHECK(p.low[0] == Approx(20.0));   // x0 high
  CHECK(p.high[0] == Approx(50.0));  // x0 low
  CHECK(p.value[1] == Approx(3.0));
  CHECK(p.low[1] == Approx(1.0));
  CHECK(p.high[1] == Approx(9.0));
  CHECK(p.main_driver == 0);  // driver is chosen on output 0 only
}

TEST_CASE("propagate: a zero central value falls back to the envelope", "[propagate]") {
  auto f = [](const std::array<double, 1>& x) { return std::array<double, 1>{x[0]}; };
  const auto p = propagate<1, 1>(std::array<Range, 1>{Range{-1, 0, 1}}, f, 0);
  CHECK(p.value[0] == Approx(0.0));
  CHECK(p.low[0] == Approx(-1.0));
  CHECK(p.high[0] == Approx(1.0));
}
