//! For a principal, an action and a resource: exactly the [`PolicySet`] AWS evaluates, the
//! request with the context AWS derives from the world, and a label for every policy so that an
//! explanation can name it by its real name or ARN and where it is attached
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>).
//!
//! Assembly decides nothing: the evaluators of `iamspec-model` decide the set.

use crate::entity::{AttachedPolicy, Document, EntityRef, InlinePolicy, Tag, World};
use crate::organization::{Level, OrgPolicyType, Organization};
use iamspec_model::arn::Arn;
use iamspec_model::policy::{Policy, PolicyKind};
use iamspec_model::principal::{is_account_id, Caller};
use iamspec_model::request::{Action, Context, ContextValue, Resource};
use iamspec_model::scope::is_trust_action;
use iamspec_model::{PolicySet, Request, StatementRef};
use serde::Serialize;
use std::fmt;
use std::sync::Arc;

/// A question about the world.
#[derive(Clone, Debug, Default)]
pub struct Query {
    /// A user, role, assumed-role session or root ARN, a service principal or `anonymous`.
    pub principal: String,
    pub action: String,
    /// An ARN, or `*`.
    pub resource: String,
    /// Given context keys; they win over the keys derived from the world.
    pub context: Vec<(String, ContextValue)>,
    /// Session policies passed when the role session was created.
    pub session_policies: Vec<Policy>,
}

/// A policy as an explanation names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicyLabel {
    /// `managed policy`, `inline policy`, `SCP`, `RCP`, `trust policy`, `bucket policy`, ...
    pub what: String,
    /// The policy's name (or the resource's ARN for a resource policy).
    pub name: String,
    /// The managed policy's ARN.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// `attached to group `dev``, `of user `alice``, `attached to OU `Workloads``.
    pub attached: String,
}

impl fmt::Display for PolicyLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} `{}` {}", self.what, self.name, self.attached)
    }
}

/// The labels of an SCP or RCP chain: per level, root first, its description and its policies.
pub type LevelLabels = Vec<(String, Vec<PolicyLabel>)>;

/// Labels parallel to the policies of a [`PolicySet`].
#[derive(Clone, Debug, Default, Serialize)]
pub struct Labels {
    pub identity: Vec<PolicyLabel>,
    pub permission_boundary: Option<PolicyLabel>,
    pub session: Vec<PolicyLabel>,
    pub resource: Option<PolicyLabel>,
    /// One list per level, root first, with the level's description.
    pub scp: LevelLabels,
    pub rcp: LevelLabels,
}

impl Labels {
    /// The label of the policy a matched statement belongs to.
    pub fn of(&self, statement: &StatementRef) -> Option<&PolicyLabel> {
        fn level<'a>(
            levels: &'a [(String, Vec<PolicyLabel>)],
            statement: &StatementRef,
        ) -> Option<&'a PolicyLabel> {
            levels
                .get(statement.level?)
                .and_then(|(_, l)| l.get(statement.policy))
        }
        match statement.kind {
            PolicyKind::Identity => self.identity.get(statement.policy),
            PolicyKind::PermissionBoundary => self.permission_boundary.as_ref(),
            PolicyKind::Session => self.session.get(statement.policy),
            PolicyKind::Resource | PolicyKind::Trust => self.resource.as_ref(),
            PolicyKind::Scp => level(&self.scp, statement),
            PolicyKind::Rcp => level(&self.rcp, statement),
            PolicyKind::VpcEndpoint => None,
        }
    }
}

/// What AWS evaluates for one request.
#[derive(Clone, Debug)]
pub struct Assembled {
    pub set: PolicySet,
    pub request: Request,
    pub labels: Labels,
    /// Policies in force that cannot be evaluated (not in the snapshot, or invalid): an Allow
    /// is then not trusted (fail closed, D90).
    pub unavailable: Vec<String>,
    /// What was assumed about things outside the snapshot (D91).
    pub assumptions: Vec<String>,
}

/// Why a query cannot be assembled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AssembleError {
    #[error("--principal: {0}")]
    Principal(String),
    #[error("--action: `{0}` is not an action (`service:ActionName`, no wildcards)")]
    Action(String),
    #[error("--resource: {0}")]
    Resource(String),
}

enum Who {
    User(EntityRef),
    Role(EntityRef, Option<String>),
    Root,
    Outside(String),
    NoIdentity,
}

