//! Lint needs no shared data folder: the catalogue is embedded. This file is its own test
//! binary, so pointing `IAMSPEC_SHARED` at a missing folder affects nothing else.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use iamspec_corpus::lint::lint;
use iamspec_corpus::{Catalogue, ManagedPolicy};
use iamspec_model::PolicyKind;

#[test]
fn lint_works_without_the_shared_folder() {
    std::env::set_var("IAMSPEC_SHARED", "/nonexistent/iamspec-shared");
    assert!(ManagedPolicy::load_shared().unwrap().is_none());
    let report = lint(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["s3:GetObjekt", "s3:GetObject"], "Resource": "arn:aws:s3:::bucket"}}"#,
        PolicyKind::Identity,
        Catalogue::embedded(),
    );
    let ids: Vec<&str> = report.findings.iter().map(|f| f.id).collect();
    // Both need the catalogue: an action it lacks, and one that acts on objects, not buckets.
    assert_eq!(ids, ["unknown-action"]);
    let report = lint(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket"}}"#,
        PolicyKind::Identity,
        Catalogue::embedded(),
    );
    let ids: Vec<&str> = report.findings.iter().map(|f| f.id).collect();
    assert_eq!(ids, ["resource-matches-no-resource-type"]);
}
