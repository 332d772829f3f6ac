// Build-time tool: parses configs/*.json with the core's own loader (so every validation rule
// applies at build time) and writes C++ that constructs the same Catalog without parsing JSON.
// The tool never ships; the binary then starts without lexing ~350 KB of JSON.
//   catalog_codegen OUTPUT.cpp
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "llm_energy/catalog.hpp"

using namespace llm_energy;

namespace {

std::string lit(const std::string& s) {
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

std::string datum(const Datum& d) {
  return "Datum{" + num(d.value) + ", " + num(d.low) + ", " + num(d.high) + ", " + lit(d.source) + ", " +
         std::to_string(d.year) + ", " + lit(d.note) + "}";
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
  o << "void add_hardware(Catalog& c) {\n";
  for (const auto& h : c.hardware) {
    o << "  {\n    Hardware h;\n";
    o << "    h.id = " << lit(h.id) << ";\n    h.name = " << lit(h.name)
      << ";\n    h.vendor = " << lit(h.vendor) << ";\n    h.generation = " << lit(h.generation)
      << ";\n    h.release_year = " << h.release_year << ";\n    h.notes = " << lit(h.notes) << ";\n";
    o << "    h.tdp_w = " << datum(h.tdp_w) << ";\n";
    for (std::size_t i = 0; i < h.peak_tflops.size(); ++i) {
      if (h.peak_tflops[i]) {
        o << "    h.peak_tflops[" << i << "] = " << datum(*h.peak_tflops[i]) << ";\n";
      }
    }
    if (h.sparse_speedup) {
      o << "    h.sparse_speedup = " << datum(*h.sparse_speedup) << ";\n";
    }
    o << "    h.memory_gb = " << datum(h.memory_gb) << ";\n";
    o << "    h.memory_bandwidth_gbps = " << datum(h.memory_bandwidth_gbps) << ";\n";
    o << "    h.embodied_kgco2e = " << datum(h.embodied_kgco2e) << ";\n";
    o << "    h.training_mfu = " << datum(h.training_mfu) << ";\n";
    o << "    h.avg_power_fraction = " << datum(h.avg_power_fraction) << ";\n";
    o << "    h.idle_power_fraction = " << datum(h.idle_power_fraction) << ";\n";
    o << "    h.host_power_w = " << datum(h.host_power_w) << ";\n";
    o << "    h.host_embodied_kgco2e = " << datum(h.host_embodied_kgco2e) << ";\n";
    o << "    h.service_life_years = " << datum(h.service_life_years) << ";\n";
    o << "    c.hardware.push_back(std::move(h));\n  }\n";
  }
  o << "}\n\nvoid add_regions(Catalog& c) {\n";
  for (const auto& op : c.operators) {
    o << "  c.operators.push_back(Operator{" << lit(op.id) << ", " << lit(op.name) << ", " << datum(op.pue)
      << ", " << datum(op.wue_l_per_kwh) << "});\n";
  }
  for (const auto& r : c.regions) {
    o << "  c.regions.push_back(Region{" << lit(r.id) << ", " << lit(r.name) << ", " << lit(r.kind) << ", "
      << lit(r.provider) << ", " << lit(r.country) << ", " << lit(r.operator_id) << ", "
      << datum(r.carbon_intensity) << ", " << lit(r.basis) << "});\n";
  }
  o << "}\n\nvoid add_models(Catalog& c) {\n";
  for (const auto& m : c.models) {
    o << "  c.models.push_back(ModelArch{" << lit(m.id) << ", " << lit(m.name) << ", " << num(m.params)
      << ", " << num(m.active_params) << ", " << m.layers << ", " << m.hidden_size << ", " << m.heads << ", "
      << m.kv_heads << ", " << m.head_dim << ", " << m.experts << ", " << m.active_experts << ", "
      << num(m.context_length) << ", " << lit(m.source) << ", " << m.year << ", " << lit(m.note) << "});\n";
  }
  o << "}\n\nCatalog make_builtin() {\n  Catalog c;\n";
  const auto& t = c.training;
  o << "  c.training = TrainingModel{" << datum(t.size_reference_params) << ", " << datum(t.size_exponent)
    << ", " << datum(t.size_min_factor) << "};\n";
  const auto& w = c.whatif;
  o << "  c.whatif = WhatIfModel{" << datum(w.chip_scaling_overhead) << ", "
    << datum(w.power_cap_time_exponent) << ", " << datum(w.power_cap_power_exponent) << ", "
    << datum(w.two_four_weight_bytes) << "};\n";
  const auto& s = c.serving;
  o << "  c.serving.memory_efficiency = " << datum(s.memory_efficiency) << ";\n"
    << "  c.serving.kv_efficiency = " << datum(s.kv_efficiency) << ";\n"
    << "  c.serving.quantized_efficiency = " << datum(s.quantized_efficiency) << ";\n"
    << "  c.serving.compute_efficiency = " << datum(s.compute_efficiency) << ";\n"
    << "  c.serving.prefill_efficiency = " << datum(s.prefill_efficiency) << ";\n"
    << "  c.serving.power_memory_weight = " << datum(s.power_memory_weight) << ";\n"
    << "  c.serving.power_compute_weight = " << datum(s.power_compute_weight) << ";\n"
    << "  c.serving.tp_overhead = " << datum(s.tp_overhead) << ";\n"
    << "  c.serving.serving_overhead = " << datum(s.serving_overhead) << ";\n"
    << "  c.serving.memory_headroom = " << datum(s.memory_headroom) << ";\n"
    << "  c.serving.default_batch = " << datum(s.default_batch) << ";\n"
    << "  c.serving.default_input_tokens = " << datum(s.default_input_tokens) << ";\n"
    << "  c.serving.default_output_tokens = " << datum(s.default_output_tokens) << ";\n";
  o << "  c.default_operator = " << lit(c.default_operator)
    << ";\n  c.hardware_version = " << lit(c.hardware_version)
    << ";\n  c.regions_version = " << lit(c.regions_version) << ";\n";
  o << "  c.hardware.reserve(" << c.hardware.size() << ");\n  c.regions.reserve(" << c.regions.size()
    << ");\n  c.models.reserve(" << c.models.size() << ");\n";
  o << "  add_hardware(c);\n  add_regions(c);\n  add_models(c);\n  c.index_ids();\n  return c;\n}\n\n}  // "
       "namespace\n\n";
  o << "const Catalog& builtin_catalog() {\n  static const Catalog k_catalog = make_builtin();\n  return "
       "k_catalog;\n}\n\n"
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
