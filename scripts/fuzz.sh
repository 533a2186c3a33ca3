#!/usr/bin/env bash
# Fuzzes a core (rs_lib/fuzz: target heap_ops, the core; big_ops, the big
# core) for SECONDS with libFuzzer, then prints the operations executed and
# the crashes found.
#
#   bash scripts/fuzz.sh [SECONDS] [JOBS] [TARGET]   # or: deno task fuzz …
#
# SECONDS defaults to 30 (the CI smoke). JOBS (default 1) runs that many
# fuzzer processes side by side over one corpus. TARGET defaults to
# heap_ops. Stable Rust only: cargo-fuzz with `--sanitizer none` needs no
# nightly flag (the core is safe Rust; the fuzzer checks it against a model,
# not for memory errors).
#
# First run on a fresh machine: `cargo install cargo-fuzz` (~5 min on 2 cores)
# and the first build (~2.5 min, libFuzzer's C++ included); later runs reuse
# ~/.cargo/bin/cargo-fuzz and rs_lib/fuzz/target. The corpus is kept in
# rs_lib/fuzz/corpus/TARGET (not committed), crashes in
# rs_lib/fuzz/artifacts/TARGET. Exits 1 if a crash was found.
set -euo pipefail
cd "$(dirname "$0")/../rs_lib/fuzz"
export PATH="$HOME/.cargo/bin:$PATH"

seconds="${1:-30}"
jobs="${2:-1}"
target="${3:-heap_ops}"
case "$seconds$jobs" in
*[!0-9]*)
  echo "usage: scripts/fuzz.sh [SECONDS] [JOBS] [heap_ops|big_ops]" >&2
  exit 2
  ;;
esac
case "$target" in
heap_ops | big_ops) ;;
*)
  echo "usage: scripts/fuzz.sh [SECONDS] [JOBS] [heap_ops|big_ops]" >&2
  exit 2
  ;;
esac

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz (once per machine, a few minutes)"
  cargo install cargo-fuzz --version '^0.13' --locked
fi
echo "== building $target (stable $(rustc --version | cut -d' ' -f2), --sanitizer none)"
cargo fuzz build --sanitizer none "$target"

corpus="corpus/$target"
artifacts="artifacts/$target"
logs="target/fuzz-logs"
mkdir -p "$corpus" "$artifacts" "$logs"
rm -f "$logs"/job-*.log
marker="$logs/started"
touch "$marker"

echo "== fuzzing $target for ${seconds}s with $jobs job(s)"
start=$(date +%s)
pids=()
for job in $(seq 1 "$jobs"); do
  cargo fuzz run --sanitizer none "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len=4096 -print_final_stats=1 \
    >"$logs/job-$job.log" 2>&1 &
  pids+=("$!")
done
failed=0
for pid in "${pids[@]}"; do
  wait "$pid" || failed=1
done
elapsed=$(($(date +%s) - start))

# Each process prints `lewd_fuzz: inputs=… operations=… checks=…` at exit
# (not after a crash: libFuzzer ends a crashing process at once).
sum() {
  grep -ho "$1=[0-9]*" "$logs"/job-*.log | cut -d= -f2 | awk '{s += $1} END {print s + 0}'
}
found=$(find "$artifacts" -type f -newer "$marker")
crashes=$(printf '%s' "$found" | grep -c . || true)
echo "== results"
grep -h -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$logs"/job-*.log || true
echo "operations: $(sum operations)"
echo "checks:     $(sum checks) (probes and drain steps, besides the operations)"
echo "inputs:     $(sum inputs)"
echo "corpus:     $(find "$corpus" -type f | wc -l) inputs in rs_lib/fuzz/$corpus"
echo "time:       ${elapsed}s, $jobs job(s)"
echo "crashes:    $crashes"
if [ "$crashes" -gt 0 ] || [ "$failed" -ne 0 ]; then
  printf '%s\n' "$found"
  grep -h -A3 -E 'panicked|ERROR: libFuzzer' "$logs"/job-*.log | head -40 || true
  echo "replay one with: (cd rs_lib/fuzz && LEWD_FUZZ_TRACE=1 cargo fuzz run --sanitizer none $target <artifact>)"
  exit 1
fi
