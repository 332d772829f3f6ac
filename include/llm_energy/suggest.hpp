#pragma once
// "Did you mean" suggestions for ids and keys.
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy {

// Return up to `max` candidates closest to `word` (edit distance, case-insensitive).
[[nodiscard]] std::vector<std::string> nearest(std::string_view word,
                                               const std::vector<std::string>& candidates,
                                               std::size_t max = 3);

// Return " (did you mean 'a', 'b'?)" or "" when nothing is close.
[[nodiscard]] std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace llm_energy
