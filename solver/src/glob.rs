//! Globs as z3 regular expressions, and the membership of a string term in a glob whose
//! literal pieces may be symbolic (policy variables, D35).
//!
//! One glob notation serves the three places patterns occur on strings: `StringLike` values
//! (`*` and `?` cross everything), `ArnLike` values (field by field, D16) and resource patterns
//! (the whole ARN, with `*` and `?` confined to a field in the first five fields unless the `*`
//! ends its field, D11).

use crate::err::Unsupported;
use crate::regex::{Class as ReClass, Re};
use crate::smt::{self, Expr};
use std::collections::HashMap;
use std::sync::OnceLock;

/// Which characters a wildcard may cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Any,
    /// Anything but `:` (the first five fields of an ARN).
    NoColon,
}

impl Class {
    fn regex(self) -> Expr {
        match self {
            Class::Any => smt::re_allchar(),
            Class::NoColon => smt::re_no_colon(),
        }
    }
}

/// One element of a glob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    /// `*`.
    Star(Class),
    /// `?`.
    One(Class),
    /// Literal text whose value is a string term (a substituted variable).
    Sym(Expr),
}

/// Appends text in which `*` and `?` are wildcards of `class`.
pub fn push_glob_text(pieces: &mut Vec<Piece>, text: &str, class: Class) {
    for c in text.chars() {
        match c {
            '*' => pieces.push(Piece::Star(class)),
            '?' => pieces.push(Piece::One(class)),
            other => push_lit(pieces, other),
        }
    }
}

pub fn push_lit(pieces: &mut Vec<Piece>, c: char) {
    if let Some(Piece::Lit(text)) = pieces.last_mut() {
        text.push(c);
    } else {
        pieces.push(Piece::Lit(c.to_string()));
    }
}

pub fn push_lit_text(pieces: &mut Vec<Piece>, text: &str) {
    for c in text.chars() {
        push_lit(pieces, c);
    }
}

/// The regular expression of pieces without symbolic parts.
pub fn regex(pieces: &[Piece]) -> Result<Expr, Unsupported> {
    let mut parts = Vec::with_capacity(pieces.len());
    for piece in pieces {
        parts.push(match piece {
            Piece::Lit(text) => smt::re_lit(text)?,
            Piece::Star(class) => smt::re_star(&class.regex()),
            Piece::One(class) => class.regex(),
            Piece::Sym(_) => {
                return Err(Unsupported::new(
                    "internal: a symbolic piece in a regular expression",
                ))
            }
        });
    }
    Ok(smt::re_concat(&parts))
}

/// Does the string term `subject` match `pieces`? Without symbolic pieces this is one regular
/// membership. With them, the pieces before the first `*` and after the last `*` have lengths
/// that are known terms, so each is checked at its offset: exact in both polarities, without
/// quantifiers. A symbolic piece between two `*` is not supported.
pub fn member(subject: &Expr, pieces: &[Piece]) -> Result<Expr, Unsupported> {
    if !pieces.iter().any(|p| matches!(p, Piece::Sym(_))) {
        // A glob of literals alone is an equation, which z3 handles better than a regex.
        if let [Piece::Lit(text)] = pieces {
            return Ok(smt::eq(subject, &smt::str_lit(text)?));
        }
        if pieces.is_empty() {
            return Ok(smt::eq(subject, &smt::str_lit("")?));
        }
        return Ok(smt::in_re(subject, &regex(pieces)?));
    }
    let first_star = pieces.iter().position(|p| matches!(p, Piece::Star(_)));
    let last_star = pieces.iter().rposition(|p| matches!(p, Piece::Star(_)));
    let (prefix, middle, suffix) = match (first_star, last_star) {
        (Some(first), Some(last)) => (
            pieces.get(..first).unwrap_or(&[]),
            pieces.get(first..=last).unwrap_or(&[]),
            pieces.get(last + 1..).unwrap_or(&[]),
        ),
        _ => (pieces, &[][..], &[][..]),
    };
    if middle.iter().any(|p| matches!(p, Piece::Sym(_))) {
        return Err(Unsupported::new(
            "a policy variable between two `*` wildcards of one pattern",
        ));
    }
    let length = |piece: &Piece| -> Expr {
        match piece {
            Piece::Lit(text) => Expr::int(i64::try_from(text.chars().count()).unwrap_or(i64::MAX)),
            Piece::One(_) => Expr::int(1),
            Piece::Star(_) => Expr::int(0),
            Piece::Sym(value) => smt::len(value),
        }
    };
    let prefix_len = smt::add(&prefix.iter().map(length).collect::<Vec<_>>());
    let suffix_len = smt::add(&suffix.iter().map(length).collect::<Vec<_>>());
    let total = smt::len(subject);
    let mut checks = Vec::new();
    if middle.is_empty() {
        checks.push(smt::eq(&total, &prefix_len));
    } else {
        checks.push(smt::ge(
            &total,
            &smt::add(&[prefix_len.clone(), suffix_len.clone()]),
        ));
    }
    let mut offset = Expr::int(0);
    for piece in prefix {
        checks.push(piece_at(subject, &offset, piece)?);
        offset = smt::add(&[offset, length(piece)]);
    }
    let mut offset = smt::sub(&total, &suffix_len);
    for piece in suffix {
        checks.push(piece_at(subject, &offset, piece)?);
        offset = smt::add(&[offset, length(piece)]);
    }
    if !middle.is_empty() {
        let span = smt::sub(&smt::sub(&total, &prefix_len), &suffix_len);
        let part = smt::substr(subject, &prefix_len, &span);
        // `*` alone covers any span.
        if !(middle.len() == 1 && middle.first() == Some(&Piece::Star(Class::Any))) {
            checks.push(smt::in_re(&part, &regex(middle)?));
        }
    }
    Ok(smt::and(checks))
}

