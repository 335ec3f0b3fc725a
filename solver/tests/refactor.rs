//! The false "equivalent" / "no new access" answers of issue 10, each failing before single
//! policies were placed as deployed (`harness::place`) and passing after. Every pair here
//! plainly grants or removes access in a real deployment; the verdict must be `Fails`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamspec_model::json::Json;
use iamspec_model::policy::{check, PolicyKind};
use iamspec_model::Decision;
use iamspec_solver::harness::{place, Placed};
use iamspec_solver::{equivalent, implies, Options, Verdict, Witness};

fn placed(kind: PolicyKind, text: &str) -> Vec<Placed> {
    let json = Json::parse(text).unwrap();
    let (policy, findings) = check(&json, kind, Some(text));
    assert!(
        !findings.iter().any(|f| f.blocks_evaluation()),
        "{findings:?}"
    );
    place(kind, &policy.unwrap(), &json)
}

fn options() -> Options {
    Options {
        max_witnesses: 1,
        ..Options::default()
    }
}

/// The first placement in which `query` fails, with its witness; `None` when it holds in all.
fn first_failure(
    a: &[Placed],
    b: &[Placed],
    query: impl Fn(&Placed, &Placed) -> Verdict,
) -> Option<(String, Witness)> {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        match query(x, y) {
            Verdict::Holds => {}
            Verdict::Fails(mut w) => return Some((x.label.clone(), w.remove(0))),
            Verdict::Unknown(r) => panic!("unknown: {r}"),
        }
    }
    None
}

fn differ(kind: PolicyKind, a: &str, b: &str) -> (String, Witness) {
    let (pa, pb) = (placed(kind, a), placed(kind, b));
    first_failure(&pa, &pb, |x, y| {
        equivalent(&x.set, &y.set, &options()).unwrap()
    })
    .unwrap_or_else(|| panic!("called equivalent as {kind}:\n{a}\n{b}"))
}

const REGION_DENY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyOutsideEU","Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringNotEquals":{"aws:RequestedRegion":["eu-west-1"]}}}]}"#;
const OBJECT_DENY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyOneObject","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret-bucket/report.csv"}]}"#;

/// SEMANTICS §4.1: "`FullAWSAccess` / undetachable `RCPFullAWSAccess` supply the default
/// Allows"; AWS: "to allow a permission ... an explicit Allow statement at every level ... AWS
/// Organizations attaches an AWS managed SCP named FullAWSAccess"
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html).
/// Alone at its level a deny-only SCP denies everything, so any two looked equivalent.
#[test]
fn deny_list_scps_are_compared_beside_full_aws_access() {
    let (label, w) = differ(PolicyKind::Scp, REGION_DENY, OBJECT_DENY);
    assert!(label.contains("FullAWSAccess"), "{label}");
    assert!(w.decisions.contains(&Decision::Allow));
    assert!(w.decisions.contains(&Decision::ExplicitDeny));
}

/// An allow-list SCP replaces FullAWSAccess at its level (the "allow list" strategy of
/// https://docs.aws.amazon.com/cli/v1/reference/organizations/detach-policy.html): beside
/// FullAWSAccess two allow lists change nothing, alone they differ.
#[test]
fn allow_list_scps_are_compared_alone_at_their_level() {
    let s3 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let ec2 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}"#;
    let (label, w) = differ(PolicyKind::Scp, s3, ec2);
    assert!(label.contains("allow list"), "{label}");
    assert!(w.decisions.contains(&Decision::Allow));
}

/// RCPFullAWSAccess "is automatically attached to the organization root, every OU, and every
/// account ... You cannot detach this policy"
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html);
/// customer RCPs can only deny (§4.1). Two unrelated RCPs were "equivalent as rcp policies".
#[test]
fn rcps_are_compared_beside_rcp_full_aws_access() {
    let external = r#"{"Version":"2012-10-17","Statement":[{"Sid":"EnforceOrgIdentities","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-abc123def4"},"BoolIfExists":{"aws:PrincipalIsAWSService":"false"}}}]}"#;
    let insecure = r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"sqs:*","Resource":"*","Condition":{"BoolIfExists":{"aws:SecureTransport":"false"}}}]}"#;
    let (label, w) = differ(PolicyKind::Rcp, external, insecure);
    assert!(label.contains("RCPFullAWSAccess"), "{label}");
    assert!(w.decisions.contains(&Decision::Allow));
}

