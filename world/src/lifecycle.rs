//! IAM's management operations as functions over the world: [`apply`] takes a world and one
//! call of the IAM API ([`Op`], named and shaped as the API names its actions and parameters)
//! and gives the world after the call, or AWS's error for it ([`IamError`]). [`call`] does the
//! same in place and answers the call's response; an error leaves the world unchanged.
//!
//! Every rule (validation, quota, conflict) cites the IAM API reference or the quotas page, in
//! `rules.rs` and in `LIFECYCLE.md`; where AWS is silent the choice is a D-number (D120–D139).
//! The calls act on the world's first account (D120); a world with none gets `123456789012`.

pub mod err;
mod policies;
mod principals;
mod roles;
pub mod rules;

use crate::entity::{Account, Tag, World};
use crate::time::Timestamp;
pub use err::IamError;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The account a world without one gets (moto's default account, so that the same suite runs
/// against both).
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// A tag as the API takes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TagParam {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value", default)]
    pub value: String,
}

impl From<&TagParam> for Tag {
    fn from(t: &TagParam) -> Tag {
        Tag {
            key: t.key.clone(),
            value: t.value.clone(),
        }
    }
}

/// One call of the IAM API: `Action` and the parameters by their API names
/// (`{"Action": "CreateUser", "UserName": "alice"}`). Policy documents are JSON text, as the
/// API takes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "Action", rename_all_fields = "PascalCase")]
pub enum Op {
    CreateUser {
        user_name: String,
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        tags: Vec<TagParam>,
        #[serde(default)]
        permissions_boundary: Option<String>,
    },
    GetUser {
        user_name: String,
    },
    UpdateUser {
        user_name: String,
        #[serde(default)]
        new_user_name: Option<String>,
        #[serde(default)]
        new_path: Option<String>,
    },
    DeleteUser {
        user_name: String,
    },
    CreateGroup {
        group_name: String,
        #[serde(default)]
        path: Option<String>,
    },
    GetGroup {
        group_name: String,
    },
    UpdateGroup {
        group_name: String,
        #[serde(default)]
        new_group_name: Option<String>,
        #[serde(default)]
        new_path: Option<String>,
    },
    DeleteGroup {
        group_name: String,
    },
    AddUserToGroup {
        group_name: String,
        user_name: String,
    },
    RemoveUserFromGroup {
        group_name: String,
        user_name: String,
    },
    ListGroupsForUser {
        user_name: String,
    },
    CreateRole {
        role_name: String,
        assume_role_policy_document: String,
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        max_session_duration: Option<u64>,
        #[serde(default)]
        tags: Vec<TagParam>,
        #[serde(default)]
        permissions_boundary: Option<String>,
    },
    GetRole {
        role_name: String,
    },
    UpdateRole {
        role_name: String,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        max_session_duration: Option<u64>,
    },
    UpdateAssumeRolePolicy {
        role_name: String,
        policy_document: String,
    },
    DeleteRole {
        role_name: String,
    },
    CreateServiceLinkedRole {
        #[serde(rename = "AWSServiceName")]
        aws_service_name: String,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        custom_suffix: Option<String>,
    },
    DeleteServiceLinkedRole {
        role_name: String,
    },
    PutUserPolicy {
        user_name: String,
        policy_name: String,
        policy_document: String,
    },
    GetUserPolicy {
        user_name: String,
        policy_name: String,
    },
    DeleteUserPolicy {
        user_name: String,
        policy_name: String,
    },
    ListUserPolicies {
        user_name: String,
    },
    PutGroupPolicy {
        group_name: String,
        policy_name: String,
        policy_document: String,
    },
    GetGroupPolicy {
        group_name: String,
        policy_name: String,
    },
    DeleteGroupPolicy {
        group_name: String,
        policy_name: String,
    },
    ListGroupPolicies {
        group_name: String,
    },
    PutRolePolicy {
        role_name: String,
        policy_name: String,
        policy_document: String,
    },
    GetRolePolicy {
        role_name: String,
        policy_name: String,
    },
    DeleteRolePolicy {
        role_name: String,
        policy_name: String,
    },
    ListRolePolicies {
        role_name: String,
    },
    AttachUserPolicy {
        user_name: String,
        policy_arn: String,
    },
    DetachUserPolicy {
        user_name: String,
        policy_arn: String,
    },
    ListAttachedUserPolicies {
        user_name: String,
    },
    AttachGroupPolicy {
        group_name: String,
        policy_arn: String,
    },
    DetachGroupPolicy {
        group_name: String,
        policy_arn: String,
    },
    ListAttachedGroupPolicies {
        group_name: String,
    },
    AttachRolePolicy {
        role_name: String,
        policy_arn: String,
    },
    DetachRolePolicy {
        role_name: String,
        policy_arn: String,
    },
    ListAttachedRolePolicies {
        role_name: String,
    },
    CreatePolicy {
        policy_name: String,
        policy_document: String,
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        description: Option<String>,
        #[serde(default)]
        tags: Vec<TagParam>,
    },
    GetPolicy {
        policy_arn: String,
    },
    DeletePolicy {
        policy_arn: String,
    },
    CreatePolicyVersion {
        policy_arn: String,
        policy_document: String,
        #[serde(default)]
        set_as_default: bool,
    },
    GetPolicyVersion {
        policy_arn: String,
        version_id: String,
    },
    DeletePolicyVersion {
        policy_arn: String,
        version_id: String,
    },
    SetDefaultPolicyVersion {
        policy_arn: String,
        version_id: String,
    },
    ListPolicyVersions {
        policy_arn: String,
    },
    PutUserPermissionsBoundary {
        user_name: String,
        permissions_boundary: String,
    },
    DeleteUserPermissionsBoundary {
        user_name: String,
    },
    PutRolePermissionsBoundary {
        role_name: String,
        permissions_boundary: String,
    },
    DeleteRolePermissionsBoundary {
        role_name: String,
    },
    TagUser {
        user_name: String,
        tags: Vec<TagParam>,
    },
    UntagUser {
        user_name: String,
        tag_keys: Vec<String>,
    },
    ListUserTags {
        user_name: String,
    },
    TagRole {
        role_name: String,
        tags: Vec<TagParam>,
    },
    UntagRole {
        role_name: String,
        tag_keys: Vec<String>,
    },
    ListRoleTags {
        role_name: String,
    },
    TagPolicy {
        policy_arn: String,
        tags: Vec<TagParam>,
    },
    UntagPolicy {
        policy_arn: String,
        tag_keys: Vec<String>,
    },
    ListPolicyTags {
        policy_arn: String,
    },
    CreateAccessKey {
        user_name: String,
    },
    UpdateAccessKey {
        user_name: String,
        access_key_id: String,
        status: String,
    },
    DeleteAccessKey {
        user_name: String,
        access_key_id: String,
    },
    ListAccessKeys {
        user_name: String,
    },
    CreateLoginProfile {
        user_name: String,
        password: String,
        #[serde(default)]
        password_reset_required: bool,
    },
    GetLoginProfile {
        user_name: String,
    },
    UpdateLoginProfile {
        user_name: String,
        #[serde(default)]
        password: Option<String>,
        #[serde(default)]
        password_reset_required: Option<bool>,
    },
    DeleteLoginProfile {
        user_name: String,
    },
    #[serde(rename = "CreateVirtualMFADevice")]
    CreateVirtualMfaDevice {
        #[serde(rename = "VirtualMFADeviceName")]
        virtual_mfa_device_name: String,
        #[serde(default)]
        path: Option<String>,
    },
    #[serde(rename = "EnableMFADevice")]
    EnableMfaDevice {
        user_name: String,
        serial_number: String,
        authentication_code1: String,
        authentication_code2: String,
    },
    #[serde(rename = "DeactivateMFADevice")]
    DeactivateMfaDevice {
        user_name: String,
        serial_number: String,
    },
    #[serde(rename = "DeleteVirtualMFADevice")]
    DeleteVirtualMfaDevice {
        serial_number: String,
    },
    #[serde(rename = "ListMFADevices")]
    ListMfaDevices {
        user_name: String,
    },
    CreateInstanceProfile {
        instance_profile_name: String,
        #[serde(default)]
        path: Option<String>,
    },
    GetInstanceProfile {
        instance_profile_name: String,
    },
    DeleteInstanceProfile {
        instance_profile_name: String,
    },
    AddRoleToInstanceProfile {
        instance_profile_name: String,
        role_name: String,
    },
    RemoveRoleFromInstanceProfile {
        instance_profile_name: String,
        role_name: String,
    },
    UpdateAccountPasswordPolicy {
        #[serde(default)]
        minimum_password_length: Option<u64>,
        #[serde(default)]
        require_symbols: bool,
        #[serde(default)]
        require_numbers: bool,
        #[serde(default)]
        require_uppercase_characters: bool,
        #[serde(default)]
        require_lowercase_characters: bool,
        #[serde(default)]
        allow_users_to_change_password: bool,
        #[serde(default)]
        max_password_age: Option<u64>,
        #[serde(default)]
        password_reuse_prevention: Option<u64>,
        #[serde(default)]
        hard_expiry: bool,
    },
    GetAccountPasswordPolicy {},
    DeleteAccountPasswordPolicy {},
    ListUsers {
        #[serde(default)]
        path_prefix: Option<String>,
    },
    ListGroups {
        #[serde(default)]
        path_prefix: Option<String>,
    },
    ListRoles {
        #[serde(default)]
        path_prefix: Option<String>,
    },
    /// `Scope`: `All` (the default), `AWS` or `Local`.
    ListPolicies {
        #[serde(default)]
        scope: Option<String>,
        #[serde(default)]
        only_attached: bool,
    },
    ListInstanceProfiles {
        #[serde(default)]
        path_prefix: Option<String>,
    },
    #[serde(rename = "ListVirtualMFADevices")]
    ListVirtualMfaDevices {},
}

