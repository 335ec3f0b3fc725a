//! Policies: inline policies of users, groups and roles; customer managed policies with their
//! versions, attachments and tags; permissions boundaries; the account's password policy.

use super::err::IamError;
use super::principals::{group_index, user_index};
use super::roles::{modifiable, role};
use super::{arn, merged_tags, new_id, rules, tags_json, untagged, Op};
use crate::entity::{
    Account, AttachedPolicy, Document, InlinePolicy, ManagedPolicy, PasswordPolicy, PolicyVersion,
};
use crate::time::Timestamp;
use iamspec_model::json::Json;
use iamspec_model::policy::{check, PolicyKind};
use iamspec_model::quote::quoted;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// Which entity holds an inline policy or an attachment.
#[derive(Clone, Copy)]
enum Holder<'a> {
    User(&'a str),
    Group(&'a str),
    Role(&'a str),
}

impl Holder<'_> {
    /// Aggregate inline size quota (quotas page, "IAM and STS character limits").
    fn inline_quota(self) -> usize {
        match self {
            Holder::User(_) => rules::INLINE_USER_CHARS,
            Holder::Group(_) => rules::INLINE_GROUP_CHARS,
            Holder::Role(_) => rules::INLINE_ROLE_CHARS,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Holder::User(_) => "user",
            Holder::Group(_) => "group",
            Holder::Role(_) => "role",
        }
    }

    /// The holder's inline and attached lists; a role must be modifiable (not service-linked).
    fn lists(
        self,
        account: &mut Account,
        modify: bool,
    ) -> Result<(&mut Vec<InlinePolicy>, &mut Vec<AttachedPolicy>), IamError> {
        match self {
            Holder::User(n) => {
                let i = user_index(account, n)?;
                let u = super::principals::user_at(account, i)?;
                Ok((&mut u.inline, &mut u.attached))
            }
            Holder::Group(n) => {
                let i = group_index(account, n)?;
                let g =
                    (account.groups.get_mut(i)).ok_or_else(|| super::principals::no_group(n))?;
                Ok((&mut g.inline, &mut g.attached))
            }
            Holder::Role(n) => {
                let r = if modify {
                    modifiable(account, n)?
                } else {
                    super::roles::role_mut(account, n)?
                };
                Ok((&mut r.inline, &mut r.attached))
            }
        }
    }
}

pub(super) fn run(
    account: &mut Account,
    op: &Op,
    now: Option<Timestamp>,
) -> Result<Value, IamError> {
    use Holder::*;
    match op {
        // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html (and
        // PutGroupPolicy, PutRolePolicy)
        Op::PutUserPolicy {
            user_name,
            policy_name,
            policy_document,
        } => put_inline(account, User(user_name), policy_name, policy_document),
        Op::PutGroupPolicy {
            group_name,
            policy_name,
            policy_document,
        } => put_inline(account, Group(group_name), policy_name, policy_document),
        Op::PutRolePolicy {
            role_name,
            policy_name,
            policy_document,
        } => put_inline(account, Role(role_name), policy_name, policy_document),
        Op::GetUserPolicy {
            user_name,
            policy_name,
        } => get_inline(account, User(user_name), policy_name),
        Op::GetGroupPolicy {
            group_name,
            policy_name,
        } => get_inline(account, Group(group_name), policy_name),
        Op::GetRolePolicy {
            role_name,
            policy_name,
        } => get_inline(account, Role(role_name), policy_name),
        Op::DeleteUserPolicy {
            user_name,
            policy_name,
        } => delete_inline(account, User(user_name), policy_name),
        Op::DeleteGroupPolicy {
            group_name,
            policy_name,
        } => delete_inline(account, Group(group_name), policy_name),
        Op::DeleteRolePolicy {
            role_name,
            policy_name,
        } => delete_inline(account, Role(role_name), policy_name),
        Op::ListUserPolicies { user_name } => list_inline(account, User(user_name)),
        Op::ListGroupPolicies { group_name } => list_inline(account, Group(group_name)),
        Op::ListRolePolicies { role_name } => list_inline(account, Role(role_name)),
        // https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachUserPolicy.html (and
        // AttachGroupPolicy, AttachRolePolicy)
        Op::AttachUserPolicy {
            user_name,
            policy_arn,
        } => attach(account, User(user_name), policy_arn),
        Op::AttachGroupPolicy {
            group_name,
            policy_arn,
        } => attach(account, Group(group_name), policy_arn),
        Op::AttachRolePolicy {
            role_name,
            policy_arn,
        } => attach(account, Role(role_name), policy_arn),
        Op::DetachUserPolicy {
            user_name,
            policy_arn,
        } => detach(account, User(user_name), policy_arn),
        Op::DetachGroupPolicy {
            group_name,
            policy_arn,
        } => detach(account, Group(group_name), policy_arn),
        Op::DetachRolePolicy {
            role_name,
            policy_arn,
        } => detach(account, Role(role_name), policy_arn),
        Op::ListAttachedUserPolicies { user_name } => list_attached(account, User(user_name)),
        Op::ListAttachedGroupPolicies { group_name } => list_attached(account, Group(group_name)),
        Op::ListAttachedRolePolicies { role_name } => list_attached(account, Role(role_name)),
        Op::CreatePolicy {
            policy_name,
            policy_document,
            path,
            description,
            tags,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicy.html
            rules::name("PolicyName", policy_name, 128)?;
            let path = path.as_deref().unwrap_or("/");
            rules::path(path)?;
            if description
                .as_ref()
                .is_some_and(|d| d.chars().count() > 1_000)
            {
                return Err(IamError::ValidationError(
                    "`Description` must be at most 1000 characters".into(),
                ));
            }
            let document = document(
                policy_document,
                PolicyKind::Identity,
                rules::MANAGED_POLICY_CHARS,
            )?;
            if (account.policies.iter())
                .any(|p| !p.is_aws_managed() && rules::same_name(&p.name, policy_name))
            {
                return Err(IamError::EntityAlreadyExists(format!(
                    "a policy called {} already exists",
                    quoted(policy_name)
                )));
            }
            if account
                .policies
                .iter()
                .filter(|p| !p.is_aws_managed())
                .count()
                >= rules::POLICIES_PER_ACCOUNT
            {
                return Err(IamError::LimitExceeded(format!(
                    "an account can have at most {} customer managed policies",
                    rules::POLICIES_PER_ACCOUNT
                )));
            }
            let tags = merged_tags(&[], tags)?;
            let policy = ManagedPolicy {
                name: policy_name.clone(),
                id: new_id(account, "ANPA", &format!("policy/{policy_name}"), 17),
                arn: arn(account, "policy", path, policy_name),
                path: path.to_owned(),
                default_version: "v1".into(),
                versions: vec![PolicyVersion {
                    id: "v1".into(),
                    is_default: true,
                    create_date: now,
                    document,
                }],
                attachment_count: Some(0),
                boundary_usage_count: Some(0),
                is_attachable: true,
                create_date: now,
                update_date: now,
                tags,
            };
            let response = json!({"Policy": policy_json(&policy)});
            account.policies.push(policy);
            Ok(response)
        }
        Op::GetPolicy { policy_arn } => {
            Ok(json!({"Policy": policy_json(policy(account, policy_arn)?)}))
        }
        Op::DeletePolicy { policy_arn } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicy.html: detach
            // the policy from every user, group and role and delete its other versions first;
            // a policy in use as a permissions boundary is a conflict too (D127).
            let p = customer_policy(account, policy_arn)?;
            let attached = holders(account).any(|(_, list)| list.iter().any(|a| a.arn == p.arn));
            let boundary = boundaries(account).any(|b| b.arn == p.arn);
            rules::deletable(
                "policy",
                policy_arn,
                &[
                    (attached, "it is attached to a user, group or role"),
                    (boundary, "it is a permissions boundary of a user or role"),
                    (
                        p.versions.len() > 1,
                        "it has versions other than the default",
                    ),
                ],
            )?;
            account.policies.retain(|p| p.arn != *policy_arn);
            Ok(json!({}))
        }
        Op::CreatePolicyVersion {
            policy_arn,
            policy_document,
            set_as_default,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreatePolicyVersion.html;
            // five versions per policy (quotas page); the new id is one more than the highest
            // held (D128).
            let document = document(
                policy_document,
                PolicyKind::Identity,
                rules::MANAGED_POLICY_CHARS,
            )?;
            let p = customer_policy_mut(account, policy_arn)?;
            if p.versions.len() >= rules::VERSIONS_PER_POLICY {
                return Err(IamError::LimitExceeded(format!(
                    "policy {} already has {} versions: delete one first",
                    quoted(policy_arn),
                    rules::VERSIONS_PER_POLICY
                )));
            }
            let next = (p.versions.iter())
                .filter_map(|v| v.id.strip_prefix('v')?.parse::<u64>().ok())
                .max()
                .unwrap_or(0)
                + 1;
            let id = format!("v{next}");
            if now.is_some() {
                p.update_date = now;
            }
            if *set_as_default {
                for v in &mut p.versions {
                    v.is_default = false;
                }
                p.default_version.clone_from(&id);
            }
            p.versions.push(PolicyVersion {
                id: id.clone(),
                is_default: *set_as_default,
                create_date: now,
                document,
            });
            Ok(json!({"PolicyVersion": {"VersionId": id, "IsDefaultVersion": set_as_default}}))
        }
        Op::GetPolicyVersion {
            policy_arn,
            version_id,
        } => {
            let p = policy(account, policy_arn)?;
            let v = version(p, version_id)?;
            Ok(
                json!({"PolicyVersion": {"VersionId": v.id, "IsDefaultVersion": v.is_default, "Document": v.document.text}}),
            )
        }
        Op::DeletePolicyVersion {
            policy_arn,
            version_id,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeletePolicyVersion.html:
            // the default version cannot be deleted (DeleteConflict).
            let p = customer_policy_mut(account, policy_arn)?;
            let v = version(p, version_id)?;
            if v.is_default {
                return Err(IamError::DeleteConflict(format!(
                    "cannot delete the default version {} of policy {}",
                    quoted(version_id),
                    quoted(policy_arn)
                )));
            }
            p.versions.retain(|v| v.id != *version_id);
            Ok(json!({}))
        }
        Op::SetDefaultPolicyVersion {
            policy_arn,
            version_id,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_SetDefaultPolicyVersion.html
            let p = customer_policy_mut(account, policy_arn)?;
            version(p, version_id)?;
            for v in &mut p.versions {
                v.is_default = v.id == *version_id;
            }
            p.default_version.clone_from(version_id);
            if now.is_some() {
                p.update_date = now;
            }
            // The default version is the one evaluated: parse it now (D93 keeps the others as
            // text).
            if let Some(v) = p.versions.iter_mut().find(|v| v.id == *version_id) {
                if v.document.policy.is_none() {
                    v.document.policy = v.document.parse(PolicyKind::Identity).map(Arc::new);
                }
            }
            Ok(json!({}))
        }
        Op::ListPolicyVersions { policy_arn } => {
            let p = policy(account, policy_arn)?;
            let versions: Vec<Value> = (p.versions.iter())
                .map(|v| json!({"VersionId": v.id, "IsDefaultVersion": v.is_default}))
                .collect();
            Ok(json!({"Versions": versions}))
        }
        Op::PutUserPermissionsBoundary {
            user_name,
            permissions_boundary,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPermissionsBoundary.html
            let b = boundary(account, permissions_boundary)?;
            let i = user_index(account, user_name)?;
            super::principals::user_at(account, i)?.boundary = Some(b);
            Ok(json!({}))
        }
        Op::DeleteUserPermissionsBoundary { user_name } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUserPermissionsBoundary.html
            let i = user_index(account, user_name)?;
            let u = super::principals::user_at(account, i)?;
            if u.boundary.take().is_none() {
                return Err(IamError::NoSuchEntity(format!(
                    "user {} has no permissions boundary",
                    quoted(user_name)
                )));
            }
            Ok(json!({}))
        }
        Op::PutRolePermissionsBoundary {
            role_name,
            permissions_boundary,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutRolePermissionsBoundary.html:
            // not for a service-linked role (UnmodifiableEntity).
            let b = boundary(account, permissions_boundary)?;
            modifiable(account, role_name)?.boundary = Some(b);
            Ok(json!({}))
        }
        Op::DeleteRolePermissionsBoundary { role_name } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteRolePermissionsBoundary.html
            let r = modifiable(account, role_name)?;
            if r.boundary.take().is_none() {
                return Err(IamError::NoSuchEntity(format!(
                    "role {} has no permissions boundary",
                    quoted(role_name)
                )));
            }
            Ok(json!({}))
        }
        Op::TagPolicy { policy_arn, tags } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagPolicy.html
            let p = customer_policy_mut(account, policy_arn)?;
            p.tags = merged_tags(&p.tags, tags)?;
            Ok(json!({}))
        }
        Op::UntagPolicy {
            policy_arn,
            tag_keys,
        } => {
            let p = customer_policy_mut(account, policy_arn)?;
            p.tags = untagged(&p.tags, tag_keys)?;
            Ok(json!({}))
        }
        Op::ListPolicyTags { policy_arn } => {
            Ok(json!({"Tags": tags_json(&policy(account, policy_arn)?.tags)}))
        }
        Op::UpdateAccountPasswordPolicy {
            minimum_password_length,
            require_symbols,
            require_numbers,
            require_uppercase_characters,
            require_lowercase_characters,
            allow_users_to_change_password,
            max_password_age,
            password_reuse_prevention,
            hard_expiry,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccountPasswordPolicy.html:
            // length 6–128, age 1–1095 days, reuse prevention 1–24. Parameters not given take
            // their defaults (the call replaces the whole policy).
            let range = |name: &str, value: Option<u64>, low: u64, high: u64| match value {
                Some(v) if v < low || v > high => Err(IamError::ValidationError(format!(
                    "`{name}` must be {low} to {high}, not {v}"
                ))),
                _ => Ok(()),
            };
            range("MinimumPasswordLength", *minimum_password_length, 6, 128)?;
            range("MaxPasswordAge", *max_password_age, 1, 1_095)?;
            range("PasswordReusePrevention", *password_reuse_prevention, 1, 24)?;
            account.password_policy = Some(PasswordPolicy {
                minimum_password_length: Some(minimum_password_length.unwrap_or(6)),
                require_symbols: *require_symbols,
                require_numbers: *require_numbers,
                require_uppercase_characters: *require_uppercase_characters,
                require_lowercase_characters: *require_lowercase_characters,
                allow_users_to_change_password: *allow_users_to_change_password,
                max_password_age: *max_password_age,
                password_reuse_prevention: *password_reuse_prevention,
                hard_expiry: *hard_expiry,
            });
            Ok(json!({}))
        }
        Op::GetAccountPasswordPolicy {} => match &account.password_policy {
            Some(p) => Ok(json!({"PasswordPolicy": {
                "MinimumPasswordLength": p.minimum_password_length,
                "RequireSymbols": p.require_symbols,
                "RequireNumbers": p.require_numbers,
                "RequireUppercaseCharacters": p.require_uppercase_characters,
                "RequireLowercaseCharacters": p.require_lowercase_characters,
                "AllowUsersToChangePassword": p.allow_users_to_change_password,
                "ExpirePasswords": p.max_password_age.is_some(),
            }})),
            None => Err(no_password_policy()),
        },
        Op::DeleteAccountPasswordPolicy {} => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteAccountPasswordPolicy.html
            if account.password_policy.take().is_none() {
                return Err(no_password_policy());
            }
            Ok(json!({}))
        }
        _ => Err(IamError::InvalidAction("not a policy action".into())),
    }
}

