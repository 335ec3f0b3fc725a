//! Roles (service-linked ones included) and instance profiles.

use super::err::IamError;
use super::{arn, merged_tags, new_id, rules, tags_json, untagged, Op};
use crate::entity::{Account, Document, InstanceProfile, Role};
use crate::time::Timestamp;
use iamspec_model::policy::PolicyKind;
use iamspec_model::quote::quoted;
use serde_json::{json, Value};

pub(super) fn run(
    account: &mut Account,
    op: &Op,
    now: Option<Timestamp>,
) -> Result<Value, IamError> {
    match op {
        Op::CreateRole {
            role_name,
            assume_role_policy_document,
            path,
            description: _,
            max_session_duration,
            tags,
            permissions_boundary,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html
            rules::name("RoleName", role_name, 64)?;
            let path = path.as_deref().unwrap_or("/");
            rules::path(path)?;
            if let Some(seconds) = max_session_duration {
                session_duration(*seconds)?;
            }
            let trust = trust_document(assume_role_policy_document)?;
            rules::new_entity(
                "role",
                role_name,
                account.roles.iter().map(|r| r.name.as_str()),
                account.roles.len(),
                rules::ROLES_PER_ACCOUNT,
            )?;
            let tags = merged_tags(&[], tags)?;
            let boundary = match permissions_boundary {
                Some(b) => Some(super::policies::boundary(account, b)?),
                None => None,
            };
            let role = new_role(account, path, role_name, trust, *max_session_duration, now);
            let role = Role {
                tags,
                boundary,
                ..role
            };
            let response = json!({"Role": role_json(&role)});
            account.roles.push(role);
            Ok(response)
        }
        Op::GetRole { role_name } => Ok(json!({"Role": role_json(role(account, role_name)?)})),
        Op::UpdateRole {
            role_name,
            description: _,
            max_session_duration,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateRole.html
            if let Some(seconds) = max_session_duration {
                session_duration(*seconds)?;
            }
            let r = modifiable(account, role_name)?;
            if max_session_duration.is_some() {
                r.max_session_duration = *max_session_duration;
            }
            Ok(json!({}))
        }
        Op::UpdateAssumeRolePolicy {
            role_name,
            policy_document,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAssumeRolePolicy.html
            let trust = trust_document(policy_document)?;
            modifiable(account, role_name)?.trust = trust;
            Ok(json!({}))
        }
        Op::DeleteRole { role_name } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRole.html: remove
            // the role from its instance profiles and its policies first; a service-linked role
            // is deleted through its service.
            modifiable(account, role_name)?;
            let r = role(account, role_name)?;
            let in_profile =
                (account.instance_profiles.iter()).any(|p| p.roles.iter().any(|n| n == &r.name));
            rules::deletable(
                "role",
                role_name,
                &[
                    (in_profile, "it is still in an instance profile"),
                    (!r.inline.is_empty(), "it still has inline policies"),
                    (!r.attached.is_empty(), "it still has attached policies"),
                ],
            )?;
            account.roles.retain(|r| r.name != *role_name);
            Ok(json!({}))
        }
        Op::CreateServiceLinkedRole {
            aws_service_name,
            description: _,
            custom_suffix,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateServiceLinkedRole.html;
            // the role's path is `/aws-service-role/SERVICE/` and its name
            // `AWSServiceRoleFor...` (D126).
            rules::name("AWSServiceName", aws_service_name, 128)?;
            let Some(service) = aws_service_name.strip_suffix(".amazonaws.com") else {
                return Err(IamError::InvalidInput(format!(
                    "`AWSServiceName` {} is not a service principal",
                    quoted(aws_service_name)
                )));
            };
            if service.is_empty()
                || !service
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            {
                return Err(IamError::InvalidInput(format!(
                    "`AWSServiceName` {} is not a service principal",
                    quoted(aws_service_name)
                )));
            }
            let mut name = format!("AWSServiceRoleFor{}", service_title(service));
            if let Some(suffix) = custom_suffix {
                rules::name("CustomSuffix", suffix, 64)?;
                name = format!("{name}_{suffix}");
            }
            if name.len() > 64 {
                return Err(IamError::InvalidInput(format!(
                    "the service-linked role name {} is longer than 64 characters",
                    quoted(&name)
                )));
            }
            if account
                .roles
                .iter()
                .any(|r| rules::same_name(&r.name, &name))
            {
                return Err(IamError::InvalidInput(format!(
                    "service role name {} has been taken in this account",
                    quoted(&name)
                )));
            }
            let path = format!("/aws-service-role/{aws_service_name}/");
            let trust = trust_document(&format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{aws_service_name}"}},"Action":"sts:AssumeRole"}}]}}"#
            ))?;
            let role = new_role(account, &path, &name, trust, None, now);
            let response = json!({"Role": role_json(&role)});
            account.roles.push(role);
            Ok(response)
        }
        Op::DeleteServiceLinkedRole { role_name } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteServiceLinkedRole.html:
            // AWS deletes asynchronously and answers a task id; the model deletes at once
            // (D126).
            let r = role(account, role_name)?;
            if !r.is_service_linked() {
                return Err(IamError::InvalidInput(format!(
                    "role {} is not a service-linked role",
                    quoted(role_name)
                )));
            }
            let task = format!("task/aws-service-role/{}", r.name);
            account.roles.retain(|r| r.name != *role_name);
            for p in &mut account.instance_profiles {
                p.roles.retain(|n| n != role_name);
            }
            Ok(json!({"DeletionTaskId": task}))
        }
        Op::TagRole { role_name, tags } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagRole.html
            let r = role_mut(account, role_name)?;
            r.tags = merged_tags(&r.tags, tags)?;
            Ok(json!({}))
        }
        Op::UntagRole {
            role_name,
            tag_keys,
        } => {
            let r = role_mut(account, role_name)?;
            r.tags = untagged(&r.tags, tag_keys)?;
            Ok(json!({}))
        }
        Op::ListRoleTags { role_name } => {
            Ok(json!({"Tags": tags_json(&role(account, role_name)?.tags)}))
        }
        Op::CreateInstanceProfile {
            instance_profile_name,
            path,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateInstanceProfile.html
            rules::name("InstanceProfileName", instance_profile_name, 128)?;
            let path = path.as_deref().unwrap_or("/");
            rules::path(path)?;
            if (account.instance_profiles.iter())
                .any(|p| rules::same_name(&p.name, instance_profile_name))
            {
                return Err(IamError::EntityAlreadyExists(format!(
                    "instance profile {} already exists",
                    quoted(instance_profile_name)
                )));
            }
            if account.instance_profiles.len() >= rules::INSTANCE_PROFILES_PER_ACCOUNT {
                return Err(IamError::LimitExceeded(format!(
                    "an account can have at most {} instance profiles",
                    rules::INSTANCE_PROFILES_PER_ACCOUNT
                )));
            }
            let profile = InstanceProfile {
                path: path.to_owned(),
                name: instance_profile_name.clone(),
                id: new_id(
                    account,
                    "AIPA",
                    &format!("profile/{instance_profile_name}"),
                    17,
                ),
                arn: arn(account, "instance-profile", path, instance_profile_name),
                create_date: now,
                roles: Vec::new(),
            };
            let response = json!({"InstanceProfile": profile_json(&profile)});
            account.instance_profiles.push(profile);
            Ok(response)
        }
        Op::GetInstanceProfile {
            instance_profile_name,
        } => {
            let p = profile(account, instance_profile_name)?;
            Ok(json!({"InstanceProfile": profile_json(p)}))
        }
        Op::DeleteInstanceProfile {
            instance_profile_name,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteInstanceProfile.html:
            // a profile that still holds a role is a DeleteConflict.
            if !profile(account, instance_profile_name)?.roles.is_empty() {
                return Err(IamError::DeleteConflict(format!(
                    "instance profile {} still holds a role",
                    quoted(instance_profile_name)
                )));
            }
            account
                .instance_profiles
                .retain(|p| p.name != *instance_profile_name);
            Ok(json!({}))
        }
        Op::AddRoleToInstanceProfile {
            instance_profile_name,
            role_name,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddRoleToInstanceProfile.html;
            // one role per instance profile (quotas page).
            let name = role(account, role_name)?.name.clone();
            let p = profile_mut(account, instance_profile_name)?;
            if p.roles.len() >= rules::ROLES_PER_INSTANCE_PROFILE {
                return Err(IamError::LimitExceeded(format!(
                    "instance profile {} already holds a role",
                    quoted(instance_profile_name)
                )));
            }
            p.roles.push(name.clone());
            let profile_name = p.name.clone();
            if let Some(r) = account.roles.iter_mut().find(|r| r.name == name) {
                r.instance_profiles.push(profile_name);
            }
            Ok(json!({}))
        }
        Op::RemoveRoleFromInstanceProfile {
            instance_profile_name,
            role_name,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_RemoveRoleFromInstanceProfile.html
            role(account, role_name)?;
            let p = profile_mut(account, instance_profile_name)?;
            if !p.roles.iter().any(|n| n == role_name) {
                return Err(IamError::NoSuchEntity(format!(
                    "role {} is not in instance profile {}",
                    quoted(role_name),
                    quoted(instance_profile_name)
                )));
            }
            p.roles.retain(|n| n != role_name);
            let profile_name = p.name.clone();
            if let Some(r) = account.roles.iter_mut().find(|r| r.name == *role_name) {
                r.instance_profiles.retain(|n| *n != profile_name);
            }
            Ok(json!({}))
        }
        _ => Err(IamError::InvalidAction("not a role action".into())),
    }
}

