#include "common.hpp"

#include "io.hpp"

namespace llm_energy::cli {

std::string flag_name(std::string_view key) {
  std::string f = "--";
  for (char c : key) {
    f += c == '_' ? '-' : c;
  }
  return f;
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
