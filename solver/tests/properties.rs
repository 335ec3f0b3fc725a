//! Property tests of the solver against the reference evaluator.
//!
//! 1. Rewrites: a policy and a rewritten form that must mean the same (statements split,
//!    merged, reordered and duplicated, action patterns expanded through the catalogue, scalar and
//!    list forms, subsumed statements, equivalent condition forms) come back equivalent, placed as
//!    every kind of policy the generator draws.
//! 2. Random pairs: whenever the solver says two generated policies are equivalent, 1,000
//!    sampled requests (inside the solver's domain) get the same decision from both; whenever it
//!    says they differ, its witnesses replayed (the solver checks that itself, and reports a
//!    failed replay as an error, which fails the test).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::{check, PolicyKind};
use iamspec_model::testing::strategy::{self, Mode};
use iamspec_model::{reference, Request};
use iamspec_solver::harness::place;
use iamspec_solver::rewrite::{self, rewrite, Mutation, REWRITES};
use iamspec_solver::{equivalent, request_in_domain, Options, Verdict};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{json, Value};
use std::time::Duration;

const ACTIONS: [&str; 12] = [
    "s3:GetObject",
    "s3:PutObject",
    "s3:Get*",
    "s3:*Object",
    "s3:GetObject?cl",
    "iam:PassRole",
    "kms:Decrypt",
    "kms:*",
    "sts:AssumeRole",
    "ec2:Describe*",
    "sqs:SendMessage",
    "*",
];

const RESOURCES: [&str; 9] = [
    "*",
    "arn:aws:s3:::bucket-a/*",
    "arn:aws:s3:::bucket-a",
    "arn:aws:s3:::bucket-?/*",
    "arn:aws:s3:*",
    "arn:aws:iam::111122223333:role/*",
    "arn:aws:kms:*:111122223333:key/*",
    "arn:aws:sqs:us-east-1:444455556666:queue-a",
    "arn:aws:s3:::bucket-b/${aws:username}/*",
];

/// Condition clauses, each with equivalent spellings of the same test.
fn conditions() -> Vec<Vec<(&'static str, &'static str, Vec<&'static str>)>> {
    vec![
        vec![
            ("StringEquals", "aws:PrincipalTag/team", vec!["red", "blue"]),
            ("StringEquals", "AWS:principaltag/TEAM", vec!["blue", "red"]),
        ],
        vec![
            ("StringEquals", "s3:prefix", vec!["home/"]),
            ("StringLike", "s3:prefix", vec!["home/"]),
        ],
        vec![
            ("StringLike", "s3:prefix", vec!["home/*"]),
            ("StringLike", "s3:prefix", vec!["home/**"]),
        ],
        vec![
            (
                "StringNotEquals",
                "aws:PrincipalAccount",
                vec!["111122223333"],
            ),
            (
                "StringNotLike",
                "aws:PrincipalAccount",
                vec!["111122223333"],
            ),
        ],
        vec![
            ("NumericLessThan", "s3:max-keys", vec!["10"]),
            ("NumericLessThan", "s3:max-keys", vec!["10.0"]),
        ],
        vec![
            ("Bool", "aws:SecureTransport", vec!["true"]),
            ("Bool", "aws:SecureTransport", vec!["TRUE"]),
        ],
        vec![
            (
                "IpAddress",
                "aws:SourceIp",
                vec!["10.0.0.0/8", "203.0.113.0/24"],
            ),
            (
                "IpAddress",
                "aws:SourceIp",
                vec!["203.0.113.9/24", "10.1.2.3/8"],
            ),
        ],
        vec![
            (
                "ArnLike",
                "aws:PrincipalArn",
                vec!["arn:aws:iam::111122223333:role/*"],
            ),
            (
                "ArnEquals",
                "aws:PrincipalArn",
                vec!["arn:aws:iam::111122223333:role/*"],
            ),
        ],
        vec![
            ("Null", "aws:TagKeys", vec!["false"]),
            ("Null", "aws:tagkeys", vec!["False"]),
        ],
        vec![
            (
                "ForAnyValue:StringEquals",
                "aws:TagKeys",
                vec!["team", "owner"],
            ),
            (
                "ForAnyValue:StringEquals",
                "aws:TagKeys",
                vec!["owner", "team"],
            ),
        ],
        vec![
            (
                "DateGreaterThan",
                "aws:CurrentTime",
                vec!["2024-01-01T00:00:00Z"],
            ),
            ("DateGreaterThan", "aws:CurrentTime", vec!["1704067200"]),
        ],
        vec![
            ("StringEqualsIgnoreCase", "aws:RequestTag/env", vec!["Prod"]),
            ("StringEqualsIgnoreCase", "aws:RequestTag/env", vec!["pROD"]),
        ],
    ]
}

