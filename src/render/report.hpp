#pragma once
// `llm-energy report --html FILE`: one self-contained HTML page (inline CSS and SVG, no external
// resources) with the results table, the ranges, the assumptions and the chart.
// Nothing here does I/O.
#include <string>
#include <string_view>

#include "llm_energy/estimate.hpp"

namespace llm_energy::render {

// `command` (the command line that produced it) is recorded in the page when not empty.
[[nodiscard]] std::string render_html_report(const Estimate& e, std::string_view command);

}  // namespace llm_energy::render
