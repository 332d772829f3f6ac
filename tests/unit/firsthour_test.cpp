// A new user's first hour (issue 16): totals and budgets across phases, the chip-hours path,
// defaulted chips, water, facility classes.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "batch/engine.hpp"
#include "llm_energy/budget.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/figures.hpp"
#include "llm_energy/scenario.hpp"
#include "render/estimate.hpp"
#include "render/model_card.hpp"

#include "scenario_fixture.hpp"

using namespace llm_energy;

namespace {

using llm_energy::testing::make;

const Assumption* find(const Estimate& e, std::string_view key) {
  for (const auto& a : e.assumptions) {
    if (a.key == key) {
      return &a;
    }
  }
  return nullptr;
}

std::string text_of(const Estimate& e, Section s, std::string_view key) {
  const Figure* f = find_figure(s, key);
  REQUIRE(f != nullptr);
  return render::row_text(*f, e);
}

}  // namespace

TEST_CASE("both phases: a total in JSON, table and Markdown, by the Spread rule", "[firsthour]") {
  const Estimate e = estimate(make({{"params", "7B"}, {"tokens", "2T"}}), builtin_catalog());
  REQUIRE(e.training);
  REQUIRE(e.inference);
  CHECK(e.total.energy_kwh.value == Approx(e.training->energy_kwh + e.inference->energy_kwh));
  CHECK(e.total.water_l.value == Approx(e.training->water_l + e.inference->water_l));
  const auto j = render::to_json(e);
  REQUIRE(j.contains("total"));
  CHECK(j["total"]["energy_kwh"].get<double>() == Approx(e.total.energy_kwh.value).epsilon(1e-5));
  CHECK(j["total"]["co2e_kg"].get<double>() == Approx(e.total.co2e_kg.value).epsilon(1e-5));
  CHECK(j["total"]["water_l"].get<double>() == Approx(e.total.water_l.value).epsilon(1e-5));
  const Interval i = e.total.energy_kwh.interval();
  CHECK(j["total"]["interval"]["energy_kwh"][0].get<double>() == Approx(i.low).epsilon(1e-5));
  CHECK(j["total"]["interval"]["energy_kwh"][1].get<double>() == Approx(i.high).epsilon(1e-5));
  // The combined upper bound is below the sum of the phases' (shared inputs move as one, the
  // others partly cancel), and above the larger phase's.
  CHECK(i.high < e.training->interval.energy_kwh.high + e.inference->interval.energy_kwh.high);
  CHECK(render::render(e, render::Format::table, {}).find("Total (training + inference)") !=
        std::string::npos);
  CHECK(render::render(e, render::Format::markdown, {}).find("| Total (training + inference) | value |") !=
        std::string::npos);

  const Estimate one =
      estimate(make({{"params", "7B"}, {"tokens", "2T"}, {"phase", "training"}}), builtin_catalog());
  CHECK_FALSE(render::to_json(one).contains("total"));
  CHECK(render::render(one, render::Format::table, {}).find("Total") == std::string::npos);
}

TEST_CASE("budget messages name the phases; JSON and Markdown carry the verdict", "[firsthour]") {
  const Estimate e = estimate(make({{"params", "7B"}, {"tokens", "2T"}}), builtin_catalog());
  Budget b;
  b.energy_kwh = 100e3;
  const BudgetVerdict v = check_budgets(b, e, {});
  REQUIRE(v.over);
  const auto msgs = render::budget_messages(v);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].find("(training + inference) exceeds 100 MWh") != std::string::npos);
  const auto j = nlohmann::json::parse(render::render(e, render::Format::json, {}, &v));
  CHECK(j["budget"]["within"] == false);
  CHECK(j["budget"]["messages"][0] == msgs[0]);
  const std::string md = render::render(e, render::Format::markdown, {}, &v);
  CHECK(md.find("**Budget:** over budget (training + inference)") != std::string::npos);
  // No budget, no object.
  const BudgetVerdict none = check_budgets(Budget{}, e, {});
  CHECK_FALSE(nlohmann::json::parse(render::render(e, render::Format::json, {}, &none)).contains("budget"));

  const Estimate t =
      estimate(make({{"params", "7B"}, {"tokens", "2T"}, {"phase", "training"}}), builtin_catalog());
  BudgetPolicy high;
  high.on = BudgetOn::high;
  const auto tm = render::budget_messages(check_budgets(b, t, high));
  REQUIRE(tm.size() == 1);
  CHECK(tm[0].find("(training, top of range)") != std::string::npos);
}

