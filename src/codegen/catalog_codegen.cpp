// Build-time tool: parses configs/*.json with the core's own loader (so every validation rule
// applies at build time) and writes C++ that constructs the same Catalog without parsing JSON.
// The tool never ships; the binary then starts without lexing ~350 KB of JSON.
//   catalog_codegen OUTPUT.cpp
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "llm_energy/catalog.hpp"

using namespace llm_energy;

namespace {

std::string lit(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f || c == '?') {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);  // octal: no trigraphs, any byte
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

std::string num(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Designated initializers in declaration order (C++20 requires it): two fields of one type
// swapped in the struct, or here, do not compile.
std::string datum(const Datum& d) {
  return "Datum{.value = " + num(d.value) + ", .low = " + num(d.low) + ", .high = " + num(d.high) +
         ", .source = " + lit(d.source) + ", .year = " + std::to_string(d.year) + ", .note = " + lit(d.note) +
         "}";
}

std::string strings(const std::vector<std::string_view>& v) {
  std::string out = "{";
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i ? ", " : "") + lit(v[i]);
  }
  return out + "}";
}

std::string opt_datum(const std::optional<Datum>& d) {
  return d ? datum(*d) : std::string("std::nullopt");
}

std::string hardware(const Hardware& h) {
  std::string peaks;
  for (const auto& p : h.peak_tflops) {
    peaks += (peaks.empty() ? "" : ",\n        ") + opt_datum(p);
  }
  return "Hardware{\n      .id = " + lit(h.id) + ",\n      .name = " + lit(h.name) +
         ",\n      .aliases = " + strings(h.aliases) + ",\n      .vendor = " + lit(h.vendor) +
         ",\n      .generation = " + lit(h.generation) + ",\n      .kind = " + lit(h.kind) +
         ",\n      .release_year = " + std::to_string(h.release_year) + ",\n      .notes = " + lit(h.notes) +
         ",\n      .tdp_w = " + datum(h.tdp_w) + ",\n      .peak_tflops = {{\n        " + peaks +
         "}},\n      .sparse_speedup = " + opt_datum(h.sparse_speedup) +
         ",\n      .memory_gb = " + datum(h.memory_gb) +
         ",\n      .memory_bandwidth_gbps = " + datum(h.memory_bandwidth_gbps) +
         ",\n      .scale_up_gbps = " + opt_datum(h.scale_up_gbps) +
         ",\n      .scale_up_domain = " + opt_datum(h.scale_up_domain) +
         ",\n      .scale_out_gbps = " + opt_datum(h.scale_out_gbps) +
         ",\n      .idle_power_w = " + opt_datum(h.idle_power_w) +
         ",\n      .embodied_kgco2e = " + datum(h.embodied_kgco2e) +
         ",\n      .training_mfu = " + datum(h.training_mfu) +
         ",\n      .avg_power_fraction = " + datum(h.avg_power_fraction) +
         ",\n      .idle_power_fraction = " + datum(h.idle_power_fraction) +
         ",\n      .host_power_w = " + datum(h.host_power_w) +
         ",\n      .host_embodied_kgco2e = " + datum(h.host_embodied_kgco2e) +
         ",\n      .service_life_years = " + datum(h.service_life_years) + "}";
}

std::string operator_(const Operator& op) {
  return "Operator{.id = " + lit(op.id) + ", .name = " + lit(op.name) + ", .pue = " + datum(op.pue) +
         ", .wue_l_per_kwh = " + datum(op.wue_l_per_kwh) + "}";
}

std::string region(const Region& r) {
  return "Region{.id = " + lit(r.id) + ", .name = " + lit(r.name) + ", .aliases = " + strings(r.aliases) +
         ", .kind = " + lit(r.kind) + ", .provider = " + lit(r.provider) + ", .country = " + lit(r.country) +
         ", .operator_id = " + lit(r.operator_id) + ", .carbon_intensity = " + datum(r.carbon_intensity) +
         ", .basis = " + lit(r.basis) + ", .water_intensity = " + opt_datum(r.water_intensity) + "}";
}

