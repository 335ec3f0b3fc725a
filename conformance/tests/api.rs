//! The `iamspec-api/1` suites pass against the model; the runner notices a wrong expectation;
//! malformed suites are errors naming the path; the line protocol works with an external
//! implementation.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_conformance::api::{self, ApiError, Expected, ExternalApi, Model};
use std::path::PathBuf;
use std::time::Duration;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("api")
}

fn suites() -> Vec<api::ApiSuite> {
    api::find(&[dir()])
        .into_iter()
        .map(|s| s.unwrap())
        .collect()
}

#[test]
fn every_case_passes_against_the_model() {
    let suites = suites();
    let mut model = Model::default();
    let mut count = 0;
    let mut failures = Vec::new();
    for suite in &suites {
        for case in &suite.cases {
            count += 1;
            let result = api::run_case(&mut model, &suite.name, case).unwrap();
            if let Some(f) = result.failure {
                failures.push(format!(
                    "{}/{}: step {} {}: expected {}, got {}",
                    suite.name,
                    case.id,
                    f.step + 1,
                    f.action,
                    f.expected,
                    f.got
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(count >= 150, "only {count} cases");
}

#[test]
fn every_case_cites_its_source_and_every_error_code_is_one_of_aws() {
    let codes = [
        "EntityAlreadyExists",
        "NoSuchEntity",
        "LimitExceeded",
        "DeleteConflict",
        "MalformedPolicyDocument",
        "UnmodifiableEntity",
        "InvalidInput",
        "PasswordPolicyViolation",
        "ValidationError",
        "InvalidAction",
    ];
    let mut seen = std::collections::BTreeSet::new();
    for suite in suites() {
        for case in suite.cases {
            assert!(
                case.source.starts_with("https://docs.aws.amazon.com/")
                    || case.source.starts_with('D'),
                "{}",
                case.id
            );
            for step in case.steps {
                if let Expected::Error(code) = step.expect {
                    assert!(codes.contains(&code.as_str()), "{}: {code}", case.id);
                    seen.insert(code);
                }
            }
        }
    }
    // Every error the lifecycle returns is exercised by some case.
    assert_eq!(seen.len(), codes.len(), "{seen:?}");
}

#[test]
fn a_wrong_expectation_fails() {
    let suites = suites();
    let suite = suites.iter().find(|s| s.name == "users").unwrap();
    let mut case = suite
        .cases
        .iter()
        .find(|c| c.id == "create-user-twice")
        .unwrap()
        .clone();
    case.steps[1].expect = Expected::Error("NoSuchEntity".into());
    let result = api::run_case(&mut Model::default(), "users", &case).unwrap();
    let failure = result.failure.expect("the changed case fails");
    assert_eq!(failure.step, 1);
    assert!(
        failure.got.contains("EntityAlreadyExists"),
        "{}",
        failure.got
    );
    let mut case = suite
        .cases
        .iter()
        .find(|c| c.id == "create-user")
        .unwrap()
        .clone();
    case.steps[0].expect = Expected::Ok {
        result: Some(serde_json::json!({"User": {"UserName": "bob"}})),
    };
    assert!(api::run_case(&mut Model::default(), "users", &case)
        .unwrap()
        .failure
        .is_some());
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("iamspec-api-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn malformed_suites_name_the_path() {
    let cases = [
        (
            r#"{"format": "iamspec-api/2", "suite": "x", "cases": []}"#,
            "format",
        ),
        (
            r#"{"format": "iamspec-api/1", "suite": "x", "cases": [{"id": "a", "source": "somewhere", "calls": [{"call": {"Action": "GetUser"}}]}]}"#,
            "cases[0].source",
        ),
        (
            r#"{"format": "iamspec-api/1", "suite": "x", "cases": [{"id": "a", "source": "D123", "calls": []}]}"#,
            "cases[0].calls",
        ),
        (
            r#"{"format": "iamspec-api/1", "suite": "x", "cases": [{"id": "a", "source": "D123", "calls": [{"call": {"UserName": "a"}}]}]}"#,
            "cases[0].calls[0].call.Action",
        ),
        (
            r#"{"format": "iamspec-api/1", "suite": "x", "cases": [{"id": "a", "source": "D123", "calls": [{"call": {"Action": "GetUser"}, "expect": "fine"}]}]}"#,
            "cases[0].calls[0].expect",
        ),
        (
            r#"{"format": "iamspec-api/1", "suite": "x", "cases": [{"id": "a", "source": "D123", "calls": [{"call": {"Action": "GetUser"}, "expected": "ok"}]}]}"#,
            "cases[0].calls[0].expected",
        ),
    ];
    for (i, (text, path)) in cases.iter().enumerate() {
        let file = write(&format!("bad{i}.json"), text);
        match api::read_suite(&file) {
            Err(ApiError::Suite { path: got, .. }) => assert_eq!(&got, path),
            other => panic!("{text}: {other:?}"),
        }
    }
}

/// A line-protocol implementation in `sh` that answers every call with NoSuchEntity.
const SH_IMPL: &str = r#"while IFS= read -r line; do case "$line" in *hello*) echo '{"protocol":"iamspec-api/1"}';; *reset*) echo '{"ok":true}';; *bye*) exit 0;; *) echo '{"error":{"code":"NoSuchEntity","message":"nothing here"}}';; esac; done"#;

#[test]
fn the_line_protocol_runs_an_external_implementation() {
    let file = write("impl.sh", SH_IMPL);
    let command = format!("sh {}", file.display());
    let mut external = ExternalApi::start(&command, Duration::from_secs(10)).unwrap();
    let suites = suites();
    let suite = suites.iter().find(|s| s.name == "users").unwrap();
    let missing = suite
        .cases
        .iter()
        .find(|c| c.id == "get-user-missing")
        .unwrap();
    assert!(api::run_case(&mut external, "users", missing)
        .unwrap()
        .failure
        .is_none());
    let create = suite.cases.iter().find(|c| c.id == "create-user").unwrap();
    let failure = api::run_case(&mut external, "users", create)
        .unwrap()
        .failure
        .unwrap();
    assert_eq!(
        failure.expected,
        r#"ok with {"User":{"Arn":"arn:aws:iam::123456789012:user/alice","Path":"/","UserName":"alice"}}"#
    );
    assert!(
        failure.got.starts_with("error NoSuchEntity"),
        "{}",
        failure.got
    );
}

#[test]
fn an_implementation_that_does_not_greet_cannot_start() {
    match ExternalApi::start("echo nonsense", Duration::from_secs(5)) {
        Err(ApiError::Implementation { .. } | ApiError::CannotStart { .. }) => {}
        Err(other) => panic!("{other}"),
        Ok(_) => panic!("started"),
    }
}
