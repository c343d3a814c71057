#!/usr/bin/env bash
# Installs a build of the library into a temporary prefix, then builds and
# runs tests/package/consumer against it twice: through
# find_package(async_cassandra CONFIG) and through pkg-config. Every installed
# header must compile on its own from the prefix.
# Usage: package_test.sh BUILD_DIR CXX [EXTRA_FLAGS]
# EXTRA_FLAGS: what the library was built with and its users need too
# (-fsanitize=... in sanitizer builds).
set -euo pipefail

build=$1
cxx=$2
read -ra extra <<< "${3:-}"
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

step() { echo "== $*"; }

step "install $build into $prefix"
cmake --install "$build" --prefix "$prefix" > "$work/install.log"
for f in include/async_cassandra/async_cassandra.hpp lib/pkgconfig/async_cassandra.pc \
         lib/cmake/async_cassandra/async_cassandra-config.cmake \
         lib/cmake/async_cassandra/async_cassandra-config-version.cmake; do
    [ -f "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
if ! ls "$prefix"/lib/libasync_cassandra.* > /dev/null 2>&1; then
    echo "FAIL: no libasync_cassandra in $prefix/lib"; exit 1
fi
# Only public headers: nothing from src/ (which has no include/ prefix).
if find "$prefix/include" -type f ! -path "$prefix/include/async_cassandra/*" | grep .; then
    echo "FAIL: files outside include/async_cassandra installed"; exit 1
fi

# A port nothing listens on: bind one, note it, let it go.
closed_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# No source or build tree may leak into the consumer: copy it elsewhere.
cp -r "$here/consumer" "$work/consumer"
# The CMake build also compiles one TU per installed header (below).
headers=$(cd "$prefix/include" && find async_cassandra -name '*.hpp' | sort)
mkdir -p "$work/consumer/headers"
for h in $headers; do
    printf '#include <%s>\n' "$h" > "$work/consumer/headers/$(echo "$h" | tr '/.' '__').cpp"
done
cat >> "$work/consumer/CMakeLists.txt" <<'CMAKE'
file(GLOB header_tus ${CMAKE_CURRENT_SOURCE_DIR}/headers/*.cpp)
add_library(header_check OBJECT ${header_tus})
target_link_libraries(header_check PRIVATE async_cassandra::async_cassandra)
target_compile_options(header_check PRIVATE -Wall -Wextra -Werror)
CMAKE
# Two of the examples, built (not run: no server here) as a user would: the
# smallest, and the one using Asio's sockets beside the driver's.
mkdir -p "$work/consumer/examples"
cp "$here/../../examples/example_common.hpp" "$work/consumer/examples/"
for example in hello http_service; do
    cp "$here/../../examples/$example.cpp" "$work/consumer/examples/"
    cat >> "$work/consumer/CMakeLists.txt" <<CMAKE
add_executable(example_$example examples/$example.cpp)
target_link_libraries(example_$example PRIVATE async_cassandra::async_cassandra)
target_compile_options(example_$example PRIVATE -Wall -Wextra -Werror)
CMAKE
done

step "consumer with find_package ($(echo "$headers" | wc -l) headers compiled alone, examples hello and http_service)"
CXXFLAGS="${extra[*]}" LDFLAGS="${extra[*]}" cmake -S "$work/consumer" -B "$work/cmake-build" -G Ninja \
    -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log" \
    || { cat "$work/configure.log"; exit 1; }
grep -q "async_cassandra" "$work/cmake-build/CMakeCache.txt"
nice -n 19 cmake --build "$work/cmake-build" -j2
"$work/cmake-build/consumer" "$closed_port"

step "consumer with pkg-config"
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
# For a shared library (BUILD_SHARED_LIBS=ON) build.
export LD_LIBRARY_PATH=$prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
version=$(pkg-config --modversion async_cassandra)
cmake_version=$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")/\1/p' "$prefix/lib/cmake/async_cassandra/async_cassandra-config-version.cmake")
[ "$version" == "$cmake_version" ] || { echo "FAIL: .pc version $version, CMake package $cmake_version"; exit 1; }
# --static: the library is static, so its own dependencies (Libs.private,
# Requires.private) are linked too.
# shellcheck disable=SC2046
nice -n 19 "$cxx" -std=c++20 "${extra[@]}" -DEXPECTED_VERSION="\"$version\"" "$work/consumer/main.cpp" \
    -o "$work/consumer-pc" $(pkg-config --static --cflags --libs async_cassandra)
"$work/consumer-pc" "$closed_port"
echo "ok"
