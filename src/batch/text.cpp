#include "batch/text.hpp"

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

void chomp_cr(std::string& s) {
  if (!s.empty() && s.back() == '\r') {
    s.pop_back();
  }
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

// Read the next physical line that is not blank; return false at the end.
bool next_nonblank(std::istream& in, std::string& line, std::size_t& lineno) {
  while (std::getline(in, line)) {
    ++lineno;
    if (!is_blank(line)) {
      return true;
    }
  }
  return false;
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

}  // namespace llm_energy::batch
