#pragma once
// How batch and sweep report progress: to an interface, as ninja's build reports to Status; the
// CLI draws it on a terminal. Called from the thread that writes the output.
#include <cstddef>

namespace llm_energy::batch {

class Status {
 public:
  virtual ~Status() = default;
  // `rows` rows are written so far (called often: implementations throttle themselves).
  virtual void rows_done(std::size_t rows) = 0;
  // The run is over after `rows` rows.
  virtual void finished(std::size_t rows) = 0;
};

// A Status that reports nothing.
class QuietStatus final : public Status {
 public:
  void rows_done(std::size_t /*rows*/) override {}
  void finished(std::size_t /*rows*/) override {}
};

}  // namespace llm_energy::batch
