#include "cli/options.hpp"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cctype>
#include <cstdlib>
#include <iostream>

#include "cli/io.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"
#include "render/format_units.hpp"

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

const std::vector<std::string>* g_lean_flags = nullptr;

bool wanted(const std::string& flag) {
  if (g_lean_flags == nullptr) {
    return true;
  }
  for (const auto& f : *g_lean_flags) {
    if (f == flag) {
      return true;
    }
  }
  return false;
}

bool is_budget(std::string_view key) {
  return key == "max_energy" || key == "max_co2e" || key == "max_chip_hours" ||
         key == "max_energy_per_request";
}

}  // namespace

void set_lean_flags(const std::vector<std::string>* flags) {
  g_lean_flags = flags;
}

void ScenarioOptions::add(CLI::App& cmd, Budgets budgets, const std::map<std::string, std::string>& renamed) {
  m_renamed = renamed;
  for (const auto& f : scenario_fields()) {
    const std::string key(f.key);
    if (key == "id" || (budgets == Budgets::skip && is_budget(key))) {
      continue;
    }
    const std::string flag = flag_of(key);
    if (!wanted(flag)) {
      continue;
    }
    const bool is_renamed = renamed.count(key) > 0;
    std::string help = std::string(is_renamed ? "baseline's " : "") + std::string(f.help);
    if (!f.unit.empty() && f.kind != FieldKind::text && f.kind != FieldKind::choice) {
      help += " [" + std::string(f.unit) + "]";
    }
    if (f.kind == FieldKind::boolean) {
      auto& b = m_switches[key];
      b = std::make_unique<bool>(false);
      m_options.emplace_back(key, cmd.add_flag(flag, *b, help));
      continue;
    }
    CLI::Option* opt = cmd.add_option(flag, m_values[key], help)->type_name(type_name(f.kind));
    if (f.kind == FieldKind::choice && !f.choices.empty()) {
      // The accepted values, for --help, the man page and the shell completions; the scenario
      // parser checks them (regardless of case, with suggestions), so this validator accepts all.
      std::string list;
      for (const auto c : f.choices) {
        list += (list.empty() ? "" : ",") + std::string(c);
      }
      opt->check(CLI::Validator([](const std::string&) { return std::string(); }, "{" + list + "}"));
    }
    m_options.emplace_back(key, opt);
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

std::string ScenarioOptions::summary() const {
  std::string out;
  for (const auto& [key, text] : given()) {
    out += (out.empty() ? "" : " ") + flag_of(key) +
           (text == "true" && m_switches.contains(key) ? "" : " " + text);
  }
  if (!m_config.empty()) {
    out += (out.empty() ? "" : " ") + std::string("--config ") + m_config;
  }
  return out;
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

CLI::Validator svg_file() {
  return CLI::Validator(
      [](const std::string& path) {
        std::string tail = path.size() >= 4 ? path.substr(path.size() - 4) : path;
        for (auto& c : tail) {
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (tail == ".svg") {
          return std::string();
        }
        return std::string(
            "charts are written as SVG only: name the file FILE.svg (for PNG, convert it: "
            "rsvg-convert -o chart.png chart.svg)");
      },
      "", "svg_file");
}

bool plain_terminal() {
  const char* term = std::getenv("TERM");
  return std::getenv("NO_COLOR") != nullptr || (term != nullptr && std::string_view(term) == "dumb");
}

bool ascii_locale() {
  // The first of LC_ALL, LC_CTYPE and LANG that is set names the character set; none set
  // keeps UTF-8 (most terminals), as does any name with UTF-8 in it.
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') {
      std::string lower(v);
      for (auto& c : lower) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      return lower.find("utf-8") == std::string::npos && lower.find("utf8") == std::string::npos;
    }
  }
  return false;
}

std::string for_terminal(std::string_view text) {
  return ascii_locale() ? render::ascii_fallback(text) : std::string(text);
}

void OutputOptions::emit(Io& io, const std::string& text) const {
  if (output.empty() || output == "-") {
    // Text formats follow the terminal's character set; data formats (JSON, CSV, SVG, HTML) stay UTF-8.
    const bool text_format =
        format == "table" || format == "markdown" || format == "model-card" || format == "text";
    io.out << (text_format ? for_terminal(text) : text);
    check_written(io.out, "standard output");
  } else {
    write_file_atomic(output, text);
  }
}

bool OutputOptions::color(const Io& io) const {
  return output.empty() && &io.out == &std::cout && ::isatty(STDOUT_FILENO) == 1 && !plain_terminal();
}

void BudgetOptions::add(CLI::App& cmd) {
  cmd.add_option("--budget-on", m_on, "compare budgets with the central value or the top of the range")
      ->check(CLI::IsMember({"central", "high"}));
  cmd.add_option("--warn-at", m_warn_at,
                 "warn when a figure reaches this share of its budget, e.g. 80% (needs a budget)");
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
