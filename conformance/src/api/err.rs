//! Why an `iamspec-api/1` suite cannot be read, or an implementation cannot be run.

use std::path::PathBuf;
use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ApiError {
    #[error("{}: cannot read: {message}", file.display())]
    Read { file: PathBuf, message: String },
    /// The file is not a suite, or a field is missing or of the wrong type.
    #[error("{}: {path}: {message}", file.display())]
    Suite {
        file: PathBuf,
        path: String,
        message: String,
    },
    #[error("cannot start the implementation `{command}`: {message}")]
    CannotStart { command: String, message: String },
    /// The implementation exited, timed out, or wrote a line that is not an answer.
    #[error("the implementation `{command}` {what}")]
    Implementation { command: String, what: String },
}
