//! The best-practice audit: findings about a world at a given time, each from a check that cites
//! the IAM security best-practices page
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html>) or the CIS AWS
//! Foundations Benchmark (v3.0.0) control it implements.
//!
//! Credential checks read what the credential report gives (root user, passwords, keys, MFA);
//! the root checks are skipped for an account without a report (`RootUser::known`).
//! Admin equivalence is decided by the model's evaluator on the world's assembled policy sets
//! (`World::access`), never by matching action names (D113).

use crate::entity::{Account, KeyStatus, Role, World};
use crate::time::Timestamp;
use crate::Query;
use iamspec_model::Decision;
use serde::Serialize;
use std::fmt::Write as _;

const DAY: i64 = 86_400;
const BEST_PRACTICES: &str = "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    High,
    Medium,
    Low,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
            Severity::Info => "info",
        }
    }

    /// SARIF's `level`.
    fn sarif(self) -> &'static str {
        match self {
            Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "note",
        }
    }
}

/// A check: its id, severity, what it means and what it cites.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub severity: Severity,
    pub title: &'static str,
    /// `CIS 1.4` or the best-practices page.
    pub reference: &'static str,
    pub url: &'static str,
}

macro_rules! checks {
    ($($name:ident = $id:literal, $sev:ident, $title:literal, $reference:literal, $url:expr;)*) => {
        $(pub const $name: Check = Check {
            id: $id,
            severity: Severity::$sev,
            title: $title,
            reference: $reference,
            url: $url,
        };)*
        /// Every check, in the order they run.
        pub const CHECKS: &[Check] = &[$($name),*];
    };
}

const CIS: &str = "https://www.cisecurity.org/benchmark/amazon_web_services";

checks! {
    ROOT_ACCESS_KEY = "root-access-key", High, "the root user has an access key", "CIS 1.4", CIS;
    ROOT_NO_MFA = "root-no-mfa", High, "the root user has no MFA", "CIS 1.5", CIS;
    ROOT_USED = "root-used-recently", Medium, "the root user was used in the last 30 days", "CIS 1.7", CIS;
    PASSWORD_POLICY = "password-policy-weak", Medium, "the password policy is weaker than CIS (length 14, reuse 24)", "CIS 1.8, 1.9", CIS;
    CONSOLE_NO_MFA = "console-user-no-mfa", High, "a user with a console password has no MFA", "CIS 1.10", CIS;
    UNUSED_90 = "credential-unused-90d", Medium, "a password or active access key unused for 90 days or more", "best practices: remove unused credentials", BEST_PRACTICES;
    UNUSED_45 = "credential-unused-45d", Low, "a password or active access key unused for 45 to 89 days", "CIS 1.12", CIS;
    MULTIPLE_KEYS = "multiple-active-keys", Low, "a user has more than one active access key", "CIS 1.13", CIS;
    OLD_KEY = "access-key-older-than-90d", Medium, "an active access key was not rotated in 90 days", "CIS 1.14", CIS;
    DIRECT_POLICY = "user-direct-policy", Low, "a user has policies of its own instead of through groups", "CIS 1.15", CIS;
    INLINE_POLICY = "inline-policy", Info, "an entity has inline policies (prefer managed policies)", "best practices: managed policies", "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html";
    ADMIN = "admin-equivalent", High, "a principal is admin-equivalent", "CIS 1.16; best practices: least privilege", BEST_PRACTICES;
    TRUST_ANYONE = "role-trusts-anyone", High, "a role's trust policy allows any principal (`*`)", "best practices: least privilege; IAM Access Analyzer", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html";
    TRUST_NO_EXTERNAL_ID = "role-trusts-account-without-external-id", Medium, "a role trusts another account without an `sts:ExternalId` condition", "confused deputy", "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html";
    TRUST_OIDC_NO_SUB = "role-trusts-oidc-without-sub", High, "a role trusts an OIDC provider without a `sub` condition", "OIDC federation", "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-idp_oidc.html";
    UNUSED_ROLE = "unused-role", Low, "a role not used in 90 days", "best practices: remove unused roles", BEST_PRACTICES;
    EMPTY_GROUP = "group-without-members", Info, "a group has no members", "best practices: groups", BEST_PRACTICES;
    UNATTACHED_POLICY = "policy-attached-to-nobody", Info, "a customer managed policy is attached to nobody", "best practices: remove unused permissions", BEST_PRACTICES;
}

