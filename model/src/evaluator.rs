//! One interface for every evaluator, so that tests, suites and benchmarks can run either.

use crate::answer::{Answer, Decision};
use crate::policy::PolicyKind;
use crate::policy_set::PolicySet;
use crate::reference;
use crate::request::Request;

/// The decision without its explanation: what a hot loop needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Verdict {
    pub decision: Decision,
    pub deciding: Option<PolicyKind>,
}

/// An evaluator prepared for one [`PolicySet`].
pub trait Evaluator {
    /// The decision and the deciding kind.
    fn decide(&self, request: &Request) -> Verdict;
    /// The decision with its full explanation; must agree with [`Evaluator::decide`].
    fn authorize(&self, request: &Request) -> Answer;
}

/// The reference evaluator behind the trait: nothing is prepared in advance.
pub struct Reference<'a> {
    pub policies: &'a PolicySet,
}

impl<'a> Reference<'a> {
    pub fn new(policies: &'a PolicySet) -> Reference<'a> {
        Reference { policies }
    }
}

impl Evaluator for Reference<'_> {
    fn decide(&self, request: &Request) -> Verdict {
        let answer = reference::authorize(self.policies, request);
        Verdict {
            decision: answer.decision,
            deciding: answer.deciding,
        }
    }

    fn authorize(&self, request: &Request) -> Answer {
        reference::authorize(self.policies, request)
    }
}
