// `llm-energy batch [FILE|-]`: many scenarios from JSONL, CSV or a JSON array, streamed.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <vector>

#include "batch/engine.hpp"
#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "llm_energy/budget.hpp"
#include "llm_energy/error.hpp"

namespace llm_energy::cli {
namespace {

const char* k_footer =
    R"(Input: JSONL (one JSON object of config keys per line, as in --config files), CSV (a
header row of config keys; an empty cell is not set) or a JSON array of objects, detected
from the first character ([ JSON array, { JSONL, else CSV) or set with --input-format.
Flags apply to every row unless the row sets that key. Rows come out in input order, each
with "id" (the row's id key, else its line number) and "line"; a bad row gets an "error"
and the run goes on: rows out always equal rows in. Blank lines are skipped and are not
rows. A line ends at LF, CRLF or a lone CR. A line (or CSV record) longer than 1 MiB is an
error row, not read. JSONL and CSV are streamed in constant memory; a JSON array is read
whole. For a JSON array, "line" is the element's 1-based index.

CSV follows RFC 4180: commas separate fields; a field in double quotes may hold commas,
line breaks and doubled quotes (""); blanks around a quoted field are ignored. A quote
inside an unquoted field, text after a closing quote, a record with more or fewer fields
than the header, and a quote that never closes are error rows (a quote that never closes
spoils only its own line; reading goes on with the next). A row's id is its id column's
value; a field beyond the header's is never an id.

Output: JSONL (default) or a JSON array, each row the estimate's JSON object with "id",
"line", "error" or "budget"; CSV: one header for every row (id, line, error, budget.within,
the estimate's columns, then the serving-fleet columns inference.fleet.*, empty for a row
without a fleet and on error rows).

Budgets: --max-energy, --max-co2e and --max-chip-hours on the command line are caps for the
whole batch. A row's own max_* key may tighten a cap but not loosen it: the row is checked
against the smaller of the two (a row's 500MWh under --max-energy 50MWh is checked against
50 MWh). A row may set a budget the command line does not have. --warn-at applies to every
row's budgets.

When rows fail or are over budget, one line on standard error says how many, and where the
first failed row is.

Examples:
  llm-energy batch runs.jsonl > estimates.jsonl
  llm-energy batch runs.csv --format csv --hardware h100-sxm --region FR -o out.csv
  generate-rows | llm-energy batch --format csv --max-energy 500MWh --budget-on high

Exit codes: 0 ok, 1 some row over budget, 2 some row failed or bad usage, 3 internal error,
4 the output could not be written.)";

class BatchCommand final : public Command {
 public:
  explicit BatchCommand(CLI::App& cmd) {
    cmd.add_option("FILE", m_input, "input file; '-' or omitted reads standard input")->type_name("FILE|-");
    cmd.add_option("--input-format", m_input_format, "input format (default: detected from the content)")
        ->check(CLI::IsMember({"auto", "jsonl", "csv", "json"}));
    add_batch_options(cmd, m_scenario, m_budget, m_output, m_catalog, m_fail_fast,
                      "output format (default jsonl)", {"jsonl", "csv", "json"});
    cmd.footer(k_footer);
  }

  int run(Io& io) override {
    batch::BatchOptions o;
    o.base = m_scenario.scenario();
    o.input = batch::parse_input_format(m_input_format);
    o.output = batch::parse_output_format(m_output.format);
    o.budget = m_budget.policy();
    o.budget.cap = budget_of(o.base);  // a cap: a row may tighten it, not loosen it
    o.fail_fast = m_fail_fast;
    o.input_name = m_input == "-" ? "<stdin>" : m_input;
    const CatalogHandle cat = m_catalog.load();

    std::unique_ptr<FdInBuf> stdin_buf;
    std::ifstream file;
    std::istream* in = nullptr;
    std::istream stdin_stream(nullptr);
    if (m_input == "-") {
      require_readable_stdin();
      stdin_buf = std::make_unique<FdInBuf>(STDIN_FILENO);
      stdin_stream.rdbuf(stdin_buf.get());
      in = &stdin_stream;
    } else {
      std::error_code ec;
      const auto status = std::filesystem::status(m_input, ec);
      if (ec || !std::filesystem::exists(status)) {
        throw InputError(m_input + ": no such file");
      }
      if (std::filesystem::is_directory(status)) {
        throw InputError(m_input + ": is a directory, not a file");
      }
      file.open(m_input, std::ios::binary);
      if (!file) {
        throw InputError(m_input + ": cannot be read (" + std::strerror(errno) + ")");
      }
      in = &file;
    }
    TerminalProgress progress(io.err, progress_wanted(io.err));
    const batch::BatchResult r = with_output(m_output.output, io.out, [&](std::ostream& out) {
      batch::BatchResult res = batch::run_batch(*in, out, progress, o, *cat.cat);
      // A read error spoils the whole input; thrown before the output is committed.
      if (stdin_buf && stdin_buf->error() != 0) {
        throw InputError(o.input_name + ": read error (" + std::strerror(stdin_buf->error()) + ")");
      }
      if (in->bad()) {
        throw InputError(o.input_name + ": read error");
      }
      return res;
    });
    if (const std::string s = batch::summary(r, "line"); !s.empty()) {
      io.err << "llm-energy: " << s << "\n";
    }
    return r.exit_code();
  }

 private:
  std::string m_input = "-";
  std::string m_input_format = "auto";
  ScenarioOptions m_scenario;
  BudgetOptions m_budget;
  OutputOptions m_output{"jsonl"};
  CatalogOptions m_catalog;
  bool m_fail_fast = false;
};

}  // namespace

void add_batch_options(CLI::App& cmd, ScenarioOptions& scenario, BudgetOptions& budget, OutputOptions& output,
                       CatalogOptions& catalog, bool& fail_fast, const std::string& formats_help,
                       const std::vector<std::string>& formats) {
  scenario.add(cmd, ScenarioOptions::Budgets::include);
  budget.add(cmd);
  output.add(cmd, formats, formats_help, "write to FILE (through a temporary file and a rename)");
  cmd.add_flag("--fail-fast", fail_fast, "stop at the first bad row (its error row is still written)");
  catalog.add(cmd);
}

std::unique_ptr<Command> make_batch(CLI::App& cmd) {
  return std::make_unique<BatchCommand>(cmd);
}

}  // namespace llm_energy::cli
