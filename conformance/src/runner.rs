//! Running cases: what an implementation answered, and whether that is what the case expects.

use crate::case::{Case, Expect, InputError};
use crate::external::{External, ImplementationError};
use iamspec_model::context_keys::ServiceKeyTypes;
use iamspec_model::{Answer, Decision, Request};
use serde::Serialize;
use std::fmt;

/// What decides the cases.
pub enum Implementation {
    /// The built-in reference evaluator.
    Reference,
    /// The reference evaluator, with requests' service keys typed by a catalogue (D61).
    ReferenceWith(&'static (dyn ServiceKeyTypes + Sync)),
    /// Another program, over the line protocol of FORMAT.md.
    External(External),
}

/// What an implementation answered for one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Decision {
        decision: Decision,
        deciding: Option<String>,
    },
    /// The implementation rejected the inputs (right for `expect.error` cases).
    Rejected(String),
    /// The implementation hung, or answered another case or garbage: never a pass.
    Broken(String),
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Decision {
                decision,
                deciding: Some(kind),
            } => write!(f, "{decision} ({kind})"),
            Outcome::Decision { decision, .. } => write!(f, "{decision}"),
            Outcome::Rejected(message) => write!(f, "error ({message})"),
            Outcome::Broken(message) => write!(f, "no answer ({message})"),
        }
    }
}

/// One case's result, as printed by `--json` (one object per line).
#[derive(Clone, Debug, Serialize)]
pub struct CaseResult {
    /// The suite file, as the runner was given it.
    pub file: String,
    pub suite: String,
    pub id: String,
    pub expected: String,
    pub got: String,
    pub passed: bool,
}

impl Implementation {
    /// Asks the implementation about `case`; `Err` means it cannot go on (the run stops).
    pub fn run(&mut self, case: &Case) -> Result<Outcome, ImplementationError> {
        match self {
            Implementation::Reference => Ok(reference_outcome(case.evaluate())),
            Implementation::ReferenceWith(service) => {
                Ok(reference_outcome(case.evaluate_with(*service)))
            }
            Implementation::External(peer) => peer.ask(case),
        }
    }
}

fn reference_outcome(result: Result<(Request, Answer), InputError>) -> Outcome {
    match result {
        Ok((_, answer)) => Outcome::Decision {
            decision: answer.decision,
            deciding: answer.deciding.map(|k| k.slot().to_owned()),
        },
        Err(e) => Outcome::Rejected(e.to_string()),
    }
}

/// Does `got` satisfy `expected`? A stated deciding kind must match too, when the
/// implementation reports one (FORMAT.md, `expect.deciding`).
pub fn satisfies(expected: &Expect, got: &Outcome) -> bool {
    match (expected, got) {
        (Expect::Error, Outcome::Rejected(_)) => true,
        (
            Expect::Decision { decision, deciding },
            Outcome::Decision {
                decision: got,
                deciding: got_deciding,
            },
        ) => {
            decision == got
                && match (deciding, got_deciding) {
                    (Some(want), Some(have)) => want == have,
                    _ => true,
                }
        }
        _ => false,
    }
}

/// Runs `case` of `suite` (read from `file`) and compares.
pub fn run_case(
    implementation: &mut Implementation,
    file: &str,
    suite: &str,
    case: &Case,
) -> Result<CaseResult, ImplementationError> {
    let got = implementation.run(case)?;
    Ok(CaseResult {
        file: file.to_owned(),
        suite: suite.to_owned(),
        id: case.id.clone(),
        expected: case.expect.to_string(),
        passed: satisfies(&case.expect, &got),
        got: got.to_string(),
    })
}
