#pragma once
// A small RFC 4180 CSV reader over text in memory: quoted fields, doubled quotes, CRLF.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // Read the next record into `fields`; return false at the end of the text. `line` is the
  // 1-based line where the record starts. Throws InputError on an unterminated quote.
  bool next(std::vector<std::string>& fields, std::size_t& line);

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
};

}  // namespace llm_energy
