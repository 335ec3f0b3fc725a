use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ArnError {
    #[error("`{0}` is not an ARN (it must start with `arn:`)")]
    NotAnArn(String),
    #[error("`{0}` is not an ARN: it needs six `:`-separated fields (arn:partition:service:region:account:resource)")]
    TooFewFields(String),
    #[error("`{0}` is not an ARN: the partition and service fields must not be empty")]
    EmptyField(String),
}
