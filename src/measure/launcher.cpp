#include "measure/launcher.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "llm_energy/error.hpp"

namespace llm_energy::measure {

namespace {

std::optional<long long> whole(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  if (v == nullptr || *v == '\0') {
    return std::nullopt;
  }
  const std::string s(v);
  std::size_t used = 0;
  long long n = 0;
  try {
    n = std::stoll(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || n < 0 || s.find_first_not_of("0123456789") != std::string::npos) {
    throw InputError("environment variable " + std::string(name) + "='" + s.substr(0, 40) +
                     "' is not a rank (a whole number)");
  }
  return n;
}

std::string text(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  return v != nullptr ? std::string(v) : std::string();
}

bool set(const EnvLookup& env, const char* name) {
  const char* v = env(name);
  return v != nullptr && *v != '\0';
}

std::string file_safe(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) {
      c = '_';
    }
  }
  return out;
}

}  // namespace

JobInfo detect_job(const EnvLookup& env, const std::string& hostname) {
  JobInfo j;
  if (set(env, "LOCAL_RANK")) {
    j.launcher = "torchrun";
    j.rank = whole(env, "RANK");
    j.local_rank = whole(env, "LOCAL_RANK");
    j.world_size = whole(env, "WORLD_SIZE");
  } else if (set(env, "OMPI_COMM_WORLD_RANK")) {
    j.launcher = "open-mpi";
    j.rank = whole(env, "OMPI_COMM_WORLD_RANK");
    j.local_rank = whole(env, "OMPI_COMM_WORLD_LOCAL_RANK");
    j.world_size = whole(env, "OMPI_COMM_WORLD_SIZE");
  } else if (set(env, "PMI_RANK")) {
    j.launcher = "pmi";
    j.rank = whole(env, "PMI_RANK");
    j.local_rank = whole(env, "MPI_LOCALRANKID");
    j.world_size = whole(env, "PMI_SIZE");
  } else if (set(env, "SLURM_PROCID")) {
    j.launcher = "slurm";
    j.rank = whole(env, "SLURM_PROCID");
    j.local_rank = whole(env, "SLURM_LOCALID");
    j.world_size = set(env, "SLURM_NTASKS") ? whole(env, "SLURM_NTASKS") : whole(env, "SLURM_NPROCS");
  }
  j.job_id = text(env, "SLURM_JOB_ID");
  j.job_name = text(env, "SLURM_JOB_NAME");
  j.node_id = whole(env, "SLURM_NODEID");
  if (!j.node_id && j.launcher == "torchrun") {
    j.node_id = whole(env, "GROUP_RANK");
  }
  if (set(env, "LLM_ENERGY_NODE_NAME")) {
    j.node = text(env, "LLM_ENERGY_NODE_NAME");
  } else if (set(env, "SLURMD_NODENAME")) {
    j.node = text(env, "SLURMD_NODENAME");
  } else {
    j.node = hostname;
  }
  return j;
}

JobInfo detect_job() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') {
    std::snprintf(host, sizeof host, "localhost");
  }
  return detect_job([](const char* name) { return std::getenv(name); }, host);
}

bool measures_node(const JobInfo& job) {
  return !job.local_rank || *job.local_rank == 0;
}

std::string local_rank_warning(const JobInfo& job) {
  if (job.launcher.empty() || job.local_rank || (job.world_size && *job.world_size <= 1)) {
    return {};
  }
  return "the launcher (" + job.launcher +
         ") gives a rank but no local rank: every rank measures, and ranks that share a node count "
         "its energy once each (run one measure per node; --merge refuses a node twice)";
}

std::string expand_output_pattern(const std::string& pattern, const JobInfo& job) {
  const bool alone = job.launcher.empty();
  auto number = [&](const std::optional<long long>& v, const char* what, const char* vars) -> std::string {
    if (v) {
      return std::to_string(*v);
    }
    if (alone) {
      return "0";  // a process without a launcher is rank 0 of 1, on node 0
    }
    throw InputError("--output: {" + std::string(what) + "} has no value under " + job.launcher + " (" +
                     vars + ")");
  };
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '{') {
      out += pattern[i];
      continue;
    }
    const std::size_t end = pattern.find('}', i);
    const std::string key =
        end == std::string::npos ? pattern.substr(i + 1) : pattern.substr(i + 1, end - i - 1);
    std::string value;
    if (key == "node") {
      value = job.node;
    } else if (key == "node_id") {
      value = number(job.node_id, "node_id", "SLURM_NODEID, GROUP_RANK");
    } else if (key == "rank") {
      value = number(job.rank, "rank", "its rank variable");
    } else if (key == "local_rank") {
      value = number(job.local_rank, "local_rank", "its local rank variable");
    } else if (key == "job_id") {
      if (job.job_id.empty()) {
        throw InputError("--output: {job_id} has no value here (SLURM_JOB_ID is not set)");
      }
      value = job.job_id;
    } else {
      throw InputError("--output: unknown placeholder {" + key.substr(0, 40) +
                       "} (known: {node}, {node_id}, {rank}, {local_rank}, {job_id})");
    }
    out += file_safe(value);
    i = end == std::string::npos ? pattern.size() : end;
  }
  return out;
}

}  // namespace llm_energy::measure
