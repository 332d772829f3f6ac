// `llm-energy calibrate`: read measured runs, fit a profile (core), write it, print the fit.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "format_units.hpp"
#include "io.hpp"
#include "llm_energy/calibrate.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"
#include "measure.hpp"
#include "render.hpp"

namespace llm_energy::cli {
namespace {

using json = nlohmann::ordered_json;

std::string spread(const Fitted& f) {
  return sig3(f.low) + "\u2013" + sig3(f.high);
}

std::string datum_text(const Datum& d) {
  return sig3(d.value) +
         (d.low != d.value || d.high != d.value ? " (" + sig3(d.low) + "\u2013" + sig3(d.high) + ")" : "");
}

std::string percent(double v) {
  return fmt::format("{:.1f}%", 100.0 * v);
}

}  // namespace

int run_calibrate(const CalibrateOptions& o, std::ostream& out) {
  RunDefaults d;
  d.hardware = o.hardware;
  if (!o.params.empty()) {
    d.params = parse_count(o.params, "params");
  }
  if (!o.tokens.empty()) {
    d.tokens = parse_count(o.tokens, "tokens");
  }
  if (!o.chips.empty()) {
    d.chips = parse_count(o.chips, "chips");
  }
  const Catalog& cat = builtin_catalog();
  if (!o.hardware.empty()) {
    (void)cat.find_hardware(o.hardware);  // an unknown id fails before reading the files
  }
  std::vector<MeasuredRun> runs;
  std::string names;
  for (const auto& f : o.files) {
    auto more = parse_runs_csv(read_file(f), f, d);
    runs.insert(runs.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    names += (names.empty() ? "" : ", ") + f;
  }
  const CalibrationResult r = calibrate(runs, cat, names);
  const Profile& p = r.profile;
  write_file_atomic(o.output, profile_to_json(p));

  if (o.format == "json") {
    json j{{"schema", "llm-energy/calibration/1"},
           {"profile_file", o.output},
           {"profile", json::parse(profile_to_json(p))},
           {"runs_with_gpu_energy", r.runs_with_gpu_energy},
           {"host_power_from_catalog", r.host_from_catalog},
           {"median_abs_error_before", round6(r.median_abs_error_before)},
           {"median_abs_error_after", round6(r.median_abs_error_after)}};
    out << j.dump(2) << "\n";
    return 0;
  }
  const Hardware& hw = cat.find_hardware(p.hardware);
  std::string t =
      fmt::format("calibrated {} on {} run{} ({})\n", p.hardware, p.runs, p.runs == 1 ? "" : "s", names);
  t += fmt::format("  {:<20} {:>8}  {:<17} {}\n", "", "fitted", "min\u2013max", "catalog default");
  auto row = [&](const char* name, const Fitted& f, const Datum& def, const char* note) {
    t += fmt::format("  {:<20} {:>8}  {:<15} {}{}\n", name, sig3(f.value), spread(f), datum_text(def), note);
  };
  row("training_mfu", p.training_mfu, hw.training_mfu, "");
  row("avg_power_fraction", p.avg_power_fraction, hw.avg_power_fraction, "");
  row("host_power_w", p.host_power_w, hw.host_power_w,
      r.host_from_catalog ? "  (kept: no GPU energy in the runs)" : "");
  if (!r.host_from_catalog && r.runs_with_gpu_energy < p.runs) {
    t += fmt::format("  power figures from the {} runs with GPU energy\n", r.runs_with_gpu_energy);
  }
  t += fmt::format(
      "  server energy predicted from params, tokens and chips, median |error| over these runs:\n"
      "    with catalog defaults  {}\n    with the profile       {}\n",
      percent(r.median_abs_error_before), percent(r.median_abs_error_after));
  t += fmt::format("wrote {}\n", o.output);
  out << t;
  return 0;
}

}  // namespace llm_energy::cli
