//! What AWS rejects (errors) and accepts but probably should not (warnings), per policy kind
//! (SEMANTICS.md §1.4–§1.6, §3.3, §3.6). Structural problems are found earlier, by the parser.

use super::ast::*;
use super::finding::Finding;
use super::kind::PolicyKind;
use crate::arn::split_fields;
use crate::condition::value::{decode_base64, parse_bool, Cidr, Decimal, Instant};
use crate::condition::variables::Template;
use crate::condition::{SetQualifier, ValueType};
use crate::json::JsonPath;
use crate::principal::{account_principal, is_service_principal};
use std::collections::HashSet;

/// Size quotas (§1.6): (kind, limit in characters, whether whitespace counts).
fn quota(kind: PolicyKind) -> Option<(usize, bool)> {
    match kind {
        PolicyKind::Identity | PolicyKind::PermissionBoundary => Some((6_144, false)),
        PolicyKind::Session => Some((2_048, false)),
        PolicyKind::Trust => Some((4_096, false)),
        PolicyKind::Scp | PolicyKind::Rcp => Some((5_120, true)),
        PolicyKind::Resource | PolicyKind::VpcEndpoint => None,
    }
}

/// Validates `policy` as a policy of `kind`. `size` is the document's length in characters
/// without insignificant whitespace and, when the original text is known, with it.
pub fn validate(policy: &Policy, kind: PolicyKind, size: PolicySize) -> Vec<Finding> {
    let mut v = Validator {
        kind,
        version: policy.version,
        findings: Vec::new(),
    };
    v.document(policy, size);
    v.findings
}

/// A document's length, for the quotas of §1.6.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolicySize {
    pub without_whitespace: usize,
    pub with_whitespace: Option<usize>,
}

struct Validator {
    kind: PolicyKind,
    version: Version,
    findings: Vec<Finding>,
}

impl Validator {
    fn error(&mut self, code: &'static str, path: JsonPath, message: impl Into<String>) {
        self.findings.push(Finding::error(code, path, message));
    }
    fn warning(&mut self, code: &'static str, path: JsonPath, message: impl Into<String>) {
        self.findings.push(Finding::warning(code, path, message));
    }

    fn document(&mut self, policy: &Policy, size: PolicySize) {
        let root = JsonPath::root();
        if let Some((limit, whitespace_counts)) = quota(self.kind) {
            let length = if whitespace_counts {
                size.with_whitespace.unwrap_or(size.without_whitespace)
            } else {
                size.without_whitespace
            };
            let attachment_decides = matches!(
                self.kind,
                PolicyKind::Identity | PolicyKind::PermissionBoundary
            );
            if length > limit && attachment_decides {
                // The document does not say how it is attached: 6,144 is the customer managed
                // quota, a role's inline policies may total 10,240, and AWS managed policies
                // are larger still (D8).
                self.warning(
                    "quota-managed-policy-size",
                    root.clone(),
                    format!(
                        "the policy is {length} characters (whitespace not counted): over the {limit} a customer managed policy may have; {}",
                        if length > 10_240 {
                            "only an AWS managed policy may be this large"
                        } else {
                            "it fits only inline on a role (10,240 for all of a role's inline policies)"
                        }
                    ),
                );
            } else if length > limit {
                self.error(
                    "quota-policy-size",
                    root.clone(),
                    format!(
                        "the policy is {length} characters; {} may have at most {limit}{}",
                        with_article(self.kind),
                        if whitespace_counts {
                            ""
                        } else {
                            " (whitespace not counted)"
                        }
                    ),
                );
            } else if self.kind == PolicyKind::Trust && length > 2_048 {
                self.warning(
                    "quota-trust-policy-size",
                    root.clone(),
                    format!("the trust policy is {length} characters; the default quota is 2,048 (adjustable to 4,096)"),
                );
            }
        }
        if self.version == Version::Absent {
            self.warning(
                "missing-version",
                root.key("Version"),
                "the policy has no `Version`: policy variables are not substituted; use \"2012-10-17\"",
            );
        }
        if self.kind == PolicyKind::Rcp && self.version != Version::V2012_10_17 {
            self.error(
                "invalid-version",
                root.key("Version"),
                "a resource control policy requires \"Version\": \"2012-10-17\"",
            );
        }
        let mut sids = HashSet::new();
        for statement in &policy.statements {
            if let Some(sid) = &statement.sid {
                if !sid.is_empty() && !sids.insert(sid.as_str()) {
                    let path = statement.path.key("Sid");
                    if self.is_iam_kind() {
                        self.error(
                            "duplicate-sid",
                            path,
                            format!("the Sid `{sid}` is used by more than one statement"),
                        );
                    } else {
                        self.warning(
                            "duplicate-sid",
                            path,
                            format!("the Sid `{sid}` is used by more than one statement"),
                        );
                    }
                }
            }
            self.statement(statement);
        }
    }

