#pragma once
// The hardware, region and model catalogs: typed views of configs/*.json, with every
// figure's source. Parsed from text (the embedded copies, or the user's override files).
#include <array>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "llm_energy/precision.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy {

// The catalogs' text (ids, names, sources, notes) is held as views: into the binary's string
// literals for the built-in catalog (nothing is copied at start-up), and into a Catalog's
// TextStore for text read from files. A view lives as long as its catalog (or a copy of it).
class TextStore {
 public:
  // Return a view of `text` that stays valid while any copy of this store lives.
  std::string_view keep(std::string text);
  // The store holds text, not data: two catalogs are equal when their views are.
  bool operator==(const TextStore& /*other*/) const { return true; }

 private:
  std::shared_ptr<std::deque<std::string>> m_texts;
};

// A sourced figure from a catalog.
struct Datum {
  double value = 0;
  double low = 0;
  double high = 0;
  std::string_view source;
  int year = 0;
  std::string_view note;

  [[nodiscard]] Range range() const { return {low, value, high}; }
  // Every field, by construction: a field added later is compared too (tests/unit/builtin_catalog_test).
  bool operator==(const Datum&) const = default;
};

struct Hardware {
  std::string_view id;
  std::string_view name;
  std::vector<std::string_view> aliases;  // other names users type, matched regardless of case
  std::string_view vendor;
  std::string_view generation;
  // "accelerator" (GPU, TPU, NPU card), "cpu" (a server CPU socket) or "edge" (an SoC with
  // unified memory: Apple M-series, Jetson); CPUs and edge devices serve but do not train.
  std::string_view kind = "accelerator";
  int release_year = 0;
  std::string_view notes;
  Datum tdp_w;
  std::array<std::optional<Datum>, k_all_precisions.size()> peak_tflops;  // indexed by Precision; dense peak
  std::optional<Datum> sparse_speedup;
  Datum memory_gb;
  Datum memory_bandwidth_gbps;
  // Interconnect per chip and direction (optional in user files: training_model's fallback).
  std::optional<Datum> scale_up_gbps;    // NVLink / xGMI / ICI, GB/s
  std::optional<Datum> scale_up_domain;  // chips in one scale-up domain
  std::optional<Datum> scale_out_gbps;   // network (InfiniBand, RoCE, DCN), GB/s
  std::optional<Datum> idle_power_w;     // measured idle draw; absent: idle_power_fraction x TDP
  Datum embodied_kgco2e;
  // Per-generation calibrated defaults (the chip's own entry may override them).
  Datum training_mfu;
  Datum avg_power_fraction;
  Datum idle_power_fraction;
  Datum host_power_w;
  Datum host_embodied_kgco2e;
  Datum service_life_years;

  [[nodiscard]] const std::optional<Datum>& peak(Precision p) const {
    return peak_tflops[static_cast<std::size_t>(p)];
  }
  bool operator==(const Hardware&) const = default;
};

struct Operator {
  std::string_view id;
  std::string_view name;
  Datum pue;
  Datum wue_l_per_kwh;
  bool operator==(const Operator&) const = default;
};

struct Region {
  std::string_view id;
  std::string_view name;
  std::vector<std::string_view> aliases;  // other names users type, matched regardless of case
  std::string_view kind;                  // world, bloc, country, cloud
  std::string_view provider;
  std::string_view country;
  std::string_view operator_id;  // empty: the catalog's default operator
  Datum carbon_intensity;        // gCO2e/kWh
  std::string_view basis;        // life-cycle, operational, direct
  // L of water consumed generating a kWh (off-site), from the catalog's electricity_water by
  // the region's id, or a cloud region's country; empty where no source gives one.
  std::optional<Datum> water_intensity;
  bool operator==(const Region&) const = default;
};

