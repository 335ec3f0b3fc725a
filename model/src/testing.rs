//! Property-test generators and the differential harness (feature `testing`).
//!
//! Cases are drawn from small pools ([`pools`]) so that wildcards, conditions, principals and the
//! `Not*` elements collide, in every policy kind, valid and invalid alike. A case is built in
//! structured form ([`spec`]) by proptest strategies ([`strategy`]) or from fuzzer bytes
//! ([`fuzz`]), rendered to conformance-format JSON and read back through the real parsers; then
//! [`differential`] runs the reference and the fast evaluator and compares their answers, and
//! [`suite`] writes cases (and mismatches) as conformance cases.

pub mod differential;
pub mod fuzz;
pub mod hostile;
pub mod pools;
pub mod spec;
pub mod strategy;
pub mod suite;

pub use differential::{check, Failure, Generator, Mismatch, Outcome, Stats};
pub use fuzz::FuzzInput;
pub use spec::CaseSpec;
