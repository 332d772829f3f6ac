# The layering of src/ (cmake -P, run by ctest as `layering`): each folder may include only the
# folders below it. core (include/llm_energy, src/core) is pure: no I/O, no CLI, no fmt.
#   render  -> core           batch -> core, render
#   measure -> core           cli   -> everything
# -DSRC=<project source dir>
set(rules
  "core|include/llm_energy/*.hpp,src/core/*.cpp,src/core/*.hpp|render/,batch/,measure/,cli/,<CLI/,<fmt/,<iostream>,<fstream>,<filesystem>,<unistd.h>"
  "render|src/render/*.cpp,src/render/*.hpp|batch/,measure/,cli/,<CLI/,<iostream>,<fstream>,<filesystem>"
  "batch|src/batch/*.cpp,src/batch/*.hpp|measure/,cli/,<CLI/"
  "measure|src/measure/*.cpp,src/measure/*.hpp|render/,batch/,cli/,<CLI/")
set(failures "")
foreach(rule ${rules})
  string(REPLACE "|" ";" parts "${rule}")
  list(GET parts 0 layer)
  list(GET parts 1 globs)
  list(GET parts 2 banned)
  string(REPLACE "," ";" globs "${globs}")
  string(REPLACE "," ";" banned "${banned}")
  set(files "")
  foreach(g ${globs})
    file(GLOB found "${SRC}/${g}")
    list(APPEND files ${found})
  endforeach()
  if(NOT files)
    message(FATAL_ERROR "layering: no files for ${layer}")
  endif()
  foreach(f ${files})
    file(STRINGS "${f}" includes REGEX "^#include ")
    foreach(line ${includes})
      foreach(b ${banned})
        string(FIND "${line}" "\"${b}" q)
        string(FIND "${line}" "${b}" a)
        if(NOT q EQUAL -1 OR (b MATCHES "^<" AND NOT a EQUAL -1))
          file(RELATIVE_PATH rel "${SRC}" "${f}")
          string(APPEND failures "\n  ${rel} (${layer}): ${line}")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
if(failures)
  message(FATAL_ERROR "layering: includes across layers:${failures}")
endif()
message(STATUS "layering: core, render, batch and measure include only what lies below them")