/// `MaxSessionDuration`: 3600 to 43200 seconds
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html).
fn session_duration(seconds: u64) -> Result<(), IamError> {
    if (3_600..=43_200).contains(&seconds) {
        Ok(())
    } else {
        Err(IamError::ValidationError(format!(
            "`MaxSessionDuration` must be 3600 to 43200 seconds, not {seconds}"
        )))
    }
}

/// `AmazonEC2` → `EC2`-like names are AWS's own per service; the model capitalises each
/// dot- or dash-separated label of the service (`elasticbeanstalk` → `Elasticbeanstalk`,
/// D126).
fn service_title(service: &str) -> String {
    service
        .split(['.', '-'])
        .map(|label| {
            let mut chars = label.chars();
            match chars.next() {
                Some(c) => c.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn new_role(
    account: &Account,
    path: &str,
    name: &str,
    trust: Document,
    max_session_duration: Option<u64>,
    now: Option<Timestamp>,
) -> Role {
    Role {
        path: path.to_owned(),
        name: name.to_owned(),
        id: new_id(account, "AROA", &format!("role/{name}"), 17),
        arn: arn(account, "role", path, name),
        create_date: now,
        trust,
        inline: Vec::new(),
        attached: Vec::new(),
        boundary: None,
        tags: Vec::new(),
        max_session_duration,
        last_used: None,
        last_used_region: None,
        instance_profiles: Vec::new(),
    }
}

/// A trust policy, checked by the model's validator as a trust policy (size quota included)
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html).
fn trust_document(text: &str) -> Result<Document, IamError> {
    super::policies::document(text, PolicyKind::Trust, rules::TRUST_POLICY_CHARS)
}

pub(super) fn no_role(name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "the role with name {} cannot be found",
        quoted(name)
    ))
}

pub(super) fn role<'a>(account: &'a Account, name: &str) -> Result<&'a Role, IamError> {
    (account.roles.iter())
        .find(|r| r.name == name)
        .ok_or_else(|| no_role(name))
}

