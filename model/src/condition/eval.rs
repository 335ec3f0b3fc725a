//! Evaluating one condition clause against a request context, exactly as §3.2–§3.6 and
//! D20–D37 describe. Written for clarity: values are parsed on every call.

use super::operator::{Comparison, SetQualifier};
use super::value::{
    bool_values_match, decode_base64, parse_bool, parse_ip, Cidr, Decimal, Instant,
};
use super::variables::Template;
use crate::arn::arn_condition_matches;
use crate::pattern::Pattern;
use crate::policy::{ConditionClause, Version};
use crate::request::{Context, ContextValue};
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashSet};

/// Context keys that conditions looked up and the request lacked (as AWS's policy simulator
/// reports missing context values), including keys of unresolved policy variables.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLog {
    pub missing: BTreeSet<String>,
    /// The keys of `missing`, ASCII-lowercased: a lookup per record, not a scan, so that a
    /// policy with many missing keys stays linear.
    folded: BTreeSet<String>,
}

impl KeyLog {
    pub fn record(&mut self, key: &str) {
        if self.folded.insert(key.to_ascii_lowercase()) {
            self.missing.insert(key.to_owned());
        }
    }
}

/// Does `clause` hold for `context`? `version` decides whether variables are substituted (D5).
pub fn clause_holds(
    clause: &ConditionClause,
    version: Version,
    context: &Context,
    log: &mut KeyLog,
) -> bool {
    let op = clause.operator;
    let value = context.get(&clause.key);
    if value.is_none() {
        log.record(&clause.key);
    }
    if op.comparison == Comparison::Null {
        // `true`: the key must be absent; `false`: present (§3.3). Values are OR'ed.
        return clause.values.iter().any(|v| match parse_bool(v) {
            Some(true) => value.is_none(),
            Some(false) => value.is_some(),
            None => false,
        });
    }
    let Some(value) = value else {
        // §3.2, §3.4, §3.5: absent keys.
        return match op.qualifier {
            Some(SetQualifier::ForAllValues) => true,
            // `IfExists` does not rescue `ForAnyValue` (D25).
            Some(SetQualifier::ForAnyValue) => false,
            None => op.if_exists || op.negated,
        };
    };
    let values = match (op.qualifier, value) {
        // D21: a multivalued value without a qualifier never matches.
        (None, ContextValue::Multi(_)) => return op.negated,
        (_, value) => value.as_slice(),
    };
    let policy_values = PolicyValues::resolve(clause, version, context, log);
    // m(r): for a negated operator, "r matches none of the policy values" (§3.1, D20, D24).
    let m = |r: &String| policy_values.any_matches(op.comparison, r) != op.negated;
    match op.qualifier {
        Some(SetQualifier::ForAllValues) => values.iter().all(m),
        // One value, or `ForAnyValue`.
        _ => values.iter().any(m),
    }
}

/// A clause's policy values with their variables substituted. Substitution reads only the
/// context, so it happens once per clause, not once per request value.
struct PolicyValues {
    /// Each value as pieces (text, whether its `*`/`?` glob) and as its joined text.
    values: Vec<(Vec<(String, bool)>, String)>,
    /// The texts again, for `StringEquals` and `StringEqualsIgnoreCase` (lowercased): with many
    /// values on both sides a lookup keeps a clause linear where a scan would be quadratic.
    texts: HashSet<String>,
}

impl PolicyValues {
    /// An unresolvable value matches nothing, and its key is reported missing (D36).
    fn resolve(
        clause: &ConditionClause,
        version: Version,
        context: &Context,
        log: &mut KeyLog,
    ) -> PolicyValues {
        let comparison = clause.operator.comparison;
        let values: Vec<(Vec<(String, bool)>, String)> = clause
            .values
            .iter()
            .filter_map(|v| {
                let template = if version.substitutes_variables()
                    && comparison.value_type().takes_variables()
                {
                    Template::parse(v)
                } else {
                    Template::literal(v)
                };
                match template.substitute(context) {
                    Ok(pieces) => {
                        let text = pieces.iter().map(|(t, _)| t.as_str()).collect();
                        Some((pieces, text))
                    }
                    Err(key) => {
                        log.record(&key);
                        None
                    }
                }
            })
            .collect();
        let texts = match comparison {
            Comparison::StringEquals => values.iter().map(|(_, p)| p.clone()).collect(),
            Comparison::StringEqualsIgnoreCase => {
                values.iter().map(|(_, p)| p.to_lowercase()).collect()
            }
            _ => HashSet::new(),
        };
        PolicyValues { values, texts }
    }

    /// The positive comparison of request value `r` against the policy values, OR'ed.
    fn any_matches(&self, comparison: Comparison, r: &str) -> bool {
        match comparison {
            Comparison::StringEquals => self.texts.contains(r),
            Comparison::StringEqualsIgnoreCase => self.texts.contains(&r.to_lowercase()),
            _ => self
                .values
                .iter()
                .any(|(pieces, p)| compare(comparison, pieces, p, r)),
        }
    }
}

