# End-to-end cases of `measure` (with the fake NVML of tests/fake/fake_nvml.cpp and the static
# powercap tree tests/fake/powercap) and `calibrate` (runs in tests/fake/runs).
set(fake_gpu --nvml-library $<TARGET_FILE:fake_nvml> --powercap-root tests/fake/powercap)
set(measure_json measure ${fake_gpu} --format json --output - --interval 20ms)

cli_case(measure_counter_gpu RC 0 ARGS ${measure_json} -- sleep 0.3
         OUT "\"name\": \"gpu0 Fake GPU Counter\",\n      \"kind\": \"gpu\"")
cli_case(measure_sampled_gpu RC 0 ARGS ${measure_json} -- sleep 0.3 OUT "\"method\": \"power-sampling\"")
cli_case(measure_cpu_package RC 0 ARGS ${measure_json} -- sleep 0.1 OUT "\"kind\": \"cpu-package\"")
cli_case(measure_dram RC 0 ARGS ${measure_json} -- sleep 0.1 OUT "\"name\": \"dram (intel-rapl:0:2)\"")
cli_case(measure_all_readable RC 0 ARGS ${measure_json} -- true OUT "\"unreadable\": []")
cli_case(measure_schema RC 0 ARGS ${measure_json} -- true OUT "\"schema\": \"llm-energy/measure/1\"")
cli_case(measure_exit_code RC 3 ARGS measure ${fake_gpu} -- sh -c "exit 3")
cli_case(measure_exit_code_json RC 3 ARGS ${measure_json} -- sh -c "exit 3" OUT "\"exit_code\": 3")
cli_case(measure_signal RC 143 ARGS measure ${fake_gpu} -- sh -c "kill -TERM $$")
cli_case(measure_passthrough RC 0 ARGS measure ${fake_gpu} -- echo hello-from-the-command
         OUT "hello-from-the-command")
cli_case(measure_table_to_stdout RC 0 ARGS measure ${fake_gpu} --output - -- true
         OUT "server (GPUs + CPU packages + DRAM)")
cli_case(measure_missing_nvml RC 0 ARGS measure --nvml-library /nonexistent.so --powercap-root tests/fake/powercap
         --format json --output - -- true ERR "warning: cannot read NVML (/nonexistent.so):")
cli_case(measure_missing_powercap RC 0 ARGS measure --nvml-library $<TARGET_FILE:fake_nvml>
         --powercap-root /nonexistent --output - -- true ERR "cannot read powercap /nonexistent: no such directory")
cli_case(measure_cannot_start RC 2 ARGS measure ${fake_gpu} -- /nonexistent/command
         ERR "cannot run '/nonexistent/command': No such file or directory")
cli_case(measure_no_command RC 2 ARGS measure ${fake_gpu} ERR "command")
cli_case(measure_bad_interval RC 2 ARGS measure ${fake_gpu} --interval 0ms -- true ERR "interval: must lie between")
cli_case(measure_bad_conflict RC 2 ARGS measure ${fake_gpu} --region FR --carbon-intensity 50 -- true
         ERR "conflicting inputs")
cli_case(measure_pue RC 0 ARGS ${measure_json} --pue 1.25 --carbon-intensity 100 -- true OUT "\"pue\": 1.25")

set(profile_out ${CMAKE_CURRENT_BINARY_DIR}/calibrated-profile.json)
cli_case(calibrate_plain RC 0 ARGS calibrate tests/fake/runs/h100-runs.csv --output ${profile_out}
         OUT "calibrated h100-sxm on 3 runs")
cli_case(calibrate_json RC 0 ARGS calibrate tests/fake/runs/h100-runs.csv --output ${profile_out}.2 --format json
         OUT "\"schema\": \"llm-energy/profile/1\"")
cli_case(calibrate_codecarbon RC 0 ARGS calibrate tests/fake/runs/emissions.csv --hardware a100-sxm4-80gb
         --params 1.3B --tokens 2e9 --output ${profile_out}.3 OUT "calibrated a100-sxm4-80gb on 2 runs")
