#include "llm_energy/calibrate.hpp"

#include "llm_energy/estimate.hpp"
#include "llm_energy/resolve.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/json_util.hpp"
#include "llm_energy/metering.hpp"
#include "llm_energy/model.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy {
namespace {

using json = nlohmann::ordered_json;

constexpr double k_seconds_per_hour = 3600.0;
constexpr double k_max_power_fraction = 1.5;  // as a hardware file's avg_power_fraction

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Fitted fit(const std::vector<double>& v) {
  return {median(v), *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end())};
}

// The peak at the default compute precision (resolve's choice with no --precision).
double default_peak_flops(const Hardware& hw) {
  return hw.peak(default_precision(hw))->value * 1e12;
}

// What estimate() makes of a run: its FLOPs (attention included) and the terms of the
// utilisation model at the run's size and chip count (model::training_efficiency), so that the
// ceiling that reproduces the run through estimate() can be solved for exactly:
//   u = goodput x ceiling x width / (1 + a x ceiling + b)   (a: communication per unit of
//   ceiling; b: bubble + routing)  =>  ceiling = u (1 + b) / (goodput x width - u a).
struct RunModel {
  double flops = 0;
  double goodput = 1;
  double width = 1;
  double communication_per_ceiling = 0;
  double other = 0;
  [[nodiscard]] double ceiling_for(double implied) const {
    const double d = goodput * width - implied * communication_per_ceiling;
    return d > 0 ? implied * (1.0 + other) / d : std::numeric_limits<double>::infinity();
  }
};
RunModel run_model(const Catalog& cat, const Hardware& hw, double params, double active_params, double tokens,
                   double chips) {
  Scenario s;
  s.phase = Given<Phase>{Phase::training};
  s.params = Given<double>{params};
  s.active_params = Given<double>{active_params};
  s.tokens = Given<double>{tokens};
  s.hardware = Given<std::string>{std::string(hw.id)};
  s.chips = Given<double>{chips};
  const Resolved r = resolve(s, cat);
  const TrainingInputs& t = *r.training;
  const model::TrainingEfficiency& e = *t.efficiency;
  return {t.flops, t.goodput, e.width_factor, e.communication / hw.training_mfu.value, e.bubble + e.routing};
}

// One CSV file addressed by column name, with located errors.
class Rows {
 public:
  Rows(std::string_view text, std::string_view name) : m_name(name), m_reader(text) {
    std::size_t line = 0;
    if (!m_reader.next(m_header, line) || (m_header.size() == 1 && m_header[0].empty())) {
      throw InputError(m_name + ": empty file (expected a header row)");
    }
    for (std::size_t i = 0; i < m_header.size(); ++i) {
      if (!m_index.emplace(m_header[i], i).second) {
        throw InputError(m_name + ":" + std::to_string(line) + ": duplicate column '" + m_header[i] + "'");
      }
    }
  }

  bool next() {
    while (m_reader.next(m_row, m_line)) {
      if (m_row.size() == 1 && m_row[0].empty()) {
        continue;  // blank line
      }
      if (m_row.size() != m_header.size()) {
        throw InputError(where() + std::to_string(m_row.size()) + " fields, the header has " +
                         std::to_string(m_header.size()));
      }
      return true;
    }
    return false;
  }

  [[nodiscard]] bool has(const std::string& col) const { return m_index.count(col) > 0; }
  [[nodiscard]] const std::vector<std::string>& header() const { return m_header; }

  [[nodiscard]] std::string text(const std::string& col) const {
    auto it = m_index.find(col);
    if (it == m_index.end()) {
      return {};
    }
    std::string v = m_row[it->second];
    const auto b = v.find_first_not_of(" \t");
    const auto e = v.find_last_not_of(" \t");
    return b == std::string::npos ? std::string() : v.substr(b, e - b + 1);
  }

