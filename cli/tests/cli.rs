//! The built `iamspec` binary, run as a user runs it, its output snapshotted with `insta`
//! (`cli/tests/snapshots/`). Each snapshot holds the command, the exit status, stdout and stderr.
//! Paths are relative to the workspace root, where every command runs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{iamspec, iamspec_with_input, workspace, Run};

const EXAMPLES: [&str; 4] = [
    "cross-account-bucket",
    "permission-boundary",
    "scp",
    "mfa-condition",
];

fn fixture(name: &str) -> String {
    format!("cli/tests/fixtures/{name}")
}

// ---------------------------------------------------------------------------------------------
// eval

#[test]
fn eval_each_example() {
    for example in EXAMPLES {
        let path = format!("examples/{example}.json");
        let run = iamspec(&["eval", &path]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        assert!(run.stdout.contains("(as expected)"), "{}", run.transcript());
        insta::assert_snapshot!(format!("eval_{example}"), run.transcript());
    }
}

#[test]
fn eval_each_example_as_json() {
    for example in EXAMPLES {
        let path = format!("examples/{example}.json");
        let run = iamspec(&["eval", "--json", &path]);
        assert_eq!(run.code, 0, "{}", run.transcript());
        // One array of one record naming its file; snapshotted pretty for reading.
        let records = common::records(&run.stdout);
        assert_eq!(records.len(), 1, "{}", run.transcript());
        let value = serde_json::Value::Array(records);
        assert_eq!(value[0]["as_expected"], serde_json::json!(true));
        assert_eq!(value[0]["file"], path.as_str());
        let pretty = Run {
            stdout: serde_json::to_string_pretty(&value).unwrap() + "\n",
            ..run
        };
        insta::assert_snapshot!(format!("eval_json_{example}"), pretty.transcript());
    }
}

/// A case without `expect` (or `id`) is decided but not checked; `-` reads standard input.
#[test]
fn eval_a_case_without_expect_from_stdin() {
    let text = std::fs::read_to_string(workspace().join("examples/mfa-condition.json")).unwrap();
    let mut case: serde_json::Value = serde_json::from_str(&text).unwrap();
    let members = case.as_object_mut().unwrap();
    members.remove("expect");
    members.remove("id");
    members.insert(
        "request".into(),
        serde_json::json!({
            "principal": "arn:aws:iam::111122223333:user/bob",
            "action": "ec2:StopInstances",
            "resource": "arn:aws:ec2:us-east-1:111122223333:instance/i-0abcd1234ef567890",
            "context": {"aws:MultiFactorAuthPresent": "true"}
        }),
    );
    let run = iamspec_with_input(&["eval", "-"], Some(case.to_string().as_bytes()));
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

/// A case whose `expect` differs from the decision: exit 1, and the output says so.
#[test]
fn eval_a_case_with_a_wrong_expectation() {
    let text = std::fs::read_to_string(workspace().join("examples/scp.json")).unwrap();
    let case = text.replace(
        r#""expect": {"decision": "explicit_deny", "deciding": "scp"}"#,
        r#""expect": {"decision": "allow"}"#,
    );
    assert_ne!(case, text);
    let run = iamspec_with_input(&["eval", "-"], Some(case.as_bytes()));
    assert_eq!(run.code, 1, "{}", run.transcript());
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn eval_unreadable_json_is_one_line_naming_file_and_position() {
    let path = fixture("unreadable.json");
    let run = iamspec(&["eval", &path]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!("{path}: invalid JSON at line 4, column 67: trailing comma\n")
    );
}

#[test]
fn eval_an_invalid_policy_names_its_path() {
    let case = serde_json::json!({
        "request": {"principal": "anonymous", "action": "s3:GetObject", "resource": "*"},
        "policies": {"resource": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"},
            {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*",
             "Condition": {"IpAddress": {"aws:SourceIp": "not-an-ip"}}}
        ]}}
    });
    let run = iamspec_with_input(&["eval", "-"], Some(case.to_string().as_bytes()));
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "<stdin>: policies.resource.Statement[1].Condition.IpAddress.aws:SourceIp: invalid resource-based policy: `not-an-ip` is not an IP address or CIDR block, as `IpAddress` requires\n"
    );
}

#[test]
fn eval_a_missing_file() {
    let run = iamspec(&["eval", "examples/no-such-case.json"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.transcript());
    assert!(
        run.stderr.starts_with("examples/no-such-case.json: "),
        "{}",
        run.transcript()
    );
}

// ---------------------------------------------------------------------------------------------
// validate

#[test]
fn validate_a_valid_policy() {
    let run = iamspec(&["validate", &fixture("valid-policy.json")]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn validate_a_policy_with_warnings() {
    let run = iamspec(&["validate", &fixture("warnings-policy.json")]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn validate_a_policy_with_errors() {
    let run = iamspec(&["validate", &fixture("errors-policy.json")]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

/// A parse error does not hide the rest: the per-kind rules still run on what could be read.
#[test]
fn validate_reports_parse_and_kind_errors_together() {
    let run = iamspec(&["validate", &fixture("parse-and-kind-errors-policy.json")]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn validate_with_errors_as_json() {
    let run = iamspec(&["validate", "--json", &fixture("errors-policy.json")]);
    assert_eq!(run.code, 1);
    let value = serde_json::Value::Array(common::records(&run.stdout));
    assert_eq!(value.as_array().unwrap().len(), 1);
    let pretty = Run {
        stdout: serde_json::to_string_pretty(&value).unwrap() + "\n",
        ..run
    };
    insta::assert_snapshot!(pretty.transcript());
}

/// The same document is valid as one kind and not as another.
#[test]
fn validate_for_another_kind() {
    let run = iamspec(&[
        "validate",
        "--kind",
        "resource",
        &fixture("valid-policy.json"),
    ]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.transcript());
}

#[test]
fn validate_unreadable_json_is_one_line_naming_file_and_position() {
    let path = fixture("unreadable.json");
    let run = iamspec(&["validate", &path]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!("{path}: invalid JSON at line 4, column 67: trailing comma\n")
    );
    let run = iamspec_with_input(&["validate", "-"], Some(b"{\"Statement\": ["));
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "<stdin>: invalid JSON at line 1, column 15: EOF while parsing a list\n"
    );
}

// ---------------------------------------------------------------------------------------------
// conformance run

// `conformance run` with failing cases, JSON output and external implementations: runner.rs.

#[test]
fn conformance_run_on_a_malformed_suite() {
    let path = fixture("suite-malformed.json");
    let run = iamspec(&["conformance", "run", &path]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        format!("{path}: cases[1].expect.decision: `deny` is not a decision (allow, explicit_deny, implicit_deny)\n")
    );
}

#[test]
fn conformance_run_on_unreadable_json() {
    let path = fixture("unreadable.json");
    let run = iamspec(&["conformance", "run", &path]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        format!("{path}: invalid JSON at line 4, column 67: trailing comma\n")
    );
}

/// The built-in suites all pass (the runner's own contract: exit 0 and `N passed, 0 failed`).
#[test]
fn conformance_run_on_the_shipped_suites() {
    let run = iamspec(&["conformance", "run", "conformance/suites"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert!(
        run.stdout.ends_with(" passed, 0 failed\n"),
        "{}",
        run.stdout
    );
}
