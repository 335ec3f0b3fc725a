//! Region names against the list AWS publishes (`iamspec_corpus::regions`): well-formed but
//! unknown names (`us-east-7`) in `aws:RequestedRegion` values and ARN region fields are
//! reported, published ones and patterns that can match one (`eu-*`) are not.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;
use common::examples;

use iamspec_corpus::lint::{lint, render_text, LintReport};
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;

fn run(statements: &str) -> LintReport {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    lint(&text, PolicyKind::Identity, Catalogue::embedded())
}

fn ids(report: &LintReport) -> Vec<(&'static str, String)> {
    report
        .findings
        .iter()
        .filter(|f| f.id.contains("region"))
        .map(|f| (f.id, f.path.to_string()))
        .collect()
}

#[test]
fn documented_examples() {
    let mut shown = String::new();
    for id in ["unknown-region-value", "unknown-arn-region"] {
        for (i, example) in examples(id).iter().enumerate() {
            let report = lint(example, PolicyKind::Identity, Catalogue::embedded());
            assert!(report.findings.iter().any(|f| f.id == id), "{id} #{i}");
            let ours: Vec<_> = report
                .findings
                .iter()
                .filter(|f| f.id.contains("region"))
                .cloned()
                .collect();
            let only = LintReport {
                findings: ours,
                ..report
            };
            shown.push_str(&format!("## {id}, example {}\n", i + 1));
            shown.push_str(&render_text("example.json", &only));
            shown.push('\n');
        }
    }
    insta::assert_snapshot!(shown);
}

#[test]
fn unknown_names_in_condition_values() {
    let report = run(
        r#"{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "us-east-7", "cn-north-1", "us-gov-west-1", "af-south-1"]}}}"#,
    );
    assert_eq!(
        ids(&report),
        [(
            "unknown-region-value",
            "Statement[0].Condition.StringEquals.aws:RequestedRegion[1]".to_owned()
        )]
    );
    // Case does not matter under `StringEqualsIgnoreCase`.
    let report = run(
        r#"{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
            "Condition": {"StringEqualsIgnoreCase": {"aws:RequestedRegion": "EU-WEST-1"}}}"#,
    );
    assert_eq!(ids(&report), []);
}

#[test]
fn patterns_are_unknown_only_when_they_match_no_region() {
    let report = run(
        r#"{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*",
            "Condition": {"StringLike": {"aws:RequestedRegion": ["eu-*", "*", "ap-southeast-?", "us-gov-*", "us-east-7*", "EU-*"]}}}"#,
    );
    let found: Vec<String> = ids(&report).into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        found,
        [
            "Statement[0].Condition.StringLike.aws:RequestedRegion[4]",
            "Statement[0].Condition.StringLike.aws:RequestedRegion[5]"
        ]
    );
}

#[test]
fn arn_region_fields() {
    let report = run(
        r#"{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": [
            "arn:aws:dynamodb:eu-central-2:111122223333:table/A",
            "arn:aws:dynamodb:us-east-7:111122223333:table/B",
            "arn:aws:dynamodb:eu-*:111122223333:table/C",
            "arn:aws:dynamodb:xx-*:111122223333:table/D",
            "arn:aws-cn:dynamodb:cn-northwest-1:111122223333:table/E",
            "arn:aws:dynamodb:${aws:RequestedRegion}:111122223333:table/F"]}"#,
    );
    let found: Vec<(&str, String)> = ids(&report);
    assert_eq!(
        found,
        [
            ("unknown-arn-region", "Statement[0].Resource[1]".to_owned()),
            ("unknown-arn-region", "Statement[0].Resource[3]".to_owned()),
        ]
    );
    // ARN-valued condition values too.
    let report = run(
        r#"{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
            "Condition": {"ArnEquals": {"aws:SourceArn": ["arn:aws:sns:us-east-7:111122223333:t", "arn:aws:sns:us-east-2:111122223333:t"]}}}"#,
    );
    assert_eq!(
        ids(&report),
        [(
            "arn-value-unknown-region",
            "Statement[0].Condition.ArnEquals.aws:SourceArn[0]".to_owned()
        )]
    );
}
