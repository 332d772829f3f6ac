#pragma once
// The command-line interface: parse arguments, read files, call the core, render, write.
#include <ostream>

#include "cli/command.hpp"

namespace llm_energy::cli {

// Run the CLI with `argv`; write results to `out` and diagnostics to `err`. Returns the exit code.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace llm_energy::cli