cli_case(calibrate_codecarbon_no_params RC 2 ARGS calibrate tests/fake/runs/emissions.csv
         --hardware a100-sxm4-80gb --tokens 2e9 --output ${profile_out}.4
         ERR "emissions.csv:2: params: missing value (CodeCarbon does not record it")
cli_case(calibrate_bad_row RC 2 ARGS calibrate tests/fake/runs/bad-row.csv --output ${profile_out}.5
         ERR "bad-row.csv:4: duration_h: must be greater than zero")
cli_case(calibrate_no_output RC 2 ARGS calibrate tests/fake/runs/h100-runs.csv ERR "--output")

# Profiles are as strict as a hardware file, and their ids as case-insensitive as the catalog's.
cli_case(profile_power_fraction_50 RC 2 ARGS estimate --profile tests/fake/runs/profile-power-50.json
         --params 7e9 --tokens 1e11 ERR "key 'avg_power_fraction': must lie in (0, 1.5], as in a hardware file")
cli_case(profile_upper_case_id RC 0 ARGS estimate --profile tests/fake/runs/profile-upper-case.json
         --params 7e9 --tokens 1e11 --phase training --format json OUT "\"hardware\": \"h100-sxm\"")

# calibrate refuses implausible fits by line, and writes no profile that estimate --profile refuses.
cli_case(calibrate_implausible_mfu RC 2 ARGS calibrate tests/fake/runs/implausible-mfu.csv --output ${profile_out}.6
         ERR "implausible-mfu.csv:3: implied utilisation")
cli_case(calibrate_implausible_power RC 2 ARGS calibrate tests/fake/runs/implausible-power.csv
         --output ${profile_out}.7 ERR "implausible-power.csv:2: average accelerator power")
cli_case(calibrate_implausible_total RC 2 ARGS calibrate tests/fake/runs/implausible-total.csv
         --output ${profile_out}.8 ERR "implausible-total.csv:2: measured power per chip")

# ---- measure with no readable counter: an estimate from the hardware's power figures ----
cli_case(measure_estimated_json RC 0 ARGS measure --nvml-library /nonexistent.so --powercap-root /nonexistent
         --hardware a100-sxm4-80gb --chips 8 --format json --output - -- true
         OUT "\"name\": \"estimate: 8 x a100-sxm4-80gb\",\n      \"kind\": \"server\"")
cli_case(measure_estimated_table RC 0 ARGS measure --nvml-library /nonexistent.so --powercap-root /nonexistent
         --output - -- true OUT "method: estimated (no counter could be read): 1 x h100-sxm")
cli_case(measure_estimated_default_hardware RC 0 ARGS measure --nvml-library /nonexistent.so
         --powercap-root /nonexistent --output - -- true OUT "h100-sxm is the default hardware: give --hardware ID")
cli_case(measure_bad_hardware RC 2 ARGS measure --hardware h100x -- true ERR "unknown hardware 'h100x'")
cli_case(measure_bad_chips RC 2 ARGS measure --chips 0 -- true ERR "chips: must be a whole number, at least 1")

# ---- measure under a launcher, one report per node, then --merge ----
# env_case(NAME ENV VAR=VALUE... RC rc ARGS ... [ERR text] [OUT text] [SETUP fixture] [REQUIRES fixture...]):
# cli_case with environment variables (the launcher's, cleared of any the test machine has).
set(launcher_vars SLURM_JOB_ID SLURM_JOB_NAME SLURM_NODEID SLURMD_NODENAME SLURM_PROCID SLURM_LOCALID SLURM_NTASKS
    SLURM_NPROCS RANK LOCAL_RANK WORLD_SIZE GROUP_RANK OMPI_COMM_WORLD_RANK OMPI_COMM_WORLD_LOCAL_RANK
    OMPI_COMM_WORLD_SIZE PMI_RANK MPI_LOCALRANKID PMI_SIZE LLM_ENERGY_NODE_NAME)
set(unset_launcher "")
foreach(v ${launcher_vars})
  list(APPEND unset_launcher --unset=${v})