impl World {
    /// Assembles the policy set and request for `query`.
    pub fn assemble(&self, query: &Query) -> Result<Assembled, AssembleError> {
        let action = Action::parse(&query.action)
            .ok_or_else(|| AssembleError::Action(query.action.clone()))?;
        let resource = if query.resource == "*" {
            Resource::Any
        } else {
            Resource::Arn(
                Arn::parse(&query.resource).map_err(|e| AssembleError::Resource(e.to_string()))?,
            )
        };
        let (who, caller) = self.resolve(&query.principal)?;
        let mut out = Assembled {
            set: PolicySet::default(),
            request: Request::new(
                &query.principal,
                caller.clone(),
                action.clone(),
                resource.clone(),
                None,
                Context::default(),
            ),
            labels: Labels::default(),
            unavailable: Vec::new(),
            assumptions: Vec::new(),
        };
        let mut context = Context::default();
        let principal_account = caller.account().map(str::to_owned);

        // The identity side: policies, boundary, tags, ids.
        match &who {
            Who::User(at) => {
                if let Some((account, user)) = self.user(*at) {
                    let whose = format!("user `{}`", user.name);
                    self.inline(&mut out, &user.inline, &whose);
                    self.attached(&mut out, account, &user.attached, &whose);
                    for group in &user.groups {
                        if let Some(g) = account.group_named(group) {
                            let whose = format!("group `{}`", g.name);
                            self.inline(&mut out, &g.inline, &whose);
                            self.attached(&mut out, account, &g.attached, &whose);
                        }
                    }
                    self.boundary(&mut out, account, user.boundary.as_ref(), &whose);
                    principal_tags(&mut context, &user.tags);
                    if !user.id.is_empty() {
                        context.insert("aws:userid", ContextValue::Single(user.id.clone()));
                    }
                }
            }
            Who::Role(at, session) => {
                if let Some((account, role)) = self.role(*at) {
                    let whose = format!("role `{}`", role.name);
                    self.inline(&mut out, &role.inline, &whose);
                    self.attached(&mut out, account, &role.attached, &whose);
                    self.boundary(&mut out, account, role.boundary.as_ref(), &whose);
                    principal_tags(&mut context, &role.tags);
                    if let (Some(session), false) = (session, role.id.is_empty()) {
                        context.insert(
                            "aws:userid",
                            ContextValue::Single(format!("{}:{session}", role.id)),
                        );
                    }
                }
            }
            Who::Outside(account) => {
                out.set.identity.push(assumed_identity_policy());
                out.labels.identity.push(PolicyLabel {
                    what: "assumed identity policy".into(),
                    name: "*".into(),
                    arn: None,
                    attached: format!(
                        "of the outside principal (account `{account}` is not in the snapshot)"
                    ),
                });
                out.assumptions.push(format!("account `{account}` is not in the snapshot: its own identity-based policies and SCPs are assumed to allow the request, so the answer is what this world's resource side decides (D91)"));
            }
            Who::Root | Who::NoIdentity => {}
        }
        for (i, policy) in query.session_policies.iter().enumerate() {
            out.set.session.push(policy.clone());
            out.labels.session.push(PolicyLabel {
                what: "session policy".into(),
                name: format!("#{}", i + 1),
                arn: None,
                attached: "passed when the session was created".into(),
            });
        }

        // SCPs of the principal's account; AWS evaluates them for principals of member
        // accounts only (the model exempts service-linked roles itself, D42).
        if let (Some(org), Some(account), false) = (
            &self.organization,
            &principal_account,
            matches!(who, Who::Outside(_)),
        ) {
            if org.scps_enabled && *account != org.management_account {
                if let Some(levels) = org.levels(account) {
                    let (policies, labels) = self.chain(
                        org,
                        &levels,
                        OrgPolicyType::ServiceControlPolicy,
                        &mut out.unavailable,
                    );
                    out.set.scp = Some(policies);
                    out.labels.scp = labels;
                }
            }
        }

        // The resource side.
        let trust = is_trust_action(&action);
        let mut resource_account = None;
        if let Resource::Arn(arn) = &resource {
            let role = trust
                .then(|| self.entity(arn.as_str()))
                .flatten()
                .and_then(|at| self.role(at));
            if let Some((account, role)) = role {
                resource_account = Some(account.id.clone());
                resource_tags(&mut context, &role.tags);
                out.labels.resource = Some(PolicyLabel {
                    what: "trust policy".into(),
                    name: role.name.clone(),
                    arn: Some(role.arn.clone()),
                    attached: format!("of role `{}`", role.name),
                });
                out.set.resource_kind = Some(PolicyKind::Trust);
                match &role.trust.policy {
                    Some(policy) => out.set.resource = Some((**policy).clone()),
                    None => out.unavailable.push(format!(
                        "the trust policy of role `{}` is missing or invalid",
                        role.name
                    )),
                }
            } else if let Some(found) = self.resource_for(arn.as_str()) {
                resource_account = Some(found.account.clone());
                resource_tags(&mut context, &found.tags);
                if let Some(doc) = &found.policy {
                    out.labels.resource = Some(PolicyLabel {
                        what: resource_policy_name(found.service()).into(),
                        name: found.arn.clone(),
                        arn: None,
                        attached: format!("of `{}`", found.arn),
                    });
                    out.set.resource_kind = Some(PolicyKind::Resource);
                    match &doc.policy {
                        Some(policy) => out.set.resource = Some((**policy).clone()),
                        None => out.unavailable.push(format!(
                            "the {} of `{}` is invalid",
                            resource_policy_name(found.service()),
                            found.arn
                        )),
                    }
                }
            } else if let Some(at) = self.entity(arn.as_str()) {
                // IAM users and roles as resources (iam:PassRole, iam:TagUser...): their tags.
                let tags = match at {
                    EntityRef::User { .. } => self.user(at).map(|(_, u)| &u.tags),
                    EntityRef::Role { .. } => self.role(at).map(|(_, r)| &r.tags),
                    EntityRef::Group { .. } => None,
                };
                if let Some(tags) = tags {
                    resource_tags(&mut context, tags);
                }
                resource_account = Some(arn.account().to_owned());
            }
        }
        let resource_account = resource_account.or_else(|| match &resource {
            Resource::Arn(arn) if is_account_id(arn.account()) => Some(arn.account().to_owned()),
            _ => None,
        });
        if let (Some(org), Some(account)) = (&self.organization, &resource_account) {
            if let Some(path) = org.org_path(account) {
                context.insert("aws:ResourceOrgID", ContextValue::Single(org.id.clone()));
                context.insert("aws:ResourceOrgPaths", ContextValue::Multi(vec![path]));
            }
            if org.rcps_enabled && *account != org.management_account {
                if let Some(levels) = org.levels(account) {
                    let (policies, labels) = self.chain(
                        org,
                        &levels,
                        OrgPolicyType::ResourceControlPolicy,
                        &mut out.unavailable,
                    );
                    out.set.rcp = Some(policies);
                    out.labels.rcp = labels;
                }
            }
        }
        if let (Some(org), Some(account)) = (&self.organization, &principal_account) {
            if let Some(path) = org.org_path(account) {
                context.insert("aws:PrincipalOrgID", ContextValue::Single(org.id.clone()));
                context.insert("aws:PrincipalOrgPaths", ContextValue::Multi(vec![path]));
            }
        }
        for (key, value) in &query.context {
            context.insert(key, value.clone());
        }
        out.request = Request::new(
            &query.principal,
            caller,
            action,
            resource,
            resource_account,
            context,
        );
        Ok(out)
    }

