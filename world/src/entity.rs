//! The entities of IAM and AWS Organizations, named as their APIs name them
//! (<https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetAccountAuthorizationDetails.html>,
//! <https://docs.aws.amazon.com/organizations/latest/APIReference/Welcome.html>).
//!
//! A [`World`] holds an optional organization, its accounts with their IAM entities, and the
//! resources with their resource-based policies. Entities are plain data with public fields, so
//! that the lifecycle (`apply(world, op)`), the credential report and the audit can build on
//! them; the lookups are indexes kept by [`World::index`].

use crate::err::Finding;
use crate::organization::Organization;
use crate::read::Reader;
use crate::time::Timestamp;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::{check, Policy, PolicyKind};
use std::collections::HashMap;
use std::sync::Arc;

/// Everything loaded from one snapshot.
#[derive(Clone, Debug, Default)]
pub struct World {
    pub organization: Option<Organization>,
    pub accounts: Vec<Account>,
    pub resources: Vec<Resource>,
    /// What loading reported without failing: quotas, unresolved references, invalid documents.
    pub findings: Vec<Finding>,
    accounts_by_id: HashMap<String, usize>,
    principals_by_arn: HashMap<String, EntityRef>,
    resources_by_arn: HashMap<String, usize>,
}

/// Where an entity is: its account's index, and its index in that account's list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EntityRef {
    User { account: usize, index: usize },
    Group { account: usize, index: usize },
    Role { account: usize, index: usize },
}

impl World {
    /// Rebuilds the lookups after the lists changed; fails on an ARN or account given twice.
    pub fn index(&mut self) -> Result<(), String> {
        self.accounts_by_id.clear();
        self.principals_by_arn.clear();
        self.resources_by_arn.clear();
        for (a, account) in self.accounts.iter_mut().enumerate() {
            if self.accounts_by_id.insert(account.id.clone(), a).is_some() {
                return Err(format!("account `{}` is given twice", account.id));
            }
            account.index()?;
            let entries = (account.users.iter().enumerate())
                .map(|(index, u)| (&u.arn, EntityRef::User { account: a, index }))
                .chain(
                    account
                        .groups
                        .iter()
                        .enumerate()
                        .map(|(index, g)| (&g.arn, EntityRef::Group { account: a, index })),
                )
                .chain(
                    account
                        .roles
                        .iter()
                        .enumerate()
                        .map(|(index, r)| (&r.arn, EntityRef::Role { account: a, index })),
                );
            for (arn, at) in entries {
                if self.principals_by_arn.insert(arn.clone(), at).is_some() {
                    return Err(format!("the ARN `{arn}` is given twice"));
                }
            }
        }
        for (i, resource) in self.resources.iter().enumerate() {
            if self
                .resources_by_arn
                .insert(resource.arn.clone(), i)
                .is_some()
            {
                return Err(format!("the resource `{}` is given twice", resource.arn));
            }
        }
        Ok(())
    }

    pub fn account(&self, id: &str) -> Option<&Account> {
        self.accounts_by_id
            .get(id)
            .and_then(|&i| self.accounts.get(i))
    }

    /// The user, group or role with this ARN.
    pub fn entity(&self, arn: &str) -> Option<EntityRef> {
        self.principals_by_arn.get(arn).copied()
    }

    pub fn user(&self, at: EntityRef) -> Option<(&Account, &User)> {
        match at {
            EntityRef::User { account, index } => {
                let a = self.accounts.get(account)?;
                Some((a, a.users.get(index)?))
            }
            _ => None,
        }
    }

    pub fn group(&self, at: EntityRef) -> Option<(&Account, &Group)> {
        match at {
            EntityRef::Group { account, index } => {
                let a = self.accounts.get(account)?;
                Some((a, a.groups.get(index)?))
            }
            _ => None,
        }
    }

    pub fn role(&self, at: EntityRef) -> Option<(&Account, &Role)> {
        match at {
            EntityRef::Role { account, index } => {
                let a = self.accounts.get(account)?;
                Some((a, a.roles.get(index)?))
            }
            _ => None,
        }
    }

    /// The resource with exactly this ARN.
    pub fn resource(&self, arn: &str) -> Option<&Resource> {
        self.resources_by_arn
            .get(arn)
            .and_then(|&i| self.resources.get(i))
    }

