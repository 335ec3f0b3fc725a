//! JSON → [`Policy`]. Collects every structural problem (wrong JSON types, duplicate or unknown
//! elements, missing or conflicting elements, unknown operators) as findings with JSON paths,
//! instead of stopping at the first, and keeps every part it could read ([`Draft`]) so that
//! validation checks those too.

use super::ast::*;
use super::draft::*;
use super::finding::Finding;
use crate::condition::{ConditionOperator, OperatorProblem};
use crate::json::{Json, JsonPath};
use crate::quote::quoted;
use std::collections::HashSet;

/// Parses a policy document. `Err` carries every error found; `Ok` may still be rejected by
/// [`super::validate`] for its kind.
pub fn parse_policy(json: &Json) -> Result<Policy, Vec<Finding>> {
    let (draft, findings) = parse_draft(json);
    match draft.and_then(Draft::finish) {
        Some(policy) if findings.is_empty() => Ok(policy),
        _ => Err(findings),
    }
}

/// Every structural error, and the policy as far as it could be read (`None` when the document
/// is not an object).
pub(super) fn parse_draft(json: &Json) -> (Option<Draft>, Vec<Finding>) {
    let mut parser = Parser::default();
    check_characters(json, &mut Vec::new(), &mut parser.findings);
    let draft = parser.policy(json);
    (draft, parser.findings)
}

#[derive(Default)]
struct Parser {
    findings: Vec<Finding>,
}

/// Reports the first character outside TAB, LF, CR and U+0020..U+00FF in each string (§1.1).
/// `at` is the path so far as segments; a [`JsonPath`] is built only for a finding.
fn check_characters<'a>(json: &'a Json, at: &mut Vec<Step<'a>>, findings: &mut Vec<Finding>) {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r') || ('\u{20}'..='\u{ff}').contains(&c);
    let check = |text: &str, at: &[Step<'_>], findings: &mut Vec<Finding>| {
        // Most text is ASCII: its bytes are its characters, and no decoding is needed.
        let found = if text.is_ascii() {
            text.bytes().map(char::from).find(|&c| !allowed(c))
        } else {
            text.chars().find(|&c| !allowed(c))
        };
        if let Some(c) = found {
            findings.push(Finding::error(
                "invalid-character",
                path_of(at),
                format!(
                    "character U+{:04X} is not allowed in a policy (only TAB, LF, CR and U+0020..U+00FF)",
                    c as u32
                ),
            ));
        }
    };
    match json {
        Json::String(s) => check(s, at, findings),
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(Step::Index(i));
                check_characters(item, at, findings);
                at.pop();
            }
        }
        Json::Object(members) => {
            for (key, value) in members {
                at.push(Step::Key(key));
                check(key, at, findings);
                check_characters(value, at, findings);
                at.pop();
            }
        }
        Json::Null | Json::Bool(_) | Json::Number(_) => {}
    }
}

/// A step of a path, borrowed from the document while it is walked.
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