/// The default key policy "gives the AWS account that owns the KMS key permission to use IAM
/// policies" (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html); a
/// trust policy naming the account leaves sts:AssumeRole to the caller's identity policy (§4.4).
/// Checked alone, D52 denied both, so adding them was "no new access".
#[test]
fn identity_policy_gaining_kms_and_role_access_is_new_access() {
    let old = r#"{"Version":"2012-10-17","Statement":[{"Sid":"ReadReports","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#;
    for (action, added) in [
        ("kms:Decrypt", "DecryptAnything"),
        ("sts:AssumeRole", "AssumeAnyRole"),
    ] {
        let new = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ReadReports","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}},{{"Sid":"{added}","Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
        );
        for kind in [
            PolicyKind::Identity,
            PolicyKind::PermissionBoundary,
            PolicyKind::Session,
        ] {
            let (pn, po) = (placed(kind, &new), placed(kind, old));
            let (label, w) = first_failure(&pn, &po, |n, o| {
                implies(&n.set, &o.set, &options()).unwrap()
            })
            .unwrap_or_else(|| panic!("{action} added to a {kind} policy: no new access"));
            assert_eq!(w.request.action.as_str(), action, "{label}");
            assert_eq!(w.decisions, vec![Decision::Allow, Decision::ImplicitDeny]);
        }
    }
}

/// §4.3/§4.4: a same-account resource policy granting the caller directly (or `*`, D51)
/// overrides an implicit deny of the identity policy, boundary or session policy, never an
/// explicit one. `Allow * + Deny s3:*` and `NotAction s3:*` differ exactly there.
#[test]
fn explicit_and_implicit_denies_differ_for_identity_boundary_and_session_policies() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowAll","Effect":"Allow","Action":"*","Resource":"*"},{"Sid":"DenyS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    let not_action = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllButS3","Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}"#;
    for kind in [
        PolicyKind::Identity,
        PolicyKind::PermissionBoundary,
        PolicyKind::Session,
    ] {
        let (label, w) = differ(kind, deny, not_action);
        assert!(label.contains("overrides implicit denies"), "{label}");
        assert!(w.request.action.as_str().starts_with("s3:"));
        assert_eq!(w.decisions, vec![Decision::ExplicitDeny, Decision::Allow]);
    }
}

/// What did not change still holds: the same deny split in two statements, as an SCP and RCP.
#[test]
fn equivalent_guardrails_still_hold() {
    let split = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret-bucket/report.csv"},{"Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::secret-bucket/report.csv"}]}"#;
    let (a, b) = (
        placed(PolicyKind::Scp, OBJECT_DENY),
        placed(PolicyKind::Scp, split),
    );
    assert!(
        first_failure(&a, &b, |x, y| equivalent(&x.set, &y.set, &options())
            .unwrap())
        .is_none()
    );
}

