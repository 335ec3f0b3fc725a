//! The one `*`/`?` glob of the IAM policy language.
//!
//! Used for actions (case-insensitive, SEMANTICS.md §2.1, D10), each field of a resource ARN
//! (case-sensitive, §2.2, D11) and `StringLike`/`ArnLike` condition values (case-sensitive, §3.3).
//! `*` matches any run of characters including the empty one and crosses every character
//! (`/` and `:` included); `?` matches exactly one character, where a character is a Unicode
//! scalar value (`char`), never a byte.
//!
//! The pattern keeps its structure ([`Pattern::pieces`]) so that the fast evaluator can index it
//! ([`Pattern::shape`]) and a solver encoding can translate it piece by piece.
//!
//! # Matching algorithm and complexity
//!
//! A pattern is split at `*` into segments `S0 * S1 * … * Sm`. Every segment is a sequence of
//! literal characters and `?`, so it has a fixed length in characters. `S0` must match at the start
//! of the subject and `Sm` at its end (anchored comparison, no search); the middle segments are
//! placed greedily, each at its leftmost occurrence after the previous one. Leftmost placement is
//! correct for globs: since a segment has a fixed length in characters, its leftmost occurrence is
//! also the one that ends first, which leaves the most room to every later segment, and `*`
//! absorbs whatever lies between.
//!
//! * Middle segments without `?` are found with [`str::find`] (Two-Way: linear in the text scanned
//!   plus the needle).
//! * Middle segments with `?` are found with a bit-parallel Shift-And over `char`s:
//!   `O(n · ⌈k/64⌉ + n · log σ)` for a segment of `k` characters with `σ` distinct literal
//!   characters, over the `n` characters it scans.
//!
//! Each search starts where the previous segment ended, so the scanned regions do not overlap and
//! a whole match costs `O(|subject| · ⌈k_max/64⌉ · log σ + |pattern|)`: linear in the subject, with
//! no backtracking whatever the number of `*`. Construction is linear in the pattern.
//!
//! Matching allocates nothing for a case-sensitive pattern, except the Shift-And state of a
//! segment with `?` longer than [`STACK_STATE_CHARS`] characters. A case-insensitive match folds
//! the subject once, and only when folding changes it.

use std::borrow::Cow;
use std::fmt;

/// Segments with `?` up to this many characters keep their Shift-And state on the stack.
pub const STACK_STATE_CHARS: usize = STACK_WORDS * 64;
const STACK_WORDS: usize = 8;

/// One element of a glob.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Piece {
    /// Characters that must appear as they are (never empty in a normalized pattern).
    Literal(String),
    /// `*`: any run of characters, including the empty run.
    AnyRun,
    /// `?`: exactly one character (one Unicode scalar value).
    AnyOne,
}

/// A glob over whole strings; see the module documentation for the semantics and complexity.
///
/// Two patterns are equal when their normalized pieces and their case sensitivity are equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Pattern {
    /// Normalized: no empty literal, no two adjacent literals, no two adjacent `*`. Folded to
    /// lowercase when `case_insensitive`.
    pieces: Vec<Piece>,
    case_insensitive: bool,
    /// One entry per segment (the pieces between `*`), in order: the Shift-And table of a middle
    /// segment that contains `?`, `None` for every other segment. Derived from `pieces`.
    searchers: Vec<Option<ShiftAnd>>,
}

