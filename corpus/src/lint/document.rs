//! The document as a whole: closeness to its size quota and the legacy language version.
//! (Validation reports the quota itself, a missing `Version` and variables under 2008-10-17.)

use super::Linter;
use iamspec_model::json::JsonPath;
use iamspec_model::policy::{compact_chars, PolicyKind, Version};

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
            // Validation measured it (the kinds with a quota, whenever lint runs).
            _ if linter.size.is_some() => linter.size.map_or(0, |size| {
                if whitespace_counts {
                    size.with_whitespace.unwrap_or(size.without_whitespace)
                } else {
                    size.without_whitespace
                }
            }),
            (true, Some(text)) => text.chars().count(),
            // The compact text is never longer than the text it was read from (numbers keep
            // their text, strings lose escapes at most, whitespace goes): a text within nine
            // tenths of the quota in bytes cannot be near it, and is not measured again
            // (measuring was a tenth of lint's time).
            (false, Some(text)) if text.len() * 10 <= limit * 9 => return legacy(linter),
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
    legacy(linter);
}

fn legacy(linter: &mut Linter<'_, '_>) {
    if linter.policy.version == Version::V2008_10_17 {
        linter.emit(
            "legacy-version",
            JsonPath::root().key("Version"),
            "`2008-10-17` is the legacy policy language, without policy variables; use `2012-10-17`",
        );
    }
}
