//! Comparing two policies of one kind: the policy sets in which a policy's effect shows.
//!
//! A policy alone decides nothing for most kinds (a boundary only limits, a resource policy's
//! grant counts differently by match class), so a single policy of kind K is placed in one or
//! more fixed policy sets, each a deployment that occurs in AWS, and two policies are equivalent
//! as K when every set decides alike with either in place. The sets are chosen so that every
//! outcome the decision procedure reads from a K policy (explicit deny, implicit deny, allow and,
//! for resource policies, the match class) changes some decision, and so that equivalence in
//! every placement implies equivalence in every policy set (checked by `tests/properties.rs`
//! against generated policy sets):
//!
//! - identity, boundary and session policies: where KMS keys and roles delegate to IAM (the
//!   default key policy, a trust policy trusting the account root: D52 then lets the identity
//!   side decide), and beside a same-account resource policy that allows everyone, which
//!   overrides implicit denies but never explicit ones (§4.3, §4.4, D51, D80);
//! - SCPs beside `FullAWSAccess` at their level, and alone at their level (an allow list);
//!   RCPs beside `RCPFullAWSAccess` (customer RCPs can only deny) (§4.1, D81);
//! - resource and trust policies three times (no identity policy; identity policies that allow
//!   everything; principals whose boundary allows nothing);
//! - VPC endpoint policies where identity and resource policies allow everything.

use iamspec_model::json::Json;
use iamspec_model::policy::{Policy, PolicyKind, Principals};
use iamspec_model::PolicySet;

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const ALLOW_ALL_PRINCIPALS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
const ALLOW_NOTHING: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}"#;
/// AWS's `FullAWSAccess` SCP, attached to every root, OU and account by default.
pub const FULL_AWS_ACCESS: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
/// AWS's `RCPFullAWSAccess`, attached to every root, OU and account and never detachable.
pub const RCP_FULL_AWS_ACCESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
/// The account a placement deploys into when the policies name none.
pub const DEFAULT_ACCOUNT: &str = "111122223333";

fn parse(text: &str) -> (Policy, Json) {
    // The constants above are valid policies; a parse failure would be a bug caught by tests.
    let json = Json::parse(text).unwrap_or(Json::Null);
    let policy = Policy::from_json(&json).unwrap_or(Policy {
        version: iamspec_model::policy::Version::V2012_10_17,
        id: None,
        statements: Vec::new(),
    });
    (policy, json)
}

/// An identity policy that allows everything.
pub fn allow_all() -> Policy {
    parse(ALLOW_ALL).0
}

/// A resource policy standing for the KMS keys and roles of `accounts` that delegate to IAM: the
/// default key policy (`kms:*` for the account root) and a trust policy trusting the account
/// root (§4.4: naming only the account leaves the decision to the caller's identity side).
pub fn delegating_to_iam(accounts: &[String]) -> (Policy, Json) {
    // One statement per account, for its own resources only: each account's keys and roles
    // trust that account, and no other.
    let statements: Vec<serde_json::Value> = accounts
        .iter()
        .map(|a| {
            serde_json::json!({
                "Sid": format!("EnableIAMPolicies{a}"),
                "Effect": "Allow",
                "Principal": {"AWS": format!("arn:aws:iam::{a}:root")},
                "Action": ["kms:*", "sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:ResourceAccount": a}}
            })
        })
        .collect();
    let text = serde_json::json!({"Version": "2012-10-17", "Statement": statements}).to_string();
    parse(&text)
}

/// Every 12-digit account id written anywhere in `policy` (principals, resources, conditions).
pub fn accounts_named(policy: &Policy) -> Vec<String> {
    let mut texts: Vec<&str> = Vec::new();
    for statement in &policy.statements {
        if let Some(p) = &statement.principal {
            if let Principals::Typed(entries) = &p.principals {
                for (_, values) in entries {
                    texts.extend(values.iter());
                }
            }
        }
        if let Some(r) = &statement.resource {
            texts.extend(r.patterns.iter());
        }
        for clause in &statement.condition {
            texts.extend(clause.values.iter());
        }
    }
    let mut accounts: Vec<String> = Vec::new();
    for text in texts {
        for run in text.split(|c: char| !c.is_ascii_digit()) {
            if run.len() == 12 && !accounts.iter().any(|a| a == run) {
                accounts.push(run.to_owned());
            }
        }
    }
    accounts
}

/// One policy set with the compared policy in place, and its `policies` JSON for printing.
#[derive(Clone, Debug)]
pub struct Placed {
    pub set: PolicySet,
    pub json: Json,
    /// What the set stands for, for messages.
    pub label: String,
}

/// The sets in which `policy` (of `kind`, written as `json`) is compared, deployed in
/// [`DEFAULT_ACCOUNT`] and the accounts the policy names.
pub fn place(kind: PolicyKind, policy: &Policy, json: &Json) -> Vec<Placed> {
    let mut accounts = vec![DEFAULT_ACCOUNT.to_owned()];
    for a in accounts_named(policy) {
        if !accounts.contains(&a) {
            accounts.push(a);
        }
    }
    place_in(kind, policy, json, &accounts)
}

