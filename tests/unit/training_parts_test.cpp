// Training energy by part: compute, host, communication (fabric), storage, facility overhead.
#include <catch2/catch.hpp>
#include <string>

#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/model.hpp"
#include "llm_energy/scenario.hpp"

using namespace llm_energy;

namespace {

Estimate train(const std::string& chips, const std::string& extra_key = "", const std::string& extra = "") {
  Scenario s;
  set_field(s, "phase", "training", Origin::flag);
  set_field(s, "model", "llama-3.1-70b", Origin::flag);
  set_field(s, "tokens", "15e12", Origin::flag);
  set_field(s, "chips", chips, Origin::flag);
  if (!extra_key.empty()) {
    set_field(s, extra_key, extra, Origin::flag);
  }
  return estimate(s, builtin_catalog());
}

double parts(const TrainingEstimate& t) {
  return t.accelerator_energy_kwh + t.host_energy_kwh + t.communication_energy_kwh + t.storage_energy_kwh +
         t.overhead_energy_kwh;
}

}  // namespace

TEST_CASE("fat-tree tiers grow with the endpoints a radix reaches", "[parts]") {
  CHECK(model::fat_tree_tiers(8, 64) == 1);
  CHECK(model::fat_tree_tiers(64, 64) == 1);
  CHECK(model::fat_tree_tiers(65, 64) == 2);
  CHECK(model::fat_tree_tiers(2048, 64) == 2);  // 64^2 / 2
  CHECK(model::fat_tree_tiers(2049, 64) == 3);
  CHECK(model::fat_tree_tiers(65536, 64) == 3);  // 64^3 / 4
  CHECK(model::fat_tree_tiers(65537, 64) == 4);
}

TEST_CASE("network power per chip: adapter plus the switch ports on its path", "[parts]") {
  // One 50 GB/s link per chip, 25 W adapter, 20 W ports: 2 tiers -> 3 ports, 3 tiers -> 5.
  CHECK(model::network_power_w(1024, 8, 50e9, 50e9, 25, 20, 64) == Approx(25 + 3 * 20));
  CHECK(model::network_power_w(16384, 8, 50e9, 50e9, 25, 20, 64) == Approx(25 + 5 * 20));
  // Half a link per chip (a 200 Gb/s network on 400 Gb/s ports): half the power, fewer endpoints.
  CHECK(model::network_power_w(4096, 8, 25e9, 50e9, 25, 20, 64) == Approx(0.5 * (25 + 3 * 20)));
  // Inside one scale-up domain there is no scale-out traffic.
  CHECK(model::network_power_w(8, 8, 50e9, 50e9, 25, 20, 64) == 0);
  CHECK(model::network_power_w(256, 256, 50e9, 50e9, 25, 20, 64) == 0);
}

TEST_CASE("checkpoint bytes: the training state once per interval", "[parts]") {
  // 70e9 params x 16 B every hour on 1024 chips: 1.12 TB per wall-clock hour = per 1024 chip-hours.
  CHECK(model::checkpoint_bytes_per_chip_hour(70e9, 16, 1024, 1) == Approx(70e9 * 16 / 1024));
  CHECK(model::checkpoint_bytes_per_chip_hour(70e9, 16, 1024, 2) == Approx(70e9 * 16 / 2048));
}

TEST_CASE("the parts add up to the facility total, ranges included", "[parts]") {
  for (const char* chips : {"64", "1024", "16384"}) {
    INFO(chips << " chips");
    const Estimate e = train(chips);
    const TrainingEstimate& t = *e.training;
    CHECK(parts(t) == Approx(t.energy_kwh).epsilon(1e-9));
    // The servers' meter reads the accelerators, the host and the adapters inside the servers.
    CHECK(t.server_energy_kwh >= t.accelerator_energy_kwh + t.host_energy_kwh);
    CHECK(t.server_energy_kwh <= t.accelerator_energy_kwh + t.host_energy_kwh + t.communication_energy_kwh);
    CHECK(t.storage_energy_kwh > 0);
    CHECK(t.overhead_energy_kwh > 0);
    for (const Interval& i : {t.interval.accelerator_energy_kwh, t.interval.host_energy_kwh,
                              t.interval.storage_energy_kwh, t.interval.overhead_energy_kwh}) {
      CHECK(i.low < i.high);
    }
  }
}

TEST_CASE("communication: zero in one server, a switch tier more as the run grows", "[parts]") {
  // 70B needs 64 chips to hold its state; one H100 server (8) is refused, 64 chips cross servers.
  const Estimate small = train("64");
  const Estimate big = train("16384");
  CHECK(small.training->communication_energy_kwh > 0);
  const double per_chip_hour_small = small.training->communication_energy_kwh / small.training->chip_hours;
  const double per_chip_hour_big = big.training->communication_energy_kwh / big.training->chip_hours;
  CHECK(per_chip_hour_big > per_chip_hour_small);  // 3 tiers (5 ports) against 2 (3 ports)
  CHECK(per_chip_hour_big * 1000 == Approx(25 + 5 * 20));
  // --power-watts is the whole per-chip figure: no separate network share.
  const Estimate given = train("16384", "power_watts", "900");
  CHECK(given.training->communication_energy_kwh == 0);
}

TEST_CASE("the adapters move from the host share to communication: only switch ports are new", "[parts]") {
  const Estimate e = train("16384");
  const TrainingEstimate& t = *e.training;
  const double hours = t.chip_hours;
  const Hardware& hw = builtin_catalog().find_hardware("h100-sxm");
  // Host share less one 25 W adapter per chip; communication = adapter + 5 switch ports.
  CHECK(t.host_energy_kwh == Approx(hours * (hw.host_power_w.value - 25) / 1000));
  const double before_it = hours * (0.75 * hw.tdp_w.value + hw.host_power_w.value) / 1000;
  const double it = t.accelerator_energy_kwh + t.host_energy_kwh + t.communication_energy_kwh;
  CHECK(it - before_it == Approx(hours * 5 * 20 / 1000.0));
}
