#include "measure.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "app.hpp"
#include "format_units.hpp"
#include "io.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"
#include "llm_energy/version.hpp"
#include "render.hpp"

namespace llm_energy::cli {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

// ---- counters ----

WrappingCounter::WrappingCounter(std::uint64_t first, std::uint64_t range) : m_last(first), m_range(range) {}

void WrappingCounter::update(std::uint64_t now) {
  if (now >= m_last) {
    m_total += now - m_last;
  } else {
    // Wrapped once past `range` back to zero (a range of 0, unknown, counts from zero).
    m_total += (m_range > m_last ? m_range - m_last : 0) + now;
    ++m_wraps;
  }
  m_last = now;
}

void PowerIntegral::add(double t_s, double watts) {
  if (m_samples > 0 && t_s > m_t) {
    m_joules += 0.5 * (watts + m_w) * (t_s - m_t);
  }
  m_t = t_s;
  m_w = watts;
  ++m_samples;
}

namespace {

// Return the first line of a small sysfs file, or nullopt with `why` set to the reason.
std::optional<std::string> read_line(const std::string& path, std::string& why) {
  std::ifstream f(path);
  if (!f) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  std::string line;
  if (!std::getline(f, line)) {
    why = f.bad() ? std::strerror(errno) : "empty file";
    return std::nullopt;
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
    line.pop_back();
  }
  return line;
}

std::optional<std::uint64_t> read_u64(const std::string& path, std::string& why) {
  auto line = read_line(path, why);
  if (!line) {
    return std::nullopt;
  }
  if (line->empty() || line->find_first_not_of("0123456789") != std::string::npos) {
    why = "not a counter value: '" + line->substr(0, 40) + "'";
    return std::nullopt;
  }
  try {
    return std::stoull(*line);
  } catch (const std::exception&) {
    why = "counter value out of range";
    return std::nullopt;
  }
}

bool is_rapl_zone(const std::string& dirname) {
  // intel-rapl:0, intel-rapl:0:2; not the control type "intel-rapl", not intel-rapl-mmio
  // (the same package counter read through MMIO: counting it too would count twice).
  return dirname.rfind("intel-rapl:", 0) == 0;
}

}  // namespace

PowercapMeter::PowercapMeter(const std::string& root, std::vector<Unreadable>& unreadable)
    : m_unreadable(&unreadable) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    unreadable.push_back(
        {"powercap " + root, "no such directory (no RAPL counters on this machine, or a VM)"});
    return;
  }
  // Zones appear flat under /sys/class/powercap and nested in their parent: collect both, once each.
  std::set<std::string> seen;
  std::vector<fs::path> dirs;
  std::vector<fs::path> pending{fs::path(root)};
  while (!pending.empty()) {
    const fs::path dir = pending.back();
    pending.pop_back();
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      entries.push_back(it->path());
    }
    std::sort(entries.begin(), entries.end());
    for (const auto& p : entries) {
      if (!is_rapl_zone(p.filename().string()) || !fs::is_directory(p, ec)) {
        continue;
      }
      std::error_code cec;
      const fs::path canon = fs::canonical(p, cec);
      if (!seen.insert(cec ? p.string() : canon.string()).second) {
        continue;
      }
      dirs.push_back(p);
      pending.push_back(p);
    }
  }
  std::sort(dirs.begin(), dirs.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });
  std::size_t counted = 0;
  for (const auto& d : dirs) {
    std::string why;
    const std::string zone = d.filename().string();
    auto name = read_line((d / "name").string(), why);
    if (!name) {
      unreadable.push_back({(d / "name").string(), why});
      continue;
    }
    std::string kind;
    if (name->rfind("package", 0) == 0) {
      kind = "cpu-package";
    } else if (*name == "dram") {
      kind = "dram";
    } else {
      continue;  // core, uncore (inside a package), psys (the whole platform)
    }
    ++counted;
    const std::string energy_path = (d / "energy_uj").string();
    auto first = read_u64(energy_path, why);
    if (!first) {
      unreadable.push_back({energy_path, why});
      continue;
    }
    auto range = read_u64((d / "max_energy_range_uj").string(), why);
    if (!range) {
      unreadable.push_back({(d / "max_energy_range_uj").string(), why});
      continue;
    }
    m_zones.push_back({*name + " (" + zone + ")", kind, energy_path, WrappingCounter(*first, *range), false});
  }
  if (counted == 0) {
    unreadable.push_back({"powercap " + root, "no intel-rapl package or dram zones"});
  }
}