  [[nodiscard]] std::optional<double> number(const std::string& col) const {
    const std::string v = text(col);
    if (v.empty()) {
      return std::nullopt;
    }
    try {
      return parse_count(v, col);
    } catch (const InputError& e) {
      throw InputError(where() + e.what());
    }
  }

  [[nodiscard]] std::string where() const { return m_name + ":" + std::to_string(m_line) + ": "; }
  [[nodiscard]] std::string location() const { return m_name + ":" + std::to_string(m_line); }
  [[nodiscard]] const std::string& name() const { return m_name; }

 private:
  std::string m_name;
  CsvReader m_reader;
  std::vector<std::string> m_header;
  std::vector<std::string> m_row;
  std::map<std::string, std::size_t> m_index;
  std::size_t m_line = 0;
};

double positive(const Rows& r, std::optional<double> v, const std::string& col, const std::string& how) {
  if (!v) {
    throw InputError(r.where() + col + ": missing value" + how);
  }
  if (!(*v > 0)) {
    throw InputError(r.where() + col + ": must be greater than zero");
  }
  return *v;
}

double non_negative(const Rows& r, double v, const std::string& col) {
  if (!(v >= 0)) {
    throw InputError(r.where() + col + ": must not be negative");
  }
  return v;
}

// `where` prefixes messages ("NAME:LINE: "); `hardware_hint` says how to give a missing id.
void check_values(const std::string& where, const MeasuredRun& run, const char* hardware_hint) {
  if (run.active_params > run.params) {
    throw InputError(where + "active_params exceeds params");
  }
  if (run.chips != std::floor(run.chips)) {
    throw InputError(where + "chips: must be a whole number");
  }
  if (run.gpu_energy_kwh && *run.gpu_energy_kwh > run.server_energy_kwh * (1 + 1e-9)) {
    throw InputError(where + "the accelerator energy exceeds the server energy");
  }
  if (run.hardware.empty()) {
    throw InputError(where + "hardware: missing (" + hardware_hint + ")");
  }
}

void check_run(const Rows& r, MeasuredRun& run) {
  check_values(r.where(), run, "add a hardware column or give --hardware ID");
  run.where = r.location();
}

