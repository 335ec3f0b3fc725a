//! Hostile input gets an error or a decision: never a panic, a hang or a stack overflow.
//!
//! Every input goes the way a case's does: JSON text → [`Json`] → [`Request`] and validated
//! [`PolicySet`] → the reference evaluator. Each test asserts the outcome (the error and its JSON
//! path, or the decision); none asserts a time. Each prints how long it took (`hostile-timing`
//! lines with `--nocapture`), so that a release run shows the slowest:
//! `cargo test --release -p iamspec-model --test hostile -- --nocapture 2>&1 | grep hostile-timing`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_model::json::{Json, JsonPath, Segment};
use iamspec_model::policy::{check, Finding, PolicyKind, Severity};
use iamspec_model::policy_set::PolicySetError;
use iamspec_model::request::RequestError;
use iamspec_model::testing::hostile::{self, is_under};
use iamspec_model::{reference, Answer, Decision, PolicySet, Request};
use serde_json::{json, Value};
use std::cell::Cell;
use std::time::{Duration, Instant};

/// 4 MiB: "multi-megabyte".
const HUGE: usize = 4 << 20;
/// The subject length for hostile patterns.
const SUBJECT: usize = 200_000;
const DEEP: usize = 100_000;
const MANY: usize = 100_000;

thread_local! {
    /// Time spent in the model (parsing, validating, deciding) since `timed` began, as opposed to
    /// building the hostile input with serde_json.
    static MODEL_TIME: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// Runs `f` and prints how long the model took in it (`hostile-timing NAME: MODEL (total TOTAL)`).
fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    MODEL_TIME.with(|t| t.set(Duration::ZERO));
    let start = Instant::now();
    let out = f();
    let total = start.elapsed();
    let model = MODEL_TIME.with(Cell::get);
    eprintln!("hostile-timing {name}: {model:?} (total {total:?})");
    out
}

/// Runs `f`, counting its time as the model's.
fn model<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    MODEL_TIME.with(|t| t.set(t.get() + start.elapsed()));
    out
}

fn path(text: &str) -> JsonPath {
    // Paths in tests are written as AWS writes them; only keys and indexes used here.
    let mut out = JsonPath::root();
    for part in text.split('.') {
        let (key, indexes) = match part.find('[') {
            Some(at) => (&part[..at], &part[at..]),
            None => (part, ""),
        };
        if !key.is_empty() {
            out = out.key(key);
        }
        for index in indexes.split('[').filter(|s| !s.is_empty()) {
            out = out.index(index.trim_end_matches(']').parse().unwrap());
        }
    }
    out
}

fn user(name: &str) -> String {
    format!("arn:aws:iam::111122223333:user/{name}")
}

/// A request in the conformance format, by `alice` unless `principal` is given in `extra`.
fn request(action: &str, resource: &str, extra: Value) -> Value {
    let mut r = json!({"principal": user("alice"), "action": action, "resource": resource});
    if let (Value::Object(r), Value::Object(extra)) = (&mut r, extra) {
        r.extend(extra);
    }
    r
}

fn allow(statement: Value) -> Value {
    let mut s = json!({"Effect": "Allow"});
    if let (Value::Object(s), Value::Object(extra)) = (&mut s, statement) {
        s.extend(extra);
    }
    json!({"Version": "2012-10-17", "Statement": [s]})
}

/// Decides a request under `policies` (the `policies` object of a case), from JSON text.
fn decide(request: &Value, policies: &Value) -> Result<Answer, String> {
    decide_text(&request.to_string(), &policies.to_string())
}

fn decide_text(request: &str, policies: &str) -> Result<Answer, String> {
    model(|| decide_text_untimed(request, policies))
}

fn decide_text_untimed(request: &str, policies: &str) -> Result<Answer, String> {
    let request = Json::parse(request).map_err(|e| e.to_string())?;
    let policies = Json::parse(policies).map_err(|e| e.to_string())?;
    let request = Request::from_json(&request, &JsonPath::root().key("request"))
        .map_err(|e| e.to_string())?;
    let set = PolicySet::from_json(
        &policies,
        &JsonPath::root().key("policies"),
        &request.action,
    )
    .map_err(|e| e.to_string())?;
    Ok(reference::authorize(&set, &request))
}

fn decision(request: &Value, policies: &Value) -> Decision {
    match decide(request, policies) {
        Ok(answer) => answer.decision,
        Err(e) => panic!("expected a decision, got an error: {}", truncate(&e)),
    }
}

fn identity(policy: Value) -> Value {
    json!({"identity": [policy]})
}

fn findings(json: &Json, kind: PolicyKind) -> Vec<Finding> {
    model(|| check(json, kind, None)).1
}

fn errors(json: &Json, kind: PolicyKind) -> Vec<Finding> {
    model(|| check(json, kind, None))
        .1
        .into_iter()
        .filter(|f| f.severity == Severity::Error)
        .collect()
}

fn codes(findings: &[Finding]) -> Vec<(&'static str, String)> {
    findings
        .iter()
        .map(|f| (f.code, truncate(&f.path.to_string())))
        .collect()
}

