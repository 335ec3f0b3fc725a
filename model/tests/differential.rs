//! The differential test: the reference evaluator (the spec) and the fast evaluator give the same
//! answer — decision, deciding kind, matched statements, missing keys — on 10,000 generated
//! cases, valid and invalid, through the real parsers. A mismatch is shrunk by proptest and
//! written out as a conformance case under `target/differential-failures/`.
//!
//! The cases are the same on every run (seed 20260926, or `IAMSPEC_PROP_SEED`); the long
//! campaign with other seeds is `cargo xtask prop --cases 1000000`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamspec_model::json::Json;
use iamspec_model::testing::differential::{self, check_json, CANDIDATE};
use iamspec_model::testing::{suite, Outcome, Stats};
use iamspec_model::Decision;
use std::path::PathBuf;

const CASES: u64 = 10_000;

fn seed() -> u64 {
    std::env::var("IAMSPEC_PROP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_260_926)
}

/// `target/differential-failures`, beside this test's own scratch directory.
fn failures_dir() -> PathBuf {
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent()
        .map(|target| target.join("differential-failures"))
        .unwrap_or(tmp)
}

/// The 10,000 cases, run once and shared by the tests below.
fn campaign() -> &'static (Stats, Vec<differential::Failure>) {
    static RUN: std::sync::OnceLock<(Stats, Vec<differential::Failure>)> =
        std::sync::OnceLock::new();
    RUN.get_or_init(|| {
        let started = std::time::Instant::now();
        let run = differential::run_threads(seed(), 0..CASES, 2, 5);
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "differential: {CASES} cases in {seconds:.2} s ({:.0} cases/s), seed {}; {}",
            CASES as f64 / seconds,
            seed(),
            run.0.summary()
        );
        run
    })
}

#[test]
fn reference_and_fast_agree_on_generated_cases() {
    let (stats, failures) = campaign();
    assert_eq!(stats.cases, CASES);
    if stats.mismatches == 0 {
        return;
    }
    let dir = failures_dir();
    let files = suite::write_failures(&dir, failures, "the differential test").unwrap();
    let mut report = format!(
        "{} of {CASES} cases: the reference and {CANDIDATE} disagree (seed {}).\n",
        stats.mismatches,
        seed()
    );
    for (failure, file) in failures.iter().zip(&files) {
        report.push_str(&format!(
            "\ncase {} ({}), shrunk in {} steps, written to {}:\n{}\n",
            failure.index,
            failure.mismatch,
            failure.shrink_steps,
            file.display(),
            suite::to_pretty(&suite::failure_suite(failure, "the differential test"))
        ));
    }
    panic!("{report}");
}

/// The generators reach every branch of the decision procedure and every kind of invalid
/// input, in proportions that keep the comparison meaningful.
#[test]
fn generated_cases_reach_every_branch() {
    let (stats, _) = campaign();
    let share = |n: u64| n as f64 / stats.cases as f64;
    assert!(
        (0.05..0.3).contains(&share(stats.rejected)),
        "{}",
        stats.summary()
    );
    assert!(share(stats.allow) > 0.05, "{}", stats.summary());
    assert!(share(stats.explicit_deny) > 0.05, "{}", stats.summary());
    assert!(share(stats.implicit_deny) > 0.3, "{}", stats.summary());
    let expected = [
        "allow/identity",
        "allow/resource",
        "allow/trust",
        "allow/none",
        "explicit_deny/scp",
        "explicit_deny/rcp",
        "explicit_deny/vpc_endpoint",
        "explicit_deny/permission_boundary",
        "explicit_deny/session",
        "explicit_deny/identity",
        "explicit_deny/resource",
        "explicit_deny/trust",
        "implicit_deny/scp",
        "implicit_deny/rcp",
        "implicit_deny/vpc_endpoint",
        "implicit_deny/permission_boundary",
        "implicit_deny/session",
        "implicit_deny/identity",
        "implicit_deny/resource",
        "implicit_deny/trust",
        "implicit_deny/guard_rail:aws_managed_policy",
        "implicit_deny/guard_rail:service_linked_role",
        "implicit_deny/guard_rail:identity_center_role",
    ];
    let missing: Vec<&str> = expected
        .iter()
        .copied()
        .filter(|k| stats.by_deciding.get(*k).copied().unwrap_or(0) < 5)
        .collect();
    assert!(
        missing.is_empty(),
        "rarely or never reached: {missing:?}\n{stats:?}"
    );
}

/// The committed sample of `cargo xtask gen-suite` still decides as it says, under both
/// evaluators (the sample is for other implementations; a change here must regenerate it).
#[test]
fn committed_generated_sample_still_holds() {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/generated/sample.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let json = Json::parse(&text).unwrap();
    let Some(Json::Array(cases)) = json.get("cases") else {
        panic!("{}: no cases", path.display());
    };
    assert!(cases.len() >= 100, "{} cases", cases.len());
    let mut wrong = Vec::new();
    for case in cases {
        let id = case.get("id").and_then(Json::as_str).unwrap_or("?");
        let request = case.get("request").unwrap();
        let empty = Json::Object(Vec::new());
        let policies = case.get("policies").unwrap_or(&empty);
        let expect = case.get("expect").unwrap();
        let got = match check_json(request, policies) {
            Ok(Outcome::Rejected(_)) => "error".to_owned(),
            Ok(Outcome::Decided(answer)) => format!(
                "{}/{}",
                answer.decision,
                answer.deciding.map_or("none", |k| k.slot())
            ),
            Err(m) => format!("mismatch ({m})"),
        };
        let want = match (expect.get("decision"), expect.get("error")) {
            (Some(Json::String(d)), None) => format!(
                "{}/{}",
                Decision::parse(d).unwrap(),
                expect
                    .get("deciding")
                    .and_then(Json::as_str)
                    .unwrap_or("none")
            ),
            (None, Some(Json::Bool(true))) => "error".to_owned(),
            other => panic!("{id}: bad expect {other:?}"),
        };
        if got != want {
            wrong.push(format!("{id}: expected {want}, got {got}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\nIf the change in behaviour is intended, regenerate the sample: cargo run --release -p xtask -- gen-suite --cases 200 --seed 1 --out conformance/generated/sample.json",
        wrong.join("\n")
    );
}