void PowercapMeter::sample() {
  for (auto& z : m_zones) {
    if (z.failed) {
      continue;
    }
    std::string why;
    if (auto v = read_u64(z.energy_path, why)) {
      z.counter.update(*v);
    } else {
      z.failed = true;  // keep what was counted until now
      m_unreadable->push_back({z.energy_path, why + " (during the run; counted until then)"});
    }
  }
}

std::vector<DeviceEnergy> PowercapMeter::devices() const {
  std::vector<DeviceEnergy> out;
  for (const auto& z : m_zones) {
    out.push_back({z.name, z.kind, "counter", static_cast<double>(z.counter.total()) * 1e-6});
  }
  return out;
}

// ---- NVML ----

namespace {
using nvmlReturn_t = int;
using nvmlDevice_t = struct nvmlDevice_st*;
constexpr nvmlReturn_t k_nvml_success = 0;
}  // namespace

struct NvmlMeter::Api {
  void* handle = nullptr;
  nvmlReturn_t (*init)() = nullptr;
  nvmlReturn_t (*shutdown)() = nullptr;
  nvmlReturn_t (*count)(unsigned int*) = nullptr;
  nvmlReturn_t (*by_index)(unsigned int, nvmlDevice_t*) = nullptr;
  nvmlReturn_t (*name)(nvmlDevice_t, char*, unsigned int) = nullptr;
  nvmlReturn_t (*total_energy)(nvmlDevice_t, unsigned long long*) = nullptr;
  nvmlReturn_t (*power)(nvmlDevice_t, unsigned int*) = nullptr;
  const char* (*error_string)(nvmlReturn_t) = nullptr;
  bool initialised = false;

  [[nodiscard]] std::string why(nvmlReturn_t rc) const {
    const char* s = error_string != nullptr ? error_string(rc) : nullptr;
    return s != nullptr ? std::string(s) + " (NVML error " + std::to_string(rc) + ")"
                        : "NVML error " + std::to_string(rc);
  }
};

struct NvmlMeter::Gpu {
  nvmlDevice_t device = nullptr;
  std::string name;
  bool counter = false;
  unsigned long long first_mj = 0;
  unsigned long long last_mj = 0;
  PowerIntegral power;
  bool failed = false;
};

namespace {
template <class F>
bool bind(void* handle, const char* symbol, F& fn) {
  void* p = ::dlsym(handle, symbol);
  if (p == nullptr) {
    return false;
  }
  // POSIX guarantees that a dlsym result converts to a function pointer.
  fn = reinterpret_cast<F>(p);
  return true;
}
}  // namespace

