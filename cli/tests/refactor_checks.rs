//! Issue 10: refactor checks a reviewer can trust. Each false "equivalent" / "no new access"
//! of the issue, run as a user runs it (fixtures in `cli/tests/fixtures/refactor/`), and the
//! witness tables, degenerate questions and `--witnesses-out`, snapshotted with `insta`
//! (`refactor__*` snapshots). Citations are in `solver/tests/refactor.rs` and D80–D82.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::workspace;
use std::process::Command;

/// The exit status and the transcript.
fn iamspec(args: &[&str]) -> (i32, String) {
    let run = common::iamspec(args);
    (run.code, run.transcript())
}

fn f(name: &str) -> String {
    format!("cli/tests/fixtures/refactor/{name}.json")
}

/// §4.1, D81: a deny-list SCP is deployed beside FullAWSAccess; two different ones differ.
#[test]
fn scps_differ_beside_full_aws_access() {
    let (a, b) = (f("scp-region-deny"), f("scp-deny-object"));
    let (code, t) = iamspec(&["equiv", &a, &b, "--kind", "scp", "--witnesses", "2"]);
    assert_eq!(code, 1, "{t}");
    insta::assert_snapshot!("refactor_scp_region_vs_object", t);
}

/// D81: RCPs beside RCPFullAWSAccess.
#[test]
fn rcps_differ_beside_rcp_full_aws_access() {
    let (a, b) = (f("rcp-deny-external-s3"), f("rcp-deny-insecure-sqs"));
    let (code, t) = iamspec(&["equiv", &a, &b, "--kind", "rcp", "--witnesses", "2"]);
    assert_eq!(code, 1, "{t}");
    insta::assert_snapshot!("refactor_rcp_unrelated", t);
}

/// D80, D52: with the default key policy and a trust policy trusting the account, adding
/// kms:Decrypt and sts:AssumeRole on `*` is new access; both are new actions.
#[test]
fn identity_policy_gaining_kms_and_role_access() {
    let (old, new) = (f("identity-s3-read"), f("identity-s3-read-kms-role"));
    let (code, t) = iamspec(&["check", "no-new-access", &old, &new]);
    assert_eq!(code, 1, "{t}");
    assert!(
        t.contains(
            "new actions (allowed somewhere now, never before): kms:Decrypt, sts:AssumeRole"
        ),
        "{t}"
    );
    insta::assert_snapshot!("refactor_no_new_access_kms_role", t);
}

/// AmazonS3ReadOnlyAccess to AmazonS3FullAccess (the AWS managed policies' documents): the list
/// covers all of `s3:*` (it once stopped at 64 actions and named `s3:*` as unexamined), the
/// write actions and none of the read ones.
#[test]
fn new_actions_list_is_complete_for_a_service_wildcard() {
    let (old, new) = (f("s3-read-only"), f("s3-full"));
    let (code, t) = iamspec(&["check", "no-new-access", &old, &new]);
    assert_eq!(code, 1, "{t}");
    let line = t
        .lines()
        .find(|l| l.starts_with("new actions (allowed somewhere now, never before): "))
        .unwrap_or_else(|| panic!("{t}"));
    let listed: Vec<&str> = line
        .split_once(": ")
        .map(|(_, rest)| rest.split(", ").collect())
        .unwrap_or_default();
    for action in [
        "s3:PutObject",
        "s3:DeleteBucket",
        "s3:PutBucketPolicy",
        "s3-object-lambda:PutObject",
    ] {
        assert!(listed.contains(&action), "{action}: {line}");
    }
    for action in [
        "s3:GetObject",
        "s3:ListBucket",
        "s3:ListAllMyBuckets",
        "s3-object-lambda:GetObject",
    ] {
        assert!(!listed.contains(&action), "{action}: {line}");
    }
    assert!(listed.len() > 64, "{}", listed.len());
    assert!(!t.contains("not examined"), "{t}");
    let (code, t) = iamspec(&["check", "no-new-access", &f("s3-full"), &f("s3-read-only")]);
    assert_eq!(code, 0, "{t}");
    assert!(!t.contains("not examined"), "{t}");
    // An Allow with NotAction names nearly the whole catalogue: the list says it did not look.
    let (code, t) = iamspec(&["check", "no-new-access", &old, &f("notaction-s3")]);
    assert_eq!(code, 1, "{t}");
    assert!(
        t.contains("(not examined for the new actions: NotAction s3:*;"),
        "{t}"
    );
}

