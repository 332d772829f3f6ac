#pragma once
// A scenario: the inputs of one estimate, as given by flags, a config file or a batch row,
// each remembered with its origin. Every field has one key (the flag name in snake_case) and
// one parser, shared by flags, config files, batch rows and sweeps. Enumerated fields (phase,
// precision, sparsity) are typed when parsed; ids (hardware, region, model) are resolved
// against the catalog by resolve() (llm_energy/resolve.hpp), the only place defaults are decided.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "llm_energy/precision.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy {

enum class Origin { flag, config };
[[nodiscard]] std::string_view to_string(Origin o);

template <class T>
struct Given {
  T value{};
  Origin origin = Origin::flag;
};

enum class Phase { training, inference, both };
[[nodiscard]] std::string_view to_string(Phase p);
// Return the phase named by text ("training", "inference" or "both"); throws InputError.
[[nodiscard]] Phase parse_phase(std::string_view text);

// How the served weights are stored: dense, or 2:4 structured sparse (half the values and a
// 2-bit index each, on sparse tensor cores where the chip has them).
enum class Sparsity { dense, two_four };
[[nodiscard]] std::string_view to_string(Sparsity s);
[[nodiscard]] Sparsity parse_sparsity(std::string_view text);

struct Scenario {
  // Training.
  std::optional<Given<double>> tokens;
  std::optional<Given<double>> params;
  std::optional<Given<double>> active_params;
  std::optional<Given<bool>> recompute;
  std::optional<Given<std::string>> hardware;
  std::optional<Given<double>> chips;
  std::optional<Given<Precision>> precision;
  std::optional<Given<Range>> mfu;
  std::optional<Given<double>> goodput;              // (0, 1]
  std::optional<Given<double>> seq_len;              // tokens
  std::optional<Given<double>> global_batch_tokens;  // tokens per optimizer step
  std::optional<Given<double>> teacher_params;       // distillation teacher (forward passes)
  std::optional<Given<double>> chip_hours;
  std::optional<Given<Range>> power_watts;
  std::optional<Given<Range>> pue;
  std::optional<Given<std::string>> facility;  // "hyperscale", "colocation" or "enterprise"
  std::optional<Given<std::string>> region;
  std::optional<Given<Range>> carbon_intensity;
  std::optional<Given<double>> power_cap;               // fraction of TDP, (0, 1]
  std::optional<Given<double>> renewable_share;         // [0, 1], for market-based CO2e
  std::optional<Given<double>> market_based_intensity;  // gCO2e/kWh (contractual), >= 0
  std::optional<Given<Phase>> phase;
  // Inference.
  std::optional<Given<double>> inference_tokens;
  std::optional<Given<double>> input_tokens;
  std::optional<Given<double>> output_tokens;
  std::optional<Given<double>> requests;
  std::optional<Given<double>> batch_size;
  std::optional<Given<double>> inference_chips;
  std::optional<Given<double>> kv_bits;
  std::optional<Given<Sparsity>> sparsity;
  std::optional<Given<std::string>> model;
  std::optional<Given<double>> layers;
  std::optional<Given<double>> hidden_size;
  std::optional<Given<double>> heads;
  std::optional<Given<double>> kv_heads;
  std::optional<Given<double>> head_dim;
  std::optional<Given<double>> experts;
  std::optional<Given<double>> active_experts;
  std::optional<Given<double>> moe_layers;
  std::optional<Given<std::string>> serving_stack;  // "current" or "legacy"
  // The serving fleet over a day (llm_energy/fleet.hpp).
  std::optional<Given<double>> requests_per_day;
  std::optional<Given<double>> request_rate;       // requests per second (daily mean)
  std::optional<Given<std::string>> load_profile;  // flat, diurnal, business-hours or a CSV file
  std::optional<Given<double>> max_tpot_ms;
  std::optional<Given<double>> max_ttft_ms;
  std::optional<Given<std::string>> provisioning;  // "static" or "autoscale"
  std::optional<Given<double>> redundancy;         // >= 1: spare replicas; (0, 1): a fraction
  std::optional<Given<double>> autoscale_min_replicas;
  std::optional<Given<double>> autoscale_step;
  std::optional<Given<double>> autoscale_lag_min;
  std::optional<Given<std::string>> prefill_hardware;
  std::optional<Given<std::string>> decode_hardware;
  // The text of a --load-profile file, read by the CLI (the core does no I/O); empty for a
  // built-in profile.
  std::string load_profile_csv;
  // Budgets (checked by check_budgets; carried here so config files and batch rows hold them).
  std::optional<Given<double>> max_energy;
  std::optional<Given<double>> max_co2e;
  std::optional<Given<double>> max_chip_hours;
  std::optional<Given<double>> max_energy_per_request;  // kWh per request (facility, fleet when given)
  // Row identity in batch mode.
  std::optional<Given<std::string>> id;
};

enum class FieldKind { count, range, text, boolean, energy, mass, fraction, choice };

struct FieldSpec {
  std::string_view key;  // snake_case; the flag is "--" + key with '_' -> '-'
  FieldKind kind;
  std::string_view unit;  // for assumptions and help
  std::string_view help;
  std::span<const std::string_view> choices{};  // the accepted values of a choice field
};

// Return every scenario field, in help order.
[[nodiscard]] std::span<const FieldSpec> scenario_fields();

// Return the spec for `key` (snake_case), or nullptr.
[[nodiscard]] const FieldSpec* find_field(std::string_view key);

// Parse `text` for field `key` and store it in `s` with `origin`. Throws InputError naming
// the key (and suggesting the nearest valid key when `key` is unknown).
void set_field(Scenario& s, std::string_view key, std::string_view text, Origin origin);

// Return true when field `key` holds a value in `s`.
[[nodiscard]] bool has_field(const Scenario& s, std::string_view key);

// Parse a config file's JSON text into `s` (keys as above, plus a "budget" object with
// max_energy, max_co2e, max_chip_hours). Keys already set in `s` are overwritten.
void apply_config_json(Scenario& s, std::string_view text, std::string_view name);

}  // namespace llm_energy
