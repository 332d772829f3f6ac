// The SVG builder, the model-card block and the generated shell integration.
#include <catch2/catch.hpp>
#include <cmath>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/app.hpp"
#include "render/charts.hpp"
#include "render/format_units.hpp"
#include "render/svg.hpp"

namespace {

std::string run_cli(std::initializer_list<const char*> args) {
  std::vector<const char*> argv = {"llm-energy"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out;
  std::ostringstream err;
  const int rc = llm_energy::cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  REQUIRE(rc == 0);
  return out.str();
}

}  // namespace

TEST_CASE("svg: text is escaped for XML, control characters dropped") {
  CHECK(llm_energy::render::svg::escape("a<b & \"c\" 'd'>\x01") ==
        "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;");
}

TEST_CASE("svg: a bar chart has title, desc, the Okabe-Ito palette and its annotations") {
  using namespace llm_energy::render::svg;
  BarChart c;
  c.title = "T <1>";
  c.desc = "D";
  c.series = {"a", "b"};
  c.panels = {{"Energy (facility)", Quantity::energy_kwh, {{"x", {1500, 500}, 1000.0, 4000.0, "2 MWh"}}}};
  const std::string s = bar_chart(c);
  CHECK(s.find("<title id=\"t\">T &lt;1&gt;</title>") != std::string::npos);
  CHECK(s.find("<desc id=\"d\">D</desc>") != std::string::npos);
  CHECK(s.find("#0072B2") != std::string::npos);
  CHECK(s.find("#E69F00") != std::string::npos);
  CHECK(s.find("Energy [MWh]") != std::string::npos);
  CHECK(s.find(">2 MWh</text>") != std::string::npos);
}

TEST_CASE("svg: a line chart uses log axes only beyond 2 decades") {
  using namespace llm_energy::render::svg;
  LineChart c;
  c.title = "t";
  c.x_label = "x";
  c.y_label = "Energy";
  c.series = {{"s", {1, 10, 100}, {1, 2, 3}}};
  CHECK(line_chart(c).find("(log)") == std::string::npos);
  c.series = {{"s", {1, 10, 1000}, {1, 2, 3}}};
  const std::string s = line_chart(c);
  CHECK(s.find("x (log)") != std::string::npos);
  CHECK(s.find("Energy [kWh] (log)") == std::string::npos);
}

TEST_CASE("model card: the co2_eq_emissions block in grams") {
  const std::string s = run_cli({"estimate", "--tokens", "1e8", "--params", "1e9", "--format", "model-card"});
  // The training phase's operational CO2e in whole grams, as estimate --format json gives it.
  const std::string j = run_cli({"estimate", "--tokens", "1e8", "--params", "1e9", "--format", "json"});
  const double kg = nlohmann::json::parse(j).at("training").at("co2e_kg").get<double>();
  CHECK(s.rfind("co2_eq_emissions:\n  emissions: " + std::to_string(std::lround(kg * 1000)) + "\n", 0) == 0);
  CHECK(s.find("  training_type: \"pre-training\"\n") != std::string::npos);
  CHECK(s.find("  geographical_location: \"World average\"\n") != std::string::npos);
}

TEST_CASE("completions and man page list every subcommand") {
  const std::string bash = run_cli({"completions", "bash"});
  const std::string zsh = run_cli({"completions", "zsh"});
  const std::string fish = run_cli({"completions", "fish"});
  const std::string man = run_cli({"man"});
  for (const char* cmd :
       {"estimate", "hardware", "regions", "models", "validate", "batch", "sweep", "compare", "plan",
        "schedule", "report", "measure", "calibrate", "completions", "man"}) {
    INFO(cmd);
    CHECK(bash.find(std::string("\" ") + cmd + "\"") != std::string::npos);
    CHECK(zsh.find(std::string("'") + cmd + ":") != std::string::npos);
    CHECK(fish.find(std::string(" -a ") + cmd + " ") != std::string::npos);
    CHECK(man.find(std::string(".SS \"llm\\-energy ") + cmd) != std::string::npos);
  }
  CHECK(bash.find("--plot") != std::string::npos);
  CHECK(man.rfind(".TH LLM-ENERGY 1", 0) == 0);
}

TEST_CASE("the man page lists every environment variable the sources read") {
  const std::string man = run_cli({"man"});
  // Every getenv("NAME") and detect_job variable in src/ (grep getenv src/): a new one fails here
  // until the ENVIRONMENT section names it.
  for (const char* var :
       {"NO_COLOR", "TERM", "LC_ALL", "LLM_ENERGY_POWERCAP_ROOT", "LLM_ENERGY_NODE_NAME", "SLURMD_NODENAME",
        "LOCAL_RANK", "OMPI_COMM_WORLD_RANK", "PMI_RANK", "SLURM_PROCID", "SLURM_JOB_ID"}) {
    INFO(var);
    CHECK(man.find(var) != std::string::npos);
  }
  CHECK(man.find(".SH ENVIRONMENT") != std::string::npos);
  CHECK(man.find("X|LO:HI") != std::string::npos);  // the type name keeps its colon
}

TEST_CASE("completions offer catalog ids and enum values") {
  const std::string bash = run_cli({"completions", "bash"});
  const std::string fish = run_cli({"completions", "fish"});
  const std::string zsh = run_cli({"completions", "zsh"});
  for (const std::string* s : {&bash, &fish, &zsh}) {
    CHECK(s->find("h100-sxm") != std::string::npos);
    CHECK(s->find("europe-west9") != std::string::npos);
    CHECK(s->find("llama-3.1-8b") != std::string::npos);
    CHECK(s->find("training inference both") != std::string::npos);
    CHECK(s->find("bash zsh fish") != std::string::npos);
  }
}

TEST_CASE("sweep legends write counts as users do; ASCII spellings of the catalogs' characters") {
  using llm_energy::render::ascii_fallback;
  using llm_energy::render::short_count;
  CHECK(short_count("7000000000") == "7B");
  CHECK(short_count("2e12") == "2T");
  CHECK(short_count("1500000") == "1.5M");
  CHECK(short_count("64") == "64");
  CHECK(short_count("0.35") == "0.35");
  CHECK(short_count("h100-sxm") == "h100-sxm");
  CHECK(ascii_fallback("x/\u00f7 1.35") == "x or / 1.35");
  CHECK(ascii_fallback("S\u00e3o Paulo \u2013 2 \u00d7 3 \u00b5s") == "Sao Paulo - 2 x 3 us");
  CHECK(ascii_fallback("\xe4\xb8\xad") == "?");  // one '?' per character
}

TEST_CASE("sweep chart: --plot-x picks the axis, legends use short counts, the title names both") {
  using llm_energy::render::SweepPlot;
  using llm_energy::render::SweepPoint;
  const std::vector<std::string> keys = {"params", "tokens"};
  const std::vector<SweepPoint> pts = {{{"1000000000", "1e10"}, 1.0},
                                       {{"1000000000", "1e11"}, 10.0},
                                       {{"7000000000", "1e10"}, 7.0},
                                       {{"7000000000", "1e11"}, 70.0}};
  SweepPlot plot;
  plot.x = 1;
  plot.log_x = true;
  const std::string svg = llm_energy::render::sweep_chart(keys, pts, plot);
  CHECK(svg.find("facility energy against --tokens (one line per --params)") != std::string::npos);
  CHECK(svg.find("params=7B") != std::string::npos);
  CHECK(svg.find("7000000000") == std::string::npos);
}
