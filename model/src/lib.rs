//! The AWS IAM policy language, requests, and the reference evaluator.
//!
//! Data flows one way: JSON → [`json::Json`] → [`policy::Policy`] (validated per
//! [`policy::PolicyKind`]) and [`request::Request`] → [`policy_set::PolicySet`] →
//! [`reference::authorize`] → [`answer::Answer`]. See ARCHITECTURE.md.

pub mod answer;
pub mod arn;
pub mod condition;
pub mod context_keys;
pub mod evaluator;
pub mod fast;
pub mod guard_rail;
pub mod hash;
pub mod json;
pub mod pattern;
pub mod policy;
pub mod policy_set;
pub mod principal;
pub mod quote;
pub mod reference;
pub mod request;
pub mod scope;
#[cfg(feature = "testing")]
pub mod testing;

pub use answer::{Answer, Decision, StatementRef};
pub use evaluator::{Evaluator, Verdict};
pub use policy::{Policy, PolicyKind};
pub use policy_set::PolicySet;
pub use request::Request;
