//! Resource patterns (D11): matched against the whole ARN. AWS documents that wildcards work
//! "within the individual segments of an ARN" and that "if the `*` wildcard is the last character
//! of a resource ARN segment, it can expand to match beyond the colon boundaries"
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>).
//! So in the first five fields `?` and an inner `*` do not match `:`, a `*` that ends its field
//! matches any run, and in the sixth field (the resource, which keeps its own colons) both match
//! anything.
//!
//! Matching simulates the pattern's NFA with one bit per position, a machine word at a time: time
//! O(|arn| · ⌈|pattern| / 64⌉), no backtracking, whatever the pattern.

use super::split_fields;
use crate::condition::variables::Template;
use crate::pattern::Pattern;
use crate::request::Context;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    /// `?`: one character; `colon` says whether that may be `:`.
    One {
        colon: bool,
    },
    /// `*`: any run; `colon` says whether it may contain `:`.
    Run {
        colon: bool,
    },
}

/// A compiled `Resource` entry (not the bare `*`, which matches everything).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourcePattern {
    /// When no token is barred from `:`, the pattern is a plain glob over the whole ARN, and the
    /// segment matcher of `pattern.rs` (linear in the subject) answers instead of the NFA.
    plain: Option<Pattern>,
    tokens: Vec<Token>,
    words: usize,
    run: Vec<u64>,
    run_colon: Vec<u64>,
    one: Vec<u64>,
    one_colon: Vec<u64>,
    /// Positions of each literal character, sorted by character.
    chars: Vec<(char, Vec<u64>)>,
}

impl ResourcePattern {
    /// Compiles `text`. Variables are substituted in the sixth field when `variables` is given
    /// (Version 2012-10-17); `None` when one cannot be resolved: the entry matches nothing (D36).
    pub fn new(text: &str, variables: Option<&Context>) -> Option<ResourcePattern> {
        let fields = split_fields(text);
        let mut tokens = Vec::with_capacity(text.len());
        for (index, field) in fields.iter().enumerate() {
            if index > 0 {
                tokens.push(Token::Char(':'));
            }
            if index == 5 {
                let pieces = match variables {
                    Some(context) => Template::parse(field).substitute(context).ok()?,
                    None => vec![((*field).to_owned(), true)],
                };
                for (piece, wild) in &pieces {
                    for c in piece.chars() {
                        tokens.push(match c {
                            '*' if *wild => Token::Run { colon: true },
                            '?' if *wild => Token::One { colon: true },
                            c => Token::Char(c),
                        });
                    }
                }
            } else {
                let mut chars = field.chars().peekable();
                while let Some(c) = chars.next() {
                    tokens.push(match c {
                        '*' => Token::Run {
                            colon: chars.peek().is_none(),
                        },
                        '?' => Token::One { colon: false },
                        c => Token::Char(c),
                    });
                }
            }
        }
        let tokens = normalize(tokens);
        let restricted = tokens
            .iter()
            .any(|t| matches!(t, Token::Run { colon: false } | Token::One { colon: false }));
        if !restricted {
            return Some(ResourcePattern {
                plain: Some(plain_glob(&tokens)),
                ..ResourcePattern::compile(Vec::new())
            });
        }
        Some(ResourcePattern::compile(tokens))
    }

    fn compile(tokens: Vec<Token>) -> ResourcePattern {
        let words = (tokens.len() + 1).div_ceil(64);
        let mut pattern = ResourcePattern {
            plain: None,
            words,
            run: vec![0; words],
            run_colon: vec![0; words],
            one: vec![0; words],
            one_colon: vec![0; words],
            chars: Vec::new(),
            tokens: Vec::new(),
        };
        for (i, token) in tokens.iter().enumerate() {
            let (word, bit) = (i / 64, 1u64 << (i % 64));
            let set = |mask: &mut Vec<u64>| {
                if let Some(w) = mask.get_mut(word) {
                    *w |= bit;
                }
            };
            match *token {
                Token::Run { colon } => {
                    set(&mut pattern.run);
                    if colon {
                        set(&mut pattern.run_colon);
                    }
                }
                Token::One { colon } => {
                    set(&mut pattern.one);
                    if colon {
                        set(&mut pattern.one_colon);
                    }
                }
                Token::Char(c) => match pattern.chars.binary_search_by_key(&c, |(k, _)| *k) {
                    Ok(at) => {
                        if let Some((_, mask)) = pattern.chars.get_mut(at) {
                            set(mask);
                        }
                    }
                    Err(at) => {
                        let mut mask = vec![0; words];
                        set(&mut mask);
                        pattern.chars.insert(at, (c, mask));
                    }
                },
            }
        }
        pattern.tokens = tokens;
        pattern
    }

