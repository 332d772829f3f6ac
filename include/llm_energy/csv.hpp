#pragma once
// A small RFC 4180 CSV reader over text in memory: commas separate fields; a field in double
// quotes may hold commas, line breaks and doubled quotes; blanks around a quoted field are
// ignored; a line ends at LF, CRLF or a lone CR.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy {

class CsvReader {
 public:
  explicit CsvReader(std::string_view text);

  // Read the next record into `fields`; return false at the end of the text. `line` is the
  // 1-based line where the record starts. Throws InputError ("line N: ...") on a quote that
  // never closes, a quote inside an unquoted field, or text after a closing quote.
  bool next(std::vector<std::string>& fields, std::size_t& line);

 private:
  std::string_view m_text;
  std::size_t m_pos = 0;
  std::size_t m_line = 1;
};

}  // namespace llm_energy
