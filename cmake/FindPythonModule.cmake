# LLM_ENERGY_PYTHON=AUTO|ON|OFF: find Python (interpreter and headers) and pybind11 (Debian:
# python3-dev, pybind11-dev, python3-pybind11). Sets LLM_ENERGY_PYTHON_ENABLED.
set(LLM_ENERGY_PYTHON_ENABLED OFF)
string(TOUPPER "${LLM_ENERGY_PYTHON}" _py_mode)
if(NOT _py_mode MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "LLM_ENERGY_PYTHON must be AUTO, ON or OFF (got '${LLM_ENERGY_PYTHON}')")
endif()
if(_py_mode STREQUAL "AUTO" AND LLM_ENERGY_SANITIZE)
  # A sanitized module cannot be loaded into the uninstrumented interpreter.
  message(STATUS "Python module: skipped under LLM_ENERGY_SANITIZE (LLM_ENERGY_PYTHON=AUTO)")
  set(_py_mode OFF)
endif()
if(NOT _py_mode STREQUAL "OFF")
  # Prefer the distribution's interpreter (where python3-pybind11 and python3-pytest are) over
  # one earlier on PATH (pyenv, a virtual environment); -DPython_EXECUTABLE=... chooses another.
  if(NOT DEFINED Python_EXECUTABLE AND EXISTS /usr/bin/python3)
    set(Python_EXECUTABLE /usr/bin/python3)
  endif()
  find_package(Python 3.8 COMPONENTS Interpreter Development.Module)
  if(Python_FOUND)
    execute_process(COMMAND ${Python_EXECUTABLE} -c "import pybind11; print(pybind11.get_cmake_dir())"
                    OUTPUT_VARIABLE _pybind11_dir OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    find_package(pybind11 2.6 CONFIG HINTS ${_pybind11_dir})
  endif()
  if(Python_FOUND AND pybind11_FOUND)
    set(LLM_ENERGY_PYTHON_ENABLED ON)
    set(CMAKE_POSITION_INDEPENDENT_CODE ON)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # Position-independent code without interposition of our own functions: as fast as -fPIE.
      add_compile_options(-fno-semantic-interposition)
    endif()
  elseif(_py_mode STREQUAL "ON")
    message(FATAL_ERROR "LLM_ENERGY_PYTHON=ON but Python headers or pybind11 were not found "
                        "(Debian: apt-get install python3-dev pybind11-dev python3-pybind11)")
  else()
    message(STATUS "Python module: skipped (no Python headers or pybind11; LLM_ENERGY_PYTHON=AUTO)")
  endif()
endif()
