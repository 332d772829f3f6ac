// Unit tests for llm_energy/fleet.hpp: each mechanism of the serving fleet, and the fleet of
// the whole estimator against the steady-state replica.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/fleet.hpp"
#include "llm_energy/resolve.hpp"
#include "llm_energy/scenario.hpp"

#include "scenario_fixture.hpp"

using namespace llm_energy;
using Catch::Matchers::Contains;

namespace {

using llm_energy::testing::make;

// A colocated pool of Llama-3.1-70B on H100 (the catalog's replica).
FleetPool pool() {
  const Resolved r = resolve(make({{"model", "llama-3.1-70b"},
                                   {"phase", "inference"},
                                   {"requests", "1M"},
                                   {"hardware", "h100-sxm"},
                                   {"batch_size", "256"}}),
                             builtin_catalog());
  FleetPool p;
  p.setup = r.inference->setup;
  p.factors = r.inference->factors;
  p.max_batch = r.inference->max_batch;
  p.idle_w = 70;
  p.host_idle_fraction = 0.5;
  return p;
}

}  // namespace

TEST_CASE("fleet: the batch under a TPOT target is the largest that meets it", "[fleet]") {
  const FleetPool p = pool();
  double best = 0;
  const double tpot = fleet::replica_at(p, 64).tpot_s;
  const auto b = fleet::batch_under_tpot(p, tpot, best);
  REQUIRE(b);
  CHECK(*b >= 64);
  CHECK(fleet::replica_at(p, *b).tpot_s <= tpot);
  if (*b < p.max_batch) {
    CHECK(fleet::replica_at(p, *b + 1).tpot_s > tpot);
  }
  // A tighter target gives a smaller batch; an unreachable one none, with batch 1's time.
  const auto smaller = fleet::batch_under_tpot(p, fleet::replica_at(p, 8).tpot_s, best);
  REQUIRE(smaller);
  CHECK(*smaller < *b);
  CHECK_FALSE(fleet::batch_under_tpot(p, 1e-4, best));
  CHECK(best == Approx(fleet::replica_at(p, 1).tpot_s));
}

TEST_CASE("fleet: M/M/c queueing matches Erlang C", "[fleet]") {
  // One server: P(wait) = rho; mean wait rho/(1-rho) x service.
  CHECK(fleet::erlang_c(1, 0.5) == Approx(0.5));
  CHECK(fleet::mmc_wait_s(1, 0.5, 1.0) == Approx(1.0));
  // Two servers offered 1 Erlang: C = 1/3 (textbook), wait = C S / (c - a) = 1/3.
  CHECK(fleet::erlang_c(2, 1.0) == Approx(1.0 / 3.0));
  CHECK(fleet::mmc_wait_s(2, 1.0, 1.0) == Approx(1.0 / 3.0));
  // Unstable: waits without end; no load: no wait.
  CHECK(std::isinf(fleet::mmc_wait_s(2, 2.0, 1.0)));
  CHECK(fleet::mmc_wait_s(2, 0.0, 1.0) == 0.0);
  // More servers at the same load per server wait less (pooling).
  CHECK(fleet::mmc_wait_s(100, 80, 1.0) < fleet::mmc_wait_s(10, 8, 1.0));
}

TEST_CASE("fleet: the autoscaler keeps what any interval within its lag needs", "[fleet]") {
  const LoadProfile flat = *builtin_load_profile("flat", 0.4, 14, 8, 18, 0.1);
  std::vector<double> need(24, 2.0);
  need[12] = 10;
  const auto none = fleet::autoscale(need, flat, 1, 1, 0);
  CHECK(none[11] == 2);
  CHECK(none[12] == 10);
  CHECK(none[13] == 2);
  // A 30-minute lag reaches into the neighbours: up before the peak, down after it.
  const auto lag = fleet::autoscale(need, flat, 1, 1, 0.5);
  CHECK(lag[10] == 2);
  CHECK(lag[11] == 10);
  CHECK(lag[13] == 10);
  CHECK(lag[14] == 2);
  // Steps of 4 from a minimum of 3: 3, 7, 11.
  const auto stepped = fleet::autoscale(need, flat, 3, 4, 0);
  CHECK(stepped[0] == 3);
  CHECK(stepped[12] == 11);
  // Across midnight.
  std::vector<double> late(24, 1.0);
  late[0] = 5;
  CHECK(fleet::autoscale(late, flat, 1, 1, 0.5)[23] == 5);
}

