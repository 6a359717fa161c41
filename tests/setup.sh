#!/usr/bin/env bash
# Installs what the tests need beyond the toolchains (Rust, Go, Python, a C and C++ compiler),
# when it is missing, then says nothing more than one line. Run by tests/run-all.sh (and so by
# CI's .ci/run) before anything else; safe to run again: what is there is left alone.
#
#   valgrind, binutils (nm, readelf)      the C suite and the symbol checks
#   pkg-config, cmake, make               the install test (tests/install.sh), the C++ binding
#   GoogleTest (libgtest-dev), g++        the C++ binding's tests
#   clang                                 the Swift binding's module-map check
#   pytest (pip)                          the Python binding's tests
#   cargo-c 0.10.24 (cargo install)       `cargo cinstall`, one of the two install paths tested;
#                                         built with a quick profile: about 20 minutes on 2 cores
#   libssl-dev                            only to build cargo-c
#
# Debian packages come from apt-get (with sudo when not root). Elsewhere, the script names what
# is missing and stops.
set -euo pipefail

# The cargo-c release that builds with the Rust this project needs (newer ones need a newer
# rustc); README.md's "Installing" gives the same version.
CARGO_C_VERSION=0.10.24

log() { printf 'setup: %s\n' "$*" >&2; }

# Debian package -> whether it is missing.
missing=()
need() { "${@:2}" >/dev/null 2>&1 || missing+=("$1"); }
need valgrind command -v valgrind
need binutils command -v readelf
need binutils command -v nm
need pkg-config command -v pkg-config
need cmake command -v cmake
need make command -v make
need g++ command -v c++
need libgtest-dev test -f /usr/include/gtest/gtest.h
need clang command -v clang
have_cargo_c=1
command -v cargo-cinstall >/dev/null 2>&1 || have_cargo_c=0
if [ "$have_cargo_c" = 0 ]; then
    need libssl-dev sh -c 'pkg-config --exists openssl || test -f /usr/include/openssl/ssl.h'
fi
# One name once.
if [ ${#missing[@]} -gt 0 ]; then
    mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
fi

installed=()
if [ ${#missing[@]} -gt 0 ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        log "missing: ${missing[*]} (Debian package names); install them, then run the tests again"
        exit 1
    fi
    sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || { log "missing: ${missing[*]}; not root and no sudo to install them"; exit 1; }
        sudo=(sudo)
    fi
    log "installing with apt-get: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    installed+=("${missing[@]}")
fi

if ! python3 -m pytest --version >/dev/null 2>&1; then
    log "installing pytest with pip"
    # A Debian system Python refuses pip (PEP 668): its own package then.
    if ! python3 -m pip install --quiet --disable-pip-version-check pytest 2>/dev/null; then
        log "pip could not install pytest; trying apt-get (python3-pytest)"
        if [ "$(id -u)" = 0 ]; then apt-get install -y -qq python3-pytest >/dev/null; else sudo apt-get install -y -qq python3-pytest >/dev/null; fi
    fi
    installed+=(pytest)
fi

if [ "$have_cargo_c" = 0 ]; then
    log "building cargo-c $CARGO_C_VERSION with cargo install (a tool, not the product: a quick profile, about 20 minutes on 2 cores)"
    CARGO_PROFILE_RELEASE_OPT_LEVEL=1 CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
        CARGO_PROFILE_RELEASE_DEBUG=0 cargo install --quiet --locked cargo-c --version "$CARGO_C_VERSION"
    installed+=("cargo-c $CARGO_C_VERSION")
fi

if [ ${#installed[@]} -gt 0 ]; then
    log "installed: ${installed[*]}"
else
    log "everything the tests need is installed"
fi
