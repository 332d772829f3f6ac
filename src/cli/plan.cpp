// `llm-energy plan`: compute-optimal parameters and tokens for a compute or energy budget.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <optional>
#include <string>

#include "cli/commands.hpp"
#include "cli/options.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/plan.hpp"
#include "llm_energy/schedule.hpp"
#include "llm_energy/units.hpp"
#include "render/whatif.hpp"

namespace llm_energy::cli {
namespace {

const char* k_footer =
    R"(Chinchilla-optimal parameters and tokens (Hoffmann et al. 2022, approach 3's parametric fit
L(N,D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28), and that training run's energy, CO2e and time
on the chosen hardware (any estimate flag except --params, --tokens, --model).

Examples:
  llm-energy plan --compute-budget 1e23
  llm-energy plan --energy-budget 500MWh --hardware b200 --chips 1024 --region FR
  llm-energy plan --compute-budget 3.8e25 --hardware h100-sxm --chips 16384 --format json

--energy-budget is at most 10000TWh.

Exit codes: 0 ok, 2 bad usage or input, 3 internal error, 4 the output could not be written
(a full disk, a closed output).)";

class PlanCommand final : public Command {
 public:
  explicit PlanCommand(CLI::App& cmd) {
    m_scenario.add(cmd, ScenarioOptions::Budgets::skip);
    m_scenario.add_config(cmd);
    m_output.add(cmd, {"table", "json", "csv", "markdown"});
    m_catalog.add(cmd);
    cmd.add_option("--compute-budget", m_compute, "training compute budget [FLOP]")->type_name("FLOPS");
    cmd.add_option("--energy-budget", m_energy, "facility energy budget, e.g. 500MWh")->type_name("ENERGY");
    cmd.footer(k_footer);
  }

  int run(Io& io) override {
    if (!m_compute.empty() && !m_energy.empty()) {
      throw InputError("conflicting inputs: give --compute-budget or --energy-budget, not both");
    }
    if (m_compute.empty() && m_energy.empty()) {
      throw InputError("plan needs --compute-budget FLOPS or --energy-budget ENERGY");
    }
    const Scenario base = m_scenario.scenario();
    const auto cat = m_catalog.load();
    const render::Format f = render::parse_format(m_output.format);
    std::optional<double> kwh;
    if (!m_energy.empty()) {
      // Bounded here: plan_for_energy searches the compute that spends it, and a budget beyond
      // any run's overflows that search (it used to blame --compute-budget, not given).
      kwh = parse_energy_kwh(m_energy, "energy-budget");
      if (!(*kwh <= whatif::k_max_job_energy_kwh)) {
        char twh[32];
        std::snprintf(twh, sizeof twh, "%.3g", *kwh / 1e9);
        throw InputError("energy-budget: " + std::string(twh) +
                         " TWh is above 10000TWh (a third of the world's yearly electricity)");
      }
    }
    const whatif::Plan p =
        kwh ? whatif::plan_for_energy(base, *cat, *kwh)
            : whatif::plan_for_compute(base, *cat, parse_count(m_compute, "compute-budget"));
    m_output.emit(io, render::render_plan(p, f));
    return static_cast<int>(Exit::ok);
  }

 private:
  ScenarioOptions m_scenario;
  OutputOptions m_output;
  CatalogOptions m_catalog;
  std::string m_compute, m_energy;
};

}  // namespace

std::unique_ptr<Command> make_plan(CLI::App& cmd) {
  return std::make_unique<PlanCommand>(cmd);
}

}  // namespace llm_energy::cli