    fn resolve(&self, text: &str) -> Result<(Who, Caller), AssembleError> {
        let caller = Caller::parse(text, None).map_err(AssembleError::Principal)?;
        let Some(account) = caller.account().map(str::to_owned) else {
            return Ok((Who::NoIdentity, caller));
        };
        if self.account(&account).is_none() {
            return Ok((Who::Outside(account), caller));
        }
        let not_found = |what: &str| {
            AssembleError::Principal(format!(
                "{what} `{}` is not in the snapshot (account `{account}` is)",
                iamspec_model::quote::shown(text)
            ))
        };
        match &caller {
            Caller::Root { .. } => Ok((Who::Root, caller)),
            Caller::User { arn, .. } => match self.entity(arn) {
                Some(at @ EntityRef::User { .. }) => Ok((Who::User(at), caller)),
                _ => Err(not_found("the user")),
            },
            Caller::RoleSession {
                role_arn,
                session_arn,
                account,
            } => {
                // An assumed-role ARN names the role without its path: find it by name.
                let at = match session_arn {
                    None => self.entity(role_arn),
                    Some(_) => {
                        let name = role_arn.rsplit('/').next().unwrap_or_default();
                        self.account(account)
                            .and_then(|a| a.role_named(name))
                            .and_then(|r| self.entity(&r.arn))
                    }
                };
                let Some(at @ EntityRef::Role { .. }) = at else {
                    return Err(not_found("the role"));
                };
                let session = session_arn
                    .as_ref()
                    .and_then(|s| s.rsplit('/').next().map(str::to_owned));
                // The role's ARN with its path, as aws:PrincipalArn and trust policies see it.
                let full = self.role(at).map(|(_, r)| r.arn.clone()).unwrap_or_default();
                let caller = Caller::RoleSession {
                    role_arn: full,
                    session_arn: session_arn.clone(),
                    account: account.clone(),
                };
                Ok((Who::Role(at, session), caller))
            }
            _ => Err(AssembleError::Principal(
                "expected a user, role, assumed-role or root ARN of the snapshot, an outside principal, a service principal or `anonymous`".into(),
            )),
        }
    }

    fn inline(&self, out: &mut Assembled, inline: &[InlinePolicy], whose: &str) {
        for p in inline {
            let label = PolicyLabel {
                what: "inline policy".into(),
                name: p.name.clone(),
                arn: None,
                attached: format!("of {whose}"),
            };
            push_identity(out, &p.document, label);
        }
    }