NvmlMeter::NvmlMeter(const std::string& library, std::vector<Unreadable>& unreadable)
    : m_api(std::make_unique<Api>()), m_unreadable(&unreadable) {
  const std::string source = "NVML (" + library + ")";
  Api& a = *m_api;
  a.handle = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (a.handle == nullptr) {
    const char* e = ::dlerror();
    std::string reason = e != nullptr ? e : "cannot load";
    // dlerror repeats the path; keep the reason after it.
    if (const auto pos = reason.rfind(": "); pos != std::string::npos) {
      reason = reason.substr(pos + 2);
    }
    unreadable.push_back({source, reason + " (no NVIDIA driver)"});
    return;
  }
  bind(a.handle, "nvmlErrorString", a.error_string);
  const char* missing = nullptr;
  if (!bind(a.handle, "nvmlInit_v2", a.init)) {
    missing = "nvmlInit_v2";
  } else if (!bind(a.handle, "nvmlShutdown", a.shutdown)) {
    missing = "nvmlShutdown";
  } else if (!bind(a.handle, "nvmlDeviceGetCount_v2", a.count)) {
    missing = "nvmlDeviceGetCount_v2";
  } else if (!bind(a.handle, "nvmlDeviceGetHandleByIndex_v2", a.by_index)) {
    missing = "nvmlDeviceGetHandleByIndex_v2";
  } else if (!bind(a.handle, "nvmlDeviceGetName", a.name)) {
    missing = "nvmlDeviceGetName";
  }
  bind(a.handle, "nvmlDeviceGetTotalEnergyConsumption", a.total_energy);
  bind(a.handle, "nvmlDeviceGetPowerUsage", a.power);
  if (missing != nullptr) {
    unreadable.push_back({source, std::string("no symbol ") + missing});
    return;
  }
  if (const nvmlReturn_t rc = a.init(); rc != k_nvml_success) {
    unreadable.push_back({source, "nvmlInit_v2: " + a.why(rc)});
    return;
  }
  a.initialised = true;
  unsigned int n = 0;
  if (const nvmlReturn_t rc = a.count(&n); rc != k_nvml_success) {
    unreadable.push_back({source, "nvmlDeviceGetCount_v2: " + a.why(rc)});
    return;
  }
  if (n == 0) {
    unreadable.push_back({source, "no GPU"});
    return;
  }
  for (unsigned int i = 0; i < n; ++i) {
    const std::string id = "gpu" + std::to_string(i);
    Gpu g;
    if (const nvmlReturn_t rc = a.by_index(i, &g.device); rc != k_nvml_success) {
      unreadable.push_back({source + " " + id, a.why(rc)});
      continue;
    }
    char buf[96] = {};
    g.name = id;
    if (a.name(g.device, buf, sizeof buf) == k_nvml_success) {
      buf[sizeof buf - 1] = '\0';
      g.name += std::string(" ") + buf;
    }
    unsigned long long mj = 0;
    unsigned int mw = 0;
    nvmlReturn_t rc = -1;
    if (a.total_energy != nullptr && (rc = a.total_energy(g.device, &mj)) == k_nvml_success) {
      g.counter = true;
      g.first_mj = g.last_mj = mj;
    } else if (a.power != nullptr && (rc = a.power(g.device, &mw)) == k_nvml_success) {
      g.counter = false;
    } else {
      unreadable.push_back({source + " " + g.name, "no energy counter or power reading: " + a.why(rc)});
      continue;
    }
    m_gpus.push_back(std::move(g));
  }
}

NvmlMeter::~NvmlMeter() {
  if (m_api->initialised) {
    m_api->shutdown();
  }
  if (m_api->handle != nullptr) {
    ::dlclose(m_api->handle);
  }
}

void NvmlMeter::sample(double t_s) {
  const Api& a = *m_api;
  for (auto& g : m_gpus) {
    if (g.failed) {
      continue;
    }
    nvmlReturn_t rc = k_nvml_success;
    if (g.counter) {
      unsigned long long mj = 0;
      if ((rc = a.total_energy(g.device, &mj)) == k_nvml_success && mj >= g.last_mj) {
        g.last_mj = mj;
        continue;
      }
    } else {
      unsigned int mw = 0;
      if ((rc = a.power(g.device, &mw)) == k_nvml_success) {
        g.power.add(t_s, static_cast<double>(mw) * 1e-3);
        continue;
      }
    }
    g.failed = true;
    m_unreadable->push_back(
        {"NVML " + g.name, (rc == k_nvml_success ? std::string("counter went backwards") : a.why(rc)) +
                               " (during the run; counted until then)"});
  }
}

std::vector<DeviceEnergy> NvmlMeter::devices() const {
  std::vector<DeviceEnergy> out;
  for (const auto& g : m_gpus) {
    if (g.counter) {
      out.push_back({g.name, "gpu", "counter", static_cast<double>(g.last_mj - g.first_mj) * 1e-3});
    } else {
      out.push_back({g.name, "gpu", "power-sampling", g.power.joules()});
    }
  }
  return out;
}

double parse_interval_s(const std::string& text) {
  std::string t = text;
  double scale = 1e-3;
  if (t.size() > 2 && t.compare(t.size() - 2, 2, "ms") == 0) {
    t.resize(t.size() - 2);
  } else if (t.size() > 1 && t.back() == 's') {
    t.pop_back();
    scale = 1.0;
  }
  const double s = parse_plain_number(t, "interval") * scale;
  if (!(s >= 1e-3 && s <= 60.0)) {
    throw InputError("interval: must lie between 1ms and 60s (e.g. 100ms, 0.5s)");
  }
  return s;
}

