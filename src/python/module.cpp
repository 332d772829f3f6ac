// llm_energy._core: the binding under the Python package llm_energy (python/llm_energy). It
// calls the same code as the CLI: the scenario field table (set_field, apply_config_json),
// estimate(), the JSON renderer (render::to_json), the batch engine, the measure session, and
// for the other commands the CLI itself in process (cli::run with string streams). The Python
// side wraps the JSON text it returns; nothing here formats a figure of its own.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "batch/engine.hpp"
#include "batch/rows.hpp"
#include "batch/status.hpp"
#include "cli/app.hpp"
#include "cli/io.hpp"
#include "llm_energy/budget.hpp"
#include "llm_energy/calibrate.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/scenario.hpp"
#include "llm_energy/units.hpp"
#include "llm_energy/version.hpp"
#include "measure/launcher.hpp"
#include "measure/meters.hpp"
#include "measure/session.hpp"
#include "render/estimate.hpp"
#include "render/measure.hpp"

namespace py = pybind11;

namespace llm_energy::python {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

const char* kind_name(FieldKind k) {
  switch (k) {
    case FieldKind::count:
      return "count";
    case FieldKind::range:
      return "range";
    case FieldKind::text:
      return "text";
    case FieldKind::boolean:
      return "boolean";
    case FieldKind::energy:
      return "energy";
    case FieldKind::mass:
      return "mass";
    case FieldKind::fraction:
      return "fraction";
    case FieldKind::choice:
      return "choice";
  }
  return "text";
}

// The scenario field table: (key, kind, unit, help, choices), in help order.
py::list fields() {
  py::list out;
  for (const auto& f : scenario_fields()) {
    py::list choices;
    for (const auto c : f.choices) {
      choices.append(py::str(std::string(c)));
    }
    out.append(py::make_tuple(std::string(f.key), kind_name(f.kind), std::string(f.unit), std::string(f.help),
                              choices));
  }
  return out;
}

// The catalog: the built-in one, or one with --hardware-file / --regions-file entries merged in.
struct CatalogHolder {
  std::unique_ptr<Catalog> owned;
  const Catalog* cat = &builtin_catalog();
};

CatalogHolder load_catalog_files(const std::vector<std::string>& hardware_files,
                                 const std::vector<std::string>& regions_files) {
  CatalogHolder h;
  if (!hardware_files.empty() || !regions_files.empty()) {
    CatalogSources src = builtin_sources();
    for (const auto& f : hardware_files) {
      src.hardware_overrides.push_back({f, cli::read_file(f)});
    }
    for (const auto& f : regions_files) {
      src.regions_overrides.push_back({f, cli::read_file(f)});
    }
    h.owned = std::make_unique<Catalog>(load_catalog(src));
    h.cat = h.owned.get();
  }
  return h;
}

BudgetPolicy policy_of(const std::string& budget_on, const std::string& warn_at) {
  BudgetPolicy p;
  if (budget_on != "central" && budget_on != "high") {
    throw InputError("budget_on: '" + budget_on + "' is not one of central, high");
  }
  p.on = budget_on == "high" ? BudgetOn::high : BudgetOn::central;
  if (!warn_at.empty()) {
    p.warn_at = parse_fraction(warn_at, "warn-at");
  }
  check_policy(p);
  return p;
}

// The scenario as the CLI builds it: the config file's keys, then the flags.
Scenario scenario_of(const Fields& flags, const std::string& config_text, const std::string& config_name) {
  Scenario s;
  if (!config_name.empty()) {
    apply_config_json(s, config_text, config_name);
  }
  for (const auto& [key, text] : flags) {
    set_field(s, key, text, Origin::flag);
  }
  return s;
}

struct EstimateOut {
  std::string json;    // the CLI's --format json object (compact)
  std::string budget;  // {"within": ..., "messages": [...]} when a budget applies, else empty
  bool over = false;
};

// `llm-energy estimate --format json`, without the process.
EstimateOut run_estimate(const Fields& flags, const std::string& config_text, const std::string& config_name,
                         const std::string& budget_on, const std::string& warn_at,
                         const std::vector<std::string>& hardware_files,
                         const std::vector<std::string>& regions_files, const std::string& profile) {
  Scenario s = scenario_of(flags, config_text, config_name);
  const BudgetPolicy policy = policy_of(budget_on, warn_at);
  CatalogHolder h = load_catalog_files(hardware_files, regions_files);
  if (!profile.empty()) {
    const Profile prof = parse_profile(cli::read_file(profile), profile);
    if (!s.hardware) {
      set_field(s, "hardware", prof.hardware, Origin::flag);
    } else if (!profile_matches_hardware(prof, s.hardware->value, *h.cat)) {
      throw InputError("--profile " + profile + " is for " + prof.hardware + ", not " + s.hardware->value);
    }
    h.owned = std::make_unique<Catalog>(apply_profile(*h.cat, prof));
    h.cat = h.owned.get();
  }
  const Budget budget = budget_of(s);
  const Estimate e = estimate(s, *h.cat);
  const BudgetVerdict verdict = check_budgets(budget, e, policy);
  EstimateOut out;
  // As `estimate --format json` writes it (render::render): the figures, then the verdict.
  auto j = render::to_json(e);
  if (verdict.any) {
    j["budget"] = render::budget_json(verdict);
    out.budget = j["budget"].dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  out.json = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  out.over = verdict.over;
  return out;
}

// ---- batch: rows of Python mappings through the batch engine ----

// A value as the text a flag or CSV cell would hold; false when the key is to be skipped
// (None, NaN: a missing cell of a data frame).
bool value_text(const py::handle& v, std::string& out) {
  if (v.is_none()) {
    return false;
  }
  if (py::isinstance<py::bool_>(v)) {
    out = v.cast<bool>() ? "true" : "false";
    return true;
  }
  if (py::isinstance<py::float_>(v)) {
    const double d = v.cast<double>();
    if (std::isnan(d)) {
      return false;
    }
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);
    out.assign(buf, r.ptr);
    return true;
  }
  if (py::isinstance<py::str>(v)) {
    Py_ssize_t n = 0;
    const char* p = PyUnicode_AsUTF8AndSize(v.ptr(), &n);
    if (p == nullptr) {
      throw py::error_already_set();
    }
    out.assign(p, static_cast<std::size_t>(n));
    return true;
  }
  if (py::isinstance<py::tuple>(v) || py::isinstance<py::list>(v)) {
    // A range: (low, high) or (low, value, high) -> "low:high" or "low:value:high".
    out.clear();
    std::string part;
    bool first = true;
    for (const auto item : v) {
      if (!value_text(item, part)) {
        part.clear();
      }
      out += (first ? "" : ":") + part;
      first = false;
    }
    return true;
  }
  out = py::str(v).cast<std::string>();  // int, numpy scalars, Decimal ...
  return true;
}

struct Row {
  Fields fields;
  std::string error;  // set when the row is not a mapping
};

Row row_of(const py::handle& obj) {
  Row row;
  std::string text;
  auto add = [&](const py::handle& k, const py::handle& v) {
    if (!value_text(v, text)) {
      return;
    }
    row.fields.emplace_back(
        py::isinstance<py::str>(k) ? k.cast<std::string>() : py::str(k).cast<std::string>(), text);
  };
  if (py::isinstance<py::dict>(obj)) {
    for (const auto [k, v] : py::reinterpret_borrow<py::dict>(obj)) {
      add(k, v);
    }
  } else if (py::hasattr(obj, "items")) {
    for (const auto item : obj.attr("items")()) {
      const auto pair = py::reinterpret_borrow<py::tuple>(item);
      add(pair[0], pair[1]);
    }
  } else {
    row.error = "expected a mapping of settings (a dict), got " +
                py::str(py::type::handle_of(obj).attr("__name__")).cast<std::string>();
  }
  return row;
}

// The engine of `llm-energy batch` fed rows from Python, a chunk at a time: each chunk's rows
// are converted under the GIL, then estimated and written as JSONL rows without it.
class Batch {
 public:
  Batch(const Fields& base, const std::string& budget_on, const std::string& warn_at,
        const std::vector<std::string>& hardware_files, const std::vector<std::string>& regions_files)
      : m_base(scenario_of(base, "", "")),
        m_policy(policy_of(budget_on, warn_at)),
        m_catalog(load_catalog_files(hardware_files, regions_files)),
        m_writer(m_out, batch::OutputFormat::jsonl, {}),
        m_engine(*m_catalog.cat, m_policy, m_writer, m_status, false) {}

