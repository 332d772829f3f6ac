# End-to-end cases for `llm-energy batch` and `llm-energy sweep` (included from tests/CMakeLists.txt).
set(bdata ${PROJECT_SOURCE_DIR}/tests/data/batch)

# batch_count(NAME RC code LINES n ARGS ... [STDIN file] [CONTAINS fragments in order ...])
function(batch_count name)
  cmake_parse_arguments(C "" "RC;LINES;STDIN" "ARGS;CONTAINS" ${ARGN})
  string(REPLACE ";" "\\;" args "${C_ARGS}")
  string(REPLACE ";" "\\;" contains "${C_CONTAINS}")
  set(defs -DBIN=$<TARGET_FILE:llm-energy> "-DARGS=${args}" -DRC=${C_RC} -DLINES=${C_LINES}
           "-DCONTAINS=${contains}" -DWORKDIR=${PROJECT_SOURCE_DIR})
  if(DEFINED C_STDIN)
    list(APPEND defs -DSTDIN=${C_STDIN})
  endif()
  add_test(NAME cli.${name} COMMAND ${CMAKE_COMMAND} ${defs} -P ${CMAKE_CURRENT_SOURCE_DIR}/cli/batch_count.cmake)
endfunction()

cli_case(batch_help RC 0 ARGS batch --help OUT "Exit codes: 0 ok, 1 some row over budget")
cli_case(sweep_help RC 0 ARGS sweep --help OUT "START:STOP:xFACTOR")

# JSONL with rows 2 (bad JSON) and 4 (unknown key) bad: 5 rows out, in order, exit 2.
batch_count(batch_jsonl_mixed RC 2 LINES 5 ARGS batch ${bdata}/mixed.jsonl
            CONTAINS "\"id\":\"small\",\"line\":1," "\"line\":2,\"error\":\"line 2: column"
                     "\"id\":\"big\",\"line\":3," "\"line\":4,\"error\":\"line 4: unknown key 'tokenz'"
                     "\"line\":5,")
cli_case(batch_jsonl_error_field RC 2 ARGS batch ${bdata}/mixed.jsonl OUT "\"line\":4,\"error\":")
batch_count(batch_csv RC 0 LINES 4 ARGS batch ${bdata}/good.csv --format csv
            CONTAINS "id,line,error,budget.within,version," "a,2,," "b,3,,,0.1.0,both,a100-sxm4-80gb,FR," "c,4,,")
batch_count(batch_csv_wrong_fields RC 2 LINES 4 ARGS batch ${bdata}/wrong_fields.csv --format csv
            CONTAINS "2,2,," "3,3,\"line 3: expected 2 fields" "4,4,,")
cli_case(batch_csv_bad_header RC 2 ARGS batch ${bdata}/bad_header.csv ERR "unknown column 'tokenz'")
batch_count(batch_json_array RC 0 LINES 5 ARGS batch ${bdata}/array.json --format json
            CONTAINS "{\"id\":\"x\",\"line\":1," "},\n{\"id\":2,\"line\":2," "\"line\":3,")
batch_count(batch_stdin RC 2 LINES 5 ARGS batch STDIN ${bdata}/mixed.jsonl CONTAINS "\"id\":\"small\"" "\"id\":\"big\"")
batch_count(batch_stdin_dash RC 0 LINES 4 ARGS batch - --format csv --input-format csv STDIN ${bdata}/good.csv)
batch_count(batch_fail_fast RC 2 LINES 2 ARGS batch ${bdata}/mixed.jsonl --fail-fast
            CONTAINS "\"line\":1," "\"line\":2,\"error\"")
batch_count(batch_flags_apply RC 0 LINES 4 ARGS batch ${bdata}/good.csv --format csv --region PL
            CONTAINS "a,2,,,0.1.0,both,h100-sxm,PL," "b,3,,,0.1.0,both,a100-sxm4-80gb,FR,")
