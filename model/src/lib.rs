//! The AWS IAM policy language, requests, and evaluators.
