// measure with no readable counter (an estimate from the hardware's power figures), measure
// under a launcher (job metadata, one measuring rank per node, report names) and --merge.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "llm_energy/catalog.hpp"
#include "llm_energy/error.hpp"
#include "llm_energy/metering.hpp"
#include "llm_energy/resolve.hpp"
#include "measure/launcher.hpp"
#include "render/measure.hpp"

using namespace llm_energy;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("llm-energy-nodes-" + std::to_string(::getpid()) + "-" + std::to_string(std::rand()));
    fs::create_directories(path);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Every variable the launcher detection reads, cleared, then the test's set; restored after.
class Env {
 public:
  explicit Env(const std::map<std::string, std::string>& vars) {
    for (const char* v : {"LLM_ENERGY_NODE_NAME",
                          "LLM_ENERGY_POWERCAP_ROOT",
                          "SLURM_JOB_ID",
                          "SLURM_JOB_NAME",
                          "SLURM_NODEID",
                          "SLURMD_NODENAME",
                          "SLURM_PROCID",
                          "SLURM_LOCALID",
                          "SLURM_NTASKS",
                          "SLURM_NPROCS",
                          "RANK",
                          "LOCAL_RANK",
                          "WORLD_SIZE",
                          "GROUP_RANK",
                          "OMPI_COMM_WORLD_RANK",
                          "OMPI_COMM_WORLD_LOCAL_RANK",
                          "OMPI_COMM_WORLD_SIZE",
                          "PMI_RANK",
                          "MPI_LOCALRANKID",
                          "PMI_SIZE"}) {
      if (const char* old = std::getenv(v)) {
        m_saved[v] = old;
      }
      ::unsetenv(v);
      m_names.emplace_back(v);
    }
    for (const auto& [k, v] : vars) {
      if (std::find(m_names.begin(), m_names.end(), k) == m_names.end()) {
        m_names.push_back(k);
      }
      ::setenv(k.c_str(), v.c_str(), 1);
    }
  }
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  ~Env() {
    for (const auto& n : m_names) {
      ::unsetenv(n.c_str());
    }
    for (const auto& [k, v] : m_saved) {
      ::setenv(k.c_str(), v.c_str(), 1);
    }
  }

 private:
  std::vector<std::string> m_names;
  std::map<std::string, std::string> m_saved;
};

struct Result {
  int rc;
  std::string out;
  std::string err;
};

Result run(std::vector<std::string> args) {
  std::vector<const char*> argv{"llm-energy"};
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  std::ostringstream out;
  std::ostringstream err;
  const int rc = cli::run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {rc, out.str(), err.str()};
}

// A powercap tree with one package at `uj` microjoules.
fs::path package_tree(const fs::path& root, const std::string& uj) {
  const fs::path pkg = root / "intel-rapl:0";
  write(pkg / "name", "package-0\n");
  write(pkg / "energy_uj", uj + "\n");
  write(pkg / "max_energy_range_uj", "262143328850\n");
  return pkg / "energy_uj";
}

std::map<std::string, std::string> slurm(const std::string& node, int node_id, int rank, int local_rank,
                                         const std::string& job = "4242") {
  return {{"LLM_ENERGY_NODE_NAME", node},
          {"SLURM_JOB_ID", job},
          {"SLURM_JOB_NAME", "train-7b"},
          {"SLURM_NODEID", std::to_string(node_id)},
          {"SLURM_PROCID", std::to_string(rank)},
          {"SLURM_LOCALID", std::to_string(local_rank)},
          {"SLURM_NTASKS", "4"}};
}

const Resolved& h100_power() {
  static const Resolved r = [] {
    Scenario s;
    s.phase = Given<Phase>{Phase::training, Origin::flag};
    s.params = Given<double>{1e9, Origin::flag};
    s.tokens = Given<double>{1e9, Origin::flag};
    s.hardware = Given<std::string>{"h100-sxm", Origin::flag};
    return resolve(s, builtin_catalog());
  }();
  return r;
}

}  // namespace

// ---- C: an estimate where nothing can be read ----