// One run from a JSON report of llm-energy measure: one node's, or a merged one.
MeasuredRun parse_measure_report(std::string_view text, std::string_view name, const RunDefaults& d) {
  const json j = parse_json(text, name);
  const std::string file(name);
  const std::string where = file + ": ";
  if (!j.is_object()) {
    throw InputError(where + "expected a JSON object (a report of llm-energy measure --format json)");
  }
  const std::string schema =
      j.contains("schema") && j.at("schema").is_string() ? j.at("schema").get<std::string>() : "";
  if (schema != k_measure_schema && schema != k_merged_schema) {
    throw InputError(where + "schema " + (schema.empty() ? std::string("missing") : "'" + schema + "'") +
                     ": not a report of llm-energy measure (" + std::string(k_measure_schema) + " or " +
                     std::string(k_merged_schema) + "), nor a CSV of runs");
  }
  auto number = [&](const char* key) {
    if (!j.contains(key) || !j.at(key).is_number()) {
      throw InputError(where + "key '" + key + "': expected a number");
    }
    return j.at(key).get<double>();
  };
  const std::string method =
      j.contains("method") && j.at("method").is_string() ? j.at("method").get<std::string>() : "measured";
  if (method != "measured") {
    throw InputError(where + "the report is " +
                     (method == "estimated" ? "an estimate" : "partly an estimate") + " (method: " + method +
                     "; no counter could be read), not a measurement: a fit on it would return the catalog's "
                     "own figures");
  }
  if (j.contains("exit_code") && j.at("exit_code").is_number_integer() && j.at("exit_code").get<int>() != 0) {
    throw InputError(where + "the measured command exited with code " +
                     std::to_string(j.at("exit_code").get<int>()) +
                     ": not a complete run (calibrate on runs that finished)");
  }
  std::size_t gpus = 0;
  if (j.contains("gpus") && j.at("gpus").is_number_unsigned()) {
    gpus = j.at("gpus").get<std::size_t>();
  } else if (j.contains("devices") && j.at("devices").is_array()) {
    for (const auto& dev : j.at("devices")) {
      gpus += dev.is_object() && dev.value("kind", "") == "gpu" ? 1U : 0U;
    }
  }
  MeasuredRun run;
  run.where = file;
  auto given = [&](const std::optional<double>& v, const char* what) {
    if (!v) {
      throw InputError(where + what + ": missing (a measure report does not record it: give --" + what + ")");
    }
    if (!(*v > 0)) {
      throw InputError(where + what + ": must be greater than zero");
    }
    return *v;
  };
  run.params = run.active_params = given(d.params, "params");
  run.tokens = given(d.tokens, "tokens");
  run.hardware = d.hardware;
  if (run.hardware.empty() && j.contains("hardware") && j.at("hardware").is_string()) {
    run.hardware = j.at("hardware").get<std::string>();
  }
  if (d.chips) {
    run.chips = given(d.chips, "chips");
  } else if (j.contains("chips") && j.at("chips").is_number()) {
    run.chips = given(j.at("chips").get<double>(), "chips");  // measure --chips
  } else if (gpus > 0) {
    run.chips = static_cast<double>(gpus);
  } else {
    throw InputError(where + "chips: the report read no GPU: give --chips");
  }
  const double duration_s = number("duration_s");
  if (!(duration_s > 0)) {
    throw InputError(where + "duration_s: must be greater than zero");
  }
  run.duration_h = duration_s / k_seconds_per_hour;
  run.server_energy_kwh = number("server_energy_kwh");
  if (!(run.server_energy_kwh > 0)) {
    throw InputError(where + "server_energy_kwh: must be greater than zero");
  }
  if (gpus > 0) {
    run.gpu_energy_kwh = number("accelerator_energy_kwh");
    if (!(*run.gpu_energy_kwh >= 0)) {
      throw InputError(where + "accelerator_energy_kwh: must not be negative");
    }
  }
  check_values(where, run, "give --hardware ID, or measure with --hardware");
  return run;
}

std::vector<MeasuredRun> parse_plain(Rows& r, const RunDefaults& d) {
  static const std::set<std::string> known = {"params",     "tokens",     "hardware",       "chips",
                                              "duration_h", "energy_kwh", "gpu_energy_kwh", "active_params",
                                              "pue",        "id",         "note",           "source"};
  for (const auto& col : {"params", "tokens", "chips", "duration_h", "energy_kwh"}) {
    if (!r.has(col)) {
      throw InputError(r.name() + ": missing column '" + col +
                       "' (columns: params, tokens, hardware, chips, duration_h, energy_kwh; optional "
                       "gpu_energy_kwh, active_params, pue; or a CodeCarbon emissions.csv)");
    }
  }
  for (const auto& col : r.header()) {
    if (known.count(col) == 0) {
      throw InputError(r.name() + ": unknown column '" + col +
                       "' (known: params, tokens, hardware, chips, duration_h, energy_kwh, "
                       "gpu_energy_kwh, active_params, pue, id, note, source)");
    }
  }
  std::vector<MeasuredRun> runs;
  while (r.next()) {
    MeasuredRun run;
    run.params = positive(r, r.number("params"), "params", "");
    run.active_params = r.has("active_params") && r.number("active_params")
                            ? positive(r, r.number("active_params"), "active_params", "")
                            : run.params;
    run.tokens = positive(r, r.number("tokens"), "tokens", "");
    run.hardware = r.text("hardware").empty() ? d.hardware : r.text("hardware");
    run.chips = positive(r, r.number("chips"), "chips", "");
    run.duration_h = positive(r, r.number("duration_h"), "duration_h", "");
    run.server_energy_kwh = positive(r, r.number("energy_kwh"), "energy_kwh", "");
    if (auto pue = r.number("pue")) {
      if (!(*pue >= 1.0)) {
        throw InputError(r.where() + "pue: must be at least 1.0");
      }
      run.server_energy_kwh /= *pue;
    }
    if (auto g = r.number("gpu_energy_kwh")) {
      run.gpu_energy_kwh = non_negative(r, *g, "gpu_energy_kwh");
    }
    check_run(r, run);
    runs.push_back(std::move(run));
  }
  return runs;
}

