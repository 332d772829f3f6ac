// `llm-energy measure -- COMMAND ARGS...`: run a command and measure the energy it draws;
// `llm-energy measure --merge FILES...`: sum the per-node reports of one run.
#include <CLI/CLI.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/metering.hpp"
#include "llm_energy/resolve.hpp"
#include "llm_energy/units.hpp"
#include "measure/launcher.hpp"
#include "measure/meters.hpp"
#include "measure/session.hpp"
#include "render/measure.hpp"

namespace llm_energy::cli {
namespace {

namespace fs = std::filesystem;

class MeasureCommand final : public Command {
 public:
  explicit MeasureCommand(CLI::App& cmd) {
    cmd.add_option("--interval", m_interval, "sampling interval, e.g. 100ms or 0.5s (a bare number is ms)")
        ->type_name("TIME");
    m_format_option =
        cmd.add_option("--format", m_format, "report format")->check(CLI::IsMember({"table", "json"}));
    cmd.add_option("--output,-o", m_output,
                   "write the report to FILE ('-': standard output) instead of standard error; {node}, "
                   "{node_id}, {rank}, {local_rank} and {job_id} in FILE are the launcher's values")
        ->type_name("FILE");
    cmd.add_option("--output-dir", m_output_dir,
                   "write the report as JSON to DIR/{node}.json (one per node under a launcher; for --merge)")
        ->type_name("DIR");
    cmd.add_option("--hardware", m_hardware,
                   "the accelerator the run used: with no readable counter, the report is an estimate from "
                   "its power figures (without it: the default hardware, and the report says so)")
        ->type_name("ID");
    cmd.add_option("--chips", m_chips,
                   "accelerators for that estimate (default: the GPUs NVML found, else 1)")
        ->type_name("N");
    cmd.add_option("--merge", m_merge,
                   "sum the JSON reports of one run's nodes (measure --output-dir) into one report")
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
    cmd.add_option("command", m_command, "the command and its arguments (after --)")->type_name("COMMAND");
    cmd.footer(
        "The command's standard output and error pass through untouched; the report goes to standard\n"
        "error (or --output). Devices that cannot be read are named on one warning line; with none\n"
        "readable the report is an estimate (method: estimated, with its range) from --hardware's power.\n"
        "Boundaries: accelerator = GPUs; server = GPUs + CPU packages + DRAM; facility = server x PUE.\n"
        "Under a launcher (srun, torchrun, mpirun) only local rank 0 of each node measures; the other\n"
        "ranks run the command and write no report. --merge sums the nodes' reports (standard output).\n"
        "Environment: LLM_ENERGY_POWERCAP_ROOT, LLM_ENERGY_NODE_NAME (the node's name in reports),\n"
        "SLURM_JOB_ID, SLURM_JOB_NAME, SLURM_NODEID, SLURMD_NODENAME, SLURM_PROCID, SLURM_LOCALID,\n"
        "SLURM_NTASKS, RANK, LOCAL_RANK, WORLD_SIZE, GROUP_RANK, OMPI_COMM_WORLD_RANK,\n"
        "OMPI_COMM_WORLD_LOCAL_RANK, OMPI_COMM_WORLD_SIZE, PMI_RANK, MPI_LOCALRANKID, PMI_SIZE.\n"
        "Exit code: the command's (128+N when killed by signal N); 2 when it cannot be started, for bad\n"
        "usage, and for --merge of reports that are not one run; 4 when the report could not be written.\n"
        "Examples:\n"
        "  llm-energy measure -- python train.py --epochs 1\n"
        "  llm-energy measure --format json --output run.json --region FR -- ./bench.sh\n"
        "  srun llm-energy measure --output-dir energy/ --hardware h100-sxm -- python train.py\n"
        "  llm-energy measure --merge energy/*.json --region FR");
  }

