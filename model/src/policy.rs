//! The IAM policy language: the typed AST, parsing from JSON with paths, and validation per
//! policy kind (SEMANTICS.md §1).

mod ast;
mod draft;
mod err;
mod finding;
mod kind;
mod parse;
mod validate;

pub use ast::*;
pub use err::PolicyError;
pub use finding::{Finding, Severity};
pub use kind::PolicyKind;
pub use validate::PolicySize;

use crate::json::Json;

impl Policy {
    /// Parses a policy document from JSON text (structure only; see [`check`]).
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let json = Json::parse(text)?;
        Policy::from_json(&json)
    }

    /// Parses a policy document from a JSON tree (structure only; see [`check`]).
    pub fn from_json(json: &Json) -> Result<Policy, PolicyError> {
        parse::parse_policy(json).map_err(PolicyError::Invalid)
    }
}

/// Everything validation finds in `json` as a policy of `kind`: structural errors from parsing,
/// then the rules of the kind, checked on every part that parsed (a broken element does not hide
/// the problems of the others). `text` is the original document text when there is one (SCP and
/// RCP quotas count its whitespace). The policy is returned only when it parsed whole, with no
/// structural error: an error anywhere means no policy to evaluate (fail closed).
pub fn check(json: &Json, kind: PolicyKind, text: Option<&str>) -> (Option<Policy>, Vec<Finding>) {
    let (policy, findings, _) = check_measured(json, kind, text);
    (policy, findings)
}

/// [`check`], and the document's size when validation measured it (for the kinds with a quota,
/// when the document parsed far enough to be validated): lint reports closeness to the quota
/// and would otherwise measure a second time.
pub fn check_measured(
    json: &Json,
    kind: PolicyKind,
    text: Option<&str>,
) -> (Option<Policy>, Vec<Finding>, Option<PolicySize>) {
    let (draft, mut findings) = parse::parse_draft(json);
    let Some(draft) = draft else {
        return (None, findings, None);
    };
    let parsed = findings.is_empty();
    let mut measured = None;
    // Measured only for the kinds with a quota.
    let size = || {
        let size = PolicySize {
            without_whitespace: compact_chars(json),
            with_whitespace: text.map(|t| t.chars().count()),
        };
        measured = Some(size);
        size
    };
    findings.extend(validate::validate(&draft, kind, size));
    let policy = if parsed { draft.finish() } else { None };
    (policy, findings, measured)
}

/// `json.to_compact_string().chars().count()`, without writing the text: strings escaped as
/// serde_json escapes them (`"` and `\\` and `\b\t\n\f\r` in two characters, other control
/// characters as `\u00XX`). Validation and lint measure the quota with it.
pub fn compact_chars(json: &Json) -> usize {
    let string = |s: &str| {
        // Most strings are ASCII without anything to escape: their length is their size.
        if s.bytes()
            .all(|b| (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\')
        {
            return 2 + s.len();
        }
        2 + s
            .chars()
            .map(|c| match c {
                '"' | '\\' | '\u{8}' | '\t' | '\n' | '\u{c}' | '\r' => 2,
                '\u{0}'..='\u{1f}' => 6,
                _ => 1,
            })
            .sum::<usize>()
    };
    // Commas between n items: n - 1, and none for an empty list.
    let commas = |n: usize| n.saturating_sub(1);
    match json {
        Json::Null | Json::Bool(true) => 4,
        Json::Bool(false) => 5,
        Json::Number(n) => n.chars().count(),
        Json::String(s) => string(s),
        Json::Array(items) => {
            2 + commas(items.len()) + items.iter().map(compact_chars).sum::<usize>()
        }
        Json::Object(members) => {
            2 + commas(members.len())
                + members
                    .iter()
                    .map(|(key, value)| string(key) + 1 + compact_chars(value))
                    .sum::<usize>()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_measured_returns_the_size_validation_measured() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}}"#;
        let json = Json::parse(text).unwrap();
        let (_, _, size) = check_measured(&json, PolicyKind::Scp, Some(text));
        let size = size.unwrap();
        assert_eq!(
            size.without_whitespace,
            json.to_compact_string().chars().count()
        );
        assert_eq!(size.with_whitespace, Some(text.chars().count()));
        // Resource-based policies have no quota here: nothing is measured.
        assert!(check_measured(&json, PolicyKind::Resource, Some(text))
            .2
            .is_none());
    }

    #[test]
    fn compact_length_is_that_of_the_compact_text() {
        let every_early_char: String = (0u32..0x300).filter_map(char::from_u32).collect();
        let documents = [
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*", "Condition": {"NumericLessThan": {"n": -1.5e3}, "Bool": {"b": true}}}, null, false, [], {}]}"#.to_owned(),
            serde_json::json!({"Sid": every_early_char, "k\"\\\u{7f}é€𝄞": "\u{0}\u{1f}\u{8}\u{c}"}).to_string(),
            "{\"a\": \"\\u00e9\\/\\u0001\\n\"}".to_owned(),
        ];
        for text in documents {
            let json = Json::parse(&text).unwrap();
            assert_eq!(
                compact_chars(&json),
                json.to_compact_string().chars().count(),
                "{text}"
            );
        }
    }
}
