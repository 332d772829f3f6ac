// `llm-energy sweep`: the cartesian product of lists and ranges of any estimate flag.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <optional>

#include "batch/sweep.hpp"
#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/suggest.hpp"
#include "render/charts.hpp"

namespace llm_energy::cli {
namespace {

const char* k_footer =
    R"(Any estimate flag takes a comma list and/or ranges START:STOP:xFACTOR (geometric) or
START:STOP:+STEP (arithmetic), inclusive of STOP. A value whose third part does not start
with x or + is passed through as is (so --mfu 0.35:0.45 stays an uncertainty range).
Output: one column per swept key (sweep.KEY), then the batch CSV columns (id = 1-based index); JSONL
rows carry the swept values under "sweep". At most 10,000,000 combinations.

Examples:
  llm-energy sweep --params 1e9,7e9,70e9 --tokens 1e11:1e13:x10 --hardware a100-sxm4-80gb,h100-sxm
  llm-energy sweep --params 7e9 --tokens 1e12 --chips 64:1024:x2 --region FR,US,PL --format jsonl
  llm-energy sweep --params 70B --tokens 2T --mfu 0.3:0.6:+0.05 --max-energy 2GWh
  llm-energy sweep --chips 64:1024:x2 --params 7B,70B --tokens 2T --plot chips.svg --plot-y co2e

When rows fail or are over budget, one line on standard error says how many, and which
combination is the first that failed.

Exit codes: 0 ok, 1 some row over budget, 2 some row failed or bad usage, 3 internal error,
4 the output could not be written.)";

// The most combinations sweep --plot draws.
constexpr std::size_t k_max_plot_points = 10'000;

class SweepCommand final : public Command {
 public:
  explicit SweepCommand(CLI::App& cmd) {
    add_batch_options(cmd, m_scenario, m_budget, m_output, m_catalog, m_fail_fast,
                      "output format (default csv)", {"csv", "jsonl"});
    cmd.add_option("--plot", m_plot,
                   "also write an SVG chart to FILE.svg: --plot-y against --plot-x, one line per "
                   "combination of the other swept flags")
        ->type_name("FILE.svg")
        ->check(svg_file());
    cmd.add_option(
           "--plot-x", m_plot_x,
           "the swept flag on the chart's x axis (default: the first swept flag on the command line); "
           "logarithmic for xFACTOR ranges")
        ->type_name("FLAG");
    cmd.add_option("--plot-y", m_plot_y, "the figure on the chart's y axis (default energy)")
        ->check(CLI::IsMember(render::sweep_plot_figures()));
    cmd.add_option("--threads", m_threads,
                   "worker threads (default: one per core; sweeps of fewer than 16384 combinations, "
                   "--fail-fast and --plot use one); the output is the same")
        ->type_name("N")
        ->check(CLI::Range(1, 256));
    cmd.footer(k_footer);
  }

  int run(Io& io) override {
    batch::SweepOptions o;
    std::vector<bool> geometric;  // per axis: a START:STOP:xFACTOR range (a logarithmic x axis)
    for (const auto& [key, text] : m_scenario.given()) {
      if (batch::is_sweep_value(text)) {
        o.axes.push_back({key, batch::expand_sweep_value(key, text)});
        geometric.push_back(text.find(":x") != std::string::npos || text.find(":X") != std::string::npos);
      } else {
        set_field(o.base, key, text, Origin::flag);
      }
    }
    (void)batch::sweep_size(o.axes);  // the explosion guard, before any output
    o.output = batch::parse_output_format(m_output.format);
    o.budget = m_budget.policy();
    o.fail_fast = m_fail_fast;
    o.threads = m_threads;
    const CatalogHandle cat = m_catalog.load();
    std::vector<render::SweepPoint> points;
    render::SweepPlot plot;
    if (m_plot.empty() && (!m_plot_x.empty() || !m_plot_y.empty())) {
      throw InputError("--plot-x and --plot-y need --plot FILE.svg");
    }
    if (!m_plot.empty()) {
      if (o.axes.empty()) {
        throw InputError("--plot needs at least one swept flag (a comma list or a range)");
      }
      plot.x = plot_axis(o.axes, io.argv);
      plot.log_x = geometric[plot.x] ? std::optional<bool>(true) : std::nullopt;
      if (!m_plot_y.empty()) {
        plot.y = m_plot_y;
      }
      if (batch::sweep_size(o.axes) > k_max_plot_points) {
        throw InputError("--plot: more than " + std::to_string(k_max_plot_points) +
                         " combinations to draw; narrow the sweep");
      }
      o.on_estimate = [&](const Estimate& e, const std::vector<std::string>& values) {
        points.push_back({values, render::sweep_plot_value(e, plot.y)});
      };
    }
    TerminalProgress progress(io.err, progress_wanted(io.err));
    const batch::BatchResult r = with_output(m_output.output, io.out, [&](std::ostream& out) {
      return batch::run_sweep(out, progress, o, *cat.cat);
    });
    if (!m_plot.empty()) {
      std::vector<std::string> keys;
      for (const auto& a : o.axes) {
        keys.push_back(a.key);
      }
      write_file_atomic(m_plot, render::sweep_chart(keys, points, plot));
    }
    if (const std::string s = batch::summary(r, "combination"); !s.empty()) {
      io.err << "llm-energy: " << s << "\n";
    }
    return r.exit_code();
  }

 private:
  ScenarioOptions m_scenario;
  BudgetOptions m_budget;
  OutputOptions m_output{"csv"};
  CatalogOptions m_catalog;
  bool m_fail_fast = false;
  std::string m_plot;
  std::string m_plot_x;
  std::string m_plot_y;
  unsigned m_threads = 0;

  // The axis --plot-x names, else the swept flag given first on the command line.
  [[nodiscard]] std::size_t plot_axis(const std::vector<batch::SweepAxis>& axes,
                                      const std::vector<std::string>& argv) const {
    if (!m_plot_x.empty()) {
      std::string key = m_plot_x.starts_with("--") ? m_plot_x.substr(2) : m_plot_x;
      std::replace(key.begin(), key.end(), '-', '_');
      std::vector<std::string> swept;
      for (std::size_t i = 0; i < axes.size(); ++i) {
        if (axes[i].key == key) {
          return i;
        }
        swept.push_back(flag_name(axes[i].key));
      }
      throw InputError("--plot-x: '" + m_plot_x.substr(0, 40) + "' is not a swept flag" +
                       did_you_mean("--" + key, swept) +
                       "; swept: " + fmt::format("{}", fmt::join(swept, ", ")));
    }
    std::size_t best = 0;
    std::size_t best_pos = argv.size();
    for (std::size_t i = 0; i < axes.size(); ++i) {
      const std::string flag = flag_name(axes[i].key);
      for (std::size_t a = 0; a < argv.size() && a < best_pos; ++a) {
        if (argv[a] == flag || argv[a].starts_with(flag + "=")) {
          best = i;
          best_pos = a;
          break;
        }
      }
    }
    return best;
  }
};

}  // namespace

std::unique_ptr<Command> make_sweep(CLI::App& cmd) {
  return std::make_unique<SweepCommand>(cmd);
}

}  // namespace llm_energy::cli
