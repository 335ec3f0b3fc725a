//! Action-level summaries of a policy, as the IAM console's policy summary shows them
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary.html>):
//! per service, what the policy allows (and, separately, explicitly denies) at each access level,
//! **Full** when every action of the level is included and **Limited** when some are
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_understand-policy-summary-access-level-summaries.html>),
//! with the resources and request conditions that apply; unknown services and actions are listed
//! apart ("uncategorized").
//!
//! A summary reads statements one at a time, as the console does: it shows what each statement
//! mentions, not what a request would be decided (a `Deny` does not subtract from the `Allow`
//! section, and conditions are shown, not evaluated).

use crate::catalogue::{AccessLevel, Action, ActionRef, Catalogue, Service};
use crate::lint::intersect_templates;
use iamspec_model::policy::{Effect, Policy, Statement};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

/// What a policy allows and denies, per service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PolicySummary {
    /// Services with actions in `Allow` statements, by prefix.
    pub allow: Vec<ServiceSummary>,
    /// Services with actions in `Deny` statements, by prefix.
    pub deny: Vec<ServiceSummary>,
    /// Action entries whose service prefix the catalogue does not know.
    pub uncategorized_services: Vec<String>,
    /// Action entries of known services that match no action.
    pub uncategorized_actions: Vec<String>,
}

/// One service of one section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServiceSummary {
    /// `s3`
    pub prefix: String,
    /// `Amazon S3`
    pub name: String,
    /// `Full access`, or `Full: List, Read  Limited: Write`.
    pub access: String,
    /// Each access level the service has, with how many of its actions are included.
    pub levels: Vec<LevelSummary>,
    /// `All resources`, or the resource entries that apply to this service.
    pub resources: Vec<String>,
    /// The conditions of the statements that contribute, `Operator key: values`; empty for none.
    pub conditions: Vec<String>,
    /// Some contributing statement has no condition.
    pub unconditional: bool,
}

/// One access level of one service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LevelSummary {
    /// `Read`
    pub level: String,
    /// Actions of this level the section includes.
    pub included: usize,
    /// Actions of this level the service has.
    pub total: usize,
    /// The included actions, when not all are (`Limited`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
}

/// `All resources`: what a statement with `"Resource": "*"` (or without `Resource`) applies to.
pub const ALL_RESOURCES: &str = "All resources";

#[derive(Default)]
struct Section<'c> {
    /// By service prefix: the included actions (by name), resources and conditions.
    services: BTreeMap<&'c str, Contribution<'c>>,
}

#[derive(Default)]
struct Contribution<'c> {
    service: Option<&'c Service>,
    actions: BTreeSet<&'c str>,
    resources: BTreeSet<String>,
    conditions: BTreeSet<String>,
    unconditional: bool,
}

/// Summarizes `policy` against `catalogue`.
pub fn summarize(policy: &Policy, catalogue: &Catalogue) -> PolicySummary {
    let mut allow = Section::default();
    let mut deny = Section::default();
    let mut uncategorized_services = BTreeSet::new();
    let mut uncategorized_actions = BTreeSet::new();
    for statement in &policy.statements {
        let section = match statement.effect {
            Effect::Allow => &mut allow,
            Effect::Deny => &mut deny,
        };
        for pattern in statement.action.patterns.iter() {
            let matched = pattern == "*" || !catalogue.expand(pattern).is_empty();
            if !matched {
                let known = pattern.split_once(':').is_some_and(|(prefix, _)| {
                    prefix.contains(['*', '?']) || catalogue.service(prefix).is_some()
                });
                if known {
                    uncategorized_actions.insert(pattern.to_owned());
                } else {
                    uncategorized_services.insert(pattern.to_owned());
                }
            }
        }
        let actions = statement_actions(statement, catalogue);
        let conditions: Vec<String> = statement
            .condition
            .iter()
            .map(|c| {
                let values: Vec<&str> = c.values.iter().collect();
                format!("{} {}: {}", c.operator_text, c.key, values.join(", "))
            })
            .collect();
        let mut reached: BTreeSet<&str> = BTreeSet::new();
        for action in actions {
            let service = action.service();
            reached.insert(service.prefix());
            let entry = section.services.entry(service.prefix()).or_default();
            entry.service = Some(service);
            entry.actions.insert(action.action().name());
        }
        // Resources and conditions, once per service the statement reaches.
        for prefix in reached {
            let Some(contribution) = section.services.get_mut(prefix) else {
                continue;
            };
            let Some(service) = contribution.service else {
                continue;
            };
            if conditions.is_empty() {
                contribution.unconditional = true;
            }
            contribution.conditions.extend(conditions.iter().cloned());
            contribution
                .resources
                .extend(statement_resources(statement, service, policy));
        }
    }
    PolicySummary {
        allow: finish(allow),
        deny: finish(deny),
        uncategorized_services: uncategorized_services.into_iter().collect(),
        uncategorized_actions: uncategorized_actions.into_iter().collect(),
    }
}

