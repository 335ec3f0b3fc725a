//! Access-level summaries as the IAM console shows them: Full and Limited per access level,
//! resources and conditions per service, explicit denies and uncategorized entries apart.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::summary::{summarize, PolicySummary, ALL_RESOURCES};
use iamspec_corpus::{AccessLevel, Catalogue};
use iamspec_model::policy::Policy;

fn summary(statements: &str) -> PolicySummary {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    summarize(&Policy::parse(&text).unwrap(), Catalogue::embedded())
}

fn count(prefix: &str, level: AccessLevel) -> usize {
    Catalogue::embedded()
        .service(prefix)
        .unwrap()
        .actions()
        .iter()
        .filter(|a| a.has_access_level(level))
        .count()
}

#[test]
fn full_access_to_a_service() {
    let s = summary(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#);
    assert_eq!(s.allow.len(), 1);
    let s3 = &s.allow[0];
    assert_eq!(
        (s3.prefix.as_str(), s3.access.as_str()),
        ("s3", "Full access")
    );
    assert_eq!(s3.resources, [ALL_RESOURCES]);
    assert!(s3.conditions.is_empty() && s3.unconditional);
    assert!(s.deny.is_empty());
}

#[test]
fn full_and_limited_levels() {
    let s = summary(
        r#"{"Effect": "Allow", "Action": ["s3:List*", "s3:GetObject"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*", "arn:aws:ec2:*:*:instance/*"]}"#,
    );
    let s3 = &s.allow[0];
    assert_eq!(s3.access, "Full: List  Limited: Read");
    let read = s3.levels.iter().find(|l| l.level == "Read").unwrap();
    assert_eq!(
        (read.included, read.total),
        (1, count("s3", AccessLevel::Read))
    );
    assert_eq!(read.actions, ["s3:GetObject"]);
    let list = s3.levels.iter().find(|l| l.level == "List").unwrap();
    assert_eq!(list.included, list.total);
    assert!(list.actions.is_empty());
    // Only the resources that can be S3 resources.
    assert_eq!(s3.resources, ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
}

#[test]
fn explicit_deny_and_not_action() {
    let s = summary(
        r#"{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
           {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}"#,
    );
    let services = Catalogue::embedded().services().len();
    assert_eq!(s.allow.len(), services - 1);
    assert!(s
        .allow
        .iter()
        .all(|x| x.prefix != "iam" && x.access == "Full access"));
    assert_eq!(s.deny.len(), 1);
    let deny = &s.deny[0];
    assert_eq!(deny.access, "Limited: Write");
    assert_eq!(deny.conditions, ["Bool aws:MultiFactorAuthPresent: false"]);
    assert!(!deny.unconditional);
}

#[test]
fn uncategorized_entries() {
    let s = summary(
        r#"{"Effect": "Allow", "Action": ["s4:Get*", "s3:GetObjekt", "s3:GetObject"], "Resource": "*"}"#,
    );
    assert_eq!(s.uncategorized_services, ["s4:Get*"]);
    assert_eq!(s.uncategorized_actions, ["s3:GetObjekt"]);
    assert_eq!(s.allow.len(), 1);
}

#[test]
fn tagging_and_permissions_management() {
    let s = summary(
        r#"{"Effect": "Allow", "Action": ["iam:TagRole", "iam:PutRolePolicy"], "Resource": "*"}"#,
    );
    let iam = &s.allow[0];
    assert_eq!(
        iam.access,
        "Limited: Write, Permissions management, Tagging"
    );
}
