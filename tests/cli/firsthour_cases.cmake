# A new user's first hour (issue 16): totals and budgets, the chip-hours path, defaulted chips,
# water, facility classes (included from tests/CMakeLists.txt).
set(fh_both estimate --params 7B --tokens 2T)

# 1. Totals and budgets.
cli_case(total_table RC 0 ARGS ${fh_both} OUT "Total (training + inference)")
cli_case(total_json RC 0 GOLDEN FILTER figures ARGS ${fh_both} --format json OUT "\"total\": {")
cli_case(total_markdown RC 0 ARGS ${fh_both} --format markdown OUT "| Total (training + inference) | value |")
cli_case(budget_names_phases RC 1 ARGS ${fh_both} --max-energy 100MWh
         ERR "over budget: energy 226 MWh (training + inference)")
cli_case(budget_names_phases_words RC 1 ARGS ${fh_both} --max-energy 100MWh
         ERR "(training + inference) exceeds 100 MWh")
cli_case(budget_json RC 1 ARGS ${fh_both} --max-energy 100MWh --format json OUT "\"budget\": {\n    \"within\": false,")
cli_case(budget_markdown RC 0 ARGS ${fh_both} --max-energy 1GWh --format markdown
         OUT "**Budget:** within budget (training + inference)")
cli_case(warn_at_without_budget RC 2 ARGS ${fh_both} --warn-at 80%
         ERR "--warn-at needs a budget (--max-energy, --max-co2e or --max-chip-hours)")
# The command line's 50 MWh caps the row's looser 500 MWh: both rows over budget, exit 1.
cli_case(batch_cap RC 1 ARGS batch tests/data/firsthour/cap.jsonl --max-energy 50MWh
         ERR "2 of 2 rows over budget")
cli_case(batch_help_cap RC 0 ARGS batch --help OUT "may tighten a cap but not loosen it")

# 2. The researcher's path: chip-hours, hardware and region only.
set(fh_hours estimate --chip-hours 200k --hardware a100-sxm4-80gb --region us-east-1)
cli_case(chip_hours_only RC 0 GOLDEN FILTER figures ARGS ${fh_hours} --format json OUT "\"not_estimated\": ")
cli_case(chip_hours_only_table RC 0 ARGS ${fh_hours} OUT "Not estimated")
cli_case(chip_hours_only_inference RC 2 ARGS ${fh_hours} --phase inference
         ERR "--chip-hours without --params and --tokens estimates a training run only")

# 3. Defaulted chips.
cli_case(defaulted_chips_wall_clock RC 0 ARGS ${fh_both} --phase training
         OUT "chips defaulted: fewest power of two in 30 days")
cli_case(defaulted_chips_model_card RC 0 ARGS ${fh_both} --format model-card
         OUT "hardware_used: \"NVIDIA H100 SXM5 80GB\"")
cli_case(given_chips_model_card RC 0 ARGS ${fh_both} --chips 512 --format model-card
         OUT "hardware_used: \"512 x NVIDIA H100 SXM5 80GB\"")

# 6. Water.
cli_case(water_table RC 0 ARGS ${fh_both} --region FR OUT "  Water, on site")
cli_case(water_model_card RC 0 ARGS ${fh_both} --region FR --format model-card
         OUT "# water (llm-energy): ")
cli_case(water_unsourced RC 0 ARGS ${fh_both} --region AO --format json
         OUT "on-site water only")

# 7. Facility class.
cli_case(facility_enterprise RC 0 ARGS ${fh_both} --region FR --facility enterprise --format json
         OUT "\"facility\": {\n      \"value\": \"enterprise\",\n      \"origin\": \"flag\"")
cli_case(facility_default RC 0 ARGS ${fh_both} --region FR --format json
         OUT "\"value\": \"colocation\",\n      \"origin\": \"default\"")
cli_case(facility_cloud RC 0 ARGS ${fh_both} --region us-east-1 --format json
         OUT "\"value\": \"aws\",\n      \"origin\": \"catalog:us-east-1\"")
cli_case(facility_bad RC 2 ARGS ${fh_both} --facility garage ERR "facility")
cli_case(regions_show_water RC 0 ARGS regions show FR OUT "water of electricity  3.67 L/kWh")
cli_case(regions_show_cloud_water RC 0 ARGS regions show us-east-1 --format json OUT "\"water_intensity\": {")
# electricity_water in a --regions-file: merged per region id; a negative value is refused.
cli_case(water_override RC 0 ARGS regions show AO --regions-file tests/data/firsthour/water-override.json
         OUT "water of electricity  2 L/kWh (1")
cli_case(water_override_negative RC 2 ARGS regions show AO --regions-file tests/data/firsthour/water-negative.json
         ERR "electricity_water.AO: must not be negative")