/// §4.3/§4.4, D51, D80: explicit vs implicit deny shows beside an open same-account resource
/// policy, for boundaries, identity and session policies alike.
#[test]
fn explicit_and_implicit_deny_differ() {
    let (a, b) = (f("allow-all-deny-s3"), f("notaction-s3"));
    for kind in ["boundary", "identity", "session"] {
        let (code, t) = iamspec(&["equiv", &a, &b, "--kind", kind, "--witnesses", "1"]);
        assert_eq!(code, 1, "{t}");
        assert!(t.contains("explicit_deny"), "{t}");
        if kind == "boundary" {
            insta::assert_snapshot!("refactor_boundary_explicit_vs_implicit", t);
        }
    }
}

/// A refactor that changes nothing still holds, and the answer says where it was checked.
#[test]
fn equivalent_scps_say_where_they_were_checked() {
    let (a, b) = (f("scp-deny-object"), f("scp-deny-object-split"));
    let (code, t) = iamspec(&["equiv", &a, &b, "--kind", "scp"]);
    assert_eq!(code, 0, "{t}");
    insta::assert_snapshot!("refactor_scp_equivalent", t);
}

/// D82: degenerate questions.
#[test]
fn degenerate_questions_are_named() {
    let (code, t) = iamspec(&[
        "check",
        "access-not-granted",
        &f("s3-put-a"),
        "--action",
        "s3:PutObjectz",
    ]);
    assert_eq!(code, 2, "{t}");
    insta::assert_snapshot!("refactor_unknown_action_argument", t);

    let (code, t) = iamspec(&["equiv", &f("s3-putz"), &f("s3-putz")]);
    assert_eq!(code, 0, "{t}");
    assert!(
        t.contains("warning: `s3:PutObjectz` matches no action"),
        "{t}"
    );

    let (code, t) = iamspec(&["equiv", &f("allow-nothing-a"), &f("allow-nothing-b")]);
    assert_eq!(code, 5, "{t}");
    insta::assert_snapshot!("refactor_vacuous", t);

    let (code, t) = iamspec(&["equiv", &f("s3-put-a"), &f("s3-put-b"), "--witnesses", "0"]);
    assert_eq!(code, 2, "{t}");
    let (code, t) = iamspec(&[
        "equiv",
        &f("s3-put-a"),
        &f("s3-put-b"),
        "--resource-account",
        "12345",
    ]);
    assert_eq!(code, 2, "{t}");
}

/// `--resource-account` restricts the requests to that account's resources.
#[test]
fn resource_account_restricts_the_requests() {
    let (code, t) = iamspec(&[
        "check",
        "no-new-access",
        &f("s3-put-b"),
        &f("s3-put-a"),
        "--resource-account",
        "444455556666",
        "--witnesses",
        "1",
    ]);
    assert_eq!(code, 1, "{t}");
    assert!(t.contains("resource account  444455556666"), "{t}");
}

