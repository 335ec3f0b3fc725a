//! `iamspec lint` as a user runs it (issue 13): directories, `-`, AWS CLI output and the
//! managed-policy corpus shape, a missing file among others, `--min-severity`, one JSON shape.
//! Snapshots (`cli/tests/snapshots/lint_cli__*.snap`) hold the command, exit status and output.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{iamspec_with_input as iamspec, workspace};

const DIR: &str = "cli/tests/fixtures/lint";

#[test]
fn lint_cli_directory_and_a_missing_file() {
    let dir = format!("{DIR}/dir");
    let missing = format!("{DIR}/no-such-file.json");
    let run = iamspec(&["lint", &missing, &dir], None);
    // The missing file is reported, both policies below the directory still linted (the
    // `.txt` file is not), and the exit status says an input could not be read.
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stderr.contains("no-such-file.json"),
        "{}",
        run.transcript()
    );
    assert!(run.stdout.contains("dir/a.json:"), "{}", run.transcript());
    assert!(
        run.stdout.contains("dir/nested/b.json:"),
        "{}",
        run.transcript()
    );
    assert!(!run.stdout.contains("notes.txt"));
    assert!(
        !run.stdout.contains('\x1b'),
        "no colour when not a terminal"
    );
    insta::assert_snapshot!("lint_cli_directory_and_a_missing_file", run.transcript());
}

#[test]
fn lint_cli_aws_cli_output_and_the_managed_corpus_shape() {
    let files: Vec<String> = [
        "get-policy-version.json",
        "get-bucket-policy.json",
        "get-role.json",
        "managed-corpus.json",
        "get-role-policy.json",
    ]
    .iter()
    .map(|f| format!("{DIR}/{f}"))
    .collect();
    let mut args = vec!["lint", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    let run = iamspec(&args, None);
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = value.as_array().unwrap();
    let seen: Vec<(String, String)> = results
        .iter()
        .map(|r| {
            (
                r["file"]
                    .as_str()
                    .unwrap()
                    .rsplit('/')
                    .next()
                    .unwrap()
                    .to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("get-policy-version.json#PolicyVersion.Document", "identity"),
        ("get-bucket-policy.json#Policy", "resource"),
        ("get-role.json#Role.AssumeRolePolicyDocument", "trust"),
        ("managed-corpus.json#ExampleReadOnly", "identity"),
        ("managed-corpus.json#ExampleAdmin", "identity"),
        ("get-role-policy.json#PolicyDocument", "identity"),
    ]
    .iter()
    .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
    .collect();
    assert_eq!(seen, expected);
    let ids = |i: usize| -> Vec<String> {
        results[i]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(ids(0).contains(&"data-exfiltration".to_owned()));
    assert!(ids(1).contains(&"public-access".to_owned()));
    assert!(ids(2).contains(&"oidc-without-subject".to_owned()));
    assert!(ids(3).is_empty());
    assert!(ids(4).contains(&"allow-all".to_owned()));
    // The inline policy of `get-role-policy` output is linted, not its wrapper.
    assert!(
        !ids(5).contains(&"unknown-element".to_owned()),
        "{:?}",
        ids(5)
    );
    let text = iamspec(
        &[
            &["lint"][..],
            &files.iter().map(String::as_str).collect::<Vec<_>>(),
        ]
        .concat(),
        None,
    );
    insta::assert_snapshot!("lint_cli_wrappers_text", text.transcript());
}

#[test]
fn lint_cli_one_json_shape_stdin_and_min_severity() {
    let policy = std::fs::read(workspace().join(DIR).join("dir/a.json")).unwrap();
    // One document from standard input: still an array of one result.
    let run = iamspec(&["lint", "--format", "json", "-"], Some(&policy));
    assert_eq!(run.code, 0, "{}", run.transcript());
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 1);
    assert_eq!(value[0]["file"], "<stdin>");
    let all = value[0]["findings"].as_array().unwrap().len();
    // Only security warnings and errors: the unknown action (a warning) goes.
    let run = iamspec(
        &[
            "lint",
            "--min-severity",
            "security_warning",
            "--format",
            "json",
            "-",
        ],
        Some(&policy),
    );
    let value: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let kept: Vec<&str> = value[0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["severity"].as_str().unwrap())
        .collect();
    assert!(!kept.is_empty() && kept.len() < all, "{kept:?} of {all}");
    assert!(kept
        .iter()
        .all(|s| *s == "error" || *s == "security_warning"));
    // A BOM before the JSON is not an error.
    let mut with_bom = "\u{feff}".as_bytes().to_vec();
    with_bom.extend_from_slice(&policy);
    let run = iamspec(&["lint", "--min-severity", "error", "-"], Some(&with_bom));
    insta::assert_snapshot!("lint_cli_stdin_with_bom_errors_only", run.transcript());
}

#[test]
fn lint_cli_resource_option() {
    let policy = br#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::other-bucket/*"}]}"#;
    let args = [
        "lint",
        "--kind",
        "resource",
        "--resource",
        "arn:aws:s3:::example-bucket",
        "-",
    ];
    let run = iamspec(&args, Some(policy));
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("error[resource-not-attached]"),
        "{}",
        run.transcript()
    );
    let without = iamspec(&["lint", "--kind", "resource", "-"], Some(policy));
    assert_eq!(without.code, 0, "{}", without.transcript());
}

/// A bucket policy linted under the default kind says which `--kind` it wants, in text and JSON;
/// with `--kind resource` there is nothing to hint.
#[test]
fn lint_cli_hints_kind_resource_for_a_principal() {
    let file = "cli/tests/fixtures/bucket-policy-as-identity.json";
    let run = iamspec(&["lint", file], None);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("lint_cli_principal_hint", run.transcript());
    let run = iamspec(&["lint", "--json", file], None);
    let records = common::records(&run.stdout);
    assert!(records[0]["hint"]
        .as_str()
        .unwrap()
        .contains("--kind resource"));
    let run = iamspec(&["lint", "--kind", "resource", file], None);
    assert!(!run.stdout.contains("hint:"), "{}", run.stdout);
}

/// UTF-16 with its byte-order mark (as PowerShell writes) is read as validate reads it.
#[test]
fn lint_cli_reads_utf16() {
    let run = iamspec(&["lint", "cli/tests/fixtures/utf16-policy.json"], None);
    assert_ne!(run.code, 2, "{}", run.transcript());
    assert!(
        run.stdout
            .contains("identity-based policy (identity): 0 errors"),
        "{}",
        run.transcript()
    );
}

/// `--color always` colours the severity word; `never` (and a pipe under `auto`) does not.
#[test]
fn lint_cli_colour_as_asked() {
    let file = "cli/tests/fixtures/bucket-policy-as-identity.json";
    let run = iamspec(&["lint", "--color", "always", file], None);
    assert!(
        run.stdout
            .contains(": \x1b[31merror\x1b[0m[principal-not-allowed]"),
        "{}",
        run.stdout
    );
    let run = iamspec(&["lint", "--color", "never", file], None);
    assert!(!run.stdout.contains('\x1b'));
    let run = iamspec(&["lint", file], None);
    assert!(!run.stdout.contains('\x1b'));
}
