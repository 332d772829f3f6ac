#pragma once
// The command-line interface: parse arguments, read files, call the core, render, write.
#include <ostream>

namespace llm_energy::cli {

// Exit codes (documented in the README).
enum class Exit : int { ok = 0, over_budget = 1, bad_input = 2, internal = 3 };

// Run the CLI with `argv`; write results to `out` and diagnostics to `err`. Returns the exit code.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

}  // namespace llm_energy::cli
