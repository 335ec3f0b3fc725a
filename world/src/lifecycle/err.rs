//! The errors of the IAM API, by AWS's error code. Each operation's page in the IAM API
//! reference lists the codes it returns
//! (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_Operations.html>); `ValidationError`
//! and `InvalidAction` are the common errors every AWS API returns
//! (<https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html>).
//!
//! `ConcurrentModification` and `ServiceFailure` are out of scope: the model applies one call at
//! a time and never fails on its own (D121).

use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum IamError {
    /// A resource with this name already exists (names are unique regardless of case).
    #[error("EntityAlreadyExists: {0}")]
    EntityAlreadyExists(String),
    /// A referenced resource does not exist.
    #[error("NoSuchEntity: {0}")]
    NoSuchEntity(String),
    /// A quota of the account or of an entity would be exceeded.
    #[error("LimitExceeded: {0}")]
    LimitExceeded(String),
    /// The resource still has subordinate entities (keys, policies, members, versions...).
    #[error("DeleteConflict: {0}")]
    DeleteConflict(String),
    /// The policy document is not a valid policy of its kind (the model's validator).
    #[error("MalformedPolicyDocument: {0}")]
    MalformedPolicyDocument(String),
    /// A service-linked role, which only its service may change.
    #[error("UnmodifiableEntity: {0}")]
    UnmodifiableEntity(String),
    /// A value the operation's own rules reject.
    #[error("InvalidInput: {0}")]
    InvalidInput(String),
    /// The password does not satisfy the account's password policy.
    #[error("PasswordPolicyViolation: {0}")]
    PasswordPolicyViolation(String),
    /// An MFA authentication code that is not a code.
    #[error("InvalidAuthenticationCode: {0}")]
    InvalidAuthenticationCode(String),
    /// A parameter missing, of the wrong type, or outside its length and pattern constraints.
    #[error("ValidationError: {0}")]
    ValidationError(String),
    /// An action the model does not know.
    #[error("InvalidAction: {0}")]
    InvalidAction(String),
}

impl IamError {
    /// AWS's error code, as the API returns it in `Error.Code`.
    pub fn code(&self) -> &'static str {
        match self {
            IamError::EntityAlreadyExists(_) => "EntityAlreadyExists",
            IamError::NoSuchEntity(_) => "NoSuchEntity",
            IamError::LimitExceeded(_) => "LimitExceeded",
            IamError::DeleteConflict(_) => "DeleteConflict",
            IamError::MalformedPolicyDocument(_) => "MalformedPolicyDocument",
            IamError::UnmodifiableEntity(_) => "UnmodifiableEntity",
            IamError::InvalidInput(_) => "InvalidInput",
            IamError::PasswordPolicyViolation(_) => "PasswordPolicyViolation",
            IamError::InvalidAuthenticationCode(_) => "InvalidAuthenticationCode",
            IamError::ValidationError(_) => "ValidationError",
            IamError::InvalidAction(_) => "InvalidAction",
        }
    }

    /// The message without the code.
    pub fn message(&self) -> &str {
        match self {
            IamError::EntityAlreadyExists(m)
            | IamError::NoSuchEntity(m)
            | IamError::LimitExceeded(m)
            | IamError::DeleteConflict(m)
            | IamError::MalformedPolicyDocument(m)
            | IamError::UnmodifiableEntity(m)
            | IamError::InvalidInput(m)
            | IamError::PasswordPolicyViolation(m)
            | IamError::InvalidAuthenticationCode(m)
            | IamError::ValidationError(m)
            | IamError::InvalidAction(m) => m,
        }
    }
}
