//! A generated case in structured form: what the strategies and the `Arbitrary` impls produce,
//! what proptest shrinks, and what is rendered to the JSON of conformance FORMAT.md. Rendering
//! is the only way in: every generated case reaches the evaluators through the real parsers
//! (`Request::from_json`, `PolicySet::from_json`), so invalid inputs are exercised too.

use crate::json::Json;
use crate::policy::PolicyKind;

/// A JSON scalar as a condition or context value (numbers and booleans read as text, D3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scalar {
    Str(String),
    /// JSON number text, always well-formed.
    Num(String),
    Bool(bool),
}

impl Scalar {
    pub fn to_json(&self) -> Json {
        match self {
            Scalar::Str(s) => Json::String(s.clone()),
            Scalar::Num(n) => Json::Number(n.clone()),
            Scalar::Bool(b) => Json::Bool(*b),
        }
    }
}

/// A context value: one scalar, or an array (multivalued; empty counts as absent, D22).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ContextValueSpec {
    Single(Scalar),
    Multi(Vec<Scalar>),
}

impl ContextValueSpec {
    pub fn to_json(&self) -> Json {
        match self {
            ContextValueSpec::Single(s) => s.to_json(),
            ContextValueSpec::Multi(items) => {
                Json::Array(items.iter().map(Scalar::to_json).collect())
            }
        }
    }
}

/// Structural faults in a request, which `Request::from_json` must reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestDefect {
    UnknownField,
    MissingAction,
    PrincipalNotString,
    DuplicateField,
    ContextNotObject,
}

impl RequestDefect {
    pub const ALL: [RequestDefect; 5] = [
        RequestDefect::UnknownField,
        RequestDefect::MissingAction,
        RequestDefect::PrincipalNotString,
        RequestDefect::DuplicateField,
        RequestDefect::ContextNotObject,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestSpec {
    pub principal: String,
    pub principal_arn: Option<String>,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    /// Keys may repeat in another case: the parser must reject that.
    pub context: Vec<(String, ContextValueSpec)>,
    pub defect: Option<RequestDefect>,
}

impl RequestSpec {
    /// The request as conformance FORMAT.md writes it.
    pub fn to_json(&self) -> Json {
        let s = |t: &str| Json::String(t.to_owned());
        let mut members = Vec::new();
        match self.defect {
            Some(RequestDefect::PrincipalNotString) => members.push((
                "principal".to_owned(),
                Json::Array(vec![s(&self.principal)]),
            )),
            _ => members.push(("principal".to_owned(), s(&self.principal))),
        }
        if let Some(arn) = &self.principal_arn {
            members.push(("principal_arn".to_owned(), s(arn)));
        }
        if self.defect != Some(RequestDefect::MissingAction) {
            members.push(("action".to_owned(), s(&self.action)));
        }
        members.push(("resource".to_owned(), s(&self.resource)));
        if let Some(account) = &self.resource_account {
            members.push(("resource_account".to_owned(), s(account)));
        }
        match self.defect {
            Some(RequestDefect::ContextNotObject) => {
                members.push(("context".to_owned(), Json::Array(Vec::new())))
            }
            _ if !self.context.is_empty() => members.push((
                "context".to_owned(),
                Json::Object(
                    self.context
                        .iter()
                        .map(|(k, v)| (k.clone(), v.to_json()))
                        .collect(),
                ),
            )),
            _ => {}
        }
        match self.defect {
            Some(RequestDefect::UnknownField) => {
                members.push(("source_ip".to_owned(), s("203.0.113.7")))
            }
            Some(RequestDefect::DuplicateField) => {
                members.push(("resource".to_owned(), s(&self.resource)))
            }
            _ => {}
        }
        Json::Object(members)
    }
}

/// The `Version` element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionSpec {
    V2012,
    V2008,
    Absent,
    /// Not a version AWS knows.
    Unknown,
}

/// The `Effect` element; `Lowercase` (`"allow"`) is an error (D1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffectSpec {
    Allow,
    Deny,
    Lowercase,
}