impl Op {
    /// The call from its API form: `{"Action": ..., params...}`. A missing or mistyped
    /// parameter is AWS's `ValidationError`, an unknown action `InvalidAction`.
    pub fn from_json(call: &Value) -> Result<Op, IamError> {
        let action = call.get("Action").and_then(Value::as_str).unwrap_or("");
        match serde_json::from_value::<Op>(call.clone()) {
            Ok(op) => Ok(op),
            Err(e) if e.to_string().starts_with("unknown variant") || action.is_empty() => Err(
                IamError::InvalidAction(format!("the action `{action}` is not valid")),
            ),
            Err(e) => Err(IamError::ValidationError(format!("{action}: {e}"))),
        }
    }

    /// Does the call only read?
    pub fn is_read(&self) -> bool {
        matches!(
            self,
            Op::GetUser { .. }
                | Op::GetGroup { .. }
                | Op::ListGroupsForUser { .. }
                | Op::GetRole { .. }
                | Op::GetUserPolicy { .. }
                | Op::ListUserPolicies { .. }
                | Op::GetGroupPolicy { .. }
                | Op::ListGroupPolicies { .. }
                | Op::GetRolePolicy { .. }
                | Op::ListRolePolicies { .. }
                | Op::ListAttachedUserPolicies { .. }
                | Op::ListAttachedGroupPolicies { .. }
                | Op::ListAttachedRolePolicies { .. }
                | Op::GetPolicy { .. }
                | Op::GetPolicyVersion { .. }
                | Op::ListPolicyVersions { .. }
                | Op::ListUserTags { .. }
                | Op::ListRoleTags { .. }
                | Op::ListPolicyTags { .. }
                | Op::ListAccessKeys { .. }
                | Op::GetLoginProfile { .. }
                | Op::ListMfaDevices { .. }
                | Op::GetInstanceProfile { .. }
                | Op::GetAccountPasswordPolicy {}
                | Op::ListUsers { .. }
                | Op::ListGroups { .. }
                | Op::ListRoles { .. }
                | Op::ListPolicies { .. }
                | Op::ListInstanceProfiles { .. }
                | Op::ListVirtualMfaDevices {}
        )
    }
}

