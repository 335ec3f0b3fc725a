//! Condition clauses compiled once: key names lowercased, policy values parsed into their typed
//! form (CIDRs, dates, decimals, base64, globs), variables pre-split. Evaluation follows
//! `condition::clause_holds` step by step, including the order in which values are tried, since
//! that order decides which missing keys are reported (D36).

use crate::arn::ArnConditionPattern;
use crate::condition::value::{decode_base64, parse_bool, parse_ip, Cidr, Decimal, Instant};
use crate::condition::variables::{Part, Template};
use crate::condition::{Comparison, ConditionOperator, KeyLog, SetQualifier};
use crate::pattern::Pattern;
use crate::policy::{ConditionClause, Version};
use crate::request::{Context, ContextValue};
use std::cmp::Ordering;
use std::collections::HashSet;

/// Where missing context keys go: nowhere on the hot path, into a [`KeyLog`] for explanations.
pub(super) trait Log {
    /// Whether every clause must be evaluated (to report every missing key), or evaluation may
    /// stop at the first clause that fails.
    const RECORDS: bool;
    fn record(&mut self, key: &str);
}

/// The hot path: nothing is recorded.
pub(super) struct NoLog;

impl Log for NoLog {
    const RECORDS: bool = false;
    fn record(&mut self, _key: &str) {}
}

impl Log for KeyLog {
    const RECORDS: bool = true;
    fn record(&mut self, key: &str) {
        KeyLog::record(self, key);
    }
}

/// One operator-key pair of a `Condition` block.
#[derive(Clone, Debug)]
pub(super) struct Clause {
    /// As written: reported when missing.
    key: String,
    /// As `Context::get` folds it.
    key_lower: String,
    operator: ConditionOperator,
    test: Test,
}

#[derive(Clone, Debug)]
enum Test {
    /// `Null`: whether some value is `true` (key must be absent) and some `false` (present).
    Null { absent: bool, present: bool },
    /// Every other operator: the policy values, OR'ed in order.
    Values(Vec<Value>),
    /// `StringEquals` or `StringEqualsIgnoreCase` with many values, none with a variable: their
    /// texts (lowercased for `IgnoreCase`), looked up rather than scanned.
    Texts {
        texts: HashSet<String>,
        lowercase: bool,
    },
}

/// From how many values a `Test::Texts` lookup beats a scan.
const TEXTS_FROM: usize = 8;

/// One policy value.
#[derive(Clone, Debug)]
enum Value {
    /// No variable: parsed once.
    Static(Typed),
    /// With `${...}` variables: substituted per request.
    Dynamic(Vec<DynamicPart>),
}

#[derive(Clone, Debug)]
enum DynamicPart {
    /// Policy text; `*`/`?` in it glob where the operator globs.
    Text(String),
    /// `${*}`, `${?}`, `${$}`.
    Escape(String),
    Variable {
        key: String,
        key_lower: String,
        default: Option<String>,
    },
}

/// A policy value in the form its comparison needs. `None` inside: the policy value does not
/// parse, so it matches no request value.
#[derive(Clone, Debug)]
enum Typed {
    Equals(String),
    /// `StringEqualsIgnoreCase` and `Bool` (D28): the lowercase text.
    EqualsLowercase(String),
    Like(Pattern),
    Numeric(Option<Decimal>),
    Date(Option<Instant>),
    /// The text, when it decodes: only canonical base64 is accepted, so two values decode to the
    /// same bytes exactly when their texts are equal (D30).
    Binary(Option<String>),
    Ip(Option<Cidr>),
    Arn(ArnConditionPattern),
    Never,
}

impl Clause {
    pub(super) fn compile(clause: &ConditionClause, version: Version) -> Clause {
        let operator = clause.operator;
        let test = if operator.comparison == Comparison::Null {
            Test::Null {
                absent: clause.values.iter().any(|v| parse_bool(v) == Some(true)),
                present: clause.values.iter().any(|v| parse_bool(v) == Some(false)),
            }
        } else {
            let substitutes = version.substitutes_variables()
                && operator.comparison.value_type().takes_variables();
            let values: Vec<Value> = clause
                .values
                .iter()
                .map(|v| {
                    let template = if substitutes {
                        Template::parse(v)
                    } else {
                        Template::literal(v)
                    };
                    Value::compile(operator.comparison, &template)
                })
                .collect();
            let texts: Option<HashSet<String>> = values
                .iter()
                .map(|v| match v {
                    Value::Static(Typed::Equals(text) | Typed::EqualsLowercase(text)) => {
                        Some(text.clone())
                    }
                    _ => None,
                })
                .collect();
            let lowercase = operator.comparison == Comparison::StringEqualsIgnoreCase;
            match texts {
                Some(texts)
                    if values.len() >= TEXTS_FROM
                        && (lowercase || operator.comparison == Comparison::StringEquals) =>
                {
                    Test::Texts { texts, lowercase }
                }
                _ => Test::Values(values),
            }
        };
        Clause {
            key: clause.key.clone(),
            key_lower: clause.key.to_lowercase(),
            operator,
            test,
        }
    }

