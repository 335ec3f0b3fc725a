//! Values that cannot be right: condition values no request can carry (unknown region names,
//! malformed VPC and VPC endpoint ids, CIDRs with host bits, ARNs with an unknown region),
//! bounds of which only one counts, the same key twice in different case, and malformed or
//! unknown policy variables in resources and condition values.

use super::global_keys::global_key;
use super::resources::is_region;
use super::{same_folded, ClausePath, Linter, StatementFacts};
use crate::regions;
use iamspec_model::condition::{Comparison, ValueType};
use iamspec_model::json::JsonPath;
use iamspec_model::pattern::fold_case;
use iamspec_model::policy::{ConditionClause, ResourceElement};
use std::borrow::Cow;
use std::collections::HashMap;
use std::net::IpAddr;

pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let statement = facts.statement;
    let substitutes = linter.policy.version.substitutes_variables();
    // The same key under one operator, written in two cases: two clauses that AWS ANDs, where
    // the author probably meant one.
    // A single clause repeats nothing: no table (and no folded copy of its key) for it.
    let several = statement.condition.len() > 1;
    let mut keys: HashMap<(&str, Cow<'_, str>), &str> = HashMap::new();
    for clause in &statement.condition {
        let path = ClausePath::new(statement, clause);
        if several {
            let folded = (clause.operator_text.as_str(), fold_case(&clause.key));
            match keys.get(&folded) {
                Some(first) if *first != clause.key => linter.emit(
                    "condition-key-repeated-case",
                    path.owned(),
                    format!("`{}` and `{first}` are one condition key (keys are case-insensitive), given twice under `{}`: both must hold; merge their values if either may", clause.key, clause.operator_text),
                ),
                Some(_) => {}
                None => {
                    keys.insert(folded, &clause.key);
                }
            }
        }
        clause_values(linter, clause, &path);
        if substitutes {
            // Paths only for values with a variable (the others have nothing to report).
            for (i, value) in clause.values.iter().enumerate() {
                if super::has_variable(value) {
                    variables(linter, value, clause.values.item_path(path.get(), i));
                }
            }
        }
    }
    let with_variables = |r: &&ResourceElement| r.patterns.iter().any(super::has_variable);
    if substitutes {
        // The element's path only for an element with a variable.
        if let Some((resource, path)) = statement
            .resource
            .as_ref()
            .filter(with_variables)
            .and_then(|r| Some((r, statement.resource_path()?)))
        {
            for (i, value) in resource.patterns.iter().enumerate() {
                if super::has_variable(value) {
                    variables(linter, value, resource.patterns.item_path(&path, i));
                }
            }
        }
    }
}

