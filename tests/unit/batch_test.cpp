// The batch runner in-process: row count and order with bad rows mixed in, formats, sweeps.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "batch/engine.hpp"
#include "batch/sweep.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"

using namespace llm_energy;
using namespace llm_energy::batch;

namespace {

QuietStatus quiet;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("batch keeps every row, in order, with bad rows mixed in", "[batch]") {
  std::string input;
  const int n = 1000;
  for (int i = 1; i <= n; ++i) {
    if (i % 7 == 0) {
      input += (i % 14 == 0) ? "{\"params\": 1e9, \"tokens\": \n" : "{\"params\": 1e9, \"tokenz\": 1e8}\n";
    } else {
      input += "{\"id\": \"r" + std::to_string(i) + "\", \"params\": 1e9, \"tokens\": " + std::to_string(i) +
               "e6}\n";
    }
    if (i % 100 == 0) {
      input += "\n";  // blank lines are skipped and are not rows
    }
  }
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == static_cast<std::size_t>(n));
  CHECK(r.failed == static_cast<std::size_t>(n / 7));
  CHECK(r.exit_code() == 2);
  CHECK(err.str().empty());  // no progress unless asked for

  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == static_cast<std::size_t>(n));
  std::size_t prev_line = 0;
  for (int i = 1; i <= n; ++i) {
    const auto j = nlohmann::json::parse(rows[static_cast<std::size_t>(i - 1)]);
    const auto line = j.at("line").get<std::size_t>();
    CHECK(line > prev_line);
    prev_line = line;
    if (i % 7 == 0) {
      REQUIRE(j.contains("error"));
      CHECK(j.at("error").get<std::string>().rfind("line " + std::to_string(line) + ": ", 0) == 0);
      CHECK(j.at("id").get<std::size_t>() == line);
    } else {
      CHECK(j.at("id").get<std::string>() == "r" + std::to_string(i));
      CHECK(j.contains("training"));
      CHECK_FALSE(j.contains("assumptions"));
    }
  }
}

TEST_CASE("batch fail-fast stops at the first bad row and still writes it", "[batch]") {
  std::istringstream in(
      "{\"params\":1e9,\"tokens\":1e8}\n{\"params\":-1,\"tokens\":1e8}\n{\"params\":1e9,\"tokens\":1e8}\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.fail_fast = true;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 2);
  CHECK(r.exit_code() == 2);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].find("\"error\":\"line 2: params") != std::string::npos);
}

TEST_CASE("batch CSV: header, physical line numbers, wrong field counts, flags under rows", "[batch]") {
  std::istringstream in(
      "id,params,tokens,region\n"
      "a,1e9,1e8,\n"
      "\n"
      "b,7e9\n"
      "\"c,1\",7e9,1e11,FR\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::csv;
  set_field(o.base, "region", "US", Origin::flag);
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 3);
  CHECK(r.failed == 1);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].rfind("id,line,error,budget.within,version,", 0) == 0);
  CHECK(rows[1].rfind("a,2,,,", 0) == 0);
  CHECK(rows[1].find(",US,") != std::string::npos);  // the flag applies where the row is empty
  CHECK(rows[2].rfind("b,4,\"line 4: expected 4 fields", 0) == 0);
  CHECK(rows[3].rfind("\"c,1\",5,,,", 0) == 0);
  CHECK(rows[3].find(",FR,") != std::string::npos);  // the row wins over the flag
}

TEST_CASE("batch JSON array output is one array", "[batch]") {
  std::istringstream in("[{\"params\":1e9,\"tokens\":1e8}, 3, {\"params\":2e9,\"tokens\":1e8}]");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::json;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 3);
  CHECK(r.failed == 1);
  const auto doc = nlohmann::json::parse(out.str());
  REQUIRE(doc.size() == 3);
  CHECK(doc[1].contains("error"));
  CHECK(doc[2]["line"] == 3);
}

TEST_CASE("batch budgets: within flags per row, exit 1 when over", "[batch]") {
  std::istringstream in(
      "{\"id\":\"s\",\"params\":1e9,\"tokens\":1e8}\n{\"id\":\"l\",\"params\":70e9,\"tokens\":2e12}\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  set_field(o.base, "max_energy", "100MWh", Origin::flag);
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.exit_code() == 1);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 2);
  CHECK(nlohmann::json::parse(rows[0])["budget"]["within"] == true);
  CHECK(nlohmann::json::parse(rows[1])["budget"]["within"] == false);
}

TEST_CASE("sweep values: lists, geometric and arithmetic ranges, pass-through", "[sweep]") {
  CHECK(expand_sweep_value("tokens", "1e11:1e13:x10") ==
        std::vector<std::string>{"100000000000", "1000000000000", "10000000000000"});
  CHECK(expand_sweep_value("params", "1e9,7e9").size() == 2);
  CHECK(expand_sweep_value("mfu", "0.3:0.6:+0.1").size() == 4);  // stop included within tolerance
  CHECK(expand_sweep_value("chips", "8:64:x2,100").size() == 5);
  CHECK_FALSE(is_sweep_value("0.35:0.45"));
  CHECK_FALSE(is_sweep_value("0.3:0.4:0.5"));
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e11:1e10:x10"), InputError);
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e11:1e13:x1"), InputError);
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e11:1e13:+0"), InputError);
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e9,abc"), InputError);
  CHECK_THROWS_AS(
      sweep_size({{"a", std::vector<std::string>(5000, "1")}, {"b", std::vector<std::string>(5000, "1")}}),
      InputError);
}

TEST_CASE("sweep writes the cartesian product", "[sweep]") {
  SweepOptions o;
  o.axes = {{"params", expand_sweep_value("params", "1e9,7e9")},
            {"tokens", expand_sweep_value("tokens", "1e11:1e13:x10")},
            {"hardware", expand_sweep_value("hardware", "a100-sxm4-80gb,h100-sxm")}};
  std::ostringstream out;
  std::ostringstream err;
  const BatchResult r = run_sweep(out, quiet, o, builtin_catalog());
  CHECK(r.rows == 12);
  CHECK(r.exit_code() == 0);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 13);
  CHECK(rows[0].rfind("params,tokens,hardware,id,line,error,", 0) == 0);
  CHECK(rows[1].rfind("1e9,100000000000,a100-sxm4-80gb,1,1,,", 0) == 0);
  CHECK(rows[12].rfind("7e9,10000000000000,h100-sxm,12,12,,", 0) == 0);
}

TEST_CASE("batch: a line holding only the byte-order mark, then rows (found by fuzz_batch)", "[batch]") {
  std::istringstream in("\xEF\xBB\xBF\n{\"params\":1e9,\"tokens\":1e9}\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::jsonl;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 1);
  CHECK(r.failed == 0);
  CHECK(out.str().find("\"line\":2") != std::string::npos);
}

TEST_CASE("batch: an id that is not UTF-8 reaches JSON output replaced, not thrown (fuzz_batch)", "[batch]") {
  std::istringstream in("id,params,tokens\n\xE4x,1e9,nope\n\xE4y,1e9,1e9\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::jsonl;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 2);
  CHECK(r.failed == 1);
  const std::string text = out.str();
  CHECK(text.find("\"id\":\"\xEF\xBF\xBDx\"") != std::string::npos);  // U+FFFD for the bad byte
  CHECK(text.find("\"id\":\"\xEF\xBF\xBDy\"") != std::string::npos);
}