const PRINCIPALS: [&str; 4] = [
    r#""*""#,
    r#"{"AWS": "111122223333"}"#,
    r#"{"AWS": ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::444455556666:root"]}"#,
    r#"{"Service": "s3.amazonaws.com"}"#,
];

/// One generated statement: indices into the pools.
#[derive(Clone, Debug)]
struct StatementSeed {
    deny: bool,
    not_action: bool,
    actions: Vec<usize>,
    not_resource: bool,
    resources: Vec<usize>,
    conditions: Vec<usize>,
    principal: usize,
}

fn statement_seed() -> impl Strategy<Value = StatementSeed> {
    (
        proptest::bool::weighted(0.3),
        proptest::bool::weighted(0.15),
        proptest::collection::vec(0..ACTIONS.len(), 1..4),
        proptest::bool::weighted(0.15),
        proptest::collection::vec(0..RESOURCES.len(), 1..3),
        proptest::collection::vec(0..12usize, 0..3),
        0..PRINCIPALS.len(),
    )
        .prop_map(
            |(deny, not_action, actions, not_resource, resources, conditions, principal)| {
                StatementSeed {
                    deny,
                    not_action,
                    actions,
                    not_resource,
                    resources,
                    conditions,
                    principal,
                }
            },
        )
}

/// A statement from a seed; `form` picks each condition's spelling.
fn statement(seed: &StatementSeed, kind: PolicyKind, form: usize) -> Value {
    let mut s = serde_json::Map::new();
    s.insert(
        "Effect".into(),
        json!(if seed.deny { "Deny" } else { "Allow" }),
    );
    if matches!(kind, PolicyKind::Resource) {
        let principal: Value = serde_json::from_str(PRINCIPALS[seed.principal]).unwrap();
        s.insert("Principal".into(), principal);
    }
    let mut actions: Vec<&str> = seed.actions.iter().map(|&i| ACTIONS[i]).collect();
    actions.dedup();
    s.insert(
        (if seed.not_action {
            "NotAction"
        } else {
            "Action"
        })
        .into(),
        json!(actions),
    );
    let mut resources: Vec<&str> = seed.resources.iter().map(|&i| RESOURCES[i]).collect();
    resources.dedup();
    s.insert(
        (if seed.not_resource {
            "NotResource"
        } else {
            "Resource"
        })
        .into(),
        json!(resources),
    );
    let all = conditions();
    let mut condition = serde_json::Map::new();
    for &c in &seed.conditions {
        let forms = &all[c];
        let (op, key, values) = &forms[form % forms.len()];
        let entry = condition
            .entry((*op).to_owned())
            .or_insert_with(|| json!({}));
        entry
            .as_object_mut()
            .unwrap()
            .insert((*key).to_owned(), json!(values));
    }
    if !condition.is_empty() {
        s.insert("Condition".into(), Value::Object(condition));
    }
    Value::Object(s)
}

fn document(statements: Vec<Value>) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn placed(kind: PolicyKind, doc: &Value) -> Option<Vec<iamspec_solver::harness::Placed>> {
    let text = doc.to_string();
    let json = Json::parse(&text).unwrap();
    let (policy, findings) = check(&json, kind, Some(&text));
    if findings.iter().any(|f| f.blocks_evaluation()) {
        return None;
    }
    Some(place(kind, &policy?, &json))
}

fn options() -> Options {
    Options {
        timeout: Duration::from_secs(20),
        max_witnesses: 1,
        ..Options::default()
    }
}

fn runner(cases: u32, seed: u8) -> TestRunner {
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]),
    )
}

