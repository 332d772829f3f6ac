#include "llm_energy/whatif.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/model.hpp"
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

void set_phase(Scenario& s, const char* phase) {
  s.phase = given<std::string>(phase);
}

double resolved_params(const Scenario& s, const Catalog& cat) {
  if (s.params) {
    return s.params->value;
  }
  if (s.model) {
    return cat.find_model(s.model->value).params;
  }
  throw InputError("missing --params (model parameters, e.g. --params 7e9) or --model");
}

double resolved_active(const Scenario& s, const Catalog& cat) {
  if (s.active_params) {
    return s.active_params->value;
  }
  if (s.model && !s.params) {
    return cat.find_model(s.model->value).active_params;
  }
  return resolved_params(s, cat);
}

const Hardware& resolved_hardware(const Scenario& s, const Catalog& cat) {
  return cat.find_hardware(s.hardware ? std::string_view(s.hardware->value) : "h100-sxm");
}

// The precision estimate() uses by default on this chip (bf16, else the best 16-bit format).
Precision resolved_precision(const Scenario& s, const Hardware& hw) {
  if (s.precision) {
    return parse_precision(s.precision->value);
  }
  for (Precision q : {Precision::bf16, Precision::fp16, Precision::tf32, Precision::fp32}) {
    if (hw.peak(q)) {
      return q;
    }
  }
  return Precision::fp32;
}

Hardware& mutable_hardware(Catalog& cat, const std::string& id) {
  for (auto& h : cat.hardware) {
    if (h.id == id) {
      return h;
    }
  }
  throw InputError("unknown hardware '" + id + "'");  // unreachable: ids come from find_hardware
}

void scale_datum(Datum& d, double f) {
  d.value *= f;
  d.low *= f;
  d.high *= f;
}

// Keep the shape the baseline resolves to when `params` changes: a catalog model keeps its
// own shape; otherwise the default shape (derived from params) is pinned through layers and
// hidden size, from which estimate() derives heads as it does for the baseline.
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

// The default training utilisation estimate() would use (generation value x size factor).
Range default_mfu(const Scenario& s, const Catalog& cat) {
  const Hardware& hw = resolved_hardware(s, cat);
  const TrainingModel& tm = cat.training;
  const double f = model::mfu_size_factor(resolved_active(s, cat), tm.size_reference_params.value,
                                          tm.size_exponent.value, tm.size_min_factor.value);
  Range r = hw.training_mfu.range().scaled(f);
  r.high = std::min(r.high, 1.0);
  return r;
}

std::shared_ptr<const Catalog> share(const Catalog& cat) {
  return std::make_shared<const Catalog>(cat);
}

}  // namespace

// ---- Totals ----

double Totals::time() const {
  if (wall_clock_hours) {
    return *wall_clock_hours;
  }
  return time_per_output_token_ms.value_or(0.0);
}

Totals totals_of(const Estimate& e, const std::optional<Distillation>& d) {
  Totals t;
  if (e.training) {
    t.energy_kwh += e.training->energy_kwh;
    t.co2e_kg += e.training->co2e_kg;
    t.wall_clock_hours = e.training->wall_clock_hours;
    t.energy_per_token_j = e.training->energy_per_token_j;
  }
  if (e.inference) {
    t.energy_kwh += e.inference->energy_kwh;
    t.co2e_kg += e.inference->co2e_kg;
    t.time_per_output_token_ms = e.inference->time_per_output_token_ms;
    t.energy_per_token_j = e.inference->energy_per_token_j;
  }
  if (d) {
    t.energy_kwh += d->teacher_energy_kwh + d->student_training_energy_kwh;
    t.co2e_kg += d->teacher_co2e_kg + d->student_training_co2e_kg;
    if (t.wall_clock_hours) {
      *t.wall_clock_hours += d->teacher_hours + d->student_training_hours;
    }
  }
  return t;
}

Estimate evaluate(const Variant& v, Phase phase) {
  Estimate out;
  out.phase = phase;
  auto merge = [&out](const Estimate& e) {
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
  };
  if (phase != Phase::inference) {
    Scenario s = v.training.scenario;
    set_phase(s, "training");
    const Estimate e = estimate(s, *v.training.catalog);
    out.training = e.training;
    merge(e);
  }
  if (phase != Phase::training) {
    Scenario s = v.inference.scenario;
    set_phase(s, "inference");
    const Estimate e = estimate(s, *v.inference.catalog);
    out.inference = e.inference;
    merge(e);
  }
  out.notes = v.notes;
  return out;
}