/// `reach` names the conditions of each group and warns on degenerate questions.
#[test]
fn reach_names_conditions_and_warns() {
    let p = f("bucket-team");
    let (code, t) = iamspec(&[
        "reach",
        &p,
        "--kind",
        "resource",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
    ]);
    assert_eq!(code, 0, "{t}");
    insta::assert_snapshot!("refactor_reach_conditions", t);
    // With the bucket in 111122223333, account 444455556666 reaches only through the tagged
    // statement: its condition is named, and the example is a tagged user (a root user carries
    // no principal tags, D85).
    let (code, t) = iamspec(&[
        "reach",
        &p,
        "--kind",
        "resource",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
        "--resource-account",
        "111122223333",
    ]);
    assert_eq!(code, 0, "{t}");
    assert!(
        t.contains("when StringEquals aws:PrincipalTag/team red"),
        "{t}"
    );
    insta::assert_snapshot!("refactor_reach_conditions_cross_account", t);
    let (code, t) = iamspec(&[
        "reach",
        &p,
        "--kind",
        "resource",
        "--action",
        "s3:GetObject",
    ]);
    assert_eq!(code, 0, "{t}");
    assert!(t.contains("warning: `--resource *`"), "{t}");
    let (code, _) = iamspec(&[
        "reach",
        &p,
        "--kind",
        "resource",
        "--action",
        "s3:GetObjectz",
    ]);
    assert_eq!(code, 2);
}