endforeach()
function(env_case name)
  cmake_parse_arguments(C "" "RC;ERR;OUT;SETUP" "ENV;ARGS;REQUIRES" ${ARGN})
  string(REPLACE ";" "\\;" args "${C_ARGS}")
  set(defs -DBIN=$<TARGET_FILE:llm-energy> "-DARGS=${args}" -DRC=${C_RC} -DWORKDIR=${PROJECT_SOURCE_DIR})
  if(DEFINED C_ERR)
    list(APPEND defs "-DERR_CONTAINS=${C_ERR}")
  endif()
  if(DEFINED C_OUT)
    list(APPEND defs "-DOUT_CONTAINS=${C_OUT}")
  endif()
  add_test(NAME cli.${name} COMMAND ${CMAKE_COMMAND} -E env ${unset_launcher} ${C_ENV} ${CMAKE_COMMAND} ${defs}
                                    -P ${driver})
  if(C_SETUP)
    set_tests_properties(cli.${name} PROPERTIES FIXTURES_SETUP ${C_SETUP})
  endif()
  if(C_REQUIRES)
    set_tests_properties(cli.${name} PROPERTIES FIXTURES_REQUIRED "${C_REQUIRES}")
  endif()
endfunction()

set(nodes ${CMAKE_CURRENT_BINARY_DIR}/measure-nodes)
add_test(NAME cli.measure_nodes_clean COMMAND ${CMAKE_COMMAND} -E rm -rf ${nodes})
set_tests_properties(cli.measure_nodes_clean PROPERTIES FIXTURES_SETUP nodes_clean)
set(job SLURM_JOB_ID=9001 SLURM_JOB_NAME=e2e SLURM_NTASKS=4)
set(node_cmd --interval 20ms -- sleep 0.2)
env_case(measure_node_a ENV ${job} LLM_ENERGY_NODE_NAME=node-a SLURM_NODEID=0 SLURM_PROCID=0 SLURM_LOCALID=0
         RC 0 ARGS measure ${fake_gpu} --output-dir ${nodes} ${node_cmd} SETUP node_a REQUIRES nodes_clean)
# Local rank 1 of node-a runs the command and writes no report (node-a.json stays rank 0's).
env_case(measure_node_a_rank1 ENV ${job} LLM_ENERGY_NODE_NAME=node-a SLURM_NODEID=0 SLURM_PROCID=1
         SLURM_LOCALID=1 RC 5 ARGS measure ${fake_gpu} --output-dir ${nodes} -- sh -c "echo not-measuring && exit 5"
         OUT "not-measuring" SETUP node_a_rank1 REQUIRES node_a)
# node-b: its GPUs are found but unreadable and there is no RAPL: an estimate for the 2 GPUs NVML found.
env_case(measure_node_b ENV ${job} LLM_ENERGY_NODE_NAME=node-b SLURM_NODEID=1 SLURM_PROCID=2 SLURM_LOCALID=0
         FAKE_NVML_NO_ENERGY=1 RC 0 ARGS measure --nvml-library $<TARGET_FILE:fake_nvml> --powercap-root /nonexistent
         --hardware h100-sxm --output-dir ${nodes} ${node_cmd} SETUP node_b REQUIRES nodes_clean)
env_case(measure_chips_from_nvml ENV FAKE_NVML_NO_ENERGY=1 RC 0 ARGS measure --nvml-library $<TARGET_FILE:fake_nvml>
         --powercap-root /nonexistent --format json --output - -- true OUT "\"name\": \"estimate: 2 x h100-sxm\"")
set(merge_ab measure --merge ${nodes}/node-a.json ${nodes}/node-b.json)
env_case(measure_merge_json RC 0 ARGS ${merge_ab} --format json OUT "\"node_count\": 2"
         REQUIRES node_a node_a_rank1 node_b)
env_case(measure_merge_rank0_kept RC 0 ARGS ${merge_ab} --format json OUT "\"rank\": 0,\n      \"local_rank\": 0"
         REQUIRES node_a node_a_rank1 node_b)
env_case(measure_merge_job RC 0 ARGS ${merge_ab} --format json OUT "\"job_id\": \"9001\",\n    \"job_name\": \"e2e\""
         REQUIRES node_a node_b)