fn clause_values(linter: &mut Linter<'_, '_>, clause: &ConditionClause, path: &ClausePath<'_>) {
    let op = clause.operator;
    let key = clause.key.as_str();
    let value_type = op.comparison.value_type();
    let at = |i: usize| clause.values.item_path(path.get(), i);
    // What the key is, decided once per clause, without a folded copy of it.
    let region_key = same_folded(key, "aws:requestedregion") || same_folded(key, "ec2:region");
    let vpc = if same_folded(key, "aws:sourcevpc") {
        Some("vpc-")
    } else if same_folded(key, "aws:sourcevpce") {
        Some("vpce-")
    } else {
        None
    };
    for (i, value) in clause.values.iter().enumerate() {
        if region_key && value_type == ValueType::String && !super::has_variable(value) {
            region_value(linter, clause, value, at(i));
        }
        if value_type == ValueType::String && super::is_plain(value) {
            if let Some(prefix) = vpc {
                if !is_resource_id(value, prefix) {
                    linter.emit(
                        "malformed-vpc-id",
                        at(i),
                        format!("`{value}` is not a {} id (`{prefix}` and 8 or 17 hexadecimal digits): `{}` never carries it", if prefix == "vpc-" { "VPC" } else { "VPC endpoint" }, clause.key),
                    );
                }
            }
        }
        if value_type == ValueType::Ip {
            if let Some(network) = host_bits(value) {
                linter.emit(
                    "cidr-host-bits",
                    at(i),
                    format!("`{value}` has bits set after its prefix length: it stands for `{network}`; write that, or a longer prefix if a smaller range was meant"),
                );
            }
        }
        if matches!(value_type, ValueType::Arn | ValueType::String) && super::is_plain(value) {
            // Six fields exactly, in an array: no vector per value.
            let mut parts = value.splitn(6, ':');
            let fields: [Option<&str>; 6] = std::array::from_fn(|_| parts.next());
            if let [Some(arn), Some(_), Some(_), Some(region), Some(_), Some(_)] = fields {
                if arn == "arn" && !region.is_empty() && !is_region(region) {
                    linter.emit(
                        "arn-value-unknown-region",
                        at(i),
                        format!("`{value}`: `{region}` is not a region name, so no ARN of a request has it"),
                    );
                } else if arn == "arn" && !region.is_empty() && !regions::is_known(region) {
                    linter.emit(
                        "arn-value-unknown-region",
                        at(i),
                        format!("`{value}`: `{region}` is not a Region AWS publishes (list of {}), so no ARN of a request has it", regions::LISTED),
                    );
                }
            }
        }
    }
    // Values of one key are ORed: of several bounds, only the loosest decides.
    let bound = match op.comparison {
        Comparison::NumericLessThan | Comparison::NumericLessThanEquals => Some(true),
        Comparison::NumericGreaterThan | Comparison::NumericGreaterThanEquals => Some(false),
        _ => None,
    };
    if let (Some(upper), false) = (bound, op.negated) {
        let numbers: Option<Vec<f64>> = clause
            .values
            .iter()
            .map(|v| v.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
            .collect();
        if let Some(numbers) = numbers.filter(|n| n.len() > 1) {
            let loosest =
                numbers
                    .iter()
                    .copied()
                    .fold(if upper { f64::MIN } else { f64::MAX }, |a, b| {
                        if upper {
                            a.max(b)
                        } else {
                            a.min(b)
                        }
                    });
            let shown = clause
                .values
                .iter()
                .find(|v| v.trim().parse::<f64>().ok() == Some(loosest))
                .unwrap_or_default();
            linter.emit(
                "redundant-numeric-bound",
                path.owned(),
                format!("the values of `{}` are ORed, so only the loosest bound, `{shown}`, counts; keep that one", clause.operator_text),
            );
        }
    }
}

/// A value of `aws:RequestedRegion` or `ec2:Region`: not a region name at all
/// (`unknown-region-value`), or well formed but no Region AWS publishes (`us-east-7`); a
/// `StringLike` pattern only when it can match no published Region (`eu-*` is fine).
fn region_value(linter: &mut Linter<'_, '_>, clause: &ConditionClause, value: &str, at: JsonPath) {
    let comparison = clause.operator.comparison;
    let wildcards = super::has_wildcard(value);
    if comparison == Comparison::StringLike && wildcards {
        if !regions::pattern_matches_known(value) {
            linter.emit(
                "unknown-region-value",
                at,
                format!(
                    "`{value}` matches no Region AWS publishes (list of {}): `{}` never matches it",
                    regions::LISTED,
                    clause.key
                ),
            );
        }
        return;
    }
    if wildcards {
        return;
    }
    let code = if comparison == Comparison::StringEqualsIgnoreCase {
        value.to_ascii_lowercase()
    } else {
        value.to_owned()
    };
    if !is_region(&code) {
        linter.emit(
            "unknown-region-value",
            at,
            format!(
                "`{value}` is not a region name (`us-east-1`): `{}` never carries it",
                clause.key
            ),
        );
    } else if !regions::is_known(&code) {
        linter.emit(
            "unknown-region-value",
            at,
            format!("`{value}` is not a Region AWS publishes (list of {}): `{}` never carries it, unless the Region is newer than the list", regions::LISTED, clause.key),
        );
    }
}

/// `vpc-` or `vpce-` followed by 8 or 17 lowercase hexadecimal digits.
fn is_resource_id(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|id| {
        matches!(id.len(), 8 | 17)
            && id
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The network a CIDR with host bits stands for, when it has them.
fn host_bits(value: &str) -> Option<String> {
    let (address, prefix) = value.trim().split_once('/')?;
    let address: IpAddr = address.parse().ok()?;
    let prefix: u32 = prefix.parse().ok()?;
    match address {
        IpAddr::V4(v4) => {
            let bits = u32::from(v4);
            let mask = if prefix == 0 {
                0
            } else {
                u32::MAX.checked_shl(32u32.checked_sub(prefix)?)?
            };
            (bits & !mask != 0)
                .then(|| format!("{}/{prefix}", std::net::Ipv4Addr::from(bits & mask)))
        }
        IpAddr::V6(v6) => {
            let bits = u128::from(v6);
            let mask = if prefix == 0 {
                0
            } else {
                u128::MAX.checked_shl(128u32.checked_sub(prefix)?)?
            };
            (bits & !mask != 0)
                .then(|| format!("{}/{prefix}", std::net::Ipv6Addr::from(bits & mask)))
        }
    }
}

/// `${` without `}`, an empty `${}`, spaces around the key, and `aws:` variables that are no
/// global key. The escapes `${*}`, `${?}`, `${$}` and defaults (`${aws:username, 'x'}`) are fine.
fn variables(linter: &mut Linter<'_, '_>, value: &str, path: JsonPath) {
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        let inner = rest.get(start + 2..).unwrap_or("");
        let Some(end) = inner.find('}') else {
            linter.emit(
                "policy-variable-syntax",
                path,
                format!("`{value}`: `${{` has no closing `}}`, so the text stays literal"),
            );
            return;
        };
        let body = inner.get(..end).unwrap_or("");
        rest = inner.get(end + 1..).unwrap_or("");
        if matches!(body, "*" | "?" | "$") {
            continue;
        }
        let key = body.split_once(',').map_or(body, |(key, _)| key);
        let problem = if body.trim().is_empty() {
            Some("an empty variable `${}`".to_owned())
        } else if key.trim() != key || key.contains(char::is_whitespace) {
            Some(format!("a space in the variable `${{{body}}}`"))
        } else if fold_case(key).starts_with("aws:") && global_key(key).is_none() {
            Some(format!(
                "`{key}` is not a global condition key, so `${{{key}}}` never has a value"
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            linter.emit(
                "policy-variable-syntax",
                path,
                format!("`{value}`: {problem}"),
            );
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs() {
        assert_eq!(host_bits("10.0.0.1/8").as_deref(), Some("10.0.0.0/8"));
        assert_eq!(host_bits("10.0.0.0/8"), None);
        assert_eq!(host_bits("203.0.113.7/32"), None);
        assert_eq!(host_bits("203.0.113.7"), None);
        assert_eq!(host_bits("0.0.0.0/0"), None);
        assert_eq!(host_bits("1.2.3.4/0").as_deref(), Some("0.0.0.0/0"));
        assert_eq!(
            host_bits("2001:db8::1/32").as_deref(),
            Some("2001:db8::/32")
        );
        assert_eq!(host_bits("2001:db8::/32"), None);
        assert_eq!(
            host_bits("10.0.0.1/40"),
            None,
            "not a CIDR: validation's concern"
        );
    }

    #[test]
    fn vpc_ids() {
        assert!(is_resource_id("vpc-1a2b3c4d", "vpc-"));
        assert!(is_resource_id("vpce-0123456789abcdef0", "vpce-"));
        assert!(!is_resource_id("vpc-1a2b3c4", "vpc-"));
        assert!(!is_resource_id("vpc-1A2B3C4D", "vpc-"));
        assert!(!is_resource_id("vpce-1a2b3c4d", "vpc-"));
    }
}
