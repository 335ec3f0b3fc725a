use iamspec_model::Decision;

/// A construct the encoding does not represent exactly: the query answers `Unknown` with this
/// reason rather than risk a wrong `Holds`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl Unsupported {
    pub fn new(reason: impl Into<String>) -> Unsupported {
        Unsupported(reason.into())
    }
}

/// A failure of the solver itself, as opposed to an answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SolverError {
    /// The solver produced a request that, replayed through the reference evaluator, does not
    /// show what the solver claimed: a bug in the encoding, never a witness.
    #[error("solver bug: the witness request `{request}` was claimed to be {claimed} but the reference evaluator says {replayed} (under {side})")]
    WitnessDidNotReplay {
        /// The witness request, as conformance-format JSON.
        request: String,
        side: String,
        claimed: String,
        replayed: Decision,
    },
    /// The model could not be turned into a request the conformance format accepts.
    #[error("solver bug: the model does not make a valid request: {reason}")]
    InvalidWitness { reason: String },
    /// The solver produced a request that request validation (D61) rejects: a request AWS
    /// cannot send, outside the space the solver quantifies over (D85), so a bug in the
    /// encoding, never a witness.
    #[error("solver bug: the witness request `{request}` is not one AWS can send: {reason}")]
    ImpossibleWitness { request: String, reason: String },
    /// The query's own arguments are malformed.
    #[error("invalid query: {0}")]
    InvalidQuery(String),
}
