//! Risky grants (issue 13, second round): privilege escalation against pathfinding.cloud's 65
//! documented paths, embedded in `corpus/src/lint/escalation.rs`, and what a condition does to
//! a risky grant (D130: still reported, as a warning naming the keys).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::{lint, LintReport, LintSeverity, ESCALATION_PATHS};
use iamspec_corpus::{shared_data_dir, Catalogue};
use iamspec_model::PolicyKind;

fn run(statements: &str) -> LintReport {
    let text = format!(r#"{{"Version": "2012-10-17", "Statement": [{statements}]}}"#);
    lint(&text, PolicyKind::Identity, Catalogue::embedded())
}

fn findings<'r>(report: &'r LintReport, id: &str) -> Vec<&'r iamspec_corpus::lint::LintFinding> {
    report.findings.iter().filter(|f| f.id == id).collect()
}

fn quoted(actions: &[&str]) -> String {
    let list: Vec<String> = actions.iter().map(|a| format!("\"{a}\"")).collect();
    list.join(", ")
}

/// The path lint names for a policy granting exactly `required` on `*`: the path itself, or
/// its documented parent when the parent's permissions are among them (the parent is then open
/// too, and the variant is not named again).
fn expected_name(id: &str, required: &[&str], parent: Option<&str>) -> String {
    let parent = parent.and_then(|p| ESCALATION_PATHS.iter().find(|q| q.id == p));
    match parent {
        Some(parent) if parent.required.iter().all(|r| required.contains(r)) => {
            parent.id.to_owned()
        }
        _ => id.to_owned(),
    }
}

/// Every permission set of `paths` granted on `*` in one statement is reported as privilege
/// escalation naming the path (or its parent), as a security warning; the target-dependent
/// paths are not (they need an existing resource's role, which a policy does not show).
fn every_path_is_flagged(paths: &[(String, Vec<String>, Option<String>, bool)]) {
    for (id, required, parent, target_dependent) in paths {
        let required: Vec<&str> = required.iter().map(String::as_str).collect();
        let report = run(&format!(
            r#"{{"Effect": "Allow", "Action": [{}], "Resource": "*"}}"#,
            quoted(&required)
        ));
        let found = findings(&report, "privilege-escalation");
        if *target_dependent {
            assert!(found.is_empty(), "{id} is target-dependent: {found:?}");
            continue;
        }
        let name = expected_name(id, &required, parent.as_deref());
        assert!(
            found
                .iter()
                .any(|f| f.message.contains(&format!("{name} ("))
                    && f.severity == LintSeverity::SecurityWarning),
            "{id} (as {name}) not reported: {found:?}"
        );
    }
}

fn embedded() -> Vec<(String, Vec<String>, Option<String>, bool)> {
    ESCALATION_PATHS
        .iter()
        .map(|p| {
            (
                p.id.to_owned(),
                p.required.iter().map(|r| (*r).to_owned()).collect(),
                p.parent.map(str::to_owned),
                p.target_dependent,
            )
        })
        .collect()
}

#[test]
fn every_embedded_path_is_flagged() {
    assert_eq!(ESCALATION_PATHS.len(), 65);
    assert_eq!(
        ESCALATION_PATHS
            .iter()
            .filter(|p| p.target_dependent)
            .count(),
        7
    );
    every_path_is_flagged(&embedded());
}

