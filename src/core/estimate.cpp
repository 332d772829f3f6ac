#include "llm_energy/estimate.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "llm_energy/error.hpp"
#include "llm_energy/figures.hpp"
#include "llm_energy/model.hpp"
#include "propagate.hpp"

namespace llm_energy {
namespace {

constexpr auto idx(Uncertain u) {
  return static_cast<std::size_t>(u);
}

// A direct-mapped memo: a hit needs a key equal to the one stored (the key is the whole input
// of the computation, compared member by member), so it returns exactly what the computation
// would. Collisions just overwrite.
template <class Key, class Value>
class DirectMap {
 public:
  explicit DirectMap(std::size_t slots) : m_slots(slots) {}
  [[nodiscard]] const Value* find(const Key& k, std::uint64_t hash) const {
    const Slot& slot = m_slots[hash % m_slots.size()];
    return slot.used && slot.key == k ? &slot.value : nullptr;
  }
  void store(const Key& k, std::uint64_t hash, const Value& v) {
    Slot& slot = m_slots[hash % m_slots.size()];
    slot.used = true;
    slot.key = k;
    slot.value = v;
  }

 private:
  struct Slot {
    bool used = false;
    Key key{};
    Value value{};
  };
  std::vector<Slot> m_slots;
};

// Hash of a few doubles (four lanes, then MurmurHash3's finaliser). Only for spreading keys
// over slots: equality decides a hit.
template <std::size_t N>
std::uint64_t hash_of(const std::array<double, N>& v) {
  std::array<std::uint64_t, 4> lane = {0x9e3779b97f4a7c15ULL, 0xbf58476d1ce4e5b9ULL, 0x94d049bb133111ebULL,
                                       0x2545f4914f6cdd1dULL};
  for (std::size_t i = 0; i < N; ++i) {
    std::uint64_t& h = lane[i % 4];
    h = (h ^ std::bit_cast<std::uint64_t>(v[i] + 0.0)) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  std::uint64_t h = lane[0] ^ (lane[1] * 3) ^ (lane[2] * 5) ^ (lane[3] * 7);
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

// ---- Training ----

enum TrainOut {
  o_chip_hours,
  o_acc_kwh,
  o_host_kwh,
  o_comm_kwh,
  o_storage_kwh,
  o_overhead_kwh,
  o_server_kwh,
  o_kwh,
  o_co2e,
  o_embodied,
  o_onsite_l,
  o_water_l,
  o_count
};
constexpr std::array<Uncertain, 11> k_training_inputs = {
    Uncertain::mfu,          Uncertain::accelerator_power, Uncertain::host_power,
    Uncertain::pue,          Uncertain::carbon_intensity,  Uncertain::embodied_carbon,
    Uncertain::service_life, Uncertain::network_power,     Uncertain::storage_energy,
    Uncertain::wue,          Uncertain::water_intensity};

// Everything the per-unit training propagation depends on.
struct TrainingKey {
  bool given_hours = false;
  double peak_flops = 0;
  double checkpoint_bytes_per_chip_hour = 0;
  double dataset_bytes_per_unit = 0;
  double nic_w = 0;  // network adapters per chip, counted as communication instead of host
  detail::Inputs ranges{};
  bool operator==(const TrainingKey&) const = default;
};

// Return the network adapters' power per chip that resolve() moved from the host share to
// communication (its "host_power_less_nic_w" assumption); 0 when the run stays in one domain.
double adapters_w(const Resolved& r) {
  for (const Assumption& a : r.assumptions) {
    if (a.key == "host_power_less_nic_w") {
      return a.detail;
    }
  }
  return 0;
}
// What the memo keeps per unit: the Spreads (for the total) and, worked out once, the
// intervals and the main driver the phase reports.
struct TrainingPerUnit {
  std::array<Spread, o_count> p;
  Interval chip_hours, energy_kwh, co2e_kg, water_l;
  std::array<Interval, o_count> parts{};  // the energy parts' intervals
  std::optional<Uncertain> driver;
};
using TrainingMemo = DirectMap<TrainingKey, TrainingPerUnit>;

TrainingEstimate estimate_training(const Resolved& r, TrainingMemo* cache, Total& total) {
  const TrainingInputs& in = *r.training;
  TrainingKey key;
  key.given_hours = in.chip_hours.has_value();
  key.peak_flops = r.peak_flops_per_s;
  key.checkpoint_bytes_per_chip_hour = in.checkpoint_bytes_per_chip_hour;
  key.nic_w = adapters_w(r);
  for (auto& x : key.ranges) {
    x = Range::exact(0);
  }
  for (Uncertain u : k_training_inputs) {
    key.ranges[idx(u)] = r.range(u);
  }
  // Every output is proportional to the chip-hours, so the range propagation runs per unit
  // (per FLOP, or per given chip-hour) and is scaled: the same inputs give the same per-unit
  // figures whatever the token count, which lets batch and sweep reuse them (EstimateCache).
  const double unit = key.given_hours ? *in.chip_hours : in.flops;
  key.dataset_bytes_per_unit = in.dataset_bytes / unit;
  const double peak = key.peak_flops;
  auto run = [&](const detail::Point& x) {
    std::array<double, o_count> o{};
    const double hours = key.given_hours ? 1.0 : model::chip_hours(1.0, peak, x[idx(Uncertain::mfu)]);
    const double acc_w = x[idx(Uncertain::accelerator_power)];
    o[o_chip_hours] = hours;
    o[o_acc_kwh] = model::energy_kwh(hours, acc_w);
    o[o_host_kwh] = model::energy_kwh(hours, std::max(0.0, x[idx(Uncertain::host_power)] - key.nic_w));
    o[o_comm_kwh] = model::energy_kwh(hours, x[idx(Uncertain::network_power)]);
    const double stored_bytes = hours * key.checkpoint_bytes_per_chip_hour + key.dataset_bytes_per_unit;
    o[o_storage_kwh] = stored_bytes / 1e9 * x[idx(Uncertain::storage_energy)] / 3.6e6;
    // What a meter at the servers reads: accelerators, host and the adapters inside the servers.
    o[o_server_kwh] = model::energy_kwh(hours, acc_w + x[idx(Uncertain::host_power)]);
    const double it_kwh = o[o_acc_kwh] + o[o_host_kwh] + o[o_comm_kwh] + o[o_storage_kwh];
    o[o_kwh] = model::facility_kwh(it_kwh, x[idx(Uncertain::pue)]);
    o[o_overhead_kwh] = o[o_kwh] - it_kwh;
    o[o_co2e] = model::co2e_kg(o[o_kwh], x[idx(Uncertain::carbon_intensity)]);
    o[o_embodied] =
        model::embodied_co2e_kg(hours, x[idx(Uncertain::embodied_carbon)], x[idx(Uncertain::service_life)]);
    o[o_onsite_l] = model::onsite_water_l(it_kwh, x[idx(Uncertain::wue)]);  // cooling of all IT
    o[o_water_l] = o[o_onsite_l] + model::generation_water_l(o[o_kwh], x[idx(Uncertain::water_intensity)]);
    return o;
  };
  std::array<double, 5 + 3 * k_training_inputs.size()> hkey{};
  hkey[4] = key.nic_w;
  hkey[0] = key.given_hours ? 1.0 : 0.0;
  hkey[1] = peak;
  hkey[2] = key.checkpoint_bytes_per_chip_hour;
  hkey[3] = key.dataset_bytes_per_unit;
  for (std::size_t i = 0; i < k_training_inputs.size(); ++i) {
    const Range& x = key.ranges[idx(k_training_inputs[i])];
    hkey[5 + 3 * i] = x.low;
    hkey[6 + 3 * i] = x.value;
    hkey[7 + 3 * i] = x.high;
  }
  const std::uint64_t hash = hash_of(hkey);
  const TrainingPerUnit* cached = cache != nullptr ? cache->find(key, hash) : nullptr;
  std::optional<TrainingPerUnit> computed;  // only on a miss (a hit copies nothing)
  if (cached == nullptr) {
    computed.emplace();
    computed->p = detail::propagate<o_count>(key.ranges, run);
    computed->chip_hours = computed->p[o_chip_hours].interval();
    computed->energy_kwh = computed->p[o_kwh].interval();
    computed->co2e_kg = computed->p[o_co2e].interval();
    for (TrainOut part : {o_acc_kwh, o_host_kwh, o_comm_kwh, o_storage_kwh, o_overhead_kwh}) {
      computed->parts[part] = computed->p[part].interval();
    }
    computed->water_l = computed->p[o_water_l].interval();
    computed->driver = computed->p[o_kwh].main_driver();
    if (cache != nullptr) {
      cache->store(key, hash, *computed);
    }
  }
  const TrainingPerUnit& u = cached != nullptr ? *cached : *computed;
  const auto& p = u.p;
  auto scaled = [unit](double per_unit) { return per_unit * unit; };
  auto scaled_interval = [&](const Interval& i) { return Interval{scaled(i.low), scaled(i.high)}; };
  TrainingEstimate t;
  t.flops = in.flops;
  t.chip_hours = scaled(p[o_chip_hours].value);
  // A run known by its chip-hours alone has no FLOPs, tokens or parameters (and perhaps no chip
  // count): those figures stay 0 and are absent from the output (figures.cpp).
  t.wall_clock_hours = in.chips > 0 ? model::wall_clock_hours(t.chip_hours, in.chips) : 0.0;
  t.implied_mfu = in.flops > 0 ? model::implied_mfu(in.flops, peak, t.chip_hours) : 0.0;
  t.accelerator_energy_kwh = scaled(p[o_acc_kwh].value);
  t.host_energy_kwh = scaled(p[o_host_kwh].value);
  t.communication_energy_kwh = scaled(p[o_comm_kwh].value);
  t.storage_energy_kwh = scaled(p[o_storage_kwh].value);
  t.overhead_energy_kwh = scaled(p[o_overhead_kwh].value);
  t.server_energy_kwh = scaled(p[o_server_kwh].value);
  t.energy_kwh = scaled(p[o_kwh].value);
  t.co2e_kg = scaled(p[o_co2e].value);
  t.embodied_co2e_kg = scaled(p[o_embodied].value);
  t.energy_per_token_j = in.tokens > 0 ? t.energy_kwh * 3.6e6 / in.tokens : 0.0;
  t.energy_per_param_j = r.params > 0 ? t.energy_kwh * 3.6e6 / r.params : 0.0;
  t.interval.chip_hours = scaled_interval(u.chip_hours);
  t.interval.energy_kwh = scaled_interval(u.energy_kwh);
  t.interval.co2e_kg = scaled_interval(u.co2e_kg);
  t.interval.accelerator_energy_kwh = scaled_interval(u.parts[o_acc_kwh]);
  t.interval.host_energy_kwh = scaled_interval(u.parts[o_host_kwh]);
  t.interval.communication_energy_kwh = scaled_interval(u.parts[o_comm_kwh]);
  t.interval.storage_energy_kwh = scaled_interval(u.parts[o_storage_kwh]);
  t.interval.overhead_energy_kwh = scaled_interval(u.parts[o_overhead_kwh]);
  t.onsite_water_l = scaled(p[o_onsite_l].value);
  t.water_l = scaled(p[o_water_l].value);
  t.interval.water_l = scaled_interval(u.water_l);
  t.main_uncertainty = u.driver ? to_string(*u.driver) : "none";
  total.energy_kwh.add_scaled(p[o_kwh], unit);
  total.co2e_kg.add_scaled(p[o_co2e], unit);
  total.chip_hours.add_scaled(p[o_chip_hours], unit);
  total.water_l.add_scaled(p[o_water_l], unit);
  total.embodied_co2e_kg += t.embodied_co2e_kg;
  return t;
}

// ---- Inference ----

// Per output token: J at the accelerators, the servers, the facility; kg CO2e; chip-seconds.
// Litres of water (on site; on site and off site) per output token.
enum InfOut { q_acc_j, q_server_j, q_j, q_co2e, q_chip_s, q_onsite_l, q_water_l, q_count };
constexpr std::array<Uncertain, 10> k_inference_inputs = {
    Uncertain::memory_efficiency,   Uncertain::kv_efficiency, Uncertain::compute_efficiency,
    Uncertain::serving_model_error, Uncertain::host_power,    Uncertain::pue,
    Uncertain::carbon_intensity,    Uncertain::batch_size,    Uncertain::wue,
    Uncertain::water_intensity};

// Everything the per-token inference propagation depends on: the replica, the model's
// factors and the ranges (the key is the setup itself, so it cannot miss an input).
struct InferenceKey {
  model::ServingSetup setup;
  model::ServingFactors factors;
  std::optional<double> power_override_w;
  detail::Inputs ranges{};
  bool operator==(const InferenceKey&) const = default;
};
struct InferencePerToken {
  std::array<Spread, q_count> p;
  model::ServingPoint central;
  Interval accelerator_j, facility_j, co2e_kg, water_l;  // worked out once
  std::optional<Uncertain> driver;
};
using InferenceMemo = DirectMap<InferenceKey, InferencePerToken>;

InferenceEstimate estimate_inference(const Resolved& r, InferenceMemo* cache, Total& total) {
  const InferenceInputs& in = *r.inference;
  const model::ServingSetup& su = in.setup;
  InferenceKey key{su, in.factors, in.power_override_w, {}};
  for (auto& x : key.ranges) {
    x = Range::exact(0);
  }
  for (Uncertain u : k_inference_inputs) {
    key.ranges[idx(u)] = r.range(u);
  }
  const model::ServingFactors& base = in.factors;
  bool have_last = false;
  std::array<double, 5> last_key{};
  model::ServingPoint last_pt;
  auto run = [&](const detail::Point& x) {
    model::ServingFactors f = base;
    f.memory_efficiency = x[idx(Uncertain::memory_efficiency)];
    f.kv_efficiency = x[idx(Uncertain::kv_efficiency)];
    f.compute_efficiency = x[idx(Uncertain::compute_efficiency)];
    f.prefill_efficiency = base.prefill_efficiency * f.compute_efficiency / base.compute_efficiency;
    f.time_overhead = x[idx(Uncertain::serving_model_error)];
    f.host_w = x[idx(Uncertain::host_power)];
    f.pue = x[idx(Uncertain::pue)];
    // Host power, PUE and carbon intensity do not move the roofline: re-runs that vary only
    // them reuse the last replica point and redo its last two lines (as in model::serve).
    const std::array<double, 5> step_key = {f.memory_efficiency, f.kv_efficiency, f.compute_efficiency,
                                            f.time_overhead, x[idx(Uncertain::batch_size)]};
    model::ServingPoint pt;
    if (have_last && step_key == last_key) {
      pt = last_pt;
      pt.server_j_per_output_token =
          pt.accelerator_j_per_output_token + f.host_w * pt.chip_seconds_per_output_token;
      pt.facility_j_per_output_token = pt.server_j_per_output_token * f.pue;
    } else {
      model::ServingSetup sx = su;
      sx.batch = x[idx(Uncertain::batch_size)];
      pt = model::serve(sx, f);
      last_key = step_key;
      last_pt = pt;
      have_last = true;
    }
    if (in.power_override_w) {  // --power-watts replaces the whole per-chip figure
      const double j = *in.power_override_w * pt.chip_seconds_per_output_token;
      pt.accelerator_j_per_output_token = j;
      pt.server_j_per_output_token = j;
      pt.facility_j_per_output_token = j * f.pue;
    }
    std::array<double, q_count> o{};
    o[q_acc_j] = pt.accelerator_j_per_output_token;
    o[q_server_j] = pt.server_j_per_output_token;
    o[q_j] = pt.facility_j_per_output_token;
    o[q_co2e] = model::co2e_kg(o[q_j] / 3.6e6, x[idx(Uncertain::carbon_intensity)]);
    o[q_chip_s] = pt.chip_seconds_per_output_token;
    o[q_onsite_l] = model::onsite_water_l(o[q_server_j] / 3.6e6, x[idx(Uncertain::wue)]);
    o[q_water_l] =
        o[q_onsite_l] + model::generation_water_l(o[q_j] / 3.6e6, x[idx(Uncertain::water_intensity)]);
    return o;
  };
  const std::uint64_t hash =
      hash_of(std::array<double, 8>{su.params, su.active_params, su.batch, su.input_tokens, su.output_tokens,
                                    su.peak_flops_per_s, su.bandwidth_bytes_per_s, su.chips});
  const InferencePerToken* cached = cache != nullptr ? cache->find(key, hash) : nullptr;
  std::optional<InferencePerToken> computed;  // only on a miss
  if (cached == nullptr) {
    computed.emplace();
    computed->p = detail::propagate<q_count>(key.ranges, run);
    computed->central = model::serve(su, base);
    computed->accelerator_j = computed->p[q_acc_j].interval();
    computed->facility_j = computed->p[q_j].interval();
    computed->co2e_kg = computed->p[q_co2e].interval();
    computed->water_l = computed->p[q_water_l].interval();
    computed->driver = computed->p[q_j].main_driver();
    if (cache != nullptr) {
      cache->store(key, hash, *computed);
    }
  }
  const InferencePerToken& u = cached != nullptr ? *cached : *computed;
  const auto& p = u.p;
  const model::ServingPoint& pt = u.central;
  const double tokens = in.tokens;
  const double kwh_per_j = tokens / 3.6e6;  // J per output token -> kWh in total

  InferenceEstimate e;
  e.tokens = tokens;
  e.input_tokens_per_request = su.input_tokens;
  e.output_tokens_per_request = su.output_tokens;
  e.requests = in.requests;
  e.batch_size = su.batch;
  e.chips = su.chips;
  e.memory_required_gb = in.memory_required_gb;
  e.bound = pt.compute_bound ? "compute" : "memory";
  e.time_per_output_token_ms = pt.itl_s * 1e3;
  e.tokens_per_second = su.batch / pt.itl_s;
  e.accelerator_energy_per_token_j = p[q_acc_j].value;
  e.server_energy_per_token_j = p[q_server_j].value;
  e.energy_per_token_j = p[q_j].value;
  e.energy_per_input_token_j = pt.facility_j_per_input_token;
  e.energy_per_request_wh = e.energy_per_token_j * e.output_tokens_per_request / 3600.0;
  e.kwh_per_million_tokens = e.energy_per_token_j * 1e6 / 3.6e6;
  e.accelerator_energy_kwh = e.accelerator_energy_per_token_j * tokens / 3.6e6;
  e.server_energy_kwh = e.server_energy_per_token_j * tokens / 3.6e6;
  e.energy_kwh = p[q_j].value * kwh_per_j;
  e.co2e_kg = p[q_co2e].value * tokens;
  e.chip_hours = pt.chip_seconds_per_output_token * tokens / 3600.0;
  const Hardware& hw = *r.hardware;
  const double emb = hw.embodied_kgco2e.value + hw.host_embodied_kgco2e.value;
  e.embodied_co2e_kg = model::embodied_co2e_kg(e.chip_hours, emb, hw.service_life_years.value);
  const Interval acc = u.accelerator_j;
  const Interval fac = u.facility_j;
  const Interval co2 = u.co2e_kg;
  e.interval.accelerator_energy_per_token_j = acc;
  e.interval.energy_per_token_j = fac;
  e.interval.energy_kwh = {fac.low * kwh_per_j, fac.high * kwh_per_j};
  e.interval.co2e_kg = {co2.low * tokens, co2.high * tokens};
  e.onsite_water_l = p[q_onsite_l].value * tokens;
  e.water_l = p[q_water_l].value * tokens;
  e.interval.water_l = {u.water_l.low * tokens, u.water_l.high * tokens};
  e.main_uncertainty = u.driver ? to_string(*u.driver) : "none";
  total.energy_kwh.add_scaled(p[q_j], kwh_per_j);
  total.co2e_kg.add_scaled(p[q_co2e], tokens);
  total.chip_hours.add_scaled(p[q_chip_s], tokens / 3600.0);
  total.water_l.add_scaled(p[q_water_l], tokens);
  total.embodied_co2e_kg += e.embodied_co2e_kg;
  return e;
}

std::optional<double> market_co2e_kg(const Resolved& r, double energy_kwh, double co2e_kg) {
  if (r.market_based_intensity) {
    return energy_kwh * *r.market_based_intensity / 1000.0;
  }
  if (r.renewable_share) {
    return co2e_kg * (1.0 - *r.renewable_share);  // location CO2e = energy x location intensity
  }
  return std::nullopt;
}

// Every figure must be a finite number: extreme inputs (1e300 tokens, a denormal MFU) that
// overflow are bad input, never an inf or NaN in the output.
void check_finite(const Estimate& e) {
  for (const std::span<const Figure> list : {figures(), fleet_figures()}) {
    for (const Figure& f : list) {
      if (!f.present(e)) {
        continue;
      }
      bool ok = true;
      if (f.type == FigureType::number) {
        ok = std::isfinite(f.number(e));
      } else if (f.type == FigureType::interval) {
        const Interval i = f.interval(e);
        ok = std::isfinite(i.low) && std::isfinite(i.high);
      }
      if (!ok) {
        throw InputError(
            std::string("inputs out of range: the ") +
            (f.section == Section::training ? "training" : "inference") +
            " estimate overflows (check the magnitudes of --tokens, --params, --mfu and the power figures)");
      }
    }
  }
  // The totals' variations are sums of the phases' (finite when theirs are, unless they
  // overflow when added); their intervals lie between the smallest and largest of them.
  for (const Spread* s : {&e.total.energy_kwh, &e.total.co2e_kg, &e.total.chip_hours, &e.total.water_l}) {
    bool finite = std::isfinite(s->value);
    for (std::size_t i = 0; i < k_uncertain_count; ++i) {
      finite = finite && std::isfinite(s->at_low[i]) && std::isfinite(s->at_high[i]);
    }
    if (!finite) {
      throw InputError(
          "inputs out of range: the total overflows (check the magnitudes of --tokens, --params, --mfu and "
          "the power figures)");
    }
  }
}

Total empty_total() {
  return {Spread::exact(0), Spread::exact(0), Spread::exact(0), Spread::exact(0), 0, std::nullopt};
}

}  // namespace

struct EstimateCache::Impl {
  TrainingMemo training{1024};
  InferenceMemo inference{1024};
};

EstimateCache::EstimateCache() : m_impl(std::make_unique<Impl>()) {}
EstimateCache::~EstimateCache() = default;
EstimateCache::EstimateCache(EstimateCache&&) noexcept = default;
EstimateCache& EstimateCache::operator=(EstimateCache&&) noexcept = default;

Estimate estimate(Resolved r, EstimateCache* cache) {
  Estimate e;
  e.phase = r.phase;
  e.hardware = r.hardware->id;
  e.region = r.grid.region_id();
  e.shape = r.shape;
  e.total = empty_total();
  if (r.training) {
    e.training = estimate_training(r, cache != nullptr ? &cache->impl().training : nullptr, e.total);
    e.training->market_based_co2e_kg = market_co2e_kg(r, e.training->energy_kwh, e.training->co2e_kg);
  }
  if (r.inference) {
    e.inference = estimate_inference(r, cache != nullptr ? &cache->impl().inference : nullptr, e.total);
    e.inference->market_based_co2e_kg = market_co2e_kg(r, e.inference->energy_kwh, e.inference->co2e_kg);
    if (r.fleet) {
      // With a fleet, the inference phase's total is the fleet's day (idle capacity included):
      // budgets, compare and sweep totals see what the fleet draws.
      e.inference->fleet = estimate_fleet(*r.fleet, r.fleet_ranges);
      const FleetEstimate& f = *e.inference->fleet;
      e.total = empty_total();
      if (e.training) {
        estimate_training(r, nullptr, e.total);
      }
      e.total.energy_kwh += f.energy_spread;
      e.total.co2e_kg += f.co2e_spread;
      e.total.water_l += f.water_spread;
      e.total.chip_hours += Spread::exact(f.chip_hours);
      e.total.embodied_co2e_kg += model::embodied_co2e_kg(
          f.chip_hours, r.hardware->embodied_kgco2e.value + r.hardware->host_embodied_kgco2e.value,
          r.hardware->service_life_years.value);
    }
  }
  e.total.market_based_co2e_kg = market_co2e_kg(r, e.total.energy_kwh.value, e.total.co2e_kg.value);
  e.assumptions = std::move(r.assumptions);
  check_finite(e);
  return e;
}

Estimate estimate(const Scenario& s, const Catalog& catalog, EstimateCache* cache) {
  return estimate(resolve(s, catalog), cache);
}

Estimate merge_phases(const Estimate* training, const Estimate* inference, Phase phase) {
  Estimate out;
  out.phase = phase;
  out.total = empty_total();
  std::optional<double> market;
  auto merge = [&](const Estimate& e) {
    if (out.hardware.empty()) {
      out.hardware = e.hardware;
      out.region = e.region;
    }
    for (const auto& a : e.assumptions) {
      const bool seen = std::any_of(out.assumptions.begin(), out.assumptions.end(),
                                    [&a](const Assumption& b) { return b.key == a.key && b.text == a.text; });
      if (!seen) {
        out.assumptions.push_back(a);
      }
    }
    out.total.energy_kwh += e.total.energy_kwh;
    out.total.co2e_kg += e.total.co2e_kg;
    out.total.chip_hours += e.total.chip_hours;
    out.total.water_l += e.total.water_l;
    out.total.embodied_co2e_kg += e.total.embodied_co2e_kg;
    if (e.total.market_based_co2e_kg) {
      market = market.value_or(0.0) + *e.total.market_based_co2e_kg;
    }
  };
  if (phase != Phase::inference && training != nullptr) {
    out.training = training->training;
    merge(*training);
  }
  if (phase != Phase::training && inference != nullptr) {
    out.inference = inference->inference;
    merge(*inference);
  }
  out.total.market_based_co2e_kg = market;
  return out;
}

}  // namespace llm_energy
