//! The validation rules and quotas the lifecycle enforces, each with the page that states it.
//! LIFECYCLE.md has the same table in prose.

use super::err::IamError;
use iamspec_model::quote::quoted;

/// <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html>
pub const GROUPS_PER_USER: usize = 10;
pub const ACCESS_KEYS_PER_USER: usize = 2;
pub const VERSIONS_PER_POLICY: usize = 5;
/// The default quota of managed policies attached to one user, group or role.
pub const MANAGED_POLICIES_PER_ENTITY: usize = 10;
pub const ROLES_PER_INSTANCE_PROFILE: usize = 1;
pub const TAGS_PER_ENTITY: usize = 50;
pub const MFA_DEVICES_PER_USER: usize = 8;
pub const USERS_PER_ACCOUNT: usize = 5_000;
pub const GROUPS_PER_ACCOUNT: usize = 300;
pub const ROLES_PER_ACCOUNT: usize = 1_000;
pub const POLICIES_PER_ACCOUNT: usize = 1_500;
pub const INSTANCE_PROFILES_PER_ACCOUNT: usize = 1_000;
/// Aggregate inline policy size per entity, white space not counted.
pub const INLINE_USER_CHARS: usize = 2_048;
pub const INLINE_GROUP_CHARS: usize = 5_120;
pub const INLINE_ROLE_CHARS: usize = 10_240;
/// A managed policy's size, white space not counted.
pub const MANAGED_POLICY_CHARS: usize = 6_144;
/// A role trust policy's size (default quota), white space not counted.
pub const TRUST_POLICY_CHARS: usize = 2_048;

/// The characters IAM names allow: `[\w+=,.@-]+`
/// (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html, `UserName`).
fn name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "_+=,.@-".contains(c)
}

/// A name parameter: `what` is the API's parameter name; `max` its length constraint
/// (UserName, RoleName 64; GroupName, PolicyName, InstanceProfileName 128).
pub fn name(what: &str, value: &str, max: usize) -> Result<(), IamError> {
    let length = value.chars().count();
    if length == 0 || length > max {
        return Err(IamError::ValidationError(format!(
            "`{what}` must be 1 to {max} characters long, {} is {length}",
            quoted(value)
        )));
    }
    if let Some(c) = value.chars().find(|&c| !name_char(c)) {
        return Err(IamError::ValidationError(format!(
            "`{what}` {} has `{c}`: names allow letters, digits and `_+=,.@-`",
            quoted(value)
        )));
    }
    Ok(())
}

/// `Path`: `/`, or `/` + printable ASCII + `/`, at most 512 characters
/// (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html>, `Path`).
pub fn path(value: &str) -> Result<(), IamError> {
    let ok = value == "/"
        || (value.len() >= 2
            && value.len() <= 512
            && value.starts_with('/')
            && value.ends_with('/')
            && value.chars().all(|c| ('\u{21}'..='\u{7e}').contains(&c)));
    if ok {
        Ok(())
    } else {
        Err(IamError::ValidationError(format!(
            "`Path` {} must be `/` or begin and end with `/`, printable ASCII, at most 512 characters",
            quoted(value)
        )))
    }
}

/// Size against a quota: IAM does not count white space
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length>).
pub fn policy_chars(text: &str) -> usize {
    text.chars().filter(|c| !c.is_whitespace()).count()
}

/// A tag key and value: key 1–128 characters, value 0–256, letters, digits, white space and
/// `_.:/=+-@`; keys starting `aws:` are AWS's
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html#id_tags_rules_creating>).
pub fn tag(key: &str, value: &str) -> Result<(), IamError> {
    // `[\p{L}\p{Z}\p{N}_.:/=+\-@]`: letters, separators (spaces, not tabs or newlines), digits
    // (https://docs.aws.amazon.com/IAM/latest/APIReference/API_Tag.html).
    let allowed = |c: char| {
        c.is_alphanumeric() || (c.is_whitespace() && !c.is_control()) || "_.:/=+-@".contains(c)
    };
    let key_length = key.chars().count();
    if key_length == 0 || key_length > 128 || !key.chars().all(allowed) {
        return Err(IamError::ValidationError(format!(
            "tag key {} must be 1 to 128 letters, digits, spaces or `_.:/=+-@`",
            quoted(key)
        )));
    }
    if value.chars().count() > 256 || !value.chars().all(allowed) {
        return Err(IamError::ValidationError(format!(
            "the value of tag {} must be at most 256 letters, digits, spaces or `_.:/=+-@`",
            quoted(key)
        )));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err(IamError::InvalidInput(format!(
            "tag key {}: the `aws:` prefix is reserved for AWS",
            quoted(key)
        )));
    }
    Ok(())
}

/// Names are unique within an account regardless of case
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-friendly-names>).
pub fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// `name` for an entity of `kind`, given the names of the `others` (on a rename, all but the
/// entity itself): unique regardless of case (D125, EntityAlreadyExists).
pub fn unique_name<'a>(
    kind: &str,
    name: &str,
    mut others: impl Iterator<Item = &'a str>,
) -> Result<(), IamError> {
    if others.any(|other| same_name(other, name)) {
        return Err(IamError::EntityAlreadyExists(format!(
            "{kind} with name {} already exists",
            quoted(name)
        )));
    }
    Ok(())
}

/// A delete that the API refuses while the entity still holds something: the first reason
/// that holds, as DeleteConflict (each Delete* page lists what must be removed first).
pub fn deletable(kind: &str, name: &str, holds: &[(bool, &str)]) -> Result<(), IamError> {
    match holds.iter().find(|(held, _)| *held) {
        Some((_, why)) => Err(IamError::DeleteConflict(format!(
            "cannot delete {kind} {}: {why}",
            quoted(name)
        ))),
        None => Ok(()),
    }
}

/// A new entity of `kind` named `name` among `existing` entities, `count` of which the
/// account holds: its name must be new regardless of case (D125, EntityAlreadyExists) and the
/// account below `quota` (the quotas page, LimitExceeded).
pub fn new_entity<'a>(
    kind: &str,
    name: &str,
    existing: impl Iterator<Item = &'a str>,
    count: usize,
    quota: usize,
) -> Result<(), IamError> {
    unique_name(kind, name, existing)?;
    if count >= quota {
        return Err(IamError::LimitExceeded(format!(
            "an account can have at most {quota} {kind}s"
        )));
    }
    Ok(())
}
