// llm_energy/csv.hpp: the in-memory RFC 4180 reader used by schedule, validate and calibrate.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "llm_energy/csv.hpp"
#include "llm_energy/error.hpp"

using Catch::Matchers::Contains;
using llm_energy::CsvReader;
using llm_energy::InputError;

namespace {

// Every record, as "a|b|c", with its line.
std::vector<std::string> records(const std::string& text) {
  CsvReader r(text);
  std::vector<std::string> fields;
  std::size_t line = 0;
  std::vector<std::string> out;
  while (r.next(fields, line)) {
    std::string rec = std::to_string(line) + ":";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      rec += (i ? "|" : "") + fields[i];
    }
    out.push_back(rec);
  }
  return out;
}

}  // namespace

TEST_CASE("CsvReader: LF, CRLF and lone CR end a line, and line numbers count each", "[csv]") {
  CHECK(records("a,b\n1,2\n") == std::vector<std::string>{"1:a|b", "2:1|2"});
  CHECK(records("a,b\r\n1,2\r\n") == std::vector<std::string>{"1:a|b", "2:1|2"});
  CHECK(records("a,b\r1,2\r3,4") == std::vector<std::string>{"1:a|b", "2:1|2", "3:3|4"});
  CHECK(records("a\n1,2\r3\n") == std::vector<std::string>{"1:a", "2:1|2", "3:3"});
  CHECK(records("\xEF\xBB\xBFx,y\n") == std::vector<std::string>{"1:x|y"});
}

TEST_CASE("CsvReader: quoted fields hold commas, doubled quotes and line breaks", "[csv]") {
  CHECK(records("\"a,b\",\"say \"\"hi\"\"\"\n") == std::vector<std::string>{"1:a,b|say \"hi\""});
  // A line break inside quotes is part of the field; the next record's line counts it.
  CHECK(records("\"x\ny\",1\nz,2\n") == std::vector<std::string>{"1:x\ny|1", "3:z|2"});
  CHECK(records("\"x\ry\",1\rz,2\r") == std::vector<std::string>{"1:x\ry|1", "3:z|2"});
  CHECK(records("\"x\r\ny\",1\r\nz,2\r\n") == std::vector<std::string>{"1:x\r\ny|1", "3:z|2"});
  // Blanks around a quoted field are not part of it.
  CHECK(records(" \"a\" , b\n") == std::vector<std::string>{"1:a| b"});
  CHECK(records("\"\",x\n") == std::vector<std::string>{"1:|x"});
}

TEST_CASE("CsvReader: a stray quote, text after a closing quote, an open quote are errors", "[csv]") {
  CHECK_THROWS_WITH(records("a,b\n1,2\"x\n"), Contains("line 2: field 2: a quote inside an unquoted field"));
  CHECK_THROWS_WITH(records("a,b\n\"1\"x,2\n"), Contains("line 2: field 1: text after the closing quote"));
  CHECK_THROWS_WITH(records("a,b\n\"1,2\n3,4\n"), Contains("line 2: unterminated quoted field"));
  CHECK_THROWS_AS(records("5\"\n"), InputError);
}
