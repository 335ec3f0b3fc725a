//! `Condition` blocks: unknown keys, keys the statement's actions never see, operators that do
//! not fit the key's type or value count, and known pitfalls (MFA, private addresses, wildcards).

use super::global_keys::{global_key, is_epoch_time, GlobalKey};
use super::{ClausePath, KeySupport, LintSeverity, Linter, StatementFacts};
use crate::catalogue::{ActionRef, Catalogue, ConditionKey, ConditionKeyType};
use iamspec_model::condition::value::Cidr;
use iamspec_model::condition::{Comparison, SetQualifier, ValueType};
use iamspec_model::json::JsonPath;
use iamspec_model::pattern::fold_case;
use iamspec_model::policy::{ConditionClause, Effect};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

/// What a condition key is, as far as lint can tell.
#[derive(Clone, Copy)]
enum Key<'c> {
    Global(&'static GlobalKey),
    /// A service key from the catalogue.
    Service(&'c ConditionKey),
    /// A key of an identity provider (`accounts.google.com:aud`, `saml:sub`): not in the catalogue.
    Provider,
    /// Unknown: reported once, then left alone.
    Unknown,
}

/// Keys with account or organization ids, where a wildcard has no valid use ("sensitive
/// condition keys" in AWS's global keys reference).
const SENSITIVE: &[&str] = &[
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:ResourceAccount",
    "aws:ResourceOrgID",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:VpceAccount",
    "aws:VpceOrgID",
];

const PRIVATE_V4: [(Ipv4Addr, u8); 3] = [
    (Ipv4Addr::new(10, 0, 0, 0), 8),
    (Ipv4Addr::new(172, 16, 0, 0), 12),
    (Ipv4Addr::new(192, 168, 0, 0), 16),
];

pub(crate) fn check<'c>(linter: &mut Linter<'c, '_>, facts: &StatementFacts<'c, '_, '_>) {
    let statement = facts.statement;
    if statement.condition.is_empty() {
        return;
    }
    let actions: &[ActionRef<'c>] = if facts.all_known() {
        facts.actions()
    } else {
        &[]
    };
    let mut verdicts = Vec::new();
    for clause in &statement.condition {
        let path = ClausePath::new(statement, clause);
        let key = resolve(linter, clause, &path);
        let ty = match &key {
            Key::Global(global) => Some(global.ty),
            Key::Service(key) => Some(key.ty()),
            Key::Provider | Key::Unknown => None,
        };
        if let Some(ty) = ty {
            types(linter, clause, ty, &path);
        }
        let seen = (!actions.is_empty()).then(|| {
            let resolved = match &key {
                Key::Service(key) => Some(*key),
                _ => None,
            };
            facts.set.support(&clause.key, resolved)
        });
        if let Some(seen) = &seen {
            verdicts.extend(support(facts, actions, seen, clause, &key, &path));
            partly(linter, facts, actions, seen, clause, &key, &path);
        }
        values(linter, facts, clause, &path);
    }
    let bounds_never_hold = super::bounds::check(linter, statement);
    report_verdicts(linter, verdicts, bounds_never_hold);
}

/// Finds the key ([`resolve_quietly`]); reports unknown, misspelt and deprecated keys.
fn resolve<'c>(
    linter: &mut Linter<'c, '_>,
    clause: &ConditionClause,
    path: &ClausePath<'_>,
) -> Key<'c> {
    let name = clause.key.as_str();
    let catalogue = linter.catalogue;
    let key = resolve_quietly(catalogue, name);
    match &key {
        Key::Global(global) => {
            let documented = global.name;
            let written = name.get(..documented.len()).unwrap_or(name);
            if written != documented {
                linter.emit(
                    "condition-key-case",
                    path.owned(),
                    format!("`{name}` is documented as `{documented}`{}; key names are case-insensitive, but the documented spelling reads better", if documented.ends_with('/') { "…" } else { "" }),
                );
            }
            if let Some(new) = global.replaced_by {
                linter.emit(
                    "deprecated-condition-key",
                    path.owned(),
                    format!("`{name}` is deprecated; use `{new}`"),
                );
            }
        }
        // A placeholder key (`…/tag-key`) differs from `name` in more than case: not a misspelling.
        Key::Service(key)
            if !key.is_template()
                && key.name() != name
                && key.name().eq_ignore_ascii_case(name) =>
        {
            linter.emit(
                "condition-key-case",
                path.owned(),
                format!("`{name}` is documented as `{}`; key names are case-insensitive, but the documented spelling reads better", key.name()),
            );
        }
        Key::Service(_) | Key::Provider => {}
        Key::Unknown => match name.split_once(':') {
            None if name.is_empty() => {}
            None => linter.emit(
                "unknown-service-condition-key",
                path.owned(),
                format!("`{name}` is not a condition key: keys are `service:name` or `aws:name`"),
            ),
            Some((prefix, _)) if prefix.eq_ignore_ascii_case("aws") => linter.emit(
                "unknown-global-condition-key",
                path.owned(),
                format!("`{name}` is not a global condition key"),
            ),
            Some((prefix, _)) => {
                let version = &catalogue.source().version;
                let why = if catalogue.service(prefix).is_some() {
                    format!("service `{prefix}` defines no condition key `{name}`")
                } else {
                    format!("no service has the prefix `{prefix}`")
                };
                linter.emit(
                    "unknown-service-condition-key",
                    path.owned(),
                    format!("`{name}`: {why} (catalogue {version})"),
                );
            }
        },
    }
    key
}

