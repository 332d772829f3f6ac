#pragma once
// Calibration: fit a hardware profile (effective training utilisation, average accelerator
// power as a fraction of TDP, host power per accelerator) from measured training runs, and
// apply it to a catalog. Pure: CSV and JSON text in, numbers out; no I/O.
//
// Inputs (parse_runs_csv), one run per row:
//  * the plain format, columns (any order):
//      params, tokens, chips, duration_h, energy_kwh            required
//      hardware                                                required unless --hardware
//      active_params, gpu_energy_kwh, pue, id, note, source    optional
//    energy_kwh is the measured IT (server) energy: accelerators + host CPUs, DRAM, fans...
//    (llm-energy measure's server_energy_kwh). When a `pue` value is given, energy_kwh is
//    facility energy and is divided by it. gpu_energy_kwh is the accelerators alone (never
//    divided by PUE). Any other column is an error (a misspelt column would otherwise be
//    ignored silently).
//  * CodeCarbon's emissions.csv, recognised by its `energy_consumed` and `duration` columns:
//    duration (s) -> duration; cpu_energy + gpu_energy + ram_energy (kWh) -> server energy
//    (energy_consumed when one of the three is empty); gpu_energy -> accelerator energy;
//    gpu_count -> chips. CodeCarbon does not record the model, so params and tokens come
//    from `params`/`tokens` columns added to the file, else from RunDefaults (--params,
//    --tokens); the hardware from a `hardware` column, else RunDefaults (--hardware);
//    chips from gpu_count, else RunDefaults (--chips). Other CodeCarbon columns are ignored.
//  A row with a missing or invalid value throws InputError "NAME:LINE: ...": no row is
//  skipped (blank lines are not rows).
//  * a JSON report of llm-energy measure (parse_runs: text starting with '{'), one run: schema
//    llm-energy/measure/1 (one node) or llm-energy/measure-merged/1 (measure --merge):
//    duration_s -> duration; server_energy_kwh -> server energy; accelerator_energy_kwh ->
//    accelerator energy when the report read a GPU ("gpus" > 0). params and tokens come from
//    RunDefaults (--params, --tokens; a report does not record them); the hardware from
//    --hardware, else the report's "hardware" (measure --hardware); chips from --chips, else
//    the report's "chips" (measure --chips), else the GPUs the report read. A report that is an estimate
//    (method other than "measured") or whose command failed (exit code not 0) is refused: it is not a
//    measured, complete run. Errors name the file ("NAME: ...").
//
// The fit (calibrate), over runs on one hardware id, FLOPs = 6 * active params * tokens and
// the peak at the hardware's default precision (bf16, else fp16, tf32, fp32, as estimate):
//  * training_mfu: per run, FLOPs / (peak * chips * duration), divided by the catalog's
//    model-size and chip-scaling factors (which estimate applies again), so `estimate` with the profile
//    reproduces each run's chip-hours exactly;
//  * avg_power_fraction: per run with gpu_energy_kwh, gpu energy / (chips * TDP * duration);
//  * host_power_w: per run with gpu_energy_kwh, (server - gpu energy) / (chips * duration).
//  When no run has gpu_energy_kwh, accelerator and host power cannot be told apart (one
//  hardware id has one TDP, so power per chip = TDP*f + host has one equation per run for
//  two unknowns that do not vary between runs): host_power_w keeps the catalog value (and
//  range) and avg_power_fraction = (server energy / (chips * duration) - host) / TDP.
//  Runs without gpu_energy_kwh still count for training_mfu; when some runs have it, only
//  those fit the two power figures.
//  Each fitted value is the median over the runs; low and high are the minimum and maximum.
//  A run whose figures fall outside the bounds of a hardware file (training_mfu in (0, 1],
//  avg_power_fraction in (0, 1.5], host_power_w >= 0) is refused by name, not fitted.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"