fn piece_at(subject: &Expr, offset: &Expr, piece: &Piece) -> Result<Expr, Unsupported> {
    Ok(match piece {
        Piece::Lit(text) => {
            let n = Expr::int(i64::try_from(text.chars().count()).unwrap_or(i64::MAX));
            smt::eq(&smt::substr(subject, offset, &n), &smt::str_lit(text)?)
        }
        Piece::One(class) => {
            smt::in_re(&smt::substr(subject, offset, &Expr::int(1)), &class.regex())
        }
        Piece::Sym(value) => smt::eq(&smt::substr(subject, offset, &smt::len(value)), value),
        Piece::Star(_) => Expr::t(),
    })
}

// ---------------------------------------------------------------------------------------------
// Case-insensitive equality (`StringEqualsIgnoreCase`, `Bool`: `to_lowercase` on both sides)
// ---------------------------------------------------------------------------------------------

/// Lowercase text → the other characters whose `to_lowercase` it is (a character that
/// lowercases to itself is its own preimage, see [`preimage`]). Only the characters that change
/// are stored: building a map of every character cost a query about half a second. `Σ` is left
/// out: Rust's `str::to_lowercase` maps it by context (final sigma), handled by the caller.
fn changing_preimages() -> &'static HashMap<String, Vec<char>> {
    static TABLE: OnceLock<HashMap<String, Vec<char>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: HashMap<String, Vec<char>> = HashMap::new();
        for code in 0..=smt::MAX_CHAR {
            let Some(c) = char::from_u32(code) else {
                continue;
            };
            if c == 'Σ' || lowercases_to_itself(c) {
                continue;
            }
            table.entry(c.to_lowercase().collect()).or_default().push(c);
        }
        table
    })
}

fn lowercases_to_itself(c: char) -> bool {
    let mut lower = c.to_lowercase();
    lower.next() == Some(c) && lower.next().is_none()
}

/// The characters whose `to_lowercase` is `chunk`.
fn preimage(chunk: &[char]) -> Vec<char> {
    let key: String = chunk.iter().collect();
    let mut chars = changing_preimages().get(&key).cloned().unwrap_or_default();
    if let [c] = chunk {
        if *c != 'Σ' && lowercases_to_itself(*c) {
            chars.push(*c);
        }
    }
    chars
}