// ---- running the command ----

namespace {

struct MeasureOptions {
  std::vector<std::string> command;
  std::string interval = "100ms";
  std::string format = "table";
  std::string output;
  std::string pue;
  std::string region;
  std::string carbon_intensity;
  std::string powercap_root;
  std::string nvml_library = "libnvidia-ml.so.1";
};

struct Grid {
  double pue = 1;
  double intensity = 0;
  std::string region;      // region id, or "custom"
  std::string pue_source;  // "--pue", or the operator id
};

Grid resolve_grid(const MeasureOptions& o) {
  const Catalog& cat = builtin_catalog();
  if (!o.region.empty() && !o.carbon_intensity.empty()) {
    throw InputError("conflicting inputs: give --region or --carbon-intensity, not both");
  }
  Grid g;
  const Region* region = nullptr;
  if (!o.carbon_intensity.empty()) {
    g.intensity = parse_plain_number(o.carbon_intensity, "carbon_intensity");
    if (!(g.intensity >= 0)) {
      throw InputError("carbon_intensity: must not be negative");
    }
    g.region = "custom";
  } else {
    region = &cat.find_region(o.region.empty() ? "world" : o.region);
    g.intensity = region->carbon_intensity.value;
    g.region = region->id;
  }
  if (!o.pue.empty()) {
    g.pue = parse_plain_number(o.pue, "pue");
    if (!(g.pue >= 1.0)) {
      throw InputError("pue: must be at least 1.0");
    }
    g.pue_source = "--pue";
  } else {
    const Operator& op =
        region != nullptr ? cat.operator_for(*region) : cat.find_operator(cat.default_operator);
    g.pue = op.pue.value;
    g.pue_source = "operator " + op.id;
  }
  return g;
}

struct ChildResult {
  int exit_code = 0;
  int signal = 0;
  double duration_s = 0;
};

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Restores SIGINT and SIGQUIT on scope exit; while it lives they are ignored (as time(1) does:
// Ctrl-C reaches the command, which ends, and the report is still written).
class IgnoreInterrupts {
 public:
  IgnoreInterrupts() {
    struct sigaction ign {};
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, &m_int);
    sigaction(SIGQUIT, &ign, &m_quit);
  }
  IgnoreInterrupts(const IgnoreInterrupts&) = delete;
  IgnoreInterrupts& operator=(const IgnoreInterrupts&) = delete;
  ~IgnoreInterrupts() {
    sigaction(SIGINT, &m_int, nullptr);
    sigaction(SIGQUIT, &m_quit, nullptr);
  }
  [[nodiscard]] const struct sigaction& saved_int() const { return m_int; }
  [[nodiscard]] const struct sigaction& saved_quit() const { return m_quit; }

 private:
  struct sigaction m_int {};
  struct sigaction m_quit {};
};

// Run `argv`, calling sample(t) every `interval_s` until it ends. Throws InputError when it
// cannot be started.
template <class Sample>
ChildResult run_command(const std::vector<std::string>& command, double interval_s, Clock::time_point t0,
                        Sample&& sample) {
  std::vector<char*> argv;
  for (const auto& a : command) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  std::cout.flush();
  std::cerr.flush();
  IgnoreInterrupts guard;
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int e = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("fork: ") + std::strerror(e));
  }
  if (pid == 0) {
    sigaction(SIGINT, &guard.saved_int(), nullptr);
    sigaction(SIGQUIT, &guard.saved_quit(), nullptr);
    ::close(fds[0]);
    ::execvp(argv[0], argv.data());
    const int e = errno;
    [[maybe_unused]] const ssize_t w = ::write(fds[1], &e, sizeof e);
    ::_exit(127);
  }
  ::close(fds[1]);
  int exec_errno = 0;
  ssize_t got = 0;
  do {
    got = ::read(fds[0], &exec_errno, sizeof exec_errno);
  } while (got < 0 && errno == EINTR);
  ::close(fds[0]);
  if (got == static_cast<ssize_t>(sizeof exec_errno)) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    throw InputError("cannot run '" + command[0] + "': " + std::strerror(exec_errno));
  }

  // Wait for the command, waking at each sampling time (a pidfd, else short polls).
  int pidfd = -1;
