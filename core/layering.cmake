# pseg_core_library(NAME [TORCH_FREE] DEPS <core sub-folders and nets|data|losses> LINK <other libraries>)
# builds core/NAME as the static library pseg_NAME and checks its includes against the declared dependencies.
# TORCH_FREE: the folder does not use LibTorch, so it gets no torch precompiled header.
set(PSEG_LAYERING_SCRIPT ${CMAKE_CURRENT_LIST_DIR}/check_layering.cmake)

# The folders `name` may include: itself, its declared dependencies and theirs.
function(pseg_allowed_folders name out)
  set(result ${name})
  get_property(deps GLOBAL PROPERTY PSEG_DEPS_${name})
  foreach(dep ${deps})
    pseg_allowed_folders(${dep} sub)
    list(APPEND result ${sub})
  endforeach()
  list(REMOVE_DUPLICATES result)
  set(${out} ${result} PARENT_SCOPE)
endfunction()

# A build-time check that every source of `folder` (relative to the root) includes only from `allowed`.
function(pseg_layering_check target folder allowed)
  file(GLOB checked CONFIGURE_DEPENDS ${PSEG_ROOT}/${folder}/*.h ${PSEG_ROOT}/${folder}/*.cpp)
  string(REPLACE "/" "_" stem ${folder})
  set(stamp ${CMAKE_BINARY_DIR}/layering/${stem}.ok)
  string(REPLACE ";" "," allowed_csv "${allowed}")
  add_custom_command(OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DROOT=${PSEG_ROOT} -DFOLDER=${folder} -DALLOWED=${allowed_csv} -DSTAMP=${stamp}
            -P ${PSEG_LAYERING_SCRIPT}
    DEPENDS ${checked} ${PSEG_LAYERING_SCRIPT}
    COMMENT "Checking the includes of ${folder}/" VERBATIM)
  add_custom_target(${target}_layering DEPENDS ${stamp})
  add_dependencies(${target} ${target}_layering)
endfunction()

function(pseg_core_library name)
  cmake_parse_arguments(ARG "TORCH_FREE" "" "DEPS;LINK" ${ARGN})
  set_property(GLOBAL PROPERTY PSEG_DEPS_${name} ${ARG_DEPS})
  file(GLOB sources CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/${name}/*.cpp)
  add_library(pseg_${name} STATIC ${sources})
  target_include_directories(pseg_${name} PUBLIC ${PSEG_ROOT} ${PSEG_PUBLIC_INCLUDE})
  set(libs)
  foreach(dep ${ARG_DEPS})
    list(APPEND libs pseg_${dep})
  endforeach()
  target_link_libraries(pseg_${name} PUBLIC ${libs} ${ARG_LINK})
  if(NOT ARG_TORCH_FREE)
    pseg_torch_pch(pseg_${name})
  endif()
  pseg_unity(pseg_${name})
  pseg_allowed_folders(${name} allowed)
  set(folders)
  foreach(a ${allowed})
    if(a MATCHES "^(nets|data|losses)$")
      list(APPEND folders ${a})
    else()
      list(APPEND folders core/${a})
    endif()
  endforeach()
  pseg_layering_check(pseg_${name} core/${name} "${folders}")
endfunction()
