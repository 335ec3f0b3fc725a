//! The policies in force for one request (conformance FORMAT.md `policies`), each validated for
//! its kind. A policy with an error is never evaluated (fail closed).

mod err;

pub use err::PolicySetError;

use crate::json::{Json, JsonPath};
use crate::policy::{check, Policy, PolicyKind};
use crate::request::Action;
use crate::scope::is_trust_action;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct PolicySet {
    pub identity: Vec<Policy>,
    pub permission_boundary: Option<Policy>,
    pub session: Vec<Policy>,
    pub resource: Option<Policy>,
    /// `Resource`, or `Trust` when the request is an STS role action.
    pub resource_kind: Option<PolicyKind>,
    /// One list per organization level, root first; `None`: not governed by SCPs.
    pub scp: Option<Vec<Vec<Policy>>>,
    /// As `scp`, for the resource's account.
    pub rcp: Option<Vec<Vec<Policy>>>,
    pub vpc_endpoint: Option<Policy>,
}

impl PolicySet {
    /// Reads and validates `policies` (at `path`) for a request of `action`.
    pub fn from_json(
        json: &Json,
        path: &JsonPath,
        action: &Action,
    ) -> Result<PolicySet, PolicySetError> {
        let Json::Object(members) = json else {
            return Err(PolicySetError::WrongType {
                path: path.clone(),
                expected: "an object",
                found: json.type_name(),
            });
        };
        let resource_kind = if is_trust_action(action) {
            PolicyKind::Trust
        } else {
            PolicyKind::Resource
        };
        let mut set = PolicySet::default();
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in members {
            let at = path.key(key);
            if seen.contains(&key.as_str()) {
                return Err(PolicySetError::DuplicateField { path: at });
            }
            seen.push(key);
            match key.as_str() {
                "identity" => set.identity = list(value, &at, PolicyKind::Identity)?,
                "permission_boundary" => {
                    set.permission_boundary = Some(one(value, &at, PolicyKind::PermissionBoundary)?)
                }
                "session" => set.session = list(value, &at, PolicyKind::Session)?,
                "resource" => {
                    set.resource = Some(one(value, &at, resource_kind)?);
                    set.resource_kind = Some(resource_kind);
                }
                "scp" => set.scp = Some(levels(value, &at, PolicyKind::Scp)?),
                "rcp" => set.rcp = Some(levels(value, &at, PolicyKind::Rcp)?),
                "vpc_endpoint" => {
                    set.vpc_endpoint = Some(one(value, &at, PolicyKind::VpcEndpoint)?)
                }
                _ => return Err(PolicySetError::UnknownField { path: at }),
            }
        }
        Ok(set)
    }
}

fn one(json: &Json, path: &JsonPath, kind: PolicyKind) -> Result<Policy, PolicySetError> {
    let (policy, findings) = check(json, kind, None);
    // A fault in the content is reported before the size quota (D63), which only says how long.
    let blocking = |f: &&crate::policy::Finding| f.blocks_evaluation();
    let first = findings
        .iter()
        .filter(blocking)
        .find(|f| !f.code.starts_with("quota-"))
        .or_else(|| findings.iter().find(blocking))
        .cloned();
    if let Some(finding) = first {
        return Err(PolicySetError::InvalidPolicy {
            path: path.join(&finding.path),
            kind,
            finding,
        });
    }
    policy.ok_or(PolicySetError::WrongType {
        path: path.clone(),
        expected: "a policy document",
        found: json.type_name(),
    })
}

fn array<'a>(json: &'a Json, path: &JsonPath) -> Result<&'a [Json], PolicySetError> {
    match json {
        Json::Array(items) => Ok(items),
        other => Err(PolicySetError::WrongType {
            path: path.clone(),
            expected: "an array",
            found: other.type_name(),
        }),
    }
}

fn list(json: &Json, path: &JsonPath, kind: PolicyKind) -> Result<Vec<Policy>, PolicySetError> {
    array(json, path)?
        .iter()
        .enumerate()
        .map(|(i, item)| one(item, &path.index(i), kind))
        .collect()
}

fn levels(
    json: &Json,
    path: &JsonPath,
    kind: PolicyKind,
) -> Result<Vec<Vec<Policy>>, PolicySetError> {
    array(json, path)?
        .iter()
        .enumerate()
        .map(|(i, level)| list(level, &path.index(i), kind))
        .collect()
}
