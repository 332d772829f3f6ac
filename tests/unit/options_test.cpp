// Unit tests for src/cli/options.*: the scenario flags are declared once for every command, each
// boolean field with its own storage, and parsed into the scenario by the core's parsers.
#include <catch2/catch.hpp>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "llm_energy/scenario.hpp"

using namespace llm_energy;

namespace {

std::vector<std::pair<std::string, std::string>> given_after(std::vector<std::string> args) {
  CLI::App app;
  cli::ScenarioOptions s;
  s.add(app, cli::ScenarioOptions::Budgets::include);
  std::reverse(args.begin(), args.end());  // CLI11 parses a reversed vector
  app.parse(args);
  return s.given();
}

}  // namespace

TEST_CASE("options: each boolean field is its own flag", "[options]") {
  std::vector<std::string> booleans;
  for (const auto& f : scenario_fields()) {
    if (f.kind == FieldKind::boolean) {
      booleans.emplace_back(f.key);
    }
  }
  REQUIRE_FALSE(booleans.empty());
  for (const auto& key : booleans) {
    INFO(key);
    // Only the flag given comes out, whatever other boolean fields exist.
    const auto given = given_after({cli::flag_name(key)});
    REQUIRE(given.size() == 1);
    CHECK(given[0].first == key);
    CHECK(given[0].second == "true");
  }
  CHECK(given_after({}).empty());
}

TEST_CASE("options: the flags given, in field order, with their text", "[options]") {
  const auto given = given_after({"--tokens", "2T", "--params", "7B", "--power-cap", "70%"});
  REQUIRE(given.size() == 3);
  CHECK(given[0] == std::pair<std::string, std::string>{"tokens", "2T"});
  CHECK(given[1] == std::pair<std::string, std::string>{"params", "7B"});
  CHECK(given[2] == std::pair<std::string, std::string>{"power_cap", "70%"});
  CHECK(cli::flag_name("market_based_intensity") == "--market-based-intensity");
}

TEST_CASE("options: TERM=dumb and NO_COLOR turn colour off; a non-UTF-8 locale gets ASCII", "[options]") {
  const char* term = std::getenv("TERM");
  const std::string saved_term = term != nullptr ? term : "";
  ::unsetenv("NO_COLOR");
  ::setenv("TERM", "dumb", 1);
  CHECK(cli::plain_terminal());
  ::setenv("TERM", "xterm-256color", 1);
  CHECK_FALSE(cli::plain_terminal());
  ::setenv("NO_COLOR", "1", 1);
  CHECK(cli::plain_terminal());
  ::unsetenv("LC_CTYPE");
  ::unsetenv("LANG");
  ::setenv("LC_ALL", "C", 1);
  CHECK(cli::ascii_locale());
  CHECK(cli::for_terminal("4 \xc3\x97 H100 \xe2\x80\x93 5 \xc2\xb5s") == "4 x H100 - 5 us");
  ::setenv("LC_ALL", "en_GB.UTF-8", 1);
  CHECK_FALSE(cli::ascii_locale());
  ::unsetenv("LC_ALL");
  ::setenv("LANG", "POSIX", 1);
  CHECK(cli::ascii_locale());
  ::unsetenv("LANG");
  CHECK_FALSE(cli::ascii_locale());  // nothing set: UTF-8
  if (saved_term.empty()) {
    ::unsetenv("TERM");
  } else {
    ::setenv("TERM", saved_term.c_str(), 1);
  }
}
