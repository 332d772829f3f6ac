#include "llm_energy/explain.hpp"

#include <cstdio>

namespace llm_energy {
namespace {

std::string num(double v) {
  char buf[32];
  if (v != 0 && (v >= 1e5 || v < 1e-2)) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  return buf;
}

const Assumption* find(const Estimate& e, const char* key) {
  for (const auto& a : e.assumptions) {
    if (a.key == key) {
      return &a;
    }
  }
  return nullptr;
}

double value(const Estimate& e, const char* key, double fallback = 0) {
  const Assumption* a = find(e, key);
  return a ? a->value.value : fallback;
}

}  // namespace

std::vector<ExplainStep> explain(const Estimate& e) {
  std::vector<ExplainStep> out;
  auto add = [&](const char* phase, const char* name, std::string formula, std::string subst, double result,
                 const char* unit) {
    out.push_back({phase, name, std::move(formula), std::move(subst), result, unit});
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
    add("training", "FLOPs", recompute ? "8 x N_active x D" : "6 x N_active x D",
        std::string(recompute ? "8" : "6") + " x " + num(active) + " x " + num(tokens), t.flops, "FLOP");
    if (find(e, "chip_hours")) {
      add("training", "chip-hours", "given", num(t.chip_hours), t.chip_hours, "chip-h");
      add("training", "implied MFU", "FLOPs / (peak x chip-hours x 3600)",
          num(t.flops) + " / (" + num(peak) + " x " + num(t.chip_hours) + " x 3600)", t.implied_mfu, "");
    } else {
      add("training", "chip-hours", "FLOPs / (peak x MFU) / 3600",
          num(t.flops) + " / (" + num(peak) + " x " + num(t.implied_mfu) + ") / 3600", t.chip_hours,
          "chip-h");
    }
    add("training", "wall-clock", "chip-hours / chips", num(t.chip_hours) + " / " + num(value(e, "chips", 1)),
        t.wall_clock_hours, "h");
    if (find(e, "power_watts")) {
      const double w = value(e, "power_watts");
      add("training", "server energy", "chip-hours x power_watts / 1000",
          num(t.chip_hours) + " x " + num(w) + " / 1000", t.server_energy_kwh, "kWh");
    } else {
      const double acc = value(e, "accelerator_power_w");
      const double host = value(e, "host_power_w");
      add("training", "accelerator energy", "chip-hours x TDP x draw fraction / 1000",
          num(t.chip_hours) + " x " + num(acc) + " / 1000", t.accelerator_energy_kwh, "kWh");
      add("training", "server energy", "chip-hours x (accelerator W + host W) / 1000",
          num(t.chip_hours) + " x (" + num(acc) + " + " + num(host) + ") / 1000", t.server_energy_kwh, "kWh");
    }
    add("training", "facility energy", "server energy x PUE", num(t.server_energy_kwh) + " x " + num(pue),
        t.energy_kwh, "kWh");
    add("training", "operational CO2e", "facility energy x grid intensity / 1000",
        num(t.energy_kwh) + " x " + num(ci) + " / 1000", t.co2e_kg, "kg");
    add("training", "embodied CO2e", "chip-hours x embodied per chip / (life x 8766 h)",
        num(t.chip_hours) + " x " + num(value(e, "embodied_kgco2e_per_chip")) + " / (" +
            num(value(e, "service_life_years")) + " x 8766)",
        t.embodied_co2e_kg, "kg");
    add("training", "energy per token", "facility energy x 3.6e6 / D",
        num(t.energy_kwh) + " x 3.6e6 / " + num(tokens), t.energy_per_token_j, "J");
  }
  if (e.inference) {
    const auto& i = *e.inference;
    add("inference", "decode step and prefill",
        "max(B x FLOPs/token / (chips x peak x eff_c), weights/(chips x BW x eff_w) + KV/(chips x BW x "
        "eff_kv))",
        "batch " + num(i.batch_size) + ", " + num(i.chips) + " chip(s), " + i.bound + "-bound",
        i.time_per_output_token_ms, "ms per output token");
    add("inference", "accelerator energy per output token",
        "chips x (P_decode x step / B + P_prefill x prefill / output tokens)", "see time above",
        i.accelerator_energy_per_token_j, "J");
    add("inference", "server energy per output token", "accelerator J + host W x chip-seconds per token",
        num(i.accelerator_energy_per_token_j) + " + host share", i.server_energy_per_token_j, "J");
    add("inference", "facility energy per output token", "server J x PUE",
        num(i.server_energy_per_token_j) + " x " + num(pue), i.energy_per_token_j, "J");
    add("inference", "total energy", "J per token x output tokens / 3.6e6",
        num(i.energy_per_token_j) + " x " + num(i.tokens) + " / 3.6e6", i.energy_kwh, "kWh");
    add("inference", "operational CO2e", "energy x grid intensity / 1000",
        num(i.energy_kwh) + " x " + num(ci) + " / 1000", i.co2e_kg, "kg");
  }
  return out;
}

}  // namespace llm_energy
