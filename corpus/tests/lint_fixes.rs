//! Issue 13's wrong or noisy findings, each with the policy that showed it: keys of resource
//! types, the CloudFront origin access identity, one "always"/"never holds" verdict per
//! statement, `iam:PassedToService` as the fix for `pass-role-star`, and one `ForAllValues`
//! finding per clause.

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
fn resource_type_keys_count_as_supported() {
    // The catalogue lists `aws:ResourceTag/${TagKey}` for CodeCommit's `repository`, not in
    // `GetFile`'s row.
    let deny = run(
        PolicyKind::Identity,
        r#"{"Effect": "Deny", "Action": "codecommit:GetFile", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}"#,
    );
    assert_eq!(ids(&deny), Vec::<&str>::new());
    // A service whose actions have no tag key at all is still reported.
    let sso = run(
        PolicyKind::Identity,
        r#"{"Effect": "Deny", "Action": "s3:ListAllMyBuckets", "Resource": "*",
            "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}"#,
    );
    assert!(ids(&sso).contains(&"unsupported-tag-key-deny"), "{sso:?}");
}

#[test]
fn cloudfront_origin_access_identity_is_a_principal() {
    let oai = run(
        PolicyKind::Resource,
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE1"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}"#,
    );
    assert!(!oai.has_errors(), "{:?}", oai.findings);
    assert!(!ids(&oai).contains(&"invalid-principal"));
    // Not every `cloudfront` user: the id must be there and be CloudFront's.
    for bad in [
        "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ",
        "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity e2example",
        "arn:aws:iam::cloudfront:user/Someone",
    ] {
        let report = run(
            PolicyKind::Resource,
            &format!(
                r#"{{"Effect": "Allow", "Principal": {{"AWS": ["{bad}"]}},
                    "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"}}"#
            ),
        );
        assert!(ids(&report).contains(&"invalid-principal"), "{bad}");
    }
}

#[test]
fn at_most_one_of_always_and_never_holds() {
    // Two tag conditions for S3 actions, which support neither key: `IfExists` always holds,
    // the plain one never does. ANDed, the statement never applies to them.
    let report = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/a": "x"},
                          "StringEquals": {"aws:ResourceTag/b": "y"}}}"#,
    );
    let verdicts: Vec<(&str, LintSeverity)> = report
        .findings
        .iter()
        .filter(|f| f.id.starts_with("unsupported-"))
        .map(|f| (f.id, f.severity))
        .collect();
    assert_eq!(
        verdicts,
        [("unsupported-tag-key-allow", LintSeverity::Suggestion)],
        "{:?}",
        report.findings
    );
    assert!(report.findings[0].message.contains("never holds"));
    // A service key too: `s3:prefix` never seen by `s3:GetObject` decides the statement.
    let report = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"StringNotEquals": {"s3:prefix": "a"},
                          "StringLike": {"s3:delimiter": "/"}}}"#,
    );
    let messages: Vec<&str> = report
        .findings
        .iter()
        .filter(|f| f.id == "unsupported-condition-key")
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("never holds"), "{messages:?}");
    // With only an "always holds" clause, that verdict stays.
    let report = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*",
            "Condition": {"StringEqualsIfExists": {"aws:ResourceTag/a": "x"}}}"#,
    );
    assert!(report.findings.iter().any(
        |f| f.id == "unsupported-tag-key-allow" && f.severity == LintSeverity::SecurityWarning
    ));
}

#[test]
fn passed_to_service_limits_pass_role() {
    let limited = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}"#,
    );
    assert!(!ids(&limited).contains(&"pass-role-star"), "{limited:?}");
    for condition in [
        r#"{"StringNotEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}"#,
        r#"{"StringLike": {"iam:PassedToService": "*"}}"#,
    ] {
        let open = run(
            PolicyKind::Identity,
            &format!(
                r#"{{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {condition}}}"#
            ),
        );
        assert!(ids(&open).contains(&"pass-role-star"), "{condition}");
    }
}

#[test]
fn for_all_values_single_valued_is_one_finding() {
    let report = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
            "Condition": {"ForAllValues:StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}"#,
    );
    assert!(ids(&report).contains(&"for-all-values-single-valued"));
    assert!(!ids(&report).contains(&"for-all-values-without-null"));
}
