#pragma once
// Small text helpers shared by the batch readers and the sweep expansion (internal), and the
// bounded reader of batch input: physical lines and RFC 4180 CSV records, each at most
// k_max_record_bytes, with their line numbers.
#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy::batch {

[[nodiscard]] bool is_blank(std::string_view s);
[[nodiscard]] std::string_view trim(std::string_view s);
// "line N: message", without doubling the prefix when the message already carries it.
[[nodiscard]] std::string row_error(std::size_t line, std::string_view what);
// Split `s` at `sep`, trimming each part.
[[nodiscard]] std::vector<std::string> split(std::string_view s, char sep);

// The longest line (JSONL) or record (CSV) batch reads; a longer one is an error row, read
// past without being kept.
inline constexpr std::size_t k_max_record_bytes = std::size_t{1} << 20;

// Batch input: a line ends at LF, CRLF or a lone CR, in every format. Reads in blocks; memory
// stays bounded by k_max_record_bytes whatever the input.
class Input {
 public:
  explicit Input(std::istream& in);

  // Skip a UTF-8 byte-order mark at the very start, then white space and blank lines; return
  // the first other character without consuming it, or -1 at the end.
  int skip_blank();
  // Read the next physical line, without its ending; false at the end. A line longer than
  // k_max_record_bytes keeps its first k_max_record_bytes bytes and sets `too_long`.
  bool line(std::string& out, bool& too_long);
  // The next non-blank line (as line()); false at the end.
  bool nonblank_line(std::string& out, bool& too_long);

  enum class Record { ok, blank, error, end };
  // Read the next CSV record (RFC 4180: fields separated by commas, a field in double quotes
  // may hold commas, quotes doubled and line breaks). Returns error (with `error` set) for a
  // quote inside an unquoted field, text after a closing quote, a quote that never closes, or a
  // record longer than k_max_record_bytes; reading goes on after the bad line (a quote that
  // never closes spoils only its own line). `blank`: an empty or white-space line (not a row).
  Record csv(std::vector<std::string>& fields, std::string& error);

  // The line the last line or record started on (1-based).
  [[nodiscard]] std::size_t start_line() const { return m_start; }
  // The line the next character is on.
  [[nodiscard]] std::size_t line_number() const { return m_line; }
  // Append everything left to `out` (a JSON array is read whole).
  void rest(std::string& out);

 private:
  int peek();
  int get();
  bool fill();
  bool ensure(std::size_t n);  // at least n bytes buffered from m_pos; false at the end
  void end_line(int c);        // after a CR or LF: count the line, take the LF of a CRLF
  void skip_to_line_end();
  void give_back(std::string_view text, std::size_t line);

  std::istream& m_in;
  std::vector<char> m_buf;
  std::size_t m_pos = 0;
  std::size_t m_end = 0;
  std::size_t m_line = 1;
  std::size_t m_start = 1;
  bool m_at_start = true;
};

}  // namespace llm_energy::batch
