# A new user's first hour (issue 16): names that resolve, typos that get suggestions, grid
# bases, current catalogs, sweep charts and CSV for scripts, plain terminals, charts and report.

# ---- Names: aliases and display names resolve regardless of case; a shared alias lists ids ----
cli_case(names_hardware_h100 RC 0 ARGS estimate --params 1e9 --tokens 1e8 --hardware H100 --format json
         OUT "\"hardware\": \"h100-sxm\"")
cli_case(names_hardware_a100_80gb RC 0 ARGS hardware show A100-80GB OUT "a100-sxm4-80gb")
cli_case(names_hardware_a100_ambiguous RC 2 ARGS hardware show A100
         ERR "ambiguous hardware 'A100': it names 'a100-sxm4-40gb' or 'a100-sxm4-80gb'")
cli_case(names_hardware_typo RC 2 ARGS estimate --params 1e9 --tokens 1e8 --hardware H100-SXM6
         ERR "did you mean 'h100-sxm'")
cli_case(names_region_france RC 0 ARGS regions show France OUT "FR")
cli_case(names_region_germany RC 0 ARGS estimate --params 1e9 --tokens 1e8 --region germany --format json
         OUT "\"region\": \"DE\"")
cli_case(names_region_united_states RC 0 ARGS regions show "United States" OUT "USA")
cli_case(names_region_typo RC 2 ARGS regions show Frnace ERR "did you mean")
cli_case(names_model_hf_repo RC 0 ARGS models show meta-llama/Llama-3.1-8B OUT "llama-3.1-8b")
cli_case(names_hardware_show_aliases RC 0 ARGS hardware show h100-sxm OUT "H100-SXM5")
# A mistyped flag and a mistyped command.
cli_case(names_flag_typo RC 2 ARGS estimate --params 1e9 --tokens 1e8 --chip 512
         ERR "unknown option '--chip' (did you mean '--chip-hours', '--chips'")
cli_case(names_command_typo RC 2 ARGS estimat --params 1e9 ERR "unknown command 'estimat' (did you mean 'estimate'")

# ---- Grid bases: every CO2e states its basis; a comparison across bases warns in one line ----
cli_case(basis_estimate_json RC 0 ARGS estimate --params 1e9 --tokens 1e8 --region europe-west9 --format json
         OUT "\"grid_basis\"")
cli_case(basis_compare_paris RC 0 ARGS compare --params 7B --tokens 2T --phase training
         --region FR,europe-west9,francecentral,eu-west-3
         ERR "warning: grid factors on different bases (world, FR life-cycle; europe-west9 operational; francecentral, eu-west-3 direct)")
cli_case(basis_compare_one_basis RC 0 ARGS compare --params 7B --tokens 2T --phase training --region FR,DE
         OUT "baseline" LACKS "different bases")

# ---- Catalog data: the new accelerators ----
cli_case(catalog_b300 RC 0 ARGS estimate --params 7B --tokens 2T --phase training --hardware b300 --format json
         OUT "\"hardware\": \"b300\"")
cli_case(catalog_gb300 RC 0 ARGS hardware show GB300 OUT "Blackwell Ultra")
cli_case(catalog_mi355x RC 0 ARGS hardware show mi355x OUT "CDNA 4")
cli_case(catalog_ironwood RC 0 ARGS hardware show ironwood OUT "tpu-v7")
cli_case(catalog_cf_nonzero RC 0 ARGS regions show CF LACKS "0 gCO2e/kWh (0")

# ---- Sweeps and CSV ----
cli_case(sweep_csv_integers RC 0 ARGS sweep --params 1e9 --tokens 1e8 --chips 8,16 --format csv
         OUT ",memory,5.18799" LACKS ",400.0,")
cli_case(sweep_csv_integers_header RC 0 ARGS sweep --params 1e9 --tokens 1e8 --chips 8,16 --format csv
         OUT "sweep.chips,id,line,")
cli_case(sweep_csv_hardware_once RC 0 ARGS sweep --params 1e9 --tokens 1e8 --hardware h100-sxm,b200
         OUT "sweep.hardware,id,")
cli_case(sweep_plot_x RC 0 ARGS sweep --tokens 1e10:1e12:x10 --params 1e9,7e9 --phase training
         --plot ${CMAKE_CURRENT_BINARY_DIR}/sweep-x.svg --plot-x params --plot-y co2e --format csv OUT "sweep.params")
cli_case(sweep_plot_x_unknown RC 2 ARGS sweep --tokens 1e10:1e12:x10 --params 1e9,7e9
         --plot ${CMAKE_CURRENT_BINARY_DIR}/sweep-y.svg --plot-x chips ERR "--plot-x: 'chips' is not a swept flag")
cli_case(sweep_plot_x_needs_plot RC 2 ARGS sweep --params 1e9,7e9 --tokens 1e10 --plot-x params
         ERR "--plot-x and --plot-y need --plot")
cli_case(plot_png_refused RC 2 ARGS estimate --params 1e9 --tokens 1e8 --plot ${CMAKE_CURRENT_BINARY_DIR}/x.png
         ERR "charts are written as SVG only")

# ---- Terminals: ASCII under LC_ALL=C; completions of ids and enum values; the man page ----
cli_case(terminal_ascii_c_locale RC 0 ARGS hardware show tpu-v6e ENV "LC_ALL=C" OUT "390 (280-500)" LACKS "–")
cli_case(terminal_utf8_locale RC 0 ARGS hardware show tpu-v6e ENV "LC_ALL=C.UTF-8" OUT "390 (280–500)")
cli_case(terminal_ascii_estimate RC 0 ARGS estimate --params 1e9 --tokens 1e8 ENV "LANG=C;LC_ALL=" OUT "x or /"
         LACKS "÷")
cli_case(completions_bash_ids RC 0 ARGS completions bash OUT "tpu-v7")
cli_case(completions_bash_phase RC 0 ARGS completions bash OUT "training inference both")
cli_case(completions_zsh_region RC 0 ARGS completions zsh OUT "europe-west9")
cli_case(completions_fish_shells RC 0 ARGS completions fish OUT "'bash zsh fish'")
cli_case(man_range_type RC 0 ARGS man OUT "X|LO:HI")
cli_case(man_environment RC 0 ARGS man OUT ".SH ENVIRONMENT")
cli_case(man_environment_powercap RC 0 ARGS man OUT "LLM_ENERGY_POWERCAP_ROOT")
