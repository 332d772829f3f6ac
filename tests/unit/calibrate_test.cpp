// calibrate (core: parse runs, fit, profile round trip, apply_profile) and measure's samplers
// (cli: powercap counters with wrap-around on a fake tree, trapezoid integration, missing NVML).
#include <unistd.h>
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "llm_energy/calibrate.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/estimate.hpp"
#include "llm_energy/metering.hpp"
#include "llm_energy/model.hpp"
#include "llm_energy/resolve.hpp"
#include "llm_energy/scenario.hpp"
#include "measure/meters.hpp"
#include "render/measure.hpp"

using namespace llm_energy;
namespace fs = std::filesystem;

namespace {

struct Truth {
  double mfu;       // at or above the size reference (estimate scales it for smaller models)
  double fraction;  // accelerator power / TDP
  double host_w;    // per accelerator
};

// A run generated from known parameters, as the catalog's model predicts it.
MeasuredRun synth(const Catalog& cat, const std::string& hw_id, double params, double tokens, double chips,
                  const Truth& t, bool with_gpu) {
  const Hardware& hw = cat.find_hardware(hw_id);
  const double peak = hw.peak(default_precision(hw))->value * 1e12;  // as calibrate: bf16, else fp16 (V100)
  // A run the catalog's model reproduces with an MFU ceiling of t.mfu: resolve() with that
  // ceiling gives its FLOPs (attention included) and effective utilisation (goodput, width,
  // communication). At least the chips that hold its training state.
  chips = std::max(chips, std::ceil(16.0 * params / (hw.memory_gb.value * 1e9)));
  Catalog truth = cat;
  for (auto& h : truth.hardware) {
    if (h.id == hw.id) {
      h.training_mfu = Datum{t.mfu, t.mfu, t.mfu, "truth", 0, ""};
    }
  }
  Scenario s;
  s.phase = Given<Phase>{Phase::training};
  s.params = Given<double>{params};
  s.tokens = Given<double>{tokens};
  s.hardware = Given<std::string>{hw_id};
  s.chips = Given<double>{chips};
  const Resolved res = resolve(s, truth);
  const double u = res.range(Uncertain::mfu).value;
  const double flops = res.training->flops;
  MeasuredRun r;
  r.where = "synthetic";
  r.params = r.active_params = params;
  r.tokens = tokens;
  r.hardware = hw_id;
  r.chips = chips;
  r.duration_h = flops / (peak * u) / 3600.0 / chips;
  const double gpu = chips * r.duration_h * hw.tdp_w.value * t.fraction / 1000.0;
  r.server_energy_kwh = gpu + chips * r.duration_h * t.host_w / 1000.0;
  if (with_gpu) {
    r.gpu_energy_kwh = gpu;
  }
  return r;
}

std::string csv_line(const MeasuredRun& r) {
  std::ostringstream s;
  s.precision(17);
  s << r.params << "," << r.tokens << "," << r.hardware << "," << r.chips << "," << r.duration_h << ","
    << r.server_energy_kwh << "," << *r.gpu_energy_kwh << "\n";
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("llm-energy-test-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    fs::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("calibrate recovers known utilisation, power fraction and host power", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  const Truth t{0.41, 0.77, 175.0};
  std::vector<MeasuredRun> runs;
  // Different sizes (some below the size reference, so the size factor is undone), tokens, chips.
  runs.push_back(synth(cat, "h100-sxm", 1e9, 2e10, 8, t, true));
  runs.push_back(synth(cat, "h100-sxm", 7e9, 2e11, 64, t, true));
  runs.push_back(synth(cat, "h100-sxm", 70e9, 1e12, 1024, t, true));
  runs.push_back(synth(cat, "h100-sxm", 13e9, 3e11, 256, t, true));
  const CalibrationResult r = calibrate(runs, cat, "synthetic.csv");
  const Profile& p = r.profile;
  CHECK(p.hardware == "h100-sxm");
  CHECK(p.runs == 4);
  CHECK(p.training_mfu.value == Approx(t.mfu).epsilon(0.01));
  CHECK(p.avg_power_fraction.value == Approx(t.fraction).epsilon(0.01));
  CHECK(p.host_power_w.value == Approx(t.host_w).epsilon(0.01));
  CHECK(p.training_mfu.high - p.training_mfu.low < 1e-9);
  CHECK(r.runs_with_gpu_energy == 4);
  CHECK_FALSE(r.host_from_catalog);
  CHECK(r.median_abs_error_after < 1e-9);
  CHECK(r.median_abs_error_before > 0.01);

  SECTION("the profile applied to the catalog makes estimate reproduce the runs") {
    Catalog fitted = apply_profile(cat, p);
    const Hardware& hw = fitted.find_hardware("h100-sxm");
    CHECK(hw.training_mfu.value == p.training_mfu.value);
    CHECK(hw.host_power_w.value == p.host_power_w.value);
    CHECK(hw.avg_power_fraction.source == "profile (in memory) (fitted on 4 runs)");
    for (const auto& run : runs) {
      Scenario s;
      set_field(s, "params", std::to_string(run.params), Origin::flag);
      set_field(s, "tokens", std::to_string(run.tokens), Origin::flag);
      set_field(s, "hardware", "h100-sxm", Origin::flag);
      set_field(s, "chips", std::to_string(run.chips), Origin::flag);
      set_field(s, "phase", "training", Origin::flag);
      const Estimate e = estimate(s, fitted);
      REQUIRE(e.training);
      CHECK(e.training->chip_hours == Approx(run.chips * run.duration_h).epsilon(1e-6));
      CHECK(e.training->server_energy_kwh == Approx(run.server_energy_kwh).epsilon(1e-6));
    }
  }
}

TEST_CASE("calibrate takes the median and the min-max spread", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  std::vector<MeasuredRun> runs;
  runs.push_back(synth(cat, "a100-sxm4-80gb", 7e9, 1e11, 64, {0.30, 0.70, 100}, true));
  runs.push_back(synth(cat, "a100-sxm4-80gb", 7e9, 1e11, 64, {0.40, 0.80, 150}, true));
  runs.push_back(synth(cat, "a100-sxm4-80gb", 7e9, 1e11, 64, {0.35, 0.90, 120}, true));
  const Profile p = calibrate(runs, cat, "x").profile;
  CHECK(p.training_mfu.value == Approx(0.35));
  CHECK(p.training_mfu.low == Approx(0.30));
  CHECK(p.training_mfu.high == Approx(0.40));
  CHECK(p.avg_power_fraction.value == Approx(0.80));
  CHECK(p.host_power_w.low == Approx(100));
  CHECK(p.host_power_w.high == Approx(150));
}

TEST_CASE("without accelerator energy the host power stays the catalog's", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  const Hardware& hw = cat.find_hardware("h100-sxm");
  const Truth t{0.38, 0.66, hw.host_power_w.value};
  std::vector<MeasuredRun> runs{synth(cat, "h100-sxm", 7e9, 2e11, 64, t, false),
                                synth(cat, "h100-sxm", 70e9, 1e12, 512, t, false)};
  const CalibrationResult r = calibrate(runs, cat, "totals.csv");
  CHECK(r.host_from_catalog);
  CHECK(r.profile.avg_power_fraction.value == Approx(t.fraction).epsilon(0.01));
  CHECK(r.profile.host_power_w.value == hw.host_power_w.value);
  CHECK(r.profile.host_power_w.low == hw.host_power_w.low);
  CHECK(r.profile.source.find("host_power_w from the catalog") != std::string::npos);

  runs[1].server_energy_kwh = runs[1].chips * runs[1].duration_h * 1.0 / 1000.0;  // 1 W per chip
  runs[1].where = "totals.csv:3";
  CHECK_THROWS_WITH(calibrate(runs, cat, "totals.csv"),
                    Catch::Contains("totals.csv:3: measured power per chip 1 W is not above"));
}

TEST_CASE("calibrate refuses mixed hardware and unknown ids", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  std::vector<MeasuredRun> runs{synth(cat, "h100-sxm", 7e9, 2e11, 64, {0.4, 0.7, 100}, true),
                                synth(cat, "a100-sxm4-80gb", 7e9, 2e11, 64, {0.4, 0.7, 100}, true)};
  CHECK_THROWS_WITH(calibrate(runs, cat, "x"),
                    Catch::Contains("several hardware ids (a100-sxm4-80gb, h100-sxm)"));
  runs.pop_back();
  runs[0].hardware = "h100x";
  CHECK_THROWS_WITH(calibrate(runs, cat, "x"), Catch::Contains("did you mean"));
  CHECK_THROWS_AS(calibrate({}, cat, "x"), InputError);
}

TEST_CASE("calibrate refuses implausible runs by name", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  auto message = [&](std::vector<MeasuredRun> runs) {
    for (std::size_t i = 0; i < runs.size(); ++i) {
      runs[i].where = "runs.csv:" + std::to_string(i + 2);
    }
    try {
      (void)calibrate(runs, cat, "runs.csv");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("(accepted)");
  };
  const MeasuredRun good = synth(cat, "h100-sxm", 7e9, 2e11, 64, {0.4, 0.7, 120}, true);
  // Faster than the chips' peak allows.
  CHECK_THAT(message({good, synth(cat, "h100-sxm", 70e9, 2e11, 16, {1.3, 0.7, 120}, true)}),
             Catch::StartsWith("runs.csv:3: implied utilisation") &&
                 Catch::Contains("needs an MFU ceiling of 1.3 once") &&
                 Catch::Contains("is above 1: 16 x h100-sxm cannot compute"));
  // A small model: raw utilisation under 1, but a ceiling above 1 once the model is undone.
  CHECK_THAT(message({synth(cat, "h100-sxm", 1e8, 1e10, 8, {1.2, 0.7, 120}, true)}),
             Catch::StartsWith("runs.csv:2: implied utilisation") &&
                 Catch::Contains("needs an MFU ceiling of 1.2 once"));
  CHECK_THAT(
      message({good, synth(cat, "h100-sxm", 7e9, 2e11, 64, {0.4, 1.8, 120}, true)}),
      Catch::StartsWith("runs.csv:3: average accelerator power 1260 W per chip is 1.8 x the TDP 700 W"));
  CHECK_THAT(message({synth(cat, "h100-sxm", 7e9, 2e11, 64, {0.4, 0.0, 120}, true), good}),
             Catch::StartsWith("runs.csv:2: average accelerator power 0 W per chip"));
  // Without accelerator energy: the whole power above the catalog's host power is the chips'.
  CHECK_THAT(message({synth(cat, "h100-sxm", 7e9, 2e11, 64, {0.4, 2.0, 120}, false)}),
             Catch::StartsWith("runs.csv:2: measured power per chip") && Catch::Contains("x the TDP 700 W"));
  CHECK(message({good, good}) == "(accepted)");
}

TEST_CASE("the profile calibrate returns is always one estimate --profile accepts", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  const std::vector<std::string> ids{"h100-sxm", "a100-sxm4-80gb", "v100-sxm2-32gb", "b200"};
  std::mt19937 rng(20261124);
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  std::size_t accepted = 0;
  std::size_t refused = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const std::string& id = ids[static_cast<std::size_t>(trial) % ids.size()];
    const int n = 1 + static_cast<int>(uniform(0, 4));
    const bool with_gpu = uniform(0, 1) < 0.7;
    std::vector<MeasuredRun> runs;
    for (int i = 0; i < n; ++i) {
      const Truth t{uniform(0.02, 1.3), uniform(0.0, 1.8), uniform(0, 400)};
      MeasuredRun r = synth(cat, id, std::pow(10.0, uniform(8, 11.5)), std::pow(10.0, uniform(9, 13)),
                            std::round(std::pow(2.0, uniform(0, 12))), t, with_gpu);
      r.where = "trial" + std::to_string(trial) + ".csv:" + std::to_string(i + 2);
      runs.push_back(r);
    }
    try {
      const CalibrationResult res = calibrate(runs, cat, "trial");
      const Profile back = parse_profile(profile_to_json(res.profile), "written.json");
      const Catalog applied = apply_profile(cat, back);
      CHECK(applied.find_hardware(id).training_mfu.high <= 1.0);
      ++accepted;
    } catch (const InputError& e) {
      // Refused: by a run's name, never by the profile check.
      const std::string m = e.what();
      INFO(m);
      CHECK(m.rfind("trial" + std::to_string(trial) + ".csv:", 0) == 0);
      ++refused;
    }
  }
  CHECK(accepted > 40);
  CHECK(refused > 40);
}

TEST_CASE("parse_runs_csv reads the plain format and recovers the fit end to end", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  const Truth t{0.45, 0.72, 130};
  std::string text = "params,tokens,hardware,chips,duration_h,energy_kwh,gpu_energy_kwh\n";
  text += csv_line(synth(cat, "h100-sxm", 7e9, 2e11, 64, t, true));
  text += "\n";  // a blank line is not a row
  text += csv_line(synth(cat, "h100-sxm", 30e9, 6e11, 256, t, true));
  const auto runs = parse_runs_csv(text, "runs.csv", {});
  REQUIRE(runs.size() == 2);
  CHECK(runs[1].where == "runs.csv:4");
  const Profile p = calibrate(runs, cat, "runs.csv").profile;
  CHECK(p.training_mfu.value == Approx(t.mfu).epsilon(0.01));
  CHECK(p.avg_power_fraction.value == Approx(t.fraction).epsilon(0.01));
  CHECK(p.host_power_w.value == Approx(t.host_w).epsilon(0.01));
}

TEST_CASE("parse_runs_csv: pue, active_params and --hardware", "[calibrate]") {
  const std::string text =
      "params,active_params,tokens,chips,duration_h,energy_kwh,pue\n"
      "47B,13B,1e11,64,10,1200,1.2\n";
  RunDefaults d;
  d.hardware = "h100-sxm";
  const auto runs = parse_runs_csv(text, "r.csv", d);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].active_params == 13e9);
  CHECK(runs[0].hardware == "h100-sxm");
  CHECK(runs[0].server_energy_kwh == Approx(1000));
  CHECK_FALSE(runs[0].gpu_energy_kwh);
  CHECK_THROWS_WITH(parse_runs_csv(text, "r.csv", {}), Catch::Contains("r.csv:2: hardware: missing"));
}

