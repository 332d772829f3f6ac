#pragma once
// One result model, four renderers. Each returns the whole text; nothing here does I/O.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/estimate.hpp"
#include "llm_energy/explain.hpp"

namespace llm_energy::cli {

enum class Format { table, json, csv, markdown };
[[nodiscard]] Format parse_format(std::string_view text);

// Return the estimate as JSON (schema "llm-energy/estimate/1"); numbers keep 6 significant digits.
[[nodiscard]] nlohmann::ordered_json to_json(const Estimate& e);

// Return the flat CSV columns and this estimate's values (empty where a phase was not run).
[[nodiscard]] const std::vector<std::string>& csv_columns();
[[nodiscard]] std::vector<std::string> csv_values(const nlohmann::ordered_json& flat_source);

// Return a CSV field, quoted when it holds a comma, quote, CR or LF.
[[nodiscard]] std::string csv_escape(std::string_view s);

[[nodiscard]] std::string render(const Estimate& e, Format f, bool color);

// Return `e` rendered with its chain of formulas (--explain): a section in table and Markdown,
// an "explain" array in JSON. CSV has no place for it (InputError).
[[nodiscard]] std::string render_explained(const Estimate& e, Format f, bool color);

// Round to 6 significant digits (stable golden files, no spurious precision).
[[nodiscard]] double round6(double v);

}  // namespace llm_energy::cli
