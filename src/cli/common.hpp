#pragma once
// Helpers shared by the CLI's commands.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/scenario.hpp"

namespace CLI {
class App;
}

namespace llm_energy::cli {

// Return the flag for a scenario key: "active_params" -> "--active-params".
[[nodiscard]] std::string flag_name(std::string_view key);

// Add the option for scenario field `f` to `cmd` as `flag` (help: `help_prefix` + the field's
// help and unit; type name ID, X|LO:HI or N). The text lands in values[key]; the boolean field
// sets `flag_set`.
void add_scenario_flag(CLI::App& cmd, const FieldSpec& f, const std::string& flag,
                       std::map<std::string, std::string>& values, bool& flag_set,
                       std::string_view help_prefix = "");

// Add every scenario field but "id" under its own flag name.
void add_scenario_flags(CLI::App& cmd, std::map<std::string, std::string>& values, bool& flag_set);

// The catalog a command uses: the built-in one (shared, never copied), or an owned one with the
// user's --hardware-file / --regions-file entries merged in.
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

// Return the catalog for these override files (read here; InputError names a bad file).
[[nodiscard]] CatalogHandle load_catalog_files(const std::vector<std::string>& hardware_files,
                                               const std::vector<std::string>& regions_files);

}  // namespace llm_energy::cli
