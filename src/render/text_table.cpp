#include "render/text_table.hpp"

#include <algorithm>

namespace llm_energy::render {

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++n;
    }
  }
  return n;
}

std::string fit(std::string_view s, std::size_t max) {
  if (display_width(s) <= max) {
    return std::string(s);
  }
  std::string out;
  std::size_t n = 0;
  for (char c : s) {
    const bool start = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (start && n + 1 >= max) {
      break;
    }
    n += start ? 1 : 0;
    out += c;
  }
  return out + "\u2026";
}

std::string pad(std::string_view s, std::size_t width) {
  const std::size_t n = display_width(s);
  std::string out(s);
  if (n < width) {
    out.append(width - n, ' ');
  }
  return out;
}

TextTable::TextTable(std::vector<Column> columns, std::string indent, std::string gap, bool keep_padding)
    : m_columns(std::move(columns)),
      m_indent(std::move(indent)),
      m_gap(std::move(gap)),
      m_keep_padding(keep_padding) {}

void TextTable::add(std::vector<std::string> cells) {
  cells.resize(m_columns.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (m_columns[i].max > 0) {
      cells[i] = fit(cells[i], m_columns[i].max);
    }
  }
  m_rows.push_back(std::move(cells));
}

std::string TextTable::line(const std::vector<std::string>& cells,
                            const std::vector<std::size_t>& widths) const {
  std::string s = m_indent;
  std::size_t last = cells.size();
  while (last > 1 && cells[last - 1].empty()) {
    --last;
  }
  for (std::size_t i = 0; i < last; ++i) {
    if (i > 0) {
      s += m_gap;
    }
    const std::size_t w = display_width(cells[i]);
    const std::size_t room = widths[i] > w ? widths[i] - w : 0;
    if (m_columns[i].align == Align::right) {
      s.append(room, ' ');
      s += cells[i];
    } else {
      s += cells[i];
      if (i + 1 < m_columns.size()) {  // the last column is not padded
        s.append(room, ' ');
      }
    }
  }
  if (!m_keep_padding) {
    s.erase(s.find_last_not_of(' ') + 1);
  }
  return s + "\n";
}

std::string TextTable::str(bool header) const {
  std::vector<std::size_t> widths(m_columns.size(), 0);
  for (std::size_t i = 0; i < m_columns.size(); ++i) {
    if (m_columns[i].width > 0) {
      widths[i] = m_columns[i].width;
      continue;
    }
    widths[i] = header ? display_width(m_columns[i].header) : 0;
    for (const auto& r : m_rows) {
      widths[i] = std::max(widths[i], display_width(r[i]));
    }
  }
  std::string out;
  if (header) {
    std::vector<std::string> h;
    for (const auto& c : m_columns) {
      h.push_back(c.max > 0 ? fit(c.header, c.max) : c.header);
    }
    out += line(h, widths);
  }
  for (const auto& r : m_rows) {
    out += line(r, widths);
  }
  return out;
}

}  // namespace llm_energy::render
