//! `iamspec conformance api`: the API suites pass against the model; a failing case is printed
//! with its step, expectation and source, and the exit status says so.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn iamspec(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_iamspec"))
        .current_dir(repo())
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_api_suites_pass_against_the_model() {
    let (code, stdout, stderr) = iamspec(&["conformance", "api", "conformance/api"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    let last = stdout.lines().last().unwrap();
    assert!(last.ends_with(" passed, 0 failed"), "{last}");
    let passed: usize = last.split(' ').next().unwrap().parse().unwrap();
    assert!(passed >= 150, "{last}");
}

#[test]
fn a_failing_case_is_reported() {
    let dir = std::env::temp_dir().join(format!("iamspec-cli-api-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("wrong.json");
    std::fs::write(
        &file,
        r#"{"format": "iamspec-api/1", "suite": "wrong", "cases": [
            {"id": "second-user", "source": "https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html",
             "calls": [{"call": {"Action": "CreateUser", "UserName": "a"}},
                       {"call": {"Action": "CreateUser", "UserName": "a"}}]}]}"#,
    )
    .unwrap();
    let (code, stdout, _) = iamspec(&["conformance", "api", file.to_str().unwrap()]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
    let (code, _, stderr) = iamspec(&[
        "conformance",
        "api",
        "conformance/api",
        "--filter",
        "no-such-case",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no case selected"), "{stderr}");
}