namespace llm_energy {

struct MeasuredRun {
  std::string where;  // "NAME:LINE" for messages
  double params = 0;
  double active_params = 0;
  double tokens = 0;
  std::string hardware;
  double chips = 0;
  double duration_h = 0;
  double server_energy_kwh = 0;  // IT boundary: accelerators + host, PUE removed
  std::optional<double> gpu_energy_kwh;
};

// Values for rows that lack a column, and for measure reports (the calibrate command's flags).
struct RunDefaults {
  std::optional<double> params;
  std::optional<double> tokens;
  std::optional<double> chips;
  std::string hardware;
};

// Return the runs of one CSV file (either format above). Throws InputError naming the
// file and line of the first bad row, or the file for a bad header.
[[nodiscard]] std::vector<MeasuredRun> parse_runs_csv(std::string_view text, std::string_view name,
                                                      const RunDefaults& defaults);

// Return the runs of one file: a JSON measure report (text starting with '{') or a CSV file
// (parse_runs_csv). Throws InputError naming the file (and line, for CSV).
[[nodiscard]] std::vector<MeasuredRun> parse_runs(std::string_view text, std::string_view name,
                                                  const RunDefaults& defaults);

struct Fitted {
  double value = 0;  // median over the runs
  double low = 0;    // minimum
  double high = 0;   // maximum
};

struct Profile {
  std::string hardware;
  std::size_t runs = 0;
  Fitted training_mfu;
  Fitted avg_power_fraction;
  Fitted host_power_w;
  std::string source;  // what it was fitted on
  std::string file;    // where it was read from (parse_profile's name); names apply_profile's source
};

struct CalibrationResult {
  Profile profile;
  std::size_t runs_with_gpu_energy = 0;
  bool host_from_catalog = false;  // no run had gpu_energy_kwh
  // Median |predicted / measured - 1| of the runs' server energy, predicted from params,
  // tokens and chips as estimate does, with the catalog's defaults and with the profile.
  double median_abs_error_before = 0;
  double median_abs_error_after = 0;
};

// Return the profile fitted on `runs` (all on one hardware id). `source` describes the
// inputs (file names) for the profile's source text. Throws InputError when there are no
// runs, several hardware ids (matched case-insensitively), an unknown id, or, naming the
// run's MeasuredRun::where, a run whose fit is implausible: a utilisation above 1 (after the
// model-size and chip-count factor is undone), a power fraction (accelerator power / TDP) of
// 0 or less or above 1.5, a measured power per chip not above the catalog's host power when
// the host power has to be taken from the catalog. So the profile it returns always passes
// check_profile (what estimate --profile requires).
[[nodiscard]] CalibrationResult calibrate(const std::vector<MeasuredRun>& runs, const Catalog& cat,
                                          std::string_view source);

// Return the server (IT) energy estimate() predicts for `run` with the defaults of `cat`.
[[nodiscard]] double predicted_server_energy_kwh(const MeasuredRun& run, const Catalog& cat);

// Return the profile as JSON text (schema "llm-energy/profile/1"), ending with a newline.
[[nodiscard]] std::string profile_to_json(const Profile& p);

// Parse a profile written by profile_to_json; throws InputError naming `name` for malformed
// JSON, a wrong schema, a missing or invalid field, or a value check_profile refuses. Sets
// Profile::file to `name`.
[[nodiscard]] Profile parse_profile(std::string_view text, std::string_view name);

// Throw InputError naming `name` unless the profile is as plausible as a hardware file's
// datums must be: low <= value <= high, all finite; training_mfu in (0, 1];
// avg_power_fraction in (0, 1.5]; host_power_w >= 0; a hardware id; runs >= 1.
void check_profile(const Profile& p, std::string_view name);

// Return true when `hardware` names the profile's hardware entry in `cat`: ids match as
// Catalog::find_hardware matches them (case-insensitively). Throws InputError for an unknown id.
[[nodiscard]] bool profile_matches_hardware(const Profile& p, std::string_view hardware, const Catalog& cat);

// Return a copy of `cat` in which the profile's hardware (found case-insensitively) has the
// fitted training_mfu, avg_power_fraction and host_power_w (value, low, high), each with the
// source "profile FILE (fitted on N runs)". Throws InputError when the hardware id is unknown
// or check_profile refuses the profile.
[[nodiscard]] Catalog apply_profile(const Catalog& cat, const Profile& p);

}  // namespace llm_energy
