// Unit tests for llm_energy/units.hpp: counts, ranges and quantities with units.
#include <catch2/catch.hpp>

#include "llm_energy/error.hpp"
#include "llm_energy/units.hpp"

using llm_energy::InputError;
using llm_energy::parse_count;
using llm_energy::parse_duration_hours;
using llm_energy::parse_energy_kwh;
using llm_energy::parse_fraction;
using llm_energy::parse_mass_kg;
using llm_energy::parse_plain_number;
using llm_energy::parse_range;
using llm_energy::Range;

TEST_CASE("parse_count accepts plain, scientific and suffixed counts", "[units]") {
  CHECK(parse_count("1e8", "tokens") == Approx(1e8));
  CHECK(parse_count("100000000", "tokens") == Approx(1e8));
  CHECK(parse_count("100M", "tokens") == Approx(1e8));
  CHECK(parse_count("70B", "params") == Approx(7e10));
  CHECK(parse_count("1.5T", "tokens") == Approx(1.5e12));
  CHECK(parse_count("7b", "params") == Approx(7e9));
  CHECK(parse_count("2k", "tokens") == Approx(2000.0));
  CHECK(parse_count("2K", "tokens") == Approx(2000.0));
  CHECK(parse_count("  3G ", "params") == Approx(3e9));
  CHECK(parse_count("+5", "chips") == Approx(5.0));
  CHECK(parse_count("2.5e3", "chips") == Approx(2500.0));
  CHECK(parse_count("0", "chips") == Approx(0.0));
  // Negative numbers parse here; positivity is checked by the estimator.
  CHECK(parse_count("-3", "chips") == Approx(-3.0));
}

TEST_CASE("parse_count rejects malformed counts with a message naming the field", "[units]") {
  REQUIRE_THROWS_AS(parse_count("", "tokens"), InputError);
  REQUIRE_THROWS_WITH(parse_count("", "tokens"), Catch::Contains("tokens") && Catch::Contains("empty"));
  REQUIRE_THROWS_WITH(parse_count("   ", "tokens"), Catch::Contains("empty"));
  REQUIRE_THROWS_AS(parse_count("abc", "tokens"), InputError);
  REQUIRE_THROWS_WITH(parse_count("abc", "tokens"), Catch::Contains("not a number"));
  REQUIRE_THROWS_AS(parse_count("1e400", "tokens"), InputError);
  REQUIRE_THROWS_WITH(parse_count("1e400", "tokens"), Catch::Contains("out of range"));
  // Finite mantissa, but the suffix overflows the double.
  REQUIRE_THROWS_WITH(parse_count("1e308T", "tokens"), Catch::Contains("out of range"));
  REQUIRE_THROWS_AS(parse_count("nan", "tokens"), InputError);
  REQUIRE_THROWS_AS(parse_count("inf", "tokens"), InputError);
  REQUIRE_THROWS_AS(parse_count("-inf", "tokens"), InputError);
  REQUIRE_THROWS_AS(parse_count("infinity", "tokens"), InputError);
  REQUIRE_THROWS_AS(parse_count("5x", "tokens"), InputError);
  REQUIRE_THROWS_WITH(parse_count("5x", "tokens"), Catch::Contains("unknown suffix"));
  REQUIRE_THROWS_WITH(parse_count("5MM", "tokens"), Catch::Contains("unknown suffix"));
  REQUIRE_THROWS_AS(parse_count("1.5.2", "tokens"), InputError);
  REQUIRE_THROWS_AS(parse_count("++5", "tokens"), InputError);
  REQUIRE_THROWS_AS(parse_count("k", "tokens"), InputError);
}

TEST_CASE("parse_count never echoes control bytes from the input", "[units]") {
  try {
    (void)parse_count("5\x1b[31m", "tokens");
    FAIL("expected InputError");
  } catch (const InputError& e) {
    const std::string msg = e.what();
    CHECK(msg.find('\x1b') == std::string::npos);
  }
}

TEST_CASE("parse_plain_number accepts numbers without suffixes", "[units]") {
  CHECK(parse_plain_number("42", "x") == Approx(42.0));
  CHECK(parse_plain_number(" 1.5e3 ", "x") == Approx(1500.0));
  REQUIRE_THROWS_AS(parse_plain_number("5k", "x"), InputError);
  REQUIRE_THROWS_AS(parse_plain_number("", "x"), InputError);
}

