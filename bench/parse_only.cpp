// Baseline for batch throughput: read JSONL from stdin and only parse each line with nlohmann.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>

int main() {
  std::ios::sync_with_stdio(false);
  std::string line;
  unsigned long rows = 0;
  unsigned long keys = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty()) {
      continue;
    }
    const auto j = nlohmann::ordered_json::parse(line);
    keys += j.size();
    ++rows;
  }
  std::printf("%lu rows, %lu keys\n", rows, keys);
  return 0;
}
