/// The entity types the model knows, in tag order.
pub const LABELS: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];
/// Number of tags: `O` plus B, I, L, U for each type.
pub const NT: usize = 1 + 4 * LABELS.len();
/// Index of the boundary pseudo-tag in the transition table.
pub const EDGE: usize = NT;

/// Position of a token in its entity: Begin, Inside, Last, Unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    B = 0,
    I = 1,
    L = 2,
    U = 3,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::B, Part::I, Part::L, Part::U];
}

/// The tag layout, shared with the online learner whose label set grows past
/// [`LABELS`]: 0 is `O`, then B, I, L, U of each type in turn.
pub(crate) fn tag_index(ty: usize, part: Part) -> usize {
    1 + ty * 4 + part as usize
}

/// The type index and part of a tag in that layout; `None` for `O`.
pub(crate) fn split_tag(tag: usize) -> Option<(usize, Part)> {
    let t = tag.checked_sub(1)?;
    Some((t / 4, Part::ALL[t % 4]))
}

/// Whether a tag may follow another, given as `(type, part)` (`None`: `O` or
/// the sentence boundary): an entity opened by B continues with I or closes
/// with L of the same type; outside an entity come O, B or U.
pub(crate) fn may_follow(prev: Option<(usize, Part)>, next: Option<(usize, Part)>) -> bool {
    let open = prev.and_then(|(ty, p)| matches!(p, Part::B | Part::I).then_some(ty));
    let continues = next.and_then(|(ty, p)| matches!(p, Part::I | Part::L).then_some(ty));
    match (open, continues) {
        (Some(a), Some(b)) => a == b,
        (None, None) => true,
        _ => false,
    }
}

/// Tag id for a type index and part (0 is `O`).
pub fn tag_id(ty: usize, part: Part) -> u8 {
    tag_index(ty, part) as u8
}

/// The type index and part of a tag; `None` for `O`.
pub fn tag_parts(tag: u8) -> Option<(usize, Part)> {
    if tag as usize >= NT {
        return None;
    }
    split_tag(tag as usize)
}

/// The tag's name, e.g. `B-PER`, `U-LOC`, `O`.
pub fn tag_name(tag: u8) -> String {
    match tag_parts(tag) {
        None => "O".to_string(),
        Some((ty, p)) => format!("{:?}-{}", p, LABELS[ty]),
    }
}

/// Whether tag `next` may follow tag `prev` (either may be [`EDGE`], the
/// sentence boundary; see [`may_follow`]).
pub(super) fn allowed(prev: usize, next: usize) -> bool {
    may_follow(tag_parts(prev as u8), tag_parts(next as u8))
}

/// Entities from BILOU tags, for any tag sequence: a malformed one (I without B,
/// B inside an entity, ...) still gives non-overlapping, non-empty token ranges.
pub fn spans_from_tags(tags: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None; // (start, type)
    for (i, &t) in tags.iter().enumerate() {
        match tag_parts(t) {
            None => {
                if let Some((s, ty)) = open.take() {
                    out.push((s, i, ty));
                }
            }
            Some((ty, part)) => {
                let continuing = matches!(open, Some((_, oty)) if oty == ty)
                    && matches!(part, Part::I | Part::L);
                if !continuing {
                    if let Some((s, oty)) = open.take() {
                        out.push((s, i, oty));
                    }
                    open = Some((i, ty));
                }
                if matches!(part, Part::L | Part::U) {
                    let (s, ty) = open.take().expect("opened above");
                    out.push((s, i + 1, ty));
                }
            }
        }
    }
    if let Some((s, ty)) = open {
        out.push((s, tags.len(), ty));
    }
    out
}

/// BILOU tags for entities given as `(start, end, type)` token ranges
/// (assumed non-overlapping; a later overlapping one is skipped).
pub fn tags_from_spans(n: usize, spans: &[(usize, usize, usize)]) -> Vec<u8> {
    let mut tags = vec![0u8; n];
    for &(s, e, ty) in spans {
        if s >= e || e > n || tags[s..e].iter().any(|&t| t != 0) {
            continue;
        }
        if e - s == 1 {
            tags[s] = tag_id(ty, Part::U);
        } else {
            tags[s] = tag_id(ty, Part::B);
            for t in &mut tags[s + 1..e - 1] {
                *t = tag_id(ty, Part::I);
            }
            tags[e - 1] = tag_id(ty, Part::L);
        }
    }
    tags
}