TEST_CASE("an estimated entry is chips x (TDP x average draw + host power) over the run",
          "[measure][estimate]") {
  const Hardware& hw = builtin_catalog().find_hardware("h100-sxm");
  const DeviceEnergy d = estimated_device(h100_power(), 8, false, 10.0);
  CHECK(d.method == MeterMethod::estimated);
  CHECK(d.kind == DeviceKind::server);
  CHECK(d.name == "estimate: 8 x h100-sxm");
  const double per_chip = hw.tdp_w.value * hw.avg_power_fraction.value + hw.host_power_w.value;
  CHECK(d.energy_j == Approx(10.0 * 8 * per_chip));
  CHECK(d.accelerator_j() == Approx(10.0 * 8 * hw.tdp_w.value * hw.avg_power_fraction.value));
  const Interval i = energy_interval_j(d);
  CHECK(i.low < d.energy_j);
  CHECK(i.high > d.energy_j);
  // Within the all-low and all-high bounds of the datums' ranges.
  CHECK(i.low >= 80 * (hw.tdp_w.value * hw.avg_power_fraction.low + hw.host_power_w.low) * (1 - 1e-9));
  CHECK(i.high <= 80 * (hw.tdp_w.value * hw.avg_power_fraction.high + hw.host_power_w.high) * (1 + 1e-9));

  GridFigures g;
  g.pue = Range::exact(1.0);
  g.intensity = Range::exact(100);
  const MeasuredFootprint fp = account({d}, g);
  CHECK(fp.estimated);
  CHECK(fp.server_j == Approx(d.energy_j));
  CHECK(fp.accelerator_j == Approx(d.accelerator_j()));
  CHECK(fp.server_interval.low * 3.6e6 == Approx(i.low));
  CHECK(fp.server_interval.high * 3.6e6 == Approx(i.high));
  CHECK(fp.energy_interval.high * 3.6e6 == Approx(i.high));  // PUE exact: the estimate's range alone

  SECTION("a measured entry keeps exact boundaries") {
    const MeasuredFootprint m =
        account({{"gpu0", DeviceKind::gpu, MeterMethod::counter, 3.6e6, std::nullopt}}, g);
    CHECK_FALSE(m.estimated);
    CHECK(m.server_interval.low == m.server_kwh);
    CHECK(m.server_interval.high == m.server_kwh);
    CHECK(m.co2e_kg == Approx(0.1));
  }
}

TEST_CASE("measure with no readable counter reports an estimate with its range, never 0 J",
          "[measure][estimate]") {
  Env env({});
  SECTION("with --hardware and --chips") {
    const Result r = run({"measure", "--format", "json", "--output", "-", "--powercap-root", "/nonexistent",
                          "--nvml-library", "/nonexistent.so", "--hardware", "A100-SXM4-80GB", "--chips", "4",
                          "--", "sleep", "0.2"});
    REQUIRE(r.rc == 0);
    const json j = json::parse(r.out);
    CHECK(j["method"] == "estimated");
    CHECK(j["hardware"] == "a100-sxm4-80gb");
    REQUIRE(j["devices"].size() == 1);
    const json& d = j["devices"][0];
    CHECK(d["method"] == "estimated");
    CHECK(d["estimate"]["chips"] == 4);
    CHECK(d["estimate"]["default_hardware"] == false);
    CHECK(d["energy_j"].get<double>() > 0);
    CHECK(d["range_j"][0].get<double>() < d["energy_j"].get<double>());
    CHECK(d["range_j"][1].get<double>() > d["energy_j"].get<double>());
    const Hardware& hw = builtin_catalog().find_hardware("a100-sxm4-80gb");
    const double per_chip = hw.tdp_w.value * hw.avg_power_fraction.value + hw.host_power_w.value;
    CHECK(d["energy_j"].get<double>() == Approx(j["duration_s"].get<double>() * 4 * per_chip).epsilon(1e-4));
    CHECK(j["server_energy_kwh"].get<double>() > 0);
    CHECK(j["interval"]["server_energy_kwh"][0].get<double>() < j["server_energy_kwh"].get<double>());
    CHECK(r.err.find("(nothing measured: estimated from a100-sxm4-80gb's power figures)") !=
          std::string::npos);
  }
  SECTION("without --hardware: the default hardware, and the report says so") {
    const Result r = run({"measure", "--output", "-", "--powercap-root", "/nonexistent", "--nvml-library",
                          "/nonexistent.so", "--", "true"});
    REQUIRE(r.rc == 0);
    CHECK(r.out.find("estimate: 1 x h100-sxm") != std::string::npos);
    CHECK(r.out.find("method: estimated (no counter could be read)") != std::string::npos);
    CHECK(r.out.find("h100-sxm is the default hardware: give --hardware ID") != std::string::npos);
    CHECK(r.out.find("range") != std::string::npos);
    CHECK(r.err.find("the default hardware: give --hardware ID") != std::string::npos);
  }
  SECTION("a counter read, no estimate") {
    TempDir tmp;
    package_tree(tmp.path, "1000");
    const Result r =
        run({"measure", "--format", "json", "--output", "-", "--powercap-root", tmp.path.string(),
             "--nvml-library", "/nonexistent.so", "--hardware", "h100-sxm", "--", "true"});
    const json j = json::parse(r.out);
    CHECK(j["method"] == "measured");
    CHECK(j["hardware"] == "h100-sxm");  // recorded for calibrate
    CHECK(j["devices"][0]["method"] == "counter");
  }
  SECTION("bad --hardware and --chips fail before the command runs") {
    TempDir tmp;
    const fs::path marker = tmp.path / "ran";
    const std::string touch = "touch '" + marker.string() + "'";
    CHECK(run({"measure", "--hardware", "h100x", "--", "sh", "-c", touch}).rc == 2);
    CHECK(run({"measure", "--chips", "0", "--", "sh", "-c", touch}).rc == 2);
    CHECK(run({"measure", "--chips", "1.5", "--", "sh", "-c", touch})
              .err.find("chips: must be a whole number") != std::string::npos);
    CHECK_FALSE(fs::exists(marker));
  }
}

