// `llm-energy compare`: a baseline against what-if variants.
#include <CLI/CLI.hpp>
#include <cmath>
#include <optional>
#include <tuple>

#include "cli/commands.hpp"
#include "cli/io.hpp"
#include "cli/options.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"
#include "llm_energy/whatif.hpp"
#include "render/charts.hpp"
#include "render/whatif.hpp"

namespace llm_energy::cli {
namespace {

const char* k_footer =
    R"(Each variant option takes a comma list; each value is one variant against the baseline.
The baseline takes every estimate flag (or --config); its hardware, region, chips and power
cap are set with --baseline-hardware, --baseline-region, --baseline-chips and
--baseline-power-cap, since --hardware, --region, --chips and --power-cap list variants here.

Examples:
  llm-energy compare --params 70B --tokens 2T --quantize fp8,int8,int4 --batch-size 256
  llm-energy compare --params 7e9 --tokens 1T --hardware a100-sxm4-80gb,h100-sxm,b200,tpu-v5p,mi300x
  llm-energy compare --model llama-3.1-70b --tokens 15T --region FR,US,PL --renewable-share 0.6 \
      --prune 0.5 --sparsity-pattern 2:4 --power-cap 0.7 --format json
  llm-energy compare --model llama-3.1-70b --baseline-hardware h100-sxm --requests-per-day 10M \
      --max-tpot-ms 50 --load-profile diurnal --provisioning autoscale --decode-hardware h200,b200

Exit codes: 0 ok, 2 bad usage or input, 3 internal error, 4 the output could not be written
(a full disk, a closed output).)";

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t comma = std::min(text.find(',', pos), text.size());
    std::string item = text.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) {
      out.push_back(item);
    }
    pos = comma + 1;
  }
  return out;
}

// Throw InputError when a row's totals or deltas are not finite (e.g. a contractual intensity
// of 1e308 makes the market-based CO2e overflow), naming the row and the figure.
void check_finite(const whatif::Row& row) {
  auto check = [&](std::optional<double> v, const char* what) {
    if (v && !std::isfinite(*v)) {
      throw InputError("compare: " + row.label + ": the " + what +
                       " is out of range (not a finite number); check the inputs' magnitudes");
    }
  };
  const whatif::Totals& t = row.totals;
  for (const Spread* sp : {&t.energy_kwh, &t.co2e_kg}) {
    const Interval i = sp->interval();
    check(sp->value, sp == &t.energy_kwh ? "energy" : "CO2e");
    check(i.low, sp == &t.energy_kwh ? "energy's range" : "CO2e's range");
    check(i.high, sp == &t.energy_kwh ? "energy's range" : "CO2e's range");
  }
  check(t.market_based_co2e_kg, "market-based CO2e");
  check(t.wall_clock_hours, "wall-clock time");
  check(t.time_per_output_token_ms, "time per output token");
  check(t.energy_per_token_j, "energy per token");
  check(row.delta.energy_pct, "energy change");
  check(row.delta.co2e_pct, "CO2e change");
  check(row.delta.time_pct, "time change");
  check(row.delta.energy_per_token_pct, "energy per token change");
  check(row.delta.market_based_co2e_pct, "market-based CO2e change");
  if (row.distillation) {
    const whatif::Distillation& d = *row.distillation;
    for (double v : {d.teacher_energy_kwh, d.teacher_co2e_kg, d.teacher_hours, d.student_training_energy_kwh,
                     d.student_training_co2e_kg, d.student_training_hours, d.saving_per_token_j}) {
      check(v, "distillation cost");
    }
    check(d.break_even_tokens, "break-even token count");
  }
}

class CompareCommand final : public Command {
 public:
  explicit CompareCommand(CLI::App& cmd) {
    m_scenario.add(cmd, ScenarioOptions::Budgets::skip,
                   {{"hardware", "--baseline-hardware"},
                    {"region", "--baseline-region"},
                    {"chips", "--baseline-chips"},
                    {"power_cap", "--baseline-power-cap"},
                    {"provisioning", "--baseline-provisioning"},
                    {"prefill_hardware", "--baseline-prefill-hardware"},
                    {"decode_hardware", "--baseline-decode-hardware"}});
    m_scenario.add_config(cmd);
    m_output.add(cmd, {"table", "json", "csv", "markdown"});
    m_catalog.add(cmd);
    cmd.add_option("--quantize", m_quantize, "variants at these precisions (fp8,int8,int4)")
        ->type_name("P[,P...]");
    cmd.add_option("--prune", m_prune, "variants pruning this fraction of the weights, in (0,1)")
        ->type_name("F[,F...]");
    cmd.add_option("--sparsity-pattern", m_pattern,
                   "pruning pattern: unstructured (default), 2:4 or structured")
        ->type_name("PATTERN[,...]");
    cmd.add_option("--distill-to", m_distill_to, "variants distilling into a student of this many parameters")
        ->type_name("N[,N...]");
    cmd.add_option("--distill-tokens", m_distill_tokens,
                   "tokens of distillation (teacher forward + student training)")
        ->type_name("N");
    cmd.add_option("--chips", m_chips, "training variants on this many chips (scaling efficiency modelled)")
        ->type_name("N[,N...]");
    cmd.add_option("--hardware", m_hardware, "variants on these accelerators (ids: llm-energy hardware list)")
        ->type_name("ID[,ID...]");
    cmd.add_option("--region", m_region, "variants in these regions (location-based CO2e)")
        ->type_name("ID[,ID...]");
    cmd.add_option("--power-cap", m_power_cap,
                   "variants with the accelerators capped at this fraction of TDP, in (0,1]")
        ->type_name("F[,F...]");
    cmd.add_option("--provisioning", m_provisioning,
                   "fleet variants with these provisioning policies (static,autoscale); needs a fleet rate")
        ->type_name("P[,P...]");
    cmd.add_option("--prefill-hardware", m_prefill,
                   "fleet variants with prefill on these accelerators (disaggregated serving)")
        ->type_name("ID[,ID...]");
    cmd.add_option("--decode-hardware", m_decode,
                   "fleet variants with decode on these accelerators (disaggregated serving)")
        ->type_name("ID[,ID...]");
    cmd.add_option("--plot", m_plot,
                   "also write an SVG chart (energy with its range, and CO2e, per variant) to FILE.svg")
        ->type_name("FILE.svg")
        ->check(svg_file());
    cmd.footer(k_footer);
  }

