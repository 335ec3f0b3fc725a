//! Hostile files given to the built `iamspec` binary: an error (one line on stderr naming the
//! file and where in it, exit 2) or a decision; never a panic, a hang or a stack overflow. Also
//! hostile suites through the conformance library, generated systematically.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_conformance::runner::{run_case, Implementation};
use iamspec_conformance::{Suite, SuiteError};
use iamspec_model::json::{Json, JsonPath, Segment};
use iamspec_model::testing::hostile;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const DEEP: usize = 100_000;
const HUGE: usize = 4 << 20;

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn iamspec(args: &[&str]) -> Run {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_iamspec"))
        .args(args)
        .output()
        .unwrap();
    eprintln!(
        "hostile-timing iamspec {}: {:?}",
        args.first().copied().unwrap_or(""),
        start.elapsed()
    );
    Run {
        // `None` would mean killed by a signal: a stack overflow aborts, for one.
        code: out.status.code().expect("exited, not killed by a signal"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A scratch directory of this test binary's own, under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("hostile")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.to_str().unwrap().to_owned()
}

/// Exit 2 with exactly one line on stderr, starting with the file's name; returns the rest.
fn one_line_error(run: &Run, file: &str) -> String {
    assert_eq!(run.code, 2, "stderr: {}", short(&run.stderr));
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr.lines().count(),
        1,
        "stderr: {}",
        short(&run.stderr)
    );
    let rest = run
        .stderr
        .strip_prefix(&format!("{file}: "))
        .unwrap_or_else(|| panic!("no file name in {}", short(&run.stderr)));
    rest.trim_end().to_owned()
}

/// The one-line error of each command that reads `file` as its main input (see
/// [`one_line_error`]).
fn one_line_errors_from_every_command(file: &str) -> Vec<String> {
    [
        vec!["eval", file],
        vec!["validate", file],
        vec!["conformance", "run", file],
    ]
    .iter()
    .map(|args| one_line_error(&iamspec(args), file))
    .collect()
}

fn short(text: &str) -> String {
    text.chars().take(300).collect()
}

fn case(request: Value, policies: Value) -> Value {
    json!({"id": "hostile", "request": request, "policies": policies, "expect": {"decision": "allow"}})
}

// ---------------------------------------------------------------------------------------------
// Nesting 100,000 deep, in each kind of file

fn deep(inner: &str) -> String {
    "[".repeat(DEEP) + inner + &"]".repeat(DEEP)
}

#[test]
fn deep_nesting_in_a_case_file() {
    let dir = scratch("deep-case");
    let text = format!(
        r#"{{"id":"d","request":{{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":{{"k":{}}}}},"expect":{{"decision":"allow"}}}}"#,
        deep("1")
    );
    let file = write(&dir, "case.json", text.as_bytes());
    let message = one_line_error(&iamspec(&["eval", &file]), &file);
    assert!(
        message.starts_with("invalid JSON at line 1, column ")
            && message.ends_with("recursion limit exceeded"),
        "{message}"
    );
}

#[test]
fn deep_nesting_in_a_policy_file() {
    let dir = scratch("deep-policy");
    let text = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{{"StringEquals":{{"k":{}}}}}}}}}"#,
        deep(r#""v""#)
    );
    let file = write(&dir, "policy.json", text.as_bytes());
    let message = one_line_error(&iamspec(&["validate", &file]), &file);
    assert!(message.ends_with("recursion limit exceeded"), "{message}");
}

#[test]
fn deep_nesting_in_a_suite_file() {
    let dir = scratch("deep-suite");
    let text = format!(
        r#"{{"format":"iamspec-conformance/1","suite":"deep","cases":[{{"id":"d","request":{},"expect":{{"error":true}}}}]}}"#,
        deep("{}")
    );
    let file = write(&dir, "suite.json", text.as_bytes());
    let message = one_line_error(&iamspec(&["conformance", "run", &file]), &file);
    assert!(message.ends_with("recursion limit exceeded"), "{message}");
}

