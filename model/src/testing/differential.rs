//! The differential check: one generated case through the real parsers, then the reference
//! evaluator and the candidate (the fast evaluator), compared on the decision, the deciding kind
//! and the whole [`Answer`]. And the campaign driver that the test, `cargo xtask prop` and
//! `cargo xtask gen-suite` share: case `i` of seed `s` is always the same case, a mismatch is
//! shrunk by proptest, and counts of what was decided show what the generators reach.

use super::spec::CaseSpec;
use super::strategy;
use crate::answer::{Answer, Decision};
use crate::evaluator::{Evaluator, Reference, Verdict};
use crate::json::{Json, JsonPath};
use crate::policy_set::PolicySet;
use crate::request::Request;
use proptest::strategy::{BoxedStrategy, Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::BTreeMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The evaluator checked against the reference.
pub const CANDIDATE: &str = "fast (model::fast::Compiled)";

/// Prepares the candidate for one policy set.
fn candidate(policies: &PolicySet) -> impl Evaluator {
    crate::fast::Compiled::new(policies)
}

/// What a case came to, when both evaluators agree.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The inputs were rejected (by the JSON, request or policy parser).
    Rejected(String),
    Decided(Answer),
}

/// A disagreement (or a panic) found by a check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// What differed: `decision`, `answer`, `decide vs authorize`, `panic`...
    pub what: String,
    pub reference: String,
    pub candidate: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: reference {}, candidate {}",
            self.what, self.reference, self.candidate
        )
    }
}

fn mismatch(what: &str, reference: impl fmt::Debug, candidate: impl fmt::Debug) -> Mismatch {
    Mismatch {
        what: what.to_owned(),
        reference: format!("{reference:?}"),
        candidate: format!("{candidate:?}"),
    }
}

/// Renders `case`, writes it out as JSON text and reads it back (so the JSON parser is on the
/// path too), then runs [`check_json`].
pub fn check(case: &CaseSpec) -> Result<Outcome, Mismatch> {
    let request = round_trip(&case.request.to_json())?;
    let policies = round_trip(&case.policies.to_json())?;
    check_json(&request, &policies)
}

fn round_trip(json: &Json) -> Result<Json, Mismatch> {
    let text = json.to_compact_string();
    match Json::parse(&text) {
        Ok(back) if back == *json => Ok(back),
        other => Err(mismatch("JSON text does not read back", json, other)),
    }
}

/// Parses a request and its policies as a conformance case gives them, and compares the
/// evaluators. Both evaluators take the same parsed input, so a rejection is common to both.
pub fn check_json(request: &Json, policies: &Json) -> Result<Outcome, Mismatch> {
    let root = JsonPath::root();
    let request = match Request::from_json(request, &root.key("request")) {
        Ok(r) => r,
        Err(e) => return Ok(Outcome::Rejected(e.to_string())),
    };
    let policies = match PolicySet::from_json(policies, &root.key("policies"), &request.action) {
        Ok(p) => p,
        Err(e) => return Ok(Outcome::Rejected(e.to_string())),
    };
    compare(&policies, &request).map(Outcome::Decided)
}

/// Runs both evaluators on parsed input; the reference's answer when they agree.
pub fn compare(policies: &PolicySet, request: &Request) -> Result<Answer, Mismatch> {
    let reference = Reference::new(policies);
    let expected = reference.authorize(request);
    let expected_verdict = Verdict {
        decision: expected.decision,
        deciding: expected.deciding,
    };
    if reference.decide(request) != expected_verdict {
        return Err(mismatch(
            "the reference's decide and authorize disagree",
            expected_verdict,
            reference.decide(request),
        ));
    }
    // The message is built for every answer a user sees; it must not fail on any.
    let _ = expected.message(request);
    let fast = candidate(policies);
    let verdict = fast.decide(request);
    if verdict != expected_verdict {
        return Err(mismatch("decision", expected_verdict, verdict));
    }
    let answer = fast.authorize(request);
    if answer != expected {
        let what = if answer.decision != expected.decision || answer.deciding != expected.deciding {
            "decide and authorize disagree in the candidate"
        } else {
            "answer (matched statements or missing keys)"
        };
        return Err(mismatch(what, &expected, &answer));
    }
    Ok(expected)
}

/// [`check`], with a panic in either evaluator (or the parsers) reported as a mismatch.
pub fn check_catching(case: &CaseSpec) -> Result<Outcome, Mismatch> {
    catch_unwind(AssertUnwindSafe(|| check(case))).unwrap_or_else(|payload| {
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "a panic".to_owned());
        Err(Mismatch {
            what: "panic".to_owned(),
            reference: message,
            candidate: String::new(),
        })
    })
}

