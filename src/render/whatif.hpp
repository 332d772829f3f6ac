#pragma once
// Renderers of the what-if commands: compare (the comparison and its notes in words), plan and
// schedule. Nothing here does I/O.
#include <string>

#include "llm_energy/plan.hpp"
#include "llm_energy/schedule.hpp"
#include "llm_energy/whatif.hpp"
#include "render/estimate.hpp"

namespace llm_energy::render {

// A comparison note in words.
[[nodiscard]] std::string note_text(const whatif::Note& n, const whatif::Comparison& c);
// A plan note in words.
[[nodiscard]] std::string note_text(whatif::PlanNote n, const whatif::Plan& p);

[[nodiscard]] std::string render_comparison(const whatif::Comparison& c, Format f);
[[nodiscard]] std::string render_plan(const whatif::Plan& p, Format f);
[[nodiscard]] std::string render_schedule(const whatif::ScheduleResult& r, const whatif::ScheduleRequest& q,
                                          Format f);

}  // namespace llm_energy::render