Variant baseline_variant(const Scenario& base, const Catalog& cat) {
  Variant v;
  v.label = "baseline";
  const auto c = share(cat);
  v.training = {base, c};
  v.inference = {base, c};
  return v;
}

// ---- Quantisation ----

Variant quantize(const Scenario& base, const Catalog& cat, Precision p) {
  Variant v = baseline_variant(base, cat);
  const std::string name(to_string(p));
  v.label = "precision=" + name;
  const Hardware& hw = resolved_hardware(base, cat);
  const Precision base_prec = resolved_precision(base, hw);
  const std::string base_name(to_string(base_prec));

  // Training: FP8 where the chip has an FP8 peak; INT8/INT4 are not training formats.
  const bool trains = !base.phase || parse_phase(base.phase->value) != Phase::inference;
  if (p == Precision::fp8 && hw.peak(Precision::fp8)) {
    v.training.scenario.precision = given(name);
    if (trains) {
      v.notes.push_back(
          v.label +
          ": training at the fp8 peak with the bf16-calibrated utilisation; "
          "published FP8 training speed-ups are smaller than the 2x peak ratio, so this is optimistic");
    }
  } else if (p == Precision::fp8 && trains) {
    v.notes.push_back(v.label + ": " + hw.id + " has no fp8 peak: training kept at " + base_name);
  } else if (p != base_prec && trains) {
    v.notes.push_back(v.label + ": training kept at " + base_name + " (" + name + " is an inference format)");
  }

  // Inference: weights (and by default the KV cache) stored at p.
  v.inference.scenario.precision = given(name);
  if (!hw.peak(base_prec)) {
    throw InputError("precision: " + hw.id + " has no " + base_name + " peak");
  }
  if (!hw.peak(p)) {
    // Weight-only quantisation: p-bit weights, compute at the baseline's 16-bit peak.
    auto c = std::make_shared<Catalog>(cat);
    Hardware& h = mutable_hardware(*c, hw.id);
    h.peak_tflops[static_cast<std::size_t>(p)] = *hw.peak(base_prec);
    v.inference.catalog = c;
    v.notes.push_back(v.label + ": " + hw.id + " has no " + name + " peak: modelled as weight-only " + name +
                      " (" + name + " weights, " + base_name + " compute)");
  }
  v.notes.push_back("quantisation may cost accuracy; not modelled");
  return v;
}

// ---- Pruning ----

Sparsity parse_sparsity(std::string_view text) {
  if (text == "unstructured") {
    return Sparsity::unstructured;
  }
  if (text == "2:4") {
    return Sparsity::two_four;
  }
  if (text == "structured") {
    return Sparsity::structured;
  }
  throw InputError("sparsity-pattern: unknown pattern '" + std::string(text.substr(0, 20)) +
                   "' (use unstructured, 2:4 or structured)");
}

