//! Finding, among many entries, the few that may cover one of them, without comparing every pair:
//! the redundancy checks (`redundant-action`, `redundant-resource`, `redundant-statement`) would
//! otherwise be quadratic in the entries (10,000 statements took half a minute, issue 13).
//!
//! A pattern can cover a text only if the pattern's literal prefix (the text before its first
//! wildcard) is a prefix of the text, compared case-folded so that the index never misses a
//! candidate whatever case rules the final test applies. A hash of those prefixes gives, for one
//! text, every candidate in one walk along the text. Each entry is then compared with at most
//! [`MAX_CANDIDATES`] candidates: hostile documents with thousands of patterns sharing one prefix
//! stay linear, and the checks (suggestions) stay silent rather than slow there.

use super::nocase::lowercase_word;
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

/// How many bytes of a literal prefix the index holds: a longer prefix is cut there, which only
/// widens the candidates (the final test decides), and keeps a megabyte-long value from
/// costing a megabyte of hashing per lookup.
const MAX_PREFIX: usize = 256;

/// The case-folded literal prefixes, by their length and a hash of their bytes, each holding
/// the items whose prefix it is. One hash entry per item (a trie took one per byte, a tenth of
/// linting the managed corpus); a text's prefixes are hashed incrementally, in one walk along
/// it, and only at the lengths some prefix has ([`PrefixHash`]). Two prefixes of one length
/// with the same 64-bit hash would only share candidates, which the final test decides.
#[derive(Default)]
pub(crate) struct PrefixIndex {
    items: FxMap<(usize, u64), Items>,
    /// Which prefix lengths occur (0 to [`MAX_PREFIX`]), one bit each.
    lengths: [u64; LENGTH_WORDS],
    longest: usize,
}

const LENGTH_WORDS: usize = MAX_PREFIX / 64 + 1;

/// The items of one prefix, in the order they were added. Most prefixes have one item (an exact
/// entry is its own prefix): it is held without a vector of its own (allocating one per insert
/// was a third of the inserts' cost on the managed corpus).
enum Items {
    One(usize),
    Many(Vec<usize>),
}

impl Items {
    fn push(&mut self, item: usize) {
        match self {
            Items::One(first) => *self = Items::Many(vec![*first, item]),
            Items::Many(items) => items.push(item),
        }
    }

    fn as_slice(&self) -> &[usize] {
        match self {
            Items::One(item) => std::slice::from_ref(item),
            Items::Many(items) => items,
        }
    }
}

/// The hashes of the prefixes of one text, asked at increasing lengths: eight bytes are
/// lowercased and mixed in at a time (a step per byte was most of the cost of a look-up), and a
/// prefix's hash is that of its whole words then one step for the bytes after them.
struct PrefixHash<'t> {
    bytes: &'t [u8],
    /// How many whole words of `bytes` `words` has mixed in.
    done: usize,
    words: u64,
}

impl<'t> PrefixHash<'t> {
    fn new(bytes: &'t [u8]) -> PrefixHash<'t> {
        PrefixHash {
            bytes,
            done: 0,
            words: 0,
        }
    }

    /// The hash of the first `length` bytes (at least the length asked before).
    fn at(&mut self, length: usize) -> u64 {
        while let Some(word) = self.bytes.get(self.done * 8..(self.done + 1) * 8) {
            if (self.done + 1) * 8 > length {
                break;
            }
            self.words = step(self.words, lowered(word));
            self.done += 1;
        }
        let rest = self.bytes.get(self.done * 8..length).unwrap_or(&[]);
        step(self.words, lowered(rest))
    }
}

/// Up to eight bytes as a word, ASCII-lowercased, zeros after them.
fn lowered(bytes: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    for (to, from) in word.iter_mut().zip(bytes) {
        *to = *from;
    }
    lowercase_word(u64::from_le_bytes(word))
}

/// One step of the prefix hash over a word: the 128-bit product's halves folded together. A
/// 64-bit product (FxHash's step) carries a difference in a word's last bytes only into its
/// top bits, which the next step's rotation set against the next word's first bits: prefixes
/// such as `…bucket-1008/` and `…bucket-10004` collided, a few hundred of 100,000 statements
/// each got a false candidate, and the group's action index was built for them. Folded, the
/// low bits, by which the map places keys, depend on all of the input too (a 64-bit
/// product's low bits on the input's low bits only: `bucket-17/` and `bucket-18/` crowded one
/// place of the map).
fn step(hash: u64, word: u64) -> u64 {
    let product = u128::from(hash.rotate_left(5) ^ word) * 0x51_7c_c1_b7_27_22_0a_95;
    (product as u64) ^ ((product >> 64) as u64)
}

impl PrefixIndex {
    pub(crate) fn new() -> PrefixIndex {
        PrefixIndex::default()
    }

