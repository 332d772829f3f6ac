// `llm-energy calibrate RUNS.csv --output profile.json`: fit a hardware profile on measured runs.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/calibrate.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"
#include "render/measure.hpp"

namespace llm_energy::cli {
namespace {

class CalibrateCommand final : public Command {
 public:
  explicit CalibrateCommand(CLI::App& cmd) {
    cmd.add_option("RUNS", m_files,
                   "CSV of runs (params,tokens,hardware,chips,duration_h,energy_kwh[,gpu_energy_kwh,"
                   "active_params,pue]), CodeCarbon emissions.csv, or a JSON report of 'llm-energy measure' "
                   "(one node's or a --merge); several files are pooled")
        ->required()
        ->type_name("FILE");
    cmd.add_option("--hardware", m_hardware,
                   "hardware id for rows without a hardware column (and for measure reports without one)")
        ->type_name("ID");
    cmd.add_option("--params", m_params,
                   "parameters, for rows without a params column (CodeCarbon) and measure reports")
        ->type_name("N");
    cmd.add_option("--tokens", m_tokens,
                   "training tokens, for rows without a tokens column (CodeCarbon) and measure reports")
        ->type_name("N");
    cmd.add_option(
           "--chips", m_chips,
           "accelerators, for CodeCarbon rows without gpu_count (measure reports: default the GPUs read)")
        ->type_name("N");
    cmd.add_option("--output,-o", m_output, "profile to write (use it with estimate --profile)")
        ->required()
        ->type_name("FILE");
    cmd.add_option("--format", m_format, "format of the fit summary on standard output")
        ->check(CLI::IsMember({"table", "json"}));
    m_catalog.add(cmd);
    cmd.footer(
        "Fits, per run then the median (min-max): training_mfu = 6*N*D / (peak * chips * duration)\n"
        "(divided by the catalog's model-size factor); avg_power_fraction = GPU energy / (chips * TDP *\n"
        "duration); host_power_w = (energy - GPU energy) / (chips * duration). Without GPU energy the host\n"
        "power keeps the catalog value. A bad row is an error naming its line (exit 2).\n"
        "Exit codes: 0 ok, 2 bad usage or input, 3 internal error, 4 the profile could not be written.\n"
        "Examples:\n"
        "  llm-energy calibrate runs.csv --output h100.json\n"
        "  llm-energy calibrate emissions.csv --hardware h100-sxm --params 7B --tokens 2e9 -o h100.json\n"
        "  llm-energy calibrate run.json --hardware h100-sxm --params 1.3B --tokens 2e10 -o h100.json");
  }

  int run(Io& io) override {
    RunDefaults d;
    d.hardware = m_hardware;
    if (!m_params.empty()) {
      d.params = parse_count(m_params, "params");
    }
    if (!m_tokens.empty()) {
      d.tokens = parse_count(m_tokens, "tokens");
    }
    if (!m_chips.empty()) {
      d.chips = parse_count(m_chips, "chips");
    }
    const auto cat = m_catalog.load();
    if (!m_hardware.empty()) {
      (void)cat->find_hardware(m_hardware);  // an unknown id fails before reading the files
    }
    std::vector<MeasuredRun> runs;
    std::string names;
    for (const auto& f : m_files) {
      auto more = parse_runs(read_file(f), f, d);
      runs.insert(runs.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
      names += (names.empty() ? "" : ", ") + f;
    }
    const CalibrationResult r = calibrate(runs, *cat, names);
    const std::string profile = profile_to_json(r.profile);
    // What estimate --profile does with the file (calibrate() already refuses implausible runs).
    (void)apply_profile(*cat, parse_profile(profile, m_output));
    write_file_atomic(m_output, profile);
    const render::Format f = render::parse_format(m_format);
    io.out << render::render_calibration(r, cat->find_hardware(r.profile.hardware), names, m_output, f);
    return static_cast<int>(Exit::ok);
  }

 private:
  std::vector<std::string> m_files;
  std::string m_hardware, m_params, m_tokens, m_chips, m_output;
  std::string m_format = "table";
  CatalogOptions m_catalog;
};

}  // namespace

std::unique_ptr<Command> make_calibrate(CLI::App& cmd) {
  return std::make_unique<CalibrateCommand>(cmd);
}

}  // namespace llm_energy::cli