/// The world after `op`, or AWS's error for it.
pub fn apply(world: &World, op: &Op) -> Result<World, IamError> {
    let mut next = world.clone();
    call(&mut next, op)?;
    Ok(next)
}

/// Applies `op` in place and answers its response (the result element AWS returns, as the SDKs
/// give it: `{"User": {...}}`). On an error the world is unchanged: the call runs on a copy of
/// the account, which replaces the original only when the call succeeded. Nothing created is
/// dated (D122); [`call_at`] dates it.
pub fn call(world: &mut World, op: &Op) -> Result<Value, IamError> {
    call_at(world, op, None)
}

/// [`apply`] at a time: what the call creates (users, groups, roles, policies and versions,
/// instance profiles, access keys, a password's last change, an MFA device's enabling) is dated
/// `at`, so that the credential report and the audit of the world see it.
pub fn apply_at(world: &World, op: &Op, at: Timestamp) -> Result<World, IamError> {
    let mut next = world.clone();
    call_at(&mut next, op, Some(at))?;
    Ok(next)
}

/// [`call`] at a time (`None`: undated).
pub fn call_at(world: &mut World, op: &Op, now: Option<Timestamp>) -> Result<Value, IamError> {
    if world.accounts.is_empty() {
        if op.is_read() {
            return run(&mut Account::new(DEFAULT_ACCOUNT), op, now);
        }
        world.accounts.push(Account::new(DEFAULT_ACCOUNT));
        let answer = call_at(world, op, now);
        if answer.is_err() {
            world.accounts.clear();
            reindex(world);
        }
        return answer;
    }
    let Some(first) = world.accounts.first_mut() else {
        return Err(IamError::InvalidInput("the world has no account".into()));
    };
    if op.is_read() {
        // A read changes nothing; it runs on the account itself.
        return run(first, op, now);
    }
    let mut account = first.clone();
    let response = run(&mut account, op, now)?;
    policies::recount(&mut account);
    let before = std::mem::replace(first, account);
    if let Err(e) = world.index() {
        if let Some(first) = world.accounts.first_mut() {
            *first = before;
        }
        reindex(world);
        return Err(IamError::InvalidInput(e));
    }
    Ok(response)
}

