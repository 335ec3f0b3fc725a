use crate::json::JsonPath;
use crate::policy::{Finding, PolicyKind};
use thiserror::Error;

/// Policies that cannot be evaluated. Paths run from the case (`policies.identity[0].Statement[1].Effect`).
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum PolicySetError {
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        path: JsonPath,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{path}: unknown policy field (expected identity, permission_boundary, session, resource, scp, rcp, vpc_endpoint)")]
    UnknownField { path: JsonPath },
    #[error("{path}: duplicate field")]
    DuplicateField { path: JsonPath },
    #[error("{path}: invalid {}: {}", kind.aws_name(), finding.message)]
    InvalidPolicy {
        path: JsonPath,
        kind: PolicyKind,
        finding: Finding,
    },
}
