#pragma once
// Progress of batch and sweep on a terminal: "llm-energy: N rows, R rows/s", redrawn at most
// every 250 ms on standard error, only when it is a terminal.
#include <chrono>
#include <ostream>

#include "batch/status.hpp"

namespace llm_energy::cli {

class TerminalProgress final : public batch::Status {
 public:
  // Draws only when `on` (the CLI sets it when standard error is a terminal).
  TerminalProgress(std::ostream& err, bool on);
  void rows_done(std::size_t rows) override;
  void finished(std::size_t rows) override;

 private:
  void draw(std::size_t rows, std::chrono::steady_clock::time_point now);
  std::ostream& m_err;
  bool m_on;
  std::chrono::steady_clock::time_point m_start;
  std::chrono::steady_clock::time_point m_last;
};

// True when `err` is the process's standard error and that is a terminal.
[[nodiscard]] bool progress_wanted(const std::ostream& err);

}  // namespace llm_energy::cli