/// A list element written as a bare string when it has one item and `as_list` is false.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListSpec {
    pub items: Vec<String>,
    pub as_list: bool,
}

impl ListSpec {
    pub fn to_json(&self) -> Json {
        match self.items.as_slice() {
            [one] if !self.as_list => Json::String(one.clone()),
            items => Json::Array(items.iter().map(|i| Json::String(i.clone())).collect()),
        }
    }
}

/// The value of `Principal` / `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalSpec {
    /// `"*"`.
    Star,
    /// `{"AWS": ..., "Service": ...}` with the type names as written.
    Typed(Vec<(String, ListSpec)>),
}

/// A principal type is written once in a valid `Principal` (a repeat is a duplicate key): keeps
/// the first entry of each type.
pub fn keep_first_of_each_type(entries: &mut Vec<(String, ListSpec)>) {
    let mut seen: Vec<String> = Vec::new();
    entries.retain(|(name, _)| {
        let first = !seen.contains(name);
        seen.push(name.clone());
        first
    });
}

impl PrincipalSpec {
    pub fn to_json(&self) -> Json {
        match self {
            PrincipalSpec::Star => Json::String("*".to_owned()),
            PrincipalSpec::Typed(entries) => Json::Object(
                entries
                    .iter()
                    .map(|(t, values)| (t.clone(), values.to_json()))
                    .collect(),
            ),
        }
    }
}

/// The principal part of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PrincipalPart {
    pub negated: bool,
    pub value: PrincipalSpec,
    /// Written in a kind that takes no principal, or left out of one that needs it: an error.
    pub misplaced: bool,
}

/// One operator-key pair of a `Condition` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClauseSpec {
    pub operator: String,
    pub key: String,
    pub values: Vec<Scalar>,
    pub as_list: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementSpec {
    pub sid: Option<String>,
    pub effect: EffectSpec,
    pub principal: PrincipalPart,
    pub not_action: bool,
    pub actions: ListSpec,
    /// `(negated, patterns)`; `None` leaves the element out (allowed in trust policies only).
    pub resource: Option<(bool, ListSpec)>,
    pub condition: Vec<ClauseSpec>,
}

/// Structural faults in a policy document, which the parser must reject.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyDefect {
    DuplicateEffect,
    UnknownElement,
    ActionNotString,
    MissingAction,
    ActionAndNotAction,
    StatementNotObject,
    NotAnObject,
    VersionNotString,
    EmptyStatement,
}

