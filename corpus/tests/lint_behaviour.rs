//! What lint must and must not report, beyond the documented examples: guards that silence a
//! check, the new resource-matching rules (D11, D12, D13), positions and ordering.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::{lint, LintReport, LintSeverity};
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;

fn run(kind: PolicyKind, statements: &str) -> LintReport {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    lint(&text, kind, Catalogue::embedded())
}

fn ids(report: &LintReport) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.id).collect()
}

#[test]
fn a_least_privilege_policy_is_clean() {
    let text = include_str!("lint-examples/identity-least-privilege.json");
    let report = lint(text, PolicyKind::Identity, Catalogue::embedded());
    assert_eq!(ids(&report), Vec::<&str>::new());
}

#[test]
fn null_guard_silences_for_all_values() {
    let unguarded = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}"#,
    );
    assert!(ids(&unguarded).contains(&"for-all-values-without-null"));
    let finding = unguarded
        .findings
        .iter()
        .find(|f| f.id == "for-all-values-without-null")
        .unwrap();
    assert_eq!(
        finding.severity,
        LintSeverity::Warning,
        "AWS's own `aws:TagKeys` pattern: a warning, not a security warning (issue 13)"
    );
    let guarded = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
                          "Null": {"aws:TagKeys": "false"}}}"#,
    );
    assert!(!ids(&guarded).contains(&"for-all-values-without-null"));
    assert!(!ids(&guarded).contains(&"missing-set-qualifier"));
}

#[test]
fn pass_role_on_named_roles_or_through_wildcards() {
    let named = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-*"}"#,
    );
    assert!(!ids(&named).contains(&"pass-role-star"));
    let wildcard = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}"#,
    );
    assert!(ids(&wildcard).contains(&"pass-role-star"));
    let not_action = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}"#,
    );
    assert!(ids(&not_action).contains(&"pass-role-star"));
    let excluded = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}"#,
    );
    assert!(!ids(&excluded).contains(&"pass-role-star"));
}

/// D11: a `*` that ends a field matches across colons, so `arn:aws:s3:*` fits every S3 ARN;
/// `arn:aws:s3` (no sixth field) matches nothing (D12).
#[test]
fn d11_resource_patterns_against_templates() {
    let fits = |resource: &str| {
        let report = run(
            PolicyKind::Identity,
            &format!(
                r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "{resource}"}}"#
            ),
        );
        !ids(&report).contains(&"resource-matches-no-resource-type")
    };
    assert!(fits("arn:aws:s3:*"));
    assert!(fits("arn:aws:s3:::*"));
    assert!(fits("arn:*:s3:::bucket/key"));
    assert!(fits("arn:aws:s3:::bucket/${aws:username}/*"));
    assert!(fits("arn:aws:s3:*:*:accesspoint/ap/object/*"));
    assert!(!fits("arn:aws:s3"));
    assert!(!fits("arn:aws:s3:::bucket"));
    assert!(!fits("arn:aws:ec2:*:*:instance/*"));
}

/// D13: an action that acts on no resource type is matched only by `*`.
#[test]
fn d13_wildcard_only_actions() {
    let alone = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"}"#,
    );
    assert_eq!(ids(&alone), ["resource-matches-no-resource-type"]);
    let star = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}"#,
    );
    assert_eq!(ids(&star), Vec::<&str>::new());
}

#[test]
fn unknown_actions_skip_the_resource_test() {
    // The statement's actions are not all known: what they act on cannot be judged.
    let report = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "s3:BrandNewAction"], "Resource": "arn:aws:s3:::bucket"}"#,
    );
    assert_eq!(ids(&report), ["unknown-action"]);
}

#[test]
fn tag_keys_in_allow_and_deny() {
    let allow_if_exists = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/team": "blue"}}}"#,
    );
    let finding = allow_if_exists
        .findings
        .iter()
        .find(|f| f.id == "unsupported-tag-key-allow")
        .unwrap();
    assert_eq!(finding.severity, LintSeverity::SecurityWarning);
    let deny_negated = run(
        PolicyKind::Identity,
        r#"{"Effect": "Deny", "Action": "s3:ListAllMyBuckets", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:ResourceTag/team": "blue"}}}"#,
    );
    assert!(!ids(&deny_negated).contains(&"unsupported-tag-key-deny"));
    let supported = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "ec2:StartInstances", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}"#,
    );
    assert_eq!(ids(&supported), Vec::<&str>::new());
}

#[test]
fn condition_keys_of_providers_and_templates() {
    let report = run(
        PolicyKind::Trust,
        r#"{"Effect": "Allow", "Principal": {"Federated": "accounts.google.com"},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {"accounts.google.com:aud": "app.apps.googleusercontent.com"}}}"#,
    );
    assert_eq!(ids(&report), Vec::<&str>::new());
    let tag = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "*",
            "Condition": {"StringEquals": {"secretsmanager:ResourceTag/team": "blue"}}}"#,
    );
    assert!(
        !ids(&tag).contains(&"unknown-service-condition-key"),
        "{:?}",
        ids(&tag)
    );
}

#[test]
fn findings_are_ordered_by_position_and_located() {
    let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"s3:GetObjekt\", \"Resource\": \"*\"},\n    {\"Effect\": \"Allow\", \"Action\": \"iam:PassRole\", \"Resource\": \"*\"}\n  ]\n}";
    let report = lint(text, PolicyKind::Identity, Catalogue::embedded());
    let located: Vec<(&str, usize, usize)> = report
        .findings
        .iter()
        .map(|f| {
            let p = f.position.unwrap();
            (f.id, p.line, p.column)
        })
        .collect();
    assert_eq!(
        located,
        [("unknown-action", 4, 25), ("pass-role-star", 5, 51)]
    );
}

#[test]
fn json_errors_are_one_finding_with_a_position() {
    let report = lint(
        "{\n  \"Version\": ,\n}",
        PolicyKind::Identity,
        Catalogue::embedded(),
    );
    assert_eq!(ids(&report), ["json-syntax"]);
    assert!(report.has_errors());
    let position = report.findings[0].position.unwrap();
    assert_eq!((position.line, position.column), (2, 14));
}

/// A megabyte value is quoted in a message by its first 200 characters, in every check that
/// echoes it (here: partition, region, account, redundancy, wildcard checks).
#[test]
fn huge_values_are_shortened_in_messages() {
    let huge = "a".repeat(1 << 20);
    let report = run(
        PolicyKind::Identity,
        &format!(
            r#"{{"Effect": "Allow", "Action": "s3:GetObject",
                 "Resource": ["arn:{huge}:s3:::b", "arn:aws:ec2:{huge}:111122223333:instance/i",
                              "arn:aws:s3:::{huge}*", "arn:aws:s3:::{huge}*x"],
                 "Condition": {{"StringEquals": {{"aws:PrincipalTag/t": "{huge}*"}}}}}}"#
        ),
    );
    assert!(report.findings.len() >= 3, "{:?}", ids(&report));
    for finding in &report.findings {
        assert!(
            finding.message.len() < 2_000,
            "{}: {} characters",
            finding.id,
            finding.message.len()
        );
    }
    assert!(report.findings.iter().any(|f| f.message.contains("…` (10")));
}
