#include "table.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace llm_energy::detail {

std::string serving_stack_of(std::string_view software) {
  const auto at = software.find("vLLM ");
  if (at == std::string_view::npos) {
    return "current";
  }
  // "vLLM MAJOR.MINOR[.PATCH]": whole numbers, compared as such (0.11 is after 0.6).
  const std::string version(software.substr(at + 5, 16));
  char* end = nullptr;
  const long major = std::strtol(version.c_str(), &end, 10);
  if (end == version.c_str() || *end != '.') {
    return "current";
  }
  const char* minor_at = end + 1;
  const long minor = std::strtol(minor_at, &end, 10);
  if (end == minor_at) {
    return "current";
  }
  return major == 0 && minor < 6 ? "legacy" : "current";
}

double point_batch(const Table& t) {
  const auto avg = t.number("avg_batch");
  const double b = avg ? std::round(*avg) : t.required("max_batch");
  if (!(b >= 1 && b < 9007199254740992.0)) {
    throw InputError(t.where() + "batch: must lie in [1, 2^53)");
  }
  return b;
}

Scenario inference_point_scenario(const Table& t) {
  Scenario s;
  set_field(s, "phase", "inference", Origin::config);
  for (const char* key : {"params", "active_params", "hardware", "precision", "layers", "hidden_size",
                          "heads", "kv_heads", "head_dim", "experts", "active_experts", "moe_layers"}) {
    t.copy(s, key, key);
  }
  t.copy(s, "mean_input_tokens", "input_tokens");
  t.copy(s, "mean_output_tokens", "output_tokens");
  t.copy(s, "gpus", "inference_chips");
  char batch[32];
  std::snprintf(batch, sizeof batch, "%.17g", point_batch(t));
  set_field(s, "batch_size", batch, Origin::config);
  set_field(s, "inference_tokens", "1e6", Origin::config);
  set_field(s, "pue", "1", Origin::config);
  const std::string software = t.get("software");
  if (!software.empty()) {
    set_field(s, "serving_stack", serving_stack_of(software), Origin::config);
  }
  return s;
}

}  // namespace llm_energy::detail