std::string model(const ModelArch& m) {
  return "ModelArch{.id = " + lit(m.id) + ", .name = " + lit(m.name) + ", .aliases = " + strings(m.aliases) +
         ", .params = " + num(m.params) + ", .active_params = " + num(m.active_params) +
         ", .layers = " + std::to_string(m.layers) + ", .hidden_size = " + std::to_string(m.hidden_size) +
         ", .heads = " + std::to_string(m.heads) + ", .kv_heads = " + std::to_string(m.kv_heads) +
         ", .head_dim = " + std::to_string(m.head_dim) + ", .experts = " + std::to_string(m.experts) +
         ", .active_experts = " + std::to_string(m.active_experts) +
         ", .moe_layers = " + std::to_string(m.moe_layers) + ", .context_length = " + num(m.context_length) +
         ", .source = " + lit(m.source) + ", .year = " + std::to_string(m.year) + ", .note = " + lit(m.note) +
         "}";
}

std::string training(const TrainingModel& t) {
  return std::string("TrainingModel{") + "\n      .width_coefficient = " + datum(t.width_coefficient) +
         ",\n      .moe_routing_coefficient = " + datum(t.moe_routing_coefficient) +
         ",\n      .exposed_communication = " + datum(t.exposed_communication) +
         ",\n      .goodput = " + datum(t.goodput) + ",\n      .seq_len = " + datum(t.seq_len) +
         ",\n      .batch_coefficient = " + datum(t.batch_coefficient) +
         ",\n      .batch_exponent = " + datum(t.batch_exponent) +
         ",\n      .batch_min_tokens = " + datum(t.batch_min_tokens) +
         ",\n      .batch_max_tokens = " + datum(t.batch_max_tokens) +
         ",\n      .state_bytes_per_param = " + datum(t.state_bytes_per_param) +
         ",\n      .shard_memory_share = " + datum(t.shard_memory_share) +
         ",\n      .target_days = " + datum(t.target_days) + ",\n      .min_chips = " + datum(t.min_chips) +
         ",\n      .model_error = " + datum(t.model_error) +
         ",\n      .fallback_scale_out_gbps = " + datum(t.fallback_scale_out_gbps) +
         ",\n      .nic_power_w = " + datum(t.nic_power_w) +
         ",\n      .switch_port_power_w = " + datum(t.switch_port_power_w) +
         ",\n      .switch_radix = " + datum(t.switch_radix) +
         ",\n      .nic_link_gbps = " + datum(t.nic_link_gbps) +
         ",\n      .checkpoint_interval_hours = " + datum(t.checkpoint_interval_hours) +
         ",\n      .dataset_bytes_per_token = " + datum(t.dataset_bytes_per_token) +
         ",\n      .storage_j_per_gb = " + datum(t.storage_j_per_gb) + "}";
}

std::string whatif(const WhatIfModel& w) {
  return "WhatIfModel{\n      .power_cap_time_exponent = " + datum(w.power_cap_time_exponent) +
         ",\n      .power_cap_power_exponent = " + datum(w.power_cap_power_exponent) +
         ",\n      .two_four_weight_bytes = " + datum(w.two_four_weight_bytes) + "}";
}

