#include "llm_energy/whatif.hpp"

#include <algorithm>
#include <cmath>

#include "llm_energy/error.hpp"
#include "llm_energy/model.hpp"
#include "llm_energy/resolve.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::whatif {
namespace {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", v);
  return buf;
}

// A label value: whole numbers below a million as such ("4096"), else "7e9", "1.5e12".
std::string label_num(double v) {
  char buf[32];
  if (v == std::floor(v) && std::abs(v) < 1e6) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.4g", v);
  std::string s = buf;
  const auto e = s.find("e+");
  if (e != std::string::npos) {
    std::string exp = s.substr(e + 2);
    exp.erase(0, std::min(exp.find_first_not_of('0'), exp.size() - 1));
    s = s.substr(0, e) + "e" + exp;
  }
  return s;
}

template <class T>
Given<T> given(T v) {
  return Given<T>{std::move(v), Origin::flag};
}

bool trains(const Scenario& s) {
  return !s.phase || s.phase->value != Phase::inference;
}

// Keep the shape the baseline resolves to when `params` changes: a catalog model keeps its
// own shape; otherwise the default shape (derived from params) is pinned through layers and
// hidden size, from which resolve() derives heads as it does for the baseline.
void pin_shape(Scenario& s, double base_params) {
  if (s.model) {
    return;
  }
  const model::Shape sh = model::default_shape(base_params);
  if (!s.layers) {
    s.layers = given(sh.layers);
  }
  if (!s.hidden_size) {
    s.hidden_size = given(sh.hidden);
  }
}

Scenario with_phase(Scenario s, Phase p) {
  s.phase = given(p);
  return s;
}

// What the baseline resolves to, without its phases (they may lack inputs the variant adds).
Resolved facts(const Scenario& base, const Catalog& cat) {
  Scenario s = base;
  s.phase = given(Phase::inference);
  // Only the model, hardware and precision are read; a serving replica that does not fit does
  // not matter here, so the serving inputs are those of a tiny run.
  s.inference_tokens = given(1.0);
  s.requests.reset();
  s.batch_size = given(1.0);
  s.inference_chips.reset();
  s.sparsity.reset();
  if (s.precision && !cat.find_hardware(s.hardware ? std::string_view(s.hardware->value) : "h100-sxm")
                          .peak(s.precision->value)) {
    // The baseline's own estimate reports a precision the chip lacks; here it is only read.
  }
  try {
    return resolve(s, cat);
  } catch (const InputError&) {
    // A replica the memory check refuses (or another serving problem): resolve the baseline's
    // training phase, which carries the same model, hardware and precision.
    Scenario t = base;
    t.phase = given(Phase::training);
    if (!t.tokens) {
      t.tokens = given(1.0);
    }
    return resolve(t, cat);
  }
}

}  // namespace

// ---- Variants ----

Variant baseline_variant(const Scenario& base) {
  Variant v;
  v.label = "baseline";
  v.training = base;
  v.inference = base;
  return v;
}

Variant quantize(const Scenario& base, const Catalog& cat, Precision p) {
  Variant v = baseline_variant(base);
  const std::string name(to_string(p));
  v.label = "precision=" + name;
  const Resolved r = facts(base, cat);
  const Hardware& hw = *r.hardware;
  const Precision base_prec = base.precision ? base.precision->value : default_precision(hw);
  const std::string base_name(to_string(base_prec));

  // Training: FP8 where the chip has an FP8 peak; INT8/INT4 are not training formats.
  if (p == Precision::fp8 && hw.peak(Precision::fp8)) {
    v.training.precision = given(p);
    if (trains(base)) {
      v.notes.push_back({NoteKind::fp8_training_optimistic, v.label});
    }
  } else if (p == Precision::fp8 && trains(base)) {
    v.notes.push_back({NoteKind::no_fp8_training, v.label, std::string(hw.id), base_name});
  } else if (p != base_prec && trains(base)) {
    v.notes.push_back({NoteKind::inference_format, v.label, name, base_name});
  }
  // Inference: weights (and by default the KV cache) stored at p; weight-only where the chip
  // has no peak at p (resolve() computes at the chip's 16-bit format then).
  v.inference.precision = given(p);
  if (!hw.peak(p)) {
    v.notes.push_back({NoteKind::weight_only, v.label, std::string(hw.id), name,
                       std::string(to_string(default_precision(hw)))});
  }
  v.notes.push_back({NoteKind::accuracy_not_modelled, ""});
  return v;
}

