// `llm-energy report --html FILE`: one self-contained HTML report of an estimate.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/estimate.hpp"
#include "render/measure.hpp"
#include "render/report.hpp"

namespace llm_energy::cli {
namespace {

class ReportCommand final : public Command {
 public:
  explicit ReportCommand(CLI::App& cmd) {
    m_scenario.add(cmd, ScenarioOptions::Budgets::skip);
    m_scenario.add_config(cmd);
    m_catalog.add(cmd);
    cmd.add_option("--html", m_html, "write the report to FILE.html (self-contained, opens offline)")
        ->type_name("FILE.html")
        ->required();
    cmd.footer(
        "Takes every estimate flag (or --config).\nExamples:\n"
        "  llm-energy report --params 7B --tokens 2T --region FR --html report.html\n"
        "  llm-energy report --config configs/examples/llama2-70b.json --html llama2-70b.html\n\n"
        "Exit codes: 0 ok, 2 bad usage or input, 3 internal error, 4 the output could not be written.");
  }

  int run(Io& io) override {
    const Scenario s = m_scenario.scenario();
    const auto cat = m_catalog.load();
    const Estimate e = estimate(s, *cat);
    std::vector<std::string> argv = io.argv;
    if (!argv.empty()) {
      argv[0] = "llm-energy";
    }
    write_file_atomic(m_html, render::render_html_report(e, render::command_text(argv)));
    io.out << "llm-energy: wrote " << m_html << "\n";
    return static_cast<int>(Exit::ok);
  }

 private:
  ScenarioOptions m_scenario;
  CatalogOptions m_catalog;
  std::string m_html;
};

}  // namespace

std::unique_ptr<Command> make_report(CLI::App& cmd) {
  return std::make_unique<ReportCommand>(cmd);
}

}  // namespace llm_energy::cli
