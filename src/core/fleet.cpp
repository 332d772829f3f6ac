#include "llm_energy/fleet.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numbers>
#include <string>

#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/model.hpp"

namespace llm_energy {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

// Parse a finite number from a CSV field; nullopt when it is not one.
std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::string trimmed(std::string s) {
  s.erase(0, s.find_first_not_of(" \t"));
  s.erase(s.find_last_not_of(" \t") + 1);
  return s;
}

LoadProfile hourly(std::string name, const std::array<double, 24>& w) {
  LoadProfile p;
  p.name = std::move(name);
  for (std::size_t h = 0; h < 24; ++h) {
    p.start_h.push_back(static_cast<double>(h));
    p.weight.push_back(w[h]);
  }
  const double m = p.mean();
  for (double& x : p.weight) {
    x /= m;
  }
  return p;
}

}  // namespace

std::string_view to_string(Provisioning p) {
  return p == Provisioning::autoscale ? "autoscale" : "static";
}

double LoadProfile::mean() const {
  double sum = 0;
  for (std::size_t i = 0; i < weight.size(); ++i) {
    sum += weight[i] * hours(i);
  }
  return sum / 24.0;
}

std::optional<LoadProfile> builtin_load_profile(std::string_view name, double amplitude, double peak_hour,
                                                double business_start, double business_end,
                                                double off_share) {
  std::array<double, 24> w{};
  if (name == "flat") {
    w.fill(1.0);
  } else if (name == "diurnal") {
    for (std::size_t h = 0; h < 24; ++h) {
      const double mid = static_cast<double>(h) + 0.5;
      w[h] = 1.0 + amplitude * std::cos(2.0 * std::numbers::pi * (mid - peak_hour) / 24.0);
    }
  } else if (name == "business-hours") {
    for (std::size_t h = 0; h < 24; ++h) {
      const double mid = static_cast<double>(h) + 0.5;
      w[h] = mid > business_start && mid < business_end ? 1.0 : off_share;
    }
  } else {
    return std::nullopt;
  }
  return hourly(std::string(name), w);
}

LoadProfile parse_load_profile(std::string_view text, std::string_view name) {
  const std::string n(name);
  CsvReader reader(text);
  std::vector<std::string> fields;
  std::size_t line = 0;
  if (!reader.next(fields, line)) {
    throw InputError(n + ": empty file (expected a header hour,rate)");
  }
  int hour_col = -1;
  int rate_col = -1;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const std::string f = trimmed(fields[i]);
    if (f == "hour") {
      hour_col = static_cast<int>(i);
    } else if (f == "rate") {
      rate_col = static_cast<int>(i);
    }
  }
  if (hour_col < 0 || rate_col < 0) {
    throw InputError(n + ":" + std::to_string(line) + ": expected a header with columns hour and rate");
  }
  LoadProfile p;
  p.name = n;
  const auto need = static_cast<std::size_t>(std::max(hour_col, rate_col)) + 1;
  while (reader.next(fields, line)) {
    if (fields.size() == 1 && trimmed(fields[0]).empty()) {
      continue;  // blank line
    }
    const std::string where = n + ":" + std::to_string(line);
    if (fields.size() < need) {
      throw InputError(where + ": expected " + std::to_string(need) + " fields");
    }
    const auto h = parse_number(trimmed(fields[static_cast<std::size_t>(hour_col)]));
    const auto r = parse_number(trimmed(fields[static_cast<std::size_t>(rate_col)]));
    if (!h || *h < 0 || *h >= 24) {
      throw InputError(where + ": hour must be a number in [0, 24)");
    }
    if (!r) {
      throw InputError(where + ": rate must be a number (requests per second)");
    }
    if (*r < 0) {
      throw InputError(where + ": rate must not be negative");
    }
    if (*r > 1e9) {
      throw InputError(where + ": rate " + num(*r) + " is out of range (at most 1e9 requests per second)");
    }
    if (p.start_h.empty() && *h != 0) {
      throw InputError(where + ": the first interval must start at hour 0");
    }
    if (!p.start_h.empty()) {
      const double prev = p.start_h.back();
      if (*h == prev) {
        throw InputError(where + ": duplicate hour " + num(*h));
      }
      if (*h < prev) {
        throw InputError(where + ": hours not sorted (" + num(*h) + " after " + num(prev) + ")");
      }
      if (p.start_h.size() >= 2) {
        const double step = p.start_h[1] - p.start_h[0];
        if (std::abs((*h - prev) - step) > 1e-9 * std::max(1.0, step)) {
          throw InputError(where + ": gap in the series: hour " + num(*h) + " after " + num(prev) +
                           " (intervals of " + num(step) + " h)");
        }
      }
    }
    p.start_h.push_back(*h);
    p.weight.push_back(*r);
  }
  if (p.start_h.empty()) {
    throw InputError(n + ": no data rows");
  }
  if (p.start_h.size() >= 2) {
    const double step = p.start_h[1] - p.start_h[0];
    if (std::abs((24.0 - p.start_h.back()) - step) > 1e-9 * std::max(1.0, step)) {
      throw InputError(n + ": the last interval (from hour " + num(p.start_h.back()) +
                       ") must end at 24 like the others (intervals of " + num(step) + " h)");
    }
  }
  if (!(p.mean() > 0)) {
    throw InputError(n + ": every rate is zero");
  }
  return p;
}

