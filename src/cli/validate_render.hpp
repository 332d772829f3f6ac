#pragma once
// Renderers for `llm-energy validate`.
#include <string>

#include "llm_energy/validation.hpp"
#include "render.hpp"

namespace llm_energy::cli {

[[nodiscard]] std::string render_training_validation(const TrainingValidation& v, Format f);
[[nodiscard]] std::string render_inference_validation(const InferenceValidation& v, Format f);

}  // namespace llm_energy::cli
