// libFuzzer harness: the override-file (catalog) parser. Any --hardware-file or --regions-file
// text either fails with InputError or merges into a catalog whose tables print no raw control
// character (every catalog string goes through the table escape) and whose every hardware
// entry and region can be looked up and shown. The base catalog is the small fixture in
// tests/data/catalog (the built-in one is 50 times larger to parse: a few executions a second).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "render/catalog.hpp"

namespace {

// A byte a terminal would act on: C0 other than the line break, DEL, or the C1 CSI.
void require_printable(const std::string& s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if ((u < 0x20 && u != '\n') || u == 0x7f ||
        (u == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) >= 0x80 &&
         static_cast<unsigned char>(s[i + 1]) <= 0x9F)) {
      std::abort();
    }
  }
}

std::string slurp(const std::string& name) {
  std::ifstream in(std::string(LLM_ENERGY_SOURCE_DIR) + "/tests/data/catalog/" + name, std::ios::binary);
  if (!in) {
    std::abort();  // run from anywhere: the path is compiled in
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llm_energy;
  if (size == 0) {
    return 0;
  }
  // The first byte picks the list the text overrides; the rest is the file.
  static const CatalogSources base = {{"fixture/hardware.json", slurp("hardware.json")},
                                      {"fixture/regions.json", slurp("regions.json")},
                                      {"fixture/models.json", slurp("models.json")},
                                      {},
                                      {}};
  CatalogSources src = base;
  const CatalogText text{"fuzz.json", std::string(reinterpret_cast<const char*>(data + 1), size - 1)};
  if (data[0] % 2 == 0) {
    src.hardware_overrides.push_back(text);
  } else {
    src.regions_overrides.push_back(text);
  }
  try {
    const Catalog cat = load_catalog(src);
    if (data[0] % 2 == 0) {
      require_printable(render::list_hardware(cat, render::Format::table));
      for (const auto& h : cat.hardware) {
        require_printable(render::show_hardware(cat.find_hardware(h.id), render::Format::table));
      }
    } else {
      require_printable(render::list_regions(cat, render::Format::table));
      for (const auto& r : cat.regions) {
        require_printable(render::show_region(cat, cat.find_region(r.id), render::Format::table));
      }
    }
  } catch (const InputError&) {
  }
  return 0;
}
