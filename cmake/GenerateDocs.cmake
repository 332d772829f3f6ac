# cmake -DBIN=<llm-energy> -DOUT=<dir> -P GenerateDocs.cmake
# Write the man page and the shell completions by running the built binary, so they always
# list the options that binary accepts.
file(MAKE_DIRECTORY ${OUT})
foreach(item "man;llm-energy.1" "completions;bash;llm-energy.bash" "completions;zsh;_llm-energy"
             "completions;fish;llm-energy.fish")
  list(POP_BACK item name)
  execute_process(COMMAND ${BIN} ${item} OUTPUT_FILE ${OUT}/${name}.tmp RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "'${BIN} ${item}' failed (exit ${rc})")
  endif()
  file(RENAME ${OUT}/${name}.tmp ${OUT}/${name})
endforeach()
