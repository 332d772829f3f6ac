// libFuzzer harness: the argument parser. The input is split on NUL or newline into argv; the CLI
// must return 0, 1 or 2 and never 3 (internal error), crash or hang. File-writing and
// process-running arguments are dropped so the fuzzer cannot touch the file system.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"llm-energy"};
  std::string cur;
  for (std::size_t i = 0; i < size && args.size() < 40; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\0' || c == '\n') {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  args.push_back(cur);
  for (const auto& a : args) {
    // Never write files, read stdin, or run commands from fuzzed arguments.
    if (a.rfind("-o", 0) == 0 || a.find("output") != std::string::npos || a == "-" || a == "measure" ||
        a == "batch" || a == "calibrate" || a.find("file") != std::string::npos ||
        a.find("dataset") != std::string::npos || a.find("config") != std::string::npos ||
        a.find("intensity") != std::string::npos || a.find("plot") != std::string::npos ||
        a.find("html") != std::string::npos || a.find("profile") != std::string::npos ||
        a.find("nvml") != std::string::npos || a.find("powercap") != std::string::npos || a == "sweep" ||
        a == "validate") {
      return 0;
    }
  }
  std::vector<const char*> argv;
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  std::ostringstream out;
  std::ostringstream err;
  const int rc = llm_energy::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  if (rc == 3) {
    std::abort();
  }
  return 0;
}