PrunePattern parse_prune_pattern(std::string_view text) {
  if (text == "unstructured") {
    return PrunePattern::unstructured;
  }
  if (text == "2:4") {
    return PrunePattern::two_four;
  }
  if (text == "structured") {
    return PrunePattern::structured;
  }
  throw InputError("sparsity-pattern: unknown pattern '" + std::string(text.substr(0, 20)) +
                   "' (use unstructured, 2:4 or structured)");
}

std::string_view to_string(PrunePattern p) {
  switch (p) {
    case PrunePattern::unstructured:
      return "unstructured";
    case PrunePattern::two_four:
      return "2:4";
    case PrunePattern::structured:
      return "structured";
  }
  return "unstructured";
}

void check_prune_fraction(double f) {
  if (!(f > 0 && f < 1)) {
    throw InputError("prune: must lie in (0, 1), got " + num(f));
  }
}

void check_power_cap(double f) {
  if (!(f > 0 && f <= 1)) {
    throw InputError("power-cap: must lie in (0, 1] (a fraction of TDP), got " + num(f));
  }
}

Variant prune(const Scenario& base, const Catalog& cat, double fraction, PrunePattern pattern) {
  check_prune_fraction(fraction);
  Variant v = baseline_variant(base);
  v.label = "prune=" + num(fraction) + " " + std::string(to_string(pattern));
  const Resolved r = facts(base, cat);
  Scenario& s = v.inference;
  switch (pattern) {
    case PrunePattern::unstructured:
      v.notes.push_back({NoteKind::unstructured_no_change, v.label});
      break;
    case PrunePattern::structured:
      pin_shape(s, r.params);
      s.params = given(r.params * (1.0 - fraction));
      if (r.active_params != r.params || s.active_params) {
        s.active_params = given(r.active_params * (1.0 - fraction));
      }
      v.notes.push_back({NoteKind::structured, v.label, "", "", "", 1.0 - fraction});
      break;
    case PrunePattern::two_four: {
      if (std::abs(fraction - 0.5) > 1e-9) {
        throw InputError("prune: 2:4 sparsity removes exactly half the weights; use --prune 0.5");
      }
      const Hardware& hw = *r.hardware;
      if (!hw.sparse_speedup || !(hw.sparse_speedup->value > 1.0)) {
        v.notes.push_back({NoteKind::no_sparse_peak, v.label, std::string(hw.id)});
        break;
      }
      s.sparsity = given(Sparsity::two_four);
      v.notes.push_back({NoteKind::two_four, v.label, "", "", "", hw.sparse_speedup->value});
      break;
    }
  }
  if (trains(base)) {
    v.notes.push_back({NoteKind::prune_training_unchanged, ""});
  }
  return v;
}

Variant distill(const Scenario& base, const Catalog& cat, double student_params, double distill_tokens) {
  if (!(student_params > 0) || !std::isfinite(student_params)) {
    throw InputError("distill-to: must be greater than zero");
  }
  if (!(distill_tokens > 0) || !std::isfinite(distill_tokens)) {
    throw InputError("distill-tokens: must be greater than zero");
  }
  const Resolved r = facts(base, cat);
  const double teacher_params = r.params;
  if (student_params >= teacher_params) {
    throw InputError("distill-to: the student (" + num(student_params) +
                     ") must be smaller than the teacher (" + num(teacher_params) + ")");
  }
  Variant v = baseline_variant(base);
  v.label = "distill-to=" + label_num(student_params);

  auto as_student = [&](Scenario s) {
    s.params = given(student_params);
    s.active_params.reset();
    s.model.reset();
    s.layers.reset();
    s.hidden_size.reset();
    s.heads.reset();
    s.kv_heads.reset();
    s.head_dim.reset();
    s.experts.reset();
    s.active_experts.reset();
    s.chip_hours.reset();
    s.inference_chips.reset();
    s.mfu.reset();
    return s;
  };
  // The student's training with the teacher's forward pass on every token (estimate
  // --teacher-params: 2 N_teacher + its attention FLOPs per token, in the same run).
  Scenario student = as_student(base);
  student.phase = given(Phase::training);
  student.tokens = given(distill_tokens);
  student.teacher_params = given(r.active_params);
  v.student_training = student;
  v.inference = as_student(base);
  v.notes.push_back({NoteKind::distillation, ""});
  return v;
}