std::string_view to_string(Sparsity s) {
  switch (s) {
    case Sparsity::unstructured:
      return "unstructured";
    case Sparsity::two_four:
      return "2:4";
    case Sparsity::structured:
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

void check_renewable_share(double f) {
  if (!(f >= 0 && f <= 1)) {
    throw InputError("renewable-share: must lie in [0, 1], got " + num(f));
  }
}

Variant prune(const Scenario& base, const Catalog& cat, double fraction, Sparsity pattern) {
  check_prune_fraction(fraction);
  Variant v = baseline_variant(base, cat);
  v.label = "prune=" + num(fraction) + " " + std::string(to_string(pattern));
  const double params = resolved_params(base, cat);
  const double active = resolved_active(base, cat);
  Scenario& s = v.inference.scenario;
  auto shrink = [&](double factor) {
    pin_shape(s, params);
    s.params = given(params * factor);
    if (active != params || s.active_params) {
      s.active_params = given(active * factor);
    }
  };
  switch (pattern) {
    case Sparsity::unstructured:
      v.notes.push_back(v.label +
                        ": unstructured sparsity gives no speed-up on dense hardware and the "
                        "weights are stored dense: no change");
      break;
    case Sparsity::structured:
      shrink(1.0 - fraction);
      v.notes.push_back(v.label + ": structured pruning serves a model of params x " + num(1.0 - fraction) +
                        "; attention shape and KV cache kept (conservative)");
      break;
    case Sparsity::two_four: {
      if (std::abs(fraction - 0.5) > 1e-9) {
        throw InputError("prune: 2:4 sparsity removes exactly half the weights; use --prune 0.5");
      }
      const Hardware& hw = resolved_hardware(base, cat);
      if (!hw.sparse_speedup || !(hw.sparse_speedup->value > 1.0)) {
        v.notes.push_back(v.label + ": " + hw.id +
                          " has no sparse tensor-core peak: no speed-up, "
                          "weights stored dense: no change");
        break;
      }
      // Weight bytes x 0.5625 via params; the peak is multiplied by speedup x 0.5625 so that
      // the pruned matmuls run at speedup x the dense rate (2 * 0.5625N / (0.5625 * s * peak)).
      const double speedup = hw.sparse_speedup->value;
      shrink(cat.whatif.two_four_weight_bytes.value);
      auto c = std::make_shared<Catalog>(cat);
      Hardware& h = mutable_hardware(*c, hw.id);
      for (auto& pk : h.peak_tflops) {
        if (pk) {
          scale_datum(*pk, speedup * cat.whatif.two_four_weight_bytes.value);
        }
      }
      v.inference.catalog = c;
      v.notes.push_back(
          v.label + ": 2:4 sparse tensor cores at " + num(speedup) +
          "x the dense peak for the weight matmuls; weights read as 0.5625x (half the values "
          "plus a 2-bit index each); attention FLOPs approximated with the same scaling (1.125x)");
      break;
    }
  }
  const bool trains = !base.phase || parse_phase(base.phase->value) != Phase::inference;
  if (trains) {
    v.notes.push_back(
        "prune: training unchanged (the dense model is trained, then pruned); "
        "recovery fine-tuning and accuracy loss not modelled");
  }
  return v;
}

// ---- Distillation ----

Variant distill(const Scenario& base, const Catalog& cat, double student_params, double distill_tokens) {
  if (!(student_params > 0) || !std::isfinite(student_params)) {
    throw InputError("distill-to: must be greater than zero");
  }
  if (!(distill_tokens > 0) || !std::isfinite(distill_tokens)) {
    throw InputError("distill-tokens: must be greater than zero");
  }
  const double teacher_params = resolved_params(base, cat);
  if (student_params >= teacher_params) {
    throw InputError("distill-to: the student (" + num(student_params) +
                     ") must be smaller than the teacher (" + num(teacher_params) + ")");
  }
  Variant v = baseline_variant(base, cat);
  v.label = "distill-to=" + label_num(student_params);

  // Teacher forward passes: 2*N*D = the training FLOPs (6*N*D') of D' = D/3 tokens, at the
  // training utilisation and power of the baseline hardware.
  Scenario teacher = base;
  set_phase(teacher, "training");
  teacher.tokens = given(distill_tokens * 2.0 / 6.0);
  teacher.recompute.reset();
  teacher.chip_hours.reset();
  const Estimate te = estimate(teacher, cat);

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
  Scenario student_train = as_student(base);
  set_phase(student_train, "training");
  student_train.tokens = given(distill_tokens);
  const Estimate se = estimate(student_train, cat);

  Scenario base_inf = base;
  set_phase(base_inf, "inference");
  const Estimate bi = estimate(base_inf, cat);
  v.inference.scenario = as_student(base);
  Scenario student_inf = v.inference.scenario;
  set_phase(student_inf, "inference");
  const Estimate si = estimate(student_inf, cat);

  Distillation d;
  d.teacher_energy_kwh = te.training->energy_kwh;
  d.teacher_co2e_kg = te.training->co2e_kg;
  d.teacher_hours = te.training->wall_clock_hours;
  d.student_training_energy_kwh = se.training->energy_kwh;
  d.student_training_co2e_kg = se.training->co2e_kg;
  d.student_training_hours = se.training->wall_clock_hours;
  d.saving_per_token_j = bi.inference->energy_per_token_j - si.inference->energy_per_token_j;
  if (d.saving_per_token_j > 0) {
    d.break_even_tokens =
        (d.teacher_energy_kwh + d.student_training_energy_kwh) * 3.6e6 / d.saving_per_token_j;
  } else {
    v.notes.push_back(v.label + ": the student saves no energy per served token: no break-even");
  }
  v.distillation = d;
  v.notes.push_back(
      "distillation = teacher forward passes (2*N*D FLOPs, at training utilisation) + "
      "student training (6*N_student*D); the teacher's own training is the baseline's; "
      "student quality not modelled");
  return v;
}

// ---- Chips ----

double scaling_efficiency(const Catalog& cat, double chips) {
  if (!(chips > 8)) {
    return 1.0;
  }
  return 1.0 / (1.0 + cat.whatif.chip_scaling_overhead.value * std::log2(chips / 8.0));
}

Variant with_chips(const Scenario& base, const Catalog& cat, double chips) {
  if (!(chips > 0) || chips != std::floor(chips) || !std::isfinite(chips)) {
    throw InputError("chips: must be a whole number greater than zero");
  }
  Variant v = baseline_variant(base, cat);
  v.label = "chips=" + label_num(chips);
  const double base_chips = base.chips ? base.chips->value : 8.0;
  const double factor = scaling_efficiency(cat, chips) / scaling_efficiency(cat, base_chips);
  Scenario& s = v.training.scenario;
  s.chips = given(chips);
  if (s.chip_hours) {
    s.chip_hours = given(s.chip_hours->value / factor);
  } else {
    Range m = s.mfu ? s.mfu->value : default_mfu(base, cat);
    m = m.scaled(factor);
    m.high = std::min(m.high, 1.0);
    s.mfu = given(m);
  }
  v.notes.push_back(v.label + ": training utilisation x " + num(factor) + " relative to " +
                    label_num(base_chips) + " chips");
  const Datum& c = cat.whatif.chip_scaling_overhead;
  v.notes.push_back(
      "chips: scaling efficiency 1/(1+" + num(c.value) + "*log2(n/8)) on the training utilisation (" +
      num(c.low) + "-" + num(c.high) +
      " per doubling: communication overhead; Megatron-LM and PaLM ~0.02-0.03, Llama 3 ~0.05 at "
      "8K-16K GPUs; hardware.json whatif_model); energy rises as wall-clock falls; inference "
      "unchanged");
  return v;
}

// ---- Hardware and region ----

Variant with_hardware(const Scenario& base, const Catalog& cat, const std::string& id) {
  const Hardware& hw = cat.find_hardware(id);
  Variant v = baseline_variant(base, cat);
  v.label = "hardware=" + hw.id;
  for (Scenario* s : {&v.training.scenario, &v.inference.scenario}) {
    s->hardware = given(hw.id);
    if (s->precision && !hw.peak(parse_precision(s->precision->value))) {
      s->precision.reset();
    }
    s->chip_hours.reset();
    s->power_watts.reset();
  }
  if (base.precision && !hw.peak(parse_precision(base.precision->value))) {
    v.notes.push_back(v.label + ": no " + base.precision->value + " peak: default precision used");
  }
  if (base.chip_hours || base.power_watts) {
    v.notes.push_back(v.label +
                      ": --chip-hours and --power-watts describe the baseline's chips: "
                      "catalog figures used instead");
  }
  return v;
}

Variant with_region(const Scenario& base, const Catalog& cat, const std::string& id) {
  const Region& r = cat.find_region(id);
  Variant v = baseline_variant(base, cat);
  v.label = "region=" + r.id;
  for (Scenario* s : {&v.training.scenario, &v.inference.scenario}) {
    s->region = given(r.id);
    s->carbon_intensity.reset();
  }
  return v;
}

// ---- Power cap ----

double power_cap_time_factor(const Catalog& cat, double cap) {
  check_power_cap(cap);
  return std::pow(cap, -cat.whatif.power_cap_time_exponent.value);
}

double power_cap_power_factor(const Catalog& cat, double cap) {
  check_power_cap(cap);
  return std::min(1.0, std::pow(cap, cat.whatif.power_cap_power_exponent.value));
}

Variant power_cap(const Scenario& base, const Catalog& cat, double cap) {
  check_power_cap(cap);
  const double tf = power_cap_time_factor(cat, cap);
  const double pf = power_cap_power_factor(cat, cap);
  Variant v = baseline_variant(base, cat);
  v.label = "power-cap=" + num(cap);
  const Hardware& hw = resolved_hardware(base, cat);
  // The capped chip as an effective catalog entry: peaks and bandwidth / tf (time x tf),
  // TDP x pf (accelerator draw x pf at the same activity); host power unchanged.
  auto c = std::make_shared<Catalog>(cat);
  Hardware& h = mutable_hardware(*c, hw.id);
  for (auto& pk : h.peak_tflops) {
    if (pk) {
      scale_datum(*pk, 1.0 / tf);
    }
  }
  scale_datum(h.memory_bandwidth_gbps, 1.0 / tf);
  scale_datum(h.tdp_w, pf);
  v.training.catalog = c;
  v.inference.catalog = c;
  for (Scenario* s : {&v.training.scenario, &v.inference.scenario}) {
    if (s->chip_hours) {
      s->chip_hours = given(s->chip_hours->value * tf);
    }
    if (s->power_watts) {
      s->power_watts = given(s->power_watts->value.scaled(pf));
    }
  }
  v.notes.push_back(v.label + ": time x " + num(tf) + ", accelerator power x " + num(pf));
  v.notes.push_back(
      "power cap: time x cap^-" + num(cat.whatif.power_cap_time_exponent.value) +
      " and accelerator power x cap^" + num(cat.whatif.power_cap_power_exponent.value) +
      " (Samsi et al. 2023, arXiv 2310.03003: a 0.7 cap cost 6-7% time and saved ~23% GPU energy); host "
      "power not capped, so facility energy saves less; peaks, bandwidth and TDP shown are "
      "the effective capped figures");
  if (base.power_watts) {
    v.notes.push_back(v.label + ": --power-watts includes the host share; the whole figure is scaled");
  }
  return v;
}

double market_based_co2e_kg(const Totals& t, const MarketBasis& m) {
  if (m.intensity_g_per_kwh) {
    return t.energy_kwh * *m.intensity_g_per_kwh / 1000.0;
  }
  const double share = m.renewable_share.value_or(0.0);
  return t.co2e_kg * (1.0 - share);  // location CO2e = energy x location intensity
}

// ---- Planning ----

ComputeOptimal chinchilla_optimal(double flops, const ChinchillaFit& fit) {
  if (!(flops > 0) || !std::isfinite(flops)) {
    throw InputError("compute-budget: must be greater than zero");
  }
  const double sum = fit.alpha + fit.beta;
  const double a = fit.beta / sum;
  const double b = fit.alpha / sum;
  const double g = std::pow(fit.alpha * fit.A / (fit.beta * fit.B), 1.0 / sum);
  ComputeOptimal o;
  o.params = g * std::pow(flops / 6.0, a);
  o.tokens = std::pow(flops / 6.0, b) / g;
  o.flops = flops;
  return o;
}

double chinchilla_loss(double params, double tokens, const ChinchillaFit& fit) {
  return fit.E + fit.A / std::pow(params, fit.alpha) + fit.B / std::pow(tokens, fit.beta);
}

Plan plan_for_compute(const Scenario& base, const Catalog& cat, double flops) {
  if (base.params || base.tokens || base.model || base.active_params) {
    throw InputError(
        "plan chooses the parameters and tokens itself: remove --params, --tokens, --model "
        "and --active-params");
  }
  if (base.chip_hours) {
    throw InputError("plan: --chip-hours fixes the run's length; remove it");
  }
  Plan p;
  p.optimal = chinchilla_optimal(flops);
  Scenario s = base;
  s.params = given(p.optimal.params);
  s.tokens = given(p.optimal.tokens);
  set_phase(s, "training");
  p.estimate = estimate(s, cat);
  const double ratio = p.optimal.tokens / p.optimal.params;
  p.notes.push_back(
      "fit: Hoffmann et al. 2022, approach 3: L(N,D) = 1.69 + 406.4/N^0.34 + 410.7/D^0.28; "
      "N_opt = G(C/6)^a, D_opt = (C/6)^b/G");
  p.notes.push_back("tokens per parameter: " + num(ratio) +
                    " (approach 3 favours more tokens than the ~20 tokens/parameter rule of thumb from "
                    "approaches 1 and 2)");
  if (base.recompute && base.recompute->value) {
    p.notes.push_back("--recompute: the hardware executes 8*N*D FLOPs, 4/3 of the model FLOPs budgeted");
  }
  return p;
}

Plan plan_for_energy(const Scenario& base, const Catalog& cat, double kwh) {
  if (!(kwh > 0) || !std::isfinite(kwh)) {
    throw InputError("energy-budget: must be greater than zero");
  }
  // Energy is linear in C at a fixed utilisation; the size factor of the default utilisation
  // bends it slightly, so scale and re-estimate until the energy matches.
  double c = 1e23;
  Plan p = plan_for_compute(base, cat, c);
  for (int i = 0; i < 50; ++i) {
    const double e = p.estimate.training->energy_kwh;
    if (std::abs(e / kwh - 1.0) < 1e-9) {
      break;
    }
    c *= kwh / e;
    p = plan_for_compute(base, cat, c);
  }
  if (std::abs(p.estimate.training->energy_kwh / kwh - 1.0) > 1e-6) {
    throw std::runtime_error("plan: the energy budget search did not converge");
  }
  p.notes.push_back("compute C found so that the facility energy equals the budget (" + num(kwh) + " kWh)");
  return p;
}

// ---- Scheduling ----

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2 ? 1 : 0), m, d};
}