/// Policy variables (§3.6, D35–D37): home directories and `StringLike` vs `StringEquals` on
/// `${aws:username}` are decided, not `Unknown` (issue 10; these timed out in z3 strings), and
/// `*${aws:username}*` too. `generic.rs` relates the abstraction's tests for every value.
#[test]
fn policy_variables_are_decided() {
    let doc =
        |statements: &str| format!(r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#);
    let get = |resource: &str| {
        format!(
            r#"{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home-bucket/{resource}"}}"#
        )
    };
    let list = |op: &str| {
        format!(
            r#"{{"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:::home-bucket","Condition":{{"{op}":{{"s3:prefix":"home/${{aws:username}}"}}}}}}"#
        )
    };
    let home = doc(&get("home/${aws:username}/*"));
    let home_x = doc(&get("home/${aws:username}/x/*"));
    let contains = doc(&get("*${aws:username}*"));
    let contains_shared = doc(&format!("{},{}", get("*${aws:username}*"), get("shared/*")));
    let (like, equals) = (doc(&list("StringLike")), doc(&list("StringEquals")));
    let verdict = |new: &str, old: &str| {
        let (pn, po) = (
            placed(PolicyKind::Identity, new),
            placed(PolicyKind::Identity, old),
        );
        match first_failure(&pn, &po, |n, o| {
            implies(&n.set, &o.set, &options()).unwrap()
        }) {
            None => "holds",
            Some(_) => "fails",
        }
    };
    assert_eq!(verdict(&home_x, &home), "holds");
    assert_eq!(verdict(&home, &home_x), "fails");
    assert_eq!(verdict(&like, &equals), "holds");
    assert_eq!(verdict(&equals, &like), "holds");
    assert_eq!(verdict(&contains, &contains), "holds");
    assert_eq!(verdict(&contains, &contains_shared), "holds");
    assert_eq!(verdict(&contains_shared, &contains), "fails");
}

/// AWS sends `aws:userid` for IAM users (their unique id, `AIDA…`) and role sessions
/// (`AROA…:session`) ("AWS global condition context keys", aws:userid:
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-userid).
/// The policies cannot know the id; the solver gives those callers one unknown value (D84).
/// Adding a grant on `home/${aws:userid}/*` is new access: it was "no new access" (exit 0)
/// before D83 and `Unknown` under D83.
#[test]
fn a_grant_on_the_callers_unique_id_is_new_access() {
    let old = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/*"}]}"#;
    let new = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/*"},{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::home/${aws:userid}/*"}]}"#;
    let (pold, pnew) = (
        placed(PolicyKind::Identity, old),
        placed(PolicyKind::Identity, new),
    );
    let (label, witness) = first_failure(&pnew, &pold, |n, o| {
        implies(&n.set, &o.set, &options()).unwrap()
    })
    .expect("new access");
    assert!(witness.request.action.as_str() == "s3:PutObject", "{label}");
}

/// A grant only a user's unique id (`AIDA…`) satisfies shows for users, with the id in the
/// witness's context; a rewrite of the same condition holds (D84: no `Unknown` any more).
#[test]
fn unique_ids_are_present_unknown_and_fixed() {
    let base = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
    let users = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"},{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringLike":{"aws:userid":"AIDA*"}}}]}"#;
    let (pbase, pusers) = (
        placed(PolicyKind::Identity, base),
        placed(PolicyKind::Identity, users),
    );
    let (_, witness) = first_failure(&pusers, &pbase, |n, o| {
        implies(&n.set, &o.set, &options()).unwrap()
    })
    .expect("new access for users");
    let id = witness
        .request
        .context
        .get("aws:userid")
        .expect("the unique id is stated");
    assert!(id.as_slice()[0].starts_with("AIDA"), "{id:?}");
    assert!(
        matches!(
            witness.request.principal,
            iamspec_model::principal::Caller::User { .. }
        ),
        "{:?}",
        witness.request.principal
    );
    iamspec_model::Request::from_json(
        &witness.request_json,
        &iamspec_model::json::JsonPath::root(),
    )
    .expect("the witness passes request validation");

    let exact = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringEquals":{"aws:userid":"AIDAEXAMPLE"}}}]}"#;
    let like = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"*","Condition":{"StringLike":{"aws:userid":["AIDAEXAMPLE"]}}}]}"#;
    let (pa, pb) = (
        placed(PolicyKind::Identity, exact),
        placed(PolicyKind::Identity, like),
    );
    assert!(
        first_failure(&pa, &pb, |x, y| equivalent(&x.set, &y.set, &options())
            .unwrap())
        .is_none(),
        "a rewrite of a condition on aws:userid"
    );
}