fn no_password_policy() -> IamError {
    IamError::NoSuchEntity("the account has no password policy".into())
}

/// A policy document given as JSON text, checked by the model's validator as a policy of
/// `kind`; any error-severity finding is AWS's `MalformedPolicyDocument` (D129). Its size,
/// white space not counted, against `quota`: `LimitExceeded`.
pub(super) fn document(text: &str, kind: PolicyKind, quota: usize) -> Result<Document, IamError> {
    let json = Json::parse(text).map_err(|e| {
        IamError::MalformedPolicyDocument(format!("the policy document is not JSON: {e}"))
    })?;
    let compact = json.to_compact_string();
    let size = rules::policy_chars(&compact);
    if size > quota {
        return Err(IamError::LimitExceeded(format!(
            "the policy is {size} characters without white space, more than the {quota} allowed"
        )));
    }
    let (policy, findings) = check(&json, kind, None);
    if let Some(f) = findings.iter().find(|f| f.blocks_evaluation()) {
        return Err(IamError::MalformedPolicyDocument(format!(
            "{}: {}",
            f.path, f.message
        )));
    }
    let Some(policy) = policy else {
        return Err(IamError::MalformedPolicyDocument(
            "the policy document is not a policy".into(),
        ));
    };
    Ok(Document {
        text: compact,
        policy: Some(Arc::new(policy)),
    })
}

