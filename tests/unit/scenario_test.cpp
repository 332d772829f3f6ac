// Unit tests for llm_energy/scenario.hpp: fields, flags and config files.
#include <catch2/catch.hpp>

#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "llm_energy/error.hpp"
#include "llm_energy/scenario.hpp"

using llm_energy::apply_config_json;
using llm_energy::InputError;
using llm_energy::Origin;
using llm_energy::Scenario;
using llm_energy::set_field;

TEST_CASE("set_field parses counts with suffixes and records the origin", "[scenario]") {
  Scenario s;
  set_field(s, "tokens", "70B", Origin::flag);
  REQUIRE(s.tokens.has_value());
  CHECK(s.tokens->value == Approx(7e10));
  CHECK(s.tokens->origin == Origin::flag);
  set_field(s, "params", "7e9", Origin::config);
  REQUIRE(s.params.has_value());
  CHECK(s.params->value == Approx(7e9));
  CHECK(s.params->origin == Origin::config);
  CHECK(llm_energy::has_field(s, "tokens"));
  CHECK(llm_energy::has_field(s, "params"));
  CHECK_FALSE(llm_energy::has_field(s, "chips"));
  CHECK_FALSE(llm_energy::has_field(s, "no_such_key"));
}

TEST_CASE("set_field handles every field kind", "[scenario]") {
  Scenario s;
  set_field(s, "mfu", "0.3:0.5", Origin::flag);
  REQUIRE(s.mfu.has_value());
  CHECK(s.mfu->value.low == Approx(0.3));
  CHECK(s.mfu->value.value == Approx(0.4));
  CHECK(s.mfu->value.high == Approx(0.5));
  set_field(s, "hardware", "a100-sxm4-80gb", Origin::flag);
  REQUIRE(s.hardware.has_value());
  CHECK(s.hardware->value == "a100-sxm4-80gb");
  set_field(s, "recompute", "true", Origin::flag);
  REQUIRE(s.recompute.has_value());
  CHECK(s.recompute->value);
  set_field(s, "recompute", "off", Origin::flag);
  CHECK_FALSE(s.recompute->value);
  set_field(s, "max_energy", "3GWh", Origin::flag);
  REQUIRE(s.max_energy.has_value());
  CHECK(s.max_energy->value == Approx(3e6));
  set_field(s, "max_co2e", "100t", Origin::flag);
  REQUIRE(s.max_co2e.has_value());
  CHECK(s.max_co2e->value == Approx(1e5));
}

TEST_CASE("set_field rejects unknown keys and bad values", "[scenario]") {
  Scenario s;
  REQUIRE_THROWS_AS(set_field(s, "tokns", "1", Origin::flag), InputError);
  REQUIRE_THROWS_WITH(set_field(s, "tokns", "1", Origin::flag),
                      Catch::Contains("did you mean") && Catch::Contains("tokens"));
  REQUIRE_THROWS_WITH(set_field(s, "recompute", "maybe", Origin::flag),
                      Catch::Contains("recompute") && Catch::Contains("true or false"));
  REQUIRE_THROWS_WITH(set_field(s, "hardware", "", Origin::flag), Catch::Contains("empty"));
  REQUIRE_THROWS_WITH(set_field(s, "tokens", "lots", Origin::flag), Catch::Contains("tokens"));
  CHECK_FALSE(s.tokens.has_value());
}

TEST_CASE("scenario_fields lists unique keys that find_field resolves", "[scenario]") {
  const auto fields = llm_energy::scenario_fields();
  REQUIRE_FALSE(fields.empty());
  std::set<std::string> seen;
  for (const auto& f : fields) {
    INFO("field " << f.key);
    CHECK(seen.insert(std::string(f.key)).second);
    const auto* found = llm_energy::find_field(f.key);
    REQUIRE(found != nullptr);
    CHECK(found->key == f.key);
    CHECK_FALSE(f.help.empty());
  }
  for (const char* key : {"tokens", "params", "hardware", "region", "batch_size", "max_energy"}) {
    CHECK(seen.count(key) == 1);
  }
  CHECK(llm_energy::find_field("nope") == nullptr);
}