TEST_CASE("a bad row is reported with its line number, nothing is skipped", "[calibrate]") {
  const std::string head = "params,tokens,hardware,chips,duration_h,energy_kwh,gpu_energy_kwh\n";
  const std::string good = "7e9,2e11,h100-sxm,64,10,500,400\n";
  CHECK_THROWS_WITH(parse_runs_csv(head + good + "7e9,abc,h100-sxm,64,10,500,400\n", "runs.csv", {}),
                    Catch::StartsWith("runs.csv:3: tokens:"));
  CHECK_THROWS_WITH(parse_runs_csv(head + good + good + "7e9,2e11,h100-sxm,64,-1,500,400\n", "runs.csv", {}),
                    Catch::Equals("runs.csv:4: duration_h: must be greater than zero"));
  CHECK_THROWS_WITH(parse_runs_csv(head + "7e9,2e11,h100-sxm,64,10,500\n", "runs.csv", {}),
                    Catch::Contains("runs.csv:2: 6 fields, the header has 7"));
  CHECK_THROWS_WITH(parse_runs_csv(head + "7e9,2e11,h100-sxm,64,10,500,600\n", "runs.csv", {}),
                    Catch::Contains("runs.csv:2: the accelerator energy exceeds the server energy"));
  CHECK_THROWS_WITH(parse_runs_csv(head + "7e9,2e11,h100-sxm,64.5,10,500,400\n", "runs.csv", {}),
                    Catch::Contains("runs.csv:2: chips: must be a whole number"));
  CHECK_THROWS_WITH(parse_runs_csv(head + "7e9,,h100-sxm,64,10,500,400\n", "runs.csv", {}),
                    Catch::Contains("runs.csv:2: tokens: missing value"));
  CHECK_THROWS_WITH(
      parse_runs_csv("params,tokens,chips,duration_h,energy_kwh,gpu_energy_kw\n", "runs.csv", {}),
      Catch::Contains("unknown column 'gpu_energy_kw'"));
  CHECK_THROWS_WITH(parse_runs_csv("params,tokens,chips,energy_kwh\n", "runs.csv", {}),
                    Catch::Contains("missing column 'duration_h'"));
  CHECK_THROWS_WITH(parse_runs_csv(head, "runs.csv", {}), Catch::Contains("no runs"));
  CHECK_THROWS_WITH(parse_runs_csv("", "runs.csv", {}), Catch::Contains("empty file"));
}

