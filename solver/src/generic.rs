//! Facts about tests with policy variables that hold for every value of the variables, added to
//! the abstraction (where each such test is an unconstrained Boolean) so that it can prove more.
//!
//! A test `s ∈ L(p(V))` substitutes the variables' values `V` literally (D35). Write `p§` for
//! the pattern with each variable replaced by a fresh letter `§` (one per key). Every string
//! of `L(p(V))` is `h(s')` for some `s' ∈ L(p§)`, where `h` replaces each `§` by its value (put
//! `§` where the variable was matched). If `L(p§) ⊆ L(q§)` then `s' ∈ L(q§)`, and when `q`
//! has no `?` (a `?` could match a `§` whose value is not one character), `h(s') ∈ L(q(V))`:
//! a `*` matches whatever `h` makes of the letters it covered. So `L(p(V)) ⊆ L(q(V))` for
//! every `V` in which `p`'s variables resolve; when `q`'s variables are among `p`'s, they
//! resolve too (D36: an unresolvable variable makes `p` match nothing). Then `p` implies `q`.
//!
//! Only plain templates are related: no default values, no escapes, and for resources the
//! first five fields written alike and without variables (D37 substitutes only the sixth).

use crate::regex::{Class, Re};
use iamspec_model::arn::split_fields;
use iamspec_model::condition::variables::{Part, Template};

/// A test with variables that the abstraction stands for by one Boolean.
#[derive(Clone, Debug)]
pub enum Test {
    /// A `Resource` entry against the request's resource.
    Resource { pattern: String },
    /// A condition value against one value slot of a key: `like` for `StringLike` (globs),
    /// otherwise `StringEquals` (literal).
    Value {
        like: bool,
        key: String,
        slot: usize,
        value: String,
    },
}

/// The part of a test compared with the generic letters, and what else must be equal.
struct Shape {
    /// Resource: the first five fields; value: the key, slot.
    context: String,
    re: Re,
    has_question: bool,
    variables: Vec<String>,
}

fn shape(test: &Test, letters: &mut Vec<String>) -> Option<Shape> {
    let (context, text, globs) = match test {
        Test::Resource { pattern } => {
            let fields = split_fields(pattern);
            if fields.len() < 6 {
                return None;
            }
            let (head, tail) = fields.split_at(5);
            let head = head.join(":");
            if head.contains("${") {
                return None;
            }
            (format!("resource {head}"), tail.join(":"), true)
        }
        Test::Value {
            like,
            key,
            slot,
            value,
        } => (format!("value {key} {slot}"), value.clone(), *like),
    };
    let template = Template::parse(&text);
    let mut parts = Vec::new();
    let mut variables = Vec::new();
    let mut has_question = false;
    for part in &template.parts {
        match part {
            Part::Text(t) if globs => {
                for c in t.chars() {
                    parts.push(match c {
                        '*' => Re::all(),
                        '?' => {
                            has_question = true;
                            Re::repeat(Class::any(), 1)
                        }
                        other => Re::lit(&other.to_string()),
                    });
                }
            }
            Part::Text(t) => parts.push(Re::lit(t)),
            Part::Variable { key, default: None } => {
                let key = key.to_ascii_lowercase();
                let index = match letters.iter().position(|k| *k == key) {
                    Some(i) => i,
                    None => {
                        letters.push(key.clone());
                        letters.len() - 1
                    }
                };
                let letter = char::from_u32(0xE000 + u32::try_from(index).ok()?)?;
                parts.push(Re::lit(&letter.to_string()));
                if !variables.contains(&key) {
                    variables.push(key);
                }
            }
            _ => return None,
        }
    }
    Some(Shape {
        context,
        re: Re::concat(parts),
        has_question,
        variables,
    })
}

