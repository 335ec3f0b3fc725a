//! Users, groups and their credentials: access keys, the console password (login profile) and
//! MFA devices.

use super::err::IamError;
use super::{arn, merged_tags, new_id, rules, tags_json, untagged, Op};
use crate::entity::{AccessKey, Account, Group, KeyStatus, LoginProfile, MfaDevice, User};
use crate::password_policy;
use crate::time::Timestamp;
use iamspec_model::quote::quoted;
use serde_json::{json, Value};

pub(super) fn run(
    account: &mut Account,
    op: &Op,
    now: Option<Timestamp>,
) -> Result<Value, IamError> {
    match op {
        Op::CreateUser {
            user_name,
            path,
            tags,
            permissions_boundary,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html
            rules::name("UserName", user_name, 64)?;
            let path = path.as_deref().unwrap_or("/");
            rules::path(path)?;
            rules::new_entity(
                "user",
                user_name,
                account.users.iter().map(|u| u.name.as_str()),
                account.users.len(),
                rules::USERS_PER_ACCOUNT,
            )?;
            let tags = merged_tags(&[], tags)?;
            let boundary = match permissions_boundary {
                Some(b) => Some(super::policies::boundary(account, b)?),
                None => None,
            };
            let user = User {
                path: path.to_owned(),
                name: user_name.clone(),
                id: new_id(account, "AIDA", &format!("user/{user_name}"), 17),
                arn: arn(account, "user", path, user_name),
                create_date: now,
                boundary,
                tags,
                ..User::default()
            };
            let response = json!({"User": user_json(&user)});
            account.users.push(user);
            Ok(response)
        }
        Op::GetUser { user_name } => Ok(json!({"User": user_json(user(account, user_name)?)})),
        Op::UpdateUser {
            user_name,
            new_user_name,
            new_path,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateUser.html
            if let Some(new) = new_user_name {
                rules::name("NewUserName", new, 64)?;
            }
            if let Some(p) = new_path {
                rules::path(p)?;
            }
            let index = user_index(account, user_name)?;
            if let Some(new) = new_user_name {
                let others = account
                    .users
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != index);
                rules::unique_name("user", new, others.map(|(_, u)| u.name.as_str()))?;
            }
            let id = account.id.clone();
            let u = user_at(account, index)?;
            if let Some(new) = new_user_name {
                u.name = new.clone();
            }
            if let Some(p) = new_path {
                u.path = p.clone();
            }
            u.arn = format!("arn:aws:iam::{id}:user{}{}", u.path, u.name);
            Ok(json!({}))
        }
        Op::DeleteUser { user_name } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteUser.html: the
            // password, access keys, MFA devices, inline and attached policies and group
            // memberships must be removed first.
            let index = user_index(account, user_name)?;
            let u = user(account, user_name)?;
            rules::deletable(
                "user",
                user_name,
                &[
                    (u.login_profile.is_some(), "it still has a login profile"),
                    (!u.access_keys.is_empty(), "it still has access keys"),
                    (!u.mfa_devices.is_empty(), "it still has MFA devices"),
                    (!u.inline.is_empty(), "it still has inline policies"),
                    (!u.attached.is_empty(), "it still has attached policies"),
                    (!u.groups.is_empty(), "it still has group memberships"),
                ],
            )?;
            account.users.remove(index);
            Ok(json!({}))
        }
        Op::CreateGroup { group_name, path } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html
            rules::name("GroupName", group_name, 128)?;
            let path = path.as_deref().unwrap_or("/");
            rules::path(path)?;
            rules::new_entity(
                "group",
                group_name,
                account.groups.iter().map(|g| g.name.as_str()),
                account.groups.len(),
                rules::GROUPS_PER_ACCOUNT,
            )?;
            let group = Group {
                path: path.to_owned(),
                name: group_name.clone(),
                id: new_id(account, "AGPA", &format!("group/{group_name}"), 17),
                arn: arn(account, "group", path, group_name),
                create_date: now,
                ..Group::default()
            };
            let response = json!({"Group": group_json(&group)});
            account.groups.push(group);
            Ok(response)
        }
        Op::GetGroup { group_name } => {
            let g = group(account, group_name)?;
            let users: Vec<Value> = (account.users.iter())
                .filter(|u| u.groups.iter().any(|n| n == &g.name))
                .map(user_json)
                .collect();
            Ok(json!({"Group": group_json(g), "Users": users}))
        }
        Op::UpdateGroup {
            group_name,
            new_group_name,
            new_path,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateGroup.html
            if let Some(new) = new_group_name {
                rules::name("NewGroupName", new, 128)?;
            }
            if let Some(p) = new_path {
                rules::path(p)?;
            }
            let index = group_index(account, group_name)?;
            let old = group(account, group_name)?.name.clone();
            if let Some(new) = new_group_name {
                let others = account
                    .groups
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != index);
                rules::unique_name("group", new, others.map(|(_, g)| g.name.as_str()))?;
                for u in &mut account.users {
                    for n in &mut u.groups {
                        if *n == old {
                            n.clone_from(new);
                        }
                    }
                }
            }
            let id = account.id.clone();
            let g = (account.groups.get_mut(index)).ok_or_else(|| no_group(group_name))?;
            if let Some(new) = new_group_name {
                g.name = new.clone();
            }
            if let Some(p) = new_path {
                g.path = p.clone();
            }
            g.arn = format!("arn:aws:iam::{id}:group{}{}", g.path, g.name);
            Ok(json!({}))
        }
        Op::DeleteGroup { group_name } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteGroup.html: the
            // group must have no members and no policies.
            let index = group_index(account, group_name)?;
            let g = group(account, group_name)?;
            let members = (account.users.iter()).any(|u| u.groups.iter().any(|n| n == &g.name));
            rules::deletable(
                "group",
                group_name,
                &[
                    (members, "it still has members"),
                    (!g.inline.is_empty(), "it still has inline policies"),
                    (!g.attached.is_empty(), "it still has attached policies"),
                ],
            )?;
            account.groups.remove(index);
            Ok(json!({}))
        }
        Op::AddUserToGroup {
            group_name,
            user_name,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_AddUserToGroup.html;
            // a user is in at most 10 groups (quotas page). Adding a member again is a no-op
            // (D123).
            let g = group(account, group_name)?.name.clone();
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            if u.groups.contains(&g) {
                return Ok(json!({}));
            }
            if u.groups.len() >= rules::GROUPS_PER_USER {
                return Err(IamError::LimitExceeded(format!(
                    "user {} is already in {} groups, the most a user can be in",
                    quoted(user_name),
                    rules::GROUPS_PER_USER
                )));
            }
            u.groups.push(g);
            Ok(json!({}))
        }
        Op::RemoveUserFromGroup {
            group_name,
            user_name,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_RemoveUserFromGroup.html;
            // a user who is not a member is NoSuchEntity (D123).
            let g = group(account, group_name)?.name.clone();
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            let Some(at) = u.groups.iter().position(|n| *n == g) else {
                return Err(IamError::NoSuchEntity(format!(
                    "user {} is not in group {}",
                    quoted(user_name),
                    quoted(group_name)
                )));
            };
            u.groups.remove(at);
            Ok(json!({}))
        }
        Op::ListGroupsForUser { user_name } => {
            let u = user(account, user_name)?;
            let groups: Vec<Value> = (u.groups.iter())
                .filter_map(|n| account.groups.iter().find(|g| &g.name == n))
                .map(group_json)
                .collect();
            Ok(json!({"Groups": groups}))
        }
        Op::TagUser { user_name, tags } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagUser.html
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            u.tags = merged_tags(&u.tags, tags)?;
            Ok(json!({}))
        }
        Op::UntagUser {
            user_name,
            tag_keys,
        } => {
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            u.tags = untagged(&u.tags, tag_keys)?;
            Ok(json!({}))
        }
        Op::ListUserTags { user_name } => {
            Ok(json!({"Tags": tags_json(&user(account, user_name)?.tags)}))
        }
        Op::CreateAccessKey { user_name } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html;
            // two keys per user (quotas page), active or not.
            let index = user_index(account, user_name)?;
            let seed = format!("key/{user_name}");
            let id = new_id(account, "AKIA", &seed, 16);
            let u = user_at(account, index)?;
            if u.access_keys.len() >= rules::ACCESS_KEYS_PER_USER {
                return Err(IamError::LimitExceeded(format!(
                    "user {} already has {} access keys, the most a user can have",
                    quoted(user_name),
                    rules::ACCESS_KEYS_PER_USER
                )));
            }
            u.access_keys.push(AccessKey {
                id: Some(id.clone()),
                status: KeyStatus::Active,
                created: now,
                last_used: None,
                last_used_region: None,
                last_used_service: None,
            });
            Ok(json!({"AccessKey": {"UserName": u.name, "AccessKeyId": id, "Status": "Active"}}))
        }
        Op::UpdateAccessKey {
            user_name,
            access_key_id,
            status,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateAccessKey.html:
            // `Status` is `Active` or `Inactive`.
            let status = match status.as_str() {
                "Active" => KeyStatus::Active,
                "Inactive" => KeyStatus::Inactive,
                other => {
                    return Err(IamError::ValidationError(format!(
                        "`Status` {} must be `Active` or `Inactive`",
                        quoted(other)
                    )))
                }
            };
            let key = key_mut(account, user_name, access_key_id)?;
            key.status = status;
            Ok(json!({}))
        }
        Op::DeleteAccessKey {
            user_name,
            access_key_id,
        } => {
            key_mut(account, user_name, access_key_id)?;
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            u.access_keys
                .retain(|k| k.id.as_deref() != Some(access_key_id.as_str()));
            Ok(json!({}))
        }
        Op::ListAccessKeys { user_name } => {
            let u = user(account, user_name)?;
            let keys: Vec<Value> = (u.access_keys.iter())
                .map(|k| {
                    json!({"UserName": u.name, "AccessKeyId": k.id, "Status": match k.status {
                        KeyStatus::Active => "Active",
                        KeyStatus::Inactive => "Inactive",
                    }})
                })
                .collect();
            Ok(json!({"AccessKeyMetadata": keys}))
        }
        Op::CreateLoginProfile {
            user_name,
            password,
            password_reset_required,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html
            check_password(account, password)?;
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            if u.login_profile.is_some() {
                return Err(IamError::EntityAlreadyExists(format!(
                    "login profile for user {} already exists",
                    quoted(user_name)
                )));
            }
            u.login_profile = Some(LoginProfile {
                last_changed: now,
                ..LoginProfile::default()
            });
            Ok(
                json!({"LoginProfile": {"UserName": u.name, "PasswordResetRequired": password_reset_required}}),
            )
        }
        Op::GetLoginProfile { user_name } => {
            let u = user(account, user_name)?;
            match &u.login_profile {
                Some(_) => Ok(json!({"LoginProfile": {"UserName": u.name}})),
                None => Err(no_login_profile(user_name)),
            }
        }
        Op::UpdateLoginProfile {
            user_name,
            password,
            password_reset_required: _,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_UpdateLoginProfile.html
            if let Some(p) = password {
                check_password(account, p)?;
            }
            let index = user_index(account, user_name)?;
            let Some(profile) = user_at(account, index)?.login_profile.as_mut() else {
                return Err(no_login_profile(user_name));
            };
            if password.is_some() && now.is_some() {
                profile.last_changed = now;
            }
            Ok(json!({}))
        }
        Op::DeleteLoginProfile { user_name } => {
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            if u.login_profile.take().is_none() {
                return Err(no_login_profile(user_name));
            }
            Ok(json!({}))
        }
        Op::CreateVirtualMfaDevice {
            virtual_mfa_device_name,
            path,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateVirtualMFADevice.html
            rules::name("VirtualMFADeviceName", virtual_mfa_device_name, 226)?;
            let path = path.as_deref().unwrap_or("/");
            rules::path(path)?;
            let serial = arn(account, "mfa", path, virtual_mfa_device_name);
            if (account.virtual_mfa_devices.iter()).any(|s| rules::same_name(s, &serial)) {
                return Err(IamError::EntityAlreadyExists(format!(
                    "MFA device with serial number {} already exists",
                    quoted(&serial)
                )));
            }
            account.virtual_mfa_devices.push(serial.clone());
            Ok(json!({"VirtualMFADevice": {"SerialNumber": serial}}))
        }
        Op::EnableMfaDevice {
            user_name,
            serial_number,
            authentication_code1,
            authentication_code2,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_EnableMFADevice.html:
            // codes are six digits; the model cannot check them against the seed (D124).
            for code in [authentication_code1, authentication_code2] {
                if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(IamError::ValidationError(format!(
                        "authentication code {} must be six digits",
                        quoted(code)
                    )));
                }
            }
            let index = user_index(account, user_name)?;
            if !account
                .virtual_mfa_devices
                .iter()
                .any(|s| s == serial_number)
            {
                return Err(IamError::NoSuchEntity(format!(
                    "MFA device {} does not exist",
                    quoted(serial_number)
                )));
            }
            if (account.users.iter()).any(|u| {
                (u.mfa_devices.iter()).any(|d| d.serial.as_deref() == Some(serial_number.as_str()))
            }) {
                return Err(IamError::EntityAlreadyExists(format!(
                    "MFA device {} is already in use",
                    quoted(serial_number)
                )));
            }
            let u = user_at(account, index)?;
            if u.mfa_devices.len() >= rules::MFA_DEVICES_PER_USER {
                return Err(IamError::LimitExceeded(format!(
                    "user {} already has {} MFA devices, the most a user can have",
                    quoted(user_name),
                    rules::MFA_DEVICES_PER_USER
                )));
            }
            u.mfa_devices.push(MfaDevice {
                serial: Some(serial_number.clone()),
                enable_date: now,
            });
            Ok(json!({}))
        }
        Op::DeactivateMfaDevice {
            user_name,
            serial_number,
        } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeactivateMFADevice.html
            let index = user_index(account, user_name)?;
            let u = user_at(account, index)?;
            let Some(at) = (u.mfa_devices.iter())
                .position(|d| d.serial.as_deref() == Some(serial_number.as_str()))
            else {
                return Err(IamError::NoSuchEntity(format!(
                    "MFA device {} is not enabled for user {}",
                    quoted(serial_number),
                    quoted(user_name)
                )));
            };
            u.mfa_devices.remove(at);
            Ok(json!({}))
        }
        Op::DeleteVirtualMfaDevice { serial_number } => {
            // https://docs.aws.amazon.com/IAM/latest/APIReference/API_DeleteVirtualMFADevice.html:
            // a device still enabled for a user is a DeleteConflict.
            let Some(at) = (account.virtual_mfa_devices.iter()).position(|s| s == serial_number)
            else {
                return Err(IamError::NoSuchEntity(format!(
                    "MFA device {} does not exist",
                    quoted(serial_number)
                )));
            };
            if (account.users.iter()).any(|u| {
                (u.mfa_devices.iter()).any(|d| d.serial.as_deref() == Some(serial_number.as_str()))
            }) {
                return Err(IamError::DeleteConflict(format!(
                    "MFA device {} is still enabled for a user",
                    quoted(serial_number)
                )));
            }
            account.virtual_mfa_devices.remove(at);
            Ok(json!({}))
        }
        Op::ListMfaDevices { user_name } => {
            let u = user(account, user_name)?;
            let devices: Vec<Value> = (u.mfa_devices.iter())
                .map(|d| json!({"UserName": u.name, "SerialNumber": d.serial}))
                .collect();
            Ok(json!({"MFADevices": devices}))
        }
        _ => Err(IamError::InvalidAction("not a user or group action".into())),
    }
}