/// What a pattern looks like, for indexing in the fast evaluator.
///
/// For a case-insensitive pattern the texts are lowercase-folded: compare them with
/// [`fold_case`] of the subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shape<'a> {
    /// No wildcard: matches exactly this text.
    Exact(&'a str),
    /// `abc*`: matches every text that starts with this one.
    Prefix(&'a str),
    /// `*abc`: matches every text that ends with this one.
    Suffix(&'a str),
    /// `*` (or `**`…): matches every text.
    Anything,
    /// Anything else.
    General,
}

impl Pattern {
    /// `*` and `?` are wildcards; every other character is literal. Case-sensitive.
    pub fn new(text: &str) -> Pattern {
        Pattern::from_pieces([(text, true)])
    }

    /// Every character literal (no wildcards). Case-sensitive.
    pub fn literal(text: &str) -> Pattern {
        Pattern::from_pieces([(text, false)])
    }

    /// Concatenation of pieces of text; in pieces with `wildcards == true` `*`/`?` are wildcards,
    /// in the others every character is literal. Case-sensitive.
    ///
    /// This is how a policy value is built after variable substitution: characters that come from
    /// a variable's value (or from `${*}`, `${?}`) are literal (D35, §3.6).
    pub fn from_pieces<'a>(pieces: impl IntoIterator<Item = (&'a str, bool)>) -> Pattern {
        let mut builder = Builder::default();
        for (text, wildcards) in pieces {
            if wildcards {
                for c in text.chars() {
                    match c {
                        '*' => builder.any_run(),
                        '?' => builder.any_one(),
                        _ => builder.literal_char(c),
                    }
                }
            } else {
                builder.literal(text);
            }
        }
        Pattern::build(builder.finish(), false)
    }

    /// The same pattern, matching without regard to case: both the pattern and the subject are
    /// mapped through the Unicode simple lowercase mapping (plain ASCII lowercasing for ASCII), see
    /// [`fold_case`]. Action names use this (§2.1, D10).
    ///
    /// The pieces of the result are lowercase, and so is its [`Display`](fmt::Display).
    pub fn ignore_case(self) -> Pattern {
        if self.case_insensitive {
            return self;
        }
        let pieces = self
            .pieces
            .into_iter()
            .map(|piece| match piece {
                Piece::Literal(text) => Piece::Literal(fold_case(&text).into_owned()),
                other => other,
            })
            .collect();
        // Folding maps each char to one char, so normalization is preserved.
        Pattern::build(pieces, true)
    }

    /// Whether the pattern matches without regard to case ([`Pattern::ignore_case`]).
    pub fn is_case_insensitive(&self) -> bool {
        self.case_insensitive
    }

    /// Whether the pattern matches the whole of `subject`.
    ///
    /// Linear in `subject`; see the module documentation.
    pub fn matches(&self, subject: &str) -> bool {
        if self.case_insensitive {
            self.matches_folded(&fold_case(subject))
        } else {
            self.matches_folded(subject)
        }
    }

    /// The normalized pieces: adjacent literals merged, runs of `*` collapsed, no empty literal.
    /// Lowercase when the pattern is case-insensitive.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// What the pattern looks like, for indexing.
    pub fn shape(&self) -> Shape<'_> {
        match self.pieces.as_slice() {
            [] => Shape::Exact(""),
            [Piece::Literal(text)] => Shape::Exact(text),
            [Piece::AnyRun] => Shape::Anything,
            [Piece::Literal(text), Piece::AnyRun] => Shape::Prefix(text),
            [Piece::AnyRun, Piece::Literal(text)] => Shape::Suffix(text),
            _ => Shape::General,
        }
    }

    /// Whether the pattern contains a `*` or a `?`.
    pub fn has_wildcards(&self) -> bool {
        self.pieces
            .iter()
            .any(|piece| !matches!(piece, Piece::Literal(_)))
    }

    fn build(pieces: Vec<Piece>, case_insensitive: bool) -> Pattern {
        let segments: Vec<&[Piece]> = pieces.split(|piece| *piece == Piece::AnyRun).collect();
        let last = segments.len().saturating_sub(1);
        let searchers = segments
            .iter()
            .enumerate()
            .map(|(index, segment)| {
                let middle = index != 0 && index != last;
                let has_any_one = segment.contains(&Piece::AnyOne);
                (middle && has_any_one).then(|| ShiftAnd::new(segment))
            })
            .collect();
        Pattern {
            pieces,
            case_insensitive,
            searchers,
        }
    }

    /// `subject` is already folded when the pattern is case-insensitive.
    fn matches_folded(&self, subject: &str) -> bool {
        let mut segments = self.pieces.split(|piece| *piece == Piece::AnyRun);
        let mut searchers = self.searchers.iter();
        // `split` always yields at least one (possibly empty) segment.
        let first = segments.next().unwrap_or(&[]);
        searchers.next();
        let Some(start) = match_prefix(first, subject) else {
            return false;
        };
        let Some(last) = segments.next_back() else {
            // No `*`: the only segment must cover the whole subject.
            return start == subject.len();
        };
        searchers.next_back();
        let Some(rest) = subject.get(start..) else {
            return false;
        };
        // Anchoring the last segment inside `rest` keeps it from overlapping the first one.
        let Some(end) = match_suffix(last, rest) else {
            return false;
        };
        let Some(mut middle) = rest.get(..end) else {
            return false;
        };
        for (segment, searcher) in segments.zip(searchers) {
            let found = match (searcher, segment) {
                (Some(searcher), _) => searcher.find_end(middle),
                (None, [Piece::Literal(text)]) => {
                    find_literal(middle, text).map(|at| at + text.len())
                }
                // Normalization leaves no empty middle segment, and `build` gives every other
                // shape a searcher; an empty segment matches right here.
                (None, _) => Some(0),
            };
            match found.and_then(|end| middle.get(end..)) {
                Some(after) => middle = after,
                None => return false,
            }
        }
        true
    }
}

