#!/usr/bin/env bash
# Builds what the benchmark needs (the wasm bench module and the native bench tool) and runs bench/run.mjs.
#   bash bench/run.sh [--quick] [--no-native]     → build/bench/results.md and results.json
# (it also builds tt_infer_native for bench/mlp-latency.mjs)
set -euo pipefail
cd "$(dirname "$0")/.."
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}   # em++'s JS optimizer needs acorn from here (Debian)
log=build/bench/build.log
mkdir -p build/bench
{
  [ -f build/wasm/build.ninja ] || emcmake cmake -S . -B build/wasm -G Ninja
  cmake --build build/wasm -j2 --target tt_bench tt_bench_mt tt_bench_relaxed
  # Its own native build, for this machine's widest SIMD (the test build keeps SSE2 for bit-identical results).
  [ -f build/native-bench/build.ninja ] || cmake -S . -B build/native-bench -G Ninja -DTT_NATIVE_ARCH=ON
  cmake --build build/native-bench -j2 --target tt_bench_native tt_train_step_native tt_infer_native
} > "$log" 2>&1 || { tail -30 "$log"; echo "bench: build failed (full log: $log)"; exit 1; }
exec node bench/run.mjs "$@"