env_case(measure_merge_table RC 0 ARGS ${merge_ab} OUT "no readable counters on 1 node: node-b"
         REQUIRES node_a node_b)
env_case(measure_merge_same_file RC 2 ARGS measure --merge ${nodes}/node-a.json ${nodes}/./node-a.json
         ERR "is given twice" REQUIRES node_a)
env_case(measure_merge_bad_schema RC 2 ARGS measure --merge ${nodes}/node-a.json tests/data/h100-profile.json
         ERR "h100-profile.json: schema 'llm-energy/profile/1', not \"llm-energy/measure/1\"" REQUIRES node_a)
env_case(measure_node_other_cmd ENV ${job} LLM_ENERGY_NODE_NAME=node-x SLURM_NODEID=5 SLURM_PROCID=5 SLURM_LOCALID=0
         RC 0 ARGS measure ${fake_gpu} --output-dir ${nodes}/other -- true SETUP node_x REQUIRES nodes_clean)
env_case(measure_merge_other_cmd RC 2 ARGS measure --merge ${nodes}/node-a.json ${nodes}/other/node-x.json
         ERR "reports of different commands are not one run" REQUIRES node_a node_x)
env_case(measure_node_other_job ENV SLURM_JOB_ID=9002 LLM_ENERGY_NODE_NAME=node-y SLURM_NODEID=6 SLURM_PROCID=6
         SLURM_LOCALID=0 SLURM_NTASKS=4 RC 0 ARGS measure ${fake_gpu} --output-dir ${nodes}/job2 ${node_cmd}
         SETUP node_y REQUIRES nodes_clean)
env_case(measure_merge_other_job RC 2 ARGS measure --merge ${nodes}/node-a.json ${nodes}/job2/node-y.json
         ERR "node-y.json is Slurm job 9002" REQUIRES node_a node_y)
env_case(measure_output_pattern ENV ${job} LLM_ENERGY_NODE_NAME=node-p SLURM_NODEID=2 SLURM_PROCID=3 SLURM_LOCALID=0
         RC 0 ARGS measure ${fake_gpu} --format json --output ${nodes}/run-{job_id}-{node}-{rank}.json -- true
         SETUP node_p REQUIRES nodes_clean)
env_case(measure_output_pattern_file RC 0 ARGS measure --merge ${nodes}/run-9001-node-p-3.json
         OUT "merged 1 node: true" REQUIRES node_p)
env_case(measure_output_bad_pattern RC 2 ARGS measure --output {host}.json -- true ERR "unknown placeholder {host}")
env_case(measure_output_dir_table RC 2 ARGS measure --output-dir ${nodes}/t --format table -- true
         ERR "--output-dir writes JSON reports")

# calibrate reads measure's JSON reports: one node's, or a merge of measured nodes; not an estimate.
env_case(calibrate_measure_json RC 0 ARGS calibrate ${nodes}/node-a.json --hardware h100-sxm --params 1e6
         --tokens 1e6 --output ${profile_out}.9 OUT "calibrated h100-sxm on 1 run" REQUIRES node_a node_a_rank1)
env_case(calibrate_measure_estimate RC 2 ARGS calibrate ${nodes}/node-b.json --params 1e6 --tokens 1e6
         --output ${profile_out}.10 ERR "node-b.json: the report is an estimate (method: estimated" REQUIRES node_b)
env_case(measure_merge_to_file RC 0 ARGS measure --merge ${nodes}/node-a.json --format json
         --output ${nodes}/merged-a.json SETUP merged_a REQUIRES node_a node_a_rank1)
env_case(calibrate_merged_json RC 0 ARGS calibrate ${nodes}/merged-a.json --hardware h100-sxm --params 1e6
         --tokens 1e6 --output ${profile_out}.11 --format json OUT "\"runs_with_gpu_energy\": 1" REQUIRES merged_a)
# A profile's hardware id matches --hardware case-insensitively, as every other id does.
cli_case(profile_upper_case_with_hardware RC 0 ARGS estimate --profile tests/fake/runs/profile-upper-case.json
         --hardware h100-sxm --params 7e9 --tokens 1e11 --phase training OUT "h100-sxm")