/// Back to glob text. Literal `*` and `?` (from [`Pattern::from_pieces`] or [`Pattern::literal`])
/// are written `${*}` and `${?}`, the policy language's escapes (§3.3, §3.6); every other character
/// is written as it is. A case-insensitive pattern is written lowercase.
impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::AnyRun => f.write_str("*")?,
                Piece::AnyOne => f.write_str("?")?,
                Piece::Literal(text) => {
                    let mut rest = text.as_str();
                    while let Some(at) = rest.find(['*', '?']) {
                        let (before, from) = rest.split_at(at);
                        f.write_str(before)?;
                        let mut chars = from.chars();
                        match chars.next() {
                            Some('*') => f.write_str("${*}")?,
                            Some('?') => f.write_str("${?}")?,
                            _ => {}
                        }
                        rest = chars.as_str();
                    }
                    f.write_str(rest)?;
                }
            }
        }
        Ok(())
    }
}

/// The Unicode simple lowercase mapping of one character (plain ASCII lowercasing for ASCII).
///
/// `char::to_lowercase` applies the full mapping, which differs from the simple one only for
/// U+0130 (`İ` → `i` + U+0307); the first char of the full mapping is the simple mapping there too,
/// so one char always maps to one char and `?` keeps its meaning after folding.
pub fn fold_char(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// `text` mapped through [`fold_char`]; borrowed when that changes nothing.
pub fn fold_case(text: &str) -> Cow<'_, str> {
    if text.is_ascii() {
        if text.bytes().any(|b| b.is_ascii_uppercase()) {
            Cow::Owned(text.to_ascii_lowercase())
        } else {
            Cow::Borrowed(text)
        }
    } else if text.chars().all(|c| fold_char(c) == c) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(text.chars().map(fold_char).collect())
    }
}

/// Normalizes while building: merges literals, collapses `*` runs, drops empty literals.
#[derive(Default)]
struct Builder {
    pieces: Vec<Piece>,
    pending: String,
}

impl Builder {
    fn literal(&mut self, text: &str) {
        self.pending.push_str(text);
    }

    fn literal_char(&mut self, c: char) {
        self.pending.push(c);
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            self.pieces
                .push(Piece::Literal(std::mem::take(&mut self.pending)));
        }
    }

    fn any_run(&mut self) {
        self.flush();
        if self.pieces.last() != Some(&Piece::AnyRun) {
            self.pieces.push(Piece::AnyRun);
        }
    }

    fn any_one(&mut self) {
        self.flush();
        self.pieces.push(Piece::AnyOne);
    }

    fn finish(mut self) -> Vec<Piece> {
        self.flush();
        self.pieces
    }
}

/// Byte length of the prefix of `subject` matched by `segment` (literals and `?`), if any.
fn match_prefix(segment: &[Piece], subject: &str) -> Option<usize> {
    let mut rest = subject;
    for piece in segment {
        rest = match piece {
            Piece::Literal(text) => rest.strip_prefix(text.as_str())?,
            Piece::AnyOne => {
                let mut chars = rest.chars();
                chars.next()?;
                chars.as_str()
            }
            // Not in a segment: segments are split at `*`.
            Piece::AnyRun => return None,
        };
    }
    Some(subject.len() - rest.len())
}

/// Byte offset where the suffix of `subject` matched by `segment` starts, if any.
fn match_suffix(segment: &[Piece], subject: &str) -> Option<usize> {
    let mut rest = subject;
    for piece in segment.iter().rev() {
        rest = match piece {
            Piece::Literal(text) => rest.strip_suffix(text.as_str())?,
            Piece::AnyOne => {
                let mut chars = rest.chars();
                chars.next_back()?;
                chars.as_str()
            }
            Piece::AnyRun => return None,
        };
    }
    Some(rest.len())
}