    /// Does the pattern match the whole `arn`?
    pub fn matches(&self, arn: &str) -> bool {
        if let Some(plain) = &self.plain {
            return plain.matches(arn);
        }
        let mut state = vec![0u64; self.words];
        if let Some(first) = state.first_mut() {
            *first = 1;
        }
        self.close(&mut state);
        let mut next = vec![0u64; self.words];
        for c in arn.chars() {
            let (one, run) = if c == ':' {
                (&self.one_colon, &self.run_colon)
            } else {
                (&self.one, &self.run)
            };
            let literal = self
                .chars
                .binary_search_by_key(&c, |(k, _)| *k)
                .ok()
                .and_then(|at| self.chars.get(at))
                .map(|(_, mask)| mask);
            let mut carry = 0u64;
            let mut any = 0u64;
            for (w, slot) in next.iter_mut().enumerate() {
                let old = state.get(w).copied().unwrap_or(0);
                let lit = literal.and_then(|m| m.get(w)).copied().unwrap_or(0);
                let advance = old & (lit | one.get(w).copied().unwrap_or(0));
                let stay = old & run.get(w).copied().unwrap_or(0);
                *slot = (advance << 1) | carry | stay;
                carry = advance >> 63;
                any |= *slot;
            }
            if any == 0 {
                return false;
            }
            std::mem::swap(&mut state, &mut next);
            self.close(&mut state);
        }
        let last = self.tokens.len();
        state
            .get(last / 64)
            .is_some_and(|w| w & (1u64 << (last % 64)) != 0)
    }

    /// A `*` may match nothing: a state before one also stands after it. Adjacent runs are merged,
    /// so one step suffices.
    fn close(&self, state: &mut [u64]) {
        let mut carry = 0u64;
        for (w, slot) in state.iter_mut().enumerate() {
            let skip = *slot & self.run.get(w).copied().unwrap_or(0);
            *slot |= (skip << 1) | carry;
            carry = skip >> 63;
        }
    }
}

/// The tokens as a glob whose literal characters stay literal.
fn plain_glob(tokens: &[Token]) -> Pattern {
    let mut pieces: Vec<(String, bool)> = Vec::new();
    for token in tokens {
        match *token {
            Token::Char(c) => match pieces.last_mut() {
                Some((text, false)) => text.push(c),
                _ => pieces.push((c.to_string(), false)),
            },
            Token::Run { .. } => pieces.push(("*".to_owned(), true)),
            Token::One { .. } => pieces.push(("?".to_owned(), true)),
        }
    }
    Pattern::from_pieces(pieces.iter().map(|(t, w)| (t.as_str(), *w)))
}

