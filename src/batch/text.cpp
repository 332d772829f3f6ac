#include "batch/text.hpp"

#include <algorithm>
#include <cstring>

namespace llm_energy::batch {

bool is_blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

std::string_view trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) {
    return {};
  }
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

// "line N: message", without doubling the prefix when the message already carries it.
std::string row_error(std::size_t line, std::string_view what) {
  std::string prefix = "line " + std::to_string(line);
  std::string msg(what);
  for (auto& c : msg) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  if (msg.rfind(prefix, 0) == 0 && msg.size() > prefix.size() &&
      (msg[prefix.size()] == ':' || msg[prefix.size()] == ' ')) {
    return msg;
  }
  return prefix + ": " + msg;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t b = 0;
  while (true) {
    const auto e = s.find(sep, b);
    out.emplace_back(trim(s.substr(b, e == std::string_view::npos ? std::string_view::npos : e - b)));
    if (e == std::string_view::npos) {
      return out;
    }
    b = e + 1;
  }
}

// ---- Input ----

namespace {

constexpr std::size_t k_block = std::size_t{1} << 16;

bool is_space(int c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

}  // namespace

Input::Input(std::istream& in) : m_in(in), m_buf(k_block) {}

// Read more into the buffer after m_end (compacting first); false at the end of the input.
// Takes what one read gives (a pipe's rows are handled as they arrive).
bool Input::fill() {
  if (m_pos > 0) {
    std::memmove(m_buf.data(), m_buf.data() + m_pos, m_end - m_pos);
    m_end -= m_pos;
    m_pos = 0;
  }
  if (m_end == m_buf.size()) {
    m_buf.resize(m_buf.size() * 2);
  }
  std::streambuf* sb = m_in.rdbuf();
  if (sb == nullptr) {
    return false;
  }
  const auto c = sb->sbumpc();
  if (std::streambuf::traits_type::eq_int_type(c, std::streambuf::traits_type::eof())) {
    return false;
  }
  m_buf[m_end++] = std::streambuf::traits_type::to_char_type(c);
  const std::streamsize avail = sb->in_avail();
  if (avail > 0) {
    const auto room = static_cast<std::streamsize>(m_buf.size() - m_end);
    const std::streamsize got = sb->sgetn(m_buf.data() + m_end, std::min(avail, room));
    m_end += static_cast<std::size_t>(std::max<std::streamsize>(got, 0));
  }
  return true;
}

bool Input::ensure(std::size_t n) {
  while (m_end - m_pos < n) {
    if (!fill()) {
      return false;
    }
  }
  return true;
}

int Input::peek() {
  if (m_pos >= m_end && !fill()) {
    return -1;
  }
  return static_cast<unsigned char>(m_buf[m_pos]);
}

int Input::get() {
  const int c = peek();
  if (c >= 0) {
    ++m_pos;
  }
  return c;
}

void Input::end_line(int c) {
  ++m_line;
  if (c == '\r' && peek() == '\n') {
    ++m_pos;
  }
}

void Input::skip_to_line_end() {
  while (true) {
    const int c = get();
    if (c < 0) {
      return;
    }
    if (c == '\n' || c == '\r') {
      end_line(c);
      return;
    }
  }
}

void Input::give_back(std::string_view text, std::size_t line) {
  std::string rest(text);
  rest.append(m_buf.data() + m_pos, m_end - m_pos);
  m_buf.assign(rest.begin(), rest.end());
  m_buf.resize(std::max(m_buf.size(), k_block));
  m_pos = 0;
  m_end = rest.size();
  m_line = line;
}

int Input::skip_blank() {
  if (m_at_start) {
    m_at_start = false;
    if (ensure(3) && std::memcmp(m_buf.data() + m_pos, "\xEF\xBB\xBF", 3) == 0) {
      m_pos += 3;  // UTF-8 byte-order mark
    }
  }
  while (true) {
    // Look along the line for a character that is not white space, without consuming it
    // (the line's own leading blanks stay: error columns are counted from the line's start).
    std::size_t k = 0;
    while (true) {
      if (!ensure(k + 1)) {
        m_pos = m_end;
        return -1;
      }
      const char c = m_buf[m_pos + k];
      if (c == '\n' || c == '\r') {
        m_pos += k + 1;
        end_line(c);
        break;
      }
      if (!is_space(static_cast<unsigned char>(c))) {
        return static_cast<unsigned char>(c);
      }
      if (++k > k_max_record_bytes) {
        m_pos += k;  // an absurdly long run of blanks: dropped
        k = 0;
      }
    }
  }
}

bool Input::line(std::string& out, bool& too_long) {
  out.clear();
  too_long = false;
  m_start = m_line;
  if (m_pos >= m_end && !fill()) {
    return false;
  }
  while (true) {
    const char* b = m_buf.data() + m_pos;
    const char* e = m_buf.data() + m_end;
    // The first LF, then a CR before it (two vectorised scans, not a byte loop).
    const auto* nl = static_cast<const char*>(std::memchr(b, '\n', static_cast<std::size_t>(e - b)));
    const char* lim = nl != nullptr ? nl : e;
    const auto* cr = static_cast<const char*>(std::memchr(b, '\r', static_cast<std::size_t>(lim - b)));
    const char* p = cr != nullptr ? cr : lim;
    const auto n = static_cast<std::size_t>(p - b);
    const std::size_t room = k_max_record_bytes - std::min(out.size(), k_max_record_bytes);
    if (n > room) {
      too_long = true;
    }
    out.append(b, std::min(n, room));
    m_pos += n;
    if (p < e) {
      ++m_pos;
      end_line(static_cast<unsigned char>(*p));
      return true;
    }
    if (!fill()) {
      return true;  // the last line, without an ending
    }
  }
}

bool Input::nonblank_line(std::string& out, bool& too_long) {
  while (line(out, too_long)) {
    if (too_long || !is_blank(out)) {
      return true;
    }
  }
  return false;
}

Input::Record Input::csv(std::vector<std::string>& fields, std::string& error) {
  fields.clear();
  error.clear();
  m_start = m_line;
  if (peek() < 0) {
    return Record::end;
  }
  enum class State { start, unquoted, quoted, after_quote };
  State st = State::start;
  std::string field;
  bool any_quoted = false;
  std::size_t bytes = 0;
  // After the first line break inside quotes, the raw text is kept: when the quote never
  // closes, it is given back and read again as the rows it most likely is.
  bool keep = false;
  std::string kept;
  std::size_t kept_line = 0;
  auto take = [&]() {
    const int c = get();
    if (c >= 0 && keep) {
      kept += static_cast<char>(c);
    }
    return c;
  };
  auto field_no = [&] { return std::to_string(fields.size() + 1); };
  auto bad = [&](std::string msg) {
    error = std::move(msg);
    fields.clear();
    if (keep) {
      give_back(kept, kept_line);
    } else {
      skip_to_line_end();
    }
    return Record::error;
  };
  while (true) {
    const int c = take();
    if (c >= 0 && ++bytes > k_max_record_bytes) {
      return bad("longer than 1 MiB (1048576 bytes); not read");
    }
    if (c < 0) {
      if (st == State::quoted) {
        return bad("field " + field_no() + ": the quote opened on this line never closes");
      }
      fields.push_back(std::move(field));
      break;
    }
    const bool line_end = c == '\n' || c == '\r';
    switch (st) {
      case State::start:
        if (c == '"') {
          field.clear();  // blanks before an opening quote are not part of the field
          st = State::quoted;
          any_quoted = true;
          continue;
        }
        if (c == ' ' || c == '\t') {
          field += static_cast<char>(c);
          continue;
        }
        st = State::unquoted;
        break;
      case State::after_quote:
        if (c == ' ' || c == '\t') {
          continue;  // blanks after a closing quote
        }
        if (c != ',' && !line_end) {
          return bad("field " + field_no() +
                     ": text after the closing quote (a quoted field ends at its quote)");
        }
        break;
      case State::quoted:
        if (c == '"') {
          if (peek() == '"') {
            (void)take();
            field += '"';
          } else {
            st = State::after_quote;
          }
          continue;
        }
        field += static_cast<char>(c);
        if (line_end) {
          if (c == '\r' && peek() == '\n') {
            field += static_cast<char>(take());
          }
          ++m_line;
          if (!keep) {
            keep = true;
            kept_line = m_line;
          }
        }
        continue;
      case State::unquoted:
        break;
    }
    // Outside quotes.
    if (c == ',') {
      fields.push_back(std::move(field));
      field.clear();
      st = State::start;
      continue;
    }
    if (line_end) {
      end_line(c);
      fields.push_back(std::move(field));
      break;
    }
    if (c == '"') {
      return bad(
          "field " + field_no() +
          ": a quote inside an unquoted field (quote the whole field and double the quote: \"5\"\"x\")");
    }
    field += static_cast<char>(c);
  }
  if (fields.size() == 1 && !any_quoted && is_blank(fields[0])) {
    return Record::blank;
  }
  return Record::ok;
}

void Input::rest(std::string& out) {
  out.append(m_buf.data() + m_pos, m_end - m_pos);
  m_pos = m_end;
  std::streambuf* sb = m_in.rdbuf();
  if (sb == nullptr) {
    return;
  }
  std::vector<char> chunk(k_block);
  while (true) {
    const std::streamsize n = sb->sgetn(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (n <= 0) {
      return;
    }
    out.append(chunk.data(), static_cast<std::size_t>(n));
  }
}

}  // namespace llm_energy::batch
