//! JSON → [`Policy`]. Collects every structural problem (wrong JSON types, duplicate or unknown
//! elements, missing or conflicting elements, unknown operators) as findings with JSON paths,
//! instead of stopping at the first.

use super::ast::*;
use super::finding::Finding;
use crate::condition::{ConditionOperator, OperatorProblem};
use crate::json::{Json, JsonPath};
use std::collections::HashSet;

/// Parses a policy document. `Err` carries every error found; `Ok` may still be rejected by
/// [`super::validate`] for its kind.
pub fn parse_policy(json: &Json) -> Result<Policy, Vec<Finding>> {
    let mut parser = Parser::default();
    check_characters(json, &JsonPath::root(), &mut parser.findings);
    let policy = parser.policy(json);
    match policy {
        Some(policy) if parser.findings.is_empty() => Ok(policy),
        _ => Err(parser.findings),
    }
}

#[derive(Default)]
struct Parser {
    findings: Vec<Finding>,
}

/// Reports the first character outside TAB, LF, CR and U+0020..U+00FF in each string (§1.1).
fn check_characters(json: &Json, path: &JsonPath, findings: &mut Vec<Finding>) {
    let check = |text: &str, at: &JsonPath, findings: &mut Vec<Finding>| {
        if let Some(c) = text
            .chars()
            .find(|&c| !(matches!(c, '\t' | '\n' | '\r') || ('\u{20}'..='\u{ff}').contains(&c)))
        {
            findings.push(Finding::error(
                "invalid-character",
                at.clone(),
                format!(
                    "character U+{:04X} is not allowed in a policy (only TAB, LF, CR and U+0020..U+00FF)",
                    c as u32
                ),
            ));
        }
    };
    match json {
        Json::String(s) => check(s, path, findings),
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_characters(item, &path.index(i), findings);
            }
        }
        Json::Object(members) => {
            for (key, value) in members {
                let at = path.key(key);
                check(key, &at, findings);
                check_characters(value, &at, findings);
            }
        }
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}

impl Parser {
    fn error(&mut self, code: &'static str, path: JsonPath, message: impl Into<String>) {
        self.findings.push(Finding::error(code, path, message));
    }

    fn wrong_type(&mut self, path: JsonPath, expected: &str, found: &Json) {
        self.error(
            "wrong-type",
            path,
            format!("expected {expected}, found {}", found.type_name()),
        );
    }

