//! The IAM policy language: the typed AST, parsing from JSON with paths, and validation per
//! policy kind (SEMANTICS.md §1).

mod ast;
mod err;
mod finding;
mod kind;
mod parse;
mod validate;

pub use ast::*;
pub use err::PolicyError;
pub use finding::{Finding, Severity};
pub use kind::PolicyKind;
pub use validate::PolicySize;

use crate::json::Json;

impl Policy {
    /// Parses a policy document from JSON text (structure only; see [`check`]).
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let json = Json::parse(text)?;
        Policy::from_json(&json)
    }

    /// Parses a policy document from a JSON tree (structure only; see [`check`]).
    pub fn from_json(json: &Json) -> Result<Policy, PolicyError> {
        parse::parse_policy(json).map_err(PolicyError::Invalid)
    }
}

/// Everything validation finds in `json` as a policy of `kind`: structural errors from parsing,
/// then the rules of the kind. `text` is the original document text when there is one (SCP and
/// RCP quotas count its whitespace). The policy is returned when it parsed.
pub fn check(json: &Json, kind: PolicyKind, text: Option<&str>) -> (Option<Policy>, Vec<Finding>) {
    match parse::parse_policy(json) {
        Err(findings) => (None, findings),
        Ok(policy) => {
            let size = PolicySize {
                without_whitespace: json.to_compact_string().chars().count(),
                with_whitespace: text.map(|t| t.chars().count()),
            };
            let findings = validate::validate(&policy, kind, size);
            (Some(policy), findings)
        }
    }
}
