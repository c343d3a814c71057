# A thin convenience layer; the real steps live in scripts/ and CMake.
.PHONY: demo test deps configure build build-boost build-asan build-tsan build-fuzz bench cassandra-start cassandra-stop clean

# Options are explicit so a stale CMake cache cannot silently drop targets.
# RelWithDebInfo with line tables only (-g1): backtraces keep file and line,
# and the builds of `make test` compile a quarter faster than with -g (for a
# debugger's view of locals, reconfigure with -g).
CMAKE_FLAGS := -G Ninja -DASYNC_CASSANDRA_WERROR=ON -DASYNC_CASSANDRA_TESTS=ON -DASYNC_CASSANDRA_EXAMPLES=ON -DASYNC_CASSANDRA_BENCH=ON \
  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG"
# The release build of `make build` and `make test`; the demo shares it.
# Position-independent: python/run-tests links the Python extension against
# this build's library instead of compiling the library once more.
CONFIGURE := cmake -S . -B build $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNC_CASSANDRA_SANITIZE= -DCMAKE_POSITION_INDEPENDENT_CODE=ON >/dev/null

# The demo (scripts/demo): builds only what it needs, in the build dir of
# `make build` with the same flags, while the local node starts (a node that
# already answers on 127.0.0.1:9042 is used as it is), then loads a million
# rows and reads them back (tools/demo; `make demo DEMO_ARGS="--rows 100000"`).
DEMO_ARGS ?=
demo: deps
	scripts/demo $(DEMO_ARGS)

test:
	scripts/run-tests

configure:
	@$(CONFIGURE)

deps:
	@scripts/install-deps

build:
	@$(CONFIGURE)
	@cmake --build build

# The Boost.Asio flavour (async_cassandra_boost), release: the library, the
# test binaries of the labels unit, faults and integration, and the Beast
# example (label examples); no tools or benchmarks.
build-boost:
	@cmake -S . -B build-boost $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNC_CASSANDRA_SANITIZE= -DASYNC_CASSANDRA_BOOST_ASIO=ON -DASYNC_CASSANDRA_TOOLS=OFF -DASYNC_CASSANDRA_BENCH=OFF >/dev/null
	@cmake --build build-boost

# No benchmarks: the release build compiles them, and none runs here.
build-asan:
	@cmake -S . -B build-asan $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DASYNC_CASSANDRA_SANITIZE=address,undefined -DASYNC_CASSANDRA_BENCH=OFF >/dev/null
	@cmake --build build-asan

# ThreadSanitizer: only the library and thread_tests (label threads), the
# many-thread test of one shared session (docs/threads.md).
build-tsan:
	@cmake -S . -B build-tsan $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNC_CASSANDRA_SANITIZE=thread >/dev/null
	@cmake --build build-tsan --target thread_tests

# libFuzzer targets need clang; FUZZ_SECONDS bounds each run in ctest.
FUZZ_SECONDS ?= 30
build-fuzz:
	@CXX=clang++-14 cmake -S . -B build-fuzz -G Ninja -DASYNC_CASSANDRA_FUZZ=ON -DFUZZ_SECONDS=$(FUZZ_SECONDS) >/dev/null
	@cmake --build build-fuzz

# Micro-benchmarks in a Release build; figures go to docs/benchmarks.md.
bench: deps
	@cmake -S . -B build-rel -G Ninja -DCMAKE_BUILD_TYPE=Release -DASYNC_CASSANDRA_TESTS=OFF >/dev/null
	@cmake --build build-rel --target protocol_bench
	taskset -c 1 build-rel/bench/protocol_bench

cassandra-start:
	scripts/cassandra start

cassandra-stop:
	scripts/cassandra stop

clean:
	rm -rf build build-boost build-asan build-tsan build-fuzz build-rel
