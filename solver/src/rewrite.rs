//! Rewrites that keep a policy's meaning, and mutations that change it (or happen not to), on
//! policy documents as JSON. The property tests compare generated policies with their rewrites
//! (`tests/properties.rs`); the corpus benchmark (`cargo xtask solver-corpus`) compares every
//! AWS managed policy with a rewritten form and two mutated forms.
//!
//! A rewrite means the same within the solver's domain (solver/README.md): an action pattern is
//! replaced by the catalogue actions it matches, and the catalogue is the action domain.

use iamspec_corpus::Catalogue;
use iamspec_model::pattern::Pattern;
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::net::IpAddr;

/// A rewrite of one statement (or of the statement list) that must not change what a policy
/// means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rewrite {
    /// One statement per item of the `Action` list: items are OR'ed.
    SplitActions,
    /// One statement per item of the `Resource` list.
    SplitResources,
    /// One statement per value of a positive, unqualified operator with one key: its values
    /// are OR'ed.
    SplitConditionValues,
    /// The statements in reverse order.
    Reverse,
    /// The action and resource lists in reverse order.
    ReverseLists,
    /// One-element action and resource lists as scalars.
    Scalars,
    /// Scalar actions, resources and condition values as one-element lists.
    Lists,
    /// The statement twice.
    Duplicate,
    /// The statement again with one more condition: it applies less often, whatever its
    /// effect, so adding it changes nothing.
    Subsumed,
    /// Action patterns as the list of the catalogue's actions they match, when that list is
    /// short.
    ExpandActions,
    /// Condition keys in lowercase: key names are case-insensitive.
    LowercaseKeys,
}

/// Every rewrite.
pub const REWRITES: [Rewrite; 11] = [
    Rewrite::SplitActions,
    Rewrite::SplitResources,
    Rewrite::SplitConditionValues,
    Rewrite::Reverse,
    Rewrite::ReverseLists,
    Rewrite::Scalars,
    Rewrite::Lists,
    Rewrite::Duplicate,
    Rewrite::Subsumed,
    Rewrite::ExpandActions,
    Rewrite::LowercaseKeys,
];

/// The most catalogue actions [`Rewrite::ExpandActions`] writes for one pattern.
const EXPANSION_LIMIT: usize = 60;

const LIST_FIELDS: [&str; 4] = ["Action", "NotAction", "Resource", "NotResource"];