// ---- F: launchers ----

TEST_CASE("the launcher's ranks and job metadata, innermost launcher first", "[measure][nodes]") {
  auto job = [](const std::map<std::string, std::string>& vars) {
    return measure::detect_job(
        [&vars](const char* name) {
          auto it = vars.find(name);
          return it == vars.end() ? nullptr : it->second.c_str();
        },
        "host-1");
  };
  const JobInfo none = job({});
  CHECK(none.launcher.empty());
  CHECK(none.node == "host-1");
  CHECK_FALSE(none.rank);
  CHECK(measure::measures_node(none));

  const JobInfo s = job({{"SLURM_JOB_ID", "77"},
                         {"SLURM_JOB_NAME", "pretrain"},
                         {"SLURM_NODEID", "3"},
                         {"SLURMD_NODENAME", "gpu-node-07"},
                         {"SLURM_PROCID", "13"},
                         {"SLURM_LOCALID", "1"},
                         {"SLURM_NTASKS", "32"}});
  CHECK(s.launcher == "slurm");
  CHECK(s.node == "gpu-node-07");
  CHECK(s.job_id == "77");
  CHECK(s.job_name == "pretrain");
  CHECK(s.node_id == 3);
  CHECK(s.rank == 13);
  CHECK(s.local_rank == 1);
  CHECK(s.world_size == 32);
  CHECK_FALSE(measure::measures_node(s));

  // torchrun started by srun: torchrun's ranks (its workers share Slurm's SLURM_LOCALID 0).
  const JobInfo t = job({{"SLURM_JOB_ID", "77"},
                         {"SLURM_NODEID", "1"},
                         {"SLURM_PROCID", "1"},
                         {"SLURM_LOCALID", "0"},
                         {"RANK", "11"},
                         {"LOCAL_RANK", "3"},
                         {"WORLD_SIZE", "16"},
                         {"GROUP_RANK", "1"}});
  CHECK(t.launcher == "torchrun");
  CHECK(t.rank == 11);
  CHECK(t.local_rank == 3);
  CHECK(t.world_size == 16);
  CHECK(t.node_id == 1);
  CHECK_FALSE(measure::measures_node(t));
  CHECK(job({{"LOCAL_RANK", "0"}, {"RANK", "8"}, {"GROUP_RANK", "2"}}).node_id == 2);

  const JobInfo o = job(
      {{"OMPI_COMM_WORLD_RANK", "5"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "0"}, {"OMPI_COMM_WORLD_SIZE", "8"}});
  CHECK(o.launcher == "open-mpi");
  CHECK(o.rank == 5);
  CHECK(measure::measures_node(o));
  CHECK(measure::local_rank_warning(o).empty());

  // MPICH/Intel MPI without a local rank: every rank measures, with a warning.
  const JobInfo p = job({{"PMI_RANK", "2"}, {"PMI_SIZE", "4"}});
  CHECK(p.launcher == "pmi");
  CHECK_FALSE(p.local_rank);
  CHECK(measure::measures_node(p));
  CHECK(measure::local_rank_warning(p).find("no local rank") != std::string::npos);
  CHECK(job({{"PMI_RANK", "2"}, {"MPI_LOCALRANKID", "1"}}).local_rank == 1);

  CHECK(job({{"LLM_ENERGY_NODE_NAME", "override"}, {"SLURMD_NODENAME", "slurm-name"}}).node == "override");
  CHECK_THROWS_WITH(job({{"SLURM_PROCID", "x1"}}), Catch::Contains("SLURM_PROCID='x1' is not a rank"));
}

