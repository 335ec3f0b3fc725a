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
    for args in [
        vec!["eval", &file],
        vec!["validate", &file],
        vec!["conformance", "run", &file],
    ] {
        let message = one_line_error(&iamspec(&args), &file);
        assert!(message.ends_with("recursion limit exceeded"), "{message}");
    }
}

// ---------------------------------------------------------------------------------------------
// Empty files, invalid UTF-8

#[test]
fn empty_files_in_every_command() {
    let dir = scratch("empty");
    let file = write(&dir, "empty.json", b"");
    for args in [
        vec!["eval", &file],
        vec!["validate", &file],
        vec!["conformance", "run", &file],
    ] {
        let message = one_line_error(&iamspec(&args), &file);
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
    for args in [
        vec!["eval", &file],
        vec!["validate", &file],
        vec!["conformance", "run", &file],
    ] {
        let message = one_line_error(&iamspec(&args), &file);
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
    eprintln!("multi-megabyte case: {} bytes of output", run.stdout.len());
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

fn samples() -> Vec<Json> {
    vec![
        Json::Null,
        Json::Bool(true),
        Json::Number("7".into()),
        Json::String("x".into()),
        Json::Array(vec![]),
        Json::Array(vec![Json::Number("7".into())]),
        Json::Object(vec![]),
        Json::Object(vec![("x".into(), Json::Null)]),
    ]
}

fn node_paths(json: &Json, at: &JsonPath, out: &mut Vec<JsonPath>) {
    out.push(at.clone());
    match json {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                node_paths(item, &at.index(i), out);
            }
        }
        Json::Object(members) => {
            for (key, value) in members {
                node_paths(value, &at.key(key), out);
            }
        }
        _ => {}
    }
}

fn replaced(json: &Json, at: &[Segment], with: &Json) -> Json {
    let Some((first, rest)) = at.split_first() else {
        return with.clone();
    };
    match (json, first) {
        (Json::Array(items), Segment::Index(i)) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(j, item)| {
                    if j == *i {
                        replaced(item, rest, with)
                    } else {
                        item.clone()
                    }
                })
                .collect(),
        ),
        (Json::Object(members), Segment::Key(k)) => Json::Object(
            members
                .iter()
                .map(|(key, value)| {
                    let value = if key == k {
                        replaced(value, rest, with)
                    } else {
                        value.clone()
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        _ => unreachable!("paths come from the document"),
    }
}

fn mutations(template: &Json) -> Vec<(Json, JsonPath, Json)> {
    let mut paths = Vec::new();
    node_paths(template, &JsonPath::root(), &mut paths);
    let mut out = Vec::new();
    for at in paths {
        for sample in samples() {
            out.push((
                replaced(template, at.segments(), &sample),
                at.clone(),
                sample,
            ));
        }
    }
    out
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
                    let result = run_case(&mut reference, &suite.name, case);
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
