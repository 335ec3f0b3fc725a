//! `iamspec audit` and `iamspec credential-report` run as a user runs them, on the audit fixture
//! (`cli/tests/fixtures/audit/`: one finding per check, and near-misses that must stay silent),
//! the example world and the shared real samples; transcripts snapshotted with insta
//! (`cli/tests/snapshots/audit__*.snap`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::workspace;

/// The exit status, standard output and the transcript.
fn iamspec(args: &[&str]) -> (i32, String, String) {
    let run = common::iamspec(args);
    let transcript = if args.contains(&"json") {
        run.json_transcript()
    } else {
        run.transcript()
    };
    (run.code, run.stdout, transcript)
}

const FIXTURE: &str = "cli/tests/fixtures/audit";
const AT: &str = "2024-06-01T00:00:00Z";

#[test]
fn audit_fixture_text() {
    let (code, stdout, t) = iamspec(&["audit", FIXTURE, "--at", AT]);
    assert_eq!(code, 1, "high findings exit 1");
    // Every check fires on the fixture...
    for check in [
        "root-access-key",
        "root-no-mfa",
        "root-used-recently",
        "password-policy-weak",
        "console-user-no-mfa",
        "credential-unused-90d",
        "credential-unused-45d",
        "multiple-active-keys",
        "access-key-older-than-90d",
        "user-direct-policy",
        "inline-policy",
        "admin-equivalent",
        "role-trusts-anyone",
        "role-trusts-account-without-external-id",
        "role-trusts-oidc-without-sub",
        "unused-role",
        "group-without-members",
        "policy-attached-to-nobody",
    ] {
        assert!(stdout.contains(check), "{check} missing:\n{stdout}");
    }
    // ...and the near-misses stay silent: an external id, a `sub` condition, a boundary that
    // caps a self-granting user, a role used recently.
    assert!(!stdout.contains(
        "role-trusts-account-without-external-id  arn:aws:iam::444455556666:role/partner-ok"
    ));
    assert!(!stdout.contains("role-trusts-oidc-without-sub  arn:aws:iam::444455556666:role/gha-ok"));
    assert!(!stdout.contains("admin-equivalent  arn:aws:iam::444455556666:user/bounded"));
    assert!(!stdout.contains("unused-role  arn:aws:iam::444455556666:role/gha-role"));
    insta::assert_snapshot!("audit_fixture_text", t);
}

#[test]
fn audit_fixture_json_and_sarif() {
    let (_, stdout, t) = iamspec(&["audit", FIXTURE, "--at", AT, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // One array of records, each naming its file.
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(json[0]["file"], FIXTURE);
    assert_eq!(json[0]["findings"].as_array().unwrap().len(), 21);
    insta::assert_snapshot!("audit_fixture_json", t);
    let (_, stdout, t) = iamspec(&["audit", FIXTURE, "--at", AT, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 21);
    insta::assert_snapshot!("audit_fixture_sarif", t);
}

#[test]
fn audit_later_ages_the_credentials() {
    // A year later the root user is no longer "recently used" and every key has aged.
    let (_, stdout, _) = iamspec(&["audit", FIXTURE, "--at", "2025-06-01T00:00:00Z"]);
    assert!(!stdout.contains("root-used-recently"), "{stdout}");
    assert!(
        stdout.contains("access key 2 of `dev` was created"),
        "{stdout}"
    );
}

#[test]
fn audit_example_world() {
    let (_, _, t) = iamspec(&["audit", "examples/world", "--at", "2026-12-01T00:00:00Z"]);
    insta::assert_snapshot!("audit_example_world", t);
}

#[test]
fn audit_shared_real_samples() {
    let dir = workspace().join("../shared/data/gaad");
    if !dir.is_dir() {
        common::eprintln_uncaptured(format_args!("skipped: {} is absent", dir.display()));
        return;
    }
    for name in [
        "cloudmapper-demo-gaad.json",
        "cloudsplaining-example-authz-details.json",
    ] {
        let file = dir.join(name);
        let (code, _, t) = iamspec(&[
            "audit",
            file.to_str().unwrap(),
            "--at",
            "2024-06-01T00:00:00Z",
        ]);
        assert!(code <= 1, "{t}");
        let t = t.replace(&dir.display().to_string(), "../shared/data/gaad");
        insta::assert_snapshot!(format!("audit_shared_{name}"), t);
    }
}

#[test]
fn credential_report_of_the_fixture_round_trips() {
    let (code, stdout, t) =
        iamspec(&["credential-report", FIXTURE, "--at", "2024-06-01T00:00:00Z"]);
    assert_eq!(code, 0, "{t}");
    let original =
        std::fs::read_to_string(workspace().join(FIXTURE).join("credential-report.csv")).unwrap();
    assert_eq!(stdout, original, "the generated report is byte-identical");
    // Before `dev`'s second key existed, its slot is empty.
    let (_, earlier, _) = iamspec(&["credential-report", FIXTURE, "--at", "2024-04-15T00:00:00Z"]);
    let dev = earlier.lines().find(|l| l.starts_with("dev,")).unwrap();
    assert!(dev.contains(",true,2023-01-02T00:00:00+00:00,2024-02-01T00:00:00+00:00,eu-west-1,s3,false,N/A,N/A,N/A,N/A,"), "{dev}");
}

#[test]
fn credential_report_bad_input() {
    let (code, _, t) = iamspec(&[
        "credential-report",
        "examples/world",
        "--at",
        "2026-12-01T00:00:00Z",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("credential_report_needs_an_account", t);
    let (code, _, t) = iamspec(&["credential-report", FIXTURE, "--at", "yesterday"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("credential_report_bad_time", t);
    let (code, _, t) = iamspec(&["audit", FIXTURE, "--format", "xml"]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("audit_bad_format", t);
}

#[test]
fn audit_colours_severity_when_asked() {
    let (_, coloured, _) = iamspec(&["audit", FIXTURE, "--at", AT, "--color", "always"]);
    assert!(
        coloured.starts_with("\x1b[31mhigh\x1b[0m   admin-equivalent"),
        "{coloured}"
    );
    assert!(coloured.contains("\x1b[33mmedium\x1b[0m "), "{coloured}");
    let (_, plain, _) = iamspec(&["audit", FIXTURE, "--at", AT]);
    assert!(!plain.contains('\x1b'));
}
