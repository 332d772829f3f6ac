#include "llm_energy/crossval.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "llm_energy/error.hpp"
#include "llm_energy/model.hpp"
#include "llm_energy/resolve.hpp"
#include "nelder_mead.hpp"
#include "table.hpp"

namespace llm_energy {
namespace {

using detail::inference_point_scenario;
using detail::Table;

double median(std::vector<double> v) {
  if (v.empty()) {
    return 0;
  }
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// The 80th percentile of |x| (linear interpolation between order statistics).
double q80_abs(std::vector<double> v) {
  if (v.empty()) {
    return 0;
  }
  for (double& x : v) {
    x = std::fabs(x);
  }
  std::sort(v.begin(), v.end());
  const double pos = 0.8 * static_cast<double>(v.size() - 1);
  const auto i = static_cast<std::size_t>(pos);
  const double f = pos - static_cast<double>(i);
  return i + 1 < v.size() ? v[i] * (1 - f) + v[i + 1] * f : v[i];
}

std::string group_column_of(const Table& t) {
  for (const char* c : {"organisation", "family"}) {
    if (t.has(c)) {
      return c;
    }
  }
  return "id";
}

// ---- Training ----

struct TrainingRow {
  std::string id;
  std::string group;
  std::string generation;
  double published = 0;
  TrainingInputs in;
  bool chips_given = false;
};

class TrainingFit {
 public:
  TrainingFit(const std::vector<TrainingRow>& rows, const Catalog& cat)
      : m_rows(rows), m_model(cat.training), m_base(training_coefficients(cat)) {
    std::set<std::string> gens;
    for (const auto& r : rows) {
      gens.insert(r.generation);
    }
    m_generations.assign(gens.begin(), gens.end());
  }

  // The chips a row runs on under constants `c`: its own, else the default rule's.
  [[nodiscard]] double chips_of(const TrainingRow& r, const TrainingConstants& c) const {
    if (r.chips_given) {
      return r.in.chips;
    }
    return model::default_training_chips(r.in.setup, ceiling_of(c, r.generation), coefficients(c), r.in.flops,
                                         r.in.goodput, m_model.target_days.value * 24.0,
                                         m_model.min_chips.value);
  }

  [[nodiscard]] double predict(const TrainingRow& r, const TrainingConstants& c) const {
    return predict_on(r, c, chips_of(r, c));
  }

  [[nodiscard]] double predict_on(const TrainingRow& r, const TrainingConstants& c, double chips) const {
    model::TrainingSetup s = r.in.setup;
    s.chips = chips;
    const model::TrainingEfficiency e =
        model::training_efficiency(s, ceiling_of(c, r.generation), coefficients(c));
    return model::chip_hours(r.in.flops, s.peak_flops_per_s, e.mfu * r.in.goodput);
  }

  // Return the constants fitted on the rows `use` selects (least absolute log error), from `start`.
  // `hold_chips`: the default chip count (a step function of the constants) is held at the
  // start's while the simplex moves, which is faster; the predictions afterwards recompute it.
  [[nodiscard]] TrainingConstants fit(const std::vector<bool>& use, const TrainingConstants& start,
                                      int iterations, double step, int restarts, bool hold_chips) const {
    std::vector<std::string> gens;
    for (const auto& g : m_generations) {
      for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (use[i] && m_rows[i].generation == g) {
          gens.push_back(g);
          break;
        }
      }
    }
    std::vector<double> x0;
    for (const auto& g : gens) {
      x0.push_back(std::log(ceiling_of(start, g)));
    }
    x0.push_back(std::log(start.width));
    x0.push_back(std::log(start.moe_routing));
    auto unpack = [&](const std::vector<double>& x) {
      TrainingConstants c;
      for (std::size_t i = 0; i < gens.size(); ++i) {
        c.ceilings.emplace_back(gens[i], std::min(1.0, std::exp(x[i])));
      }
      c.width = std::exp(x[gens.size()]);
      c.moe_routing = std::exp(x[gens.size() + 1]);
      return c;
    };
    std::vector<double> chips(m_rows.size());
    for (std::size_t i = 0; i < m_rows.size(); ++i) {
      chips[i] = use[i] && hold_chips ? chips_of(m_rows[i], start) : 0.0;
    }
    auto loss = [&](const std::vector<double>& x) {
      const TrainingConstants c = unpack(x);
      double sum = 0;
      for (std::size_t i = 0; i < m_rows.size(); ++i) {
        if (use[i]) {
          const double p = hold_chips ? predict_on(m_rows[i], c, chips[i]) : predict(m_rows[i], c);
          sum += std::fabs(std::log(p / m_rows[i].published));
        }
      }
      return sum;
    };
    // Restarting from the best point keeps the simplex from collapsing on a flat ridge (the loss
    // is a sum of absolute values).
    std::vector<double> x = detail::nelder_mead(loss, x0, step, iterations, 1e-9);
    for (int r = 0; r < restarts; ++r) {
      x = detail::nelder_mead(loss, x, step / 2, iterations, 1e-9);
    }
    return unpack(x);
  }

  [[nodiscard]] const std::vector<TrainingRow>& rows() const { return m_rows; }

 private:
  [[nodiscard]] model::TrainingCoefficients coefficients(const TrainingConstants& c) const {
    model::TrainingCoefficients k = m_base;
    k.width = c.width;
    k.moe_routing = c.moe_routing;
    return k;
  }

  // A generation the constants do not hold (none of its runs was in the fit) takes the
  // geometric mean of the fitted ceilings: what the fit knows of an unmeasured generation.
  static double ceiling_of(const TrainingConstants& c, const std::string& gen) {
    double log_sum = 0;
    for (const auto& [g, v] : c.ceilings) {
      if (g == gen) {
        return v;
      }
      log_sum += std::log(v);
    }
    return c.ceilings.empty() ? 0.35 : std::exp(log_sum / static_cast<double>(c.ceilings.size()));
  }

  const std::vector<TrainingRow>& m_rows;
  const TrainingModel& m_model;
  model::TrainingCoefficients m_base;
  std::vector<std::string> m_generations;
};

std::vector<TrainingRow> training_rows(std::string_view csv, std::string_view name, const Catalog& cat,
                                       std::string& group_column) {
  Table t(csv, name, {"id", "params", "tokens", "hardware", "chip_hours"});
  group_column = group_column_of(t);
  std::vector<TrainingRow> rows;
  while (t.next()) {
    TrainingRow r;
    r.id = t.get("id");
    r.group = t.get(group_column);
    if (r.group.empty()) {
      r.group = r.id;
    }
    r.published = t.required_positive("chip_hours");
    if (!(r.published > 0)) {
      throw InputError(t.where() + "chip_hours: must be greater than zero");
    }
    Scenario s;
    set_field(s, "phase", "training", Origin::config);
    for (const char* key :
         {"params", "active_params", "tokens", "hardware", "chips", "precision", "seq_len",
          "global_batch_tokens", "layers", "hidden_size", "experts", "active_experts", "teacher_params"}) {
      t.copy(s, key, key);
    }
    r.chips_given = s.chips.has_value();
    try {
      const Resolved res = resolve(s, cat);
      r.in = *res.training;
      r.generation = res.hardware->generation;
    } catch (const InputError& e) {
      throw InputError(t.where() + e.what());
    }
    rows.push_back(std::move(r));
  }
  if (rows.empty()) {
    throw InputError(std::string(name) + ": no runs");
  }
  return rows;
}

// The catalog's constants for the generations of `rows` (the start of every fit).
TrainingConstants catalog_constants(const std::vector<TrainingRow>& rows, const Catalog& catalog) {
  TrainingConstants start;
  std::set<std::string> seen;
  for (const auto& r : rows) {
    if (seen.insert(r.generation).second) {
      for (const auto& h : catalog.hardware) {
        if (h.generation == r.generation) {
          start.ceilings.emplace_back(r.generation, h.training_mfu.value);
          break;
        }
      }
    }
  }
  start.width = catalog.training.width_coefficient.value;
  start.moe_routing = catalog.training.moe_routing_coefficient.value;
  return start;
}

CrossValidationScore score(const std::vector<CrossValidatedCase>& cases, bool out_of_sample, double band) {
  CrossValidationScore s;
  std::vector<double> errors;
  std::size_t inside = 0;
  for (const auto& c : cases) {
    const double pred = out_of_sample ? c.out_of_sample : c.in_sample;
    errors.push_back(std::fabs(pred / c.published - 1.0));
    const double lo = out_of_sample ? c.low : pred * std::exp(-band);
    const double hi = out_of_sample ? c.high : pred * std::exp(band);
    inside += lo <= c.published && c.published <= hi ? 1 : 0;
    s.widest_ratio = std::max(s.widest_ratio, hi / lo);
  }
  s.median_abs_error = median(errors);
  s.coverage = static_cast<double>(inside) / static_cast<double>(cases.size());
  return s;
}

// ---- Inference ----

struct InferenceRow {
  std::string id;
  std::string group;
  double measured = 0;  // J per output token, accelerator boundary
  model::ServingSetup setup;
  model::ServingFactors factors;
};

// The serving model's fitted constants, in the order of the fit's vector (log-parametrised).
constexpr std::array<const char*, 9> k_inference_keys = {
    "layer_time_us", "moe_layer_time_us",   "sequence_time_us",     "kv_efficiency",    "compute_efficiency",
    "active_floor",  "power_memory_weight", "power_compute_weight", "legacy_busy_share"};

std::vector<double> inference_vector(const ServingModel& sm) {
  return {sm.layer_time_us.value,       sm.moe_layer_time_us.value,    sm.sequence_time_us.value,
          sm.kv_efficiency.value,       sm.compute_efficiency.value,   sm.active_floor.value,
          sm.power_memory_weight.value, sm.power_compute_weight.value, sm.legacy_busy_share.value};
}

model::ServingFactors with_constants(model::ServingFactors f, const std::vector<double>& v) {
  f.layer_time_s = v[0] * 1e-6;
  f.moe_layer_time_s = v[1] * 1e-6;
  f.sequence_time_s = v[2] * 1e-6;
  f.kv_efficiency = std::min(1.0, v[3]);
  f.compute_efficiency = std::min(1.0, v[4]);
  f.active_floor = std::min(1.0, v[5]);
  f.power_memory_weight = v[6];
  f.power_compute_weight = v[7];
  if (f.host_busy_share < 1.0) {  // a legacy-stack point
    f.host_busy_share = std::min(1.0, v[8]);
  }
  return f;
}

double predict_j(const InferenceRow& r, const std::vector<double>& v) {
  return model::serve(r.setup, with_constants(r.factors, v)).accelerator_j_per_output_token;
}

// The documented range [low, high] of each fitted constant bounds the fit: the simplex moves
// x, and the constant is low + (high - low) / (1 + e^-x).
struct Bounds {
  std::vector<double> low, high;
};

Bounds inference_bounds(const ServingModel& sm) {
  const Datum* d[] = {&sm.layer_time_us,       &sm.moe_layer_time_us,    &sm.sequence_time_us,
                      &sm.kv_efficiency,       &sm.compute_efficiency,   &sm.active_floor,
                      &sm.power_memory_weight, &sm.power_compute_weight, &sm.legacy_busy_share};
  Bounds b;
  for (const Datum* x : d) {
    b.low.push_back(x->low);
    b.high.push_back(x->high);
  }
  return b;
}

std::vector<double> fit_inference(const std::vector<InferenceRow>& rows, const std::vector<bool>& use,
                                  const Bounds& b, const std::vector<double>& start, int iterations,
                                  double step, int restarts) {
  const std::size_t n = start.size();
  auto to_value = [&](const std::vector<double>& x, std::vector<double>& v) {
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = b.low[i] + (b.high[i] - b.low[i]) / (1.0 + std::exp(-x[i]));
    }
  };
  std::vector<double> x0(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double span = b.high[i] - b.low[i];
    const double u = span > 0 ? std::clamp((start[i] - b.low[i]) / span, 1e-6, 1 - 1e-6) : 0.5;
    x0[i] = std::log(u / (1 - u));
  }
  std::vector<double> v(n);
  auto loss = [&](const std::vector<double>& x) {
    to_value(x, v);
    double sum = 0;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (use[i]) {
        sum += std::fabs(std::log(predict_j(rows[i], v) / rows[i].measured));
      }
    }
    return sum;
  };
  std::vector<double> x = detail::nelder_mead(loss, x0, step, iterations, 1e-9);
  for (int r = 0; r < restarts; ++r) {
    x = detail::nelder_mead(loss, x, step / 2, iterations, 1e-9);
  }
  std::vector<double> out(n);
  to_value(x, out);
  return out;
}