fn reindex(world: &mut World) {
    // The world indexed before the call; putting it back cannot introduce a duplicate.
    let _ = world.index();
}

fn run(account: &mut Account, op: &Op, now: Option<Timestamp>) -> Result<Value, IamError> {
    use Op::*;
    match op {
        CreateUser { .. }
        | GetUser { .. }
        | UpdateUser { .. }
        | DeleteUser { .. }
        | CreateGroup { .. }
        | GetGroup { .. }
        | UpdateGroup { .. }
        | DeleteGroup { .. }
        | AddUserToGroup { .. }
        | RemoveUserFromGroup { .. }
        | ListGroupsForUser { .. }
        | TagUser { .. }
        | UntagUser { .. }
        | ListUserTags { .. }
        | CreateAccessKey { .. }
        | UpdateAccessKey { .. }
        | DeleteAccessKey { .. }
        | ListAccessKeys { .. }
        | CreateLoginProfile { .. }
        | GetLoginProfile { .. }
        | UpdateLoginProfile { .. }
        | DeleteLoginProfile { .. }
        | CreateVirtualMfaDevice { .. }
        | EnableMfaDevice { .. }
        | DeactivateMfaDevice { .. }
        | DeleteVirtualMfaDevice { .. }
        | ListMfaDevices { .. } => principals::run(account, op, now),
        CreateRole { .. }
        | GetRole { .. }
        | UpdateRole { .. }
        | UpdateAssumeRolePolicy { .. }
        | DeleteRole { .. }
        | CreateServiceLinkedRole { .. }
        | DeleteServiceLinkedRole { .. }
        | TagRole { .. }
        | UntagRole { .. }
        | ListRoleTags { .. }
        | CreateInstanceProfile { .. }
        | GetInstanceProfile { .. }
        | DeleteInstanceProfile { .. }
        | AddRoleToInstanceProfile { .. }
        | RemoveRoleFromInstanceProfile { .. } => roles::run(account, op, now),
        ListUsers { .. }
        | ListGroups { .. }
        | ListRoles { .. }
        | ListPolicies { .. }
        | ListInstanceProfiles { .. }
        | ListVirtualMfaDevices {} => list(account, op),
        _ => policies::run(account, op, now),
    }
}

