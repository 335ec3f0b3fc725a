//! Risky grants on unconstrained resources, as cloudsplaining made common
//! (<https://github.com/salesforce/cloudsplaining>, its glossary: privilege escalation,
//! credentials exposure, data exfiltration, resource exposure), and the `iam:PassRole` and
//! `iam:CreateServiceLinkedRole` checks of Access Analyzer's reference. Privilege escalation is
//! judged against pathfinding.cloud's 65 documented paths (`escalation.rs`).
//!
//! "Unconstrained": an `Allow` on every resource (`"Resource": "*"` or `NotResource`). A
//! statement with a `Condition` is still reported, as a warning rather than a security warning,
//! its message naming the condition keys (D150): cloudsplaining counts any condition as a
//! restriction (salesforce/cloudsplaining#167) and offers `--flag-all-risky-actions` because
//! one often is not (#254, #257; #278 shows the checks disagreeing), and Access Analyzer lets
//! only the key that is the documented fix silence its resource checks (`iam:PassedToService`,
//! `iam:AWSServiceName`). Whether `aws:RequestedRegion` or `aws:ResourceTag/team` limits a grant
//! enough is the reader's call; that a grant is conditioned is not a reason to hide it.

use super::escalation::{EscalationPath, ESCALATION_PATHS};
use super::nocase::NoCase;
use super::{LintSeverity, Linter, SetFacts, StatementFacts};
use crate::catalogue::AccessLevel;
use iamspec_model::hash::{FxHasher, FxMap};
use iamspec_model::json::JsonPath;
use iamspec_model::pattern::{fold_case, Pattern};
use iamspec_model::policy::{Effect, PolicyKind, Statement};
use std::collections::HashSet;
use std::hash::BuildHasherDefault;

/// Actions that return credentials or secrets for a principal (cloudsplaining's list).
const CREDENTIALS: &[&str] = &[
    "chime:CreateApiKey",
    "codepipeline:PollForJobs",
    "cognito-identity:GetOpenIdToken",
    "cognito-identity:GetOpenIdTokenForDeveloperIdentity",
    "cognito-identity:GetCredentialsForIdentity",
    "connect:GetFederationToken",
    "ecr:GetAuthorizationToken",
    "gamelift:GetInstanceAccess",
    "gamelift:RequestUploadCredentials",
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UpdateAccessKey",
    "lightsail:GetInstanceAccessDetails",
    "lightsail:GetRelationalDatabaseMasterUserPassword",
    "rds-db:Connect",
    "redshift:GetClusterCredentials",
    "sso:GetRoleCredentials",
    "mediapackage:RotateChannelCredentials",
    "mediapackage:RotateIngestEndpointCredentials",
    "sts:AssumeRole",
    "sts:AssumeRoleWithSAML",
    "sts:AssumeRoleWithWebIdentity",
    "sts:GetFederationToken",
    "sts:GetSessionToken",
];

/// Actions that read data out of the account (cloudsplaining's list).
const EXFILTRATION: &[&str] = &[
    "s3:GetObject",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
    "secretsmanager:GetSecretValue",
];

/// Whether the statement is an `Allow` on every resource (its condition aside).
fn on_every_resource(statement: &Statement) -> bool {
    statement.effect == Effect::Allow
        && statement
            .resource
            .as_ref()
            .is_none_or(|r| r.negated || r.patterns.iter().any(|p| p == "*"))
}

/// The severity of a risky grant and what to add to its message: a conditioned grant is a
/// warning that names its condition keys (D150).
fn grading(statements: &[&Statement]) -> (LintSeverity, String) {
    let mut keys: Vec<&str> = Vec::new();
    for statement in statements {
        for clause in &statement.condition {
            if !keys.iter().any(|k| k.eq_ignore_ascii_case(&clause.key)) {
                keys.push(&clause.key);
            }
        }
    }
    if keys.is_empty() {
        return (LintSeverity::SecurityWarning, String::new());
    }
    let shown: Vec<String> = keys.iter().take(3).map(|k| format!("`{k}`")).collect();
    let more = keys.len().saturating_sub(shown.len());
    (
        LintSeverity::Warning,
        format!(
            " (when the condition on {}{} holds: check that it limits the resources)",
            shown.join(", "),
            if more > 0 {
                format!(" and {more} more keys")
            } else {
                String::new()
            }
        ),
    )
}

