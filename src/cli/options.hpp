#pragma once
// The option groups commands share, declared once: the scenario flags (every scenario field,
// and --config), the catalog override files, the output (--format, --output) and budgets.
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/command.hpp"

namespace CLI {
class Option;
class Validator;
}  // namespace CLI
#include "llm_energy/budget.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/scenario.hpp"

namespace llm_energy::cli {

// Return the flag for a scenario key: "active_params" -> "--active-params".
[[nodiscard]] std::string flag_name(std::string_view key);

// While `flags` is set (non-null), ScenarioOptions::add registers only the scenario flags it
// lists: the dispatcher's first, lean parse registers the flags the command line names (CLI11
// checks each new option against every earlier one, so registering all ~60 costs most of
// start-up). Any parse error, --help or --version rebuilds the parser in full, so messages,
// suggestions and help are those of the full parser.
void set_lean_flags(const std::vector<std::string>* flags);

// Read the file a --load-profile names (not a built-in profile) into s.load_profile_csv, for
// resolve to parse (the core does no I/O).
void read_load_profile(Scenario& s);

// Every scenario field as a flag, and --config FILE (add_config).
class ScenarioOptions {
 public:
  enum class Budgets { include, skip };
  // `renamed`: scenario key -> flag, where a command uses the field's own flag for something
  // else (compare's --hardware lists variants; its baseline's is --baseline-hardware).
  void add(CLI::App& cmd, Budgets budgets, const std::map<std::string, std::string>& renamed = {});
  void add_config(CLI::App& cmd);

  // Return the scenario: --config first, then the flags given.
  [[nodiscard]] Scenario scenario() const;
  // The flags given, as (key, text), in field order.
  [[nodiscard]] std::vector<std::pair<std::string, std::string>> given() const;
  // The scenario flags given, as typed ("--params 7B --tokens 2T"), for chart titles.
  [[nodiscard]] std::string summary() const;
  // True when any scenario flag or --config was given.
  [[nodiscard]] bool any() const;
  [[nodiscard]] const std::string& config() const { return m_config; }

 private:
  [[nodiscard]] std::string flag_of(const std::string& key) const;
  std::map<std::string, std::string> m_values;
  std::map<std::string, std::unique_ptr<bool>> m_switches;      // one bool per boolean field
  std::vector<std::pair<std::string, CLI::Option*>> m_options;  // in field order (count() is cheap)
  std::map<std::string, std::string> m_renamed;
  std::string m_config;
};

// The catalog a command uses: the built-in one (shared, never copied), or an owned one with
// the user's --hardware-file / --regions-file entries merged in.
struct CatalogHandle {
  std::unique_ptr<Catalog> owned;
  const Catalog* cat = nullptr;

  const Catalog& operator*() const { return *cat; }
  const Catalog* operator->() const { return cat; }
  // Replace the catalog with `c` (e.g. one with a calibration profile applied).
  void reset(Catalog c) {
    owned = std::make_unique<Catalog>(std::move(c));
    cat = owned.get();
  }
};

// --hardware-file and --regions-file.
class CatalogOptions {
 public:
  void add(CLI::App& cmd);
  // Return the catalog (the files are read here; InputError names a bad file).
  [[nodiscard]] CatalogHandle load() const;

 private:
  std::vector<std::string> m_hardware_files;
  std::vector<std::string> m_regions_files;
};

// True with NO_COLOR set or TERM=dumb: no colour and no terminal control sequences.
[[nodiscard]] bool plain_terminal();
// True when LC_ALL, LC_CTYPE or LANG (the first set) names a locale that is not UTF-8.
[[nodiscard]] bool ascii_locale();
// Return `text` spelled in ASCII under such a locale, else unchanged.
[[nodiscard]] std::string for_terminal(std::string_view text);

// The check of a --plot FILE: charts are SVG, so a name that does not end in .svg (x.png) is
// refused in one line rather than written as SVG under a misleading name.
[[nodiscard]] CLI::Validator svg_file();

// --format and --output.
class OutputOptions {
 public:
  OutputOptions() = default;
  explicit OutputOptions(std::string default_format) : format(std::move(default_format)) {}
  void add(CLI::App& cmd, const std::vector<std::string>& formats, const std::string& help = "output format",
           const std::string& output_help = "write to FILE instead of standard output");
  // Write `text` to --output (through a temporary file and a rename) or standard output.
  void emit(Io& io, const std::string& text) const;
  // True when the output is a terminal that takes colour (no --output, no NO_COLOR, TERM not dumb).
  [[nodiscard]] bool color(const Io& io) const;

  std::string format = "table";
  std::string output;
};

// --budget-on and --warn-at.
class BudgetOptions {
 public:
  void add(CLI::App& cmd);
  [[nodiscard]] BudgetPolicy policy() const;

 private:
  std::string m_on = "central";
  std::string m_warn_at;
};

}  // namespace llm_energy::cli
