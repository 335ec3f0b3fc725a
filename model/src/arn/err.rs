use crate::quote::quoted;
use thiserror::Error;

#[derive(Clone, Debug, Error, PartialEq, Eq)]
pub enum ArnError {
    #[error("{} is not an ARN (it must start with `arn:`)", quoted(.0))]
    NotAnArn(String),
    #[error("{} is not an ARN: it needs six `:`-separated fields (arn:partition:service:region:account:resource)", quoted(.0))]
    TooFewFields(String),
    #[error("{} is not an ARN: the partition and service fields must not be empty", quoted(.0))]
    EmptyField(String),
}