  // Return one (ok, JSON row) per row of `rows` (a list), in order.
  py::list run(const py::list& rows) {
    std::vector<Row> converted;
    converted.reserve(rows.size());
    for (const auto r : rows) {
      converted.push_back(row_of(r));
    }
    std::vector<std::string> lines;
    std::vector<bool> ok;
    {
      const py::gil_scoped_release release;
      ok.reserve(converted.size());
      for (const auto& r : converted) {
        const std::size_t line = ++m_line;
        const std::size_t failed = m_engine.result().failed;
        Scenario s = m_base;
        std::string id_text;
        batch::RowId id{nullptr, line};
        try {
          for (const auto& [k, v] : r.fields) {
            if (k == "id") {
              id_text = v;
              id.text = &id_text;
            }
          }
          if (!r.error.empty()) {
            throw InputError(r.error);
          }
          for (const auto& [k, v] : r.fields) {
            set_field(s, k, v, Origin::config);
          }
        } catch (const InputError& ex) {
          (void)m_engine.fail(id, line, ex.what(), nullptr);
          ok.push_back(false);
          continue;
        }
        (void)m_engine.row(s, line, nullptr);
        ok.push_back(m_engine.result().failed == failed);
      }
      m_writer.end();  // JSONL: flushes the rows into m_out
      std::string text = m_out.str();
      m_out.str(std::string());
      lines.reserve(converted.size());
      std::size_t start = 0;
      while (start < text.size()) {
        const std::size_t nl = text.find('\n', start);
        const std::size_t end = nl == std::string::npos ? text.size() : nl;
        lines.emplace_back(text, start, end - start);
        start = end + 1;
      }
    }
    if (lines.size() != ok.size()) {
      throw std::runtime_error("batch: " + std::to_string(lines.size()) + " rows written for " +
                               std::to_string(ok.size()) + " rows read");
    }
    py::list out(lines.size());
    for (std::size_t i = 0; i < lines.size(); ++i) {
      out[i] = py::make_tuple(static_cast<bool>(ok[i]), py::str(lines[i]));
    }
    return out;
  }