/// The catalogue actions a statement names: the expansion of `Action`, or for `NotAction` every
/// action no entry matches.
fn statement_actions<'c>(statement: &Statement, catalogue: &'c Catalogue) -> Vec<ActionRef<'c>> {
    if statement.action.negated {
        // The complement of the listed entries' expansions, by identity.
        let excluded: HashSet<*const Action> = statement
            .action
            .patterns
            .iter()
            .flat_map(|p| catalogue.expand(p))
            .map(|a| std::ptr::from_ref(a.action()))
            .collect();
        catalogue
            .actions()
            .filter(|a| !excluded.contains(&std::ptr::from_ref(a.action())))
            .collect()
    } else {
        let mut out = Vec::new();
        for pattern in statement.action.patterns.iter() {
            out.extend(catalogue.expand(pattern));
        }
        out
    }
}

/// The statement's resource entries that can be resources of `service`, or `All resources`.
fn statement_resources(statement: &Statement, service: &Service, policy: &Policy) -> Vec<String> {
    let Some(resource) = &statement.resource else {
        return vec![ALL_RESOURCES.to_owned()];
    };
    if resource.negated {
        let listed: Vec<&str> = resource.patterns.iter().collect();
        return vec![format!("{ALL_RESOURCES} except {}", listed.join(", "))];
    }
    if resource.patterns.iter().any(|p| p == "*") {
        return vec![ALL_RESOURCES.to_owned()];
    }
    let substitutes = policy.version.substitutes_variables();
    let templates: Vec<&str> = service.resource_types().iter().map(|rt| rt.arn()).collect();
    let fitting: Vec<String> = resource
        .patterns
        .iter()
        .filter(|p| intersect_templates(p, &templates, substitutes))
        .map(str::to_owned)
        .collect();
    if fitting.is_empty() {
        resource.patterns.iter().map(str::to_owned).collect()
    } else {
        fitting
    }
}

fn finish(section: Section<'_>) -> Vec<ServiceSummary> {
    section
        .services
        .into_iter()
        .filter_map(|(prefix, c)| {
            let service = c.service?;
            let mut levels = Vec::new();
            for level in [
                AccessLevel::List,
                AccessLevel::Read,
                AccessLevel::Write,
                AccessLevel::PermissionsManagement,
                AccessLevel::Tagging,
            ] {
                let of_level: Vec<&str> = service
                    .actions()
                    .iter()
                    .filter(|a| a.has_access_level(level))
                    .map(|a| a.name())
                    .collect();
                if of_level.is_empty() {
                    continue;
                }
                let included: Vec<&str> = of_level
                    .iter()
                    .copied()
                    .filter(|name| c.actions.contains(name))
                    .collect();
                let limited = !included.is_empty() && included.len() < of_level.len();
                levels.push(LevelSummary {
                    level: level.as_str().to_owned(),
                    included: included.len(),
                    total: of_level.len(),
                    actions: if limited {
                        included.iter().map(|n| format!("{prefix}:{n}")).collect()
                    } else {
                        Vec::new()
                    },
                });
            }
            Some(ServiceSummary {
                prefix: prefix.to_owned(),
                name: service.name().to_owned(),
                access: access_text(&levels, c.actions.len() == service.actions().len()),
                levels,
                resources: c.resources.into_iter().collect(),
                conditions: c.conditions.into_iter().collect(),
                unconditional: c.unconditional,
            })
        })
        .collect()
}