#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub check: &'static str,
    pub severity: Severity,
    pub account: String,
    /// The ARN of the user, group, role, policy or root user; the account id for the password
    /// policy.
    pub entity: String,
    pub message: String,
    pub reference: &'static str,
    pub url: &'static str,
}

/// Runs every check on every account at `at`; findings sorted by severity, account, entity.
pub fn audit(world: &World, at: Timestamp) -> Vec<Finding> {
    let mut out = Vec::new();
    for account in &world.accounts {
        let mut push = |check: Check, entity: &str, message: String| {
            out.push(Finding {
                check: check.id,
                severity: check.severity,
                account: account.id.clone(),
                entity: entity.to_owned(),
                message,
                reference: check.reference,
                url: check.url,
            });
        };
        root(account, at, &mut push);
        password_policy(account, &mut push);
        users(account, at, &mut push);
        for role in &account.roles {
            trust(account, role, &mut push);
            if !role.inline.is_empty() {
                push(INLINE_POLICY, &role.arn, inline_names(&role.inline));
            }
            unused_role(role, at, &mut push);
        }
        for group in &account.groups {
            if !group.inline.is_empty() {
                push(INLINE_POLICY, &group.arn, inline_names(&group.inline));
            }
            if !account.users.iter().any(|u| u.groups.contains(&group.name)) {
                push(
                    EMPTY_GROUP,
                    &group.arn,
                    format!("group `{}` has no members", group.name),
                );
            }
        }
        unattached(account, &mut push);
        admins(world, account, &mut push);
    }
    out.sort_by(|a, b| {
        (a.severity, &a.account, &a.entity, a.check)
            .cmp(&(b.severity, &b.account, &b.entity, b.check))
    });
    out
}

fn days(from: Timestamp, to: Timestamp) -> i64 {
    (to.0 - from.0).div_euclid(DAY)
}

fn root(account: &Account, at: Timestamp, push: &mut impl FnMut(Check, &str, String)) {
    let root = &account.root;
    if !root.known {
        return;
    }
    let arn = format!("arn:aws:iam::{}:root", account.id);
    let active = root
        .access_keys
        .iter()
        .filter(|k| k.status == KeyStatus::Active)
        .count();
    if active > 0 {
        push(
            ROOT_ACCESS_KEY,
            &arn,
            format!("the root user has {active} active access key(s)"),
        );
    }
    if !root.mfa_active {
        push(ROOT_NO_MFA, &arn, "the root user has no MFA device".into());
    }
    let last = root
        .access_keys
        .iter()
        .filter_map(|k| k.last_used)
        .chain(root.password_last_used)
        .filter(|t| *t <= at)
        .max();
    if let Some(last) = last.filter(|t| days(*t, at) < 30) {
        push(
            ROOT_USED,
            &arn,
            format!(
                "the root user was last used {last} ({} days before)",
                days(last, at)
            ),
        );
    }
}

fn password_policy(account: &Account, push: &mut impl FnMut(Check, &str, String)) {
    let message = match &account.password_policy {
        None => Some(
            "the account has no password policy (AWS's default: length 8, no reuse prevention)"
                .to_owned(),
        ),
        Some(p) => {
            let mut weak = Vec::new();
            let length = p.minimum_password_length.unwrap_or(8);
            if length < 14 {
                weak.push(format!("minimum length {length} < 14"));
            }
            let reuse = p.password_reuse_prevention.unwrap_or(0);
            if reuse < 24 {
                weak.push(format!("reuse prevention {reuse} < 24"));
            }
            (!weak.is_empty()).then(|| weak.join(", "))
        }
    };
    // Only for accounts whose IAM data we have: a snapshot gives the policy with the account.
    if let Some(message) = message.filter(|_| {
        !account.users.is_empty() || account.root.known || account.password_policy.is_some()
    }) {
        push(PASSWORD_POLICY, &account.id, message);
    }
}

