//! Bounds that several clauses of one statement put on one key. Condition operators are ANDed and
//! the values under one operator ORed ([AWS: multiple context keys or values][multi]), so
//! `Numeric…` or `Date…` bounds that leave no value mean the statement never applies
//! (`contradictory-bounds`: `NumericGreaterThan 20` with `NumericLessThan 10`), and a numeric
//! bound that another clause's implies adds nothing (`redundant-numeric-bound`).
//!
//! Only the clauses whose meaning is an interval or a set of values take part: no set qualifier
//! (a multivalued key's values may each meet another clause), no negated operator. A key absent
//! from the request makes an `…IfExists` clause hold, so bounds that leave no value mean "never"
//! only when one of the clauses is not `…IfExists`.
//!
//! [multi]: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html

use super::{ClausePath, Linter};
use iamspec_model::condition::value::{Decimal, Instant};
use iamspec_model::condition::Comparison;
use iamspec_model::pattern::fold_case;
use iamspec_model::policy::{ConditionClause, Effect, Statement};
use std::collections::HashMap;

/// Groups larger than this are only tested for leaving no value (linear), not pair by pair for
/// redundancy: many spellings of one key under many operators is hostile, not a policy.
const PAIRWISE: usize = 16;

/// The values a clause lets a present key take.
#[derive(Debug, PartialEq)]
enum Allowed<T> {
    Below {
        limit: T,
        strict: bool,
    },
    Above {
        limit: T,
        strict: bool,
    },
    /// One of these, sorted, each once.
    Exactly(Vec<T>),
}

impl<T: Ord> Allowed<T> {
    /// What `comparison` with the ORed `values` allows: under `<`, the largest bound counts.
    fn of(comparison: Comparison, mut values: Vec<T>) -> Option<Allowed<T>> {
        use Comparison as C;
        let below = |strict, values: Vec<T>| {
            let limit = values.into_iter().max()?;
            Some(Allowed::Below { limit, strict })
        };
        let above = |strict, values: Vec<T>| {
            let limit = values.into_iter().min()?;
            Some(Allowed::Above { limit, strict })
        };
        match comparison {
            C::NumericLessThan | C::DateLessThan => below(true, values),
            C::NumericLessThanEquals | C::DateLessThanEquals => below(false, values),
            C::NumericGreaterThan | C::DateGreaterThan => above(true, values),
            C::NumericGreaterThanEquals | C::DateGreaterThanEquals => above(false, values),
            C::NumericEquals | C::DateEquals if !values.is_empty() => {
                values.sort();
                values.dedup();
                Some(Allowed::Exactly(values))
            }
            _ => None,
        }
    }

    fn contains(&self, x: &T) -> bool {
        match self {
            Allowed::Below { limit, strict } => x < limit || (!strict && x == limit),
            Allowed::Above { limit, strict } => x > limit || (!strict && x == limit),
            Allowed::Exactly(values) => values.binary_search(x).is_ok(),
        }
    }

    /// Whether every value `self` allows, `other` allows too.
    fn within(&self, other: &Allowed<T>) -> bool {
        use Allowed as A;
        match (self, other) {
            (A::Exactly(values), _) => values.iter().all(|v| other.contains(v)),
            (
                A::Below {
                    limit: a,
                    strict: sa,
                },
                A::Below {
                    limit: b,
                    strict: sb,
                },
            ) => a < b || (a == b && (*sa || !sb)),
            (
                A::Above {
                    limit: a,
                    strict: sa,
                },
                A::Above {
                    limit: b,
                    strict: sb,
                },
            ) => a > b || (a == b && (*sa || !sb)),
            _ => false,
        }
    }
}

/// Whether no value meets all of `allowed`. Values are taken as dense (decimals are): for dates,
/// with nanoseconds, an interval one nanosecond wide counts as holding a value, which can only
/// miss a finding, never make a wrong one.
fn leave_nothing<T: Ord>(allowed: &[&Allowed<T>]) -> bool {
    if let Some(Allowed::Exactly(values)) =
        allowed.iter().find(|a| matches!(a, Allowed::Exactly(_)))
    {
        return !values.iter().any(|v| allowed.iter().all(|a| a.contains(v)));
    }
    let mut lower: Option<(&T, bool)> = None;
    let mut upper: Option<(&T, bool)> = None;
    for a in allowed {
        match a {
            Allowed::Above { limit, strict } => {
                if lower.is_none_or(|(l, s)| limit > l || (limit == l && *strict && !s)) {
                    lower = Some((limit, *strict));
                }
            }
            Allowed::Below { limit, strict } => {
                if upper.is_none_or(|(u, s)| limit < u || (limit == u && *strict && !s)) {
                    upper = Some((limit, *strict));
                }
            }
            Allowed::Exactly(_) => {}
        }
    }
    match (lower, upper) {
        (Some((l, ls)), Some((u, us))) => l > u || (l == u && (ls || us)),
        _ => false,
    }
}

