// The batch runner in-process: row count and order with bad rows mixed in, formats, sweeps.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "batch/engine.hpp"
#include "batch/sweep.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"

using namespace llm_energy;
using namespace llm_energy::batch;

namespace {

QuietStatus quiet;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("batch keeps every row, in order, with bad rows mixed in", "[batch]") {
  std::string input;
  const int n = 1000;
  for (int i = 1; i <= n; ++i) {
    if (i % 7 == 0) {
      input += (i % 14 == 0) ? "{\"params\": 1e9, \"tokens\": \n" : "{\"params\": 1e9, \"tokenz\": 1e8}\n";
    } else {
      input += "{\"id\": \"r" + std::to_string(i) + "\", \"params\": 1e9, \"tokens\": " + std::to_string(i) +
               "e6}\n";
    }
    if (i % 100 == 0) {
      input += "\n";  // blank lines are skipped and are not rows
    }
  }
  std::istringstream in(input);
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == static_cast<std::size_t>(n));
  CHECK(r.failed == static_cast<std::size_t>(n / 7));
  CHECK(r.exit_code() == 2);
  CHECK(err.str().empty());  // no progress unless asked for

  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == static_cast<std::size_t>(n));
  std::size_t prev_line = 0;
  for (int i = 1; i <= n; ++i) {
    const auto j = nlohmann::json::parse(rows[static_cast<std::size_t>(i - 1)]);
    const auto line = j.at("line").get<std::size_t>();
    CHECK(line > prev_line);
    prev_line = line;
    if (i % 7 == 0) {
      REQUIRE(j.contains("error"));
      CHECK(j.at("error").get<std::string>().rfind("line " + std::to_string(line) + ": ", 0) == 0);
      CHECK(j.at("id").get<std::size_t>() == line);
    } else {
      CHECK(j.at("id").get<std::string>() == "r" + std::to_string(i));
      CHECK(j.contains("training"));
      CHECK_FALSE(j.contains("assumptions"));
    }
  }
}

TEST_CASE("batch fail-fast stops at the first bad row and still writes it", "[batch]") {
  std::istringstream in(
      "{\"params\":1e9,\"tokens\":1e8}\n{\"params\":-1,\"tokens\":1e8}\n{\"params\":1e9,\"tokens\":1e8}\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.fail_fast = true;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 2);
  CHECK(r.exit_code() == 2);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 2);
  CHECK(rows[1].find("\"error\":\"line 2: params") != std::string::npos);
}

TEST_CASE("batch CSV: header, physical line numbers, wrong field counts, flags under rows", "[batch]") {
  std::istringstream in(
      "id,params,tokens,region\n"
      "a,1e9,1e8,\n"
      "\n"
      "b,7e9\n"
      "\"c,1\",7e9,1e11,FR\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::csv;
  set_field(o.base, "region", "US", Origin::flag);
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 3);
  CHECK(r.failed == 1);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].rfind("id,line,error,budget.within,version,", 0) == 0);
  CHECK(rows[1].rfind("a,2,,,", 0) == 0);
  CHECK(rows[1].find(",US,") != std::string::npos);  // the flag applies where the row is empty
  CHECK(rows[2].rfind("b,4,\"line 4: expected 4 fields", 0) == 0);
  CHECK(rows[3].rfind("\"c,1\",5,,,", 0) == 0);
  CHECK(rows[3].find(",FR,") != std::string::npos);  // the row wins over the flag
}

TEST_CASE("batch JSON array output is one array", "[batch]") {
  std::istringstream in("[{\"params\":1e9,\"tokens\":1e8}, 3, {\"params\":2e9,\"tokens\":1e8}]");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::json;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 3);
  CHECK(r.failed == 1);
  const auto doc = nlohmann::json::parse(out.str());
  REQUIRE(doc.size() == 3);
  CHECK(doc[1].contains("error"));
  CHECK(doc[2]["line"] == 3);
}

TEST_CASE("batch budgets: within flags per row, exit 1 when over", "[batch]") {
  std::istringstream in(
      "{\"id\":\"s\",\"params\":1e9,\"tokens\":1e8}\n{\"id\":\"l\",\"params\":70e9,\"tokens\":2e12}\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  set_field(o.base, "max_energy", "100MWh", Origin::flag);
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.exit_code() == 1);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 2);
  CHECK(nlohmann::json::parse(rows[0])["budget"]["within"] == true);
  CHECK(nlohmann::json::parse(rows[1])["budget"]["within"] == false);
}

