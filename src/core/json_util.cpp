#include "llm_energy/json_util.hpp"

#include <set>
#include <string>
#include <vector>

#include "llm_energy/error.hpp"

namespace llm_energy {
namespace {

constexpr int k_max_depth = 64;

// 1-based line and column of byte offset `pos` in `text`.
std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t pos) {
  std::size_t line = 1;
  std::size_t col = 1;
  for (std::size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

}  // namespace

nlohmann::ordered_json parse_json(std::string_view text, std::string_view name) {
  std::vector<std::set<std::string>> keys;
  std::string problem;
  auto callback = [&](int depth, nlohmann::ordered_json::parse_event_t event,
                      nlohmann::ordered_json& parsed) {
    using E = nlohmann::ordered_json::parse_event_t;
    if (depth > k_max_depth && problem.empty()) {
      problem = "nested more than " + std::to_string(k_max_depth) + " levels deep";
    }
    if (event == E::object_start) {
      keys.emplace_back();
    } else if (event == E::object_end && !keys.empty()) {
      keys.pop_back();
    } else if (event == E::key && !keys.empty()) {
      const auto& k = parsed.get_ref<const std::string&>();
      if (!keys.back().insert(k).second && problem.empty()) {
        problem = "duplicate key '" + k + "'";
      }
    }
    return problem.empty();
  };
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::parse_error& e) {
    const auto [line, col] = line_col(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string what = e.what();
    // nlohmann's message: "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error while parsing value - invalid literal; last read: 'x'". Keep the tail.
    const auto pos = what.find("syntax error");
    if (pos != std::string::npos) {
      what = what.substr(pos);
    }
    for (auto& c : what) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        c = '?';
      }
    }
    throw InputError(std::string(name) + ":" + std::to_string(line) + ":" + std::to_string(col) +
                     ": malformed JSON: " + what);
  } catch (const nlohmann::json::exception& e) {
    // e.g. out_of_range.406 for a number literal such as 1e999 (found by fuzz_config).
    std::string what = e.what();
    const auto pos = what.find("] ");
    if (pos != std::string::npos) {
      what = what.substr(pos + 2);
    }
    for (auto& c : what) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) {
        c = '?';
      }
    }
    throw InputError(std::string(name) + ": malformed JSON: " + what);
  }
  if (!problem.empty()) {
    throw InputError(std::string(name) + ": malformed JSON: " + problem);
  }
  return doc;
}

std::string_view json_type_name(const nlohmann::ordered_json& v) {
  switch (v.type()) {
    case nlohmann::ordered_json::value_t::null:
      return "null";
    case nlohmann::ordered_json::value_t::object:
      return "an object";
    case nlohmann::ordered_json::value_t::array:
      return "an array";
    case nlohmann::ordered_json::value_t::string:
      return "a string";
    case nlohmann::ordered_json::value_t::boolean:
      return "a boolean";
    case nlohmann::ordered_json::value_t::binary:
      return "binary data";
    case nlohmann::ordered_json::value_t::discarded:
      return "a discarded value";
    default:
      return "a number";
  }
}

}  // namespace llm_energy
