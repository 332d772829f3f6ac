#pragma once
// The figure registry: every output figure of an estimate, declared once, in schema order.
// The finite-output check, the JSON / CSV / JSONL writers, the table and Markdown rows, the
// HTML report, the charts and the property tests iterate over it; adding a figure is one
// entry here (and its field in estimate.hpp). Modelled on ccache's k_statistics_fields.
#include <cstdint>
#include <span>
#include <string_view>

#include "llm_energy/estimate.hpp"

namespace llm_energy {

// fleet: the serving fleet of the inference phase (JSON "inference.fleet", CSV "inference.fleet.*");
// its keys may hold one '.', which nests them in JSON ("energy_per_request_wh.facility").
enum class Section : std::uint8_t { training, inference, fleet };
[[nodiscard]] std::string_view to_string(Section s);

enum class FigureType : std::uint8_t {
  number,    // a number in `unit`
  text,      // a word (the decode bound, the main uncertainty)
  interval,  // [low, high] of the number figure with the same key (JSON: under "interval")
};

// How a table or Markdown row shows a figure; `none`: JSON and CSV only, or part of a row of
// several figures.
enum class Show : std::uint8_t {
  none,
  flops,            // 6.00e+17 FLOP
  count_range,      // 0.600 (0.444–1.09): the value and its interval
  hours,            // 4.50 min
  plain,            // 0.281, followed by `suffix`
  plain_range,      // 0.0208 (0.0147–0.0430)
  energy,           // 315 Wh
  energy_range,     // 507 Wh (338–1069)
  mass,             // 12.0 g
  mass_range,       // 244 g (161–514)
  water,            // 4.20 L
  water_range,      // 1.29 ML (0.84–2.10)
  text,             // the word
  tokens_summary,   // 100 M (250 k requests of 400 in / 400 out)
  replica_summary,  // 1 chip, batch 64, decode memory-bound
  speed_summary,    // 22296 tokens/s, 2.87 ms per output token
  fleet_load,       // 10.0 M requests/day (diurnal), static
  fleet_replica,    // 8 x h100-sxm per replica, batch 52
  fleet_chips,      // 96 at the peak (12 replicas), 80.3 on average
  fleet_latency,    // 49.8 ms per output token, 612 ms to the first token
  fleet_breakdown,  // 58% active accelerators, 25% host, 10% idle, 8% overhead
};

// How a figure combines across phases (Total): summed (its Spread adds), or not at all.
enum class Across : std::uint8_t { sum, none };

struct Figure {
  std::string_view key;  // JSON / CSV key within its section
  Section section;
  FigureType type;
  std::string_view unit;   // of a number
  std::string_view label;  // table and Markdown row label ("" when Show::none)
  Show show;
  std::string_view suffix;  // after a plain value in a row
  Across across;
  bool (*present)(const Estimate&);  // the figure exists in this estimate
  double (*number)(const Estimate&);
  std::string_view (*text)(const Estimate&);
  Interval (*interval)(const Estimate&);
};

// Return every figure, in schema order (the training section, then inference).
[[nodiscard]] std::span<const Figure> figures();

// Return the fleet's figures (Section::fleet), in schema order; present only in an estimate
// with a fleet, so they are kept apart from figures() and its fixed CSV columns.
[[nodiscard]] std::span<const Figure> fleet_figures();

// Return the figure of `section` with `key` and `type`, or nullptr.
[[nodiscard]] const Figure* find_figure(Section section, std::string_view key,
                                        FigureType type = FigureType::number);

}  // namespace llm_energy
