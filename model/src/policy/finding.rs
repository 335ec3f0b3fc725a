use crate::json::JsonPath;
use serde::Serialize;
use std::fmt;

/// How bad a finding is: an `Error` is something AWS rejects; a policy with one is never
/// evaluated. A `Warning` is accepted by AWS but probably not what the author meant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One thing validation found, with where it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    /// A stable kebab-case identifier of the check (`unknown-operator`).
    pub code: &'static str,
    #[serde(serialize_with = "serialize_path")]
    pub path: JsonPath,
    pub message: String,
}

fn serialize_path<S: serde::Serializer>(path: &JsonPath, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string())
}

impl Finding {
    pub fn error(code: &'static str, path: JsonPath, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Error,
            code,
            path,
            message: message.into(),
        }
    }

    pub fn warning(code: &'static str, path: JsonPath, message: impl Into<String>) -> Finding {
        Finding {
            severity: Severity::Warning,
            code,
            path,
            message: message.into(),
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Every error stops evaluation (fail closed), size quotas included: a size is an error
    /// only for the kinds whose quota the document alone decides (session, trust, SCP, RCP); for
    /// identity policies and boundaries it is a warning, since the attachment decides (D63).
    pub fn blocks_evaluation(&self) -> bool {
        self.is_error()
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{severity}[{}] {}: {}",
            self.code, self.path, self.message
        )
    }
}
