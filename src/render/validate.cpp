#include "render/validate.hpp"

#include <fmt/format.h>

#include "render/format_units.hpp"

namespace llm_energy::render {
namespace {

using json = nlohmann::ordered_json;

std::string pct(double x) {
  return fmt::format("{:+.1f}%", 100.0 * x);
}
std::string apct(double x) {
  return fmt::format("{:.1f}%", 100.0 * x);
}

std::string csv_line(const std::vector<std::string>& v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    out += (i ? "," : "") + csv_escape(v[i]);
  }
  return out + "\n";
}

std::string opt(const std::optional<double>& v) {
  return v ? fmt::format("{}", round6(*v)) : "";
}

}  // namespace

std::string render_training_validation(const TrainingValidation& v, Format f) {
  if (f == Format::json) {
    json runs = json::array();
    for (const auto& r : v.runs) {
      json j{{"id", r.id}, {"hardware", r.hardware}, {"convention", r.convention}};
      j["reproduce"] = {
          {"published_energy_mwh", r.published_energy_mwh ? json(*r.published_energy_mwh) : json()},
          {"published_co2e_t", r.published_co2e_t ? json(*r.published_co2e_t) : json()},
          {"energy_mwh", round6(r.reproduced_energy_mwh)},
          {"co2e_t", round6(r.reproduced_co2e_t)},
          {"error", round6(r.reproduce_error)},
          {"ok", r.reproduce_ok}};
      j["predict"] = {{"published_chip_hours", r.published_chip_hours},
                      {"chip_hours", round6(r.predicted_chip_hours)},
                      {"chip_hours_interval", {round6(r.chip_hours_low), round6(r.chip_hours_high)}},
                      {"chip_hours_error", round6(r.chip_hours_error)},
                      {"inside_range", r.inside_range},
                      {"energy_mwh", round6(r.predicted_energy_mwh)},
                      {"energy_error", r.energy_error ? json(round6(*r.energy_error)) : json()}};
      j["source"] = r.source;
      runs.push_back(j);
    }
    json s{{"reproduce_max_error", round6(v.reproduce_max_error)},
           {"reproduce_all_within_2pct", v.reproduce_all_ok},
           {"median_abs_chip_hours_error", round6(v.median_abs_chip_hours_error)},
           {"median_abs_energy_error", round6(v.median_abs_energy_error)},
           {"worst_run", v.worst_run},
           {"worst_chip_hours_error", round6(v.worst_error)},
           {"coverage", round6(v.coverage)},
           {"widest_range_ratio", round6(v.widest_ratio)}};
    return json{{"schema", "llm-energy/validate-training/1"}, {"summary", s}, {"runs", runs}}.dump(2) + "\n";
  }
  if (f == Format::csv) {
    std::string out =
        csv_line({"id", "hardware", "convention", "published_energy_mwh", "reproduced_energy_mwh",
                  "published_co2e_t", "reproduced_co2e_t", "reproduce_error", "reproduce_ok",
                  "published_chip_hours", "predicted_chip_hours", "chip_hours_low", "chip_hours_high",
                  "chip_hours_error", "inside_range", "predicted_energy_mwh", "energy_error", "source"});
    for (const auto& r : v.runs) {
      out += csv_line(
          {r.id, r.hardware, r.convention, opt(r.published_energy_mwh),
           fmt::format("{}", round6(r.reproduced_energy_mwh)), opt(r.published_co2e_t),
           fmt::format("{}", round6(r.reproduced_co2e_t)), fmt::format("{}", round6(r.reproduce_error)),
           r.reproduce_ok ? "true" : "false", fmt::format("{}", r.published_chip_hours),
           fmt::format("{}", round6(r.predicted_chip_hours)), fmt::format("{}", round6(r.chip_hours_low)),
           fmt::format("{}", round6(r.chip_hours_high)), fmt::format("{}", round6(r.chip_hours_error)),
           r.inside_range ? "true" : "false", fmt::format("{}", round6(r.predicted_energy_mwh)),
           opt(r.energy_error), r.source});
    }
    return out;
  }
  const bool md = f == Format::markdown;
  std::string out;
  if (md) {
    out +=
        "### Reproduce mode (the source's own conventions)\n\n| run | convention | published | reproduced | "
        "error |\n| --- | --- | --- | --- | --- |\n";
  } else {
    out += "Reproduce mode: each source's own chip-hours, watts per chip, PUE and grid intensity\n";
    out += fmt::format("  {:<18} {:<44} {:>10} {:>10} {:>7}\n", "run", "convention", "published",
                       "reproduced", "error");
  }
  for (const auto& r : v.runs) {
    const std::string pub = r.published_energy_mwh ? sig3(*r.published_energy_mwh) + " MWh" : "-";
    const std::string rep = sig3(r.reproduced_energy_mwh) + " MWh";
    if (md) {
      out +=
          fmt::format("| {} | {} | {} | {} | {} |\n", r.id, r.convention, pub, rep, apct(r.reproduce_error));
    } else {
      out += fmt::format("  {:<18} {:<44} {:>10} {:>10} {:>7}\n", r.id, r.convention.substr(0, 44), pub, rep,
                         apct(r.reproduce_error));
    }
  }
  if (md) {
    out +=
        "\n### Predict mode (params, tokens, hardware and chips only; the tool's defaults)\n\n"
        "| run | hardware | published chip-hours | predicted (range) | error | in range | energy error |\n"
        "| --- | --- | --- | --- | --- | --- | --- |\n";
  } else {
    out += "\nPredict mode: params, tokens, hardware and chips only, with the tool's defaults\n";
    out += fmt::format("  {:<18} {:<15} {:>10} {:>26} {:>7} {:>5} {:>8}\n", "run", "hardware", "published",
                       "predicted chip-hours", "error", "in", "energy");
  }
  for (const auto& r : v.runs) {
    const std::string range = human_count(r.predicted_chip_hours) + " (" + human_count(r.chip_hours_low) +
                              "\u2013" + human_count(r.chip_hours_high) + ")";
    const std::string energy = r.energy_error ? pct(*r.energy_error) : "-";
    if (md) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", r.id, r.hardware,
                         human_count(r.published_chip_hours), range, pct(r.chip_hours_error),
                         r.inside_range ? "yes" : "no", energy);
    } else {
      out += fmt::format("  {:<18} {:<15} {:>10} {:>26} {:>7} {:>5} {:>8}\n", r.id, r.hardware,
                         human_count(r.published_chip_hours), range, pct(r.chip_hours_error),
                         r.inside_range ? "yes" : "no", energy);
    }
  }
  out += fmt::format(
      "\n{}Summary: reproduce max error {} ({}); predict median |error| on chip-hours {}, worst {} ({}), "
      "coverage {} of runs inside [low, high], widest range high/low {:.2f}; median |error| on energy {} "
      "(published energies use differing boundaries, see 'convention').{}\n",
      md ? "**" : "", apct(v.reproduce_max_error), v.reproduce_all_ok ? "all within 2%" : "SOME OVER 2%",
      apct(v.median_abs_chip_hours_error), v.worst_run, pct(v.worst_error), apct(v.coverage), v.widest_ratio,
      apct(v.median_abs_energy_error), md ? "**" : "");
  return out;
}

