//! AWS Organizations: the root, nested organizational units, the accounts, the management
//! account, and the SCPs and RCPs attached at each level
//! (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>,
//! <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html>).
//!
//! The snapshot gives the tree flat, as the Organizations API lists it (each OU and account
//! with its parent), so a parent cycle is possible in hostile input and is an error.

use crate::entity::Document;
use crate::err::{Finding, LoadError};
use crate::read::Reader;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::PolicyKind;
use std::collections::HashMap;

/// "You can nest OUs up to five levels deep under the root"
/// (<https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_limits.html>).
pub const MAX_OU_DEPTH: usize = 5;

pub const FULL_AWS_ACCESS: &str = "FullAWSAccess";
pub const RCP_FULL_AWS_ACCESS: &str = "RCPFullAWSAccess";

#[derive(Clone, Debug)]
pub struct Organization {
    /// `o-a1b2c3d4e5`
    pub id: String,
    pub management_account: String,
    /// `r-ab12`
    pub root: String,
    pub ous: Vec<OrganizationalUnit>,
    /// Account id → the id of its parent (root or OU).
    pub account_parents: HashMap<String, String>,
    /// Account id → its name in the organization.
    pub account_names: HashMap<String, String>,
    pub policies: Vec<OrgPolicy>,
    pub scps_enabled: bool,
    pub rcps_enabled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrganizationalUnit {
    pub id: String,
    pub name: String,
    pub parent: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrgPolicyType {
    ServiceControlPolicy,
    ResourceControlPolicy,
}

impl OrgPolicyType {
    pub fn as_str(self) -> &'static str {
        match self {
            OrgPolicyType::ServiceControlPolicy => "SERVICE_CONTROL_POLICY",
            OrgPolicyType::ResourceControlPolicy => "RESOURCE_CONTROL_POLICY",
        }
    }

    pub fn short(self) -> &'static str {
        match self {
            OrgPolicyType::ServiceControlPolicy => "SCP",
            OrgPolicyType::ResourceControlPolicy => "RCP",
        }
    }

    fn kind(self) -> PolicyKind {
        match self {
            OrgPolicyType::ServiceControlPolicy => PolicyKind::Scp,
            OrgPolicyType::ResourceControlPolicy => PolicyKind::Rcp,
        }
    }
}

/// An SCP or RCP with the targets (root, OU or account ids) it is attached to.
#[derive(Clone, Debug)]
pub struct OrgPolicy {
    pub name: String,
    /// `p-...`
    pub id: String,
    pub kind: OrgPolicyType,
    pub document: Document,
    pub targets: Vec<String>,
}