fn users(account: &Account, at: Timestamp, push: &mut impl FnMut(Check, &str, String)) {
    for user in &account.users {
        if user.create_date.is_some_and(|c| c > at) {
            continue;
        }
        if user.login_profile.is_some() && user.mfa_devices.is_empty() {
            push(
                CONSOLE_NO_MFA,
                &user.arn,
                format!("user `{}` signs in to the console without MFA", user.name),
            );
        }
        let active: Vec<_> = user
            .access_keys
            .iter()
            .filter(|k| k.status == KeyStatus::Active)
            .collect();
        if active.len() > 1 {
            push(
                MULTIPLE_KEYS,
                &user.arn,
                format!(
                    "user `{}` has {} active access keys",
                    user.name,
                    active.len()
                ),
            );
        }
        for (slot, key) in active.iter().enumerate() {
            if let Some(created) = key.created.filter(|c| days(*c, at) >= 90) {
                push(
                    OLD_KEY,
                    &user.arn,
                    format!(
                        "access key {} of `{}` was created {created} ({} days before)",
                        slot + 1,
                        user.name,
                        days(created, at)
                    ),
                );
            }
        }
        // Unused credentials: last use, or creation when never used.
        let mut unused: Vec<(String, i64)> = Vec::new();
        if let Some(profile) = &user.login_profile {
            // A use dated after `at` has not happened yet at `at`.
            if let Some(since) = (profile.last_used.filter(|t| *t <= at))
                .or(profile.last_changed)
                .or(user.create_date)
            {
                unused.push(("password".into(), days(since, at)));
            }
        }
        for (slot, key) in active.iter().enumerate() {
            if let Some(since) = key.last_used.filter(|t| *t <= at).or(key.created) {
                unused.push((format!("access key {}", slot + 1), days(since, at)));
            }
        }
        for (what, idle) in unused {
            let check = match idle {
                90.. => UNUSED_90,
                45..=89 => UNUSED_45,
                _ => continue,
            };
            push(
                check,
                &user.arn,
                format!(
                    "the {what} of `{}` has not been used for {idle} days",
                    user.name
                ),
            );
        }
        if !user.attached.is_empty() || !user.inline.is_empty() {
            let names: Vec<_> = user
                .attached
                .iter()
                .map(|p| p.name.as_str())
                .chain(user.inline.iter().map(|p| p.name.as_str()))
                .collect();
            push(
                DIRECT_POLICY,
                &user.arn,
                format!(
                    "user `{}` has its own policies: {}",
                    user.name,
                    names.join(", ")
                ),
            );
        }
        if !user.inline.is_empty() {
            push(INLINE_POLICY, &user.arn, inline_names(&user.inline));
        }
    }
}

fn inline_names(inline: &[crate::entity::InlinePolicy]) -> String {
    let names: Vec<_> = inline.iter().map(|p| format!("`{}`", p.name)).collect();
    format!("inline policies {}", names.join(", "))
}

fn unused_role(role: &Role, at: Timestamp, push: &mut impl FnMut(Check, &str, String)) {
    if role.is_service_linked() || role.create_date.is_some_and(|c| days(c, at) < 90) {
        return;
    }
    match role.last_used.filter(|t| *t <= at) {
        Some(last) if days(last, at) < 90 => {}
        Some(last) => push(
            UNUSED_ROLE,
            &role.arn,
            format!(
                "role `{}` was last used {last} ({} days before)",
                role.name,
                days(last, at)
            ),
        ),
        None => push(
            UNUSED_ROLE,
            &role.arn,
            format!("role `{}` has no recorded use", role.name),
        ),
    }
}

fn unattached(account: &Account, push: &mut impl FnMut(Check, &str, String)) {
    let used = |arn: &str| {
        let attached = |list: &[crate::entity::AttachedPolicy]| list.iter().any(|p| p.arn == arn);
        account
            .users
            .iter()
            .any(|u| attached(&u.attached) || u.boundary.as_ref().is_some_and(|b| b.arn == arn))
            || account.groups.iter().any(|g| attached(&g.attached))
            || account
                .roles
                .iter()
                .any(|r| attached(&r.attached) || r.boundary.as_ref().is_some_and(|b| b.arn == arn))
    };
    for policy in account.policies.iter().filter(|p| !p.is_aws_managed()) {
        if !used(&policy.arn) {
            push(
                UNATTACHED_POLICY,
                &policy.arn,
                format!(
                    "policy `{}` is attached to no user, group or role and is no boundary",
                    policy.name
                ),
            );
        }
    }
}

