//! Load errors (fatal: the snapshot is not a world) and findings (the world loads, but something
//! in it is reported: a quota exceeded, a policy reference that does not resolve, a policy
//! document AWS would reject). Both name the file and the JSON path.

use iamspec_model::json::JsonPath;
use serde::Serialize;
use std::fmt;
use thiserror::Error;

/// Why a snapshot could not be loaded.
#[derive(Clone, Debug, Error, PartialEq, Eq)]
#[error("{file}: {path}: {message}")]
pub struct LoadError {
    pub file: String,
    pub path: JsonPath,
    pub message: String,
}

/// Something reported about a world that loads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `quota`, `missing-policy`, `invalid-policy`, `unknown-group`, ...
    pub code: &'static str,
    pub file: String,
    #[serde(serialize_with = "path_text")]
    pub path: JsonPath,
    pub message: String,
}

fn path_text<S: serde::Serializer>(path: &JsonPath, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string())
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}: {} [{}]",
            self.file, self.path, self.message, self.code
        )
    }
}