/// The account-wide lists (https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListUsers.html
/// and the other List pages): entities in the order they were created (D132), filtered by
/// `PathPrefix`.
fn list(account: &Account, op: &Op) -> Result<Value, IamError> {
    use serde_json::json;
    let under = |prefix: &Option<String>, path: &str| -> Result<bool, IamError> {
        match prefix {
            Some(p) => {
                if !p.starts_with('/') || p.len() > 512 {
                    return Err(IamError::ValidationError(format!(
                        "`PathPrefix` {} must begin with `/`",
                        iamspec_model::quote::quoted(p)
                    )));
                }
                Ok(path.starts_with(p.as_str()))
            }
            None => Ok(true),
        }
    };
    let mut items = Vec::new();
    let key = match op {
        Op::ListUsers { path_prefix } => {
            for u in &account.users {
                if under(path_prefix, &u.path)? {
                    items.push(
                        json!({"UserName": u.name, "Path": u.path, "UserId": u.id, "Arn": u.arn}),
                    );
                }
            }
            "Users"
        }
        Op::ListGroups { path_prefix } => {
            for g in &account.groups {
                if under(path_prefix, &g.path)? {
                    items.push(
                        json!({"GroupName": g.name, "Path": g.path, "GroupId": g.id, "Arn": g.arn}),
                    );
                }
            }
            "Groups"
        }
        Op::ListRoles { path_prefix } => {
            for r in &account.roles {
                if under(path_prefix, &r.path)? {
                    items.push(
                        json!({"RoleName": r.name, "Path": r.path, "RoleId": r.id, "Arn": r.arn}),
                    );
                }
            }
            "Roles"
        }
        Op::ListPolicies {
            scope,
            only_attached,
        } => {
            let (aws, local) = match scope.as_deref() {
                None | Some("All") => (true, true),
                Some("AWS") => (true, false),
                Some("Local") => (false, true),
                Some(other) => {
                    return Err(IamError::ValidationError(format!(
                        "`Scope` {} must be `All`, `AWS` or `Local`",
                        iamspec_model::quote::quoted(other)
                    )))
                }
            };
            for p in &account.policies {
                let wanted = if p.is_aws_managed() { aws } else { local };
                let attached = p.attachment_count.unwrap_or(0) > 0;
                if wanted && (!only_attached || attached) {
                    items.push(json!({"PolicyName": p.name, "Arn": p.arn, "Path": p.path,
                                      "DefaultVersionId": p.default_version,
                                      "AttachmentCount": p.attachment_count}));
                }
            }
            "Policies"
        }
        Op::ListInstanceProfiles { path_prefix } => {
            for p in &account.instance_profiles {
                if under(path_prefix, &p.path)? {
                    let roles: Vec<Value> =
                        p.roles.iter().map(|n| json!({"RoleName": n})).collect();
                    items.push(json!({"InstanceProfileName": p.name, "Path": p.path, "Arn": p.arn, "Roles": roles}));
                }
            }
            "InstanceProfiles"
        }
        Op::ListVirtualMfaDevices {} => {
            for serial in &account.virtual_mfa_devices {
                let user = (account.users.iter())
                    .find(|u| (u.mfa_devices.iter()).any(|d| d.serial.as_ref() == Some(serial)));
                items.push(match user {
                    Some(u) => json!({"SerialNumber": serial, "User": {"UserName": u.name}}),
                    None => json!({"SerialNumber": serial}),
                });
            }
            "VirtualMFADevices"
        }
        _ => return Err(IamError::InvalidAction("not a list action".into())),
    };
    Ok(json!({ key: items }))
}

