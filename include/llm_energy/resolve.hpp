#pragma once
// resolve(Scenario, Catalog) -> Resolved: the one place where a default is chosen, a catalog
// entry is looked up or a range is decided. Every command (estimate, compare and the other
// what-ifs, sweep, batch, calibrate, measure, --explain) consumes its result; none decides a
// default of its own. Each resolved value keeps its origin and the sourced datum it rests on
// (an Assumption); the renderers put those in words.
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "llm_energy/catalog.hpp"
#include "llm_energy/fleet.hpp"
#include "llm_energy/model.hpp"
#include "llm_energy/scenario.hpp"
#include "llm_energy/spread.hpp"

namespace llm_energy {

enum class OriginKind : std::uint8_t { flag, config, default_value, catalog, derived };

// What a source says of a value besides the datum it cites (words come from the renderer).
enum class Basis : std::uint8_t {
  given,              // as given (a flag or config value)
  cited,              // the datum
  entry_name,         // the catalog entry's name (`word`); a default says no flag was given
  model_source,       // the model entry's source (`word`) and year (`detail`)
  default_precision,  // bf16, or the chip's best 16-bit format
  grid_basis,         // the intensity's basis (`word`), location-based, and the datum
  recompute,          // 8*N*D with full activation recomputation
  default_chips,      // the fewest chips (powers of two from `detail2`) that finish within `detail` days
  peak,               // the precision (`word`), dense peak, and the datum
  weight_only,        // compute precision (`word`) of weight-only quantised weights
  mfu_ceiling,        // the generation (`word`) large-model MFU ceiling, and the datum
  width_factor,       // 1/(1 + k (peak/BW)/d_model) at d_model `detail` (datum: k)
  communication,      // exposed all-reduce time / GEMM time at `detail` tokens per replica over
                      // `detail2` GB/s (datum: exposed share)
  pipeline_bubble,    // (p-1)/(v m) at p = `detail` stages, m = `detail2` micro-batches
  moe_routing,        // a (peak/BW)/d_model (datum: a)
  utilisation_model,  // ceiling x width / (1 + terms); the range is the model error (datum)
  training_layout,    // TP x PP x DP (`word`), from memory (datum: shard share)
  batch_law,          // B = a C^b tokens (datum: a, datum2: b)
  attention_flops,    // 6 L s d_attn per token, `detail` = share of 6 N
  kv_admission,       // the sequences whose KV cache (`detail` MB each) fits on `detail2` chips
  fixed_step_time,   // per-layer fixed time of `detail` layers on `detail2` chips (datum: dense, datum2: MoE)
  model_error,       // x/÷ exp(datum): the 80% interval from out-of-sample errors
  power_override,    // --power-watts: the whole per-chip figure (accelerator and host share)
  average_draw,      // TDP x average-draw fraction `detail`, and the datum
  embodied_split,    // the chip's datum and the host share's datum2
  same_as_tokens,    // same count as --tokens (no --inference-tokens or --requests given)
  catalog_shape,     // the model entry's source (`word`) and year (`detail`)
  default_shape,     // the default-shape rule for the parameter count
  default_kv_bits,   // 16-bit KV cache (vLLM auto), 32 for fp32 models
  smallest_replica,  // smallest power of two holding weights + KV cache x `detail` headroom
  power_cap,         // time x `detail`, accelerator power x `detail2` (datum: the time exponent)
  sparse_two_four,   // 2:4 sparse weights at `detail` x the dense peak (datum: the speed-up)
  network_fabric,    // `detail` links per chip x (NIC datum + (2 x `detail2` tiers - 1) switch ports datum2)
  host_less_nic,     // the host share less the NICs now counted as communication (`detail` W)
  checkpoint_writes,  // state bytes per parameter x params every `detail` hours (datum: interval)
  dataset_reads,      // `detail` bytes per token read once (datum)
  facility,           // the facility entry (`word`: its name); `detail` 1: the region's own operator
  water_unsourced,    // no water intensity of electricity for region `word`: on-site water only
  hours_only,         // chip-hours without params and tokens: no compute or per-token figures
};

// One resolved input: its value (with range) or text, its origin and what it rests on. The
// views point into the catalog it was resolved against (or static text): an Assumption does
// not outlive its catalog.
struct Assumption {
  std::string_view key{};
  std::string_view text{};  // a textual value (an id, a precision); empty for numbers
  Range value{};
  std::string_view unit{};
  OriginKind origin = OriginKind::default_value;
  std::string_view entry{};  // the catalog entry of origin "catalog:<entry>"
  Basis basis = Basis::given;
  const Datum* datum = nullptr;
  const Datum* datum2 = nullptr;
  double detail = 0;
  double detail2 = 0;
  std::string_view word{};
};

// The grid: carbon intensity and PUE, from --region (and its operator or --facility) or given;
// the facility's on-site water (WUE) and the water intensity of the region's electricity.
struct Grid {
  const Region* region = nullptr;  // null when --carbon-intensity was given
  const Operator* op = nullptr;    // the operator whose PUE applies; null when --pue was given
  Range intensity;
  Range pue;
  const Operator* facility = nullptr;  // the entry whose PUE (unless given) and WUE apply
  Range wue;                           // L of water on site per kWh of IT (server) energy
  Range water_intensity;               // L of water per kWh generated; exact 0 where unsourced
  bool water_intensity_known = false;
  [[nodiscard]] std::string_view region_id() const {
    return region != nullptr ? std::string_view(region->id) : "custom";
  }
};

struct TrainingInputs {
  double tokens = 0;
  bool recompute = false;
  double chips = 8;
  double flops = 0;  // 6 N D (8 with recompute) + attention + a teacher's forward passes
  double seq_len = 0;
  double global_batch_tokens = 0;
  double goodput = 1;
  std::optional<double> chip_hours;  // given (scaled by a power cap)
  // Storage: checkpoint bytes per chip-hour and the tokenised dataset read once (the network
  // power per chip is the Uncertain::network_power range, the J per byte Uncertain::storage_energy).
  double checkpoint_bytes_per_chip_hour = 0;
  double dataset_bytes = 0;
  model::TrainingSetup setup;
  model::TrainingLayout layout;
  std::optional<model::TrainingEfficiency> efficiency;  // when the utilisation model sets the MFU
};

struct InferenceInputs {
  double tokens = 0;  // output tokens served in total
  double requests = 0;
  double memory_required_gb = 0;
  double max_batch = 1;  // the most sequences the replica admits (--batch-size when given)
  Precision compute_precision = Precision::bf16;
  model::ServingSetup setup;               // at the central batch
  model::ServingFactors factors;           // central values; the uncertain ones vary around them
  std::optional<double> power_override_w;  // --power-watts: the whole per-chip figure
};

struct Resolved {
  Phase phase = Phase::both;
  const Hardware* hardware = nullptr;
  Precision precision = Precision::bf16;
  Grid grid;
  const ModelArch* model = nullptr;
  model::Shape shape;  // the architecture (catalog entry, flags or the default rule)
  double params = 0;
  double active_params = 0;
  double peak_flops_per_s = 0;                    // per chip at the training precision, after a power cap
  double cap_time_factor = 1;                     // --power-cap: time x this
  double cap_power_factor = 1;                    // --power-cap: accelerator power x this
  std::array<Range, k_uncertain_count> ranges{};  // every uncertain input (exact where given)
  std::optional<TrainingInputs> training;
  std::optional<InferenceInputs> inference;
  std::optional<FleetInputs> fleet;  // with --requests-per-day or another fleet field
  FleetRanges fleet_ranges;
  std::optional<double> renewable_share;
  std::optional<double> market_based_intensity;
  std::vector<Assumption> assumptions;  // in a fixed order

