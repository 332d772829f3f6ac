#include "llm_energy/metering.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <nlohmann/json.hpp>

#include "llm_energy/error.hpp"
#include "llm_energy/json_util.hpp"
#include "llm_energy/model.hpp"
#include "propagate.hpp"

namespace llm_energy {

namespace {

using json = nlohmann::ordered_json;

constexpr std::size_t idx(Uncertain u) {
  return static_cast<std::size_t>(u);
}

// The value at `pos` along a range: 0 its low end, 1 its value, 2 its high end. Estimated
// entries' power figures are varied this way, so that several entries (each with its own
// range) move together through one input of the propagation.
double along(const Range& r, double pos) {
  return pos < 1 ? r.low + pos * (r.value - r.low) : r.value + (pos - 1) * (r.high - r.value);
}

std::string chips_text(double chips) {
  if (chips == std::floor(chips) && chips < 1e15) {
    return std::to_string(static_cast<long long>(chips));
  }
  return std::to_string(chips);
}

std::string joined(const std::vector<std::string>& words) {
  std::string s;
  for (const auto& w : words) {
    s += (s.empty() ? "" : " ") + w;
  }
  return s;
}

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto low = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
           return low(x) == low(y);
         });
}

}  // namespace

std::string_view to_string(DeviceKind k) {
  switch (k) {
    case DeviceKind::cpu_package:
      return "cpu-package";
    case DeviceKind::dram:
      return "dram";
    case DeviceKind::gpu:
      return "gpu";
    case DeviceKind::server:
      return "server";
  }
  return "gpu";
}

std::string_view to_string(MeterMethod m) {
  switch (m) {
    case MeterMethod::counter:
      return "counter";
    case MeterMethod::power_sampling:
      return "power-sampling";
    case MeterMethod::estimated:
      return "estimated";
  }
  return "counter";
}

double DeviceEnergy::accelerator_j() const {
  if (estimate) {
    return estimate->duration_s * estimate->chips * estimate->accelerator_w.value;
  }
  return kind == DeviceKind::gpu ? energy_j : 0.0;
}

DeviceEnergy estimated_device(const Resolved& r, double chips, bool default_hardware, double duration_s) {
  PowerEstimate e;
  e.hardware = r.hardware->id;
  e.default_hardware = default_hardware;
  e.chips = chips;
  e.duration_s = duration_s;
  e.accelerator_w = r.range(Uncertain::accelerator_power);
  e.host_w = r.range(Uncertain::host_power);
  DeviceEnergy d;
  d.name = "estimate: " + chips_text(chips) + " x " + e.hardware;
  d.kind = DeviceKind::server;
  d.method = MeterMethod::estimated;
  d.energy_j = duration_s * chips * (e.accelerator_w.value + e.host_w.value);
  d.estimate = e;
  return d;
}

Interval energy_interval_j(const DeviceEnergy& d) {
  if (!d.estimate) {
    return {d.energy_j, d.energy_j};
  }
  const PowerEstimate& e = *d.estimate;
  detail::Inputs in{};
  for (auto& r : in) {
    r = Range::exact(0);
  }
  in[idx(Uncertain::accelerator_power)] = e.accelerator_w;
  in[idx(Uncertain::host_power)] = e.host_w;
  const double scale = e.duration_s * e.chips;
  const auto s = detail::propagate<1>(in, [scale](const detail::Point& x) {
    return std::array<double, 1>{scale *
                                 (x[idx(Uncertain::accelerator_power)] + x[idx(Uncertain::host_power)])};
  });
  return s[0].interval();
}

GridFigures grid_figures(const Grid& g) {
  GridFigures f;
  f.region = std::string(g.region_id());
  f.pue_operator = g.op != nullptr ? g.op->id : "";
  f.pue = g.pue;
  f.intensity = g.intensity;
  return f;
}

