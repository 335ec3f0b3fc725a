//! Finding, among many entries, the few that may cover one of them, without comparing every pair:
//! the redundancy checks (`redundant-action`, `redundant-resource`, `redundant-statement`) would
//! otherwise be quadratic in the entries (10,000 statements took half a minute, issue 13).
//!
//! A pattern can cover a text only if the pattern's literal prefix (the text before its first
//! wildcard) is a prefix of the text, compared case-folded so that the index never misses a
//! candidate whatever case rules the final test applies. A trie of those prefixes gives, for one
//! text, every candidate in one walk along the text. Each entry is then compared with at most
//! [`MAX_CANDIDATES`] candidates: hostile documents with thousands of patterns sharing one prefix
//! stay linear, and the checks (suggestions) stay silent rather than slow there.

use iamspec_model::hash::FxMap;

/// How many candidates one entry is compared with, at most.
pub(crate) const MAX_CANDIDATES: usize = 64;

/// Up to this many entries, the checks compare every pair directly: fewer than the index's
/// own bookkeeping costs, and the same answers (candidates in the index's order: shortest
/// literal prefix first, then by position).
pub(crate) const SMALL: usize = 16;

/// The order in which the index offers a candidate: its literal prefix's length (as cut at
/// [`MAX_PREFIX`]), then its item.
pub(crate) fn candidate_order(pattern: &str, variables: bool, item: usize) -> (usize, usize) {
    (
        literal_prefix(pattern, variables).len().min(MAX_PREFIX),
        item,
    )
}

/// How many bytes of a literal prefix the trie holds: a longer prefix is cut there, which only
/// widens the candidates (the final test decides), and keeps a megabyte-long value from
/// becoming a megabyte of trie nodes.
const MAX_PREFIX: usize = 256;

/// A trie of case-folded literal prefixes, each node holding the items whose prefix ends there.
#[derive(Default)]
pub(crate) struct PrefixIndex {
    edges: FxMap<(u32, u8), u32>,
    /// Items by node; node 0 is the root (the empty prefix: a pattern starting with a wildcard).
    items: Vec<Vec<usize>>,
}

impl PrefixIndex {
    pub(crate) fn new() -> PrefixIndex {
        PrefixIndex {
            edges: FxMap::default(),
            items: vec![Vec::new()],
        }
    }

    /// Adds `item` under the literal prefix of `pattern`: the text before its first `*`, `?`
    /// or (with `variables`) `${`.
    pub(crate) fn insert(&mut self, pattern: &str, variables: bool, item: usize) {
        let mut node = 0u32;
        for byte in literal_prefix(pattern, variables).bytes().take(MAX_PREFIX) {
            let byte = byte.to_ascii_lowercase();
            let next = self.items.len() as u32;
            node = *self.edges.entry((node, byte)).or_insert(next);
            if node == next {
                self.items.push(Vec::new());
            }
        }
        if let Some(items) = self.items.get_mut(node as usize) {
            items.push(item);
        }
    }

    /// Calls `found` on the items whose prefix is a prefix of `text`, shortest prefix first, at
    /// most [`MAX_CANDIDATES`] times, until `found` returns `true`; whether it did.
    pub(crate) fn any(&self, text: &str, mut found: impl FnMut(usize) -> bool) -> bool {
        let mut budget = MAX_CANDIDATES;
        let mut node = 0u32;
        let mut bytes = text.bytes().take(MAX_PREFIX);
        loop {
            for &item in self.items.get(node as usize).map_or(&[][..], Vec::as_slice) {
                if budget == 0 {
                    return false;
                }
                budget -= 1;
                if found(item) {
                    return true;
                }
            }
            let Some(byte) = bytes.next() else {
                return false;
            };
            match self.edges.get(&(node, byte.to_ascii_lowercase())) {
                Some(&next) => node = next,
                None => return false,
            }
        }
    }
}

/// The text before the first wildcard (and, with `variables`, before the first `${`).
pub(crate) fn literal_prefix(pattern: &str, variables: bool) -> &str {
    let mut end = pattern.find(['*', '?']).unwrap_or(pattern.len());
    if variables {
        if let Some(at) = pattern.find("${") {
            end = end.min(at);
        }
    }
    pattern.get(..end).unwrap_or(pattern)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidates(index: &PrefixIndex, text: &str) -> Vec<usize> {
        let mut out = Vec::new();
        index.any(text, |item| {
            out.push(item);
            false
        });
        out
    }

    #[test]
    fn prefixes_of_the_text_in_order() {
        let mut index = PrefixIndex::new();
        index.insert("s3:Get*", false, 0);
        index.insert("*", false, 1);
        index.insert("S3:*", false, 2);
        index.insert("ec2:*", false, 3);
        index.insert("arn:aws:s3:::${aws:username}/*", true, 4);
        assert_eq!(candidates(&index, "s3:GetObject"), [1, 2, 0]);
        assert_eq!(candidates(&index, "ec2:RunInstances"), [1, 3]);
        assert_eq!(candidates(&index, "arn:aws:s3:::me/x"), [1, 4]);
        assert_eq!(candidates(&index, ""), [1]);
    }

    #[test]
    fn at_most_max_candidates() {
        let mut index = PrefixIndex::new();
        for i in 0..1000 {
            index.insert(&format!("s3:*{i}"), false, i);
        }
        assert_eq!(candidates(&index, "s3:GetObject").len(), MAX_CANDIDATES);
        assert!(index.any("s3:x", |item| item == 3));
        assert!(!index.any("s3:x", |item| item == 999), "beyond the budget");
    }
}