TEST_CASE("fleet: redundancy in replicas or as a fraction", "[fleet]") {
  CHECK(fleet::spare_replicas(0, 10) == 0);
  CHECK(fleet::spare_replicas(1, 10) == 1);
  CHECK(fleet::spare_replicas(2, 10) == 2);
  CHECK(fleet::spare_replicas(0.2, 10) == 2);
  CHECK(fleet::spare_replicas(0.25, 10) == 3);
}

TEST_CASE("fleet: an idle replica draws idle chips and part of its host", "[fleet]") {
  FleetPool p = pool();
  p.setup.chips = 4;
  p.idle_w = 70;
  p.factors.host_w = 200;
  p.host_idle_fraction = 0.5;
  CHECK(fleet::idle_replica_w(p) == Approx(4 * (70 + 100)));
  // The host does not fall to zero.
  p.idle_w = 0;
  CHECK(fleet::idle_replica_w(p) > 0);
}

TEST_CASE("fleet: the KV cache moves at the slower side's bandwidth over the chips that send", "[fleet]") {
  CHECK(fleet::kv_transfer_s(50e9, 50, 1, 100, 1) == Approx(1.0));
  CHECK(fleet::kv_transfer_s(50e9, 50, 4, 100, 8) == Approx(0.25));
  CHECK(fleet::kv_transfer_s(1e9, 0, 1, 100, 1) == 0.0);
}

TEST_CASE("fleet: load profiles", "[fleet]") {
  const LoadProfile d = *builtin_load_profile("diurnal", 0.4, 14, 8, 18, 0.1);
  CHECK(d.mean() == Approx(1.0));
  CHECK(*std::max_element(d.weight.begin(), d.weight.end()) == Approx(1.4).epsilon(0.01));
  const LoadProfile b = *builtin_load_profile("business-hours", 0.4, 14, 8, 18, 0.1);
  CHECK(b.mean() == Approx(1.0));
  CHECK(b.weight[3] == Approx(0.1 * b.weight[12]));
  CHECK_FALSE(builtin_load_profile("weekly", 0.4, 14, 8, 18, 0.1));
  const LoadProfile f = parse_load_profile("hour,rate\n0,10\n6,20\n12,30\n18,20\n", "p.csv");
  CHECK(f.weight.size() == 4);
  CHECK(f.hours(3) == 6);
  CHECK(f.mean() == Approx(20));
  CHECK_THROWS_WITH(parse_load_profile("hour,rate\n0,10\n6,20\n18,30\n", "p.csv"), Contains("p.csv:4: gap"));
  CHECK_THROWS_WITH(parse_load_profile("hour,rate\n0,10\n0,20\n", "p.csv"), Contains("p.csv:3: duplicate"));
  CHECK_THROWS_WITH(parse_load_profile("hour,rate\n0,10\n12,20\n6,30\n", "p.csv"),
                    Contains("p.csv:4: hours not sorted"));
  CHECK_THROWS_WITH(parse_load_profile("hour,rate\n0,-1\n", "p.csv"),
                    Contains("p.csv:2: rate must not be negative"));
  CHECK_THROWS_WITH(parse_load_profile("hour,rate\n1,5\n", "p.csv"), Contains("must start at hour 0"));
  CHECK_THROWS_WITH(parse_load_profile("when,rate\n0,5\n", "p.csv"), Contains("p.csv:1:"));
  CHECK_THROWS_WITH(parse_load_profile("hour,rate\n0,0\n", "p.csv"), Contains("every rate is zero"));
}

TEST_CASE("fleet: a flat load that fills every replica equals the steady-state estimate", "[fleet]") {
  // The replica's capacity at batch 64, times 5 replicas, as the daily rate.
  const Scenario base = make({{"model", "llama-3.1-70b"},
                              {"hardware", "h100-sxm"},
                              {"batch_size", "64"},
                              {"region", "US"},
                              {"request_rate", "1"}});
  const Resolved r = resolve(base, builtin_catalog());
  const fleet::ReplicaAt at = fleet::replica_at(r.fleet->pools[0], 64);
  const double rate = 5 * 64 / at.service_s;
  Scenario s = base;
  s.request_rate.reset();
  set_field(s, "request_rate", std::to_string(rate), Origin::flag);
  const Estimate e = estimate(s, builtin_catalog());
  REQUIRE(e.inference->fleet);
  const FleetEstimate& f = *e.inference->fleet;
  CHECK(f.chips_peak == 5 * e.inference->chips);
  CHECK(f.utilisation_mean == Approx(1.0));
  CHECK(f.breakdown.idle == Approx(0.0).margin(1e-9));
  CHECK(f.energy_per_request_wh.facility == Approx(e.inference->energy_per_request_wh).epsilon(1e-6));
  CHECK(f.energy_per_request_wh.server * 3600 / e.inference->output_tokens_per_request ==
        Approx(e.inference->server_energy_per_token_j).epsilon(1e-6));
  CHECK(f.energy_kwh == Approx(e.inference->energy_kwh).epsilon(1e-6));
  // Water: on site cools the same IT energy, off site generates the same facility energy.
  CHECK(f.water_l > f.onsite_water_l);
  CHECK(f.onsite_water_l > 0);
  CHECK(f.onsite_water_l == Approx(e.inference->onsite_water_l).epsilon(1e-6));
  CHECK(f.water_l == Approx(e.inference->water_l).epsilon(1e-6));
  CHECK(f.interval.water_l.low < f.water_l);
  CHECK(f.interval.water_l.high > f.water_l);
  // The phase's total is the fleet's day, water included.
  CHECK(e.total.water_l.value == Approx(f.water_l).epsilon(1e-12));
}

