use crate::context_keys::{Availability, KeyType};
use crate::json::JsonPath;
use crate::quote::quoted;
use thiserror::Error;

/// A request that cannot be evaluated. Every variant names where in the input it is.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("{path}: expected {expected}, found {found}")]
    WrongType {
        path: JsonPath,
        expected: &'static str,
        found: &'static str,
    },
    #[error("{path}: the request has no `{field}`")]
    MissingField { path: JsonPath, field: &'static str },
    #[error("{path}: unknown request field")]
    UnknownField { path: JsonPath },
    #[error("{path}: duplicate field")]
    DuplicateField { path: JsonPath },
    #[error("{path}: {} is not a principal: {reason}", quoted(.value))]
    InvalidPrincipal {
        path: JsonPath,
        value: String,
        reason: String,
    },
    #[error("{path}: {} is not an action (expected `service:ActionName`, no wildcards)", quoted(.value))]
    InvalidAction { path: JsonPath, value: String },
    #[error("{path}: the resource must be `*` or an ARN: {reason}")]
    InvalidResource { path: JsonPath, reason: String },
    #[error("{path}: {} is not a 12-digit account id", quoted(.value))]
    InvalidAccount { path: JsonPath, value: String },
    #[error("{path}: {} is single-valued: AWS sends one value, not a list (D61)", quoted(.key))]
    ListForSingleValuedKey { path: JsonPath, key: String },
    #[error("{path}: {} takes {expected}; {} is not one (D61)", quoted(.key), quoted(.value))]
    WrongKeyType {
        path: JsonPath,
        key: String,
        expected: KeyType,
        value: String,
    },
    #[error("{path}: AWS never sends {} for this principal: it is {} (D61)", quoted(.key), .availability.describe())]
    ImpossibleKey {
        path: JsonPath,
        key: String,
        availability: Availability,
    },
    #[error("{path}: {} contradicts the principal, for whom it is {} (D61)", quoted(.value), quoted(.expected))]
    ContradictsPrincipal {
        path: JsonPath,
        value: String,
        expected: String,
    },
    #[error("{path}: {} contradicts the resource, whose account is {} (D61)", quoted(.value), quoted(.expected))]
    ContradictsResource {
        path: JsonPath,
        value: String,
        expected: String,
    },
}
