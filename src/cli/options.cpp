#include "cli/options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/io.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::cli {

std::string flag_name(std::string_view key) {
  std::string f = "--";
  for (char c : key) {
    f += c == '_' ? '-' : c;
  }
  return f;
}

namespace {

const char* type_name(FieldKind k) {
  switch (k) {
    case FieldKind::text:
    case FieldKind::choice:
      return "ID";
    case FieldKind::range:
      return "X|LO:HI";
    case FieldKind::fraction:
      return "F";
    default:
      return "N";
  }
}

bool is_budget(std::string_view key) {
  return key == "max_energy" || key == "max_co2e" || key == "max_chip_hours" ||
         key == "max_energy_per_request";
}

}  // namespace

void ScenarioOptions::add(CLI::App& cmd, Budgets budgets, const std::map<std::string, std::string>& renamed) {
  m_renamed = renamed;
  for (const auto& f : scenario_fields()) {
    const std::string key(f.key);
    if (key == "id" || (budgets == Budgets::skip && is_budget(key))) {
      continue;
    }
    const bool is_renamed = renamed.count(key) > 0;
    std::string help = std::string(is_renamed ? "baseline's " : "") + std::string(f.help);
    if (!f.unit.empty() && f.kind != FieldKind::text && f.kind != FieldKind::choice) {
      help += " [" + std::string(f.unit) + "]";
    }
    const std::string flag = flag_of(key);
    if (f.kind == FieldKind::boolean) {
      auto& b = m_switches[key];
      b = std::make_unique<bool>(false);
      m_options.emplace_back(key, cmd.add_flag(flag, *b, help));
      continue;
    }
    m_options.emplace_back(key, cmd.add_option(flag, m_values[key], help)->type_name(type_name(f.kind)));
  }
}

void ScenarioOptions::add_config(CLI::App& cmd) {
  cmd.add_option("--config", m_config, "JSON file of settings (flag names in snake_case); flags override it")
      ->type_name("FILE");
}

std::string ScenarioOptions::flag_of(const std::string& key) const {
  const auto it = m_renamed.find(key);
  return it != m_renamed.end() ? it->second : flag_name(key);
}

std::vector<std::pair<std::string, std::string>> ScenarioOptions::given() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [key, option] : m_options) {
    if (option->count() == 0) {
      continue;
    }
    if (const auto sw = m_switches.find(key); sw != m_switches.end()) {
      if (*sw->second) {
        out.emplace_back(key, "true");
      }
      continue;
    }
    out.emplace_back(key, m_values.at(key));
  }
  return out;
}

Scenario ScenarioOptions::scenario() const {
  Scenario s;
  if (!m_config.empty()) {
    apply_config_json(s, read_file(m_config), m_config);
  }
  for (const auto& [key, text] : given()) {
    set_field(s, key, text, Origin::flag);
  }
  read_load_profile(s);
  return s;
}

void read_load_profile(Scenario& s) {
  if (!s.load_profile || !s.load_profile_csv.empty()) {
    return;
  }
  const std::string& name = s.load_profile->value;
  if (name == "flat" || name == "diurnal" || name == "business-hours") {
    return;
  }
  s.load_profile_csv = read_file(name);  // parsed (and checked) by resolve
}

bool ScenarioOptions::any() const {
  return !m_config.empty() || !given().empty();
}

void CatalogOptions::add(CLI::App& cmd) {
  cmd.add_option("--hardware-file", m_hardware_files,
                 "JSON file adding or overriding hardware entries (same format as configs/hardware.json)")
      ->type_name("FILE");
  cmd.add_option("--regions-file", m_regions_files,
                 "JSON file adding or overriding regions and operators (format of configs/regions.json)")
      ->type_name("FILE");
}

CatalogHandle CatalogOptions::load() const {
  CatalogHandle h;
  if (m_hardware_files.empty() && m_regions_files.empty()) {
    h.cat = &builtin_catalog();
    return h;
  }
  CatalogSources src = builtin_sources();
  for (const auto& f : m_hardware_files) {
    src.hardware_overrides.push_back({f, read_file(f)});
  }
  for (const auto& f : m_regions_files) {
    src.regions_overrides.push_back({f, read_file(f)});
  }
  h.reset(load_catalog(src));
  return h;
}

void OutputOptions::add(CLI::App& cmd, const std::vector<std::string>& formats, const std::string& help,
                        const std::string& output_help) {
  cmd.add_option("--format", format, help)->check(CLI::IsMember(formats));
  cmd.add_option("--output,-o", output, output_help)->type_name("FILE");
}

void OutputOptions::emit(Io& io, const std::string& text) const {
  if (output.empty() || output == "-") {
    io.out << text;
    check_written(io.out, "standard output");
  } else {
    write_file_atomic(output, text);
  }
}

bool OutputOptions::color(const Io& io) const {
  return output.empty() && &io.out == &std::cout && ::isatty(STDOUT_FILENO) == 1 &&
         std::getenv("NO_COLOR") == nullptr;
}

void BudgetOptions::add(CLI::App& cmd) {
  cmd.add_option("--budget-on", m_on, "compare budgets with the central value or the top of the range")
      ->check(CLI::IsMember({"central", "high"}));
  cmd.add_option("--warn-at", m_warn_at, "warn when a figure reaches this share of its budget, e.g. 80%");
}

BudgetPolicy BudgetOptions::policy() const {
  BudgetPolicy p;
  p.on = m_on == "high" ? BudgetOn::high : BudgetOn::central;
  if (!m_warn_at.empty()) {
    p.warn_at = parse_fraction(m_warn_at, "warn-at");
  }
  check_policy(p);
  return p;
}

}  // namespace llm_energy::cli
