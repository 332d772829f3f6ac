#include "cli/io.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "llm_energy/error.hpp"

namespace llm_energy::cli {
namespace {

std::string errno_text(int err) {
  return std::strerror(err);
}

// ---- Temporary files removed on SIGINT, SIGTERM and SIGHUP ----
// A fixed table (no allocation, no locks): the handler unlinks every path in use, restores the
// default action and raises the signal again, so the exit status still says what killed us.
constexpr std::size_t k_max_temp_path = 4096;
struct TempSlot {
  std::atomic<bool> used{false};
  std::array<char, k_max_temp_path> path{};
};
std::array<TempSlot, 8> g_temps;
std::atomic<bool> g_handlers_installed{false};
constexpr std::array<int, 3> k_fatal_signals = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temps_and_reraise(int sig) {
  for (auto& t : g_temps) {
    if (t.used.load()) {
      (void)::unlink(t.path.data());
    }
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  sigaction(sig, &dfl, nullptr);
  (void)raise(sig);  // delivered when the handler returns (the signal is blocked until then)
}

void install_handlers() {
  if (g_handlers_installed.exchange(true)) {
    return;
  }
  for (int sig : k_fatal_signals) {
    struct sigaction old {};
    if (sigaction(sig, nullptr, &old) != 0 || old.sa_handler == SIG_IGN) {
      continue;  // an ignored signal (nohup, a background job) stays ignored
    }
    struct sigaction sa {};
    sa.sa_handler = remove_temps_and_reraise;
    sigfillset(&sa.sa_mask);
    sigaction(sig, &sa, nullptr);
  }
}

int register_temp(const std::string& path) {
  if (path.size() >= k_max_temp_path) {
    return -1;
  }
  for (std::size_t i = 0; i < g_temps.size(); ++i) {
    auto& t = g_temps[i];
    if (!t.used.load()) {
      std::memcpy(t.path.data(), path.c_str(), path.size() + 1);
      t.used.store(true);
      return static_cast<int>(i);
    }
  }
  return -1;
}

void unregister_temp(int slot) {
  if (slot >= 0) {
    g_temps[static_cast<std::size_t>(slot)].used.store(false);
  }
}

// Block the fatal signals while a temporary is created and registered.
class BlockFatalSignals {
 public:
  BlockFatalSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : k_fatal_signals) {
      sigaddset(&set, sig);
    }
    pthread_sigmask(SIG_BLOCK, &set, &m_old);
  }
  BlockFatalSignals(const BlockFatalSignals&) = delete;
  BlockFatalSignals& operator=(const BlockFatalSignals&) = delete;
  ~BlockFatalSignals() { pthread_sigmask(SIG_SETMASK, &m_old, nullptr); }

 private:
  sigset_t m_old{};
};

// The descriptor a path names by itself (/dev/stdout, /dev/fd/N, /proc/self/fd/N), or -1.
int named_descriptor(const std::string& p) {
  if (p == "/dev/stdin") {
    return 0;
  }
  if (p == "/dev/stdout") {
    return 1;
  }
  if (p == "/dev/stderr") {
    return 2;
  }
  const std::string prefixes[] = {"/dev/fd/", "/proc/self/fd/",
                                  "/proc/" + std::to_string(::getpid()) + "/fd/"};
  for (const auto& prefix : prefixes) {
    if (p.size() > prefix.size() && p.size() <= prefix.size() + 9 &&
        p.compare(0, prefix.size(), prefix) == 0 &&
        p.find_first_not_of("0123456789", prefix.size()) == std::string::npos) {
      return std::atoi(p.c_str() + prefix.size());
    }
  }
  return -1;
}

std::string parent_of(const std::string& p) {
  const auto slash = p.rfind('/');
  if (slash == std::string::npos) {
    return "";
  }
  return slash == 0 ? "/" : p.substr(0, slash);
}

std::string read_fd(int fd, const std::string& name) {
  std::string text;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n < 0) {
      throw InputError(name + ": read error (" + errno_text(errno) + ")");
    }
    if (n == 0) {
      return text;
    }
    if (text.size() + static_cast<std::size_t>(n) > k_max_input_file_bytes) {
      throw InputError(name + ": is larger than 16 MiB; not a settings or catalog file");
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
}

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  [[nodiscard]] int get() const { return m_fd; }

 private:
  int m_fd;
};

}  // namespace

// ---- Reading ----

void require_readable_stdin() {
  const int flags = ::fcntl(STDIN_FILENO, F_GETFL);
  if (flags == -1 || (flags & O_ACCMODE) == O_WRONLY) {
    throw InputError("standard input is closed (nothing to read; give a FILE or pipe the input in)");
  }
}

