#pragma once
// `llm-energy report --html FILE`: one self-contained HTML page (inline CSS and SVG, no external
// resources) with the results table, the ranges, the assumptions and the chart.
// Nothing here does I/O.
#include <string>

#include "llm_energy/estimate.hpp"

namespace llm_energy::cli {

[[nodiscard]] std::string render_html_report(const Estimate& e);

}  // namespace llm_energy::cli
