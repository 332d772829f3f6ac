# llm_energy_embed(OUTPUT file.cpp FILES name path [name path ...])
# Generates a C++ source defining `std::string_view llm_energy::embedded::<name>()` for each
# file, so the catalogs ship inside the binary. The data is written as a char array (not a
# raw string literal) so any byte sequence is safe. Regenerated when a file changes.
function(llm_energy_embed)
  cmake_parse_arguments(E "" "OUTPUT" "FILES" ${ARGN})
  set(args "")
  set(deps "")
  list(LENGTH E_FILES n)
  math(EXPR last "${n} - 1")
  foreach(i RANGE 0 ${last} 2)
    math(EXPR j "${i} + 1")
    list(GET E_FILES ${i} name)
    list(GET E_FILES ${j} path)
    list(APPEND args "${name}=${path}")
    list(APPEND deps "${path}")
  endforeach()
  string(REPLACE ";" "|" joined "${args}")
  add_custom_command(
    OUTPUT ${E_OUTPUT}
    COMMAND ${CMAKE_COMMAND} "-DOUTPUT=${E_OUTPUT}" "-DFILES=${joined}"
            -P ${PROJECT_SOURCE_DIR}/cmake/EmbedDataScript.cmake
    DEPENDS ${deps} ${PROJECT_SOURCE_DIR}/cmake/EmbedDataScript.cmake
    COMMENT "Embedding catalogs into the binary"
    VERBATIM)
endfunction()