std::int64_t parse_utc(std::string_view text, std::string_view what) {
  const std::string shown(text.substr(0, 40));
  auto fail = [&]() -> std::int64_t {
    throw InputError(std::string(what) + ": '" + shown +
                     "' is not an ISO 8601 UTC time like 2024-03-01T00:00:00Z");
  };
  auto digits = [&](std::size_t pos, std::size_t n) -> long {
    if (pos + n > text.size()) {
      fail();
    }
    long v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') {
        fail();
      }
      v = v * 10 + (text[i] - '0');
    }
    return v;
  };
  auto expect = [&](std::size_t pos, char c) {
    if (pos >= text.size() || text[pos] != c) {
      fail();
    }
  };
  const long y = digits(0, 4);
  expect(4, '-');
  const long mo = digits(5, 2);
  expect(7, '-');
  const long d = digits(8, 2);
  if (text.size() <= 10 || (text[10] != 'T' && text[10] != ' ')) {
    fail();
  }
  const long h = digits(11, 2);
  expect(13, ':');
  const long mi = digits(14, 2);
  std::size_t pos = 16;
  long sec = 0;
  if (pos < text.size() && text[pos] == ':') {
    sec = digits(pos + 1, 2);
    pos += 3;
  }
  const std::string_view zone = text.substr(std::min(pos, text.size()));
  if (zone != "Z" && zone != "+00:00" && zone != "+0000") {
    fail();
  }
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59) {
    fail();
  }
  static constexpr int k_days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (d > k_days[mo - 1] || (mo == 2 && d == 29 && !leap)) {
    fail();
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return days * 86400 + h * 3600 + mi * 60 + sec;
}