TEST_CASE("parse_phase", "[scenario]") {
  CHECK(llm_energy::parse_phase("training") == llm_energy::Phase::training);
  CHECK(llm_energy::parse_phase("inference") == llm_energy::Phase::inference);
  CHECK(llm_energy::parse_phase("both") == llm_energy::Phase::both);
  REQUIRE_THROWS_AS(llm_energy::parse_phase("train"), InputError);
  CHECK(llm_energy::to_string(Origin::flag) == "flag");
  CHECK(llm_energy::to_string(Origin::config) == "config");
}

TEST_CASE("apply_config_json reads numbers, strings, booleans and budgets", "[scenario]") {
  Scenario s;
  apply_config_json(
      s, R"({"active_params": 7e9, "tokens": "2T", "recompute": true, "budget": {"max_energy": "500MWh"}})",
      "cfg.json");
  REQUIRE(s.active_params.has_value());
  CHECK(s.active_params->value == Approx(7e9));
  CHECK(s.active_params->origin == Origin::config);
  REQUIRE(s.tokens.has_value());
  CHECK(s.tokens->value == Approx(2e12));
  REQUIRE(s.recompute.has_value());
  CHECK(s.recompute->value);
  REQUIRE(s.max_energy.has_value());
  CHECK(s.max_energy->value == Approx(5e5));
  CHECK(s.max_energy->origin == Origin::config);
}

TEST_CASE("apply_config_json overwrites earlier values and skips documentation keys", "[scenario]") {
  Scenario s;
  set_field(s, "tokens", "1e8", Origin::flag);
  apply_config_json(s, R"({"$schema": "x", "_comment": "hi", "description": "d", "tokens": 5e8,
                           "hardware": "h200", "mfu": "0.3:0.5", "id": 7})",
                    "cfg.json");
  CHECK(s.tokens->value == Approx(5e8));
  CHECK(s.tokens->origin == Origin::config);
  CHECK(s.hardware->value == "h200");
  CHECK(s.mfu->value.value == Approx(0.4));
  REQUIRE(s.id.has_value());
  CHECK(s.id->value == "7");
}

TEST_CASE("apply_config_json rejects wrong types, unknown keys and malformed JSON", "[scenario]") {
  Scenario s;
  SECTION("a boolean where a count is expected") {
    REQUIRE_THROWS_AS(apply_config_json(s, R"({"tokens": true})", "cfg.json"), InputError);
    REQUIRE_THROWS_WITH(
        apply_config_json(s, R"({"tokens": true})", "cfg.json"),
        Catch::Contains("cfg.json") && Catch::Contains("expected") && Catch::Contains("tokens"));
  }
  SECTION("a number where text is expected") {
    REQUIRE_THROWS_WITH(apply_config_json(s, R"({"hardware": 5})", "cfg.json"),
                        Catch::Contains("expected a string"));
  }
  SECTION("an unknown key suggests the nearest") {
    REQUIRE_THROWS_AS(apply_config_json(s, R"({"tokenz": 1})", "cfg.json"), InputError);
    REQUIRE_THROWS_WITH(apply_config_json(s, R"({"tokenz": 1})", "cfg.json"),
                        Catch::Contains("tokenz") && Catch::Contains("'tokens'"));
  }
  SECTION("an unknown budget key") {
    REQUIRE_THROWS_WITH(apply_config_json(s, R"({"budget": {"max_energi": "1MWh"}})", "cfg.json"),
                        Catch::Contains("max_energy"));
  }
  SECTION("budget must be an object") {
    REQUIRE_THROWS_AS(apply_config_json(s, R"({"budget": 5})", "cfg.json"), InputError);
  }
  SECTION("a bad value names the file and key") {
    REQUIRE_THROWS_WITH(apply_config_json(s, R"({"budget": {"max_energy": "5 parsecs"}})", "cfg.json"),
                        Catch::Contains("cfg.json") && Catch::Contains("max_energy"));
  }
  SECTION("the document must be an object") {
    REQUIRE_THROWS_AS(apply_config_json(s, "[1,2]", "cfg.json"), InputError);
    REQUIRE_THROWS_WITH(apply_config_json(s, "[1,2]", "cfg.json"), Catch::Contains("an array"));
  }
  SECTION("malformed JSON gives file:line:column") {
    REQUIRE_THROWS_AS(apply_config_json(s, R"({"tokens": })", "cfg.json"), InputError);
    REQUIRE_THROWS_WITH(apply_config_json(s, R"({"tokens": })", "cfg.json"),
                        Catch::Contains("cfg.json:1:") && Catch::Contains("malformed JSON"));
    REQUIRE_THROWS_WITH(apply_config_json(s, "{\n  \"tokens\": 1,\n  \"params\": \n}", "cfg.json"),
                        Catch::Contains("cfg.json:4:"));
  }
  SECTION("duplicate keys are rejected") {
    REQUIRE_THROWS_WITH(apply_config_json(s, R"({"tokens": 1, "tokens": 2})", "cfg.json"),
                        Catch::Contains("duplicate key"));
  }
}

