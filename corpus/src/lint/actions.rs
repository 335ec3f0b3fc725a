//! `Action`/`NotAction` entries against the catalogue: unknown services and actions, patterns
//! that match nothing, spelling, duplicates and entries covered by others.

use super::cover::ActionCover;
use super::index::{candidate_order, literal_prefix, PrefixIndex, SMALL};
use super::nocase::NoCase;
use super::{same_folded, Linter, StatementFacts};
use iamspec_model::hash::FxMap;
use iamspec_model::pattern::fold_case;
use iamspec_model::policy::Effect;
use std::cell::OnceCell;
use std::collections::HashSet;

pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let catalogue = linter.catalogue;
    let version = || catalogue.source().version.as_str();
    for pattern in facts.patterns {
        let text = pattern.text;
        // The colon by a walk over the few bytes before it, not a byte search set up for long
        // texts.
        let colon = text.bytes().position(|b| b == b':');
        let Some((prefix, name)) =
            colon.and_then(|at| Some((text.get(..at)?, text.get(at + 1..)?)))
        else {
            continue; // `*`, or malformed (validation reports `invalid-action`)
        };
        if !well_formed(prefix, name) {
            continue;
        }
        if !pattern.service_known {
            linter.emit(
                "unknown-service",
                pattern.path(),
                format!(
                    "`{text}`: no service has the prefix `{prefix}` (catalogue {})",
                    version()
                ),
            );
        } else if pattern.actions.is_empty() {
            if pattern.has_wildcards {
                linter.emit(
                    "action-matches-nothing",
                    pattern.path(),
                    format!("`{text}` matches no action (catalogue {})", version()),
                );
            } else {
                linter.emit(
                    "unknown-action",
                    pattern.path(),
                    format!(
                        "`{text}`: service `{prefix}` has no action `{name}` (catalogue {})",
                        version()
                    ),
                );
            }
        } else if !pattern.has_wildcards {
            if let Some(action) = pattern.actions.first() {
                // Most entries are spelt as documented: no string is built for those.
                let as_documented = pattern
                    .documented
                    .unwrap_or_else(|| super::shared::documented(text, Some(action)));
                if !as_documented {
                    let documented = action.to_string();
                    linter.emit(
                        "action-case",
                        pattern.path(),
                        format!("`{text}` is documented as `{documented}`; action names are case-insensitive, but the documented spelling reads better"),
                    );
                }
            }
        }
        let service_wide = name == "*" && !super::has_wildcard(prefix) && pattern.service_known;
        if service_wide
            && facts.statement.effect == Effect::Allow
            && !facts.statement.action.negated
        {
            linter.emit(
                "full-service-access",
                pattern.path(),
                format!("`{text}` allows every action of `{prefix}`, including actions added later; list the actions needed (least privilege)"),
            );
        }
    }
    duplicates_and_redundancy(linter, facts);
}

/// What validation accepts as an action (anything else it reports as `invalid-action`).
/// Tested by bytes, one table look-up each: every allowed character is ASCII, and no byte of a
/// longer character is.
fn well_formed(prefix: &str, name: &str) -> bool {
    let all = |text: &str, allowed: &[bool; 256]| {
        text.bytes()
            .all(|b| allowed.get(usize::from(b)).copied().unwrap_or(false))
    };
    !prefix.is_empty() && !name.is_empty() && all(prefix, &PREFIX_BYTES) && all(name, &NAME_BYTES)
}

/// The bytes of a service prefix and of an action name, as [`well_formed`] allows them.
const PREFIX_BYTES: [bool; 256] = allowed(b"-*?");
const NAME_BYTES: [bool; 256] = allowed(b"-_.*?");

/// ASCII letters and digits, and `extra`. (Slice patterns, not indexing: the table is built
/// at compile time, where `get` is not available.)
const fn allowed(extra: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut rest: &mut [bool] = &mut table;
    let mut byte = 0u8;
    while let [slot, tail @ ..] = rest {
        let mut listed = byte.is_ascii_alphanumeric();
        let mut others = extra;
        while let [first, others_tail @ ..] = others {
            listed = listed || *first == byte;
            others = others_tail;
        }
        *slot = listed;
        rest = tail;
        byte = byte.wrapping_add(1);
    }
    table
}