    /// Does the clause hold? Mirrors `condition::clause_holds`.
    pub(super) fn holds<L: Log>(&self, context: &Context, log: &mut L) -> bool {
        let op = self.operator;
        let value = context.get_lowercase(&self.key_lower);
        if value.is_none() {
            log.record(&self.key);
        }
        let values = match &self.test {
            Test::Null { absent, present } => {
                return (*absent && value.is_none()) || (*present && value.is_some())
            }
            Test::Values(values) => Some(values),
            Test::Texts { .. } => None,
        };
        let Some(value) = value else {
            return match op.qualifier {
                Some(SetQualifier::ForAllValues) => true,
                // `IfExists` does not rescue `ForAnyValue` (D25).
                Some(SetQualifier::ForAnyValue) => false,
                None => op.if_exists || op.negated,
            };
        };
        let request_values = match (op.qualifier, value) {
            // D21: a multivalued value without a qualifier never matches.
            (None, ContextValue::Multi(_)) => return op.negated,
            (_, value) => value.as_slice(),
        };
        if L::RECORDS {
            // The reference substitutes every policy value once per clause and reports each
            // unresolvable one (D36), whether or not a request value gets to it.
            for v in values.into_iter().flatten() {
                v.record_unresolved(context, log);
            }
        }
        let m = |r: &String| {
            let any = match &self.test {
                Test::Texts { texts, lowercase } => {
                    if *lowercase {
                        texts.contains(&r.to_lowercase())
                    } else {
                        texts.contains(r.as_str())
                    }
                }
                Test::Values(values) => values.iter().any(|v| v.matches(op.comparison, r, context)),
                Test::Null { .. } => false,
            };
            any != op.negated
        };
        match op.qualifier {
            Some(SetQualifier::ForAllValues) => request_values.iter().all(m),
            // One value, or `ForAnyValue`.
            _ => request_values.iter().any(m),
        }
    }
}

impl Value {
    fn compile(comparison: Comparison, template: &Template) -> Value {
        let has_variables = template
            .parts
            .iter()
            .any(|part| matches!(part, Part::Variable { .. }));
        if !has_variables {
            // Without variables, substitution cannot fail and does not depend on the request.
            if let Ok(pieces) = template.substitute(&Context::default()) {
                return Value::Static(Typed::new(comparison, pieces));
            }
        }
        Value::Dynamic(
            template
                .parts
                .iter()
                .map(|part| match part {
                    Part::Text(text) => DynamicPart::Text(text.clone()),
                    Part::Escape(c) => DynamicPart::Escape(c.to_string()),
                    Part::Variable { key, default } => DynamicPart::Variable {
                        key: key.clone(),
                        key_lower: key.to_lowercase(),
                        default: default.clone(),
                    },
                })
                .collect(),
        )
    }

    /// Like `Template::substitute`: the first variable without a single value or a default makes
    /// the value unresolvable (D36); its key is what gets reported.
    fn record_unresolved<L: Log>(&self, context: &Context, log: &mut L) {
        if let Value::Dynamic(parts) = self {
            let unresolved = parts.iter().find_map(|part| match part {
                DynamicPart::Variable { key, .. } if resolve(part, context).is_none() => Some(key),
                _ => None,
            });
            if let Some(key) = unresolved {
                log.record(key);
            }
        }
    }

    /// The positive comparison of request value `r` with this policy value.
    fn matches(&self, comparison: Comparison, r: &str, context: &Context) -> bool {
        let parts = match self {
            Value::Static(typed) => return typed.matches(comparison, r),
            Value::Dynamic(parts) => parts,
        };
        // An unresolvable value matches nothing (D36).
        if parts.iter().any(|part| resolve(part, context).is_none()) {
            return false;
        }
        if comparison == Comparison::StringEquals {
            // Compared piece by piece, without building the substituted text.
            let mut rest = r;
            for part in parts {
                match resolve(part, context).and_then(|piece| rest.strip_prefix(piece)) {
                    Some(after) => rest = after,
                    None => return false,
                }
            }
            return rest.is_empty();
        }
        let pieces = parts
            .iter()
            .map(|part| {
                let text = resolve(part, context).unwrap_or("").to_owned();
                (text, matches!(part, DynamicPart::Text(_)))
            })
            .collect();
        Typed::new(comparison, pieces).matches(comparison, r)
    }
}

