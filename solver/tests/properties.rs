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

/// Issue 16: every witness is a request AWS can send. The solver validates each one before it
/// shows it (a failure is `SolverError::ImpossibleWitness`, exit 4); this checks the witnesses
/// the property tests see again, from their JSON, with the validation `iamspec eval` applies,
/// and that each is inside the domain the solver quantifies over (D85).
fn valid_witnesses(witnesses: &[iamspec_solver::Witness]) {
    for w in witnesses {
        let parsed = Request::from_json(&w.request_json, &JsonPath::root());
        assert!(
            parsed.is_ok(),
            "witness {} fails request validation: {:?}",
            w.request_json.to_compact_string(),
            parsed.err()
        );
    }
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
                Ok(Verdict::Fails(w)) => {
                    fails += 1;
                    valid_witnesses(&w);
                }
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

/// `set` (a conformance `policies` object) with `policy` of `kind` added where a policy of that
/// kind goes: appended to identity and session lists, as the boundary, resource or VPC endpoint
/// policy (replacing one there), into the last SCP or RCP level (or as a new one-level chain).
/// `variant` 1 and 2 make the set a deployment where the kind's effect shows: an SCP or RCP in
/// a new level beside the default full-access policy; for identity, boundary and session
/// policies a resource policy that allows everyone (1) or that delegates keys and roles to
/// IAM (2).
fn with_policy(set: &Value, kind: PolicyKind, policy: &Value, variant: usize) -> Value {
    use iamspec_solver::harness::{delegating_to_iam, FULL_AWS_ACCESS, RCP_FULL_AWS_ACCESS};
    let mut set = set.as_object().cloned().unwrap_or_default();
    let parse = |text: &str| serde_json::from_str::<Value>(text).unwrap();
    match (kind, variant) {
        (PolicyKind::Scp | PolicyKind::Rcp, 1 | 2) => {
            let full = if kind == PolicyKind::Scp {
                FULL_AWS_ACCESS
            } else {
                RCP_FULL_AWS_ACCESS
            };
            let key = if kind == PolicyKind::Scp {
                "scp"
            } else {
                "rcp"
            };
            let levels = set.entry(key).or_insert_with(|| json!([]));
            levels
                .as_array_mut()
                .unwrap()
                .push(json!([parse(full), policy.clone()]));
            return Value::Object(set);
        }
        (PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session, 1) => {
            let open = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
            set.insert("resource".into(), parse(open));
        }
        (PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session, 2) => {
            let (_, json) = delegating_to_iam(&["111122223333".to_owned()]);
            set.insert("resource".into(), json.to_value());
        }
        _ => {}
    }
    let key = match kind {
        PolicyKind::Identity => "identity",
        PolicyKind::Session => "session",
        PolicyKind::PermissionBoundary => "permission_boundary",
        PolicyKind::Resource | PolicyKind::Trust => "resource",
        PolicyKind::VpcEndpoint => "vpc_endpoint",
        PolicyKind::Scp => "scp",
        PolicyKind::Rcp => "rcp",
    };
    match kind {
        PolicyKind::Identity | PolicyKind::Session => {
            let list = set.entry(key).or_insert_with(|| json!([]));
            list.as_array_mut().unwrap().push(policy.clone());
        }
        PolicyKind::Scp | PolicyKind::Rcp => {
            let levels = set.entry(key).or_insert_with(|| json!([[]]));
            let levels = levels.as_array_mut().unwrap();
            levels
                .last_mut()
                .unwrap()
                .as_array_mut()
                .unwrap()
                .push(policy.clone());
        }
        _ => {
            set.insert(key.to_owned(), policy.clone());
        }
    }
    Value::Object(set)
}

/// Single-policy placement against policy-set mode: whenever two generated policies of a kind
/// are equivalent in every placement of `harness::place`, they are equivalent in generated
/// policy sets too (with either in the slot of its kind). Placement is what `iamspec equiv
/// A.json B.json --kind K` answers, so a placement that misses a deployment is a false
/// "equivalent" (issue 10: SCPs alone, identity policies without key policies, explicit vs
/// implicit denies).
#[test]
fn placement_agrees_with_policy_sets() {
    let kinds = [
        PolicyKind::Identity,
        PolicyKind::PermissionBoundary,
        PolicyKind::Session,
        PolicyKind::Scp,
        PolicyKind::Rcp,
        PolicyKind::Resource,
        PolicyKind::VpcEndpoint,
    ];
    let mut runner = runner(56, 23);
    let sets = strategy::policy_set(Mode::VALID);
    let action = iamspec_model::request::Action::parse("s3:GetObject").unwrap();
    let (mut holds, mut fails, mut unknown, mut sets_checked) = (0, 0, 0, 0);
    for round in 0..56 {
        let kind = kinds[round % kinds.len()];
        let policy = strategy::policy(kind, Mode::VALID);
        let a = policy
            .new_tree(&mut runner)
            .unwrap()
            .current()
            .to_json(kind);
        let b = if round % 4 == 0 {
            policy
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .to_json(kind)
        } else {
            mutate(&a, round / kinds.len())
        };
        let (text_a, text_b) = (a.to_compact_string(), b.to_compact_string());
        let (Some(pa), Some(pb)) = (placed(kind, &a.to_value()), placed(kind, &b.to_value()))
        else {
            continue;
        };
        let mut verdict = Verdict::Holds;
        for (x, y) in pa.iter().zip(&pb) {
            match equivalent(&x.set, &y.set, &options()).unwrap() {
                Verdict::Holds => {}
                other => {
                    verdict = other;
                    break;
                }
            }
        }
        match verdict {
            Verdict::Fails(w) => {
                fails += 1;
                valid_witnesses(&w);
                continue;
            }
            Verdict::Unknown(r) => {
                eprintln!("unknown: {r}");
                unknown += 1;
                continue;
            }
            Verdict::Holds => holds += 1,
        }
        for variant in 0..3 {
            let set = sets
                .new_tree(&mut runner)
                .unwrap()
                .current()
                .to_json()
                .to_value();
            let load = |policy: &Json| {
                let value = with_policy(&set, kind, &policy.to_value(), variant);
                let json = Json::parse(&value.to_string()).unwrap();
                iamspec_model::PolicySet::from_json(&json, &JsonPath::root(), &action).ok()
            };
            let (Some(sa), Some(sb)) = (load(&a), load(&b)) else {
                continue;
            };
            sets_checked += 1;
            if let Verdict::Fails(w) = equivalent(&sa, &sb, &options()).unwrap() {
                panic!(
                    "equivalent in every placement as {kind}, but not in the set {set}\n{text_a}\n{text_b}\nwitness {}",
                    w[0].request_json.to_compact_string()
                );
            }
        }
    }
    println!("placement vs sets: {holds} equivalent ({sets_checked} sets checked), {fails} different, {unknown} unknown");
    assert!(
        holds >= 5 && sets_checked >= 5,
        "holds {holds}, sets {sets_checked}"
    );
}
