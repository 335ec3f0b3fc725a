//! `permissions`: what a principal can do in its own account, per service and access level, on
//! which resources and under which conditions, with the denies that carve grants out.
//!
//! The candidates come from the catalogue (every action an `Allow` statement of the principal's
//! identity-based policies names, expanded as the console's policy summary expands it); each
//! candidate, on each resource its granting statements name, is then decided by the fast
//! evaluator on the assembled set (identity policies, boundary, session policies, SCPs). Nothing
//! here decides a request itself.

use crate::assemble::{AssembleError, Assembled, Query};
use crate::entity::World;
use iamspec_corpus::catalogue::{ActionRef, Catalogue};
use iamspec_model::arn::Arn;
use iamspec_model::evaluator::Evaluator;
use iamspec_model::policy::{Effect, PolicyKind, Statement};
use iamspec_model::request::{Action, ContextValue, Resource};
use iamspec_model::{Decision, Request};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

#[derive(Clone, Debug, Serialize)]
pub struct Permissions {
    pub principal: String,
    pub services: Vec<ServicePermissions>,
    /// Policies in force that the snapshot lacks: every grant below is then not trusted (D90).
    pub unavailable: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ServicePermissions {
    pub prefix: String,
    pub name: String,
    pub levels: Vec<LevelPermissions>,
}

#[derive(Clone, Debug, Serialize)]
pub struct LevelPermissions {
    /// `Read`, `Write`, ...
    pub level: String,
    /// Actions of this level the service has.
    pub total: usize,
    pub grants: Vec<Grant>,
}

/// One action on one resource pattern.
#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Grant {
    pub action: String,
    /// `*` or the resource pattern a granting statement names.
    pub resource: String,
    /// `allowed`, `conditional`, `denied` (an explicit deny carves it out), `blocked` (a
    /// boundary, session policy or SCP does not allow it), or `needs-resource-policy` (KMS keys
    /// and role trust: the resource's own policy must grant it as well, D52).
    pub status: &'static str,
    /// For `conditional`: the context keys the decision waits on; for `denied`/`blocked`: the
    /// policy that took it away.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub detail: Vec<String>,
}

impl World {
    /// The effective permissions of `principal` in its own account, for requests with `context`
    /// (plus the keys derived from the world).
    pub fn permissions(
        &self,
        principal: &str,
        context: &[(String, ContextValue)],
        catalogue: &Catalogue,
    ) -> Result<Permissions, AssembleError> {
        let mut assembled = self.assemble(&Query {
            principal: principal.to_owned(),
            action: "sts:GetCallerIdentity".into(),
            resource: "*".into(),
            context: context.to_vec(),
            ..Query::default()
        })?;
        // The principal's own side only: no resource policy, no RCPs.
        assembled.set.resource = None;
        assembled.set.resource_kind = None;
        assembled.set.rcp = None;
        let compiled = iamspec_model::fast::Compiled::new(&assembled.set);
        // Candidate actions with the resource patterns of the statements that grant them.
        let mut candidates: BTreeMap<(usize, String), (ActionRef<'_>, BTreeSet<String>)> =
            BTreeMap::new();
        let mut order: BTreeMap<String, usize> = BTreeMap::new();
        for statement in assembled
            .set
            .identity
            .iter()
            .chain(assembled.set.session.iter())
            .flat_map(|p| p.statements.iter())
            .filter(|s| s.effect == Effect::Allow)
        {
            let resources = resources(statement);
            for action in statement_actions(statement, catalogue) {
                let key = action.to_string();
                let next = order.len();
                let rank = *order.entry(key.clone()).or_insert(next);
                candidates
                    .entry((rank, key))
                    .or_insert_with(|| (action, BTreeSet::new()))
                    .1
                    .extend(resources.iter().cloned());
            }
        }
        let mut by_service: BTreeMap<String, (String, Levels)> = BTreeMap::new();
        for ((_, text), (action_ref, patterns)) in candidates {
            let Some(action) = Action::parse(&text) else {
                continue;
            };
            let service = action_ref.service();
            let level = action_ref
                .action()
                .access_levels()
                .first()
                .map_or("Unknown".to_owned(), |l| l.as_str().to_owned());
            let total = service
                .actions()
                .iter()
                .filter(|a| a.access_levels().first().map(|l| l.as_str()) == Some(level.as_str()))
                .count();
            let entry = by_service
                .entry(service.prefix().to_owned())
                .or_insert_with(|| (service.name().to_owned(), BTreeMap::new()));
            let slot = entry.1.entry(level).or_insert((total, Vec::new()));
            for pattern in patterns {
                let resource = sample(&pattern);
                let request = request(&assembled, &action, resource);
                let answer = compiled.authorize(&request);
                let (status, detail) = match answer.decision {
                    Decision::Allow => ("allowed", Vec::new()),
                    _ if !answer.missing_keys.is_empty() => {
                        ("conditional", answer.missing_keys.clone())
                    }
                    Decision::ExplicitDeny => (
                        "denied",
                        answer
                            .matched
                            .iter()
                            .filter(|r| r.effect == Effect::Deny)
                            .filter_map(|r| assembled.labels.of(r).map(ToString::to_string))
                            .collect(),
                    ),
                    Decision::ImplicitDeny
                        if matches!(
                            answer.deciding,
                            Some(PolicyKind::Resource | PolicyKind::Trust)
                        ) =>
                    {
                        (
                            "needs-resource-policy",
                            vec![format!(
                                "the identity side allows it; the {} must grant it too",
                                if action.service() == "kms" {
                                    "key policy"
                                } else {
                                    "role trust policy"
                                }
                            )],
                        )
                    }
                    Decision::ImplicitDeny => (
                        "blocked",
                        answer
                            .deciding
                            .map(|k| vec![format!("not allowed by the {}", k.aws_name())])
                            .unwrap_or_default(),
                    ),
                };
                slot.1.push(Grant {
                    action: text.clone(),
                    resource: pattern,
                    status,
                    detail,
                });
            }
        }
        Ok(Permissions {
            principal: principal.to_owned(),
            services: by_service
                .into_iter()
                .map(|(prefix, (name, levels))| ServicePermissions {
                    prefix,
                    name,
                    levels: levels
                        .into_iter()
                        .map(|(level, (total, mut grants))| {
                            grants.sort();
                            LevelPermissions {
                                level,
                                total,
                                grants,
                            }
                        })
                        .collect(),
                })
                .collect(),
            unavailable: assembled.unavailable,
        })
    }
}

/// Per access level: how many actions the service has at that level, and the grants.
type Levels = BTreeMap<String, (usize, Vec<Grant>)>;

fn request(assembled: &Assembled, action: &Action, resource: Resource) -> Request {
    let base = &assembled.request;
    Request::new(
        &base.principal_text,
        base.principal.clone(),
        action.clone(),
        resource,
        base.principal.account().map(str::to_owned),
        base.context.clone(),
    )
}

/// The actions a statement names, as the console's summary expands them.
fn statement_actions<'c>(statement: &Statement, catalogue: &'c Catalogue) -> Vec<ActionRef<'c>> {
    let listed: Vec<ActionRef<'c>> = statement
        .action
        .patterns
        .iter()
        .flat_map(|p| catalogue.expand(p))
        .collect();
    if !statement.action.negated {
        return listed;
    }
    let excluded: BTreeSet<String> = listed.iter().map(ToString::to_string).collect();
    catalogue
        .actions()
        .filter(|a| !excluded.contains(&a.to_string()))
        .collect()
}

