//! The checks issue 13 added, beyond their documented examples (which `lint_checks.rs` runs):
//! what silences each one, so that none reports a policy that is right.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::{lint, LintReport};
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;

fn run(kind: PolicyKind, statements: &str) -> LintReport {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    lint(&text, kind, Catalogue::embedded())
}

fn has(report: &LintReport, id: &str) -> bool {
    report.findings.iter().any(|f| f.id == id)
}

#[test]
fn risky_grants_need_every_resource() {
    let id = PolicyKind::Identity;
    // The two actions of a method from two statements.
    let split = run(
        id,
        r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
           {"Effect": "Allow", "Action": "lambda:CreateFunction", "Resource": "*"},
           {"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": "*"}"#,
    );
    assert!(has(&split, "privilege-escalation"));
    // One of them named: no path is complete. (Conditioned, it is a warning: D150,
    // `lint_risks.rs`.)
    let second = r#"{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "arn:aws:ec2:*:111122223333:instance/*"}"#;
    let report = run(
        id,
        &format!(r#"{{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}}, {second}"#),
    );
    assert!(!has(&report, "privilege-escalation"), "{second}");
    let named = run(
        id,
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "iam:CreateAccessKey", "s3:PutBucketPolicy"],
            "Resource": ["arn:aws:s3:::b/*", "arn:aws:iam::111122223333:user/me"]}"#,
    );
    for check in [
        "privilege-escalation",
        "credentials-exposure",
        "data-exfiltration",
        "resource-exposure",
    ] {
        assert!(!has(&named, check), "{check}");
    }
    // Deny, and resource policies, are not grants of an identity.
    let deny = run(
        id,
        r#"{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}"#,
    );
    assert!(!has(&deny, "data-exfiltration"));
    // Read-only actions without resource types are not resource exposure.
    let list = run(
        id,
        r#"{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}"#,
    );
    assert!(!has(&list, "resource-exposure"));
}

#[test]
fn pass_role_and_service_linked_roles() {
    let id = PolicyKind::Identity;
    let named = run(
        id,
        r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app"}"#,
    );
    assert!(!has(&named, "pass-role-wildcard-role"));
    let limited = run(
        id,
        r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app-*",
            "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}"#,
    );
    assert!(!has(&limited, "pass-role-wildcard-role"));
    let slr = run(
        id,
        r#"{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "NotResource": "arn:aws:iam::*:role/x"}"#,
    );
    assert!(has(&slr, "create-service-linked-role-star"));
    let slr_named = run(
        id,
        r#"{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticbeanstalk.amazonaws.com"}}}"#,
    );
    assert!(!has(&slr_named, "create-service-linked-role-star"));
}

#[test]
fn trust_policies() {
    let trust = PolicyKind::Trust;
    let github = r#""Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity""#;
    let scoped = run(
        trust,
        &format!(
            r#"{{"Effect": "Allow", {github}, "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}, "StringLike": {{"token.actions.githubusercontent.com:sub": "repo:example-org/app:*"}}}}}}"#
        ),
    );
    assert!(!has(&scoped, "oidc-without-subject"), "{scoped:?}");
    assert!(!scoped.has_errors());
    let missing = run(
        trust,
        &format!(
            r#"{{"Effect": "Allow", {github}, "Condition": {{"StringEquals": {{"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}}}}"#
        ),
    );
    assert!(has(&missing, "oidc-without-subject"));
    let saml = run(
        trust,
        r#"{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Okta"},
            "Action": "sts:AssumeRoleWithSAML", "Condition": {"StringEquals": {"SAML:aud": "https://signin.aws.amazon.com/saml"}}}"#,
    );
    assert!(!has(&saml, "federated-action-mismatch"));
    assert!(!has(&saml, "invalid-federated-principal"));
    for valid in ["cognito-identity.amazonaws.com", "accounts.google.com"] {
        let report = run(
            trust,
            &format!(
                r#"{{"Effect": "Allow", "Principal": {{"Federated": "{valid}"}}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {{"StringEquals": {{"{valid}:aud": "x"}}}}}}"#
            ),
        );
        assert!(!has(&report, "invalid-federated-principal"), "{valid}");
        assert!(!has(&report, "federated-action-mismatch"), "{valid}");
    }
    let anywhere = run(
        trust,
        r#"{"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]}"#,
    );
    assert!(!has(&anywhere, "roles-anywhere-missing-actions"));
    // Only trust policies: `Resource` is required elsewhere.
    let identity = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#,
    );
    assert!(!has(&identity, "trust-policy-resource"));
}

