#include "measure/session.hpp"

#include <cstdlib>
#include <utility>

#include "measure/launcher.hpp"

namespace llm_energy::measure {

std::string powercap_root(const std::string& given) {
  if (!given.empty()) {
    return given;
  }
  const char* env = std::getenv("LLM_ENERGY_POWERCAP_ROOT");
  return env != nullptr && *env != '\0' ? env : "/sys/class/powercap";
}

Session::Session(const SessionOptions& o, const Catalog& cat)
    : m_hardware(o.hardware),
      m_chips(o.chips),
      m_grid(grid_figures(resolve_grid(o.grid, cat))),
      m_powercap(powercap_root(o.powercap_root), m_report.unreadable),
      m_nvml(o.nvml_library, m_report.unreadable) {
  // What stands in when nothing can be read: resolve()'s power figures for the hardware (a
  // training scenario; params and tokens are placeholders the power figures do not depend on).
  m_estimate_chips = m_chips ? *m_chips : m_nvml.gpus_found() > 0 ? m_nvml.gpus_found() : 1.0;
  Scenario es = o.grid;
  es.phase = Given<Phase>{Phase::training, Origin::flag};
  es.params = Given<double>{1e9, Origin::flag};
  es.tokens = Given<double>{1e9, Origin::flag};
  es.chips = Given<double>{m_estimate_chips, Origin::flag};
  if (!m_hardware.empty()) {
    es.hardware = Given<std::string>{m_hardware, Origin::flag};
  }
  m_power = resolve(es, cat);
}

void Session::start() {
  m_t0 = Clock::now();
  m_powercap.sample();
  m_nvml.sample(0.0);
}

void Session::sample(double t_s) {
  m_powercap.sample();
  m_nvml.sample(t_s);
}

MeasurementReport Session::finish(std::vector<std::string> command, int exit_code, int signal,
                                  double duration_s, const JobInfo& job) {
  sample(duration_s);
  MeasurementReport report = std::move(m_report);
  m_report.unreadable.clear();  // the meters keep a pointer to it (they are read no more)
  report.grid = m_grid;
  report.command = std::move(command);
  report.exit_code = exit_code;
  report.signal = signal;
  report.duration_s = duration_s;
  report.devices = m_nvml.devices();
  for (auto& d : m_powercap.devices()) {
    report.devices.push_back(std::move(d));
  }
  if (report.devices.empty()) {
    report.devices.push_back(estimated_device(*m_power, m_estimate_chips, m_hardware.empty(), duration_s));
  }
  report.hardware = m_hardware.empty() ? "" : m_power->hardware->id;
  report.chips = m_chips;
  report.job = job;
  if (const std::string w = local_rank_warning(job); !w.empty()) {
    report.warnings.push_back({"launcher", w});
  }
  for (auto& w : m_nvml.warnings()) {
    report.warnings.push_back(std::move(w));
  }
  for (auto& w : m_powercap.warnings()) {
    report.warnings.push_back(std::move(w));
  }
  report.footprint = account(report.devices, report.grid);
  return report;
}

}  // namespace llm_energy::measure
