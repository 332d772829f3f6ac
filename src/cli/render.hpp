#pragma once
// One result model, four renderers. Each returns the whole text; nothing here does I/O.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/estimate.hpp"
#include "llm_energy/explain.hpp"
#include "number6.hpp"

namespace llm_energy::cli {

enum class Format { table, json, csv, markdown };
[[nodiscard]] Format parse_format(std::string_view text);

// Return the estimate as JSON (schema "llm-energy/estimate/1"); numbers keep 6 significant digits.
[[nodiscard]] nlohmann::ordered_json to_json(const Estimate& e);

// Append the estimate's members as compact JSON text, without braces and without
// "assumptions": "schema":...,"version":...,"training":{...},... Numbers are written with
// append_number6 (so they parse to the same doubles as to_json's).
void append_json_members(std::string& out, const Estimate& e);

// Return the flat CSV columns (both phases, dotted names).
[[nodiscard]] const std::vector<std::string>& csv_columns();
// Append ",value" for every CSV column (empty where a phase was not run).
void append_csv_values(std::string& out, const Estimate& e);

// Return a CSV field, quoted when it holds a comma, quote, CR or LF; append_csv_field appends it.
[[nodiscard]] std::string csv_escape(std::string_view s);
void append_csv_field(std::string& out, std::string_view s);
// Append `s` as a JSON string (escaped; invalid UTF-8 replaced).
void append_json_string(std::string& out, std::string_view s);

[[nodiscard]] std::string render(const Estimate& e, Format f, bool color);

// Return `e` rendered with its chain of formulas (--explain): a section in table and Markdown,
// an "explain" array in JSON. CSV has no place for it (InputError).
[[nodiscard]] std::string render_explained(const Estimate& e, Format f, bool color);

}  // namespace llm_energy::cli