    /// Policies stored by IAM itself, whose grammar is strictest.
    fn is_iam_kind(&self) -> bool {
        matches!(
            self.kind,
            PolicyKind::Identity
                | PolicyKind::PermissionBoundary
                | PolicyKind::Session
                | PolicyKind::Trust
        )
    }

    fn statement(&mut self, s: &Statement) {
        if let Some(sid) = &s.sid {
            if self.is_iam_kind() && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                self.error(
                    "invalid-sid",
                    s.path.key("Sid"),
                    format!("the Sid `{sid}` may contain only letters and digits in an IAM policy"),
                );
            }
        }
        self.principal(s);
        self.actions(s);
        if self.kind == PolicyKind::Rcp {
            self.rcp_statement(s);
        }
        self.resources(s);
        // Keys under `Null`, for the ForAllValues check: a set, so that many clauses stay linear.
        let null_keys: HashSet<String> = s
            .condition
            .iter()
            .filter(|c| c.operator.comparison == crate::condition::Comparison::Null)
            .map(|c| c.key.to_ascii_lowercase())
            .collect();
        for clause in &s.condition {
            self.clause(s, clause, &null_keys);
        }
    }

    fn principal(&mut self, s: &Statement) {
        let kind = self.kind;
        match (&s.principal, kind.has_principal()) {
            (Some(_), false) => {
                let path = s.principal_path().unwrap_or_else(|| s.path.clone());
                self.error(
                    "principal-not-allowed",
                    path,
                    format!(
                        "{} does not take `Principal` or `NotPrincipal`",
                        with_article(kind)
                    ),
                );
            }
            (None, true) => self.error(
                "missing-principal",
                s.path.clone(),
                format!("a statement in a {} needs a `Principal`", kind.aws_name()),
            ),
            (None, false) => {}
            (Some(element), true) => {
                let path = s.principal_path().unwrap_or_else(|| s.path.clone());
                if element.negated {
                    match kind {
                        PolicyKind::Trust | PolicyKind::Rcp => self.error(
                            "not-principal-not-allowed",
                            path.clone(),
                            format!("a {} does not take `NotPrincipal`", kind.aws_name()),
                        ),
                        _ if s.effect == Effect::Allow => self.warning(
                            "not-principal-with-allow",
                            path.clone(),
                            "`NotPrincipal` with `Allow` grants access to everyone not listed, anonymous callers included; AWS no longer supports it",
                        ),
                        _ => {}
                    }
                }
                if kind == PolicyKind::Rcp {
                    let is_star = match &element.principals {
                        Principals::Any => true,
                        Principals::Typed(entries) => entries
                            .iter()
                            .all(|(t, v)| *t == PrincipalType::Aws && v.iter().all(|x| x == "*")),
                    };
                    if !is_star {
                        self.error(
                            "rcp-principal",
                            path.clone(),
                            "the `Principal` of a resource control policy must be `\"*\"`",
                        );
                    }
                }
                if let Principals::Typed(entries) = &element.principals {
                    for (ptype, values) in entries {
                        let at = path.key(ptype.as_str());
                        for (i, value) in values.iter().enumerate() {
                            self.principal_value(*ptype, value, values.item_path(&at, i));
                        }
                    }
                }
            }
        }
    }

    fn principal_value(&mut self, ptype: PrincipalType, value: &str, path: JsonPath) {
        match ptype {
            PrincipalType::Aws => {
                if value == "*" || account_principal(value).is_some() || is_unique_id(value) {
                    return;
                }
                if value.contains('*') || value.contains('?') {
                    self.error(
                        "principal-wildcard",
                        path,
                        format!("`{value}`: only the whole value `*` is a wildcard in a principal"),
                    );
                    return;
                }
                if !is_principal_arn(value) {
                    self.error(
                        "invalid-principal",
                        path,
                        format!("`{value}` is not an AWS principal (account id, or a root, user, role, assumed-role or federated-user ARN)"),
                    );
                }
            }
            PrincipalType::Service => {
                if value != "*" && !is_service_principal(value) {
                    self.warning(
                        "unusual-service-principal",
                        path,
                        format!("`{value}` does not look like a service principal (`name.amazonaws.com`)"),
                    );
                }
            }
            PrincipalType::Federated => {
                if value.is_empty() {
                    self.error("invalid-principal", path, "an empty federated principal");
                }
            }
            PrincipalType::CanonicalUser => {
                if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    self.warning(
                        "invalid-canonical-user",
                        path,
                        format!("`{value}` is not a canonical user id (64 hexadecimal digits)"),
                    );
                }
            }
        }
    }

    /// RCPs: only AWS's `RCPFullAWSAccess` may allow, and a customer statement names actions of
    /// services that support RCPs (D43; Access Analyzer's "RCP syntax error" checks).
    fn rcp_statement(&mut self, s: &Statement) {
        let is_star = |v: &Values| v.items.len() == 1 && v.items.first().is_some_and(|x| x == "*");
        if s.effect == Effect::Allow {
            let full_access = !s.action.negated
                && is_star(&s.action.patterns)
                && s.resource
                    .as_ref()
                    .is_some_and(|r| !r.negated && is_star(&r.patterns))
                && s.condition.is_empty();
            if !full_access {
                self.error(
                    "rcp-allow",
                    s.path.key("Effect"),
                    "only AWS's RCPFullAWSAccess (`Allow` `*` on `*`, no condition) may allow in a resource control policy",
                );
            }
            return;
        }
        let path = s.action_path();
        for (i, action) in s.action.patterns.iter().enumerate() {
            let service = action
                .split_once(':')
                .map(|(service, _)| service.to_ascii_lowercase());
            let supported = service
                .as_deref()
                .is_some_and(|svc| crate::scope::RCP_SERVICES.binary_search(&svc).is_ok());
            if !supported {
                self.error(
                    "rcp-action",
                    s.action.patterns.item_path(&path, i),
                    format!("`{action}`: a resource control policy names actions of services that support RCPs (`s3:*`, `kms:Decrypt`...), not `*` or other services"),
                );
            }
        }
    }

    fn actions(&mut self, s: &Statement) {
        let path = s.action_path();
        for (i, action) in s.action.patterns.iter().enumerate() {
            let at = s.action.patterns.item_path(&path, i);
            if action == "*" {
                continue;
            }
            let Some((service, name)) = action.split_once(':') else {
                self.error(
                    "invalid-action",
                    at,
                    format!("`{action}` is not an action: expected `service:ActionName` or `*`"),
                );
                continue;
            };
            let service_ok = !service.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '*' | '?'));
            let name_ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '*' | '?'));
            if !service_ok || !name_ok {
                self.error(
                    "invalid-action",
                    at,
                    format!("`{action}` is not an action: expected `service:ActionName` with letters, digits and `*`/`?`"),
                );
            } else if service.contains(['*', '?']) {
                self.warning(
                    "service-wildcard",
                    at,
                    format!(
                        "`{action}`: a wildcard in the service prefix is not a documented form"
                    ),
                );
            }
        }
        if self.kind == PolicyKind::Trust {
            for (i, action) in s.action.patterns.iter().enumerate() {
                if !action.to_ascii_lowercase().starts_with("sts:") && action != "*" {
                    self.warning(
                        "trust-action",
                        s.action.patterns.item_path(&path, i),
                        format!("`{action}` is not an STS action; a trust policy only governs `sts:AssumeRole*`, `sts:TagSession` and `sts:SetSourceIdentity`"),
                    );
                }
            }
        }
    }

    fn resources(&mut self, s: &Statement) {
        let Some(resource) = &s.resource else {
            match self.kind {
                PolicyKind::Trust => {}
                PolicyKind::Resource => self.warning(
                    "missing-resource",
                    s.path.clone(),
                    "the statement has neither `Resource` nor `NotResource`; most services require one",
                ),
                kind => self.error(
                    "missing-resource",
                    s.path.clone(),
                    format!("a statement in {} needs `Resource` or `NotResource`", with_article(kind)),
                ),
            }
            return;
        };
        let path = s.resource_path().unwrap_or_else(|| s.path.clone());
        for (i, pattern) in resource.patterns.iter().enumerate() {
            let at = resource.patterns.item_path(&path, i);
            if pattern == "*" {
                continue;
            }
            if !pattern.starts_with("arn:") {
                self.error(
                    "invalid-resource",
                    at,
                    format!("`{pattern}` is not a resource: expected an ARN (`arn:partition:service:region:account:resource`) or `*`"),
                );
                continue;
            }
            let fields = split_fields(pattern);
            if fields.len() < 6 {
                self.warning(
                    "short-arn",
                    at.clone(),
                    format!("`{pattern}` has fewer than six fields; it matches an ARN only through a trailing `*` (D12)"),
                );
            }
            if let Some(service) = fields.get(2) {
                if service.contains(['*', '?']) {
                    self.warning(
                        "resource-service-wildcard",
                        at.clone(),
                        format!("`{pattern}`: AWS does not support wildcards in the service field of an ARN"),
                    );
                }
            }
            self.variables_in_resource(pattern, &fields, at);
        }
    }

    fn variables_in_resource(&mut self, pattern: &str, fields: &[&str], at: JsonPath) {
        let has_vars = |t: &str| Template::parse(t).has_variables();
        if !has_vars(pattern) {
            return;
        }
        if !self.version.substitutes_variables() {
            self.warning(
                "variable-not-substituted",
                at,
                format!("`{pattern}`: policy variables are substituted only under \"Version\": \"2012-10-17\"; here they are literal text"),
            );
        } else if fields.iter().take(5).any(|f| has_vars(f)) {
            self.warning(
                "variable-not-substituted",
                at,
                format!("`{pattern}`: policy variables are substituted only in the resource part of an ARN (after the fifth colon)"),
            );
        }
    }

    fn clause(&mut self, s: &Statement, clause: &ConditionClause, null_keys: &HashSet<String>) {
        let path = s.condition_path(clause);
        let op = clause.operator;
        let value_type = op.comparison.value_type();
        if clause.key.is_empty() {
            self.error(
                "invalid-condition-key",
                path.clone(),
                "an empty condition key",
            );
        }
        for (i, value) in clause.values.iter().enumerate() {
            let at = clause.values.item_path(&path, i);
            let vars = Template::parse(value).has_variables();
            if vars && !value_type.takes_variables() {
                self.error(
                    "variable-not-allowed",
                    at.clone(),
                    format!(
                        "`{value}`: policy variables are not allowed in `{}` values",
                        clause.operator_text
                    ),
                );
                continue;
            }
            if vars && !self.version.substitutes_variables() {
                self.warning(
                    "variable-not-substituted",
                    at.clone(),
                    format!("`{value}`: policy variables are substituted only under \"Version\": \"2012-10-17\"; here they are literal text"),
                );
            }
            let bad = match value_type {
                ValueType::Numeric => Decimal::parse(value).is_none().then_some("a number"),
                ValueType::Date => Instant::parse(value)
                    .is_none()
                    .then_some("a date (ISO 8601 or epoch seconds)"),
                ValueType::Ip => Cidr::parse(value)
                    .is_none()
                    .then_some("an IP address or CIDR block"),
                ValueType::Binary => decode_base64(value).is_none().then_some("base64 text"),
                ValueType::Null => parse_bool(value).is_none().then_some("`true` or `false`"),
                ValueType::Bool | ValueType::String | ValueType::Arn => None,
            };
            if let Some(expected) = bad {
                self.error(
                    "invalid-condition-value",
                    at,
                    format!(
                        "`{value}` is not {expected}, as `{}` requires",
                        clause.operator_text
                    ),
                );
            } else if value_type == ValueType::Bool && !vars && parse_bool(value).is_none() {
                self.warning(
                    "invalid-condition-value",
                    at,
                    format!("`{value}` is neither `true` nor `false`: `Bool` never matches it"),
                );
            }
        }
        if op.qualifier == Some(SetQualifier::ForAllValues)
            && s.effect == Effect::Allow
            && !op.negated
            && !null_keys.contains(&clause.key.to_ascii_lowercase())
        {
            self.warning(
                "for-all-values-without-null",
                path,
                format!("`{}` in an Allow also holds when `{}` is absent; add `\"Null\": {{\"{}\": \"false\"}}`", clause.operator_text, clause.key, clause.key),
            );
        }
    }
}