TEST_CASE("parse_runs_csv reads CodeCarbon's emissions.csv", "[calibrate]") {
  const std::string text =
      "timestamp,project_name,run_id,duration,emissions,cpu_energy,gpu_energy,ram_energy,energy_consumed,"
      "gpu_count,gpu_model\n"
      "2024-05-01T10:00:00,demo,a,7200,1.0,0.5,3.0,0.1,3.6,4,4 x NVIDIA H100 80GB HBM3\n"
      "2024-05-01T12:00:00,demo,b,3600,1.0,,,,2.0,,\n";
  RunDefaults d;
  d.hardware = "h100-sxm";
  d.params = 1e9;
  d.tokens = 1e10;
  d.chips = 2;
  const auto runs = parse_runs_csv(text, "emissions.csv", d);
  REQUIRE(runs.size() == 2);
  CHECK(runs[0].duration_h == Approx(2.0));
  CHECK(runs[0].server_energy_kwh == Approx(3.6));
  CHECK(*runs[0].gpu_energy_kwh == Approx(3.0));
  CHECK(runs[0].chips == 4);
  CHECK(runs[1].server_energy_kwh == Approx(2.0));  // energy_consumed when the parts are empty
  CHECK_FALSE(runs[1].gpu_energy_kwh);
  CHECK(runs[1].chips == 2);  // --chips when gpu_count is empty

  RunDefaults no_params = d;
  no_params.params.reset();
  CHECK_THROWS_WITH(parse_runs_csv(text, "emissions.csv", no_params),
                    Catch::Contains("emissions.csv:2: params: missing value (CodeCarbon does not record it"));
  RunDefaults no_chips = d;
  no_chips.chips.reset();
  CHECK_THROWS_WITH(parse_runs_csv(text, "emissions.csv", no_chips),
                    Catch::Contains("emissions.csv:3: gpu_count: missing value (give --chips)"));
}