/// What [`resolve`] finds for `name`, without its findings.
fn resolve_quietly<'c>(catalogue: &'c Catalogue, name: &str) -> Key<'c> {
    match super::shared::embedded(catalogue) {
        Some(embedded) => resolve_kept(embedded, name),
        None => resolve_in(catalogue, name),
    }
}

/// [`resolve_in`] for the embedded catalogue, kept for the process by the key as written: a
/// key that is not its service's is looked for in every service, which is work sized by the
/// catalogue, not the document (a fortieth of linting the managed corpus, issue 13).
fn resolve_kept(embedded: &'static Catalogue, name: &str) -> Key<'static> {
    type Kept = iamspec_model::hash::FxMap<String, Key<'static>>;
    static TABLE: std::sync::OnceLock<std::sync::Mutex<Kept>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(Default::default);
    if let Some(found) = table.lock().ok().and_then(|t| t.get(name).copied()) {
        return found;
    }
    let key = resolve_in(embedded, name);
    if let Ok(mut table) = table.lock() {
        if table.len() < super::shared::LIMIT {
            table.insert(name.to_owned(), key);
        }
    }
    key
}

/// What the key `name` is in `catalogue`.
fn resolve_in<'c>(catalogue: &'c Catalogue, name: &str) -> Key<'c> {
    if let Some(global) = global_key(name) {
        return Key::Global(global);
    }
    let Some((prefix, _)) = name.split_once(':') else {
        return Key::Unknown;
    };
    if prefix.eq_ignore_ascii_case("aws") {
        return Key::Unknown;
    }
    if prefix.contains(['.', '/']) || prefix.eq_ignore_ascii_case("saml") {
        return Key::Provider;
    }
    let service = catalogue.service(prefix);
    if let Some(key) = service.and_then(|s| placeholder_key(s.condition_keys(), name)) {
        if service
            .and_then(|s| s.resolve_condition_key(name))
            .is_none()
        {
            return Key::Service(key);
        }
    }
    service
        .and_then(|service| service.resolve_condition_key(name))
        .or_else(|| {
            catalogue
                .services()
                .iter()
                .find_map(|service| service.resolve_condition_key(name))
        })
        .map_or(Key::Unknown, Key::Service)
}

/// The statement's actions (as indices into [`StatementFacts::actions`]) it never applies to
/// (D153): a condition whose operator is false when its key is absent, on a key that never
/// reaches them. A service key reaches the actions the catalogue lists it for; a global key
/// that services send only with some actions (`aws:ResourceTag/…`) reaches no action of a
/// service none of whose actions sees it (the catalogue's per-action lists of global keys are
/// incomplete, so a finer cut would hide real grants). Keys lint does not know (newer than the
/// catalogue, an identity provider's) are assumed to reach every action. Empty unless every
/// entry of a non-negated `Action` is known.
pub(crate) fn never_applies(
    catalogue: &Catalogue,
    facts: &StatementFacts<'_, '_, '_>,
) -> BTreeSet<usize> {
    let mut never = BTreeSet::new();
    let statement = facts.statement;
    if statement.condition.is_empty() || statement.action.negated || !facts.all_known() {
        return never;
    }
    let actions = facts.actions();
    for clause in &statement.condition {
        if absent_holds(clause) {
            continue;
        }
        match resolve_quietly(catalogue, &clause.key) {
            Key::Service(key) => {
                never.extend(facts.set.support(&clause.key, Some(key)).without.iter());
            }
            Key::Global(global) if global.per_action => {
                let seen = facts.set.support(&clause.key, None);
                never.extend(actions.iter().enumerate().filter_map(|(at, action)| {
                    seen.services_without
                        .contains(action.service().prefix())
                        .then_some(at)
                }));
            }
            Key::Global(_) | Key::Provider | Key::Unknown => {}
        }
    }
    never
}

