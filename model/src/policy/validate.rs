//! What AWS rejects (errors) and accepts but probably should not (warnings), per policy kind
//! (SEMANTICS.md §1.4–§1.6, §3.3, §3.6). Structural problems are found earlier, by the parser.

use super::ast::*;
use super::draft::*;
use super::finding::Finding;
use super::kind::PolicyKind;
use crate::arn::split_fields;
use crate::condition::value::{decode_base64, parse_bool, Cidr, Decimal, Instant};
use crate::condition::variables::Template;
use crate::condition::{SetQualifier, ValueType};
use crate::json::JsonPath;
use crate::principal::{account_principal, is_service_principal};
use crate::quote::{quoted, shown};
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

/// Validates `policy` (as far as it parsed) as a policy of `kind`. `size` is the document's
/// length for the quotas, asked for only by kinds that have one.
///
/// Every rule runs on every part that parsed; a rule is skipped only where it reads a part that
/// did not, since it would otherwise judge a value the author did not write: the rules on
/// `Effect` (`not-principal-with-allow`, `for-all-values-without-null`, and which of `rcp-allow`
/// or `rcp-action` applies) when `Effect` is missing or unreadable; `rcp-allow` when `Action`,
/// `Resource` or `Condition` is partly unreadable (it judges the statement as a whole);
/// `for-all-values-without-null` when a clause of the same `Condition` is unreadable (it could be
/// the `Null` that the warning asks for); and the rules on `Version` (`missing-version`, the RCP's
/// `invalid-version`, `variable-not-substituted`) when `Version` is unreadable.
pub(super) fn validate(
    policy: &Draft,
    kind: PolicyKind,
    size: impl FnOnce() -> PolicySize,
) -> Vec<Finding> {
    let mut v = Validator {
        kind,
        version: match policy.version {
            Slot::Absent => Some(Version::Absent),
            Slot::Parsed(version) => Some(version),
            Slot::Broken => None,
        },
        findings: Vec::new(),
    };
    v.document(policy, size);
    v.findings
}

/// A document's length in characters, for the quotas of §1.6: without insignificant whitespace
/// and, when the original text is known, with it.
#[derive(Clone, Copy, Debug, Default)]
pub struct PolicySize {
    pub without_whitespace: usize,
    pub with_whitespace: Option<usize>,
}

struct Validator {
    kind: PolicyKind,
    /// `None`: the `Version` element is unreadable.
    version: Option<Version>,
    findings: Vec<Finding>,
}

impl Validator {
    fn error(&mut self, code: &'static str, path: JsonPath, message: impl Into<String>) {
        self.findings.push(Finding::error(code, path, message));
    }
    fn warning(&mut self, code: &'static str, path: JsonPath, message: impl Into<String>) {
        self.findings.push(Finding::warning(code, path, message));
    }