batch_count(batch_budget_over RC 1 LINES 2 ARGS batch ${bdata}/budget.jsonl --max-energy 500MWh
            CONTAINS "\"id\":\"ok\"" "\"budget\":{\"within\":true" "\"id\":\"huge\"" "\"budget\":{\"within\":false")
batch_count(batch_budget_csv RC 1 LINES 3 ARGS batch ${bdata}/budget.jsonl --max-co2e 100t --format csv
            CONTAINS "ok,1,,true," "huge,2,,false,")
batch_count(batch_failed_and_over RC 2 LINES 2 ARGS batch ${bdata}/budget_bad.jsonl --max-energy 500MWh
            CONTAINS "\"within\":false" "\"id\":\"broken\",\"line\":2,\"error\":\"line 2: params")
cli_case(batch_missing_file RC 2 ARGS batch /nonexistent/rows.jsonl ERR "no such file")
cli_case(batch_bad_warn_at RC 2 ARGS batch ${bdata}/good.csv --warn-at 150% ERR "warn-at")
cli_case(batch_bad_format RC 2 ARGS batch ${bdata}/good.csv --format table ERR "--format")

# sweep: 2 params x 3 tokens x 2 hardware = 12 rows (+ header).
batch_count(sweep_product RC 0 LINES 13
            ARGS sweep --params 1e9,7e9 --tokens 1e11:1e13:x10 --hardware a100-sxm4-80gb,h100-sxm
            CONTAINS "sweep.tokens,sweep.params,sweep.hardware,id,line,error," "100000000000,1e9,a100-sxm4-80gb,1,1,,"
                     "10000000000000,7e9,h100-sxm,12,12,,")
batch_count(sweep_jsonl_passthrough RC 0 LINES 4 ARGS sweep --params 1e9 --tokens 1e9 --mfu 0.3:0.6:+0.1
            --pue 1.1:1.3 --format jsonl CONTAINS "\"sweep\":{\"mfu\":\"0.3\"}" "\"sweep\":{\"mfu\":\"0.6\"}")
batch_count(sweep_bad_combination RC 2 LINES 3 ARGS sweep --params 7e9 --tokens 1e12 --hardware a100-sxm4-80gb
            --precision fp8,bf16 CONTAINS "fp8,1,1,\"line 1: precision:" "bf16,2,2,,")
cli_case(sweep_bad_range_order RC 2 ARGS sweep --params 1e9 --tokens 1e13:1e11:x10 ERR "start is greater than stop")
cli_case(sweep_bad_range_factor RC 2 ARGS sweep --params 1e9 --tokens 1e11:1e13:x1 ERR "factor must be greater than 1")
cli_case(sweep_bad_range_step RC 2 ARGS sweep --params 1e9 --tokens 1e11:1e13:+0 ERR "step must be greater than zero")
cli_case(sweep_too_many RC 2 ARGS sweep --params 1:1e4:+1 --tokens 1:1e4:+1 ERR "more than 10000000 combinations")
cli_case(sweep_bad_value RC 2 ARGS sweep --params 1e9,abc --tokens 1e9 ERR "params")

# A large streaming run: generated rows piped through batch; the output line count must match.
# Debug builds (no optimisation, assertions on, maybe ASan) use fewer rows to stay well under 30 s.
if(CMAKE_BUILD_TYPE STREQUAL "Debug")
  set(batch_large_rows 10000)
else()
  set(batch_large_rows 200000)
endif()
add_test(NAME cli.batch_large
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/batch_large.sh $<TARGET_FILE:llm-energy>
                 ${batch_large_rows} ${bdata}/gen_jsonl.sh)
set_tests_properties(cli.batch_large PROPERTIES TIMEOUT 120)

# A sweep on worker threads writes exactly what the one-thread run writes.
add_test(NAME cli.sweep_threads COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/sweep_threads.sh $<TARGET_FILE:llm-energy>)
set_tests_properties(cli.sweep_threads PROPERTIES TIMEOUT 300)
cli_case(sweep_threads_zero RC 2 ARGS sweep --params 1e9 --tokens 1e9 --threads 0 ERR "threads")

