#pragma once
// Exceptions thrown by the core. The CLI catches them once and maps them to exit codes.
#include <stdexcept>
#include <string>

namespace llm_energy {

// Bad input from the user: a value, a file's content, a flag combination (exit code 2).
class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace llm_energy