/// The pairs `(i, j)` of `tests` such that test `i` implies test `j` for every value of the
/// variables (see the module comment).
pub fn implications(tests: &[Test]) -> Vec<(usize, usize)> {
    let mut letters = Vec::new();
    let shapes: Vec<Option<Shape>> = tests.iter().map(|t| shape(t, &mut letters)).collect();
    let mut found = Vec::new();
    for (i, p) in shapes.iter().enumerate() {
        let Some(p) = p else { continue };
        for (j, q) in shapes.iter().enumerate() {
            let Some(q) = q else { continue };
            if i == j
                || p.context != q.context
                || q.has_question
                || !q.variables.iter().all(|v| p.variables.contains(v))
            {
                continue;
            }
            if included(&p.re, &q.re) {
                found.push((i, j));
            }
        }
    }
    found
}

/// `L(p) ⊆ L(q)`: no region of the two languages is in `p` and not in `q`.
fn included(p: &Re, q: &Re) -> bool {
    match crate::regex::regions_within(&Re::all(), &[p.clone(), q.clone()], &[], 20_000) {
        Ok(Some(regions)) => !regions
            .signatures
            .iter()
            .any(|s| s.first() == Some(&true) && s.get(1) == Some(&false)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resource(p: &str) -> Test {
        Test::Resource {
            pattern: p.to_owned(),
        }
    }

    fn value(like: bool, v: &str) -> Test {
        Test::Value {
            like,
            key: "s3:prefix".into(),
            slot: 0,
            value: v.into(),
        }
    }

    #[test]
    fn home_directories() {
        let tests = [
            resource("arn:aws:s3:::b/home/${aws:username}/x/*"),
            resource("arn:aws:s3:::b/home/${aws:username}/*"),
            resource("arn:aws:s3:::b/home/${aws:userid}/*"),
            resource("arn:aws:s3:::b/home/*/x/*"),
        ];
        let found = implications(&tests);
        assert!(found.contains(&(0, 1)));
        assert!(!found.contains(&(1, 0)));
        // A variable q has and p lacks may be absent: no implication.
        assert!(!found.contains(&(3, 0)) && !found.contains(&(1, 2)));
        // Dropping the variable only widens.
        assert!(found.contains(&(0, 3)));
    }

    #[test]
    fn like_and_equals_without_wildcards() {
        let tests = [
            value(true, "home/${aws:username}"),
            value(false, "home/${aws:username}"),
            value(true, "home/${aws:username}/*"),
            value(false, "home/${aws:username}/*"),
            value(true, "home/?${aws:username}"),
        ];
        let found = implications(&tests);
        assert!(found.contains(&(0, 1)) && found.contains(&(1, 0)));
        // StringEquals reads `*` literally: `home/V/*` is one string, inside the glob.
        assert!(found.contains(&(3, 2)) && !found.contains(&(2, 3)));
        // A `?` in the wider pattern could match a value of another length: not related.
        assert!(!found.iter().any(|&(_, j)| j == 4));
    }

    /// Each implication found holds for concrete values, checked with the model's matchers.
    #[test]
    fn implications_hold_for_concrete_values() {
        use iamspec_model::pattern::Pattern;
        let values = [
            "home/${aws:username}/*",
            "*${aws:username}*",
            "home/${aws:username}",
            "${aws:username}/x/*",
            "*/x/${aws:username}",
            "a*",
        ];
        let tests: Vec<Test> = values.iter().map(|v| value(true, v)).collect();
        let found = implications(&tests);
        assert!(!found.is_empty());
        let names = ["", "alice", "a*b", "x/y", "/", "?"];
        let subjects = [
            "home/alice/",
            "home/a*b/q",
            "alice",
            "xalicex",
            "x/y/x/1",
            "home//",
            "a/x/",
            "q/x/alice",
            "a",
        ];
        for (i, j) in found {
            for name in names {
                let sub = |v: &str| v.replace("${aws:username}", &name.replace('*', "\u{1}"));
                let (p, q) = (sub(values[i]), sub(values[j]));
                for s in subjects {
                    let s = s.replace('*', "\u{1}");
                    if Pattern::new(&p).matches(&s) {
                        assert!(
                            Pattern::new(&q).matches(&s),
                            "{} ⊄ {} at {name:?}: {s}",
                            values[i],
                            values[j]
                        );
                    }
                }
            }
        }
    }
}