#[test]
fn deep_nesting_of_objects_in_every_command() {
    let dir = scratch("deep-objects");
    let text = r#"{"a":"#.repeat(DEEP) + "1" + &"}".repeat(DEEP);
    let file = write(&dir, "deep.json", text.as_bytes());
    for message in one_line_errors_from_every_command(&file) {
        assert!(message.ends_with("recursion limit exceeded"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------------
// Empty files, invalid UTF-8

#[test]
fn empty_files_in_every_command() {
    let dir = scratch("empty");
    let file = write(&dir, "empty.json", b"");
    for message in one_line_errors_from_every_command(&file) {
        assert_eq!(
            message,
            "invalid JSON at line 1, column 0: EOF while parsing a value"
        );
    }
}

#[test]
fn invalid_utf8_in_every_command() {
    let dir = scratch("utf8");
    // A policy whose Sid holds a lone continuation byte and an overlong encoding.
    let mut bytes = br#"{"Version":"2012-10-17","Statement":{"Sid":""#.to_vec();
    bytes.extend_from_slice(&[0x80, 0xC0, 0xAF]);
    bytes.extend_from_slice(br#"","Effect":"Allow","Action":"*","Resource":"*"}}"#);
    let file = write(&dir, "latin.json", &bytes);
    for message in one_line_errors_from_every_command(&file) {
        assert!(message.contains("valid UTF-8"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------------
// Big files that are valid: a decision

#[test]
fn multi_megabyte_strings_in_a_case_file() {
    let dir = scratch("huge");
    let big = |c: char| -> String { std::iter::repeat_n(c, HUGE).collect() };
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Sid": big('S'),
        "Effect": "Allow",
        "Action": format!("s3:{}*", big('g')),
        // A huge resource pattern against a huge resource is the quadratic case of
        // `arn/glob.rs` (see the model's hostile tests); here only the resource is huge.
        "Resource": ["arn:aws:s3:::other/k*", "arn:aws:s3:::bucket/*"],
        "Condition": {"StringLike": {big('K'): format!("{}*", big('v'))}}
    }]});
    let request = json!({
        "principal": "arn:aws:iam::111122223333:user/alice",
        "action": format!("s3:{}Object", big('G')),
        "resource": format!("arn:aws:s3:::bucket/{}/x", big('k')),
        "context": {big('K').to_lowercase(): big('v')}
    });
    let file = write(
        &dir,
        "case.json",
        case(request, json!({"identity": [policy]}))
            .to_string()
            .as_bytes(),
    );
    let run = iamspec(&["eval", &file]);
    assert_eq!(run.code, 0, "{}", short(&run.stderr));
    assert!(
        run.stdout.starts_with("decision: allow\n"),
        "{}",
        short(&run.stdout)
    );
    // The action and the Sid are quoted to 200 characters each, not 4 MiB.
    assert!(run.stdout.len() < 4_000, "{} bytes", run.stdout.len());
    assert_eq!(
        run.stdout.matches(" more characters)").count(),
        2,
        "{}",
        run.stdout
    );
}

/// A message quotes at most 200 characters of a value (here 1 MiB) and says how many it left
/// out, in every command's output: findings, errors, explanations, conformance reports.
#[test]
fn megabyte_values_are_shortened_in_every_output() {
    let dir = scratch("megabyte-messages");
    let big: String = std::iter::repeat_n('b', 1 << 20).collect();
    let left_out = format!("…` ({} more characters)", (1 << 20) - 200);
    let short_enough = |text: &str| {
        assert!(text.len() < 2_000, "{} bytes: {}", text.len(), short(text));
    };

    // validate: a finding, as text and as JSON (its message and its path).
    let policy = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Action": big.clone(), "Resource": "*", "Condition": {"StringEquals": {big.clone(): "v"}}}});
    let file = write(&dir, "policy.json", policy.to_string().as_bytes());
    let run = iamspec(&["validate", &file]);
    assert_eq!(run.code, 1, "{}", short(&run.stderr));
    short_enough(&run.stdout);
    assert!(run.stdout.contains(&left_out), "{}", run.stdout);
    let run = iamspec(&["validate", "--json", &file]);
    assert_eq!(run.code, 1);
    short_enough(&run.stdout);

    // eval: an invalid request is one line on stderr.
    let request = json!({"principal": "arn:aws:iam::111122223333:user/alice",
        "action": big.clone(), "resource": "*"});
    let file = write(
        &dir,
        "bad-request.json",
        case(request, json!({})).to_string().as_bytes(),
    );
    let message = one_line_error(&iamspec(&["eval", &file]), &file);
    short_enough(&message);
    assert!(message.contains(&left_out), "{message}");

    // eval: an invalid policy in a case.
    let file = write(
        &dir,
        "bad-policy.json",
        case(
            json!({"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:GetObject", "resource": "*"}),
            json!({"identity": [policy]}),
        )
        .to_string()
        .as_bytes(),
    );
    let message = one_line_error(&iamspec(&["eval", &file]), &file);
    short_enough(&message);

    // eval: a denial in AWS's wording quotes the principal, the action and the resource; the
    // missing context keys are listed.
    let request = json!({"principal": format!("arn:aws:iam::111122223333:user/{big}"),
        "action": format!("s3:{big}"), "resource": format!("arn:aws:s3:::{big}")});
    let wants_key = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Action": "*", "Resource": "*", "Condition": {"StringEquals": {big.clone(): "v"}}}});
    let file = write(
        &dir,
        "denied.json",
        case(request, json!({"identity": [wants_key]}))
            .to_string()
            .as_bytes(),
    );
    let run = iamspec(&["eval", &file]);
    assert_eq!(run.code, 1, "{}", short(&run.stderr));
    short_enough(&run.stdout);
    assert!(
        run.stdout.contains("missing context keys: bbbb"),
        "{}",
        run.stdout
    );

    // conformance run: the report of a case that failed with an error quoting the value.
    let suite = json!({"format": "iamspec-conformance/1", "suite": "big", "cases": [{
        "id": "big-action",
        "request": {"principal": "arn:aws:iam::111122223333:user/alice", "action": big, "resource": "*"},
        "policies": {},
        "expect": {"decision": "allow"}}]});
    let file = write(&dir, "suite.json", suite.to_string().as_bytes());
    let run = iamspec(&["conformance", "run", &file]);
    assert_eq!(run.code, 1, "{}", short(&run.stderr));
    short_enough(&run.stdout);
    assert!(run.stdout.contains(&left_out), "{}", run.stdout);
}

#[test]
fn hundred_thousand_statements_in_a_case_file() {
    let dir = scratch("many");
    let statements: Vec<Value> = (0..100_000)
        .map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": format!("s3:Action{i}"), "Resource": "*"}))
        .collect();
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    let request = json!({"principal": "arn:aws:iam::111122223333:user/alice", "action": "s3:Action99999", "resource": "*"});
    let file = write(
        &dir,
        "case.json",
        case(request, json!({"identity": [policy]}))
            .to_string()
            .as_bytes(),
    );
    let run = iamspec(&["eval", &file]);
    assert_eq!(run.code, 0, "{}", short(&run.stderr));
    assert!(run
        .stdout
        .contains("identity[0].Statement[99999] (Sid `S99999`) Allow"));
}

#[test]
fn hostile_patterns_in_a_case_file() {
    let dir = scratch("patterns");
    let subject: String = std::iter::repeat_n('a', 200_000).collect();
    let pattern = "*a*a*a*a*a*a*a*a*b";
    let policy = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Action": format!("s3:{pattern}"),
        "Resource": format!("arn:aws:s3:::{pattern}"),
        "Condition": {"StringLike": {"aws:UserAgent": pattern}}
    }]});
    let request = json!({
        "principal": "arn:aws:iam::111122223333:user/alice",
        "action": format!("s3:{subject}b"),
        "resource": format!("arn:aws:s3:::{subject}b"),
        "context": {"aws:UserAgent": subject}
    });
    let mut c = case(request, json!({"identity": [policy]}));
    c["expect"] = json!({"decision": "implicit_deny"});
    let file = write(&dir, "case.json", c.to_string().as_bytes());
    let run = iamspec(&["eval", &file]);
    assert_eq!(run.code, 0, "{}", short(&run.stderr));
    assert!(run.stdout.starts_with("decision: implicit_deny\n"));
}

// ---------------------------------------------------------------------------------------------
// Wrong JSON types everywhere, generated

fn mutations(template: &Json) -> Vec<(Json, JsonPath, Json)> {
    hostile::mutations(template)
        .into_iter()
        .map(|m| (m.document, m.at, m.sample))
        .collect()
}

/// Is the message about `at` or something under it? Messages start with the path as written
/// (`cases[0].request.action: ...`); the document itself contains everything.
fn names(message: &str, at: &JsonPath) -> bool {
    if at.is_root() {
        return true;
    }
    let at = at.to_string();
    message
        .strip_prefix(&at)
        .is_some_and(|rest| rest.starts_with([':', '.', '[']))
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Every node of a suite replaced by every JSON type: the suite is rejected naming that node,
/// or it loads and each case either decides or is rejected naming that node.
#[test]
fn wrong_types_everywhere_in_a_suite() {
    let text =
        std::fs::read_to_string(workspace().join("cli/tests/fixtures/suite-failing.json")).unwrap();
    let template = Json::parse(&text).unwrap();
    let file = Path::new("suite.json");
    let mut count = 0;
    let start = Instant::now();
    for (doc, at, sample) in mutations(&template) {
        let shown = || format!("{at} := {}", sample.to_compact_string());
        match Suite::parse(&doc.to_compact_string(), file) {
            Err(SuiteError::Malformed { path, message, .. }) => {
                assert!(
                    names(&format!("{path}:"), &at),
                    "{}: error at {path}: {message}",
                    shown()
                );
            }
            Err(other) => panic!("{}: {other}", shown()),
            Ok(suite) => {
                // The case the replaced node is in, if any (`cases[i]...`).
                let in_case = match at.segments() {
                    [Segment::Key(k), Segment::Index(i), _, ..] if k == "cases" => Some(*i),
                    _ => None,
                };
                assert!(
                    sample != Json::Null || in_case.is_some(),
                    "{}: accepted",
                    shown()
                );
                let mut reference = Implementation::Reference;
                for (i, case) in suite.cases.iter().enumerate() {
                    let result = run_case(&mut reference, "", &suite.name, case).unwrap();
                    let error = result
                        .got
                        .strip_prefix("error (")
                        .and_then(|m| m.strip_suffix(')'));
                    if in_case == Some(i) && sample == Json::Null {
                        // Requests and policies are read when the case runs: null fails then.
                        let message =
                            error.unwrap_or_else(|| panic!("{}: {}", shown(), result.got));
                        // The third case is invalid as written and may be rejected for that.
                        assert!(names(message, &at) || i == 2, "{}: {message}", shown());
                    } else if let Some(message) = error {
                        // Only the third case is invalid as written.
                        let expected_error = i == 2;
                        assert!(
                            names(message, &at) || expected_error,
                            "{}: {message}",
                            shown()
                        );
                    }
                }
            }
        }
        count += 1;
    }
    eprintln!(
        "hostile-timing wrong types in a suite ({count} suites): {:?}",
        start.elapsed()
    );
    assert!(count > 400, "{count}");
}

/// Every node of a case file replaced by every JSON type, through `iamspec eval`: a decision
/// (exit 0 or 1), or one line naming the file and that node (exit 2).
#[test]
fn wrong_types_everywhere_in_a_case_file() {
    let text = std::fs::read_to_string(workspace().join("examples/mfa-condition.json")).unwrap();
    let template = Json::parse(&text).unwrap();
    let dir = scratch("wrong-types");
    let file = write(&dir, "case.json", b"");
    let mut count = 0;
    let start = Instant::now();
    for (doc, at, sample) in mutations(&template) {
        std::fs::write(&file, doc.to_compact_string()).unwrap();
        let run = iamspec(&["eval", &file]);
        let shown = format!("{at} := {}", sample.to_compact_string());
        match run.code {
            0 | 1 => assert!(run.stdout.starts_with("decision: "), "{shown}"),
            2 => {
                let message = one_line_error(&run, &file);
                assert!(names(&message, &at), "{shown}: {message}");
            }
            other => panic!("{shown}: exit {other}: {}", run.stderr),
        }
        if sample == Json::Null && !at.is_root() {
            // `null` is never a valid value anywhere in a case.
            assert_eq!(run.code, 2, "{shown}: accepted");
        }
        count += 1;
    }
    eprintln!(
        "hostile-timing wrong types in a case file ({count} runs): {:?}",
        start.elapsed()
    );
    assert!(count > 200, "{count}");
}
