#!/usr/bin/env bash
# Installs libopenai the two ways README.md gives, into temporary prefixes, and uses each from
# outside the tree as a user would:
#   cargo-c   `cargo cinstall --release` with the default libdir (lib/<multiarch> on Debian) and
#             with --libdir=lib;
#   CMake     `cmake -B build && cmake --build build && cmake --install build` (cargo underneath).
# For every prefix it checks the files (the same names, links and contents both ways, in either
# layout), the soname, the header, openai.pc, that the libraries carry no debug info and the
# shared one exports only openai_* symbols; then builds examples-c/chat.c four ways
# (pkg-config and CMake's find_package, each linked dynamically and statically), checks that the
# static programs do not need libopenai.so, and runs all of them against the mock server.
# Needs cargo-c (tests/setup.sh installs it), cmake, pkg-config, readelf, nm.
#
# Two release builds, each in a target directory of its own: cargo-c embeds its own version of
# cargo, whose records of what is built differ from the toolchain's, so a shared directory would
# be rebuilt from scratch by each in turn; and the CMake build gives the library a soname, which
# must not reach the unversioned libopenai.so that in-tree programs link.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac

command -v cargo-cinstall >/dev/null || { echo "cargo-c is not installed: tests/setup.sh installs it" >&2; exit 1; }
work=$(mktemp -d)
mock_pid=
cleanup() { [ -z "$mock_pid" ] || kill "$mock_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
fail() { echo "FAILED: $*" >&2; exit 1; }
seconds() { echo $(($(date +%s) - $1)); }

# ---------------------------------------------------------------- the installs
start=$(date +%s)
cinstall() {
    CARGO_TARGET_DIR=$target/cargo-c cargo cinstall --release "$@" >"$work/cinstall.log" 2>&1 \
        || { cat "$work/cinstall.log"; fail "cargo cinstall $*"; }
}
cinstall --prefix="$work/cargo-c"
cinstall --prefix="$work/cargo-c-lib" --libdir=lib
echo "cargo cinstall (two layouts): $(seconds "$start") s"

start=$(date +%s)
cmake -S . -B "$work/cmake-build" -DOPENAI_CARGO_TARGET_DIR="$target/cmake" >/dev/null
cmake --build "$work/cmake-build" >"$work/cmake-build.log" 2>&1 || { cat "$work/cmake-build.log"; fail "cmake --build"; }
cmake --install "$work/cmake-build" --prefix "$work/cmake" >/dev/null
echo "cmake build and install: $(seconds "$start") s"

# The multiarch directory cargo-c uses on Debian when not given --libdir.
multiarch_libdir=lib
if [ -f /etc/debian_version ]; then
    multiarch_libdir=lib/$(cc -print-multiarch)
fi

# What a prefix holds: each path with its kind (a link with its target), libdir written as @LIB@.
listing() {
    local prefix=$1 libdir=$2
    (cd "$prefix" && find . \( -type f -o -type l \) | while read -r path; do
        if [ -L "$path" ]; then echo "$path -> $(readlink "$path")"; else echo "$path"; fi
    done) | sed "s|^\./$libdir/|./@LIB@/|" | LC_ALL=C sort
}
expected_listing='./@LIB@/libopenai.a
./@LIB@/libopenai.so -> libopenai.so.0.1.0
./@LIB@/libopenai.so.0.1 -> libopenai.so.0.1.0
./@LIB@/libopenai.so.0.1.0
./@LIB@/pkgconfig/openai.pc
./include/openai.h
./include/openai/openai.hpp
./include/openai/operations.hpp
./include/openai/realtime.hpp
./share/cmake/openai/openaiConfig.cmake
./share/cmake/openai/openaiConfigVersion.cmake'

prefixes=("cargo-c:$multiarch_libdir" "cargo-c-lib:lib" "cmake:lib")
for entry in "${prefixes[@]}"; do
    name=${entry%%:*} libdir=${entry#*:}
    prefix=$work/$name
    [ -d "$prefix/$libdir" ] || fail "$name: no $libdir directory: $(cd "$prefix" && find . | sort | tr '\n' ' ')"
    got=$(listing "$prefix" "$libdir")
    [ "$got" = "$expected_listing" ] || fail "$name installed:
$got
expected:
$expected_listing"
    lib=$prefix/$libdir
    soname=$(readelf -d "$lib/libopenai.so.0.1.0" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
    [ "$soname" = "libopenai.so.0.1" ] || fail "$name: soname $soname"
    cmp -s include/openai.h "$prefix/include/openai.h" || fail "$name: the installed header is not include/openai.h"
    for f in cmake/openaiConfig.cmake cmake/openaiConfigVersion.cmake; do
        cmp -s "$f" "$prefix/share/cmake/openai/${f#cmake/}" || fail "$name: the installed $f differs"
    done
    # No debug info in the shared library (the profiling profile keeps it, in the tree), nor in
    # the CMake build's archive. cargo-c installs the archive as rustc writes it, with the
    # precompiled debug info of the standard library and of ring's C objects (README.md says how
    # to strip it): its size is reported.
    debug_info() { readelf -S -W "$1" 2>/dev/null | grep -q '\.debug_'; }
    ! debug_info "$lib/libopenai.so.0.1.0" || fail "$name: libopenai.so carries debug info"
    if [ "$name" = cmake ]; then
        ! debug_info "$lib/libopenai.a" || fail "$name: libopenai.a carries debug info"
    else
        strip --strip-debug -o "$work/nodebug.a" "$lib/libopenai.a"
        echo "$name: libopenai.a holds $(($(stat -c %s "$lib/libopenai.a") - $(stat -c %s "$work/nodebug.a"))) bytes of debug info"
    fi
    foreign=$(nm -D --defined-only "$lib/libopenai.so.0.1.0" | awk '{print $3}' | grep -v '^openai_' || true)
    [ -z "$foreign" ] || fail "$name: exports besides openai_*: $foreign"
    # The pkg-config file, with the prefix and libdir of this install.
    pc=$(while IFS= read -r line; do
        case $line in
        "prefix=$prefix") echo "prefix=@PREFIX@" ;;
        "libdir=\${prefix}/$libdir") echo "libdir=\${prefix}/@LIB@" ;;
        *) printf '%s\n' "$line" ;;
        esac
    done <"$lib/pkgconfig/openai.pc")
    pc_expected="prefix=@PREFIX@