impl PolicyDefect {
    pub const ALL: [PolicyDefect; 9] = [
        PolicyDefect::DuplicateEffect,
        PolicyDefect::UnknownElement,
        PolicyDefect::ActionNotString,
        PolicyDefect::MissingAction,
        PolicyDefect::ActionAndNotAction,
        PolicyDefect::StatementNotObject,
        PolicyDefect::NotAnObject,
        PolicyDefect::VersionNotString,
        PolicyDefect::EmptyStatement,
    ];
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSpec {
    pub version: VersionSpec,
    pub with_id: bool,
    /// `"Statement": {...}` rather than a one-element array.
    pub single_statement: bool,
    pub statements: Vec<StatementSpec>,
    pub defect: Option<PolicyDefect>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicySpec {
    /// Allow everything (`FullAWSAccess`, the default RCP): what most SCP and RCP levels carry,
    /// so that the guardrails let requests through often enough to reach the other branches.
    AllowAll,
    Document(DocumentSpec),
}

impl PolicySpec {
    /// The document as a policy of `kind` is written: the principal goes where the kind takes one.
    pub fn to_json(&self, kind: PolicyKind) -> Json {
        match self {
            PolicySpec::AllowAll => {
                let mut statement = vec![("Effect".to_owned(), text("Allow"))];
                if kind.has_principal() {
                    statement.push(("Principal".to_owned(), text("*")));
                }
                statement.push(("Action".to_owned(), text("*")));
                statement.push(("Resource".to_owned(), text("*")));
                Json::Object(vec![
                    ("Version".to_owned(), text("2012-10-17")),
                    (
                        "Statement".to_owned(),
                        Json::Array(vec![Json::Object(statement)]),
                    ),
                ])
            }
            PolicySpec::Document(doc) => doc.to_json(kind),
        }
    }
}

fn text(t: &str) -> Json {
    Json::String(t.to_owned())
}

impl DocumentSpec {
    pub fn to_json(&self, kind: PolicyKind) -> Json {
        if self.defect == Some(PolicyDefect::NotAnObject) {
            return text("{\"Statement\": []}");
        }
        let mut members = Vec::new();
        match (self.version, self.defect) {
            (_, Some(PolicyDefect::VersionNotString)) => {
                members.push(("Version".to_owned(), Json::Number("2012".to_owned())))
            }
            (VersionSpec::V2012, _) => members.push(("Version".to_owned(), text("2012-10-17"))),
            (VersionSpec::V2008, _) => members.push(("Version".to_owned(), text("2008-10-17"))),
            (VersionSpec::Unknown, _) => members.push(("Version".to_owned(), text("2020-01-01"))),
            (VersionSpec::Absent, _) => {}
        }
        if self.with_id {
            members.push(("Id".to_owned(), text("generated")));
        }
        let mut statements: Vec<Json> = self.statements.iter().map(|s| s.to_json(kind)).collect();
        if let Some(defect) = self.defect {
            match statements.first_mut() {
                Some(first) => apply_defect(first, defect),
                None => statements.push(text("Allow")),
            }
        }
        let statement = match statements.as_slice() {
            [one] if self.single_statement => one.clone(),
            _ if self.defect == Some(PolicyDefect::EmptyStatement) => Json::Array(Vec::new()),
            _ => Json::Array(statements),
        };
        members.push(("Statement".to_owned(), statement));
        Json::Object(members)
    }
}

fn apply_defect(statement: &mut Json, defect: PolicyDefect) {
    let Json::Object(members) = statement else {
        return;
    };
    match defect {
        PolicyDefect::DuplicateEffect => members.push(("Effect".to_owned(), text("Deny"))),
        PolicyDefect::UnknownElement => members.push(("Actions".to_owned(), text("s3:*"))),
        PolicyDefect::ActionNotString => {
            for (key, value) in members.iter_mut() {
                if key == "Action" || key == "NotAction" {
                    *value = Json::Number("5".to_owned());
                }
            }
        }
        PolicyDefect::MissingAction => members.retain(|(k, _)| k != "Action" && k != "NotAction"),
        PolicyDefect::ActionAndNotAction => {
            let other = if members.iter().any(|(k, _)| k == "Action") {
                "NotAction"
            } else {
                "Action"
            };
            members.push((other.to_owned(), text("s3:*")));
        }
        PolicyDefect::StatementNotObject => *statement = text("Allow"),
        PolicyDefect::NotAnObject
        | PolicyDefect::VersionNotString
        | PolicyDefect::EmptyStatement => {}
    }
}

impl StatementSpec {
    pub fn to_json(&self, kind: PolicyKind) -> Json {
        let mut members = Vec::new();
        if let Some(sid) = &self.sid {
            members.push(("Sid".to_owned(), text(sid)));
        }
        let effect = match self.effect {
            EffectSpec::Allow => "Allow",
            EffectSpec::Deny => "Deny",
            EffectSpec::Lowercase => "allow",
        };
        members.push(("Effect".to_owned(), text(effect)));
        if kind.has_principal() != self.principal.misplaced {
            let name = if self.principal.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            members.push((name.to_owned(), self.principal.value.to_json()));
        }
        let action = if self.not_action {
            "NotAction"
        } else {
            "Action"
        };
        members.push((action.to_owned(), self.actions.to_json()));
        if let Some((negated, patterns)) = &self.resource {
            let name = if *negated { "NotResource" } else { "Resource" };
            members.push((name.to_owned(), patterns.to_json()));
        }
        if !self.condition.is_empty() {
            // Clauses with one operator share its block, as a policy writes them; a key repeated
            // under one operator becomes a duplicate JSON key, which the parser must reject.
            let mut blocks: Vec<(String, Vec<(String, Json)>)> = Vec::new();
            for clause in &self.condition {
                let value = match clause.values.as_slice() {
                    [one] if !clause.as_list => one.to_json(),
                    values => Json::Array(values.iter().map(Scalar::to_json).collect()),
                };
                match blocks.iter_mut().find(|(op, _)| *op == clause.operator) {
                    Some((_, keys)) => keys.push((clause.key.clone(), value)),
                    None => {
                        blocks.push((clause.operator.clone(), vec![(clause.key.clone(), value)]))
                    }
                }
            }
            members.push((
                "Condition".to_owned(),
                Json::Object(
                    blocks
                        .into_iter()
                        .map(|(op, keys)| (op, Json::Object(keys)))
                        .collect(),
                ),
            ));
        }
        Json::Object(members)
    }
}

/// The policies in force, by kind (conformance FORMAT.md `policies`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicySetSpec {
    pub identity: Vec<PolicySpec>,
    pub permission_boundary: Option<PolicySpec>,
    pub session: Vec<PolicySpec>,
    /// A resource-based policy, or the role's trust policy when the action is `sts:AssumeRole*`.
    pub resource: Option<PolicySpec>,
    pub scp: Option<Vec<Vec<PolicySpec>>>,
    pub rcp: Option<Vec<Vec<PolicySpec>>>,
    pub vpc_endpoint: Option<PolicySpec>,
}

impl PolicySetSpec {
    pub fn to_json(&self) -> Json {
        let list = |policies: &[PolicySpec], kind| {
            Json::Array(policies.iter().map(|p| p.to_json(kind)).collect())
        };
        let levels = |levels: &[Vec<PolicySpec>], kind| {
            Json::Array(levels.iter().map(|l| list(l, kind)).collect())
        };
        let mut members = Vec::new();
        if !self.identity.is_empty() {
            members.push((
                "identity".to_owned(),
                list(&self.identity, PolicyKind::Identity),
            ));
        }
        if let Some(p) = &self.permission_boundary {
            members.push((
                "permission_boundary".to_owned(),
                p.to_json(PolicyKind::PermissionBoundary),
            ));
        }
        if !self.session.is_empty() {
            members.push((
                "session".to_owned(),
                list(&self.session, PolicyKind::Session),
            ));
        }
        if let Some(p) = &self.resource {
            // Resource and trust policies are written alike (both name a principal).
            members.push(("resource".to_owned(), p.to_json(PolicyKind::Resource)));
        }
        if let Some(l) = &self.scp {
            members.push(("scp".to_owned(), levels(l, PolicyKind::Scp)));
        }
        if let Some(l) = &self.rcp {
            members.push(("rcp".to_owned(), levels(l, PolicyKind::Rcp)));
        }
        if let Some(p) = &self.vpc_endpoint {
            members.push((
                "vpc_endpoint".to_owned(),
                p.to_json(PolicyKind::VpcEndpoint),
            ));
        }
        Json::Object(members)
    }