fn truncate(text: &str) -> String {
    let mut out: String = text.chars().take(200).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// JSON nested 100,000 deep

fn nested_arrays(depth: usize, inner: &str) -> String {
    "[".repeat(depth) + inner + &"]".repeat(depth)
}

fn nested_objects(depth: usize, inner: &str) -> String {
    r#"{"a":"#.repeat(depth) + inner + &"}".repeat(depth)
}

/// `text` is rejected as JSON (the recursion limit), with a position inside the nesting, which
/// starts at byte `start` of the one-line document.
fn assert_too_deep(text: &str, start: usize) {
    let err = model(|| Json::parse(text)).unwrap_err();
    assert!(err.message.contains("recursion limit"), "{err}");
    assert_eq!(err.line, 1);
    assert!(
        err.column > start && err.column < start + 1_000,
        "column {} for nesting starting at {start}",
        err.column
    );
}

#[test]
fn deep_arrays_in_a_policy_are_a_json_error() {
    let prefix = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"k":"#;
    let text = format!("{prefix}{}}}}}}}", nested_arrays(DEEP, r#""v""#));
    timed("deep arrays in a policy", || {
        assert_too_deep(&text, prefix.len())
    });
}

#[test]
fn deep_objects_in_a_policy_are_a_json_error() {
    let prefix = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":"#;
    let text = format!("{prefix}{}}}}}", nested_objects(DEEP, "1"));
    timed("deep objects in a policy", || {
        assert_too_deep(&text, prefix.len())
    });
}

#[test]
fn deep_nesting_as_a_whole_document_is_a_json_error() {
    timed("deep document", || {
        assert_too_deep(&nested_arrays(DEEP, ""), 0);
        assert_too_deep(&nested_objects(DEEP, "null"), 0);
        // Unclosed: the limit is reached before the end of input.
        assert_too_deep(&"[".repeat(DEEP), 0);
        assert_too_deep(&r#"{"a":"#.repeat(DEEP), 0);
    });
}

#[test]
fn deep_nesting_in_a_request_is_a_json_error() {
    let prefix =
        r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":{"k":"#;
    let text = format!("{prefix}{}}}}}", nested_arrays(DEEP, "1"));
    timed("deep request", || assert_too_deep(&text, prefix.len()));
    let prefix = r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":"#;
    let text = format!("{prefix}{}}}", nested_objects(DEEP, "1"));
    timed("deep request context", || {
        assert_too_deep(&text, prefix.len())
    });
}

/// Nesting that JSON accepts is a wrong-type error at the path where the nesting starts.
#[test]
fn nesting_below_the_limit_is_a_wrong_type_at_its_path() {
    let value: Value = serde_json::from_str(&nested_arrays(100, r#""v""#)).unwrap();
    let policy = allow(json!({"Action": "*", "Resource": "*",
        "Condition": {"StringEquals": {"k": value.clone()}}}));
    let errs = errors(
        &Json::parse(&policy.to_string()).unwrap(),
        PolicyKind::Identity,
    );
    assert_eq!(
        codes(&errs),
        [(
            "wrong-type",
            "Statement[0].Condition.StringEquals.k[0]".to_owned()
        )]
    );

    let objects: Value = serde_json::from_str(&nested_objects(100, "1")).unwrap();
    let policy = allow(json!({"Action": objects, "Resource": "*"}));
    let errs = errors(
        &Json::parse(&policy.to_string()).unwrap(),
        PolicyKind::Identity,
    );
    assert_eq!(
        codes(&errs),
        [("wrong-type", "Statement[0].Action".to_owned())]
    );

    let r = request("s3:GetObject", "*", json!({"context": {"k": value}}));
    let err = decide(&r, &json!({})).unwrap_err();
    assert!(err.starts_with("request.context.k[0]: expected"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Multi-megabyte strings

fn huge(c: char) -> String {
    std::iter::repeat_n(c, HUGE).collect()
}

#[test]
fn huge_sid_is_accepted_but_over_the_size_quotas() {
    let policy = allow(json!({"Sid": huge('a'), "Action": "s3:GetObject", "Resource": "*"}));
    let json = Json::parse(&policy.to_string()).unwrap();
    // D8: over the customer managed quota an identity policy gets a warning (the document does
    // not say how it is attached); a session policy, an error. Neither stops evaluation.
    let found = timed("huge sid check", || findings(&json, PolicyKind::Identity));
    assert_eq!(
        codes(&found),
        [("quota-managed-policy-size", "(document)".to_owned())]
    );
    assert_eq!(found[0].severity, Severity::Warning);
    let errs = errors(&json, PolicyKind::Session);
    assert_eq!(
        codes(&errs),
        [("quota-policy-size", "(document)".to_owned())]
    );
    let d = timed("huge sid decide", || {
        decision(&request("s3:GetObject", "*", json!({})), &identity(policy))
    });
    assert_eq!(d, Decision::Allow);
}

#[test]
fn huge_invalid_sid_is_an_error_at_its_path() {
    let policy = allow(json!({"Sid": huge('a') + "-", "Action": "*", "Resource": "*"}));
    let errs = timed("huge invalid sid", || {
        errors(
            &Json::parse(&policy.to_string()).unwrap(),
            PolicyKind::Identity,
        )
    });
    assert!(codes(&errs).contains(&("invalid-sid", "Statement[0].Sid".to_owned())));
    let err = decide(&request("s3:GetObject", "*", json!({})), &identity(policy)).unwrap_err();
    assert!(
        err.starts_with("policies.identity[0].Statement[0].Sid: "),
        "{}",
        truncate(&err)
    );
}

#[test]
fn huge_action() {
    let name = huge('a');
    let policy = identity(allow(
        json!({"Action": format!("s3:{name}*"), "Resource": "*"}),
    ));
    timed("huge action", || {
        // Case-insensitive (D10): the request's upper-case name matches the lower-case pattern.
        let long = request(&format!("s3:{}Z", name.to_uppercase()), "*", json!({}));
        assert_eq!(decision(&long, &policy), Decision::Allow);
        let short = request("s3:GetObject", "*", json!({}));
        assert_eq!(decision(&short, &policy), Decision::ImplicitDeny);
    });
}

#[test]
fn huge_action_in_a_request_against_small_patterns() {
    let policy = identity(allow(
        json!({"Action": ["s3:Get*", "s3:*Object", "s3:?"], "Resource": "*"}),
    ));
    timed("huge request action", || {
        let r = request(&format!("s3:Get{}", huge('x')), "*", json!({}));
        assert_eq!(decision(&r, &policy), Decision::Allow);
        let r = request(&format!("s3:{}", huge('x')), "*", json!({}));
        assert_eq!(decision(&r, &policy), Decision::ImplicitDeny);
    });
}

#[test]
fn huge_resource_pattern_against_a_small_resource() {
    let arn = format!("arn:aws:s3:::bucket/{}", huge('k'));
    let policy = identity(allow(json!({"Action": "s3:GetObject", "Resource": arn})));
    timed("huge resource pattern, small resource", || {
        let r = request("s3:GetObject", "arn:aws:s3:::bucket/k", json!({}));
        assert_eq!(decision(&r, &policy), Decision::ImplicitDeny);
    });
}

#[test]
fn huge_resource_against_small_patterns() {
    let arn = format!("arn:aws:s3:::bucket/{}", huge('k'));
    let policy = identity(allow(json!({"Action": "s3:GetObject",
        "Resource": ["arn:aws:s3:::bucket/*", "arn:aws:s3:::other/k*"]})));
    timed("huge resource, small patterns", || {
        let r = request("s3:GetObject", &arn, json!({}));
        assert_eq!(decision(&r, &policy), Decision::Allow);
        let r = request("s3:GetObject", &arn.replace("bucket", "nothere"), json!({}));
        assert_eq!(decision(&r, &policy), Decision::ImplicitDeny);
    });
}

/// A multi-megabyte resource pattern against a multi-megabyte resource: a pattern with no
/// colon-restricted wildcard is matched as a plain glob (linear), not by the automaton.
#[test]
fn huge_resource_pattern_against_a_huge_resource() {
    let arn = format!("arn:aws:s3:::bucket/{}", huge('k'));
    let policy = identity(allow(
        json!({"Action": "s3:GetObject", "Resource": arn.clone()}),
    ));
    timed("huge resource pattern, huge resource", || {
        let r = request("s3:GetObject", &arn, json!({}));
        assert_eq!(decision(&r, &policy), Decision::Allow);
    });
}

/// The same, at 64 KiB: already ~6.7·10⁷ word operations for one statement.
#[test]
fn large_resource_pattern_against_a_large_resource() {
    let key: String = std::iter::repeat_n('k', 64 << 10).collect();
    let arn = format!("arn:aws:s3:::bucket/{key}");
    let policy = identity(allow(
        json!({"Action": "s3:GetObject", "Resource": arn.clone()}),
    ));
    timed("64 KiB resource pattern, 64 KiB resource", || {
        let r = request("s3:GetObject", &arn, json!({}));
        assert_eq!(decision(&r, &policy), Decision::Allow);
        let r = request("s3:GetObject", &format!("{arn}x"), json!({}));
        assert_eq!(decision(&r, &policy), Decision::ImplicitDeny);
    });
}

/// One condition clause `{operator: {key: policy_value}}` in an Allow, and a request whose
/// context sets `key` to `request_value`.
fn condition_case(
    operator: &str,
    key: &str,
    policy_value: Value,
    request_value: Value,
) -> (Value, Value) {
    let policy = identity(allow(json!({"Action": "s3:GetObject", "Resource": "*",
        "Condition": {operator: {key: policy_value}}})));
    let r = request(
        "s3:GetObject",
        "*",
        json!({"context": {key: request_value}}),
    );
    (r, policy)
}

#[test]
fn huge_condition_values() {
    let digits = |c: char| -> String { std::iter::repeat_n(c, HUGE).collect() };
    let base64 = "QUJD".repeat(HUGE / 4);
    let cases: Vec<(&str, Value, Value, Decision)> = vec![
        (
            "StringEquals",
            json!(huge('v')),
            json!(huge('v')),
            Decision::Allow,
        ),
        (
            "StringEquals",
            json!(huge('v')),
            json!("v"),
            Decision::ImplicitDeny,
        ),
        (
            "StringEqualsIgnoreCase",
            json!(huge('v')),
            json!(huge('V')),
            Decision::Allow,
        ),
        (
            "StringLike",
            json!(huge('v') + "*"),
            json!(huge('v') + "tail"),
            Decision::Allow,
        ),
        (
            "StringLike",
            json!("*".to_owned() + &huge('v')),
            json!(huge('v')),
            Decision::Allow,
        ),
        (
            "StringNotLike",
            json!(huge('v') + "?"),
            json!(huge('v')),
            Decision::Allow,
        ),
        (
            "NumericEquals",
            json!(digits('1')),
            json!(digits('1')),
            Decision::Allow,
        ),
        (
            "NumericLessThan",
            json!(digits('9')),
            json!(digits('1')),
            Decision::Allow,
        ),
        (
            "NumericGreaterThan",
            json!(digits('9')),
            json!(digits('1')),
            Decision::ImplicitDeny,
        ),
        (
            "BinaryEquals",
            json!(base64.clone()),
            json!(base64.clone()),
            Decision::Allow,
        ),
        (
            "BinaryEquals",
            json!(base64),
            json!("QUJD"),
            Decision::ImplicitDeny,
        ),
        (
            "Bool",
            json!(huge('t')),
            json!("true"),
            Decision::ImplicitDeny,
        ),
    ];
    for (operator, policy_value, request_value, expected) in cases {
        let (r, p) = condition_case(operator, "my:key", policy_value, request_value);
        let d = timed(&format!("huge {operator} value"), || decision(&r, &p));
        assert_eq!(d, expected, "{operator}");
    }
}

#[test]
fn huge_invalid_typed_condition_values_are_errors_at_their_path() {
    let valid = [
        ("DateEquals", "2020-01-01"),
        ("IpAddress", "10.0.0.0/8"),
        ("NumericEquals", "1"),
        ("BinaryEquals", "QUJD"),
        ("Null", "true"),
    ];
    for (operator, first) in valid {
        let (r, p) = condition_case(operator, "my:key", json!([first, huge('~')]), json!("1"));
        let err = timed(&format!("huge invalid {operator} value"), || {
            decide(&r, &p).unwrap_err()
        });
        let at = format!("policies.identity[0].Statement[0].Condition.{operator}.my:key[1]: ");
        assert!(err.starts_with(&at), "{operator}: {}", truncate(&err));
    }
}

#[test]
fn huge_context_values_against_typed_operators() {
    let cases: Vec<(&str, &str, Value, Decision)> = vec![
        (
            "NumericLessThan",
            "10",
            json!(std::iter::repeat_n('1', HUGE).collect::<String>()),
            Decision::ImplicitDeny,
        ),
        (
            "NumericLessThan",
            "10",
            json!(huge('x')),
            Decision::ImplicitDeny,
        ),
        ("NumericNotEquals", "10", json!(huge('x')), Decision::Allow),
        (
            "DateLessThan",
            "2030-01-01T00:00:00Z",
            json!(huge('9')),
            Decision::ImplicitDeny,
        ),
        (
            "DateLessThan",
            "2030-01-01T00:00:00Z",
            json!(huge('x')),
            Decision::ImplicitDeny,
        ),
        (
            "IpAddress",
            "203.0.113.0/24",
            json!(huge('1')),
            Decision::ImplicitDeny,
        ),
        (
            "NotIpAddress",
            "203.0.113.0/24",
            json!(huge(':')),
            Decision::Allow,
        ),
        (
            "BinaryEquals",
            "QUJD",
            json!("QUJD".repeat(HUGE / 4)),
            Decision::ImplicitDeny,
        ),
        (
            "ArnLike",
            "arn:aws:s3:::b/*",
            json!(format!("arn:aws:s3:::b/{}", huge('k'))),
            Decision::Allow,
        ),
        (
            "ArnLike",
            "arn:aws:s3:::b/*",
            json!(huge(':')),
            Decision::ImplicitDeny,
        ),
        ("Bool", "true", json!(huge('t')), Decision::ImplicitDeny),
    ];
    for (operator, policy_value, request_value, expected) in cases {
        let (r, p) = condition_case(operator, "my:key", json!(policy_value), request_value);
        let d = timed(&format!("huge context value for {operator}"), || {
            decision(&r, &p)
        });
        assert_eq!(d, expected, "{operator}");
    }
}

#[test]
fn huge_condition_and_context_keys() {
    let key = format!("my:{}", huge('k'));
    // Key names are case-insensitive (§3.1): the request spells the key in upper case.
    let (r, p) = condition_case("StringEquals", &key, json!("v"), json!("v"));
    let r = {
        let mut r = r;
        r["context"] = json!({key.to_uppercase(): "v"});
        r
    };
    timed("huge condition key", || {
        assert_eq!(decision(&r, &p), Decision::Allow)
    });
    // A huge key the policy does not name is just ignored; a missing huge key is reported.
    let (r, p) = condition_case("StringEquals", "my:small", json!("v"), json!("v"));
    let mut other = r.clone();
    other["context"] = json!({key.clone(): "v"});
    let answer = timed("huge context key", || decide(&other, &p).unwrap());
    assert_eq!(answer.decision, Decision::ImplicitDeny);
    assert_eq!(answer.missing_keys, ["my:small"]);
    assert_eq!(decision(&r, &p), Decision::Allow);
}

#[test]
fn huge_principal_names() {
    let name = huge('n');
    let r = json!({"principal": user(&name), "action": "s3:ListBucket",
        "resource": format!("arn:aws:s3:::b/{name}/k"),
        "context": {"s3:prefix": format!("home/{name}/docs")}});
    // `${aws:username}` takes the 4 MiB name; ArnLike sees a 4 MiB aws:PrincipalArn.
    let p = identity(allow(json!({"Action": "s3:ListBucket",
        "Resource": "arn:aws:s3:::b/n*",
        "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}/*"},
                      "ArnLike": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/n*"}}})));
    timed("huge principal name", || {
        assert_eq!(decision(&r, &p), Decision::Allow)
    });
}

/// Text full of `${` that never closes is literal text (§3.6): no variable, no quadratic scan.
#[test]
fn huge_unclosed_variables_are_literal_text() {
    for soup in [
        "${".repeat(HUGE / 2),
        "${a".repeat(HUGE / 3),
        "${a, 'x".repeat(HUGE / 7),
    ] {
        let p = identity(allow(json!({"Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::b/{soup}"),
            "Condition": {"StringLike": {"my:key": soup.clone()}}})));
        let r = request(
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            json!({"context": {"my:key": "v"}}),
        );
        let d = timed(&format!("unclosed variables {}", &soup[..7]), || {
            decision(&r, &p)
        });
        assert_eq!(d, Decision::ImplicitDeny);
    }
}

// ---------------------------------------------------------------------------------------------
// Megabyte values in messages: quoted to 200 characters, with how many more there were

const MEGABYTE: usize = 1 << 20;

/// A message that echoes a 1 MiB value: short, and saying how much it left out.
fn assert_shortened(message: &str) {
    assert!(
        message.len() < 2_000,
        "{} bytes: {}",
        message.len(),
        truncate(message)
    );
    assert!(
        message.contains('…') && message.contains(" more characters)"),
        "{}",
        truncate(message)
    );
}

/// Every kind of finding that quotes a value or a key, each with a 1 MiB one (`BIG`): the
/// finding as printed and its message are short. The whole set is also a policy set error.
#[test]
fn megabyte_values_in_findings_are_shortened() {
    let big: String = std::iter::repeat_n('b', MEGABYTE).collect();
    let documents: Vec<(PolicyKind, &str, Value)> = vec![
        // The parser's findings.
        (
            PolicyKind::Identity,
            "unknown-element",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", big.clone(): 1}}),
        ),
        (
            PolicyKind::Identity,
            "unknown-element",
            json!({"Version": "2012-10-17", big.clone(): 1, "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Identity,
            "invalid-version",
            json!({"Version": big.clone(), "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Identity,
            "invalid-effect",
            json!({"Version": "2012-10-17", "Statement": {"Effect": big.clone(), "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Identity,
            "unknown-operator",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {big.clone(): {"k": "v"}}}}),
        ),
        (
            PolicyKind::Resource,
            "invalid-principal",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": big.clone(), "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Resource,
            "invalid-principal",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {big.clone(): "*"}, "Action": "*", "Resource": "*"}}),
        ),
        // Validation's findings.
        (
            PolicyKind::Identity,
            "invalid-sid",
            json!({"Version": "2012-10-17", "Statement": {"Sid": big.clone() + "-", "Effect": "Allow", "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Identity,
            "duplicate-sid",
            json!({"Version": "2012-10-17", "Statement": [{"Sid": big.clone(), "Effect": "Allow", "Action": "*", "Resource": "*"}, {"Sid": big.clone(), "Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        ),
        (
            PolicyKind::Identity,
            "invalid-action",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": big.clone(), "Resource": "*"}}),
        ),
        (
            PolicyKind::Identity,
            "invalid-action",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": format!("s3:{big}!"), "Resource": "*"}}),
        ),
        (
            PolicyKind::Trust,
            "trust-action",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": format!("s3:{big}")}}),
        ),
        (
            PolicyKind::Rcp,
            "rcp-action",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": format!("ec2:{big}"), "Resource": "*"}}),
        ),
        (
            PolicyKind::Identity,
            "invalid-resource",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": big.clone()}}),
        ),
        (
            PolicyKind::Identity,
            "short-arn",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": format!("arn:{big}")}}),
        ),
        (
            PolicyKind::Resource,
            "principal-wildcard",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": format!("{big}*")}, "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Resource,
            "invalid-principal",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"AWS": big.clone()}, "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Resource,
            "unusual-service-principal",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"Service": big.clone()}, "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Resource,
            "invalid-canonical-user",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": {"CanonicalUser": big.clone()}, "Action": "*", "Resource": "*"}}),
        ),
        (
            PolicyKind::Identity,
            "invalid-condition-value",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"k": big.clone()}}}}),
        ),
        (
            PolicyKind::Identity,
            "variable-not-allowed",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"NumericEquals": {"k": format!("${{{big}}}")}}}}),
        ),
        (
            PolicyKind::Identity,
            "for-all-values-without-null",
            json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"ForAllValues:StringEquals": {big.clone(): "v"}}}}),
        ),
    ];
    timed("megabyte values in findings", || {
        for (kind, code, document) in documents {
            let json = Json::parse(&document.to_string()).unwrap();
            let found = findings(&json, kind);
            let finding = found
                .iter()
                .find(|f| f.code == code)
                .unwrap_or_else(|| panic!("no {code} in {:?}", codes(&found)));
            assert_shortened(&finding.to_string());
            assert!(
                finding.message.len() < 1_000,
                "{code}: {}",
                truncate(&finding.message)
            );
            // The whole finding as `validate --json` prints it: the path is shortened too.
            assert!(
                serde_json::to_string(finding).unwrap().len() < 2_000,
                "{code}"
            );
            if finding.is_error() {
                let at = match kind {
                    PolicyKind::Resource => "resource",
                    PolicyKind::Trust => "resource",
                    PolicyKind::Rcp => "rcp",
                    _ => "identity",
                };
                let policies = match at {
                    "rcp" => json!({"rcp": [[document]]}),
                    "resource" => json!({"resource": document}),
                    _ => json!({"identity": [document]}),
                };
                let r = request("s3:GetObject", "*", json!({}));
                let err = decide(&r, &policies).unwrap_err();
                assert_shortened(&err);
            }
        }
    });
}

/// Every request error that quotes a value, with a 1 MiB one.
#[test]
fn megabyte_values_in_request_errors_are_shortened() {
    let big: String = std::iter::repeat_n('b', MEGABYTE).collect();
    let requests = [
        json!({"principal": big.clone(), "action": "s3:GetObject", "resource": "*"}),
        json!({"principal": format!("arn:aws:iam::{big}:user/a"), "action": "s3:GetObject", "resource": "*"}),
        json!({"principal": format!("arn:{big}"), "action": "s3:GetObject", "resource": "*"}),
        json!({"principal": user("alice"), "principal_arn": format!("arn:aws:iam::111122223333:user/{big}"), "action": "s3:GetObject", "resource": "*"}),
        json!({"principal": user("alice"), "action": big.clone(), "resource": "*"}),
        json!({"principal": user("alice"), "action": "s3:GetObject", "resource": big.clone()}),
        json!({"principal": user("alice"), "action": "s3:GetObject", "resource": "*", "resource_account": big.clone()}),
    ];
    timed("megabyte values in request errors", || {
        for r in requests {
            let err = decide(&r, &json!({})).unwrap_err();
            assert_shortened(&err);
        }
    });
}

/// The answer's sentence in AWS's wording and its matched statements quote the request and the
/// Sid: shortened too.
#[test]
fn megabyte_values_in_answers_are_shortened() {
    let big: String = std::iter::repeat_n('b', MEGABYTE).collect();
    let r = json!({"principal": user(&big), "action": format!("s3:{big}"),
        "resource": format!("arn:aws:s3:::{big}")});
    let p = identity(
        json!({"Version": "2012-10-17", "Statement": {"Sid": big.clone(),
        "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}),
    );
    let (request, answer) = timed("megabyte values in an answer", || {
        let request = Request::from_json(
            &Json::parse(&r.to_string()).unwrap(),
            &JsonPath::root().key("request"),
        )
        .unwrap();
        (request, decide(&r, &p).unwrap())
    });
    assert_eq!(answer.decision, Decision::ExplicitDeny);
    let message = answer.message(&request);
    assert!(message.len() < 2_000, "{}", truncate(&message));
    assert_eq!(
        message.matches(" more characters)").count(),
        3,
        "{}",
        truncate(&message)
    );
    assert_shortened(&answer.matched[0].to_string());
}

// ---------------------------------------------------------------------------------------------
// 100,000 of everything

#[test]
fn hundred_thousand_statements() {
    let statements: Vec<Value> = (0..MANY)
        .map(|i| json!({"Sid": format!("S{i}"), "Effect": "Allow", "Action": format!("s3:Action{i}"), "Resource": "*"}))
        .collect();
    let policy = json!({"Version": "2012-10-17", "Statement": statements});
    let json = Json::parse(&policy.to_string()).unwrap();
    let found = timed("100k statements check", || {
        findings(&json, PolicyKind::Identity)
    });
    // Only the size (a warning, D8): 100,000 distinct Sids, actions and one resource are fine.
    assert_eq!(
        codes(&found),
        [("quota-managed-policy-size", "(document)".to_owned())]
    );
    let policies = identity(policy.clone()).to_string();
    let r = request("s3:Action99999", "*", json!({})).to_string();
    let answer = timed("100k statements decide", || {
        decide_text(&r, &policies).unwrap()
    });
    assert_eq!(answer.decision, Decision::Allow);
    assert_eq!(answer.matched.len(), 1);
    assert_eq!(answer.matched[0].statement, MANY - 1);
    assert_eq!(answer.matched[0].sid.as_deref(), Some("S99999"));
    let d = decision(
        &request("s3:Action100000", "*", json!({})),
        &identity(policy),
    );
    assert_eq!(d, Decision::ImplicitDeny);
}

#[test]
fn hundred_thousand_statements_across_every_kind() {
    // 20,000 in each of six policies: 120,000 statements in all.
    let statements = |principal: bool, effect: &str| -> Value {
        let list: Vec<Value> = (0..MANY / 5)
            .map(|i| {
                let mut s =
                    json!({"Effect": effect, "Action": format!("s3:Action{i}"), "Resource": "*"});
                if principal {
                    s["Principal"] = json!("*");
                }
                s
            })
            .collect();
        json!({"Version": "2012-10-17", "Statement": list})
    };
    let everything = allow(json!({"Action": "*", "Resource": "*"}));
    let rcp_full_access = allow(json!({"Principal": "*", "Action": "*", "Resource": "*"}));
    // SCPs and RCPs this large are over their 5,120-character quota: refused, fast (D63).
    let r = request("s3:Action17777", "arn:aws:s3:::b/k", json!({})).to_string();
    let over_quota = json!({
        "identity": [statements(false, "Allow")],
        "scp": [[statements(false, "Allow")], [everything.clone()]],
        "rcp": [[rcp_full_access.clone(), statements(true, "Deny")]],
    })
    .to_string();
    let refused = timed("120k statements, SCP and RCP over quota", || {
        decide_text(&r, &over_quota)
    });
    assert!(refused.is_err());
    let deny_one = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:Action17777", "Resource": "*"}]});
    let policies = json!({
        "identity": [statements(false, "Allow"), statements(false, "Allow")],
        "permission_boundary": statements(false, "Allow"),
        "resource": statements(true, "Allow"),
        "scp": [[everything]],
        "rcp": [[rcp_full_access, deny_one]],
        "vpc_endpoint": statements(true, "Allow"),
    });
    let policies = policies.to_string();
    let answer = timed("100k statements across every kind", || {
        decide_text(&r, &policies).unwrap()
    });
    assert_eq!(answer.decision, Decision::ExplicitDeny);
    assert_eq!(answer.deciding, Some(PolicyKind::Rcp));
}

#[test]
fn hundred_thousand_policies() {
    let policies: Vec<Value> = (0..MANY)
        .map(|i| allow(json!({"Action": format!("s3:Action{i}"), "Resource": "*"})))
        .collect();
    let policies = json!({"identity": policies}).to_string();
    let r = request("s3:Action5", "*", json!({})).to_string();
    let answer = timed("100k identity policies", || {
        decide_text(&r, &policies).unwrap()
    });
    assert_eq!(answer.decision, Decision::Allow);
    assert_eq!(answer.matched[0].policy, 5);
}

#[test]
fn hundred_thousand_actions_and_resources() {
    let actions: Vec<String> = (0..MANY).map(|i| format!("s3:Get{i}*")).collect();
    let resources: Vec<String> = (0..MANY).map(|i| format!("arn:aws:s3:::b{i}/*")).collect();
    let p = identity(allow(json!({"Action": actions, "Resource": resources})));
    timed("100k actions and resources", || {
        let r = request("s3:Get99999Object", "arn:aws:s3:::b99999/k", json!({}));
        assert_eq!(decision(&r, &p), Decision::Allow);
        let r = request("s3:PutObject", "arn:aws:s3:::b99999/k", json!({}));
        assert_eq!(decision(&r, &p), Decision::ImplicitDeny);
    });
}

#[test]
fn hundred_thousand_condition_keys() {
    let keys: serde_json::Map<String, Value> = (0..MANY)
        .map(|i| (format!("my:key{i}"), json!(format!("v{i}"))))
        .collect();
    let context: serde_json::Map<String, Value> = (0..MANY)
        .map(|i| (format!("my:KEY{i}"), json!(format!("v{i}"))))
        .collect();
    let p = identity(allow(json!({"Action": "s3:GetObject", "Resource": "*",
        "Condition": {"StringEquals": keys}})));
    let r = request("s3:GetObject", "*", json!({"context": context}));
    let d = timed("100k condition keys", || decision(&r, &p));
    assert_eq!(d, Decision::Allow);
}

/// 100,000 clauses whose keys are all missing: each key is reported once; the 50,000
/// `ForAllValues` clauses of the Allow are each warned about (no `Null` check beside them).
#[test]
fn hundred_thousand_missing_keys_and_for_all_values_clauses() {
    let keys = |range: std::ops::Range<usize>| -> serde_json::Map<String, Value> {
        range.map(|i| (format!("my:key{i}"), json!("v"))).collect()
    };
    let p = identity(allow(json!({"Action": "s3:GetObject", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": keys(0..MANY / 2),
                      "StringEqualsIfExists": keys(MANY / 2..MANY)}})));
    let json = Json::parse(&p["identity"][0].to_string()).unwrap();
    let findings = timed("50k ForAllValues clauses check", || {
        model(|| check(&json, PolicyKind::Identity, None)).1
    });
    let warnings = findings
        .iter()
        .filter(|f| f.code == "for-all-values-without-null")
        .count();
    assert_eq!(warnings, MANY / 2);
    let answer = timed("100k missing keys", || {
        decide(&request("s3:GetObject", "*", json!({})), &p).unwrap()
    });
    // ForAllValues and IfExists both hold for absent keys (§3.4, §3.5).
    assert_eq!(answer.decision, Decision::Allow);
    assert_eq!(answer.missing_keys.len(), MANY);
}

#[test]
fn hundred_thousand_operators_and_unknown_elements() {
    let operators: serde_json::Map<String, Value> = (0..MANY)
        .map(|i| (format!("StringEquals{i}"), json!({"k": "v"})))
        .collect();
    let policy = allow(json!({"Action": "*", "Resource": "*", "Condition": operators}));
    let errs = timed("100k unknown operators", || {
        errors(
            &Json::parse(&policy.to_string()).unwrap(),
            PolicyKind::Identity,
        )
    });
    assert_eq!(errs.len(), MANY);
    assert!(errs.iter().all(|f| f.code == "unknown-operator"));

    let mut statement = json!({"Effect": "Allow", "Action": "*", "Resource": "*"});
    for i in 0..MANY {
        statement[format!("Extra{i}")] = json!(i);
    }
    let policy = json!({"Statement": statement});
    let errs = timed("100k unknown statement elements", || {
        errors(
            &Json::parse(&policy.to_string()).unwrap(),
            PolicyKind::Identity,
        )
    });
    assert_eq!(errs.len(), MANY);
    assert!(errs.iter().all(|f| f.code == "unknown-element"
        && f.path.segments().first() == Some(&Segment::Key("Statement".into()))));
}

#[test]
fn hundred_thousand_duplicate_keys() {
    // serde_json's map would keep only one; build the text directly.
    let members = vec![r#""Effect":"Allow""#; MANY].join(",");
    let text = format!(r#"{{"Statement":{{{members},"Action":"*","Resource":"*"}}}}"#);
    let errs = timed("100k duplicate keys", || {
        errors(&Json::parse(&text).unwrap(), PolicyKind::Identity)
    });
    assert_eq!(errs.len(), MANY - 1);
    assert!(errs.iter().all(|f| f.code == "duplicate-key"));
    assert_eq!(errs[0].path, path("Statement.Effect"));
}

#[test]
fn hundred_thousand_context_keys_and_values() {
    let context: serde_json::Map<String, Value> = (0..MANY)
        .map(|i| (format!("my:key{i}"), json!(i)))
        .collect();
    let values: Vec<String> = (0..MANY).map(|i| format!("v{i}")).collect();
    let mut r = request("s3:GetObject", "*", json!({"context": context}));
    r["context"]["aws:TagKeys"] = json!(values);
    let p = identity(allow(json!({"Action": "s3:GetObject", "Resource": "*",
        "Condition": {"ForAnyValue:StringEquals": {"aws:TagKeys": "v99999"},
                      "NumericEquals": {"my:key99999": 99999}}})));
    let d = timed("100k context keys and values", || decision(&r, &p));
    assert_eq!(d, Decision::Allow);
}

/// A set operator that compared every request value with every policy value would make 10¹⁰
/// comparisons here; equality operators look the request values up instead.
#[test]
fn set_operators_with_hundred_thousand_values_on_both_sides() {
    let policy_values: Vec<String> = (0..MANY).map(|i| format!("p{i}")).collect();
    let none: Vec<String> = (0..MANY).map(|i| format!("r{i}")).collect();
    // The last request value is one of the policy's, in another case.
    let mut one = none.clone();
    if let Some(last) = one.last_mut() {
        *last = "P99999".into();
    }
    let cases = [
        (&none, "ForAnyValue:StringEquals", Decision::ImplicitDeny),
        (&none, "ForAllValues:StringEquals", Decision::ImplicitDeny),
        (&none, "ForAnyValue:StringNotEquals", Decision::Allow),
        (
            &none,
            "ForAnyValue:StringEqualsIgnoreCase",
            Decision::ImplicitDeny,
        ),
        (&one, "ForAnyValue:StringEquals", Decision::ImplicitDeny),
        (&one, "ForAnyValue:StringEqualsIgnoreCase", Decision::Allow),
    ];
    for (request_values, operator, expected) in cases {
        let (r, p) = condition_case(
            operator,
            "aws:TagKeys",
            json!(policy_values),
            json!(request_values),
        );
        let last = request_values.last();
        let name = format!("100k x 100k {operator}, last request value {last:?}");
        let d = timed(&name, || decision(&r, &p));
        assert_eq!(d, expected, "{operator}");
    }
}

#[test]
fn set_operators_with_a_thousand_values_on_both_sides() {
    const N: usize = 1_000;
    let policy_values: Vec<String> = (0..N).map(|i| format!("p{i}*")).collect();
    let request_values: Vec<String> = (0..N).map(|i| format!("r{i}")).collect();
    for operator in [
        "ForAnyValue:StringLike",
        "ForAllValues:StringLike",
        "ForAnyValue:StringEquals",
    ] {
        let (r, p) = condition_case(
            operator,
            "aws:TagKeys",
            json!(policy_values),
            json!(request_values),
        );
        let d = timed(&format!("1k x 1k {operator}"), || decision(&r, &p));
        assert_eq!(d, Decision::ImplicitDeny, "{operator}");
    }
}

// ---------------------------------------------------------------------------------------------
// Patterns built to make a backtracking matcher blow up, against 200,000-character subjects

const PATTERNS: [&str; 4] = [
    "*a*a*a*a*a*a*a*a*b",
    "*a?a?a?a?a?a?a?a?b",
    "*?*?*?*?*?*?*?*?*?*?*?*?b",
    "a*a?a*a?a*a?a*a?a*a?a*a?a*b",
];

fn a_run(n: usize) -> String {
    std::iter::repeat_n('a', n).collect()
}

/// A `?`-heavy pattern: 1,000 `?`, a `*`, 1,000 `?`, then `b`.
fn question_heavy() -> String {
    "?".repeat(1_000) + "*" + &"?".repeat(1_000) + "b"
}

fn hostile_patterns() -> Vec<String> {
    let mut patterns: Vec<String> = PATTERNS.iter().map(|p| (*p).to_owned()).collect();
    patterns.push(question_heavy());
    patterns
}

#[test]
fn hostile_action_patterns() {
    for pattern in hostile_patterns() {
        let p = identity(allow(
            json!({"Action": format!("s3:{pattern}"), "Resource": "*"}),
        ));
        timed(&format!("action {}", truncate(&pattern)), || {
            let no_b = request(&format!("s3:{}", a_run(SUBJECT)), "*", json!({}));
            assert_eq!(decision(&no_b, &p), Decision::ImplicitDeny, "{pattern}");
            // Actions are case-insensitive (D10): `B` ends the subject.
            let with_b = request(&format!("s3:{}B", a_run(SUBJECT)), "*", json!({}));
            assert_eq!(decision(&with_b, &p), Decision::Allow, "{pattern}");
        });
    }
}

#[test]
fn hostile_resource_patterns_in_the_sixth_field() {
    for pattern in hostile_patterns() {
        let p = identity(allow(
            json!({"Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{pattern}")}),
        ));
        timed(&format!("resource {}", truncate(&pattern)), || {
            let arn = format!("arn:aws:s3:::{}", a_run(SUBJECT));
            let no_b = request("s3:GetObject", &arn, json!({}));
            assert_eq!(decision(&no_b, &p), Decision::ImplicitDeny, "{pattern}");
            let with_b = request("s3:GetObject", &format!("{arn}b"), json!({}));
            assert_eq!(decision(&with_b, &p), Decision::Allow, "{pattern}");
            // Case-sensitive (D11).
            let upper = request("s3:GetObject", &format!("{arn}B"), json!({}));
            assert_eq!(decision(&upper, &p), Decision::ImplicitDeny, "{pattern}");
        });
    }
}

/// D11: in the sixth field `*` and `?` cross `:`; in the first five a `*` inside a field does
/// not, and `?` never does.
#[test]
fn hostile_resource_patterns_against_colons() {
    let colons = "a:".repeat(SUBJECT / 2);
    let sixth = identity(allow(json!({"Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::*a*a*a*a*a*a*a*a*b"})));
    let fifth = identity(allow(json!({"Action": "s3:GetObject",
        "Resource": "arn:aws:s3:*a*a*a*a*a*a*a*a*b"})));
    timed("resource patterns against colons", || {
        let r = request(
            "s3:GetObject",
            &format!("arn:aws:s3:::{colons}b"),
            json!({}),
        );
        assert_eq!(decision(&r, &sixth), Decision::Allow);
        assert_eq!(decision(&r, &fifth), Decision::ImplicitDeny);
        let r = request("s3:GetObject", &format!("arn:aws:s3:::{colons}"), json!({}));
        assert_eq!(decision(&r, &sixth), Decision::ImplicitDeny);
    });
}

#[test]
fn hostile_resource_patterns_in_the_region_field() {
    for pattern in hostile_patterns() {
        let p = identity(allow(json!({"Action": "ec2:StartInstances",
            "Resource": format!("arn:aws:ec2:{pattern}:111122223333:instance/i-1")})));
        timed(&format!("region {}", truncate(&pattern)), || {
            let arn = |region: &str| format!("arn:aws:ec2:{region}:111122223333:instance/i-1");
            let no_b = request("ec2:StartInstances", &arn(&a_run(SUBJECT)), json!({}));
            assert_eq!(decision(&no_b, &p), Decision::ImplicitDeny, "{pattern}");
            let with_b = request(
                "ec2:StartInstances",
                &arn(&(a_run(SUBJECT) + "b")),
                json!({}),
            );
            assert_eq!(decision(&with_b, &p), Decision::Allow, "{pattern}");
        });
    }
}

#[test]
fn hostile_string_like_conditions() {
    for pattern in hostile_patterns() {
        for operator in [
            "StringLike",
            "StringNotLike",
            "ForAnyValue:StringLike",
            "ForAllValues:StringLike",
        ] {
            let negated = operator == "StringNotLike";
            let (no_b, p) = condition_case(
                operator,
                "aws:UserAgent",
                json!(pattern),
                json!(a_run(SUBJECT)),
            );
            let d = timed(&format!("{operator} {}", truncate(&pattern)), || {
                decision(&no_b, &p)
            });
            let want = if negated {
                Decision::Allow
            } else {
                Decision::ImplicitDeny
            };
            assert_eq!(d, want, "{operator} {pattern}");
            let (with_b, p) = condition_case(
                operator,
                "aws:UserAgent",
                json!(pattern),
                json!(a_run(SUBJECT) + "b"),
            );
            let want = if negated {
                Decision::ImplicitDeny
            } else {
                Decision::Allow
            };
            assert_eq!(decision(&with_b, &p), want, "{operator} {pattern}");
        }
    }
}

#[test]
fn hostile_string_like_against_many_long_values() {
    let values: Vec<String> = (0..10).map(|_| a_run(SUBJECT)).collect();
    for pattern in hostile_patterns() {
        let (r, p) = condition_case(
            "ForAnyValue:StringLike",
            "aws:TagKeys",
            json!([pattern, pattern.replace('b', "c")]),
            json!(values),
        );
        let d = timed(
            &format!("ForAnyValue 10 x 200k {}", truncate(&pattern)),
            || decision(&r, &p),
        );
        assert_eq!(d, Decision::ImplicitDeny, "{pattern}");
    }
}

#[test]
fn hostile_arn_like_conditions() {
    for pattern in hostile_patterns() {
        let p = identity(allow(json!({"Action": "s3:GetObject", "Resource": "*",
            "Condition": {"ArnLike": {"aws:PrincipalArn": format!("arn:aws:iam::111122223333:user/{pattern}")}}})));
        timed(&format!("ArnLike {}", truncate(&pattern)), || {
            let who = |name: &str| json!({"principal": user(name)});
            let no_b = request("s3:GetObject", "*", who(&a_run(SUBJECT)));
            assert_eq!(decision(&no_b, &p), Decision::ImplicitDeny, "{pattern}");
            let with_b = request("s3:GetObject", "*", who(&(a_run(SUBJECT) + "b")));
            assert_eq!(decision(&with_b, &p), Decision::Allow, "{pattern}");
        });
    }
}

/// Hostile patterns as long as the subject: 100,000 `*a` pairs.
#[test]
fn long_hostile_patterns() {
    let pattern = "*a".repeat(SUBJECT / 2) + "*b";
    let action = identity(allow(
        json!({"Action": format!("s3:{pattern}"), "Resource": "*"}),
    ));
    let condition = condition_case(
        "StringLike",
        "aws:UserAgent",
        json!(pattern),
        json!(a_run(SUBJECT)),
    );
    timed("long hostile action and StringLike patterns", || {
        let r = request(&format!("s3:{}", a_run(SUBJECT)), "*", json!({}));
        assert_eq!(decision(&r, &action), Decision::ImplicitDeny);
        assert_eq!(decision(&condition.0, &condition.1), Decision::ImplicitDeny);
    });
}

/// The same as a resource pattern (a plain glob in the sixth field: linear).
#[test]
fn long_hostile_resource_patterns() {
    let pattern = "*a".repeat(SUBJECT / 2) + "*b";
    let p = identity(allow(
        json!({"Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{pattern}")}),
    ));
    timed("long hostile resource pattern", || {
        let r = request(
            "s3:GetObject",
            &format!("arn:aws:s3:::{}", a_run(SUBJECT)),
            json!({}),
        );
        assert_eq!(decision(&r, &p), Decision::ImplicitDeny);
    });
}

// ---------------------------------------------------------------------------------------------
// Wrong JSON types everywhere, generated: every node of a document replaced by each JSON type

/// Every mutation of `template` (JSON text): the document, the path replaced, and the sample,
/// from the generator the CLI's hostile tests share.
fn mutations(template: &str) -> Vec<(Json, JsonPath, Json)> {
    hostile::mutations(&Json::parse(template).unwrap())
        .into_iter()
        .map(|m| (m.document, m.at, m.sample))
        .collect()
}

const RESOURCE_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Id": "doc",
  "Statement": [
    {
      "Sid": "Grant",
      "Effect": "Allow",
      "Principal": {"AWS": ["arn:aws:iam::111122223333:user/alice", "444455556666"], "Service": "s3.amazonaws.com"},
      "Action": ["s3:GetObject", "s3:List*"],
      "Resource": ["arn:aws:s3:::bucket/${aws:username}/*"],
      "Condition": {
        "StringEquals": {"aws:PrincipalTag/team": ["red", "blue"]},
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"},
        "ForAnyValue:StringLike": {"aws:TagKeys": ["team*", "cost?"]}
      }
    },
    {
      "Sid": "Fence",
      "Effect": "Deny",
      "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
      "NotAction": "s3:Get*",
      "NotResource": "arn:aws:s3:::bucket/public/*",
      "Condition": {"NumericGreaterThan": {"s3:max-keys": 10}, "Null": {"aws:TagKeys": false}}
    }
  ]
}"#;

const IDENTITY_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": {
    "Sid": "Read",
    "Effect": "Allow",
    "Action": "s3:GetObject",
    "Resource": "arn:aws:s3:::bucket/*",
    "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": true}}
  }
}"#;

/// Replacing any node of a policy with any JSON type gives errors only at or under that node;
/// `null`, `[]` and `{}` (except as the whole `Condition`) always give one. When the policy is
/// still valid it is evaluated.
#[test]
fn wrong_types_everywhere_in_a_policy() {
    let r = Request::from_json(
        &Json::parse(
            &request("s3:GetObject", "arn:aws:s3:::bucket/alice/k", json!({})).to_string(),
        )
        .unwrap(),
        &JsonPath::root(),
    )
    .unwrap();
    let mut checked = 0;
    timed("wrong types in a policy", || {
        for (template, kind) in [
            (RESOURCE_POLICY, PolicyKind::Resource),
            (IDENTITY_POLICY, PolicyKind::Identity),
        ] {
            // The template itself is valid.
            assert_eq!(codes(&errors(&Json::parse(template).unwrap(), kind)), []);
            for (doc, at, sample) in mutations(template) {
                let (policy, findings) = model(|| check(&doc, kind, None));
                let errs: Vec<&Finding> = findings.iter().filter(|f| f.is_error()).collect();
                for e in &errs {
                    assert!(
                        is_under(&e.path, &at),
                        "{at} := {}: error elsewhere: {e}",
                        sample.to_compact_string()
                    );
                }
                let must_fail = match &sample {
                    Json::Null => true,
                    Json::Array(items) => items.is_empty(),
                    Json::Object(members) => {
                        !(members.is_empty()
                            && at.segments().last() == Some(&Segment::Key("Condition".into())))
                    }
                    _ => false,
                };
                if must_fail {
                    assert!(
                        !errs.is_empty(),
                        "{at} := {}: accepted",
                        sample.to_compact_string()
                    );
                }
                if errs.is_empty() {
                    let mut set = PolicySet::default();
                    match kind {
                        PolicyKind::Resource => {
                            set.resource = policy;
                            set.resource_kind = Some(kind);
                        }
                        _ => set.identity = policy.into_iter().collect(),
                    }
                    let _ = model(|| reference::authorize(&set, &r));
                }
                checked += 1;
            }
        }
    });
    eprintln!("wrong types in a policy: {checked} mutations");
    assert!(checked > 400, "{checked}");
}

const REQUEST: &str = r#"{
  "principal": "arn:aws:sts::111122223333:assumed-role/Dev/alice",
  "principal_arn": "arn:aws:iam::111122223333:role/team/Dev",
  "action": "s3:GetObject",
  "resource": "arn:aws:s3:::bucket/alice/k",
  "resource_account": "111122223333",
  "context": {
    "aws:SourceIp": "203.0.113.7",
    "aws:TagKeys": ["team", "cost"],
    "aws:MultiFactorAuthPresent": true,
    "s3:max-keys": 5
  }
}"#;

fn request_error_path(e: &RequestError) -> &JsonPath {
    match e {
        RequestError::WrongType { path, .. }
        | RequestError::MissingField { path, .. }
        | RequestError::UnknownField { path }
        | RequestError::DuplicateField { path }
        | RequestError::InvalidPrincipal { path, .. }
        | RequestError::InvalidAction { path, .. }
        | RequestError::InvalidResource { path, .. }
        | RequestError::InvalidAccount { path, .. }
        | RequestError::ListForSingleValuedKey { path, .. }
        | RequestError::WrongKeyType { path, .. }
        | RequestError::ImpossibleKey { path, .. }
        | RequestError::ContradictsPrincipal { path, .. }
        | RequestError::ContradictsResource { path, .. } => path,
    }
}

fn policy_set_error_path(e: &PolicySetError) -> &JsonPath {
    match e {
        PolicySetError::WrongType { path, .. }
        | PolicySetError::UnknownField { path }
        | PolicySetError::DuplicateField { path }
        | PolicySetError::InvalidPolicy { path, .. } => path,
    }
}

/// Replacing any field of a request with any JSON type is an error at that field, or a request
/// that is then decided. `null` is never accepted.
#[test]
fn wrong_types_everywhere_in_a_request() {
    let id: Value = serde_json::from_str(IDENTITY_POLICY).unwrap();
    let policies = Json::parse(&json!({"identity": [id]}).to_string()).unwrap();
    let request_at = JsonPath::root().key("request");
    let mut checked = 0;
    timed("wrong types in a request", || {
        for (doc, at, sample) in mutations(REQUEST) {
            let at = request_at.join(&at);
            match model(|| Request::from_json(&doc, &request_at)) {
                Err(e) => {
                    assert!(
                        is_under(request_error_path(&e), &at),
                        "{at} := {}: {e}",
                        sample.to_compact_string()
                    );
                }
                Ok(r) => {
                    assert_ne!(sample, Json::Null, "{at} := null: accepted");
                    let set =
                        PolicySet::from_json(&policies, &JsonPath::root(), &r.action).unwrap();
                    let _ = reference::authorize(&set, &r);
                }
            }
            checked += 1;
        }
    });
    assert!(checked > 100, "{checked}");
}

/// The same for the `policies` object of a case, every kind of policy in it.
#[test]
fn wrong_types_everywhere_in_a_policy_set() {
    let id: Value = serde_json::from_str(IDENTITY_POLICY).unwrap();
    let res: Value = serde_json::from_str(RESOURCE_POLICY).unwrap();
    let everything = allow(json!({"Action": "*", "Resource": "*"}));
    let rcp = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
        "Action": "s3:*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:SecureTransport": "false"}}}]});
    let template = json!({
        "identity": [id.clone()],
        "permission_boundary": id.clone(),
        "session": [id],
        "resource": res,
        "scp": [[everything.clone()], [everything]],
        "rcp": [[rcp]],
        "vpc_endpoint": {"Statement": {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}},
    })
    .to_string();
    let r = Request::from_json(&Json::parse(REQUEST).unwrap(), &JsonPath::root()).unwrap();
    let policies_at = JsonPath::root().key("policies");
    let mut checked = 0;
    timed("wrong types in a policy set", || {
        for (doc, at, sample) in mutations(&template) {
            let at = policies_at.join(&at);
            match model(|| PolicySet::from_json(&doc, &policies_at, &r.action)) {
                Err(e) => {
                    assert!(
                        is_under(policy_set_error_path(&e), &at),
                        "{at} := {}: {e}",
                        sample.to_compact_string()
                    );
                }
                Ok(set) => {
                    assert_ne!(sample, Json::Null, "{at} := null: accepted");
                    let _ = model(|| reference::authorize(&set, &r));
                }
            }
            checked += 1;
        }
    });
    assert!(checked > 800, "{checked}");
}

// ---------------------------------------------------------------------------------------------
// Empty and almost-empty input

#[test]
fn empty_and_blank_text_is_a_json_error() {
    for text in ["", " ", "\n\n", "\u{feff}", "\u{0}"] {
        let err = Json::parse(text).unwrap_err();
        assert!(err.line >= 1, "{text:?}: {err}");
    }
    let err = Json::parse("").unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid JSON at line 1, column 0: EOF while parsing a value"
    );
}

#[test]
fn empty_documents_are_errors_at_the_document() {
    for (text, code) in [
        ("{}", "missing-element"),
        ("[]", "wrong-type"),
        ("null", "wrong-type"),
        ("\"\"", "wrong-type"),
    ] {
        let errs = errors(&Json::parse(text).unwrap(), PolicyKind::Identity);
        assert_eq!(codes(&errs), [(code, "(document)".to_owned())], "{text}");
    }
    let err = decide_text("{}", "{}").unwrap_err();
    assert_eq!(err, "request: the request has no `principal`");
    let err = decide_text(
        r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*"}"#,
        "[]",
    )
    .unwrap_err();
    assert_eq!(err, "policies: expected an object, found array");
}