namespace {

// The scenario's fields as text, for comparing two scenarios (every key, origin included).
std::string describe(const llm_energy::Scenario& s) {
  std::string out;
  auto num = [&](const char* k, const std::optional<llm_energy::Given<double>>& g) {
    if (g) {
      out += std::string(k) + "=" + std::to_string(g->value) + "/" + std::string(to_string(g->origin)) + ";";
    }
  };
  auto range = [&](const char* k, const std::optional<llm_energy::Given<llm_energy::Range>>& g) {
    if (g) {
      out += std::string(k) + "=" + std::to_string(g->value.low) + ":" + std::to_string(g->value.value) +
             ":" + std::to_string(g->value.high) + ";";
    }
  };
  auto text = [&](const char* k, const std::optional<llm_energy::Given<std::string>>& g) {
    if (g) {
      out += std::string(k) + "='" + g->value + "';";
    }
  };
  num("tokens", s.tokens);
  num("input_tokens", s.input_tokens);
  num("experts", s.experts);
  num("kv_bits", s.kv_bits);
  num("params", s.params);
  num("chips", s.chips);
  num("batch_size", s.batch_size);
  num("max_energy", s.max_energy);
  num("max_co2e", s.max_co2e);
  range("mfu", s.mfu);
  range("pue", s.pue);
  text("hardware", s.hardware);
  text("region", s.region);
  text("id", s.id);
  if (s.phase) {
    out += "phase=" + std::string(to_string(s.phase->value)) + ";";
  }
  if (s.precision) {
    out += "precision=" + std::string(to_string(s.precision->value)) + ";";
  }
  if (s.recompute) {
    out += std::string("recompute=") + (s.recompute->value ? "true" : "false") + ";";
  }
  return out;
}

}  // namespace

TEST_CASE("config JSON: the flat-row fast path applies what the full parser applies", "[scenario]") {
  // A "_comment" key is skipped by the full parser but sends a row off the fast path: each
  // row is applied both ways and must give the same scenario, or the same error.
  const std::vector<std::string> bodies = {
      R"("params":7e9,"tokens":1e12,"hardware":"a100-sxm4-80gb","region":"FR","id":"r1")",
      R"( "params" : 70000000000 , "tokens": "2T", "mfu": "0.3:0.5", "pue": 1.1 )",
      R"("params":-0.5e+3,"tokens":1E9)",
      R"("params":7e9,"tokens":1e9,"input_tokens":-0)",
      R"("params":7e9,"tokens":1e9,"input_tokens":0,"experts":0,"kv_bits":8)",
      R"("params":12345678901234567890123,"tokens":1.5e+12)",
      R"("params":"70B","tokens":1e12,"recompute":true,"phase":"training","chips":1024)",
      R"("params":7e9,"tokens":1e12,"max_energy":"500MWh","max_co2e":"100t")",
      R"("params":7e9,"tokens":1e999)",
      R"("params":7e9,"tokens":01)",
      R"("params":7e9,"params":8e9)",
      R"("params":7e9,"tokens":1e12,"region":"caf\u00e9")",
      R"("params":7e9,"tokens":1e12,"hardware":"h100\tsxm")",
      R"("params":7e9,"tokens":1e12,"recompute":1)",
      R"("params":7e9,"tokens":1e12,"id":7)",
      R"("params":7e9,"tokens":1e12,"budget":{"max_energy":"1MWh"})",
      R"("params":7e9,"tokens":1e12,"nope":1)",
      R"("params":true)",
      R"("params":7e9,)",
      R"("params":null)",
      R"("hardware":"")",
      R"("mfu":"0.5:0.3")",
  };
  for (const auto& body : bodies) {
    const std::string fast = "{" + body + "}";
    const std::string slow = "{\"_comment\":\"\"," + body + "}";
    INFO(fast);
    llm_energy::Scenario a;
    llm_energy::Scenario b;
    std::string error_a;
    std::string error_b;
    try {
      llm_energy::apply_config_json(a, fast, "row");
    } catch (const llm_energy::InputError& e) {
      error_a = e.what();
    }
    try {
      llm_energy::apply_config_json(b, slow, "row");
    } catch (const llm_energy::InputError& e) {
      error_b = e.what();
    }
    CHECK((error_a.empty() == error_b.empty()));
    if (error_a.empty()) {
      CHECK(describe(a) == describe(b));
      CHECK_FALSE(describe(a).empty());
    } else {
      // Same message, but for the column of a syntax error (the slow variant is longer).
      const std::regex column(R"(^row:1:[0-9]+:)");
      CHECK(std::regex_replace(error_a, column, "row:") == std::regex_replace(error_b, column, "row:"));
    }
  }
}