 private:
  Scenario m_base;
  BudgetPolicy m_policy;
  CatalogHolder m_catalog;
  std::ostringstream m_out;
  batch::QuietStatus m_status;
  batch::RowWriter m_writer;
  batch::Engine m_engine;
  std::size_t m_line = 0;
};

// ---- measure: the meters of `llm-energy measure` around the caller's own code ----

class Meter {
 public:
  Meter(const std::string& interval, const std::string& region, const std::string& carbon_intensity,
        const std::string& pue, const std::string& hardware, const std::string& chips,
        const std::string& powercap_root, const std::string& nvml_library,
        const std::vector<std::string>& hardware_files, const std::vector<std::string>& regions_files)
      : m_catalog(load_catalog_files(hardware_files, regions_files)),
        m_interval_s(measure::parse_interval_s(interval)) {
    measure::SessionOptions so;
    if (!region.empty()) {
      set_field(so.grid, "region", region, Origin::flag);
    }
    if (!carbon_intensity.empty()) {
      set_field(so.grid, "carbon_intensity", carbon_intensity, Origin::flag);
    }
    if (!pue.empty()) {
      set_field(so.grid, "pue", pue, Origin::flag);
    }
    if (!hardware.empty()) {
      (void)m_catalog.cat->find_hardware(hardware);
    }
    so.hardware = hardware;
    if (!chips.empty()) {
      so.chips = parse_count(chips, "chips");
      if (!(*so.chips >= 1) || *so.chips != std::floor(*so.chips)) {
        throw InputError("chips: must be a whole number, at least 1");
      }
    }
    so.powercap_root = powercap_root;
    so.nvml_library = nvml_library;
    m_session = std::make_unique<measure::Session>(so, *m_catalog.cat);
  }
  Meter(const Meter&) = delete;
  Meter& operator=(const Meter&) = delete;
  ~Meter() { stop_thread(); }

  void start() {
    if (m_started) {
      throw InputError("measure: already started");
    }
    m_started = true;
    m_session->start();
    m_thread = std::thread([this] {
      std::unique_lock<std::mutex> lock(m_mutex);
      const auto period = std::chrono::duration<double>(m_interval_s);
      auto next = m_session->t0() + std::chrono::duration_cast<measure::Clock::duration>(period);
      while (!m_stop) {
        if (m_cv.wait_until(lock, next, [this] { return m_stop; })) {
          break;
        }
        m_session->sample(std::chrono::duration<double>(measure::Clock::now() - m_session->t0()).count());
        next += std::chrono::duration_cast<measure::Clock::duration>(period);
      }
    });
  }