std::string render_inference_validation(const InferenceValidation& v, Format f) {
  if (f == Format::json) {
    json pts = json::array();
    for (const auto& p : v.points) {
      pts.push_back({{"id", p.id},
                     {"model", p.model},
                     {"hardware", p.hardware},
                     {"gpus", p.gpus},
                     {"batch", p.batch},
                     {"precision", p.precision},
                     {"measured_j", p.measured_j},
                     {"predicted_j", round6(p.predicted_j)},
                     {"interval", {round6(p.low_j), round6(p.high_j)}},
                     {"error", round6(p.error)},
                     {"inside_range", p.inside_range},
                     {"bound", p.bound},
                     {"ecologits_j", round6(p.ecologits_j)},
                     {"ecologits_error", round6(p.ecologits_error)},
                     {"source", p.source}});
    }
    json s{{"median_abs_error", round6(v.median_abs_error)},
           {"coverage", round6(v.coverage)},
           {"ecologits_median_abs_error", round6(v.ecologits_median_abs_error)},
           {"worst_point", v.worst_point},
           {"worst_error", round6(v.worst_error)}};
    return json{{"schema", "llm-energy/validate-inference/1"}, {"summary", s}, {"points", pts}}.dump(2) +
           "\n";
  }
  if (f == Format::csv) {
    std::string out = csv_line({"id", "model", "hardware", "gpus", "batch", "precision", "measured_j",
                                "predicted_j", "low_j", "high_j", "error", "inside_range", "bound",
                                "ecologits_j", "ecologits_error", "source"});
    for (const auto& p : v.points) {
      out += csv_line({p.id, p.model, p.hardware, fmt::format("{}", p.gpus), fmt::format("{}", p.batch),
                       p.precision, fmt::format("{}", p.measured_j), fmt::format("{}", round6(p.predicted_j)),
                       fmt::format("{}", round6(p.low_j)), fmt::format("{}", round6(p.high_j)),
                       fmt::format("{}", round6(p.error)), p.inside_range ? "true" : "false", p.bound,
                       fmt::format("{}", round6(p.ecologits_j)), fmt::format("{}", round6(p.ecologits_error)),
                       p.source});
    }
    return out;
  }
  const bool md = f == Format::markdown;
  std::string out;
  if (md) {
    out +=
        "### Inference: accelerator J per output token, measured vs llm-energy vs EcoLogits v0.9.1\n\n"
        "| point | hardware | GPUs | batch | measured | llm-energy (range) | error | EcoLogits | error |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  } else {
    out += "Inference: accelerator J per output token, measured vs llm-energy vs EcoLogits v0.9.1 formula\n";
    out += fmt::format("  {:<28} {:<15} {:>4} {:>5} {:>8} {:>22} {:>7} {:>9} {:>7}\n", "point", "hardware",
                       "GPUs", "batch", "measured", "llm-energy (range)", "error", "EcoLogits", "error");
  }
  for (const auto& p : v.points) {
    const std::string ours = sig3(p.predicted_j) + " (" + sig3(p.low_j) + "\u2013" + sig3(p.high_j) + ")";
    if (md) {
      out +=
          fmt::format("| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n", p.id, p.hardware, p.gpus, p.batch,
                      sig3(p.measured_j), ours, pct(p.error), sig3(p.ecologits_j), pct(p.ecologits_error));
    } else {
      out += fmt::format("  {:<28} {:<15} {:>4} {:>5} {:>8} {:>22} {:>7} {:>9} {:>7}\n", p.id.substr(0, 28),
                         p.hardware, p.gpus, p.batch, sig3(p.measured_j), ours, pct(p.error),
                         sig3(p.ecologits_j), pct(p.ecologits_error));
    }
  }
  out += fmt::format(
      "\n{}Summary: llm-energy median |error| {}, measured value inside [low, high] for {}; "
      "EcoLogits median |error| {}; worst point {} ({}).{}\n",
      md ? "**" : "", apct(v.median_abs_error), apct(v.coverage), apct(v.ecologits_median_abs_error),
      v.worst_point, pct(v.worst_error), md ? "**" : "");
  return out;
}

std::string verdict_text(const ValidationVerdict& v, bool inference) {
  switch (v.failure) {
    case ValidationFailure::none:
      return "";
    case ValidationFailure::reproduce:
      return fmt::format("reproduce mode misses a published figure by {:.2f}% (more than {:.0f}%)",
                         100 * v.value, 100 * v.bound);
    case ValidationFailure::median_error:
      return inference ? fmt::format("inference median |error| {:.1f}% exceeds the bound {:.1f}%",
                                     100 * v.value, 100 * v.bound)
                       : fmt::format("predict-mode median |error| {:.1f}% exceeds the bound {:.1f}%",
                                     100 * v.value, 100 * v.bound);
    case ValidationFailure::coverage:
      return fmt::format("{:.1f}% of the {} inside their out-of-sample 80% interval, below the bound {:.1f}%",
                         100 * v.value, inference ? "points" : "runs", 100 * v.bound);
  }
  return "";
}

}  // namespace llm_energy::render
