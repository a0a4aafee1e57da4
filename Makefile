# The two commands of the README: `make demo` (the main job) and `make test` (every test).
# Both do all of the set-up a fresh machine needs: Debian packages, a venv, the build.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
STAMP := build/stamps
JOBS ?= $(shell nproc)
FUZZ_SECONDS ?= 90

.PHONY: all setup demo test test-cpp test-python test-fuzz test-tsan lint bench build-bench clean
all: demo

$(STAMP)/system: scripts/install-system-deps.sh
	./scripts/install-system-deps.sh
	@mkdir -p $(STAMP) && touch $@

$(STAMP)/venv: requirements-dev.txt $(STAMP)/system
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

# The Python package, with the amber CLI installed into the venv's bin/.
python-install: $(STAMP)/venv
	$(PY) -m pip install -q --no-build-isolation --no-deps .

build/cpp/build.ninja: $(STAMP)/venv CMakeLists.txt
	$(BIN)/cmake -S . -B build/cpp -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(BIN)/ninja) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMBER_BUILD_TESTS=ON

build-cpp: build/cpp/build.ninja
	$(BIN)/cmake --build build/cpp -j $(JOBS)

setup: python-install build-cpp

demo: setup
	PATH=$(abspath $(BIN)):$$PATH $(PY) examples/demo.py

test-cpp: build-cpp
	cd build/cpp && ../../$(BIN)/ctest --output-on-failure -j $(JOBS)

# AMBER_BUILD_DIR makes the CLI tests fail, not skip, when the C++ build is missing.
test-python: python-install build-cpp
	PATH=$(abspath $(BIN)):$$PATH AMBER_BUILD_DIR=build/cpp $(PY) -m pytest tests/python

test-fuzz: $(STAMP)/venv
	./fuzz/run.sh $(FUZZ_SECONDS)

# The code that shares memory between threads (the helper threads, the streamed decode) under
# ThreadSanitizer.
test-tsan: $(STAMP)/venv
	$(BIN)/cmake -S . -B build/tsan -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(BIN)/ninja) \
	  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAMBER_BUILD_PYTHON=OFF -DAMBER_BUILD_TESTS=ON \
	  -DAMBER_SANITIZE=thread
	$(BIN)/cmake --build build/tsan -j $(JOBS) --target parallel_test streaming_decode_test per_thread_test
	TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/cpp/parallel_test
	TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/cpp/streaming_decode_test
	TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/cpp/per_thread_test

lint: $(STAMP)/venv
	$(BIN)/ruff check python tests bench examples scripts fuzz
	$(BIN)/ruff format --check python tests bench examples scripts fuzz
	clang-format-14 --dry-run --Werror $$(git ls-files '*.cpp' '*.hpp')

test: setup
	$(MAKE) test-cpp test-python test-fuzz test-tsan lint

# The native bench programs (Google Benchmark) in their own Release build.
build-bench: $(STAMP)/venv
	$(BIN)/cmake -S . -B build/bench-cpp -G Ninja -DCMAKE_MAKE_PROGRAM=$(abspath $(BIN)/ninja) \
	  -DCMAKE_BUILD_TYPE=Release -DAMBER_BUILD_TESTS=OFF -DAMBER_BUILD_BENCH=ON
	$(BIN)/cmake --build build/bench-cpp -j $(JOBS) --target runtime_bench open_bench

bench: setup build-bench
	$(PY) -m pip install -q -r requirements-bench.txt
	PATH=$(abspath $(BIN)):$$PATH $(PY) bench/run_all.py

clean:
	rm -rf build