TEST_CASE("calibrate reads llm-energy measure's JSON reports as runs", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  const Truth t{0.4, 0.75, 140};
  const MeasuredRun truth = synth(cat, "h100-sxm", 1.3e9, 2e10, 8, t, true);
  // What measure writes for that run: 8 GPUs and one CPU package.
  MeasurementReport m;
  m.command = {"python", "train.py"};
  m.duration_s = truth.duration_h * 3600;
  const double gpu_j = *truth.gpu_energy_kwh * 3.6e6;
  for (int i = 0; i < 8; ++i) {
    m.devices.push_back(
        {"gpu" + std::to_string(i), DeviceKind::gpu, MeterMethod::counter, gpu_j / 8, std::nullopt});
  }
  m.devices.push_back({"package-0 (intel-rapl:0)", DeviceKind::cpu_package, MeterMethod::counter,
                       truth.server_energy_kwh * 3.6e6 - gpu_j, std::nullopt});
  m.hardware = "h100-sxm";
  m.job.node = "n1";
  m.grid.pue = Range::exact(1.2);
  m.grid.intensity = Range::exact(100);
  m.footprint = account(m.devices, m.grid);
  const std::string text = render::render_measurement(m, render::Format::json);
  RunDefaults d;
  d.params = 1.3e9;
  d.tokens = 2e10;
  const auto runs = parse_runs(text, "run.json", d);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].where == "run.json");
  CHECK(runs[0].hardware == "h100-sxm");  // the report's (measure --hardware)
  CHECK(runs[0].chips == 8);              // the GPUs it read
  CHECK(runs[0].duration_h == Approx(truth.duration_h).epsilon(1e-5));
  CHECK(runs[0].server_energy_kwh == Approx(truth.server_energy_kwh).epsilon(1e-5));  // IT, not facility
  CHECK(*runs[0].gpu_energy_kwh == Approx(*truth.gpu_energy_kwh).epsilon(1e-5));
  const Profile p = calibrate(runs, cat, "run.json").profile;
  CHECK(p.training_mfu.value == Approx(t.mfu).epsilon(1e-3));
  CHECK(p.avg_power_fraction.value == Approx(t.fraction).epsilon(1e-3));
  CHECK(p.host_power_w.value == Approx(t.host_w).epsilon(1e-3));

  // A merged report (measure --merge) is one run of all its nodes' GPUs.
  MeasurementReport other = m;
  other.job.node = "n2";
  const MergedMeasurement merged = merge_measurements({{"a.json", m}, {"b.json", other}}, std::nullopt);
  const auto two = parse_runs(render::render_merged(merged, render::Format::json), "merged.json", d);
  CHECK(two[0].chips == 16);
  CHECK(two[0].server_energy_kwh == Approx(2 * truth.server_energy_kwh).epsilon(1e-5));

  RunDefaults flags = d;
  flags.hardware = "a100-sxm4-80gb";
  flags.chips = 4;
  CHECK(parse_runs(text, "run.json", flags)[0].hardware == "a100-sxm4-80gb");  // flags first
  CHECK(parse_runs(text, "run.json", flags)[0].chips == 4);
  MeasurementReport with_chips = m;
  with_chips.chips = 6;  // measure --chips 6
  CHECK(parse_runs(render::render_measurement(with_chips, render::Format::json), "run.json", d)[0].chips ==
        6);

  auto bad = [&](const std::string& from, const std::string& to) {
    std::string x = text;
    x.replace(x.find(from), from.size(), to);
    return x;
  };
  RunDefaults no_params = d;
  no_params.params.reset();
  CHECK_THROWS_WITH(
      parse_runs(text, "run.json", no_params),
      Catch::Equals("run.json: params: missing (a measure report does not record it: give --params)"));
  CHECK_THROWS_WITH(parse_runs(bad("\"method\": \"measured\"", "\"method\": \"estimated\""), "run.json", d),
                    Catch::StartsWith("run.json: the report is an estimate (method: estimated"));
  CHECK_THROWS_WITH(parse_runs(bad("\"exit_code\": 0", "\"exit_code\": 1"), "run.json", d),
                    Catch::Contains("exited with code 1: not a complete run"));
  CHECK_THROWS_WITH(parse_runs(bad("\"gpus\": 8", "\"gpus\": 0"), "run.json", d),
                    Catch::Contains("run.json: chips: the report read no GPU: give --chips"));
  CHECK_THROWS_WITH(
      parse_runs(bad("\"hardware\": \"h100-sxm\"", "\"hardware\": null"), "run.json", d),
      Catch::Contains("run.json: hardware: missing (give --hardware ID, or measure with --hardware)"));
  CHECK_THROWS_WITH(parse_runs(bad("llm-energy/measure/1", "llm-energy/profile/1"), "run.json", d),
                    Catch::Contains("schema 'llm-energy/profile/1': not a report of llm-energy measure"));
  CHECK(
      parse_runs("params,tokens,chips,duration_h,energy_kwh\n7e9,2e11,64,10,500\n", "r.csv", flags).size() ==
      1);
}

