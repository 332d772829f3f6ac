// `llm-energy measure -- COMMAND ARGS...`: run a command and measure the energy it draws.
#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/metering.hpp"
#include "llm_energy/resolve.hpp"
#include "measure/meters.hpp"
#include "render/measure.hpp"

namespace llm_energy::cli {
namespace {

class MeasureCommand final : public Command {
 public:
  explicit MeasureCommand(CLI::App& cmd) {
    cmd.add_option("--interval", m_interval, "sampling interval, e.g. 100ms or 0.5s (a bare number is ms)")
        ->type_name("TIME");
    cmd.add_option("--format", m_format, "report format")->check(CLI::IsMember({"table", "json"}));
    cmd.add_option("--output,-o", m_output,
                   "write the report to FILE ('-': standard output) instead of standard error")
        ->type_name("FILE");
    cmd.add_option("--pue", m_pue,
                   "facility PUE, or a range LO:HI (default: the region's operator, as estimate)")
        ->type_name("X|LO:HI");
    cmd.add_option("--region", m_region, "grid region for CO2e (default: world)")->type_name("ID");
    cmd.add_option("--carbon-intensity", m_carbon_intensity, "grid carbon intensity [gCO2e/kWh]")
        ->type_name("G");
    cmd.add_option("--powercap-root", m_powercap_root,
                   "powercap directory (default: $LLM_ENERGY_POWERCAP_ROOT, else /sys/class/powercap)")
        ->type_name("DIR");
    cmd.add_option("--nvml-library", m_nvml_library, "NVML library to load (default: libnvidia-ml.so.1)")
        ->type_name("PATH");
    m_catalog.add(cmd);
    cmd.add_option("command", m_command, "the command and its arguments (after --)")
        ->required()
        ->type_name("COMMAND");
    cmd.footer(
        "The command's standard output and error pass through untouched; the report goes to standard\n"
        "error (or --output). Devices that cannot be read are named on one warning line.\n"
        "Boundaries: accelerator = GPUs; server = GPUs + CPU packages + DRAM; facility = server x PUE.\n"
        "Exit code: the command's (128+N when killed by signal N); 2 when it cannot be started.\n"
        "Examples:\n"
        "  llm-energy measure -- python train.py --epochs 1\n"
        "  llm-energy measure --format json --output run.json --region FR -- ./bench.sh");
  }

  int run(Io& io) override {
    const double interval_s = measure::parse_interval_s(m_interval);
    // The grid as estimate resolves it (the same keys, parsers and defaults).
    Scenario s;
    if (!m_region.empty()) {
      set_field(s, "region", m_region, Origin::flag);
    }
    if (!m_carbon_intensity.empty()) {
      set_field(s, "carbon_intensity", m_carbon_intensity, Origin::flag);
    }
    if (!m_pue.empty()) {
      set_field(s, "pue", m_pue, Origin::flag);
    }
    const auto cat = m_catalog.load();
    MeasurementReport report;
    report.grid = resolve_grid(s, *cat);
    const render::Format format = render::parse_format(m_format);
    if (format != render::Format::table && format != render::Format::json) {
      throw InputError("measure: --format must be table or json");
    }
    std::string root = m_powercap_root;
    if (root.empty()) {
      const char* env = std::getenv("LLM_ENERGY_POWERCAP_ROOT");
      root = env != nullptr && *env != '\0' ? env : "/sys/class/powercap";
    }
    if (m_command.empty()) {
      throw InputError("measure: no command given (llm-energy measure [options] -- COMMAND ARGS...)");
    }
    if (!m_output.empty() && m_output != "-") {
      // Fail before running the command when the report cannot be written.
      AtomicOutputFile probe(m_output);
    }
    measure::PowercapMeter powercap(root, report.unreadable);
    measure::NvmlMeter nvml(m_nvml_library, report.unreadable);
    const measure::Clock::time_point t0 = measure::Clock::now();
    powercap.sample();
    nvml.sample(0.0);
    const auto sample = [&](double t) {
      powercap.sample();
      nvml.sample(t);
    };
    const measure::ChildResult child = measure::run_command(m_command, interval_s, t0, sample);
    sample(child.duration_s);
    report.command = m_command;
    report.exit_code = child.exit_code;
    report.signal = child.signal;
    report.duration_s = child.duration_s;
    report.devices = nvml.devices();
    for (auto& d : powercap.devices()) {
      report.devices.push_back(std::move(d));
    }
    report.warnings = nvml.warnings();
    for (auto& w : powercap.warnings()) {
      report.warnings.push_back(std::move(w));
    }
    report.footprint = account(report.devices, report.grid);
    if (const std::string w = render::warning_line(report); !w.empty()) {
      io.err << "llm-energy: " << w << "\n";
      io.err.flush();
    }
    const std::string text = render::render_measurement(report, format);
    if (m_output.empty()) {
      io.err << text;
      io.err.flush();
    } else if (m_output == "-") {
      io.out << text;
      io.out.flush();
    } else {
      write_file_atomic(m_output, text);
    }
    return child.exit_code;
  }

 private:
  std::vector<std::string> m_command;
  std::string m_interval = "100ms";
  std::string m_format = "table";
  std::string m_output;
  std::string m_pue;
  std::string m_region;
  std::string m_carbon_intensity;
  std::string m_powercap_root;
  std::string m_nvml_library = "libnvidia-ml.so.1";
  CatalogOptions m_catalog;
};

}  // namespace

std::unique_ptr<Command> make_measure(CLI::App& cmd) {
  return std::make_unique<MeasureCommand>(cmd);
}

}  // namespace llm_energy::cli