  // Stop sampling and return (report JSON, warning line).
  py::tuple stop(const std::vector<std::string>& command, int exit_code) {
    if (!m_started || m_stopped) {
      throw InputError(m_stopped ? "measure: already stopped" : "measure: not started");
    }
    std::string text;
    std::string warning;
    {
      const py::gil_scoped_release release;
      stop_thread();
      m_stopped = true;
      const double duration = std::chrono::duration<double>(measure::Clock::now() - m_session->t0()).count();
      const MeasurementReport report =
          m_session->finish(command, exit_code, 0, duration, measure::detect_job());
      warning = render::warning_line(report);
      text = render::render_measurement(report, render::Format::json);
    }
    return py::make_tuple(text, warning);
  }

 private:
  void stop_thread() {
    {
      const std::lock_guard<std::mutex> lock(m_mutex);
      m_stop = true;
    }
    m_cv.notify_all();
    if (m_thread.joinable()) {
      m_thread.join();
    }
  }

  CatalogHolder m_catalog;
  double m_interval_s;
  std::unique_ptr<measure::Session> m_session;
  std::thread m_thread;
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_stop = false;
  bool m_started = false;
  bool m_stopped = false;
};

// ---- the other commands: the CLI in process ----

py::tuple run_cli(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  int rc = 0;
  {
    const py::gil_scoped_release release;
    std::vector<const char*> argv{"llm-energy"};
    for (const auto& a : args) {
      argv.push_back(a.c_str());
    }
    rc = cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  }
  return py::make_tuple(rc, py::bytes(out.str()), py::bytes(err.str()));
}

}  // namespace
}  // namespace llm_energy::python

PYBIND11_MODULE(_core, m) {
  using namespace llm_energy::python;
  m.doc() = "The llm-energy core (C++); use the llm_energy package, not this module.";
  py::register_exception<llm_energy::InputError>(m, "InputError", PyExc_ValueError);
  m.attr("__version__") = llm_energy::k_version;
  m.def("fields", &fields, "The scenario field table: (key, kind, unit, help, choices) in help order.");
  m.def(
      "estimate",
      [](const Fields& flags, const std::string& config_text, const std::string& config_name,
         const std::string& budget_on, const std::string& warn_at,
         const std::vector<std::string>& hardware_files, const std::vector<std::string>& regions_files,
         const std::string& profile) {
        EstimateOut o;
        {
          const py::gil_scoped_release release;
          o = run_estimate(flags, config_text, config_name, budget_on, warn_at, hardware_files, regions_files,
                           profile);
        }
        return py::make_tuple(py::str(o.json), o.budget.empty() ? py::object(py::none()) : py::str(o.budget),
                              o.over);
      },
      py::arg("flags"), py::arg("config_text"), py::arg("config_name"), py::arg("budget_on"),
      py::arg("warn_at"), py::arg("hardware_files"), py::arg("regions_files"), py::arg("profile"));
  py::class_<Batch>(m, "Batch")
      .def(py::init<const Fields&, const std::string&, const std::string&, const std::vector<std::string>&,
                    const std::vector<std::string>&>(),
           py::arg("base"), py::arg("budget_on"), py::arg("warn_at"), py::arg("hardware_files"),
           py::arg("regions_files"))
      .def("run", &Batch::run, py::arg("rows"));
  py::class_<Meter>(m, "Meter")
      .def(py::init<const std::string&, const std::string&, const std::string&, const std::string&,
                    const std::string&, const std::string&, const std::string&, const std::string&,
                    const std::vector<std::string>&, const std::vector<std::string>&>(),
           py::arg("interval"), py::arg("region"), py::arg("carbon_intensity"), py::arg("pue"),
           py::arg("hardware"), py::arg("chips"), py::arg("powercap_root"), py::arg("nvml_library"),
           py::arg("hardware_files"), py::arg("regions_files"))
      .def("start", &Meter::start)
      .def("stop", &Meter::stop, py::arg("command"), py::arg("exit_code"));
  m.def("run_cli", &run_cli, py::arg("args"),
        "Run the llm-energy CLI in process; return (exit code, stdout bytes, stderr bytes).");
}