exec_prefix=\${prefix}
libdir=\${prefix}/@LIB@
includedir=\${prefix}/include

Name: openai
Description: $(sed -n 's/^description = "\(.*\)"$/\1/p' Cargo.toml)
Version: $(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
Libs: -L\${libdir} -lopenai
Cflags: -I\${includedir}
Libs.private: $(sed -n 's/^set(OPENAI_NATIVE_STATIC_LIBS "\(.*\)")$/\1/p' CMakeLists.txt)"
    [ "$pc" = "$pc_expected" ] || fail "$name: openai.pc is
$pc
expected
$pc_expected"
    printf '%s: %s, libopenai.so %s bytes (%s stripped), libopenai.a %s bytes\n' "$name" "$libdir" \
        "$(stat -c %s "$lib/libopenai.so.0.1.0")" \
        "$(strip -o "$work/stripped.so" "$lib/libopenai.so.0.1.0" && stat -c %s "$work/stripped.so")" \
        "$(stat -c %s "$lib/libopenai.a")"
done
# The libraries are the same code both ways: their exports match.
for f in libopenai.so.0.1.0; do
    diff <(nm -D --defined-only "$work/cargo-c-lib/lib/$f" | awk '{print $3}') \
         <(nm -D --defined-only "$work/cmake/lib/$f" | awk '{print $3}') >/dev/null \
        || fail "cargo-c and CMake libraries export different symbols"
done

# ---------------------------------------------------------------- a user's program
"$target/debug/openai-mock" --quiet >"$work/mock.out" 2>/dev/null &
mock_pid=$!
for _ in $(seq 100); do grep -qs OPENAI_MOCK_URL "$work/mock.out" && break; sleep 0.1; done
url=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$work/mock.out")
[ -n "$url" ] || fail "the mock server did not start"

flags=(-std=c11 -Wall -Wextra -Werror -pedantic)
for entry in "${prefixes[@]}"; do
    name=${entry%%:*} libdir=${entry#*:}
    prefix=$work/$name
    app=$work/app-$name
    mkdir -p "$app"
    cp examples-c/chat.c "$app/"
    (
        cd "$app"
        export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
        # As README.md's "Installing" says, for either layout.
        cc "${flags[@]}" chat.c $(pkg-config --cflags --libs openai) -Wl,-rpath,"$(pkg-config --variable=libdir openai)" \
            -o chat-pkgconfig-dynamic
        cc "${flags[@]}" chat.c $(pkg-config --cflags openai) "$(pkg-config --variable=libdir openai)/libopenai.a" \
            $(pkg-config --static --libs-only-l openai | sed 's/-lopenai//') -o chat-pkgconfig-static
        cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(chat C)
find_package(openai 0.1 REQUIRED)
add_executable(chat-cmake-dynamic chat.c)
target_link_libraries(chat-cmake-dynamic PRIVATE openai::openai)
add_executable(chat-cmake-static chat.c)
target_link_libraries(chat-cmake-static PRIVATE openai::openai_static)
CMAKE
        cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_RPATH="$prefix/$libdir" >/dev/null
        cmake --build build >/dev/null
    ) || fail "$name: building chat.c"
    for program in chat-pkgconfig-static build/chat-cmake-static; do
        if readelf -d "$app/$program" | grep -q 'libopenai.so'; then
            fail "$name: $program needs libopenai.so: not linked statically"
        fi
    done
    for program in chat-pkgconfig-dynamic build/chat-cmake-dynamic; do
        needed=$(readelf -d "$app/$program" | sed -n 's/.*NEEDED.*\[\(libopenai[^]]*\)\]/\1/p')
        [ "$needed" = "libopenai.so.0.1" ] || fail "$name: $program needs $needed, not the soname"
    done
    for program in chat-pkgconfig-dynamic chat-pkgconfig-static build/chat-cmake-dynamic build/chat-cmake-static; do
        output=$(env -u LD_LIBRARY_PATH OPENAI_API_KEY=sk-install-test OPENAI_BASE_URL="$url/v1" "$app/$program") \
            || fail "$name: $program exited $?: $output"
        case $output in
        *"reply: Hello! How can I help you today?"*) echo "ok: $name ($libdir) $program" ;;
        *) fail "$name: $program printed: $output" ;;
        esac
    done
    printf '%s: a static chat.c is %s bytes (%s stripped)\n' "$name" "$(stat -c %s "$app/chat-pkgconfig-static")" \
        "$(strip -o "$work/stripped" "$app/chat-pkgconfig-static" && stat -c %s "$work/stripped")"
done
