# A thin convenience layer; the real steps live in scripts/ and CMake.
.PHONY: demo test deps build build-asan cassandra-start cassandra-stop clean

CMAKE_FLAGS := -G Ninja -DASYNC_CASSANDRA_WERROR=ON

demo: deps build
	scripts/cassandra start
	build/examples/hello

test:
	scripts/run-tests

deps:
	@scripts/install-deps

build:
	@cmake -S . -B build $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build build

build-asan:
	@cmake -S . -B build-asan $(CMAKE_FLAGS) -DCMAKE_BUILD_TYPE=Debug -DASYNC_CASSANDRA_SANITIZE=address,undefined >/dev/null
	@cmake --build build-asan

cassandra-start:
	scripts/cassandra start

cassandra-stop:
	scripts/cassandra stop

clean:
	rm -rf build build-asan
