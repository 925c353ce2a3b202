# Installs a built Slope tree into a scratch prefix, then configures, builds and runs a consumer
# project that finds it with find_package(slope). Run in script mode:
#   cmake -DSLOPE_BUILD_DIR=<build> -DSLOPE_SOURCE_DIR=<src> -DWORK_DIR=<scratch>
#         [-DCXX_FLAGS=...] [-DLINKER_FLAGS=...] [-DCXX_COMPILER=...] -P run_install_test.cmake
# CXX_FLAGS/LINKER_FLAGS/CXX_COMPILER must match the library build: a sanitizer-instrumented
# library only links into a consumer that is instrumented the same way.
cmake_minimum_required(VERSION 3.25)

foreach(var SLOPE_BUILD_DIR SLOPE_SOURCE_DIR WORK_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_install_test.cmake: -D${var}=... is required")
  endif()
endforeach()

set(consumer_src ${SLOPE_SOURCE_DIR}/tests/install/consumer)
set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/build)

# Runs one step; on failure stops with everything the step printed.
function(step name)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: ${name} failed (${rc}):\n${out}")
  endif()
  message(STATUS "install test: ${name} ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

# A stale prefix could hide files that the install rules no longer provide.
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

step(install ${CMAKE_COMMAND} --install ${SLOPE_BUILD_DIR} --prefix ${prefix})

# A tree that built the slope command installs it into bin/, where it runs.
if(EXISTS ${SLOPE_BUILD_DIR}/apps/slope)
  if(NOT EXISTS ${prefix}/bin/slope)
    message(FATAL_ERROR "install test: the slope command was not installed into ${prefix}/bin")
  endif()
  step(installed_command ${prefix}/bin/slope --version)
  if(NOT step_output MATCHES "^slope [0-9]+\\.[0-9]+\\.[0-9]+\n$")
    message(FATAL_ERROR "install test: bin/slope --version printed '${step_output}'")
  endif()
endif()

set(configure_args -S ${consumer_src} -B ${consumer_build}
  -DCMAKE_PREFIX_PATH=${prefix}
  "-DCMAKE_CXX_FLAGS=${CXX_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
if(CXX_COMPILER)
  list(APPEND configure_args -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
endif()
step(configure ${CMAKE_COMMAND} ${configure_args})
step(build ${CMAKE_COMMAND} --build ${consumer_build})

# Single-config generators put the executable at the top of the build tree.
find_program(consumer_exe consumer PATHS ${consumer_build} ${consumer_build}/Debug NO_DEFAULT_PATH)
if(NOT consumer_exe)
  message(FATAL_ERROR "install test: no consumer executable under ${consumer_build}")
endif()
step(run ${consumer_exe})
message(STATUS "install test: ${step_output}")