#ifdef SYS_pidfd_open
  pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
#endif
  double next = interval_s;
  int status = 0;
  for (;;) {
    const double now = seconds_since(t0);
    if (now >= next) {
      sample(now);
      next += interval_s * std::max(1.0, std::floor((now - next) / interval_s) + 1.0);
    }
    const double wait_s = std::max(0.0, next - seconds_since(t0));
    if (pidfd >= 0) {
      struct pollfd p {
        pidfd, POLLIN, 0
      };
      const int ms = static_cast<int>(std::ceil(wait_s * 1000.0));
      const int rc = ::poll(&p, 1, ms);
      if (rc > 0) {
        if (::waitpid(pid, &status, 0) == pid) {
          break;
        }
      } else if (rc < 0 && errno != EINTR) {
        ::close(pidfd);
        pidfd = -1;  // fall back to polling
      }
    } else {
      const pid_t w = ::waitpid(pid, &status, WNOHANG);
      if (w == pid) {
        break;
      }
      if (w < 0 && errno != EINTR) {
        throw std::runtime_error(std::string("waitpid: ") + std::strerror(errno));
      }
      std::this_thread::sleep_for(std::chrono::duration<double>(std::min(wait_s, 0.005)));
    }
  }
  if (pidfd >= 0) {
    ::close(pidfd);
  }
  ChildResult r;
  r.duration_s = seconds_since(t0);
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.exit_code = 128 + r.signal;
  }
  return r;
}

std::string joules_text(double j) {
  if (j < 3600.0) {
    return sig3(j) + " J";
  }
  return human_energy_kwh(j / 3.6e6);
}

std::string command_text(const std::vector<std::string>& cmd) {
  std::string s;
  for (const auto& a : cmd) {
    const bool quote = a.empty() || a.find_first_of(" \t'\"\\$`;&|<>()*?") != std::string::npos;
    s += (s.empty() ? "" : " ") + (quote ? "'" + a + "'" : a);
  }
  return s;
}