    /// An index sized for `items` entries up front (growing it one rehash at a time was a
    /// third of the inserts of 10,000 statements).
    pub(crate) fn with_capacity(items: usize) -> PrefixIndex {
        let mut index = PrefixIndex::default();
        index.items.reserve(items);
        index
    }

    /// Adds `item` under the literal prefix of `pattern`: the text before its first `*`, `?`
    /// or (with `variables`) `${`.
    pub(crate) fn insert(&mut self, pattern: &str, variables: bool, item: usize) {
        let prefix = literal_prefix(pattern, variables).as_bytes();
        let prefix = prefix.get(..MAX_PREFIX).unwrap_or(prefix);
        let length = prefix.len();
        let hash = PrefixHash::new(prefix).at(length);
        if let Some(word) = self.lengths.get_mut(length / 64) {
            *word |= 1 << (length % 64);
        }
        self.longest = self.longest.max(length);
        match self.items.entry((length, hash)) {
            std::collections::hash_map::Entry::Occupied(mut items) => items.get_mut().push(item),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(Items::One(item));
            }
        }
    }

    /// Calls `found` on the items whose prefix is a prefix of `text`, shortest prefix first, at
    /// most [`MAX_CANDIDATES`] times, until `found` returns `true`; whether it did.
    pub(crate) fn any(&self, text: &str, mut found: impl FnMut(usize) -> bool) -> bool {
        let mut budget = MAX_CANDIDATES;
        let mut hashes = PrefixHash::new(text.as_bytes());
        let limit = self.longest.min(text.len());
        // The lengths some prefix has, shortest first, by the set bits (most lengths no prefix
        // has), in plain loops (iterator adapters were a fourteenth of the corpus's look-ups).
        for (&word, base) in self.lengths.iter().zip((0..).step_by(64)) {
            let mut bits = word;
            while bits != 0 {
                let length = base + bits.trailing_zeros() as usize;
                if length > limit {
                    return false;
                }
                bits &= bits - 1;
                let hash = hashes.at(length);
                for &item in self
                    .items
                    .get(&(length, hash))
                    .map_or(&[][..], Items::as_slice)
                {
                    if budget == 0 {
                        return false;
                    }
                    budget -= 1;
                    if found(item) {
                        return true;
                    }
                }
            }
        }
        false
    }
}

/// The text before the first wildcard (and, with `variables`, before the first `${`).
pub(crate) fn literal_prefix(pattern: &str, variables: bool) -> &str {
    // One walk over the bytes (two `find`s were a sixth of linting the corpus's statement
    // pairs), eight at a time (a byte at a time was most of indexing 10,000 resources); `*`,
    // `?` and `${` are ASCII, so the cut is at a character boundary.
    let bytes = pattern.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut start = 0;
    for chunk in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let mut marked = may_end_literal(u64::from_le_bytes(word));
        while marked != 0 {
            let at = start + marked.trailing_zeros() as usize / 8;
            if ends_literal(bytes, at, variables) {
                return pattern.get(..at).unwrap_or(pattern);
            }
            marked &= marked - 1;
        }
        start += 8;
    }
    let end = (start..bytes.len())
        .find(|&at| ends_literal(bytes, at, variables))
        .unwrap_or(pattern.len());
    pattern.get(..end).unwrap_or(pattern)
}

