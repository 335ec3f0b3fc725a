//! IAM itself: an organization of accounts, each with its users, groups, roles, managed and inline
//! policies, boundaries, instance profiles, identity providers and credentials, and the resources
//! with their resource-based policies — loaded from what AWS exports (`aws iam
//! get-account-authorization-details`, the credential report) and from an `iamspec-snapshot/1`
//! (FORMAT.md) — and, for a request, the exact [`PolicySet`](iamspec_model::PolicySet) AWS would
//! evaluate, with the context keys AWS derives from the world.
//!
//! The world adds no evaluation logic: every answer is the model's evaluators' answer on the
//! assembled set (see README.md). No z3 here; reachability builds on this crate in `reach/`.

pub mod assemble;
pub mod audit;
pub mod credential_report;
pub mod entity;
pub mod err;
pub mod explain;
pub mod gaad;
pub mod lifecycle;
pub mod organization;
pub mod password_policy;
pub mod permissions;
mod read;
pub mod report;
pub mod snapshot;
pub mod synth;
pub mod time;

pub use assemble::{Assembled, PolicyLabel, Query};
pub use entity::World;
pub use err::{Finding, LoadError};