std::vector<MeasuredRun> parse_codecarbon(Rows& r, const RunDefaults& d) {
  std::vector<MeasuredRun> runs;
  while (r.next()) {
    MeasuredRun run;
    run.params = positive(r, r.number("params") ? r.number("params") : d.params, "params",
                          " (CodeCarbon does not record it: add a 'params' column or give --params)");
    run.active_params = run.params;
    run.tokens = positive(r, r.number("tokens") ? r.number("tokens") : d.tokens, "tokens",
                          " (CodeCarbon does not record it: add a 'tokens' column or give --tokens)");
    run.hardware = r.text("hardware").empty() ? d.hardware : r.text("hardware");
    std::optional<double> chips = r.number("gpu_count");
    if (!chips || *chips == 0) {
      chips = d.chips;
    }
    run.chips = positive(r, chips, "gpu_count", " (give --chips)");
    run.duration_h = positive(r, r.number("duration"), "duration", "") / k_seconds_per_hour;
    const auto cpu = r.number("cpu_energy");
    const auto gpu = r.number("gpu_energy");
    const auto ram = r.number("ram_energy");
    if (cpu && gpu && ram) {
      run.server_energy_kwh = non_negative(r, *cpu, "cpu_energy") + non_negative(r, *gpu, "gpu_energy") +
                              non_negative(r, *ram, "ram_energy");
      if (!(run.server_energy_kwh > 0)) {
        throw InputError(r.where() + "cpu_energy + gpu_energy + ram_energy: must be greater than zero");
      }
    } else {
      run.server_energy_kwh = positive(r, r.number("energy_consumed"), "energy_consumed", "");
    }
    if (gpu) {
      run.gpu_energy_kwh = non_negative(r, *gpu, "gpu_energy");
    }
    check_run(r, run);
    runs.push_back(std::move(run));
  }
  return runs;
}

std::string number_text(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

double rel_error(double predicted, double measured) {
  return std::abs(predicted / measured - 1.0);
}

}  // namespace

std::vector<MeasuredRun> parse_runs_csv(std::string_view text, std::string_view name,
                                        const RunDefaults& defaults) {
  Rows r(text, name);
  std::vector<MeasuredRun> runs = r.has("energy_consumed") && r.has("duration")
                                      ? parse_codecarbon(r, defaults)
                                      : parse_plain(r, defaults);
  if (runs.empty()) {
    throw InputError(std::string(name) + ": no runs (only a header)");
  }
  return runs;
}

std::vector<MeasuredRun> parse_runs(std::string_view text, std::string_view name,
                                    const RunDefaults& defaults) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && text[first] == '{') {
    return {parse_measure_report(text, name, defaults)};
  }
  return parse_runs_csv(text, name, defaults);
}

double predicted_server_energy_kwh(const MeasuredRun& run, const Catalog& cat) {
  Scenario s;
  s.phase = Given<Phase>{Phase::training, Origin::config};
  s.params = Given<double>{run.params, Origin::config};
  s.active_params = Given<double>{run.active_params, Origin::config};
  s.tokens = Given<double>{run.tokens, Origin::config};
  s.hardware = Given<std::string>{run.hardware, Origin::config};
  s.chips = Given<double>{run.chips, Origin::config};
  return estimate(s, cat).training->server_energy_kwh;
}

