// `llm-energy schedule`: the start time and region with the least CO2e from hourly intensity.
#include <CLI/CLI.hpp>
#include <filesystem>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/schedule.hpp"
#include "llm_energy/units.hpp"
#include "render/charts.hpp"
#include "render/whatif.hpp"

namespace llm_energy::cli {
namespace {

const char* k_footer =
    R"(Intensity files: CSV with a header timestamp,carbon_intensity; one row per hour, timestamps
ISO 8601 UTC (2024-03-01T00:00:00Z), sorted, without gaps or duplicates; values in gCO2e/kWh.
The region is the file's stem. The job draws constant power (energy/duration per hour; a
partial last hour pro-rated) and starts on the hour; the saving is against starting at the
first allowed hour in the first file. Samples: configs/intensity/ (synthetic).

Examples:
  llm-energy schedule --intensity configs/intensity/solar-heavy.csv --duration 36h --energy 10MWh
  llm-energy schedule --intensity configs/intensity/solar-heavy.csv --intensity configs/intensity/wind-heavy.csv \
      --duration 12h --energy 2MWh --earliest 2024-03-02T00:00:00Z --deadline 2024-03-05T00:00:00Z
  llm-energy schedule --intensity configs/intensity/coal-steady.csv --params 1e9 --tokens 20e9 --format json

Intensity values above 10000 gCO2e/kWh and energies above 10000TWh are refused.

Exit codes: 0 ok, 2 bad usage or input, 3 internal error, 4 the output could not be written
(a full disk, a closed output).)";

class ScheduleCommand final : public Command {
 public:
  explicit ScheduleCommand(CLI::App& cmd) {
    m_scenario.add(cmd, ScenarioOptions::Budgets::skip);
    m_scenario.add_config(cmd);
    m_output.add(cmd, {"table", "json", "csv", "markdown"});
    m_catalog.add(cmd);
    cmd.add_option("--intensity", m_files, "hourly grid-intensity CSV (repeatable; region = file stem)")
        ->type_name("FILE.csv");
    cmd.add_option("--duration", m_duration, "job duration, e.g. 36h, 90m, 2d")->type_name("TIME");
    cmd.add_option("--energy", m_energy, "job facility energy, e.g. 10MWh")->type_name("ENERGY");
    cmd.add_option("--earliest", m_earliest, "earliest start (ISO 8601 UTC)")->type_name("T");
    cmd.add_option("--deadline", m_deadline, "the job must finish by then (ISO 8601 UTC)")->type_name("T");
    cmd.add_option("--plot", m_plot,
                   "also write an SVG chart (each intensity series, the chosen window shaded) to FILE.svg")
        ->type_name("FILE.svg")
        ->check(svg_file());
    cmd.footer(k_footer);
  }

  int run(Io& io) override {
    if (m_files.empty()) {
      throw InputError("schedule needs --intensity FILE.csv (hourly grid intensity)");
    }
    const render::Format f = render::parse_format(m_output.format);
    whatif::ScheduleRequest q;
    if (!m_duration.empty() || !m_energy.empty()) {
      if (m_duration.empty() || m_energy.empty()) {
        throw InputError("give both --duration and --energy (or estimate flags instead)");
      }
      if (m_scenario.any()) {
        throw InputError("conflicting inputs: give --duration and --energy, or estimate flags, not both");
      }
      q.duration_hours = parse_duration_hours(m_duration, "duration");
      q.energy_kwh = parse_energy_kwh(m_energy, "energy");
    } else {
      Scenario s = m_scenario.scenario();
      s.phase = Given<Phase>{Phase::training, Origin::flag};
      const auto cat = m_catalog.load();
      const Estimate e = estimate(s, *cat);
      if (!(e.training->wall_clock_hours > 0)) {
        throw InputError("schedule needs the run's wall-clock: give --chips with --chip-hours");
      }
      q.duration_hours = e.training->wall_clock_hours;
      q.energy_kwh = e.training->energy_kwh;
    }
    if (!(q.energy_kwh <= whatif::k_max_job_energy_kwh)) {
      throw InputError(std::string(m_energy.empty() ? "the estimated training energy" : "energy") +
                       " is above 10000TWh (at most 1e13 kWh: a third of the world's yearly electricity)");
    }
    if (!m_earliest.empty()) {
      q.earliest = whatif::parse_utc(m_earliest, "earliest");
    }
    if (!m_deadline.empty()) {
      q.deadline = whatif::parse_utc(m_deadline, "deadline");
    }
    std::vector<whatif::IntensitySeries> series;
    for (const auto& file : m_files) {
      series.push_back(
          whatif::parse_intensity_csv(read_file(file), file, std::filesystem::path(file).stem().string()));
    }
    const whatif::ScheduleResult r = whatif::schedule(series, q);
    if (!m_plot.empty()) {
      write_file_atomic(m_plot, render::schedule_chart(series, r, q));
    }
    m_output.emit(io, render::render_schedule(r, q, f));
    return static_cast<int>(Exit::ok);
  }

 private:
  ScenarioOptions m_scenario;
  OutputOptions m_output;
  CatalogOptions m_catalog;
  std::vector<std::string> m_files;
  std::string m_duration, m_energy, m_earliest, m_deadline, m_plot;
};

}  // namespace

std::unique_ptr<Command> make_schedule(CLI::App& cmd) {
  return std::make_unique<ScheduleCommand>(cmd);
}

}  // namespace llm_energy::cli
