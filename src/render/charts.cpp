#include "render/charts.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <map>

#include "llm_energy/error.hpp"
#include "llm_energy/version.hpp"
#include "render/format_units.hpp"
#include "render/svg.hpp"

namespace llm_energy::render {
namespace {

struct Split {
  double accelerator, host, overhead, facility;
};

Split split(double accel, double server, double facility) {
  return {accel, std::max(server - accel, 0.0), std::max(facility - server, 0.0), facility};
}

void add_phase(svg::BarChart& c, const std::string& label, const Split& s, const Interval& energy,
               double co2e, const Interval& co2e_iv, double embodied) {
  svg::Bar eb;
  eb.label = label;
  eb.segments = {s.accelerator, s.host, s.overhead};
  eb.low = energy.low;
  eb.high = energy.high;
  eb.annotation = human_energy_kwh(s.facility);
  c.panels[0].bars.push_back(eb);
  // Operational CO2e shared in proportion to the energy, then embodied on top.
  const double k = s.facility > 0 ? co2e / s.facility : 0;
  svg::Bar cb;
  cb.label = label;
  cb.segments = {s.accelerator * k, s.host * k, s.overhead * k, embodied};
  cb.low = co2e_iv.low + embodied;
  cb.high = co2e_iv.high + embodied;
  cb.annotation = human_mass_kg(co2e + embodied);
  c.panels[1].bars.push_back(cb);
}

}  // namespace

std::string estimate_chart(const Estimate& e, std::string_view scenario) {
  svg::BarChart c;
  c.title = "llm-energy " + std::string(k_version) + ": " + std::string(e.hardware) + ", region " +
            std::string(e.region);
  c.subtitle = std::string(scenario);
  c.series = {"accelerators", "host (rest of the servers)", "facility overhead (PUE)", "embodied"};
  c.panels = {{"Energy (facility)", svg::Quantity::energy_kwh, {}},
              {"CO2e (operational + embodied)", svg::Quantity::mass_kg, {}}};
  c.error_bars_in_legend = true;
  std::string desc = "Stacked bars of energy and CO2e by component;";
  if (e.training) {
    const auto& t = *e.training;
    add_phase(c, "Training", split(t.accelerator_energy_kwh, t.server_energy_kwh, t.energy_kwh),
              t.interval.energy_kwh, t.co2e_kg, t.interval.co2e_kg, t.embodied_co2e_kg);
    desc += " training " +
            energy_with_range(t.energy_kwh, t.interval.energy_kwh.low, t.interval.energy_kwh.high) + ", " +
            mass_with_range(t.co2e_kg, t.interval.co2e_kg.low, t.interval.co2e_kg.high) +
            " operational CO2e plus " + human_mass_kg(t.embodied_co2e_kg) + " embodied;";
  }
  if (e.inference) {
    const auto& i = *e.inference;
    add_phase(c, "Inference", split(i.accelerator_energy_kwh, i.server_energy_kwh, i.energy_kwh),
              i.interval.energy_kwh, i.co2e_kg, i.interval.co2e_kg, i.embodied_co2e_kg);
    desc += " inference " +
            energy_with_range(i.energy_kwh, i.interval.energy_kwh.low, i.interval.energy_kwh.high) + ", " +
            mass_with_range(i.co2e_kg, i.interval.co2e_kg.low, i.interval.co2e_kg.high) +
            " operational CO2e plus " + human_mass_kg(i.embodied_co2e_kg) + " embodied;";
  }
  c.desc = desc + " error bars show the propagated range.";
  return svg::bar_chart(c);
}

std::string compare_chart(const whatif::Comparison& cmp, std::string_view scenario) {
  svg::BarChart c;
  c.title = "llm-energy " + std::string(k_version) + ": baseline and what-if variants";
  c.subtitle = scenario.empty() ? std::string() : "baseline: " + std::string(scenario);
  c.series = {"facility energy", "operational CO2e (location-based)"};
  c.panels = {{"Energy (facility)", svg::Quantity::energy_kwh, {}},
              {"CO2e (operational)", svg::Quantity::mass_kg, {}}};
  c.error_bars_in_legend = true;
  std::string desc = "Bars per variant:";
  std::vector<const whatif::Row*> rows = {&cmp.baseline};
  for (const auto& v : cmp.variants) {
    rows.push_back(&v);
  }
  for (const whatif::Row* r : rows) {
    // The row's totals (all phases and any distillation) with their combined ranges.
    const double energy = r->totals.energy_kwh.value;
    const double co2e = r->totals.co2e_kg.value;
    const Interval ei = r->totals.energy_kwh.interval();
    const Interval ci = r->totals.co2e_kg.interval();
    c.panels[0].bars.push_back({r->label, {energy}, ei.low, ei.high, human_energy_kwh(energy)});
    c.panels[1].bars.push_back({r->label, {0, co2e}, ci.low, ci.high, human_mass_kg(co2e)});
    desc += " " + r->label + " " + human_energy_kwh(energy) + ", " + human_mass_kg(co2e) + ";";
  }
  c.desc = desc + " error bars show the propagated range.";
  return svg::bar_chart(c);
}

const std::vector<std::string>& sweep_plot_figures() {
  static const std::vector<std::string> k = {"energy", "co2e", "chip-hours"};
  return k;
}

double sweep_plot_value(const Estimate& e, const std::string& figure) {
  if (figure == "co2e") {
    return e.total.co2e_kg.value;
  }
  if (figure == "chip-hours") {
    return e.total.chip_hours.value;
  }
  return e.total.energy_kwh.value;
}

std::string short_count(const std::string& value) {
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (value.empty() || end == value.c_str() || *end != '\0' || !std::isfinite(v)) {
    return value;
  }
  static constexpr std::array<std::pair<double, const char*>, 4> k_suffixes = {
      {{1e12, "T"}, {1e9, "B"}, {1e6, "M"}, {1e3, "k"}}};
  for (const auto& [scale, suffix] : k_suffixes) {
    if (std::fabs(v) >= scale) {
      return fmt::format("{:.4g}{}", v / scale, suffix);
    }
  }
  return fmt::format("{:.4g}", v);
}

std::string sweep_chart(const std::vector<std::string>& keys, const std::vector<SweepPoint>& pts,
                        const SweepPlot& plot) {
  if (keys.empty()) {
    throw InputError("--plot needs at least one swept flag (a comma list or a range)");
  }
  const std::size_t xi = plot.x < keys.size() ? plot.x : 0;
  const std::string& xkey = keys[xi];
  const bool co2e = plot.y == "co2e";
  const bool hours = plot.y == "chip-hours";
  const std::string what = co2e ? "operational CO2e" : hours ? "chip-hours" : "facility energy";
  svg::LineChart c;
  c.x_label = "--" + xkey;
  c.y_label = co2e ? "CO2e (operational)" : hours ? "Chip-hours" : "Energy (facility)";
  c.y_quantity = co2e ? svg::Quantity::mass_kg : hours ? svg::Quantity::plain : svg::Quantity::energy_kwh;
  c.log_x = plot.log_x;
  std::map<std::string, svg::Series> lines;
  std::vector<std::string> order;
  std::vector<std::string> others;
  for (std::size_t k = 0; k < keys.size(); ++k) {
    if (k != xi) {
      others.push_back("--" + keys[k]);
    }
  }
  for (const auto& p : pts) {
    std::string name;
    for (std::size_t k = 0; k < keys.size() && k < p.values.size(); ++k) {
      if (k != xi) {
        name += (name.empty() ? "" : ", ") + keys[k] + "=" + short_count(p.values[k]);
      }
    }
    if (name.empty()) {
      name = what;
    }
    const std::string& xv = xi < p.values.size() ? p.values[xi] : std::string();
    char* end = nullptr;
    const double x = std::strtod(xv.c_str(), &end);
    if (end == xv.c_str() || *end != '\0') {
      throw InputError("--plot: the x axis (--" + xkey + ") must be numeric, not '" + xv.substr(0, 20) +
                       "'; choose another with --plot-x");
    }
    auto [it, fresh] = lines.try_emplace(name, svg::Series{name, {}, {}});
    if (fresh) {
      order.push_back(name);
    }
    it->second.x.push_back(x);
    it->second.y.push_back(p.y);
  }
  if (order.size() > 21) {
    throw InputError("--plot: " + std::to_string(order.size()) +
                     " lines (combinations of the other swept flags); at most 21 are readable");
  }
  c.title =
      "llm-energy " + std::string(k_version) + ": " + what + " against --" + xkey +
      (others.empty() ? std::string() : " (one line per " + fmt::format("{}", fmt::join(others, ", ")) + ")");
  std::string desc = what + " for each value of --" + xkey + ";";
  desc[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(desc[0])));
  auto show = [&](double v) {
    return co2e ? human_mass_kg(v) : hours ? human_count(v) : human_energy_kwh(v);
  };
  for (const auto& n : order) {
    auto& s = lines.at(n);
    c.series.push_back(s);
    desc += " " + n + ": " + show(*std::min_element(s.y.begin(), s.y.end())) + " to " +
            show(*std::max_element(s.y.begin(), s.y.end())) + ";";
  }
  c.desc = desc;
  return svg::line_chart(c);
}