fn arn_shape(policy_arn: &str) -> Result<(), IamError> {
    // https://docs.aws.amazon.com/IAM/latest/APIReference/API_AttachUserPolicy.html: `PolicyArn`
    // is 20 to 2048 characters.
    let length = policy_arn.chars().count();
    if !(20..=2_048).contains(&length) {
        return Err(IamError::ValidationError(format!(
            "`PolicyArn` {} must be 20 to 2048 characters",
            quoted(policy_arn)
        )));
    }
    if !policy_arn.starts_with("arn:") || policy_arn.split(':').count() < 6 {
        return Err(IamError::InvalidInput(format!(
            "ARN {} is not valid",
            quoted(policy_arn)
        )));
    }
    Ok(())
}

/// The managed policy with this ARN: the account's own, or an AWS managed policy the world
/// lists (D130).
fn policy<'a>(account: &'a Account, policy_arn: &str) -> Result<&'a ManagedPolicy, IamError> {
    arn_shape(policy_arn)?;
    (account.policies.iter())
        .find(|p| p.arn == policy_arn)
        .ok_or_else(|| no_policy(policy_arn))
}

fn no_policy(policy_arn: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "policy {} does not exist or is not attachable",
        quoted(policy_arn)
    ))
}

/// A policy the caller may change: AWS managed policies are AWS's.
fn customer_policy<'a>(
    account: &'a Account,
    policy_arn: &str,
) -> Result<&'a ManagedPolicy, IamError> {
    let p = policy(account, policy_arn)?;
    if p.is_aws_managed() {
        return Err(IamError::InvalidInput(format!(
            "policy {} is an AWS managed policy and cannot be changed",
            quoted(policy_arn)
        )));
    }
    Ok(p)
}