struct ModelArch {
  std::string_view id;
  std::string_view name;
  std::vector<std::string_view> aliases;  // other names users type, matched regardless of case
  double params = 0;
  double active_params = 0;
  int layers = 0;
  int hidden_size = 0;
  int heads = 0;
  int kv_heads = 0;
  int head_dim = 0;
  int experts = 0;
  int active_experts = 0;
  int moe_layers = 0;  // layers with experts (0 with experts: every layer)
  double context_length = 0;
  std::string_view source;
  int year = 0;
  std::string_view note;
  bool operator==(const ModelArch&) const = default;
};

// One catalog file's text and a name for messages (a path, or "built-in").
struct CatalogText {
  std::string name;
  std::string text;
};

// Constants of the serving (inference) model, calibrated on measured points and kept with
// their sources in hardware.json "serving_model".
struct ServingModel {
  Datum memory_efficiency;       // achieved fraction of peak bandwidth streaming weights in decode
  Datum kv_efficiency;           // achieved fraction of peak bandwidth reading the KV cache
  Datum compute_efficiency;      // achieved fraction of peak FLOP/s in decode GEMMs
  Datum prefill_efficiency;      // achieved fraction of peak FLOP/s in prefill
  Datum layer_time_us;           // fixed GPU time per dense layer per decode step
  Datum moe_layer_time_us;       // fixed time per MoE layer per step
  Datum fp8_moe_layer_time_us;   // extra per MoE layer with FP8 GEMMs
  Datum allreduce_time_us;       // one small all-reduce (two per layer under tensor parallelism)
  Datum all_to_all_time_us;      // dispatch + combine per MoE layer under expert parallelism
  Datum sequence_time_us;        // per sequence per decode step (sampling, scheduling)
  Datum dequant_ops_per_weight;  // vector ops per weight-only element per step
  Datum active_floor;            // draw / TDP of a busy accelerator before its dynamic share
  Datum power_memory_weight;     // dynamic power share at full memory activity
  Datum power_compute_weight;    // dynamic power share at full tensor activity
  Datum legacy_busy_share;       // --serving-stack legacy: share of a step the GPU works
  Datum model_error;             // 80th percentile of |ln(measured / predicted)| J per token out of sample
  Datum memory_headroom;         // memory needed = (weights + KV cache) * headroom
  Datum default_batch;           // concurrent sequences when --batch-size is not given
  Datum default_input_tokens;    // prompt tokens per request when not given
  Datum default_output_tokens;   // output tokens per request when not given
  // The serving fleet (llm_energy/fleet.hpp).
  Datum host_idle_fraction;      // a waiting server's host draw / its busy draw
  Datum autoscale_lag_min;       // minutes from a decision to a replica serving (and back)
  Datum autoscale_min_replicas;  // the fewest replicas an autoscaler keeps
  Datum autoscale_step;          // replicas added or removed at a time
  Datum diurnal_amplitude;       // diurnal profile: 1 + a cos(2 pi (h - peak) / 24)
  Datum diurnal_peak_hour;       // hour of the diurnal peak (local time)
  Datum business_start_hour;     // business-hours profile: full load from here
  Datum business_end_hour;       // ... to here
  Datum business_off_share;      // load outside business hours / within
  bool operator==(const ServingModel&) const = default;
};