TEST_CASE("sweep values: lists, geometric and arithmetic ranges, pass-through", "[sweep]") {
  CHECK(expand_sweep_value("tokens", "1e11:1e13:x10") ==
        std::vector<std::string>{"100000000000", "1000000000000", "10000000000000"});
  CHECK(expand_sweep_value("params", "1e9,7e9").size() == 2);
  CHECK(expand_sweep_value("mfu", "0.3:0.6:+0.1").size() == 4);  // stop included within tolerance
  CHECK(expand_sweep_value("chips", "8:64:x2,100").size() == 5);
  CHECK_FALSE(is_sweep_value("0.35:0.45"));
  CHECK_FALSE(is_sweep_value("0.3:0.4:0.5"));
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e11:1e10:x10"), InputError);
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e11:1e13:x1"), InputError);
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e11:1e13:+0"), InputError);
  CHECK_THROWS_AS(expand_sweep_value("tokens", "1e9,abc"), InputError);
  CHECK_THROWS_AS(
      sweep_size({{"a", std::vector<std::string>(5000, "1")}, {"b", std::vector<std::string>(5000, "1")}}),
      InputError);
}

TEST_CASE("sweep writes the cartesian product", "[sweep]") {
  SweepOptions o;
  o.axes = {{"params", expand_sweep_value("params", "1e9,7e9")},
            {"tokens", expand_sweep_value("tokens", "1e11:1e13:x10")},
            {"hardware", expand_sweep_value("hardware", "a100-sxm4-80gb,h100-sxm")}};
  std::ostringstream out;
  std::ostringstream err;
  const BatchResult r = run_sweep(out, quiet, o, builtin_catalog());
  CHECK(r.rows == 12);
  CHECK(r.exit_code() == 0);
  const auto rows = lines_of(out.str());
  REQUIRE(rows.size() == 13);
  CHECK(rows[0].rfind("sweep.params,sweep.tokens,sweep.hardware,id,line,error,", 0) == 0);
  CHECK(rows[1].rfind("1e9,100000000000,a100-sxm4-80gb,1,1,,", 0) == 0);
  CHECK(rows[12].rfind("7e9,10000000000000,h100-sxm,12,12,,", 0) == 0);
}

