#pragma once
// Reports of `llm-energy measure` (table and JSON) and `llm-energy calibrate` (the fit).
// Nothing here does I/O.
#include <string>
#include <string_view>

#include "llm_energy/calibrate.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/metering.hpp"
#include "render/estimate.hpp"

namespace llm_energy::render {

// The one warning line for sources that could not be read and readings not counted (a counter
// that stepped back); empty when there is neither.
[[nodiscard]] std::string warning_line(const MeasurementReport& r);
// The report as a table or JSON (schema "llm-energy/measure/1", which parse_measurement
// reads back); InputError for other formats.
[[nodiscard]] std::string render_measurement(const MeasurementReport& r, Format f);
// The merged report of several nodes as a table or JSON (schema "llm-energy/measure-merged/1").
[[nodiscard]] std::string render_merged(const MergedMeasurement& m, Format f);
// The command line as a shell would read it ('quoted' where needed).
[[nodiscard]] std::string command_text(const std::vector<std::string>& cmd);

// The calibration summary (table or JSON, schema "llm-energy/calibration/1").
[[nodiscard]] std::string render_calibration(const CalibrationResult& r, const Hardware& catalog_hw,
                                             std::string_view inputs, std::string_view profile_file,
                                             Format f);

}  // namespace llm_energy::render
