#pragma once
// Small text helpers shared by the batch readers and the sweep expansion (internal).
#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy::batch {

[[nodiscard]] bool is_blank(std::string_view s);
[[nodiscard]] std::string_view trim(std::string_view s);
void chomp_cr(std::string& s);
// "line N: message", without doubling the prefix when the message already carries it.
[[nodiscard]] std::string row_error(std::size_t line, std::string_view what);
// Read the next physical line that is not blank; return false at the end.
bool next_nonblank(std::istream& in, std::string& line, std::size_t& lineno);
// Split `s` at `sep`, trimming each part.
[[nodiscard]] std::vector<std::string> split(std::string_view s, char sep);

}  // namespace llm_energy::batch
