// Unit tests for src/render/estimate.hpp and src/render/format_units.hpp: output formats.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <algorithm>
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/figures.hpp"
#include "llm_energy/scenario.hpp"
#include "render/estimate.hpp"
#include "render/format_units.hpp"
#include "render/report.hpp"

using llm_energy::render::Format;

namespace {

llm_energy::Estimate sample_estimate() {
  llm_energy::Scenario s;
  llm_energy::set_field(s, "tokens", "1e8", llm_energy::Origin::flag);
  llm_energy::set_field(s, "params", "1e9", llm_energy::Origin::flag);
  return llm_energy::estimate(s, llm_energy::builtin_catalog());
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::string cur;
  for (char c : text) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) {
    lines.push_back(cur);
  }
  return lines;
}

// Count the fields of one CSV record, honouring quotes.
std::size_t csv_field_count(const std::string& line) {
  std::size_t n = 1;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      ++n;
    }
  }
  return n;
}

}  // namespace

TEST_CASE("render json: parses back with the documented keys", "[render]") {
  const auto e = sample_estimate();
  const std::string text = llm_energy::render::render(e, Format::json, {});
  REQUIRE_FALSE(text.empty());
  CHECK(text.back() == '\n');
  const auto j = nlohmann::json::parse(text);
  CHECK(j.at("schema") == "llm-energy/estimate/1");
  CHECK(j.at("phase") == "both");
  CHECK(j.at("hardware") == "h100-sxm");
  CHECK(j.at("region") == "world");
  REQUIRE(j.contains("training"));
  CHECK(j.at("training").at("flops").get<double>() == Approx(e.training->flops));
  CHECK(j.at("training").at("flops").get<double>() > 6e17);  // 6ND and the attention term
  const auto& iv = j.at("training").at("interval").at("energy_kwh");
  REQUIRE(iv.is_array());
  REQUIRE(iv.size() == 2);
  CHECK(iv[0].get<double>() <= j.at("training").at("energy_kwh").get<double>());
  CHECK(iv[1].get<double>() >= j.at("training").at("energy_kwh").get<double>());
  REQUIRE(j.contains("inference"));
  CHECK(j.at("inference").at("energy_per_token_j").get<double>() > 0);
  CHECK(j.at("inference").at("interval").at("energy_per_token_j").size() == 2);
  CHECK(j.at("assumptions").at("params").at("origin") == "flag");
  CHECK(j.at("assumptions").at("params").at("value").get<double>() == Approx(1e9));
  CHECK(j.at("assumptions").at("hardware").at("value") == "h100-sxm");
  CHECK(j.at("assumptions").at("hardware").at("origin") == "default");
}

TEST_CASE("render json: a training-only estimate has no inference section", "[render]") {
  llm_energy::Scenario s;
  llm_energy::set_field(s, "tokens", "1e8", llm_energy::Origin::flag);
  llm_energy::set_field(s, "params", "1e9", llm_energy::Origin::flag);
  llm_energy::set_field(s, "phase", "training", llm_energy::Origin::flag);
  const auto e = llm_energy::estimate(s, llm_energy::builtin_catalog());
  const auto j = llm_energy::render::to_json(e);
  CHECK(j.contains("training"));
  CHECK_FALSE(j.contains("inference"));
  CHECK(j.at("phase") == "training");
}

TEST_CASE("render csv: one header and one row of equal width", "[render]") {
  const auto e = sample_estimate();
  const std::string text = llm_energy::render::render(e, Format::csv, {});
  const auto lines = split_lines(text);
  REQUIRE(lines.size() == 2);
  CHECK(csv_field_count(lines[0]) == csv_field_count(lines[1]));
  CHECK(csv_field_count(lines[0]) == llm_energy::render::csv_columns().size());
  CHECK(lines[0].find("training.flops") != std::string::npos);
  CHECK(lines[0].find("training.interval.energy_kwh.low") != std::string::npos);
  CHECK(lines[0].find("inference.energy_per_token_j") != std::string::npos);
}