/// A deterministic unique id: `prefix` and 17 (access keys: 16) characters from a hash of what
/// names the entity, redrawn until no entity of the account has it (D122).
pub(crate) fn new_id(account: &Account, prefix: &str, seed: &str, length: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let taken = |id: &str| {
        account.users.iter().any(|u| u.id == id)
            || account.groups.iter().any(|g| g.id == id)
            || account.roles.iter().any(|r| r.id == id)
            || account.policies.iter().any(|p| p.id == id)
            || account.instance_profiles.iter().any(|p| p.id == id)
            || (account.users.iter())
                .any(|u| u.access_keys.iter().any(|k| k.id.as_deref() == Some(id)))
    };
    let mut salt = 0u64;
    loop {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for b in (account.id.bytes())
            .chain(seed.bytes())
            .chain(salt.to_le_bytes())
        {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        let mut id = String::from(prefix);
        for _ in 0..length {
            hash = hash.rotate_left(5) ^ hash.wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let c = ALPHABET.get((hash % 32) as usize).copied().unwrap_or(b'A');
            id.push(char::from(c));
        }
        if !taken(&id) {
            return id;
        }
        salt += 1;
    }
}

/// `arn:aws:iam::ACCOUNT:KIND/PATH/NAME`
pub(crate) fn arn(account: &Account, kind: &str, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{}:{kind}{path}{name}", account.id)
}

/// The tags after adding `new` (a key given again replaces its value), checked against the
/// rules and the 50-tag quota (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html).
pub(crate) fn merged_tags(old: &[Tag], new: &[TagParam]) -> Result<Vec<Tag>, IamError> {
    let mut keys: Vec<&str> = Vec::new();
    for t in new {
        rules::tag(&t.key, &t.value)?;
        if keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)) {
            return Err(IamError::InvalidInput(format!(
                "duplicate tag key {} (tag keys are case insensitive)",
                iamspec_model::quote::quoted(&t.key)
            )));
        }
        keys.push(&t.key);
    }
    let mut tags = old.to_vec();
    for t in new {
        match tags.iter_mut().find(|o| o.key.eq_ignore_ascii_case(&t.key)) {
            Some(o) => o.value = t.value.clone(),
            None => tags.push(Tag::from(t)),
        }
    }
    if tags.len() > rules::TAGS_PER_ENTITY {
        return Err(IamError::LimitExceeded(format!(
            "an entity can have at most {} tags; this would make {}",
            rules::TAGS_PER_ENTITY,
            tags.len()
        )));
    }
    Ok(tags)
}

pub(crate) fn untagged(old: &[Tag], keys: &[String]) -> Result<Vec<Tag>, IamError> {
    if keys.len() > rules::TAGS_PER_ENTITY {
        return Err(IamError::ValidationError(format!(
            "`TagKeys` takes at most {} keys",
            rules::TAGS_PER_ENTITY
        )));
    }
    Ok(old
        .iter()
        .filter(|t| !keys.iter().any(|k| k.eq_ignore_ascii_case(&t.key)))
        .cloned()
        .collect())
}

pub(crate) fn tags_json(tags: &[Tag]) -> Value {
    Value::Array(
        tags.iter()
            .map(|t| serde_json::json!({"Key": t.key, "Value": t.value}))
            .collect(),
    )
}
