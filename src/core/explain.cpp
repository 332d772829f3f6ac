#include "llm_energy/explain.hpp"

namespace llm_energy {
namespace {

const Assumption* find(const Estimate& e, std::string_view key) {
  for (const auto& a : e.assumptions) {
    if (a.key == key) {
      return &a;
    }
  }
  return nullptr;
}

double value(const Estimate& e, std::string_view key, double fallback = 0) {
  const Assumption* a = find(e, key);
  return a ? a->value.value : fallback;
}

}  // namespace

std::vector<ExplainStep> explain(const Estimate& e) {
  std::vector<ExplainStep> out;
  auto add = [&](std::string_view phase, std::string_view name, std::string_view formula,
                 std::string_view pattern, std::vector<double> operands, double result,
                 std::string_view unit) {
    out.push_back({phase, name, formula, pattern, std::move(operands), result, unit});
  };
  const double params = value(e, "params");
  const double active = find(e, "active_params") ? value(e, "active_params") : params;
  const double pue = value(e, "pue", 1);
  const double ci = value(e, "carbon_intensity");
  if (e.training) {
    const auto& t = *e.training;
    const double tokens = value(e, "tokens");
    const bool recompute = value(e, "recompute") > 0;
    const double peak = value(e, "peak_tflops") * 1e12;
    const double main = (recompute ? 8.0 : 6.0) * active * tokens;
    const bool per_token = t.flops > 0;  // not from chip-hours alone
    if (per_token) {
      add("training", "FLOPs", recompute ? "8 x N_active x D + attention" : "6 x N_active x D + attention",
          recompute ? "8 x {} x {} + {}" : "6 x {} x {} + {}", {active, tokens, t.flops - main}, t.flops,
          "FLOP");
    }
    if (find(e, "chip_hours")) {
      add("training", "chip-hours", "given", "{}", {t.chip_hours}, t.chip_hours, "chip-h");
      if (per_token) {
        add("training", "implied utilisation", "FLOPs / (peak x chip-hours x 3600)", "{} / ({} x {} x 3600)",
            {t.flops, peak, t.chip_hours}, t.implied_mfu, "");
      }
    } else {
      const double goodput = value(e, "goodput", 1);
      const Assumption* mfu = find(e, "mfu");
      if (find(e, "mfu_ceiling") != nullptr && mfu != nullptr) {
        const double comm = value(e, "communication");
        const double bubble = value(e, "pipeline_bubble");
        const double routing = value(e, "moe_routing");
        add("training", "MFU", "ceiling x width / (1 + communication + bubble + routing)",
            "{} x {} / (1 + {} + {} + {})",
            {value(e, "mfu_ceiling"), value(e, "width_factor"), comm, bubble, routing}, mfu->value.value, "");
      }
      add("training", "chip-hours", "FLOPs / (peak x MFU x goodput) / 3600", "{} / ({} x {} x {}) / 3600",
          {t.flops, peak, t.implied_mfu / goodput, goodput}, t.chip_hours, "chip-h");
    }
    if (t.wall_clock_hours > 0) {
      add("training", "wall-clock", "chip-hours / chips", "{} / {}", {t.chip_hours, value(e, "chips", 1)},
          t.wall_clock_hours, "h");
    }
    if (find(e, "power_watts")) {
      add("training", "server energy", "chip-hours x power_watts / 1000", "{} x {} / 1000",
          {t.chip_hours, value(e, "power_watts")}, t.server_energy_kwh, "kWh");
    } else {
      const double acc = value(e, "accelerator_power_w");
      const double host = value(e, "host_power_w");
      add("training", "accelerator energy", "chip-hours x TDP x draw fraction / 1000", "{} x {} / 1000",
          {t.chip_hours, acc}, t.accelerator_energy_kwh, "kWh");
      add("training", "server energy", "chip-hours x (accelerator W + host W) / 1000",
          "{} x ({} + {}) / 1000", {t.chip_hours, acc, host}, t.server_energy_kwh, "kWh");
    }
    add("training", "facility energy", "server energy x PUE", "{} x {}", {t.server_energy_kwh, pue},
        t.energy_kwh, "kWh");
    add("training", "operational CO2e", "facility energy x grid intensity / 1000", "{} x {} / 1000",
        {t.energy_kwh, ci}, t.co2e_kg, "kg");
    add("training", "embodied CO2e", "chip-hours x embodied per chip / (life x 8766 h)",
        "{} x {} / ({} x 8766)",
        {t.chip_hours, value(e, "embodied_kgco2e_per_chip"), value(e, "service_life_years")},
        t.embodied_co2e_kg, "kg");
    add("training", "water", "server energy x WUE + facility energy x water intensity", "{} x {} + {} x {}",
        {t.server_energy_kwh, value(e, "wue_l_per_kwh"), t.energy_kwh, value(e, "water_intensity")},
        t.water_l, "L");
    if (per_token) {
      add("training", "energy per token", "facility energy x 3.6e6 / D", "{} x 3.6e6 / {}",
          {t.energy_kwh, tokens}, t.energy_per_token_j, "J");
    }
  }
  if (e.inference) {
    const auto& i = *e.inference;
    add("inference", "decode step and prefill",
        "max(B x FLOPs/token / (chips x peak x eff_c), weights/(chips x BW x eff_w) + KV/(chips x BW x "
        "eff_kv)) + fixed time (layers x t_layer, collectives, B x t_sequence)",
        i.bound == "compute" ? "batch {}, {} chip(s), compute-bound" : "batch {}, {} chip(s), memory-bound",
        {i.batch_size, i.chips}, i.time_per_output_token_ms, "ms per output token");
    add("inference", "accelerator energy per output token",
        "chips x (P_decode x step / B + P_prefill x prefill / output tokens)", "see time above", {},
        i.accelerator_energy_per_token_j, "J");
    add("inference", "server energy per output token", "accelerator J + host W x chip-seconds per token",
        "{} + host share", {i.accelerator_energy_per_token_j}, i.server_energy_per_token_j, "J");
    add("inference", "facility energy per output token", "server J x PUE", "{} x {}",
        {i.server_energy_per_token_j, pue}, i.energy_per_token_j, "J");
    add("inference", "total energy", "J per token x output tokens / 3.6e6", "{} x {} / 3.6e6",
        {i.energy_per_token_j, i.tokens}, i.energy_kwh, "kWh");
    add("inference", "operational CO2e", "energy x grid intensity / 1000", "{} x {} / 1000",
        {i.energy_kwh, ci}, i.co2e_kg, "kg");
    add("inference", "water", "server energy x WUE + energy x water intensity", "{} x {} + {} x {}",
        {i.server_energy_kwh, value(e, "wue_l_per_kwh"), i.energy_kwh, value(e, "water_intensity")},
        i.water_l, "L");
  }
  return out;
}

}  // namespace llm_energy
