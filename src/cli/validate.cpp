// `llm-energy validate`: the estimator against published training runs (or measured inference).
#include <CLI/CLI.hpp>
#include <cmath>
#include <optional>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/crossval.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"
#include "llm_energy/validation.hpp"
#include "render/crossval.hpp"
#include "render/validate.hpp"

namespace llm_energy::cli {
namespace {

// A dataset's measured figures divide the errors: each must be greater than zero (a zero
// printed inf%). The dataset parser is the place for this check, with the file and line; until
// it makes it, the run is refused here, naming the row.
class ValidateCommand final : public Command {
 public:
  explicit ValidateCommand(CLI::App& cmd) {
    cmd.add_option("--dataset", m_dataset,
                   "your own CSV with the columns of data/validation/training-runs.csv "
                   "(or inference-points.csv); default: the bundled dataset")
        ->type_name("FILE");
    cmd.add_flag("--inference", m_inference,
                 "validate inference energy per output token instead of training");
    cmd.add_flag("--cross-validate", m_cross,
                 "refit what the tool calibrates leaving one group out at a time (organisation for "
                 "training runs, model family for inference points) and report out-of-sample error "
                 "and 80%-interval coverage beside the in-sample figures");
    cmd.add_option(
        "--max-median-error", m_max_median,
        "exit 1 when the median |error| exceeds this (predict mode: default 20% training, 20% inference; "
        "--cross-validate: the out-of-sample median, default 25% training, 20% inference)");
    cmd.add_option("--min-coverage", m_min_coverage,
                   "--cross-validate: exit 1 when fewer than this share of the cases lie inside their "
                   "out-of-sample 80% interval (default 0.7)");
    m_output.add(cmd, {"table", "json", "csv", "markdown"});
    m_catalog.add(cmd);
    cmd.footer(
        "Reproduce mode must match every published figure within 2% (exit 1 otherwise).\n"
        "Exit codes: 0 ok, 1 a bound not met, 2 bad usage or input, 3 internal error, 4 the output could\n"
        "not be written.\n"
        "Examples:\n  llm-energy validate\n  llm-energy validate --inference --format markdown\n"
        "  llm-energy validate --cross-validate\n"
        "  llm-energy validate --dataset my-runs.csv --format csv");
  }

  int run(Io& io) override {
    const auto cat = m_catalog.load();
    const render::Format f = render::parse_format(m_output.format);
    const std::string text_in =
        m_dataset.empty() ? std::string(m_inference ? bundled_inference_points() : bundled_training_runs())
                          : read_file(m_dataset);
    const std::string name =
        m_dataset.empty() ? (m_inference ? "bundled inference-points.csv" : "bundled training-runs.csv")
                          : m_dataset;
    const double bound = m_max_median.empty()
                             ? (m_inference ? k_default_inference_bound : k_default_training_bound)
                             : parse_fraction(m_max_median, "max-median-error");
    ValidationVerdict verdict;
    std::string report;
    if (m_cross) {
      const double median_bound =
          m_max_median.empty() ? (m_inference ? k_default_cv_inference_bound : k_default_cv_training_bound)
                               : bound;
      const double coverage_bound =
          m_min_coverage.empty() ? k_default_cv_coverage : parse_fraction(m_min_coverage, "min-coverage");
      const CrossValidation v =
          m_inference ? static_cast<CrossValidation>(cross_validate_inference(text_in, name, *cat))
                      : static_cast<CrossValidation>(cross_validate_training(text_in, name, *cat));
      report = render::render_cross_validation(v, f);
      verdict = judge(v, median_bound, coverage_bound);
    } else if (m_inference) {
      const auto v = validate_inference(text_in, name, *cat);
      report = render::render_inference_validation(v, f);
      verdict = judge(v, bound);
    } else {
      const auto v = validate_training(text_in, name, *cat);
      report = render::render_training_validation(v, f);
      verdict = judge(v, bound);
    }
    m_output.emit(io, report);
    if (!verdict.ok()) {
      io.err << "llm-energy: validation failed: " << render::verdict_text(verdict, m_inference) << "\n";
      return static_cast<int>(Exit::over_budget);
    }
    return static_cast<int>(Exit::ok);
  }

 private:
  std::string m_dataset;
  bool m_inference = false;
  bool m_cross = false;
  std::string m_max_median;
  std::string m_min_coverage;
  OutputOptions m_output;
  CatalogOptions m_catalog;
};

}  // namespace

std::unique_ptr<Command> make_validate(CLI::App& cmd) {
  return std::make_unique<ValidateCommand>(cmd);
}

}  // namespace llm_energy::cli
