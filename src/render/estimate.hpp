#pragma once
// The estimate rendered as a table, JSON (schema "llm-energy/estimate/1"), CSV or Markdown.
// One walk over the figure registry (llm_energy/figures.hpp) writes every format, so a figure
// is named once. Renderers return the whole text; nothing here does I/O.
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/budget.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/explain.hpp"
#include "llm_energy/figures.hpp"
#include "render/number6.hpp"

namespace llm_energy::render {

enum class Format { table, json, csv, markdown };
[[nodiscard]] Format parse_format(std::string_view text);

// How text output may look: colour (a terminal, no NO_COLOR).
struct Style {
  bool color = false;
};

// A datum's citation: "source (year); note".
[[nodiscard]] std::string cite(const Datum& d);
// An assumption's origin ("flag", "config", "default", "catalog:<id>", "derived"), value
// ("1 B parameters", "481 (445–490) gCO2e/kWh") and source, in words.
[[nodiscard]] std::string origin_text(const Assumption& a);
[[nodiscard]] std::string value_text(const Assumption& a, const Estimate& e);
// The source, cut after `cap` bytes (a table shows only its start).
[[nodiscard]] std::string source_text(const Assumption& a, std::size_t cap = std::string::npos);

// Return the estimate as JSON (numbers keep 6 significant digits); with "budget" when a
// verdict is given.
[[nodiscard]] nlohmann::ordered_json to_json(const Estimate& e);
// The "assumptions" object alone.
[[nodiscard]] nlohmann::ordered_json assumptions_json(const Estimate& e);

// Append the estimate's members as compact JSON text, without braces and without
// "assumptions": "schema":...,"version":...,"training":{...},... Numbers are written with
// append_number6 (so they parse to the same doubles as to_json's).
void append_json_members(std::string& out, const Estimate& e);

// The "inference.fleet" object (empty without a fleet): the fleet figures, nested at their '.',
// and "intervals", one object per interval of the day.
[[nodiscard]] nlohmann::ordered_json fleet_json(const Estimate& e);
// The fleet's CSV columns ("inference.fleet.*"), after csv_columns() in a row with a fleet.
[[nodiscard]] const std::vector<std::string>& fleet_csv_columns();
void append_fleet_csv_values(std::string& out, const Estimate& e);

// Return the flat CSV columns (both phases, dotted names).
[[nodiscard]] const std::vector<std::string>& csv_columns();
// Append ",value" for every CSV column (empty where a phase or figure is absent).
void append_csv_values(std::string& out, const Estimate& e);

// Return a CSV field, quoted when it holds a comma, quote, CR or LF; append_csv_field appends it.
[[nodiscard]] std::string csv_escape(std::string_view s);
void append_csv_field(std::string& out, std::string_view s);
// Append `s` as a JSON string (escaped; invalid UTF-8 replaced).
void append_json_string(std::string& out, std::string_view s);

// With `budget` (a verdict with some budget), JSON gains a "budget" object (as batch rows) and
// the table and Markdown a budget line; with both phases, every format but CSV shows the total.
[[nodiscard]] std::string render(const Estimate& e, Format f, const Style& style,
                                 const BudgetVerdict* budget = nullptr);

// The value a table or Markdown row shows for figure `f` (llm_energy/figures.hpp).
[[nodiscard]] std::string row_text(const Figure& f, const Estimate& e);

// Return `e` rendered with its chain of formulas (--explain): a section in table and Markdown,
// an "explain" array in JSON. CSV has no place for it (InputError).
[[nodiscard]] std::string render_explained(const Estimate& e, Format f, const Style& style,
                                           const BudgetVerdict* budget = nullptr);

// The chain's substituted text of one step ("6 x 1e+09 x 1e+08").
[[nodiscard]] std::string substituted(const ExplainStep& s);

// "training", "inference" or "training + inference".
[[nodiscard]] std::string phases_text(Phase p);
// One line per budget that is exceeded or warned about ("over budget: energy 146 MWh exceeds ...").
[[nodiscard]] std::vector<std::string> budget_messages(const BudgetVerdict& v);
// The verdict as JSON: {"within": bool, "messages": [...]}.
[[nodiscard]] nlohmann::ordered_json budget_json(const BudgetVerdict& v);

}  // namespace llm_energy::render