/// The kind's name with its indefinite article: "an identity-based policy", "a session policy".
fn with_article(kind: PolicyKind) -> String {
    let name = kind.aws_name();
    let article = if name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {name}")
}

/// IAM unique ids (`AIDA...`, `AROA...`) appear in policies whose principal was deleted.
fn is_unique_id(value: &str) -> bool {
    value.len() >= 16
        && ["AIDA", "AROA", "ANPA", "AGPA", "AIPA"]
            .iter()
            .any(|p| value.starts_with(p))
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A user, role, assumed-role or federated-user ARN, as the `AWS` principal type takes.
fn is_principal_arn(value: &str) -> bool {
    let Ok(arn) = crate::arn::Arn::parse(value) else {
        return false;
    };
    let account_ok = crate::principal::is_account_id(arn.account());
    let resource = arn.resource();
    let shape_ok = match arn.service() {
        "iam" => ["user/", "role/"]
            .iter()
            .any(|p| resource.starts_with(p) && resource.len() > p.len()),
        "sts" => {
            resource
                .strip_prefix("assumed-role/")
                .and_then(|rest| rest.split_once('/'))
                .is_some_and(|(role, session)| !role.is_empty() && !session.is_empty())
                || resource
                    .strip_prefix("federated-user/")
                    .is_some_and(|name| !name.is_empty())
        }
        _ => false,
    };
    account_ok && shape_ok
}
