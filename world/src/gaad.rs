//! `aws iam get-account-authorization-details` output
//! (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html>),
//! as users have it: the AWS CLI / boto3 form (documents as JSON objects) and the raw API /
//! JavaScript SDK form (documents as URL-encoded JSON strings); ISO 8601 or boto3 `str()` dates;
//! keys absent when empty; several pages of one account merged into one [`Account`].

use crate::entity::{
    Account, AttachedPolicy, Document, Group, InlinePolicy, InstanceProfile, ManagedPolicy,
    PolicyVersion, Role, User,
};
use crate::err::{Finding, LoadError};
use crate::read::{Members, Reader};
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::PolicyKind;

/// The keys of a GAAD page; anything else (`Marker`, `IsTruncated`, `ResponseMetadata`) is
/// pagination or transport and ignored.
pub const LISTS: [&str; 4] = [
    "UserDetailList",
    "GroupDetailList",
    "RoleDetailList",
    "Policies",
];

/// Does this JSON look like a GAAD page?
pub fn is_gaad(json: &Json) -> bool {
    LISTS.iter().any(|key| json.get(key).is_some())
}

/// The account id a page's ARNs name: the first 12-digit account field.
pub fn account_of(json: &Json) -> Option<String> {
    LISTS.iter().find_map(|list| match json.get(list) {
        Some(Json::Array(items)) => items.iter().find_map(|item| {
            let arn = item.get("Arn")?.as_str()?;
            let account = arn.split(':').nth(4)?;
            iamspec_model::principal::is_account_id(account).then(|| account.to_owned())
        }),
        _ => None,
    })
}

/// Adds one page to `account`.
pub fn load_page(
    file: &str,
    json: &Json,
    account: &mut Account,
    findings: &mut Vec<Finding>,
) -> Result<(), LoadError> {
    let r = Reader::new(file);
    let root = JsonPath::root();
    let members = r.object(json, &root)?;
    if account.source.is_empty() {
        account.source = file.to_owned();
    }
    for (i, item) in r
        .opt_array(members, "UserDetailList", &root)?
        .iter()
        .enumerate()
    {
        let user = user(r, item, &root.key("UserDetailList").index(i), findings)?;
        account.users.push(user);
    }
    for (i, item) in r
        .opt_array(members, "GroupDetailList", &root)?
        .iter()
        .enumerate()
    {
        let group = group(r, item, &root.key("GroupDetailList").index(i), findings)?;
        account.groups.push(group);
    }
    for (i, item) in r
        .opt_array(members, "RoleDetailList", &root)?
        .iter()
        .enumerate()
    {
        let at = root.key("RoleDetailList").index(i);
        let (role, profiles) = role(r, item, &at, findings)?;
        for profile in profiles {
            if !account
                .instance_profiles
                .iter()
                .any(|p| p.arn == profile.arn)
            {
                account.instance_profiles.push(profile);
            }
        }
        account.roles.push(role);
    }
    for (i, item) in r.opt_array(members, "Policies", &root)?.iter().enumerate() {
        let policy = managed_policy(r, item, &root.key("Policies").index(i), findings)?;
        account.policies.push(policy);
    }
    Ok(())
}

fn inline_list(
    r: Reader<'_>,
    members: &Members,
    key: &str,
    path: &JsonPath,
    findings: &mut Vec<Finding>,
) -> Result<Vec<InlinePolicy>, LoadError> {
    let mut list = Vec::new();
    for (i, item) in r.opt_array(members, key, path)?.iter().enumerate() {
        let at = path.key(key).index(i);
        let m = r.object(item, &at)?;
        let name = r.req_str(m, "PolicyName", &at)?.to_owned();
        let Some(doc) = Reader::get(m, "PolicyDocument") else {
            return Err(r.error(&at, "missing `PolicyDocument`"));
        };
        let document = Document::read(
            r,
            doc,
            &at.key("PolicyDocument"),
            PolicyKind::Identity,
            findings,
        )?;
        list.push(InlinePolicy { name, document });
    }
    Ok(list)
}