TEST_CASE("batch: a command-line budget is a cap a row may tighten, not loosen", "[firsthour][batch]") {
  batch::QuietStatus quiet;
  batch::BatchOptions o;
  o.base = make({{"max_energy", "50MWh"}, {"phase", "training"}});
  o.budget.cap = budget_of(o.base);
  // 7B x 2T: about 60 MWh; 100M x 1B: well under 1 MWh.
  std::istringstream in(
      "{\"id\": \"loose\", \"params\": 7e9, \"tokens\": 2e12, \"max_energy\": \"500MWh\"}\n"
      "{\"id\": \"none\", \"params\": 7e9, \"tokens\": 2e12}\n"
      "{\"id\": \"small\", \"params\": 1e8, \"tokens\": 1e9, \"max_energy\": \"1MWh\"}\n"
      "{\"id\": \"tight\", \"params\": 1e8, \"tokens\": 1e9, \"max_energy\": \"10Wh\"}\n");
  std::ostringstream out;
  const batch::BatchResult r = batch::run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 4);
  CHECK(r.over_budget == 3);  // loose (50 MWh applies), none, tight
  std::istringstream rows(out.str());
  std::string line;
  std::vector<bool> within;
  while (std::getline(rows, line)) {
    within.push_back(nlohmann::json::parse(line)["budget"]["within"].get<bool>());
  }
  CHECK(within == std::vector<bool>{false, false, true, false});
  CHECK(tighter(Budget{50e3, {}, {}, {}}, Budget{500e3, 1.0, {}, {}}).energy_kwh == 50e3);
  CHECK(tighter(Budget{50e3, {}, {}, {}}, Budget{500e3, 1.0, {}, {}}).co2e_kg == 1.0);
}

TEST_CASE("chip-hours alone: a training footprint without params or tokens", "[firsthour]") {
  const Catalog& cat = builtin_catalog();
  const Estimate e =
      estimate(make({{"chip_hours", "200k"}, {"hardware", "a100-sxm4-80gb"}, {"region", "us-east-1"}}), cat);
  REQUIRE(e.training);
  CHECK_FALSE(e.inference);
  const Hardware& hw = cat.find_hardware("a100-sxm4-80gb");
  const Operator& aws = cat.find_operator("aws");
  const double server_kwh =
      200e3 * (hw.tdp_w.value * hw.avg_power_fraction.value + hw.host_power_w.value) / 1e3;
  CHECK(e.training->server_energy_kwh == Approx(server_kwh));
  CHECK(e.training->energy_kwh == Approx(server_kwh * aws.pue.value));
  CHECK(e.training->co2e_kg > 0);
  const Region& us = cat.find_region("us-east-1");
  const Region& country = cat.find_region("US");
  REQUIRE(country.water_intensity);
  REQUIRE(us.water_intensity);  // a cloud region takes its country's
  CHECK(e.training->water_l == Approx(server_kwh * aws.wue_l_per_kwh.value +
                                      e.training->energy_kwh * country.water_intensity->value));
  // No FLOPs, utilisation, wall-clock or per-token figures; the output says why.
  CHECK_FALSE(find_figure(Section::training, "flops")->present(e));
  CHECK_FALSE(find_figure(Section::training, "energy_per_token_j")->present(e));
  CHECK_FALSE(find_figure(Section::training, "wall_clock_hours")->present(e));
  const Figure* why = find_figure(Section::training, "not_estimated", FigureType::text);
  REQUIRE(why != nullptr);
  CHECK(why->present(e));
  CHECK(std::string(why->text(e)).find("--params and --tokens") != std::string::npos);
  const auto j = render::to_json(e);
  CHECK_FALSE(j["training"].contains("flops"));
  CHECK(j["training"].contains("water_l"));
  // With chips, the wall-clock comes back.
  const Estimate c = estimate(
      make({{"chip_hours", "200k"}, {"chips", "1024"}, {"hardware", "a100-sxm4-80gb"}, {"region", "FR"}}),
      cat);
  CHECK(c.training->wall_clock_hours == Approx(200e3 / 1024));
  CHECK_THROWS_WITH(
      estimate(make({{"chip_hours", "200k"}, {"phase", "inference"}}), cat),
      Catch::Contains("--chip-hours without --params and --tokens estimates a training run only"));
  // Not a shortcut when the model is known: params without tokens still needs tokens.
  CHECK_THROWS_AS(estimate(make({{"chip_hours", "200k"}, {"params", "7B"}}), cat), InputError);
}

TEST_CASE("defaulted chips: the wall-clock says so; the model card names no count", "[firsthour]") {
  const Catalog& cat = builtin_catalog();
  const Estimate d = estimate(make({{"params", "7B"}, {"tokens", "2T"}, {"phase", "training"}}), cat);
  CHECK(text_of(d, Section::training, "wall_clock_hours").find("chips defaulted: fewest power of two in") !=
        std::string::npos);
  const std::string card = render::render_model_card(d, cat);
  CHECK(card.find("hardware_used: \"NVIDIA H100 SXM") != std::string::npos);
  CHECK(card.find(" x ") == std::string::npos);
  const Estimate g =
      estimate(make({{"params", "7B"}, {"tokens", "2T"}, {"phase", "training"}, {"chips", "256"}}), cat);
  CHECK(text_of(g, Section::training, "wall_clock_hours").find("defaulted") == std::string::npos);
  CHECK(render::render_model_card(g, cat).find("hardware_used: \"256 x ") != std::string::npos);
}