/// The generator of a campaign: case `index` of `seed` is the same on every run and machine.
pub struct Generator {
    strategy: BoxedStrategy<CaseSpec>,
    seed: u64,
}

impl Generator {
    pub fn new(seed: u64) -> Generator {
        Generator {
            strategy: strategy::case(),
            seed,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// The value tree of case `index`, for shrinking.
    pub fn tree(&self, index: u64) -> Option<Box<dyn ValueTree<Value = CaseSpec>>> {
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(self.seed, index));
        let config = Config {
            failure_persistence: None,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, rng);
        self.strategy
            .new_tree(&mut runner)
            .ok()
            .map(|tree| Box::new(tree) as Box<dyn ValueTree<Value = CaseSpec>>)
    }

    /// Case `index`.
    pub fn case(&self, index: u64) -> Option<CaseSpec> {
        self.tree(index).map(|tree| tree.current())
    }
}

/// 32 seed bytes for case `index` of `seed` (splitmix64, so nearby indices are unrelated).
fn seed_bytes(seed: u64, index: u64) -> [u8; 32] {
    let mut state = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes());
    }
    out
}

/// A mismatch, with the case that showed it and the smallest case proptest shrank it to.
#[derive(Clone, Debug)]
pub struct Failure {
    pub seed: u64,
    pub index: u64,
    pub original: CaseSpec,
    pub shrunk: CaseSpec,
    pub mismatch: Mismatch,
    pub shrink_steps: u32,
}

/// A property of one case: `Err` is a failure.
pub type Property<'a> = &'a dyn Fn(&CaseSpec) -> Result<Outcome, Mismatch>;

/// Shrinks a case that fails `property`: proptest's simplify/complicate walk, keeping the last
/// failure.
pub fn shrink(
    mut tree: Box<dyn ValueTree<Value = CaseSpec>>,
    first: Mismatch,
    property: Property<'_>,
    max_steps: u32,
) -> (CaseSpec, Mismatch, u32) {
    let mut last = (tree.current(), first);
    let mut steps = 0;
    if !tree.simplify() {
        return (last.0, last.1, steps);
    }
    while steps < max_steps {
        steps += 1;
        let case = tree.current();
        match property(&case) {
            Err(m) => {
                last = (case, m);
                if !tree.simplify() {
                    break;
                }
            }
            Ok(_) => {
                if !tree.complicate() {
                    break;
                }
            }
        }
    }
    (last.0, last.1, steps)
}

/// What a run decided: shows which branches the generators reach.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub cases: u64,
    pub rejected: u64,
    pub allow: u64,
    pub explicit_deny: u64,
    pub implicit_deny: u64,
    /// `decision/deciding` (`implicit_deny/scp`, `allow/root`) → count.
    pub by_deciding: BTreeMap<String, u64>,
    pub mismatches: u64,
}

impl Stats {
    pub fn record(&mut self, outcome: &Result<Outcome, Mismatch>) {
        self.cases += 1;
        match outcome {
            Err(_) => self.mismatches += 1,
            Ok(Outcome::Rejected(_)) => self.rejected += 1,
            Ok(Outcome::Decided(answer)) => {
                match answer.decision {
                    Decision::Allow => self.allow += 1,
                    Decision::ExplicitDeny => self.explicit_deny += 1,
                    Decision::ImplicitDeny => self.implicit_deny += 1,
                }
                // A guard rail's refusal (D68) has no deciding kind: it is counted by its rail.
                let kind = match answer.guard_rail {
                    Some(rail) => format!("guard_rail:{rail}"),
                    None => answer.deciding.map_or("none", |k| k.as_str()).to_owned(),
                };
                *self
                    .by_deciding
                    .entry(format!("{}/{kind}", answer.decision))
                    .or_default() += 1;
            }
        }
    }

    pub fn merge(&mut self, other: &Stats) {
        self.cases += other.cases;
        self.rejected += other.rejected;
        self.allow += other.allow;
        self.explicit_deny += other.explicit_deny;
        self.implicit_deny += other.implicit_deny;
        self.mismatches += other.mismatches;
        for (k, v) in &other.by_deciding {
            *self.by_deciding.entry(k.clone()).or_default() += v;
        }
    }

    fn percent(&self, n: u64) -> f64 {
        if self.cases == 0 {
            0.0
        } else {
            n as f64 * 100.0 / self.cases as f64
        }
    }