MeasuredFootprint account(const std::vector<DeviceEnergy>& devices, const GridFigures& grid) {
  MeasuredFootprint f;
  for (const auto& d : devices) {
    f.server_j += d.energy_j;
    f.accelerator_j += d.accelerator_j();
    f.estimated = f.estimated || d.estimate.has_value();
  }
  f.accelerator_kwh = f.accelerator_j / 3.6e6;
  f.server_kwh = f.server_j / 3.6e6;
  detail::Inputs in{};
  for (auto& r : in) {
    r = Range::exact(0);
  }
  // Positions along the estimated entries' power ranges (see along()); exact when none is.
  const Range position = f.estimated ? Range{0, 1, 2} : Range::exact(1);
  in[idx(Uncertain::accelerator_power)] = position;
  in[idx(Uncertain::host_power)] = position;
  in[idx(Uncertain::pue)] = grid.pue;
  in[idx(Uncertain::carbon_intensity)] = grid.intensity;
  const auto s = detail::propagate<4>(in, [&devices](const detail::Point& x) {
    double accelerator_j = 0;
    double server_j = 0;
    for (const auto& d : devices) {
      if (d.estimate) {
        const PowerEstimate& e = *d.estimate;
        const double acc =
            e.duration_s * e.chips * along(e.accelerator_w, x[idx(Uncertain::accelerator_power)]);
        accelerator_j += acc;
        server_j += acc + e.duration_s * e.chips * along(e.host_w, x[idx(Uncertain::host_power)]);
      } else {
        accelerator_j += d.accelerator_j();
        server_j += d.energy_j;
      }
    }
    const double kwh = model::facility_kwh(server_j / 3.6e6, x[idx(Uncertain::pue)]);
    return std::array<double, 4>{accelerator_j / 3.6e6, server_j / 3.6e6, kwh,
                                 model::co2e_kg(kwh, x[idx(Uncertain::carbon_intensity)])};
  });
  f.accelerator_interval = s[0].interval();
  f.server_interval = s[1].interval();
  f.energy_kwh = s[2].value;
  f.co2e_kg = s[3].value;
  f.energy_interval = s[2].interval();
  f.co2e_interval = s[3].interval();
  return f;
}

bool MeasurementReport::estimated() const {
  return std::any_of(devices.begin(), devices.end(),
                     [](const DeviceEnergy& d) { return d.estimate.has_value(); });
}

std::size_t MeasurementReport::gpus() const {
  return static_cast<std::size_t>(std::count_if(devices.begin(), devices.end(), [](const DeviceEnergy& d) {
    return d.kind == DeviceKind::gpu && d.method != MeterMethod::estimated;
  }));
}

// ---- Reading a report back ----

namespace {

// Typed access to one JSON object of a report, with errors naming the file and the key.
class Reader {
 public:
  Reader(const json& o, std::string file, std::string path)
      : m_o(o), m_file(std::move(file)), m_path(std::move(path)) {
    if (!o.is_object()) {
      fail("expected an object, got " + std::string(json_type_name(o)));
    }
  }

  [[noreturn]] void fail(const std::string& why, const std::string& key = "") const {
    const std::string at = m_path.empty() ? key : (key.empty() ? m_path : m_path + "." + key);
    throw InputError(m_file + ": " + (at.empty() ? "" : "key '" + at + "': ") + why);
  }

  [[nodiscard]] bool has(const char* key) const { return m_o.contains(key) && !m_o.at(key).is_null(); }

  [[nodiscard]] const json& at(const char* key) const {
    if (!m_o.contains(key)) {
      fail("missing", key);
    }
    return m_o.at(key);
  }

  [[nodiscard]] std::string text(const char* key) const {
    const json& v = at(key);
    if (!v.is_string()) {
      fail("expected a string, got " + std::string(json_type_name(v)), key);
    }
    return v.get<std::string>();
  }
  [[nodiscard]] std::string text_or(const char* key, const std::string& fallback) const {
    return has(key) ? text(key) : fallback;
  }

  [[nodiscard]] double number(const char* key) const {
    const json& v = at(key);
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      fail("expected a number, got " + std::string(json_type_name(v)), key);
    }
    return v.get<double>();
  }
  [[nodiscard]] double non_negative(const char* key) const {
    const double v = number(key);
    if (!(v >= 0)) {
      fail("must not be negative", key);
    }
    return v;
  }
  [[nodiscard]] std::optional<long long> whole(const char* key) const {
    if (!has(key)) {
      return std::nullopt;
    }
    const json& v = at(key);
    if (!v.is_number_integer()) {
      fail("expected a whole number, got " + std::string(json_type_name(v)), key);
    }
    return v.get<long long>();
  }
  [[nodiscard]] const json& array(const char* key) const {
    const json& v = at(key);
    if (!v.is_array()) {
      fail("expected an array, got " + std::string(json_type_name(v)), key);
    }
    return v;
  }
  [[nodiscard]] Reader object(const char* key) const {
    return Reader(at(key), m_file, m_path.empty() ? key : m_path + "." + key);
  }
  [[nodiscard]] Reader element(const json& v, const char* key, std::size_t i) const {
    return Reader(v, m_file,
                  (m_path.empty() ? std::string(key) : m_path + "." + key) + "[" + std::to_string(i) + "]");
  }
  [[nodiscard]] Range range(const char* key) const {
    const Reader r = object(key);
    Range out{r.number("low"), r.number("value"), r.number("high")};
    if (!(out.low <= out.value && out.value <= out.high)) {
      r.fail("needs low <= value <= high");
    }
    return out;
  }

 private:
  const json& m_o;
  std::string m_file;
  std::string m_path;
};

