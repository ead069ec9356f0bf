#!/usr/bin/env bash
# The fuzz stage of tests/run: installs cargo-fuzz when missing, builds the two cargo-fuzz crates
# (collector/fuzz, cadastre/fuzz) into one target directory, replays each target's regression
# inputs, then runs every target for IRISOPS_FUZZ_SECONDS (default 60) from its checked-in seed
# corpus, two at a time (2 cores). Any crash fails the stage and its reproducer's path is
# printed (libFuzzer writes it under <crate>/fuzz/artifacts/<target>/).
#
# Environment: IRISOPS_FUZZ_SECONDS (default 60; 0 skips the stage, for a quick local run);
# IRISOPS_FUZZ_JOBS (default 2, targets run at once); CARGO_TARGET_DIR (the fuzz builds go to
# its fuzz/ subdirectory, default target/fuzz). New inputs go to scratch corpora beside the
# builds (emptied first, so every run starts from the seeds alone), never to the checked-in
# corpus.
#
# Built without a sanitizer: our crates forbid unsafe code, so AddressSanitizer would only
# watch the dependencies' unsafe code, at the price of a slower build and about half the
# executions (collector/fuzz/README.md, "Sanitizer").
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${IRISOPS_FUZZ_SECONDS:-60}
jobs=${IRISOPS_FUZZ_JOBS:-2}
if [ "$seconds" = 0 ]; then
  echo "tests/fuzz.sh: skipped (IRISOPS_FUZZ_SECONDS=0)"
  exit 0
fi
version=0.13.2
if ! cargo fuzz --version 2>/dev/null | grep -qx "cargo-fuzz $version"; then
  echo "tests/fuzz.sh: installing cargo-fuzz $version"
  cargo install --quiet --locked cargo-fuzz --version "$version"
fi
# cargo-fuzz passes -Z flags; only the stable toolchain is installed.
export RUSTC_BOOTSTRAP=1
root=$PWD
build_dir=${CARGO_TARGET_DIR:-$root/target}/fuzz
case $build_dir in /*) ;; *) build_dir=$root/$build_dir ;; esac
flags=(--sanitizer none --target-dir "$build_dir")
crates=(collector/fuzz cadastre/fuzz)

for crate in "${crates[@]}"; do
  # Not workspace members: tests/run's `cargo fmt --all` does not see them.
  echo "tests/fuzz.sh: cargo fmt --check, cargo fuzz build ($crate)"
  (cd "$crate" && cargo fmt --check && cargo fuzz build "${flags[@]}")
done

# One target: its regression inputs once each, then the timed run; output to $3.
run_one() {
  local crate=$1 target=$2 log=$3
  local scratch="$build_dir/corpus/${crate%/fuzz}/$target"
  local regressions=()
  rm -rf "$scratch"
  mkdir -p "$scratch"
  cd "$root/$crate"
  shopt -s nullglob
  regressions=(regressions/"$target"/*)
  {
    if [ ${#regressions[@]} -gt 0 ]; then
      cargo fuzz run "${flags[@]}" "$target" "${regressions[@]}" || return
    fi
    cargo fuzz run "${flags[@]}" "$target" "$scratch" "corpus/$target" -- \
      -max_total_time="$seconds" -timeout=30 -print_final_stats=1
  } >"$log" 2>&1
}

logs="$build_dir/logs"
rm -rf "$logs"
mkdir -p "$logs"
names=()
for crate in "${crates[@]}"; do
  for target in $(cd "$crate" && cargo fuzz list); do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    name="${crate%/fuzz}-$target"
    names+=("$name")
    echo "tests/fuzz.sh: $crate $target for ${seconds}s"
    (
      set +e
      run_one "$crate" "$target" "$logs/$name.log"
      echo $? >"$logs/$name.rc"
    ) &
  done
done
wait

failed=0
for name in "${names[@]}"; do
  log="$logs/$name.log"
  if [ "$(cat "$logs/$name.rc")" = 0 ]; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'DONE *cov: [0-9]* ft: [0-9]*' "$log" | tail -n 1 | sed 's/DONE *//')
    echo "tests/fuzz.sh: $name ok (${runs:-?} runs, ${cov:-?})"
    continue
  fi
  failed=1
  echo "tests/fuzz.sh: $name FAILED (full log: $log)"
  if grep -q 'panicked at' "$log"; then
    grep -m 1 -A 12 'panicked at' "$log" | sed 's/^/  | /'
  else
    grep -v '^#[0-9]' "$log" | tail -n 30 | sed 's/^/  | /'
  fi
  # A crash while fuzzing is written out by libFuzzer; one while replaying a regression input
  # is that input, the last one it started.
  reproducer=$(sed -n 's/^.*Test unit written to //p' "$log" | tail -n 1)
  [ -n "$reproducer" ] || reproducer=$(sed -n 's/^Running: //p' "$log" | tail -n 1)
  case $reproducer in "" | /*) ;; *) reproducer="${name%%-*}/fuzz/$reproducer" ;; esac
  echo "tests/fuzz.sh: reproducer: ${reproducer:-none written (see the log)}"
done
exit "$failed"
