#include "common.hpp"

#include <CLI/CLI.hpp>

#include "io.hpp"

namespace llm_energy::cli {

std::string flag_name(std::string_view key) {
  std::string f = "--";
  for (char c : key) {
    f += c == '_' ? '-' : c;
  }
  return f;
}

void add_scenario_flag(CLI::App& cmd, const FieldSpec& f, const std::string& flag,
                       std::map<std::string, std::string>& values, bool& flag_set,
                       std::string_view help_prefix) {
  std::string help = std::string(help_prefix) + std::string(f.help);
  if (!f.unit.empty() && f.kind != FieldKind::text) {
    help += " [" + std::string(f.unit) + "]";
  }
  if (f.kind == FieldKind::boolean) {
    cmd.add_flag(flag, flag_set, help);
    return;
  }
  cmd.add_option(flag, values[std::string(f.key)], help)
      ->type_name(f.kind == FieldKind::text    ? "ID"
                  : f.kind == FieldKind::range ? "X|LO:HI"
                                               : "N");
}

void add_scenario_flags(CLI::App& cmd, std::map<std::string, std::string>& values, bool& flag_set) {
  for (const auto& f : scenario_fields()) {
    if (f.key != "id") {
      add_scenario_flag(cmd, f, flag_name(f.key), values, flag_set);
    }
  }
}

CatalogHandle load_catalog_files(const std::vector<std::string>& hardware_files,
                                 const std::vector<std::string>& regions_files) {
  CatalogHandle h;
  if (hardware_files.empty() && regions_files.empty()) {
    h.cat = &builtin_catalog();
    return h;
  }
  CatalogSources src = builtin_sources();
  for (const auto& f : hardware_files) {
    src.hardware_overrides.push_back({f, read_file(f)});
  }
  for (const auto& f : regions_files) {
    src.regions_overrides.push_back({f, read_file(f)});
  }
  h.reset(load_catalog(src));
  return h;
}

}  // namespace llm_energy::cli