# ---- Issue 17: rows out = rows in for every CSV line ending and quote; failure summaries ----
set(rel ${CMAKE_CURRENT_BINARY_DIR}/reliability_inputs)
add_test(NAME cli.reliability_inputs_setup
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/make_reliability_inputs.sh ${rel})
set_tests_properties(cli.reliability_inputs_setup PROPERTIES FIXTURES_SETUP reliability_inputs)
function(rel_batch_count name)
  batch_count(${name} ${ARGN})
  set_tests_properties(cli.${name} PROPERTIES FIXTURES_REQUIRED reliability_inputs)
endfunction()
rel_batch_count(batch_csv_cr_only RC 0 LINES 4 ARGS batch ${rel}/cr_only.csv --format csv
                CONTAINS "\na,2,," "\nb,3,," "\nc,4,,")
rel_batch_count(batch_csv_embedded_cr RC 0 LINES 4 ARGS batch ${rel}/embedded_cr.csv --format csv
                CONTAINS "\na,2,," "\nb,3,," "\nc,4,,")
rel_batch_count(batch_csv_crlf_quoted RC 0 LINES 4 ARGS batch ${rel}/crlf_quoted.csv --format csv
                CONTAINS "\n\"a\r\nb\",2,," "\nc,4,,")
rel_batch_count(batch_csv_stray_quote RC 2 LINES 4 ARGS batch ${rel}/stray_quote.csv --format csv
                CONTAINS "\na,2,," "\n3,3,\"line 3: field 2: a quote inside an unquoted field" "\nc,4,,")
rel_batch_count(batch_csv_after_quote RC 2 LINES 3 ARGS batch ${rel}/after_quote.csv --format csv
                CONTAINS "\n2,2,line 2: field 2: text after the closing quote" "\nb,3,,")
rel_batch_count(batch_csv_unterminated RC 2 LINES 5 ARGS batch ${rel}/unterminated.csv --format csv
                CONTAINS "\na,2,," "\n3,3,line 3: field 2: the quote opened on this line never closes" "\nc,4,,"
                         "\nd,5,,")
rel_batch_count(batch_csv_extra_field_not_id RC 2 LINES 3 ARGS batch ${rel}/extra_field.csv --format csv
                CONTAINS "\n2,2,\"line 2: expected 2 fields (as in the header), got 3\"" "\n3,3,,")
rel_batch_count(batch_csv_blank_quotes RC 0 LINES 2 ARGS batch ${rel}/blank_quotes.csv --format csv
                CONTAINS "\na,2,,")
rel_batch_count(batch_jsonl_cr_only RC 0 LINES 2 ARGS batch ${rel}/cr_only.jsonl
                CONTAINS "{\"id\":\"a\",\"line\":1," "{\"id\":\"b\",\"line\":2,")
# A failed batch or sweep says on stderr how many rows failed and where the first is.
cli_case(batch_failure_summary RC 2 ARGS batch ${bdata}/mixed.jsonl
         ERR "llm-energy: 2 of 5 rows failed (the first at line 2)")
cli_case(batch_failure_summary_fail_fast RC 2 ARGS batch ${bdata}/mixed.jsonl --fail-fast
         ERR "1 of 2 rows failed (the first at line 2); stopped there (--fail-fast)")
cli_case(batch_over_budget_summary RC 1 ARGS batch ${bdata}/budget.jsonl --max-energy 500MWh
         ERR "llm-energy: 1 of 2 rows over budget")
cli_case(sweep_failure_summary RC 2 ARGS sweep --params 7e9 --tokens 1e12 --hardware a100-sxm4-80gb
         --precision fp8,bf16 ERR "llm-energy: 1 of 2 rows failed (the first at combination 1)")