fn customer_policy_mut<'a>(
    account: &'a mut Account,
    policy_arn: &str,
) -> Result<&'a mut ManagedPolicy, IamError> {
    customer_policy(account, policy_arn)?;
    (account.policies.iter_mut())
        .find(|p| p.arn == policy_arn)
        .ok_or_else(|| no_policy(policy_arn))
}

fn version<'a>(p: &'a ManagedPolicy, version_id: &str) -> Result<&'a PolicyVersion, IamError> {
    (p.versions.iter())
        .find(|v| v.id == version_id)
        .ok_or_else(|| {
            IamError::NoSuchEntity(format!(
                "policy {} has no version {}",
                quoted(&p.arn),
                quoted(version_id)
            ))
        })
}

/// A permissions boundary: a managed policy of the account (or an AWS managed one it lists).
pub(super) fn boundary(account: &Account, policy_arn: &str) -> Result<AttachedPolicy, IamError> {
    let p = policy(account, policy_arn)?;
    Ok(AttachedPolicy {
        name: p.name.clone(),
        arn: p.arn.clone(),
    })
}

fn put_inline(
    account: &mut Account,
    holder: Holder<'_>,
    policy_name: &str,
    text: &str,
) -> Result<Value, IamError> {
    rules::name("PolicyName", policy_name, 128)?;
    let document = document(text, PolicyKind::Identity, holder.inline_quota())?;
    let (inline, _) = holder.lists(account, true)?;
    let mut next: Vec<InlinePolicy> = inline
        .iter()
        .filter(|p| p.name != policy_name)
        .cloned()
        .collect();
    next.push(InlinePolicy {
        name: policy_name.to_owned(),
        document,
    });
    let total: usize = next
        .iter()
        .map(|p| rules::policy_chars(&p.document.text))
        .sum();
    if total > holder.inline_quota() {
        return Err(IamError::LimitExceeded(format!(
            "the inline policies of this {} would total {total} characters, more than the {} allowed",
            holder.name(),
            holder.inline_quota()
        )));
    }
    // A name given again replaces its document in place (the API's "adds or updates").
    match inline.iter_mut().find(|p| p.name == policy_name) {
        Some(old) => {
            if let Some(new) = next.pop() {
                *old = new;
            }
        }
        None => {
            if let Some(new) = next.pop() {
                inline.push(new);
            }
        }
    }
    Ok(json!({}))
}