fn identity_like(kind: PolicyKind) -> bool {
    matches!(
        kind,
        PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session
    )
}

/// A statement's `Action`/`NotAction` compiled once, to ask about many actions.
struct Grants<'s> {
    statement: &'s Statement,
    /// Entries without wildcards, for one lookup whatever their case.
    exact: HashSet<NoCase<'s>, BuildHasherDefault<FxHasher>>,
    /// Entries with wildcards by their service prefix, when it has none (`ec2:Describe*`):
    /// an action is matched only against the entries of its service.
    by_service: FxMap<String, Vec<Pattern>>,
    /// Entries whose service prefix has a wildcard (`*:Get*`).
    any_service: Vec<Pattern>,
}

impl<'s> Grants<'s> {
    fn new(statement: &'s Statement) -> Grants<'s> {
        let mut exact: HashSet<NoCase<'s>, BuildHasherDefault<FxHasher>> =
            HashSet::with_capacity_and_hasher(
                statement.action.patterns.iter().count(),
                Default::default(),
            );
        let mut by_service: FxMap<String, Vec<Pattern>> = FxMap::default();
        let mut any_service = Vec::new();
        for p in statement.action.patterns.iter() {
            if !super::has_wildcard(p) {
                exact.insert(NoCase(p));
                continue;
            }
            let pattern = Pattern::new(p).ignore_case();
            match p.split_once(':') {
                Some((service, _)) if !super::has_wildcard(service) => by_service
                    .entry(fold_case(service).into_owned())
                    .or_default()
                    .push(pattern),
                _ => any_service.push(pattern),
            }
        }
        Grants {
            statement,
            exact,
            by_service,
            any_service,
        }
    }

    /// Whether the `Action` lists `qualified` (through wildcards too), or the `NotAction` does
    /// not.
    fn grants(&self, qualified: &str) -> bool {
        let service = qualified.split_once(':').map(|(s, _)| fold_case(s));
        let listed = self.exact.contains(&NoCase(qualified))
            || self.any_service.iter().any(|w| w.matches(qualified))
            || service
                .and_then(|s| self.by_service.get(s.as_ref()))
                .is_some_and(|ws| ws.iter().any(|w| w.matches(qualified)));
        listed != self.statement.action.negated
    }
}

/// Asks whether a statement grants actions of lint's tables: from its expanded actions when
/// that answer is exact ([`StatementFacts::lists_named`]), else by its entries' text, compiled
/// when first needed.
struct Asker<'f, 'c, 's> {
    facts: &'f SetFacts<'c, 's>,
    /// The set's sorted action ids ([`SetFacts::sorted_ids`]),
    /// found once for the many questions (the policy's tables ask hundreds).
    sorted: std::cell::OnceCell<Option<&'f [u32]>>,
    compiled: std::cell::OnceCell<Grants<'s>>,
}

