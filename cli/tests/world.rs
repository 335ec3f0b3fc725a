//! `iamspec access` and `iamspec permissions` on the example world (`examples/world/`), run as a
//! user runs them; transcripts snapshotted with insta (`cli/tests/snapshots/world__*.snap`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

/// The exit status and the transcript (JSON pretty-printed).
fn iamspec(args: &[&str]) -> (i32, String) {
    let run = common::iamspec(args);
    if args.contains(&"json") {
        (run.code, run.json_transcript())
    } else {
        (run.code, run.transcript())
    }
}

const WORLD: &str = "examples/world";
const ALICE: &str = "arn:aws:iam::222222222222:user/alice";
const OBJECT: &str = "arn:aws:s3:::example-app-data/report.csv";

#[test]
fn access_scp_deny_names_the_ou() {
    let (code, t) = iamspec(&[
        "access",
        WORLD,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "s3:PutObject",
        "--resource",
        OBJECT,
        "--context",
        "aws:RequestedRegion=us-east-1",
    ]);
    assert_eq!(code, 1, "{t}");
    insta::assert_snapshot!("world_access_scp_deny", t);
}

#[test]
fn access_allowed_in_the_eu() {
    let (code, t) = iamspec(&[
        "access",
        WORLD,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "s3:PutObject",
        "s3:DeleteBucket",
        "--resource",
        OBJECT,
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_eq!(code, 1, "{t}");
    insta::assert_snapshot!("world_access_eu", t);
}

#[test]
fn access_trust_cross_account_and_outside() {
    let (code, t) = iamspec(&[
        "access",
        WORLD,
        "--principal",
        "arn:aws:iam::222222222222:user/ops/bob",
        "--action",
        "sts:AssumeRole",
        "--resource",
        "arn:aws:iam::222222222222:role/deploy/deployer",
        "arn:aws:iam::222222222222:role/auditor",
    ]);
    assert_eq!(code, 1, "{t}");
    insta::assert_snapshot!("world_access_trust", t);
    let (code, t) = iamspec(&[
        "access",
        WORLD,
        "--principal",
        "arn:aws:iam::444444444444:user/mallory",
        "--action",
        "s3:GetObject",
        "--resource",
        OBJECT,
    ]);
    assert_eq!(code, 1, "{t}");
    insta::assert_snapshot!("world_access_outside_principal", t);
}

#[test]
fn access_json() {
    let (code, t) = iamspec(&[
        "access",
        WORLD,
        "--principal",
        "arn:aws:sts::222222222222:assumed-role/deployer/ci",
        "--action",
        "kms:Encrypt",
        "--resource",
        "arn:aws:kms:eu-west-1:222222222222:key/0b7e2f4c-1d2a-4c3b-9e8f-5a6b7c8d9e0f",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{t}");
    insta::assert_snapshot!("world_access_json", t);
}

#[test]
fn access_bad_input() {
    let (code, t) = iamspec(&[
        "access",
        WORLD,
        "--principal",
        "arn:aws:iam::222222222222:user/nobody",
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("world_access_unknown_principal", t);
    let (code, t) = iamspec(&[
        "access",
        "cli/tests/fixtures/world-broken.json",
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 2);
    insta::assert_snapshot!("world_access_broken_snapshot", t);
}

#[test]
fn permissions_text_and_json() {
    let (code, t) = iamspec(&[
        "permissions",
        WORLD,
        "--principal",
        ALICE,
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_eq!(code, 0, "{t}");
    insta::assert_snapshot!("world_permissions_alice", t);
    let (code, t) = iamspec(&[
        "permissions",
        WORLD,
        "--principal",
        "arn:aws:iam::222222222222:role/deploy/deployer",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{t}");
    insta::assert_snapshot!("world_permissions_deployer_json", t);
}

#[test]
fn access_colours_the_decision_when_asked() {
    let args = [
        "access",
        WORLD,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        OBJECT,
    ];
    let mut coloured = args.to_vec();
    coloured.extend(["--color", "always"]);
    let run = common::iamspec(&coloured);
    assert!(
        run.stdout.contains(": \x1b[31mexplicit_deny\x1b[0m\n"),
        "{}",
        run.stdout
    );
    let plain = common::iamspec(&args);
    assert!(!plain.stdout.contains('\x1b'));
    assert_eq!(
        run.stdout.replace("\x1b[31m", "").replace("\x1b[0m", ""),
        plain.stdout
    );
}
