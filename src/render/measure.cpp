#include "render/measure.hpp"

#include <fmt/format.h>

#include <algorithm>

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

std::string joules_range(const Interval& i) {
  return joules_text(i.low) + "\u2013" + joules_text(i.high);
}

std::string range_text(const Range& r, const std::string& unit) {
  std::string t = sig3(r.value) + unit;
  if (r.low != r.value || r.high != r.value) {
    t += " (" + sig3(r.low) + "\u2013" + sig3(r.high) + unit + ")";
  }
  return t;
}

json range_json(const Range& r) {
  return {{"value", round6(r.value)}, {"low", round6(r.low)}, {"high", round6(r.high)}};
}

json interval_json(const Interval& i) {
  return json::array({round6(i.low), round6(i.high)});
}

template <class T>
json optional_json(const std::optional<T>& v) {
  return v ? json(*v) : json(nullptr);
}

json text_or_null(const std::string& s) {
  return s.empty() ? json(nullptr) : json(s);
}

// "measured", "estimated", or "partly-estimated" (a merge of measured and estimated nodes).
std::string method_of(const std::vector<DeviceEnergy>& devices) {
  const auto n = static_cast<std::size_t>(std::count_if(
      devices.begin(), devices.end(), [](const DeviceEnergy& d) { return d.estimate.has_value(); }));
  return n == 0 ? "measured" : n == devices.size() ? "estimated" : "partly-estimated";
}

json device_json(const DeviceEnergy& d, double duration_s) {
  json o{{"name", d.name},
         {"kind", to_string(d.kind)},
         {"energy_j", round6(d.energy_j)},
         {"average_power_w", round6(duration_s > 0 ? d.energy_j / duration_s : 0.0)},
         {"method", to_string(d.method)}};
  if (d.estimate) {
    const PowerEstimate& e = *d.estimate;
    o["range_j"] = interval_json(energy_interval_j(d));
    o["accelerator_energy_j"] = round6(d.accelerator_j());
    o["estimate"] = {{"hardware", e.hardware},
                     {"default_hardware", e.default_hardware},
                     {"chips", round6(e.chips)},
                     {"accelerator_power_w", range_json(e.accelerator_w)},
                     {"host_power_w", range_json(e.host_w)}};
  }
  return o;
}

json notes_json(const std::vector<Unreadable>& unreadable, const std::vector<MeterWarning>& warnings,
                json& out) {
  json u = json::array();
  for (const auto& x : unreadable) {
    u.push_back({{"source", x.source}, {"reason", x.reason}});
  }
  json w = json::array();
  for (const auto& x : warnings) {
    w.push_back({{"source", x.source}, {"message", x.message}});
  }
  out["unreadable"] = u;
  out["warnings"] = w;
  return out;
}

json grid_json(const GridFigures& g) {
  return {{"region", g.region},
          {"pue_operator", text_or_null(g.pue_operator)},
          {"pue", range_json(g.pue)},
          {"carbon_intensity", range_json(g.intensity)}};
}

// The totals and the grid, as both schemas end.
void footprint_json(const MeasuredFootprint& fp, const GridFigures& g, json& j) {
  j["accelerator_energy_kwh"] = round6(fp.accelerator_kwh);
  j["server_energy_kwh"] = round6(fp.server_kwh);
  j["energy_kwh"] = round6(fp.energy_kwh);
  j["co2e_kg"] = round6(fp.co2e_kg);
  j["pue"] = round6(g.pue.value);
  j["carbon_intensity"] = round6(g.intensity.value);
  j["region"] = g.region;
  j["grid"] = grid_json(g);
  j["interval"] = {{"accelerator_energy_kwh", interval_json(fp.accelerator_interval)},
                   {"server_energy_kwh", interval_json(fp.server_interval)},
                   {"energy_kwh", interval_json(fp.energy_interval)},
                   {"co2e_kg", interval_json(fp.co2e_interval)}};
}

std::string pue_source(const GridFigures& g) {
  return g.pue_operator.empty() ? "--pue" : "operator " + g.pue_operator;
}

