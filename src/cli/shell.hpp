#pragma once
// Shell completions and the man page, generated from the CLI11 App itself so that they list
// exactly the subcommands and options the binary accepts. Nothing here does I/O.
#include <string>
#include <string_view>

namespace CLI {
class App;
}

namespace llm_energy::cli {

// Return a completion script for `shell` ("bash", "zsh" or "fish"); throws InputError otherwise.
[[nodiscard]] std::string completion_script(CLI::App& app, std::string_view shell);

// Return the man page (roff, man macros) for `app`: NAME, SYNOPSIS, DESCRIPTION, COMMANDS,
// EXIT STATUS, EXAMPLES.
[[nodiscard]] std::string man_page(CLI::App& app);

}  // namespace llm_energy::cli
