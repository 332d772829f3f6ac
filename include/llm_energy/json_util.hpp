#pragma once
// JSON parsing with one-line, located error messages (file:line:column).
#include <nlohmann/json.hpp>
#include <string_view>

namespace llm_energy {

// Return the parsed document; throws InputError "NAME:LINE:COL: malformed JSON: ...".
// Duplicate keys in an object are rejected, since silently keeping one would hide a mistake.
[[nodiscard]] nlohmann::ordered_json parse_json(std::string_view text, std::string_view name);

// Return a short name of the JSON value's type for messages ("a string", "an array", ...).
[[nodiscard]] std::string_view json_type_name(const nlohmann::ordered_json& v);

}  // namespace llm_energy