int run_measure(const MeasureOptions& o, std::ostream& out, std::ostream& err) {
  const double interval_s = parse_interval_s(o.interval);
  const Grid grid = resolve_grid(o);
  const Format format = parse_format(o.format);
  std::string root = o.powercap_root;
  if (root.empty()) {
    const char* env = std::getenv("LLM_ENERGY_POWERCAP_ROOT");
    root = env != nullptr && *env != '\0' ? env : "/sys/class/powercap";
  }
  if (o.command.empty()) {
    throw InputError("measure: no command given (llm-energy measure [options] -- COMMAND ARGS...)");
  }
  if (!o.output.empty() && o.output != "-") {
    // Fail before running the command when the report cannot be written.
    AtomicOutputFile probe(o.output);
  }

  std::vector<Unreadable> unreadable;
  PowercapMeter powercap(root, unreadable);
  NvmlMeter nvml(o.nvml_library, unreadable);
  const Clock::time_point t0 = Clock::now();
  powercap.sample();
  nvml.sample(0.0);
  auto sample = [&](double t) {
    powercap.sample();
    nvml.sample(t);
  };
  const ChildResult child = run_command(o.command, interval_s, t0, sample);
  sample(child.duration_s);

  std::vector<DeviceEnergy> devices = nvml.devices();
  for (auto& d : powercap.devices()) {
    devices.push_back(std::move(d));
  }
  double gpu_j = 0;
  double server_j = 0;
  for (const auto& d : devices) {
    server_j += d.energy_j;
    if (d.kind == "gpu") {
      gpu_j += d.energy_j;
    }
  }
  const double accelerator_kwh = gpu_j / 3.6e6;
  const double server_kwh = server_j / 3.6e6;
  const double energy_kwh = server_kwh * grid.pue;
  const double co2e_kg = energy_kwh * grid.intensity / 1000.0;
  const double duration = child.duration_s;
  auto power_of = [&](double j) { return duration > 0 ? j / duration : 0.0; };

  if (!unreadable.empty()) {
    std::string line = "llm-energy: warning: ";
    for (std::size_t i = 0; i < unreadable.size(); ++i) {
      line +=
          (i ? "; " : "") + std::string("cannot read ") + unreadable[i].source + ": " + unreadable[i].reason;
    }
    line += devices.empty() ? " (nothing measured)" : " (measured the rest)";
    err << line << "\n";
    err.flush();
  }

  std::string text;
  if (format == Format::json) {
    json devs = json::array();
    for (const auto& d : devices) {
      devs.push_back({{"name", d.name},
                      {"kind", d.kind},
                      {"energy_j", round6(d.energy_j)},
                      {"average_power_w", round6(power_of(d.energy_j))},
                      {"method", d.method}});
    }
    json unread = json::array();
    for (const auto& u : unreadable) {
      unread.push_back({{"source", u.source}, {"reason", u.reason}});
    }
    json j{{"schema", "llm-energy/measure/1"},
           {"version", k_version},
           {"command", o.command},
           {"exit_code", child.exit_code},
           {"duration_s", round6(duration)},
           {"devices", devs},
           {"accelerator_energy_kwh", round6(accelerator_kwh)},
           {"server_energy_kwh", round6(server_kwh)},
           {"energy_kwh", round6(energy_kwh)},
           {"co2e_kg", round6(co2e_kg)},
           {"pue", round6(grid.pue)},
           {"carbon_intensity", round6(grid.intensity)},
           {"unreadable", unread}};
    text = j.dump(2) + "\n";
  } else if (format == Format::table) {
    text = fmt::format("measured: {}\n", command_text(o.command));
    text +=
        fmt::format("  exit code {}{} after {} s\n", child.exit_code,
                    child.signal ? fmt::format(" (killed by signal {})", child.signal) : "", sig3(duration));
    text +=
        fmt::format("  {:<36} {:<12} {:<15} {:>12} {:>10}\n", "device", "kind", "method", "energy", "avg W");
    for (const auto& d : devices) {
      text += fmt::format("  {:<36} {:<12} {:<15} {:>12} {:>10}\n", d.name.substr(0, 36), d.kind, d.method,
                          joules_text(d.energy_j), sig3(power_of(d.energy_j)));
    }
    if (devices.empty()) {
      text += "  (no device could be read)\n";
    }
    text += fmt::format("  {:<65} {:>12} {:>10}\n", "accelerators (GPUs)", joules_text(gpu_j),
                        sig3(power_of(gpu_j)));
    text += fmt::format("  {:<65} {:>12} {:>10}\n", "server (GPUs + CPU packages + DRAM)",
                        joules_text(server_j), sig3(power_of(server_j)));
    text += fmt::format("  {:<65} {:>12} {:>10}  PUE {} ({})\n", "facility (server x PUE)",
                        joules_text(server_j * grid.pue), sig3(power_of(server_j * grid.pue)), sig3(grid.pue),
                        grid.pue_source);
    text += fmt::format("  {:<65} {:>12} {:>10}  at {} gCO2e/kWh ({})\n", "CO2e, location-based",
                        human_mass_kg(co2e_kg), "", sig3(grid.intensity), grid.region);
  } else {
    throw InputError("measure: --format must be table or json");
  }
  if (o.output.empty()) {
    err << text;
    err.flush();
  } else if (o.output == "-") {
    out << text;
    out.flush();
  } else {
    write_file_atomic(o.output, text);
  }
  return child.exit_code;
}

}  // namespace

// ---- CLI wiring ----

struct MeasureCommands::State {
  CLI::App* measure = nullptr;
  CLI::App* calibrate = nullptr;
  MeasureOptions m;
  CalibrateOptions c;
};

MeasureCommands::MeasureCommands(std::unique_ptr<State> state) : m_state(std::move(state)) {}
MeasureCommands::MeasureCommands(MeasureCommands&&) noexcept = default;
MeasureCommands& MeasureCommands::operator=(MeasureCommands&&) noexcept = default;
MeasureCommands::~MeasureCommands() = default;

std::optional<int> MeasureCommands::run_if_parsed(std::ostream& out, std::ostream& err) {
  if (m_state->measure->parsed()) {
    return run_measure(m_state->m, out, err);
  }
  if (m_state->calibrate->parsed()) {
    return run_calibrate(m_state->c, out);
  }
  return std::nullopt;
}

