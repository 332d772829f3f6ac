#pragma once
// File I/O for the CLI: bounded whole-file reads with one-line errors, checked writes to
// standard output and to --output files, and the standard descriptors' set-up.
//
// Output policy (README "Output files, special files and exit codes"):
//   * "-" (or no --output) and /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N (also
//     through symlinks) write to that open descriptor: no truncation, no rename, so
//     `-o /dev/stdout >> log` appends as `>> log` does.
//   * A symbolic link is followed: the file it finally names is written, the link stays.
//   * A character device or a FIFO is written through (opened when the first byte is written,
//     never replaced); a block device, a socket or a directory is refused.
//   * A regular file (or a new one) is written to a short temporary name in its directory
//     (.llm-energy-XXXXXX) and renamed onto it once complete, keeping the old file's mode; on
//     an error, SIGINT, SIGTERM or SIGHUP the temporary is removed.
//   * Every write, the flush and the close are checked; a failure throws WriteError, which
//     cli::run reports as one line with exit code k_exit_write_failed.
#include <cstddef>
#include <functional>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

namespace llm_energy::cli {

// The exit code of a command whose output could not be written (documented in the README).
inline constexpr int k_exit_write_failed = 4;

// The output could not be written (disk full, closed descriptor, broken pipe, ...).
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The most a settings, catalog, dataset or intensity file may hold.
inline constexpr std::size_t k_max_input_file_bytes = std::size_t{16} << 20;

// Return the contents of `path` ("-" reads standard input), at most k_max_input_file_bytes,
// counted while reading (devices and FIFOs report no size); throws InputError naming the path
// when it is missing, a directory, unreadable, or larger than that.
[[nodiscard]] std::string read_file(const std::string& path);

// Throws InputError when standard input is closed or not open for reading.
void require_readable_stdin();

// A streambuf writing to a file descriptor through a buffer. A failed write (after retries on
// EINTR and short writes) is remembered with its errno and makes every later write fail, so a
// stream over it goes bad and stays bad.
class FdOutBuf : public std::streambuf {
 public:
  explicit FdOutBuf(int fd, std::size_t buffer = std::size_t{1} << 16);
  FdOutBuf(const FdOutBuf&) = delete;
  FdOutBuf& operator=(const FdOutBuf&) = delete;
  ~FdOutBuf() override;

  // The errno of the first failed write; 0 when none failed.
  [[nodiscard]] int error() const { return m_error; }
  void set_fd(int fd) { m_fd = fd; }
  [[nodiscard]] int fd() const { return m_fd; }
  // With no descriptor yet, call `open` (returning a descriptor, or -1 with errno set) when
  // the first bytes are written.
  void open_with(std::function<int()> open) { m_open = std::move(open); }
  // Make every later write fail with `err` (and drop what is buffered).
  void fail(int err);

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool drain();
  bool write_all(const char* p, std::size_t n);
  int m_fd;
  int m_error = 0;
  std::vector<char> m_buf;
  std::function<int()> m_open;
};

// A streambuf reading a file descriptor in large blocks; a failed read is remembered with its
// errno and reads as the end of the input (check error() at the end).
class FdInBuf : public std::streambuf {
 public:
  explicit FdInBuf(int fd, std::size_t buffer = std::size_t{1} << 16);
  [[nodiscard]] int error() const { return m_error; }

 protected:
  int_type underflow() override;

 private:
  int m_fd;
  int m_error = 0;
  std::vector<char> m_buf;
};

// Flush `out` and throw WriteError ("NAME: cannot write (reason)") when anything written to it
// failed. The reason is the errno when `out` writes through an FdOutBuf.
void check_written(std::ostream& out, std::string_view name);

// Write `text` to `path` (see the policy above); throws InputError when the path cannot be an
// output (a directory, a block device, a missing directory, no permission) and WriteError when
// writing fails.
void write_file_atomic(const std::string& path, std::string_view text);

// The streaming form: write to stream(), then commit(). Destroyed without commit() (an error
// aborted the command), a temporary is removed and `path` is untouched. The constructor checks
// the target and creates the temporary (throws InputError as write_file_atomic).
class AtomicOutputFile {
 public:
  explicit AtomicOutputFile(const std::string& path);
  AtomicOutputFile(const AtomicOutputFile&) = delete;
  AtomicOutputFile& operator=(const AtomicOutputFile&) = delete;
  ~AtomicOutputFile();

  [[nodiscard]] std::ostream& stream() { return m_out; }
  // True once a write to the stream failed (a batch stops computing rows then).
  [[nodiscard]] bool failed() const { return m_buf.error() != 0 || m_out.fail(); }
  // Flush, close and (for a temporary) rename onto the target; throws WriteError on failure.
  void commit();

 private:
  enum class Kind { temporary, through, descriptor };
  std::string m_path;    // as given (messages)
  std::string m_target;  // after following symbolic links
  std::string m_tmp;     // Kind::temporary
  Kind m_kind = Kind::temporary;
  int m_fd = -1;
  int m_slot = -1;  // the temporary's slot in the signal handlers' list
  bool m_done = false;
  FdOutBuf m_buf;
  std::ostream m_out;
};

// Run `body(stream)` on `out` ("" or "-" for `path`) or on a file written atomically; check
// that everything was written (WriteError otherwise) and return body's result.
template <class F>
auto with_output(const std::string& path, std::ostream& out, F&& body) {
  if (path.empty() || path == "-") {
    auto r = body(out);
    check_written(out, "standard output");
    return r;
  }
  AtomicOutputFile file(path);
  auto r = body(file.stream());
  file.commit();
  return r;
}

// For main(): open /dev/null in place of a closed standard descriptor (read-only for standard
// output and error, write-only for standard input, so that using it fails with EBADF as a
// closed one does, while no file opened later can take its number), and send std::cout through
// an FdOutBuf over descriptor 1 so that a failed write is seen with its reason.
class StandardStreams {
 public:
  StandardStreams();
  StandardStreams(const StandardStreams&) = delete;
  StandardStreams& operator=(const StandardStreams&) = delete;
  ~StandardStreams();

 private:
  FdOutBuf m_out;
  std::streambuf* m_saved = nullptr;
};

}  // namespace llm_energy::cli