// The totals block (accelerators, server, facility, CO2e) of both tables.
std::string totals_table(const MeasuredFootprint& fp, const GridFigures& g, double duration) {
  auto power_of = [&](double j) { return duration > 0 ? j / duration : 0.0; };
  auto range_of = [&](const Interval& kwh) {
    return fp.estimated ? " range " + joules_range({kwh.low * 3.6e6, kwh.high * 3.6e6}) : std::string();
  };
  TextTable s({{"", Align::left, 65}, {"", Align::right, 12}, {"", Align::right, 10}, {}}, "  ", " ");
  s.add({"accelerators (GPUs)", joules_text(fp.accelerator_j), sig3(power_of(fp.accelerator_j)),
         range_of(fp.accelerator_interval)});
  s.add({"server (GPUs + CPU packages + DRAM)", joules_text(fp.server_j), sig3(power_of(fp.server_j)),
         range_of(fp.server_interval)});
  s.add({"facility (server x PUE)", joules_text(fp.energy_kwh * 3.6e6), sig3(power_of(fp.energy_kwh * 3.6e6)),
         " PUE " + sig3(g.pue.value) + " (" + pue_source(g) + ");" + " range " +
             joules_range({fp.energy_interval.low * 3.6e6, fp.energy_interval.high * 3.6e6})});
  s.add({"CO2e, location-based", human_mass_kg(fp.co2e_kg), "",
         " at " + sig3(g.intensity.value) + " gCO2e/kWh (" + g.region + "); range " +
             human_mass_kg(fp.co2e_interval.low) + "\u2013" + human_mass_kg(fp.co2e_interval.high)});
  return s.str(false);
}

std::string job_line(const JobInfo& j) {
  std::vector<std::string> parts;
  if (!j.job_id.empty()) {
    parts.push_back("Slurm job " + j.job_id + (j.job_name.empty() ? "" : " (" + j.job_name + ")"));
  }
  if (!j.launcher.empty()) {
    std::string r = "under " + j.launcher;
    if (j.rank) {
      r += ", rank " + std::to_string(*j.rank) + (j.world_size ? " of " + std::to_string(*j.world_size) : "");
    }
    if (j.local_rank) {
      r += ", local rank " + std::to_string(*j.local_rank);
    }
    parts.push_back(r);
  }
  if (j.node_id) {
    parts.push_back("node id " + std::to_string(*j.node_id));
  }
  std::string line;
  for (const auto& p : parts) {
    line += (line.empty() ? "" : "; ") + p;
  }
  return line;
}

// The lines that say how an estimated entry was computed.
std::string estimate_lines(const DeviceEnergy& d) {
  const PowerEstimate& e = *d.estimate;
  std::string t = fmt::format("  method: estimated (no counter could be read): {} x {} for {} s\n", e.chips,
                              e.hardware, sig3(e.duration_s));
  t += fmt::format("    per chip: accelerator {} + host {}; energy {} (range {})\n",
                   range_text(e.accelerator_w, " W"), range_text(e.host_w, " W"), joules_text(d.energy_j),
                   joules_range(energy_interval_j(d)));
  if (e.default_hardware) {
    t += fmt::format(
        "    {} is the default hardware: give --hardware ID (and --chips N) for the accelerators used\n",
        e.hardware);
  }
  return t;
}

std::string devices_table(const std::vector<DeviceEnergy>& devices, double duration) {
  auto power_of = [&](double j) { return duration > 0 ? j / duration : 0.0; };
  TextTable t({{"device", Align::left, 36, 36},
               {"kind", Align::left, 12},
               {"method", Align::left, 15},
               {"energy", Align::right, 12},
               {"avg W", Align::right, 10}},
              "  ", " ");
  for (const auto& d : devices) {
    t.add({d.name, std::string(to_string(d.kind)), std::string(to_string(d.method)), joules_text(d.energy_j),
           sig3(power_of(d.energy_j))});
  }
  std::string body = t.str();
  if (devices.empty()) {
    body += "  (no device could be read)\n";
  }
  for (const auto& d : devices) {
    if (d.estimate) {
      body += estimate_lines(d);
    }
  }
  return body;
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
    if (r.estimated()) {
      const PowerEstimate& e = *r.devices.front().estimate;
      line += " (nothing measured: estimated from " + e.hardware + "'s power figures" +
              (e.default_hardware ? ", the default hardware: give --hardware ID" : "") + ")";
    } else {
      line += r.devices.empty() ? " (nothing measured)" : " (measured the rest)";
    }
  }
  for (const auto& w : r.warnings) {
    line += sep + w.source + ": " + w.message;
    sep = "; ";
  }
  return line;
}

std::string render_measurement(const MeasurementReport& r, Format f) {
  const double duration = r.duration_s;
  const MeasuredFootprint& fp = r.footprint;
  if (f == Format::json) {
    json devs = json::array();
    for (const auto& d : r.devices) {
      devs.push_back(device_json(d, duration));
    }
    const JobInfo& jb = r.job;
    json j{{"schema", k_measure_schema},
           {"version", k_version},
           {"command", r.command},
           {"exit_code", r.exit_code},
           {"signal", r.signal},
           {"duration_s", round6(duration)},
           {"method", method_of(r.devices)},
           {"hardware", text_or_null(r.hardware)},
           {"chips", optional_json(r.chips)},
           {"job",
            {{"launcher", text_or_null(jb.launcher)},
             {"node", jb.node},
             {"job_id", text_or_null(jb.job_id)},
             {"job_name", text_or_null(jb.job_name)},
             {"node_id", optional_json(jb.node_id)},
             {"rank", optional_json(jb.rank)},
             {"local_rank", optional_json(jb.local_rank)},
             {"world_size", optional_json(jb.world_size)}}},
           {"devices", devs},
           {"gpus", r.gpus()}};
    footprint_json(fp, r.grid, j);
    notes_json(r.unreadable, r.warnings, j);
    return j.dump(2) + "\n";
  }
  if (f != Format::table) {
    throw InputError("measure: --format must be table or json");
  }
  std::string text = fmt::format("measured: {}\n", command_text(r.command));
  text += fmt::format("  exit code {}{} after {} s\n", r.exit_code,
                      r.signal ? fmt::format(" (killed by signal {})", r.signal) : "", sig3(duration));
  if (const std::string jl = job_line(r.job); !jl.empty()) {
    text += fmt::format("  node {}: {}\n", r.job.node, jl);
  }
  return text + devices_table(r.devices, duration) + totals_table(fp, r.grid, duration);
}

