// cli/io: checked writes, the --output policy (devices, FIFOs, symlinks, descriptors, long
// names, temporaries) and bounded reads (issue 17).
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "cli/app.hpp"
#include "cli/io.hpp"
#include "llm_energy/error.hpp"

using namespace llm_energy;
using namespace llm_energy::cli;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

// A fresh directory, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "llm-energy-io-XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path / name).string(); }
  // The names in the directory that look like temporaries.
  [[nodiscard]] std::size_t temporaries() const {
    std::size_t n = 0;
    for (const auto& e : fs::directory_iterator(path)) {
      const std::string name = e.path().filename().string();
      n += name.rfind(".llm-energy-", 0) == 0 || name.find(".tmp.") != std::string::npos ? 1U : 0U;
    }
    return n;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A streambuf whose writes always fail (as a full disk's).
class FailingBuf : public std::streambuf {
 protected:
  int_type overflow(int_type) override { return traits_type::eof(); }
  std::streamsize xsputn(const char*, std::streamsize) override { return 0; }
};

}  // namespace

TEST_CASE("FdOutBuf keeps the errno of a failed write, and check_written reports it", "[io]") {
  if (!fs::exists("/dev/full")) {
    WARN("no /dev/full: skipped");
    return;
  }
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  REQUIRE(fd >= 0);
  {
    FdOutBuf buf(fd, 16);
    std::ostream out(&buf);
    out << "more than sixteen bytes of output";
    CHECK_THROWS_MATCHES(check_written(out, "standard output"), WriteError,
                         Catch::Matchers::Message("standard output: cannot write (No space left on device)"));
    CHECK(buf.error() == ENOSPC);
  }
  ::close(fd);
}

TEST_CASE("check_written: a stream that went bad throws WriteError, a good one does not", "[io]") {
  std::ostringstream good;
  good << "x";
  CHECK_NOTHROW(check_written(good, "standard output"));
  FailingBuf bad_buf;
  std::ostream bad(&bad_buf);
  bad << "x";
  CHECK_THROWS_MATCHES(check_written(bad, "standard output"), WriteError,
                       Catch::Matchers::Message("standard output: cannot write (write failed)"));
}

TEST_CASE("cli::run: a command whose output cannot be written exits 4 with one line", "[io]") {
  FailingBuf bad_buf;
  std::ostream out(&bad_buf);
  std::ostringstream err;
  const char* argv[] = {"llm-energy", "estimate", "--params", "1e9", "--tokens", "1e8"};
  CHECK(run(6, argv, out, err) == k_exit_write_failed);
  CHECK(err.str() == "llm-energy: error: standard output: cannot write (write failed)\n");
  std::ostringstream err2;
  const char* help[] = {"llm-energy", "batch", "--help"};
  CHECK(run(3, help, out, err2) == k_exit_write_failed);
}

TEST_CASE("output file: a regular file is replaced whole, through a short temporary", "[io]") {
  const TempDir d;
  const std::string target = d.file("out.csv");
  { std::ofstream(target) << "old"; }
  ::chmod(target.c_str(), 0640);
  write_file_atomic(target, "new");
  CHECK(slurp(target) == "new");
  struct stat st {};
  REQUIRE(::stat(target.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);  // the old file's mode is kept
  CHECK(d.temporaries() == 0);
  // A 255-byte name (the most a name may have): the temporary's name is short.
  const std::string long_name = d.file(std::string(251, 'n') + ".csv");
  write_file_atomic(long_name, "long");
  CHECK(slurp(long_name) == "long");
  CHECK(d.temporaries() == 0);
}

TEST_CASE("output file: an aborted write leaves the target untouched and no temporary", "[io]") {
  const TempDir d;
  const std::string target = d.file("out.csv");
  { std::ofstream(target) << "old"; }
  {
    AtomicOutputFile f(target);
    f.stream() << "partial";
    CHECK(d.temporaries() == 1);
  }  // destroyed without commit (an error aborted the command)
  CHECK(slurp(target) == "old");
  CHECK(d.temporaries() == 0);
}

TEST_CASE("output file: a symlink is followed, the link stays and its target is written", "[io]") {
  const TempDir d;
  { std::ofstream(d.file("real.csv")) << "old"; }
  fs::create_directory(d.path / "sub");
  fs::create_symlink("../real.csv", d.path / "sub" / "link.csv");  // relative to the link's directory
  fs::create_symlink("sub/link.csv", d.path / "chain.csv");        // a link to a link
  write_file_atomic(d.file("chain.csv"), "new");
  CHECK(fs::is_symlink(d.path / "chain.csv"));
  CHECK(fs::is_symlink(d.path / "sub" / "link.csv"));
  CHECK(slurp(d.file("real.csv")) == "new");
  // A dangling link creates its target.
  fs::create_symlink("made.csv", d.path / "dangling.csv");
  write_file_atomic(d.file("dangling.csv"), "made");
  CHECK(fs::is_symlink(d.path / "dangling.csv"));
  CHECK(slurp(d.file("made.csv")) == "made");
  // A loop is an error, not a hang.
  fs::create_symlink("loop-b", d.path / "loop-a");
  fs::create_symlink("loop-a", d.path / "loop-b");
  CHECK_THROWS_WITH(write_file_atomic(d.file("loop-a"), "x"), Contains("too many levels of symbolic links"));
  CHECK(d.temporaries() == 0);
}

TEST_CASE("output file: a FIFO and a character device are written through, never replaced", "[io]") {
  const TempDir d;
  const std::string fifo = d.file("fifo");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // Open the reading end first (non-blocking), so the writer's open does not wait.
  const int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK);
  REQUIRE(reader >= 0);
  write_file_atomic(fifo, "through the pipe");
  char buf[64] = {};
  const ssize_t n = ::read(reader, buf, sizeof buf);
  ::close(reader);
  CHECK(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0) == "through the pipe");
  struct stat st {};
  REQUIRE(::lstat(fifo.c_str(), &st) == 0);
  CHECK(S_ISFIFO(st.st_mode));
  // A probe that writes nothing does not open the FIFO (it would wait for a reader, and
  // connect and hang up on one).
  { const AtomicOutputFile probe(fifo); }
  CHECK(d.temporaries() == 0);

  // A private null device where mknod is allowed (never /dev/null itself).
  const std::string null = d.file("null");
  if (::mknod(null.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
    write_file_atomic(null, "gone");
    REQUIRE(::lstat(null.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
    CHECK(d.temporaries() == 0);
  }
  const std::string full = d.file("full");
  if (::mknod(full.c_str(), S_IFCHR | 0666, makedev(1, 7)) == 0) {
    CHECK_THROWS_MATCHES(write_file_atomic(full, "x"), WriteError,
                         Catch::Matchers::Message(full + ": cannot write (No space left on device)"));
    REQUIRE(::lstat(full.c_str(), &st) == 0);
    CHECK(S_ISCHR(st.st_mode));
  }
}

TEST_CASE("output file: a directory and a missing directory are refused before anything is written", "[io]") {
  const TempDir d;
  CHECK_THROWS_WITH(write_file_atomic(d.path.string(), "x"), Contains("is a directory, not a file"));
  CHECK_THROWS_WITH(write_file_atomic(d.file("no/such/dir/out.csv"), "x"),
                    Contains("cannot write (No such file or directory)"));
  CHECK_THROWS_AS(write_file_atomic("", "x"), InputError);
}

TEST_CASE("output file: /dev/fd/N writes to that descriptor, at its offset, without truncating", "[io]") {
  const TempDir d;
  const std::string log = d.file("log");
  { std::ofstream(log) << "first\n"; }
  const int fd = ::open(log.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  REQUIRE(fd >= 0);
  write_file_atomic("/dev/fd/" + std::to_string(fd), "second\n");
  write_file_atomic("/proc/self/fd/" + std::to_string(fd), "third\n");
  ::close(fd);
  CHECK(slurp(log) == "first\nsecond\nthird\n");
  CHECK_THROWS_WITH(write_file_atomic("/dev/fd/987", "x"), Contains("cannot write (Bad file descriptor)"));
}

TEST_CASE("read_file: the 16 MiB cap holds for devices, which report no size", "[io]") {
  if (fs::exists("/dev/zero")) {
    CHECK_THROWS_WITH(read_file("/dev/zero"), Contains("/dev/zero: is larger than 16 MiB"));
  }
  const TempDir d;
  CHECK_THROWS_WITH(read_file(d.file("missing.json")), Contains("no such file"));
  CHECK_THROWS_WITH(read_file(d.path.string()), Contains("is a directory"));
  { std::ofstream(d.file("small.json")) << "{}"; }
  CHECK(read_file(d.file("small.json")) == "{}");
  {
    std::ofstream big(d.file("big.json"), std::ios::binary);
    const std::string chunk(1 << 20, ' ');
    for (int i = 0; i < 17; ++i) {
      big << chunk;
    }
  }
  CHECK_THROWS_WITH(read_file(d.file("big.json")), Contains("is larger than 16 MiB"));
}
