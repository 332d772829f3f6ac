#pragma once
// The commands (one file each in src/cli) and the table app.cpp dispatches from.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "cli/command.hpp"

namespace llm_energy::cli {

class ScenarioOptions;
class BudgetOptions;
class OutputOptions;
class CatalogOptions;

std::unique_ptr<Command> make_estimate(CLI::App& cmd);
std::unique_ptr<Command> make_hardware(CLI::App& cmd);
std::unique_ptr<Command> make_regions(CLI::App& cmd);
std::unique_ptr<Command> make_models(CLI::App& cmd);
std::unique_ptr<Command> make_validate(CLI::App& cmd);
std::unique_ptr<Command> make_batch(CLI::App& cmd);
std::unique_ptr<Command> make_sweep(CLI::App& cmd);
std::unique_ptr<Command> make_compare(CLI::App& cmd);
std::unique_ptr<Command> make_plan(CLI::App& cmd);
std::unique_ptr<Command> make_schedule(CLI::App& cmd);
std::unique_ptr<Command> make_report(CLI::App& cmd);
std::unique_ptr<Command> make_measure(CLI::App& cmd);
std::unique_ptr<Command> make_calibrate(CLI::App& cmd);
std::unique_ptr<Command> make_completions(CLI::App& cmd);
std::unique_ptr<Command> make_man(CLI::App& cmd);

// The options batch and sweep share (scenario flags with budgets, --budget-on, --warn-at,
// --format, --output, --fail-fast, catalog files), in their help order.
void add_batch_options(CLI::App& cmd, ScenarioOptions& scenario, BudgetOptions& budget, OutputOptions& output,
                       CatalogOptions& catalog, bool& fail_fast, const std::string& formats_help,
                       const std::vector<std::string>& formats);

// The command table, in help order.
[[nodiscard]] std::span<const CommandSpec> command_table();

}  // namespace llm_energy::cli