/// A clause that bounds its key.
struct Bound<'p> {
    clause: &'p ConditionClause,
    allowed: Allowed<Value>,
}

/// Numbers and dates are never compared with each other (`aws:EpochTime` takes both).
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Number(Decimal),
    Date(Instant),
}

fn bound(clause: &ConditionClause) -> Option<Bound<'_>> {
    let op = clause.operator;
    if op.negated || op.qualifier.is_some() {
        return None;
    }
    let parse: fn(&str) -> Option<Value> = match op.comparison {
        Comparison::NumericEquals
        | Comparison::NumericLessThan
        | Comparison::NumericLessThanEquals
        | Comparison::NumericGreaterThan
        | Comparison::NumericGreaterThanEquals => |v| Decimal::parse(v).map(Value::Number),
        Comparison::DateEquals
        | Comparison::DateLessThan
        | Comparison::DateLessThanEquals
        | Comparison::DateGreaterThan
        | Comparison::DateGreaterThanEquals => |v| Instant::parse(v).map(Value::Date),
        _ => return None,
    };
    // A value that does not parse is validation's finding; the clause then says nothing here.
    let values: Vec<Value> = clause.values.iter().map(parse).collect::<Option<_>>()?;
    let allowed = Allowed::of(op.comparison, values)?;
    Some(Bound { clause, allowed })
}

fn is_date(bound: &Bound<'_>) -> bool {
    match &bound.allowed {
        Allowed::Below { limit, .. } | Allowed::Above { limit, .. } => {
            matches!(limit, Value::Date(_))
        }
        Allowed::Exactly(values) => matches!(values.first(), Some(Value::Date(_))),
    }
}

/// The statement's bounds, by key (case-folded) and kind of value, in the order written; only
/// the groups of two or more.
fn groups(statement: &Statement) -> Vec<Vec<Bound<'_>>> {
    // Most statements have at most one condition clause: nothing to compare, nothing built.
    if statement.condition.len() < 2 {
        return Vec::new();
    }
    let mut by_key: HashMap<(std::borrow::Cow<'_, str>, bool), usize> = HashMap::new();
    let mut groups: Vec<Vec<Bound<'_>>> = Vec::new();
    for bound in statement.condition.iter().filter_map(bound) {
        let key = (fold_case(&bound.clause.key), is_date(&bound));
        let at = *by_key.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        if let Some(group) = groups.get_mut(at) {
            group.push(bound);
        }
    }
    groups.retain(|g| g.len() > 1);
    groups
}

