#!/usr/bin/env bash
# Installs libopenai into a temporary prefix with `cargo cinstall`, then builds examples-c/chat.c
# outside the source tree four ways (pkg-config and CMake's find_package, each linked dynamically
# and statically) and runs each against the mock server. Also checks the soname and that the
# static programs do not need libopenai.so. Needs cargo-c (.ci/run installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$root/target}

command -v cargo-cinstall >/dev/null || { echo "cargo-c is not installed: cargo install cargo-c --locked" >&2; exit 1; }
work=$(mktemp -d)
mock_pid=
cleanup() { [ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

prefix=$work/prefix
cargo cinstall --release --prefix="$prefix" --libdir="$prefix/lib"
echo "installed:"; (cd "$prefix" && find . -type f -o -type l | sort | sed 's/^/  /')

soname=$(readelf -d "$prefix/lib/libopenai.so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = "libopenai.so.0.1" ] || { echo "unexpected soname: $soname" >&2; exit 1; }
cmp -s include/openai.h "$prefix/include/openai.h" || { echo "the installed header is not include/openai.h" >&2; exit 1; }

app=$work/app
mkdir -p "$app"
cp examples-c/chat.c "$app/"
cd "$app"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=(-std=c11 -Wall -Wextra -Werror -pedantic)

# pkg-config, dynamic.
cc "${flags[@]}" chat.c $(pkg-config --cflags --libs openai) -Wl,-rpath,"$prefix/lib" -o chat-pkgconfig-dynamic
# pkg-config, static: the archive itself, then the system libraries pkg-config --static lists.
static_libs=$(pkg-config --static --libs openai | sed 's/-lopenai//')
cc "${flags[@]}" chat.c $(pkg-config --cflags openai) "$prefix/lib/libopenai.a" $static_libs -o chat-pkgconfig-static

# CMake's find_package, both targets.
cat >CMakeLists.txt <<'CMAKE'
cmake_minimum_required(VERSION 3.16)
project(chat C)
find_package(openai 0.1 REQUIRED)
add_executable(chat-cmake-dynamic chat.c)
target_link_libraries(chat-cmake-dynamic PRIVATE openai::openai)
add_executable(chat-cmake-static chat.c)
target_link_libraries(chat-cmake-static PRIVATE openai::openai_static)
CMAKE
cmake -S . -B build -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_RPATH="$prefix/lib" >/dev/null
cmake --build build >/dev/null

for static in chat-pkgconfig-static build/chat-cmake-static; do
    if readelf -d "$static" | grep -q 'libopenai.so'; then
        echo "$static needs libopenai.so: not linked statically" >&2
        exit 1
    fi
done

# Run all four against the mock server.
"$CARGO_TARGET_DIR/debug/openai-mock" --quiet >"$work/mock.out" 2>/dev/null &
mock_pid=$!
for _ in $(seq 100); do grep -q OPENAI_MOCK_URL "$work/mock.out" && break; sleep 0.1; done
url=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$work/mock.out")
for program in chat-pkgconfig-dynamic chat-pkgconfig-static build/chat-cmake-dynamic build/chat-cmake-static; do
    output=$(OPENAI_API_KEY=sk-install-test OPENAI_BASE_URL="$url/v1" "./$program")
    case $output in
    *"reply: Hello! How can I help you today?"*) echo "ok: $program" ;;
    *) echo "$program printed: $output" >&2; exit 1 ;;
    esac
done
