// render/text_table: control characters in cells are escaped, so catalog text from a user's
// --hardware-file or --regions-file cannot move the cursor or break a table (issue 17).
#include <catch2/catch.hpp>
#include <string>

#include "llm_energy/catalog.hpp"
#include "render/catalog.hpp"
#include "render/text_table.hpp"

using namespace llm_energy;
using namespace llm_energy::render;

TEST_CASE("escape_control: C0, DEL and C1 escaped, invalid UTF-8 replaced, the rest kept",
          "[render][table]") {
  CHECK(escape_control("plain ASCII, 100%") == "plain ASCII, 100%");
  CHECK(escape_control("a\x1b[31mred") == "a\\x1b[31mred");
  CHECK(escape_control("line\nbreak\r\ttab\x7f") == "line\\x0abreak\\x0d\\x09tab\\x7f");
  CHECK(escape_control(std::string("nul\0byte", 8)) == "nul\\x00byte");
  CHECK(escape_control("csi \xC2\x9B"
                       "31m") == "csi \\u009b31m");  // U+009B, C1
  CHECK(escape_control("caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x94\x8B") ==
        "caf\xC3\xA9 \xE2\x80\x94 \xF0\x9F\x94\x8B");
  CHECK(escape_control("bad \xFF byte") == "bad \xEF\xBF\xBD byte");        // not UTF-8
  CHECK(escape_control("cut \xE2\x80") == "cut \xEF\xBF\xBD\xEF\xBF\xBD");  // truncated sequence
  CHECK(escape_control("overlong \xC0\xAF") == "overlong \xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(escape_control("surrogate \xED\xA0\x80") == "surrogate \xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
}

TEST_CASE("TextTable escapes every cell and keeps one line per row", "[render][table]") {
  TextTable t({{"id", Align::left, 0}, {"name", Align::left, 0}});
  t.add({"x", "evil\nname\x1b[2J"});
  t.add({"y", "ok"});
  const std::string s = t.str();
  CHECK(s.find('\x1b') == std::string::npos);
  CHECK(s == "id  name\nx   evil\\x0aname\\x1b[2J\ny   ok\n");
}

TEST_CASE("catalog tables and headings print user catalog text escaped", "[render][table]") {
  CatalogSources src = builtin_sources();
  src.hardware_overrides.push_back(
      {"user.json", R"({"hardware": [{"id": "h100-sxm", "name": "H100\u001b[2J\nX", "notes": "n\u0007"}]})"});
  const Catalog cat = load_catalog(src);
  const std::string list = list_hardware(cat, Format::table);
  const std::string show = show_hardware(cat.find_hardware("h100-sxm"), Format::table);
  for (const std::string* s : {&list, &show}) {
    CHECK(s->find('\x1b') == std::string::npos);
    CHECK(s->find('\x07') == std::string::npos);
    CHECK(s->find("H100\\x1b[2J\\x0aX") != std::string::npos);
  }
  CHECK(show.find("notes: n\\x07") != std::string::npos);
  // JSON output keeps the text (JSON escapes it itself).
  CHECK(show_hardware(cat.find_hardware("h100-sxm"), Format::json).find("H100\\u001b[2J\\nX") !=
        std::string::npos);
}