    /// `allow 31.2%, explicit_deny 20.1%, implicit_deny 38.0%, rejected 10.7%`.
    pub fn summary(&self) -> String {
        format!(
            "allow {:.1}%, explicit_deny {:.1}%, implicit_deny {:.1}%, rejected {:.1}%, mismatches {}",
            self.percent(self.allow),
            self.percent(self.explicit_deny),
            self.percent(self.implicit_deny),
            self.percent(self.rejected),
            self.mismatches
        )
    }
}

/// Runs cases `indices` of `generator` through [`check_catching`], shrinking each mismatch (at
/// most `max_failures` are shrunk and kept; the rest are only counted). `progress` is called
/// every 1,000 cases.
pub fn run(
    generator: &Generator,
    indices: std::ops::Range<u64>,
    max_failures: usize,
    progress: &mut dyn FnMut(&Stats),
) -> (Stats, Vec<Failure>) {
    run_property(generator, indices, max_failures, &check_catching, progress)
}

/// [`run`] on `threads` threads, each over a contiguous part of `indices` (the cases are the
/// same as on one thread; failures come back in index order).
pub fn run_threads(
    seed: u64,
    indices: std::ops::Range<u64>,
    threads: u64,
    max_failures: usize,
) -> (Stats, Vec<Failure>) {
    let threads = threads.max(1);
    let (start, len) = (indices.start, indices.end.saturating_sub(indices.start));
    let parts: Vec<(Stats, Vec<Failure>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let part = (start + len * t / threads)..(start + len * (t + 1) / threads);
                // Strategies are not `Send`: each thread builds its own.
                scope.spawn(move || run(&Generator::new(seed), part, max_failures, &mut |_| {}))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                // `run` catches panics in the evaluators; a panic here is the harness's own.
                h.join().unwrap_or_else(|_| {
                    let stats = Stats {
                        mismatches: 1,
                        ..Stats::default()
                    };
                    (stats, Vec::new())
                })
            })
            .collect()
    });
    let mut total = Stats::default();
    let mut failures = Vec::new();
    for (stats, found) in parts {
        total.merge(&stats);
        failures.extend(found);
    }
    (total, failures)
}

/// [`run`] with another property (tests of the harness itself use one that fails on purpose).
pub fn run_property(
    generator: &Generator,
    indices: std::ops::Range<u64>,
    max_failures: usize,
    property: Property<'_>,
    progress: &mut dyn FnMut(&Stats),
) -> (Stats, Vec<Failure>) {
    let mut stats = Stats::default();
    let mut failures = Vec::new();
    for index in indices {
        let Some(tree) = generator.tree(index) else {
            continue;
        };
        let case = tree.current();
        let outcome = property(&case);
        stats.record(&outcome);
        if let Err(first) = outcome {
            if failures.len() < max_failures {
                let (shrunk, mismatch, shrink_steps) = shrink(tree, first, property, 2_000);
                failures.push(Failure {
                    seed: generator.seed(),
                    index,
                    original: case,
                    shrunk,
                    mismatch,
                    shrink_steps,
                });
            }
        }
        if stats.cases % 1_000 == 0 {
            progress(&stats);
        }
    }
    (stats, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_at_an_index_is_reproducible() {
        let generator = Generator::new(7);
        assert_eq!(generator.case(3), Generator::new(7).case(3));
        assert_ne!(generator.case(3), generator.case(4));
        assert_ne!(generator.case(3), Generator::new(8).case(3));
    }

    #[test]
    fn a_failure_is_shrunk_to_a_small_case_that_still_fails() {
        use crate::policy::PolicyKind;
        // A stand-in property that fails whenever an SCP denies explicitly.
        let scp_denies = |case: &CaseSpec| match check(case)? {
            Outcome::Decided(a)
                if a.deciding == Some(PolicyKind::Scp) && a.decision == Decision::ExplicitDeny =>
            {
                Err(mismatch("scp deny", a.decision, ""))
            }
            other => Ok(other),
        };
        let (stats, failures) =
            run_property(&Generator::new(3), 0..2_000, 1, &scp_denies, &mut |_| {});
        assert!(stats.mismatches > 0, "{stats:?}");
        let failure = &failures[0];
        assert!(scp_denies(&failure.shrunk).is_err());
        let p = &failure.shrunk.policies;
        assert!(p.identity.is_empty() && p.resource.is_none() && p.session.is_empty());
        assert_eq!(p.scp.as_ref().map(|levels| levels.len()), Some(1));
        assert!(failure.shrunk.request.context.is_empty());
    }
}
