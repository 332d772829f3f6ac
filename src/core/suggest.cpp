#include "llm_energy/suggest.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace llm_energy {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) {
    prev[j] = j;
  }
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0U : 1U)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string folded(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

}  // namespace

std::vector<std::string> nearest(std::string_view word, const std::vector<std::string>& candidates,
                                 std::size_t max) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  const std::string_view w = word.substr(0, 64);
  const std::string wf = folded(w);
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(w, c);
    // A candidate that contains the word (or the reverse), regardless of case, is a strong hint.
    const std::string cf = folded(c);
    if (!w.empty() && (cf.find(wf) != std::string::npos || wf.find(cf) != std::string::npos)) {
      d = std::min<std::size_t>(d, 1);
    }
    const std::size_t limit = std::max<std::size_t>(2, std::min(w.size(), c.size()) / 2);
    if (d <= limit) {
      scored.emplace_back(d, c);
    }
  }
  std::sort(scored.begin(), scored.end());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < scored.size() && i < max; ++i) {
    out.push_back(scored[i].second);
  }
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  const auto near = nearest(word, candidates);
  if (near.empty()) {
    return "";
  }
  std::string out = " (did you mean ";
  for (std::size_t i = 0; i < near.size(); ++i) {
    out += (i ? ", '" : "'") + near[i] + "'";
  }
  return out + "?)";
}

}  // namespace llm_energy