/// The resource patterns a statement grants on (`*` for `NotResource` or none).
fn resources(statement: &Statement) -> Vec<String> {
    match &statement.resource {
        Some(r) if !r.negated => r.patterns.iter().map(str::to_owned).collect(),
        _ => vec!["*".to_owned()],
    }
}

/// A concrete resource a pattern matches: `*` itself, or the pattern with each wildcard made a
/// literal `x` (policy variables left as written, so a `${...}` grant reads as conditional).
pub fn sample(pattern: &str) -> Resource {
    if pattern == "*" {
        return Resource::Any;
    }
    let text: String = pattern
        .chars()
        .map(|c| if matches!(c, '*' | '?') { 'x' } else { c })
        .collect();
    match Arn::parse(&text) {
        Ok(arn) => Resource::Arn(arn),
        Err(_) => Resource::Any,
    }
}

impl Permissions {
    /// Text: per service and level, unconditional grants, conditional grants, carve-outs.
    pub fn render_text(&self) -> String {
        let mut out = format!("{}\n", self.principal);
        if self.services.is_empty() {
            out.push_str("  no identity-based permissions\n");
        }
        for missing in &self.unavailable {
            let _ = writeln!(
                out,
                "  ! {missing} (every grant below is denied fail closed)"
            );
        }
        for service in &self.services {
            let _ = writeln!(out, "  {} ({})", service.name, service.prefix);
            for level in &service.levels {
                let allowed: BTreeSet<&str> = level
                    .grants
                    .iter()
                    .filter(|g| g.status == "allowed")
                    .map(|g| g.action.as_str())
                    .collect();
                let _ = writeln!(
                    out,
                    "    {}: {} of {} actions unconditionally",
                    level.level,
                    allowed.len(),
                    level.total
                );
                let mut groups: BTreeMap<(&str, &str, String), Vec<&str>> = BTreeMap::new();
                for g in &level.grants {
                    groups
                        .entry((g.status, g.resource.as_str(), g.detail.join("; ")))
                        .or_default()
                        .push(action_name(&g.action));
                }
                for ((status, resource, detail), actions) in groups {
                    let shown = if actions.len() > 8 {
                        format!("{} actions", actions.len())
                    } else {
                        actions.join(", ")
                    };
                    let detail = match status {
                        "conditional" => format!(" (needs {detail})"),
                        "denied" => format!(" (explicit deny in {detail})"),
                        "blocked" | "needs-resource-policy" => format!(" ({detail})"),
                        _ => String::new(),
                    };
                    let _ = writeln!(out, "      {status} {shown} on {resource}{detail}");
                }
            }
        }
        out
    }
}

fn action_name(action: &str) -> &str {
    action.split_once(':').map_or(action, |(_, name)| name)
}