/// `Full access`, or `Full: List, Read  Limited: Write` (the console's wording).
fn access_text(levels: &[LevelSummary], everything: bool) -> String {
    if everything {
        return "Full access".to_owned();
    }
    let full: Vec<&str> = levels
        .iter()
        .filter(|l| l.included > 0 && l.included == l.total)
        .map(|l| l.level.as_str())
        .collect();
    let limited: Vec<&str> = levels
        .iter()
        .filter(|l| l.included > 0 && l.included < l.total)
        .map(|l| l.level.as_str())
        .collect();
    let mut parts = Vec::new();
    if !full.is_empty() {
        parts.push(format!("Full: {}", full.join(", ")));
    }
    if !limited.is_empty() {
        parts.push(format!("Limited: {}", limited.join(", ")));
    }
    parts.join("  ")
}

/// More services than this with the same full access share one block in the text.
const GROUP_FROM: usize = 5;

fn write_notes(out: &mut String, service: &ServiceSummary) {
    let _ = writeln!(out, "    resource: {}", service.resources.join(", "));
    let condition = if service.conditions.is_empty() {
        "None".to_owned()
    } else if service.unconditional {
        format!("None, or {}", service.conditions.join("; "))
    } else {
        service.conditions.join("; ")
    };
    let _ = writeln!(out, "    request condition: {condition}");
}

/// The summary as text: one block per service, `Allow` first; many services with the same
/// full access share a block.
pub fn render_text(summary: &PolicySummary) -> String {
    let mut out = String::new();
    for (title, section) in [("Allow", &summary.allow), ("Explicit deny", &summary.deny)] {
        if section.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "{title} ({} service{})",
            section.len(),
            if section.len() == 1 { "" } else { "s" }
        );
        // Services with full access under the same resources and conditions are many when a
        // statement has `"Action": "*"` or `NotAction`: they share one block.
        let mut groups: Vec<Vec<&ServiceSummary>> = Vec::new();
        for service in section {
            let joins = groups.iter_mut().find(|group| {
                group.first().is_some_and(|first| {
                    first.access == "Full access"
                        && service.access == "Full access"
                        && first.resources == service.resources
                        && first.conditions == service.conditions
                        && first.unconditional == service.unconditional
                })
            });
            match joins {
                Some(group) => group.push(service),
                None => groups.push(vec![service]),
            }
        }
        for group in &groups {
            let Some(service) = group.first() else {
                continue;
            };
            if group.len() > GROUP_FROM {
                let names: Vec<&str> = group.iter().take(5).map(|s| s.prefix.as_str()).collect();
                let _ = writeln!(
                    out,
                    "  {} services ({}, …): Full access",
                    group.len(),
                    names.join(", ")
                );
                write_notes(&mut out, service);
                continue;
            }
            for service in group {
                let _ = writeln!(
                    out,
                    "  {} ({}): {}",
                    service.name, service.prefix, service.access
                );
                for level in &service.levels {
                    if level.included > 0 && level.included < level.total {
                        let _ = writeln!(
                            out,
                            "    {}: {} of {}: {}",
                            level.level,
                            level.included,
                            level.total,
                            level.actions.join(", ")
                        );
                    }
                }
                write_notes(&mut out, service);
            }
        }
    }
    if !summary.uncategorized_services.is_empty() {
        let _ = writeln!(
            out,
            "Uncategorized services: {}",
            summary.uncategorized_services.join(", ")
        );
    }
    if !summary.uncategorized_actions.is_empty() {
        let _ = writeln!(
            out,
            "Uncategorized actions: {}",
            summary.uncategorized_actions.join(", ")
        );
    }
    if out.is_empty() {
        out.push_str("The policy allows and denies no action.\n");
    }
    out
}