fn attached_list(
    r: Reader<'_>,
    members: &Members,
    path: &JsonPath,
) -> Result<Vec<AttachedPolicy>, LoadError> {
    let key = "AttachedManagedPolicies";
    let mut list = Vec::new();
    for (i, item) in r.opt_array(members, key, path)?.iter().enumerate() {
        let at = path.key(key).index(i);
        let m = r.object(item, &at)?;
        let arn = r.req_str(m, "PolicyArn", &at)?.to_owned();
        let name = match r.opt_str(m, "PolicyName", &at)? {
            Some(name) => name.to_owned(),
            None => arn.rsplit('/').next().unwrap_or(&arn).to_owned(),
        };
        list.push(AttachedPolicy { name, arn });
    }
    Ok(list)
}

fn boundary(
    r: Reader<'_>,
    members: &Members,
    path: &JsonPath,
) -> Result<Option<AttachedPolicy>, LoadError> {
    let Some(json) = Reader::get(members, "PermissionsBoundary") else {
        return Ok(None);
    };
    let at = path.key("PermissionsBoundary");
    let m = r.object(json, &at)?;
    let arn = r.req_str(m, "PermissionsBoundaryArn", &at)?.to_owned();
    Ok(Some(AttachedPolicy {
        name: arn.rsplit('/').next().unwrap_or(&arn).to_owned(),
        arn,
    }))
}

fn user(
    r: Reader<'_>,
    json: &Json,
    path: &JsonPath,
    findings: &mut Vec<Finding>,
) -> Result<User, LoadError> {
    let m = r.object(json, path)?;
    let mut groups = Vec::new();
    for (i, g) in r.opt_array(m, "GroupList", path)?.iter().enumerate() {
        groups.push(r.string(g, &path.key("GroupList").index(i))?.to_owned());
    }
    Ok(User {
        path: r.opt_str(m, "Path", path)?.unwrap_or("/").to_owned(),
        name: r.req_str(m, "UserName", path)?.to_owned(),
        id: r.opt_str(m, "UserId", path)?.unwrap_or_default().to_owned(),
        arn: r.req_str(m, "Arn", path)?.to_owned(),
        create_date: r.opt_date(m, "CreateDate", path)?,
        inline: inline_list(r, m, "UserPolicyList", path, findings)?,
        attached: attached_list(r, m, path)?,
        groups,
        boundary: boundary(r, m, path)?,
        tags: r.tags(m, "Tags", path)?,
        ..User::default()
    })
}

fn group(
    r: Reader<'_>,
    json: &Json,
    path: &JsonPath,
    findings: &mut Vec<Finding>,
) -> Result<Group, LoadError> {
    let m = r.object(json, path)?;
    Ok(Group {
        path: r.opt_str(m, "Path", path)?.unwrap_or("/").to_owned(),
        name: r.req_str(m, "GroupName", path)?.to_owned(),
        id: r
            .opt_str(m, "GroupId", path)?
            .unwrap_or_default()
            .to_owned(),
        arn: r.req_str(m, "Arn", path)?.to_owned(),
        create_date: r.opt_date(m, "CreateDate", path)?,
        inline: inline_list(r, m, "GroupPolicyList", path, findings)?,
        attached: attached_list(r, m, path)?,
    })
}

