#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_model::json::{Json, JsonPath};
use iamspec_model::request::Action;
use iamspec_model::PolicySet;
use iamspec_solver::{Options, Verdict};
use std::time::Duration;

/// A policy set from a conformance `policies` object.
pub fn set(text: &str) -> PolicySet {
    let json = Json::parse(text).unwrap();
    PolicySet::from_json(
        &json,
        &JsonPath::root(),
        &Action::parse("s3:GetObject").unwrap(),
    )
    .unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// An identity policy set with these statements.
pub fn identity(statements: &str) -> PolicySet {
    set(&format!(
        r#"{{"identity":[{{"Version":"2012-10-17","Statement":{statements}}}]}}"#
    ))
}

pub fn options() -> Options {
    Options {
        timeout: Duration::from_secs(20),
        max_witnesses: 2,
        ..Options::default()
    }
}

pub fn holds(v: &Verdict) -> bool {
    matches!(v, Verdict::Holds)
}

pub fn fails(v: &Verdict) -> bool {
    matches!(v, Verdict::Fails(w) if !w.is_empty())
}