std::vector<InferenceRow> inference_rows(std::string_view csv, std::string_view name, const Catalog& cat,
                                         std::string& group_column) {
  Table t(csv, name, {"id", "params", "hardware", "gpus", "j_per_output_token"});
  group_column = t.has("family") ? "family" : t.has("model") ? "model" : "id";
  std::vector<InferenceRow> rows;
  while (t.next()) {
    InferenceRow r;
    r.id = t.get("id");
    r.group = t.get(group_column);
    if (r.group.empty()) {
      r.group = r.id;
    }
    r.measured = t.required_positive("j_per_output_token");
    if (!(r.measured > 0)) {
      throw InputError(t.where() + "j_per_output_token: must be greater than zero");
    }
    try {
      const Scenario s = inference_point_scenario(t);
      const Resolved res = resolve(s, cat);
      r.setup = res.inference->setup;
      r.factors = res.inference->factors;
    } catch (const InputError& e) {
      throw InputError(t.where() + e.what());
    }
    rows.push_back(std::move(r));
  }
  if (rows.empty()) {
    throw InputError(std::string(name) + ": no points");
  }
  return rows;
}

std::vector<std::string> groups_of(const std::vector<std::string>& labels) {
  std::vector<std::string> groups;
  for (const auto& g : labels) {
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) {
      groups.push_back(g);
    }
  }
  return groups;
}

}  // namespace