MeasureCommands register_measure_commands(CLI::App& app) {
  auto st = std::make_unique<MeasureCommands::State>();
  MeasureOptions& m = st->m;
  auto* cmd = app.add_subcommand("measure",
                                 "Run a command and measure the energy of CPUs (RAPL), DRAM and "
                                 "NVIDIA GPUs (NVML) while it runs");
  cmd->add_option("--interval", m.interval, "sampling interval, e.g. 100ms or 0.5s (a bare number is ms)")
      ->type_name("TIME");
  cmd->add_option("--format", m.format, "report format")->check(CLI::IsMember({"table", "json"}));
  cmd->add_option("--output,-o", m.output,
                  "write the report to FILE ('-': standard output) instead of standard error")
      ->type_name("FILE");
  cmd->add_option("--pue", m.pue, "facility PUE (default: the region's operator, as estimate)")
      ->type_name("F");
  cmd->add_option("--region", m.region, "grid region for CO2e (default: world)")->type_name("ID");
  cmd->add_option("--carbon-intensity", m.carbon_intensity, "grid carbon intensity [gCO2e/kWh]")
      ->type_name("G");
  cmd->add_option("--powercap-root", m.powercap_root,
                  "powercap directory (default: $LLM_ENERGY_POWERCAP_ROOT, else /sys/class/powercap)")
      ->type_name("DIR");
  cmd->add_option("--nvml-library", m.nvml_library, "NVML library to load (default: libnvidia-ml.so.1)")
      ->type_name("PATH");
  cmd->add_option("command", m.command, "the command and its arguments (after --)")
      ->required()
      ->type_name("COMMAND");
  cmd->footer(
      "The command's standard output and error pass through untouched; the report goes to standard\n"
      "error (or --output). Devices that cannot be read are named on one warning line.\n"
      "Boundaries: accelerator = GPUs; server = GPUs + CPU packages + DRAM; facility = server x PUE.\n"
      "Exit code: the command's (128+N when killed by signal N); 2 when it cannot be started.\n"
      "Examples:\n"
      "  llm-energy measure -- python train.py --epochs 1\n"
      "  llm-energy measure --format json --output run.json --region FR -- ./bench.sh");
  st->measure = cmd;

  CalibrateOptions& c = st->c;
  auto* cal = app.add_subcommand("calibrate",
                                 "Fit utilisation, accelerator power and host power of one "
                                 "hardware id on measured runs, and write a profile");
  cal->add_option("RUNS", c.files,
                  "CSV of runs (params,tokens,hardware,chips,duration_h,energy_kwh[,gpu_energy_kwh,"
                  "active_params,pue]) or CodeCarbon emissions.csv; several files are pooled")
      ->required()
      ->type_name("FILE");
  cal->add_option("--hardware", c.hardware, "hardware id for rows without a hardware column")
      ->type_name("ID");
  cal->add_option("--params", c.params, "parameters, for rows without a params column (CodeCarbon)")
      ->type_name("N");
  cal->add_option("--tokens", c.tokens, "training tokens, for rows without a tokens column (CodeCarbon)")
      ->type_name("N");
  cal->add_option("--chips", c.chips, "accelerators, for CodeCarbon rows without gpu_count")->type_name("N");
  cal->add_option("--output,-o", c.output, "profile to write (use it with estimate --profile)")
      ->required()
      ->type_name("FILE");
  cal->add_option("--format", c.format, "format of the fit summary on standard output")
      ->check(CLI::IsMember({"table", "json"}));
  cal->footer(
      "Fits, per run then the median (min-max): training_mfu = 6*N*D / (peak * chips * duration)\n"
      "(divided by the catalog's model-size factor); avg_power_fraction = GPU energy / (chips * TDP *\n"
      "duration); host_power_w = (energy - GPU energy) / (chips * duration). Without GPU energy the host\n"
      "power keeps the catalog value. A bad row is an error naming its line (exit 2).\n"
      "Examples:\n"
      "  llm-energy calibrate runs.csv --output h100.json\n"
      "  llm-energy calibrate emissions.csv --hardware h100-sxm --params 7B --tokens 2e9 -o h100.json");
  st->calibrate = cal;
  return MeasureCommands(std::move(st));
}

}  // namespace llm_energy::cli
