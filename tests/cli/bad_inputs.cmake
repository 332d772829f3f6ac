# The bad-input catalogue: each case has its expected exit code and message fragment.
# Generated inputs (random bytes, a 100 MB line, 100,000 levels of nesting, NUL bytes, ...)
# are written by make_bad_inputs.sh into the build tree by a fixture.
set(bad ${CMAKE_CURRENT_BINARY_DIR}/bad_inputs)
add_test(NAME cli.bad_inputs_setup COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/make_bad_inputs.sh ${bad})
set_tests_properties(cli.bad_inputs_setup PROPERTIES FIXTURES_SETUP bad_inputs)

# name | expected exit code | error fragment ("-" for none) | arguments after 'estimate'
set(catalogue
  "garbage|2|malformed JSON|--config ${bad}/garbage.json"
  "png|2|malformed JSON|--config ${bad}/png.json"
  "empty_file|2|malformed JSON|--config ${bad}/empty.json"
  "blank_file|2|malformed JSON|--config ${bad}/blank.json"
  "huge_line|2|larger than 16 MiB|--config ${bad}/huge_line.json"
  "huge_number|2|larger than 16 MiB|--config ${bad}/huge_number.json"
  "deep_nesting|2|nested more than 64 levels|--config ${bad}/deep.json"
  "deep_object|2|nested more than 64 levels|--config ${bad}/deep_object.json"
  "duplicate_key|2|duplicate key 'tokens'|--config ${bad}/duplicate.json"
  "byte_order_mark|0|-|--config ${bad}/bom.json"
  "crlf|0|-|--config ${bad}/crlf.json"
  "invalid_utf8|2|malformed JSON|--config ${bad}/invalid_utf8.json"
  "nul_byte|2|malformed JSON|--config ${bad}/nul.json"
  "nul_in_string|2|malformed JSON|--config ${bad}/nul_in_string.json"
  "array_value|2|key 'params': expected a number|--config ${bad}/array_value.json"
  "object_value|2|key 'params': expected a number|--config ${bad}/object_value.json"
  "null_value|2|key 'params': expected a number|--config ${bad}/null_value.json"
  "negative_in_config|2|tokens: must be greater than zero|--config ${bad}/negative.json"
  "budget_unit|2|unknown unit|--config ${bad}/bad_budget.json"
  "budget_typo|2|did you mean 'max_energy'|--config ${bad}/budget_typo.json"
  "array_top_level|2|expected a JSON object|--config ${bad}/array_top.json"
  "directory_as_config|2|is a directory|--config ${bad}/a_directory.json"
  "directory_as_output|2|is a directory|--tokens 1e8 --params 1e9 --output ${bad}/a_directory.json"
  "unwritable_output|2|cannot write|--tokens 1e8 --params 1e9 --output /nonexistent-dir/out.json"
  "hw_file_missing_fields|2|missing key 'generation'|--tokens 1e8 --params 1e9 --hardware-file ${bad}/hw_missing_fields.json --hardware x"
  "hw_file_negative|2|must be greater than zero|--tokens 1e8 --params 1e9 --hardware-file ${bad}/hw_negative_tdp.json"
  "regions_file_range|2|low <= value <= high|--tokens 1e8 --params 1e9 --regions-file ${bad}/region_bad_range.json"
  "hw_file_garbage|2|malformed JSON|--tokens 1e8 --params 1e9 --hardware-file ${bad}/garbage.json"
  "minus_zero|2|must be greater than zero|--tokens -0 --params 1e9"
  "hex_number|2|unknown suffix|--tokens 0x10 --params 1e9"
  "double_suffix|2|unknown suffix|--tokens 5MM --params 1e9"
  "space_only|2|empty value|--tokens \" \" --params 1e9"
  "denormal_mfu|2|inputs out of range|--tokens 1e8 --params 1e9 --mfu 1e-320:1e-310"
  "tiny_chips|2|chips: must be a whole number|--tokens 1e8 --params 1e9 --chips 0.5"
  "huge_chips|0|-|--tokens 1e8 --params 1e9 --chips 1e12"
  "pue_range_low|2|pue: must be at least 1.0|--tokens 1e8 --params 1e9 --pue 0.9:1.2"
  "negative_intensity|2|carbon_intensity: must not be negative|--tokens 1e8 --params 1e9 --carbon-intensity -5"
  "active_above_params|2|active_params exceeds params|--tokens 1e8 --params 1e9 --active-params 2e9"
  "unknown_phase|2|unknown phase|--tokens 1e8 --params 1e9 --phase deploy"
  "unknown_model|2|unknown model|--model llama-9"
  "requests_and_tokens|2|conflicting inputs|--params 1e9 --phase inference --requests 10 --inference-tokens 100"
  "kv_heads_above_heads|2|kv_heads exceeds heads|--params 1e9 --phase inference --inference-tokens 1e6 --heads 8 --kv-heads 16"
  "inference_chips_too_few|2|cannot hold|--params 70e9 --phase inference --inference-tokens 1e6 --inference-chips 1"
  "tokens_overflow_product|2|inputs out of range|--tokens 1e300 --params 1e9 --phase training"
  "tiny_mfu_overflow|2|inputs out of range|--tokens 1e8 --params 1e9 --mfu 1e-307 --phase training"
)
foreach(row IN LISTS catalogue)
  string(REPLACE "|" ";" f "${row}")
  list(GET f 0 name)
  list(GET f 1 rc)
  list(GET f 2 frag)
  list(GET f 3 argstr)
  separate_arguments(args UNIX_COMMAND "${argstr}")
  if(frag STREQUAL "-")
    cli_case(badcat_${name} RC ${rc} ARGS estimate ${args})
  else()
    cli_case(badcat_${name} RC ${rc} ERR "${frag}" ARGS estimate ${args})
  endif()
  set_tests_properties(cli.badcat_${name} PROPERTIES FIXTURES_REQUIRED bad_inputs)
endforeach()

# Unreadable file: only meaningful for a non-root user, so run the binary as 'nobody' when root.
add_test(NAME cli.badcat_unreadable COMMAND bash -c
  "cmd=(\"$<TARGET_FILE:llm-energy>\" estimate --config ${bad}/unreadable.json); if [ \"$(id -u)\" = 0 ]; then chmod 755 ${bad} ; cmd=(setpriv --reuid=nobody --regid=nogroup --clear-groups \"\${cmd[@]}\"); fi; out=$(\"\${cmd[@]}\" 2>&1); rc=$?; echo \"$out\"; [ $rc = 2 ] && [[ \"$out\" == *'cannot be read'* ]]")
set_tests_properties(cli.badcat_unreadable PROPERTIES FIXTURES_REQUIRED bad_inputs)

# Output and input on things that are not plain files (issue 17): a full device, closed
# standard descriptors, a pipe whose reader has gone (SIGPIPE ignored), devices, FIFOs,
# symlinks, /dev/fd/1, a 255-byte name, SIGINT/SIGTERM while writing, /dev/zero and
# /dev/urandom as settings files, a 50 MB batch line. Skipped (77) where the device is missing.
foreach(special full_stdout full_help full_output full_batch_output closed_stdout closed_stdin sigpipe_sweep
        sigpipe_sweep_threads sigpipe_batch char_device_output symlink_to_device symlink_to_file
        dev_stdout_output fifo_output long_name interrupt_term interrupt_int config_dev_zero
        hardware_file_urandom batch_long_line)
  add_test(NAME cli.special_${special}
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/special_files.sh $<TARGET_FILE:llm-energy> ${special})
  set_tests_properties(cli.special_${special} PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 120)
endforeach()
