//! Comparing two policies of one kind: the policy sets in which a policy's effect shows.
//!
//! A policy alone decides nothing for most kinds (a boundary only limits, a resource policy's
//! grant counts differently by match class), so a single policy of kind K is placed in one or
//! more fixed policy sets, and two policies are equivalent as K when every set decides alike with
//! either in place. The sets are chosen so that every outcome the decision procedure reads from a
//! K policy (explicit deny, implicit deny, allow and, for resource policies, the match class)
//! changes some decision; see the README for the one difference no set shows.

use iamspec_model::json::Json;
use iamspec_model::policy::{Policy, PolicyKind};
use iamspec_model::PolicySet;

const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const ALLOW_ALL_PRINCIPALS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#;
const ALLOW_NOTHING: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"*","Resource":"*"}]}"#;

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

/// One policy set with the compared policy in place, and its `policies` JSON for printing.
#[derive(Clone, Debug)]
pub struct Placed {
    pub set: PolicySet,
    pub json: Json,
    /// What the set stands for, for messages.
    pub label: &'static str,
}

/// The sets in which `policy` (of `kind`, written as `json`) is compared.
pub fn place(kind: PolicyKind, policy: &Policy, json: &Json) -> Vec<Placed> {
    let (allow_all, allow_all_json) = parse(ALLOW_ALL);
    let (principals, principals_json) = parse(ALLOW_ALL_PRINCIPALS);
    let (nothing, nothing_json) = parse(ALLOW_NOTHING);
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
    let with_identity = |set: PolicySet, members: Vec<(&str, Json)>, label| {
        let mut all = vec![("identity", Json::Array(vec![allow_all_json.clone()]))];
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
    match kind {
        PolicyKind::Identity => vec![Placed {
            set: PolicySet {
                identity: vec![p],
                ..PolicySet::default()
            },
            json: object(vec![("identity", Json::Array(vec![j]))]),
            label: "as the only identity policy",
        }],
        PolicyKind::PermissionBoundary => vec![with_identity(
            PolicySet {
                permission_boundary: Some(p),
                ..PolicySet::default()
            },
            vec![("permission_boundary", j)],
            "as the boundary of a principal whose identity policy allows everything",
        )],
        PolicyKind::Session => vec![with_identity(
            PolicySet {
                session: vec![p],
                ..PolicySet::default()
            },
            vec![("session", Json::Array(vec![j]))],
            "as the session policy of a principal whose identity policy allows everything",
        )],
        PolicyKind::Scp => vec![with_identity(
            PolicySet {
                scp: Some(vec![vec![p]]),
                ..PolicySet::default()
            },
            vec![("scp", Json::Array(vec![Json::Array(vec![j])]))],
            "as the only SCP over an identity policy that allows everything",
        )],
        PolicyKind::Rcp => vec![with_identity(
            PolicySet {
                rcp: Some(vec![vec![p]]),
                resource: Some(principals),
                resource_kind: Some(PolicyKind::Resource),
                ..PolicySet::default()
            },
            vec![
                ("resource", principals_json),
                ("rcp", Json::Array(vec![Json::Array(vec![j])])),
            ],
            "as the only RCP where identity and resource policies allow everything",
        )],
        PolicyKind::VpcEndpoint => vec![with_identity(
            PolicySet {
                vpc_endpoint: Some(p),
                resource: Some(principals),
                resource_kind: Some(PolicyKind::Resource),
                ..PolicySet::default()
            },
            vec![("resource", principals_json), ("vpc_endpoint", j)],
            "as the VPC endpoint policy where identity and resource policies allow everything",
        )],
        PolicyKind::Resource | PolicyKind::Trust => vec![
            Placed {
                set: PolicySet {
                    resource: Some(p.clone()),
                    resource_kind: Some(kind),
                    ..PolicySet::default()
                },
                json: object(vec![("resource", j.clone())]),
                label: "as the resource policy, with no identity policy",
            },
            with_identity(
                PolicySet {
                    resource: Some(p.clone()),
                    resource_kind: Some(kind),
                    ..PolicySet::default()
                },
                vec![("resource", j.clone())],
                "as the resource policy, where identity policies allow everything",
            ),
            Placed {
                set: PolicySet {
                    resource: Some(p),
                    resource_kind: Some(kind),
                    permission_boundary: Some(nothing),
                    ..PolicySet::default()
                },
                json: object(vec![("permission_boundary", nothing_json), ("resource", j)]),
                label: "as the resource policy, for principals whose boundary allows nothing",
            },
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_parse() {
        for text in [ALLOW_ALL, ALLOW_ALL_PRINCIPALS, ALLOW_NOTHING] {
            let json = Json::parse(text).unwrap();
            assert!(Policy::from_json(&json).is_ok(), "{text}");
        }
    }
}
