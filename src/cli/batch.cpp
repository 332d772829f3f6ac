// `llm-energy batch [FILE|-]`: many scenarios from JSONL, CSV or a JSON array, streamed.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "batch/engine.hpp"
#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "llm_energy/error.hpp"

namespace llm_energy::cli {
namespace {

const char* k_footer =
    R"(Input: JSONL (one JSON object of config keys per line, as in --config files), CSV (a
header row of config keys; an empty cell is not set) or a JSON array of objects, detected
from the first character ([ JSON array, { JSONL, else CSV) or set with --input-format.
Flags apply to every row unless the row sets that key. Rows come out in input order, each
with "id" (the row's id key, else its line number) and "line"; a bad row gets an "error"
and the run goes on. Blank lines are skipped and are not rows. JSONL and CSV are streamed
in constant memory; a JSON array is read whole. For a JSON array, "line" is the element's
1-based index.

Examples:
  llm-energy batch runs.jsonl > estimates.jsonl
  llm-energy batch runs.csv --format csv --hardware h100-sxm --region FR -o out.csv
  generate-rows | llm-energy batch --format csv --max-energy 500MWh --budget-on high

Exit codes: 0 ok, 1 some row over budget, 2 some row failed or bad usage, 3 internal error.)";

// A streambuf over a file descriptor, so that standard input is read in large blocks.
class FdInBuf : public std::streambuf {
 public:
  explicit FdInBuf(int fd) : m_fd(fd), m_buf(1 << 16) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) {
      return traits_type::to_int_type(*gptr());
    }
    ssize_t n = 0;
    do {
      n = ::read(m_fd, m_buf.data(), m_buf.size());
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      return traits_type::eof();
    }
    setg(m_buf.data(), m_buf.data(), m_buf.data() + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  int m_fd;
  std::vector<char> m_buf;
};

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
    o.fail_fast = m_fail_fast;
    o.input_name = m_input == "-" ? "<stdin>" : m_input;
    const CatalogHandle cat = m_catalog.load();

    std::unique_ptr<std::streambuf> stdin_buf;
    std::ifstream file;
    std::istream* in = nullptr;
    std::istream stdin_stream(nullptr);
    if (m_input == "-") {
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
      return batch::run_batch(*in, out, progress, o, *cat.cat);
    });
    if (in->bad()) {
      throw InputError(o.input_name + ": read error");
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
