// `llm-energy estimate`: one scenario's training and inference energy, carbon and time.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/budget.hpp"
#include "llm_energy/calibrate.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "render/charts.hpp"
#include "render/estimate.hpp"
#include "render/model_card.hpp"

namespace llm_energy::cli {
namespace {

const char* k_footer = R"(Examples:
  llm-energy estimate --tokens 1e8 --params 1e9
  llm-energy estimate --params 70B --tokens 2T --hardware a100-sxm4-80gb --chips 2048 --region US
  llm-energy estimate --params 175e9 --tokens 300e9 --hardware v100-sxm2-32gb --chips 10000 \
      --chip-hours 3552000 --power-watts 330 --pue 1.1 --carbon-intensity 429
  llm-energy estimate --model llama-3.1-8b --phase inference --requests 1M --batch-size 64
  llm-energy estimate --config configs/examples/llama2-70b.json --format json --max-energy 1GWh
  llm-energy estimate --chip-hours 200k --hardware a100-sxm4-80gb --region us-east-1
  llm-energy estimate --params 7B --tokens 2T --region DE --facility enterprise
  llm-energy estimate --model llama-3.1-70b --hardware h100-sxm --region us-east-1 \
      --requests-per-day 10M --max-tpot-ms 50 --load-profile diurnal --provisioning autoscale

With both phases (the default), a Total block (JSON "total") sums them; budgets are checked
against it, and their messages name the phases they cover. --format json and markdown carry
the verdict ("budget": {"within", "messages"}). --warn-at needs a budget.
--chip-hours with --hardware and --region alone estimates a reported run: energy, CO2e and
water from the hours; compute, utilisation and per-token figures need --params and --tokens.
Without --chips, the wall-clock names the default chip count (fewest power of two in 30 days).
Water = WUE x server energy (on site) + the region's water per kWh generated x facility energy.
The facility: a cloud region's operator, else the colocation class; --facility picks a class.

Numbers accept 1e8, 100000000, 100M, 70B, 1.5T, 7b, 2k (k, M, B or G, T).
Ranges: --mfu 0.35:0.45 (LOW:HIGH) or 0.3:0.4:0.5 (LOW:VALUE:HIGH); a plain value is exact.
Exit codes: 0 ok, 1 over budget, 2 bad usage or input, 3 internal error,
4 the output could not be written.)";

class EstimateCommand final : public Command {
 public:
  explicit EstimateCommand(CLI::App& cmd) {
    cmd.footer(k_footer);
    m_scenario.add(cmd, ScenarioOptions::Budgets::include);
    cmd.add_flag("--explain", m_explain, "show the chain of formulas with the numbers substituted");
    m_budget.add(cmd);
    cmd.add_option("--profile", m_profile,
                   "hardware profile from 'llm-energy calibrate' (replaces the hardware's utilisation, "
                   "power fraction and host power)")
        ->type_name("FILE");
    m_scenario.add_config(cmd);
    m_output.add(cmd, {"table", "json", "csv", "markdown", "model-card"});
    cmd.add_option(
           "--plot", m_plot,
           "also write an SVG chart (energy and CO2e by component, with ranges; with a fleet, its load, "
           "replicas and power over the day) to FILE.svg")
        ->type_name("FILE.svg")
        ->check(svg_file());
    m_catalog.add(cmd);
  }

  int run(Io& io) override {
    Scenario s = m_scenario.scenario();
    const BudgetPolicy policy = m_budget.policy();
    auto cat = m_catalog.load();
    if (!m_profile.empty()) {
      const Profile prof = parse_profile(read_file(m_profile), m_profile);
      if (!s.hardware) {
        set_field(s, "hardware", prof.hardware, Origin::flag);
      } else if (!profile_matches_hardware(prof, s.hardware->value, *cat)) {
        throw InputError("--profile " + m_profile + " is for " + prof.hardware + ", not " +
                         s.hardware->value);
      }
      cat.reset(apply_profile(*cat, prof));
    }
    const Budget budget = budget_of(s);
    if (policy.warn_at && !budget.any()) {
      throw InputError("--warn-at needs a budget (--max-energy, --max-co2e or --max-chip-hours)");
    }
    const Estimate e = estimate(s, *cat);
    const BudgetVerdict verdict = check_budgets(budget, e, policy);
    if (!m_plot.empty()) {
      // A fleet's chart is its day: load, replicas and power.
      const bool fleet = e.inference && e.inference->fleet;
      write_file_atomic(m_plot,
                        fleet ? render::fleet_chart(e) : render::estimate_chart(e, m_scenario.summary()));
    }
    if (m_output.format == "model-card") {
      if (m_explain) {
        throw InputError("--explain works with --format table, json or markdown, not model-card");
      }
      m_output.emit(io, render::render_model_card(e, *cat));
    } else {
      const render::Format f = render::parse_format(m_output.format);
      const render::Style style{m_output.color(io)};
      m_output.emit(io, m_explain ? render::render_explained(e, f, style, &verdict)
                                  : render::render(e, f, style, &verdict));
    }
    for (const auto& m : render::budget_messages(verdict)) {
      io.err << "llm-energy: " << m << "\n";
    }
    return static_cast<int>(verdict.over ? Exit::over_budget : Exit::ok);
  }

 private:
  ScenarioOptions m_scenario;
  BudgetOptions m_budget;
  OutputOptions m_output;
  CatalogOptions m_catalog;
  bool m_explain = false;
  std::string m_profile;
  std::string m_plot;
};

}  // namespace

std::unique_ptr<Command> make_estimate(CLI::App& cmd) {
  return std::make_unique<EstimateCommand>(cmd);
}

}  // namespace llm_energy::cli