    /// Every user and role: the principals a question can be asked about.
    pub fn principals(&self) -> impl Iterator<Item = &str> {
        self.accounts.iter().flat_map(|a| {
            a.users
                .iter()
                .map(|u| u.arn.as_str())
                .chain(a.roles.iter().map(|r| r.arn.as_str()))
        })
    }
}

/// An AWS account.
#[derive(Clone, Debug, Default)]
pub struct Account {
    /// The 12-digit account id.
    pub id: String,
    /// The account alias (`aws iam list-account-aliases`).
    pub alias: Option<String>,
    /// The account's name in the organization.
    pub name: Option<String>,
    pub password_policy: Option<PasswordPolicy>,
    pub root: RootUser,
    pub users: Vec<User>,
    pub groups: Vec<Group>,
    pub roles: Vec<Role>,
    /// Customer managed policies, and the AWS managed policies the export lists.
    pub policies: Vec<ManagedPolicy>,
    pub instance_profiles: Vec<InstanceProfile>,
    pub identity_providers: Vec<IdentityProvider>,
    /// Serial numbers (ARNs) of the account's virtual MFA devices, enabled for a user or not
    /// (`aws iam list-virtual-mfa-devices`); kept by the lifecycle.
    pub virtual_mfa_devices: Vec<String>,
    /// The file the account's IAM data came from, for messages.
    pub source: String,
    users_by_name: HashMap<String, usize>,
    groups_by_name: HashMap<String, usize>,
    roles_by_name: HashMap<String, usize>,
    policies_by_arn: HashMap<String, usize>,
}

impl Account {
    pub fn new(id: &str) -> Account {
        Account {
            id: id.to_owned(),
            ..Account::default()
        }
    }

    fn index(&mut self) -> Result<(), String> {
        fn by<T>(
            items: &[T],
            key: impl Fn(&T) -> &str,
            what: &str,
        ) -> Result<HashMap<String, usize>, String> {
            let mut map = HashMap::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                if map.insert(key(item).to_owned(), i).is_some() {
                    return Err(format!("{what} `{}` is given twice", key(item)));
                }
            }
            Ok(map)
        }
        self.users_by_name = by(&self.users, |u| &u.name, "the user")?;
        self.groups_by_name = by(&self.groups, |g| &g.name, "the group")?;
        self.roles_by_name = by(&self.roles, |r| &r.name, "the role")?;
        self.policies_by_arn = by(&self.policies, |p| &p.arn, "the managed policy")?;
        Ok(())
    }

    pub fn user_named(&self, name: &str) -> Option<&User> {
        self.users_by_name
            .get(name)
            .and_then(|&i| self.users.get(i))
    }

    pub fn group_named(&self, name: &str) -> Option<&Group> {
        self.groups_by_name
            .get(name)
            .and_then(|&i| self.groups.get(i))
    }

    pub fn role_named(&self, name: &str) -> Option<&Role> {
        self.roles_by_name
            .get(name)
            .and_then(|&i| self.roles.get(i))
    }

    pub fn policy(&self, arn: &str) -> Option<&ManagedPolicy> {
        self.policies_by_arn
            .get(arn)
            .and_then(|&i| self.policies.get(i))
    }

    /// `111122223333 (prod)`: the id with the alias or name when there is one.
    pub fn display_name(&self) -> String {
        match self.alias.as_ref().or(self.name.as_ref()) {
            Some(alias) => format!("{} ({alias})", self.id),
            None => self.id.clone(),
        }
    }
}

/// A policy document as loaded: its text, and the policy when it is valid for its kind.
/// `policy` is `None` for a document AWS would reject (reported as a finding): whatever holds it
/// is evaluated fail closed.
#[derive(Clone, Debug)]
pub struct Document {
    /// The document as compact JSON.
    pub text: String,
    pub policy: Option<Arc<Policy>>,
}