TrainingCrossValidation cross_validate_training(std::string_view csv, std::string_view name,
                                                const Catalog& catalog) {
  TrainingCrossValidation out;
  out.kind = "training";
  out.figure = "chip_hours";
  const std::vector<TrainingRow> rows = training_rows(csv, name, catalog, out.group_column);
  const TrainingFit fit(rows, catalog);
  const TrainingConstants start = catalog_constants(rows, catalog);
  const std::size_t n = rows.size();
  std::vector<std::string> labels;
  for (const auto& r : rows) {
    labels.push_back(r.group);
  }
  const std::vector<std::string> groups = groups_of(labels);
  out.groups = groups.size();
  constexpr int k_full = 3000;
  constexpr int k_fold = 1500;
  constexpr int k_inner = 400;
  const TrainingConstants full = fit.fit(std::vector<bool>(n, true), start, k_full, 0.2, 3, false);

  out.cases.resize(n);
  std::vector<double> residuals(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.cases[i].id = rows[i].id;
    out.cases[i].group = rows[i].group;
    out.cases[i].published = rows[i].published;
    out.cases[i].in_sample = fit.predict(rows[i], full);
  }
  for (const auto& g : groups) {
    std::vector<bool> use(n);
    for (std::size_t i = 0; i < n; ++i) {
      use[i] = rows[i].group != g;
    }
    const TrainingConstants fold = fit.fit(use, full, k_fold, 0.1, 2, false);
    // The fold's own model error: its residuals when each of its other groups is left out.
    std::vector<double> inner;
    for (const auto& h : groups) {
      if (h == g) {
        continue;
      }
      std::vector<bool> use2 = use;
      for (std::size_t i = 0; i < n; ++i) {
        use2[i] = use[i] && rows[i].group != h;
      }
      const TrainingConstants c = fit.fit(use2, fold, k_inner, 0.1, 1, true);
      for (std::size_t i = 0; i < n; ++i) {
        if (rows[i].group == h) {
          inner.push_back(std::log(rows[i].published / fit.predict(rows[i], c)));
        }
      }
    }
    const double band = q80_abs(inner);
    for (std::size_t i = 0; i < n; ++i) {
      if (rows[i].group == g) {
        CrossValidatedCase& c = out.cases[i];
        c.out_of_sample = fit.predict(rows[i], fold);
        c.low = c.out_of_sample * std::exp(-band);
        c.high = c.out_of_sample * std::exp(band);
        residuals[i] = std::log(rows[i].published / c.out_of_sample);
      }
    }
  }
  out.fitted = full;
  out.fitted.model_error = q80_abs(residuals);
  out.in_sample = score(out.cases, false, out.fitted.model_error);
  out.out_of_sample = score(out.cases, true, 0);
  for (const auto& [g, v] : out.fitted.ceilings) {
    out.constants.emplace_back("generations." + g + ".training_mfu", v);
  }
  out.constants.emplace_back("training_model.width_coefficient", out.fitted.width);
  out.constants.emplace_back("training_model.moe_routing_coefficient", out.fitted.moe_routing);
  out.constants.emplace_back("training_model.model_error", out.fitted.model_error);
  return out;
}