std::string render_merged(const MergedMeasurement& m, Format f) {
  if (f == Format::json) {
    json nodes = json::array();
    std::vector<DeviceEnergy> all;
    std::size_t gpus = 0;
    for (const auto& n : m.nodes) {
      const MeasurementReport& r = n.report;
      json devs = json::array();
      for (const auto& d : r.devices) {
        devs.push_back(device_json(d, r.duration_s));
      }
      json o{{"node", r.job.node},
             {"file", n.file},
             {"node_id", optional_json(r.job.node_id)},
             {"rank", optional_json(r.job.rank)},
             {"local_rank", optional_json(r.job.local_rank)},
             {"exit_code", r.exit_code},
             {"duration_s", round6(r.duration_s)},
             {"method", method_of(r.devices)},
             {"gpus", r.gpus()},
             {"accelerator_energy_kwh", round6(r.footprint.accelerator_kwh)},
             {"server_energy_kwh", round6(r.footprint.server_kwh)},
             {"devices", devs}};
      notes_json(r.unreadable, r.warnings, o);
      nodes.push_back(o);
      all.insert(all.end(), r.devices.begin(), r.devices.end());
      gpus += r.gpus();
    }
    json j{{"schema", k_merged_schema},
           {"version", k_version},
           {"command", m.command},
           {"method", method_of(all)},
           {"exit_code", m.exit_code},
           {"duration_s", round6(m.duration_s)},
           {"hardware", text_or_null(m.hardware)},
           {"job",
            {{"launcher", text_or_null(m.job.launcher)},
             {"job_id", text_or_null(m.job.job_id)},
             {"job_name", text_or_null(m.job.job_name)},
             {"world_size", optional_json(m.job.world_size)}}},
           {"node_count", m.nodes.size()},
           {"nodes", nodes},
           {"nodes_without_counters", m.nodes_without_counters},
           {"gpus", gpus}};
    footprint_json(m.footprint, m.grid, j);
    return j.dump(2) + "\n";
  }
  if (f != Format::table) {
    throw InputError("measure --merge: --format must be table or json");
  }
  std::string text = fmt::format("merged {} node{}: {}\n", m.nodes.size(), m.nodes.size() == 1 ? "" : "s",
                                 command_text(m.command));
  JobInfo j = m.job;
  text += fmt::format("  {}{}longest node {} s\n", job_line(j), job_line(j).empty() ? "" : "; ",
                      sig3(m.duration_s));
  TextTable t({{"node", Align::left, 20, 20},
               {"id", Align::right, 4},
               {"devices", Align::right, 7},
               {"method", Align::left, 22, 22},
               {"duration", Align::right, 9},
               {"accelerators", Align::right, 12},
               {"server", Align::right, 12},
               {"exit", Align::right, 4}},
              "  ", " ");
  for (const auto& n : m.nodes) {
    const MeasurementReport& r = n.report;
    std::string methods;
    for (const auto& d : r.devices) {
      const std::string w(to_string(d.method));
      if (("+" + methods + "+").find("+" + w + "+") == std::string::npos) {
        methods += (methods.empty() ? "" : "+") + w;
      }
    }
    t.add({r.job.node, r.job.node_id ? std::to_string(*r.job.node_id) : "-", std::to_string(r.devices.size()),
           methods.empty() ? "none" : methods, sig3(r.duration_s) + " s",
           joules_text(r.footprint.accelerator_j), joules_text(r.footprint.server_j),
           std::to_string(r.exit_code)});
  }
  text += t.str() + totals_table(m.footprint, m.grid, m.duration_s);
  if (!m.nodes_without_counters.empty()) {
    std::string list;
    for (const auto& n : m.nodes_without_counters) {
      list += (list.empty() ? "" : ", ") + n;
    }
    text +=
        fmt::format("  no readable counters on {} node{}: {} (estimated from the hardware's power figures)\n",
                    m.nodes_without_counters.size(), m.nodes_without_counters.size() == 1 ? "" : "s", list);
  }
  return text;
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
