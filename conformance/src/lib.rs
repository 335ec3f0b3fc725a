//! The iamspec conformance suite format (FORMAT.md in this crate, version 1), reading suites
//! with precise errors, and running them against the built-in evaluator or an external
//! implementation over the line protocol.

pub mod api;
pub mod case;
pub mod discover;
pub mod external;
pub mod runner;
pub mod suite;

pub use case::{Case, Expect};
pub use runner::{CaseResult, Implementation, Outcome};
pub use suite::{Suite, SuiteError};