#[test]
fn principals() {
    let resource = PolicyKind::Resource;
    let user_and_root = run(
        resource,
        r#"{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/a", "444455556666"]},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}"#,
    );
    assert!(!has(&user_and_root, "redundant-principal"));
    assert!(!has(&user_and_root, "unique-id-principal"));
    let with_star = run(
        resource,
        r#"{"Effect": "Allow", "Principal": {"AWS": ["*", "arn:aws:iam::111122223333:user/a"]},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}}"#,
    );
    assert!(has(&with_star, "redundant-principal"));
    // Service principals do send `aws:SourceAccount`; mixed principals are not judged.
    let mixed = run(
        resource,
        r#"{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com", "AWS": "arn:aws:iam::111122223333:root"},
            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*",
            "Condition": {"StringEquals": {"aws:PrincipalTag/team": "a", "aws:SourceAccount": "111122223333"}}}"#,
    );
    assert!(!has(&mixed, "key-principal-never-sends"));
}

#[test]
fn condition_values_that_are_right() {
    let report = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${aws:username}/${aws:PrincipalTag/team}/${*}",
            "Condition": {
              "StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-central-2"], "aws:SourceVpc": "vpc-0123456789abcdef0",
                               "s3:prefix": "${aws:username, 'none'}"},
              "StringLike": {"aws:RequestedRegion": "us-*", "aws:SourceVpce": "vpce-1a2b3c4d"},
              "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]},
              "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
              "ArnLike": {"aws:SourceArn": ["arn:aws:sns:*:111122223333:t", "arn:aws:s3:::b"]}}}"#,
    );
    for check in [
        "unknown-region-value",
        "malformed-vpc-id",
        "cidr-host-bits",
        "redundant-numeric-bound",
        "arn-value-unknown-region",
        "policy-variable-syntax",
        "condition-key-repeated-case",
    ] {
        assert!(!has(&report, check), "{check}: {:?}", report.findings);
    }
    // Each malformed variable form is reported; 2008-10-17 has no variables to check.
    for bad in [
        "${aws:username",
        "${}",
        "${ aws:username}",
        "${aws:usernam}",
    ] {
        let report = run(
            PolicyKind::Identity,
            &format!(
                r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/{bad}/*"}}"#
            ),
        );
        assert!(has(&report, "policy-variable-syntax"), "{bad}");
    }
    let legacy = lint(
        r#"{"Version": "2008-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/${}/*"}]}"#,
        PolicyKind::Identity,
        Catalogue::embedded(),
    );
    assert!(!has(&legacy, "policy-variable-syntax"));
}

#[test]
fn the_attached_resource() {
    use iamspec_corpus::lint::{lint_with, LintOptions};
    let check = |resource: &str, statements: &str| {
        let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
        let options = LintOptions {
            resource: Some(resource.to_owned()),
        };
        lint_with(&text, PolicyKind::Resource, Catalogue::embedded(), &options)
    };
    let bucket = check(
        "arn:aws:s3:::example-bucket",
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"]},
           {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}"#,
    );
    assert!(!has(&bucket, "resource-not-attached"), "{bucket:?}");
    assert!(!has(&bucket, "action-not-for-resource"), "{bucket:?}");
    let key = check(
        "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": ["kms:Decrypt", "kms:Encrypt"], "Resource": "*"}"#,
    );
    assert!(!has(&key, "resource-not-attached"), "{key:?}");
    assert!(!has(&key, "action-not-for-resource"), "{key:?}");
    // Another account's bucket of the same name pattern is not this bucket.
    let other = check(
        "arn:aws:s3:::example-bucket",
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket-logs/*"}"#,
    );
    assert!(has(&other, "resource-not-attached"));
    // Without `--resource` neither check runs.
    let unknown = run(
        PolicyKind::Resource,
        r#"{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "sqs:SendMessage", "Resource": "arn:aws:s3:::other/*"}"#,
    );
    assert!(!has(&unknown, "resource-not-attached"));
    assert!(!has(&unknown, "action-not-for-resource"));
}

/// An identity policy allowing `s3:ListBucket` on one bucket under `condition`.
fn list_bucket(condition: &str) -> LintReport {
    run(
        PolicyKind::Identity,
        &format!(
            r#"{{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b", "Condition": {condition}}}"#
        ),
    )
}

#[test]
fn bounds_on_one_key_that_leave_no_value() {
    // (condition, whether it leaves no value, why)
    let cases = [
        (
            r#"{"NumericLessThanEquals": {"s3:max-keys": "10"}, "NumericGreaterThanEquals": {"s3:max-keys": "10"}}"#,
            false,
            "both ends closed at one value: `10` meets both",
        ),
        (
            r#"{"NumericLessThan": {"s3:max-keys": "10"}, "NumericGreaterThanEquals": {"s3:max-keys": "10"}}"#,
            true,
            "one end open at the same value",
        ),
        (
            r#"{"NumericLessThan": {"s3:max-keys": "10"}, "NumericGreaterThan": {"s3:max-keys": ["50", "5"]}}"#,
            false,
            "ORed values widen a bound: `> 5` or `> 50` is `> 5`",
        ),
        (
            r#"{"NumericLessThanIfExists": {"s3:max-keys": "10"}, "NumericGreaterThanIfExists": {"s3:max-keys": "20"}}"#,
            false,
            "every clause `IfExists`: requests without the key pass",
        ),
        (
            r#"{"NumericLessThanIfExists": {"s3:max-keys": "10"}, "NumericGreaterThan": {"s3:max-keys": "20"}}"#,
            true,
            "one plain clause needs the key",
        ),
        (
            r#"{"NumericLessThan": {"s3:max-keys": "10"}, "ForAllValues:NumericGreaterThan": {"s3:max-keys": "20"}}"#,
            false,
            "a set qualifier takes no part",
        ),
        (
            r#"{"NumericLessThan": {"s3:max-keys": "10"}, "NumericNotEquals": {"s3:max-keys": ["1", "2"]}}"#,
            false,
            "a negated operator takes no part",
        ),
        (
            r#"{"NumericLessThan": {"s3:max-keys": "10"}, "NumericGreaterThan": {"S3:Max-Keys": "20"}}"#,
            true,
            "keys compare case-insensitively",
        ),
        (
            r#"{"NumericLessThan": {"aws:EpochTime": "10"}, "DateGreaterThan": {"aws:EpochTime": "2020-01-01T00:00:00Z"}}"#,
            false,
            "numbers and dates are never compared",
        ),
        (
            r#"{"NumericLessThan": {"s3:max-keys": "0.30000000000000001"}, "NumericGreaterThan": {"s3:max-keys": "0.3"}}"#,
            false,
            "decimals compare exactly: `0.30000000000000001` is more than `0.3`",
        ),
    ];
    for (condition, contradictory, why) in cases {
        let report = list_bucket(condition);
        assert_eq!(
            has(&report, "contradictory-bounds"),
            contradictory,
            "{why}: {:?}",
            report.findings
        );
    }
}

#[test]
fn contradictory_bounds_leave_no_always_holds_verdict() {
    // `StringNotEqualsIfExists` on a tag key S3 does not support would always hold; the bounds
    // decide the statement first (conditions are ANDed): one verdict only.
    let report = run(
        PolicyKind::Identity,
        r#"{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::b",
            "Condition": {"NumericLessThan": {"s3:max-keys": "10"},
                          "NumericGreaterThan": {"s3:max-keys": "20"},
                          "StringNotEqualsIfExists": {"aws:ResourceTag/team": "red"}}}"#,
    );
    assert!(
        has(&report, "contradictory-bounds"),
        "{:?}",
        report.findings
    );
    assert!(
        !report
            .findings
            .iter()
            .any(|f| f.message.contains("always holds")),
        "{:?}",
        report.findings
    );
}

#[test]
fn anded_bounds_that_add_nothing() {
    let redundant = |report: &LintReport| -> Vec<String> {
        report
            .findings
            .iter()
            .filter(|f| f.id == "redundant-numeric-bound")
            .map(|f| f.path.to_string())
            .collect()
    };
    let looser = list_bucket(
        r#"{"NumericLessThan": {"s3:max-keys": "10"}, "NumericLessThanEquals": {"s3:max-keys": "20"}}"#,
    );
    assert_eq!(
        redundant(&looser),
        ["Statement[0].Condition.NumericLessThanEquals.s3:max-keys"]
    );
    // The tighter bound only `IfExists`: the looser one still needs the key present.
    let needs_key = list_bucket(
        r#"{"NumericLessThanIfExists": {"s3:max-keys": "10"}, "NumericLessThanEquals": {"s3:max-keys": "20"}}"#,
    );
    assert!(redundant(&needs_key).is_empty(), "{:?}", needs_key.findings);
    // An interval's two ends imply neither each other.
    let window = list_bucket(
        r#"{"NumericGreaterThan": {"s3:max-keys": "10"}, "NumericLessThan": {"s3:max-keys": "20"}}"#,
    );
    assert!(redundant(&window).is_empty(), "{:?}", window.findings);
}
