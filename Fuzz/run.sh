#!/usr/bin/env bash
# Builds the libFuzzer targets, replays the committed corpus and every kept crash, then fuzzes
# each target for a bounded time. Exits non-zero on any crash. CI: `bash Fuzz/run.sh 60`.
# See docs/FUZZING.md.
#
#   bash Fuzz/run.sh [SECONDS_PER_TARGET]     (default 60; 0 = build and replay only)
#
# Environment: FUZZ_TARGETS="fuzz-frames ..." to run a subset; FUZZ_KEEP_WORK=1 to keep the
# working directory (logs, grown corpus, artifacts).
set -euo pipefail

SECONDS_PER_TARGET="${1:-60}"
FUZZ_DIR="$(cd "$(dirname "$0")" && pwd)"
SCRATCH="$FUZZ_DIR/.build-fuzz"
read -r -a TARGETS <<< "${FUZZ_TARGETS:-fuzz-preface fuzz-frames fuzz-requests}"
# Swift's backtracer and AddressSanitizer both handle the crash signal; with both the process
# hangs instead of reporting.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"

# One build for all products: debug, because the targets `@testable import` the service's
# modules, which SwiftPM compiles with testability in debug only.
# SwiftPM passes each --sanitize to swiftc as a flag of its own, in no fixed order, and swiftc
# keeps only the last one: Swift code would get coverage or ASan, not both. The -Xswiftc flag,
# which comes last, names both. (The --sanitize flags still give C code and the link theirs.)
BUILD=(swift build --package-path "$FUZZ_DIR" --scratch-path "$SCRATCH" -c debug
  --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address)
echo "== building ${TARGETS[*]}"
start=$(date +%s)
"${BUILD[@]}"
echo "== built in $(( $(date +%s) - start )) s"
BIN="$("${BUILD[@]}" --show-bin-path)"
# The service's own Swift code must carry both instrumentations: coverage counters (else
# libFuzzer fuzzes blind) and ASan checks (else memory errors pass unseen).
probe="$BIN/WireProtocol.build/FrameDecoder.swift.o"
symbols=$(nm "$probe")
if ! grep -q sancov <<<"$symbols" || ! grep -q __asan <<<"$symbols"; then
  echo "!! $probe lacks coverage or ASan instrumentation; the fuzz build is not what it claims" >&2
  exit 1
fi
echo "== instrumentation checked: coverage and ASan in the service's Swift code"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/vrs-fuzz.XXXXXX")"
if [ -z "${FUZZ_KEEP_WORK:-}" ]; then trap 'rm -rf "$WORK"' EXIT; else echo "== work directory $WORK"; fi
COMMON=(-rss_limit_mb=2048 -timeout=30 -print_final_stats=1)
failed=0
summary=()

for target in "${TARGETS[@]}"; do
  exe="$BIN/$target"
  inputs=()
  for dir in "$FUZZ_DIR/corpus/$target" "$FUZZ_DIR/crashes/$target"; do
    if [ -d "$dir" ]; then
      while IFS= read -r -d '' file; do inputs+=("$file"); done \
        < <(find "$dir" -type f ! -name '*.md' ! -name '.*' -print0 | sort -z)
    fi
  done
  # Replay: every seed and every kept crash once (files named one by one, so README.md and the
  # like are not inputs).
  echo "== $target: replaying ${#inputs[@]} inputs (corpus and kept crashes)"
  if [ "${#inputs[@]}" -gt 0 ]; then
    if ! "$exe" "${COMMON[@]}" -runs=0 "${inputs[@]}" > "$WORK/$target-replay.log" 2>&1; then
      echo "!! $target: replay failed"
      tail -n 40 "$WORK/$target-replay.log"
      failed=1
      summary+=("$target: replay FAILED")
      continue
    fi
  fi
  [ "$SECONDS_PER_TARGET" -gt 0 ] || { summary+=("$target: replayed ${#inputs[@]} inputs"); continue; }

  # Fuzz from a fresh copy of the seeds: the committed corpus does not grow in CI.
  mkdir -p "$WORK/corpus/$target" "$WORK/artifacts/$target"
  if [ -d "$FUZZ_DIR/corpus/$target" ]; then cp -R "$FUZZ_DIR/corpus/$target/." "$WORK/corpus/$target/"; fi
  dict=()
  if [ -f "$FUZZ_DIR/dictionaries/$target.dict" ]; then dict=(-dict="$FUZZ_DIR/dictionaries/$target.dict"); fi
  echo "== $target: fuzzing for $SECONDS_PER_TARGET s"
  status=0
  "$exe" "${COMMON[@]}" "${dict[@]}" -max_total_time="$SECONDS_PER_TARGET" \
    -artifact_prefix="$WORK/artifacts/$target/" "$WORK/corpus/$target" \
    > "$WORK/$target.log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$target.log" | tail -n 1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$WORK/$target.log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$WORK/$target.log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$WORK/$target.log" | tail -n 1 | cut -d' ' -f2 || true)
  if [ -z "$cov" ] || [ "$cov" -eq 0 ]; then
    echo "!! $target: no coverage reported: the target is not instrumented"
    if [ "$status" -eq 0 ]; then status=1; fi
  fi
  crashes=0
  for artifact in "$WORK/artifacts/$target"/*; do
    [ -f "$artifact" ] || continue
    crashes=$((crashes + 1))
    mkdir -p "$FUZZ_DIR/crashes/$target"
    cp "$artifact" "$FUZZ_DIR/crashes/$target/"
    echo "!! $target: $(basename "$artifact") kept as Fuzz/crashes/$target/$(basename "$artifact")"
    echo "   input: $(head -c 256 "$artifact" | od -An -tx1 | tr -d ' \n')"
  done
  if [ "$status" -ne 0 ] || [ "$crashes" -gt 0 ]; then
    failed=1
    echo "!! $target: exit status $status, $crashes crash inputs; the end of its log:"
    grep -v '^#[0-9]' "$WORK/$target.log" | tail -n 60
  fi
  summary+=("$target: ${execs:-?} executions, ${rate:-?} exec/s, coverage ${cov:-?}, peak RSS ${rss:-?} MB, $crashes crashes (exit $status)")
done

echo "== results (${SECONDS_PER_TARGET} s per target)"
printf '   %s\n' "${summary[@]}"
exit "$failed"