impl Document {
    /// Reads a document given as a JSON object or as a (URL-encoded) JSON string (D92), checked
    /// as a policy of `kind`. Problems with the document are findings, not errors.
    pub(crate) fn read(
        reader: Reader<'_>,
        json: &Json,
        path: &JsonPath,
        kind: PolicyKind,
        findings: &mut Vec<Finding>,
    ) -> Result<Document, crate::LoadError> {
        let mut invalid = |message: String, at: JsonPath| {
            findings.push(Finding {
                code: "invalid-policy",
                file: reader.file.to_owned(),
                path: at,
                message,
            });
        };
        let parsed;
        let tree = match json {
            Json::Object(_) => json,
            Json::String(text) => {
                let decoded = decode_document_string(text);
                match Json::parse(&decoded) {
                    Ok(tree) => {
                        parsed = tree;
                        &parsed
                    }
                    Err(e) => {
                        invalid(
                            format!("the policy document is not JSON: {e}"),
                            path.clone(),
                        );
                        return Ok(Document {
                            text: decoded,
                            policy: None,
                        });
                    }
                }
            }
            other => {
                return Err(reader.error(
                    path,
                    format!(
                        "expected a policy document (object or string), found {}",
                        other.type_name()
                    ),
                ))
            }
        };
        let (policy, problems) = check(tree, kind, None);
        let blocking = problems.iter().find(|f| f.blocks_evaluation());
        if let Some(finding) = blocking {
            invalid(
                format!(
                    "invalid {}: {}; evaluated fail closed",
                    kind.aws_name(),
                    finding.message
                ),
                path.join(&finding.path),
            );
        }
        Ok(Document {
            text: tree.to_compact_string(),
            policy: if blocking.is_some() {
                None
            } else {
                policy.map(Arc::new)
            },
        })
    }

    /// A document kept as text only (a managed policy's non-default versions: not evaluated).
    pub(crate) fn unparsed(json: &Json) -> Document {
        Document {
            text: match json {
                Json::String(s) => decode_document_string(s),
                other => other.to_compact_string(),
            },
            policy: None,
        }
    }

    /// The policy, parsed from `text` when it was kept as text only.
    pub fn parse(&self, kind: PolicyKind) -> Option<Policy> {
        if let Some(policy) = &self.policy {
            return Some((**policy).clone());
        }
        let json = Json::parse(&self.text).ok()?;
        let (policy, findings) = check(&json, kind, None);
        (!findings.iter().any(|f| f.blocks_evaluation()))
            .then_some(policy)
            .flatten()
    }
}

