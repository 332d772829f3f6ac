#pragma once
// `estimate --format model-card`: the Hugging Face model-card `co2_eq_emissions` block.
#include <string>

#include "llm_energy/catalog.hpp"
#include "llm_energy/estimate.hpp"

namespace llm_energy::render {

// Return the `co2_eq_emissions:` YAML block (training operational CO2e in grams, the method,
// the region's name and the hardware) for a model card's front matter. Throws InputError when
// `e` has no training phase.
[[nodiscard]] std::string render_model_card(const Estimate& e, const Catalog& cat);

}  // namespace llm_energy::render