fn role(
    r: Reader<'_>,
    json: &Json,
    path: &JsonPath,
    findings: &mut Vec<Finding>,
) -> Result<(Role, Vec<InstanceProfile>), LoadError> {
    let m = r.object(json, path)?;
    let name = r.req_str(m, "RoleName", path)?.to_owned();
    let trust = match Reader::get(m, "AssumeRolePolicyDocument") {
        Some(doc) => Document::read(
            r,
            doc,
            &path.key("AssumeRolePolicyDocument"),
            PolicyKind::Trust,
            findings,
        )?,
        // A role without a trust policy can be assumed by no one (fail closed).
        None => Document {
            text: String::new(),
            policy: None,
        },
    };
    let mut profiles = Vec::new();
    for (i, item) in r
        .opt_array(m, "InstanceProfileList", path)?
        .iter()
        .enumerate()
    {
        let at = path.key("InstanceProfileList").index(i);
        let p = r.object(item, &at)?;
        let mut roles = Vec::new();
        for (j, role) in r.opt_array(p, "Roles", &at)?.iter().enumerate() {
            let rp = at.key("Roles").index(j);
            let rm = r.object(role, &rp)?;
            roles.push(r.req_str(rm, "RoleName", &rp)?.to_owned());
        }
        if roles.is_empty() {
            roles.push(name.clone());
        }
        profiles.push(InstanceProfile {
            path: r.opt_str(p, "Path", &at)?.unwrap_or("/").to_owned(),
            name: r.req_str(p, "InstanceProfileName", &at)?.to_owned(),
            id: r
                .opt_str(p, "InstanceProfileId", &at)?
                .unwrap_or_default()
                .to_owned(),
            arn: r.req_str(p, "Arn", &at)?.to_owned(),
            create_date: r.opt_date(p, "CreateDate", &at)?,
            roles,
        });
    }
    let (last_used, last_used_region) = match Reader::get(m, "RoleLastUsed") {
        Some(json) => {
            let at = path.key("RoleLastUsed");
            let lm = r.object(json, &at)?;
            (
                r.opt_date(lm, "LastUsedDate", &at)?,
                r.opt_str(lm, "Region", &at)?.map(str::to_owned),
            )
        }
        None => (None, None),
    };
    let role = Role {
        path: r.opt_str(m, "Path", path)?.unwrap_or("/").to_owned(),
        id: r.opt_str(m, "RoleId", path)?.unwrap_or_default().to_owned(),
        arn: r.req_str(m, "Arn", path)?.to_owned(),
        create_date: r.opt_date(m, "CreateDate", path)?,
        trust,
        inline: inline_list(r, m, "RolePolicyList", path, findings)?,
        attached: attached_list(r, m, path)?,
        boundary: boundary(r, m, path)?,
        tags: r.tags(m, "Tags", path)?,
        max_session_duration: r.opt_u64(m, "MaxSessionDuration", path)?,
        last_used,
        last_used_region,
        instance_profiles: profiles.iter().map(|p| p.name.clone()).collect(),
        name,
    };
    Ok((role, profiles))
}

fn managed_policy(
    r: Reader<'_>,
    json: &Json,
    path: &JsonPath,
    findings: &mut Vec<Finding>,
) -> Result<ManagedPolicy, LoadError> {
    let m = r.object(json, path)?;
    let default_version = r.req_str(m, "DefaultVersionId", path)?.to_owned();
    let mut versions = Vec::new();
    for (i, item) in r
        .opt_array(m, "PolicyVersionList", path)?
        .iter()
        .enumerate()
    {
        let at = path.key("PolicyVersionList").index(i);
        let v = r.object(item, &at)?;
        let id = r.req_str(v, "VersionId", &at)?.to_owned();
        let is_default =
            r.opt_bool(v, "IsDefaultVersion", &at)?.unwrap_or(false) || id == default_version;
        let Some(doc) = Reader::get(v, "Document") else {
            return Err(r.error(&at, "missing `Document`"));
        };
        // Only the default version is in force; the others are kept as text (D93).
        let document = if is_default {
            Document::read(r, doc, &at.key("Document"), PolicyKind::Identity, findings)?
        } else {
            match doc {
                Json::Object(_) | Json::String(_) => Document::unparsed(doc),
                other => {
                    return Err(r.error(
                        &at.key("Document"),
                        format!(
                            "expected a policy document (object or string), found {}",
                            other.type_name()
                        ),
                    ))
                }
            }
        };
        versions.push(PolicyVersion {
            id,
            is_default,
            create_date: r.opt_date(v, "CreateDate", &at)?,
            document,
        });
    }
    let policy = ManagedPolicy {
        name: r.req_str(m, "PolicyName", path)?.to_owned(),
        id: r
            .opt_str(m, "PolicyId", path)?
            .unwrap_or_default()
            .to_owned(),
        arn: r.req_str(m, "Arn", path)?.to_owned(),
        path: r.opt_str(m, "Path", path)?.unwrap_or("/").to_owned(),
        attachment_count: r.opt_u64(m, "AttachmentCount", path)?,
        boundary_usage_count: r.opt_u64(m, "PermissionsBoundaryUsageCount", path)?,
        is_attachable: r.opt_bool(m, "IsAttachable", path)?.unwrap_or(true),
        create_date: r.opt_date(m, "CreateDate", path)?,
        update_date: r.opt_date(m, "UpdateDate", path)?,
        tags: Vec::new(),
        default_version,
        versions,
    };
    if policy.default_document().is_none() {
        findings.push(Finding {
            code: "missing-default-version",
            file: r.file.to_owned(),
            path: path.key("DefaultVersionId"),
            message: format!(
                "policy `{}` has no version `{}` in `PolicyVersionList`; evaluated fail closed",
                policy.name, policy.default_version
            ),
        });
    }
    Ok(policy)
}