/// The text a part stands for in `context`; `None` for an unresolvable variable.
fn resolve<'a>(part: &'a DynamicPart, context: &'a Context) -> Option<&'a str> {
    match part {
        DynamicPart::Text(text) | DynamicPart::Escape(text) => Some(text),
        DynamicPart::Variable {
            key_lower, default, ..
        } => match context.get_lowercase(key_lower) {
            Some(ContextValue::Single(value)) => Some(value),
            _ => default.as_deref(),
        },
    }
}

impl Typed {
    /// `pieces` is the substituted policy value; wildcards glob only in pieces marked `true`.
    fn new(comparison: Comparison, pieces: Vec<(String, bool)>) -> Typed {
        use Comparison::*;
        let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
        match comparison {
            StringEquals => Typed::Equals(text),
            StringEqualsIgnoreCase | Bool => Typed::EqualsLowercase(text.to_lowercase()),
            StringLike => Typed::Like(Pattern::from_pieces(
                pieces.iter().map(|(t, w)| (t.as_str(), *w)),
            )),
            NumericEquals
            | NumericLessThan
            | NumericLessThanEquals
            | NumericGreaterThan
            | NumericGreaterThanEquals => Typed::Numeric(Decimal::parse(&text)),
            DateEquals
            | DateLessThan
            | DateLessThanEquals
            | DateGreaterThan
            | DateGreaterThanEquals => Typed::Date(Instant::parse(&text)),
            BinaryEquals => Typed::Binary(decode_base64(&text).map(|_| text)),
            IpAddress => Typed::Ip(Cidr::parse(&text)),
            ArnLike => Typed::Arn(ArnConditionPattern::new(&pieces)),
            // Null is decided before values are compared.
            Null => Typed::Never,
        }
    }

    /// Mirrors the reference's `compare` for one request value `r`.
    fn matches(&self, comparison: Comparison, r: &str) -> bool {
        match self {
            Typed::Equals(p) => r == p,
            Typed::EqualsLowercase(p) => lowercase_equals(r, p),
            Typed::Like(pattern) => pattern.matches(r),
            Typed::Numeric(Some(p)) => {
                Decimal::parse(r).is_some_and(|r| wanted(comparison, r.cmp(p)))
            }
            Typed::Date(Some(p)) => Instant::parse(r).is_some_and(|r| wanted(comparison, r.cmp(p))),
            Typed::Binary(Some(p)) => r == p,
            Typed::Ip(Some(cidr)) => parse_ip(r).is_some_and(|ip| cidr.contains(ip)),
            Typed::Arn(fields) => fields.matches(r),
            Typed::Numeric(None)
            | Typed::Date(None)
            | Typed::Binary(None)
            | Typed::Ip(None)
            | Typed::Never => false,
        }
    }
}

/// `r.to_lowercase() == lowercase`, without allocating for ASCII `r` (whose Unicode lowercase
/// is its ASCII lowercase).
fn lowercase_equals(r: &str, lowercase: &str) -> bool {
    if r.is_ascii() {
        r.len() == lowercase.len()
            && r.bytes()
                .zip(lowercase.bytes())
                .all(|(a, b)| a.to_ascii_lowercase() == b)
    } else {
        r.to_lowercase() == lowercase
    }
}

/// Whether `ordering` (request value against policy value) satisfies a numeric or date operator.
fn wanted(comparison: Comparison, ordering: Ordering) -> bool {
    use Comparison::*;
    match comparison {
        NumericEquals | DateEquals => ordering.is_eq(),
        NumericLessThan | DateLessThan => ordering.is_lt(),
        NumericLessThanEquals | DateLessThanEquals => ordering.is_le(),
        NumericGreaterThan | DateGreaterThan => ordering.is_gt(),
        NumericGreaterThanEquals | DateGreaterThanEquals => ordering.is_ge(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // D30: the text comparison stands for the byte comparison only if decoding is injective.
    #[test]
    fn canonical_base64_texts_differ_when_bytes_differ() {
        let texts = [
            "", "QQ==", "QUI=", "QUJD", "QUJDRA==", "AA==", "AAA=", "AAAA", "/w==",
        ];
        for a in texts {
            for b in texts {
                let (da, db) = (decode_base64(a).unwrap(), decode_base64(b).unwrap());
                assert_eq!(da == db, a == b, "{a} {b}");
            }
        }
        assert!(
            decode_base64("QR==").is_none(),
            "non-zero unused bits are rejected"
        );
    }

    #[test]
    fn lowercase_comparison_matches_to_lowercase() {
        for (r, p) in [
            ("TRUE", "true"),
            ("True", "true"),
            ("tru", "true"),
            ("ÄBC", "äbc"),
            ("ΣΑΣ", "σας"),
            ("abc", "abcd"),
        ] {
            assert_eq!(lowercase_equals(r, p), r.to_lowercase() == p, "{r} {p}");
        }
    }
}
