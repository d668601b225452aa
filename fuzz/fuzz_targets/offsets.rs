//! `text::OffsetMap` against std's own iterators as the oracle: every
//! boundary converts exactly in all six directions, every position inside a
//! character is refused, and `convert_range` agrees with the single
//! conversions and reports reversed and out-of-range pairs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use spanmark::text::{OffsetError, OffsetMap, OffsetUnit};

const UNITS: [OffsetUnit; 3] = [OffsetUnit::Byte, OffsetUnit::Codepoint, OffsetUnit::Utf16];

fuzz_target!(|data: &[u8]| {
    if data.len() < 5 {
        return;
    }
    let (probe, rest) = data.split_at(5);
    let text = String::from_utf8_lossy(rest);
    let text: &str = &text;
    let map = OffsetMap::new(text);
    // Oracle: (byte, char, utf16) of every boundary.
    let mut bounds = Vec::new();
    let mut u = 0;
    for (c, (b, ch)) in text.char_indices().enumerate() {
        bounds.push([b, c, u]);
        u += ch.len_utf16();
    }
    bounds.push([text.len(), text.chars().count(), u]);
    let last = *bounds.last().unwrap();
    for (i, unit) in UNITS.iter().enumerate() {
        assert_eq!(map.len(*unit), last[i], "len in {unit}");
    }
    for bd in &bounds {
        for (i, from) in UNITS.iter().enumerate() {
            for (j, to) in UNITS.iter().enumerate() {
                assert_eq!(
                    map.convert(bd[i], *from, *to),
                    Some(bd[j]),
                    "{} {from} -> {to}",
                    bd[i]
                );
            }
        }
    }
    assert_eq!(map.byte_to_char(bounds[0][0]), Some(0));
    for b in 0..=text.len() + 1 {
        let want = bounds.iter().find(|x| x[0] == b).map(|x| x[1]);
        assert_eq!(map.byte_to_char(b), want, "byte {b}");
    }
    for q in 0..=last[2] + 1 {
        let want = bounds.iter().find(|x| x[2] == q).map(|x| x[1]);
        assert_eq!(map.utf16_to_char(q), want, "utf16 {q}");
    }
    assert_eq!(map.char_to_byte(last[1] + 1), None);
    assert_eq!(map.char_to_utf16(last[1] + 1), None);

    // convert_range on a probed pair.
    let from = UNITS[probe[0] as usize % 3];
    let to = UNITS[(probe[0] / 3) as usize % 3];
    let fi = UNITS.iter().position(|x| *x == from).unwrap();
    let len = last[fi];
    let s = u16::from_le_bytes([probe[1], probe[2]]) as usize % (len + 3);
    let e = u16::from_le_bytes([probe[3], probe[4]]) as usize % (len + 3);
    match map.convert_range(s, e, from, to) {
        Ok((a, b)) => {
            assert!(s <= e);
            assert_eq!(Some(a), map.convert(s, from, to));
            assert_eq!(Some(b), map.convert(e, from, to));
        }
        Err(OffsetError::Reversed { .. }) => assert!(s > e),
        Err(OffsetError::OutOfRange { offset, len: l }) => {
            assert_eq!(l, len);
            assert!(offset > len && (offset == s || offset == e));
        }
        Err(OffsetError::InsideCharacter { offset }) => {
            assert!(offset <= len);
            assert_eq!(map.convert(offset, from, to), None);
        }
    }
});