TrainingConstants fit_training_constants(std::string_view csv, std::string_view name,
                                         const Catalog& catalog) {
  std::string column;
  const std::vector<TrainingRow> rows = training_rows(csv, name, catalog, column);
  const TrainingFit fit(rows, catalog);
  return fit.fit(std::vector<bool>(rows.size(), true), catalog_constants(rows, catalog), 3000, 0.2, 3, false);
}

ValidationVerdict judge(const CrossValidation& v, double median_bound, double min_coverage) {
  if (v.out_of_sample.median_abs_error > median_bound) {
    return {ValidationFailure::median_error, v.out_of_sample.median_abs_error, median_bound};
  }
  if (v.out_of_sample.coverage < min_coverage) {
    return {ValidationFailure::coverage, v.out_of_sample.coverage, min_coverage};
  }
  return {};
}

Catalog with_training_constants(Catalog catalog, const TrainingConstants& c) {
  for (auto& h : catalog.hardware) {
    for (const auto& [g, v] : c.ceilings) {
      if (h.generation == g) {
        const double f = v / h.training_mfu.value;
        h.training_mfu.value = v;
        h.training_mfu.low *= f;
        h.training_mfu.high = std::min(1.0, h.training_mfu.high * f);
      }
    }
  }
  catalog.training.width_coefficient.value = c.width;
  catalog.training.moe_routing_coefficient.value = c.moe_routing;
  if (c.model_error > 0) {
    catalog.training.model_error.value = c.model_error;
  }
  return catalog;
}

