# Disclosure formats, shell integration, charts and the HTML report. The checks that need a
# pipe or a second program (PyYAML, bash, zsh, fish, groff, xmllint, rsvg-convert) run through
# integration_check.py; a check whose program is missing exits 77 and is reported as skipped.
find_program(PYTHON3 python3 REQUIRED)
set(check ${CMAKE_CURRENT_SOURCE_DIR}/cli/integration_check.py)

function(integration_case name)
  add_test(NAME cli.${name} COMMAND ${PYTHON3} ${check} ${ARGN})
  set_tests_properties(cli.${name} PROPERTIES SKIP_RETURN_CODE 77 WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()

set(bin $<TARGET_FILE:llm-energy>)

# --format model-card: the co2_eq_emissions block of a Hugging Face model card.
# The chip count is a default here (8): the card names the hardware, not a count the run never had.
cli_case(model_card RC 0 ARGS estimate --tokens 1e8 --params 1e9 --format model-card
         OUT "  hardware_used: \"NVIDIA H100 SXM5 80GB\"")
cli_case(model_card_source RC 0 ARGS estimate --tokens 1e8 --params 1e9 --format model-card
         OUT "location-based grid intensity); range 219-682 g\"")
cli_case(model_card_reported RC 0 ARGS estimate --params 175e9 --tokens 300e9 --hardware v100-sxm2-32gb
         --chips 10000 --chip-hours 3552000 --region FR --format model-card OUT "reported chip-hours")
cli_case(model_card_inference RC 2 ARGS estimate --tokens 1e8 --params 1e9 --phase inference
         --format model-card ERR "model-card needs a training estimate")
cli_case(model_card_explain RC 2 ARGS estimate --tokens 1e8 --params 1e9 --explain --format model-card
         ERR "not model-card")
integration_case(model_card_yaml model-card ${bin} estimate --params 7B --tokens 2T --region FR)

# --version names the catalog data versions; completions and the man page.
cli_case(version_catalogs RC 0 ARGS --version OUT "(catalogs: hardware ")
cli_case(completions_bad_shell RC 2 ARGS completions tcsh ERR "tcsh not in")
cli_case(completions_zsh RC 0 ARGS completions zsh OUT "#compdef llm-energy")
cli_case(completions_fish RC 0 ARGS completions fish OUT "complete -c llm-energy")
integration_case(completions_bash bash ${bin})
integration_case(completions_zsh_loads zsh ${bin})
integration_case(completions_fish_loads fish ${bin})
integration_case(man_page man ${bin})

# --plot: well-formed SVG (xmllint), a non-blank PNG (rsvg-convert, decoded with zlib), and
# the figures plotted appear in the SVG.
integration_case(plot_estimate svg ${bin} estimate --tokens 1e8 --params 1e9 --expect "764 Wh" "2.43 kWh"
                 "Energy [kWh]" "CO2e [kg]")
integration_case(plot_estimate_training svg ${bin} estimate --params 7B --tokens 2T --phase training
                 --expect "Energy [MWh]" "Training")
integration_case(plot_compare svg ${bin} compare --params 7e9 --tokens 1T --hardware a100-sxm4-80gb,h100-sxm
                 --quantize fp8 --expect "72.8 MWh" "precision=fp8" "hardware=a100-sxm4-80gb")
integration_case(plot_sweep svg ${bin} sweep --params 1e8:1e11:x10 --tokens 1e9,1e10,1e11 --region FR,US
                 -o ${CMAKE_CURRENT_BINARY_DIR}/plot_sweep.csv --expect "against --params"
                 "tokens=1B, region=FR" "(log)")
integration_case(plot_schedule svg ${bin} schedule --intensity configs/intensity/solar-heavy.csv
                 --intensity configs/intensity/wind-heavy.csv --duration 36h --energy 10MWh
                 --expect "chosen window" "Grid intensity [gCO2e/kWh]")
cli_case(plot_sweep_text_axis RC 2 ARGS sweep --hardware a100-sxm4-80gb,h100-sxm --tokens 1e9 --params 1e9
         -o ${CMAKE_CURRENT_BINARY_DIR}/plot_sweep_text.csv --plot ${CMAKE_CURRENT_BINARY_DIR}/x.svg
         ERR "must be numeric")
cli_case(plot_sweep_no_axis RC 2 ARGS sweep --tokens 1e9 --params 1e9 -o ${CMAKE_CURRENT_BINARY_DIR}/plot_none.csv
         --plot ${CMAKE_CURRENT_BINARY_DIR}/y.svg ERR "needs at least one swept flag")
cli_case(plot_unwritable RC 2 ARGS estimate --tokens 1e8 --params 1e9 --plot /nonexistent-dir/x.svg
         ERR "/nonexistent-dir/x.svg")

# report --html: one self-contained page with the table, assumptions, ranges and chart.
integration_case(report_html html ${bin} report --tokens 1e8 --params 1e9 --expect "764 Wh" "Training"
                 "Inference" "Assumptions" "carbon_intensity" "range (low")
integration_case(report_html_config html ${bin} report --config configs/examples/gpt3-175b.json
                 --expect "Training")
cli_case(report_needs_html RC 2 ARGS report --tokens 1e8 --params 1e9 ERR "--html is required")
cli_case(report_no_format RC 2 ARGS report --tokens 1e8 --params 1e9 --format json --html x.html
         ERR "--format")

# batch and sweep CSV: one header for every row, the serving-fleet columns included (filled for
# a row with a fleet, empty otherwise and on error rows).
integration_case(batch_csv_fleet_columns csv-rows ${bin} batch tests/data/fleet/batch.jsonl
                 --filled 1:inference.fleet.energy_per_request_wh.facility 1:inference.fleet.water_l
                 2:training.energy_kwh 3:error)
integration_case(sweep_csv_fleet_columns csv-rows ${bin} sweep --model llama-3.1-70b --requests-per-day 1M,10M
                 --max-tpot-ms 50 --filled 2:inference.fleet.chips_peak 2:sweep.requests_per_day)
