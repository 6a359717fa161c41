# The version of the installed libopenai (checked against Cargo.toml by tests/header.rs).
# A request is met by this version when it is not newer and has the same major version (and,
# before 1.0, the same minor version: 0.x releases may break compatibility).
set(PACKAGE_VERSION "0.1.0")
string(REPLACE "." ";" _openai_parts "${PACKAGE_VERSION}")
list(GET _openai_parts 0 _openai_major)
list(GET _openai_parts 1 _openai_minor)
set(PACKAGE_VERSION_COMPATIBLE FALSE)
if(NOT PACKAGE_FIND_VERSION)
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
elseif(NOT PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION
   AND "${PACKAGE_FIND_VERSION_MAJOR}" STREQUAL "${_openai_major}"
   AND (NOT _openai_major EQUAL 0 OR "${PACKAGE_FIND_VERSION_MINOR}" STREQUAL "${_openai_minor}"))
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
  set(PACKAGE_VERSION_EXACT TRUE)
endif()
unset(_openai_parts)
unset(_openai_major)
unset(_openai_minor)