fn duplicates_and_redundancy(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let patterns = facts.patterns;
    if patterns.len() <= SMALL {
        return duplicates_and_redundancy_small(linter, facts);
    }
    // Only an entry with wildcards can cover a different entry; compile those once, and find
    // the ones that may cover an entry through their literal prefixes (linear, `index.rs`).
    let covers: Vec<(&str, ActionCover)> = patterns
        .iter()
        .filter(|p| p.has_wildcards)
        .map(|p| (p.text, ActionCover::new(p.text)))
        .collect();
    let mut index = PrefixIndex::new();
    for (at, (text, _)) in covers.iter().enumerate() {
        index.insert(text, false, at);
    }
    // Repeats up to case: for ASCII entries (all but hostile ones) by ASCII case, which is
    // what folding does to them, without a folded copy of each entry.
    let mut seen_ascii: FxMap<NoCase<'_>, ()> = FxMap::default();
    if facts.ascii {
        seen_ascii.reserve(patterns.len());
    }
    let mut seen: HashSet<String> = HashSet::new();
    for pattern in patterns {
        let fresh = if facts.ascii {
            seen_ascii.insert(NoCase(pattern.text), ()).is_none()
        } else {
            seen.insert(fold_case(pattern.text).into_owned())
        };
        if !fresh {
            linter.emit(
                "duplicate-action",
                pattern.path(),
                format!("`{}` is listed twice", pattern.text),
            );
            continue;
        }
        let mut cover = None;
        index.any(pattern.text, |at| {
            cover = covers
                .get(at)
                .filter(|(text, c)| !same_folded(text, pattern.text) && c.covers(pattern.text));
            cover.is_some()
        });
        if let Some((text, _)) = cover {
            linter.emit(
                "redundant-action",
                pattern.path(),
                format!(
                    "`{}` is already matched by `{text}` in the same statement",
                    pattern.text
                ),
            );
        }
    }
}

/// Whether `text` starts with `prefix`, ASCII case aside.
fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// [`duplicates_and_redundancy`] for a few entries: every pair compared, no tables.
fn duplicates_and_redundancy_small(
    linter: &mut Linter<'_, '_>,
    facts: &StatementFacts<'_, '_, '_>,
) {
    let patterns = facts.patterns;
    // Each wildcard entry is compiled when first compared with an entry its literal prefix
    // leads to (10,000 statements on `s3:GetObject` and `s3:List*` never need `s3:List*`).
    // In one buffer across statements, not a vector per statement.
    let mut covers = std::mem::take(&mut linter.action_covers);
    covers.clear();
    for (at, pattern) in patterns.iter().enumerate() {
        if pattern.has_wildcards {
            covers.push((at, OnceCell::new()));
        }
    }
    covers.sort_by_key(|(at, _)| {
        candidate_order(patterns.get(*at).map_or("", |p| p.text), false, *at)
    });
    for (at, pattern) in patterns.iter().enumerate() {
        let mine = pattern.text;
        let earlier = patterns.get(..at).unwrap_or(&[]);
        if earlier.iter().any(|p| same_folded(p.text, mine)) {
            linter.emit(
                "duplicate-action",
                pattern.path(),
                format!("`{}` is listed twice", pattern.text),
            );
            continue;
        }
        let cover = covers.iter().find_map(|(other, cover)| {
            let text = patterns.get(*other)?.text;
            if same_folded(text, mine) {
                return None;
            }
            // For ASCII entries (the pattern compares them by ASCII case), a cover matches
            // only texts that start with its literal prefix, up to case.
            if facts.ascii && !starts_with_ignoring_case(mine, literal_prefix(text, false)) {
                return None;
            }
            cover
                .get_or_init(|| ActionCover::new(text))
                .covers(pattern.text)
                .then_some(text)
        });
        if let Some(text) = cover {
            linter.emit(
                "redundant-action",
                pattern.path(),
                format!(
                    "`{}` is already matched by `{text}` in the same statement",
                    pattern.text
                ),
            );
        }
    }
    linter.action_covers = covers;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_tables_allow_what_the_form_does() {
        for b in 0..=255u8 {
            let alnum = b.is_ascii_alphanumeric();
            assert_eq!(
                PREFIX_BYTES[usize::from(b)],
                alnum || matches!(b, b'-' | b'*' | b'?'),
                "{b}"
            );
            assert_eq!(
                NAME_BYTES[usize::from(b)],
                alnum || matches!(b, b'-' | b'_' | b'.' | b'*' | b'?'),
                "{b}"
            );
        }
        assert!(well_formed("s3", "Get*"));
        assert!(!well_formed("s3", "Gét"));
        assert!(!well_formed("", "Get"));
    }
}