/// The strings `r` with `r.to_lowercase() == target.to_lowercase()`.
pub fn lowercase_preimage(target: &str) -> Result<Re, Unsupported> {
    let lower: Vec<char> = target.to_lowercase().chars().collect();
    if lower.iter().any(|c| matches!(c, 'σ' | 'ς')) {
        return Err(Unsupported::new(format!(
            "case-insensitive comparison with `{target}`: Greek sigma lowercases by context"
        )));
    }
    // tails[i]: the strings whose lowercase is lower[i..].
    let n = lower.len();
    let mut tails: Vec<Re> = vec![Re::Empty; n + 1];
    if let Some(last) = tails.get_mut(n) {
        *last = Re::Eps;
    }
    for i in (0..n).rev() {
        let mut options = Vec::new();
        for k in 1..=3 {
            let (Some(chunk), Some(rest)) = (lower.get(i..i + k), tails.get(i + k)) else {
                continue;
            };
            if *rest == Re::Empty {
                continue;
            }
            let chars = preimage(chunk);
            if !chars.is_empty() {
                options.push(Re::concat(vec![
                    Re::Class(ReClass::set(chars)),
                    rest.clone(),
                ]));
            }
        }
        if let Some(slot) = tails.get_mut(i) {
            *slot = Re::union(options);
        }
    }
    Ok(tails.into_iter().next().unwrap_or(Re::Empty))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smt::{Outcome, Problem, Sort};
    use std::time::Duration;

    /// Is there a string that matches `pieces` and equals `text`?
    fn matches(pieces: &[Piece], text: &str) -> bool {
        let mut p = Problem::default();
        let s = p.declare("s", Sort::String);
        p.assert(&smt::eq(&s, &smt::str_lit(text).unwrap()));
        let goal = member(&s, pieces).unwrap();
        matches!(
            p.check(&goal, Duration::from_secs(10)).unwrap(),
            Outcome::Sat(_)
        )
    }

    fn glob(text: &str) -> Vec<Piece> {
        let mut pieces = Vec::new();
        push_glob_text(&mut pieces, text, Class::Any);
        pieces
    }

    #[test]
    fn globs_agree_with_the_model_pattern() {
        use iamspec_model::pattern::Pattern;
        for (pattern, subject) in [
            ("a*c?", "abbbcd"),
            ("a*c?", "abbbc"),
            ("*", ""),
            ("?", ""),
            ("?", "é"),
            ("a*b*c", "aXbYc"),
            ("a*b*c", "acb"),
            ("", ""),
            ("x", "X"),
        ] {
            assert_eq!(
                matches(&glob(pattern), subject),
                Pattern::new(pattern).matches(subject),
                "{pattern} ~ {subject}"
            );
        }
    }

    #[test]
    fn symbolic_pieces_sit_at_their_offsets() {
        let user = smt::str_lit("bob").unwrap();
        let mut pieces = glob("home/");
        pieces.push(Piece::Sym(user));
        pieces.extend(glob("/*"));
        assert!(matches(&pieces, "home/bob/x/y"));
        assert!(!matches(&pieces, "home/bobby/x"));
        assert!(!matches(&pieces, "home/alice/x"));
        let mut suffix = glob("*/");
        suffix.push(Piece::Sym(smt::str_lit("bob").unwrap()));
        assert!(matches(&suffix, "a/b/bob"));
        assert!(!matches(&suffix, "a/b/bo"));
        let mut between = glob("*/");
        between.push(Piece::Sym(smt::str_lit("bob").unwrap()));
        between.extend(glob("/*"));
        assert!(member(&Expr::raw("s"), &between).is_err());
    }

    #[test]
    fn case_preimages() {
        let check = |target: &str, subject: &str| {
            let mut p = Problem::default();
            let s = p.declare("s", Sort::String);
            p.assert(&smt::eq(&s, &smt::str_lit(subject).unwrap()));
            let goal = smt::in_re(&s, &lowercase_preimage(target).unwrap().to_smt().unwrap());
            matches!(
                p.check(&goal, Duration::from_secs(10)).unwrap(),
                Outcome::Sat(_)
            )
        };
        for (target, subject) in [
            ("abc", "ABC"),
            ("True", "tRUE"),
            ("true", "false"),
            ("k", "\u{212A}"),
            ("İ", "i\u{307}"),
            ("abc", "ab"),
        ] {
            assert_eq!(
                check(target, subject),
                subject.to_lowercase() == target.to_lowercase(),
                "{target} ~ {subject}"
            );
        }
        assert!(lowercase_preimage("Σ").is_err());
    }
}