CalibrationResult calibrate(const std::vector<MeasuredRun>& runs, const Catalog& cat,
                            std::string_view source) {
  if (runs.empty()) {
    throw InputError("calibrate: no runs");
  }
  std::set<std::string> ids;  // the catalog's ids: "H100-SXM" and "h100-sxm" are one
  for (const auto& r : runs) {
    ids.insert(std::string(cat.find_hardware(r.hardware).id));
  }
  if (ids.size() > 1) {
    std::string list;
    for (const auto& id : ids) {
      list += (list.empty() ? "" : ", ") + id;
    }
    throw InputError("calibrate: the runs cover several hardware ids (" + list +
                     "); a profile is for one: calibrate each on its own runs");
  }
  const Hardware& hw = cat.find_hardware(*ids.begin());
  const double peak = default_peak_flops(hw);
  const double tdp = hw.tdp_w.value;

  CalibrationResult res;
  std::vector<double> mfu;
  std::vector<double> fraction;
  std::vector<double> host;
  // Each run's figures must be plausible as a hardware file's datums (check_profile): a run
  // that is not is named, and no profile is written that estimate --profile would refuse.
  for (const auto& r : runs) {
    RunModel m;
    try {
      m = run_model(cat, hw, r.params, r.active_params, r.tokens, r.chips);
    } catch (const InputError& e) {
      throw InputError(r.where + ": " + e.what());
    }
    const double chip_hours = r.chips * r.duration_h;
    const double implied = model::implied_mfu(m.flops, peak, chip_hours);
    const double ceiling = m.ceiling_for(implied);
    if (!(ceiling <= 1.0)) {
      throw InputError(
          r.where + ": implied utilisation " + number_text(implied) + " needs an MFU ceiling of " +
          number_text(ceiling) +
          " once the utilisation model's goodput, width and communication at this size and chip count "
          "are taken out (what a profile holds), and that" +
          " is above 1: " + number_text(r.chips) + " x " + std::string(hw.id) + " cannot compute its " +
          number_text(m.flops) + " FLOPs in " + number_text(r.duration_h) +
          " h; check params, tokens, chips and duration");
    }
    mfu.push_back(ceiling);
    if (r.gpu_energy_kwh) {
      ++res.runs_with_gpu_energy;
      const double f = *r.gpu_energy_kwh * 1000.0 / (chip_hours * tdp);
      if (!(f > 0 && f <= k_max_power_fraction)) {
        throw InputError(
            r.where + ": average accelerator power " + number_text(f * tdp) + " W per chip is " +
            number_text(f) + " x the TDP " + number_text(tdp) +
            " W (a power fraction must lie in (0, 1.5]); check gpu_energy_kwh, chips and duration");
      }
      fraction.push_back(f);
      // check_run allows the accelerator energy to exceed the server's by rounding (1e-9).
      const double h = (r.server_energy_kwh - *r.gpu_energy_kwh) * 1000.0 / chip_hours;
      host.push_back(std::max(0.0, h));
    }
  }
  Profile& p = res.profile;
  p.hardware = hw.id;
  p.runs = runs.size();
  p.training_mfu = fit(mfu);
  if (res.runs_with_gpu_energy > 0) {
    p.avg_power_fraction = fit(fraction);
    p.host_power_w = fit(host);
  } else {
    res.host_from_catalog = true;
    const double host_w = hw.host_power_w.value;
    for (const auto& r : runs) {
      const double per_chip_w = r.server_energy_kwh * 1000.0 / (r.chips * r.duration_h);
      if (!(per_chip_w > host_w)) {
        throw InputError(r.where + ": measured power per chip " + number_text(per_chip_w) +
                         " W is not above the catalog's host power " + number_text(host_w) +
                         " W; give gpu_energy_kwh to fit the host power");
      }
      const double f = (per_chip_w - host_w) / tdp;
      if (!(f <= k_max_power_fraction)) {
        throw InputError(
            r.where + ": measured power per chip " + number_text(per_chip_w) +
            " W less the catalog's host power " + number_text(host_w) + " W is " + number_text(f) +
            " x the TDP " + number_text(tdp) +
            " W (a power fraction must lie in (0, 1.5]); check energy_kwh, pue, chips and duration");
      }
      fraction.push_back(f);
    }
    p.avg_power_fraction = fit(fraction);
    p.host_power_w = {host_w, hw.host_power_w.low, hw.host_power_w.high};
  }
  p.source = "llm-energy calibrate on " + std::to_string(runs.size()) + " run" +
             (runs.size() == 1 ? "" : "s") + " of " + std::string(source) + "; median (min-max)";
  if (res.host_from_catalog) {
    p.source += "; host_power_w from the catalog (no accelerator energy measured)";
  } else if (res.runs_with_gpu_energy < runs.size()) {
    p.source += "; power figures from the " + std::to_string(res.runs_with_gpu_energy) +
                " runs with accelerator energy";
  }

  check_profile(p, "calibrate");  // each run passed: the medians, minima and maxima do too
  const Catalog fitted = apply_profile(cat, p);
  std::vector<double> before;
  std::vector<double> after;
  for (const auto& r : runs) {
    before.push_back(rel_error(predicted_server_energy_kwh(r, cat), r.server_energy_kwh));
    after.push_back(rel_error(predicted_server_energy_kwh(r, fitted), r.server_energy_kwh));
  }
  res.median_abs_error_before = median(before);
  res.median_abs_error_after = median(after);
  return res;
}

