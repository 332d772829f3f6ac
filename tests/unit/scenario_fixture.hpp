#pragma once
// A scenario from (key, value) pairs, each set as a command-line flag would set it.
#include <string_view>
#include <utility>
#include <vector>

#include "llm_energy/scenario.hpp"

namespace llm_energy::testing {

inline Scenario make(const std::vector<std::pair<std::string_view, std::string_view>>& fields) {
  Scenario s;
  for (const auto& [k, v] : fields) {
    set_field(s, k, v, Origin::flag);
  }
  return s;
}

}  // namespace llm_energy::testing