InferenceCrossValidation cross_validate_inference(std::string_view csv, std::string_view name,
                                                  const Catalog& catalog) {
  InferenceCrossValidation out;
  out.kind = "inference";
  out.figure = "j_per_output_token";
  const std::vector<InferenceRow> rows = inference_rows(csv, name, catalog, out.group_column);
  const std::size_t n = rows.size();
  std::vector<std::string> labels;
  for (const auto& r : rows) {
    labels.push_back(r.group);
  }
  const std::vector<std::string> groups = groups_of(labels);
  out.groups = groups.size();
  constexpr int k_full = 3000;
  constexpr int k_fold = 1500;
  constexpr int k_inner = 300;
  const Bounds bounds = inference_bounds(catalog.serving);
  const std::vector<double> full = fit_inference(rows, std::vector<bool>(n, true), bounds,
                                                 inference_vector(catalog.serving), k_full, 1.0, 3);
  out.cases.resize(n);
  std::vector<double> residuals(n);
  for (std::size_t i = 0; i < n; ++i) {
    out.cases[i].id = rows[i].id;
    out.cases[i].group = rows[i].group;
    out.cases[i].published = rows[i].measured;
    out.cases[i].in_sample = predict_j(rows[i], full);
  }
  for (const auto& g : groups) {
    std::vector<bool> use(n);
    for (std::size_t i = 0; i < n; ++i) {
      use[i] = rows[i].group != g;
    }
    const std::vector<double> fold = fit_inference(rows, use, bounds, full, k_fold, 0.5, 2);
    std::vector<double> inner;
    for (const auto& h : groups) {
      if (h == g) {
        continue;
      }
      std::vector<bool> use2 = use;
      for (std::size_t i = 0; i < n; ++i) {
        use2[i] = use[i] && rows[i].group != h;
      }
      const std::vector<double> c = fit_inference(rows, use2, bounds, fold, k_inner, 0.5, 1);
      for (std::size_t i = 0; i < n; ++i) {
        if (rows[i].group == h) {
          inner.push_back(std::log(rows[i].measured / predict_j(rows[i], c)));
        }
      }
    }
    const double band = q80_abs(inner);
    for (std::size_t i = 0; i < n; ++i) {
      if (rows[i].group == g) {
        CrossValidatedCase& c = out.cases[i];
        c.out_of_sample = predict_j(rows[i], fold);
        c.low = c.out_of_sample * std::exp(-band);
        c.high = c.out_of_sample * std::exp(band);
        residuals[i] = std::log(rows[i].measured / c.out_of_sample);
      }
    }
  }
  for (std::size_t i = 0; i < k_inference_keys.size(); ++i) {
    out.fitted.values.emplace_back(k_inference_keys[i], full[i]);
    out.constants.emplace_back(std::string("serving_model.") + k_inference_keys[i], full[i]);
  }
  out.fitted.model_error = q80_abs(residuals);
  out.constants.emplace_back("serving_model.model_error", out.fitted.model_error);
  out.in_sample = score(out.cases, false, out.fitted.model_error);
  out.out_of_sample = score(out.cases, true, 0);
  return out;
}

}  // namespace llm_energy

namespace llm_energy {

InferenceConstants fit_serving_constants(std::string_view csv, std::string_view name,
                                         const Catalog& catalog) {
  std::string column;
  const std::vector<InferenceRow> rows = inference_rows(csv, name, catalog, column);
  const std::vector<double> v =
      fit_inference(rows, std::vector<bool>(rows.size(), true), inference_bounds(catalog.serving),
                    inference_vector(catalog.serving), 3000, 1.0, 3);
  InferenceConstants c;
  for (std::size_t i = 0; i < k_inference_keys.size(); ++i) {
    c.values.emplace_back(k_inference_keys[i], v[i]);
  }
  return c;
}

}  // namespace llm_energy