/// The raw API (and the JavaScript SDK) returns documents URL-encoded (RFC 3986, so `+` is a
/// literal plus); the AWS CLI and boto3 decode them. A string that already starts with `{` is
/// taken as JSON text (D92).
pub fn decode_document_string(text: &str) -> String {
    if text.trim_start().starts_with('{') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = |at: usize| bytes.get(at).and_then(|c| (*c as char).to_digit(16));
        match (b, hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A policy embedded in a user, group or role.
#[derive(Clone, Debug)]
pub struct InlinePolicy {
    pub name: String,
    pub document: Document,
}

/// A reference to a managed policy (`AttachedManagedPolicies`, `PermissionsBoundary`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Clone, Debug, Default)]
pub struct User {
    pub path: String,
    pub name: String,
    /// The unique id (`AIDA...`), the value of `aws:userid`.
    pub id: String,
    pub arn: String,
    pub create_date: Option<Timestamp>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<AttachedPolicy>,
    /// Group names, in the order AWS lists them.
    pub groups: Vec<String>,
    pub boundary: Option<AttachedPolicy>,
    pub tags: Vec<Tag>,
    /// A console password (from the credential report's `password_enabled`).
    pub login_profile: Option<LoginProfile>,
    pub access_keys: Vec<AccessKey>,
    pub mfa_devices: Vec<MfaDevice>,
}

#[derive(Clone, Debug, Default)]
pub struct Group {
    pub path: String,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub create_date: Option<Timestamp>,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<AttachedPolicy>,
}

#[derive(Clone, Debug)]
pub struct Role {
    pub path: String,
    pub name: String,
    /// The unique id (`AROA...`); `aws:userid` of a session is `AROA...:session-name`.
    pub id: String,
    pub arn: String,
    pub create_date: Option<Timestamp>,
    /// `AssumeRolePolicyDocument`.
    pub trust: Document,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<AttachedPolicy>,
    pub boundary: Option<AttachedPolicy>,
    pub tags: Vec<Tag>,
    /// Seconds (`MaxSessionDuration`; absent from GAAD, default 3600).
    pub max_session_duration: Option<u64>,
    pub last_used: Option<Timestamp>,
    pub last_used_region: Option<String>,
    /// Names of the instance profiles that hold this role.
    pub instance_profiles: Vec<String>,
}

impl Role {
    /// Service-linked roles live under `/aws-service-role/`
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html>).
    pub fn is_service_linked(&self) -> bool {
        self.path.starts_with("/aws-service-role/")
    }
}

#[derive(Clone, Debug)]
pub struct ManagedPolicy {
    pub name: String,
    pub id: String,
    pub arn: String,
    pub path: String,
    pub default_version: String,
    pub versions: Vec<PolicyVersion>,
    pub attachment_count: Option<u64>,
    pub boundary_usage_count: Option<u64>,
    pub is_attachable: bool,
    pub create_date: Option<Timestamp>,
    pub update_date: Option<Timestamp>,
    /// `TagPolicy`; GAAD does not list a policy's tags.
    pub tags: Vec<Tag>,
}

impl ManagedPolicy {
    /// `arn:aws:iam::aws:policy/...`
    pub fn is_aws_managed(&self) -> bool {
        self.arn.contains(":iam::aws:policy/")
    }

    /// The default version's document: the one AWS evaluates.
    pub fn default_document(&self) -> Option<&Document> {
        self.versions
            .iter()
            .find(|v| v.id == self.default_version)
            .map(|v| &v.document)
    }
}

#[derive(Clone, Debug)]
pub struct PolicyVersion {
    /// `v3`
    pub id: String,
    pub is_default: bool,
    pub create_date: Option<Timestamp>,
    /// Parsed for the default version only; others are kept as text.
    pub document: Document,
}

#[derive(Clone, Debug)]
pub struct InstanceProfile {
    pub path: String,
    pub name: String,
    pub id: String,
    pub arn: String,
    pub create_date: Option<Timestamp>,
    /// Role names (AWS allows one).
    pub roles: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum ProviderType {
    Saml,
    Oidc,
}

/// A SAML or OIDC identity provider of an account.
#[derive(Clone, Debug)]
pub struct IdentityProvider {
    pub arn: String,
    pub kind: ProviderType,
    /// OIDC: the issuer URL.
    pub url: Option<String>,
    /// OIDC: the audiences.
    pub client_ids: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub enum KeyStatus {
    Active,
    Inactive,
}

/// An access key: from the credential report its slot (1 or 2), state and dates; the key id
/// only when a snapshot gives it (`aws iam list-access-keys`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKey {
    pub id: Option<String>,
    pub status: KeyStatus,
    pub created: Option<Timestamp>,
    pub last_used: Option<Timestamp>,
    pub last_used_region: Option<String>,
    pub last_used_service: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaDevice {
    /// The serial number or ARN; unknown when only the credential report says MFA is active.
    pub serial: Option<String>,
    pub enable_date: Option<Timestamp>,
}

/// A console password.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoginProfile {
    pub last_used: Option<Timestamp>,
    pub last_changed: Option<Timestamp>,
    pub next_rotation: Option<Timestamp>,
}

/// The account's root user, as the credential report's `<root_account>` row gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RootUser {
    pub create_date: Option<Timestamp>,
    pub password_last_used: Option<Timestamp>,
    pub mfa_active: bool,
    pub access_keys: Vec<AccessKey>,
    /// Whether a credential report was loaded for the account.
    pub known: bool,
}

/// `aws iam get-account-password-policy` (`PasswordPolicy`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub minimum_password_length: Option<u64>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub allow_users_to_change_password: bool,
    pub max_password_age: Option<u64>,
    pub password_reuse_prevention: Option<u64>,
    pub hard_expiry: bool,
}

/// A resource with its resource-based policy (bucket policy, key policy, queue policy...).
#[derive(Clone, Debug)]
pub struct Resource {
    pub arn: String,
    /// The owning account.
    pub account: String,
    pub policy: Option<Document>,
    pub tags: Vec<Tag>,
}

impl Resource {
    /// `s3`, `kms`, ... from the ARN.
    pub fn service(&self) -> &str {
        self.arn.split(':').nth(2).unwrap_or("")
    }
}