    /// The members of an object, with duplicates reported; `None` if `json` is not an object.
    fn object<'a>(&mut self, json: &'a Json, path: &JsonPath) -> Option<Vec<(&'a str, &'a Json)>> {
        let Json::Object(members) = json else {
            self.wrong_type(path.clone(), "an object", json);
            return None;
        };
        // A set beside the list keeps an object of many members linear, not quadratic.
        let mut names: HashSet<&str> = HashSet::with_capacity(members.len());
        let mut seen: Vec<(&str, &Json)> = Vec::with_capacity(members.len());
        for (key, value) in members {
            if !names.insert(key.as_str()) {
                self.error(
                    "duplicate-key",
                    path.key(key),
                    format!("duplicate element `{key}`"),
                );
            } else {
                seen.push((key.as_str(), value));
            }
        }
        Some(seen)
    }

    fn policy(&mut self, json: &Json) -> Option<Policy> {
        let root = JsonPath::root();
        let members = self.object(json, &root)?;
        let mut version = Version::Absent;
        let mut id = None;
        let mut statements = None;
        for (key, value) in members {
            let path = root.key(key);
            match key {
                "Version" => match value {
                    Json::String(s) if s == "2012-10-17" => version = Version::V2012_10_17,
                    Json::String(s) if s == "2008-10-17" => version = Version::V2008_10_17,
                    Json::String(s) => self.error(
                        "invalid-version",
                        path,
                        format!(
                            "`{s}` is not a policy language version (2012-10-17 or 2008-10-17)"
                        ),
                    ),
                    other => self.wrong_type(path, "a string", other),
                },
                "Id" => match value {
                    Json::String(s) => id = Some(s.clone()),
                    other => self.wrong_type(path, "a string", other),
                },
                "Statement" => statements = self.statements(value, &path),
                other => self.error(
                    "unknown-element",
                    path,
                    format!("`{other}` is not a policy element (Version, Id, Statement)"),
                ),
            }
        }
        if statements.is_none() && json.get("Statement").is_none() {
            self.error("missing-element", root, "the policy has no `Statement`");
        }
        Some(Policy {
            version,
            id,
            statements: statements?,
        })
    }

    fn statements(&mut self, json: &Json, path: &JsonPath) -> Option<Vec<Statement>> {
        match json {
            Json::Object(_) => Some(vec![self.statement(json, path.clone())?]),
            Json::Array(items) if items.is_empty() => {
                self.error("empty-list", path.clone(), "`Statement` is an empty list");
                None
            }
            Json::Array(items) => {
                let parsed: Vec<Option<Statement>> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.statement(item, path.index(i)))
                    .collect();
                parsed.into_iter().collect()
            }
            other => {
                self.wrong_type(path.clone(), "an object or an array of objects", other);
                None
            }
        }
    }

    fn statement(&mut self, json: &Json, path: JsonPath) -> Option<Statement> {
        let members = self.object(json, &path)?;
        let mut sid = None;
        let mut effect = None;
        let mut principal: Option<PrincipalElement> = None;
        let mut action: Option<ActionElement> = None;
        let mut resource: Option<ResourceElement> = None;
        let mut condition = Vec::new();
        let mut ok = true;
        for (key, value) in members {
            let at = path.key(key);
            match key {
                "Sid" => match value {
                    Json::String(s) => sid = Some(s.clone()),
                    other => self.wrong_type(at, "a string", other),
                },
                "Effect" => match value {
                    Json::String(s) if s == "Allow" => effect = Some(Effect::Allow),
                    Json::String(s) if s == "Deny" => effect = Some(Effect::Deny),
                    Json::String(s) => self.error(
                        "invalid-effect",
                        at,
                        format!("`{s}` is not an effect (`Allow` or `Deny`, case-sensitive)"),
                    ),
                    other => self.wrong_type(at, "a string", other),
                },
                "Principal" | "NotPrincipal" => {
                    let negated = key == "NotPrincipal";
                    if principal.is_some() {
                        self.conflict(&path, "Principal", "NotPrincipal");
                        ok = false;
                    } else if let Some(principals) = self.principals(value, &at) {
                        principal = Some(PrincipalElement {
                            negated,
                            principals,
                        });
                    } else {
                        ok = false;
                    }
                }
                "Action" | "NotAction" => {
                    let negated = key == "NotAction";
                    if action.is_some() {
                        self.conflict(&path, "Action", "NotAction");
                        ok = false;
                    } else if let Some(patterns) = self.values(value, &at, false) {
                        action = Some(ActionElement { negated, patterns });
                    } else {
                        ok = false;
                    }
                }
                "Resource" | "NotResource" => {
                    let negated = key == "NotResource";
                    if resource.is_some() {
                        self.conflict(&path, "Resource", "NotResource");
                        ok = false;
                    } else if let Some(patterns) = self.values(value, &at, false) {
                        resource = Some(ResourceElement { negated, patterns });
                    } else {
                        ok = false;
                    }
                }
                "Condition" => match self.condition(value, &at) {
                    Some(clauses) => condition = clauses,
                    None => ok = false,
                },
                other => {
                    self.error(
                        "unknown-element",
                        at,
                        format!("`{other}` is not a statement element"),
                    );
                    ok = false;
                }
            }
        }
        if effect.is_none() && json.get("Effect").is_none() {
            self.error(
                "missing-element",
                path.clone(),
                "the statement has no `Effect`",
            );
        }
        if action.is_none() && json.get("Action").is_none() && json.get("NotAction").is_none() {
            self.error(
                "missing-element",
                path.clone(),
                "the statement has neither `Action` nor `NotAction`",
            );
        }
        if !ok {
            return None;
        }
        Some(Statement {
            path,
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            condition,
        })
    }

    fn conflict(&mut self, path: &JsonPath, a: &str, b: &str) {
        self.error(
            "conflicting-elements",
            path.clone(),
            format!("the statement has both `{a}` and `{b}`"),
        );
    }

    /// A string or a non-empty list of strings (§1.1). With `scalars`, numbers and booleans are
    /// read as their text (condition values, D3).
    fn values(&mut self, json: &Json, path: &JsonPath, scalars: bool) -> Option<Values> {
        let text = |json: &Json| match json {
            Json::String(s) => Some(s.clone()),
            Json::Number(n) if scalars => Some(n.clone()),
            Json::Bool(b) if scalars => Some(b.to_string()),
            _ => None,
        };
        let expected = if scalars {
            "a string, number or boolean, or a list of them"
        } else {
            "a string or a list of strings"
        };
        match json {
            Json::Array(items) if items.is_empty() => {
                self.error("empty-list", path.clone(), "the list is empty");
                None
            }
            Json::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for (i, item) in items.iter().enumerate() {
                    match text(item) {
                        Some(s) => out.push(s),
                        None => {
                            self.wrong_type(path.index(i), expected, item);
                            ok = false;
                        }
                    }
                }
                ok.then_some(Values {
                    items: out,
                    is_list: true,
                })
            }
            other => match text(other) {
                Some(s) => Some(Values {
                    items: vec![s],
                    is_list: false,
                }),
                None => {
                    self.wrong_type(path.clone(), expected, other);
                    None
                }
            },
        }
    }

    fn principals(&mut self, json: &Json, path: &JsonPath) -> Option<Principals> {
        match json {
            Json::String(s) if s == "*" => Some(Principals::Any),
            Json::String(s) => {
                self.error(
                    "invalid-principal",
                    path.clone(),
                    format!("`{s}` is not a principal: use `\"*\"` or an object such as `{{\"AWS\": ...}}`"),
                );
                None
            }
            Json::Object(_) => {
                let members = self.object(json, path)?;
                if members.is_empty() {
                    self.error("empty-list", path.clone(), "the principal object is empty");
                    return None;
                }
                let mut entries = Vec::with_capacity(members.len());
                let mut ok = true;
                for (key, value) in members {
                    let at = path.key(key);
                    match PrincipalType::parse(key) {
                        Some(kind) => match self.values(value, &at, false) {
                            Some(values) => entries.push((kind, values)),
                            None => ok = false,
                        },
                        None => {
                            self.error(
                                "invalid-principal",
                                at,
                                format!("`{key}` is not a principal type (AWS, Service, Federated, CanonicalUser)"),
                            );
                            ok = false;
                        }
                    }
                }
                ok.then_some(Principals::Typed(entries))
            }
            other => {
                self.wrong_type(path.clone(), "`\"*\"` or an object", other);
                None
            }
        }
    }

    fn condition(&mut self, json: &Json, path: &JsonPath) -> Option<Vec<ConditionClause>> {
        let operators = self.object(json, path)?;
        let mut clauses = Vec::new();
        let mut ok = true;
        for (operator_text, keys) in operators {
            let at = path.key(operator_text);
            let operator = match ConditionOperator::parse(operator_text) {
                Ok(op) => op,
                Err(OperatorProblem::Unknown) => {
                    self.error(
                        "unknown-operator",
                        at,
                        format!("`{operator_text}` is not a condition operator"),
                    );
                    ok = false;
                    continue;
                }
                Err(OperatorProblem::NullDecorated) => {
                    self.error(
                        "unknown-operator",
                        at,
                        format!("`{operator_text}`: `Null` takes no `IfExists` suffix and no set qualifier"),
                    );
                    ok = false;
                    continue;
                }
            };
            let Some(keys) = self.object(keys, &at) else {
                ok = false;
                continue;
            };
            if keys.is_empty() {
                self.error(
                    "empty-list",
                    at.clone(),
                    format!("`{operator_text}` names no condition key"),
                );
                ok = false;
            }
            for (key, values) in keys {
                let key_path = at.key(key);
                match self.values(values, &key_path, true) {
                    Some(values) => clauses.push(ConditionClause {
                        operator_text: operator_text.to_owned(),
                        operator,
                        key: key.to_owned(),
                        values,
                    }),
                    None => ok = false,
                }
            }
        }
        ok.then_some(clauses)
    }
}