/// https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateLoginProfile.html: the
/// password is 1 to 128 characters and must satisfy the account's password policy.
fn check_password(account: &Account, password: &str) -> Result<(), IamError> {
    let length = password.chars().count();
    if length == 0 || length > 128 {
        return Err(IamError::ValidationError(format!(
            "`Password` must be 1 to 128 characters, it is {length}"
        )));
    }
    let verdict = password_policy::check(account.password_policy.as_ref(), password, None);
    if let Some(v) = verdict.violations.first() {
        return Err(IamError::PasswordPolicyViolation(format!(
            "the password does not satisfy the account's password policy: {v:?}"
        )));
    }
    Ok(())
}

fn no_login_profile(user_name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "login profile for user {} cannot be found",
        quoted(user_name)
    ))
}

pub(super) fn no_user(name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "the user with name {} cannot be found",
        quoted(name)
    ))
}

pub(super) fn no_group(name: &str) -> IamError {
    IamError::NoSuchEntity(format!(
        "the group with name {} cannot be found",
        quoted(name)
    ))
}

/// Names are looked up exactly, as the API does after it stored them case-insensitively unique
/// (D125).
pub(super) fn user_index(account: &Account, name: &str) -> Result<usize, IamError> {
    (account.users.iter())
        .position(|u| u.name == name)
        .ok_or_else(|| no_user(name))
}