std::string serving(const ServingModel& s) {
  return std::string("ServingModel{") + "\n      .memory_efficiency = " + datum(s.memory_efficiency) +
         ",\n      .kv_efficiency = " + datum(s.kv_efficiency) +
         ",\n      .compute_efficiency = " + datum(s.compute_efficiency) +
         ",\n      .prefill_efficiency = " + datum(s.prefill_efficiency) +
         ",\n      .layer_time_us = " + datum(s.layer_time_us) +
         ",\n      .moe_layer_time_us = " + datum(s.moe_layer_time_us) +
         ",\n      .fp8_moe_layer_time_us = " + datum(s.fp8_moe_layer_time_us) +
         ",\n      .allreduce_time_us = " + datum(s.allreduce_time_us) +
         ",\n      .all_to_all_time_us = " + datum(s.all_to_all_time_us) +
         ",\n      .sequence_time_us = " + datum(s.sequence_time_us) +
         ",\n      .dequant_ops_per_weight = " + datum(s.dequant_ops_per_weight) +
         ",\n      .active_floor = " + datum(s.active_floor) +
         ",\n      .power_memory_weight = " + datum(s.power_memory_weight) +
         ",\n      .power_compute_weight = " + datum(s.power_compute_weight) +
         ",\n      .legacy_busy_share = " + datum(s.legacy_busy_share) +
         ",\n      .model_error = " + datum(s.model_error) +
         ",\n      .memory_headroom = " + datum(s.memory_headroom) +
         ",\n      .default_batch = " + datum(s.default_batch) +
         ",\n      .default_input_tokens = " + datum(s.default_input_tokens) +
         ",\n      .default_output_tokens = " + datum(s.default_output_tokens) +
         ",\n      .host_idle_fraction = " + datum(s.host_idle_fraction) +
         ",\n      .autoscale_lag_min = " + datum(s.autoscale_lag_min) +
         ",\n      .autoscale_min_replicas = " + datum(s.autoscale_min_replicas) +
         ",\n      .autoscale_step = " + datum(s.autoscale_step) +
         ",\n      .diurnal_amplitude = " + datum(s.diurnal_amplitude) +
         ",\n      .diurnal_peak_hour = " + datum(s.diurnal_peak_hour) +
         ",\n      .business_start_hour = " + datum(s.business_start_hour) +
         ",\n      .business_end_hour = " + datum(s.business_end_hour) +
         ",\n      .business_off_share = " + datum(s.business_off_share) + "}";
}

// One function per list, each returning its vector (entries moved in, not copied from an
// initializer_list).
template <class T, class F>
void list_function(std::ostringstream& o, const char* type, const char* fn, const std::vector<T>& items,
                   F write) {
  o << "std::vector<" << type << "> " << fn << "() {\n  std::vector<" << type << "> v;\n  v.reserve("
    << items.size() << ");\n";
  for (const auto& item : items) {
    o << "  v.push_back(" << write(item) << ");\n";
  }
  o << "  return v;\n}\n\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: catalog_codegen OUTPUT.cpp\n";
    return 2;
  }
  Catalog c;
  try {
    c = load_catalog(builtin_sources());
  } catch (const std::exception& e) {
    std::cerr << "catalog_codegen: configs/ are invalid: " << e.what() << "\n";
    return 1;
  }
  std::ostringstream o;
  o << "// Generated at build time by src/codegen/catalog_codegen.cpp from configs/*.json; do not edit.\n"
       "#include \"llm_energy/catalog.hpp\"\n\nnamespace llm_energy {\nnamespace {\n\n";
  list_function(o, "Hardware", "make_hardware", c.hardware, hardware);
  list_function(o, "Operator", "make_operators", c.operators, operator_);
  list_function(o, "Region", "make_regions", c.regions, region);
  list_function(o, "ModelArch", "make_models", c.models, model);
  // The region index sorted here (index_ids at build time), so start-up does not sort ~300 ids.
  o << "std::vector<std::pair<std::string, std::size_t>> make_region_index() {\n  return {\n";
  for (const auto& [id, i] : c.region_index) {
    o << "      {" << lit(id) << ", " << i << "},\n";
  }
  o << "  };\n}\n\n";
  o << "Catalog make_builtin() {\n  Catalog c{\n      .training = " << training(c.training)
    << ",\n      .whatif = " << whatif(c.whatif) << ",\n      .serving = " << serving(c.serving)
    << ",\n      .hardware = make_hardware(),\n      .operators = make_operators(),\n"
       "      .regions = make_regions(),\n      .models = make_models(),\n      .default_operator = "
    << lit(c.default_operator) << ",\n      .hardware_version = " << lit(c.hardware_version)
    << ",\n      .regions_version = " << lit(c.regions_version)
    << ",\n      .region_index = make_region_index(),\n      .text = {}};\n  return c;\n}\n\n}  // "
       "namespace\n\n";
  // Built once and never destroyed: the process exits without freeing ~2,000 strings.
  o << "const Catalog& builtin_catalog() {\n  static const Catalog* const k_catalog = new "
       "Catalog(make_builtin());\n"
       "  return *k_catalog;\n}\n\n"
       "}  // namespace llm_energy\n";
  const std::string tmp = std::string(argv[1]) + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary);
    f << o.str();
    if (!f) {
      std::cerr << "catalog_codegen: cannot write " << tmp << "\n";
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), argv[1]) != 0) {
    std::cerr << "catalog_codegen: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
