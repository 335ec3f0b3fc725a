use thiserror::Error;

/// JSON that cannot be read at all: a syntax error or nesting beyond the recursion limit.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("invalid JSON at line {line}, column {column}: {message}")]
pub struct JsonError {
    pub message: String,
    pub line: usize,
    pub column: usize,
}

impl JsonError {
    pub(crate) fn from_serde(err: serde_json::Error) -> JsonError {
        let full = err.to_string();
        // serde_json appends " at line L column C"; we report the position separately.
        let message = match full.rfind(" at line ") {
            Some(at) => full.get(..at).unwrap_or(&full).to_owned(),
            None => full,
        };
        JsonError {
            message,
            line: err.line(),
            column: err.column(),
        }
    }
}