TEST_CASE("report names from the launcher's values", "[measure][nodes]") {
  JobInfo j;
  j.launcher = "slurm";
  j.node = "gpu node/7";
  j.job_id = "4242";
  j.node_id = 3;
  j.rank = 24;
  j.local_rank = 0;
  CHECK(measure::expand_output_pattern("run-{job_id}-{node}.json", j) == "run-4242-gpu_node_7.json");
  CHECK(measure::expand_output_pattern("e/{node_id}-{rank}-{local_rank}.json", j) == "e/3-24-0.json");
  CHECK(measure::expand_output_pattern("plain.json", j) == "plain.json");
  CHECK_THROWS_WITH(measure::expand_output_pattern("{host}.json", j),
                    Catch::Contains("unknown placeholder {host}"));
  JobInfo alone;
  alone.node = "laptop";
  CHECK(measure::expand_output_pattern("{node}-{rank}-{node_id}.json", alone) == "laptop-0-0.json");
  CHECK_THROWS_WITH(measure::expand_output_pattern("{job_id}.json", alone),
                    Catch::Contains("{job_id} has no value here (SLURM_JOB_ID is not set)"));
  JobInfo mpi;
  mpi.launcher = "open-mpi";
  mpi.node = "n";
  mpi.rank = 1;
  CHECK_THROWS_WITH(measure::expand_output_pattern("{node_id}.json", mpi),
                    Catch::Contains("{node_id} has no value under open-mpi"));
}

// ---- F: reports read back and merged ----

namespace {

MeasurementReport node_report(const std::string& node, long long id, double duration, double joules) {
  MeasurementReport r;
  r.command = {"python", "train.py"};
  r.duration_s = duration;
  r.devices = {{"gpu0 H100", DeviceKind::gpu, MeterMethod::counter, joules * 0.8, std::nullopt},
               {"package-0 (intel-rapl:0)", DeviceKind::cpu_package, MeterMethod::counter, joules * 0.2,
                std::nullopt}};
  r.job.launcher = "slurm";
  r.job.node = node;
  r.job.job_id = "4242";
  r.job.job_name = "train-7b";
  r.job.node_id = id;
  r.job.rank = id * 2;
  r.job.local_rank = 0;
  r.job.world_size = 4;
  r.grid.region = "FR";
  r.grid.pue_operator = "hyperscale";
  r.grid.pue = {1.08, 1.15, 1.25};
  r.grid.intensity = {40, 56, 80};
  r.footprint = account(r.devices, r.grid);
  return r;
}

MeasurementReport round_trip(const MeasurementReport& r) {
  return parse_measurement(render::render_measurement(r, render::Format::json), "node.json");
}

}  // namespace