/// One policy value (`pieces`, joined as `p`) against one request value `r`.
fn compare(comparison: Comparison, pieces: &[(String, bool)], p: &str, r: &str) -> bool {
    use Comparison::*;
    let numeric = |want: fn(Ordering) -> bool| match (Decimal::parse(r), Decimal::parse(p)) {
        (Some(r), Some(p)) => want(r.cmp(&p)),
        _ => false,
    };
    let date = |want: fn(Ordering) -> bool| match (Instant::parse(r), Instant::parse(p)) {
        (Some(r), Some(p)) => want(r.cmp(&p)),
        _ => false,
    };
    match comparison {
        // `PolicyValues::any_matches` answers these two by a set lookup, which is the same test.
        StringEquals => r == p,
        StringEqualsIgnoreCase => r.to_lowercase() == p.to_lowercase(),
        StringLike => Pattern::from_pieces(pieces.iter().map(|(t, w)| (t.as_str(), *w))).matches(r),
        NumericEquals => numeric(Ordering::is_eq),
        NumericLessThan => numeric(Ordering::is_lt),
        NumericLessThanEquals => numeric(Ordering::is_le),
        NumericGreaterThan => numeric(Ordering::is_gt),
        NumericGreaterThanEquals => numeric(Ordering::is_ge),
        DateEquals => date(Ordering::is_eq),
        DateLessThan => date(Ordering::is_lt),
        DateLessThanEquals => date(Ordering::is_le),
        DateGreaterThan => date(Ordering::is_gt),
        DateGreaterThanEquals => date(Ordering::is_ge),
        Bool => bool_values_match(p, r),
        BinaryEquals => match (decode_base64(p), decode_base64(r)) {
            (Some(p), Some(r)) => p == r,
            _ => false,
        },
        IpAddress => match (Cidr::parse(p), parse_ip(r)) {
            (Some(cidr), Some(ip)) => cidr.contains(ip),
            _ => false,
        },
        ArnLike => arn_condition_matches(pieces, r),
        // Null is decided before values are compared.
        Null => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::ConditionOperator;
    use crate::policy::Values;

    fn clause(op: &str, key: &str, values: &[&str]) -> ConditionClause {
        ConditionClause {
            operator_text: op.into(),
            operator: ConditionOperator::parse(op).unwrap(),
            key: key.into(),
            values: Values {
                items: values.iter().map(|s| s.to_string()).collect(),
                is_list: true,
            },
        }
    }

    fn holds(op: &str, values: &[&str], ctx_value: Option<ContextValue>) -> bool {
        let mut ctx = Context::default();
        if let Some(v) = ctx_value {
            ctx.insert("k:key", v);
        }
        clause_holds(
            &clause(op, "K:Key", values),
            Version::V2012_10_17,
            &ctx,
            &mut KeyLog::default(),
        )
    }

    fn one(s: &str) -> Option<ContextValue> {
        Some(ContextValue::Single(s.into()))
    }
    fn many(v: &[&str]) -> Option<ContextValue> {
        Some(ContextValue::Multi(
            v.iter().map(|s| s.to_string()).collect(),
        ))
    }

    // §3.2: absent keys — positive false, negated true, IfExists true.
    #[test]
    fn missing_keys() {
        assert!(!holds("StringEquals", &["a"], None));
        assert!(holds("StringNotEquals", &["a"], None));
        assert!(holds("StringEqualsIfExists", &["a"], None));
        assert!(holds("NotIpAddress", &["10.0.0.0/8"], None));
        assert!(!holds("NumericLessThan", &["1"], None));
    }

    // §3.1, D20: negated operators with several values are an AND of negations.
    #[test]
    fn negated_operators_and_over_values() {
        assert!(!holds("StringNotEquals", &["a", "b"], one("b")));
        assert!(holds("StringNotEquals", &["a", "b"], one("c")));
        assert!(holds("StringEquals", &["a", "b"], one("b")));
    }

    // §3.5 table, D22–D25.
    #[test]
    fn set_qualifiers() {
        assert!(holds("ForAllValues:StringEquals", &["a"], None));
        assert!(holds("ForAllValues:StringEquals", &["a"], many(&[])));
        assert!(!holds("ForAnyValue:StringEquals", &["a"], None));
        assert!(!holds("ForAnyValue:StringEquals", &["a"], many(&[])));
        assert!(!holds("ForAnyValue:StringEqualsIfExists", &["a"], None));
        assert!(holds(
            "ForAllValues:StringEquals",
            &["a", "b"],
            many(&["a", "b"])
        ));
        assert!(!holds(
            "ForAllValues:StringEquals",
            &["a", "b"],
            many(&["a", "c"])
        ));
        assert!(holds(
            "ForAnyValue:StringEquals",
            &["a", "b"],
            many(&["c", "a"])
        ));
        assert!(holds("ForAnyValue:StringEquals", &["a"], one("a")));
        assert!(holds(
            "ForAnyValue:StringNotEquals",
            &["a", "b"],
            many(&["a", "c"])
        ));
        assert!(!holds(
            "ForAnyValue:StringNotEquals",
            &["a", "b"],
            many(&["a", "b"])
        ));
        assert!(holds(
            "ForAllValues:StringNotEquals",
            &["a"],
            many(&["b", "c"])
        ));
    }

    // D21
    #[test]
    fn multivalued_without_qualifier_never_matches() {
        assert!(!holds("StringEquals", &["a"], many(&["a"])));
        assert!(holds("StringNotEquals", &["a"], many(&["a"])));
    }

    // §3.3 Null, D22, D31
    #[test]
    fn null_tests_presence() {
        assert!(holds("Null", &["true"], None));
        assert!(holds("Null", &["true"], many(&[])));
        assert!(!holds("Null", &["true"], one("x")));
        assert!(holds("Null", &["false"], one("x")));
        assert!(holds("Null", &["False"], one("x")));
    }

    // §3.3: every comparison, positive and on a near miss.
    #[test]
    fn comparisons() {
        assert!(holds("StringEqualsIgnoreCase", &["ABC"], one("abc")));
        assert!(holds("StringLike", &["a*c?"], one("abbbcd")));
        assert!(!holds("StringLike", &["a*c?"], one("abbbc")));
        assert!(holds("NumericLessThan", &["10"], one("9.5")));
        assert!(!holds("NumericLessThan", &["10"], one("10.0")));
        assert!(holds("NumericLessThanEquals", &["10"], one("10.0")));
        assert!(!holds("NumericEquals", &["10"], one("ten")));
        assert!(holds("NumericNotEquals", &["10"], one("ten")));
        assert!(holds(
            "DateGreaterThan",
            &["2024-01-01T00:00:00Z"],
            one("2024-01-01T00:00:01Z")
        ));
        assert!(holds(
            "DateEquals",
            &["1704067200"],
            one("2024-01-01T00:00:00Z")
        ));
        assert!(holds("Bool", &["true"], one("TRUE")));
        assert!(!holds("Bool", &["true"], one("false")));
        assert!(holds("BinaryEquals", &["QmluYXJ5"], one("QmluYXJ5")));
        assert!(holds(
            "IpAddress",
            &["203.0.113.7/24"],
            one("203.0.113.200")
        ));
        assert!(!holds("IpAddress", &["203.0.113.0/24"], one("2001:db8::1")));
        assert!(holds("IpAddress", &["2001:db8::/32"], one("2001:db8::1")));
        assert!(holds(
            "ArnLike",
            &["arn:aws:iam::*:role/*"],
            one("arn:aws:iam::111122223333:role/x")
        ));
        assert!(holds(
            "ArnNotLike",
            &["arn:aws:iam::*:role/*"],
            one("arn:aws:iam::111122223333:user/x")
        ));
    }

    // §3.6, D36: an unresolvable variable matches nothing and is logged as missing.
    #[test]
    fn unresolved_variables() {
        let mut log = KeyLog::default();
        let mut ctx = Context::default();
        ctx.insert("k:key", ContextValue::Single("x".into()));
        let c = clause("StringEquals", "k:key", &["${aws:username}"]);
        assert!(!clause_holds(&c, Version::V2012_10_17, &ctx, &mut log));
        assert!(log.missing.contains("aws:username"));
        let c = clause("StringNotEquals", "k:key", &["${aws:username}"]);
        assert!(clause_holds(&c, Version::V2012_10_17, &ctx, &mut log));
        // Every unresolvable value of a compared clause is reported, also after a match.
        let mut log = KeyLog::default();
        let c = clause(
            "StringEquals",
            "k:key",
            &["x", "${aws:username}", "${my:Key}"],
        );
        assert!(clause_holds(&c, Version::V2012_10_17, &ctx, &mut log));
        assert_eq!(
            log.missing.iter().collect::<Vec<_>>(),
            ["aws:username", "my:Key"]
        );
        // ...but not when the clause compares nothing (D21: multivalued, no qualifier).
        let mut log = KeyLog::default();
        let mut multi = Context::default();
        multi.insert("k:key", ContextValue::Multi(vec!["x".into()]));
        assert!(!clause_holds(&c, Version::V2012_10_17, &multi, &mut log));
        assert!(log.missing.is_empty());
        // Legacy versions compare the literal text.
        ctx.insert("k:key", ContextValue::Single("${aws:username}".into()));
        let c = clause("StringEquals", "k:key", &["${aws:username}"]);
        assert!(clause_holds(&c, Version::V2008_10_17, &ctx, &mut log));
    }
}