    /// `2 identity policies, a permissions boundary and 2 SCP levels`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let count = |n: usize, one: &str, many: &str| match n {
            1 => format!("1 {one}"),
            n => format!("{n} {many}"),
        };
        if !self.identity.is_empty() {
            parts.push(count(
                self.identity.len(),
                "identity policy",
                "identity policies",
            ));
        }
        if self.permission_boundary.is_some() {
            parts.push("a permissions boundary".into());
        }
        if !self.session.is_empty() {
            parts.push(count(
                self.session.len(),
                "session policy",
                "session policies",
            ));
        }
        if self.resource.is_some() {
            parts.push("a resource-based policy".into());
        }
        if let Some(l) = &self.scp {
            parts.push(count(l.len(), "SCP level", "SCP levels"));
        }
        if let Some(l) = &self.rcp {
            parts.push(count(l.len(), "RCP level", "RCP levels"));
        }
        if self.vpc_endpoint.is_some() {
            parts.push("a VPC endpoint policy".into());
        }
        match parts.split_last() {
            None => "no policies".into(),
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
        }
    }
}

/// One generated case: a request and the policies in force.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseSpec {
    pub request: RequestSpec,
    pub policies: PolicySetSpec,
}

impl CaseSpec {
    /// One sentence: who asks for what, under which policies.
    pub fn describe(&self) -> String {
        let r = &self.request;
        format!(
            "`{}` calls `{}` on `{}` under {}",
            r.principal,
            r.action,
            r.resource,
            self.policies.describe()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> StatementSpec {
        StatementSpec {
            sid: None,
            effect: EffectSpec::Allow,
            principal: PrincipalPart {
                negated: false,
                value: PrincipalSpec::Star,
                misplaced: false,
            },
            not_action: false,
            actions: ListSpec {
                items: vec!["s3:GetObject".into()],
                as_list: false,
            },
            resource: Some((
                false,
                ListSpec {
                    items: vec!["*".into()],
                    as_list: true,
                },
            )),
            condition: vec![
                ClauseSpec {
                    operator: "StringEquals".into(),
                    key: "aws:username".into(),
                    values: vec![Scalar::Str("alice".into())],
                    as_list: false,
                },
                ClauseSpec {
                    operator: "StringEquals".into(),
                    key: "s3:prefix".into(),
                    values: vec![Scalar::Num("10".into()), Scalar::Bool(true)],
                    as_list: true,
                },
            ],
        }
    }

    fn document(defect: Option<PolicyDefect>) -> PolicySpec {
        PolicySpec::Document(DocumentSpec {
            version: VersionSpec::V2012,
            with_id: false,
            single_statement: true,
            statements: vec![statement()],
            defect,
        })
    }

    #[test]
    fn renders_the_principal_where_the_kind_takes_one() {
        let policy = document(None);
        assert_eq!(
            policy.to_json(PolicyKind::Identity).to_compact_string(),
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":["*"],"Condition":{"StringEquals":{"aws:username":"alice","s3:prefix":[10,true]}}}}"#
        );
        assert!(policy
            .to_json(PolicyKind::Resource)
            .to_compact_string()
            .contains(r#""Principal":"*""#));
    }

    #[test]
    fn defects_break_the_document() {
        let duplicate = document(Some(PolicyDefect::DuplicateEffect))
            .to_json(PolicyKind::Identity)
            .to_compact_string();
        assert_eq!(duplicate.matches("\"Effect\"").count(), 2, "{duplicate}");
        let missing = document(Some(PolicyDefect::MissingAction))
            .to_json(PolicyKind::Identity)
            .to_compact_string();
        assert!(!missing.contains("Action"), "{missing}");
    }

    #[test]
    fn describes_the_policy_set() {
        let set = PolicySetSpec {
            identity: vec![PolicySpec::AllowAll, PolicySpec::AllowAll],
            permission_boundary: Some(PolicySpec::AllowAll),
            scp: Some(vec![vec![PolicySpec::AllowAll]]),
            ..PolicySetSpec::default()
        };
        assert_eq!(
            set.describe(),
            "2 identity policies, a permissions boundary and 1 SCP level"
        );
        assert_eq!(PolicySetSpec::default().describe(), "no policies");
    }
}