std::string profile_to_json(const Profile& p) {
  // 6 significant digits: a fit on measured runs carries no more.
  auto r6 = [](double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.6g", v);
    return std::strtod(buf, nullptr);
  };
  auto f = [&](const Fitted& v) {
    return json{{"value", r6(v.value)}, {"low", r6(v.low)}, {"high", r6(v.high)}};
  };
  json j{{"schema", "llm-energy/profile/1"},
         {"hardware", p.hardware},
         {"runs", p.runs},
         {"training_mfu", f(p.training_mfu)},
         {"avg_power_fraction", f(p.avg_power_fraction)},
         {"host_power_w", f(p.host_power_w)},
         {"source", p.source}};
  return j.dump(2) + "\n";
}

Profile parse_profile(std::string_view text, std::string_view name) {
  const json j = parse_json(text, name);
  const std::string where(name);
  if (!j.is_object()) {
    throw InputError(where + ": expected a JSON object (a profile written by llm-energy calibrate)");
  }
  static const std::set<std::string> known = {
      "schema", "hardware", "runs", "training_mfu", "avg_power_fraction", "host_power_w", "source"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (known.count(it.key()) == 0) {
      throw InputError(where + ": unknown key '" + it.key() + "'");
    }
  }
  auto need = [&](const char* key) -> const json& {
    if (!j.contains(key)) {
      throw InputError(where + ": missing key '" + key + "'");
    }
    return j.at(key);
  };
  const json& schema = need("schema");
  if (!schema.is_string() || schema.get<std::string>() != "llm-energy/profile/1") {
    throw InputError(where + ": schema is not \"llm-energy/profile/1\"");
  }
  Profile p;
  p.file = where;
  const json& hw = need("hardware");
  if (!hw.is_string() || hw.get<std::string>().empty()) {
    throw InputError(where + ": key 'hardware': expected a hardware id string, got " +
                     std::string(json_type_name(hw)));
  }
  p.hardware = hw.get<std::string>();
  const json& runs = need("runs");
  if (!runs.is_number_unsigned() || runs.get<std::size_t>() == 0) {
    throw InputError(where + ": key 'runs': expected a positive whole number");
  }
  p.runs = runs.get<std::size_t>();
  const json& src = need("source");
  if (!src.is_string()) {
    throw InputError(where + ": key 'source': expected a string, got " + std::string(json_type_name(src)));
  }
  p.source = src.get<std::string>();
  auto fitted = [&](const char* key) {
    const json& o = need(key);
    if (!o.is_object()) {
      throw InputError(where + ": key '" + key + "': expected an object {value, low, high}");
    }
    Fitted f;
    double* parts[] = {&f.value, &f.low, &f.high};
    const char* names[] = {"value", "low", "high"};
    for (std::size_t i = 0; i < 3; ++i) {
      if (!o.contains(names[i]) || !o.at(names[i]).is_number()) {
        throw InputError(where + ": key '" + key + "." + names[i] + "': expected a number");
      }
      *parts[i] = o.at(names[i]).get<double>();
    }
    for (auto it = o.begin(); it != o.end(); ++it) {
      if (it.key() != "value" && it.key() != "low" && it.key() != "high") {
        throw InputError(where + ": key '" + key + "': unknown key '" + it.key() + "'");
      }
    }
    return f;
  };
  p.training_mfu = fitted("training_mfu");
  p.avg_power_fraction = fitted("avg_power_fraction");
  p.host_power_w = fitted("host_power_w");
  check_profile(p, where);
  return p;
}