  int run(Io& io) override {
    const Scenario base = m_scenario.scenario();
    const auto cat = m_catalog.load();
    const render::Format f = render::parse_format(m_output.format);
    // Validate every option before estimating anything.
    std::vector<whatif::Variant> vs;
    for (const auto& q : split_list(m_quantize)) {
      vs.push_back(whatif::quantize(base, *cat, parse_precision(q)));
    }
    if (!m_pattern.empty() && m_prune.empty()) {
      throw InputError("--sparsity-pattern needs --prune FRACTION");
    }
    std::vector<whatif::PrunePattern> patterns;
    for (const auto& p : split_list(m_pattern.empty() ? std::string("unstructured") : m_pattern)) {
      patterns.push_back(whatif::parse_prune_pattern(p));
    }
    for (const auto& p : split_list(m_prune)) {
      const double fr = parse_plain_number(p, "prune");
      whatif::check_prune_fraction(fr);
      for (auto pat : patterns) {
        vs.push_back(whatif::prune(base, *cat, fr, pat));
      }
    }
    if (!m_distill_to.empty() != !m_distill_tokens.empty()) {
      throw InputError(
          "--distill-to and --distill-tokens go together (student size and distillation tokens)");
    }
    for (const auto& d : split_list(m_distill_to)) {
      vs.push_back(whatif::distill(base, *cat, parse_count(d, "distill-to"),
                                   parse_count(m_distill_tokens, "distill-tokens")));
    }
    for (const auto& n : split_list(m_chips)) {
      vs.push_back(whatif::with_chips(base, *cat, parse_count(n, "chips")));
    }
    for (const auto& h : split_list(m_hardware)) {
      vs.push_back(whatif::with_hardware(base, *cat, h));
    }
    for (const auto& r : split_list(m_region)) {
      vs.push_back(whatif::with_region(base, *cat, r));
    }
    for (const auto& p : split_list(m_power_cap)) {
      const double cap = parse_fraction(p, "power-cap");
      whatif::check_power_cap(cap);
      vs.push_back(whatif::power_cap(base, *cat, cap));
    }
    // Fleet variants: the serving fleet of the inference phase under another policy or with
    // prefill or decode on other chips (the fleet's day is the phase's total).
    for (const auto& [key, list, name] : {std::tuple{"provisioning", &m_provisioning, "provisioning"},
                                          std::tuple{"prefill_hardware", &m_prefill, "prefill_hardware"},
                                          std::tuple{"decode_hardware", &m_decode, "decode_hardware"}}) {
      for (const auto& value : split_list(*list)) {
        whatif::Variant v = whatif::baseline_variant(base);
        v.label = std::string(name) + "=" + value;
        set_field(v.inference, key, value, Origin::flag);
        if (!v.inference.requests_per_day && !v.inference.request_rate &&
            v.inference.load_profile_csv.empty()) {
          throw InputError(flag_name(key) +
                           " variants need a fleet rate (--requests-per-day or --request-rate)");
        }
        vs.push_back(std::move(v));
      }
    }
    if (vs.empty()) {
      throw InputError(
          "compare needs at least one variant option (--quantize, --prune, --distill-to, --chips, "
          "--hardware, --region, --power-cap, --provisioning, --prefill-hardware or --decode-hardware)");
    }
    const whatif::Comparison c = whatif::compare(base, *cat, vs);
    check_finite(c.baseline);
    for (const auto& v : c.variants) {
      check_finite(v);
    }
    for (const auto& n : c.notes) {
      if (n.kind == whatif::NoteKind::mixed_grid_bases) {
        io.err << "llm-energy: warning: " << render::note_text(n, c) << "\n";
      }
    }
    if (!m_plot.empty()) {
      write_file_atomic(m_plot, render::compare_chart(c, m_scenario.summary()));
    }
    m_output.emit(io, render::render_comparison(c, f));
    return static_cast<int>(Exit::ok);
  }

 private:
  ScenarioOptions m_scenario;
  OutputOptions m_output;
  CatalogOptions m_catalog;
  std::string m_quantize, m_prune, m_pattern, m_distill_to, m_distill_tokens, m_chips, m_hardware, m_region,
      m_power_cap, m_plot, m_provisioning, m_prefill, m_decode;
};

}  // namespace

std::unique_ptr<Command> make_compare(CLI::App& cmd) {
  return std::make_unique<CompareCommand>(cmd);
}

}  // namespace llm_energy::cli