TEST_CASE("profiles round-trip through JSON and are validated", "[calibrate]") {
  Profile p;
  p.hardware = "h100-sxm";
  p.runs = 3;
  p.training_mfu = {0.42, 0.4, 0.44};
  p.avg_power_fraction = {0.78, 0.74, 0.8};
  p.host_power_w = {150, 140, 160};
  p.source = "test";
  const std::string text = profile_to_json(p);
  CHECK(text.find("\"schema\": \"llm-energy/profile/1\"") != std::string::npos);
  const Profile q = parse_profile(text, "p.json");
  CHECK(q.hardware == p.hardware);
  CHECK(q.runs == 3);
  CHECK(q.training_mfu.low == 0.4);
  CHECK(q.host_power_w.high == 160);
  CHECK(q.file == "p.json");
  const Catalog c = apply_profile(builtin_catalog(), q);
  const Hardware& hw = c.find_hardware("h100-sxm");
  CHECK(hw.training_mfu.value == 0.42);
  CHECK(hw.avg_power_fraction.low == 0.74);
  CHECK(hw.host_power_w.source == "profile p.json (fitted on 3 runs)");
  CHECK(builtin_catalog().find_hardware("h100-sxm").training_mfu.source != hw.training_mfu.source);

  auto bad = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK_THROWS_WITH(parse_profile("{", "p.json"), Catch::Contains("p.json:"));
  CHECK_THROWS_WITH(parse_profile(bad("profile/1", "profile/9"), "p.json"), Catch::Contains("schema"));
  CHECK_THROWS_WITH(parse_profile(bad("\"value\": 0.42", "\"value\": 0.5"), "p.json"),
                    Catch::Contains("needs low <= value <= high"));
  CHECK_THROWS_WITH(parse_profile(bad("\"runs\": 3", "\"runs\": 3, \"extra\": 1"), "p.json"),
                    Catch::Contains("unknown key 'extra'"));
  Profile unknown = q;
  unknown.hardware = "h100x";
  CHECK_THROWS_WITH(apply_profile(builtin_catalog(), unknown), Catch::Contains("did you mean"));
}

