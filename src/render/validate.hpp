#pragma once
// Renderers for `llm-energy validate`.
#include <string>

#include "llm_energy/validation.hpp"
#include "render/estimate.hpp"

namespace llm_energy::render {

[[nodiscard]] std::string render_training_validation(const TrainingValidation& v, Format f);
[[nodiscard]] std::string render_inference_validation(const InferenceValidation& v, Format f);
// Why validation failed, in one line.
[[nodiscard]] std::string verdict_text(const ValidationVerdict& v, bool inference);

}  // namespace llm_energy::render
