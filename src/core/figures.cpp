#include "llm_energy/figures.hpp"

#include <array>

namespace llm_energy {
namespace {

using T = FigureType;
using S = Show;
constexpr Section tr = Section::training;
constexpr Section in = Section::inference;

bool has_training(const Estimate& e) {
  return e.training.has_value();
}
bool has_inference(const Estimate& e) {
  return e.inference.has_value();
}

// Figures with a number: the value read from the phase.
#define LE_T(member) [](const Estimate& e) { return e.training->member; }
#define LE_I(member) [](const Estimate& e) { return e.inference->member; }
#define LE_TI(member) [](const Estimate& e) { return e.training->interval.member; }
#define LE_II(member) [](const Estimate& e) { return e.inference->interval.member; }

constexpr double (*k_no_number)(const Estimate&) = nullptr;
constexpr std::string_view (*k_no_text)(const Estimate&) = nullptr;
constexpr Interval (*k_no_interval)(const Estimate&) = nullptr;

Figure number(std::string_view key, Section s, std::string_view unit, std::string_view label, Show show,
              std::string_view suffix, Across across, double (*get)(const Estimate&),
              bool (*present)(const Estimate&) = nullptr) {
  return {key,    s,         T::number,
          unit,   label,     show,
          suffix, across,    present != nullptr ? present : (s == tr ? &has_training : &has_inference),
          get,    k_no_text, k_no_interval};
}

Figure text(std::string_view key, Section s, std::string_view label, Show show,
            std::string_view (*get)(const Estimate&), bool (*present)(const Estimate&) = nullptr) {
  return {key,
          s,
          T::text,
          "",
          label,
          show,
          "",
          Across::none,
          present != nullptr ? present : (s == tr ? &has_training : &has_inference),
          k_no_number,
          get,
          k_no_interval};
}

Figure interval(std::string_view key, Section s, std::string_view unit, Interval (*get)(const Estimate&)) {
  return {key,         s,           T::interval,
          unit,        "",          S::none,
          "",          Across::sum, s == tr ? &has_training : &has_inference,
          k_no_number, k_no_text,   get};
}

// Figures a run known by its chip-hours alone does not have.
bool training_compute(const Estimate& e) {
  return e.training && e.training->flops > 0;
}
bool training_wall_clock(const Estimate& e) {
  return e.training && e.training->wall_clock_hours > 0;
}
bool training_hours_only(const Estimate& e) {
  return e.training && !(e.training->flops > 0);
}
std::string_view not_estimated_text(const Estimate&) {
  return "compute, MFU and per-token figures: they need --params and --tokens";
}

bool training_market(const Estimate& e) {
  return e.training && e.training->market_based_co2e_kg.has_value();
}
bool inference_market(const Estimate& e) {
  return e.inference && e.inference->market_based_co2e_kg.has_value();
}

const auto k_all = std::to_array<Figure>({
    // ---- training ----
    number("flops", tr, "FLOP", "Compute", S::flops, "", Across::none, LE_T(flops), &training_compute),
    number("chip_hours", tr, "chip-hours", "Chip-hours", S::count_range, "", Across::sum, LE_T(chip_hours)),
    number("wall_clock_hours", tr, "h", "Wall-clock", S::hours, "", Across::none, LE_T(wall_clock_hours),
           &training_wall_clock),
    number("implied_mfu", tr, "fraction", "Utilisation (MFU)", S::plain, "", Across::none, LE_T(implied_mfu),
           &training_compute),
    number("accelerator_energy_kwh", tr, "kWh", "Energy, compute (accel.)", S::energy_range, "", Across::sum,
           LE_T(accelerator_energy_kwh)),
    number("host_energy_kwh", tr, "kWh", "Energy, host", S::energy_range, "", Across::sum,
           LE_T(host_energy_kwh)),
    number("communication_energy_kwh", tr, "kWh", "Energy, communication", S::energy_range, "", Across::sum,
           LE_T(communication_energy_kwh)),
    number("storage_energy_kwh", tr, "kWh", "Energy, storage", S::energy_range, "", Across::sum,
           LE_T(storage_energy_kwh)),
    number("overhead_energy_kwh", tr, "kWh", "Energy, facility overhead", S::energy_range, "", Across::sum,
           LE_T(overhead_energy_kwh)),
    number("server_energy_kwh", tr, "kWh", "Energy, servers", S::energy, "", Across::sum,
           LE_T(server_energy_kwh)),
    number("energy_kwh", tr, "kWh", "Energy, facility", S::energy_range, "", Across::sum, LE_T(energy_kwh)),
    number("co2e_kg", tr, "kg", "CO2e, operational", S::mass_range, "", Across::sum, LE_T(co2e_kg)),
    number("embodied_co2e_kg", tr, "kg", "CO2e, embodied", S::mass, "", Across::sum, LE_T(embodied_co2e_kg)),
    number(
        "market_based_co2e_kg", tr, "kg", "CO2e, market-based", S::mass, "", Across::sum,
        [](const Estimate& e) { return *e.training->market_based_co2e_kg; }, &training_market),
    number("water_l", tr, "L", "Water", S::water_range, "", Across::sum, LE_T(water_l)),
    number("onsite_water_l", tr, "L", "Water, on site", S::water, "", Across::sum, LE_T(onsite_water_l)),
    number("energy_per_token_j", tr, "J", "Per token", S::plain, " J", Across::none, LE_T(energy_per_token_j),
           &training_compute),
    number("energy_per_param_j", tr, "J", "Per parameter", S::plain, " J", Across::none,
           LE_T(energy_per_param_j), &training_compute),
    interval("chip_hours", tr, "chip-hours", LE_TI(chip_hours)),
    interval("energy_kwh", tr, "kWh", LE_TI(energy_kwh)),
    interval("accelerator_energy_kwh", tr, "kWh", LE_TI(accelerator_energy_kwh)),
    interval("host_energy_kwh", tr, "kWh", LE_TI(host_energy_kwh)),
    interval("communication_energy_kwh", tr, "kWh", LE_TI(communication_energy_kwh)),
    interval("storage_energy_kwh", tr, "kWh", LE_TI(storage_energy_kwh)),
    interval("overhead_energy_kwh", tr, "kWh", LE_TI(overhead_energy_kwh)),
    interval("co2e_kg", tr, "kg", LE_TI(co2e_kg)),
    interval("water_l", tr, "L", LE_TI(water_l)),
    text("main_uncertainty", tr, "Main uncertainty", S::text, LE_T(main_uncertainty)),
    text("not_estimated", tr, "Not estimated", S::text, &not_estimated_text, &training_hours_only),
    // ---- inference ----
    number("tokens", in, "tokens", "Output tokens", S::tokens_summary, "", Across::none, LE_I(tokens)),
    number("requests", in, "requests", "", S::none, "", Across::none, LE_I(requests)),
    number("input_tokens_per_request", in, "tokens", "", S::none, "", Across::none,
           LE_I(input_tokens_per_request)),
    number("output_tokens_per_request", in, "tokens", "", S::none, "", Across::none,
           LE_I(output_tokens_per_request)),
    number("batch_size", in, "sequences", "Replica", S::replica_summary, "", Across::none, LE_I(batch_size)),
    number("chips", in, "chips", "", S::none, "", Across::none, LE_I(chips)),
    text("bound", in, "", S::none, LE_I(bound)),
    number("memory_required_gb", in, "GB", "", S::none, "", Across::none, LE_I(memory_required_gb)),
    number("tokens_per_second", in, "tokens/s", "Speed", S::speed_summary, "", Across::none,
           LE_I(tokens_per_second)),
    number("time_per_output_token_ms", in, "ms", "", S::none, "", Across::none,
           LE_I(time_per_output_token_ms)),
    number("accelerator_energy_per_token_j", in, "J", "J per output token, accel.", S::plain_range, "",
           Across::none, LE_I(accelerator_energy_per_token_j)),
    number("server_energy_per_token_j", in, "J", "J per output token, server", S::plain, "", Across::none,
           LE_I(server_energy_per_token_j)),
    number("energy_per_token_j", in, "J", "J per output token, facility", S::plain_range, "", Across::none,
           LE_I(energy_per_token_j)),
    number("energy_per_input_token_j", in, "J", "J per input token, facility", S::plain, "", Across::none,
           LE_I(energy_per_input_token_j)),
    number("energy_per_request_wh", in, "Wh", "Per request", S::plain, " Wh", Across::none,
           LE_I(energy_per_request_wh)),
    number("kwh_per_million_tokens", in, "kWh", "Per million output tokens", S::plain, " kWh", Across::none,
           LE_I(kwh_per_million_tokens)),
    number("accelerator_energy_kwh", in, "kWh", "", S::none, "", Across::sum, LE_I(accelerator_energy_kwh)),
    number("server_energy_kwh", in, "kWh", "", S::none, "", Across::sum, LE_I(server_energy_kwh)),
    number("energy_kwh", in, "kWh", "Energy, facility", S::energy_range, "", Across::sum, LE_I(energy_kwh)),
    number("co2e_kg", in, "kg", "CO2e, operational", S::mass_range, "", Across::sum, LE_I(co2e_kg)),
    number("embodied_co2e_kg", in, "kg", "CO2e, embodied", S::mass, "", Across::sum, LE_I(embodied_co2e_kg)),
    number(
        "market_based_co2e_kg", in, "kg", "CO2e, market-based", S::mass, "", Across::sum,
        [](const Estimate& e) { return *e.inference->market_based_co2e_kg; }, &inference_market),
    number("water_l", in, "L", "Water", S::water_range, "", Across::sum, LE_I(water_l)),
    number("onsite_water_l", in, "L", "Water, on site", S::water, "", Across::sum, LE_I(onsite_water_l)),
    number("chip_hours", in, "chip-hours", "", S::none, "", Across::sum, LE_I(chip_hours)),
    interval("energy_per_token_j", in, "J", LE_II(energy_per_token_j)),
    interval("accelerator_energy_per_token_j", in, "J", LE_II(accelerator_energy_per_token_j)),
    interval("energy_kwh", in, "kWh", LE_II(energy_kwh)),
    interval("co2e_kg", in, "kg", LE_II(co2e_kg)),
    interval("water_l", in, "L", LE_II(water_l)),
    text("main_uncertainty", in, "Main uncertainty", S::text, LE_I(main_uncertainty)),
});

bool has_fleet(const Estimate& e) {
  return e.inference && e.inference->fleet.has_value();
}
bool has_fleet_pools(const Estimate& e) {
  return has_fleet(e) && !e.inference->fleet->prefill_hardware.empty();
}
constexpr Section fl = Section::fleet;
#define LE_F(member) [](const Estimate& e) { return e.inference->fleet->member; }
#define LE_FI(member) [](const Estimate& e) { return e.inference->fleet->interval.member; }

Figure fleet_number(std::string_view key, std::string_view unit, std::string_view label, Show show,
                    std::string_view suffix, double (*get)(const Estimate&),
                    bool (*present)(const Estimate&) = &has_fleet) {
  return {key,    fl,           T::number, unit, label,     show,
          suffix, Across::none, present,   get,  k_no_text, k_no_interval};
}

const auto k_fleet = std::to_array<Figure>({
    fleet_number("requests_per_day", "requests", "Load", S::fleet_load, "", LE_F(requests_per_day)),
    {"provisioning", fl, T::text, "", "", S::none, "", Across::none, &has_fleet, k_no_number,
     [](const Estimate& e) { return std::string_view(e.inference->fleet->provisioning); }, k_no_interval},
    {"load_profile", fl, T::text, "", "", S::none, "", Across::none, &has_fleet, k_no_number,
     [](const Estimate& e) { return std::string_view(e.inference->fleet->profile); }, k_no_interval},
    {"prefill_hardware", fl, T::text, "", "", S::none, "", Across::none, &has_fleet_pools, k_no_number,
     [](const Estimate& e) { return e.inference->fleet->prefill_hardware; }, k_no_interval},
    {"decode_hardware", fl, T::text, "", "", S::none, "", Across::none, &has_fleet, k_no_number,
     [](const Estimate& e) { return e.inference->fleet->decode_hardware; }, k_no_interval},
    fleet_number("batch_size", "sequences", "Replica", S::fleet_replica, "", LE_F(batch)),
    fleet_number("chips_per_replica", "chips", "", S::none, "", LE_F(chips_per_replica)),
    fleet_number("replicas_peak", "replicas", "", S::none, "", LE_F(replicas_peak)),
    fleet_number("chips_peak", "chips", "Chips provisioned", S::fleet_chips, "", LE_F(chips_peak)),
    fleet_number("chips_mean", "chips", "", S::none, "", LE_F(chips_mean)),
    fleet_number("utilisation_mean", "fraction", "Utilisation (busy chip-time)", S::plain, "",
                 LE_F(utilisation_mean)),
    fleet_number("time_per_output_token_ms", "ms", "Latency", S::fleet_latency, "", LE_F(tpot_ms)),
    fleet_number("time_to_first_token_ms", "ms", "", S::none, "", LE_F(ttft_ms)),
    fleet_number("kv_transfer_ms", "ms", "KV-cache transfer", S::plain, " ms", LE_F(kv_transfer_ms),
                 &has_fleet_pools),
    fleet_number("energy_per_request_wh.active_accelerator", "Wh", "Per request, active accelerators",
                 S::plain, " Wh", LE_F(energy_per_request_wh.active_accelerator)),
    fleet_number("energy_per_request_wh.server", "Wh", "Per request, servers", S::plain, " Wh",
                 LE_F(energy_per_request_wh.server)),
    fleet_number("energy_per_request_wh.fleet", "Wh", "Per request, fleet (with idle)", S::plain, " Wh",
                 LE_F(energy_per_request_wh.fleet)),
    fleet_number("energy_per_request_wh.facility", "Wh", "Per request, facility (Wh)", S::plain_range, " Wh",
                 LE_F(energy_per_request_wh.facility)),
    fleet_number("breakdown.active_accelerator", "fraction", "Energy split", S::fleet_breakdown, "",
                 LE_F(breakdown.active_accelerator)),
    fleet_number("breakdown.host", "fraction", "", S::none, "", LE_F(breakdown.host)),
    fleet_number("breakdown.idle", "fraction", "", S::none, "", LE_F(breakdown.idle)),
    fleet_number("breakdown.overhead", "fraction", "", S::none, "", LE_F(breakdown.overhead)),
    fleet_number("facility_to_active", "ratio", "Facility / active accelerators", S::plain, "x",
                 LE_F(full_to_active)),
    fleet_number("energy_kwh", "kWh", "Energy per day, facility", S::energy_range, "", LE_F(energy_kwh)),
    fleet_number("co2e_kg", "kg", "CO2e per day", S::mass_range, "", LE_F(co2e_kg)),
    fleet_number("water_l", "L", "Water per day", S::water_range, "", LE_F(water_l)),
    fleet_number("onsite_water_l", "L", "Water per day, on site", S::water, "", LE_F(onsite_water_l)),
    {"energy_per_request_wh.facility", fl, T::interval, "Wh", "", S::none, "", Across::none, &has_fleet,
     k_no_number, k_no_text, LE_FI(energy_per_request_facility_wh)},
    {"energy_kwh", fl, T::interval, "kWh", "", S::none, "", Across::none, &has_fleet, k_no_number, k_no_text,
     LE_FI(energy_kwh)},
    {"co2e_kg", fl, T::interval, "kg", "", S::none, "", Across::none, &has_fleet, k_no_number, k_no_text,
     LE_FI(co2e_kg)},
    {"water_l", fl, T::interval, "L", "", S::none, "", Across::none, &has_fleet, k_no_number, k_no_text,
     LE_FI(water_l)},
});

#undef LE_F
#undef LE_FI
#undef LE_T
#undef LE_I
#undef LE_TI
#undef LE_II

}  // namespace

std::string_view to_string(Section s) {
  return s == Section::training ? "training" : s == Section::inference ? "inference" : "fleet";
}

std::span<const Figure> fleet_figures() {
  return k_fleet;
}

std::span<const Figure> figures() {
  return k_all;
}

const Figure* find_figure(Section section, std::string_view key, FigureType type) {
  for (const auto& f :
       section == Section::fleet ? std::span<const Figure>(k_fleet) : std::span<const Figure>(k_all)) {
    if (f.section == section && f.type == type && f.key == key) {
      return &f;
    }
  }
  return nullptr;
}

}  // namespace llm_energy