/// The high bit of each byte of `word` (little-endian) that may be a `*`, `?` or `$`: the first
/// such byte is one, a later one may not be (a borrow), which [`ends_literal`] turns away.
fn may_end_literal(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // `x - 1 & !x` keeps the high bit of each zero byte of `x`, and through a borrow maybe of
    // a byte after one; of no byte before the first zero.
    let zeros = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    zeros(word ^ (ONES * u64::from(b'*')))
        | zeros(word ^ (ONES * u64::from(b'?')))
        | zeros(word ^ (ONES * u64::from(b'$')))
}

/// Whether a literal prefix ends at byte `at`: a `*`, a `?` or (with `variables`) a `${`.
fn ends_literal(bytes: &[u8], at: usize, variables: bool) -> bool {
    match bytes.get(at) {
        Some(b'*' | b'?') => true,
        Some(b'$') => variables && bytes.get(at + 1) == Some(&b'{'),
        _ => false,
    }
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
    fn a_prefix_hashes_as_the_text_it_is_cut_from_whatever_its_case() {
        let text = "arn:aws:s3:::Bucket-1234/Key-\u{e9}t\u{e9}";
        let lower = text.to_ascii_lowercase();
        let mut along = PrefixHash::new(text.as_bytes());
        for length in 0..=text.len() {
            let alone = text.as_bytes().get(..length).unwrap_or(&[]);
            let folded = lower.as_bytes().get(..length).unwrap_or(&[]);
            let hash = along.at(length);
            assert_eq!(hash, PrefixHash::new(alone).at(length), "{length}");
            assert_eq!(hash, PrefixHash::new(folded).at(length), "{length}");
        }
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

    #[test]
    fn literal_prefixes() {
        assert_eq!(literal_prefix("s3:Get*", false), "s3:Get");
        assert_eq!(literal_prefix("s3:?et*", false), "s3:");
        assert_eq!(literal_prefix("arn:é:${aws:username}/*", true), "arn:é:");
        assert_eq!(
            literal_prefix("arn:é:${aws:username}/*", false),
            "arn:é:${aws:username}/"
        );
        assert_eq!(literal_prefix("a$b${x}", true), "a$b");
        assert_eq!(literal_prefix("a$b${x}", false), "a$b${x}");
        assert_eq!(literal_prefix("plain", true), "plain");
        assert_eq!(literal_prefix("ends$", true), "ends$");
        // Past the first eight bytes, and a `$` not opening a variable before a wildcard.
        assert_eq!(
            literal_prefix("arn:aws:s3:::a$b-?*", true),
            "arn:aws:s3:::a$b-"
        );
        assert_eq!(literal_prefix("arn:aws:s3:::é${x}", true), "arn:aws:s3:::é");
        assert_eq!(literal_prefix("abcdefg$${x}*", true), "abcdefg$");
        assert_eq!(literal_prefix("abcdefghijklmnop", true), "abcdefghijklmnop");
    }

    #[test]
    fn literal_prefixes_as_a_byte_at_a_time() {
        let texts = [
            "",
            "*",
            "$",
            "${",
            "s3:Get*",
            "arn:aws:s3:::bucket-1234/*",
            "$$$$$$$${",
            "a?b*c$d{",
            "0123456$",
            "0123456${",
            "01234567${",
            "\u{e9}\u{e9}\u{e9}\u{e9}*?",
            "*******?",
        ];
        for text in texts {
            for variables in [false, true] {
                let bytes = text.as_bytes();
                let end = (0..bytes.len())
                    .find(|&at| ends_literal(bytes, at, variables))
                    .unwrap_or(text.len());
                assert_eq!(literal_prefix(text, variables), &text[..end], "{text}");
            }
        }
    }
}
