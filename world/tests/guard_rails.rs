//! AWS's guard rails in a world's answers (D68–D72): what the policies allow on a resource AWS
//! protects is refused, and the reason names the guard rail.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use iamspec_model::Decision;
use iamspec_world::Query;
use iamspec_world::{snapshot, World};
use std::path::Path;

fn example() -> World {
    snapshot::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/world")).unwrap()
}

fn query(action: &str, resource: &str) -> Query {
    Query {
        principal: "arn:aws:iam::111111111111:user/org-admin".into(),
        action: action.into(),
        resource: resource.into(),
        context: Default::default(),
        session_policies: Vec::new(),
    }
}

const MANAGED: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

#[test]
fn an_administrator_cannot_change_an_aws_managed_policy() {
    let world = example();
    let a = world
        .access(&query("iam:CreatePolicyVersion", MANAGED))
        .unwrap();
    assert_eq!(a.decision, Decision::ImplicitDeny, "{:?}", a.reasons);
    assert_eq!(
        a.reasons,
        ["refused by an AWS guard rail: the policy is an AWS managed policy, which AWS creates and administers: no customer can change it"]
    );
    assert!(a.message.contains("AWS guard rail"), "{}", a.message);
}

#[test]
fn an_administrator_can_read_an_aws_managed_policy() {
    let a = example()
        .access(&query("iam:GetPolicyVersion", MANAGED))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow, "{:?}", a.reasons);
}

#[test]
fn an_administrator_cannot_delete_a_service_linked_role_with_delete_role() {
    let role = "arn:aws:iam::111111111111:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport";
    let world = example();
    let a = world.access(&query("iam:DeleteRole", role)).unwrap();
    assert_eq!(a.decision, Decision::ImplicitDeny, "{:?}", a.reasons);
    assert!(
        a.reasons[0].starts_with("refused by an AWS guard rail: the role is a service-linked role")
    );
    let a = world
        .access(&query("iam:DeleteServiceLinkedRole", role))
        .unwrap();
    assert_eq!(a.decision, Decision::Allow, "{:?}", a.reasons);
}