double training_utilisation(const Scenario& s, const Catalog& cat, double chips) {
  Scenario t = with_phase(s, Phase::training);
  t.chips = given(chips);
  t.mfu.reset();
  t.chip_hours.reset();
  const Resolved r = resolve(t, cat);
  return r.range(Uncertain::mfu).value;
}

Variant with_chips(const Scenario& base, const Catalog& cat, double chips) {
  if (!(chips > 0) || chips != std::floor(chips) || !std::isfinite(chips)) {
    throw InputError("chips: must be a whole number greater than zero");
  }
  Variant v = baseline_variant(base);
  v.label = "chips=" + label_num(chips);
  Scenario& s = v.training;
  s.chips = given(chips);
  // The default utilisation follows the chip count (resolve()); given chip-hours or a given
  // utilisation describe the baseline's scale and are carried over by the model's ratio.
  if (s.chip_hours || s.mfu) {
    const double base_chips = resolve(with_phase(base, Phase::training), cat).training->chips;
    const double factor =
        training_utilisation(base, cat, chips) / training_utilisation(base, cat, base_chips);
    if (s.chip_hours) {
      s.chip_hours = given(s.chip_hours->value / factor);
    } else {
      Range m = s.mfu->value.scaled(factor);
      m.high = std::min(m.high, 1.0);
      s.mfu = given(m);
    }
    v.notes.push_back({NoteKind::chips_factor, v.label, "", label_num(base_chips), "", factor});
  }
  v.notes.push_back({NoteKind::chips_scaling, ""});
  return v;
}

Variant with_hardware(const Scenario& base, const Catalog& cat, const std::string& id) {
  const Hardware& hw = cat.find_hardware(id);
  Variant v = baseline_variant(base);
  v.label = "hardware=" + std::string(hw.id);
  for (Scenario* s : {&v.training, &v.inference}) {
    s->hardware = given(std::string(hw.id));
    if (s->precision && !hw.peak(s->precision->value)) {
      s->precision.reset();
    }
    s->chip_hours.reset();
    s->power_watts.reset();
  }
  if (base.precision && !hw.peak(base.precision->value)) {
    v.notes.push_back(
        {NoteKind::default_precision_used, v.label, "", std::string(to_string(base.precision->value))});
  }
  if (base.chip_hours || base.power_watts) {
    v.notes.push_back({NoteKind::catalog_power_used, v.label});
  }
  return v;
}

Variant with_region(const Scenario& base, const Catalog& cat, const std::string& id) {
  const Region& r = cat.find_region(id);
  Variant v = baseline_variant(base);
  v.label = "region=" + std::string(r.id);
  for (Scenario* s : {&v.training, &v.inference}) {
    s->region = given(std::string(r.id));
    s->carbon_intensity.reset();
  }
  return v;
}

Variant power_cap(const Scenario& base, const Catalog& cat, double cap) {
  check_power_cap(cap);
  Variant v = baseline_variant(base);
  v.label = "power-cap=" + num(cap);
  for (Scenario* s : {&v.training, &v.inference}) {
    s->power_cap = given(cap);
  }
  const WhatIfModel& w = cat.whatif;
  const double tf = std::pow(cap, -w.power_cap_time_exponent.value);
  const double pf = std::min(1.0, std::pow(cap, w.power_cap_power_exponent.value));
  v.notes.push_back({NoteKind::power_cap_factors, v.label, "", "", "", tf, pf});
  v.notes.push_back({NoteKind::power_cap, "", "", "", "", w.power_cap_time_exponent.value,
                     w.power_cap_power_exponent.value});
  if (base.power_watts) {
    v.notes.push_back({NoteKind::power_watts_scaled, v.label});
  }
  return v;
}