DeviceKind device_kind(const Reader& r, const std::string& s) {
  for (DeviceKind k : {DeviceKind::cpu_package, DeviceKind::dram, DeviceKind::gpu, DeviceKind::server}) {
    if (s == to_string(k)) {
      return k;
    }
  }
  r.fail("unknown device kind '" + s + "'", "kind");
}

MeterMethod meter_method(const Reader& r, const std::string& s) {
  for (MeterMethod m : {MeterMethod::counter, MeterMethod::power_sampling, MeterMethod::estimated}) {
    if (s == to_string(m)) {
      return m;
    }
  }
  r.fail("unknown method '" + s + "'", "method");
}

}  // namespace

MeasurementReport parse_measurement(std::string_view text, std::string_view name) {
  const std::string file(name);
  const json doc = parse_json(text, name);
  if (!doc.is_object()) {
    throw InputError(file + ": expected a JSON object (a report of llm-energy measure --format json)");
  }
  const Reader top(doc, file, "");
  const std::string schema = top.has("schema") && doc.at("schema").is_string() ? top.text("schema") : "";
  if (schema == k_merged_schema) {
    throw InputError(file + ": a merged report (" + std::string(k_merged_schema) +
                     "), not one node's: merge the per-node reports");
  }
  if (schema != k_measure_schema) {
    throw InputError(file + ": schema " + (schema.empty() ? std::string("missing") : "'" + schema + "'") +
                     ", not \"" + std::string(k_measure_schema) +
                     "\" (a report of llm-energy measure --format json)");
  }
  MeasurementReport r;
  const json& cmd = top.array("command");
  for (std::size_t i = 0; i < cmd.size(); ++i) {
    if (!cmd[i].is_string()) {
      top.fail("expected strings", "command");
    }
    r.command.push_back(cmd[i].get<std::string>());
  }
  const auto exit_code = top.whole("exit_code");
  if (!exit_code) {
    top.fail("missing", "exit_code");
  }
  r.exit_code = static_cast<int>(*exit_code);
  r.signal = static_cast<int>(top.whole("signal").value_or(0));
  r.duration_s = top.non_negative("duration_s");
  r.hardware = top.text_or("hardware", "");
  if (top.has("chips")) {
    r.chips = top.non_negative("chips");
  }
  const json& devices = top.array("devices");
  for (std::size_t i = 0; i < devices.size(); ++i) {
    const Reader d = top.element(devices[i], "devices", i);
    DeviceEnergy e;
    e.name = d.text("name");
    e.kind = device_kind(d, d.text("kind"));
    e.method = meter_method(d, d.text("method"));
    e.energy_j = d.non_negative("energy_j");
    if (e.method == MeterMethod::estimated) {
      const Reader x = d.object("estimate");
      PowerEstimate p;
      p.hardware = x.text("hardware");
      const json& dflt = x.at("default_hardware");
      if (!dflt.is_boolean()) {
        x.fail("expected true or false", "default_hardware");
      }
      p.default_hardware = dflt.get<bool>();
      p.chips = x.non_negative("chips");
      p.duration_s = r.duration_s;
      p.accelerator_w = x.range("accelerator_power_w");
      p.host_w = x.range("host_power_w");
      e.estimate = p;
    }
    r.devices.push_back(std::move(e));
  }
  const json& unreadable = top.array("unreadable");
  for (std::size_t i = 0; i < unreadable.size(); ++i) {
    const Reader u = top.element(unreadable[i], "unreadable", i);
    r.unreadable.push_back({u.text("source"), u.text("reason")});
  }
  if (top.has("warnings")) {
    const json& warnings = top.array("warnings");
    for (std::size_t i = 0; i < warnings.size(); ++i) {
      const Reader w = top.element(warnings[i], "warnings", i);
      r.warnings.push_back({w.text("source"), w.text("message")});
    }
  }
  if (top.has("job")) {
    const Reader j = top.object("job");
    r.job.launcher = j.text_or("launcher", "");
    r.job.node = j.text_or("node", "");
    r.job.job_id = j.text_or("job_id", "");
    r.job.job_name = j.text_or("job_name", "");
    r.job.node_id = j.whole("node_id");
    r.job.rank = j.whole("rank");
    r.job.local_rank = j.whole("local_rank");
    r.job.world_size = j.whole("world_size");
  }
  if (top.has("grid")) {
    const Reader g = top.object("grid");
    r.grid.region = g.text("region");
    r.grid.pue_operator = g.text_or("pue_operator", "");
    r.grid.pue = g.range("pue");
    r.grid.intensity = g.range("carbon_intensity");
  } else {
    // A report without the grid's ranges: its central figures.
    r.grid.region = top.text("region");
    r.grid.pue = Range::exact(top.non_negative("pue"));
    r.grid.intensity = Range::exact(top.non_negative("carbon_intensity"));
  }
  r.footprint = account(r.devices, r.grid);
  return r;
}