/// The embedded table is the shared copy of pathfinding.cloud's paths, field by field, and
/// every required-permission set the shared file documents is flagged.
#[test]
fn the_embedded_paths_are_the_shared_ones() {
    let file = shared_data_dir().join("escalation-paths.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        eprintln!("lint_risks: no {}: skipped", file.display());
        return;
    };
    let shared: serde_json::Value = serde_json::from_str(&text).unwrap();
    let shared = shared.as_array().unwrap();
    assert_eq!(shared.len(), ESCALATION_PATHS.len());
    let mut from_shared = Vec::new();
    for (json, path) in shared.iter().zip(ESCALATION_PATHS) {
        let id = json["id"].as_str().unwrap();
        assert_eq!(id, path.id);
        assert_eq!(
            json["category"].as_str().unwrap(),
            path.category.as_str(),
            "{id}"
        );
        let required: Vec<String> = json["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(required, path.required, "{id}");
        let parent = json["parent"].as_str().map(str::to_owned);
        assert_eq!(parent.as_deref(), path.parent, "{id}");
        from_shared.push((id.to_owned(), required, parent, path.target_dependent));
    }
    every_path_is_flagged(&from_shared);
}

#[test]
fn paths_across_statements_and_near_misses() {
    // ec2-001 from two statements, reported at the statement granting `iam:PassRole`.
    let split = run(
        r#"{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"},
           {"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}"#,
    );
    let found = findings(&split, "privilege-escalation");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].path.to_string(), "Statement[0]");
    assert!(found[0].message.contains("ec2-001"), "{}", found[0].message);
    // One permission short (lambda-001 needs `lambda:InvokeFunction` too), or named resources.
    for statements in [
        r#"{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "*"}"#,
        r#"{"Effect": "Allow", "Action": "iam:CreatePolicyVersion", "Resource": "arn:aws:iam::111122223333:policy/app"}"#,
        r#"{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}"#,
    ] {
        let report = run(statements);
        assert!(
            findings(&report, "privilege-escalation").is_empty(),
            "{statements}: {:?}",
            report.findings
        );
    }
    // A variant whose parent is open is folded into the parent: iam-003 into iam-002.
    let keys = run(
        r#"{"Effect": "Allow", "Action": ["iam:CreateAccessKey", "iam:DeleteAccessKey"], "Resource": "*"}"#,
    );
    let found = findings(&keys, "privilege-escalation");
    assert_eq!(found.len(), 1);
    assert!(found[0].message.contains("iam-002"));
    assert!(
        !found[0].message.contains("iam-003"),
        "{}",
        found[0].message
    );
    // Rhino's method pathfinding.cloud does not list, as cloudsplaining still checks it.
    let default_version =
        run(r#"{"Effect": "Allow", "Action": "iam:SetDefaultPolicyVersion", "Resource": "*"}"#);
    assert!(findings(&default_version, "privilege-escalation")[0]
        .message
        .contains("SetExistingDefaultPolicyVersion"));
}

/// D130: a condition lowers a risky grant to a warning naming its keys; it does not hide it.
#[test]
fn conditioned_grants_are_warnings_that_name_the_keys() {
    let region = r#""Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}"#;
    let conditioned = run(&format!(
        r#"{{"Effect": "Allow", "Action": ["s3:GetObject", "iam:CreateAccessKey", "s3:PutBucketPolicy"], "Resource": "*", {region}}}"#
    ));
    for check in [
        "privilege-escalation",
        "credentials-exposure",
        "data-exfiltration",
        "resource-exposure",
    ] {
        let found = findings(&conditioned, check);
        assert_eq!(found.len(), 1, "{check}: {:?}", conditioned.findings);
        assert_eq!(found[0].severity, LintSeverity::Warning, "{check}");
        assert!(
            found[0].message.contains("`aws:RequestedRegion`"),
            "{check}: {}",
            found[0].message
        );
    }
    let plain = run(
        r#"{"Effect": "Allow", "Action": ["s3:GetObject", "iam:CreateAccessKey", "s3:PutBucketPolicy"], "Resource": "*"}"#,
    );
    for f in findings(&plain, "data-exfiltration") {
        assert_eq!(f.severity, LintSeverity::SecurityWarning);
        assert!(!f.message.contains("condition"), "{}", f.message);
    }
    // A path is a warning when a permission it needs is granted only under a condition...
    let mixed = run(&format!(
        r#"{{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}},
           {{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", {region}}}"#
    ));
    let found = findings(&mixed, "privilege-escalation");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, LintSeverity::Warning);
    // ... and a security warning when an unconditioned statement grants it too.
    let both = run(&format!(
        r#"{{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}},
           {{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*", {region}}},
           {{"Effect": "Allow", "Action": "ec2:RunInstances", "Resource": "*"}}"#
    ));
    let found = findings(&both, "privilege-escalation");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, LintSeverity::SecurityWarning);
}

/// `condition-key-partly-supported` through wildcard entries: the catalogue expansion decides,
/// and statements sharing their actions are judged once (10,000 of them stay fast; the bench
/// shows the time).
#[test]
fn partly_supported_keys_through_wildcards() {
    let report = run(
        r#"{"Effect": "Allow", "Action": "s3:ListBucket*", "Resource": "arn:aws:s3:::b",
            "Condition": {"StringLike": {"s3:prefix": "home/*"}}}"#,
    );
    let found = findings(&report, "condition-key-partly-supported");
    assert_eq!(found.len(), 1, "{:?}", report.findings);
    assert!(
        found[0].message.contains("`s3:ListBucketMultipartUploads`"),
        "{}",
        found[0].message
    );
    assert!(
        found[0].message.contains("matched by `s3:ListBucket*`"),
        "{}",
        found[0].message
    );
    assert!(
        !found[0].message.contains("`s3:ListBucket`,"),
        "{}",
        found[0].message
    );
    // Every action of the expansion supports the key: nothing to say.
    let all = run(
        r#"{"Effect": "Allow", "Action": "s3:ListBucketVersions", "Resource": "arn:aws:s3:::b",
            "Condition": {"StringLike": {"s3:prefix": "home/*"}}}"#,
    );
    assert!(findings(&all, "condition-key-partly-supported").is_empty());
    let statements: Vec<String> = (0..2_000)
        .map(|i| {
            format!(
                r#"{{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b{i}", "Condition": {{"StringLike": {{"s3:prefix": "p{i}/*"}}}}}}"#
            )
        })
        .collect();
    let many = run(&statements.join(","));
    assert_eq!(
        findings(&many, "condition-key-partly-supported").len(),
        2_000
    );
}