/// Shift-And (Baeza-Yates–Gonnet) search for one segment of literal characters and `?`, over
/// `char`s. Bit `i` of the state is set when the last `i + 1` characters read match the first
/// `i + 1` characters of the segment.
#[derive(Clone, PartialEq, Eq, Hash)]
struct ShiftAnd {
    /// Length of the segment in characters (at least 1).
    len: usize,
    /// `⌈len / 64⌉`.
    words: usize,
    /// The distinct literal characters of the segment, sorted.
    chars: Vec<char>,
    /// `words` words per entry of `chars`: the positions that accept that character (its own
    /// positions and every `?`).
    masks: Vec<u64>,
    /// `words` words: the positions that accept any character (the `?`), for characters not in
    /// `chars`.
    any: Vec<u64>,
}

impl fmt::Debug for ShiftAnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The tables are derived from the pieces, which the pattern's Debug already shows.
        f.debug_struct("ShiftAnd").field("len", &self.len).finish()
    }
}

fn set_bit(words: &mut [u64], position: usize) {
    if let Some(word) = words.get_mut(position / 64) {
        *word |= 1 << (position % 64);
    }
}

impl ShiftAnd {
    fn new(segment: &[Piece]) -> ShiftAnd {
        let mut chars: Vec<char> = segment
            .iter()
            .filter_map(|piece| match piece {
                Piece::Literal(text) => Some(text.chars()),
                _ => None,
            })
            .flatten()
            .collect();
        chars.sort_unstable();
        chars.dedup();
        let len: usize = segment
            .iter()
            .map(|piece| match piece {
                Piece::Literal(text) => text.chars().count(),
                _ => 1,
            })
            .sum();
        let words = len.div_ceil(64).max(1);
        let mut any = vec![0u64; words];
        let mut masks = vec![0u64; words * chars.len()];
        let mut position = 0;
        for piece in segment {
            match piece {
                Piece::Literal(text) => {
                    for c in text.chars() {
                        if let Ok(index) = chars.binary_search(&c) {
                            if let Some(mask) = masks.get_mut(index * words..(index + 1) * words) {
                                set_bit(mask, position);
                            }
                        }
                        position += 1;
                    }
                }
                _ => {
                    set_bit(&mut any, position);
                    position += 1;
                }
            }
        }
        // `?` accepts every character, including those that appear literally.
        for mask in masks.chunks_mut(words) {
            for (word, any_word) in mask.iter_mut().zip(&any) {
                *word |= any_word;
            }
        }
        ShiftAnd {
            len,
            words,
            chars,
            masks,
            any,
        }
    }

    fn mask(&self, c: char) -> &[u64] {
        match self.chars.binary_search(&c) {
            Ok(index) => self
                .masks
                .get(index * self.words..(index + 1) * self.words)
                .unwrap_or(&self.any),
            Err(_) => &self.any,
        }
    }

    /// Byte offset just after the leftmost occurrence of the segment in `text`.
    fn find_end(&self, text: &str) -> Option<usize> {
        let last = self.len.checked_sub(1)?;
        let (last_word, last_bit) = (last / 64, 1u64 << (last % 64));
        if self.words == 1 {
            let mut state = 0u64;
            for (at, c) in text.char_indices() {
                let mask = self.mask(c).first().copied().unwrap_or(0);
                state = ((state << 1) | 1) & mask;
                if state & last_bit != 0 {
                    return Some(at + c.len_utf8());
                }
            }
            return None;
        }
        let mut on_stack = [0u64; STACK_WORDS];
        let mut on_heap;
        let state: &mut [u64] = match on_stack.get_mut(..self.words) {
            Some(state) => state,
            None => {
                on_heap = vec![0u64; self.words];
                &mut on_heap
            }
        };
        for (at, c) in text.char_indices() {
            let mut carry = 1u64;
            for (word, mask) in state.iter_mut().zip(self.mask(c)) {
                let next_carry = *word >> 63;
                *word = ((*word << 1) | carry) & mask;
                carry = next_carry;
            }
            if state
                .get(last_word)
                .is_some_and(|word| word & last_bit != 0)
            {
                return Some(at + c.len_utf8());
            }
        }
        None
    }
}

