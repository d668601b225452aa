use super::features::{EntityNames, FEATURE_VERSION, LISTED};
use super::tags::{LABELS, NT};
use super::{pack, unpack, Model, Row};

const MAGIC: &[u8; 8] = b"SPANMKNE";

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Reads little-endian numbers off a model file, naming the file and the
/// field in every error (the learned model's file reads with it too).
pub(crate) struct Reader<'a> {
    b: &'a [u8],
    at: usize,
    /// What the file is, for messages: "model file", "learned model file".
    file: &'static str,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(b: &'a [u8], file: &'static str) -> Reader<'a> {
        Reader { b, at: 0, file }
    }
    /// How many bytes are left.
    pub(crate) fn left(&self) -> usize {
        self.b.len() - self.at
    }
    pub(crate) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        if self.left() < n {
            return Err(format!(
                "{} is truncated (its {what} at byte {} is cut off)",
                self.file, self.at
            ));
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    pub(crate) fn u8(&mut self, what: &str) -> Result<u8, String> {
        Ok(self.take(1, what)?[0])
    }
    pub(crate) fn u32(&mut self, what: &str) -> Result<u32, String> {
        Ok(u32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    pub(crate) fn f32(&mut self, what: &str) -> Result<f32, String> {
        Ok(f32::from_le_bytes(self.take(4, what)?.try_into().unwrap()))
    }
    // Straight off the slice, not a byte at a time through `u8`: the page
    // decodes 230,000 of these (model, gazetteer, clusters) before its first
    // highlight, in code V8 has not optimised yet.
    pub(crate) fn varint(&mut self, what: &str) -> Result<u64, String> {
        let rest = &self.b[self.at..];
        let mut v = 0u64;
        for (i, &b) in rest.iter().take(10).enumerate() {
            v |= ((b & 0x7f) as u64) << (7 * i);
            if b & 0x80 == 0 {
                self.at += i + 1;
                return Ok(v);
            }
        }
        if rest.len() < 10 {
            self.take(rest.len() + 1, what)?;
        }
        Err(format!("{} has a malformed number ({what})", self.file))
    }
}

/// Reads sorted keys stored as deltas.
pub(super) fn read_keys(r: &mut Reader, n: usize) -> Result<Vec<u32>, String> {
    let mut keys = Vec::with_capacity(n.min(r.left()));
    let mut prev = 0u64;
    for _ in 0..n {
        let k = prev + r.varint("key")?;
        if k == 0 || k > u32::MAX as u64 || (k <= prev && !keys.is_empty()) {
            return Err("model file has keys out of order".to_string());
        }
        keys.push(k as u32);
        prev = k;
    }
    Ok(keys)
}

fn write_keys(out: &mut Vec<u8>, keys: impl Iterator<Item = u32>) {
    let mut prev = 0u64;
    for k in keys {
        put_varint(out, k as u64 - prev);
        prev = k as u64;
    }
}

const NAMES_MAGIC: &[u8; 8] = b"SPANMKGZ";

/// Reads `model/names.bin` (written by `tools/gazetteers.py`, format at its
/// top): the hashed names of lists beyond the training data, as (key, value
/// bits) for [`TrainOptions::listed`](super::TrainOptions::listed).
pub fn read_listed_names(b: &[u8]) -> Result<Vec<(u32, u8)>, String> {
    let mut r = Reader::new(b, "name list file");
    if r.take(NAMES_MAGIC.len(), "magic").ok() != Some(&NAMES_MAGIC[..]) {
        return Err("not a spanmark name list (bad magic bytes)".to_string());
    }
    let version = r.u32("version")?;
    if version != 1 {
        return Err(format!(
            "name list version {version} is not the 1 this build reads"
        ));
    }
    let n = r.u32("name count")? as usize;
    let keys = read_keys(&mut r, n)?;
    let vals = r.take(n, "name types")?;
    if r.left() != 0 {
        return Err("name list file has trailing bytes".to_string());
    }
    if vals.iter().any(|&v| v & !(LISTED | 0x80) != 0) {
        return Err("name list file has unknown type bits".to_string());
    }
    Ok(keys.into_iter().zip(vals.iter().copied()).collect())
}

impl Model {
    /// The model file: magic, feature version, labels, scale, temperature,
    /// transitions (f32), then the weight rows (sorted keys as deltas; each row
    /// a 17-bit mask of non-zero tags and those `i8` weights), then the
    /// gazetteer (sorted keys as deltas, one byte of type bits each). All
    /// integers little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FEATURE_VERSION.to_le_bytes());
        out.push(LABELS.len() as u8);
        for l in LABELS {
            out.push(l.len() as u8);
            out.extend_from_slice(l.as_bytes());
        }
        out.extend_from_slice(&self.scale.to_le_bytes());
        out.extend_from_slice(&self.temperature.to_le_bytes());
        for &t in self.trans.iter().flatten() {
            out.extend_from_slice(&t.to_le_bytes());
        }
        let mut rows: Vec<(u32, [i8; NT])> = self
            .slots
            .iter()
            .filter(|e| e.key != 0)
            .map(|e| (e.key, unpack(&self.rows[e.row as usize])))
            .collect();
        rows.sort_unstable_by_key(|r| r.0);
        out.extend_from_slice(&(rows.len() as u32).to_le_bytes());
        write_keys(&mut out, rows.iter().map(|r| r.0));
        for (_, w) in &rows {
            let mut mask = 0u32;
            for (k, &w) in w.iter().enumerate() {
                if w != 0 {
                    mask |= 1 << k;
                }
            }
            out.extend_from_slice(&mask.to_le_bytes()[..3]);
            out.extend(w.iter().filter(|&&w| w != 0).map(|&w| w as u8));
        }
        let gaz = self.names.entries();
        out.extend_from_slice(&(gaz.len() as u32).to_le_bytes());
        write_keys(&mut out, gaz.iter().map(|e| e.0));
        out.extend(gaz.iter().map(|e| e.1));
        out
    }

    /// Reads a model file written by [`Model::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<Model, String> {
        let mut r = Reader::new(b, "model file");
        if r.take(MAGIC.len(), "magic").ok() != Some(&MAGIC[..]) {
            return Err("not a spanmark entity model (bad magic bytes)".to_string());
        }
        let version = r.u32("feature version")?;
        if version != FEATURE_VERSION {
            return Err(format!(
                "model was made for feature version {version}, this build extracts version {FEATURE_VERSION}; retrain it"
            ));
        }
        let nl = r.u8("label count")? as usize;
        let mut labels = Vec::new();
        for _ in 0..nl {
            let n = r.u8("label length")? as usize;
            labels.push(String::from_utf8_lossy(r.take(n, "label")?).into_owned());
        }
        if labels != LABELS {
            return Err(format!(
                "model labels {labels:?} differ from {LABELS:?} this build supports"
            ));
        }
        let scale = r.f32("scale")?;
        let temperature = r.f32("temperature")?;
        if !(scale.is_finite() && scale > 0.0 && temperature.is_finite() && temperature > 0.0) {
            return Err("model file has an invalid scale".to_string());
        }
        let mut trans = Box::new([[0f32; NT + 1]; NT + 1]);
        for t in trans.iter_mut().flatten() {
            *t = r.f32("transitions")?;
        }
        let n = r.u32("weight count")? as usize;
        let keys = read_keys(&mut r, n)?;
        // Straight into the packed rows (one more for the zero row): this
        // loop is most of building the model, which the page does before its
        // first highlight.
        let mut rows: Vec<Row> = Vec::with_capacity(keys.len() + 1);
        let zero = pack(&[0i8; NT]);
        for _ in &keys {
            let m = r.take(3, "weight mask")?;
            let mut mask = u32::from_le_bytes([m[0], m[1], m[2], 0]);
            if mask >> NT != 0 {
                return Err("model file has a malformed weight row".to_string());
            }
            let stored = r.take(mask.count_ones() as usize, "weights")?;
            let mut row = zero;
            for &w in stored {
                let j = mask.trailing_zeros() as usize;
                mask &= mask - 1;
                // The zero row holds 128 there; xor-ing in the stored byte
                // gives `w + 128` for the i8 `w` (its sign bit flipped).
                row[j / 8] ^= (w as u64) << (8 * (j % 8));
            }
            rows.push(row);
        }
        let g = r.u32("name count")? as usize;
        let gkeys = read_keys(&mut r, g)?;
        let gvals = r.take(g, "name types")?;
        if r.left() != 0 {
            return Err("model file has trailing bytes".to_string());
        }
        Ok(Model::from_rows(
            &keys,
            rows,
            scale,
            trans,
            // read_keys checked they increase
            EntityNames::from_sorted(&gkeys, gvals),
            temperature,
        ))
    }
}
