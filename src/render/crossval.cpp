#include "render/crossval.hpp"

#include <fmt/format.h>

#include "render/format_units.hpp"
#include "render/number6.hpp"

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
std::string num(double v) {
  return fmt::format("{}", round6(v));
}
json score_json(const CrossValidationScore& s) {
  return {{"median_abs_error", round6(s.median_abs_error)},
          {"coverage", round6(s.coverage)},
          {"widest_range_ratio", round6(s.widest_ratio)}};
}
std::string shown(const CrossValidation& v, double x) {
  return v.figure == "chip_hours" ? human_count(x) : sig3(x);
}

}  // namespace

std::string render_cross_validation(const CrossValidation& v, Format f) {
  if (f == Format::json) {
    json cases = json::array();
    for (const auto& c : v.cases) {
      cases.push_back({{"id", c.id},
                       {"group", c.group},
                       {"published", c.published},
                       {"in_sample", round6(c.in_sample)},
                       {"in_sample_error", round6(c.in_sample_error())},
                       {"out_of_sample", round6(c.out_of_sample)},
                       {"out_of_sample_error", round6(c.out_of_sample_error())},
                       {"interval", {round6(c.low), round6(c.high)}},
                       {"inside", c.inside()}});
    }
    json constants = json::object();
    for (const auto& [k, x] : v.constants) {
      constants[k] = round6(x);
    }
    return json{{"schema", "llm-energy/cross-validation/1"},
                {"kind", v.kind},
                {"figure", v.figure},
                {"group_column", v.group_column},
                {"groups", v.groups},
                {"cases_count", v.cases.size()},
                {"in_sample", score_json(v.in_sample)},
                {"out_of_sample", score_json(v.out_of_sample)},
                {"fitted", constants},
                {"cases", cases}}
               .dump(2) +
           "\n";
  }
  if (f == Format::csv) {
    std::string out = csv_line({"id", "group", "published", "in_sample", "in_sample_error", "out_of_sample",
                                "out_of_sample_error", "low", "high", "inside"});
    for (const auto& c : v.cases) {
      out += csv_line({c.id, c.group, num(c.published), num(c.in_sample), num(c.in_sample_error()),
                       num(c.out_of_sample), num(c.out_of_sample_error()), num(c.low), num(c.high),
                       c.inside() ? "true" : "false"});
    }
    return out;
  }
  const bool md = f == Format::markdown;
  const std::string what = v.figure == "chip_hours" ? "chip-hours" : "J per output token";
  std::string out;
  const std::string intro = fmt::format(
      "Cross-validation of the {} model: {} {} in {} groups ({}); each group predicted by the constants "
      "fitted without it, its 80% interval from that fit's own out-of-sample errors",
      v.kind, v.cases.size(), v.kind == "training" ? "runs" : "points", v.groups, v.group_column);
  if (md) {
    out += "### " + intro + "\n\n| case | group | published " + what +
           " | in-sample | out-of-sample (80% interval) | in |\n| --- | --- | --- | --- | --- | --- |\n";
  } else {
    out += intro + "\n";
    out += fmt::format("  {:<28} {:<14} {:>10} {:>9} {:>30} {:>4}\n", "case", "group", "published",
                       "in-sample", "out-of-sample (80% interval)", "in");
  }
  for (const auto& c : v.cases) {
    const std::string oos =
        pct(c.out_of_sample_error()) + " (" + shown(v, c.low) + "\u2013" + shown(v, c.high) + ")";
    if (md) {
      out += fmt::format("| {} | {} | {} | {} | {} | {} |\n", c.id, c.group, shown(v, c.published),
                         pct(c.in_sample_error()), oos, c.inside() ? "yes" : "no");
    } else {
      out += fmt::format("  {:<28} {:<14} {:>10} {:>9} {:>30} {:>4}\n", c.id.substr(0, 28),
                         c.group.substr(0, 14), shown(v, c.published), pct(c.in_sample_error()), oos,
                         c.inside() ? "yes" : "no");
    }
  }
  auto line = [&](const char* label, const CrossValidationScore& s) {
    return fmt::format("{}: median |error| {}, {} inside the 80% interval, widest high/low {:.2f}", label,
                       apct(s.median_abs_error), apct(s.coverage), s.widest_ratio);
  };
  out += "\n";
  out += (md ? "- " : "  ") + line("In-sample (fit on every case)", v.in_sample) + "\n";
  out += (md ? "- " : "  ") + line("Out-of-sample (leave one group out)", v.out_of_sample) + "\n";
  out += md ? "\nFitted on every case:\n\n" : "\n  Fitted on every case:\n";
  for (const auto& [k, x] : v.constants) {
    out += fmt::format("{}{} = {}\n", md ? "- " : "    ", k, sig3(x));
  }
  return out;
}

}  // namespace llm_energy::render