std::string format_utc(std::int64_t t) {
  std::int64_t days = t / 86400;
  std::int64_t rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  const CivilDate c = civil_from_days(days);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(c.year),
                c.month, c.day, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  return buf;
}

IntensitySeries parse_intensity_csv(std::string_view text, std::string_view name, std::string region) {
  CsvReader reader(text);
  std::vector<std::string> fields;
  std::size_t line = 0;
  const std::string n(name);
  if (!reader.next(fields, line)) {
    throw InputError(n + ": empty file (expected a header timestamp,carbon_intensity)");
  }
  std::size_t ts_col = fields.size();
  std::size_t ci_col = fields.size();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::string f = fields[i];
    f.erase(0, f.find_first_not_of(" \t"));
    f.erase(f.find_last_not_of(" \t\r") + 1);
    if (f == "timestamp") {
      ts_col = i;
    } else if (f == "carbon_intensity") {
      ci_col = i;
    }
  }
  if (ts_col == fields.size() || ci_col == fields.size()) {
    throw InputError(n + ":" + std::to_string(line) +
                     ": missing column: the header must name timestamp and carbon_intensity");
  }
  IntensitySeries s;
  s.region = std::move(region);
  std::int64_t prev = 0;
  while (reader.next(fields, line)) {
    if (fields.size() == 1 && fields[0].find_first_not_of(" \t\r") == std::string::npos) {
      continue;  // blank line
    }
    const std::string where = n + ":" + std::to_string(line);
    if (fields.size() <= std::max(ts_col, ci_col)) {
      throw InputError(where + ": expected " + std::to_string(std::max(ts_col, ci_col) + 1) + " fields");
    }
    const std::int64_t t = parse_utc(fields[ts_col], where + ": timestamp");
    if (t % 3600 != 0) {
      throw InputError(where + ": timestamp " + fields[ts_col] +
                       " is not on the hour (the series is hourly)");
    }
    const double g = parse_plain_number(fields[ci_col], where + ": carbon_intensity");
    if (g < 0) {
      throw InputError(where + ": carbon_intensity must not be negative");
    }
    if (s.g_per_kwh.empty()) {
      s.start = t;
    } else if (t == prev) {
      throw InputError(where + ": duplicate timestamp " + fields[ts_col]);
    } else if (t < prev) {
      throw InputError(where + ": timestamps not sorted (" + fields[ts_col] + " after " + format_utc(prev) +
                       ")");
    } else if (t != prev + 3600) {
      throw InputError(where + ": gap in the hourly series: " + std::to_string((t - prev) / 3600 - 1) +
                       " missing hour(s) after " + format_utc(prev));
    }
    s.g_per_kwh.push_back(g);
    prev = t;
  }
  if (s.g_per_kwh.empty()) {
    throw InputError(n + ": no data rows");
  }
  return s;
}