/// `--witnesses-out` writes a suite that `conformance run` passes; the terminal gets tables.
#[test]
fn witnesses_out_writes_a_runnable_suite() {
    let dir = std::env::temp_dir().join(format!("iamspec-refactor-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("witnesses.json");
    let out_text = out.to_str().unwrap();
    let (code, t) = iamspec(&[
        "check",
        "no-new-access",
        &f("identity-s3-read"),
        &f("identity-s3-read-kms-role"),
        "--witnesses-out",
        out_text,
    ]);
    assert_eq!(code, 1, "{t}");
    assert!(
        !t.contains("\"format\""),
        "the suite went to the terminal:\n{t}"
    );
    let (code, run) = iamspec(&["conformance", "run", out_text]);
    assert_eq!(code, 0, "{run}");
    // Two witnesses (the two combinations of deciding statements: the key policy and the
    // trust policy each grant beside the new statement), one case per side.
    assert!(run.contains("4 passed, 0 failed"), "{run}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The PR recipe (`examples/ci/policy-pr-check.sh`) on a tiny git repository: one identity
/// policy gains KMS and role access, an SCP is refactored without change, a policy is added,
/// a non-policy JSON file changes. Skipped, saying so, where git or bash is absent.
#[test]
fn pr_recipe_on_a_tiny_repository() {
    let have = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !have("git") || !have("bash") {
        eprintln!("skipped: the PR recipe needs git and bash");
        return;
    }
    let repo = std::env::temp_dir().join(format!("iamspec-pr-recipe-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&repo);
    std::fs::create_dir_all(repo.join("policies/scp")).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(["-c", "user.email=ci@example.com", "-c", "user.name=ci"])
            .args(args)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
    };
    let fixture = |name: &str| std::fs::read(workspace().join(f(name))).unwrap();
    let write = |path: &str, bytes: &[u8]| std::fs::write(repo.join(path), bytes).unwrap();
    git(&["init", "-q"]);
    write("policies/app.json", &fixture("identity-s3-read"));
    write("policies/scp/guard.json", &fixture("scp-deny-object"));
    write("policies/storage.json", &fixture("s3-read-only"));
    write("package.json", b"{\"name\": \"a\"}");
    git(&["add", "-A"]);
    git(&["commit", "-qm", "base"]);
    write("policies/app.json", &fixture("identity-s3-read-kms-role"));
    write("policies/scp/guard.json", &fixture("scp-deny-object-split"));
    write("policies/uploads.json", &fixture("s3-put-a"));
    write("policies/storage.json", &fixture("s3-full"));
    write("package.json", b"{\"name\": \"b\"}");
    git(&["add", "-A"]);
    git(&["commit", "-qm", "change"]);
    let out = Command::new("bash")
        .arg(workspace().join("examples/ci/policy-pr-check.sh"))
        .args(["HEAD~1", "HEAD", "out"])
        .env("IAMSPEC", env!("CARGO_BIN_EXE_iamspec"))
        .current_dir(&repo)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{:?}", out.stderr);
    let summary = std::fs::read_to_string(repo.join("out/summary.md")).unwrap();
    assert_eq!(summary, stdout);
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo.join("out/results.sarif")).unwrap())
            .unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let uris: Vec<&str> = results
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        uris,
        [
            "policies/app.json",
            "policies/storage.json",
            "policies/uploads.json"
        ]
    );
    // AmazonS3ReadOnlyAccess to AmazonS3FullAccess: over a hundred new actions, a dozen named.
    let storage = stdout
        .lines()
        .find(|l| l.starts_with("| `policies/storage.json`"))
        .unwrap();
    let listed = storage.split_once("new actions: ").unwrap().1;
    assert_eq!(listed.matches("s3-object-lambda:").count(), 12, "{storage}");
    assert!(storage.contains(", … ("), "{storage}");
    assert!(repo.join("out/policies_app.json.witnesses.json").exists());
    std::fs::remove_dir_all(&repo).unwrap();
    insta::assert_snapshot!("refactor_pr_summary", summary);
}

/// `access-not-granted` on an identity policy asks only where its own grants show: the open
/// resource policy of D80's second placement would grant everything not explicitly denied.
#[test]
fn access_not_granted_on_an_identity_policy() {
    let (code, t) = iamspec(&[
        "check",
        "access-not-granted",
        &f("identity-s3-read"),
        "--action",
        "s3:DeleteBucket",
    ]);
    assert_eq!(code, 0, "{t}");
    let (code, t) = iamspec(&[
        "check",
        "access-not-granted",
        &f("identity-s3-read-kms-role"),
        "--action",
        "kms:Decrypt",
    ]);
    assert_eq!(code, 1, "{t}");
}

/// `equiv` and `check` take the shared output options: `--format sarif` (a result per
/// witness, for code scanning), `--json` as `--format json`, `-q` without the notes.
#[test]
fn output_formats_are_shared() {
    let (old, new) = (f("identity-s3-read"), f("identity-s3-read-kms-role"));
    let (code, t) = iamspec(&["check", "no-new-access", &old, &new, "--format", "sarif"]);
    assert_eq!(code, 1, "{t}");
    insta::assert_snapshot!("refactor_no_new_access_sarif", t);
    let (_, json) = iamspec(&["equiv", &old, &new, "--json"]);
    let (_, format) = iamspec(&["equiv", &old, &new, "--format", "json"]);
    assert_eq!(
        json.split_once("--- stdout").map(|x| x.1),
        format.split_once("--- stdout").map(|x| x.1)
    );
    let (code, t) = iamspec(&["check", "no-new-access", &old, &old, "-q"]);
    assert_eq!(code, 0, "{t}");
    assert!(!t.contains("assuming"), "{t}");
    let (code, _) = iamspec(&[
        "reach",
        &old,
        "--action",
        "s3:GetObject",
        "--format",
        "sarif",
    ]);
    assert_eq!(code, 2);
}

/// JSON has every command's shape (issue 14): one array of records, each naming its files,
/// whatever the verdict.
#[test]
fn json_is_an_array_of_records_naming_their_files() {
    let (old, new) = (f("identity-s3-read"), f("identity-s3-read-kms-role"));
    let runs: [(&[&str], Vec<&str>); 4] = [
        (&["equiv", &old, &new, "--json"], vec![&old, &new]),
        (
            &["check", "no-new-access", &old, &old, "--json"],
            vec![&old, &old],
        ),
        (
            &["check", "no-new-access", &old, &new, "--json"],
            vec![&old, &new],
        ),
        (
            &["reach", &old, "--action", "s3:GetObject", "--json"],
            vec![&old],
        ),
    ];
    for (args, files) in runs {
        let (_, t) = iamspec(args);
        let stdout = t
            .split_once("--- stdout\n")
            .and_then(|(_, rest)| rest.split_once("--- stderr"))
            .map(|(out, _)| out)
            .unwrap_or_default();
        let value: serde_json::Value = serde_json::from_str(stdout.trim()).expect(&t);
        let records = value.as_array().expect(&t);
        assert_eq!(records.len(), 1, "{t}");
        let record = records.first().expect(&t);
        assert_eq!(record.get("files"), Some(&serde_json::json!(files)), "{t}");
        assert!(record.get("verdict").is_some() || record.get("reach").is_some());
    }
}