TEST_CASE("profiles are as strict as a hardware file's datums", "[calibrate]") {
  Profile p;
  p.hardware = "h100-sxm";
  p.runs = 2;
  p.training_mfu = {0.42, 0.4, 0.44};
  p.avg_power_fraction = {0.78, 0.74, 0.8};
  p.host_power_w = {150, 140, 160};
  p.source = "test";
  CHECK_NOTHROW(parse_profile(profile_to_json(p), "p.json"));
  auto refused = [&](auto change) {
    Profile q = p;
    change(q);
    const std::string text = profile_to_json(q);
    std::string message;
    try {
      (void)parse_profile(text, "p.json");
    } catch (const InputError& e) {
      message = e.what();
    }
    // An in-memory profile is refused alike where it is applied.
    CHECK_THROWS_AS(apply_profile(builtin_catalog(), q), InputError);
    return message;
  };
  CHECK(refused([](Profile& q) {
          q.avg_power_fraction = {50, 40, 60};
        }) ==
        "p.json: key 'avg_power_fraction': must lie in (0, 1.5], as in a hardware file (low 40, high 60)");
  CHECK(refused([](Profile& q) {
          q.avg_power_fraction = {1.2, 1.0, 1.6};
        }).find("must lie in (0, 1.5]") != std::string::npos);
  CHECK(refused([](Profile& q) {
          q.avg_power_fraction = {0.5, 0, 0.6};
        }).find("must lie in (0, 1.5]") != std::string::npos);
  CHECK(refused([](Profile& q) {
          q.training_mfu = {0.9, 0.8, 1.2};
        }).find("training_mfu': must lie in (0, 1]") != std::string::npos);
  CHECK(refused([](Profile& q) {
          q.host_power_w = {10, -5, 20};
        }).find("host_power_w': must not be negative") != std::string::npos);
  // The edges a hardware file allows are allowed.
  Profile edge = p;
  edge.training_mfu = {1.0, 1.0, 1.0};
  edge.avg_power_fraction = {1.5, 1.5, 1.5};
  edge.host_power_w = {0, 0, 0};
  CHECK_NOTHROW(apply_profile(builtin_catalog(), parse_profile(profile_to_json(edge), "edge.json")));
}

TEST_CASE("profile hardware ids match case-insensitively, as the catalog's", "[calibrate]") {
  const Catalog& cat = builtin_catalog();
  Profile p;
  p.hardware = "H100-SXM";
  p.runs = 1;
  p.training_mfu = {0.5, 0.5, 0.5};
  p.avg_power_fraction = {0.7, 0.7, 0.7};
  p.host_power_w = {100, 100, 100};
  p.source = "test";
  const Profile q = parse_profile(profile_to_json(p), "upper.json");
  CHECK(profile_matches_hardware(q, "h100-sxm", cat));
  CHECK(profile_matches_hardware(q, "H100-sxm", cat));
  CHECK_FALSE(profile_matches_hardware(q, "a100-sxm4-80gb", cat));
  CHECK_THROWS_WITH(profile_matches_hardware(q, "h100x", cat), Catch::Contains("did you mean"));
  const Catalog c = apply_profile(cat, q);
  CHECK(c.find_hardware("h100-sxm").training_mfu.value == 0.5);

  // Runs that spell one id two ways are one hardware id; the profile takes the catalog's spelling.
  std::vector<MeasuredRun> runs{synth(cat, "h100-sxm", 7e9, 2e11, 64, {0.4, 0.7, 100}, true),
                                synth(cat, "h100-sxm", 7e9, 2e11, 64, {0.4, 0.7, 100}, true)};
  runs[1].hardware = "H100-SXM";
  CHECK(calibrate(runs, cat, "x").profile.hardware == "h100-sxm");
}

// ---- measure's samplers ----

TEST_CASE("a wrapping counter adds each wrap past the range", "[measure]") {
  using Step = measure::WrappingCounter::Step;
  measure::WrappingCounter c(900, 1000);
  CHECK(c.update(950) == Step::forward);
  CHECK(c.update(100) == Step::wrap);  // wrapped: 50 to the top, then 100
  c.update(300);
  c.update(990);
  CHECK(c.update(40) == Step::wrap);  // wrapped again: 10 + 40
  CHECK(c.total() == 50 + 150 + 200 + 690 + 50);
  CHECK(c.wraps() == 2);
  CHECK(c.steps_back() == 0);
  CHECK(measure::step_back_warning(c, "uJ").empty());
}