/// The account as one GAAD page in the AWS CLI form, which [`load_page`] reads back to the same
/// users, groups, roles (with their instance profiles) and managed policies. Documents are
/// written as JSON text (D92 reads a string starting with `{` as JSON), so that their text
/// survives the round trip byte for byte. GAAD has no place for credentials, the password
/// policy, a policy's tags, or an instance profile without a role: those are not written.
pub fn export(account: &Account) -> serde_json::Value {
    use serde_json::{json, Value};
    let date = |t: &Option<crate::time::Timestamp>| t.map(crate::report::format_time);
    let inline = |list: &[InlinePolicy]| -> Value {
        list.iter()
            .map(|p| json!({"PolicyName": p.name, "PolicyDocument": p.document.text}))
            .collect()
    };
    let attached = |list: &[AttachedPolicy]| -> Value {
        list.iter()
            .map(|a| json!({"PolicyName": a.name, "PolicyArn": a.arn}))
            .collect()
    };
    let boundary = |b: &Option<AttachedPolicy>| {
        b.as_ref()
            .map(|b| json!({"PermissionsBoundaryType": "Policy", "PermissionsBoundaryArn": b.arn}))
    };
    let tags = |tags: &[crate::entity::Tag]| -> Value {
        tags.iter()
            .map(|t| json!({"Key": t.key, "Value": t.value}))
            .collect()
    };
    let mut out = serde_json::Map::new();
    let put = |object: &mut serde_json::Map<String, Value>, key: &str, value: Option<Value>| {
        if let Some(v) = value {
            if !v.is_null() {
                object.insert(key.to_owned(), v);
            }
        }
    };
    let users: Vec<Value> = (account.users.iter())
        .map(|u| {
            let mut o = serde_json::Map::new();
            put(&mut o, "Path", Some(json!(u.path)));
            put(&mut o, "UserName", Some(json!(u.name)));
            put(&mut o, "UserId", Some(json!(u.id)));
            put(&mut o, "Arn", Some(json!(u.arn)));
            put(&mut o, "CreateDate", date(&u.create_date).map(Value::from));
            put(&mut o, "UserPolicyList", Some(inline(&u.inline)));
            put(&mut o, "GroupList", Some(json!(u.groups)));
            put(
                &mut o,
                "AttachedManagedPolicies",
                Some(attached(&u.attached)),
            );
            put(&mut o, "PermissionsBoundary", boundary(&u.boundary));
            put(&mut o, "Tags", Some(tags(&u.tags)));
            Value::Object(o)
        })
        .collect();
    let groups: Vec<Value> = (account.groups.iter())
        .map(|g| {
            let mut o = serde_json::Map::new();
            put(&mut o, "Path", Some(json!(g.path)));
            put(&mut o, "GroupName", Some(json!(g.name)));
            put(&mut o, "GroupId", Some(json!(g.id)));
            put(&mut o, "Arn", Some(json!(g.arn)));
            put(&mut o, "CreateDate", date(&g.create_date).map(Value::from));
            put(&mut o, "GroupPolicyList", Some(inline(&g.inline)));
            put(
                &mut o,
                "AttachedManagedPolicies",
                Some(attached(&g.attached)),
            );
            Value::Object(o)
        })
        .collect();
    let roles: Vec<Value> = (account.roles.iter())
        .map(|r| {
            let profiles: Vec<Value> = (account.instance_profiles.iter())
                .filter(|p| p.roles.contains(&r.name))
                .map(|p| {
                    let mut o = serde_json::Map::new();
                    put(&mut o, "Path", Some(json!(p.path)));
                    put(&mut o, "InstanceProfileName", Some(json!(p.name)));
                    put(&mut o, "InstanceProfileId", Some(json!(p.id)));
                    put(&mut o, "Arn", Some(json!(p.arn)));
                    put(&mut o, "CreateDate", date(&p.create_date).map(Value::from));
                    let roles: Vec<Value> =
                        p.roles.iter().map(|n| json!({"RoleName": n})).collect();
                    put(&mut o, "Roles", Some(Value::Array(roles)));
                    Value::Object(o)
                })
                .collect();
            let mut o = serde_json::Map::new();
            put(&mut o, "Path", Some(json!(r.path)));
            put(&mut o, "RoleName", Some(json!(r.name)));
            put(&mut o, "RoleId", Some(json!(r.id)));
            put(&mut o, "Arn", Some(json!(r.arn)));
            put(&mut o, "CreateDate", date(&r.create_date).map(Value::from));
            if !r.trust.text.is_empty() {
                put(
                    &mut o,
                    "AssumeRolePolicyDocument",
                    Some(json!(r.trust.text)),
                );
            }
            put(&mut o, "InstanceProfileList", Some(Value::Array(profiles)));
            put(&mut o, "RolePolicyList", Some(inline(&r.inline)));
            put(
                &mut o,
                "AttachedManagedPolicies",
                Some(attached(&r.attached)),
            );
            put(&mut o, "PermissionsBoundary", boundary(&r.boundary));
            put(&mut o, "Tags", Some(tags(&r.tags)));
            put(
                &mut o,
                "MaxSessionDuration",
                r.max_session_duration.map(Value::from),
            );
            if r.last_used.is_some() || r.last_used_region.is_some() {
                let mut used = serde_json::Map::new();
                put(
                    &mut used,
                    "LastUsedDate",
                    date(&r.last_used).map(Value::from),
                );
                put(
                    &mut used,
                    "Region",
                    r.last_used_region.clone().map(Value::from),
                );
                put(&mut o, "RoleLastUsed", Some(Value::Object(used)));
            }
            Value::Object(o)
        })
        .collect();
    let policies: Vec<Value> = (account.policies.iter())
        .map(|p| {
            let versions: Vec<Value> = (p.versions.iter())
                .map(|v| {
                    let mut o = serde_json::Map::new();
                    put(&mut o, "Document", Some(json!(v.document.text)));
                    put(&mut o, "VersionId", Some(json!(v.id)));
                    put(&mut o, "IsDefaultVersion", Some(json!(v.is_default)));
                    put(&mut o, "CreateDate", date(&v.create_date).map(Value::from));
                    Value::Object(o)
                })
                .collect();
            let mut o = serde_json::Map::new();
            put(&mut o, "PolicyName", Some(json!(p.name)));
            put(&mut o, "PolicyId", Some(json!(p.id)));
            put(&mut o, "Arn", Some(json!(p.arn)));
            put(&mut o, "Path", Some(json!(p.path)));
            put(&mut o, "DefaultVersionId", Some(json!(p.default_version)));
            put(
                &mut o,
                "AttachmentCount",
                p.attachment_count.map(Value::from),
            );
            put(
                &mut o,
                "PermissionsBoundaryUsageCount",
                p.boundary_usage_count.map(Value::from),
            );
            put(&mut o, "IsAttachable", Some(json!(p.is_attachable)));
            put(&mut o, "CreateDate", date(&p.create_date).map(Value::from));
            put(&mut o, "UpdateDate", date(&p.update_date).map(Value::from));
            put(&mut o, "PolicyVersionList", Some(Value::Array(versions)));
            Value::Object(o)
        })
        .collect();
    out.insert("UserDetailList".into(), Value::Array(users));
    out.insert("GroupDetailList".into(), Value::Array(groups));
    out.insert("RoleDetailList".into(), Value::Array(roles));
    out.insert("Policies".into(), Value::Array(policies));
    Value::Object(out)
}