TEST_CASE("a JSON report reads back as it was written", "[measure][nodes]") {
  MeasurementReport r = node_report("node-a", 0, 12.5, 36000);
  r.unreadable.push_back({"NVML (libnvidia-ml.so.1)", "no GPU"});
  r.warnings.push_back({"/sys/x/energy_uj", "counter stepped back"});
  r.exit_code = 3;
  const MeasurementReport b = round_trip(r);
  CHECK(b.command == r.command);
  CHECK(b.exit_code == 3);
  CHECK(b.duration_s == r.duration_s);
  CHECK(b.devices == r.devices);
  CHECK(b.unreadable == r.unreadable);
  CHECK(b.warnings == r.warnings);
  CHECK(b.job == r.job);
  CHECK(b.grid == r.grid);
  CHECK(b.footprint.server_kwh == Approx(r.footprint.server_kwh));

  MeasurementReport e = node_report("node-b", 1, 10, 0);
  e.devices = {estimated_device(h100_power(), 8, true, 10)};
  const MeasurementReport eb = round_trip(e);
  REQUIRE(eb.devices.size() == 1);
  REQUIRE(eb.devices[0].estimate);
  CHECK(eb.devices[0].estimate->default_hardware);
  CHECK(eb.devices[0].estimate->chips == 8);
  CHECK(eb.devices[0].estimate->duration_s == 10);
  CHECK(eb.estimated());
  CHECK(eb.footprint.server_interval.high > eb.footprint.server_kwh);

  const std::string text = render::render_measurement(r, render::Format::json);
  auto bad = [&](const std::string& from, const std::string& to) {
    std::string t = text;
    t.replace(t.find(from), from.size(), to);
    return t;
  };
  CHECK_THROWS_WITH(parse_measurement(bad("llm-energy/measure/1", "llm-energy/measure/9"), "n.json"),
                    Catch::StartsWith("n.json: schema 'llm-energy/measure/9', not \"llm-energy/measure/1\""));
  CHECK_THROWS_WITH(parse_measurement(bad("llm-energy/measure/1", "llm-energy/measure-merged/1"), "n.json"),
                    Catch::Contains("a merged report"));
  CHECK_THROWS_WITH(parse_measurement(bad("\"kind\": \"gpu\"", "\"kind\": \"fpga\""), "n.json"),
                    Catch::Contains("n.json: key 'devices[0].kind': unknown device kind 'fpga'"));
  CHECK_THROWS_WITH(parse_measurement("[]", "n.json"), Catch::Contains("expected a JSON object"));
}

TEST_CASE("merge sums the nodes: energies add, the duration is the longest node's", "[measure][nodes]") {
  std::vector<NodeMeasurement> nodes{{"b.json", node_report("node-b", 1, 9.0, 5000)},
                                     {"a.json", node_report("node-a", 0, 10.0, 3000)}};
  MeasurementReport c = node_report("node-c", 2, 11.0, 0);
  c.devices = {estimated_device(h100_power(), 8, false, 11.0)};
  nodes.push_back({"c.json", c});
  const MergedMeasurement m = merge_measurements(nodes, std::nullopt);
  REQUIRE(m.nodes.size() == 3);
  CHECK(m.nodes[0].report.job.node == "node-a");  // by node id
  CHECK(m.nodes[2].file == "c.json");
  CHECK(m.duration_s == 11.0);
  const double est = c.devices[0].energy_j;
  CHECK(m.footprint.server_j == Approx(8000 + est));
  CHECK(m.footprint.accelerator_j == Approx(0.8 * 8000 + c.devices[0].accelerator_j()));
  CHECK(m.footprint.estimated);
  CHECK(m.footprint.energy_kwh == Approx(m.footprint.server_kwh * 1.15));
  CHECK(m.footprint.co2e_kg == Approx(m.footprint.energy_kwh * 56 / 1000));
  CHECK(m.nodes_without_counters == std::vector<std::string>{"node-c"});
  CHECK(m.job.job_id == "4242");
  CHECK(m.nodes[1].report.footprint.server_j == Approx(5000));

  const json j = json::parse(render::render_merged(m, render::Format::json));
  CHECK(j["schema"] == "llm-energy/measure-merged/1");
  CHECK(j["node_count"] == 3);
  CHECK(j["method"] == "partly-estimated");
  CHECK(j["nodes"][1]["node"] == "node-b");
  CHECK(j["nodes"][1]["server_energy_kwh"].get<double>() == Approx(5000 / 3.6e6));
  CHECK(j["nodes_without_counters"][0] == "node-c");
  CHECK(j["job"]["job_id"] == "4242");
  CHECK(j["gpus"] == 2);
  const std::string table = render::render_merged(m, render::Format::table);
  CHECK(table.find("merged 3 nodes: python train.py") != std::string::npos);
  CHECK(table.find("Slurm job 4242 (train-7b)") != std::string::npos);
  CHECK(table.find("no readable counters on 1 node: node-c") != std::string::npos);

  SECTION("another grid given replaces the reports'") {
    GridFigures g;
    g.intensity = Range::exact(500);
    const MergedMeasurement o = merge_measurements(nodes, g);
    CHECK(o.footprint.energy_kwh == Approx(o.footprint.server_kwh));
    CHECK(o.footprint.co2e_kg == Approx(o.footprint.server_kwh * 0.5));
  }
}

