# One pipeline (issue 13): every command resolves the scenario the same way, takes the same
# catalog files and parses values with the same parsers.
set(pipe tests/data/pipeline)

# estimate takes what were compare-only knobs as ordinary scenario fields.
cli_case(pipeline_estimate_power_cap RC 0 ARGS estimate --tokens 1e8 --params 1e9 --power-cap 0.7 --format json
         OUT "\"power_cap\": {")
cli_case(pipeline_estimate_renewable RC 0 ARGS estimate --tokens 1e8 --params 1e9 --renewable-share 60%
         --format json OUT "\"market_based_co2e_kg\":")
cli_case(pipeline_estimate_power_cap_bad RC 2 ARGS estimate --tokens 1e8 --params 1e9 --power-cap 1.5
         ERR "power_cap: must lie in (0, 1]")
cli_case(pipeline_estimate_sparsity RC 0 ARGS estimate --params 8e9 --phase inference --inference-tokens 1e9
         --batch-size 256 --sparsity 2:4 OUT "sparsity")
cli_case(pipeline_estimate_sparsity_tpu RC 2 ARGS estimate --params 8e9 --phase inference --inference-tokens 1e9
         --hardware tpu-v5p --sparsity 2:4 ERR "has no sparse tensor-core peak")
# Weight-only quantisation: int4 weights on a chip without an int4 peak serve at its 16-bit peak.
cli_case(pipeline_weight_only RC 0 ARGS estimate --params 70e9 --phase inference --inference-tokens 1e9
         --precision int4 --format json OUT "\"compute_precision\": {")
cli_case(pipeline_weight_only_training RC 2 ARGS estimate --params 7e9 --tokens 1e9 --precision int4
         ERR "has no int4 peak")
# measure takes a PUE range as estimate does, and both measure and calibrate take catalog files.
cli_case(pipeline_measure_pue_range RC 0 ARGS measure --nvml-library /nonexistent.so --powercap-root tests/fake/powercap
         --pue 1.1:1.2 --format json --output - -- true OUT "\"pue\": 1.15")
cli_case(pipeline_measure_regions_file RC 2 ARGS measure --regions-file /nonexistent/regions.json -- true
         ERR "/nonexistent/regions.json: no such file")
cli_case(pipeline_calibrate_hardware_file RC 0 ARGS calibrate ${pipe}/lab-runs.csv --hardware-file
         ${pipe}/custom-hardware.json -o ${CMAKE_CURRENT_BINARY_DIR}/lab-profile.json OUT "calibrated lab-gpu on 2 runs")
cli_case(pipeline_estimate_hardware_file RC 0 ARGS estimate --tokens 1e8 --params 1e9 --hardware lab-gpu
         --hardware-file ${pipe}/custom-hardware.json OUT "lab-gpu")
