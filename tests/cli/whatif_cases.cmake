# End-to-end cases for compare, plan and schedule (issue 6).
set(wi_base compare --params 7e9 --tokens 1T)
set(wi_data ${PROJECT_SOURCE_DIR}/tests/data/whatif)
set(wi_solar ${PROJECT_SOURCE_DIR}/configs/intensity/solar-heavy.csv)
set(wi_wind ${PROJECT_SOURCE_DIR}/configs/intensity/wind-heavy.csv)

# Help: examples and exit codes.
foreach(cmd compare plan schedule)
  cli_case(${cmd}_help RC 0 ARGS ${cmd} --help OUT "Exit codes: 0 ok, 2 bad usage or input, 3 internal error, 4 the output could not be written")
endforeach()

# compare: every variant option, every format.
cli_case(compare_quantize RC 0 ARGS ${wi_base} --quantize fp8,int8,int4
         OUT "quantisation may cost accuracy; not modelled")
cli_case(compare_prune_unstructured RC 0 ARGS ${wi_base} --prune 0.5 --format csv
         OUT "prune=0.5 unstructured,110092,0,")
cli_case(compare_prune_24 RC 0 ARGS ${wi_base} --prune 0.5 --sparsity-pattern 2:4,structured OUT "prune=0.5 2:4")
cli_case(compare_distill_json RC 0 ARGS ${wi_base} --distill-to 1e9 --distill-tokens 100B --format json
         OUT "\"break_even_tokens\": ")
cli_case(compare_chips RC 0 ARGS ${wi_base} --chips 8,64,512,4096 OUT "chips=4096")
cli_case(compare_hardware_best RC 0 ARGS ${wi_base} --hardware a100-sxm4-80gb,h100-sxm,b200,tpu-v5p,mi300x
         --format json OUT "\"best\": {\n    \"energy\": \"hardware=b200\"")
cli_case(compare_region_market RC 0 ARGS ${wi_base} --region FR,US,PL,us-east-1 --renewable-share 0.6
         --format json OUT "\"market_based_co2e_kg\"")
cli_case(compare_market_intensity RC 0 ARGS ${wi_base} --region FR --market-based-intensity 50 --format markdown
         OUT "| CO2e mkt |")
cli_case(compare_power_cap RC 0 ARGS ${wi_base} --phase inference --power-cap 0.7 --format csv
         OUT "power-cap=0.7,53683.2,-15.1367,25821.6,-15.1367,,13.5634,6.50149,")
cli_case(compare_baseline_flags RC 0 ARGS compare --params 7e9 --tokens 1T --baseline-hardware a100-sxm4-80gb
         --baseline-region FR --baseline-chips 64 --quantize int8 OUT "baseline: a100-sxm4-80gb, region FR")
cli_case(compare_config RC 0 ARGS compare --config configs/examples/llama2-70b.json --region FR OUT "region=FR")

# compare: bad input.
cli_case(compare_bad_hardware RC 2 ARGS ${wi_base} --hardware h100x,b200 ERR "did you mean 'h100-sxm'")
cli_case(compare_bad_region RC 2 ARGS ${wi_base} --region FR,XX ERR "unknown region 'XX'")
cli_case(compare_bad_prune_high RC 2 ARGS ${wi_base} --prune 1.5 ERR "prune: must lie in (0, 1)")
cli_case(compare_bad_prune_zero RC 2 ARGS ${wi_base} --prune 0 ERR "prune: must lie in (0, 1)")
cli_case(compare_bad_power_cap RC 2 ARGS ${wi_base} --power-cap 1.2 ERR "power-cap: must lie in (0, 1]")
cli_case(compare_bad_power_cap_zero RC 2 ARGS ${wi_base} --power-cap 0 ERR "power-cap: must lie in (0, 1]")
cli_case(compare_bad_renewable RC 2 ARGS ${wi_base} --region FR --renewable-share 1.5
         ERR "renewable_share: must lie in [0, 1]")
cli_case(compare_bad_no_variant RC 2 ARGS ${wi_base} ERR "at least one variant option")
cli_case(compare_bad_precision RC 2 ARGS ${wi_base} --quantize fp4 ERR "precision")
cli_case(compare_bad_pattern RC 2 ARGS ${wi_base} --prune 0.5 --sparsity-pattern 3:4 ERR "unknown pattern '3:4'")
cli_case(compare_bad_24_fraction RC 2 ARGS ${wi_base} --prune 0.3 --sparsity-pattern 2:4 ERR "exactly half")
cli_case(compare_bad_distill RC 2 ARGS ${wi_base} --distill-to 1e9 ERR "--distill-to and --distill-tokens")
cli_case(compare_bad_market_both RC 2 ARGS ${wi_base} --region FR --renewable-share 0.5 --market-based-intensity 9
         ERR "conflicting inputs")

# plan.
cli_case(plan_compute RC 0 ARGS plan --compute-budget 1e23 OUT "Hoffmann et al. 2022, approach 3")
cli_case(plan_compute_json RC 0 ARGS plan --compute-budget 1e23 --format json OUT "\"fit\": \"Hoffmann et al. 2022, approach 3\"")
cli_case(plan_energy_json RC 0 ARGS plan --energy-budget 500MWh --hardware b200 --chips 1024 --format json
         OUT "\"energy_kwh\": 500000.0")