TEST_CASE("batch: a line holding only the byte-order mark, then rows (found by fuzz_batch)", "[batch]") {
  std::istringstream in("\xEF\xBB\xBF\n{\"params\":1e9,\"tokens\":1e9}\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::jsonl;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 1);
  CHECK(r.failed == 0);
  CHECK(out.str().find("\"line\":2") != std::string::npos);
}

TEST_CASE("batch: an id that is not UTF-8 reaches JSON output replaced, not thrown (fuzz_batch)", "[batch]") {
  std::istringstream in("id,params,tokens\n\xE4x,1e9,nope\n\xE4y,1e9,1e9\n");
  std::ostringstream out;
  std::ostringstream err;
  BatchOptions o;
  o.output = OutputFormat::jsonl;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  CHECK(r.rows == 2);
  CHECK(r.failed == 1);
  const std::string text = out.str();
  CHECK(text.find("\"id\":\"\xEF\xBF\xBDx\"") != std::string::npos);  // U+FFFD for the bad byte
  CHECK(text.find("\"id\":\"\xEF\xBF\xBDy\"") != std::string::npos);
}

// ---- Issue 17: rows out = rows in for every line ending and quote; a dead output stops ----

namespace {

BatchResult run_csv_text(const std::string& text, std::string& out_text) {
  std::istringstream in(text);
  std::ostringstream out;
  BatchOptions o;
  o.output = OutputFormat::csv;
  const BatchResult r = run_batch(in, out, quiet, o, builtin_catalog());
  out_text = out.str();
  return r;
}

// A streambuf that accepts `room` bytes, then fails every write (a full disk, a closed pipe).
class FillingBuf : public std::streambuf {
 public:
  explicit FillingBuf(std::size_t room) : m_room(room) {}
  std::size_t written = 0;

 protected:
  int_type overflow(int_type c) override {
    return xsputn(nullptr, 1) == 1 ? traits_type::not_eof(c) : traits_type::eof();
  }
  std::streamsize xsputn(const char*, std::streamsize n) override {
    if (written + static_cast<std::size_t>(n) > m_room) {
      return 0;
    }
    written += static_cast<std::size_t>(n);
    return n;
  }

 private:
  std::size_t m_room;
};

// Counts the rows the engine reports done (computed), whatever reaches the output.
class CountingStatus final : public Status {
 public:
  std::size_t rows = 0;
  void rows_done(std::size_t r) override { rows = r; }
  void finished(std::size_t r) override { rows = r; }
};

}  // namespace

TEST_CASE("batch CSV: CR-only and mixed line endings lose no row", "[batch][csv]") {
  std::string out;
  BatchResult r = run_csv_text("id,params,tokens\ra,1e9,1e8\rb,7e9,1e11\rc,1e9,1e9\r", out);
  CHECK(r.rows == 3);
  CHECK(r.failed == 0);
  auto rows = lines_of(out);
  REQUIRE(rows.size() == 4);
  CHECK(rows[3].rfind("c,4,,", 0) == 0);
  // A CR inside a line ends it (it used to drop the rest of the line: row c).
  r = run_csv_text("id,params,tokens\na,1e9,1e8\nb,7e9,1e11\rc,1e9,1e9\n", out);
  CHECK(r.rows == 3);
  CHECK(r.failed == 0);
  // CRLF inside a quoted field stays in the field; the next row's line counts it.
  r = run_csv_text("id,params,tokens\r\n\"a\r\nb\",1e9,1e8\r\nc,1e9,1e9\r\n", out);
  CHECK(r.rows == 2);
  CHECK(out.find("\nc,4,,") != std::string::npos);
}

TEST_CASE("batch CSV: a stray quote, text after a quote and an open quote spoil one row each",
          "[batch][csv]") {
  std::string out;
  BatchResult r = run_csv_text("id,params,tokens\na,1e9,1e8\nb,7e9\"x,1e11\nc,1e9,1e9\nd,1e9,1e9\n", out);
  CHECK(r.rows == 4);
  CHECK(r.failed == 1);
  CHECK(r.first_failed_line == 3);
  auto rows = lines_of(out);
  REQUIRE(rows.size() == 5);
  CHECK(rows[2].rfind("3,3,\"line 3: field 2: a quote inside an unquoted field", 0) == 0);
  CHECK(rows[3].rfind("c,4,,", 0) == 0);
  CHECK(rows[4].rfind("d,5,,", 0) == 0);

  r = run_csv_text("id,params,tokens\n\"a\"x,1e9,1e8\nb,1e9,1e8\n", out);
  CHECK(r.rows == 2);
  CHECK(r.failed == 1);
  CHECK(out.find("\n2,2,line 2: field 1: text after the closing quote") != std::string::npos);

  // The quote never closes: its line is an error row, and the lines after it are read again.
  r = run_csv_text("id,params,tokens\na,1e9,1e8\nb,\"7e9,1e11\nc,1e9,1e9\nd,1e9,1e9\n", out);
  CHECK(r.rows == 4);
  CHECK(r.failed == 1);
  rows = lines_of(out);
  REQUIRE(rows.size() == 5);
  CHECK(rows[2].rfind("3,3,line 3: field 2: the quote opened on this line never closes", 0) == 0);
  CHECK(rows[3].rfind("c,4,,", 0) == 0);
  CHECK(rows[4].rfind("d,5,,", 0) == 0);
  // ... also when it opens on the last line.
  r = run_csv_text("id,params,tokens\na,1e9,1e8\nb,\"7e9,1e11", out);
  CHECK(r.rows == 2);
  CHECK(r.failed == 1);
}

TEST_CASE("batch CSV: a field beyond the header's is never the row's id", "[batch][csv]") {
  std::string out;
  BatchResult r = run_csv_text("params,tokens\n1e9,1e8,EXTRA\n", out);
  CHECK(r.failed == 1);
  CHECK(out.find("EXTRA") == std::string::npos);
  CHECK(out.find("\n2,2,\"line 2: expected 2 fields") != std::string::npos);
  // With an id column, the row's own id is kept on its error row.
  r = run_csv_text("id,params,tokens\nx,1e9,1e8,EXTRA\n", out);
  CHECK(out.find("\nx,2,\"line 2: expected 3 fields") != std::string::npos);
}

TEST_CASE("batch: a line over 1 MiB is an error row, its id not echoed, memory bounded", "[batch]") {
  const std::string huge = "{\"id\":\"" + std::string(3 << 20, 'x') + "\",\"params\":1e9,\"tokens\":1e8}";
  std::istringstream in("{\"id\":\"a\",\"params\":1e9,\"tokens\":1e8}\n" + huge +
                        "\n{\"id\":\"c\",\"params\":1e9,\"tokens\":1e8}\n");
  std::ostringstream out;
  const BatchResult r = run_batch(in, out, quiet, BatchOptions{}, builtin_catalog());
  CHECK(r.rows == 3);
  CHECK(r.failed == 1);
  CHECK(out.str().size() < 20000);
  CHECK(out.str().find(
            "{\"id\":2,\"line\":2,\"error\":\"line 2: longer than 1 MiB (1048576 bytes); not read\"}") !=
        std::string::npos);
  CHECK(out.str().find("{\"id\":\"c\",\"line\":3,") != std::string::npos);
  // The same for a CSV record.
  std::string csv_out;
  const BatchResult c =
      run_csv_text("id,params,tokens\na,1e9,1e8\n" + std::string(2 << 20, 'y') + "\nc,1e9,1e9\n", csv_out);
  CHECK(c.rows == 3);
  CHECK(c.failed == 1);
  CHECK(csv_out.find("\n3,3,line 3: longer than 1 MiB") != std::string::npos);
}

TEST_CASE("batch: JSONL with CR-only line endings, and a JSON array after blank lines", "[batch]") {
  std::istringstream in(
      "{\"id\":\"a\",\"params\":1e9,\"tokens\":1e8}\r{\"id\":\"b\",\"params\":1e9,\"tokens\":1e8}\r");
  std::ostringstream out;
  BatchResult r = run_batch(in, out, quiet, BatchOptions{}, builtin_catalog());
  CHECK(r.rows == 2);
  CHECK(r.failed == 0);
  // A malformed array names the physical line of the error, blank lines before it counted.
  std::istringstream arr("\n\n  [{\"params\": 1e9,\n \"tokens\": }]\n");
  std::ostringstream out2;
  CHECK_THROWS_WITH(run_batch(arr, out2, quiet, BatchOptions{}, builtin_catalog()), Catch::Contains(":4:"));
  CHECK(out2.str().empty());  // nothing written before the array parsed
}

TEST_CASE("batch and sweep stop computing rows once the output fails", "[batch][sweep]") {
  std::string input;
  for (int i = 0; i < 20000; ++i) {
    input += "{\"params\":1e9,\"tokens\":" + std::to_string(i + 1) + "e6}\n";
  }
  {
    std::istringstream in(input);
    FillingBuf buf(4096);
    std::ostream out(&buf);
    CountingStatus status;
    const BatchResult r = run_batch(in, out, status, BatchOptions{}, builtin_catalog());
    CHECK(out.fail());
    CHECK(r.rows < 1000);  // one flush (256 rows) past the failure, not 20,000
    CHECK(status.rows < 1000);
  }
  for (unsigned threads : {1U, 3U}) {
    INFO("threads " << threads);
    SweepOptions o;
    o.axes.push_back({"tokens", expand_sweep_value("tokens", "1e6:1e11:+1e6")});  // 100,000 rows
    set_field(o.base, "params", "1e9", Origin::flag);
    o.threads = threads;
    FillingBuf buf(4096);
    std::ostream out(&buf);
    CountingStatus status;
    const BatchResult r = run_sweep(out, status, o, builtin_catalog());
    CHECK(out.fail());
    CHECK(r.rows < 50000);
  }
}

TEST_CASE("batch summary: how many rows failed of how many, and where the first is", "[batch]") {
  BatchResult r;
  CHECK(summary(r, "line").empty());
  r.rows = 10;
  r.over_budget = 2;
  CHECK(summary(r, "line") == "2 of 10 rows over budget");
  r.failed = 3;
  r.first_failed_line = 4;
  CHECK(summary(r, "line") == "3 of 10 rows failed (the first at line 4); 2 over budget");
  r.over_budget = 0;
  r.stopped = true;
  CHECK(summary(r, "combination") ==
        "3 of 10 rows failed (the first at combination 4); stopped there (--fail-fast)");
}