/// One level of the path from the root to an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Level<'o> {
    Root(&'o str),
    Ou(&'o OrganizationalUnit),
    Account(&'o str),
}

impl Level<'_> {
    pub fn id(&self) -> &str {
        match self {
            Level::Root(id) | Level::Account(id) => id,
            Level::Ou(ou) => &ou.id,
        }
    }
}

impl Organization {
    /// The levels from the root down to `account` (root first, the account last); `None` when
    /// the account is not in the organization.
    pub fn levels(&self, account: &str) -> Option<Vec<Level<'_>>> {
        let mut parent = self.account_parents.get(account)?;
        let mut ous = Vec::new();
        // Loading checked that parents end at the root within the depth limit.
        for _ in 0..=MAX_OU_DEPTH {
            if *parent == self.root {
                break;
            }
            let ou = self.ou(parent)?;
            ous.push(ou);
            parent = &ou.parent;
        }
        let mut levels = vec![Level::Root(&self.root)];
        levels.extend(ous.into_iter().rev().map(Level::Ou));
        levels.push(Level::Account(
            self.account_parents.get_key_value(account)?.0,
        ));
        Some(levels)
    }

    pub fn ou(&self, id: &str) -> Option<&OrganizationalUnit> {
        self.ous.iter().find(|ou| ou.id == id)
    }

    /// The policies of `kind` attached to the target `id`.
    pub fn attached(&self, id: &str, kind: OrgPolicyType) -> impl Iterator<Item = &OrgPolicy> {
        let id = id.to_owned();
        self.policies
            .iter()
            .filter(move |p| p.kind == kind && p.targets.contains(&id))
    }

    /// `aws:PrincipalOrgPaths` / `aws:ResourceOrgPaths` value: `o-id/r-root/ou-1/ou-2/`
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgpaths>).
    pub fn org_path(&self, account: &str) -> Option<String> {
        let levels = self.levels(account)?;
        let mut path = format!("{}/", self.id);
        for level in levels.iter().filter(|l| !matches!(l, Level::Account(_))) {
            path.push_str(level.id());
            path.push('/');
        }
        Some(path)
    }

    /// How a level is named in explanations: ``root `r-ab12` ``, ``OU `Workloads` ``.
    pub fn describe(&self, level: &Level<'_>) -> String {
        match level {
            Level::Root(id) => format!("root `{id}`"),
            Level::Ou(ou) => format!("OU `{}`", ou.name),
            Level::Account(id) => match self.account_names.get(*id) {
                Some(name) => format!("account `{id}` ({name})"),
                None => format!("account `{id}`"),
            },
        }
    }

    /// Reads the `organization` member of a snapshot.
    pub(crate) fn read(
        r: Reader<'_>,
        json: &Json,
        path: &JsonPath,
        findings: &mut Vec<Finding>,
    ) -> Result<Organization, LoadError> {
        let m = r.object(json, path)?;
        let id = r.req_str(m, "id", path)?.to_owned();
        let root = r.req_str(m, "root", path)?.to_owned();
        let management_account = r.req_str(m, "management_account", path)?.to_owned();
        let mut scps_enabled = false;
        let mut rcps_enabled = false;
        for (i, t) in r.opt_array(m, "policy_types", path)?.iter().enumerate() {
            match r.string(t, &path.key("policy_types").index(i))? {
                "SERVICE_CONTROL_POLICY" => scps_enabled = true,
                "RESOURCE_CONTROL_POLICY" => rcps_enabled = true,
                _ => {}
            }
        }
        let mut ous: Vec<OrganizationalUnit> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        let ous_path = path.key("organizational_units");
        for (i, item) in r
            .opt_array(m, "organizational_units", path)?
            .iter()
            .enumerate()
        {
            let at = ous_path.index(i);
            let o = r.object(item, &at)?;
            let ou = OrganizationalUnit {
                id: r.req_str(o, "id", &at)?.to_owned(),
                name: r.req_str(o, "name", &at)?.to_owned(),
                parent: r.req_str(o, "parent", &at)?.to_owned(),
            };
            if ou.id == root || by_id.insert(ou.id.clone(), i).is_some() {
                return Err(r.error(&at.key("id"), format!("the id `{}` is given twice", ou.id)));
            }
            ous.push(ou);
        }
        // Every OU reaches the root within MAX_OU_DEPTH steps: no dangling parent, no cycle,
        // no deeper nesting than AWS allows. Bounded steps per OU, so linear overall.
        for (i, ou) in ous.iter().enumerate() {
            let at = ous_path.index(i).key("parent");
            let mut parent = &ou.parent;
            let mut depth = 1;
            while *parent != root {
                let Some(&p) = by_id.get(parent) else {
                    return Err(r.error(
                        &at,
                        format!("the parent `{parent}` is neither the root nor an OU"),
                    ));
                };
                if p == i {
                    return Err(r.error(
                        &at,
                        format!("OU `{}` is its own ancestor (a cycle of parents)", ou.id),
                    ));
                }
                depth += 1;
                if depth > MAX_OU_DEPTH {
                    return Err(r.error(&at, format!("OU `{}` is nested more than {MAX_OU_DEPTH} levels under the root (or its parents form a cycle); AWS allows {MAX_OU_DEPTH}", ou.id)));
                }
                parent = ous.get(p).map(|o| &o.parent).unwrap_or(&root);
            }
        }
        let mut account_parents = HashMap::new();
        let mut account_names = HashMap::new();
        for (i, item) in r.opt_array(m, "accounts", path)?.iter().enumerate() {
            let at = path.key("accounts").index(i);
            let a = r.object(item, &at)?;
            let account = r.req_str(a, "id", &at)?;
            if !iamspec_model::principal::is_account_id(account) {
                return Err(r.error(
                    &at.key("id"),
                    format!("`{account}` is not a 12-digit account id"),
                ));
            }
            let parent = r.req_str(a, "parent", &at)?;
            if parent != root && !by_id.contains_key(parent) {
                return Err(r.error(
                    &at.key("parent"),
                    format!("the parent `{parent}` is neither the root nor an OU"),
                ));
            }
            if account_parents
                .insert(account.to_owned(), parent.to_owned())
                .is_some()
            {
                return Err(r.error(
                    &at.key("id"),
                    format!("the account `{account}` is given twice"),
                ));
            }
            if let Some(name) = r.opt_str(a, "name", &at)? {
                account_names.insert(account.to_owned(), name.to_owned());
            }
        }
        if !account_parents.contains_key(&management_account) {
            return Err(r.error(
                &path.key("management_account"),
                format!("the management account `{management_account}` is not among `accounts`"),
            ));
        }
        let targets_known =
            |t: &str| t == root || by_id.contains_key(t) || account_parents.contains_key(t);
        let mut policies = Vec::new();
        for (i, item) in r.opt_array(m, "policies", path)?.iter().enumerate() {
            let at = path.key("policies").index(i);
            let p = r.object(item, &at)?;
            let kind = match r.req_str(p, "type", &at)? {
                "SERVICE_CONTROL_POLICY" => OrgPolicyType::ServiceControlPolicy,
                "RESOURCE_CONTROL_POLICY" => OrgPolicyType::ResourceControlPolicy,
                other => {
                    return Err(r.error(
                        &at.key("type"),
                        format!(
                            "`{}` is not SERVICE_CONTROL_POLICY or RESOURCE_CONTROL_POLICY",
                            iamspec_model::quote::shown(other)
                        ),
                    ))
                }
            };
            let Some(doc) = Reader::get(p, "document") else {
                return Err(r.error(&at, "missing `document`"));
            };
            let document = Document::read(r, doc, &at.key("document"), kind.kind(), findings)?;
            let mut targets = Vec::new();
            for (j, t) in r.opt_array(p, "targets", &at)?.iter().enumerate() {
                let tp = at.key("targets").index(j);
                let target = r.string(t, &tp)?;
                if !targets_known(target) {
                    return Err(r.error(&tp, format!("the target `{}` is not the root, an OU or an account of the organization", iamspec_model::quote::shown(target))));
                }
                targets.push(target.to_owned());
            }
            let name = r.req_str(p, "name", &at)?.to_owned();
            policies.push(OrgPolicy {
                id: r
                    .opt_str(p, "id", &at)?
                    .map(str::to_owned)
                    .unwrap_or_else(|| name.clone()),
                name,
                kind,
                document,
                targets,
            });
        }
        let every_target: Vec<String> = std::iter::once(root.clone())
            .chain(ous.iter().map(|o| o.id.clone()))
            .chain(account_parents.keys().cloned())
            .collect();
        // AWS attaches FullAWSAccess everywhere when SCPs are enabled (it can be detached: a
        // snapshot that lists it says where it still is) and RCPFullAWSAccess everywhere when
        // RCPs are enabled (it cannot be detached). D94.
        let lists = |name: &str, kind| {
            policies
                .iter()
                .any(|p: &OrgPolicy| p.name == name && p.kind == kind)
        };
        if scps_enabled && !lists(FULL_AWS_ACCESS, OrgPolicyType::ServiceControlPolicy) {
            policies.push(builtin(FULL_AWS_ACCESS, "p-FullAWSAccess", OrgPolicyType::ServiceControlPolicy, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#, every_target.clone()));
        }
        if rcps_enabled {
            policies.retain(|p| {
                !(p.name == RCP_FULL_AWS_ACCESS && p.kind == OrgPolicyType::ResourceControlPolicy)
            });
            policies.push(builtin(RCP_FULL_AWS_ACCESS, "p-RCPFullAWSAccess", OrgPolicyType::ResourceControlPolicy, r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#, every_target));
        }
        Ok(Organization {
            id,
            management_account,
            root,
            ous,
            account_parents,
            account_names,
            policies,
            scps_enabled,
            rcps_enabled,
        })
    }
}

fn builtin(
    name: &str,
    id: &str,
    kind: OrgPolicyType,
    text: &str,
    targets: Vec<String>,
) -> OrgPolicy {
    let policy = Json::parse(text)
        .ok()
        .and_then(|json| iamspec_model::policy::check(&json, kind.kind(), None).0);
    OrgPolicy {
        name: name.to_owned(),
        id: id.to_owned(),
        kind,
        document: Document {
            text: text.to_owned(),
            policy: policy.map(std::sync::Arc::new),
        },
        targets,
    }
}