TEST_CASE("a counter that steps back a little is a reset or a glitch, not a wrap", "[measure]") {
  using Step = measure::WrappingCounter::Step;
  // RAPL's usual range: a wrap counted here would add ~262 kJ that was never drawn.
  const std::uint64_t range = 262143328850ULL;
  measure::WrappingCounter c(5'000'000, range);
  c.update(6'000'000);                       // +1 J
  CHECK(c.update(5'999'000) == Step::back);  // 1 mJ back: a glitch
  CHECK(c.update(7'000'000) == Step::forward);
  CHECK(c.total() == 1'000'000 + 1'001'000);  // the step back is not counted
  CHECK(c.wraps() == 0);
  CHECK(c.update(0) == Step::back);  // reset to zero far below the top of the range
  c.update(500);
  CHECK(c.total() == 2'001'000 + 500);
  CHECK(c.steps_back() == 2);
  CHECK(c.largest_step_back() == 7'000'000);
  CHECK(measure::step_back_warning(c, "uJ") ==
        "counter stepped back 2 times (by up to 7000000 uJ of its 262143328850 uJ range; a reset or a "
        "glitch, not a wrap): those steps are not counted");

  SECTION("the rule's edge: a step back of half the range or more is a wrap") {
    measure::WrappingCounter h(600, 1000);
    CHECK(h.update(100) == Step::wrap);  // back 500: 400 to the top + 100
    CHECK(h.total() == 500);
    measure::WrappingCounter g(600, 1000);
    CHECK(g.update(101) == Step::back);  // back 499: would imply 501, over half the range
    CHECK(g.total() == 0);
  }
  SECTION("without a range (0: NVML's counter) every step back is a reset") {
    measure::WrappingCounter n(1000, 0);
    CHECK(n.update(10) == Step::back);
    n.update(30);
    CHECK(n.total() == 20);
    CHECK(measure::step_back_warning(n, "mJ").find("range") == std::string::npos);
  }
}

TEST_CASE("power samples integrate with the trapezoid rule", "[measure]") {
  measure::PowerIntegral p;
  p.add(0.0, 100);
  CHECK(p.joules() == 0);
  p.add(1.0, 200);  // 150 J
  p.add(3.0, 200);  // 400 J
  CHECK(p.joules() == Approx(550));
  CHECK(p.samples() == 3);
}

TEST_CASE("the powercap meter reads packages and DRAM once each, across wraps", "[measure]") {
  TempDir tmp;
  const fs::path root = tmp.path / "powercap";
  const fs::path pkg = root / "intel-rapl:0";
  auto zone = [&](const fs::path& d, const std::string& name, const std::string& energy,
                  const std::string& range) {
    write(d / "name", name + "\n");
    if (!energy.empty()) {
      write(d / "energy_uj", energy + "\n");
    }
    write(d / "max_energy_range_uj", range + "\n");
  };
  zone(pkg, "package-0", "900", "1000");
  zone(pkg / "intel-rapl:0:0", "core", "5", "1000");  // part of the package: skipped
  zone(pkg / "intel-rapl:0:2", "dram", "10", "100000");
  fs::create_directory_symlink(pkg / "intel-rapl:0:2", root / "intel-rapl:0:2");  // flat and nested
  zone(root / "intel-rapl:1", "psys", "1", "1000");            // the whole platform: skipped
  zone(root / "intel-rapl-mmio:0", "package-0", "1", "1000");  // same package via MMIO: skipped
  zone(root / "intel-rapl:2", "package-1", "", "1000");        // no energy_uj: unreadable

  std::vector<Unreadable> unreadable;
  measure::PowercapMeter m(root.string(), unreadable);
  REQUIRE(unreadable.size() == 1);
  CHECK(unreadable[0].source == (root / "intel-rapl:2" / "energy_uj").string());
  CHECK(unreadable[0].reason == "No such file or directory");

  auto set = [&](const fs::path& d, const std::string& v) { write(d / "energy_uj", v + "\n"); };
  m.sample();
  set(pkg, "950");
  set(pkg / "intel-rapl:0:2", "60");
  m.sample();
  set(pkg, "100");  // wrapped
  m.sample();
  set(pkg, "300");
  set(pkg / "intel-rapl:0:2", "1010");
  m.sample();
  const auto devices = m.devices();
  REQUIRE(devices.size() == 2);
  CHECK(devices[0].name == "package-0 (intel-rapl:0)");
  CHECK(devices[0].kind == DeviceKind::cpu_package);
  CHECK(devices[0].method == MeterMethod::counter);
  CHECK(devices[0].energy_j == Approx(400e-6));
  CHECK(devices[1].name == "dram (intel-rapl:0:2)");
  CHECK(devices[1].kind == DeviceKind::dram);
  CHECK(devices[1].energy_j == Approx(1000e-6));

  SECTION("a counter that steps back is warned about and not counted as a wrap") {
    set(pkg, "290");  // 10 uJ back of a 1000 uJ range: not a wrap (which would add 990)
    m.sample();
    set(pkg, "310");
    m.sample();
    CHECK(m.devices()[0].energy_j == Approx(420e-6));
    const auto w = m.warnings();
    REQUIRE(w.size() == 1);
    CHECK(w[0].source == (pkg / "energy_uj").string());
    CHECK(w[0].message.find("stepped back 1 time (by up to 10 uJ of its 1000 uJ range") != std::string::npos);
    CHECK(unreadable.size() == 1);
  }
  SECTION("a counter that becomes unreadable keeps what it counted") {
    fs::remove(pkg / "energy_uj");
    m.sample();
    REQUIRE(unreadable.size() == 2);
    CHECK(unreadable[1].reason.find("during the run") != std::string::npos);
    CHECK(m.devices()[0].energy_j == Approx(400e-6));
  }
}