fn get_inline(
    account: &mut Account,
    holder: Holder<'_>,
    policy_name: &str,
) -> Result<Value, IamError> {
    let (inline, _) = holder.lists(account, false)?;
    let p = inline
        .iter()
        .find(|p| p.name == policy_name)
        .ok_or_else(|| no_inline(holder, policy_name))?;
    Ok(json!({"PolicyName": p.name, "PolicyDocument": p.document.text}))
}

fn delete_inline(
    account: &mut Account,
    holder: Holder<'_>,
    policy_name: &str,
) -> Result<Value, IamError> {
    let (inline, _) = holder.lists(account, true)?;
    let Some(at) = inline.iter().position(|p| p.name == policy_name) else {
        return Err(no_inline(holder, policy_name));
    };
    inline.remove(at);
    Ok(json!({}))
}

fn list_inline(account: &mut Account, holder: Holder<'_>) -> Result<Value, IamError> {
    let (inline, _) = holder.lists(account, false)?;
    let names: Vec<&str> = inline.iter().map(|p| p.name.as_str()).collect();
    Ok(json!({"PolicyNames": names}))
}

fn no_inline(holder: Holder<'_>, policy_name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "the {} has no inline policy {}",
        holder.name(),
        quoted(policy_name)
    ))
}

fn attach(account: &mut Account, holder: Holder<'_>, policy_arn: &str) -> Result<Value, IamError> {
    if let Holder::Role(n) = holder {
        role(account, n)?;
    }
    let p = policy(account, policy_arn)?;
    if !p.is_attachable {
        return Err(IamError::InvalidInput(format!(
            "policy {} is not attachable",
            quoted(policy_arn)
        )));
    }
    let entry = AttachedPolicy {
        name: p.name.clone(),
        arn: p.arn.clone(),
    };
    let (_, attached) = holder.lists(account, true)?;
    // Attaching a policy already attached changes nothing (D123).
    if attached.iter().any(|a| a.arn == policy_arn) {
        return Ok(json!({}));
    }
    if attached.len() >= rules::MANAGED_POLICIES_PER_ENTITY {
        return Err(IamError::LimitExceeded(format!(
            "a {} can have at most {} managed policies attached",
            holder.name(),
            rules::MANAGED_POLICIES_PER_ENTITY
        )));
    }
    attached.push(entry);
    Ok(json!({}))
}