    fn attached(
        &self,
        out: &mut Assembled,
        account: &crate::entity::Account,
        attached: &[AttachedPolicy],
        whose: &str,
    ) {
        for a in attached {
            let label = PolicyLabel {
                what: "managed policy".into(),
                name: a.name.clone(),
                arn: Some(a.arn.clone()),
                attached: format!("attached to {whose}"),
            };
            match account.policy(&a.arn).and_then(|p| p.default_document()) {
                Some(doc) => push_identity(out, doc, label),
                None => out.unavailable.push(format!(
                    "managed policy `{}` attached to {whose} is not in the snapshot",
                    a.arn
                )),
            }
        }
    }

    fn boundary(
        &self,
        out: &mut Assembled,
        account: &crate::entity::Account,
        boundary: Option<&AttachedPolicy>,
        whose: &str,
    ) {
        let Some(b) = boundary else { return };
        let policy = account
            .policy(&b.arn)
            .and_then(|p| p.default_document())
            .and_then(|d| d.policy.clone());
        match policy {
            Some(policy) => {
                out.set.permission_boundary = Some((*policy).clone());
                out.labels.permission_boundary = Some(PolicyLabel {
                    what: "permissions boundary".into(),
                    name: b.name.clone(),
                    arn: Some(b.arn.clone()),
                    attached: format!("of {whose}"),
                });
            }
            None => out.unavailable.push(format!(
                "the permissions boundary `{}` of {whose} is not in the snapshot or invalid",
                b.arn
            )),
        }
    }

    fn chain(
        &self,
        org: &Organization,
        levels: &[Level<'_>],
        kind: OrgPolicyType,
        unavailable: &mut Vec<String>,
    ) -> (Vec<Vec<Policy>>, LevelLabels) {
        let mut policies = Vec::with_capacity(levels.len());
        let mut labels = Vec::with_capacity(levels.len());
        for level in levels {
            let place = org.describe(level);
            let mut here = Vec::new();
            let mut here_labels = Vec::new();
            for p in org.attached(level.id(), kind) {
                match &p.document.policy {
                    Some(policy) => {
                        here.push((**policy).clone());
                        here_labels.push(PolicyLabel {
                            what: kind.short().into(),
                            name: p.name.clone(),
                            arn: None,
                            attached: format!("attached to {place}"),
                        });
                    }
                    None => unavailable.push(format!(
                        "{} `{}` attached to {place} is invalid",
                        kind.short(),
                        p.name
                    )),
                }
            }
            policies.push(here);
            labels.push((place, here_labels));
        }
        (policies, labels)
    }

    /// The resource whose policy governs `arn`: the resource itself, or for an S3 object its
    /// bucket.
    fn resource_for(&self, arn: &str) -> Option<&crate::entity::Resource> {
        self.resource(arn).or_else(|| {
            let rest = arn.strip_prefix("arn:")?;
            let mut fields = rest.splitn(5, ':');
            let _partition = fields.next()?;
            if fields.next()? != "s3" {
                return None;
            }
            let cut = arn.len() - fields.nth(2)?.len();
            let bucket_end = arn.get(cut..)?.find('/')? + cut;
            self.resource(arn.get(..bucket_end)?)
        })
    }
}

fn push_identity(out: &mut Assembled, doc: &Document, label: PolicyLabel) {
    match &doc.policy {
        Some(policy) => {
            out.set.identity.push(Arc::unwrap_or_clone(policy.clone()));
            out.labels.identity.push(label);
        }
        None => out
            .unavailable
            .push(format!("{label} is invalid or not in the snapshot")),
    }
}

fn principal_tags(context: &mut Context, tags: &[Tag]) {
    for tag in tags {
        context.insert(
            &format!("aws:PrincipalTag/{}", tag.key),
            ContextValue::Single(tag.value.clone()),
        );
    }
}

fn resource_tags(context: &mut Context, tags: &[Tag]) {
    for tag in tags {
        context.insert(
            &format!("aws:ResourceTag/{}", tag.key),
            ContextValue::Single(tag.value.clone()),
        );
    }
}

fn resource_policy_name(service: &str) -> &'static str {
    match service {
        "s3" => "bucket policy",
        "kms" => "key policy",
        "sqs" => "queue policy",
        "sns" => "topic policy",
        "lambda" => "function policy",
        "secretsmanager" => "secret policy",
        _ => "resource-based policy",
    }
}

/// What an outside principal's own account is assumed to grant (D91).
fn assumed_identity_policy() -> Policy {
    iamspec_model::json::Json::parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
    )
    .ok()
    .and_then(|json| Policy::from_json(&json).ok())
    .unwrap_or(Policy {
        version: iamspec_model::policy::Version::V2012_10_17,
        id: None,
        statements: Vec::new(),
    })
}
