# Included from the top-level CMakeLists.txt after the libraries and the CLI.
# libportraitseg.so is the public API (the objects of core/api) and everything it calls from the static libraries;
# LibTorch, ONNX, HDF5 and the other dependencies stay private to it, so an application needs only OpenCV's headers
# and this library. The version script exports the portraitseg:: symbols alone.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(portraitseg_library SHARED $<TARGET_OBJECTS:pseg_api>)
target_link_libraries(portraitseg_library PRIVATE pseg_api PUBLIC opencv_core)
target_include_directories(portraitseg_library INTERFACE
  "$<BUILD_INTERFACE:${PSEG_ROOT}/core/api>" "$<BUILD_INTERFACE:${CMAKE_BINARY_DIR}/include>"
  "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
target_link_options(portraitseg_library PRIVATE -Wl,--version-script=${CMAKE_CURRENT_LIST_DIR}/portraitseg.map)
if(NOT PSEG_SANITIZE AND NOT PSEG_FUZZ)
  # Sanitizer runtimes are linked into executables only: a sanitized library leaves their symbols undefined.
  target_link_options(portraitseg_library PRIVATE -Wl,--no-undefined)
endif()
set_target_properties(portraitseg_library PROPERTIES
  OUTPUT_NAME portraitseg EXPORT_NAME portraitseg
  VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}
  LINK_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/portraitseg.map)
# Public headers include only each other ("portraitseg/..."), never a private header.
pseg_layering_check(portraitseg_library core/api/portraitseg "core/api/portraitseg")

# Install: the CLI, the library, the public headers, the configs, and the CMake and pkg-config packages.
set(PSEG_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/portraitseg)
install(TARGETS portraitseg RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The launcher finds portraitseg-torch in ../libexec/portraitseg (tools/launcher.cpp).
install(TARGETS portraitseg-torch RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/portraitseg)
install(TARGETS portraitseg-codecs LIBRARY DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/portraitseg)
install(TARGETS portraitseg_library EXPORT portraitsegTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_CURRENT_LIST_DIR}/portraitseg/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/portraitseg
        FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/include/portraitseg/version.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/portraitseg)
install(DIRECTORY ${PSEG_ROOT}/configs/ DESTINATION ${CMAKE_INSTALL_DATADIR}/portraitseg/configs)
install(EXPORT portraitsegTargets NAMESPACE portraitseg:: DESTINATION ${PSEG_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/portraitsegConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/portraitsegConfig.cmake INSTALL_DESTINATION ${PSEG_CMAKE_DIR})
# 0.x: a new minor version may change the API.
write_basic_package_version_file(${CMAKE_BINARY_DIR}/portraitsegConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/portraitsegConfig.cmake ${CMAKE_BINARY_DIR}/portraitsegConfigVersion.cmake
        DESTINATION ${PSEG_CMAKE_DIR})
# The .pc file finds its prefix from its own place, so the package can be installed under any prefix.
file(RELATIVE_PATH PSEG_PC_TO_PREFIX /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
configure_file(${CMAKE_CURRENT_LIST_DIR}/portraitseg.pc.in ${CMAKE_BINARY_DIR}/portraitseg.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/portraitseg.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# `cpack -G DEB` in the build directory: portraitseg_<version>_<arch>.deb, installing under /usr, its Depends
# computed by dpkg-shlibdeps from the binaries (the Debian runtime packages of LibTorch, OpenCV, ONNX, HDF5, ...).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME portraitseg)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "train, evaluate, export and run real-time portrait segmentation networks (CLI and C++ library)")
set(CPACK_PACKAGE_CONTACT "portraitseg developers <portraitseg@users.noreply.github.com>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A shlibs file and the ldconfig trigger for libportraitseg.so.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
# Building an application against the library needs OpenCV's headers and a build tool.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libopencv-dev, cmake | pkg-config")
include(CPack)
