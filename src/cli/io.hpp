#pragma once
// File I/O for the CLI: whole-file reads with one-line errors, and atomic writes.
#include <fstream>
#include <string>
#include <string_view>

namespace llm_energy::cli {

// Return the contents of `path` ("-" reads standard input); throws InputError naming the
// path when it is missing, a directory, or unreadable.
[[nodiscard]] std::string read_file(const std::string& path);

// Write `text` to `path` through a temporary file in the same directory and a rename, so a
// failure never leaves a partial file; throws InputError when the path is not writable.
void write_file_atomic(const std::string& path, std::string_view text);

// A streaming variant of write_file_atomic: write to stream() (a temporary file in the same
// directory as `path`, named like write_file_atomic's), then commit() renames it onto `path`.
// When destroyed without commit() (an error aborted the command), the temporary is removed,
// so `path` is never left partially written. Throws InputError when the path is not writable.
class AtomicOutputFile {
 public:
  explicit AtomicOutputFile(const std::string& path);
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  ~AtomicOutputFile();

  [[nodiscard]] std::ostream& stream() { return m_out; }
  // Flush, close and rename onto the target; throws InputError when that fails.
  void commit();

 private:
  std::string m_path;
  std::string m_tmp;
  std::ofstream m_out;
  bool m_done = false;
};

// Run `body(stream)` on `out` ("" or "-" for `path`) or on a file written atomically, and
// return its result.
template <class F>
auto with_output(const std::string& path, std::ostream& out, F&& body) {
  if (path.empty() || path == "-") {
    return body(out);
  }
  AtomicOutputFile file(path);
  auto r = body(file.stream());
  file.commit();
  return r;
}

}  // namespace llm_energy::cli