/// Merges adjacent runs (`**`) into one that may cross colons if either may.
fn normalize(tokens: Vec<Token>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for token in tokens {
        match (out.last_mut(), token) {
            (Some(Token::Run { colon: a }), Token::Run { colon: b }) => *a |= b,
            _ => out.push(token),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, arn: &str) -> bool {
        ResourcePattern::new(pattern, None).unwrap().matches(arn)
    }

    // D11: within the sixth field `*` crosses `/` and `:`.
    #[test]
    fn sixth_field() {
        assert!(m(
            "arn:aws:s3:::bucket/*/test/*",
            "arn:aws:s3:::bucket/1/2/test/3/x.jpg"
        ));
        assert!(m(
            "arn:aws:s3:::bucket/*/test/*",
            "arn:aws:s3:::bucket//test/x"
        ));
        assert!(!m(
            "arn:aws:s3:::bucket/*/test/*",
            "arn:aws:s3:::bucket/test/x"
        ));
        assert!(m(
            "arn:aws:logs:*:*:log-group:g:*",
            "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s"
        ));
        assert!(m("arn:aws:s3:::b?cket", "arn:aws:s3:::b:cket"));
    }

    // D11: a `*` ending one of the first five fields expands beyond colons; an inner one does not.
    #[test]
    fn trailing_star_crosses_colons() {
        assert!(m(
            "arn:aws:ec2:*:instance/i-1",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        ));
        assert!(m("arn:aws:s3:*", "arn:aws:s3:::bucket/key"));
        assert!(m(
            "arn:aws:logs:*:*:*",
            "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s"
        ));
        assert!(!m(
            "arn:aws:ec2:us-*-1:instance/i-1",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        ));
        assert!(m(
            "arn:aws:ec2:us-east-?:111122223333:instance/i-1",
            "arn:aws:ec2:us-east-1:111122223333:instance/i-1"
        ));
        assert!(!m(
            "arn:aws:ec2:u?:111122223333:instance/i-1",
            "arn:aws:ec2:u::111122223333:instance/i-1"
        ));
    }

    // D12: no padding: a short pattern without a trailing `*` matches nothing longer.
    #[test]
    fn short_patterns_are_not_padded() {
        assert!(!m("arn:aws:s3", "arn:aws:s3:::bucket"));
        assert!(!m("arn:aws:s3:::", "arn:aws:s3:::bucket"));
        assert!(m("arn:aws:s3:::", "arn:aws:s3:::"));
    }

    #[test]
    fn case_sensitive_everywhere() {
        assert!(!m("arn:aws:s3:::Bucket/*", "arn:aws:s3:::bucket/x"));
        assert!(!m("arn:AWS:s3:::bucket/*", "arn:aws:s3:::bucket/x"));
    }

    #[test]
    fn long_patterns_span_words() {
        let name = "x".repeat(150);
        let pattern = format!("arn:aws:s3:::{name}*{name}?");
        assert!(m(&pattern, &format!("arn:aws:s3:::{name}{name}!")));
        assert!(m(&pattern, &format!("arn:aws:s3:::{name}:/:{name}!")));
        assert!(!m(&pattern, &format!("arn:aws:s3:::{name}{name}")));
    }

    // Both forms agree: the NFA (restricted tokens present) and the plain glob.
    #[test]
    fn plain_and_nfa_agree() {
        let arn = "arn:aws:s3:::a*b/c?d";
        for (pattern, expected) in [
            ("arn:aws:s3:::a*", true),
            ("arn:aws:s3:::a?b/*", true),
            ("arn:aws:s3:*", true),
            ("arn:aws:s?:::a*", true),
            ("arn:aws:s?:::b*", false),
            ("arn:aws:s*3:::a*", true),
        ] {
            assert_eq!(m(pattern, arn), expected, "{pattern}");
        }
        assert!(ResourcePattern::new("arn:aws:s3:::a*", None)
            .unwrap()
            .plain
            .is_some());
        assert!(ResourcePattern::new("arn:aws:s*3:::a*", None)
            .unwrap()
            .plain
            .is_none());
    }

    // Hostile patterns stay linear in the subject (the NFA never backtracks).
    #[test]
    fn hostile_pattern() {
        let subject = format!("arn:aws:s3:::{}", "a".repeat(200_000));
        assert!(!m("arn:aws:s3:::*a*a*a*a*a*a*a*a*b", &subject));
        assert!(m("arn:aws:s3:::*a*a*a*a*a*a*a*a*", &subject));
    }

    // §3.6, D35, D36: variables in the sixth field, literal characters, unresolved = nothing.
    #[test]
    fn variables() {
        use crate::request::ContextValue;
        let mut ctx = Context::default();
        ctx.insert("aws:username", ContextValue::Single("a*".into()));
        let p = ResourcePattern::new("arn:aws:s3:::home/${aws:username}/*", Some(&ctx)).unwrap();
        assert!(p.matches("arn:aws:s3:::home/a*/f"));
        assert!(!p.matches("arn:aws:s3:::home/ab/f"));
        assert!(ResourcePattern::new("arn:aws:s3:::home/${aws:userid}", Some(&ctx)).is_none());
        let literal = ResourcePattern::new("arn:aws:s3:::home/${aws:username}", None).unwrap();
        assert!(literal.matches("arn:aws:s3:::home/${aws:username}"));
    }
}
