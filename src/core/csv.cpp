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
  enum class State { start, unquoted, quoted, after_quote };
  State st = State::start;
  std::string field;
  auto fail = [&](const std::string& what) {
    throw InputError("line " + std::to_string(line) + ": field " + std::to_string(fields.size() + 1) + ": " +
                     what);
  };
  // A line ends at LF, CRLF or a lone CR (inside quotes too, where it is part of the field).
  auto line_end = [&](char c) {
    if (c == '\r' && m_pos < m_text.size() && m_text[m_pos] == '\n') {
      ++m_pos;
      return true;
    }
    return false;
  };
  while (m_pos < m_text.size()) {
    const char c = m_text[m_pos++];
    if (st == State::quoted) {
      if (c == '"') {
        if (m_pos < m_text.size() && m_text[m_pos] == '"') {
          field += '"';
          ++m_pos;
        } else {
          st = State::after_quote;
        }
      } else {
        field += c;
        if (c == '\n' || c == '\r') {
          if (line_end(c)) {
            field += '\n';
          }
          ++m_line;
        }
      }
      continue;
    }
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      st = State::start;
      continue;
    }
    if (c == '\n' || c == '\r') {
      (void)line_end(c);
      ++m_line;
      fields.push_back(std::move(field));
      return true;
    }
    switch (st) {
      case State::start:
        if (c == '"') {
          field.clear();  // blanks before an opening quote are not part of the field
          st = State::quoted;
        } else {
          field += c;
          if (c != ' ' && c != '\t') {
            st = State::unquoted;
          }
        }
        break;
      case State::unquoted:
        if (c == '"') {
          fail("a quote inside an unquoted field (quote the whole field and double the quote)");
        }
        field += c;
        break;
      case State::after_quote:
        if (c != ' ' && c != '\t') {
          fail("text after the closing quote");
        }
        break;
      case State::quoted:
        break;
    }
  }
  if (st == State::quoted) {
    throw InputError("line " + std::to_string(line) + ": unterminated quoted field");
  }
  fields.push_back(std::move(field));
  return true;
}

}  // namespace llm_energy