/// The trust policy's `Allow` statements: principals and condition keys, read from the
/// document's JSON (the loaded text is the document AWS stores).
fn trust(account: &Account, role: &Role, push: &mut impl FnMut(Check, &str, String)) {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(&role.trust.text) else {
        return;
    };
    let statements = match field(&doc, "Statement") {
        serde_json::Value::Array(items) => items.clone(),
        single @ serde_json::Value::Object(_) => vec![single.clone()],
        _ => return,
    };
    let strings = |v: &serde_json::Value| -> Vec<String> {
        match v {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Array(items) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    for (i, s) in statements.iter().enumerate() {
        if field(s, "Effect") != "Allow" {
            continue;
        }
        let keys: Vec<String> = field(s, "Condition")
            .as_object()
            .map(|ops| {
                ops.values()
                    .filter_map(|v| v.as_object())
                    .flat_map(|m| m.keys().map(|k| k.to_ascii_lowercase()))
                    .collect()
            })
            .unwrap_or_default();
        let at = format!("Statement[{i}]");
        let principal = field(s, "Principal");
        let aws = if principal == "*" {
            vec!["*".to_owned()]
        } else {
            strings(field(principal, "AWS"))
        };
        for p in &aws {
            if p == "*" {
                let how = if keys.is_empty() {
                    "with no condition".to_owned()
                } else {
                    format!("limited only by conditions on {}", keys.join(", "))
                };
                push(
                    TRUST_ANYONE,
                    &role.arn,
                    format!("role `{}` trusts `*` in {at}, {how}", role.name),
                );
                continue;
            }
            let other = if p.len() == 12 && p.bytes().all(|b| b.is_ascii_digit()) {
                Some(p.as_str())
            } else {
                p.split(':').nth(4)
            };
            if other.is_some_and(|o| o != account.id && !o.is_empty())
                && !keys.iter().any(|k| k == "sts:externalid")
            {
                push(
                    TRUST_NO_EXTERNAL_ID,
                    &role.arn,
                    format!(
                        "role `{}` trusts `{p}` (another account) in {at} without `sts:ExternalId`",
                        role.name
                    ),
                );
            }
        }
        for provider in strings(field(principal, "Federated")) {
            let Some(host) = provider
                .split_once(":oidc-provider/")
                .map(|(_, h)| h.to_ascii_lowercase())
            else {
                continue;
            };
            let sub = format!("{host}:sub");
            if !keys.contains(&sub) {
                push(TRUST_OIDC_NO_SUB, &role.arn, format!("role `{}` trusts OIDC provider `{host}` in {at} without a `{sub}` condition", role.name));
            }
        }
    }
}

static NULL: serde_json::Value = serde_json::Value::Null;

/// `value[key]` without indexing: `null` when absent.
fn field<'a>(value: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    value.get(key).unwrap_or(&NULL)
}

/// Probe requests a full administrator is allowed: one destructive action in each of several
/// services, on resources of the account.
fn full_admin_probes(account: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "iam:CreateUser",
            format!("arn:aws:iam::{account}:user/iamspec-audit-probe"),
        ),
        (
            "iam:AttachRolePolicy",
            format!("arn:aws:iam::{account}:role/iamspec-audit-probe"),
        ),
        (
            "s3:DeleteBucket",
            "arn:aws:s3:::iamspec-audit-probe".to_owned(),
        ),
        (
            "ec2:TerminateInstances",
            format!("arn:aws:ec2:us-east-1:{account}:instance/i-0123456789abcdef0"),
        ),
        (
            "dynamodb:DeleteTable",
            format!("arn:aws:dynamodb:us-east-1:{account}:table/iamspec-audit-probe"),
        ),
        (
            "lambda:DeleteFunction",
            format!("arn:aws:lambda:us-east-1:{account}:function:iamspec-audit-probe"),
        ),
    ]
}

/// Admin-equivalent: allowed every full-admin probe, or (without a permissions boundary, which
/// would cap what it grants itself) allowed to put or attach a policy on itself (D113).
fn admins(world: &World, account: &Account, push: &mut impl FnMut(Check, &str, String)) {
    let allowed = |principal: &str, action: &str, resource: &str| {
        world
            .access(&Query {
                principal: principal.to_owned(),
                action: action.to_owned(),
                resource: resource.to_owned(),
                ..Query::default()
            })
            .is_ok_and(|a| a.decision == Decision::Allow)
    };
    let probes = full_admin_probes(&account.id);
    let mut judge = |arn: &str, name: &str, kind: &str, bounded: bool| {
        if probes
            .iter()
            .all(|(action, resource)| allowed(arn, action, resource))
        {
            push(
                ADMIN,
                arn,
                format!(
                    "{kind} `{name}` is allowed full administrative access (every probe: {})",
                    probes.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
                ),
            );
            return;
        }
        if bounded {
            return;
        }
        let escalations: &[&str] = if kind == "user" {
            &["iam:PutUserPolicy", "iam:AttachUserPolicy"]
        } else {
            &["iam:PutRolePolicy", "iam:AttachRolePolicy"]
        };
        if let Some(action) = escalations.iter().find(|a| allowed(arn, a, arn)) {
            push(
                ADMIN,
                arn,
                format!("{kind} `{name}` can grant itself any permission (`{action}` on itself)"),
            );
        }
    };
    for user in &account.users {
        judge(&user.arn, &user.name, "user", user.boundary.is_some());
    }
    for role in account.roles.iter().filter(|r| !r.is_service_linked()) {
        judge(&role.arn, &role.name, "role", role.boundary.is_some());
    }
}

