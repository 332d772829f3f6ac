#pragma once
// File I/O for the CLI: whole-file reads with one-line errors, and atomic writes.
#include <string>
#include <string_view>

namespace llm_energy::cli {

// Return the contents of `path` ("-" reads standard input); throws InputError naming the
// path when it is missing, a directory, or unreadable.
[[nodiscard]] std::string read_file(const std::string& path);

// Write `text` to `path` through a temporary file in the same directory and a rename, so a
// failure never leaves a partial file; throws InputError when the path is not writable.
void write_file_atomic(const std::string& path, std::string_view text);

}  // namespace llm_energy::cli
