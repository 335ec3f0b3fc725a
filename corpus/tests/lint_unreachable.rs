//! Risky grants that a condition on a key the action never receives takes away (D153): the
//! statement never allows the action, so `data-exfiltration`, `credentials-exposure` and
//! `resource-exposure` leave it out; operators that hold on an absent key keep it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::examples;

use iamspec_corpus::lint::{lint, LintFinding, LintReport, LintSeverity};
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;

fn run(statement: &str) -> LintReport {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statement}]}}"#);
    lint(&text, PolicyKind::Identity, Catalogue::embedded())
}

fn only<'r>(report: &'r LintReport, id: &str) -> Vec<&'r LintFinding> {
    report.findings.iter().filter(|f| f.id == id).collect()
}

#[test]
fn documented_example_names_only_the_reachable_action() {
    let examples = examples("data-exfiltration");
    assert_eq!(examples.len(), 2);
    let report = lint(&examples[1], PolicyKind::Identity, Catalogue::embedded());
    let found = only(&report, "data-exfiltration");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].severity, LintSeverity::Warning);
    assert!(
        found[0]
            .message
            .starts_with("`secretsmanager:GetSecretValue` on"),
        "{}",
        found[0].message
    );
    assert!(!found[0].message.contains("s3:GetObject"));
}

const GET_OBJECT: &str = r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"OPERATOR": {"KEY": "VALUE"}}}"#;

fn get_object(operator: &str, key: &str, value: &str) -> LintReport {
    run(&GET_OBJECT
        .replace("OPERATOR", operator)
        .replace("KEY", key)
        .replace("VALUE", value))
}

#[test]
fn a_key_get_object_never_receives_takes_it_away() {
    // Keys of other services' actions and resources (`glue:RoleAssumedBy`, by contrast, is
    // sent with every action a Glue-issued session makes: a global key, which stays).
    for key in [
        "kms:ViaService",
        "secretsmanager:ResourceTag/team",
        "dynamodb:LeadingKeys",
    ] {
        for operator in ["StringEquals", "StringLike", "ForAnyValue:StringEquals"] {
            let report = get_object(operator, key, "x");
            assert!(
                only(&report, "data-exfiltration").is_empty(),
                "{operator} {key}: {:?}",
                report.findings
            );
        }
    }
}

#[test]
fn operators_that_hold_on_an_absent_key_keep_it() {
    for (operator, value) in [
        ("StringEqualsIfExists", "x"),
        ("StringNotEquals", "x"),
        ("ForAllValues:StringEquals", "x"),
        ("Null", "true"),
    ] {
        let report = get_object(operator, "kms:ViaService", value);
        let found = only(&report, "data-exfiltration");
        assert_eq!(found.len(), 1, "{operator}: {:?}", report.findings);
        assert_eq!(found[0].severity, LintSeverity::Warning, "{operator}");
    }
}

#[test]
fn keys_that_reach_get_object_keep_it() {
    // A key of the object resource type, one of the action, and a global key every request has.
    for key in [
        "s3:ExistingObjectTag/team",
        "s3:ResourceAccount",
        "aws:CalledVia",
        "glue:RoleAssumedBy",
    ] {
        let report = get_object("StringEquals", key, "x");
        assert_eq!(
            only(&report, "data-exfiltration").len(),
            1,
            "{key}: {:?}",
            report.findings
        );
    }
    // Unconditioned: a security warning.
    let report = run(r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}"#);
    let found = only(&report, "data-exfiltration");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, LintSeverity::SecurityWarning);
}

#[test]
fn resource_exposure_and_credentials_too() {
    // `kms:CreateGrant` takes no tags: `aws:TagKeys` never reaches it (a managed policy's case).
    let report = run(
        r#"{"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*",
            "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]}}}"#,
    );
    assert!(
        only(&report, "resource-exposure").is_empty(),
        "{:?}",
        report.findings
    );
    let report = run(r#"{"Effect": "Allow", "Action": "kms:CreateGrant", "Resource": "*"}"#);
    assert_eq!(only(&report, "resource-exposure").len(), 1);
    // `redshift:GetClusterCredentials` never receives a Secrets Manager key.
    let report = run(
        r#"{"Effect": "Allow", "Action": "redshift:GetClusterCredentials", "Resource": "*",
            "Condition": {"StringEquals": {"secretsmanager:ResourceTag/team": "blue"}}}"#,
    );
    assert!(
        only(&report, "credentials-exposure").is_empty(),
        "{:?}",
        report.findings
    );
    let report = run(
        r#"{"Effect": "Allow", "Action": "redshift:GetClusterCredentials", "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"secretsmanager:ResourceTag/team": "blue"}}}"#,
    );
    assert_eq!(only(&report, "credentials-exposure").len(), 1);
}