namespace fleet {

ReplicaAt replica_at(const FleetPool& p, double batch) {
  model::ServingSetup su = p.setup;
  const model::ServingFactors& f = p.factors;
  const double out = std::max(1.0, su.output_tokens);
  ReplicaAt r;
  if (p.role == PoolRole::prefill) {
    su.batch = 1;
    const model::ServingPoint pt = model::serve(su, f);
    r.service_s = pt.prefill_s;
    r.accelerator_j_per_request = su.chips * pt.prefill_power_w * pt.prefill_s;
    r.host_j_per_request = f.host_w * su.chips * pt.prefill_s;
    r.first_token_s = pt.prefill_s;
    return r;
  }
  su.batch = std::max(1.0, batch);
  const model::ServingPoint pt = model::serve(su, f);
  if (p.role == PoolRole::decode) {
    // The prompt's KV cache arrives from the prefill pool: the replica only decodes.
    r.tpot_s = pt.step_s;
    r.service_s = out * pt.step_s;
    r.accelerator_j_per_request = su.chips * pt.decode_power_w * pt.step_s / su.batch * out;
    r.host_j_per_request = f.host_w * su.chips * pt.step_s / su.batch * out;
    r.first_token_s = pt.step_s;
    return r;
  }
  r.tpot_s = pt.itl_s;
  r.service_s = out * pt.itl_s;
  r.accelerator_j_per_request = pt.accelerator_j_per_output_token * out;
  r.host_j_per_request = (pt.server_j_per_output_token - pt.accelerator_j_per_output_token) * out;
  r.first_token_s = pt.prefill_s + pt.step_s;
  return r;
}

std::optional<double> batch_under_tpot(const FleetPool& p, double max_tpot_s, double& best_s) {
  best_s = replica_at(p, 1).tpot_s;
  if (best_s > max_tpot_s) {
    return std::nullopt;
  }
  // The time per output token grows with the batch (more KV cache, more sequences per step):
  // bisect on integers.
  double lo = 1;
  double hi = std::max(1.0, std::floor(p.max_batch));
  if (replica_at(p, hi).tpot_s <= max_tpot_s) {
    return hi;
  }
  while (hi - lo > 1) {
    const double mid = std::floor((lo + hi) / 2);
    if (replica_at(p, mid).tpot_s <= max_tpot_s) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return lo;
}

double erlang_c(double servers, double load) {
  const double c = std::floor(servers);
  if (!(load < c)) {
    return 1.0;
  }
  if (load <= 0) {
    return 0.0;
  }
  // Erlang B by its recursion B(k) = a B(k-1) / (k + a B(k-1)), then C = c B / (c - a (1 - B)).
  double b = 1.0;
  for (double k = 1; k <= c; ++k) {
    b = load * b / (k + load * b);
  }
  return c * b / (c - load * (1.0 - b));
}

double mmc_wait_s(double servers, double arrivals_per_s, double service_s) {
  if (arrivals_per_s <= 0) {
    return 0.0;
  }
  const double c = std::floor(servers);
  const double load = arrivals_per_s * service_s;
  if (!(load < c)) {
    return std::numeric_limits<double>::infinity();
  }
  return erlang_c(c, load) * service_s / (c - load);
}

std::vector<double> autoscale(const std::vector<double>& needed, const LoadProfile& profile,
                              double min_replicas, double step, double lag_h) {
  std::vector<double> out(needed.size(), 0.0);
  const double s = std::max(1.0, step);
  for (std::size_t i = 0; i < needed.size(); ++i) {
    const double lo = profile.start_h[i] - lag_h;
    const double hi = profile.start_h[i] + profile.hours(i) + lag_h;
    double most = 0;
    // The day repeats: intervals are taken modulo 24 h, so a lag reaches across midnight.
    for (std::size_t j = 0; j < needed.size(); ++j) {
      for (double shift : {-24.0, 0.0, 24.0}) {
        const double a = profile.start_h[j] + shift;
        const double b = a + profile.hours(j);
        if (b > lo + 1e-12 && a < hi - 1e-12) {
          most = std::max(most, needed[j]);
        }
      }
    }
    double kept = min_replicas;
    if (most > kept) {
      kept = min_replicas + std::ceil((most - min_replicas) / s - 1e-9) * s;
    }
    out[i] = kept;
  }
  return out;
}

double spare_replicas(double redundancy, double needed) {
  if (redundancy <= 0) {
    return 0.0;
  }
  if (redundancy >= 1) {
    return std::floor(redundancy);
  }
  return std::ceil(redundancy * needed - 1e-9);
}

double kv_transfer_s(double bytes, double gbps_a, double chips_a, double gbps_b, double chips_b) {
  const double per_chip = std::min(gbps_a, gbps_b) * 1e9;
  const double lanes = std::max(1.0, std::min(chips_a, chips_b));
  if (!(per_chip > 0)) {
    return 0.0;
  }
  return bytes / (per_chip * lanes);
}

double idle_replica_w(const FleetPool& p) {
  return std::max(1.0, p.setup.chips) * (p.idle_w + p.host_idle_fraction * p.factors.host_w);
}

}  // namespace fleet

namespace {

struct Plan {
  std::vector<double> batch;                     // per pool
  std::vector<fleet::ReplicaAt> at_batch;        // per pool, at its batch (central)
  std::vector<std::vector<double>> needed;       // per pool, per interval (busy replicas)
  std::vector<std::vector<double>> provisioned;  // per pool, per interval
  std::vector<double> rate;                      // per interval, requests per second
  double kv_s = 0;
  double ttft_peak_s = 0;
};

double ceil_count(double x) {
  return x <= 0 ? 0.0 : std::ceil(x - 1e-9);
}

Plan make_plan(const FleetInputs& in) {
  Plan plan;
  const std::size_t n_pools = in.pools.size();
  const LoadProfile& prof = in.profile;
  const double mean = prof.mean();
  for (double w : prof.weight) {
    plan.rate.push_back(in.requests_per_s * w / mean);
  }
  for (const FleetPool& p : in.pools) {
    double b = p.role == PoolRole::prefill ? 1.0 : p.setup.batch;
    if (p.role != PoolRole::prefill && in.max_tpot_s) {
      double best = 0;
      const auto found = fleet::batch_under_tpot(p, *in.max_tpot_s, best);
      if (!found) {
        throw InputError("max_tpot_ms: " + num(*in.max_tpot_s * 1e3) + " ms cannot be met on " +
                         std::string(p.hardware) + " (the best is " + num(best * 1e3) +
                         " ms per output token, at batch 1)");
      }
      b = *found;
    }
    plan.batch.push_back(b);
    plan.at_batch.push_back(fleet::replica_at(p, b));
  }
  if (n_pools == 2) {
    const FleetPool& pf = in.pools[0];
    const FleetPool& dc = in.pools[1];
    const double bytes =
        model::kv_bytes_per_sequence(pf.setup.shape, pf.setup.input_tokens, pf.setup.kv_bits);
    plan.kv_s =
        fleet::kv_transfer_s(bytes, pf.scale_out_gbps, pf.setup.chips, dc.scale_out_gbps, dc.setup.chips);
  }
  double first_token = plan.kv_s;
  for (const auto& r : plan.at_batch) {
    first_token += r.first_token_s;
  }
  if (in.max_ttft_s && first_token > *in.max_ttft_s) {
    throw InputError("max_ttft_ms: " + num(*in.max_ttft_s * 1e3) + " ms cannot be met (the best is " +
                     num(first_token * 1e3) +
                     " ms to the first token without queueing: prefill, KV transfer and one decode step)");
  }
  plan.needed.assign(n_pools, std::vector<double>(plan.rate.size(), 0.0));
  for (std::size_t i = 0; i < plan.rate.size(); ++i) {
    const double lambda = plan.rate[i];
    std::vector<double> n(n_pools);
    auto wait = [&](std::size_t k) {
      return fleet::mmc_wait_s(n[k] * plan.batch[k], lambda, plan.at_batch[k].service_s);
    };
    for (std::size_t k = 0; k < n_pools; ++k) {
      n[k] = ceil_count(lambda * plan.at_batch[k].service_s / plan.batch[k]);
    }
    double ttft = first_token;
    for (std::size_t k = 0; k < n_pools; ++k) {
      ttft += wait(k);
    }
    if (in.max_ttft_s) {
      // Add replicas to the pool whose queue is longest until the first token is on time
      // (M/M/c over the slots of all its replicas: requests join any free slot).
      for (int guard = 0; ttft > *in.max_ttft_s && guard < 100000; ++guard) {
        std::size_t worst = 0;
        for (std::size_t k = 1; k < n_pools; ++k) {
          if (wait(k) > wait(worst)) {
            worst = k;
          }
        }
        n[worst] += 1;
        ttft = first_token;
        for (std::size_t k = 0; k < n_pools; ++k) {
          ttft += wait(k);
        }
      }
    }
    if (lambda > 0) {
      plan.ttft_peak_s = std::max(plan.ttft_peak_s, ttft);
    }
    for (std::size_t k = 0; k < n_pools; ++k) {
      plan.needed[k][i] = n[k];
    }
  }
  for (std::size_t k = 0; k < n_pools; ++k) {
    const std::vector<double>& need = plan.needed[k];
    std::vector<double> prov(need.size());
    if (in.provisioning == Provisioning::static_peak) {
      const double peak = *std::max_element(need.begin(), need.end());
      std::fill(prov.begin(), prov.end(), std::max(1.0, peak) + fleet::spare_replicas(in.redundancy, peak));
    } else {
      prov = fleet::autoscale(need, prof, in.min_replicas, in.step, in.lag_h);
      for (double& x : prov) {
        x += fleet::spare_replicas(in.redundancy, x);
      }
    }
    plan.provisioned.push_back(std::move(prov));
  }
  return plan;
}

// The energy of the day (J) at a plan, with the pools' factors as given.
struct DayEnergy {
  double active = 0, host = 0, idle = 0, pue = 1;
  double requests = 0;
  double busy_chip_s = 0, provisioned_chip_s = 0;
  std::vector<FleetInterval> intervals;
  [[nodiscard]] double fleet() const { return active + host + idle; }
  [[nodiscard]] double facility() const { return fleet() * pue; }
};

DayEnergy day_energy(const FleetInputs& in, const Plan& plan, const std::vector<FleetPool>& pools,
                     double pue) {
  DayEnergy d;
  d.pue = pue;
  for (std::size_t i = 0; i < plan.rate.size(); ++i) {
    const double t = in.profile.hours(i) * 3600.0;
    const double lambda = plan.rate[i];
    const double requests = lambda * t;
    FleetInterval iv;
    iv.start_h = in.profile.start_h[i];
    iv.hours = in.profile.hours(i);
    iv.requests_per_s = lambda;
    double joules = 0;
    for (std::size_t k = 0; k < pools.size(); ++k) {
      const FleetPool& p = pools[k];
      const double chips = std::max(1.0, p.setup.chips);
      const double n = plan.needed[k][i];
      const double prov = plan.provisioned[k][i];
      double busy_s = 0;  // replica-seconds at work
      if (n > 0 && lambda > 0) {
        const double per = lambda / n;  // arrivals per second at one busy replica
        double b = 1;
        fleet::ReplicaAt r = fleet::replica_at(p, 1);
        if (p.role != PoolRole::prefill && per * r.service_s > 1.0) {
          // Continuous batching: the replica holds b sequences, b = arrivals x time in the
          // system at batch b (Little's law); bisect between batch 1 and the planned batch.
          double lo = 1;
          double hi = plan.batch[k];
          if (hi - per * fleet::replica_at(p, hi).service_s <= 0) {
            lo = hi;  // saturated (a slower model than planned): the replica stays full
          } else {
            for (int it = 0; it < 50; ++it) {
              const double mid = 0.5 * (lo + hi);
              if (mid - per * fleet::replica_at(p, mid).service_s < 0) {
                lo = mid;
              } else {
                hi = mid;
              }
            }
          }
          b = lo;
          r = fleet::replica_at(p, b);
        }
        busy_s = requests * r.service_s / b;
        d.active += requests * r.accelerator_j_per_request;
        d.host += requests * r.host_j_per_request;
        joules += requests * (r.accelerator_j_per_request + r.host_j_per_request);
        if (p.role != PoolRole::prefill) {
          iv.batch = b;
        }
      }
      const double idle_s = std::max(0.0, prov * t - busy_s);
      const double idle_j = idle_s * fleet::idle_replica_w(p);
      d.idle += idle_j;
      joules += idle_j;
      d.busy_chip_s += std::min(busy_s, prov * t) * chips;
      d.provisioned_chip_s += prov * t * chips;
      iv.replicas_provisioned += prov;
      iv.replicas_busy += busy_s / t;
    }
    iv.power_kw = joules * pue / t / 1000.0;
    d.requests += requests;
    d.intervals.push_back(iv);
  }
  return d;
}

std::vector<FleetPool> with_factors(const std::vector<FleetPool>& pools, double time_overhead,
                                    double host_factor) {
  std::vector<FleetPool> out = pools;
  for (FleetPool& p : out) {
    p.factors.time_overhead *= time_overhead;
    p.factors.host_w *= host_factor;
  }
  return out;
}

}  // namespace

FleetEstimate estimate_fleet(const FleetInputs& in, const FleetRanges& ranges) {
  if (in.pools.empty() || in.profile.start_h.empty()) {
    throw InputError("fleet: no serving pool or load profile");
  }
  const Plan plan = make_plan(in);
  const DayEnergy d = day_energy(in, plan, in.pools, ranges.pue.value);
  if (!(d.requests > 0)) {
    throw InputError("fleet: the load is zero (give --requests-per-day or --request-rate above zero)");
  }
  FleetEstimate e;
  e.provisioning = to_string(in.provisioning);
  e.profile = in.profile.name;
  const FleetPool& dec = in.pools.back();
  if (in.pools.size() == 2) {
    e.prefill_hardware = in.pools[0].hardware;
  }
  e.decode_hardware = dec.hardware;
  e.requests_per_day = d.requests;
  e.batch = plan.batch.back();
  e.chips_per_replica = dec.setup.chips;
  e.tpot_ms = plan.at_batch.back().tpot_s * 1e3;
  e.ttft_ms = plan.ttft_peak_s * 1e3;
  e.kv_transfer_ms = plan.kv_s * 1e3;
  double peak_chips = 0;
  double peak_replicas = 0;
  double chip_h = 0;
  for (std::size_t i = 0; i < plan.rate.size(); ++i) {
    double chips = 0;
    double replicas = 0;
    for (std::size_t k = 0; k < in.pools.size(); ++k) {
      chips += plan.provisioned[k][i] * std::max(1.0, in.pools[k].setup.chips);
      replicas += plan.provisioned[k][i];
    }
    peak_chips = std::max(peak_chips, chips);
    peak_replicas = std::max(peak_replicas, replicas);
    chip_h += chips * in.profile.hours(i);
  }
  e.replicas_peak = peak_replicas;
  e.chips_peak = peak_chips;
  e.chips_mean = chip_h / 24.0;
  e.utilisation_mean = d.provisioned_chip_s > 0 ? d.busy_chip_s / d.provisioned_chip_s : 0.0;
  const double wh = 1.0 / 3600.0 / d.requests;
  e.energy_per_request_wh.active_accelerator = d.active * wh;
  e.energy_per_request_wh.server = (d.active + d.host) * wh;
  e.energy_per_request_wh.fleet = d.fleet() * wh;
  e.energy_per_request_wh.facility = d.facility() * wh;
  const double fac = d.facility();
  e.breakdown.active_accelerator = d.active / fac;
  e.breakdown.host = d.host / fac;
  e.breakdown.idle = d.idle / fac;
  e.breakdown.overhead = (fac - d.fleet()) / fac;
  e.energy_kwh = fac / 3.6e6;
  e.co2e_kg = e.energy_kwh * ranges.intensity.value / 1000.0;
  e.full_to_active = d.active > 0 ? fac / d.active : 0.0;
  e.intervals = d.intervals;

  // Water per day: cooling of every IT watt on site (idle capacity and hosts included, as for a
  // single estimate) and the water of generating the facility's electricity.
  auto water = [](double fleet_j, double fac_j, double wue, double wi) {
    return model::onsite_water_l(fleet_j / 3.6e6, wue) + model::generation_water_l(fac_j / 3.6e6, wi);
  };
  e.onsite_water_l = model::onsite_water_l(d.fleet() / 3.6e6, ranges.wue.value);
  e.water_l = water(d.fleet(), fac, ranges.wue.value, ranges.water_intensity.value);

  // The intervals: the plan (batch, replicas) is fixed; the inputs move the energy at it.
  Spread per_request = Spread::exact(e.energy_per_request_wh.facility);
  Spread kwh = Spread::exact(e.energy_kwh);
  Spread co2 = Spread::exact(e.co2e_kg);
  Spread wat = Spread::exact(e.water_l);
  struct Moved {
    double fleet_j, fac_j, g, wue, wi;
  };
  const Moved central{d.fleet(), fac, ranges.intensity.value, ranges.wue.value, ranges.water_intensity.value};
  auto vary = [&](Uncertain u, double lo_value, double hi_value, auto&& run) {
    const auto i = static_cast<std::size_t>(u);
    const std::array<double, 2> at = {lo_value, hi_value};
    for (std::size_t side = 0; side < 2; ++side) {
      const Moved m = run(at[side]);
      const double v_kwh = m.fac_j / 3.6e6;
      (side == 0 ? per_request.at_low : per_request.at_high)[i] = m.fac_j / 3600.0 / d.requests;
      (side == 0 ? kwh.at_low : kwh.at_high)[i] = v_kwh;
      (side == 0 ? co2.at_low : co2.at_high)[i] = v_kwh * m.g / 1000.0;
      (side == 0 ? wat.at_low : wat.at_high)[i] = water(m.fleet_j, m.fac_j, m.wue, m.wi);
    }
  };
  auto moved = [&](const DayEnergy& day) {
    Moved m = central;
    m.fleet_j = day.fleet();
    m.fac_j = day.facility();
    return m;
  };
  vary(Uncertain::serving_model_error, ranges.time_overhead.low, ranges.time_overhead.high, [&](double x) {
    return moved(day_energy(in, plan, with_factors(in.pools, x, 1.0), ranges.pue.value));
  });
  vary(Uncertain::host_power, ranges.host_factor.low, ranges.host_factor.high, [&](double x) {
    return moved(day_energy(in, plan, with_factors(in.pools, 1.0, x), ranges.pue.value));
  });
  vary(Uncertain::pue, ranges.pue.low, ranges.pue.high, [&](double x) {
    Moved m = central;
    m.fac_j = d.fleet() * x;
    return m;
  });
  vary(Uncertain::carbon_intensity, ranges.intensity.low, ranges.intensity.high, [&](double x) {
    Moved m = central;
    m.g = x;
    return m;
  });
  vary(Uncertain::wue, ranges.wue.low, ranges.wue.high, [&](double x) {
    Moved m = central;
    m.wue = x;
    return m;
  });
  vary(Uncertain::water_intensity, ranges.water_intensity.low, ranges.water_intensity.high, [&](double x) {
    Moved m = central;
    m.wi = x;
    return m;
  });
  e.energy_spread = kwh;
  e.co2e_spread = co2;
  e.water_spread = wat;
  e.chip_hours = chip_h;
  e.interval.energy_per_request_facility_wh = per_request.interval();
  e.interval.energy_kwh = kwh.interval();
  e.interval.co2e_kg = co2.interval();
  e.interval.water_l = wat.interval();
  return e;
}

}  // namespace llm_energy
