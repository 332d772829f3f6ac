// The dispatcher: a table of commands (as ninja's kTools[]), each built only when invoked.
#include "cli/app.hpp"

#include <CLI/CLI.hpp>
#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/suggest.hpp"
#include "llm_energy/version.hpp"

namespace llm_energy::cli {
namespace {

constexpr std::array<CommandSpec, 15> k_commands = {{
    {"estimate", "Estimate training and inference energy, carbon and time", &make_estimate},
    {"hardware", "Accelerators: peaks, power, memory, embodied carbon", &make_hardware},
    {"regions", "Grid carbon intensity by region, and PUE by operator", &make_regions},
    {"models", "Architectures of common open models", &make_models},
    {"validate",
     "Check the estimator against published training runs (or measured inference energy with --inference)",
     &make_validate},
    {"batch", "Estimate many scenarios from JSONL, CSV or a JSON array, streamed", &make_batch},
    {"sweep", "Estimate the cartesian product of lists and ranges of any estimate flag", &make_sweep},
    {"compare",
     "Compare a baseline with what-if variants (quantisation, pruning, distillation, chips, hardware, "
     "region, "
     "power cap)",
     &make_compare},
    {"plan", "Compute-optimal model size and tokens for a compute or energy budget", &make_plan},
    {"schedule", "Pick the start time and region with the least CO2e from hourly grid intensity",
     &make_schedule},
    {"report", "Write one self-contained HTML report (table, ranges, assumptions, chart) of an estimate",
     &make_report},
    {"measure",
     "Run a command and measure the energy of CPUs (RAPL), DRAM and NVIDIA GPUs (NVML) while it runs",
     &make_measure},
    {"calibrate",
     "Fit utilisation, accelerator power and host power of one hardware id on measured runs, and write a "
     "profile",
     &make_calibrate},
    {"completions", "Print a shell completion script (bash, zsh or fish)", &make_completions},
    {"man", "Print the manual page (roff); view with 'llm-energy man | man -l -'", &make_man},
}};

std::string one_line(std::string s) {
  for (auto& c : s) {
    if (c == '\n' || c == '\r') {
      c = ' ';
    }
  }
  return s;
}

// The command named by the first argument, when building only its parser is enough (the
// completions and the man page walk every command's parser).
const CommandSpec* only_command(int argc, const char* const* argv) {
  if (argc < 2) {
    return nullptr;
  }
  const std::string_view first = argv[1];
  for (const auto& c : k_commands) {
    if (first == c.name) {
      return first == "completions" || first == "man" ? nullptr : &c;
    }
  }
  return nullptr;
}

// A first argument that is neither an option nor a command: name the nearest commands.
void check_command_name(int argc, const char* const* argv) {
  if (argc < 2 || argv[1][0] == '-' || argv[1][0] == '\0') {
    return;
  }
  const std::string_view first = argv[1];
  std::vector<std::string> names;
  for (const auto& c : k_commands) {
    if (first == c.name) {
      return;
    }
    names.emplace_back(c.name);
  }
  std::string shown;
  for (const char c : first.substr(0, 40)) {
    const auto u = static_cast<unsigned char>(c);
    shown += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  throw InputError("unknown command '" + shown + "'" + did_you_mean(shown, names) + " (see --help)");
}

// The arguments CLI11 did not expect, with the nearest option names of the command for the first
// that looks like an option ("--chip 512": did you mean '--chips'?).
std::string unexpected(const CLI::ExtrasError& e, CLI::App& app,
                       const std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>>& built) {
  CLI::App* where = &app;
  for (const auto& [sub, command] : built) {
    if (sub->parsed()) {
      where = sub;
    }
  }
  std::vector<std::string> extras = where->remaining();
  if (extras.empty()) {
    extras = app.remaining(true);
  }
  for (const auto& word : extras) {
    if (!word.starts_with("--") || word.size() < 3) {
      continue;
    }
    const std::string flag = word.substr(0, word.find('='));
    // Compared without the leading dashes, which every candidate shares.
    std::vector<std::string> names;
    for (const CLI::Option* opt : where->get_options()) {
      for (const auto& l : opt->get_lnames()) {
        names.push_back(l);
      }
    }
    std::string hint;
    for (const auto& n : nearest(flag.substr(2), names)) {
      hint += (hint.empty() ? " (did you mean '--" : ", '--") + n + "'";
    }
    if (!hint.empty()) {
      hint += "?)";
    }
    if (!hint.empty()) {
      return "unknown option '" + flag + "'" + hint + " (see " +
             (where == &app ? std::string("--help") : "'llm-energy " + where->get_name() + " --help'") + ")";
    }
    break;
  }
  return one_line(e.what()) + " (see --help)";
}

std::unique_ptr<CLI::App> make_root() {
  auto app = std::make_unique<CLI::App>(
      "llm-energy: estimate the energy, carbon and time of training and serving large "
      "language models, from physics (FLOPs, hardware peaks, utilisation, power, PUE, "
      "grid intensity), with a range on every figure.",
      "llm-energy");
  app->set_version_flag("--version", [] {
    const Catalog& c = builtin_catalog();
    return std::string("llm-energy ") + k_version + " (catalogs: hardware " +
           std::string(c.hardware_version) + ", regions " + std::string(c.regions_version) + ")";
  });
  app->require_subcommand(1);
  app->footer(
      "Run 'llm-energy COMMAND --help' for a command's options and examples.\n"
      "Exit codes: 0 ok, 1 over budget, 2 bad usage or input, 3 internal error, 4 output not written.");
  return app;
}

// The long flags the command line names (up to any '='), for the lean first parse; false when
// the parse must be the full one (help and version print every option).
bool named_flags(int argc, const char* const* argv, std::vector<std::string>& flags) {
  for (int i = 2; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "-h" || a == "--help" || a == "--help-all" || a == "--version") {
      return false;
    }
    if (a.size() > 2 && a.substr(0, 2) == "--") {
      flags.emplace_back(a.substr(0, a.find('=')));
    }
  }
  return true;
}

// A parser with the invoked command (or every command) built.
struct Parser {
  std::unique_ptr<CLI::App> app = make_root();
  std::vector<std::pair<CLI::App*, std::unique_ptr<Command>>> built;

