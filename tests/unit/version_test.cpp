#include <catch2/catch.hpp>
#include <string>

#include "llm_energy/version.hpp"

TEST_CASE("the version header matches the CMake project version", "[version]") {
  REQUIRE(std::string(llm_energy::k_version) == LLM_ENERGY_PROJECT_VERSION);
}
