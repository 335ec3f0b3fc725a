//! Witnesses are requests AWS can send (D87) and read plainly where the policies allow it
//! (D88): no partition, region or account field AWS never writes, no resource in another
//! partition than its caller's, no `*` for an action with resource types when an ARN of one
//! of its types is decided the same way. Each policy pair here gave an odd witness before.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use iamspec_model::request::Resource;
use iamspec_model::PolicySet;
use iamspec_solver::{equivalent, oddities, Verdict, Witness};

fn witnesses(a: &str, b: &str) -> Vec<Witness> {
    let v = equivalent(&identity(a), &identity(b), &options()).unwrap();
    let Verdict::Fails(w) = v else {
        panic!("{v:?}")
    };
    for w in &w {
        println!("{}", w.request_json.to_compact_string());
    }
    w
}

fn resource_text(w: &Witness) -> String {
    match &w.request.resource {
        Resource::Any => "*".to_owned(),
        Resource::Arn(arn) => arn.to_string(),
    }
}

/// A condition value changed on `Resource: *`: the old witness was `*` for
/// `cloudwatch:PutMetricData` (AWSAppFabricServiceRolePolicy in the corpus); an ARN of its
/// `dataset` type is decided the same way.
#[test]
fn star_becomes_an_arn_of_the_actions_type() {
    let a = r#"[{"Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"AWS/AppFabric"}}}]"#;
    let b = r#"[{"Effect":"Allow","Action":"cloudwatch:PutMetricData","Resource":"*","Condition":{"StringEquals":{"cloudwatch:namespace":"AWS/AppFabricx"}}}]"#;
    for w in witnesses(a, b) {
        assert_eq!(oddities(&w.request), Vec::<&str>::new());
        assert!(
            resource_text(&w).starts_with("arn:aws:cloudwatch:us-east-1:"),
            "{}",
            resource_text(&w)
        );
    }
}

/// `stack/SC-*` (AWSServiceCatalogAdminFullAccess): the old witness named a stack without its
/// id, sometimes in the account `aws`; a stack ARN has both the caller's account and an id.
#[test]
fn a_resource_gets_the_rest_of_its_type() {
    let a = r#"[{"Effect":"Allow","Action":["cloudformation:CreateStack","cloudformation:DeleteStack"],"Resource":"arn:aws:cloudformation:*:*:stack/SC-*"}]"#;
    let b = r#"[{"Effect":"Allow","Action":"cloudformation:DeleteStack","Resource":"arn:aws:cloudformation:*:*:stack/SC-*"}]"#;
    for w in witnesses(a, b) {
        assert_eq!(oddities(&w.request), Vec::<&str>::new());
        let text = resource_text(&w);
        let arn = iamspec_model::arn::Arn::parse(&text).unwrap();
        assert!(
            iamspec_model::principal::is_account_id(arn.account()),
            "{text}"
        );
        assert!(arn.resource().matches('/').count() >= 2, "{text}");
    }
}

/// A policy that names only `arn:aws:` ARNs does not cover another partition: the witness is
/// there, with a caller of that partition too (an account lives in one partition), which is
/// unusual but a request AWS can send.
#[test]
fn another_partition_is_the_callers_too() {
    let a = r#"[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]"#;
    let b = r#"[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:*:*"}]"#;
    for w in witnesses(a, b) {
        let why = oddities(&w.request);
        assert!(why.iter().all(|r| !r.starts_with("impossible")), "{why:?}");
        let text = resource_text(&w);
        let arn = iamspec_model::arn::Arn::parse(&text).unwrap();
        assert_ne!(arn.partition(), "aws", "{text}");
        assert!(
            w.request
                .principal_text
                .starts_with(&format!("arn:{}:", arn.partition()))
                || !w.request.principal_text.starts_with("arn:"),
            "{}",
            w.request.principal_text
        );
    }
}

