//! D73: the solver quantifies only over requests whose resource the action can be sent with (the
//! shapes of the catalogue's resource types). A difference that lies only on a resource no action
//! of the class can be sent with is no difference; a real one is still found, with a witness whose
//! resource fits its action.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use iamspec_model::json::JsonPath;
use iamspec_model::Request;
use iamspec_solver::{equivalent, request_in_domain, resource_fits, Encoding, Options, Verdict};

fn statement(action: &str, resource: &str) -> String {
    format!(r#"[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]"#)
}

/// `Holds`, and the request that made the difference before D73 is outside the domain, with
/// the reason.
fn equivalent_in_domain(action: &str, a: &str, b: &str, outside: &str) {
    let (a, b) = (
        identity(&statement(action, a)),
        identity(&statement(action, b)),
    );
    // z3 strings (the fallback for policy variables) time out on these within 20 s: the partition
    // answers.
    for encoding in [Encoding::Auto, Encoding::Partition] {
        let options = Options {
            encoding,
            ..options()
        };
        let v = equivalent(&a, &b, &options).unwrap();
        assert!(holds(&v), "{action} {encoding:?}: {v:?}");
    }
    let request = Request::from_json(
        &iamspec_model::json::Json::parse(&format!(
            r#"{{"principal":"arn:aws:iam::111122223333:user/alice","action":"{action}","resource":"{outside}"}}"#
        ))
        .unwrap(),
        &JsonPath::root(),
    )
    .unwrap();
    // The reference tells the two apart on it: the difference was real, and impossible.
    let decide = |set| iamspec_model::reference::authorize(set, &request).decision;
    assert_ne!(decide(&a), decide(&b), "{outside}");
    let why = request_in_domain(&request, &[&a, &b]).unwrap_err();
    assert!(why.contains("cannot be sent with the resource"), "{why}");
}

#[test]
fn an_object_action_on_a_bucket_is_no_difference() {
    // `b*` also matches the bucket `arn:aws:s3:::bx`, which `s3:GetObject` is never sent with.
    equivalent_in_domain(
        "s3:GetObject",
        "arn:aws:s3:::b*",
        "arn:aws:s3:::b*/*",
        "arn:aws:s3:::bx",
    );
}

#[test]
fn an_empty_object_key_is_no_difference() {
    equivalent_in_domain(
        "s3:GetObject",
        "arn:aws:s3:::b/*",
        "arn:aws:s3:::b/?*",
        "arn:aws:s3:::b/",
    );
}

#[test]
fn an_s3_action_on_a_queue_is_no_difference() {
    // `s3:DeleteBucket` requires a bucket: never `*`, never another service's ARN.
    equivalent_in_domain(
        "s3:DeleteBucket",
        "*",
        "arn:*:s3:::*",
        "arn:aws:sqs:us-east-1:111122223333:queue",
    );
}

#[test]
fn a_real_difference_is_still_found_with_a_fitting_witness() {
    let a = identity(&statement("s3:GetObject", "arn:aws:s3:::b/*"));
    let b = identity(&statement("s3:GetObject", "arn:aws:s3:::b/x*"));
    let Verdict::Fails(w) = equivalent(&a, &b, &options()).unwrap() else {
        panic!("a key outside `x*` differs")
    };
    for witness in &w {
        let resource = witness.request.resource.to_string();
        assert!(
            resource.starts_with("arn:aws:s3:::b/") && !resource.starts_with("arn:aws:s3:::b/x"),
            "{resource}"
        );
        assert!(resource_fits(
            witness.request.action.as_str(),
            &witness.request.resource
        ));
    }
    // A class that holds an action without resource types (`s3:ListAllMyBuckets`) can be sent
    // with any resource: the difference on non-S3 ARNs is real for it, and its witness names it.
    let a = identity(&statement("s3:*", "*"));
    let b = identity(&statement("s3:*", "arn:aws:s3:::*"));
    let Verdict::Fails(w) = equivalent(&a, &b, &options()).unwrap() else {
        panic!("`s3:ListAllMyBuckets` differs on `*`")
    };
    for witness in &w {
        assert!(
            resource_fits(witness.request.action.as_str(), &witness.request.resource),
            "{}",
            witness.request_json.to_compact_string()
        );
    }
}

#[test]
fn aws_managed_policies_stay_in_the_domain() {
    // Their ARNs have `aws` as the account field: the guard rails' requests (D68) are real.
    for (action, resource) in [
        ("iam:DeletePolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        ("iam:GetPolicy", "arn:aws:iam::aws:policy/ReadOnlyAccess"),
        (
            "iam:DeleteRole",
            "arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin_0123456789abcdef",
        ),
    ] {
        let request = Request::from_json(
            &iamspec_model::json::Json::parse(&format!(
                r#"{{"principal":"arn:aws:iam::111122223333:user/alice","action":"{action}","resource":"{resource}"}}"#
            ))
            .unwrap(),
            &JsonPath::root(),
        )
        .unwrap();
        assert!(
            resource_fits(action, &request.resource),
            "{action} {resource}"
        );
    }
}