TEST_CASE("parse_range: exact values, LOW:HIGH and LOW:V:HIGH", "[units]") {
  SECTION("a single value is exact") {
    const Range r = parse_range("0.4", "mfu");
    CHECK(r.is_exact());
    CHECK(r.value == Approx(0.4));
    CHECK(r.low == Approx(0.4));
    CHECK(r.high == Approx(0.4));
  }
  SECTION("LOW:HIGH takes the midpoint as central value") {
    const Range r = parse_range("0.35:0.45", "mfu");
    CHECK_FALSE(r.is_exact());
    CHECK(r.low == Approx(0.35));
    CHECK(r.value == Approx(0.40));
    CHECK(r.high == Approx(0.45));
  }
  SECTION("LOW:V:HIGH keeps the given central value") {
    const Range r = parse_range("0.3:0.4:0.5", "mfu");
    CHECK(r.low == Approx(0.3));
    CHECK(r.value == Approx(0.4));
    CHECK(r.high == Approx(0.5));
    const Range s = parse_range("0.3:0.32:0.5", "mfu");
    CHECK(s.value == Approx(0.32));
  }
  SECTION("parts accept count suffixes") {
    const Range r = parse_range("1B:2B", "params");
    CHECK(r.low == Approx(1e9));
    CHECK(r.value == Approx(1.5e9));
    CHECK(r.high == Approx(2e9));
  }
  SECTION("a degenerate range LOW==HIGH is exact") {
    CHECK(parse_range("0.5:0.5", "mfu").is_exact());
  }
}

TEST_CASE("parse_range rejects unordered and over-long ranges", "[units]") {
  REQUIRE_THROWS_AS(parse_range("0.5:0.4", "mfu"), InputError);
  REQUIRE_THROWS_WITH(parse_range("0.5:0.4", "mfu"),
                      Catch::Contains("mfu") && Catch::Contains("LOW <= VALUE <= HIGH"));
  REQUIRE_THROWS_AS(parse_range("0.3:0.6:0.5", "mfu"), InputError);
  REQUIRE_THROWS_AS(parse_range("1:2:3:4", "mfu"), InputError);
  REQUIRE_THROWS_WITH(parse_range("1:2:3:4", "mfu"), Catch::Contains("too many"));
  REQUIRE_THROWS_AS(parse_range("", "mfu"), InputError);
  REQUIRE_THROWS_AS(parse_range("0.3:", "mfu"), InputError);
  REQUIRE_THROWS_AS(parse_range("0.3:abc", "mfu"), InputError);
}

TEST_CASE("parse_energy_kwh converts to kWh", "[units]") {
  CHECK(parse_energy_kwh("500MWh", "max_energy") == Approx(5e5));
  CHECK(parse_energy_kwh("12kWh", "max_energy") == Approx(12.0));
  CHECK(parse_energy_kwh("12 kWh", "max_energy") == Approx(12.0));
  CHECK(parse_energy_kwh("800Wh", "max_energy") == Approx(0.8));
  CHECK(parse_energy_kwh("3GWh", "max_energy") == Approx(3e6));
  CHECK(parse_energy_kwh("2TWh", "max_energy") == Approx(2e9));
  CHECK(parse_energy_kwh("2.5e3kWh", "max_energy") == Approx(2500.0));
  CHECK(parse_energy_kwh("7", "max_energy") == Approx(7.0));  // bare number is kWh
  REQUIRE_THROWS_AS(parse_energy_kwh("5 parsecs", "max_energy"), InputError);
  REQUIRE_THROWS_WITH(parse_energy_kwh("5 parsecs", "max_energy"),
                      Catch::Contains("max_energy") && Catch::Contains("unknown unit"));
  REQUIRE_THROWS_AS(parse_energy_kwh("", "max_energy"), InputError);
  REQUIRE_THROWS_AS(parse_energy_kwh("MWh", "max_energy"), InputError);
}