/// `haystack.find(needle)` without `str::find`'s two-way searcher, whose setup costs more than
/// the whole search for the short literals of real policies. Still linear: at most `SHORT`
/// byte comparisons per position. A match always starts on a character boundary, since a
/// UTF-8 needle starts with a lead byte.
fn find_literal(haystack: &str, needle: &str) -> Option<usize> {
    const SHORT: usize = 16;
    if needle.len() > SHORT {
        return haystack.find(needle);
    }
    let (hay, pin) = (haystack.as_bytes(), needle.as_bytes());
    let Some(&first) = pin.first() else {
        return Some(0);
    };
    let mut from = 0;
    while let Some(at) = hay.get(from..)?.iter().position(|&b| b == first) {
        let at = from + at;
        // Past the end for this start means past the end for every later one.
        if hay.get(at..at + pin.len())? == pin {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn find_literal_is_str_find() {
        let hays = [
            "",
            "a",
            "aaab",
            "abcabcabd",
            "xÄbÄbc",
            "日本語の本",
            "aaaaaaaaaaaaaaaaaaaab",
        ];
        let needles = [
            "",
            "a",
            "b",
            "ab",
            "abd",
            "Äb",
            "本",
            "の本",
            "aaaaaaaaaaaaaaaab",
            "aaaaaaaaaaaaaaaaaaaab",
            "zz",
        ];
        for hay in hays {
            for needle in needles {
                assert_eq!(
                    find_literal(hay, needle),
                    hay.find(needle),
                    "{hay} {needle}"
                );
            }
        }
    }

    proptest! {
        #[test]
        fn find_literal_is_str_find_on_random_text(hay in "[abä]{0,40}", needle in "[abä]{0,20}") {
            prop_assert_eq!(find_literal(&hay, &needle), hay.find(needle.as_str()));
        }
    }

    fn lit(text: &str) -> Piece {
        Piece::Literal(text.to_owned())
    }

    // ---- Reference matcher: a plain dynamic program over chars, obviously correct. ----

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Token {
        Char(char),
        Star,
        One,
    }

    fn tokens(pieces: &[(String, bool)]) -> Vec<Token> {
        pieces
            .iter()
            .flat_map(|(text, wildcards)| {
                text.chars().map(move |c| match (c, *wildcards) {
                    ('*', true) => Token::Star,
                    ('?', true) => Token::One,
                    _ => Token::Char(c),
                })
            })
            .collect()
    }

    /// `matched[i][j]`: the first `i` tokens match the first `j` subject chars.
    fn reference(tokens: &[Token], subject: &str) -> bool {
        let subject: Vec<char> = subject.chars().collect();
        let mut matched = vec![vec![false; subject.len() + 1]; tokens.len() + 1];
        matched[0][0] = true;
        for i in 1..=tokens.len() {
            for j in 0..=subject.len() {
                matched[i][j] = match tokens[i - 1] {
                    Token::Star => matched[i - 1][j] || (j > 0 && matched[i][j - 1]),
                    Token::One => j > 0 && matched[i - 1][j - 1],
                    Token::Char(c) => j > 0 && matched[i - 1][j - 1] && subject[j - 1] == c,
                };
            }
        }
        matched[tokens.len()][subject.len()]
    }

    // ---- §2.1 actions ----

    #[test]
    fn s2_1_action_exact_and_case_insensitive() {
        let p = Pattern::new("iam:ListAccessKeys").ignore_case();
        assert!(p.is_case_insensitive());
        assert!(p.matches("IAM:listaccesskeys"));
        assert!(p.matches("iam:ListAccessKeys"));
        assert!(!p.matches("iam:ListAccessKey"));
        assert!(!Pattern::new("iam:ListAccessKeys").matches("IAM:listaccesskeys"));
    }

    #[test]
    fn s2_1_action_case_folding_with_wildcard() {
        let p = Pattern::new("iam:ListAccessKeys*").ignore_case();
        assert!(p.matches("IAM:listaccesskeys"));
        assert!(p.matches("IAM:LISTACCESSKEYSANDMORE"));
        assert_eq!(p.to_string(), "iam:listaccesskeys*");
        assert_eq!(p.shape(), Shape::Prefix("iam:listaccesskeys"));
        let q = Pattern::new("iam:*AccessKey*").ignore_case();
        assert!(q.matches("IAM:CreateACCESSKEY"));
        assert!(q.matches("iam:updateaccesskeylastused"));
        assert!(Pattern::new("s3:Get?bject")
            .ignore_case()
            .matches("S3:GETOBJECT"));
        assert!(Pattern::new("*").ignore_case().matches("ec2:RunInstances"));
    }

    #[test]
    fn s2_1_case_folding_is_simple_lowercase() {
        // Kelvin sign lowercases to ASCII `k`; `İ` has the simple lowercase `i` (one char).
        assert!(Pattern::new("k").ignore_case().matches("\u{212a}"));
        assert!(Pattern::new("?").ignore_case().matches("\u{130}"));
        assert!(Pattern::new("i").ignore_case().matches("\u{130}"));
        assert!(Pattern::new("ÉTÉ").ignore_case().matches("été"));
        assert_eq!(fold_case("abc"), Cow::Borrowed("abc"));
        assert_eq!(fold_case("ÀB"), "àb");
        // Idempotent: folding an already case-insensitive pattern changes nothing.
        let p = Pattern::new("A*b").ignore_case();
        assert_eq!(p.clone().ignore_case(), p);
    }

    // ---- §3.3 StringLike / §2.2 ARN fields: wildcards ----

    #[test]
    fn s3_3_exact_without_wildcards() {
        let p = Pattern::new("abc");
        assert!(p.matches("abc"));
        assert!(!p.matches("abcd"));
        assert!(!p.matches("ab"));
        assert!(!p.matches("ABC"));
        assert!(Pattern::new("").matches(""));
        assert!(!Pattern::new("").matches("a"));
        assert!(!p.has_wildcards());
    }

    #[test]
    fn s3_3_star_at_start_middle_end() {
        assert!(Pattern::new("*cd").matches("abcd"));
        assert!(!Pattern::new("*cd").matches("abcde"));
        assert!(Pattern::new("ab*").matches("abcd"));
        assert!(!Pattern::new("ab*").matches("xabcd"));
        assert!(Pattern::new("a*d").matches("abcd"));
        assert!(!Pattern::new("a*d").matches("abcde"));
        assert!(Pattern::new("*b*").matches("abc"));
        assert!(!Pattern::new("*x*").matches("abc"));
        // The last segment must not overlap the first: `aa` is not `a*a` twice over.
        assert!(!Pattern::new("aa*aa").matches("aaa"));
        assert!(Pattern::new("aa*aa").matches("aaaa"));
    }

    #[test]
    fn s3_3_star_matches_empty_run() {
        assert!(Pattern::new("*").matches(""));
        assert!(Pattern::new("a*").matches("a"));
        assert!(Pattern::new("*a").matches("a"));
        assert!(Pattern::new("a*b").matches("ab"));
        assert!(Pattern::new("a*b*c").matches("abc"));
    }

    #[test]
    fn s3_3_question_mark_is_one_char_not_one_byte() {
        assert!(Pattern::new("caf?").matches("café"));
        assert!(!Pattern::new("caf??").matches("café"));
        assert!(Pattern::new("?").matches("é"));
        assert!(Pattern::new("?").matches("😀"));
        assert!(!Pattern::new("??").matches("é"));
        assert!(Pattern::new("??").matches("éé"));
        assert!(!Pattern::new("?").matches(""));
        // In a middle segment (Shift-And) and in the last segment.
        assert!(Pattern::new("*x?y*").matches("ax€yb"));
        assert!(!Pattern::new("*x??y*").matches("ax€yb"));
        assert!(Pattern::new("*?").matches("€"));
        assert!(!Pattern::new("*??").matches("€"));
    }

    #[test]
    fn s3_3_consecutive_stars_collapse() {
        let p = Pattern::new("a**b***");
        assert_eq!(
            p.pieces(),
            &[lit("a"), Piece::AnyRun, lit("b"), Piece::AnyRun]
        );
        assert!(p.matches("ab"));
        assert!(p.matches("axxbyy"));
        assert_eq!(p, Pattern::new("a*b*"));
        assert_eq!(Pattern::new("**").shape(), Shape::Anything);
        assert_eq!(Pattern::new("**").to_string(), "*");
        assert_eq!(
            Pattern::new("?*?").pieces(),
            &[Piece::AnyOne, Piece::AnyRun, Piece::AnyOne]
        );
    }

    #[test]
    fn s2_2_arn_resource_field_star_crosses_slash_and_colon() {
        let p = Pattern::new("bucket/*/test/*");
        assert!(p.matches("bucket/1/2/test/3/x.jpg"));
        assert!(p.matches("bucket//test/x"));
        assert!(!p.matches("bucket/test/x"));
        assert!(Pattern::new("log-group:*").matches("log-group:x:log-stream:y"));
        // Case-sensitive (S3 keys).
        assert!(!Pattern::new("Bucket/*").matches("bucket/a"));
    }

    // ---- §3.6 / D35: pieces from substitution are literal ----

    #[test]
    fn s3_6_from_pieces_literal_star_and_question_mark() {
        // `arn:…:user/${aws:username}/*` with a user name `a*?`: the name is literal.
        let p = Pattern::from_pieces([("home/", true), ("a*?", false), ("/*", true)]);
        assert_eq!(
            p.pieces(),
            &[lit("home/a*?/"), Piece::AnyRun],
            "adjacent literals merge across pieces"
        );
        assert!(p.matches("home/a*?/file"));
        assert!(!p.matches("home/abc/file"));
        assert!(!p.matches("home/a*x/file"));
        assert_eq!(p.to_string(), "home/a${*}${?}/*");
        assert_eq!(p.shape(), Shape::Prefix("home/a*?/"));
        assert!(p.has_wildcards());
        let q = Pattern::literal("*");
        assert!(!q.has_wildcards());
        assert!(q.matches("*"));
        assert!(!q.matches("x"));
        assert_eq!(q.shape(), Shape::Exact("*"));
        assert_eq!(q.to_string(), "${*}");
        assert_eq!(
            Pattern::from_pieces([("", true), ("", false)]),
            Pattern::new("")
        );
    }

    #[test]
    fn shapes_for_indexing() {
        assert_eq!(Pattern::new("abc").shape(), Shape::Exact("abc"));
        assert_eq!(Pattern::new("").shape(), Shape::Exact(""));
        assert_eq!(Pattern::new("abc*").shape(), Shape::Prefix("abc"));
        assert_eq!(Pattern::new("*abc").shape(), Shape::Suffix("abc"));
        assert_eq!(Pattern::new("*").shape(), Shape::Anything);
        assert_eq!(Pattern::new("*abc*").shape(), Shape::General);
        assert_eq!(Pattern::new("a?c").shape(), Shape::General);
        assert_eq!(Pattern::new("a*c").shape(), Shape::General);
        assert_eq!(Pattern::new("?").shape(), Shape::General);
    }

    #[test]
    fn display_round_trip() {
        for text in [
            "",
            "*",
            "?",
            "a*b?c",
            "arn:aws:s3:::bucket/*",
            "*é?*",
            "${aws:username}",
        ] {
            let p = Pattern::new(text);
            assert_eq!(p.to_string(), text);
            assert_eq!(Pattern::new(&p.to_string()), p);
        }
    }

    // ---- Hostile inputs: must finish at once (a hang here is the failure) ----

    #[test]
    fn hostile_many_stars_against_long_subject() {
        let subject = "a".repeat(200_000);
        assert!(!Pattern::new("*a*a*a*a*a*a*a*a*b").matches(&subject));
        assert!(Pattern::new("*a*a*a*a*a*a*a*a*a").matches(&subject));
        let twenty = "a".repeat(20);
        assert!(!Pattern::new(&format!("*{twenty}*b")).matches(&subject));
        assert!(!Pattern::new(&format!("*{twenty}b*")).matches(&subject));
        assert!(Pattern::new(&format!("*{twenty}*")).matches(&subject));
        let with_b = format!("{subject}b");
        assert!(Pattern::new(&format!("*{twenty}*b")).matches(&with_b));
        // Shift-And on a `?` segment over the same subject.
        let question = "a?".repeat(30);
        assert!(!Pattern::new(&format!("*{question}b*")).matches(&subject));
        assert!(Pattern::new(&format!("*{question}b*")).matches(&with_b));
    }

    #[test]
    fn hostile_ten_thousand_pieces() {
        let subject = "ab".repeat(100_000);
        let pattern = format!("{}*", "*a".repeat(5_000));
        let p = Pattern::new(&pattern);
        assert_eq!(p.pieces().len(), 10_001);
        assert!(p.matches(&subject));
        let failing = Pattern::new(&format!("{}c*", "*a?".repeat(5_000)));
        assert!(!failing.matches(&subject));
        let passing = Pattern::new(&format!("{}*", "*a?".repeat(5_000)));
        assert!(passing.matches(&subject));
        let too_many = Pattern::new(&format!("{}*", "*a".repeat(100_001)));
        assert!(!too_many.matches(&subject));
    }

    #[test]
    fn long_question_mark_segments_use_multi_word_state() {
        // 70 chars (two words, on the stack) and 700 chars (on the heap).
        for len in [63, 64, 65, 70, 128, 129, 511, 512, 513, 700] {
            let segment: String = (0..len)
                .map(|i| if i % 3 == 1 { '?' } else { 'a' })
                .collect();
            let p = Pattern::new(&format!("x*{segment}*y"));
            let hit = format!("x{}{}by", "a".repeat(len), "b".repeat(5));
            let miss = format!("x{}y", "a".repeat(len - 1));
            assert!(p.matches(&hit), "len {len}");
            assert!(!p.matches(&miss), "len {len}");
            let shifted = format!("xbb{}{}y", "ab".repeat(len), "a".repeat(len));
            let tokens = tokens(&[(format!("x*{segment}*y"), true)]);
            assert_eq!(
                p.matches(&shifted),
                reference(&tokens, &shifted),
                "len {len}"
            );
        }
    }

    // ---- Properties against the reference matcher (§2.1, §2.2, §3.3) ----

    fn pattern_text() -> impl Strategy<Value = String> {
        proptest::collection::vec(prop::sample::select(vec!['a', 'b', '*', '?', 'é']), 0..10)
            .prop_map(|chars| chars.into_iter().collect())
    }

    fn subject_text(alphabet: Vec<char>, max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(prop::sample::select(alphabet), 0..max)
            .prop_map(|chars| chars.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4096))]

        #[test]
        fn s3_3_matches_agrees_with_reference(
            pattern in pattern_text(),
            subject in subject_text(vec!['a', 'b', 'é'], 12),
        ) {
            let tokens = tokens(&[(pattern.clone(), true)]);
            prop_assert_eq!(Pattern::new(&pattern).matches(&subject), reference(&tokens, &subject));
        }

        #[test]
        fn s3_6_from_pieces_agrees_with_reference(
            pieces in proptest::collection::vec((pattern_text(), any::<bool>()), 0..4),
            subject in subject_text(vec!['a', 'b', 'é', '*', '?'], 12),
        ) {
            let p = Pattern::from_pieces(pieces.iter().map(|(t, w)| (t.as_str(), *w)));
            prop_assert_eq!(p.matches(&subject), reference(&tokens(&pieces), &subject));
        }

        #[test]
        fn s2_1_ignore_case_agrees_with_reference(
            pattern in proptest::collection::vec(
                prop::sample::select(vec!['a', 'A', 'b', '*', '?', 'é', 'É']), 0..10),
            subject in subject_text(vec!['a', 'A', 'b', 'é', 'É'], 12),
        ) {
            let pattern: String = pattern.into_iter().collect();
            let folded = tokens(&[(pattern.to_lowercase(), true)]);
            prop_assert_eq!(
                Pattern::new(&pattern).ignore_case().matches(&subject),
                reference(&folded, &subject.to_lowercase())
            );
        }

        #[test]
        fn s3_3_long_segments_agree_with_reference(
            segment in proptest::collection::vec(prop::sample::select(vec!['a', '?', 'b']), 60..140),
            subject in subject_text(vec!['a', 'b', 'é'], 300),
        ) {
            let segment: String = segment.into_iter().collect();
            let pattern = format!("*{segment}*");
            let tokens = tokens(&[(pattern.clone(), true)]);
            prop_assert_eq!(Pattern::new(&pattern).matches(&subject), reference(&tokens, &subject));
        }

        #[test]
        fn display_round_trips_through_new(pattern in pattern_text()) {
            let p = Pattern::new(&pattern);
            prop_assert_eq!(Pattern::new(&p.to_string()), p.clone());
            prop_assert!(p.to_string().len() <= pattern.len());
        }

        #[test]
        fn pieces_are_normalized(
            pieces in proptest::collection::vec((pattern_text(), any::<bool>()), 0..4),
        ) {
            let p = Pattern::from_pieces(pieces.iter().map(|(t, w)| (t.as_str(), *w)));
            for pair in p.pieces().windows(2) {
                let merged_literals = matches!(pair, [Piece::Literal(_), Piece::Literal(_)]);
                prop_assert!(!merged_literals && pair != [Piece::AnyRun, Piece::AnyRun]);
            }
            prop_assert!(!p.pieces().contains(&Piece::Literal(String::new())));
        }
    }
}