  int run(Io& io) override {
    render::Format format = render::parse_format(m_format);
    if (format != render::Format::table && format != render::Format::json) {
      throw InputError("measure: --format must be table or json");
    }
    if (!m_output_dir.empty() && m_merge.empty()) {
      if (m_format_option->count() > 0 && format != render::Format::json) {
        throw InputError("measure: --output-dir writes JSON reports (what --merge reads), not --format " +
                         m_format);
      }
      format = render::Format::json;
    }
    const auto cat = m_catalog.load();
    if (!m_merge.empty()) {
      return merge(io, *cat, format);
    }
    const double interval_s = measure::parse_interval_s(m_interval);
    measure::SessionOptions so;
    so.grid = grid_scenario();
    (void)resolve_grid(so.grid, *cat);  // conflicting grid inputs fail first
    so.powercap_root = m_powercap_root;
    so.nvml_library = m_nvml_library;
    so.hardware = m_hardware;
    if (m_command.empty()) {
      throw InputError("measure: no command given (llm-energy measure [options] -- COMMAND ARGS...)");
    }
    if (!m_hardware.empty()) {
      (void)cat->find_hardware(m_hardware);  // an unknown id fails before the command runs
    }
    if (!m_chips.empty()) {
      so.chips = parse_count(m_chips, "chips");
      if (!(*so.chips >= 1) || *so.chips != std::floor(*so.chips)) {
        throw InputError("chips: must be a whole number, at least 1");
      }
    }
    const JobInfo job = measure::detect_job();
    const std::string output = output_path(job);
    if (!measure::measures_node(job)) {
      // Another rank of this node measures it: run the command, wait, and write nothing.
      const measure::ChildResult child =
          measure::run_command(m_command, 60.0, measure::Clock::now(), [](double) {});
      return child.exit_code;
    }
    if (!m_output_dir.empty()) {
      std::error_code ec;
      fs::create_directories(m_output_dir, ec);  // every node may create it at once
    }
    if (!output.empty() && output != "-") {
      // Fail before running the command when the report cannot be written.
      AtomicOutputFile probe(output);
    }
    measure::Session session(so, *cat);
    session.start();
    const measure::ChildResult child =
        measure::run_command(m_command, interval_s, session.t0(), [&](double t) { session.sample(t); });
    const MeasurementReport report =
        session.finish(m_command, child.exit_code, child.signal, child.duration_s, job);
    if (const std::string w = render::warning_line(report); !w.empty()) {
      io.err << "llm-energy: " << w << "\n";
      io.err.flush();
    }
    const std::string text = render::render_measurement(report, format);
    if (output.empty()) {
      io.err << text;
      io.err.flush();
    } else if (output == "-") {
      io.out << text;
      io.out.flush();
    } else {
      write_file_atomic(output, text);
    }
    return child.exit_code;
  }

 private:
  // The grid flags as a scenario, parsed as estimate parses them.
  [[nodiscard]] Scenario grid_scenario() const {
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
    return s;
  }

  // Where the report goes: "" (standard error), "-" (standard output) or a file name, with the
  // pattern's placeholders filled in.
  [[nodiscard]] std::string output_path(const JobInfo& job) const {
    if (!m_output_dir.empty()) {
      if (!m_output.empty()) {
        throw InputError("measure: give --output or --output-dir, not both");
      }
      return (fs::path(m_output_dir) / measure::expand_output_pattern("{node}.json", job)).string();
    }
    if (m_output.empty() || m_output == "-") {
      return m_output;
    }
    return measure::expand_output_pattern(m_output, job);
  }

  int merge(Io& io, const Catalog& cat, render::Format format) const {
    if (!m_command.empty()) {
      throw InputError("measure --merge takes report files, not a command (got '" + m_command.front() + "')");
    }
    if (!m_output_dir.empty()) {
      throw InputError("measure --merge writes one report: use --output FILE, not --output-dir");
    }
    std::vector<NodeMeasurement> nodes;
    std::map<std::string, std::string> seen;  // canonical path -> as given
    for (const auto& f : m_merge) {
      std::error_code ec;
      const fs::path canon = fs::weakly_canonical(fs::path(f), ec);
      const std::string key = ec ? f : canon.string();
      if (auto [it, fresh] = seen.emplace(key, f); !fresh) {
        throw InputError("measure --merge: " + f + " is given twice" +
                         (it->second == f ? std::string() : " (as " + it->second + " and " + f + ")"));
      }
      nodes.push_back({f, parse_measurement(read_file(f), f)});
    }
    std::optional<GridFigures> grid;
    if (!m_region.empty() || !m_carbon_intensity.empty() || !m_pue.empty()) {
      grid = grid_figures(resolve_grid(grid_scenario(), cat));
    }
    const MergedMeasurement merged = merge_measurements(std::move(nodes), grid);
    const std::string text = render::render_merged(merged, format);
    if (m_output.empty() || m_output == "-") {
      io.out << text;
      io.out.flush();
    } else {
      write_file_atomic(m_output, text);
    }
    return static_cast<int>(Exit::ok);
  }

  std::vector<std::string> m_command;
  std::vector<std::string> m_merge;
  std::string m_interval = "100ms";
  std::string m_format = "table";
  std::string m_output;
  std::string m_output_dir;
  std::string m_hardware;
  std::string m_chips;
  std::string m_pue;
  std::string m_region;
  std::string m_carbon_intensity;
  std::string m_powercap_root;
  std::string m_nvml_library = "libnvidia-ml.so.1";
  CatalogOptions m_catalog;
  CLI::Option* m_format_option = nullptr;
};

}  // namespace

std::unique_ptr<Command> make_measure(CLI::App& cmd) {
  return std::make_unique<MeasureCommand>(cmd);
}

}  // namespace llm_energy::cli