cli_case(plan_csv RC 0 ARGS plan --compute-budget 1e23 --format csv OUT "params,tokens,flops")
cli_case(plan_markdown RC 0 ARGS plan --compute-budget 1e23 --format markdown OUT "| Parameters |")
cli_case(plan_bad_both RC 2 ARGS plan --compute-budget 1e23 --energy-budget 1GWh ERR "not both")
cli_case(plan_bad_neither RC 2 ARGS plan --hardware b200 ERR "plan needs --compute-budget")
cli_case(plan_bad_params RC 2 ARGS plan --compute-budget 1e23 --params 7e9 ERR "remove --params")
cli_case(plan_bad_hardware RC 2 ARGS plan --compute-budget 1e23 --hardware h100x ERR "did you mean")

# schedule.
cli_case(schedule_table RC 0 ARGS schedule --intensity ${wi_solar} --intensity ${wi_wind} --duration 36h --energy 10MWh
         OUT "Best start          2024-03-01T22:00:00Z in wind-heavy")
cli_case(schedule_json RC 0 ARGS schedule --intensity ${wi_solar} --duration 6h --energy 1MWh --format json
         --earliest 2024-03-02T00:00:00Z --deadline 2024-03-03T00:00:00Z OUT "\"best_start\": \"2024-03-02T09:00:00Z\"")
cli_case(schedule_estimate RC 0 ARGS schedule --intensity ${wi_solar} --params 1e9 --tokens 2e9 --chips 64 --format csv
         OUT "best_start,best_region")
cli_case(schedule_short_ok RC 0 ARGS schedule --intensity ${wi_data}/short.csv --duration 2h --energy 100kWh --format json
         OUT "\"savings_fraction\": 0.5")
cli_case(schedule_bad_gap RC 2 ARGS schedule --intensity ${wi_data}/gap.csv --duration 1h --energy 1MWh
         ERR "gap.csv:4: gap in the hourly series: 1 missing hour(s) after 2024-03-01T01:00:00Z")
cli_case(schedule_bad_unsorted RC 2 ARGS schedule --intensity ${wi_data}/unsorted.csv --duration 1h --energy 1MWh
         ERR "unsorted.csv:3: timestamps not sorted")
cli_case(schedule_bad_duplicate RC 2 ARGS schedule --intensity ${wi_data}/duplicate.csv --duration 1h --energy 1MWh
         ERR "duplicate.csv:3: duplicate timestamp")
cli_case(schedule_bad_number RC 2 ARGS schedule --intensity ${wi_data}/non_numeric.csv --duration 1h --energy 1MWh
         ERR "non_numeric.csv:3: carbon_intensity")
cli_case(schedule_bad_window RC 2 ARGS schedule --intensity ${wi_data}/short.csv --duration 5h --energy 1MWh
         ERR "is shorter than the job (5 h)")
cli_case(schedule_bad_deadline RC 2 ARGS schedule --intensity ${wi_solar} --duration 36h --energy 1MWh
         --deadline 2024-03-02T00:00:00Z ERR "is shorter than the job")
cli_case(schedule_bad_time RC 2 ARGS schedule --intensity ${wi_solar} --duration 1h --energy 1MWh
         --earliest 2024-03-01 ERR "earliest: '2024-03-01' is not an ISO 8601 UTC time")
cli_case(schedule_bad_half_job RC 2 ARGS schedule --intensity ${wi_solar} --duration 1h ERR "give both --duration and --energy")
cli_case(schedule_bad_mixed RC 2 ARGS schedule --intensity ${wi_solar} --duration 1h --energy 1MWh --params 7e9
         ERR "not both")
cli_case(schedule_bad_missing RC 2 ARGS schedule --intensity /nonexistent.csv --duration 1h --energy 1MWh
         ERR "no such file")
cli_case(schedule_bad_no_file RC 2 ARGS schedule --duration 1h --energy 1MWh ERR "needs --intensity")

# ---- Issue 17: no inf, NaN or internal error outside estimate; linear window search ----
cli_case(schedule_huge_energy RC 2 ARGS schedule --intensity ${wi_data}/short.csv --duration 1h --energy 1e300kWh
         ERR "energy is above 10000TWh")
cli_case(schedule_huge_intensity RC 2 ARGS schedule --intensity ${wi_data}/huge.csv --duration 2h --energy 10TWh
         ERR "huge.csv:2: carbon_intensity 1e+306 is above 10000 gCO2e/kWh")
cli_case(schedule_microsecond RC 0 ARGS schedule --intensity ${wi_data}/short.csv --duration 0.000001s
         --energy 1MWh --format json OUT "\"best_start\": \"2024-03-01T01:00:00Z\"")
cli_case(schedule_last_hour_fits RC 0 ARGS schedule --intensity ${wi_data}/short.csv --duration 1h --energy 1MWh
         --earliest 2024-03-01T03:00:00Z --format json OUT "\"best_start\": \"2024-03-01T03:00:00Z\"")
cli_case(compare_market_intensity_overflow RC 2 ARGS compare --params 1e9 --tokens 1.5e8
         --market-based-intensity 1e308 --chips 16 ERR "estimate overflows")
cli_case(plan_energy_budget_huge RC 2 ARGS plan --energy-budget 1e290TWh
         ERR "energy-budget: 1e+290 TWh is above 10000TWh")
add_test(NAME cli.schedule_long COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/schedule_long.sh $<TARGET_FILE:llm-energy>)
set_tests_properties(cli.schedule_long PROPERTIES TIMEOUT 120)
