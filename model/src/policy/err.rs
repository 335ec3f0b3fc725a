use super::finding::Finding;
use crate::json::JsonError;
use thiserror::Error;

/// A policy document that cannot be used.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum PolicyError {
    #[error(transparent)]
    Json(#[from] JsonError),
    /// Every error found; at least one.
    #[error("{}", first_error(.0))]
    Invalid(Vec<Finding>),
}

fn first_error(findings: &[Finding]) -> String {
    match findings.iter().find(|f| f.is_error()).or(findings.first()) {
        Some(f) => format!("{}: {}", f.path, f.message),
        None => "invalid policy".to_owned(),
    }
}