// ---- The comparison ----

double Totals::time() const {
  if (wall_clock_hours) {
    return *wall_clock_hours;
  }
  return time_per_output_token_ms.value_or(0.0);
}

namespace {

Totals totals_of(const Estimate& e, const std::optional<Distillation>& d, const Estimate* run) {
  Totals t;
  t.energy_kwh = e.total.energy_kwh;
  t.co2e_kg = e.total.co2e_kg;
  t.market_based_co2e_kg = e.total.market_based_co2e_kg;
  if (e.training) {
    t.wall_clock_hours = e.training->wall_clock_hours;
    t.energy_per_token_j = e.training->energy_per_token_j;
  }
  if (e.inference) {
    t.time_per_output_token_ms = e.inference->time_per_output_token_ms;
    t.energy_per_token_j = e.inference->energy_per_token_j;
  }
  if (run != nullptr) {
    t.energy_kwh += run->total.energy_kwh;
    t.co2e_kg += run->total.co2e_kg;
    if (t.market_based_co2e_kg && run->total.market_based_co2e_kg) {
      *t.market_based_co2e_kg += *run->total.market_based_co2e_kg;
    }
  }
  if (d && t.wall_clock_hours) {
    *t.wall_clock_hours += d->teacher_hours + d->student_training_hours;
  }
  return t;
}

std::optional<double> change_pct(double v, double base) {
  if (base == 0) {
    return std::nullopt;
  }
  return 100.0 * (v - base) / base;
}

Deltas deltas(const Totals& r, const Totals& b) {
  Deltas d;
  d.energy_pct = change_pct(r.energy_kwh.value, b.energy_kwh.value);
  d.co2e_pct = change_pct(r.co2e_kg.value, b.co2e_kg.value);
  d.time_pct = change_pct(r.time(), b.time());
  d.energy_per_token_pct = change_pct(r.energy_per_token_j, b.energy_per_token_j);
  if (r.market_based_co2e_kg && b.market_based_co2e_kg) {
    d.market_based_co2e_pct = change_pct(*r.market_based_co2e_kg, *b.market_based_co2e_kg);
  }
  return d;
}

Row evaluate(const Variant& v, Phase phase, const Catalog& cat, const Estimate& baseline_inference) {
  Row row;
  row.label = v.label;
  row.notes = v.notes;
  std::optional<Estimate> train;
  std::optional<Estimate> infer;
  if (phase != Phase::inference) {
    train = estimate(with_phase(v.training, Phase::training), cat);
  }
  if (phase != Phase::training) {
    infer = estimate(with_phase(v.inference, Phase::inference), cat);
  }
  row.estimate = merge_phases(train ? &*train : nullptr, infer ? &*infer : nullptr, phase);
  std::optional<Estimate> run;  // the distillation run: student training + teacher forward passes
  if (v.student_training) {
    // One estimate of the run (estimate --teacher-params); the teacher's share is what the run
    // costs beyond the student's training alone.
    Scenario alone = *v.student_training;
    alone.teacher_params.reset();
    run = estimate(*v.student_training, cat);
    const Estimate student = estimate(alone, cat);
    const Estimate student_inf = infer ? *infer : estimate(with_phase(v.inference, Phase::inference), cat);
    Distillation d;
    d.student_training_energy_kwh = student.training->energy_kwh;
    d.student_training_co2e_kg = student.training->co2e_kg;
    d.student_training_hours = student.training->wall_clock_hours;
    d.teacher_energy_kwh = run->training->energy_kwh - d.student_training_energy_kwh;
    d.teacher_co2e_kg = run->training->co2e_kg - d.student_training_co2e_kg;
    d.teacher_hours = run->training->wall_clock_hours - d.student_training_hours;
    d.saving_per_token_j =
        baseline_inference.inference->energy_per_token_j - student_inf.inference->energy_per_token_j;
    if (d.saving_per_token_j > 0) {
      d.break_even_tokens =
          (d.teacher_energy_kwh + d.student_training_energy_kwh) * 3.6e6 / d.saving_per_token_j;
    } else {
      row.notes.push_back({NoteKind::no_break_even, v.label});
    }
    row.distillation = d;
  }
  row.totals = totals_of(row.estimate, row.distillation, run ? &*run : nullptr);
  return row;
}

}  // namespace

