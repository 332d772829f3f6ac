#pragma once
// The catalogs as tables and JSON (hardware, regions and models: list and show).
// Nothing here does I/O.
#include <nlohmann/json.hpp>
#include <string>

#include "llm_energy/catalog.hpp"
#include "render/estimate.hpp"

namespace llm_energy::render {

[[nodiscard]] nlohmann::ordered_json datum_json(const Datum& d);
[[nodiscard]] std::string list_hardware(const Catalog& cat, Format f);
[[nodiscard]] std::string show_hardware(const Hardware& h, Format f);
[[nodiscard]] std::string list_regions(const Catalog& cat, Format f);
[[nodiscard]] std::string show_region(const Catalog& cat, const Region& r, Format f);
[[nodiscard]] nlohmann::ordered_json model_json(const ModelArch& m);
[[nodiscard]] std::string list_models(const Catalog& cat, Format f);
[[nodiscard]] std::string show_model(const ModelArch& m, Format f);

}  // namespace llm_energy::render