fn detach(account: &mut Account, holder: Holder<'_>, policy_arn: &str) -> Result<Value, IamError> {
    arn_shape(policy_arn)?;
    let (_, attached) = holder.lists(account, true)?;
    let Some(at) = attached.iter().position(|a| a.arn == policy_arn) else {
        return Err(IamError::NoSuchEntity(format!(
            "policy {} is not attached to this {}",
            quoted(policy_arn),
            holder.name()
        )));
    };
    attached.remove(at);
    Ok(json!({}))
}

fn list_attached(account: &mut Account, holder: Holder<'_>) -> Result<Value, IamError> {
    let (_, attached) = holder.lists(account, false)?;
    let list: Vec<Value> = (attached.iter())
        .map(|a| json!({"PolicyName": a.name, "PolicyArn": a.arn}))
        .collect();
    Ok(json!({"AttachedPolicies": list}))
}

fn holders(account: &Account) -> impl Iterator<Item = (&str, &Vec<AttachedPolicy>)> {
    (account.users.iter().map(|u| (u.arn.as_str(), &u.attached)))
        .chain(account.groups.iter().map(|g| (g.arn.as_str(), &g.attached)))
        .chain(account.roles.iter().map(|r| (r.arn.as_str(), &r.attached)))
}

fn boundaries(account: &Account) -> impl Iterator<Item = &AttachedPolicy> {
    (account.users.iter().filter_map(|u| u.boundary.as_ref()))
        .chain(account.roles.iter().filter_map(|r| r.boundary.as_ref()))
}

/// Keeps `AttachmentCount` and `PermissionsBoundaryUsageCount` true after a call: one pass over
/// the holders, so that a call on a large account stays linear in its size.
pub(super) fn recount(account: &mut Account) {
    let mut counts: HashMap<&str, (u64, u64)> = HashMap::new();
    for (_, list) in holders(account) {
        for a in list {
            counts.entry(a.arn.as_str()).or_default().0 += 1;
        }
    }
    for b in boundaries(account) {
        counts.entry(b.arn.as_str()).or_default().1 += 1;
    }
    let counts: Vec<(u64, u64)> = (account.policies.iter())
        .map(|p| counts.get(p.arn.as_str()).copied().unwrap_or_default())
        .collect();
    for (p, (attached, boundary)) in account.policies.iter_mut().zip(counts) {
        p.attachment_count = Some(attached);
        p.boundary_usage_count = Some(boundary);
    }
}

fn policy_json(p: &ManagedPolicy) -> Value {
    json!({"PolicyName": p.name, "PolicyId": p.id, "Arn": p.arn, "Path": p.path,
           "DefaultVersionId": p.default_version, "AttachmentCount": p.attachment_count,
           "PermissionsBoundaryUsageCount": p.boundary_usage_count, "IsAttachable": p.is_attachable})
}
