#include "cli/progress.hpp"

#include "cli/options.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

namespace llm_energy::cli {

TerminalProgress::TerminalProgress(std::ostream& err, bool on)
    : m_err(err), m_on(on), m_start(std::chrono::steady_clock::now()), m_last(m_start) {}

void TerminalProgress::rows_done(std::size_t rows) {
  if (!m_on || (rows & 63U) != 0) {  // look at the clock every 64 rows
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - m_last >= std::chrono::milliseconds(250)) {
    m_last = now;
    draw(rows, now);
  }
}

void TerminalProgress::finished(std::size_t rows) {
  if (!m_on) {
    return;
  }
  draw(rows, std::chrono::steady_clock::now());
  m_err << "\n";
  m_err.flush();
}

void TerminalProgress::draw(std::size_t rows, std::chrono::steady_clock::time_point now) {
  const double secs = std::chrono::duration<double>(now - m_start).count();
  const double rate = secs > 0 ? static_cast<double>(rows) / secs : 0.0;
  m_err << fmt::format("\rllm-energy: {} rows, {:.0f} rows/s   ", rows, rate);
  m_err.flush();
}

bool progress_wanted(const std::ostream& err) {
  return &err == &std::cerr && ::isatty(STDERR_FILENO) == 1 && !plain_terminal();
}

}  // namespace llm_energy::cli