/// One line per finding, then a count per severity.
pub fn render_text(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let _ = writeln!(
            out,
            "{:<6} {}  {}\n       {}  [{}]",
            f.severity.as_str(),
            f.check,
            f.entity,
            f.message,
            f.reference
        );
    }
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let _ = writeln!(
        out,
        "{} findings: {} high, {} medium, {} low, {} info",
        findings.len(),
        count(Severity::High),
        count(Severity::Medium),
        count(Severity::Low),
        count(Severity::Info)
    );
    out
}

/// SARIF 2.1.0: one rule per check, one result per finding, the entity as a logical location.
pub fn to_sarif(findings: &[Finding]) -> serde_json::Value {
    let rules: Vec<_> = CHECKS
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.id,
                "shortDescription": {"text": c.title},
                "helpUri": c.url,
                "properties": {"reference": c.reference, "severity": c.severity.as_str()},
                "defaultConfiguration": {"level": c.severity.sarif()},
            })
        })
        .collect();
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            serde_json::json!({
                "ruleId": f.check,
                "level": f.severity.sarif(),
                "message": {"text": f.message},
                "locations": [{"logicalLocations": [{"fullyQualifiedName": f.entity, "kind": "resource"}]}],
                "properties": {"account": f.account, "severity": f.severity.as_str()},
            })
        })
        .collect();
    serde_json::json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "iamspec audit", "informationUri": BEST_PRACTICES, "rules": rules}},
            "results": results,
        }]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::Document;

    fn role_trusting(document: &str) -> Vec<&'static str> {
        let account = Account::new("111122223333");
        let role = Role {
            path: "/".into(),
            name: "r".into(),
            id: String::new(),
            arn: "arn:aws:iam::111122223333:role/r".into(),
            create_date: None,
            trust: Document {
                text: document.into(),
                policy: None,
            },
            inline: Vec::new(),
            attached: Vec::new(),
            boundary: None,
            tags: Vec::new(),
            max_session_duration: None,
            last_used: None,
            last_used_region: None,
            instance_profiles: Vec::new(),
        };
        let mut found = Vec::new();
        trust(&account, &role, &mut |c: Check, _: &str, _: String| {
            found.push(c.id)
        });
        found
    }

    #[test]
    fn trust_checks() {
        // `Principal: "*"`, a single statement object: anyone.
        assert_eq!(
            role_trusting(
                r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}}"#
            ),
            vec![TRUST_ANYONE.id]
        );
        // Condition keys are case-insensitive: `sts:externalid` counts.
        let other = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":["999988887777","arn:aws:iam::111122223333:root"]},"Action":"sts:AssumeRole"CONDITION}]}"#;
        assert_eq!(
            role_trusting(&other.replace("CONDITION", "")),
            vec![TRUST_NO_EXTERNAL_ID.id]
        );
        assert!(role_trusting(&other.replace(
            "CONDITION",
            r#","Condition":{"StringEquals":{"sts:externalid":"x"}}"#
        ))
        .is_empty());
        // A Deny statement grants nothing.
        assert!(role_trusting(
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"sts:AssumeRole"}]}"#
        )
        .is_empty());
        // OIDC: `aud` alone is not enough; the provider's own `sub` is.
        let oidc = r#"{"Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"oidc.eks.eu-west-1.amazonaws.com/id/ABC:KEY":"v"}}}]}"#;
        assert_eq!(
            role_trusting(&oidc.replace("KEY", "aud")),
            vec![TRUST_OIDC_NO_SUB.id]
        );
        assert!(role_trusting(&oidc.replace("KEY", "sub")).is_empty());
    }
}
