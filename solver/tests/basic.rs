#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::*;
use iamspec_solver::{access_not_granted, equivalent, implies, never_allows, Verdict};

#[test]
fn identical_identity_policies_are_equivalent() {
    let a =
        identity(r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]"#);
    let v = equivalent(&a, &a, &options()).unwrap();
    assert!(holds(&v), "{v:?}");
}

#[test]
fn different_actions_give_a_witness() {
    let a = identity(r#"[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]"#);
    let b = identity(r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]"#);
    let v = equivalent(&a, &b, &options()).unwrap();
    let Verdict::Fails(w) = &v else {
        panic!("{v:?}")
    };
    println!("{}", w[0].request_json.to_compact_string());
    assert!(implies(&b, &a, &options()).map(|v| holds(&v)).unwrap());
    assert!(fails(&implies(&a, &b, &options()).unwrap()));
}

#[test]
fn split_statement_is_equivalent() {
    let a = identity(
        r#"[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":["arn:aws:s3:::b/*","arn:aws:s3:::c"]}]"#,
    );
    let b = identity(
        r#"[{"Effect":"Allow","Action":"s3:PutObject","Resource":["arn:aws:s3:::c","arn:aws:s3:::b/*"]},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::c"}]"#,
    );
    let v = equivalent(&a, &b, &options()).unwrap();
    assert!(holds(&v), "{v:?}");
}

#[test]
fn conditions() {
    let a = identity(
        r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["a","b"]},"NumericLessThan":{"s3:max-keys":"10"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]"#,
    );
    let b = identity(
        r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/team":["b","a"]},"NumericLessThanEquals":{"s3:max-keys":"9.99"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}]"#,
    );
    let v = equivalent(&a, &b, &options()).unwrap();
    let Verdict::Fails(w) = &v else {
        panic!("{v:?}")
    };
    println!("{}", w[0].request_json.to_compact_string());
    // The root user needs no identity policy (D53): a deny-all identity policy still lets it in.
    assert!(fails(
        &never_allows(
            &identity(r#"[{"Effect":"Deny","Action":"*","Resource":"*"}]"#),
            &options()
        )
        .unwrap()
    ));
    assert!(holds(&never_allows(&set(r#"{"identity":[{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}],"scp":[[{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}]]}"#), &options()).unwrap()));
}

#[test]
fn who_can_reach_names_the_groups() {
    use iamspec_solver::{who_can_reach, PrincipalGroup, ReachVerdict};
    let s = set(
        r#"{"identity":[{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}],
            "resource":{"Version":"2012-10-17","Statement":[
              {"Effect":"Allow","Principal":{"AWS":["444455556666","arn:aws:iam::777788889999:role/app"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"},
              {"Effect":"Allow","Principal":{"Service":"logs.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceAccount":"111122223333"}}}]}}"#,
    );
    let ReachVerdict::Groups(groups) = who_can_reach(
        &s,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        Some("111122223333"),
        &options(),
    )
    .unwrap() else {
        panic!("unknown")
    };
    let reached: Vec<(String, bool)> = groups
        .iter()
        .map(|g| (g.group.to_string(), g.always))
        .collect();
    let has = |g: PrincipalGroup| groups.iter().find(|r| r.group == g).map(|r| r.always);
    // Not every principal of the account: its federated users have no session policy (D54).
    assert_eq!(
        has(PrincipalGroup::Account("444455556666".into())),
        Some(false),
        "{reached:?}"
    );
    assert_eq!(
        has(PrincipalGroup::Arn(
            "arn:aws:iam::777788889999:role/app".into()
        )),
        Some(true),
        "{reached:?}"
    );
    // The resource's own account needs no grant: its identity policy allows.
    assert!(
        has(PrincipalGroup::Account("111122223333".into())).is_some(),
        "{reached:?}"
    );
    assert_eq!(
        has(PrincipalGroup::Service("logs.amazonaws.com".into())),
        Some(false),
        "{reached:?}"
    );
    assert_eq!(has(PrincipalGroup::Anonymous), None, "{reached:?}");
    assert_eq!(has(PrincipalGroup::OtherAccount), None, "{reached:?}");
}

#[test]
fn public_access() {
    use iamspec_model::policy::{Policy, PolicyKind};
    use iamspec_solver::no_public_access;
    let open = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#).unwrap();
    let org = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-123"}}}}"#).unwrap();
    let named = Policy::parse(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#).unwrap();
    assert!(fails(
        &no_public_access(&open, PolicyKind::Resource, &options()).unwrap()
    ));
    assert!(holds(
        &no_public_access(&org, PolicyKind::Resource, &options()).unwrap()
    ));
    assert!(holds(
        &no_public_access(&named, PolicyKind::Resource, &options()).unwrap()
    ));
}

#[test]
fn access_not_granted_for_iam_identities() {
    use iamspec_solver::{access_not_granted, Callers, Options};
    let a = identity(r#"[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]"#);
    let scoped = Options {
        callers: Callers::IamIdentities,
        ..options()
    };
    let none = access_not_granted(&a, &["iam:*".into()], &[], &scoped).unwrap();
    assert!(holds(&none), "{none:?}");
    let some = access_not_granted(
        &a,
        &["s3:GetObject".into()],
        &["arn:aws:s3:::b/secret/*".into()],
        &scoped,
    )
    .unwrap();
    let Verdict::Fails(w) = &some else {
        panic!("{some:?}")
    };
    assert!(w[0]
        .request
        .resource
        .to_string()
        .starts_with("arn:aws:s3:::b/secret/"));
    // Without the scope, the root user (D53) is a witness even for `iam:*`.
    assert!(fails(
        &access_not_granted(&a, &["iam:*".into()], &[], &options()).unwrap()
    ));
}

#[test]
fn variables_are_decided() {
    let a = identity(
        r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/home/${aws:username}/*"}]"#,
    );
    let b = identity(
        r#"[{"Effect":"Allow","Action":"s3:GetObject","Resource":["arn:aws:s3:::b/home/${aws:username}/*","arn:aws:s3:::b/home/alice/*"]}]"#,
    );
    assert!(holds(&equivalent(&a, &a, &options()).unwrap()));
    let v = equivalent(&a, &b, &options()).unwrap();
    assert!(fails(&v), "{v:?}");
}

/// Patterns whose `*` ends a field cross `:` (D11), so one ARN can match any combination of
/// them: 2^n regions, too many to build. The resource domain is then explored lazily, and the
/// verdicts stay exact both ways.
#[test]
fn crossing_patterns_are_explored_lazily() {
    let patterns: Vec<String> = (0..16)
        .map(|i| format!("\"arn:*:svc{i}:*:*:thing{i}/*\""))
        .collect();
    let statement = |resources: &[String]| {
        format!(
            r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":[{}]}}"#,
            resources.join(",")
        )
    };
    let one = identity(&format!("[{}]", statement(&patterns)));
    let split: Vec<String> = patterns
        .iter()
        .rev()
        .map(|p| statement(std::slice::from_ref(p)))
        .collect();
    let split = identity(&format!("[{}]", split.join(",")));
    let v = equivalent(&one, &split, &options()).unwrap();
    assert!(holds(&v), "{v:?}");
    let fewer = identity(&format!("[{}]", statement(&patterns[1..])));
    let v = equivalent(&one, &fewer, &options()).unwrap();
    let Verdict::Fails(w) = &v else {
        panic!("{v:?}")
    };
    // Replayed already; the witness is a resource only the dropped pattern matches.
    let resource = w[0].request.resource.to_string();
    assert!(
        resource.contains("svc0") && resource.contains("thing0/"),
        "{resource}"
    );
}

/// `access_not_granted_each` answers each action as `access_not_granted` does alone: one
/// encoding for many actions changes no verdict.
#[test]
fn each_action_in_one_encoding_answers_as_alone() {
    let set = identity(
        r#"[{"Effect":"Allow","Action":["s3:Get*","sqs:SendMessage"],"Resource":"*"},
            {"Effect":"Deny","Action":"s3:GetObjectAcl","Resource":"*"},
            {"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]"#,
    );
    let actions: Vec<String> = [
        "s3:GetObject",
        "s3:GetObjectAcl",
        "s3:PutObject",
        "sqs:SendMessage",
        "sqs:ReceiveMessage",
        "s3:DeleteObject",
        "s3:List*",
    ]
    .map(str::to_owned)
    .to_vec();
    // IAM identities: the root user is allowed every action of its account.
    let options = iamspec_solver::Options {
        callers: iamspec_solver::Callers::IamIdentities,
        ..options()
    };
    let together = iamspec_solver::access_not_granted_each(&set, &actions, &options).unwrap();
    assert_eq!(together.len(), actions.len());
    for (action, verdict) in actions.iter().zip(&together) {
        let alone = access_not_granted(&set, std::slice::from_ref(action), &[], &options).unwrap();
        assert_eq!(
            holds(verdict),
            holds(&alone),
            "{action}: {verdict:?} vs {alone:?}"
        );
        assert!(holds(verdict) || fails(verdict), "{action}: {verdict:?}");
    }
    // A list the set grants none of: one check answers for all.
    let none: Vec<String> = ["sqs:ReceiveMessage", "s3:DeleteObject", "ec2:RunInstances"]
        .map(str::to_owned)
        .to_vec();
    let verdicts = iamspec_solver::access_not_granted_each(&set, &none, &options).unwrap();
    assert_eq!(verdicts, vec![Verdict::Holds; 3]);
    let granted: Vec<bool> = together.iter().map(fails).collect();
    assert_eq!(granted, [true, false, true, true, false, false, false]);
}