pub(super) fn role_mut<'a>(account: &'a mut Account, name: &str) -> Result<&'a mut Role, IamError> {
    (account.roles.iter_mut())
        .find(|r| r.name == name)
        .ok_or_else(|| no_role(name))
}

/// A role the caller may change: not service-linked
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html).
pub(super) fn modifiable<'a>(
    account: &'a mut Account,
    name: &str,
) -> Result<&'a mut Role, IamError> {
    let r = role_mut(account, name)?;
    if r.is_service_linked() {
        return Err(IamError::UnmodifiableEntity(format!(
            "role {} is a service-linked role: only its service can change or delete it",
            quoted(name)
        )));
    }
    Ok(r)
}

fn profile<'a>(account: &'a Account, name: &str) -> Result<&'a InstanceProfile, IamError> {
    (account.instance_profiles.iter())
        .find(|p| p.name == name)
        .ok_or_else(|| no_profile(name))
}

fn profile_mut<'a>(
    account: &'a mut Account,
    name: &str,
) -> Result<&'a mut InstanceProfile, IamError> {
    (account.instance_profiles.iter_mut())
        .find(|p| p.name == name)
        .ok_or_else(|| no_profile(name))
}

fn no_profile(name: &str) -> IamError {
    IamError::NoSuchEntity(format!("instance profile {} cannot be found", quoted(name)))
}

fn role_json(r: &Role) -> Value {
    json!({"RoleName": r.name, "Path": r.path, "RoleId": r.id, "Arn": r.arn})
}

fn profile_json(p: &InstanceProfile) -> Value {
    let roles: Vec<Value> = p.roles.iter().map(|n| json!({"RoleName": n})).collect();
    json!({"InstanceProfileName": p.name, "Path": p.path, "InstanceProfileId": p.id, "Arn": p.arn, "Roles": roles})
}
