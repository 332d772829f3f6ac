// `llm-energy completions SHELL` and `llm-energy man`: generated from the parser itself, so they
// list exactly the commands and options the binary accepts.
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/shell.hpp"

namespace llm_energy::cli {
namespace {

class CompletionsCommand final : public Command {
 public:
  explicit CompletionsCommand(CLI::App& cmd) {
    cmd.add_option("SHELL", m_shell, "the shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
    cmd.footer(
        "Examples:\n  source <(llm-energy completions bash)\n"
        "  llm-energy completions zsh > \"${fpath[1]}/_llm-energy\"\n"
        "  llm-energy completions fish > ~/.config/fish/completions/llm-energy.fish");
  }
  int run(Io& io) override {
    io.out << completion_script(io.root, m_shell);
    return static_cast<int>(Exit::ok);
  }

 private:
  std::string m_shell;
};

class ManCommand final : public Command {
 public:
  explicit ManCommand(CLI::App& /*cmd*/) {}
  int run(Io& io) override {
    io.out << man_page(io.root);
    return static_cast<int>(Exit::ok);
  }
};

}  // namespace

std::unique_ptr<Command> make_completions(CLI::App& cmd) {
  return std::make_unique<CompletionsCommand>(cmd);
}

std::unique_ptr<Command> make_man(CLI::App& cmd) {
  return std::make_unique<ManCommand>(cmd);
}

}  // namespace llm_energy::cli
