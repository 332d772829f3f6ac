// llm_energy/schedule.hpp, issue 17: the window search is one linear pass with running sums
// and gives what the direct sum gives; tiny and huge inputs stay finite and in range.
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <random>
#include <string>

#include "llm_energy/error.hpp"
#include "llm_energy/schedule.hpp"

using namespace llm_energy;
using namespace llm_energy::whatif;
using Catch::Matchers::Contains;

namespace {

IntensitySeries series(std::size_t hours, unsigned seed, const std::string& region = "r") {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> g(20.0, 900.0);
  IntensitySeries s;
  s.region = region;
  s.start = 1709251200;  // 2024-03-01T00:00:00Z
  for (std::size_t i = 0; i < hours; ++i) {
    s.g_per_kwh.push_back(std::round(g(rng) * 10) / 10);
  }
  return s;
}

// The search as it was: every start, the job's CO2e summed hour by hour.
ScheduleResult brute_force(const IntensitySeries& s, const ScheduleRequest& r) {
  ScheduleResult out;
  bool found = false;
  for (std::int64_t t = s.start; static_cast<double>(t - s.start) + r.duration_hours * 3600 <=
                                 static_cast<double>(s.end() - s.start) + 1e-6;
       t += 3600) {
    const double c = job_co2e_kg(s, t, r.duration_hours, r.energy_kwh);
    if (!found || c < out.best_co2e_kg - 1e-12 * std::max(1.0, out.best_co2e_kg)) {
      found = true;
      out.best_co2e_kg = c;
      out.best_start = t;
    }
    ++out.candidates;
  }
  return out;
}

}  // namespace

TEST_CASE("schedule: running sums give the direct sums' best start and CO2e", "[schedule]") {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    const IntensitySeries s = series(200 + seed * 13, seed);
    for (double d : {1.0, 1.5, 7.25, 24.0, 100.0 + seed, 199.9}) {
      ScheduleRequest r;
      r.duration_hours = d;
      r.energy_kwh = 1000;
      const ScheduleResult want = brute_force(s, r);
      const ScheduleResult got = schedule({s}, r);
      INFO("seed " << seed << ", duration " << d);
      CHECK(got.best_start == want.best_start);
      CHECK(got.best_co2e_kg == Approx(want.best_co2e_kg).epsilon(1e-12));
      CHECK(got.candidates == want.candidates);
    }
  }
  // Equal windows (a flat series) tie: the first start wins, as before.
  IntensitySeries flat;
  flat.region = "flat";
  flat.start = 1709251200;
  flat.g_per_kwh.assign(100000, 437.3);
  ScheduleRequest r;
  r.duration_hours = 36;
  r.energy_kwh = 5000;
  CHECK(schedule({flat}, r).best_start == flat.start);
}

TEST_CASE("schedule: 500,000 hours and a 200,000-hour job take one pass, not hours x duration",
          "[schedule]") {
  IntensitySeries s = series(500000, 7);
  for (std::size_t i = 250000; i < 450000; ++i) {
    s.g_per_kwh[i] = 1.0;  // the cleanest window
  }
  ScheduleRequest r;
  r.duration_hours = 200000;
  r.energy_kwh = 1e6;
  const auto t0 = std::chrono::steady_clock::now();
  const ScheduleResult got = schedule({s}, r);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(got.best_start == s.start + 250000LL * 3600);
  CHECK(got.candidates == 300001);
  CHECK(secs < 5.0);  // the direct sums need 6e10 additions (minutes)
}

TEST_CASE("schedule: a microsecond job and the last hour fit, within the series", "[schedule]") {
  const IntensitySeries s = series(4, 3);
  ScheduleRequest r;
  r.duration_hours = 1e-6 / 3600;  // one microsecond: used to index one past the series
  r.energy_kwh = 1;
  const ScheduleResult got = schedule({s}, r);
  CHECK(got.candidates == 4);
  CHECK(std::isfinite(got.best_co2e_kg));
  r.duration_hours = 1e-300;
  CHECK(std::isfinite(schedule({s}, r).best_co2e_kg));  // energy x mean intensity: no overflow
  // job_co2e_kg checks its window instead of reading past the series.
  CHECK_THROWS_AS(job_co2e_kg(s, s.end(), 1e-9, 1), InputError);
  CHECK_THROWS_AS(job_co2e_kg(s, s.start + 3 * 3600, 2, 1), InputError);
  CHECK_THROWS_AS(job_co2e_kg(s, s.start + 1800, 1, 1), InputError);
  CHECK_NOTHROW(job_co2e_kg(s, s.start + 3 * 3600, 1, 1));
}

TEST_CASE("intensity CSV: values above 10000 gCO2e/kWh are refused with their line", "[schedule]") {
  const std::string head = "timestamp,carbon_intensity\n";
  CHECK_THROWS_WITH(
      parse_intensity_csv(head + "2024-03-01T00:00:00Z,100\n2024-03-01T01:00:00Z,1e306\n", "f.csv", "f"),
      Contains("f.csv:3: carbon_intensity 1e+306 is above 10000 gCO2e/kWh"));
  CHECK_NOTHROW(parse_intensity_csv(head + "2024-03-01T00:00:00Z,10000\n", "f.csv", "f"));
  // CR-only line endings read as lines.
  CHECK(parse_intensity_csv("timestamp,carbon_intensity\r2024-03-01T00:00:00Z,1\r2024-03-01T01:00:00Z,2\r",
                            "f.csv", "f")
            .g_per_kwh.size() == 2);
}