/// Where a group leaves no value: the first clause by which its clauses so far leave none and
/// one of them needs the key present; `None` when the group leaves a value or all of it is
/// `…IfExists` (it then holds when the key is absent).
fn contradiction(group: &[Bound<'_>]) -> Option<usize> {
    let first_plain = group.iter().position(|b| !b.clause.operator.if_exists)?;
    let allowed: Vec<&Allowed<Value>> = group.iter().map(|b| &b.allowed).collect();
    // A hostile group (one key in hundreds of spellings) is tested once, as a whole.
    if allowed.len() > PAIRWISE {
        return leave_nothing(&allowed).then_some(allowed.len() - 1);
    }
    let empty_at = (1..allowed.len()).find(|&k| leave_nothing(allowed.get(..=k).unwrap_or(&[])))?;
    Some(empty_at.max(first_plain))
}

/// The operator and its values as written, the first few of them.
fn shown(bound: &Bound<'_>) -> String {
    let values: Vec<&str> = bound.clause.values.iter().take(5).collect();
    let more = bound
        .clause
        .values
        .iter()
        .count()
        .saturating_sub(values.len());
    format!(
        "`{}` `{}`{}",
        bound.clause.operator_text,
        values.join("`, `"),
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}

/// Reports the statement's bounds; whether some of them leave no value, so that its conditions
/// never hold (the other condition checks then give no "always holds" verdict of it:
/// conditions are ANDed).
pub(crate) fn check(linter: &mut Linter<'_, '_>, statement: &Statement) -> bool {
    let mut never = false;
    for group in groups(statement) {
        if let Some(at) = contradiction(&group) {
            let Some(last) = group.get(at) else {
                continue;
            };
            never = true;
            let listed = match group.get(..=at).unwrap_or_default() {
                [first, second] => format!("both {} and {}", shown(first), shown(second)),
                involved => {
                    let named: Vec<String> = involved.iter().take(4).map(shown).collect();
                    let more = involved.len().saturating_sub(named.len());
                    if more > 0 {
                        format!("all of {} and {more} more", named.join(", "))
                    } else {
                        format!("all of {}", named.join(", "))
                    }
                }
            };
            linter.emit(
                "contradictory-bounds",
                ClausePath::new(statement, last.clause).owned(),
                format!(
                    "no value of `{}` meets {listed}: conditions are ANDed, so the `Condition` never holds and this `{}` {}",
                    last.clause.key,
                    statement.effect,
                    match statement.effect {
                        Effect::Allow => "grants nothing",
                        Effect::Deny => "denies nothing",
                    }
                ),
            );
            continue;
        }
        if group.len() > PAIRWISE || group.first().is_some_and(is_date) {
            continue;
        }
        redundant(linter, statement, &group);
    }
    never
}

/// A numeric clause that another clause of its group implies: every value the other allows, it
/// allows too, and the other needs the key present whenever it does. Of two that allow the same
/// values, the later is reported.
fn redundant(linter: &mut Linter<'_, '_>, statement: &Statement, group: &[Bound<'_>]) {
    for (j, later) in group.iter().enumerate() {
        let implied_by = group.iter().enumerate().find(|&(i, other)| {
            i != j
                && other.allowed.within(&later.allowed)
                && (i < j || !later.allowed.within(&other.allowed))
                // An `…IfExists` bound implies a plain one only where the key is present.
                && (!other.clause.operator.if_exists || later.clause.operator.if_exists)
        });
        if let Some((_, other)) = implied_by {
            linter.emit(
                "redundant-numeric-bound",
                ClausePath::new(statement, later.clause).owned(),
                format!(
                    "{} on `{}` adds nothing: conditions are ANDed, and {} allows only values it allows too; drop it",
                    shown(later),
                    later.clause.key,
                    shown(other)
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|| panic!("`{text}`"))
    }

    fn allowed(comparison: Comparison, values: &[&str]) -> Allowed<Decimal> {
        Allowed::of(comparison, values.iter().map(|v| n(v)).collect())
            .unwrap_or_else(|| panic!("{comparison:?}"))
    }

    use Comparison as C;

    #[test]
    fn ored_values_keep_the_loosest_bound() {
        assert_eq!(
            allowed(C::NumericLessThan, &["10", "20"]),
            Allowed::Below {
                limit: n("20"),
                strict: true
            }
        );
        assert_eq!(
            allowed(C::NumericGreaterThanEquals, &["10", "20"]),
            Allowed::Above {
                limit: n("10"),
                strict: false
            }
        );
        assert_eq!(
            allowed(C::NumericEquals, &["2", "1", "2.0"]),
            Allowed::Exactly(vec![n("1"), n("2")])
        );
    }

    #[test]
    fn intervals_that_meet_at_an_open_end_leave_nothing() {
        let lt10 = allowed(C::NumericLessThan, &["10"]);
        let le10 = allowed(C::NumericLessThanEquals, &["10"]);
        let gt10 = allowed(C::NumericGreaterThan, &["10"]);
        let ge10 = allowed(C::NumericGreaterThanEquals, &["10"]);
        let gt20 = allowed(C::NumericGreaterThan, &["20"]);
        assert!(leave_nothing(&[&lt10, &gt20]));
        assert!(leave_nothing(&[&lt10, &ge10]));
        assert!(leave_nothing(&[&le10, &gt10]));
        assert!(!leave_nothing(&[&le10, &ge10]), "10 meets both");
        assert!(!leave_nothing(&[&lt10, &lt10]));
        // Dense: 9.5 lies between.
        assert!(!leave_nothing(&[
            &lt10,
            &allowed(C::NumericGreaterThan, &["9"])
        ]));
    }

    #[test]
    fn an_equality_leaves_its_values_that_the_bounds_allow() {
        let eq = allowed(C::NumericEquals, &["5", "50"]);
        assert!(!leave_nothing(&[
            &eq,
            &allowed(C::NumericLessThan, &["10"])
        ]));
        assert!(leave_nothing(&[
            &eq,
            &allowed(C::NumericLessThan, &["10"]),
            &allowed(C::NumericGreaterThan, &["5"])
        ]));
        assert!(leave_nothing(&[&eq, &allowed(C::NumericEquals, &["6"])]));
    }

    #[test]
    fn within_follows_strictness_at_equal_limits() {
        let lt10 = allowed(C::NumericLessThan, &["10"]);
        let le10 = allowed(C::NumericLessThanEquals, &["10"]);
        assert!(lt10.within(&le10));
        assert!(!le10.within(&lt10));
        assert!(allowed(C::NumericGreaterThan, &["10"])
            .within(&allowed(C::NumericGreaterThanEquals, &["10"])));
        assert!(allowed(C::NumericEquals, &["3"]).within(&lt10));
        assert!(!lt10.within(&allowed(C::NumericGreaterThan, &["0"])));
    }
}
