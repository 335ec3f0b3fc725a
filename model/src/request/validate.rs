//! Is a stated request one AWS can send (D61)? A request may leave keys out (AWS's simulator
//! reports them as missing context values); what it states must be possible: one value for a
//! single-valued key, a value of the key's type, principal keys that agree with the principal, a
//! resource account that agrees with the resource ARN.

use super::{Context, ContextValue, RequestError, Resource};
use crate::context_keys::{key_type, Cardinality, GlobalKey, ServiceKeyTypes};
use crate::json::JsonPath;
use crate::principal::{is_account_id, Caller};

/// The account a resource ARN states: a 12-digit account field. `aws` (AWS managed policies)
/// and an empty field (S3 buckets) say nothing about the owner's account id.
pub fn arn_account(resource: &Resource) -> Option<&str> {
    match resource {
        Resource::Arn(arn) if is_account_id(arn.account()) => Some(arn.account()),
        _ => None,
    }
}

/// `resource_account` (at `at`) must be the account the resource ARN states, if it states one.
pub fn check_resource_account(
    resource: &Resource,
    account: &str,
    at: &JsonPath,
) -> Result<(), RequestError> {
    match arn_account(resource) {
        Some(stated) if stated != account => Err(RequestError::ContradictsResource {
            path: at.clone(),
            value: account.to_owned(),
            expected: stated.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The keys AWS derives from the principal alone (D40, D62), lowercased name first.
pub fn principal_keys(caller: &Caller) -> Vec<(&'static str, String)> {
    let mut keys = Vec::new();
    match caller {
        Caller::Anonymous | Caller::IdentityProvider { .. } => {}
        Caller::Service { .. } => keys.push(("aws:PrincipalIsAWSService", "true".to_owned())),
        _ => keys.push(("aws:PrincipalIsAWSService", "false".to_owned())),
    }
    match caller {
        Caller::Root { account } => {
            keys.push(("aws:PrincipalArn", format!("arn:aws:iam::{account}:root")));
            keys.push(("aws:PrincipalAccount", account.clone()));
            keys.push(("aws:PrincipalType", "Account".into()));
            keys.push(("aws:userid", account.clone()));
        }
        Caller::User { arn, account, name } => {
            keys.push(("aws:PrincipalArn", arn.clone()));
            keys.push(("aws:PrincipalAccount", account.clone()));
            keys.push(("aws:PrincipalType", "User".into()));
            keys.push(("aws:username", name.clone()));
        }
        Caller::RoleSession {
            role_arn, account, ..
        } => {
            keys.push(("aws:PrincipalArn", role_arn.clone()));
            keys.push(("aws:PrincipalAccount", account.clone()));
            keys.push(("aws:PrincipalType", "AssumedRole".into()));
        }
        Caller::FederatedUser { arn, account, name } => {
            keys.push(("aws:PrincipalArn", arn.clone()));
            keys.push(("aws:PrincipalAccount", account.clone()));
            keys.push(("aws:PrincipalType", "FederatedUser".into()));
            keys.push(("aws:userid", format!("{account}:{name}")));
        }
        Caller::Service { name } => {
            keys.push(("aws:PrincipalServiceName", name.clone()));
        }
        Caller::IdentityProvider { .. } => {}
        Caller::Anonymous => {
            keys.push(("aws:PrincipalType", "Anonymous".into()));
            keys.push(("aws:userid", "anonymous".into()));
        }
    }
    keys
}

/// Checks one stated context entry `key` (at `at`) against the key table and the principal.
/// An empty list is an absent key (D22) and always possible.
pub fn check_entry(
    caller: &Caller,
    key: &str,
    value: &ContextValue,
    at: &JsonPath,
    service: &dyn ServiceKeyTypes,
) -> Result<(), RequestError> {
    if matches!(value, ContextValue::Multi(values) if values.is_empty()) {
        return Ok(());
    }
    if let Some(spec) = GlobalKey::lookup(key) {
        if !spec.possible_for(caller) {
            return Err(RequestError::ImpossibleKey {
                path: at.clone(),
                key: key.to_owned(),
                availability: spec.availability,
            });
        }
    }
    if let Some((ty, cardinality)) = key_type(key, service) {
        if cardinality == Cardinality::Single && matches!(value, ContextValue::Multi(_)) {
            return Err(RequestError::ListForSingleValuedKey {
                path: at.clone(),
                key: key.to_owned(),
            });
        }
        for (i, v) in value.as_slice().iter().enumerate() {
            if !ty.accepts(v) {
                let path = match value {
                    ContextValue::Single(_) => at.clone(),
                    ContextValue::Multi(_) => at.index(i),
                };
                return Err(RequestError::WrongKeyType {
                    path,
                    key: key.to_owned(),
                    expected: ty,
                    value: v.clone(),
                });
            }
        }
    }
    if let ContextValue::Single(given) = value {
        let derived = principal_keys(caller)
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key));
        if let Some((name, expected)) = derived {
            // Booleans compare as Bool does (D28); everything else exactly.
            let agrees = if name == "aws:PrincipalIsAWSService" {
                given.eq_ignore_ascii_case(&expected)
            } else {
                *given == expected
            };
            if !agrees {
                return Err(RequestError::ContradictsPrincipal {
                    path: at.clone(),
                    value: given.clone(),
                    expected,
                });
            }
        }
    }
    Ok(())
}

/// Checks what a parsed request states (D61): `resource_account` against the ARN, every context
/// entry against the key table and the principal, `aws:ResourceAccount` against the owner.
pub fn check(
    caller: &Caller,
    resource: &Resource,
    resource_account: &Option<(String, JsonPath)>,
    context: &Context,
    context_path: &JsonPath,
    service: &dyn ServiceKeyTypes,
) -> Result<(), RequestError> {
    if let Some((account, at)) = &resource_account {
        check_resource_account(resource, account, at)?;
    }
    for (key, value) in context.iter() {
        let at = context_path.key(key);
        check_entry(caller, key, value, &at, service)?;
        if key.eq_ignore_ascii_case("aws:ResourceAccount") {
            let owner = resource_account
                .as_ref()
                .map(|(account, _)| account.as_str())
                .or_else(|| arn_account(resource));
            if let (Some(owner), ContextValue::Single(given)) = (owner, value) {
                if given != owner {
                    return Err(RequestError::ContradictsResource {
                        path: at,
                        value: given.clone(),
                        expected: owner.to_owned(),
                    });
                }
            }
        }
    }
    Ok(())
}
