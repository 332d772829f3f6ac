#include "render/measure.hpp"

#include <fmt/format.h>

#include "llm_energy/error.hpp"
#include "llm_energy/version.hpp"
#include "render/format_units.hpp"
#include "render/text_table.hpp"

namespace llm_energy::render {
namespace {

using json = nlohmann::ordered_json;

std::string joules_text(double j) {
  if (j < 3600.0) {
    return sig3(j) + " J";
  }
  return human_energy_kwh(j / 3.6e6);
}

}  // namespace

std::string command_text(const std::vector<std::string>& cmd) {
  std::string s;
  for (const auto& a : cmd) {
    const bool quote = a.empty() || a.find_first_of(" \t'\"\\$`;&|<>()*?") != std::string::npos;
    s += (s.empty() ? "" : " ") + (quote ? "'" + a + "'" : a);
  }
  return s;
}

std::string warning_line(const MeasurementReport& r) {
  if (r.unreadable.empty() && r.warnings.empty()) {
    return "";
  }
  std::string line = "warning: ";
  std::string sep;
  for (const auto& u : r.unreadable) {
    line += sep + "cannot read " + u.source + ": " + u.reason;
    sep = "; ";
  }
  if (!r.unreadable.empty()) {
    line += r.devices.empty() ? " (nothing measured)" : " (measured the rest)";
  }
  for (const auto& w : r.warnings) {
    line += sep + w.source + ": " + w.message;
    sep = "; ";
  }
  return line;
}

std::string render_measurement(const MeasurementReport& r, Format f) {
  const double duration = r.duration_s;
  auto power_of = [&](double j) { return duration > 0 ? j / duration : 0.0; };
  const MeasuredFootprint& fp = r.footprint;
  if (f == Format::json) {
    json devs = json::array();
    for (const auto& d : r.devices) {
      devs.push_back({{"name", d.name},
                      {"kind", to_string(d.kind)},
                      {"energy_j", round6(d.energy_j)},
                      {"average_power_w", round6(power_of(d.energy_j))},
                      {"method", to_string(d.method)}});
    }
    json unread = json::array();
    for (const auto& u : r.unreadable) {
      unread.push_back({{"source", u.source}, {"reason", u.reason}});
    }
    json warnings = json::array();
    for (const auto& w : r.warnings) {
      warnings.push_back({{"source", w.source}, {"message", w.message}});
    }
    json j{{"schema", "llm-energy/measure/1"},
           {"version", k_version},
           {"command", r.command},
           {"exit_code", r.exit_code},
           {"duration_s", round6(duration)},
           {"devices", devs},
           {"accelerator_energy_kwh", round6(fp.accelerator_kwh)},
           {"server_energy_kwh", round6(fp.server_kwh)},
           {"energy_kwh", round6(fp.energy_kwh)},
           {"co2e_kg", round6(fp.co2e_kg)},
           {"pue", round6(r.grid.pue.value)},
           {"carbon_intensity", round6(r.grid.intensity.value)},
           {"region", r.grid.region_id()},
           {"interval",
            {{"energy_kwh", json::array({round6(fp.energy_interval.low), round6(fp.energy_interval.high)})},
             {"co2e_kg", json::array({round6(fp.co2e_interval.low), round6(fp.co2e_interval.high)})}}},
           {"unreadable", unread},
           {"warnings", warnings}};
    return j.dump(2) + "\n";
  }
  if (f != Format::table) {
    throw InputError("measure: --format must be table or json");
  }
  std::string text = fmt::format("measured: {}\n", command_text(r.command));
  text += fmt::format("  exit code {}{} after {} s\n", r.exit_code,
                      r.signal ? fmt::format(" (killed by signal {})", r.signal) : "", sig3(duration));
  TextTable t({{"device", Align::left, 36, 36},
               {"kind", Align::left, 12},
               {"method", Align::left, 15},
               {"energy", Align::right, 12},
               {"avg W", Align::right, 10}},
              "  ", " ");
  for (const auto& d : r.devices) {
    t.add({d.name, std::string(to_string(d.kind)), std::string(to_string(d.method)), joules_text(d.energy_j),
           sig3(power_of(d.energy_j))});
  }
  const std::string pue_source = r.grid.op != nullptr ? "operator " + r.grid.op->id : "--pue";
  std::string body = t.str();
  if (r.devices.empty()) {
    body += "  (no device could be read)\n";
  }
  TextTable s({{"", Align::left, 65}, {"", Align::right, 12}, {"", Align::right, 10}, {}}, "  ", " ");
  s.add({"accelerators (GPUs)", joules_text(fp.accelerator_j), sig3(power_of(fp.accelerator_j)), ""});
  s.add({"server (GPUs + CPU packages + DRAM)", joules_text(fp.server_j), sig3(power_of(fp.server_j)), ""});
  s.add({"facility (server x PUE)", joules_text(fp.energy_kwh * 3.6e6), sig3(power_of(fp.energy_kwh * 3.6e6)),
         " PUE " + sig3(r.grid.pue.value) + " (" + pue_source + ")"});
  s.add({"CO2e, location-based", human_mass_kg(fp.co2e_kg), "",
         " at " + sig3(r.grid.intensity.value) + " gCO2e/kWh (" + std::string(r.grid.region_id()) + ")"});
  return text + body + s.str(false);
}

std::string render_calibration(const CalibrationResult& r, const Hardware& hw, std::string_view inputs,
                               std::string_view profile_file, Format f) {
  const Profile& p = r.profile;
  if (f == Format::json) {
    json j{{"schema", "llm-energy/calibration/1"},
           {"profile_file", profile_file},
           {"profile", json::parse(profile_to_json(p))},
           {"runs_with_gpu_energy", r.runs_with_gpu_energy},
           {"host_power_from_catalog", r.host_from_catalog},
           {"median_abs_error_before", round6(r.median_abs_error_before)},
           {"median_abs_error_after", round6(r.median_abs_error_after)}};
    return j.dump(2) + "\n";
  }
  auto spread = [](const Fitted& x) { return sig3(x.low) + "\u2013" + sig3(x.high); };
  auto datum_text = [](const Datum& d) {
    return sig3(d.value) +
           (d.low != d.value || d.high != d.value ? " (" + sig3(d.low) + "\u2013" + sig3(d.high) + ")" : "");
  };
  auto percent = [](double v) { return fmt::format("{:.1f}%", 100.0 * v); };
  std::string t =
      fmt::format("calibrated {} on {} run{} ({})\n", p.hardware, p.runs, p.runs == 1 ? "" : "s", inputs);
  TextTable fit({{"", Align::left, 20},
                 {"fitted", Align::right, 8},
                 {"min\u2013max", Align::left, 15},
                 {"catalog default"}},
                "  ", "  ");
  fit.add({"training_mfu", sig3(p.training_mfu.value), spread(p.training_mfu), datum_text(hw.training_mfu)});
  fit.add({"avg_power_fraction", sig3(p.avg_power_fraction.value), spread(p.avg_power_fraction),
           datum_text(hw.avg_power_fraction)});
  fit.add({"host_power_w", sig3(p.host_power_w.value), spread(p.host_power_w),
           datum_text(hw.host_power_w) + (r.host_from_catalog ? "  (kept: no GPU energy in the runs)" : "")});
  t += fit.str();
  if (!r.host_from_catalog && r.runs_with_gpu_energy < p.runs) {
    t += fmt::format("  power figures from the {} runs with GPU energy\n", r.runs_with_gpu_energy);
  }
  t += fmt::format(
      "  server energy predicted from params, tokens and chips, median |error| over these runs:\n"
      "    with catalog defaults  {}\n    with the profile       {}\n",
      percent(r.median_abs_error_before), percent(r.median_abs_error_after));
  return t + fmt::format("wrote {}\n", profile_file);
}

}  // namespace llm_energy::render