  [[nodiscard]] Range& range(Uncertain u) { return ranges[static_cast<std::size_t>(u)]; }
  [[nodiscard]] const Range& range(Uncertain u) const { return ranges[static_cast<std::size_t>(u)]; }
};

// Return the resolved inputs of `s`; throws InputError for missing, invalid or conflicting inputs.
[[nodiscard]] Resolved resolve(const Scenario& s, const Catalog& catalog);

// Return the grid of `s` (--region or --carbon-intensity, --pue or the operator's): what resolve
// uses, for commands that need only the grid (measure). Adds its assumptions to `out` if given.
// `on_device`: the hardware is an edge device (a laptop, a desktop, a module) that sits in no data
// centre, so without --facility its site is the catalog's "on-device" operator (no facility
// overhead, no cooling water) whatever the region.
[[nodiscard]] Grid resolve_grid(const Scenario& s, const Catalog& catalog,
                                std::vector<Assumption>* out = nullptr, bool on_device = false);

// Return the precision the chip computes at by default: bf16, or fp16 on chips without bf16
// (V100, T4), else the first it has.
[[nodiscard]] Precision default_precision(const Hardware& hw);

// Return the training utilisation model's constants (catalog "training_model").
[[nodiscard]] model::TrainingCoefficients training_coefficients(const Catalog& catalog);

}  // namespace llm_energy
