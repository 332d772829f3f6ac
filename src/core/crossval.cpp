#include "llm_energy/crossval.hpp"

#include <algorithm>
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
    const model::TrainingEfficiency e = model::training_efficiency(s, ceiling_of(c, r.generation), coefficients(c));
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
    r.published = t.required("chip_hours");
    if (!(r.published > 0)) {
      throw InputError(t.where() + "chip_hours: must be greater than zero");
    }
    Scenario s;
    set_field(s, "phase", "training", Origin::config);
    for (const char* key : {"params", "active_params", "tokens", "hardware", "chips", "precision", "seq_len",
                            "global_batch_tokens", "layers", "hidden_size", "experts", "active_experts",
                            "teacher_params"}) {
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

}  // namespace

TrainingCrossValidation cross_validate_training(std::string_view csv, std::string_view name,
                                                const Catalog& catalog) {
  TrainingCrossValidation out;
  out.kind = "training";
  out.figure = "chip_hours";
  const std::vector<TrainingRow> rows = training_rows(csv, name, catalog, out.group_column);
  const TrainingFit fit(rows, catalog);

  // Start from the catalog's constants.
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

  const std::size_t n = rows.size();
  std::vector<std::string> groups;
  for (const auto& r : rows) {
    if (std::find(groups.begin(), groups.end(), r.group) == groups.end()) {
      groups.push_back(r.group);
    }
  }
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

}  // namespace llm_energy
// TEMPORARY (replaced before commit)
namespace llm_energy {
InferenceCrossValidation cross_validate_inference(std::string_view, std::string_view, const Catalog&) {
  throw InputError("not yet");
}
}  // namespace llm_energy
