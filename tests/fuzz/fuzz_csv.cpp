// libFuzzer harness: batch CSV input (RFC 4180 reader) and the core CsvReader. Whatever the
// bytes, the batch run completes or fails as a whole with InputError (a bad header), writes one
// row per record, and -- where the text holds no quote, so that records are lines -- exactly
// one row per non-blank line after the header, for LF, CRLF and lone-CR line ends alike. The
// core reader throws nothing but InputError.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "batch/engine.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"

namespace {

bool blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string::npos;
}

// The non-blank lines of `text` (ends: LF, CRLF, lone CR), after a leading byte-order mark.
std::size_t nonblank_lines(std::string text) {
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) {
    text.erase(0, 3);
  }
  std::size_t n = 0;
  std::string line;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n' || text[i] == '\r') {
      n += blank(line) ? 0U : 1U;
      line.clear();
      if (i < text.size() && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
        ++i;
      }
    } else {
      line += text[i];
    }
  }
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace llm_energy;
  if (size == 0) {
    return 0;
  }
  // The first byte picks the output format; the rest is the CSV text.
  const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
  batch::BatchOptions o;
  o.input = batch::InputFormat::csv;
  o.output = static_cast<batch::OutputFormat>(data[0] % 3);
  std::istringstream in(text);
  std::ostringstream out;
  batch::QuietStatus quiet;
  try {
    const auto r = batch::run_batch(in, out, quiet, o, builtin_catalog());
    if (r.failed > r.rows) {
      std::abort();
    }
    if (o.output == batch::OutputFormat::jsonl) {
      std::size_t lines = 0;
      for (char c : out.str()) {
        lines += c == '\n' ? 1U : 0U;
      }
      if (lines != r.rows) {
        std::abort();
      }
    }
    // Without quotes a record is a line: rows out = non-blank lines after the header.
    const std::size_t lines = nonblank_lines(text);
    if (text.find('"') == std::string::npos && lines > 0 && r.rows != lines - 1) {
      std::abort();
    }
  } catch (const InputError&) {
  }
  try {
    CsvReader reader(text);
    std::vector<std::string> fields;
    std::size_t line = 0;
    std::size_t last = 0;
    while (reader.next(fields, line)) {
      if (line < last || fields.empty()) {
        std::abort();
      }
      last = line;
    }
  } catch (const InputError&) {
  }
  return 0;
}