/// As [`place`], with the accounts whose KMS keys and roles delegate to IAM given: two policies
/// compared must be placed with the same accounts (the union of those both name), and the
/// number and order of the sets depend on `kind` alone.
pub fn place_in(
    kind: PolicyKind,
    policy: &Policy,
    json: &Json,
    accounts: &[String],
) -> Vec<Placed> {
    let (allow_all, allow_all_json) = parse(ALLOW_ALL);
    let (principals, principals_json) = parse(ALLOW_ALL_PRINCIPALS);
    let (nothing, nothing_json) = parse(ALLOW_NOTHING);
    let (full, full_json) = parse(FULL_AWS_ACCESS);
    let (rcp_full, rcp_full_json) = parse(RCP_FULL_AWS_ACCESS);
    let (delegating, delegating_json) = delegating_to_iam(accounts);
    let p = policy.clone();
    let j = json.clone();
    let object = |members: Vec<(&str, Json)>| {
        Json::Object(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    };
    let list = |items: Vec<Json>| Json::Array(items);
    let with_identity = |set: PolicySet, members: Vec<(&str, Json)>, label: String| {
        let mut all = vec![("identity", list(vec![allow_all_json.clone()]))];
        all.extend(members);
        Placed {
            set: PolicySet {
                identity: vec![allow_all.clone()],
                ..set
            },
            json: object(all),
            label,
        }
    };
    let accounts_text = accounts.join(", ");
    let delegation = format!(
        "where the KMS keys and roles of {accounts_text} delegate to IAM (the default key policy; a trust policy trusting the account root)"
    );
    let open = "beside a same-account resource policy that allows everyone (`Principal: \"*\"`), which overrides implicit denies but not explicit ones (SEMANTICS §4.3, §4.4; D51)";
    // Identity, boundary and session policies: the rest of the set, and where the policy sits.
    let identity_side = |slot: &str, base: PolicySet, label: &str| {
        let own = |set: PolicySet, resource: Policy| PolicySet {
            resource: Some(resource),
            resource_kind: Some(PolicyKind::Resource),
            ..set
        };
        let member = |j: Json| match slot {
            "identity" | "session" => list(vec![j]),
            _ => j,
        };
        let placed = |resource: Policy, resource_json: Json, label: String| {
            let set = own(base.clone(), resource);
            let members = vec![(slot, member(j.clone())), ("resource", resource_json)];
            if slot == "identity" {
                Placed {
                    set,
                    json: object(members),
                    label,
                }
            } else {
                with_identity(set, members, label)
            }
        };
        vec![
            placed(
                delegating.clone(),
                delegating_json.clone(),
                format!("{label}, {delegation}"),
            ),
            placed(
                principals.clone(),
                principals_json.clone(),
                format!("{label}, {open}"),
            ),
        ]
    };
    match kind {
        PolicyKind::Identity => identity_side(
            "identity",
            PolicySet {
                identity: vec![p],
                ..PolicySet::default()
            },
            "as the only identity policy",
        ),
        PolicyKind::PermissionBoundary => identity_side(
            "permission_boundary",
            PolicySet {
                permission_boundary: Some(p),
                ..PolicySet::default()
            },
            "as the boundary of a principal whose identity policy allows everything",
        ),
        PolicyKind::Session => identity_side(
            "session",
            PolicySet {
                session: vec![p],
                ..PolicySet::default()
            },
            "as the session policy of a principal whose identity policy allows everything",
        ),
        PolicyKind::Scp => vec![
            with_identity(
                PolicySet {
                    scp: Some(vec![vec![full, p.clone()]]),
                    ..PolicySet::default()
                },
                vec![("scp", list(vec![list(vec![full_json, j.clone()])]))],
                "as an SCP attached beside FullAWSAccess (attached at every level by default), over an identity policy that allows everything".into(),
            ),
            with_identity(
                PolicySet {
                    scp: Some(vec![vec![p]]),
                    ..PolicySet::default()
                },
                vec![("scp", list(vec![list(vec![j])]))],
                "as the only SCP at its level (FullAWSAccess detached: an allow list), over an identity policy that allows everything".into(),
            ),
        ],
        PolicyKind::Rcp => vec![with_identity(
            PolicySet {
                rcp: Some(vec![vec![rcp_full, p]]),
                resource: Some(principals),
                resource_kind: Some(PolicyKind::Resource),
                ..PolicySet::default()
            },
            vec![
                ("resource", principals_json),
                ("rcp", list(vec![list(vec![rcp_full_json, j])])),
            ],
            "as an RCP attached beside RCPFullAWSAccess (attached at every level, never detachable), where identity and resource policies allow everything".into(),
        )],
        PolicyKind::VpcEndpoint => vec![with_identity(
            PolicySet {
                vpc_endpoint: Some(p),
                resource: Some(principals),
                resource_kind: Some(PolicyKind::Resource),
                ..PolicySet::default()
            },
            vec![("resource", principals_json), ("vpc_endpoint", j)],
            "as the VPC endpoint policy where identity and resource policies allow everything".into(),
        )],
        PolicyKind::Resource | PolicyKind::Trust => vec![
            Placed {
                set: PolicySet {
                    resource: Some(p.clone()),
                    resource_kind: Some(kind),
                    ..PolicySet::default()
                },
                json: object(vec![("resource", j.clone())]),
                label: "as the resource policy, with no identity policy".into(),
            },
            with_identity(
                PolicySet {
                    resource: Some(p.clone()),
                    resource_kind: Some(kind),
                    ..PolicySet::default()
                },
                vec![("resource", j.clone())],
                "as the resource policy, where identity policies allow everything".into(),
            ),
            Placed {
                set: PolicySet {
                    resource: Some(p),
                    resource_kind: Some(kind),
                    permission_boundary: Some(nothing),
                    ..PolicySet::default()
                },
                json: object(vec![("permission_boundary", nothing_json), ("resource", j)]),
                label: "as the resource policy, for principals whose boundary allows nothing".into(),
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_parse() {
        for text in [
            ALLOW_ALL,
            ALLOW_ALL_PRINCIPALS,
            ALLOW_NOTHING,
            FULL_AWS_ACCESS,
            RCP_FULL_AWS_ACCESS,
        ] {
            let json = Json::parse(text).unwrap();
            assert!(Policy::from_json(&json).is_ok(), "{text}");
        }
    }
}