/// The statements of a policy document as a list (`Statement` may be one object).
pub fn statements(document: &Value) -> Vec<Value> {
    match document.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(one @ Value::Object(_)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

/// `document` with `statements` as its `Statement` list.
pub fn with_statements(document: &Value, statements: Vec<Value>) -> Value {
    let mut out = document.clone();
    if let Some(object) = out.as_object_mut() {
        object.insert("Statement".to_owned(), Value::Array(statements));
    }
    out
}

/// Applies `how` to the statement at `at` (modulo their number).
pub fn rewrite(statements: Vec<Value>, how: Rewrite, at: usize) -> Vec<Value> {
    if statements.is_empty() {
        return statements;
    }
    let i = at % statements.len();
    let mut out = statements;
    let Some(target) = out.get(i).cloned() else {
        return out;
    };
    match how {
        Rewrite::SplitActions | Rewrite::SplitResources => {
            let field = if how == Rewrite::SplitActions {
                "Action"
            } else {
                "Resource"
            };
            if let Some(items) = target.get(field).and_then(Value::as_array) {
                if items.len() > 1 {
                    out.remove(i);
                    for item in items {
                        let mut copy = target.clone();
                        set(&mut copy, field, json!([item]));
                        out.push(copy);
                    }
                }
            }
        }
        Rewrite::SplitConditionValues => {
            if let Some(split) = split_condition_values(&target) {
                out.remove(i);
                out.extend(split);
            }
        }
        Rewrite::Reverse => out.reverse(),
        Rewrite::ReverseLists => {
            if let Some(statement) = out.get_mut(i) {
                for field in LIST_FIELDS {
                    if let Some(items) = statement.get_mut(field).and_then(Value::as_array_mut) {
                        items.reverse();
                    }
                }
            }
        }
        Rewrite::Scalars => {
            if let Some(statement) = out.get_mut(i) {
                for field in LIST_FIELDS {
                    let single = match statement.get(field).and_then(Value::as_array) {
                        Some(items) if items.len() == 1 => items.first().cloned(),
                        _ => None,
                    };
                    if let Some(single) = single {
                        set(statement, field, single);
                    }
                }
            }
        }
        Rewrite::Lists => {
            if let Some(statement) = out.get_mut(i) {
                as_lists(statement);
            }
        }
        Rewrite::Duplicate => out.push(target),
        Rewrite::Subsumed => {
            let mut copy = target;
            if let Some(object) = copy.as_object_mut() {
                let condition = object
                    .entry("Condition")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Some(operators) = condition.as_object_mut() {
                    let equals = operators
                        .entry("StringEquals")
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Some(keys) = equals.as_object_mut() {
                        keys.entry("aws:RequestTag/extra")
                            .or_insert_with(|| json!("yes"));
                    }
                }
            }
            out.push(copy);
        }
        Rewrite::ExpandActions => {
            let outside = literal_actions_outside_catalogue(&out);
            if let Some(statement) = out.get_mut(i) {
                expand_actions(statement, &outside);
            }
        }
        Rewrite::LowercaseKeys => {
            if let Some(statement) = out.get_mut(i) {
                lowercase_keys(statement);
            }
        }
    }
    unique_sids(&mut out);
    out
}

/// Sids must be unique within a policy and mean nothing else: the copies of a statement get
/// fresh ones.
fn unique_sids(statements: &mut [Value]) {
    let sid = |s: &Value| s.get("Sid").and_then(Value::as_str).map(str::to_owned);
    let mut taken: HashSet<String> = statements.iter().filter_map(sid).collect();
    let mut seen = HashSet::new();
    for statement in statements.iter_mut() {
        let Some(old) = sid(statement) else {
            continue;
        };
        if seen.insert(old.clone()) {
            continue;
        }
        let fresh = (2..)
            .map(|n| format!("{old}{n}"))
            .find(|candidate| !taken.contains(candidate))
            .unwrap_or_default();
        taken.insert(fresh.clone());
        seen.insert(fresh.clone());
        set(statement, "Sid", json!(fresh));
    }
}

fn set(statement: &mut Value, field: &str, value: Value) {
    if let Some(object) = statement.as_object_mut() {
        object.insert(field.to_owned(), value);
    }
}

/// The statement once per value of its first positive, unqualified operator with one key and
/// several values (values are OR'ed, and statements too).
fn split_condition_values(statement: &Value) -> Option<Vec<Value>> {
    let condition = statement.get("Condition")?.as_object()?;
    for (operator, keys) in condition {
        if operator.contains("Not") || operator.starts_with("For") || operator == "Null" {
            continue;
        }
        let Some(keys) = keys.as_object() else {
            continue;
        };
        let mut entries = keys.iter();
        let (Some((key, values)), None) = (entries.next(), entries.next()) else {
            continue;
        };
        let Some(values) = values.as_array().filter(|v| v.len() > 1) else {
            continue;
        };
        let mut out = Vec::with_capacity(values.len());
        for value in values {
            let mut copy = statement.clone();
            let slot = copy
                .get_mut("Condition")
                .and_then(|c| c.get_mut(operator))
                .and_then(|o| o.get_mut(key));
            if let Some(slot) = slot {
                *slot = json!([value]);
            }
            out.push(copy);
        }
        return Some(out);
    }
    None
}

fn as_lists(statement: &mut Value) {
    for field in LIST_FIELDS {
        if let Some(text) = statement.get(field).filter(|v| v.is_string()).cloned() {
            set(statement, field, json!([text]));
        }
    }
    let Some(condition) = statement
        .get_mut("Condition")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for keys in condition.values_mut() {
        let Some(keys) = keys.as_object_mut() else {
            continue;
        };
        for value in keys.values_mut() {
            if !value.is_array() {
                *value = json!([value.clone()]);
            }
        }
    }
}

/// Literal actions the policy names that the catalogue lacks: they are in the solver's domain,
/// and an expansion through the catalogue would drop them.
fn literal_actions_outside_catalogue(statements: &[Value]) -> Vec<String> {
    let catalogue = Catalogue::embedded();
    let mut out = Vec::new();
    for statement in statements {
        for field in ["Action", "NotAction"] {
            for item in texts(statement.get(field)) {
                if !item.contains(['*', '?']) && catalogue.action(item).is_none() {
                    out.push(item.to_ascii_lowercase());
                }
            }
        }
    }
    out
}

/// The strings of a scalar or a list.
fn texts(value: Option<&Value>) -> Vec<&str> {
    match value {
        Some(Value::String(text)) => vec![text.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

fn expand_actions(statement: &mut Value, outside: &[String]) {
    let catalogue = Catalogue::embedded();
    for field in ["Action", "NotAction"] {
        let Some(items) = statement.get(field).and_then(Value::as_array) else {
            continue;
        };
        let mut expanded = Vec::new();
        for item in items {
            let Some(text) = item.as_str() else {
                expanded.push(item.clone());
                continue;
            };
            let pattern = Pattern::new(text).ignore_case();
            let matches = catalogue.expand(text);
            let keeps_all = !outside.iter().any(|a| pattern.matches(a));
            if text.contains(['*', '?'])
                && !matches.is_empty()
                && matches.len() <= EXPANSION_LIMIT
                && keeps_all
            {
                expanded.extend(matches.iter().map(|a| json!(a.to_string())));
            } else {
                expanded.push(item.clone());
            }
        }
        set(statement, field, json!(expanded));
    }
}

fn lowercase_keys(statement: &mut Value) {
    let Some(condition) = statement
        .get_mut("Condition")
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    for keys in condition.values_mut() {
        let Some(object) = keys.as_object() else {
            continue;
        };
        let mut lowered = Map::new();
        for (key, value) in object {
            lowered.insert(key.to_lowercase(), value.clone());
        }
        // Two spellings of one key in one operator would merge: leave those as they are.
        if lowered.len() == object.len() {
            *keys = Value::Object(lowered);
        }
    }
}

/// The corpus benchmark's rewrite of a whole document: scalars as lists, lists reversed and
/// condition keys in lowercase in every statement; condition values split, actions split (the
/// first statement with 2 to 32) and action patterns expanded through the catalogue, each in
/// the first statement where it changes something; then the statements reversed. Returns the
/// rewritten document and the rewrites that changed it.
pub fn rewrite_document(document: &Value) -> (Value, Vec<Rewrite>) {
    let mut current = statements(document);
    let mut applied = Vec::new();
    for how in [
        Rewrite::Lists,
        Rewrite::ReverseLists,
        Rewrite::LowercaseKeys,
    ] {
        let before = current.clone();
        for at in 0..current.len() {
            current = rewrite(current, how, at);
        }
        if current != before {
            applied.push(how);
        }
    }
    let splittable = |s: &Value| {
        s.get("Action")
            .and_then(Value::as_array)
            .is_some_and(|a| (2..=32).contains(&a.len()))
    };
    for how in [
        Rewrite::SplitConditionValues,
        Rewrite::SplitActions,
        Rewrite::ExpandActions,
    ] {
        for at in 0..current.len() {
            let eligible = how != Rewrite::SplitActions || current.get(at).is_some_and(splittable);
            if !eligible {
                continue;
            }
            let next = rewrite(current.clone(), how, at);
            if next != current {
                current = next;
                applied.push(how);
                break;
            }
        }
    }
    if current.len() > 1 {
        current = rewrite(current, Rewrite::Reverse, 0);
        applied.push(Rewrite::Reverse);
    }
    // One statement written as an object becomes a list of one.
    if document.get("Statement").is_some_and(Value::is_object) && !applied.contains(&Rewrite::Lists)
    {
        applied.insert(0, Rewrite::Lists);
    }
    (with_statements(document, current), applied)
}

/// A change to a policy that usually changes what it allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutation {
    /// One action removed from a statement's `Action` list (or, when no list has two, a
    /// statement with a single action removed).
    RemoveAction,
    /// One value of the first condition changed.
    ChangeConditionValue,
    /// The statement at the index (modulo their number) removed.
    DropStatement(usize),
    /// The statement at the index (modulo their number) written twice: changes nothing.
    DuplicateStatement(usize),
}

/// A mutated document and what was changed.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutated {
    pub document: Value,
    pub description: String,
}

/// `document` changed by `how`, or `None` when it has nothing to change (no action to remove,
/// no condition).
pub fn mutate(document: &Value, how: Mutation) -> Option<Mutated> {
    let mut current = statements(document);
    let description = match how {
        Mutation::RemoveAction => remove_action(&mut current)?,
        Mutation::ChangeConditionValue => change_condition_value(&mut current)?,
        Mutation::DropStatement(n) => {
            if current.len() < 2 {
                return None;
            }
            let i = n % current.len();
            current.remove(i);
            format!("removed statement {}", i + 1)
        }
        Mutation::DuplicateStatement(n) => {
            let i = n % current.len().max(1);
            let copy = current.get(i).cloned()?;
            current.push(copy);
            unique_sids(&mut current);
            format!("duplicated statement {}", i + 1)
        }
    };
    Some(Mutated {
        document: with_statements(document, current),
        description,
    })
}

fn is_allow(statement: &Value) -> bool {
    statement.get("Effect").and_then(Value::as_str) == Some("Allow")
}

fn remove_action(statements: &mut Vec<Value>) -> Option<String> {
    let listed = |s: &Value| {
        s.get("Action")
            .and_then(Value::as_array)
            .is_some_and(|a| a.len() > 1)
    };
    let at = statements
        .iter()
        .position(|s| is_allow(s) && listed(s))
        .or_else(|| statements.iter().position(listed));
    if let Some(at) = at {
        let items = statements
            .get_mut(at)
            .and_then(|s| s.get_mut("Action"))
            .and_then(Value::as_array_mut)?;
        let removed = items.remove(0);
        return Some(format!(
            "removed the action {} from statement {}",
            removed,
            at + 1
        ));
    }
    if statements.len() < 2 {
        return None;
    }
    let single = |s: &Value| texts(s.get("Action")).len() == 1;
    let at = statements
        .iter()
        .position(|s| is_allow(s) && single(s))
        .or_else(|| statements.iter().position(single))?;
    let removed = statements.remove(at);
    let action = texts(removed.get("Action")).join("");
    Some(format!(
        "removed statement {} with its only action `{action}`",
        at + 1
    ))
}

fn change_condition_value(statements: &mut [Value]) -> Option<String> {
    for (index, statement) in statements.iter_mut().enumerate() {
        let Some(condition) = statement
            .get_mut("Condition")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (operator, keys) in condition.iter_mut() {
            let Some(keys) = keys.as_object_mut() else {
                continue;
            };
            for (key, values) in keys.iter_mut() {
                let slot = match values {
                    Value::Array(items) => items.first_mut(),
                    other => Some(other),
                };
                let Some(slot) = slot else {
                    continue;
                };
                let before = slot.to_string();
                *slot = changed_value(operator, slot);
                return Some(format!(
                    "changed {before} to {} in `{operator}` `{key}` of statement {}",
                    slot,
                    index + 1
                ));
            }
        }
    }
    None
}

/// A different value of the operator's type.
fn changed_value(operator: &str, value: &Value) -> Value {
    let base = operator
        .rsplit(':')
        .next()
        .unwrap_or(operator)
        .trim_end_matches("IfExists");
    let text = match value {
        Value::String(text) => text.clone(),
        Value::Bool(b) => return Value::Bool(!b),
        Value::Number(n) => return json!(n.as_f64().unwrap_or(0.0) + 1.0),
        other => other.to_string(),
    };
    let changed = if base == "Null" || base == "Bool" {
        match text.to_ascii_lowercase().as_str() {
            "true" => "false".to_owned(),
            "false" => "true".to_owned(),
            _ => format!("{text}x"),
        }
    } else if base.starts_with("Numeric") {
        match (text.parse::<i64>(), text.parse::<f64>()) {
            (Ok(n), _) => n.saturating_add(1).to_string(),
            (_, Ok(x)) => (x + 1.0).to_string(),
            _ => format!("{text}1"),
        }
    } else if base.starts_with("Date") {
        match text.parse::<i64>() {
            Ok(seconds) => seconds.saturating_add(86_400).to_string(),
            Err(_) => next_year(&text).unwrap_or_else(|| format!("{text}1")),
        }
    } else if base.ends_with("IpAddress") {
        other_network(&text).unwrap_or_else(|| format!("{text}x"))
    } else if base.starts_with("Binary") {
        if text == "QUJD" { "REVG" } else { "QUJD" }.to_owned()
    } else {
        format!("{text}x")
    };
    Value::String(changed)
}

fn next_year(text: &str) -> Option<String> {
    let year: u32 = text.get(..4)?.parse().ok()?;
    Some(format!("{}{}", year + 1, text.get(4..)?))
}

/// The CIDR with the lowest bit of its first octet (or group) flipped.
fn other_network(text: &str) -> Option<String> {
    let (address, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let changed = match address.parse::<IpAddr>().ok()? {
        IpAddr::V4(a) => {
            let mut octets = a.octets();
            let first = octets.first_mut()?;
            *first ^= 1;
            IpAddr::from(octets).to_string()
        }
        IpAddr::V6(a) => {
            let mut segments = a.segments();
            let first = segments.first_mut()?;
            *first ^= 1;
            IpAddr::from(segments).to_string()
        }
    };
    Some(match prefix {
        Some(p) => format!("{changed}/{p}"),
        None => changed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(statements: Value) -> Value {
        json!({"Version": "2012-10-17", "Statement": statements})
    }

    #[test]
    fn rewrites_keep_the_items() {
        let s = json!({"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/Team": ["red", "blue"]}}});
        let split = rewrite(vec![s.clone()], Rewrite::SplitActions, 0);
        assert_eq!(split.len(), 2);
        assert_eq!(split[1]["Action"], json!(["s3:PutObject"]));
        let split = rewrite(vec![s.clone()], Rewrite::SplitConditionValues, 0);
        assert_eq!(
            split[0]["Condition"]["StringEquals"]["aws:PrincipalTag/Team"],
            json!(["red"])
        );
        let lists = rewrite(vec![s.clone()], Rewrite::Lists, 0);
        assert_eq!(lists[0]["Resource"], json!(["*"]));
        let lower = rewrite(vec![s.clone()], Rewrite::LowercaseKeys, 0);
        let mut named = s;
        named["Sid"] = json!("Read");
        let split = rewrite(vec![named], Rewrite::SplitActions, 0);
        assert_eq!(
            (&split[0]["Sid"], &split[1]["Sid"]),
            (&json!("Read"), &json!("Read2"))
        );
        assert!(lower[0]["Condition"]["StringEquals"]
            .get("aws:principaltag/team")
            .is_some());
    }

    #[test]
    fn expansion_keeps_actions_the_catalogue_lacks() {
        let s = vec![
            json!({"Effect": "Allow", "Action": ["s3:GetObject*"], "Resource": "*"}),
            json!({"Effect": "Deny", "NotAction": "s3:GetObjectMadeUp", "Resource": "*"}),
        ];
        let out = rewrite(s.clone(), Rewrite::ExpandActions, 0);
        assert_eq!(out, s);
        let alone = rewrite(s[..1].to_vec(), Rewrite::ExpandActions, 0);
        assert!(
            alone[0]["Action"].as_array().unwrap().len() > 1,
            "{alone:?}"
        );
    }

    #[test]
    fn the_document_rewrite_reports_what_it_changed() {
        let d = doc(json!({"Effect": "Allow", "Action": "s3:GetObject*", "Resource": "*"}));
        let (out, applied) = rewrite_document(&d);
        assert!(applied.contains(&Rewrite::Lists));
        assert!(applied.contains(&Rewrite::ExpandActions));
        assert!(out["Statement"].is_array());
    }

    #[test]
    fn mutations() {
        let d = doc(json!([
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
        ]));
        let m = mutate(&d, Mutation::RemoveAction).unwrap();
        assert_eq!(
            m.document["Statement"][0]["Action"],
            json!(["s3:PutObject"])
        );
        let m = mutate(&d, Mutation::ChangeConditionValue).unwrap();
        assert_eq!(
            m.document["Statement"][0]["Condition"]["IpAddress"]["aws:SourceIp"],
            json!("11.0.0.0/8")
        );
        let single = doc(json!({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}));
        assert!(mutate(&single, Mutation::RemoveAction).is_none());
        assert!(mutate(&single, Mutation::ChangeConditionValue).is_none());
        assert_eq!(changed_value("NumericLessThan", &json!("10")), json!("11"));
        assert_eq!(
            changed_value("DateGreaterThan", &json!("2024-01-01T00:00:00Z")),
            json!("2025-01-01T00:00:00Z")
        );
        assert_eq!(
            changed_value("BoolIfExists", &json!("true")),
            json!("false")
        );
        assert_eq!(
            changed_value("IpAddress", &json!("2001:db8::/32")),
            json!("2000:db8::/32")
        );
        assert_eq!(
            changed_value("ForAllValues:StringEquals", &json!("a")),
            json!("ax")
        );
    }
}