Comparison compare(const Scenario& base, const Catalog& cat, const std::vector<Variant>& variants) {
  Comparison c;
  c.baseline.label = "baseline";
  c.baseline.estimate = estimate(base, cat);
  c.baseline.totals = totals_of(c.baseline.estimate, std::nullopt, nullptr);
  if (base.renewable_share) {
    c.baseline.notes.push_back({NoteKind::market_share, "", "", "", "", base.renewable_share->value});
  } else if (base.market_based_intensity) {
    c.baseline.notes.push_back(
        {NoteKind::market_intensity, "", "", "", "", base.market_based_intensity->value});
  }
  const Phase phase = c.baseline.estimate.phase;
  std::optional<Estimate> baseline_inference;
  for (const auto& v : variants) {
    if (v.student_training && !baseline_inference) {
      baseline_inference = estimate(with_phase(base, Phase::inference), cat);
    }
    try {
      c.variants.push_back(
          evaluate(v, phase, cat, baseline_inference ? *baseline_inference : c.baseline.estimate));
    } catch (const InputError& e) {
      throw InputError("variant " + v.label + ": " + e.what());
    }
  }
  for (auto& r : c.variants) {
    r.delta = deltas(r.totals, c.baseline.totals);
  }
  // The best row for each figure (ties: the first listed).
  auto best = [&](auto key) {
    const Row* b = &c.baseline;
    for (const auto& v : c.variants) {
      if (key(v) < key(*b)) {
        b = &v;
      }
    }
    return b->label;
  };
  c.best_energy = best([](const Row& r) { return r.totals.energy_kwh.value; });
  c.best_time = best([](const Row& r) { return r.totals.time(); });
  c.best_co2e = best([](const Row& r) { return r.totals.co2e_kg.value; });
  std::vector<const Row*> rows{&c.baseline};
  for (const auto& v : c.variants) {
    rows.push_back(&v);
  }
  // Grid factors on different bases (life-cycle, operational, direct combustion) do not
  // compare: one note lists each row's basis. The catalog has no single basis for every region,
  // so each row keeps its own factor.
  {
    std::vector<std::pair<std::string, std::vector<std::string>>> bases;  // basis, region ids
    for (const Row* r : rows) {
      std::string basis;
      const std::string region(r->estimate.region);
      for (const auto& a : r->estimate.assumptions) {
        if (a.key == "grid_basis") {
          basis = a.text;
        }
      }
      auto it = std::find_if(bases.begin(), bases.end(), [&](const auto& b) { return b.first == basis; });
      if (it == bases.end()) {
        bases.push_back({basis, {region}});
      } else if (std::find(it->second.begin(), it->second.end(), region) == it->second.end()) {
        it->second.push_back(region);
      }
    }
    if (bases.size() > 1) {
      std::string text;
      for (const auto& [basis, ids] : bases) {
        std::string list;
        for (const auto& id : ids) {
          list += (list.empty() ? "" : ", ") + id;
        }
        text += (text.empty() ? "" : "; ") + list + " " + basis;
      }
      c.notes.push_back({NoteKind::mixed_grid_bases, "", "", text});
    }
  }
  for (const Row* r : rows) {
    if (r->distillation) {
      c.notes.push_back({NoteKind::distillation_summary, r->label});
    }
    for (const auto& n : r->notes) {
      if (std::find(c.notes.begin(), c.notes.end(), n) == c.notes.end()) {
        c.notes.push_back(n);
      }
    }
  }
  return c;
}

}  // namespace llm_energy::whatif
