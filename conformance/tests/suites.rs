//! Every committed suite passes under the reference evaluator.
#![allow(clippy::unwrap_used)]

use iamspec_conformance::runner::{run_case, Implementation};
use iamspec_conformance::Suite;
use std::path::PathBuf;

fn suites() -> Vec<Suite> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suites");
    let files = Suite::discover(&[dir]).unwrap();
    files.iter().map(|f| Suite::load(f).unwrap()).collect()
}

#[test]
fn every_case_passes_with_the_reference_evaluator() {
    // As `iamspec conformance run` runs them: service keys typed by the catalogue (D61).
    let mut implementation = Implementation::ReferenceWith(iamspec_corpus::Catalogue::embedded());
    let mut failures = Vec::new();
    let mut count = 0;
    for suite in suites() {
        for case in &suite.cases {
            count += 1;
            let result = run_case(&mut implementation, "", &suite.name, case).unwrap();
            if !result.passed {
                failures.push(format!(
                    "FAIL {}/{}: expected {}, got {}",
                    suite.name, case.id, result.expected, result.got
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count >= 300, "only {count} cases");
}

#[test]
fn every_case_cites_a_source() {
    for suite in suites() {
        for case in &suite.cases {
            assert!(
                !case.source.trim().is_empty(),
                "{}/{} has no source",
                suite.name,
                case.id
            );
            assert!(
                !case.description.trim().is_empty(),
                "{}/{} has no description",
                suite.name,
                case.id
            );
        }
    }
}