/// A key the catalogue writes with a plain-word placeholder (`secretsmanager:ResourceTag/tag-key`)
/// that `name` instantiates (`secretsmanager:ResourceTag/Owner`).
fn placeholder_key<'c>(keys: &'c [ConditionKey], name: &str) -> Option<&'c ConditionKey> {
    let (head, tail) = name.split_once('/')?;
    if tail.is_empty() {
        return None;
    }
    keys.iter().find(|key| {
        key.name()
            .split_once('/')
            .is_some_and(|(key_head, key_tail)| {
                key_head.eq_ignore_ascii_case(head) && fold_case(key_tail).contains("key")
            })
    })
}

/// Operator against key type, and set qualifiers against single- or multivalued keys.
fn types(
    linter: &mut Linter<'_, '_>,
    clause: &ConditionClause,
    ty: ConditionKeyType,
    path: &ClausePath<'_>,
) {
    use ConditionKeyType as T;
    let op = clause.operator;
    let value_type = op.comparison.value_type();
    let name = &clause.key;
    let fits = match value_type {
        ValueType::Null => true,
        ValueType::String => matches!(ty, T::String | T::ArrayOfString | T::Arn | T::ArrayOfArn),
        ValueType::Arn => matches!(ty, T::Arn | T::ArrayOfArn),
        ValueType::Numeric => ty == T::Numeric || is_epoch_time(name),
        ValueType::Date => ty == T::Date,
        ValueType::Bool => matches!(ty, T::Bool | T::ArrayOfBool),
        ValueType::Ip => ty == T::IpAddress,
        ValueType::Binary => false,
    };
    if !fits {
        linter.emit(
            "operator-type-mismatch",
            path.owned(),
            format!(
                "`{}` compares {} values, but `{name}` is of type {ty}; use {}",
                clause.operator_text,
                value_type_name(value_type),
                operators_for(ty)
            ),
        );
    } else if value_type == ValueType::String && matches!(ty, T::Arn | T::ArrayOfArn) {
        linter.emit(
            "prefer-arn-operator",
            path.owned(),
            format!("`{name}` is an ARN: AWS recommends `ArnEquals`/`ArnLike`, which compare field by field, over `{}`", clause.operator_text),
        );
    }
    match (op.qualifier, ty.is_multivalued()) {
        (Some(SetQualifier::ForAllValues), false) => linter.emit(
            "for-all-values-single-valued",
            path.owned(),
            format!("`{name}` is single-valued: `ForAllValues:` also holds when the key is absent, which can allow more than meant; drop the qualifier"),
        ),
        (Some(SetQualifier::ForAnyValue), false) => linter.emit(
            "for-any-value-single-valued",
            path.owned(),
            format!("`{name}` is single-valued: `ForAnyValue:` adds nothing; drop the qualifier"),
        ),
        (None, true) if op.comparison != Comparison::Null => {
            // Certain for the documented global keys; the catalogue's service key types are
            // a snapshot that can be wrong, so there it is a warning.
            let severity = if global_key(name).is_some() {
                LintSeverity::Error
            } else {
                LintSeverity::Warning
            };
            linter.report(
                "missing-set-qualifier",
                severity,
                path.owned(),
                format!("`{name}` is multivalued: without `ForAllValues:` or `ForAnyValue:` `{}` never matches it (D21)", clause.operator_text),
            );
        }
        _ => {}
    }
}

fn value_type_name(value_type: ValueType) -> &'static str {
    match value_type {
        ValueType::String => "string",
        ValueType::Numeric => "numeric",
        ValueType::Date => "date",
        ValueType::Bool => "boolean",
        ValueType::Binary => "binary",
        ValueType::Ip => "IP address",
        ValueType::Arn => "ARN",
        ValueType::Null => "null",
    }
}