TEST_CASE("water: on-site WUE x IT energy plus the electricity's water, per phase, with ranges",
          "[firsthour]") {
  const Catalog& cat = builtin_catalog();
  const Estimate e = estimate(make({{"params", "1B"}, {"tokens", "100B"}, {"region", "FR"}}), cat);
  const Operator& colo = cat.find_operator("colocation");
  const Region& fr = cat.find_region("FR");
  REQUIRE(fr.water_intensity);
  // Training: every IT part is cooled (accelerators, host, network, storage), not only the servers.
  const auto& t = *e.training;
  const double it_kwh =
      t.accelerator_energy_kwh + t.host_energy_kwh + t.communication_energy_kwh + t.storage_energy_kwh;
  CHECK(t.onsite_water_l == Approx(it_kwh * colo.wue_l_per_kwh.value));
  CHECK(e.training->water_l ==
        Approx(e.training->onsite_water_l + e.training->energy_kwh * fr.water_intensity->value));
  CHECK(e.inference->onsite_water_l == Approx(e.inference->server_energy_kwh * colo.wue_l_per_kwh.value));
  CHECK(e.inference->water_l ==
        Approx(e.inference->onsite_water_l + e.inference->energy_kwh * fr.water_intensity->value));
  CHECK(e.training->interval.water_l.low < e.training->water_l);
  CHECK(e.training->interval.water_l.high > e.training->water_l);
  const auto j = render::to_json(e);
  CHECK(j["training"]["interval"].contains("water_l"));
  CHECK(j["inference"]["interval"].contains("water_l"));
  CHECK(render::render_model_card(e, cat).find("# water (llm-energy):") != std::string::npos);

  // A region without a sourced water intensity: on-site only, and the assumptions say so.
  const Region& ao = cat.find_region("AO");
  REQUIRE_FALSE(ao.water_intensity);
  const Estimate a = estimate(make({{"params", "1B"}, {"tokens", "100B"}, {"region", "AO"}}), cat);
  CHECK(a.training->water_l == Approx(a.training->onsite_water_l));
  const Assumption* w = find(a, "water_intensity");
  REQUIRE(w != nullptr);
  CHECK(render::source_text(*w).find("on-site water only") != std::string::npos);
}

TEST_CASE("facility class: sourced PUE per class, shown in the assumptions", "[firsthour]") {
  const Catalog& cat = builtin_catalog();
  auto pue_of = [&](const Scenario& s) { return estimate(s, cat).total.energy_kwh.value; };
  const Scenario fr = make({{"params", "1B"}, {"tokens", "100B"}, {"region", "FR"}, {"phase", "training"}});
  const Estimate def = estimate(fr, cat);
  const Assumption* f = find(def, "facility");
  REQUIRE(f != nullptr);
  CHECK(f->text == "colocation");
  CHECK(f->origin == OriginKind::default_value);
  CHECK(find(def, "pue")->value.value == Approx(cat.find_operator("colocation").pue.value));
  // The default class's range includes the Uptime 2024 average (1.56) it is compared with.
  CHECK(find(def, "pue")->value.high >= 1.56);

  Scenario ent = fr;
  set_field(ent, "facility", "enterprise", Origin::flag);
  const Estimate e = estimate(ent, cat);
  CHECK(find(e, "facility")->text == "enterprise");
  CHECK(find(e, "pue")->value.value == Approx(1.63));
  CHECK(pue_of(ent) / pue_of(fr) == Approx(1.63 / cat.find_operator("colocation").pue.value));

  // A cloud region keeps its operator's PUE unless a class is given.
  const Estimate aws = estimate(
      make({{"params", "1B"}, {"tokens", "100B"}, {"region", "us-east-1"}, {"phase", "training"}}), cat);
  CHECK(find(aws, "facility")->text == "aws");
  CHECK(find(aws, "facility")->origin == OriginKind::catalog);
  CHECK(find(aws, "pue")->value.value == Approx(cat.find_operator("aws").pue.value));
  const Estimate hyper = estimate(
      make({{"params", "1B"}, {"tokens", "100B"}, {"region", "us-east-1"}, {"facility", "hyperscale"}}), cat);
  CHECK(find(hyper, "pue")->value.value == Approx(cat.find_operator("hyperscale").pue.value));
  CHECK_THROWS_AS(set_field(ent, "facility", "garage", Origin::flag), InputError);
}
