use iamspec_model::json::{JsonError, JsonPath};
use std::path::PathBuf;
use thiserror::Error;

/// A suite that cannot be run.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum SuiteError {
    #[error("{}: {message}", file.display())]
    Read { file: PathBuf, message: String },
    #[error("{}: {error}", file.display())]
    Json { file: PathBuf, error: JsonError },
    /// Valid JSON, but not a suite (a case file, or something else).
    #[error("{}: {message}", file.display())]
    NotASuite { file: PathBuf, message: String },
    #[error("{}: {path}: {message}", file.display())]
    Malformed {
        file: PathBuf,
        path: JsonPath,
        message: String,
    },
}

impl SuiteError {
    /// The file the error is about.
    pub fn file(&self) -> &std::path::Path {
        match self {
            SuiteError::Read { file, .. }
            | SuiteError::Json { file, .. }
            | SuiteError::NotASuite { file, .. }
            | SuiteError::Malformed { file, .. } => file,
        }
    }
}
