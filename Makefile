# The two commands a fresh machine needs (README):  make serve   |   make test
# Everything else is a step of those. Build folders: build/native, build/wasm, build/student, build/site.
SHELL := /bin/bash
export NODE_PATH := /usr/share/nodejs
NATIVE := build/native
WASM := build/wasm
JOBS ?= 2
PORT ?= 8000
# Cap what a failing test prints (a crashing node process echoes a 100 KB minified line).
CTEST := ctest --output-on-failure --test-output-size-failed 20000

.PHONY: all setup native wasm site serve test test-native test-wasm bench clean

all: site

setup:
	@bash scripts/setup.sh

native:
	@cmake -S . -B $(NATIVE) -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
	cmake --build $(NATIVE) -j $(JOBS)

# The web-reference engine, its doctest suite, the student-build artifacts and the site (target `site` is ALL).
wasm:
	@emcmake cmake -S . -B $(WASM) -G Ninja -DCMAKE_BUILD_TYPE=Release > /dev/null
	cmake --build $(WASM) -j $(JOBS)

site: wasm

serve: setup site
	python3 serve.py --port $(PORT)

test-native: native
	$(CTEST) --test-dir $(NATIVE) -j $(JOBS)

# The node and browser suites are mostly one process each (one compile, one page): two at a time use both cores.
# The few that time a second thread against the clock are RUN_SERIAL (CMakeLists.txt).
test-wasm: site
	$(CTEST) --test-dir $(WASM) -j $(JOBS)

test: setup
	@$(MAKE) --no-print-directory test-native test-wasm

# The benchmarks' programs are not part of `all` (no test needs them); bench/run.sh builds what it runs.
bench: native wasm
	cmake --build $(NATIVE) -j $(JOBS) --target bench_all
	cmake --build $(WASM) -j $(JOBS) --target bench_all

clean:
	rm -rf build/native build/wasm build/student build/site build/screenshots
