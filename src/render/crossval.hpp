#pragma once
// Renderer for `llm-energy validate --cross-validate`.
#include <string>

#include "llm_energy/crossval.hpp"
#include "render/estimate.hpp"

namespace llm_energy::render {

[[nodiscard]] std::string render_cross_validation(const CrossValidation& v, Format f);

}  // namespace llm_energy::render