// The training utilisation model (hardware.json "training_model"; model::training_efficiency).
struct TrainingModel {
  Datum width_coefficient;        // k: memory-bound non-GEMM work, 1/(1 + k (peak/BW)/d_model)
  Datum moe_routing_coefficient;  // a: MoE routing and all-to-all, a (peak/BW)/d_model per step
  Datum exposed_communication;    // share of the gradient all-reduce not hidden behind backward
  Datum goodput;                  // share of the chip-hours spent in steps that count
  Datum seq_len;                  // training sequence length when neither flag nor model gives it
  Datum batch_coefficient;        // default global batch B = a C^b tokens
  Datum batch_exponent;           // b
  Datum batch_min_tokens;         // B floor
  Datum batch_max_tokens;         // B ceiling
  Datum state_bytes_per_param;    // weights, gradients, optimizer state (mixed-precision Adam)
  Datum shard_memory_share;       // 16-bit weights + gradients per model-parallel shard <= share x memory
  Datum target_days;              // default chip count: the fewest that finish within this
  Datum min_chips;                // default chip count: at least one server
  Datum model_error;              // sd of ln(published / predicted) chip-hours out of sample
  Datum fallback_scale_out_gbps;  // network per chip for entries that give none
  // Training energy by part (model::network_power_w, model::storage_bytes): the fabric and storage.
  Datum nic_power_w;                // one network adapter port, per chip-link
  Datum switch_port_power_w;        // one switch port with its transceiver
  Datum switch_radix;               // ports per switch (fat-tree tiers from the chip count)
  Datum nic_link_gbps;              // line rate of one adapter port, GB/s per direction
  Datum checkpoint_interval_hours;  // wall-clock between checkpoints
  Datum dataset_bytes_per_token;    // tokenised training data read per token
  Datum storage_j_per_gb;           // storage system energy per GB written or read
  bool operator==(const TrainingModel&) const = default;
};

// Literature constants of the what-if comparisons (hardware.json "whatif_model").
struct WhatIfModel {
  Datum power_cap_time_exponent;   // time x cap^-alpha under a power cap
  Datum power_cap_power_exponent;  // accelerator power x cap^beta under a power cap
  Datum two_four_weight_bytes;     // bytes of a 2:4-sparse weight relative to dense
  bool operator==(const WhatIfModel&) const = default;
};

struct Catalog {
  TrainingModel training;
  WhatIfModel whatif;
  ServingModel serving;
  std::vector<Hardware> hardware;
  std::vector<Operator> operators;
  std::vector<Region> regions;
  std::vector<ModelArch> models;
  std::string_view default_operator;
  std::string_view hardware_version;
  std::string_view regions_version;

  // Return the entry with this id or, failing that, the one entry with this alias or name (all
  // regardless of case); throws InputError listing the entries when several share the alias or
  // name, and suggesting the nearest ids when none matches.
  [[nodiscard]] const Hardware& find_hardware(std::string_view id) const;
  [[nodiscard]] const Region& find_region(std::string_view id) const;
  [[nodiscard]] const Operator& find_operator(std::string_view id) const;
  [[nodiscard]] const ModelArch& find_model(std::string_view id) const;
  // Return the operator whose PUE applies in `region` (its own, or the default).
  [[nodiscard]] const Operator& operator_for(const Region& region) const;

  // Region ids folded to lower case and sorted, with their positions, for find_region's
  // binary search (there are ~300 regions). index_ids() builds it; load_catalog and the
  // built-in catalog call it. A stale or empty index only makes find_region scan instead.
  std::vector<std::pair<std::string, std::size_t>> region_index;
  // The text of entries read from files (empty for the built-in catalog, whose text is static).
  TextStore text;
  void index_ids();

  // Every member, entries and index included (the generated catalog is tested against the parsed one).
  bool operator==(const Catalog&) const = default;
};

struct CatalogSources {
  CatalogText hardware;
  CatalogText regions;
  CatalogText models;
  std::vector<CatalogText> hardware_overrides;  // --hardware-file: entries merged by id
  std::vector<CatalogText> regions_overrides;   // --regions-file
};

// Return the sources compiled into the binary (configs/*.json).
[[nodiscard]] CatalogSources builtin_sources();

// Return the catalog parsed from `sources`; throws InputError on malformed or
// inconsistent data, naming the file, and the line and column for JSON syntax errors.
[[nodiscard]] Catalog load_catalog(const CatalogSources& sources);

// Return the catalog compiled into the binary (parsed once, then shared).
[[nodiscard]] const Catalog& builtin_catalog();

}  // namespace llm_energy