std::string fleet_chart(const Estimate& e) {
  const FleetEstimate& f = *e.inference->fleet;
  svg::LineChart c;
  c.title = "llm-energy " + std::string(k_version) + ": serving fleet over the day (" +
            std::string(e.hardware) + ", " + std::string(f.provisioning) + ")";
  c.x_label = "hour of the day";
  c.x_unit = "h";
  c.y_quantity = svg::Quantity::plain;
  c.y_label = "Share of the day's peak [fraction]";
  c.log_x = false;
  c.log_y = false;
  double peak_load = 0;
  double peak_prov = 0;
  double peak_power = 0;
  for (const auto& iv : f.intervals) {
    peak_load = std::max(peak_load, iv.requests_per_s);
    peak_prov = std::max(peak_prov, iv.replicas_provisioned);
    peak_power = std::max(peak_power, iv.power_kw);
  }
  svg::Series load{"load (peak " + sig3(peak_load) + " requests/s)", {}, {}};
  svg::Series prov{"replicas provisioned (peak " + sig3(peak_prov) + ")", {}, {}};
  svg::Series busy{"replicas busy (same scale)", {}, {}};
  svg::Series power{"facility power (peak " + sig3(peak_power) + " kW)", {}, {}};
  for (const auto& iv : f.intervals) {
    // Steps: each interval's value at its start and its end.
    for (double x : {iv.start_h, iv.start_h + iv.hours}) {
      load.x.push_back(x);
      load.y.push_back(peak_load > 0 ? iv.requests_per_s / peak_load : 0.0);
      prov.x.push_back(x);
      prov.y.push_back(peak_prov > 0 ? iv.replicas_provisioned / peak_prov : 0.0);
      busy.x.push_back(x);
      busy.y.push_back(peak_prov > 0 ? iv.replicas_busy / peak_prov : 0.0);
      power.x.push_back(x);
      power.y.push_back(peak_power > 0 ? iv.power_kw / peak_power : 0.0);
    }
  }
  c.series = {load, prov, busy, power};
  c.desc =
      "Load, replicas provisioned and busy, and facility power per interval of the day, each as a share of "
      "its peak; " +
      human_count(f.requests_per_day) + " requests a day, " + sig3(f.chips_peak) + " chips at the peak, " +
      energy_with_range(f.energy_kwh, f.interval.energy_kwh.low, f.interval.energy_kwh.high) +
      " a day at the facility.";
  return svg::line_chart(c);
}

