#include "render/report.hpp"

#include <fmt/format.h>
#include <vector>

#include "llm_energy/figures.hpp"
#include "llm_energy/version.hpp"
#include "render/charts.hpp"
#include "render/estimate.hpp"
#include "render/format_units.hpp"
#include "render/svg.hpp"

namespace llm_energy::render {
namespace {

using svg::escape;

// The central value of a figure as its table row shows it, without the range.
std::string central_text(const Figure& f, const Estimate& e) {
  switch (f.show) {
    case Show::count_range:
      return human_count(f.number(e));
    case Show::plain_range:
      return sig3(f.number(e));
    case Show::energy_range:
      return human_energy_kwh(f.number(e));
    case Show::mass_range:
      return human_mass_kg(f.number(e));
    case Show::water_range:
      return human_water_l(f.number(e));
    default:
      return row_text(f, e);
  }
}

// "low \u2013 high", or nothing when both read the same (an exact input, or a range narrower than
// the digits shown: "200 k", not "200 k \u2013 200 k").
std::string range_of(const std::string& low, const std::string& high) {
  return low == high ? std::string() : low + " \u2013 " + high;
}

// The figure's range, when it has one that is not a single point.
std::string range_text(const Figure& f, const Estimate& e) {
  const Figure* iv = find_figure(f.section, f.key, FigureType::interval);
  if (iv == nullptr || !iv->present(e)) {
    return "";
  }
  const Interval i = iv->interval(e);
  if (i.low == i.high) {
    return "";
  }
  auto shown = [&](double v) {
    switch (f.show) {
      case Show::energy_range:
        return human_energy_kwh(v);
      case Show::mass_range:
        return human_mass_kg(v);
      case Show::water_range:
        return human_water_l(v);
      case Show::count_range:
        return human_count(v);
      default:
        return sig3(v);
    }
  };
  return range_of(shown(i.low), shown(i.high));
}

std::string figures_table(const Estimate& e, Section section) {
  std::string s = "<table class=\"figures\">\n<caption>" +
                  std::string(section == Section::training ? "Training" : "Inference") +
                  "</caption>\n<thead><tr><th scope=\"col\">figure</th><th scope=\"col\">central</th>"
                  "<th scope=\"col\">range (low \u2013 high)</th></tr></thead>\n<tbody>\n";
  for (const Figure& f : figures()) {
    if (f.section != section || f.show == Show::none || !f.present(e)) {
      continue;
    }
    s += "<tr><th scope=\"row\">" + escape(f.label) + "</th><td>" + escape(central_text(f, e)) + "</td><td>" +
         escape(range_text(f, e)) + "</td></tr>\n";
  }
  return s + "</tbody>\n</table>\n";
}

// Text with every http(s) address turned into a link (the rest escaped).
std::string linked(std::string_view text) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t at = std::min(text.find("http://", i), text.find("https://", i));
    if (at == std::string_view::npos) {
      out += escape(text.substr(i));
      break;
    }
    out += escape(text.substr(i, at - i));
    std::size_t end = at;
    while (end < text.size() && text[end] != ' ' && text[end] != ')' && text[end] != ';' &&
           text[end] != ',' && text[end] != '\'' && text[end] != '"') {
      ++end;
    }
    while (end > at && (text[end - 1] == '.' || text[end - 1] == ':')) {
      --end;
    }
    const std::string url = escape(text.substr(at, end - at));
    out += "<a href=\"" + url + "\">" + url + "</a>";
    i = end;
  }
  return out;
}

const char* k_css = R"(
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; margin: 2rem auto; max-width: 1000px;
       padding: 0 1rem; color: #1a1a1a; background: #ffffff; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
p.meta { color: #555555; margin-top: 0; }
table { border-collapse: collapse; margin: 1rem 0 1.5rem; width: 100%; font-size: 0.92rem; }
caption { text-align: left; font-weight: bold; font-size: 1.1rem; padding-bottom: 0.4rem; }
th, td { border-bottom: 1px solid #dddddd; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #555555; }
tbody th { font-weight: normal; color: #333333; white-space: nowrap; }
table.figures thead th:nth-child(1) { width: 34%; }
table.figures thead th:nth-child(2) { width: 33%; }
td.source { color: #555555; font-size: 0.85rem; }
figure { margin: 1rem 0; overflow-x: auto; }
figcaption { color: #555555; font-size: 0.9rem; }
details summary { cursor: pointer; font-weight: bold; font-size: 1.1rem; margin: 1rem 0 0.5rem; }
)";

}  // namespace

std::string render_html_report(const Estimate& e, std::string_view command) {
  const std::string title =
      "llm-energy estimate: " + std::string(e.hardware) + ", region " + std::string(e.region);
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"llm-energy " +
      std::string(k_version) + "\">\n<title>" + escape(title) + "</title>\n<style>" + k_css +
      "</style>\n</head>\n<body>\n<main>\n<h1>" + escape(title) + "</h1>\n<p class=\"meta\">llm-energy " +
      std::string(k_version) +
      ". Ranges combine each uncertain input&#8217;s documented range (log-space root-sum-square). "
      "CO2e is location-based.</p>\n";
  if (!command.empty()) {
    s += "<p class=\"meta\">Produced by <code>" + escape(command) + "</code></p>\n";
  }
  if (e.training) {
    s += figures_table(e, Section::training);
  }
  if (e.inference) {
    s += figures_table(e, Section::inference);
  }
  s += "<figure>\n" + estimate_chart(e) +
       "<figcaption>Energy and CO2e by component; error bars show the propagated range.</figcaption>\n"
       "</figure>\n";
  s += "<details open>\n<summary>Assumptions</summary>\n<table>\n<thead><tr><th scope=\"col\">input</th>"
       "<th scope=\"col\">value</th><th scope=\"col\">range</th><th scope=\"col\">origin</th>"
       "<th scope=\"col\">source</th></tr></thead>\n<tbody>\n";
  for (const auto& a : e.assumptions) {
    auto shown = [&](double v) { return v >= 1e6 ? human_count(v) : sig3(v); };
    const std::string range =
        a.text.empty() && !a.value.is_exact() ? range_of(shown(a.value.low), shown(a.value.high)) : "";
    const std::string value =
        a.text.empty() && a.key != "shape" && a.key != "training_layout"
            ? (a.value.value >= 1e6 ? human_count(a.value.value) : sig3(a.value.value)) +
                  (a.unit.empty() || a.unit == "fraction" || a.unit == "ratio" ? ""
                                                                               : " " + std::string(a.unit))
            : value_text(a, e);
    s += "<tr><th scope=\"row\">" + escape(a.key) + "</th><td>" + escape(value) + "</td><td>" +
         escape(range) + "</td><td>" + escape(origin_text(a)) + "</td><td class=\"source\">" +
         linked(source_text(a)) + "</td></tr>\n";
  }
  s += "</tbody>\n</table>\n</details>\n";
  return s + "</main>\n</body>\n</html>\n";
}

}  // namespace llm_energy::render
