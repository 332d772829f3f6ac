#pragma once
// One text-table helper for every table the program prints: columns of fixed or fitted width,
// left or right aligned, cut with an ellipsis where a maximum applies; widths count code points
// (the tables use a few multi-byte characters); control characters in cells are escaped.
// Nothing here does I/O.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy::render {

// Return `s` safe to print on a terminal: C0 control characters and DEL as \xNN (so a name
// holding ESC or a line break cannot move the cursor or break the table), C1 controls
// (U+0080-U+009F) as \u00NN, and bytes that are not UTF-8 as U+FFFD. Every cell and header of
// a TextTable goes through it.
[[nodiscard]] std::string escape_control(std::string_view s);
// Display width in code points.
[[nodiscard]] std::size_t display_width(std::string_view s);
// Return `s` cut to at most `max` code points, the last one an ellipsis when it was cut.
[[nodiscard]] std::string fit(std::string_view s, std::size_t max);
// Return `s` padded with spaces to `width` code points (left-aligned).
[[nodiscard]] std::string pad(std::string_view s, std::size_t width);

enum class Align { left, right };

struct Column {
  std::string header{};
  Align align = Align::left;
  std::size_t width = 0;  // fixed width; 0: the widest cell (and header)
  std::size_t max = 0;    // cut longer cells to this many code points; 0: no cut
};

class TextTable {
 public:
  // `indent` starts every line; `gap` separates columns. Trailing spaces are trimmed unless
  // `keep_padding`; empty trailing cells are left out with their gaps; the last column is not
  // padded.
  explicit TextTable(std::vector<Column> columns, std::string indent = "", std::string gap = "  ",
                     bool keep_padding = false);
  void add(std::vector<std::string> cells);
  // Return the table; with the header line when `header` is true.
  [[nodiscard]] std::string str(bool header = true) const;

 private:
  [[nodiscard]] std::string line(const std::vector<std::string>& cells,
                                 const std::vector<std::size_t>& widths) const;
  std::vector<Column> m_columns;
  std::string m_indent;
  std::string m_gap;
  bool m_keep_padding;
  std::vector<std::vector<std::string>> m_rows;
};

}  // namespace llm_energy::render
