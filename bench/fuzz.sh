#!/usr/bin/env bash
# Fuzzes every reader of untrusted bytes (tests/fuzz/fuzz_*.cpp: libFuzzer, ASan + UBSan) and prints, per reader,
# the inputs run, crashes (a sanitizer report, an uncaught non-tt::Error exception, a failed round trip) and hangs
# (one input over --timeout seconds). Exits 1 on any crash or hang, or when fewer inputs ran than asked for.
#   bash bench/fuzz.sh                    1,000,000 inputs split evenly over the readers (77 s on an idle 2-core machine)
#   bash bench/fuzz.sh --runs N           N inputs per reader
#   bash bench/fuzz.sh --seconds S        S seconds per reader instead (the test suite: 6 s each, about a minute)
#   bash bench/fuzz.sh --build-only       configure and build build/fuzz (clang++, libclang-rt-14-dev) and stop
#   bash bench/fuzz.sh --no-build         run the drivers already in build/fuzz
# Inputs libFuzzer finds interesting go to build/fuzz/corpus/<reader> (kept between runs), failing ones to
# build/fuzz/artifacts/; the committed seeds (tests/fuzz/seeds, from tests/fuzz/make_seeds.py) are only read.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=$ROOT/build/fuzz
drivers=(tests/fuzz/fuzz_*.cpp)
runs=$(( (1000000 + ${#drivers[@]} - 1) / ${#drivers[@]} )) seconds=0 timeout=10 build_only=0 build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --build-only) build_only=1; shift ;;
    --no-build) build=0; shift ;;
    *) echo "usage: bench/fuzz.sh [--runs N | --seconds S] [--timeout T] [--build-only] [--no-build]" >&2; exit 2 ;;
  esac
done

command -v clang++ >/dev/null || { echo "fuzz: clang++ is not installed (scripts/setup.sh installs clang)" >&2; exit 1; }
if [ "$build" = 1 ]; then
# The drivers link the native engine for what the instrumented readers call beyond themselves (tests/fuzz/CMakeLists.txt).
[ -f build/native/build.ninja ] || cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
cmake --build build/native --target ttengine -j 2 >/dev/null || { echo "fuzz: building the native engine failed" >&2; exit 1; }
cmake -S tests/fuzz -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Release >/dev/null || exit 1
cmake --build "$BUILD" -j 2 >/dev/null || { cmake --build "$BUILD" -j 1; exit 1; }
fi
[ "$build_only" = 1 ] && exit 0

mkdir -p "$BUILD/artifacts"
printf '%-14s %12s %8s %6s %9s\n' reader inputs crashes hangs seconds
total=0 crashes=0 hangs=0 failed=0
for driver in "${drivers[@]}"; do
  reader=$(basename "$driver" .cpp); reader=${reader#fuzz_}
  mkdir -p "$BUILD/corpus/$reader"
  limit=(-runs="$runs"); [ "$seconds" != 0 ] && limit=(-max_total_time="$seconds")
  log=$BUILD/$reader.log
  start=$(date +%s%N)
  "$BUILD/fuzz_$reader" "${limit[@]}" -timeout="$timeout" -rss_limit_mb=2048 -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="$BUILD/artifacts/$reader-" "$BUILD/corpus/$reader" "tests/fuzz/seeds/$reader" >"$log" 2>&1
  rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  n=$(grep -ao 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}' | tail -1)
  [ -z "$n" ] && n=$(grep -ao '^#[0-9]*' "$log" | tr -d '#' | tail -1)
  n=${n:-0}
  c=0 h=0
  if [ $rc -ne 0 ]; then
    if grep -aq 'ERROR: libFuzzer: timeout' "$log"; then h=1; else c=1; fi
    echo "--- $reader failed (exit $rc); the report, from $log:" >&2
    grep -a -m 12 -E 'ERROR|runtime error|SUMMARY|fuzz property|terminate|what\(\)|Test unit written' "$log" >&2
  fi
  printf '%-14s %12d %8d %6d %5d.%d\n' "$reader" "$n" "$c" "$h" $((ms / 1000)) $((ms % 1000 / 100))
  total=$((total + n)) crashes=$((crashes + c)) hangs=$((hangs + h))
  if [ "$seconds" = 0 ] && [ "$n" -lt "$runs" ] && [ $rc -eq 0 ]; then failed=1; fi
done
printf '%-14s %12d %8d %6d\n' total "$total" "$crashes" "$hangs"
if [ $crashes -ne 0 ] || [ $hangs -ne 0 ] || [ $failed -ne 0 ]; then exit 1; fi
echo "fuzz: $total inputs over all readers, 0 sanitizer reports, 0 hangs"