pub(super) fn user<'a>(account: &'a Account, name: &str) -> Result<&'a User, IamError> {
    account
        .users
        .iter()
        .find(|u| u.name == name)
        .ok_or_else(|| no_user(name))
}

pub(super) fn user_at(account: &mut Account, index: usize) -> Result<&mut User, IamError> {
    account
        .users
        .get_mut(index)
        .ok_or_else(|| IamError::NoSuchEntity("the user cannot be found".into()))
}

pub(super) fn group_index(account: &Account, name: &str) -> Result<usize, IamError> {
    (account.groups.iter())
        .position(|g| g.name == name)
        .ok_or_else(|| no_group(name))
}

pub(super) fn group<'a>(account: &'a Account, name: &str) -> Result<&'a Group, IamError> {
    account
        .groups
        .iter()
        .find(|g| g.name == name)
        .ok_or_else(|| no_group(name))
}

fn key_mut<'a>(
    account: &'a mut Account,
    user_name: &str,
    id: &str,
) -> Result<&'a mut AccessKey, IamError> {
    let index = user_index(account, user_name)?;
    let u = user_at(account, index)?;
    u.access_keys
        .iter_mut()
        .find(|k| k.id.as_deref() == Some(id))
        .ok_or_else(|| {
            IamError::NoSuchEntity(format!(
                "the access key {} of user {} cannot be found",
                quoted(id),
                quoted(user_name)
            ))
        })
}

fn user_json(u: &User) -> Value {
    json!({"UserName": u.name, "Path": u.path, "UserId": u.id, "Arn": u.arn})
}

fn group_json(g: &Group) -> Value {
    json!({"GroupName": g.name, "Path": g.path, "GroupId": g.id, "Arn": g.arn})
}