TEST_CASE("merge refuses duplicates and reports of other runs with one line", "[measure][nodes]") {
  const NodeMeasurement a{"a.json", node_report("node-a", 0, 10, 3000)};
  const NodeMeasurement b{"b.json", node_report("node-b", 1, 10, 3000)};
  auto refused = [&](NodeMeasurement other) {
    try {
      (void)merge_measurements({a, std::move(other)}, std::nullopt);
    } catch (const InputError& e) {
      const std::string m = e.what();
      CHECK(m.find('\n') == std::string::npos);
      return m;
    }
    return std::string("(merged)");
  };
  CHECK(refused(b) == "(merged)");
  NodeMeasurement twice = a;
  twice.file = "copy.json";
  CHECK(refused(twice) ==
        "measure --merge: a.json and copy.json both measured node 'node-a' (one report per node: did two "
        "ranks of "
        "one node measure?)");
  NodeMeasurement upper = b;
  upper.report.job.node = "NODE-A";
  upper.report.job.node_id = 5;
  CHECK(refused(upper).find("both measured node 'NODE-A'") != std::string::npos);
  NodeMeasurement same_id = b;
  same_id.report.job.node_id = 0;
  CHECK(refused(same_id).find("both measured node id 0") != std::string::npos);
  NodeMeasurement other_cmd = b;
  other_cmd.report.command = {"python", "eval.py"};
  CHECK(refused(other_cmd) ==
        "measure --merge: b.json ran 'python eval.py', a.json ran 'python train.py': reports of different "
        "commands "
        "are not one run");
  NodeMeasurement other_job = b;
  other_job.report.job.job_id = "4243";
  CHECK(refused(other_job) ==
        "measure --merge: b.json is Slurm job 4243, a.json is Slurm job 4242: reports of different jobs are "
        "not one "
        "run");
  NodeMeasurement no_job = b;
  no_job.report.job.job_id.clear();
  CHECK(refused(no_job).find("b.json has no Slurm job id") != std::string::npos);
  NodeMeasurement other_world = b;
  other_world.report.job.world_size = 8;
  CHECK(refused(other_world).find("world size 8") != std::string::npos);
  NodeMeasurement other_grid = b;
  other_grid.report.grid.region = "DE";
  CHECK(refused(other_grid).find("give --region, --carbon-intensity or --pue to merge them on one grid") !=
        std::string::npos);
  CHECK_THROWS_WITH(merge_measurements({}, std::nullopt), Catch::Contains("no report"));
}

// ---- F end to end: two "nodes" on one machine, then --merge ----

