#!/usr/bin/env bash
# The C++ binding as a user gets it, from outside the repository: installs libopenai with
# `cargo cinstall` into a fresh temporary prefix (its default library directory, which is
# lib/<multiarch> on Debian-like systems), checks that the C++ headers were installed with it,
# then builds tests/install/app.cpp, a user's program, in a directory of its own three ways:
#   1. CMake, find_package(openai) and the target openai::cpp;
#   2. pkg-config (`pkg-config --cflags --libs openai`);
#   3. CMake, add_subdirectory(<repository>/bindings/cpp) over the installed library, with no
#      OPENAI_LIB_DIR (and the binding's tests must stay off);
# and runs each against the mock server, comparing what it prints. Needs cargo-c, cmake,
# pkg-config and a C++17 compiler. bindings/cpp/test.sh runs it after the GoogleTest suite.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case $target in /*) ;; *) target=$root/$target ;; esac
export CARGO_TARGET_DIR="$target"

command -v cargo-cinstall >/dev/null || { echo "cargo-c is not installed (cargo install cargo-c --locked)" >&2; exit 1; }
work=$(mktemp -d)
mock_pid=
cleanup() {
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; wait "$mock_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "== cargo cinstall --release --prefix=<fresh prefix>"
prefix=$work/prefix
(cd "$root" && cargo cinstall --release --prefix="$prefix")
(cd "$root" && cargo build -p openai-mock)

for header in "$root"/bindings/cpp/include/openai/*.hpp; do
    name=$(basename "$header")
    cmp "$header" "$prefix/include/openai/$name" ||
        { echo "bindings/cpp/include/openai/$name is not installed as include/openai/$name" >&2; exit 1; }
done
pc=$(find "$prefix" -name openai.pc -print -quit)
[ -n "$pc" ] || { echo "no openai.pc installed" >&2; exit 1; }
libdir=$(dirname "$(dirname "$pc")")
echo "installed: the C++ headers, and the library in ${libdir#"$prefix"/}"

app=$work/app
mkdir -p "$app"
cp "$here/tests/install/app.cpp" "$app/"
cd "$app"
warnings=(-Wall -Wextra -Werror -pedantic)

echo "== 1. find_package(openai) and openai::cpp"
mkdir find-package
cat >find-package/CMakeLists.txt <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(app CXX)
find_package(openai 0.1 REQUIRED)
add_executable(app ../app.cpp)
target_compile_options(app PRIVATE ${warnings[*]})
target_link_libraries(app PRIVATE openai::cpp)
CMAKE
cmake -S find-package -B find-package/build -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build find-package/build >/dev/null

echo "== 2. pkg-config"
export PKG_CONFIG_PATH=$libdir/pkgconfig
# shellcheck disable=SC2046 # pkg-config's output is a list of flags
c++ -std=c++17 "${warnings[@]}" app.cpp $(pkg-config --cflags --libs openai) -Wl,-rpath,"$libdir" -o app-pkgconfig

echo "== 3. add_subdirectory(bindings/cpp), no OPENAI_LIB_DIR"
mkdir subdirectory
cat >subdirectory/CMakeLists.txt <<CMAKE
cmake_minimum_required(VERSION 3.16)
project(app CXX)
add_subdirectory("$root/bindings/cpp" openai-cpp)
add_executable(app ../app.cpp)
target_compile_options(app PRIVATE ${warnings[*]})
target_link_libraries(app PRIVATE openai::cpp)
CMAKE
cmake -S subdirectory -B subdirectory/build -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
# (Outputs are captured before grep reads them: with pipefail, grep -q closing the pipe early
# would fail the writer.)
targets=$(cmake --build subdirectory/build --target help)
if grep -q 'openai_cpp_tests' <<<"$targets"; then
    echo "add_subdirectory(bindings/cpp) built the binding's tests, which should be off" >&2
    exit 1
fi
cmake --build subdirectory/build >/dev/null
# The add_subdirectory build takes the binding's headers from the repository, the library from the prefix.
if ! grep -q "$root/bindings/cpp/include" subdirectory/build/CMakeFiles/app.dir/flags.make; then
    echo "the add_subdirectory build does not use the repository's bindings/cpp/include" >&2
    exit 1
fi

echo "== run them against the mock server"
"$target/debug/openai-mock" --quiet >"$work/mock.out" 2>/dev/null &
mock_pid=$!
for _ in $(seq 100); do grep -q OPENAI_MOCK_URL "$work/mock.out" && break; sleep 0.1; done
url=$(sed -n 's/^OPENAI_MOCK_URL=//p' "$work/mock.out")
[ -n "$url" ] || { echo "the mock server did not start" >&2; exit 1; }
expected="reply: Hello! How can I help you today?
streamed: Hello! How can I help you today?
queued: model-0 model-1 model-2
files: file-abc001 file-abc002 file-abc003 file-abc004 file-abc005 file-abc006 file-abc007
error: 404 model_not_found
realtime: session.created Hello! How can I help you today? closed 1000"
for program in find-package/build/app app-pkgconfig subdirectory/build/app; do
    libraries=$(ldd "$program")
    if ! grep -q "libopenai.so.* => $libdir/" <<<"$libraries"; then
        printf '%s does not load the installed libopenai:\n%s\n' "$program" "$libraries" >&2
        exit 1
    fi
    output=$(OPENAI_API_KEY=sk-cpp-install OPENAI_BASE_URL="$url/v1" "./$program")
    if [ "$output" != "$expected" ]; then
        printf '%s printed:\n%s\nexpected:\n%s\n' "$program" "$output" "$expected" >&2
        exit 1
    fi
    echo "ok: $program"
done