impl<'f, 'c, 's> Asker<'f, 'c, 's> {
    fn new(facts: &'f SetFacts<'c, 's>) -> Asker<'f, 'c, 's> {
        Asker {
            facts,
            sorted: std::cell::OnceCell::new(),
            compiled: std::cell::OnceCell::new(),
        }
    }

    /// Whether the statement grants `action`, whose id ([`Linter::named_ids`]) is `id`.
    fn grants(&self, action: &'static str, id: Option<u32>) -> bool {
        let sorted = *self.sorted.get_or_init(|| self.facts.sorted_ids());
        // A service's actions have adjacent ids: most questions fall outside the set's range
        // and need no search.
        let listed = sorted
            .zip(id)
            .map(|(sorted, id)| match (sorted.first(), sorted.last()) {
                (Some(&low), Some(&high)) if (low..=high).contains(&id) => {
                    sorted.binary_search(&id).is_ok()
                }
                _ => false,
            });
        listed.unwrap_or_else(|| {
            // ASCII entries: the set could not answer because the catalogue lacks the action
            // (`rds-db:Connect`, asked of every statement on every resource), and matching
            // the entries' text once is cheaper than compiling them all; [`grants`] answers
            // as [`Grants::grants`] does for ASCII entries.
            if self.facts.ascii {
                return grants(self.facts.statement, action);
            }
            self.compiled
                .get_or_init(|| Grants::new(self.facts.statement))
                .grants(action)
        })
    }
}

/// Whether `facts`' statement grants `action`, for one question.
fn grants_one(facts: &StatementFacts<'_, '_, '_>, action: &'static str) -> bool {
    facts
        .lists_named(action)
        .unwrap_or_else(|| grants(facts.statement, action))
}

/// [`Grants::grants`] for one question: no tables, and a wildcard entry compiled only when its
/// literal prefix fits.
fn grants(statement: &Statement, qualified: &str) -> bool {
    let listed = statement.action.patterns.iter().any(|p| {
        if !super::has_wildcard(p) {
            return p.eq_ignore_ascii_case(qualified);
        }
        let head = p.find(['*', '?']).and_then(|at| p.get(..at)).unwrap_or("");
        qualified
            .get(..head.len())
            .is_some_and(|q| q.eq_ignore_ascii_case(head))
            && Pattern::new(p).ignore_case().matches(qualified)
    });
    listed != statement.action.negated
}

fn where_(statement: &Statement) -> JsonPath {
    statement
        .resource_path()
        .unwrap_or_else(|| statement.path.clone())
}

/// Statement by statement: credentials exposure, data exfiltration, resource exposure, and the
/// `iam:PassRole`/`iam:CreateServiceLinkedRole` resource checks.
pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let statement = facts.statement;
    if statement.effect != Effect::Allow || !identity_like(linter.kind) {
        return;
    }
    pass_role_wildcard(linter, facts);
    create_service_linked_role(linter, facts);
    if !on_every_resource(statement) || statement.action.negated {
        return;
    }
    // `*` on `*` is `allow-all`; listing every risky action under it adds nothing.
    if statement.action.patterns.iter().any(|p| p == "*") {
        return;
    }
    let (severity, conditioned) = grading(&[statement]);
    let set_facts = facts.set_facts();
    let asker = Asker::new(&set_facts);
    // A condition on a key that never reaches an action keeps the statement from granting it
    // (D153): `s3:GetObject` under `aws:ResourceTag/…` is not read access to every object.
    let never = super::conditions::never_applies(linter.catalogue, facts);
    let unreachable = |name: &str| {
        !never.is_empty()
            && facts.actions().iter().enumerate().any(|(at, action)| {
                never.contains(&at) && action.to_string().eq_ignore_ascii_case(name)
            })
    };
    let (credential_ids, exfiltration_ids) = (
        linter.named_ids(CREDENTIALS),
        linter.named_ids(EXFILTRATION),
    );
    let listed = |list: &[&'static str], ids: &[Option<u32>]| -> Vec<String> {
        list.iter()
            .zip(ids)
            .filter(|(a, id)| asker.grants(a, **id) && !unreachable(a))
            .map(|(a, _)| (*a).to_owned())
            .collect()
    };
    let credentials = listed(CREDENTIALS, &credential_ids);
    if !credentials.is_empty() {
        report(
            linter,
            "credentials-exposure",
            severity,
            where_(statement),
            format!(
                "{} on every resource {} credentials or secrets of principals{conditioned}; name the resources",
                shown(&credentials),
                if credentials.len() == 1 {
                    "returns"
                } else {
                    "return"
                }
            ),
        );
    }
    let exfiltration = listed(EXFILTRATION, &exfiltration_ids);
    if !exfiltration.is_empty() {
        report(
            linter,
            "data-exfiltration",
            severity,
            where_(statement),
            format!(
                "{} on every resource can read any object, parameter or secret of the account{conditioned}; the action{} support{} resource ARNs, so name them",
                shown(&exfiltration),
                if exfiltration.len() == 1 { "" } else { "s" },
                if exfiltration.len() == 1 { "s" } else { "" }
            ),
        );
    }
    // Permissions-management actions that can be limited to resources: on `*`, they can
    // change the resource policy (or ACL) of any resource, sharing it with anyone.
    let exposure: Vec<String> = facts
        .actions()
        .iter()
        .enumerate()
        .filter(|(at, a)| {
            a.action()
                .has_access_level(AccessLevel::PermissionsManagement)
                && !a.action().resource_types().is_empty()
                && !never.contains(at)
        })
        .map(|(_, a)| a)
        .map(ToString::to_string)
        .collect();
    if !exposure.is_empty() {
        report(
            linter,
            "resource-exposure",
            severity,
            where_(statement),
            format!(
                "{} (permissions management) on every resource can change who may use any such resource, outsiders included{conditioned}; the actions support resource ARNs, so name them",
                shown(&exposure)
            ),
        );
    }
}

