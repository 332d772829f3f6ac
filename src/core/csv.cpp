#include "llm_energy/csv.hpp"

#include "llm_energy/error.hpp"

namespace llm_energy {

CsvReader::CsvReader(std::string_view text) : m_text(text) {
  if (m_text.substr(0, 3) == "\xEF\xBB\xBF") {  // UTF-8 byte-order mark
    m_text.remove_prefix(3);
  }
}

bool CsvReader::next(std::vector<std::string>& fields, std::size_t& line) {
  fields.clear();
  if (m_pos >= m_text.size()) {
    return false;
  }
  line = m_line;
  std::string field;
  bool quoted = false;
  bool was_quoted = false;
  while (m_pos < m_text.size()) {
    const char c = m_text[m_pos++];
    if (quoted) {
      if (c == '"') {
        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
          field += '"';
          ++m_pos;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') {
          ++m_line;
        }
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
    } else if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n') {
        ++m_pos;
      }
      ++m_line;
      fields.push_back(std::move(field));
      return true;
    } else {
      field += c;
    }
  }
  if (quoted) {
    throw InputError("line " + std::to_string(line) + ": unterminated quoted field");
  }
  fields.push_back(std::move(field));
  return true;
}

}  // namespace llm_energy
