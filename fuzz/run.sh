#!/usr/bin/env bash
# Runs every cargo-fuzz target for a share of SECONDS (default 60) and exits
# non-zero if any of them finds a crash (a panic, an abort, a sanitizer
# report or a timeout). Installs what a fresh machine lacks: the nightly
# toolchain (rustup) and cargo-fuzz.
#
#   fuzz/run.sh 60             every target, 60 s in all (what ./build.sh test runs)
#   fuzz/run.sh 3600 import    one target for an hour
#
# The committed seeds in fuzz/corpus/<target>/ are only read: what a run
# finds goes to a scratch corpus (FUZZ_SCRATCH, default a temp dir) so the
# repository stays small. A crash leaves its input in
# fuzz/artifacts/<target>/; replay it with
#   cargo +nightly fuzz run <target> fuzz/artifacts/<target>/<file>
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

SECONDS_TOTAL="${1:-60}"
shift || true
log() { printf '\033[1m[fuzz]\033[0m %s\n' "$*" >&2; }

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  log "installing the nightly toolchain"
  rustup toolchain install nightly --profile minimal
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz"
  cargo install cargo-fuzz --locked || cargo install cargo-fuzz
fi

if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
per=$(( SECONDS_TOTAL / ${#targets[@]} ))
[ "$per" -ge 1 ] || per=1

log "building ${#targets[@]} targets"
cargo +nightly fuzz build

scratch="${FUZZ_SCRATCH:-$(mktemp -d)}"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t" "fuzz/corpus/$t"
  log "$t: ${per}s"
  logf="$scratch/$t.log"
  # -timeout: one input taking over 10 s is a hang; -rss_limit_mb: memory.
  if cargo +nightly fuzz run "$t" "$scratch/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$per" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 >"$logf" 2>&1; then
    runs=$(grep -aoE '^Done [0-9]+ runs' "$logf" | awk '{print $2}' | tail -1)
    log "$t: ok, ${runs:-?} runs"
  else
    failed+=("$t")
    tail -n 40 "$logf" >&2
    log "$t: CRASH (inputs in fuzz/artifacts/$t/, full log $logf)"
  fi
done

if [ "${#failed[@]}" -gt 0 ]; then
  log "crashed: ${failed[*]}"
  exit 1
fi
log "no crashes in ${targets[*]}"
