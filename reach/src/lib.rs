//! Reachability across a world (`iamspec-world`): who can perform an action on a resource,
//! directly or through a chain of principals; who can become an administrator; the paths from
//! one principal to another.
//!
//! The graph's nodes are the world's users, roles and identity providers, plus the principals as
//! an escalation step leaves them; its edges are `sts:AssumeRole`, federation
//! (`AssumeRoleWithWebIdentity`/`AssumeRoleWithSAML`) and the 65 documented escalation paths of
//! pathfinding.cloud (`catalogue.rs`, Apache-2.0, see NOTICE) as data-driven rules (`rules.rs`).
//! Every edge is the evaluator's answer on the policy set the world assembles (`decide.rs`);
//! a precondition the snapshot cannot decide makes the edge conditional, naming the fact.

pub mod cases;
pub mod catalogue;
pub mod context;
pub mod decide;
pub mod grant;
pub mod graph;
pub mod query;
pub mod render;
pub mod rules;
pub mod warnings;

pub use decide::{Outcome, Verdict};
pub use graph::{Graph, NodeKind};
pub use query::{escalation, path, who_can, Limits, Record};