/// Reports with `severity`, the policy's text in the message shortened as [`Linter::emit`] does.
fn report(
    linter: &mut Linter<'_, '_>,
    id: &'static str,
    severity: LintSeverity,
    path: JsonPath,
    message: String,
) {
    let message = super::shorten(message);
    linter.report(id, severity, path, message);
}

/// At most five actions in backticks, and how many more.
fn shown(actions: &[String]) -> String {
    let first: Vec<String> = actions.iter().take(5).map(|a| format!("`{a}`")).collect();
    let more = actions.len().saturating_sub(first.len());
    if more > 0 {
        format!("{} and {more} more", first.join(", "))
    } else {
        first.join(", ")
    }
}

/// `iam:PassRole` on a role ARN with a wildcard in the role name (`role/*`, `role/app-*`):
/// every role that matches, those created later included, can be handed to a service.
fn pass_role_wildcard(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let statement = facts.statement;
    let Some(resource) = &statement.resource else {
        return;
    };
    if resource.negated || statement.action.negated || !grants_one(facts, "iam:PassRole") {
        return;
    }
    let guarded = statement
        .condition
        .iter()
        .any(|c| super::same_folded(&c.key, "iam:passedtoservice") && !c.operator.negated);
    if guarded {
        return;
    }
    let Some(path) = statement.resource_path() else {
        return;
    };
    for (i, pattern) in resource.patterns.iter().enumerate() {
        let fields: Vec<&str> = pattern.splitn(6, ':').collect();
        let (Some(service), Some(part)) = (fields.get(2), fields.get(5)) else {
            continue;
        };
        if *service != "iam" {
            continue;
        }
        let Some(name) = part.strip_prefix("role/") else {
            continue;
        };
        if super::has_wildcard(name) {
            linter.emit(
                "pass-role-wildcard-role",
                resource.patterns.item_path(&path, i),
                format!("`iam:PassRole` on `{pattern}` lets the caller pass every role the pattern matches, roles created later included; name the roles, or limit the services with `iam:PassedToService`"),
            );
        }
    }
}

/// `iam:CreateServiceLinkedRole` on every resource (`*` or `NotResource`) without
/// `iam:AWSServiceName`: the caller can create the service-linked role of any service.
fn create_service_linked_role(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let statement = facts.statement;
    let every = statement
        .resource
        .as_ref()
        .is_none_or(|r| r.negated || r.patterns.iter().any(|p| p == "*"));
    let all_actions =
        !statement.action.negated && statement.action.patterns.iter().any(|p| p == "*");
    if !every || all_actions || !grants_one(facts, "iam:CreateServiceLinkedRole") {
        return;
    }
    let named = statement
        .condition
        .iter()
        .any(|c| super::same_folded(&c.key, "iam:awsservicename") && !c.operator.negated);
    if named {
        return;
    }
    linter.emit(
        "create-service-linked-role-star",
        where_(statement),
        "`iam:CreateServiceLinkedRole` on every resource lets the caller create the service-linked role of any service, with that service's permissions; name the role ARNs or limit `iam:AWSServiceName`",
    );
}

/// Rhino Security Labs' methods that pathfinding.cloud does not document, which cloudsplaining
/// still checks (`SetExistingDefaultPolicyVersion` in its `PRIVILEGE_ESCALATION_METHODS`):
/// making an older, more permissive version of a policy the default.
const RHINO_ONLY: &[EscalationPath] = &[EscalationPath {
    id: "SetExistingDefaultPolicyVersion",
    category: super::escalation::EscalationCategory::SelfEscalation,
    required: &["iam:SetDefaultPolicyVersion"],
    parent: None,
    target_dependent: false,
}];

/// Every path lint checks.
fn paths() -> impl Iterator<Item = &'static EscalationPath> {
    ESCALATION_PATHS.iter().chain(RHINO_ONLY)
}