std::string read_file(const std::string& path) {
  if (path == "-") {
    require_readable_stdin();
    return read_fd(STDIN_FILENO, "standard input");
  }
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      throw InputError(path + ": no such file");
    }
    throw InputError(path + ": cannot be read (" + errno_text(errno) + ")");
  }
  if (S_ISDIR(st.st_mode)) {
    throw InputError(path + ": is a directory, not a file");
  }
  if (S_ISREG(st.st_mode) && static_cast<std::uintmax_t>(st.st_size) > k_max_input_file_bytes) {
    throw InputError(path + ": is larger than 16 MiB; not a settings or catalog file");
  }
  const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
  if (fd.get() < 0) {
    throw InputError(path + ": cannot be read (" + errno_text(errno) + ")");
  }
  // The cap is enforced while reading: devices and FIFOs report a size of 0.
  return read_fd(fd.get(), path);
}

// ---- Streams over descriptors ----

FdOutBuf::FdOutBuf(int fd, std::size_t buffer) : m_fd(fd), m_buf(buffer > 0 ? buffer : 1) {
  setp(m_buf.data(), m_buf.data() + m_buf.size());
}

FdOutBuf::~FdOutBuf() {
  (void)drain();
}

void FdOutBuf::fail(int err) {
  m_error = err;
  setp(m_buf.data(), m_buf.data() + m_buf.size());
}

