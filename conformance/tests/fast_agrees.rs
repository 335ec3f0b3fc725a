//! The fast evaluator gives the reference's full answer (decision, deciding kind, matched
//! statements in order, missing keys) on every case of every committed suite, and its `decide`
//! agrees with its own `authorize`.
#![allow(clippy::unwrap_used)]

use iamspec_conformance::Suite;
use iamspec_model::fast::Compiled;
use iamspec_model::{reference, Evaluator};
use std::path::PathBuf;

#[test]
fn fast_gives_the_reference_answer_on_every_suite_case() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("suites");
    let files = Suite::discover(&[dir]).unwrap();
    let mut compared = 0;
    let mut failures = Vec::new();
    for file in &files {
        let suite = Suite::load(file).unwrap();
        for case in &suite.cases {
            // Cases whose inputs are invalid have nothing to evaluate.
            let Ok((request, policies)) = case.inputs() else {
                continue;
            };
            compared += 1;
            let expected = reference::authorize(&policies, &request);
            let fast = Compiled::new(&policies);
            let answer = fast.authorize(&request);
            let verdict = fast.decide(&request);
            if answer != expected {
                failures.push(format!(
                    "{}/{}: authorize\n  reference: {expected:?}\n  fast:      {answer:?}",
                    suite.name, case.id
                ));
            }
            if (verdict.decision, verdict.deciding) != (expected.decision, expected.deciding) {
                failures.push(format!(
                    "{}/{}: decide gave {verdict:?}, reference {:?} {:?}",
                    suite.name, case.id, expected.decision, expected.deciding
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} disagreements in {compared} cases:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(compared >= 700, "only {compared} cases compared");
}
