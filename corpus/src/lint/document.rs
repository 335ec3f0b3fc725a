//! The document as a whole: closeness to its size quota and the legacy language version.
//! (Validation reports the quota itself, a missing `Version` and variables under 2008-10-17.)

use super::Linter;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::{PolicyKind, Version};

/// The quota of SEMANTICS.md §1.6 that validation enforces, and whether whitespace counts. A
/// trust policy is measured against its default quota, 2,048.
fn quota(kind: PolicyKind) -> Option<(usize, bool)> {
    match kind {
        PolicyKind::Identity | PolicyKind::PermissionBoundary => Some((6_144, false)),
        PolicyKind::Session | PolicyKind::Trust => Some((2_048, false)),
        PolicyKind::Scp | PolicyKind::Rcp => Some((5_120, true)),
        PolicyKind::Resource | PolicyKind::VpcEndpoint => None,
    }
}

pub(crate) fn check(linter: &mut Linter<'_, '_>) {
    if let Some((limit, whitespace_counts)) = quota(linter.kind) {
        let size = match (whitespace_counts, linter.text) {
            (true, Some(text)) => text.chars().count(),
            _ => compact_chars(linter.json),
        };
        // Within the last tenth of the quota, but not over it (validation reports that).
        if size * 10 > limit * 9 && size <= limit {
            linter.emit(
                "policy-size-near-quota",
                JsonPath::root(),
                format!(
                    "the policy is {size} characters{}, {}% of the {limit} a {} may have; little room is left to add to it",
                    if whitespace_counts { "" } else { " without whitespace" },
                    size * 100 / limit,
                    linter.kind.aws_name()
                ),
            );
        }
    }
    if linter.policy.version == Version::V2008_10_17 {
        linter.emit(
            "legacy-version",
            JsonPath::root().key("Version"),
            "`2008-10-17` is the legacy policy language, without policy variables; use `2012-10-17`",
        );
    }
}

/// `json.to_compact_string().chars().count()` without writing the text: strings escaped as
/// serde_json escapes them (`"`, `\\` and `\b\t\n\f\r` in two characters, other control
/// characters as `\u00XX`), as validation measures the quota.
fn compact_chars(json: &Json) -> usize {
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
    fn compact_length_is_that_of_the_compact_text() {
        let every_early_char: String = (0u32..0x300).filter_map(char::from_u32).collect();
        let documents = [
            r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*"], "Resource": "*", "Condition": {"NumericLessThan": {"n": -1.5e3}, "Bool": {"b": true}}}, null, false, [], {}]}"#.to_owned(),
            serde_json::json!({"Sid": every_early_char, "k\"\\\u{7f}é€𝄞": "\u{0}\u{1f}\u{8}\u{c}"}).to_string(),
            "{\"a\": \"\\u00e9\\/\\u0001\\n\"}".to_owned(),
        ];
        for text in documents {
            let json = Json::parse(&text).unwrap();
            let compact = json.to_compact_string().chars().count();
            assert_eq!(compact_chars(&json), compact, "{text}");
        }
    }
}
