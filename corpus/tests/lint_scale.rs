//! Hostile sizes: lint stays linear in the number of statements, entries and values (issue 13:
//! 10,000 statements took half a minute when every pair of statements was compared). These tests
//! assert what lint finds at those sizes; the time is shown by the `lint` criterion benchmark.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::lint;
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;

fn policy(statements: &[String]) -> String {
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    )
}

fn count(report: &iamspec_corpus::lint::LintReport, id: &str) -> usize {
    report.findings.iter().filter(|f| f.id == id).count()
}

#[test]
fn ten_thousand_statements() {
    let mut statements: Vec<String> = (0..10_000)
        .map(|i| {
            format!(
                r#"{{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket-{i}/*"}}"#
            )
        })
        .collect();
    // One statement covering them all, and a repeat of the sixth.
    statements
        .push(r#"{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"}"#.into());
    statements.push(statements[5].clone());
    let report = lint(
        &policy(&statements),
        PolicyKind::Resource,
        Catalogue::embedded(),
    );
    assert_eq!(count(&report, "redundant-statement"), 10_000);
    assert_eq!(count(&report, "duplicate-statement"), 1);
    let duplicate = report
        .findings
        .iter()
        .find(|f| f.id == "duplicate-statement")
        .unwrap();
    assert_eq!(duplicate.path.to_string(), "Statement[10001]");
    assert!(
        duplicate.message.contains("Statement[5]"),
        "{}",
        duplicate.message
    );
}

#[test]
fn ten_thousand_entries_and_values_in_one_statement() {
    let actions: Vec<String> = (0..10_000).map(|i| format!(r#""s3:*{i}""#)).collect();
    let resources: Vec<String> = (0..10_000)
        .map(|i| format!(r#""arn:aws:s3:::b/{}""#, i % 5_000))
        .collect();
    let values: Vec<String> = (0..10_000)
        .map(|i| format!(r#""v{}""#, i % 5_000))
        .collect();
    let statement = format!(
        r#"{{"Effect": "Allow", "Action": ["s3:GetObject", {}], "Resource": ["arn:aws:s3:::b/*", {}],
            "Condition": {{"StringEquals": {{"s3:ExistingObjectTag/x": [{}]}}}}}}"#,
        actions.join(","),
        resources.join(","),
        values.join(",")
    );
    let report = lint(
        &policy(&[statement]),
        PolicyKind::Identity,
        Catalogue::embedded(),
    );
    assert_eq!(count(&report, "duplicate-resource"), 5_000);
    // Each distinct resource is covered by `arn:aws:s3:::b/*`.
    assert_eq!(count(&report, "redundant-resource"), 5_000);
    assert_eq!(count(&report, "duplicate-condition-value"), 5_000);
    // `s3:*10` … `s3:*9999` are covered by the one of `s3:*0` … `s3:*9` with their last
    // digit; those ten, and `s3:GetObject` (no wildcard ends in `t`), are not.
    assert_eq!(count(&report, "redundant-action"), 9_990);
    assert!(!report
        .findings
        .iter()
        .any(|f| f.id == "redundant-action" && f.path.to_string() == "Statement.Action[0]"));
}