// ---- Merging ----

namespace {

std::string job_text(const NodeMeasurement& n) {
  return n.report.job.job_id.empty() ? n.file + " has no Slurm job id"
                                     : n.file + " is Slurm job " + n.report.job.job_id;
}

std::string grid_text(const GridFigures& g) {
  auto num = [](double v) {
    std::string s = std::to_string(v);
    s.erase(s.find_last_not_of('0') + 1);
    if (!s.empty() && s.back() == '.') {
      s.pop_back();
    }
    return s;
  };
  return "region " + g.region + ", PUE " + num(g.pue.value) + ", " + num(g.intensity.value) + " gCO2e/kWh";
}

}  // namespace

MergedMeasurement merge_measurements(std::vector<NodeMeasurement> nodes,
                                     const std::optional<GridFigures>& grid) {
  if (nodes.empty()) {
    throw InputError("measure --merge: no report to merge");
  }
  const NodeMeasurement& first = nodes.front();
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    const NodeMeasurement& n = nodes[i];
    if (n.report.job.node.empty()) {
      throw InputError(n.file + ": the report names no node (job.node): cannot tell nodes apart");
    }
    if (n.report.command != first.report.command) {
      throw InputError("measure --merge: " + n.file + " ran '" + joined(n.report.command) + "', " +
                       first.file + " ran '" + joined(first.report.command) +
                       "': reports of different commands are not one run");
    }
    if (n.report.job.job_id != first.report.job.job_id) {
      throw InputError("measure --merge: " + job_text(n) + ", " + job_text(first) +
                       ": reports of different jobs are not one run");
    }
    if (n.report.job.world_size && first.report.job.world_size &&
        *n.report.job.world_size != *first.report.job.world_size) {
      throw InputError("measure --merge: " + n.file + " has world size " +
                       std::to_string(*n.report.job.world_size) + ", " + first.file + " " +
                       std::to_string(*first.report.job.world_size) +
                       ": reports of different launches are not one run");
    }
    if (!grid && !(n.report.grid == first.report.grid)) {
      throw InputError("measure --merge: " + n.file + " was measured on " + grid_text(n.report.grid) + ", " +
                       first.file + " on " + grid_text(first.report.grid) +
                       ": give --region, --carbon-intensity or --pue to merge them on one grid");
    }
    for (std::size_t k = 0; k < i; ++k) {
      const JobInfo& a = nodes[k].report.job;
      const JobInfo& b = n.report.job;
      if (iequal(a.node, b.node) || (a.node_id && b.node_id && *a.node_id == *b.node_id)) {
        throw InputError("measure --merge: " + nodes[k].file + " and " + n.file + " both measured node " +
                         (iequal(a.node, b.node) ? "'" + b.node + "'" : "id " + std::to_string(*b.node_id)) +
                         " (one report per node: did two ranks of one node measure?)");
      }
    }
  }
  MergedMeasurement m;
  m.command = first.report.command;
  m.job.launcher = first.report.job.launcher;
  m.job.job_id = first.report.job.job_id;
  m.job.job_name = first.report.job.job_name;
  m.job.world_size = first.report.job.world_size;
  m.grid = grid ? *grid : first.report.grid;
  m.hardware = first.report.hardware;
  for (const auto& n : nodes) {
    if (n.report.hardware != m.hardware) {
      m.hardware.clear();
    }
  }
  std::stable_sort(nodes.begin(), nodes.end(), [](const NodeMeasurement& a, const NodeMeasurement& b) {
    const JobInfo& x = a.report.job;
    const JobInfo& y = b.report.job;
    if (x.node_id.has_value() != y.node_id.has_value()) {
      return x.node_id.has_value();
    }
    if (x.node_id && *x.node_id != *y.node_id) {
      return *x.node_id < *y.node_id;
    }
    return x.node < y.node;
  });
  std::vector<DeviceEnergy> all;
  for (auto& n : nodes) {
    n.report.grid = m.grid;
    n.report.footprint = account(n.report.devices, m.grid);
    m.duration_s = std::max(m.duration_s, n.report.duration_s);
    if (m.exit_code == 0) {
      m.exit_code = n.report.exit_code;
    }
    if (n.report.devices.empty() || n.report.estimated()) {
      m.nodes_without_counters.push_back(n.report.job.node);
    }
    all.insert(all.end(), n.report.devices.begin(), n.report.devices.end());
  }
  m.footprint = account(all, m.grid);
  m.nodes = std::move(nodes);
  return m;
}

}  // namespace llm_energy
