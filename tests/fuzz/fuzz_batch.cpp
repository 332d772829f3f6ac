// libFuzzer harness: the batch reader (JSONL, CSV, JSON array). Whatever the input, the run
// completes, writes one output row per input row, and never throws anything but InputError
// (which the CLI reports as one line). A non-finite figure cannot reach the output: estimate()
// rejects it (check_finite), which fuzz_config checks directly.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "batch/engine.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llm_energy;
  if (size == 0) {
    return 0;
  }
  // The first byte picks the input and output formats; the rest is the input.
  const auto mode = data[0];
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  batch::BatchOptions o;
  o.input = static_cast<batch::InputFormat>(mode % 4);
  o.output = static_cast<batch::OutputFormat>((mode / 4) % 3);
  std::istringstream in(text);
  std::ostringstream out;
  batch::QuietStatus quiet;
  try {
    const auto r = batch::run_batch(in, out, quiet, o, builtin_catalog());
    if (r.failed > r.rows || r.over_budget > r.rows) {
      std::abort();
    }
    // Rows out equal rows in: in JSONL output every row is exactly one line.
    if (o.output == batch::OutputFormat::jsonl) {
      const std::string s = out.str();
      std::size_t lines = 0;
      for (char c : s) {
        lines += c == '\n' ? 1U : 0U;
      }
      if (lines != r.rows) {
        std::abort();
      }
    }
  } catch (const InputError&) {
  }
  return 0;
}
