# CMake package config for libopenai, installed by `cargo cinstall` into
# <prefix>/share/cmake/openai. `find_package(openai)` then gives these imported targets:
#   openai::openai         the shared library (libopenai.so)
#   openai::openai_static  the static library (libopenai.a) with the system libraries it needs
#   openai::cpp            the header-only C++17 binding (openai/openai.hpp) over openai::openai
# Each carries the include directory of openai.h.

get_filename_component(_openai_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
set(_openai_libdirs "${_openai_prefix}/lib" "${_openai_prefix}/lib64")
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(APPEND _openai_libdirs "${_openai_prefix}/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
endif()

find_path(OPENAI_INCLUDE_DIR openai.h PATHS "${_openai_prefix}/include" NO_DEFAULT_PATH)
find_library(OPENAI_SHARED_LIBRARY NAMES openai PATHS ${_openai_libdirs} NO_DEFAULT_PATH)
find_library(OPENAI_STATIC_LIBRARY NAMES libopenai.a PATHS ${_openai_libdirs} NO_DEFAULT_PATH)

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(openai
  REQUIRED_VARS OPENAI_INCLUDE_DIR OPENAI_SHARED_LIBRARY
  VERSION_VAR openai_VERSION)

if(openai_FOUND AND NOT TARGET openai::openai)
  add_library(openai::openai SHARED IMPORTED)
  set_target_properties(openai::openai PROPERTIES
    IMPORTED_LOCATION "${OPENAI_SHARED_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${OPENAI_INCLUDE_DIR}")
  if(OPENAI_STATIC_LIBRARY)
    add_library(openai::openai_static STATIC IMPORTED)
    # The system libraries the Rust standard library needs (rustc --print native-static-libs).
    set_target_properties(openai::openai_static PROPERTIES
      IMPORTED_LOCATION "${OPENAI_STATIC_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${OPENAI_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES "gcc_s;util;rt;pthread;m;dl;c")
  endif()
  # The C++ binding: its headers (include/openai/openai.hpp, operations.hpp) beside openai.h.
  find_path(OPENAI_CPP_INCLUDE_DIR openai/openai.hpp PATHS "${_openai_prefix}/include" NO_DEFAULT_PATH)
  if(OPENAI_CPP_INCLUDE_DIR AND NOT TARGET openai::cpp)
    add_library(openai::cpp INTERFACE IMPORTED)
    set_target_properties(openai::cpp PROPERTIES
      INTERFACE_INCLUDE_DIRECTORIES "${OPENAI_CPP_INCLUDE_DIR}"
      INTERFACE_LINK_LIBRARIES openai::openai
      INTERFACE_COMPILE_FEATURES cxx_std_17)
  endif()
endif()
unset(_openai_prefix)
unset(_openai_libdirs)