bool FdOutBuf::write_all(const char* p, std::size_t n) {
  if (m_error != 0) {
    return false;
  }
  if (m_fd < 0 && n > 0) {
    if (!m_open) {
      m_error = EBADF;
      return false;
    }
    m_fd = m_open();
    if (m_fd < 0) {
      m_error = errno != 0 ? errno : EBADF;
      return false;
    }
  }
  while (n > 0) {
    const ssize_t w = ::write(m_fd, p, n);
    if (w < 0 && errno == EINTR) {
      continue;
    }
    if (w <= 0) {
      m_error = w < 0 ? errno : EIO;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool FdOutBuf::drain() {
  const auto n = static_cast<std::size_t>(pptr() - pbase());
  const bool ok = write_all(pbase(), n);
  setp(m_buf.data(), m_buf.data() + m_buf.size());
  return ok;
}

FdOutBuf::int_type FdOutBuf::overflow(int_type c) {
  if (!drain()) {
    return traits_type::eof();
  }
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

std::streamsize FdOutBuf::xsputn(const char* s, std::streamsize n) {
  if (m_error != 0 || n <= 0) {
    return m_error != 0 ? 0 : n;
  }
  const auto len = static_cast<std::size_t>(n);
  const auto room = static_cast<std::size_t>(epptr() - pptr());
  if (len <= room) {
    std::memcpy(pptr(), s, len);
    pbump(static_cast<int>(len));
    return n;
  }
  if (!drain()) {
    return 0;
  }
  if (len >= m_buf.size()) {
    return write_all(s, len) ? n : 0;
  }
  std::memcpy(pptr(), s, len);
  pbump(static_cast<int>(len));
  return n;
}

int FdOutBuf::sync() {
  return drain() ? 0 : -1;
}

FdInBuf::FdInBuf(int fd, std::size_t buffer) : m_fd(fd), m_buf(buffer > 0 ? buffer : 1) {}

FdInBuf::int_type FdInBuf::underflow() {
  if (gptr() < egptr()) {
    return traits_type::to_int_type(*gptr());
  }
  if (m_error != 0) {
    return traits_type::eof();
  }
  ssize_t n = 0;
  do {
    n = ::read(m_fd, m_buf.data(), m_buf.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) {
    m_error = errno;
    return traits_type::eof();
  }
  if (n == 0) {
    return traits_type::eof();
  }
  setg(m_buf.data(), m_buf.data(), m_buf.data() + n);
  return traits_type::to_int_type(*gptr());
}

void check_written(std::ostream& out, std::string_view name) {
  out.flush();
  if (!out.fail()) {
    return;
  }
  const auto* buf = dynamic_cast<const FdOutBuf*>(out.rdbuf());
  const std::string reason = buf != nullptr && buf->error() != 0 ? errno_text(buf->error()) : "write failed";
  throw WriteError(std::string(name) + ": cannot write (" + reason + ")");
}

// ---- Output files ----

AtomicOutputFile::AtomicOutputFile(const std::string& path) : m_path(path), m_buf(-1), m_out(&m_buf) {
  if (path.empty()) {
    throw InputError("--output: empty file name");
  }
  // Follow symbolic links to the file finally named (at most 40, as the kernel does).
  std::string p = path;
  struct stat st {};
  bool exists = false;
  for (int hops = 0;; ++hops) {
    if (const int fd = named_descriptor(p); fd >= 0) {
      m_kind = Kind::descriptor;
      m_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
      if (m_fd < 0) {
        throw InputError(path + ": cannot write (" + errno_text(errno) + ")");
      }
      m_buf.set_fd(m_fd);
      return;
    }
    if (::lstat(p.c_str(), &st) != 0) {
      if (errno != ENOENT) {
        throw InputError(path + ": cannot write (" + errno_text(errno) + ")");
      }
      break;  // a new file
    }
    if (!S_ISLNK(st.st_mode)) {
      exists = true;
      break;
    }
    if (hops == 40) {
      throw InputError(path + ": cannot write (too many levels of symbolic links)");
    }
    std::string link(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 255) + 1, '\0');
    ssize_t n = 0;
    while ((n = ::readlink(p.c_str(), link.data(), link.size())) >= static_cast<ssize_t>(link.size())) {
      link.resize(link.size() * 2);
    }
    if (n < 0) {
      throw InputError(path + ": cannot write (" + errno_text(errno) + ")");
    }
    link.resize(static_cast<std::size_t>(n));
    if (!link.empty() && link[0] != '/') {
      const std::string dir = parent_of(p);
      link = dir.empty() ? link : (dir == "/" ? "/" : dir + "/") + link;
    }
    p = link;
  }
  m_target = p;
  if (exists && S_ISDIR(st.st_mode)) {
    throw InputError(path + ": is a directory, not a file");
  }
  if (exists && S_ISBLK(st.st_mode)) {
    throw InputError(path +
                     ": is a block device; --output writes regular files, character devices and FIFOs");
  }
  if (exists && !S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode) && !S_ISFIFO(st.st_mode)) {
    throw InputError(path +
                     ": is a socket or other special file; --output writes regular files, character "
                     "devices and FIFOs");
  }
  if (exists && !S_ISREG(st.st_mode)) {
    // A device or FIFO: written through, opened when the first byte is written (opening a FIFO
    // waits for its reader; a probe that writes nothing must not connect and hang up).
    if (::access(p.c_str(), W_OK) != 0) {
      throw InputError(path + ": cannot write (" + errno_text(errno) + ")");
    }
    m_kind = Kind::through;
    m_buf.open_with([this] {
      m_fd = ::open(m_target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
      return m_fd;
    });
    return;
  }
  // A regular file, or a new one: a short temporary name in its directory (a 255-byte name
  // stays legal), renamed onto it at commit.
  const std::string dir = parent_of(p);
  std::string tmp = (dir.empty() ? std::string() : dir == "/" ? dir : dir + "/") + ".llm-energy-XXXXXX";
  int err = 0;
  {
    const BlockFatalSignals blocked;
    install_handlers();
    m_fd = ::mkostemp(tmp.data(), O_CLOEXEC);
    err = errno;
    if (m_fd >= 0) {
      m_slot = register_temp(tmp);
    }
  }
  if (m_fd < 0) {
    throw InputError(path + ": cannot write (" + errno_text(err) + ")");
  }
  m_tmp = tmp;
  mode_t mode = 0;
  if (exists) {
    mode = st.st_mode & 07777;
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    mode = 0666 & ~mask;
  }
  (void)::fchmod(m_fd, mode);
  m_buf.set_fd(m_fd);
}

AtomicOutputFile::~AtomicOutputFile() {
  if (m_done) {
    return;
  }
  m_buf.fail(ECANCELED);  // drop what is buffered; never open a write-through target now
  if (m_fd >= 0) {
    ::close(m_fd);
  }
  if (m_kind == Kind::temporary && !m_tmp.empty()) {
    ::unlink(m_tmp.c_str());
  }
  unregister_temp(m_slot);
}

void AtomicOutputFile::commit() {
  m_done = true;
  m_out.flush();
  int err = m_buf.error();
  if (err == 0 && m_out.fail()) {
    err = EIO;
  }
  if (err == 0 && m_kind == Kind::through && m_fd < 0) {
    // Nothing was written: open it anyway (an empty output, as a shell's '>' would give).
    m_fd = ::open(m_target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    if (m_fd < 0) {
      err = errno;
    }
  }
  m_buf.set_fd(-1);
  if (m_fd >= 0) {
    if (::close(m_fd) != 0 && err == 0 && errno != EINTR) {
      err = errno;
    }
    m_fd = -1;
  }
  if (err == 0 && m_kind == Kind::temporary && ::rename(m_tmp.c_str(), m_target.c_str()) != 0) {
    err = errno;
  }
  if (err != 0 && m_kind == Kind::temporary) {
    ::unlink(m_tmp.c_str());
  }
  unregister_temp(m_slot);
  m_slot = -1;
  if (err != 0) {
    throw WriteError(m_path + ": cannot write (" + errno_text(err) + ")");
  }
}

void write_file_atomic(const std::string& path, std::string_view text) {
  AtomicOutputFile f(path);
  f.stream().write(text.data(), static_cast<std::streamsize>(text.size()));
  f.commit();
}

// ---- The standard descriptors ----

StandardStreams::StandardStreams() : m_out(STDOUT_FILENO) {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) == -1 && errno == EBADF) {
      const int n = ::open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY);
      if (n >= 0 && n != fd) {
        ::dup2(n, fd);
        ::close(n);
      }
    }
  }
  m_saved = std::cout.rdbuf(&m_out);
}

StandardStreams::~StandardStreams() {
  std::cout.flush();
  std::cout.rdbuf(m_saved);
}

}  // namespace llm_energy::cli