double job_co2e_kg(const IntensitySeries& s, std::int64_t start, double duration_hours, double energy_kwh) {
  const double kwh_per_hour = energy_kwh / duration_hours;
  const auto first = static_cast<std::size_t>((start - s.start) / 3600);
  const double whole = std::floor(duration_hours);
  const auto n = static_cast<std::size_t>(whole);
  const double part = duration_hours - whole;
  double g_hours = 0;  // sum of intensity x hours
  for (std::size_t k = 0; k < n; ++k) {
    g_hours += s.g_per_kwh.at(first + k);
  }
  if (part > 0) {
    g_hours += part * s.g_per_kwh.at(first + n);
  }
  return kwh_per_hour * g_hours / 1000.0;
}

ScheduleResult schedule(const std::vector<IntensitySeries>& series, const ScheduleRequest& r) {
  if (!(r.duration_hours > 0) || !std::isfinite(r.duration_hours)) {
    throw InputError("duration: must be greater than zero");
  }
  if (!(r.energy_kwh >= 0) || !std::isfinite(r.energy_kwh)) {
    throw InputError("energy: must not be negative");
  }
  if (series.empty()) {
    throw InputError("schedule needs at least one --intensity file");
  }
  const double dur_s = r.duration_hours * 3600.0;
  ScheduleResult out;
  bool found = false;
  bool immediate = false;
  for (const auto& s : series) {
    std::int64_t first = s.start;
    if (r.earliest && *r.earliest > first) {
      first = s.start + (*r.earliest - s.start + 3599) / 3600 * 3600;  // next whole hour
    }
    std::int64_t limit = s.end();
    if (r.deadline) {
      limit = std::min(limit, *r.deadline);
    }
    bool first_fit = true;
    for (std::int64_t t = first; static_cast<double>(t) + dur_s <= static_cast<double>(limit) + 1e-6;
         t += 3600) {
      const double co2e = job_co2e_kg(s, t, r.duration_hours, r.energy_kwh);
      ++out.candidates;
      if (!found || co2e < out.best_co2e_kg - 1e-12 * std::max(1.0, out.best_co2e_kg)) {
        found = true;
        out.best_co2e_kg = co2e;
        out.best_start = t;
        out.best_region = s.region;
      }
      if (first_fit && !immediate) {
        immediate = true;
        out.immediate_co2e_kg = co2e;
        out.immediate_start = t;
        out.immediate_region = s.region;
      }
      first_fit = false;
    }
  }
  if (!found) {
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    std::int64_t hi = std::numeric_limits<std::int64_t>::min();
    for (const auto& s : series) {
      lo = std::min(lo, s.start);
      hi = std::max(hi, s.end());
    }
    if (r.earliest) {
      lo = std::max(lo, *r.earliest);
    }
    if (r.deadline) {
      hi = std::min(hi, *r.deadline);
    }
    const double window_h = hi > lo ? static_cast<double>(hi - lo) / 3600.0 : 0.0;
    throw InputError("the window " + format_utc(lo) + " to " + format_utc(std::max(lo, hi)) + " (" +
                     num(window_h) + " h) is shorter than the job (" + num(r.duration_hours) + " h)");
  }
  out.savings_fraction = out.immediate_co2e_kg > 0 ? 1.0 - out.best_co2e_kg / out.immediate_co2e_kg : 0.0;
  return out;
}

}  // namespace llm_energy::whatif
