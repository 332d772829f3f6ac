#include "render/text_table.hpp"

#include <algorithm>
#include <cstdint>

namespace llm_energy::render {

std::string escape_control(std::string_view s) {
  static constexpr char k_hex[] = "0123456789abcdef";
  auto clean = [](unsigned char u) { return u >= 0x20 && u < 0x7f; };
  std::size_t i = 0;
  while (i < s.size() && clean(static_cast<unsigned char>(s[i]))) {
    ++i;
  }
  if (i == s.size()) {
    return std::string(s);  // the common case: printable ASCII
  }
  std::string out(s.substr(0, i));
  while (i < s.size()) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (clean(u)) {
      out += static_cast<char>(u);
      ++i;
      continue;
    }
    if (u < 0x80) {  // C0 or DEL
      out += "\\x";
      out += k_hex[u >> 4];
      out += k_hex[u & 15];
      ++i;
      continue;
    }
    // A UTF-8 sequence: its length from the lead byte, each continuation 10xxxxxx, no overlong
    // forms, no surrogates, at most U+10FFFF.
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (u >= 0xC2 && u <= 0xDF) {
      n = 2;
      cp = u & 0x1F;
    } else if (u >= 0xE0 && u <= 0xEF) {
      n = 3;
      cp = u & 0x0F;
    } else if (u >= 0xF0 && u <= 0xF4) {
      n = 4;
      cp = u & 0x07;
    }
    bool ok = n > 0 && i + n <= s.size();
    for (std::size_t k = 1; ok && k < n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (ok) {
      ok = !(n == 3 && cp < 0x800) && !(n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) &&
           !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
      continue;
    }
    if (cp >= 0x80 && cp <= 0x9F) {  // C1 controls (CSI is 0x9B)
      out += "\\u00";
      out += k_hex[cp >> 4];
      out += k_hex[cp & 15];
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

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
    auto& c = cells[i];
    // Copies only where a cell changes (most cells are printable ASCII that fits).
    if (std::any_of(c.begin(), c.end(), [](char ch) {
          const auto u = static_cast<unsigned char>(ch);
          return u < 0x20 || u >= 0x7f;
        })) {
      c = escape_control(c);
    }
    if (m_columns[i].max > 0 && display_width(c) > m_columns[i].max) {
      c = fit(c, m_columns[i].max);
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
      const std::string text = escape_control(c.header);
      h.push_back(c.max > 0 ? fit(text, c.max) : text);
    }
    out += line(h, widths);
  }
  for (const auto& r : m_rows) {
    out += line(r, widths);
  }
  return out;
}

}  // namespace llm_energy::render
