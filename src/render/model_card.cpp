#include "render/model_card.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "llm_energy/error.hpp"
#include "llm_energy/version.hpp"
#include "render/format_units.hpp"

namespace llm_energy::render {
namespace {

// A YAML double-quoted scalar (JSON string syntax is valid YAML).
std::string yaml_quoted(const std::string& s) {
  return nlohmann::json(s).dump();
}

const Assumption* find_assumption(const Estimate& e, std::string_view key) {
  const auto it = std::find_if(e.assumptions.begin(), e.assumptions.end(),
                               [&](const Assumption& a) { return a.key == key; });
  return it == e.assumptions.end() ? nullptr : &*it;
}

bool given(const Assumption* a) {
  return a != nullptr && (a->origin == OriginKind::flag || a->origin == OriginKind::config);
}

// Grams as a plain number: whole grams from 100 g up, else 3 significant digits.
std::string grams(double g) {
  if (std::fabs(g) >= 100) {
    return fmt::format("{:.0f}", g);
  }
  return sig3(g);
}

// Round to 3 significant digits and print without an exponent ("191000", "0.161").
std::string grams3(double g) {
  if (g <= 0 || !std::isfinite(g)) {
    return grams(g);
  }
  const double mag = std::pow(10.0, std::floor(std::log10(g)) - 2);
  return grams(std::round(g / mag) * mag);
}

}  // namespace

std::string render_model_card(const Estimate& e, const Catalog& cat) {
  if (!e.training) {
    throw InputError("--format model-card needs a training estimate (use --phase training or both)");
  }
  const auto& t = *e.training;
  std::string method;
  if (given(find_assumption(e, "chip_hours"))) {
    method = "reported chip-hours";
  } else {
    method = "6ND + attention FLOPs, ";
    method += given(find_assumption(e, "mfu")) ? "stated utilisation" : "cross-validated utilisation model";
  }
  method += given(find_assumption(e, "carbon_intensity")) ? ", stated grid intensity"
                                                          : ", location-based grid intensity";
  const std::string source =
      fmt::format("llm-energy {} estimate ({}); range {}-{} g", k_version, method,
                  grams3(t.interval.co2e_kg.low * 1000), grams3(t.interval.co2e_kg.high * 1000));
  std::string region_name(e.region);
  const auto r =
      std::find_if(cat.regions.begin(), cat.regions.end(), [&](const Region& x) { return x.id == e.region; });
  if (r != cat.regions.end()) {
    region_name = r->name;
  }
  std::string hardware_name(e.hardware);
  const auto h = std::find_if(cat.hardware.begin(), cat.hardware.end(),
                              [&](const Hardware& x) { return x.id == e.hardware; });
  if (h != cat.hardware.end()) {
    hardware_name = h->name;
  }
  // The chip count only when the user gave it: a default count is the estimate's, not the run's.
  const Assumption* chips = find_assumption(e, "chips");
  const std::string hardware_used =
      given(chips) ? fmt::format("{} x {}", sig3(chips->value.value), hardware_name) : hardware_name;
  // The energy by part, beside the Hub's co2_eq_emissions keys (which hold no energy): each part
  // with its 80% range; the parts add up to the facility total.
  std::string parts = "training_energy_kwh:\n";
  auto part = [&](const char* key, double v, const Interval& i) {
    parts += fmt::format("  {}: {{value: {}, low: {}, high: {}}}\n", key, sig3(v), sig3(i.low), sig3(i.high));
  };
  part("compute", t.accelerator_energy_kwh, t.interval.accelerator_energy_kwh);
  part("host", t.host_energy_kwh, t.interval.host_energy_kwh);
  part("communication", t.communication_energy_kwh, t.interval.communication_energy_kwh);
  part("storage", t.storage_energy_kwh, t.interval.storage_energy_kwh);
  part("facility_overhead", t.overhead_energy_kwh, t.interval.overhead_energy_kwh);
  part("total", t.energy_kwh, t.interval.energy_kwh);
  // Water is not in the Hugging Face co2_eq_emissions schema: a comment block of its own.
  const Assumption* water = find_assumption(e, "water_intensity");
  const bool onsite_only = water != nullptr && water->basis == Basis::water_unsourced;
  const std::string water_note = fmt::format(
      "# water (llm-energy): {} L ({}-{} L), {}\n", sig3(t.water_l), sig3(t.interval.water_l.low),
      sig3(t.interval.water_l.high),
      onsite_only ? "on-site cooling only (no sourced water intensity of electricity for the region)"
                  : "on-site cooling and electricity generation");
  return "co2_eq_emissions:\n  emissions: " + grams(t.co2e_kg * 1000) + "\n  source: " + yaml_quoted(source) +
         "\n  training_type: \"pre-training\"\n  geographical_location: " + yaml_quoted(region_name) +
         "\n  hardware_used: " + yaml_quoted(hardware_used) + "\n" + parts + water_note;
}

}  // namespace llm_energy::render