fn path_of(steps: &[Step<'_>]) -> JsonPath {
    steps
        .iter()
        .fold(JsonPath::root(), |path, step| match step {
            Step::Key(key) => path.key(key),
            Step::Index(index) => path.index(*index),
        })
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
    fn object<'a>(
        &mut self,
        json: &'a Json,
        path: &dyn Fn() -> JsonPath,
    ) -> Option<Vec<(&'a str, &'a Json)>> {
        let Json::Object(members) = json else {
            self.wrong_type(path(), "an object", json);
            return None;
        };
        // A set beside the list keeps an object of many members linear, not quadratic.
        let mut names: HashSet<&str> = HashSet::with_capacity(members.len());
        let mut seen: Vec<(&str, &Json)> = Vec::with_capacity(members.len());
        for (key, value) in members {
            if !names.insert(key.as_str()) {
                self.error(
                    "duplicate-key",
                    path().key(key),
                    format!("duplicate element {}", quoted(key)),
                );
            } else {
                seen.push((key.as_str(), value));
            }
        }
        Some(seen)
    }

    fn policy(&mut self, json: &Json) -> Option<Draft> {
        let root = JsonPath::root();
        let members = self.object(json, &JsonPath::root)?;
        let mut draft = Draft {
            version: Slot::Absent,
            id: None,
            statements: Vec::new(),
            complete: false,
        };
        let mut has_statement = false;
        for (key, value) in members {
            let path = || root.key(key);
            match key {
                "Version" => {
                    draft.version = match value {
                        Json::String(s) if s == "2012-10-17" => Slot::Parsed(Version::V2012_10_17),
                        Json::String(s) if s == "2008-10-17" => Slot::Parsed(Version::V2008_10_17),
                        Json::String(s) => {
                            self.error(
                                "invalid-version",
                                path(),
                                format!(
                                    "{} is not a policy language version (2012-10-17 or 2008-10-17)",
                                    quoted(s)
                                ),
                            );
                            Slot::Broken
                        }
                        other => {
                            self.wrong_type(path(), "a string", other);
                            Slot::Broken
                        }
                    }
                }
                "Id" => match value {
                    Json::String(s) => draft.id = Some(s.clone()),
                    other => self.wrong_type(path(), "a string", other),
                },
                "Statement" => {
                    has_statement = true;
                    draft.complete = self.statements(value, &path(), &mut draft.statements);
                }
                other => self.error(
                    "unknown-element",
                    path(),
                    format!(
                        "{} is not a policy element (Version, Id, Statement)",
                        quoted(other)
                    ),
                ),
            }
        }
        if !has_statement {
            self.error("missing-element", root, "the policy has no `Statement`");
        }
        Some(draft)
    }

    /// Reads `Statement` into `out`; `true` when every statement was read whole.
    fn statements(&mut self, json: &Json, path: &JsonPath, out: &mut Vec<DraftStatement>) -> bool {
        match json {
            Json::Object(_) => self.statement(json, path.clone(), out),
            Json::Array(items) if items.is_empty() => {
                self.error("empty-list", path.clone(), "`Statement` is an empty list");
                false
            }
            Json::Array(items) => {
                out.reserve(items.len());
                let mut complete = true;
                for (i, item) in items.iter().enumerate() {
                    complete &= self.statement(item, path.index(i), out);
                }
                complete
            }
            other => {
                self.wrong_type(path.clone(), "an object or an array of objects", other);
                false
            }
        }
    }

    /// Reads one statement into `out` (when it is an object); `true` when it was read whole.
    fn statement(&mut self, json: &Json, path: JsonPath, out: &mut Vec<DraftStatement>) -> bool {
        let Some(members) = self.object(json, &|| path.clone()) else {
            return false;
        };
        let mut s = DraftStatement {
            path: JsonPath::root(),
            sid: None,
            effect: None,
            principal: None,
            action: None,
            resource: Slot::Absent,
            condition: Vec::new(),
            condition_complete: true,
            complete: true,
        };
        let mut has_effect = false;
        let mut has_action = false;
        for (key, value) in members {
            let at = || path.key(key);
            match key {
                "Sid" => match value {
                    Json::String(text) => s.sid = Some(text.clone()),
                    other => {
                        self.wrong_type(at(), "a string", other);
                        s.complete = false;
                    }
                },
                "Effect" => {
                    has_effect = true;
                    match value {
                        Json::String(text) if text == "Allow" => s.effect = Some(Effect::Allow),
                        Json::String(text) if text == "Deny" => s.effect = Some(Effect::Deny),
                        Json::String(text) => self.error(
                            "invalid-effect",
                            at(),
                            format!(
                                "{} is not an effect (`Allow` or `Deny`, case-sensitive)",
                                quoted(text)
                            ),
                        ),
                        other => self.wrong_type(at(), "a string", other),
                    }
                }
                "Principal" | "NotPrincipal" => {
                    let negated = key == "NotPrincipal";
                    if s.principal.is_some() {
                        self.conflict(&path, "Principal", "NotPrincipal");
                        s.complete = false;
                    } else {
                        let principals = self.principals(value, &at);
                        s.complete &= principals.is_some();
                        s.principal = Some(DraftPrincipal {
                            negated,
                            principals,
                        });
                    }
                }
                "Action" | "NotAction" => {
                    has_action = true;
                    let negated = key == "NotAction";
                    if s.action.is_some() {
                        self.conflict(&path, "Action", "NotAction");
                        s.complete = false;
                    } else if let Some(items) = self.values(value, &at, false) {
                        s.action = Some(DraftElement { negated, items });
                    } else {
                        s.complete = false;
                    }
                }
                "Resource" | "NotResource" => {
                    let negated = key == "NotResource";
                    if !matches!(s.resource, Slot::Absent) {
                        self.conflict(&path, "Resource", "NotResource");
                        s.complete = false;
                    } else if let Some(items) = self.values(value, &at, false) {
                        s.resource = Slot::Parsed(DraftElement { negated, items });
                    } else {
                        s.resource = Slot::Broken;
                    }
                }
                "Condition" => {
                    s.condition_complete = self.condition(value, &at, &mut s.condition);
                }
                other => {
                    self.error(
                        "unknown-element",
                        at(),
                        format!("{} is not a statement element", quoted(other)),
                    );
                    s.complete = false;
                }
            }
        }
        if !has_effect {
            self.error(
                "missing-element",
                path.clone(),
                "the statement has no `Effect`",
            );
        }
        if !has_action {
            self.error(
                "missing-element",
                path.clone(),
                "the statement has neither `Action` nor `NotAction`",
            );
        }
        // A statement with an unreadable `Effect` or `Action` cannot be evaluated, only checked.
        let complete = s.complete
            && s.condition_complete
            && s.effect.is_some()
            && s.action.as_ref().is_some_and(|a| a.items.complete)
            && !matches!(s.resource, Slot::Broken);
        s.path = path;
        out.push(s);
        complete
    }

    fn conflict(&mut self, path: &JsonPath, a: &str, b: &str) {
        self.error(
            "conflicting-elements",
            path.clone(),
            format!("the statement has both `{a}` and `{b}`"),
        );
    }

    /// A string or a non-empty list of strings (§1.1). With `scalars`, numbers and booleans are
    /// read as their text (condition values, D3). `None` when nothing of it can be read; a list
    /// with items of the wrong type keeps the others (`complete` false).
    fn values(&mut self, json: &Json, path: &dyn Fn() -> JsonPath, scalars: bool) -> Option<Items> {
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
                self.error("empty-list", path(), "the list is empty");
                None
            }
            Json::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                // Positions are recorded from the first unreadable item on: until then an
                // item's position is its index.
                let mut positions = Vec::new();
                let mut complete = true;
                for (i, item) in items.iter().enumerate() {
                    match text(item) {
                        Some(s) => {
                            if !complete {
                                positions.push(i);
                            }
                            out.push(s);
                        }
                        None => {
                            if complete {
                                positions.extend(0..out.len());
                                complete = false;
                            }
                            self.wrong_type(path().index(i), expected, item);
                        }
                    }
                }
                Some(Items {
                    complete,
                    values: Values {
                        items: out,
                        is_list: true,
                    },
                    positions,
                })
            }
            other => match text(other) {
                Some(s) => Some(Items {
                    values: Values {
                        items: vec![s],
                        is_list: false,
                    },
                    positions: Vec::new(),
                    complete: true,
                }),
                None => {
                    self.wrong_type(path(), expected, other);
                    None
                }
            },
        }
    }

    /// `None` when the value cannot be read at all.
    fn principals(&mut self, json: &Json, path: &dyn Fn() -> JsonPath) -> Option<DraftPrincipals> {
        match json {
            Json::String(s) if s == "*" => Some(DraftPrincipals::Any),
            Json::String(s) => {
                self.error(
                    "invalid-principal",
                    path(),
                    format!(
                        "{} is not a principal: use `\"*\"` or an object such as `{{\"AWS\": ...}}`",
                        quoted(s)
                    ),
                );
                None
            }
            Json::Object(_) => {
                let members = self.object(json, path)?;
                if members.is_empty() {
                    self.error("empty-list", path(), "the principal object is empty");
                    return None;
                }
                let mut entries = Vec::with_capacity(members.len());
                let mut complete = true;
                for (key, value) in members {
                    let at = || path().key(key);
                    match PrincipalType::parse(key) {
                        Some(kind) => match self.values(value, &at, false) {
                            Some(values) => {
                                complete &= values.complete;
                                entries.push((kind, values));
                            }
                            None => complete = false,
                        },
                        None => {
                            self.error(
                                "invalid-principal",
                                at(),
                                format!(
                                    "{} is not a principal type (AWS, Service, Federated, CanonicalUser)",
                                    quoted(key)
                                ),
                            );
                            complete = false;
                        }
                    }
                }
                Some(DraftPrincipals::Typed { entries, complete })
            }
            other => {
                self.wrong_type(path(), "`\"*\"` or an object", other);
                None
            }
        }
    }

    /// Reads the clauses of `Condition` into `out`; `true` when every one was read whole.
    fn condition(
        &mut self,
        json: &Json,
        path: &dyn Fn() -> JsonPath,
        out: &mut Vec<DraftClause>,
    ) -> bool {
        let Some(operators) = self.object(json, path) else {
            return false;
        };
        let mut complete = true;
        for (operator_text, keys) in operators {
            let at = || path().key(operator_text);
            let operator = match ConditionOperator::parse(operator_text) {
                Ok(op) => op,
                Err(OperatorProblem::Unknown) => {
                    self.error(
                        "unknown-operator",
                        at(),
                        format!("{} is not a condition operator", quoted(operator_text)),
                    );
                    complete = false;
                    continue;
                }
                Err(OperatorProblem::NullDecorated) => {
                    self.error(
                        "unknown-operator",
                        at(),
                        format!(
                            "{}: `Null` takes no `IfExists` suffix and no set qualifier",
                            quoted(operator_text)
                        ),
                    );
                    complete = false;
                    continue;
                }
            };
            let Some(keys) = self.object(keys, &at) else {
                complete = false;
                continue;
            };
            if keys.is_empty() {
                self.error(
                    "empty-list",
                    at(),
                    format!("{} names no condition key", quoted(operator_text)),
                );
                complete = false;
            }
            for (key, values) in keys {
                match self.values(values, &|| at().key(key), true) {
                    Some(values) => {
                        complete &= values.complete;
                        out.push(DraftClause {
                            operator_text: operator_text.to_owned(),
                            operator,
                            key: key.to_owned(),
                            values,
                        });
                    }
                    None => complete = false,
                }
            }
        }
        complete
    }
}