/// A Deny on an ARN AWS never writes (a one-character account field, a region field that is
/// not a region code, a partition that does not exist) changes no request AWS can send: the
/// sets are equivalent (D87). Before, each was "different" with that ARN as the witness.
/// (Without wildcards: a `*` in an ARN pattern may span fields.)
#[test]
fn denies_on_impossible_arns_change_nothing() {
    let allow = r#"{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}"#;
    let with_deny = |arn: &str| {
        identity(&format!(
            r#"[{allow},{{"Effect":"Deny","Action":"sqs:SendMessage","Resource":"{arn}"}}]"#
        ))
    };
    let a = identity(&format!("[{allow}]"));
    for arn in [
        "arn:aws:sqs:us-east-1:a:q",
        "arn:aws:sqs:us-east-1:111122223333x:q",
        "arn:aws:sqs:ssm-sap:111122223333:q",
        "arn:a:sqs:us-east-1:111122223333:q",
    ] {
        let v = equivalent(&a, &with_deny(arn), &options()).unwrap();
        assert!(holds(&v), "{arn}: {v:?}");
    }
    // A real account field, region code or partition still counts, `aws` and empty too.
    for arn in [
        "arn:aws:sqs:us-east-1:444455556666:q",
        "arn:aws:sqs:us-east-7:111122223333:q",
        "arn:aws-iso-b:sqs:us-isob-east-1:111122223333:q",
        "arn:aws:sqs:us-east-1:aws:q",
        "arn:aws:sqs:::q",
    ] {
        let v = equivalent(&a, &with_deny(arn), &options()).unwrap();
        assert!(fails(&v), "{arn}: {v:?}");
    }
}

/// The Allow statement `base`, and `base` with a grant of `arn:aws-cn:` queues to callers whose
/// ARN matches `caller`.
fn with_cn_grant(base: &str, caller: &str) -> (PolicySet, PolicySet) {
    let grant = format!(
        r#"{{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws-cn:sqs:*:*:*","Condition":{{"ArnLike":{{"aws:PrincipalArn":"{caller}"}}}}}}"#
    );
    (
        identity(&format!("[{base}]")),
        identity(&format!("[{base},{grant}]")),
    )
}

/// No access crosses partitions (D75): a grant of `arn:aws-cn:` queues to callers whose ARN is
/// in `aws` grants nothing, so adding it changes no request AWS can send. Before, the sets were
/// "different" with a caller in `aws` and a queue in `aws-cn` as the only witness. The same
/// grant to `aws-cn` callers is real, and its witness keeps both in `aws-cn`.
#[test]
fn no_access_crosses_partitions() {
    let base = r#"{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:*:*:*"}"#;
    let (a, b) = with_cn_grant(base, "arn:aws:iam::*:*");
    let v = equivalent(&a, &b, &options()).unwrap();
    assert!(holds(&v), "{v:?}");
    let (a, b) = with_cn_grant(base, "arn:aws-cn:iam::*:*");
    let v = equivalent(&a, &b, &options()).unwrap();
    let Verdict::Fails(ws) = v else {
        panic!("{v:?}")
    };
    for w in ws {
        assert_eq!(resource_text(&w).split(':').nth(1), Some("aws-cn"));
        assert!(
            w.request.principal_text.starts_with("arn:aws-cn:"),
            "{}",
            w.request.principal_text
        );
        let why = oddities(&w.request);
        assert!(why.iter().all(|r| !r.starts_with("impossible")), "{why:?}");
    }
}

/// D75 where the resource domain is too large to build and is explored lazily: the same grant
/// among many resource patterns.
#[test]
fn no_access_crosses_partitions_in_a_large_resource_domain() {
    let many: Vec<String> = (0..120)
        .map(|i| format!(r#""arn:aws:sqs:*:*:q{i}*x*{i}*""#))
        .collect();
    let base = format!(
        r#"{{"Effect":"Allow","Action":"sqs:SendMessage","Resource":[{}]}}"#,
        many.join(",")
    );
    let (a, b) = with_cn_grant(&base, "arn:aws:iam::*:*");
    let v = equivalent(&a, &b, &options()).unwrap();
    assert!(holds(&v), "{v:?}");
    let (a, b) = with_cn_grant(&base, "arn:aws-cn:iam::*:*");
    let v = equivalent(&a, &b, &options()).unwrap();
    assert!(fails(&v), "{v:?}");
}