#[test]
fn rewrites_are_equivalent() {
    let kinds = [
        PolicyKind::Identity,
        PolicyKind::Resource,
        PolicyKind::Scp,
        PolicyKind::PermissionBoundary,
    ];
    let strategy = (
        select(kinds.to_vec()),
        proptest::collection::vec(statement_seed(), 1..4),
        proptest::collection::vec((select(REWRITES.to_vec()), 0..8usize), 1..4),
        0..2usize,
    );
    let mut runner = runner(36, 7);
    let mut compared = 0;
    let mut unknown = Vec::new();
    for _ in 0..36 {
        let (kind, seeds, rewrites, form) = strategy.new_tree(&mut runner).unwrap().current();
        let base: Vec<Value> = seeds.iter().map(|s| statement(s, kind, 0)).collect();
        // Conditions in their other spelling, then the structural rewrites.
        let mut rewritten: Vec<Value> = seeds.iter().map(|s| statement(s, kind, form)).collect();
        for (how, at) in &rewrites {
            rewritten = rewrite(rewritten, *how, *at);
        }
        let (a, b) = (document(base), document(rewritten));
        let (Some(pa), Some(pb)) = (placed(kind, &a), placed(kind, &b)) else {
            continue;
        };
        compared += 1;
        for (x, y) in pa.iter().zip(&pb) {
            match equivalent(&x.set, &y.set, &options()).unwrap() {
                Verdict::Holds => {}
                Verdict::Unknown(reason) => unknown.push(reason),
                Verdict::Fails(w) => panic!(
                    "{kind} {rewrites:?}\n{a}\n{b}\nplaced {}: {}",
                    x.label,
                    w[0].request_json.to_compact_string()
                ),
            }
        }
    }
    println!(
        "rewrites: {compared} pairs compared, {} unknown",
        unknown.len()
    );
    assert!(compared >= 20, "only {compared} generated pairs were valid");
    assert!(unknown.is_empty(), "{unknown:?}");
}

/// `policy` with statement `n` (modulo their number) dropped when `n` is odd, duplicated when
/// it is even (or when it is the only one).
fn mutate(policy: &Json, n: usize) -> Json {
    let value = policy.to_value();
    let dropped = (n % 2 == 1)
        .then(|| rewrite::mutate(&value, Mutation::DropStatement(n)))
        .flatten();
    let mutated = dropped
        .or_else(|| rewrite::mutate(&value, Mutation::DuplicateStatement(n)))
        .map(|m| m.document)
        .unwrap_or(value);
    Json::parse(&mutated.to_string()).unwrap()
}

#[test]
fn random_pairs_agree_with_sampled_requests() {
    let kinds = [PolicyKind::Identity, PolicyKind::Resource];
    let mut runner = runner(30, 11);
    let requests = strategy::request(Mode::VALID);
    let (mut holds, mut fails, mut unknown, mut sampled) = (0, 0, 0, 0);
    for round in 0..30 {
        let kind = kinds[round % kinds.len()];
        let policy = strategy::policy(kind, Mode::VALID);
        let a = policy
            .new_tree(&mut runner)
            .unwrap()
            .current()
            .to_json(kind);
        // A third of the pairs are unrelated; the rest are the first policy with one
        // statement dropped or duplicated, so that near-equivalent pairs occur too.
        let b = if round % 3 == 0 {
            policy
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .to_json(kind)
        } else {
            mutate(&a, round)
        };
        let text_a = a.to_compact_string();
        let text_b = b.to_compact_string();
        let load = |text: &str| {
            let json = Json::parse(text).unwrap();
            let (p, findings) = check(&json, kind, Some(text));
            if findings.iter().any(|f| f.blocks_evaluation()) {
                return None;
            }
            Some(place(kind, &p?, &json))
        };
        let (Some(pa), Some(pb)) = (load(&text_a), load(&text_b)) else {
            continue;
        };
        for (x, y) in pa.iter().zip(&pb) {
            match equivalent(&x.set, &y.set, &options()) {
                Err(e) => panic!("{e}\n{text_a}\n{text_b}"),
                Ok(Verdict::Fails(_)) => fails += 1,
                Ok(Verdict::Unknown(r)) => {
                    eprintln!("unknown: {r}");
                    unknown += 1
                }
                Ok(Verdict::Holds) => {
                    holds += 1;
                    let mut checked = 0;
                    let mut tries = 0;
                    while checked < 1000 && tries < 20_000 {
                        tries += 1;
                        let spec = requests.new_tree(&mut runner).unwrap().current();
                        let Ok(request) = Request::from_json(&spec.to_json(), &JsonPath::root())
                        else {
                            continue;
                        };
                        if request_in_domain(&request, &[&x.set, &y.set]).is_err() {
                            continue;
                        }
                        checked += 1;
                        let da = reference::authorize(&x.set, &request).decision;
                        let db = reference::authorize(&y.set, &request).decision;
                        assert_eq!(
                            da == iamspec_model::Decision::Allow,
                            db == iamspec_model::Decision::Allow,
                            "said equivalent, but {} differs\n{text_a}\n{text_b}",
                            spec.to_json().to_compact_string()
                        );
                    }
                    sampled += checked;
                }
            }
        }
    }
    println!("random pairs: {holds} equivalent ({sampled} requests sampled), {fails} different, {unknown} unknown");
    assert!(holds > 0 && fails > 0, "holds {holds} fails {fails}");
}
