#include "report.hpp"

#include <fmt/format.h>
#include <vector>

#include "charts.hpp"
#include "format_units.hpp"
#include "llm_energy/version.hpp"
#include "svg.hpp"

namespace llm_energy::cli {
namespace {

using svg::escape;

struct Row {
  std::string label;
  std::string value;
  std::string range;  // "low – high", or empty
};

std::string range_energy(const Interval& i) {
  return human_energy_kwh(i.low) + " \u2013 " + human_energy_kwh(i.high);
}

std::string range_mass(const Interval& i) {
  return human_mass_kg(i.low) + " \u2013 " + human_mass_kg(i.high);
}

std::string table(const std::string& caption, const std::vector<Row>& rows) {
  std::string s = "<table class=\"figures\">\n<caption>" + escape(caption) +
                  "</caption>\n<thead><tr><th scope=\"col\">figure</th><th scope=\"col\">central</th>"
                  "<th scope=\"col\">range (low \u2013 high)</th></tr></thead>\n<tbody>\n";
  for (const auto& r : rows) {
    s += "<tr><th scope=\"row\">" + escape(r.label) + "</th><td>" + escape(r.value) + "</td><td>" +
         escape(r.range) + "</td></tr>\n";
  }
  return s + "</tbody>\n</table>\n";
}

std::string assumption_value(const Assumption& a) {
  if (!a.text.empty()) {
    return a.text;
  }
  std::string v = a.value.value >= 1e6 ? human_count(a.value.value) : sig3(a.value.value);
  if (!a.unit.empty() && a.unit != "fraction" && a.unit != "ratio") {
    v += " " + a.unit;
  }
  return v;
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

std::string render_html_report(const Estimate& e) {
  const std::string title = "llm-energy estimate: " + e.hardware + ", region " + e.region;
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"llm-energy " +
      std::string(k_version) + "\">\n<title>" + escape(title) + "</title>\n<style>" + k_css +
      "</style>\n</head>\n<body>\n<main>\n<h1>" + escape(title) + "</h1>\n<p class=\"meta\">llm-energy " +
      std::string(k_version) +
      ". Ranges combine each uncertain input&#8217;s documented range (log-space root-sum-square). "
      "CO2e is location-based.</p>\n";
  if (e.training) {
    const auto& t = *e.training;
    s += table(
        "Training",
        {{"Compute", fmt::format("{:.3g} FLOP", t.flops), ""},
         {"Chip-hours", human_count(t.chip_hours),
          human_count(t.interval.chip_hours.low) + " \u2013 " + human_count(t.interval.chip_hours.high)},
         {"Wall-clock", human_hours(t.wall_clock_hours), ""},
         {"Utilisation (MFU)", sig3(t.implied_mfu), ""},
         {"Energy, accelerators", human_energy_kwh(t.accelerator_energy_kwh), ""},
         {"Energy, servers", human_energy_kwh(t.server_energy_kwh), ""},
         {"Energy, facility", human_energy_kwh(t.energy_kwh), range_energy(t.interval.energy_kwh)},
         {"CO2e, operational", human_mass_kg(t.co2e_kg), range_mass(t.interval.co2e_kg)},
         {"CO2e, embodied", human_mass_kg(t.embodied_co2e_kg), ""},
         {"Energy per token", sig3(t.energy_per_token_j) + " J", ""},
         {"Main uncertainty", std::string(t.main_uncertainty), ""}});
  }
  if (e.inference) {
    const auto& i = *e.inference;
    const auto& iv = i.interval;
    s += table(
        "Inference",
        {{"Output tokens", human_count(i.tokens) + " (" + human_count(i.requests) + " requests)", ""},
         {"Replica",
          sig3(i.chips) + " chip(s), batch " + sig3(i.batch_size) + ", decode " + i.bound + "-bound", ""},
         {"Speed", sig3(i.tokens_per_second) + " tokens/s", ""},
         {"J per output token, facility", sig3(i.energy_per_token_j),
          sig3(iv.energy_per_token_j.low) + " \u2013 " + sig3(iv.energy_per_token_j.high)},
         {"Per request", sig3(i.energy_per_request_wh) + " Wh", ""},
         {"Energy, facility", human_energy_kwh(i.energy_kwh), range_energy(iv.energy_kwh)},
         {"CO2e, operational", human_mass_kg(i.co2e_kg), range_mass(iv.co2e_kg)},
         {"CO2e, embodied", human_mass_kg(i.embodied_co2e_kg), ""},
         {"Main uncertainty", std::string(i.main_uncertainty), ""}});
  }
  s += "<figure>\n" + estimate_chart(e) +
       "<figcaption>Energy and CO2e by component; error bars show the propagated range.</figcaption>\n"
       "</figure>\n";
  s += "<details open>\n<summary>Assumptions</summary>\n<table>\n<thead><tr><th scope=\"col\">input</th>"
       "<th scope=\"col\">value</th><th scope=\"col\">range</th><th scope=\"col\">origin</th>"
       "<th scope=\"col\">source</th></tr></thead>\n<tbody>\n";
  for (const auto& a : e.assumptions) {
    const std::string range =
        a.text.empty() && !a.value.is_exact() ? sig3(a.value.low) + " \u2013 " + sig3(a.value.high) : "";
    s += "<tr><th scope=\"row\">" + escape(a.key) + "</th><td>" + escape(assumption_value(a)) + "</td><td>" +
         escape(range) + "</td><td>" + escape(a.origin) + "</td><td class=\"source\">" + escape(a.source) +
         "</td></tr>\n";
  }
  s += "</tbody>\n</table>\n</details>\n";
  for (const auto& n : e.notes) {
    s += "<p>" + escape(n) + "</p>\n";
  }
  return s + "</main>\n</body>\n</html>\n";
}

}  // namespace llm_energy::cli