TEST_CASE("one report per node under a launcher, one measuring rank per node, then --merge",
          "[measure][nodes]") {
  TempDir tmp;
  const fs::path dir = tmp.path / "energy";
  const fs::path a_counter = package_tree(tmp.path / "pc-a", "1000000");
  const fs::path b_counter = package_tree(tmp.path / "pc-b", "2000000");
  // The command (one command line on every node, as under a launcher) draws 5 J on node-a and
  // 3 J on node-b: it advances the fake counter that the environment names.
  const std::string script = "echo \"$FAKE_DRAW_UJ\" > \"$FAKE_COUNTER\"";
  auto node = [&](const std::string& name, int id, int rank, int local, const fs::path& counter,
                  const std::string& uj) {
    auto vars = slurm(name, id, rank, local);
    vars["FAKE_COUNTER"] = counter.string();
    vars["FAKE_DRAW_UJ"] = uj;
    return vars;
  };
  auto measure = [&](const std::string& root) {
    return run({"measure", "--output-dir", dir.string(), "--powercap-root", root, "--nvml-library",
                "/nonexistent.so", "--region", "FR", "--hardware", "h100-sxm", "--", "sh", "-c", script});
  };
  {
    Env env(node("node-a", 0, 0, 0, a_counter, "6000000"));
    const Result r = measure((tmp.path / "pc-a").string());
    REQUIRE(r.rc == 0);
  }
  {
    // Local rank 1 of node-a: runs the command (its exit code passes through), writes nothing.
    const fs::path marker = tmp.path / "rank1-ran";
    Env env(node("node-a", 0, 1, 1, marker, "x"));
    const Result r = run({"measure", "--output-dir", dir.string(), "--powercap-root",
                          (tmp.path / "pc-a").string(), "--", "sh", "-c", script + "; exit 7"});
    CHECK(r.rc == 7);
    CHECK(r.err.empty());
    CHECK(slurp(marker) == "x\n");
  }
  {
    Env env(node("node-b", 1, 2, 0, b_counter, "5000000"));
    REQUIRE(measure((tmp.path / "pc-b").string()).rc == 0);
  }
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"node-a.json", "node-b.json"});

  const json a = json::parse(slurp(dir / "node-a.json"));
  CHECK(a["job"]["job_id"] == "4242");
  CHECK(a["job"]["job_name"] == "train-7b");
  CHECK(a["job"]["node"] == "node-a");
  CHECK(a["job"]["node_id"] == 0);
  CHECK(a["job"]["rank"] == 0);
  CHECK(a["job"]["local_rank"] == 0);
  CHECK(a["job"]["world_size"] == 4);
  CHECK(a["job"]["launcher"] == "slurm");
  CHECK(a["devices"][0]["energy_j"].get<double>() == Approx(5.0));

  const std::string fa = (dir / "node-a.json").string();
  const std::string fb = (dir / "node-b.json").string();
  Env env({});
  const Result m = run({"measure", "--merge", fa, fb, "--format", "json"});
  INFO(m.err);
  REQUIRE(m.rc == 0);
  const json j = json::parse(m.out);
  CHECK(j["schema"] == "llm-energy/measure-merged/1");
  CHECK(j["node_count"] == 2);
  CHECK(j["server_energy_kwh"].get<double>() == Approx(8.0 / 3.6e6));
  CHECK(j["region"] == "FR");
  CHECK(j["duration_s"].get<double>() ==
        std::max(a["duration_s"].get<double>(),
                 json::parse(slurp(dir / "node-b.json"))["duration_s"].get<double>()));
  CHECK(j["nodes_without_counters"].empty());

  const Result table = run({"measure", "--merge", fa, fb});
  CHECK(table.rc == 0);
  CHECK(table.out.find("merged 2 nodes: sh -c") != std::string::npos);
  CHECK(table.out.find("node-b") != std::string::npos);

  SECTION("the same file twice, or one node twice") {
    const Result twice = run({"measure", "--merge", fa, (dir / "." / "node-a.json").string()});
    CHECK(twice.rc == 2);
    CHECK(twice.err.find("is given twice") != std::string::npos);
    fs::copy_file(fa, tmp.path / "copy.json");
    const Result dup = run({"measure", "--merge", fa, (tmp.path / "copy.json").string()});
    CHECK(dup.rc == 2);
    CHECK(dup.err.find("both measured node 'node-a'") != std::string::npos);
  }
  SECTION("a node with no readable counter is estimated and named") {
    {
      Env c(node("node-c", 2, 4, 0, tmp.path / "unused", "0"));
      REQUIRE(measure("/nonexistent").rc == 0);
    }
    const Result three = run({"measure", "--merge", fa, fb, (dir / "node-c.json").string()});
    CHECK(three.rc == 0);
    CHECK(three.out.find("no readable counters on 1 node: node-c") != std::string::npos);
  }
  SECTION("a report of another command is refused with one line") {
    {
      Env d(slurm("node-d", 3, 6, 0));
      REQUIRE(run({"measure", "--output-dir", dir.string(), "--powercap-root", (tmp.path / "pc-b").string(),
                   "--nvml-library", "/nonexistent.so", "--region", "FR", "--", "true"})
                  .rc == 0);
    }
    const Result other = run({"measure", "--merge", fa, (dir / "node-d.json").string()});
    CHECK(other.rc == 2);
    CHECK(other.err.find("reports of different commands are not one run") != std::string::npos);
    CHECK(std::count(other.err.begin(), other.err.end(), '\n') == 1);
  }
}
