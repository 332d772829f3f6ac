#include "measure/meters.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <stdexcept>
#include <thread>

#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"

namespace llm_energy::measure {

namespace fs = std::filesystem;

// ---- counters ----

WrappingCounter::WrappingCounter(std::uint64_t first, std::uint64_t range) : m_last(first), m_range(range) {}

WrappingCounter::Step WrappingCounter::update(std::uint64_t now) {
  Step step = Step::forward;
  if (now >= m_last) {
    m_total += now - m_last;
  } else if (const std::uint64_t back = m_last - now; m_range > 0 && back >= m_range - m_range / 2) {
    // Ran up to `range`, then on from zero.
    m_total += (m_range > m_last ? m_range - m_last : 0) + now;
    ++m_wraps;
    step = Step::wrap;
  } else {
    // A reset or a glitch: nothing is known of the energy in this step; count on from `now`.
    ++m_steps_back;
    m_largest_back = std::max(m_largest_back, back);
    step = Step::back;
  }
  m_last = now;
  return step;
}

std::string step_back_warning(const WrappingCounter& c, const std::string& unit) {
  if (c.steps_back() == 0) {
    return {};
  }
  const std::uint64_t n = c.steps_back();
  std::string w = "counter stepped back " + std::to_string(n) + (n == 1 ? " time" : " times") +
                  " (by up to " + std::to_string(c.largest_step_back()) + " " + unit;
  w += c.range() > 0 ? " of its " + std::to_string(c.range()) + " " + unit + " range" : "";
  return w + "; a reset or a glitch, not a wrap): those steps are not counted";
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
    DeviceKind kind = DeviceKind::dram;
    if (name->rfind("package", 0) == 0) {
      kind = DeviceKind::cpu_package;
    } else if (*name == "dram") {
      kind = DeviceKind::dram;
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

std::vector<MeterWarning> PowercapMeter::warnings() const {
  std::vector<MeterWarning> out;
  for (const auto& z : m_zones) {
    if (std::string w = step_back_warning(z.counter, "uJ"); !w.empty()) {
      out.push_back({z.energy_path, std::move(w)});
    }
  }
  return out;
}

std::vector<DeviceEnergy> PowercapMeter::devices() const {
  std::vector<DeviceEnergy> out;
  for (const auto& z : m_zones) {
    out.push_back(
        {z.name, z.kind, MeterMethod::counter, static_cast<double>(z.counter.total()) * 1e-6, std::nullopt});
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
  WrappingCounter energy_mj{0, 0};  // NVML's counter does not wrap (64 bits of mJ)
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
  m_found = n;
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
      g.energy_mj = WrappingCounter(mj, 0);
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
      if ((rc = a.total_energy(g.device, &mj)) == k_nvml_success) {
        g.energy_mj.update(mj);  // a step back (a driver reset) is not counted: warnings()
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
    m_unreadable->push_back({"NVML " + g.name, a.why(rc) + " (during the run; counted until then)"});
  }
}

std::vector<DeviceEnergy> NvmlMeter::devices() const {
  std::vector<DeviceEnergy> out;
  for (const auto& g : m_gpus) {
    if (g.counter) {
      out.push_back({g.name, DeviceKind::gpu, MeterMethod::counter,
                     static_cast<double>(g.energy_mj.total()) * 1e-3, std::nullopt});
    } else {
      out.push_back({g.name, DeviceKind::gpu, MeterMethod::power_sampling, g.power.joules(), std::nullopt});
    }
  }
  return out;
}

std::vector<MeterWarning> NvmlMeter::warnings() const {
  std::vector<MeterWarning> out;
  for (const auto& g : m_gpus) {
    if (std::string w = step_back_warning(g.energy_mj, "mJ"); g.counter && !w.empty()) {
      out.push_back({"NVML " + g.name, std::move(w)});
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

namespace {

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

}  // namespace

ChildResult run_command(const std::vector<std::string>& command, double interval_s, Clock::time_point t0,
                        const std::function<void(double)>& sample) {
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

}  // namespace llm_energy::measure
