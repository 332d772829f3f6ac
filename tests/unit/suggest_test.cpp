// Unit tests for llm_energy/suggest.hpp: "did you mean" suggestions.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "llm_energy/suggest.hpp"

using llm_energy::did_you_mean;
using llm_energy::nearest;

namespace {
bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}
}  // namespace

TEST_CASE("nearest finds ids that contain the word", "[suggest]") {
  const std::vector<std::string> ids = {"v100-sxm2-32gb", "a100-sxm4-80gb", "h100-sxm", "h100-pcie",
                                        "b200",           "tpu-v5e",        "gaudi3"};
  const auto near = nearest("h100", ids);
  CHECK(contains(near, "h100-sxm"));
  CHECK(contains(near, "h100-pcie"));
  CHECK_FALSE(contains(near, "gaudi3"));
  CHECK(near.size() <= 3);
}

TEST_CASE("nearest is case-insensitive and respects max", "[suggest]") {
  const std::vector<std::string> keys = {"tokens", "params", "chips"};
  CHECK(contains(nearest("TOKENS", keys), "tokens"));
  const std::vector<std::string> many = {"ab", "ac", "ad", "ae"};
  CHECK(nearest("aa", many, 2).size() == 2);
  CHECK(nearest("aa", many, 10).size() == 4);
}

TEST_CASE("nearest ranks the closest candidate first", "[suggest]") {
  const std::vector<std::string> keys = {"tokens", "token_x", "chips"};
  const auto near = nearest("tokens", keys);
  REQUIRE_FALSE(near.empty());
  CHECK(near.front() == "tokens");
}

TEST_CASE("did_you_mean formats a suggestion or nothing", "[suggest]") {
  const std::string s = did_you_mean("tokns", {"tokens", "params"});
  CHECK_THAT(s, Catch::Contains("did you mean") && Catch::Contains("'tokens'"));
  CHECK_THAT(s, !Catch::Contains("params"));
  CHECK(s == " (did you mean 'tokens'?)");
  CHECK(did_you_mean("zzzzzzzzzz", {"tokens", "params"}).empty());
  CHECK(did_you_mean("tokns", {}).empty());
}

TEST_CASE("nearest finds a candidate that contains the word regardless of case", "[suggest]") {
  const auto near = nearest("H100", {"h100-sxm", "h200", "a10g"});
  REQUIRE_FALSE(near.empty());
  CHECK(near.front() == "h100-sxm");
}
