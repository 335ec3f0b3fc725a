//! z3-backed analysis of IAM policy sets: equivalence, implication, access checks and who can
//! reach a resource, each answered `Holds`, `Fails` with concrete witness requests, or `Unknown`.
//!
//! The encoding mirrors `iamspec_model::reference` (the spec) over a symbolic request; every
//! witness is replayed through the reference evaluator before it is shown, and one that does not
//! replay is a [`SolverError`], never a witness. `solver/README.md` describes the encoding, what
//! a verdict assumes, and what answers `Unknown`.

mod actions;
mod contexts;
mod domain;
mod encode;
mod err;
mod generic;
mod glob;
pub mod harness;
pub mod phases;
mod query;
mod readable;
mod regex;
pub mod rewrite;
mod smt;
mod space;
mod strings;
mod symbolic;
mod values;
mod witness;

pub use actions::resource_fits;
pub use domain::request_in_domain;
pub use err::SolverError;
pub use query::{
    access_not_granted, access_not_granted_each, decide, equivalent, implies, never_allows,
    no_public_access, who_can_reach, z3_checks, Callers, Encoding, Options, PrincipalGroup, Reach,
    ReachVerdict, Verdict, TRUSTED_KEYS,
};
pub use witness::{oddities, Witness};

/// The action catalogue a verdict assumes: the actions that exist are those it lists, plus the
/// actions the compared policies name.
pub fn catalogue_assumption() -> String {
    let source = iamspec_corpus::Catalogue::embedded().source();
    format!("{} {}", source.package, source.version)
}

#[cfg(test)]
mod tests {
    use z3::{ast::Int, Solver};

    #[test]
    fn z3_links_and_solves() {
        let solver = Solver::new();
        let x = Int::new_const("x");
        solver.assert(x.gt(Int::from_i64(41)));
        solver.assert(x.lt(Int::from_i64(43)));
        assert_eq!(solver.check(), z3::SatResult::Sat);
        let model = solver.get_model().unwrap();
        assert_eq!(model.eval(&x, true).and_then(|v| v.as_i64()), Some(42));
    }
}
