#pragma once
// The launcher measure runs under (srun, torchrun, mpirun), read from its environment.
//
// A run that outgrows one machine is started by a launcher on every node; measure runs inside
// it, not instead of it (`srun llm-energy measure -- python train.py`, `torchrun --no-python
// --nproc-per-node 8 llm-energy measure -- python train.py`, `mpirun llm-energy measure -- ./app`)
// and reads the node's counters, which are the whole node's: one process per node measures.
//
// The ranks, innermost launcher first (a torchrun started by srun sees Slurm's variables too):
//   torchrun  (LOCAL_RANK set)            RANK, LOCAL_RANK, WORLD_SIZE, GROUP_RANK (node id)
//   open-mpi  (OMPI_COMM_WORLD_RANK set)  OMPI_COMM_WORLD_RANK, _LOCAL_RANK, _SIZE
//   pmi       (PMI_RANK set: MPICH, Intel MPI)  PMI_RANK, MPI_LOCALRANKID, PMI_SIZE
//   slurm     (SLURM_PROCID set)          SLURM_PROCID, SLURM_LOCALID, SLURM_NTASKS
// and, under any of them, Slurm's job metadata: SLURM_JOB_ID, SLURM_JOB_NAME, SLURM_NODEID
// (the node id, else torchrun's GROUP_RANK). The node's name: $LLM_ENERGY_NODE_NAME (for tests,
// or to name nodes yourself), else $SLURMD_NODENAME, else the host name.
#include <functional>
#include <string>

#include "llm_energy/metering.hpp"

namespace llm_energy::measure {

// Looks up an environment variable: null when unset.
using EnvLookup = std::function<const char*(const char*)>;

// Return the job metadata of this process from `env`, with `hostname` as the node's name
// when neither LLM_ENERGY_NODE_NAME nor SLURMD_NODENAME is set. Throws InputError naming the
// variable when a rank variable is not a whole number.
[[nodiscard]] JobInfo detect_job(const EnvLookup& env, const std::string& hostname);
// The same from the process environment and gethostname().
[[nodiscard]] JobInfo detect_job();

// True when this process measures its node: no launcher, or local rank 0, or a launcher that
// gives no local rank (then every rank measures; see local_rank_warning).
[[nodiscard]] bool measures_node(const JobInfo& job);

// The warning for a launcher that gives a rank but no local rank (empty otherwise): every
// rank measures, and ranks that share a node would count its energy more than once.
[[nodiscard]] std::string local_rank_warning(const JobInfo& job);

// Return the report's file name from `pattern`, with {node}, {node_id}, {rank}, {local_rank}
// and {job_id} replaced by the job's values (characters other than letters, digits, '.', '_'
// and '-' in a value become '_'). Without a launcher {rank}, {local_rank} and {node_id} are 0.
// Throws InputError for an unknown placeholder or one with no value here ({job_id} outside
// Slurm).
[[nodiscard]] std::string expand_output_pattern(const std::string& pattern, const JobInfo& job);

}  // namespace llm_energy::measure
