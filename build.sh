#!/usr/bin/env bash
# spanmark's one entry point: installs what is missing, then builds, serves,
# tests or benchmarks. Safe to run on a fresh machine and instant when all is
# in place.
#
#   ./build.sh setup    install toolchains and packages (also done by the others)
#   ./build.sh build    build the wasm core into www/pkg and the native CLI
#   ./build.sh serve    build, then serve www/ on http://127.0.0.1:8080
#   ./build.sh team     build, then serve the page and a team server (CouchDB
#                       API at /db/) on http://127.0.0.1:8080; README "Team server"
#   ./build.sh test     build, then run every test (Rust, browser, interop)
#   ./build.sh bench    build, then run the benchmarks into bench/RESULTS.md
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"
# A fixed target dir, so that a CARGO_TARGET_DIR set for other work cannot
# send the artefacts somewhere this script does not look.
export CARGO_TARGET_DIR="$ROOT/target"
PORT="${PORT:-8080}"

log() { printf '\033[1m[build.sh]\033[0m %s\n' "$*" >&2; }

lock_version() { # the version of a crate in Cargo.lock
  awk -v n="$1" '$0=="name = \""n"\"" {getline; gsub(/version = |"/,""); print; exit}' Cargo.lock
}

setup_rust() {
  rustup target add wasm32-unknown-unknown >/dev/null 2>&1 ||
    rustup target add wasm32-unknown-unknown
  [ -f Cargo.lock ] || cargo generate-lockfile
  local want have
  want=$(lock_version wasm-bindgen)
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$want" != "$have" ]; then
    # Not --locked: the CLI's own lockfile pins a crate the registry no
    # longer serves (TOOLCHAIN.md).
    log "installing wasm-bindgen-cli $want (had: ${have:-none})"
    cargo install wasm-bindgen-cli --version "$want" --force
  fi
}

setup_node() {
  # The team server's engine counts as missing until patches/ is applied to
  # it (npm install runs patch-package), hence the stamp's age too.
  if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/playwright-core ] ||
     [ ! -d node_modules/express-pouchdb ] || [ ! -d node_modules/pouchdb-node ] ||
     [ package.json -nt node_modules/.package-lock.json ] ||
     [ -n "$(find patches -newer node_modules/.package-lock.json 2>/dev/null)" ]; then
    log "installing npm packages"
    npm install --no-audit --no-fund
    touch node_modules/.package-lock.json
  fi
}

setup_browser() {
  if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
    log "installing Debian's chromium and chromium-driver"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
}

setup_python() {
  # The real consumers of our exports (spaCy, seqeval) for interop tests.
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import spacy, seqeval, pytest, sklearn' 2>/dev/null; then
    log "installing spaCy, seqeval, scikit-learn and pytest into .venv"
    python3 -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r tests/interop/requirements.txt
  fi
}

build() {
  setup_rust
  setup_node
  log "building the wasm core"
  cargo build --release --lib --target wasm32-unknown-unknown
  rm -rf www/pkg
  wasm-bindgen --target web --no-typescript --out-dir www/pkg \
    "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/spanmark.wasm"
  # npm's binaryen, never Debian's older one (it writes a broken module).
  node_modules/.bin/wasm-opt -O3 www/pkg/spanmark_bg.wasm -o www/pkg/spanmark_bg.wasm
  # The page's script: app.js and its modules as one file (index.html says why).
  node_modules/.bin/esbuild www/app.js --bundle --format=esm --minify --sourcemap \
    --outfile=www/app.bundle.js --log-level=warning
  # The service worker's list of assets to keep for offline use.
  node tools/precache.mjs www
  # Last, so that every asset (precache.js too) has its .br and .gz.
  node tools/compress.mjs www
  log "building the native CLI"
  cargo build --release --bin spanmark
}

serve() {
  build
  log "serving www/ on http://127.0.0.1:$PORT (Ctrl+C to stop)"
  exec node tools/serve.mjs www "$PORT"
}

team() {
  build
  log "team server on http://127.0.0.1:$PORT (data: ${SPANMARK_TEAM_DATA:-team-data}; Ctrl+C to stop)"
  exec node tools/team-server.mjs www "$PORT"
}

# rustc reads its probe program from stdin (/dev/null here); seen once: a
# /dev/null that had become a regular file full of old compiler output made
# every probe fail. A root shell puts the device back; anyone else is told.
check_dev_null() {
  [ -c /dev/null ] && return
  if [ "$(id -u)" = 0 ]; then
    log "/dev/null is not a device: recreating it"
    rm -f /dev/null && mknod -m 666 /dev/null c 1 3
  else
    log "/dev/null is not a device (compiler probes will fail): ask an administrator"; exit 1
  fi
}

run_tests() {
  check_dev_null
  setup_browser
  setup_python
  build
  log "checking formatting and lints"
  # A merge's leftover conflict markers must never land: CSS and HTML ignore
  # them silently, and only the page's look would show it.
  if git grep -nE '^(<<<<<<<|>>>>>>>)( |$)' -- ':!*.png' ':!*.bin' 2>/dev/null; then
    log "conflict markers left in the files above"; exit 1
  fi
  cargo fmt --check
  cargo clippy --all-targets -- -D warnings
  cargo clippy --lib --target wasm32-unknown-unknown -- -D warnings
  log "Rust tests"
  cargo test
  log "fuzzing every target (${FUZZ_SECONDS:-60} s in all)"
  fuzz/run.sh "${FUZZ_SECONDS:-60}"
  log "browser tests (headless Chromium)"
  # A bound on the whole suite: a browser left running by a failed test must
  # fail the run, not hang it.
  timeout --kill-after=30 50m node --test --test-concurrency=1 --test-timeout=1800000 tests/e2e/
  log "team server tests"
  SPANMARK_BIN="$CARGO_TARGET_DIR/release/spanmark" \
    timeout --kill-after=30 25m node --test --test-concurrency=1 --test-timeout=900000 tests/team/
  log "interop tests (spaCy, seqeval)"
  SPANMARK_BIN="$CARGO_TARGET_DIR/release/spanmark" .venv/bin/python -m pytest -q tests/interop
}

bench() {
  setup_browser
  build
  node bench/run.mjs
  log "learning benchmark: a simulated annotator teaches new labels"
  cargo run --release --example learn_bench -- --data ../shared/data/ner --write bench/RESULTS.md
}

case "${1:-}" in
  setup) setup_rust; setup_node; setup_browser; setup_python ;;
  build) build ;;
  serve) serve ;;
  team) team ;;
  test) run_tests ;;
  bench) bench ;;
  *) echo "usage: $0 setup|build|serve|team|test|bench" >&2; exit 2 ;;
esac