/// The permissions of [`paths`], each once, and per path the places of its permissions there.
fn table() -> &'static (Vec<&'static str>, Vec<Vec<usize>>) {
    static TABLE: std::sync::OnceLock<(Vec<&'static str>, Vec<Vec<usize>>)> =
        std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut permissions: Vec<&'static str> = Vec::new();
        let required = paths()
            .map(|path| {
                path.required
                    .iter()
                    .map(
                        |&action| match permissions.iter().position(|p| *p == action) {
                            Some(at) => at,
                            None => {
                                permissions.push(action);
                                permissions.len() - 1
                            }
                        },
                    )
                    .collect()
            })
            .collect();
        (permissions, required)
    })
}

/// Whether [`check_policy`] asks about the statement: the statements to keep for it.
pub(crate) fn asked_policy_wide(kind: PolicyKind, statement: &Statement) -> bool {
    // `*` on `*` is `allow-all`'s: every path is then open, and saying so adds nothing.
    identity_like(kind)
        && on_every_resource(statement)
        && !statement.action.patterns.iter().any(|p| p == "*")
}

/// The whole policy: every permission of one of pathfinding.cloud's documented
/// privilege-escalation paths granted on every resource, possibly by several statements. A path
/// whose documented parent is open too is the parent's variant and is not named again; the
/// seven target-dependent paths are left to `iamspec reach` (`escalation.rs`). `statements` are
/// the policy's statements that [`asked_policy_wide`] picks, in order.
pub(crate) fn check_policy(linter: &mut Linter<'_, '_>, statements: &[SetFacts<'_, '_>]) {
    let every: Vec<Asker<'_, '_, '_>> = statements.iter().map(Asker::new).collect();
    if every.is_empty() {
        return;
    }
    // Which statement grants each permission of the table, an unconditioned one if any does,
    // by the permission's place in the table's list (asked for every document: no hashing).
    let (permissions, required) = table();
    let ids = linter.named_ids(permissions);
    let granted: Vec<Option<&Statement>> = permissions
        .iter()
        .zip(ids.iter())
        .map(|(action, id)| {
            every
                .iter()
                .filter(|s| s.grants(action, *id))
                .min_by_key(|s| !s.facts.statement.condition.is_empty())
                .map(|s| s.facts.statement)
        })
        .collect();
    let needs = |at: usize| required.get(at).map_or(&[][..], Vec::as_slice);
    let open: Vec<bool> = paths()
        .enumerate()
        .map(|(at, path)| {
            !path.target_dependent
                && needs(at)
                    .iter()
                    .all(|&a| granted.get(a).is_some_and(Option::is_some))
        })
        .collect();
    let is_open = |id: &str| paths().zip(&open).any(|(p, &o)| o && p.id == id);
    // One finding per statement and grading, naming the paths whose first permission it grants.
    let mut by_statement: Vec<(&Statement, LintSeverity, String, Vec<String>)> = Vec::new();
    for (at, path) in paths().enumerate() {
        if !open.get(at).copied().unwrap_or(false) || path.parent.is_some_and(is_open) {
            continue;
        }
        let contributing: Vec<&Statement> = needs(at)
            .iter()
            .filter_map(|&a| granted.get(a).copied().flatten())
            .collect();
        let Some(&statement) = contributing.first() else {
            continue;
        };
        let (severity, conditioned) = grading(&contributing);
        let list: Vec<String> = path.required.iter().map(|a| format!("`{a}`")).collect();
        let described = format!("{} ({})", path.id, list.join(" + "));
        let same = |(s, g, c, _): &&mut (&Statement, LintSeverity, String, Vec<String>)| {
            std::ptr::eq(*s, statement) && *g == severity && *c == conditioned
        };
        match by_statement.iter_mut().find(same) {
            Some((_, _, _, paths)) => paths.push(described),
            None => by_statement.push((statement, severity, conditioned, vec![described])),
        }
    }
    for (statement, severity, conditioned, paths) in by_statement {
        let shown: Vec<&str> = paths.iter().take(5).map(String::as_str).collect();
        let more = paths.len().saturating_sub(shown.len());
        report(
            linter,
            "privilege-escalation",
            severity,
            statement.path.clone(),
            format!(
                "on every resource, this policy allows privilege escalation by {}{} (pathfinding.cloud's documented paths){conditioned}; name the resources",
                shown.join(", "),
                if more > 0 { format!(" and {more} more paths") } else { String::new() }
            ),
        );
    }
}