  explicit Parser(const CommandSpec* only) {
    for (const auto& spec : k_commands) {
      if (only != nullptr && &spec != only) {
        continue;
      }
      CLI::App* sub = app->add_subcommand(spec.name, spec.summary);
      built.emplace_back(sub, spec.make(*sub));
    }
  }
};

// Run the parsed command; return its exit code.
int run_parsed(Parser& p, const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  for (auto& [sub, command] : p.built) {
    if (sub->parsed()) {
      Io io{out, err, args, *p.app};
      return command->run(io);
    }
  }
  throw InputError("no command given (see --help)");
}

// Build the invoked command's parser, parse, and run the command; return its exit code.
int dispatch(int argc, const char* const* argv, const std::vector<std::string>& args, std::ostream& out,
             std::ostream& err) {
  check_command_name(argc, argv);
  // Only the invoked command's parser is built (building all fifteen costs most of start-up),
  // and first with only the scenario flags the command line names.
  const CommandSpec* only = only_command(argc, argv);
  std::vector<std::string> flags;
  if (only != nullptr && named_flags(argc, argv, flags)) {
    set_lean_flags(&flags);
    std::unique_ptr<Parser> lean;
    try {
      lean = std::make_unique<Parser>(only);
    } catch (...) {
      set_lean_flags(nullptr);
      throw;
    }
    set_lean_flags(nullptr);
    bool parsed = true;
    try {
      lean->app->parse(argc, argv);
    } catch (const CLI::Error&) {
      parsed = false;  // the full parser words the error
    }
    if (parsed) {
      return run_parsed(*lean, args, out, err);
    }
  }
  Parser full(only);
  CLI::App& app = *full.app;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e, out, err);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e, out, err);
  } catch (const CLI::RequiredError& e) {
    if (argc <= 1) {
      out << app.help();
      return static_cast<int>(Exit::bad_input);
    }
    throw InputError(one_line(e.what()) + " (see --help)");
  } catch (const CLI::ExtrasError& e) {
    throw InputError(unexpected(e, app, full.built));
  } catch (const CLI::ParseError& e) {
    throw InputError(one_line(e.what()) + " (see --help)");
  }
  return run_parsed(full, args, out, err);
}

}  // namespace

std::span<const CommandSpec> command_table() {
  return k_commands;
}

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  const std::vector<std::string> args(argv, argv + argc);
  try {
    const int rc = dispatch(argc, argv, args, out, err);
    // Every command's output is checked: a failed write (a full disk, a closed standard output,
    // a reader that went away) is an error, not a success.
    check_written(out, "standard output");
    return rc;
  } catch (const WriteError& e) {
    err << "llm-energy: error: " << one_line(e.what()) << "\n";
    return k_exit_write_failed;
  } catch (const InputError& e) {
    err << "llm-energy: error: " << one_line(e.what()) << "\n";
    return static_cast<int>(Exit::bad_input);
  } catch (const std::exception& e) {
    err << "llm-energy: internal error: " << one_line(e.what()) << "\n";
    return static_cast<int>(Exit::internal);
  }
}

}  // namespace llm_energy::cli
