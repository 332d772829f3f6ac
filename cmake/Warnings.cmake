# Warnings and sanitizers travel on INTERFACE targets linked PRIVATE by our own targets,
# so they never leak to consumers or to the system headers we include.
add_library(llm_energy_warnings INTERFACE)
target_compile_options(llm_energy_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion -Wold-style-cast
  -Wnon-virtual-dtor -Woverloaded-virtual -Wnull-dereference -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op -Wuseless-cast>)
# GCC 12 at -O2 reports -Wrestrict and -Wnull-dereference inside libstdc++'s own headers
# (std::string operator+, streambuf) for correct code (GCC bugs 105651 and 106199); they are
# kept as warnings everywhere else but not in optimised GCC builds.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  target_compile_options(llm_energy_warnings INTERFACE
    $<$<NOT:$<CONFIG:Debug>>:-Wno-restrict -Wno-null-dereference>)
endif()
if(LLM_ENERGY_WERROR)
  target_compile_options(llm_energy_warnings INTERFACE -Werror)
endif()

add_library(llm_energy_sanitizers INTERFACE)
if(LLM_ENERGY_SANITIZE)
  # ASan + UBSan; any UB report is fatal so ctest fails on it.
  target_compile_options(llm_energy_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(llm_energy_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
if(LLM_ENERGY_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "LLM_ENERGY_FUZZ needs clang++ (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  target_compile_options(llm_energy_sanitizers INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  target_link_options(llm_energy_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
target_compile_definitions(llm_energy_sanitizers INTERFACE $<$<CONFIG:Debug>:_GLIBCXX_ASSERTIONS>)