    fn document(&mut self, policy: &Draft, size: impl FnOnce() -> PolicySize) {
        let root = JsonPath::root();
        if let Some((limit, whitespace_counts)) = quota(self.kind) {
            let size = size();
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
        if self.version == Some(Version::Absent) {
            self.warning(
                "missing-version",
                root.key("Version"),
                "the policy has no `Version`: policy variables are not substituted; use \"2012-10-17\"",
            );
        }
        if self.kind == PolicyKind::Rcp && self.version.is_some_and(|v| v != Version::V2012_10_17) {
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
                    let message =
                        format!("the Sid {} is used by more than one statement", quoted(sid));
                    if self.is_iam_kind() {
                        self.error("duplicate-sid", path, message);
                    } else {
                        self.warning("duplicate-sid", path, message);
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

    /// Policy variables are substituted (`None`: the `Version` is unreadable, so nobody knows).
    fn substitutes_variables(&self) -> Option<bool> {
        self.version.map(Version::substitutes_variables)
    }

    fn statement(&mut self, s: &DraftStatement) {
        if let Some(sid) = &s.sid {
            if self.is_iam_kind() && !sid.chars().all(|c| c.is_ascii_alphanumeric()) {
                self.error(
                    "invalid-sid",
                    s.path.key("Sid"),
                    format!(
                        "the Sid {} may contain only letters and digits in an IAM policy",
                        quoted(sid)
                    ),
                );
            }
        }
        self.principal(s);
        if let Some(action) = &s.action {
            self.actions(s, action);
        }
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

    fn principal(&mut self, s: &DraftStatement) {
        let kind = self.kind;
        match (&s.principal, kind.has_principal()) {
            // Whether the element is allowed does not depend on its value: this holds even when
            // the value is unreadable.
            (Some(element), false) => {
                self.error(
                    "principal-not-allowed",
                    s.principal_path(element),
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
                let path = || s.principal_path(element);
                if element.negated {
                    match kind {
                        PolicyKind::Trust | PolicyKind::Rcp => self.error(
                            "not-principal-not-allowed",
                            path(),
                            format!("a {} does not take `NotPrincipal`", kind.aws_name()),
                        ),
                        // AWS refuses it (D64).
                        _ if s.effect == Some(Effect::Allow) => self.error(
                            "not-principal-with-allow",
                            path(),
                            "`NotPrincipal` with `Allow` grants access to everyone not listed, anonymous callers included; AWS does not support it (D64)",
                        ),
                        _ => {}
                    }
                }
                if let (PolicyKind::Rcp, Some(principals)) = (kind, &element.principals) {
                    // On entries read in part this still holds: one entry that is not `*` is
                    // enough, and no error is claimed from the entries that are.
                    let is_star = match principals {
                        DraftPrincipals::Any => true,
                        DraftPrincipals::Typed { entries, .. } => entries.iter().all(|(t, v)| {
                            *t == PrincipalType::Aws && v.values.iter().all(|x| x == "*")
                        }),
                    };
                    if !is_star {
                        self.error(
                            "rcp-principal",
                            path(),
                            "the `Principal` of a resource control policy must be `\"*\"`",
                        );
                    }
                }
            }
        }
        // The values are checked even where the element is not allowed: a malformed ARN is
        // malformed whatever the kind, and the author may be moving the statement.
        if let Some(element) = &s.principal {
            if let Some(DraftPrincipals::Typed { entries, .. }) = &element.principals {
                for (ptype, items) in entries {
                    let at = || s.principal_path(element).key(ptype.as_str());
                    for (k, value) in items.iter() {
                        self.principal_value(*ptype, value, || items.path(&at(), k));
                    }
                }
            }
        }
    }

    fn principal_value(&mut self, ptype: PrincipalType, value: &str, path: impl Fn() -> JsonPath) {
        match ptype {
            PrincipalType::Aws => {
                if value == "*" || account_principal(value).is_some() || is_unique_id(value) {
                    return;
                }
                if value.contains('*') || value.contains('?') {
                    self.error(
                        "principal-wildcard",
                        path(),
                        format!(
                            "{}: only the whole value `*` is a wildcard in a principal",
                            quoted(value)
                        ),
                    );
                    return;
                }
                if !is_principal_arn(value) {
                    self.error(
                        "invalid-principal",
                        path(),
                        format!("{} is not an AWS principal (account id, or a root, user, role, assumed-role or federated-user ARN)", quoted(value)),
                    );
                }
            }
            PrincipalType::Service | PrincipalType::Federated | PrincipalType::CanonicalUser
                if value != "*" && (value.contains('*') || value.contains('?')) =>
            {
                // As for `AWS` (D14): AWS refuses a partial wildcard in any principal type (D65).
                self.error(
                    "principal-wildcard",
                    path(),
                    format!(
                        "{}: only the whole value `*` is a wildcard in a principal (D65)",
                        quoted(value)
                    ),
                );
            }
            PrincipalType::Service => {
                if value != "*" && !is_service_principal(value) {
                    self.warning(
                        "unusual-service-principal",
                        path(),
                        format!(
                            "{} does not look like a service principal (`name.amazonaws.com`)",
                            quoted(value)
                        ),
                    );
                }
            }
            PrincipalType::Federated => {
                if value.is_empty() {
                    self.error("invalid-principal", path(), "an empty federated principal");
                }
            }
            PrincipalType::CanonicalUser => {
                if value.len() != 64 || !value.bytes().all(|b| b.is_ascii_hexdigit()) {
                    self.warning(
                        "invalid-canonical-user",
                        path(),
                        format!(
                            "{} is not a canonical user id (64 hexadecimal digits)",
                            quoted(value)
                        ),
                    );
                }
            }
        }
    }

    /// RCPs: only AWS's `RCPFullAWSAccess` may allow, and a customer statement names actions of
    /// services that support RCPs (D43; Access Analyzer's "RCP syntax error" checks).
    fn rcp_statement(&mut self, s: &DraftStatement) {
        let is_star = |items: &Items| {
            items.values.items.len() == 1 && items.values.items.first().is_some_and(|x| x == "*")
        };
        match s.effect {
            None => {}
            Some(Effect::Allow) => {
                let Some(action) = &s.action else {
                    return;
                };
                let resource = match &s.resource {
                    Slot::Parsed(resource) => Some(resource),
                    Slot::Absent => None,
                    Slot::Broken => return,
                };
                let whole = action.items.complete
                    && resource.is_none_or(|r| r.items.complete)
                    && s.condition_complete;
                let full_access = !action.negated
                    && is_star(&action.items)
                    && resource.is_some_and(|r| !r.negated && is_star(&r.items))
                    && s.condition.is_empty();
                if whole && !full_access {
                    self.error(
                        "rcp-allow",
                        s.path.key("Effect"),
                        "only AWS's RCPFullAWSAccess (`Allow` `*` on `*`, no condition) may allow in a resource control policy",
                    );
                }
            }
            Some(Effect::Deny) => {
                let Some(action) = &s.action else {
                    return;
                };
                for (k, pattern) in action.items.iter() {
                    let service = pattern
                        .split_once(':')
                        .map(|(service, _)| service.to_ascii_lowercase());
                    let supported = service
                        .as_deref()
                        .is_some_and(|svc| crate::scope::RCP_SERVICES.binary_search(&svc).is_ok());
                    if !supported {
                        self.error(
                            "rcp-action",
                            action.items.path(&s.action_path(action), k),
                            format!("{}: a resource control policy names actions of services that support RCPs (`s3:*`, `kms:Decrypt`...), not `*` or other services", quoted(pattern)),
                        );
                    }
                }
            }
        }
    }

    fn actions(&mut self, s: &DraftStatement, action: &DraftElement) {
        let path = || s.action_path(action);
        for (k, pattern) in action.items.iter() {
            if pattern == "*" {
                continue;
            }
            let at = || action.items.path(&path(), k);
            let Some((service, name)) = pattern.split_once(':') else {
                self.error(
                    "invalid-action",
                    at(),
                    format!(
                        "{} is not an action: expected `service:ActionName` or `*`",
                        quoted(pattern)
                    ),
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
                    at(),
                    format!("{} is not an action: expected `service:ActionName` with letters, digits and `*`/`?`", quoted(pattern)),
                );
            } else if service.contains(['*', '?']) {
                self.warning(
                    "service-wildcard",
                    at(),
                    format!(
                        "{}: a wildcard in the service prefix is not a documented form",
                        quoted(pattern)
                    ),
                );
            }
        }
        if self.kind == PolicyKind::Trust {
            for (k, pattern) in action.items.iter() {
                if !pattern.to_ascii_lowercase().starts_with("sts:") && pattern != "*" {
                    self.warning(
                        "trust-action",
                        action.items.path(&path(), k),
                        format!("{} is not an STS action; a trust policy only governs `sts:AssumeRole*`, `sts:TagSession` and `sts:SetSourceIdentity`", quoted(pattern)),
                    );
                }
            }
        }
    }

    fn resources(&mut self, s: &DraftStatement) {
        let resource = match &s.resource {
            Slot::Parsed(resource) => resource,
            // Unreadable: reported by the parser; it is there, so it is not missing.
            Slot::Broken => return,
            Slot::Absent => {
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
            }
        };
        let path = || s.resource_path(resource);
        for (k, pattern) in resource.items.iter() {
            if pattern == "*" {
                continue;
            }
            let at = || resource.items.path(&path(), k);
            if !pattern.starts_with("arn:") {
                self.error(
                    "invalid-resource",
                    at(),
                    format!("{} is not a resource: expected an ARN (`arn:partition:service:region:account:resource`) or `*`", quoted(pattern)),
                );
                continue;
            }
            let fields = split_fields(pattern);
            if fields.len() < 6 {
                self.warning(
                    "short-arn",
                    at(),
                    format!("{} has fewer than six fields; it matches an ARN only through a trailing `*` (D12)", quoted(pattern)),
                );
            }
            if let Some(service) = fields.get(2) {
                if service.contains(['*', '?']) {
                    self.warning(
                        "resource-service-wildcard",
                        at(),
                        format!(
                            "{}: AWS does not support wildcards in the service field of an ARN",
                            quoted(pattern)
                        ),
                    );
                }
            }
            self.variables_in_resource(pattern, &fields, at);
        }
    }

    fn variables_in_resource(&mut self, pattern: &str, fields: &[&str], at: impl Fn() -> JsonPath) {
        let has_vars = |t: &str| has_variables(t);
        if !has_vars(pattern) {
            return;
        }
        match self.substitutes_variables() {
            None => {}
            Some(false) => self.warning(
                "variable-not-substituted",
                at(),
                format!("{}: policy variables are substituted only under \"Version\": \"2012-10-17\"; here they are literal text", quoted(pattern)),
            ),
            Some(true) if fields.iter().take(5).any(|f| has_vars(f)) => self.warning(
                "variable-not-substituted",
                at(),
                format!("{}: policy variables are substituted only in the resource part of an ARN (after the fifth colon)", quoted(pattern)),
            ),
            Some(true) => {}
        }
    }

    fn clause(&mut self, s: &DraftStatement, clause: &DraftClause, null_keys: &HashSet<String>) {
        // Built only for a finding: 100,000 clauses would otherwise build 100,000 paths.
        let path = || s.condition_path(clause);
        let op = clause.operator;
        let value_type = op.comparison.value_type();
        if clause.key.is_empty() {
            self.error("invalid-condition-key", path(), "an empty condition key");
        }
        for (k, value) in clause.values.iter() {
            let at = || clause.values.path(&path(), k);
            let vars = has_variables(value);
            if vars && !value_type.takes_variables() {
                self.error(
                    "variable-not-allowed",
                    at(),
                    format!(
                        "{}: policy variables are not allowed in `{}` values",
                        quoted(value),
                        clause.operator_text
                    ),
                );
                continue;
            }
            if vars && self.substitutes_variables() == Some(false) {
                self.warning(
                    "variable-not-substituted",
                    at(),
                    format!("{}: policy variables are substituted only under \"Version\": \"2012-10-17\"; here they are literal text", quoted(value)),
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
                    at(),
                    format!(
                        "{} is not {expected}, as `{}` requires",
                        quoted(value),
                        clause.operator_text
                    ),
                );
            } else if value_type == ValueType::Bool && !vars && parse_bool(value).is_none() {
                self.warning(
                    "invalid-condition-value",
                    at(),
                    format!(
                        "{} is neither `true` nor `false`: `Bool` never matches it",
                        quoted(value)
                    ),
                );
            }
        }
        if op.qualifier == Some(SetQualifier::ForAllValues)
            && s.effect == Some(Effect::Allow)
            && s.condition_complete
            && !op.negated
            && !null_keys.contains(&clause.key.to_ascii_lowercase())
        {
            self.warning(
                "for-all-values-without-null",
                path(),
                format!(
                    "`{}` in an Allow also holds when {} is absent; add `\"Null\": {{\"{}\": \"false\"}}`",
                    clause.operator_text,
                    quoted(&clause.key),
                    shown(&clause.key)
                ),
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

/// Does `text` hold a policy variable? Most values have no `${` at all: they are not copied
/// into a template to find out.
fn has_variables(text: &str) -> bool {
    text.contains("${") && Template::parse(text).has_variables()
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::Json;
    use crate::policy::{check, Policy};

    /// `(code, path)` of every finding of `text` as a policy of `kind`, errors and warnings.
    fn found(text: &str, kind: PolicyKind) -> Vec<(&'static str, String)> {
        let (policy, findings) = check(&Json::parse(text).unwrap(), kind, None);
        // Fail closed: a policy comes back only when it parsed whole.
        assert_eq!(policy.is_some(), Policy::parse(text).is_ok(), "{text}");
        findings
            .iter()
            .map(|f| (f.code, f.path.to_string()))
            .collect()
    }

    /// A structural error in one statement used to hide every rule of the kind, in every
    /// statement: here the principal string and the `Principal` in an identity policy.
    #[test]
    fn a_parse_error_does_not_hide_the_rules_of_the_kind() {
        let text = r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "arn:aws:iam::111122223333:user/x", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "bucket/key"}
        ]}"#;
        let f = found(text, PolicyKind::Identity);
        assert_eq!(
            f,
            [
                ("invalid-principal", "Statement[0].Principal".to_owned()),
                ("principal-not-allowed", "Statement[0].Principal".to_owned()),
                ("invalid-resource", "Statement[1].Resource".to_owned()),
            ]
        );
        // A malformed ARN inside a `Principal` that the kind does not take: both.
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::bad"}, "Action": "s3:GetObject", "Resource": "*"}}"#;
        assert_eq!(
            found(text, PolicyKind::Identity),
            [
                ("principal-not-allowed", "Statement.Principal".to_owned()),
                ("invalid-principal", "Statement.Principal.AWS".to_owned()),
            ]
        );
    }

    #[test]
    fn items_of_a_list_are_checked_around_an_item_of_the_wrong_type() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Action": ["s3:GetObject", 7, "not an action"],
            "Resource": [true, "arn:aws:s3:::b/*", "bucket"],
            "Condition": {"IpAddress": {"aws:SourceIp": [null, "10.0.0.300"]}}}}"#;
        let f = found(text, PolicyKind::Identity);
        assert_eq!(
            f,
            [
                ("wrong-type", "Statement.Action[1]".to_owned()),
                ("wrong-type", "Statement.Resource[0]".to_owned()),
                (
                    "wrong-type",
                    "Statement.Condition.IpAddress.aws:SourceIp[0]".to_owned()
                ),
                ("invalid-action", "Statement.Action[2]".to_owned()),
                ("invalid-resource", "Statement.Resource[2]".to_owned()),
                (
                    "invalid-condition-value",
                    "Statement.Condition.IpAddress.aws:SourceIp[1]".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn clauses_and_principal_entries_are_checked_around_unreadable_ones() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::111122223333:user/a*", "Robot": "r2d2"},
            "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringEqualz": {"k": "v"}, "DateLessThan": {"aws:CurrentTime": "soon"}}}}"#;
        let f = found(text, PolicyKind::Resource);
        assert_eq!(
            f,
            [
                ("invalid-principal", "Statement.Principal.Robot".to_owned()),
                (
                    "unknown-operator",
                    "Statement.Condition.StringEqualz".to_owned()
                ),
                ("principal-wildcard", "Statement.Principal.AWS".to_owned()),
                (
                    "invalid-condition-value",
                    "Statement.Condition.DateLessThan.aws:CurrentTime".to_owned()
                ),
            ]
        );
    }

    /// An unreadable element is there: it is not reported missing.
    #[test]
    fn an_unreadable_element_is_not_reported_missing() {
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": 7, "Action": "s3:GetObject", "Resource": {}}}"#;
        assert_eq!(
            found(text, PolicyKind::Resource),
            [
                ("wrong-type", "Statement.Principal".to_owned()),
                ("wrong-type", "Statement.Resource".to_owned()),
            ]
        );
        assert_eq!(
            found(text, PolicyKind::Identity),
            [
                ("wrong-type", "Statement.Principal".to_owned()),
                ("wrong-type", "Statement.Resource".to_owned()),
                ("principal-not-allowed", "Statement.Principal".to_owned()),
            ]
        );
    }

    /// Rules that read an unreadable part are skipped rather than judge a value nobody wrote.
    #[test]
    fn rules_on_an_unreadable_part_are_skipped() {
        // No Effect: neither `not-principal-with-allow` nor `for-all-values-without-null`, but
        // the principal's and the condition's values are still checked.
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Alow",
            "NotPrincipal": {"AWS": "nobody"}, "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": "a*"}, "NumericLessThan": {"n": "x"}}}}"#;
        assert_eq!(
            found(text, PolicyKind::Resource),
            [
                ("invalid-effect", "Statement.Effect".to_owned()),
                ("invalid-principal", "Statement.NotPrincipal.AWS".to_owned()),
                (
                    "invalid-condition-value",
                    "Statement.Condition.NumericLessThan.n".to_owned()
                ),
            ]
        );
        // An unreadable Version: no `missing-version`, no `variable-not-substituted`, and for an
        // RCP no second error about it.
        let text = r#"{"Version": 2012, "Statement": {"Effect": "Deny", "Principal": "*",
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}"}}"#;
        assert_eq!(
            found(text, PolicyKind::Rcp),
            [("wrong-type", "Version".to_owned())]
        );
        // An RCP Allow whose Condition is unreadable: whether it is RCPFullAWSAccess is unknown.
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*",
            "Action": "*", "Resource": "*", "Condition": []}}"#;
        assert_eq!(
            found(text, PolicyKind::Rcp),
            [("wrong-type", "Statement.Condition".to_owned())]
        );
        // A Null clause that cannot be read might be the one the warning asks for.
        let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"ForAllValues:StringLike": {"aws:TagKeys": "a*"}, "Null": {"aws:TagKeys": []}}}}"#;
        assert_eq!(
            found(text, PolicyKind::Identity),
            [(
                "empty-list",
                "Statement.Condition.Null.aws:TagKeys".to_owned()
            )]
        );
    }

    /// Statements that are not objects are skipped; the others are checked, and Sids are still
    /// compared across them.
    #[test]
    fn other_statements_are_checked_around_an_unreadable_one() {
        let text = r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Bogus": 1},
            "not a statement",
            {"Sid": "A", "Effect": "Allow", "Action": "s3", "Resource": "*"}
        ]}"#;
        assert_eq!(
            found(text, PolicyKind::Identity),
            [
                ("unknown-element", "Statement[0].Bogus".to_owned()),
                ("wrong-type", "Statement[1]".to_owned()),
                ("duplicate-sid", "Statement[2].Sid".to_owned()),
                ("invalid-action", "Statement[2].Action".to_owned()),
            ]
        );
    }

    /// A document that parses whole is returned; with one structural error anywhere there is no
    /// policy, however many parts parsed. (Errors of the kind are refused by `PolicySet`.)
    #[test]
    fn only_a_policy_that_parsed_whole_is_returned() {
        let ok = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#;
        let (policy, findings) = check(&Json::parse(ok).unwrap(), PolicyKind::Identity, None);
        assert!(policy.is_some() && findings.is_empty());
        let broken = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObject", 7], "Resource": "*"}}"#;
        let (policy, findings) = check(&Json::parse(broken).unwrap(), PolicyKind::Identity, None);
        assert!(policy.is_none());
        assert_eq!(findings.len(), 1);
        assert!(Policy::parse(broken).is_err());
    }
}