TEST_CASE("csv_escape quotes only when needed", "[render]") {
  CHECK(llm_energy::render::csv_escape("plain") == "plain");
  CHECK(llm_energy::render::csv_escape("a,b") == "\"a,b\"");
  CHECK(llm_energy::render::csv_escape("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(llm_energy::render::csv_escape("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("render table and markdown mention the hardware and sections", "[render]") {
  const auto e = sample_estimate();
  const std::string table = llm_energy::render::render(e, Format::table, {});
  CHECK_THAT(table, Catch::Contains("h100-sxm") && Catch::Contains("Training") &&
                        Catch::Contains("Inference") && Catch::Contains("Assumptions"));
  CHECK(table.find('\x1b') == std::string::npos);  // no colour codes when color is off
  const std::string colored = llm_energy::render::render(e, Format::table, {true});
  CHECK(colored.find('\x1b') != std::string::npos);
  const std::string md = llm_energy::render::render(e, Format::markdown, {});
  CHECK_THAT(md, Catch::Contains("| Training | value |") && Catch::Contains("h100-sxm"));
}

TEST_CASE("parse_format", "[render]") {
  CHECK(llm_energy::render::parse_format("json") == Format::json);
  CHECK(llm_energy::render::parse_format("csv") == Format::csv);
  CHECK(llm_energy::render::parse_format("table") == Format::table);
  CHECK(llm_energy::render::parse_format("md") == Format::markdown);
  CHECK(llm_energy::render::parse_format("markdown") == Format::markdown);
  REQUIRE_THROWS_AS(llm_energy::render::parse_format("xml"), llm_energy::InputError);
}

TEST_CASE("round6 keeps 6 significant digits", "[render]") {
  using llm_energy::render::round6;
  CHECK(round6(1287.4399999) == Approx(1287.44).margin(1e-9));
  CHECK(round6(1287.4399999) == 1287.44);
  CHECK(round6(0.123456789) == 0.123457);
  CHECK(round6(6e17) == 6e17);
  CHECK(round6(-2.0000004) == -2.0);
  CHECK(round6(0.0) == 0.0);
}

TEST_CASE("format_units: human-readable energies, masses and durations", "[render]") {
  using namespace llm_energy::render;
  CHECK(human_energy_kwh(1287000.0) == "1.29 GWh");
  CHECK(human_energy_kwh(0.5) == "500 Wh");
  CHECK(human_energy_kwh(812.0) == "812 kWh");
  CHECK(human_energy_kwh(1290.0) == "1.29 MWh");
  CHECK(human_mass_kg(552100.0) == "552 t");
  CHECK(human_mass_kg(12.3) == "12.3 kg");
  CHECK(human_mass_kg(0.41) == "410 g");
  CHECK(sig3(412.0) == "412");
  CHECK(sig3(1.29) == "1.29");
  CHECK(sig3(0.07) == "0.0700");
  CHECK(sig3(0.0) == "0");
  CHECK(sig3(6e17) == "6.00e+17");
  CHECK(human_hours(3.2) == "3.20 hours");
  CHECK(human_hours(45.0 / 3600.0) == "45 s");  // whole numbers print without decimals
  CHECK(human_hours(24.0 * 14.8) == "14.8 days");
  CHECK(human_count(3.55e6) == "3.55 M");
  CHECK(human_count(412.0) == "412");
  CHECK(energy_with_range(1287000.0, 1287000.0, 1287000.0) == "1.29 GWh");
  CHECK(energy_with_range(1290.0, 800.0, 1500.0) == "1.29 MWh (0.800\u20131.50)");
  CHECK(mass_with_range(552100.0, 400000.0, 700000.0) == "552 t (400\u2013700)");
  CHECK(count_with_range(3.55e6, 3.55e6, 3.55e6) == "3.55 M");
}

TEST_CASE("every registry figure appears in every format", "[render][figures]") {
  using namespace llm_energy;
  Scenario s;
  set_field(s, "tokens", "1e8", Origin::flag);
  set_field(s, "params", "1e9", Origin::flag);
  set_field(s, "renewable_share", "0.5", Origin::flag);  // the optional market-based figures too
  const Estimate e = estimate(s, builtin_catalog());
  const auto j = render::to_json(e);
  const std::string table = render::render(e, Format::table, {});
  const std::string md = render::render(e, Format::markdown, {});
  const std::string html = render::render_html_report(e, "llm-energy estimate");
  const auto& columns = render::csv_columns();
  std::string jsonl;
  render::append_json_members(jsonl, e);
  const auto row = nlohmann::json::parse("{" + jsonl + "}");
  std::size_t checked = 0;
  for (const Figure& f : figures()) {
    if (f.key == "not_estimated") {  // only for a run known by its chip-hours alone (firsthour_test)
      CHECK_FALSE(f.present(e));
      ++checked;
      continue;
    }
    REQUIRE(f.present(e));
    const std::string section(to_string(f.section));
    const std::string key(f.key);
    INFO(section << "." << key);
    if (f.type == FigureType::interval) {
      CHECK(j.at(section).at("interval").contains(key));
      CHECK(row.at(section).at("interval").contains(key));
      CHECK(std::find(columns.begin(), columns.end(), section + ".interval." + key + ".low") !=
            columns.end());
    } else {
      CHECK(j.at(section).contains(key));
      CHECK(row.at(section).contains(key));
      CHECK(std::find(columns.begin(), columns.end(), section + "." + key) != columns.end());
    }
    if (f.show != Show::none) {
      CHECK(table.find(std::string(f.label)) != std::string::npos);
      CHECK(md.find("| " + std::string(f.label) + " |") != std::string::npos);
      CHECK(html.find(">" + std::string(f.label) + "<") != std::string::npos);
    }
    ++checked;
  }
  CHECK(checked == figures().size());
  // And nothing else: the JSON sections hold exactly the registry's keys.
  for (const char* section : {"training", "inference"}) {
    for (auto it = j.at(section).begin(); it != j.at(section).end(); ++it) {
      INFO(section << "." << it.key());
      if (it.key() == "interval") {
        continue;
      }
      const Section sec = std::string(section) == "training" ? Section::training : Section::inference;
      CHECK(
          (find_figure(sec, it.key()) != nullptr || find_figure(sec, it.key(), FigureType::text) != nullptr));
    }
  }
}