fn operators_for(ty: ConditionKeyType) -> &'static str {
    use ConditionKeyType as T;
    match ty {
        T::String | T::ArrayOfString => "a `String…` operator",
        T::Arn | T::ArrayOfArn => "an `Arn…` operator",
        T::Bool | T::ArrayOfBool => "`Bool`",
        T::Numeric => "a `Numeric…` operator",
        T::Date => "a `Date…` operator",
        T::IpAddress => "`IpAddress` or `NotIpAddress`",
    }
}

/// What one clause's key means for the statement's actions that never see it: the clause then
/// always holds for them, or never does. Conditions are ANDed, so once one clause never holds for
/// some services, "always holds" is no longer true of the statement there (issue 13): the
/// verdicts are collected per statement and reconciled before they are reported.
struct Verdict {
    id: &'static str,
    severity: LintSeverity,
    path: JsonPath,
    holds: bool,
    /// The services whose actions never see the key; `None`: every action of the statement.
    services: Option<BTreeSet<String>>,
    name: String,
    operator: String,
    consequence: &'static str,
}

/// Whether the statement's actions ever see the key; the verdict when some never do.
fn support(
    facts: &StatementFacts<'_, '_, '_>,
    actions: &[ActionRef<'_>],
    seen: &KeySupport<'_>,
    clause: &ConditionClause,
    key: &Key<'_>,
    path: &ClausePath<'_>,
) -> Option<Verdict> {
    let name = &clause.key;
    let holds = absent_holds(clause);
    match key {
        Key::Service(_) => {
            if seen.without.len() < actions.len() {
                return None;
            }
            Some(Verdict {
                id: "unsupported-condition-key",
                severity: LintSeverity::Warning,
                path: path.owned(),
                holds,
                services: None,
                name: name.to_string(),
                operator: clause.operator_text.to_string(),
                consequence: "",
            })
        }
        Key::Global(global) if global.per_action => {
            let missing: BTreeSet<String> = seen
                .services_without
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            if missing.is_empty() {
                return None;
            }
            let (id, severity, consequence) = match (facts.statement.effect, holds) {
                (Effect::Allow, false) => (
                    "unsupported-tag-key-allow",
                    LintSeverity::Suggestion,
                    "the condition never holds for them, so this `Allow` grants nothing there",
                ),
                (Effect::Allow, true) => (
                    "unsupported-tag-key-allow",
                    LintSeverity::SecurityWarning,
                    "the condition always holds for them, so the tag does not limit this `Allow` there",
                ),
                (Effect::Deny, false) => (
                    "unsupported-tag-key-deny",
                    LintSeverity::SecurityWarning,
                    "the condition never holds for them, so this `Deny` does not protect them",
                ),
                // The `Deny` then applies whatever the tags: stricter than meant, not weaker.
                (Effect::Deny, true) => return None,
            };
            Some(Verdict {
                id,
                severity,
                path: path.owned(),
                holds,
                services: Some(missing),
                name: name.to_string(),
                operator: clause.operator_text.to_string(),
                consequence,
            })
        }
        Key::Global(_) | Key::Provider | Key::Unknown => None,
    }
}

/// A service key that some of the statement's actions support and others do not (Access
/// Analyzer's "Unsupported action for condition key"): for the others the key is absent. Entries
/// with wildcards count through their catalogue expansion (the statement's action set, whose
/// support of each key is computed once, so this stays linear in the statements); the finding
/// then names the entries the actions come from.
fn partly(
    linter: &mut Linter<'_, '_>,
    facts: &StatementFacts<'_, '_, '_>,
    actions: &[ActionRef<'_>],
    seen: &KeySupport<'_>,
    clause: &ConditionClause,
    key: &Key<'_>,
    path: &ClausePath<'_>,
) {
    if !matches!(key, Key::Service(_)) || actions.len() < 2 {
        return;
    }
    let without = &seen.without;
    if without.is_empty() || without.len() == actions.len() {
        return;
    }
    let name = &clause.key;
    let shown: Vec<String> = without
        .iter()
        .take(5)
        .filter_map(|&at| actions.get(at))
        .map(|a| format!("`{a}`"))
        .collect();
    let more = without.len().saturating_sub(shown.len());
    let wildcards: Vec<String> = facts
        .patterns
        .iter()
        .filter(|p| p.has_wildcards)
        .take(3)
        .map(|p| format!("`{}`", p.text))
        .collect();
    let through = if wildcards.is_empty() {
        String::new()
    } else {
        format!(" (matched by {})", wildcards.join(", "))
    };
    let one = without.len() == 1;
    linter.emit(
        "condition-key-partly-supported",
        path.owned(),
        format!(
            "{}{}{through} never see{} `{name}`: for {} `{}` {}; put {} in a statement of {} own",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more")
            } else {
                String::new()
            },
            if one { "s" } else { "" },
            if one { "it" } else { "them" },
            clause.operator_text,
            if absent_holds(clause) {
                "always holds"
            } else {
                "never holds"
            },
            if one { "it" } else { "them" },
            if one { "its" } else { "their" },
        ),
    );
}

/// Reports the verdicts of one statement. A clause that never holds for some services decides
/// the statement there, so an "always holds" verdict keeps only the services no "never holds"
/// verdict covers, and is dropped when none is left; all of them when bounds on one key leave
/// no value (`bounds.rs`).
fn report_verdicts(linter: &mut Linter<'_, '_>, verdicts: Vec<Verdict>, bounds_never_hold: bool) {
    let never_everywhere =
        bounds_never_hold || verdicts.iter().any(|v| !v.holds && v.services.is_none());
    let never: BTreeSet<String> = verdicts
        .iter()
        .filter(|v| !v.holds)
        .filter_map(|v| v.services.as_ref())
        .flatten()
        .cloned()
        .collect();
    for mut verdict in verdicts {
        if verdict.holds {
            if never_everywhere {
                continue;
            }
            if let Some(services) = verdict.services.as_mut() {
                services.retain(|s| !never.contains(s));
                if services.is_empty() {
                    continue;
                }
            }
        }
        let name = &verdict.name;
        let message = match &verdict.services {
            None => format!(
                "no action of this statement supports `{name}`: the key is never in their requests, so `{}` {}",
                verdict.operator,
                if verdict.holds { "always holds" } else { "never holds" }
            ),
            Some(services) => {
                let shown: Vec<&str> = services.iter().take(5).map(String::as_str).collect();
                let more = services.len().saturating_sub(shown.len());
                let list = format!(
                    "{}{}",
                    shown.join(", "),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                );
                format!(
                    "no action of {list} in this statement supports `{name}`: {}",
                    verdict.consequence
                )
            }
        };
        let message = super::shorten(message);
        linter.report(verdict.id, verdict.severity, verdict.path, message);
    }
}

/// Whether the condition holds when the key is absent (`…IfExists`, negated operators,
/// `ForAllValues`, `Null: true`).
fn absent_holds(clause: &ConditionClause) -> bool {
    let op = clause.operator;
    if op.comparison == Comparison::Null {
        return clause.values.iter().any(|v| v.eq_ignore_ascii_case("true"));
    }
    op.if_exists || op.negated || op.qualifier == Some(SetQualifier::ForAllValues)
}

/// The values: counts, duplicates, wildcards, and the MFA and private-address pitfalls.
fn values(
    linter: &mut Linter<'_, '_>,
    facts: &StatementFacts<'_, '_, '_>,
    clause: &ConditionClause,
    path: &ClausePath<'_>,
) {
    let op = clause.operator;
    let name = clause.key.as_str();
    let effect = facts.statement.effect;
    let values: &[String] = &clause.values.items;
    let value_path = |i: usize| clause.values.item_path(path.get(), i);
    let is = |documented: &str| super::same_folded(name, documented);

    // A clause has a value or two: those are compared with the earlier ones, not hashed.
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    let few = values.len() <= 16;
    for (i, value) in values.iter().enumerate() {
        let repeated = if few {
            values
                .get(..i)
                .is_some_and(|earlier| earlier.contains(value))
        } else {
            !seen.insert(value.as_str())
        };
        if repeated {
            linter.emit(
                "duplicate-condition-value",
                value_path(i),
                format!("`{value}` is listed twice under `{name}`"),
            );
        }
        // Tag values may be empty; other keys practically never are.
        if value.is_empty()
            && matches!(
                op.comparison.value_type(),
                ValueType::String | ValueType::Arn
            )
            && !fold_case(name).contains("tag/")
        {
            linter.emit(
                "empty-condition-value",
                value_path(i),
                format!("`\"\"` matches only an empty `{name}`, which requests practically never carry; to test whether the key is present, use `Null`"),
            );
        }
    }
    match op.comparison {
        Comparison::Bool if values.len() > 1 => linter.emit(
            "bool-multiple-values",
            path.owned(),
            format!(
                "`{name}` is given {} values; a boolean condition takes one (`true` or `false`)",
                values.len()
            ),
        ),
        Comparison::StringLike => {
            let plain = values.iter().all(|v| super::is_plain(v));
            if plain {
                let better = if op.negated {
                    "StringNotEquals"
                } else {
                    "StringEquals"
                };
                linter.emit(
                    "string-like-without-wildcard",
                    path.owned(),
                    format!(
                        "no value of `{}` has a wildcard: `{better}` says the same more plainly",
                        clause.operator_text
                    ),
                );
            }
        }
        Comparison::StringEquals | Comparison::StringEqualsIgnoreCase => {
            for (i, value) in values.iter().enumerate() {
                if super::has_wildcard(value) {
                    linter.emit(
                        "wildcard-in-string-equals",
                        value_path(i),
                        format!("`{value}`: `{}` compares `*` and `?` literally; use `StringLike` for a pattern", clause.operator_text),
                    );
                }
            }
        }
        _ => {}
    }
    if op.comparison == Comparison::StringLike && !op.negated && SENSITIVE.iter().any(|k| is(k)) {
        for (i, value) in values.iter().enumerate() {
            if super::has_wildcard(value) {
                linter.emit(
                    "wildcard-in-sensitive-key",
                    value_path(i),
                    format!("`{value}`: a wildcard in `{name}` can match accounts or organizations other than yours; list the ids"),
                );
            }
        }
    }
    if is("aws:MultiFactorAuthPresent") && op.comparison == Comparison::Bool && !op.negated {
        let says = |wanted: &str| values.iter().any(|v| v.eq_ignore_ascii_case(wanted));
        if effect == Effect::Deny && !op.if_exists && says("false") {
            linter.emit(
                "mfa-bool-deny",
                path.owned(),
                "`aws:MultiFactorAuthPresent` is absent for long-term access keys, so `Bool` … `false` does not deny them; use `BoolIfExists`",
            );
        }
        if effect == Effect::Allow && op.if_exists && says("true") {
            linter.emit(
                "mfa-if-exists-allow",
                path.owned(),
                "`BoolIfExists` … `true` also allows requests signed with long-term access keys, which carry no `aws:MultiFactorAuthPresent`; use `Bool`",
            );
        }
    }
    if is("aws:SourceIp") && op.comparison == Comparison::IpAddress {
        for (i, value) in values.iter().enumerate() {
            if is_private(value) {
                linter.emit(
                    "private-source-ip",
                    value_path(i),
                    format!("`{value}` is a private range: `aws:SourceIp` holds public addresses only (requests through a VPC endpoint carry `aws:VpcSourceIp`), so it never matches"),
                );
            }
        }
    }
    if op.negated && op.if_exists && op.qualifier.is_none() {
        linter.emit(
            "redundant-if-exists",
            path.owned(),
            format!("`{}`: a negated operator already holds when the key is absent (D20); drop `IfExists`", clause.operator_text),
        );
    }
}

fn is_private(value: &str) -> bool {
    let Some(Cidr::V4 { network, prefix }) = Cidr::parse(value) else {
        return false;
    };
    PRIVATE_V4.iter().any(|&(range, length)| {
        prefix >= length
            && Cidr::new(IpAddr::V4(range), length)
                .is_some_and(|r| r.contains(IpAddr::V4(Ipv4Addr::from(network))))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_ranges() {
        assert!(is_private("10.1.2.3"));
        assert!(is_private("10.0.0.0/8"));
        assert!(is_private("172.16.5.0/24"));
        assert!(is_private("192.168.0.0/16"));
        assert!(
            !is_private("192.168.0.0/15"),
            "wider than the private range"
        );
        assert!(!is_private("203.0.113.0/24"));
        assert!(!is_private("172.32.0.0/16"));
        assert!(!is_private("fc00::/7"));
        assert!(!is_private("not an address"));
    }
}
