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