TEST_CASE("config JSON: a row using every field applies the same both ways (no field limit)", "[scenario]") {
  // The fast path's seen-set covers every field (it was a 64-bit mask); the row below sets
  // the last fields of the table too.
  const std::string row =
      R"({"params":7e9,"tokens":1e12,"hardware":"h100-sxm","region":"FR","power_cap":0.8,)"
      R"("renewable_share":0.5,"phase":"both","batch_size":32,"kv_bits":8,"sparsity":"dense",)"
      R"("layers":32,"hidden_size":4096,"experts":0,"max_energy":"1GWh","max_co2e":"1kt",)"
      R"("max_chip_hours":1e6,"id":"last"})";
  llm_energy::Scenario fast;
  llm_energy::apply_config_json(fast, row, "row");
  llm_energy::Scenario full;
  // A documentation key sends the row to the full parser.
  llm_energy::apply_config_json(full, R"({"_comment":"full parser",)" + row.substr(1), "row");
  CHECK(describe(fast) == describe(full));
  REQUIRE(fast.max_chip_hours);
  CHECK(fast.max_chip_hours->value == 1e6);
  REQUIRE(fast.sparsity);
  CHECK(fast.sparsity->value == llm_energy::Sparsity::dense);
  REQUIRE(fast.power_cap);
  CHECK(fast.power_cap->value == 0.8);
}

TEST_CASE("whole-number fields are bounded where parsed: no huge double reaches an integer", "[scenario]") {
  for (const char* key : {"layers", "hidden_size", "heads", "kv_heads", "head_dim", "experts",
                          "active_experts", "kv_bits", "chips", "inference_chips", "batch_size"}) {
    INFO(key);
    Scenario s;
    CHECK_THROWS_WITH(set_field(s, key, "1e300", Origin::flag),
                      Catch::StartsWith(std::string(key) + ": '1e300' is too large (at most 2^53 - 1"));
    CHECK_THROWS_AS(set_field(s, key, "-1e300", Origin::flag), InputError);
    CHECK_THROWS_AS(set_field(s, key, "9007199254740992", Origin::flag), InputError);  // 2^53
    CHECK_NOTHROW(set_field(s, key, "9007199254740991", Origin::flag));
    CHECK_NOTHROW(set_field(s, key, "64", Origin::flag));
  }
  // Counts that are not whole-number fields keep their full range (the estimate checks them).
  Scenario s;
  CHECK_NOTHROW(set_field(s, "tokens", "1e300", Origin::flag));
  // The same bound applies to config files and batch rows.
  CHECK_THROWS_WITH(apply_config_json(s, R"({"experts": 1e300})", "c.json"),
                    Catch::Contains("c.json: experts: '1e+300' is too large"));
}
