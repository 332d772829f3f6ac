# CPUs and edge devices (issue 19): serving on them, quantised formats as local runtimes use them,
# what they refuse; training energy by part.
set(edge_base estimate --phase inference --model llama-3.1-8b --batch-size 1)
set(edge_m4 ${edge_base} --hardware apple-m4-max --precision q4)
cli_case(edge_m4max_q4_table RC 0 GOLDEN ARGS ${edge_m4} OUT "J per output token, facility")
cli_case(edge_m4max_q4_json RC 0 GOLDEN FILTER figures ARGS ${edge_m4} --format json OUT "\"bound\": \"memory\"")
cli_case(edge_m4max_q4_sources RC 0 ARGS ${edge_m4} --format json OUT "\"compute_precision\": {"
         OUT "apple-m4-max" OUT "Apple MacBook Pro (November 2024) technical specifications")
cli_case(edge_xeon_int8 RC 0 ARGS estimate --phase inference --model llama-3.1-8b --hardware xeon-6980p
         --precision int8 --batch-size 4 --format json OUT "\"hardware\": \"xeon-6980p\"" OUT "\"bound\": \"memory\"")
cli_case(edge_unknown_cpu RC 2 ARGS ${edge_base} --hardware xeon-9999 ERR "unknown hardware 'xeon-9999'")
cli_case(edge_fp8_refused RC 2 ARGS ${edge_base} --hardware apple-m4-max --precision fp8
         ERR "precision: apple-m4-max cannot run fp8 weights")
cli_case(edge_tf32_refused RC 2 ARGS ${edge_base} --hardware apple-m4-max --precision tf32
         ERR "apple-m4-max has no tf32 peak")
cli_case(edge_training_refused RC 2 ARGS estimate --model llama-3.1-8b --tokens 1T --hardware jetson-agx-orin-64gb
         ERR "training: jetson-agx-orin-64gb is an edge device; llm-energy estimates training on accelerators only")
cli_case(edge_cpu_training_refused RC 2 ARGS estimate --params 1e9 --tokens 1e9 --hardware epyc-9654
         ERR "training: epyc-9654 is a CPU")
cli_case(edge_q4_training_refused RC 2 ARGS estimate --params 1e9 --tokens 1e9 --precision q4 --phase training
         ERR "precision: h100-sxm has no q4 peak")
cli_case(edge_bad_kind RC 2 ARGS ${edge_m4} --hardware-file tests/data/bad/bad_kind.json
         ERR "must be accelerator, cpu or edge")

# Training energy by part: compute, host, communication, storage and facility overhead.
set(parts70 estimate --model llama-3.1-70b --tokens 15T --phase training)
cli_case(train_parts_70b_table RC 0 GOLDEN ARGS ${parts70} OUT "Energy, communication" OUT "Energy, storage")
cli_case(train_parts_70b_json RC 0 GOLDEN FILTER figures ARGS ${parts70} --format json
         OUT "\"communication_energy_kwh\":" OUT "\"storage_energy_kwh\":")
cli_case(train_parts_model_card RC 0 ARGS ${parts70} --format model-card
         OUT "training_energy_kwh:\n  compute: {value: " OUT "  communication: {value: ")
cli_case(train_parts_one_server RC 0 ARGS estimate --params 1e9 --tokens 1e8 --chips 8 --phase training
         --format json OUT "\"communication_energy_kwh\": 0.0,")
cli_case(edge_hardware_show RC 0 ARGS hardware show jetson-agx-orin-64gb OUT "(NVIDIA, jetson-orin, edge, 2023)")
cli_case(edge_hardware_list RC 0 ARGS hardware list OUT "apple-m3-ultra" OUT "graviton4" OUT "xeon-6980p")