TEST_CASE("missing powercap and NVML are reported, not fatal", "[measure]") {
  std::vector<Unreadable> unreadable;
  measure::PowercapMeter pc("/nonexistent/powercap", unreadable);
  measure::NvmlMeter nv("/nonexistent/libnvidia-ml.so.1", unreadable);
  pc.sample();
  nv.sample(0.1);
  CHECK(pc.devices().empty());
  CHECK(nv.devices().empty());
  REQUIRE(unreadable.size() == 2);
  CHECK(unreadable[0].source == "powercap /nonexistent/powercap");
  CHECK(unreadable[1].source == "NVML (/nonexistent/libnvidia-ml.so.1)");
}

TEST_CASE("sampling intervals", "[measure]") {
  CHECK(measure::parse_interval_s("100ms") == Approx(0.1));
  CHECK(measure::parse_interval_s("0.5s") == Approx(0.5));
  CHECK(measure::parse_interval_s("250") == Approx(0.25));
  CHECK_THROWS_AS(measure::parse_interval_s("0ms"), InputError);
  CHECK_THROWS_AS(measure::parse_interval_s("2m"), InputError);
  CHECK_THROWS_AS(measure::parse_interval_s("61s"), InputError);
}

TEST_CASE("measure reads the powercap root from LLM_ENERGY_POWERCAP_ROOT", "[measure]") {
  TempDir tmp;
  const fs::path pkg = tmp.path / "intel-rapl:0";
  write(pkg / "name", "package-0\n");
  write(pkg / "energy_uj", "1000\n");
  write(pkg / "max_energy_range_uj", "262143328850\n");
  ::setenv("LLM_ENERGY_POWERCAP_ROOT", tmp.path.c_str(), 1);
  std::ostringstream out;
  std::ostringstream err;
  const char* argv[] = {"llm-energy",     "measure",         "--format", "json", "--output", "-",
                        "--nvml-library", "/nonexistent.so", "--",       "sh",   "-c",       "exit 5"};
  const int rc = cli::run(static_cast<int>(std::size(argv)), argv, out, err);
  ::unsetenv("LLM_ENERGY_POWERCAP_ROOT");
  CHECK(rc == 5);
  CHECK(out.str().find("\"name\": \"package-0 (intel-rapl:0)\"") != std::string::npos);
  CHECK(out.str().find("\"exit_code\": 5") != std::string::npos);
  CHECK(out.str().find("\"source\": \"NVML (/nonexistent.so)\"") != std::string::npos);
  const std::string e = err.str();
  CHECK(e.rfind("llm-energy: warning: cannot read NVML (/nonexistent.so): ", 0) == 0);
  CHECK(std::count(e.begin(), e.end(), '\n') == 1);
}

TEST_CASE("measure warns about a counter that steps back during the run and does not count it", "[measure]") {
  TempDir tmp;
  const fs::path pkg = tmp.path / "intel-rapl:0";
  write(pkg / "name", "package-0\n");
  write(pkg / "energy_uj", "5000000\n");
  write(pkg / "max_energy_range_uj", "262143328850\n");
  const std::string energy = (pkg / "energy_uj").string();
  const std::string root = tmp.path.string();
  std::ostringstream out;
  std::ostringstream err;
  const std::string script = "echo 4999000 > '" + energy + "'";
  const char* argv[] = {
      "llm-energy",      "measure",         "--format",   "json", "--output", "-",  "--nvml-library",
      "/nonexistent.so", "--powercap-root", root.c_str(), "--",   "sh",       "-c", script.c_str()};
  const int rc = cli::run(static_cast<int>(std::size(argv)), argv, out, err);
  CHECK(rc == 0);
  const auto j = nlohmann::json::parse(out.str());
  CHECK(j["devices"][0]["energy_j"] == 0);  // not 262 kJ of a phantom wrap
  REQUIRE(j["warnings"].size() == 1);
  CHECK(j["warnings"][0]["source"] == energy);
  const std::string e = err.str();
  CHECK(e.find("stepped back 1 time (by up to 1000 uJ") != std::string::npos);
  CHECK(std::count(e.begin(), e.end(), '\n') == 1);
}
