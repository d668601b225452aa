#!/usr/bin/env bash
# Model and pipeline throughput, one thread. Needs ../shared/data/ner (for
# text; nothing from it is written into the repository: the JSONL goes to a
# temporary file).
#   bench/model_speed.sh [path/to/spanmark]
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-${CARGO_TARGET_DIR:-target}/release/spanmark}
DEV=../shared/data/ner/conll2003/eng.testa
[ -f "$DEV" ] || { echo "skipped: $DEV is absent"; exit 0; }
echo "== model alone on eng.testa tokens (features + Viterbi)"
"$BIN" eval "$DEV" | tail -1
echo "== annotate (tokenizer + patterns + gazetteer + model + merge), eng.testa documents x4"
TMP=$(mktemp -d)
python3 - "$DEV" > "$TMP/docs.jsonl" <<'PY'
import json, sys
docs, cur, sent = [], [], []
for line in open(sys.argv[1], encoding="utf-8"):
    cols = line.split()
    if not cols or cols[0] == "-DOCSTART-":
        if sent: cur.append(" ".join(sent)); sent = []
        if cols and cur: docs.append("\n".join(cur)); cur = []
        continue
    sent.append(cols[0])
if sent: cur.append(" ".join(sent))
if cur: docs.append("\n".join(cur))
for k in range(4):
    for i, d in enumerate(docs):
        print(json.dumps({"id": f"{k}-{i}", "text": d}))
PY
"$BIN" annotate "$TMP/docs.jsonl" "$TMP/out.jsonl" --stats 2>&1 | tail -1
rm -rf "$TMP"
