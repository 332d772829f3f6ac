// A fake NVML for the measure tests (loaded with --nvml-library): two GPUs whose energy grows
// with wall time since nvmlInit_v2. gpu0 has a total-energy counter (200 W); gpu1 has none
// (NVML_ERROR_NOT_SUPPORTED) and reports a steady 150 W power draw, exercising power sampling.
// FAKE_NVML_INIT_FAIL=1 makes nvmlInit_v2 fail (NVML_ERROR_DRIVER_NOT_LOADED);
// FAKE_NVML_NO_ENERGY=1 leaves both GPUs without energy counter and power reading (found but
// unreadable, as on a locked-down node).
#include <chrono>
#include <cstdlib>
#include <cstring>

namespace {
using Clock = std::chrono::steady_clock;
Clock::time_point g_start;
int g_devices[2] = {0, 1};
constexpr int k_success = 0;
constexpr int k_uninitialized = 1;
constexpr int k_invalid_argument = 2;
constexpr int k_not_supported = 3;
constexpr int k_driver_not_loaded = 9;
bool g_init = false;

bool no_energy() {
  const char* v = std::getenv("FAKE_NVML_NO_ENERGY");
  return v != nullptr && std::strcmp(v, "1") == 0;
}

int index_of(void* device) {
  for (int i = 0; i < 2; ++i) {
    if (device == &g_devices[i]) {
      return i;
    }
  }
  return -1;
}
}  // namespace

extern "C" {

__attribute__((visibility("default"))) int nvmlInit_v2() {
  const char* fail = std::getenv("FAKE_NVML_INIT_FAIL");
  if (fail != nullptr && std::strcmp(fail, "1") == 0) {
    return k_driver_not_loaded;
  }
  g_start = Clock::now();
  g_init = true;
  return k_success;
}

__attribute__((visibility("default"))) int nvmlShutdown() {
  g_init = false;
  return k_success;
}

__attribute__((visibility("default"))) const char* nvmlErrorString(int rc) {
  switch (rc) {
    case k_success:
      return "Success";
    case k_uninitialized:
      return "Uninitialized";
    case k_invalid_argument:
      return "Invalid Argument";
    case k_not_supported:
      return "Not Supported";
    case k_driver_not_loaded:
      return "Driver Not Loaded";
    default:
      return "Unknown Error";
  }
}

__attribute__((visibility("default"))) int nvmlDeviceGetCount_v2(unsigned int* count) {
  if (!g_init) {
    return k_uninitialized;
  }
  *count = 2;
  return k_success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetHandleByIndex_v2(unsigned int index, void** device) {
  if (!g_init) {
    return k_uninitialized;
  }
  if (index >= 2) {
    return k_invalid_argument;
  }
  *device = &g_devices[index];
  return k_success;
}

__attribute__((visibility("default"))) int nvmlDeviceGetName(void* device, char* name, unsigned int length) {
  const int i = index_of(device);
  if (i < 0 || length == 0) {
    return k_invalid_argument;
  }
  const char* n = i == 0 ? "Fake GPU Counter" : "Fake GPU Sampled";
  std::strncpy(name, n, length - 1);
  name[length - 1] = '\0';
  return k_success;
}

// Millijoules since the driver loaded: 200 W on gpu0; gpu1 has no counter.
__attribute__((visibility("default"))) int nvmlDeviceGetTotalEnergyConsumption(void* device,
                                                                               unsigned long long* mj) {
  const int i = index_of(device);
  if (i < 0) {
    return k_invalid_argument;
  }
  if (i == 1 || no_energy()) {
    return k_not_supported;
  }
  const double s = std::chrono::duration<double>(Clock::now() - g_start).count();
  *mj = 1000000ULL + static_cast<unsigned long long>(s * 200.0 * 1000.0);
  return k_success;
}

// Milliwatts: 200 W on gpu0, 150 W on gpu1.
__attribute__((visibility("default"))) int nvmlDeviceGetPowerUsage(void* device, unsigned int* mw) {
  const int i = index_of(device);
  if (i < 0) {
    return k_invalid_argument;
  }
  if (no_energy()) {
    return k_not_supported;
  }
  *mw = i == 0 ? 200000U : 150000U;
  return k_success;
}

}  // extern "C"