std::string schedule_chart(const std::vector<whatif::IntensitySeries>& series,
                           const whatif::ScheduleResult& r, const whatif::ScheduleRequest& q) {
  std::int64_t t0 = series.front().start;
  for (const auto& s : series) {
    t0 = std::min(t0, s.start);
  }
  svg::LineChart c;
  c.title = "llm-energy " + std::string(k_version) + ": grid intensity and the chosen window";
  c.x_label = "hours from " + whatif::format_utc(t0);
  c.x_unit = "h";
  c.y_quantity = svg::Quantity::plain;
  c.y_label = "Grid intensity [gCO2e/kWh]";
  c.log_x = false;
  c.log_y = false;
  for (const auto& s : series) {
    svg::Series line{s.region, {}, {}};
    for (std::size_t i = 0; i < s.g_per_kwh.size(); ++i) {
      line.x.push_back(static_cast<double>(s.start - t0) / 3600.0 + static_cast<double>(i));
      line.y.push_back(s.g_per_kwh[i]);
    }
    c.series.push_back(line);
  }
  const double b0 = static_cast<double>(r.best_start - t0) / 3600.0;
  c.band = std::pair{b0, b0 + q.duration_hours};
  c.band_label = "chosen window: " + r.best_region;
  c.desc = "Hourly grid intensity of " + std::to_string(series.size()) +
           " series; the shaded window starts " + whatif::format_utc(r.best_start) + " in " + r.best_region +
           " (" + human_mass_kg(r.best_co2e_kg) + " CO2e, against " + human_mass_kg(r.immediate_co2e_kg) +
           " starting immediately).";
  return svg::line_chart(c);
}

}  // namespace llm_energy::render
