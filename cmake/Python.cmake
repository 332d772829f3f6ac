# The Python module: llm_energy/_core (src/python/module.cpp) beside the package's Python files
# (python/llm_energy), assembled in BUILD/python/llm_energy so that PYTHONPATH=BUILD/python
# imports it; installed into the distribution's dist-packages (the Debian package ships it).
pybind11_add_module(llm_energy_python MODULE NO_EXTRAS ${PROJECT_SOURCE_DIR}/src/python/module.cpp)
set(LLM_ENERGY_PYTHON_PACKAGE_DIR ${PROJECT_BINARY_DIR}/python/llm_energy)
set_target_properties(llm_energy_python PROPERTIES
  OUTPUT_NAME _core
  LIBRARY_OUTPUT_DIRECTORY ${LLM_ENERGY_PYTHON_PACKAGE_DIR}
  CXX_VISIBILITY_PRESET hidden
  VISIBILITY_INLINES_HIDDEN ON)
target_link_libraries(llm_energy_python PRIVATE llm_energy_cli fmt::fmt-header-only llm_energy_warnings)

file(GLOB llm_energy_python_files CONFIGURE_DEPENDS
     ${PROJECT_SOURCE_DIR}/python/llm_energy/*.py ${PROJECT_SOURCE_DIR}/python/llm_energy/*.pyi
     ${PROJECT_SOURCE_DIR}/python/llm_energy/py.typed)
set(copied "")
foreach(f ${llm_energy_python_files})
  get_filename_component(name ${f} NAME)
  add_custom_command(OUTPUT ${LLM_ENERGY_PYTHON_PACKAGE_DIR}/${name}
                     COMMAND ${CMAKE_COMMAND} -E copy ${f} ${LLM_ENERGY_PYTHON_PACKAGE_DIR}/${name}
                     DEPENDS ${f} VERBATIM)
  list(APPEND copied ${LLM_ENERGY_PYTHON_PACKAGE_DIR}/${name})
endforeach()
add_custom_target(llm_energy_python_files ALL DEPENDS ${copied})
add_dependencies(llm_energy_python llm_energy_python_files)

# Debian's layout for modules of the system Python; -DLLM_ENERGY_PYTHON_INSTALL_DIR=... (relative
# to the prefix) for another (setup.py installs through pip instead).
set(LLM_ENERGY_PYTHON_INSTALL_DIR lib/python3/dist-packages CACHE STRING
    "Where the llm_energy package is installed, relative to the prefix")
install(TARGETS llm_energy_python LIBRARY DESTINATION ${LLM_ENERGY_PYTHON_INSTALL_DIR}/llm_energy)
install(FILES ${llm_energy_python_files} DESTINATION ${LLM_ENERGY_PYTHON_INSTALL_DIR}/llm_energy)
