//! Why a catalogue could not be read.

/// A catalogue file that does not parse or does not have the documented shape
/// (see the [`catalogue`](super) module documentation).
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The text is not JSON of the catalogue's shape.
    #[error("the catalogue is not valid JSON of the expected shape: {0}")]
    Json(#[from] serde_json::Error),
    /// The embedded catalogue's compact form (written by the crate's `build.rs`) ends early or
    /// points outside itself: a bug of the build, not of any input.
    #[error("the embedded catalogue's compact form is malformed at byte {at}")]
    Compact {
        /// The position in the compact form.
        at: usize,
    },
    /// A file written by another version of `cargo xtask catalogue`.
    #[error("the catalogue has format `{found}`; this crate reads format `{expected}`")]
    UnsupportedFormat {
        /// The `format` the file declares.
        found: u32,
        /// The one this crate reads.
        expected: u32,
    },
    /// A service prefix or an action name that is empty or contains `:`, `*` or `?`: expansion
    /// relies on the service prefix being everything before the only `:` of `service:Action`.
    #[error("invalid {what} `{name}` in the catalogue")]
    InvalidName {
        /// `service prefix` or `action name`.
        what: &'static str,
        /// The offending name.
        name: String,
    },
    /// Two services, or two actions, resource types or condition keys of a service, whose names
    /// are the same or differ only in case: case-insensitive lookups would be ambiguous, and a
    /// name written twice would leave one of its entries unread.
    #[error("duplicate {what} `{name}` in the catalogue (names compare case-insensitively)")]
    Duplicate {
        /// `service`, `action`, `resource type` or `condition key`.
        what: &'static str,
        /// The second name seen.
        name: String,
    },
    /// An access-level code other than `L`, `R`, `W`, `P`, `T`.
    #[error("action `{action}` has unknown access level code `{code}`")]
    UnknownAccessLevel {
        /// `service:Action`.
        action: String,
        /// The code found.
        code: String,
    },
    /// A condition key type this crate does not know.
    #[error("condition key `{key}` has unknown type `{ty}`")]
    UnknownConditionKeyType {
        /// The condition key.
        key: String,
        /// The type found.
        ty: String,
    },
}
