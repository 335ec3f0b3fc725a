//! The encoding against the reference evaluator, case by case: for every conformance case whose
//! request lies in the solver's domain, pinning the symbolic request to the case's request must
//! force the reference evaluator's decision.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_conformance::suite::Suite;
use iamspec_model::{reference, Decision};
use iamspec_solver::{decide, request_in_domain, Options};
use std::path::PathBuf;
use std::time::Duration;

/// One case in four by default (about half a minute); all of them with `--ignored`.
#[test]
fn encoding_decides_suite_cases_like_the_reference() {
    check_cases(4);
}

#[test]
#[ignore = "every case: about two minutes"]
fn encoding_decides_every_suite_case_like_the_reference() {
    check_cases(1);
}

fn check_cases(every: usize) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../conformance/suites");
    let options = Options {
        timeout: Duration::from_secs(20),
        ..Options::default()
    };
    let (mut agreed, mut outside, mut undecided) = (0, 0, Vec::new());
    let mut index = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        let suite = Suite::load(&file).unwrap();
        for case in &suite.cases {
            index += 1;
            if index % every != 0 {
                continue;
            }
            let Ok((request, policies)) = case.inputs() else {
                continue;
            };
            if request_in_domain(&request, &[&policies]).is_err() {
                outside += 1;
                continue;
            }
            let expected = reference::authorize(&policies, &request).decision == Decision::Allow;
            match decide(&policies, &request, &options).unwrap() {
                Some(got) => {
                    assert_eq!(
                        got, expected,
                        "{}: the encoding decides {got}, the reference {expected}",
                        case.id
                    );
                    agreed += 1;
                }
                None => undecided.push(case.id.clone()),
            }
        }
    }
    println!(
        "conformance: {agreed} cases agree, {outside} outside the domain, {} undecided: {undecided:?}",
        undecided.len()
    );
    assert!(agreed * every > 500, "only {agreed} cases checked");
    assert!(undecided.len() * 20 < agreed, "{undecided:?}");
}