TEST_CASE("fleet: idle capacity, autoscaling and disaggregation", "[fleet]") {
  const auto run = [](std::vector<std::pair<std::string_view, std::string_view>> extra) {
    std::vector<std::pair<std::string_view, std::string_view>> f = {
        {"model", "llama-3.1-70b"},  {"hardware", "h100-sxm"}, {"region", "us-east-1"},
        {"requests_per_day", "10M"}, {"max_tpot_ms", "50"},    {"load_profile", "diurnal"}};
    f.insert(f.end(), extra.begin(), extra.end());
    return *estimate(make(f), builtin_catalog()).inference->fleet;
  };
  const FleetEstimate st = run({});
  CHECK(st.tpot_ms <= 50);
  CHECK(st.breakdown.idle > 0);  // a static fleet for the peak waits off-peak
  CHECK(st.energy_per_request_wh.active_accelerator < st.energy_per_request_wh.server);
  CHECK(st.energy_per_request_wh.server < st.energy_per_request_wh.fleet);
  CHECK(st.energy_per_request_wh.fleet < st.energy_per_request_wh.facility);
  const double sum =
      st.breakdown.active_accelerator + st.breakdown.host + st.breakdown.idle + st.breakdown.overhead;
  CHECK(sum == Approx(1.0));
  CHECK(st.interval.energy_kwh.low <= st.energy_kwh);
  CHECK(st.interval.energy_kwh.high >= st.energy_kwh);
  const FleetEstimate au = run({{"provisioning", "autoscale"}});
  CHECK(au.chips_mean < st.chips_mean);
  CHECK(au.energy_per_request_wh.facility < st.energy_per_request_wh.facility);
  const FleetEstimate n1 = run({{"redundancy", "1"}});
  CHECK(n1.chips_peak == st.chips_peak + st.chips_per_replica);
  // TTFT adds replicas when queues would be long.
  const FleetEstimate tt = run({{"max_ttft_ms", "400"}});
  CHECK(tt.ttft_ms <= 400);
  CHECK(tt.chips_peak >= st.chips_peak);
  // Prefill on other chips: the KV cache crosses the network.
  const FleetEstimate pd = run({{"prefill_hardware", "h100-sxm"}, {"decode_hardware", "h200"}});
  CHECK(pd.prefill_hardware == "h100-sxm");
  CHECK(pd.decode_hardware == "h200");
  CHECK(pd.kv_transfer_ms > 0);
}

TEST_CASE("fleet: bad inputs", "[fleet]") {
  const auto fails = [](std::vector<std::pair<std::string_view, std::string_view>> f, const char* what) {
    f.emplace_back("model", "llama-3.1-70b");
    CHECK_THROWS_WITH(estimate(make(f), builtin_catalog()), Contains(what));
  };
  fails({{"requests_per_day", "1M"}, {"max_tpot_ms", "1"}}, "max_tpot_ms: 1 ms cannot be met on h100-sxm");
  fails({{"requests_per_day", "1M"}, {"max_ttft_ms", "1"}}, "max_ttft_ms: 1 ms cannot be met");
  fails({{"requests_per_day", "1M"}, {"request_rate", "3"}}, "give --requests-per-day or --request-rate");
  fails({{"requests_per_day", "1M"}, {"load_profile", "weekly"}}, "load_profile: 'weekly' is not flat");
  fails({{"requests_per_day", "1M"}, {"redundancy", "1.5"}}, "redundancy:");
  fails({{"requests_per_day", "1M"}, {"autoscale_lag_min", "5"}}, "need --provisioning autoscale");
  fails({{"requests_per_day", "1M"}, {"power_watts", "500"}}, "power_watts:");
  fails({{"max_tpot_ms", "50"}}, "a fleet needs --requests-per-day");
  fails({{"requests_per_day", "1M"}, {"decode_hardware", "h900"}}, "h900");
}
