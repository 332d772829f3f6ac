# The serving fleet (issue 15): one day of a request rate under latency targets, every format.
set(fleet_base --model llama-3.1-70b --hardware h100-sxm --region us-east-1 --requests-per-day 10M)
set(fleet estimate ${fleet_base} --max-tpot-ms 50 --load-profile diurnal)
cli_case(fleet_json RC 0 GOLDEN FILTER figures ARGS ${fleet} --format json OUT "\"fleet\": {")
cli_case(fleet_csv RC 0 GOLDEN ARGS ${fleet} --format csv OUT "inference.fleet.energy_per_request_wh.facility")
cli_case(fleet_table RC 0 GOLDEN ARGS ${fleet} OUT "Serving fleet (one day)")
cli_case(fleet_markdown RC 0 GOLDEN ARGS ${fleet} --format markdown OUT "| Serving fleet (one day) | value |")
cli_case(fleet_autoscale RC 0 ARGS ${fleet} --provisioning autoscale --format json OUT "\"provisioning\": \"autoscale\"")
cli_case(fleet_redundancy RC 0 ARGS ${fleet} --redundancy 1 --max-ttft-ms 2000 --format json OUT "\"replicas_peak\"")
cli_case(fleet_disaggregated RC 0 ARGS ${fleet} --decode-hardware h200 --format json
         OUT "\"prefill_hardware\": \"h100-sxm\"" OUT "\"decode_hardware\": \"h200\"" OUT "\"kv_transfer_ms\"")
cli_case(fleet_profile_file RC 0 ARGS estimate --model llama-3.1-8b --load-profile
         ${PROJECT_SOURCE_DIR}/tests/data/fleet/profile.csv --format json OUT "\"requests_per_day\": 10800000.0")
cli_case(fleet_budget RC 1 ARGS ${fleet} --max-energy-per-request 0.01Wh ERR "over budget: energy per request")
cli_case(fleet_plot RC 0 ARGS ${fleet} --plot ${CMAKE_CURRENT_BINARY_DIR}/fleet_plot.svg)
cli_case(fleet_sweep RC 0 ARGS sweep ${fleet_base} --max-tpot-ms 50 --provisioning static,autoscale --format jsonl
         OUT "\"provisioning\":\"autoscale\"")
# Bad input: one line, exit 2.
cli_case(fleet_bad_tpot RC 2 ARGS estimate ${fleet_base} --max-tpot-ms 1 ERR "max_tpot_ms: 1 ms cannot be met on h100-sxm")
cli_case(fleet_bad_ttft RC 2 ARGS ${fleet} --max-ttft-ms 1 ERR "max_ttft_ms: 1 ms cannot be met")
cli_case(fleet_bad_profile RC 2 ARGS estimate ${fleet_base} --load-profile weekly ERR "weekly")
cli_case(fleet_bad_gap RC 2 ARGS estimate ${fleet_base} --load-profile ${PROJECT_SOURCE_DIR}/tests/data/fleet/gap.csv
         ERR "gap.csv:4: gap in the series")
cli_case(fleet_bad_negative RC 2 ARGS estimate ${fleet_base} --load-profile ${PROJECT_SOURCE_DIR}/tests/data/fleet/negative.csv
         ERR "negative.csv:3: rate must not be negative")
cli_case(fleet_bad_unsorted RC 2 ARGS estimate ${fleet_base} --load-profile ${PROJECT_SOURCE_DIR}/tests/data/fleet/unsorted.csv
         ERR "unsorted.csv:4: hours not sorted")
cli_case(fleet_bad_duplicate RC 2 ARGS estimate ${fleet_base} --load-profile ${PROJECT_SOURCE_DIR}/tests/data/fleet/duplicate.csv
         ERR "duplicate.csv:3: duplicate hour")
cli_case(fleet_bad_provisioning RC 2 ARGS ${fleet} --provisioning shared ERR "provisioning")
cli_case(fleet_bad_redundancy RC 2 ARGS ${fleet} --redundancy 1.5 ERR "redundancy:")
cli_case(fleet_bad_rate RC 2 ARGS ${fleet} --request-rate 3 ERR "give --requests-per-day or --request-rate")
cli_case(fleet_bad_hardware RC 2 ARGS ${fleet} --decode-hardware h900 ERR "h900")
cli_case(fleet_compare RC 0 ARGS compare --model llama-3.1-70b --baseline-hardware h100-sxm --requests-per-day 10M
         --max-tpot-ms 50 --load-profile diurnal --provisioning autoscale --decode-hardware h200 --format json
         OUT "provisioning=autoscale" OUT "decode_hardware=h200")
cli_case(fleet_compare_needs_rate RC 2 ARGS compare --model llama-3.1-70b --phase inference --requests 1M
         --provisioning autoscale ERR "--provisioning variants need a fleet rate")