void check_profile(const Profile& p, std::string_view name) {
  const std::string where(name);
  if (p.hardware.empty()) {
    throw InputError(where + ": key 'hardware': expected a hardware id");
  }
  if (p.runs == 0) {
    throw InputError(where + ": key 'runs': expected a positive whole number");
  }
  // The bounds a hardware file's datums must meet (catalog.cpp), so that a profile is as strict.
  auto check = [&](const char* key, const Fitted& f, bool ok, const char* rule) {
    if (!std::isfinite(f.low) || !std::isfinite(f.value) || !std::isfinite(f.high) ||
        !(f.low <= f.value && f.value <= f.high)) {
      throw InputError(where + ": key '" + key + "': needs low <= value <= high");
    }
    if (!ok) {
      throw InputError(where + ": key '" + key + "': " + rule + " (low " + number_text(f.low) + ", high " +
                       number_text(f.high) + ")");
    }
  };
  check("training_mfu", p.training_mfu, p.training_mfu.low > 0 && p.training_mfu.high <= 1.0,
        "must lie in (0, 1]");
  check("avg_power_fraction", p.avg_power_fraction,
        p.avg_power_fraction.low > 0 && p.avg_power_fraction.high <= k_max_power_fraction,
        "must lie in (0, 1.5], as in a hardware file");
  check("host_power_w", p.host_power_w, p.host_power_w.low >= 0, "must not be negative");
}

bool profile_matches_hardware(const Profile& p, std::string_view hardware, const Catalog& cat) {
  return &cat.find_hardware(p.hardware) == &cat.find_hardware(hardware);
}

Catalog apply_profile(const Catalog& cat, const Profile& p) {
  check_profile(p, p.file.empty() ? std::string_view("profile") : std::string_view(p.file));
  Catalog out = cat;
  const Hardware& found = cat.find_hardware(p.hardware);  // throws with suggestions
  auto it = std::find_if(out.hardware.begin(), out.hardware.end(),
                         [&](const Hardware& h) { return h.id == found.id; });
  const std::string_view source =
      out.text.keep("profile " + (p.file.empty() ? std::string("(in memory)") : p.file) + " (fitted on " +
                    std::to_string(p.runs) + " run" + (p.runs == 1 ? "" : "s") + ")");
  auto set = [&](Datum& d, const Fitted& f) {
    d.value = f.value;
    d.low = f.low;
    d.high = f.high;
    d.source = source;
    d.year = 0;
    d.note = {};
  };
  set(it->training_mfu, p.training_mfu);
  set(it->avg_power_fraction, p.avg_power_fraction);
  set(it->host_power_w, p.host_power_w);
  return out;
}

}  // namespace llm_energy
