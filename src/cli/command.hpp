#pragma once
// The command table's interface: each command is one short file that declares its options on
// its own CLI11 subcommand and returns a Command that runs once the arguments are parsed.
#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace llm_energy::cli {

// Exit codes (documented in the README).
enum class Exit : int { ok = 0, over_budget = 1, bad_input = 2, internal = 3 };

// What a running command may use: the output streams, the command line and the root parser
// (completions and the man page walk it).
struct Io {
  std::ostream& out;
  std::ostream& err;
  const std::vector<std::string>& argv;
  CLI::App& root;
};

class Command {
 public:
  virtual ~Command() = default;
  // Run after parsing; return the exit code. Throws InputError for bad input.
  virtual int run(Io& io) = 0;
};

// One row of the command table: the name and summary `llm-energy --help` lists, and the
// function that declares the command's options on `cmd` (already created) and returns it.
struct CommandSpec {
  const char* name;
  const char* summary;
  std::unique_ptr<Command> (*make)(CLI::App& cmd);
};

}  // namespace llm_energy::cli