TEST_CASE("parse_mass_kg converts to kg", "[units]") {
  CHECK(parse_mass_kg("100t", "max_co2e") == Approx(1e5));
  CHECK(parse_mass_kg("12kg", "max_co2e") == Approx(12.0));
  CHECK(parse_mass_kg("500g", "max_co2e") == Approx(0.5));
  CHECK(parse_mass_kg("2kt", "max_co2e") == Approx(2e6));
  CHECK(parse_mass_kg("9", "max_co2e") == Approx(9.0));  // bare number is kg
  REQUIRE_THROWS_AS(parse_mass_kg("5 lb", "max_co2e"), InputError);
  REQUIRE_THROWS_WITH(parse_mass_kg("5 lb", "max_co2e"), Catch::Contains("unknown unit"));
}

TEST_CASE("parse_fraction accepts decimals and percentages", "[units]") {
  CHECK(parse_fraction("80%", "f") == Approx(0.8));
  CHECK(parse_fraction("0.8", "f") == Approx(0.8));
  CHECK(parse_fraction("5 %", "f") == Approx(0.05));
  REQUIRE_THROWS_AS(parse_fraction("80 percent", "f"), InputError);
}

TEST_CASE("parse_duration_hours converts to hours", "[units]") {
  CHECK(parse_duration_hours("36h", "t") == Approx(36.0));
  CHECK(parse_duration_hours("90m", "t") == Approx(1.5));
  CHECK(parse_duration_hours("90min", "t") == Approx(1.5));
  CHECK(parse_duration_hours("2d", "t") == Approx(48.0));
  CHECK(parse_duration_hours("3600s", "t") == Approx(1.0));
  CHECK(parse_duration_hours("5", "t") == Approx(5.0));  // bare number is hours
  REQUIRE_THROWS_AS(parse_duration_hours("2 weeks", "t"), InputError);
}

TEST_CASE("Range helpers", "[units]") {
  const Range e = Range::exact(3.0);
  CHECK(e.is_exact());
  const Range r{1.0, 2.0, 4.0};
  CHECK_FALSE(r.is_exact());
  const Range s = r.scaled(10.0);
  CHECK(s.low == Approx(10.0));
  CHECK(s.value == Approx(20.0));
  CHECK(s.high == Approx(40.0));
}

TEST_CASE("units are case-sensitive: m is milli, M is mega (1mWh is not 1 MWh)", "[units]") {
  // Energy: Wh, kWh, MWh, GWh, TWh only.
  CHECK(parse_energy_kwh("1MWh", "max_energy") == Approx(1e3));
  CHECK(parse_energy_kwh("1TWh", "max_energy") == Approx(1e9));
  for (const char* bad : {"1mWh", "1mwh", "1KWH", "1kwh", "1Kwh", "1wh", "1WH", "1gwh", "1twh", "1MWH"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_energy_kwh(bad, "max_energy"),
                      Catch::Contains("(use Wh, kWh, MWh, GWh or TWh; units are case-sensitive)"));
  }
  // Mass: g, kg, t, kt, Mt only.
  CHECK(parse_mass_kg("1Mt", "max_co2e") == Approx(1e9));
  for (const char* bad : {"1KG", "1Kg", "1G", "1T", "1KT", "1mt", "1MT"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_mass_kg(bad, "max_co2e"), Catch::Contains("(use g, kg, t, kt or Mt;"));
  }
  // Duration: s, m or min, h, d in lower case.
  for (const char* bad : {"2H", "2D", "2S", "90M", "90MIN"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_duration_hours(bad, "duration"), Catch::Contains("(use s, m or min, h or d;"));
  }
}

TEST_CASE("count suffixes: k K M B b G T t, not m (milli) or g", "[units]") {
  CHECK(parse_count("2k", "n") == Approx(2e3));
  CHECK(parse_count("2K", "n") == Approx(2e3));
  CHECK(parse_count("2M", "n") == Approx(2e6));
  CHECK(parse_count("2B", "n") == Approx(2e9));
  CHECK(parse_count("2b", "n") == Approx(2e9));
  CHECK(parse_count("2G", "n") == Approx(2e9));
  CHECK(parse_count("2T", "n") == Approx(2e12));
  CHECK(parse_count("2t", "n") == Approx(2e12));
  CHECK_THROWS_WITH(parse_count("100m", "tokens"),
                    Catch::Contains("unknown suffix 'm'") && Catch::Contains("m is milli, a million is M"));
  CHECK_THROWS_WITH(parse_count("3g", "params"), Catch::Contains("unknown suffix 'g'"));
}
