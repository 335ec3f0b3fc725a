//! Risky grants on unconstrained resources, as cloudsplaining made common
//! (<https://github.com/salesforce/cloudsplaining>, its glossary: privilege escalation after Rhino
//! Security Labs' methods, credentials exposure, data exfiltration, resource exposure), and the
//! `iam:PassRole` and `iam:CreateServiceLinkedRole` checks of Access Analyzer's reference.
//!
//! "Unconstrained": an `Allow` with `"Resource": "*"` (or `NotResource`) and no `Condition`.
//! A condition may limit the grant in ways lint cannot judge, so such statements are left alone.

use super::{Linter, StatementFacts};
use crate::catalogue::AccessLevel;
use iamspec_model::json::JsonPath;
use iamspec_model::pattern::{fold_case, Pattern};
use iamspec_model::policy::{Effect, PolicyKind, Statement};
use std::collections::HashMap;

/// Rhino Security Labs' privilege-escalation methods, as cloudsplaining checks them: each is
/// the set of actions that together let a principal raise its own permissions.
const ESCALATIONS: &[(&str, &[&str])] = &[
    ("CreateNewPolicyVersion", &["iam:CreatePolicyVersion"]),
    (
        "SetExistingDefaultPolicyVersion",
        &["iam:SetDefaultPolicyVersion"],
    ),
    (
        "CreateEC2WithExistingInstanceProfile",
        &["iam:PassRole", "ec2:RunInstances"],
    ),
    ("CreateAccessKey", &["iam:CreateAccessKey"]),
    ("CreateLoginProfile", &["iam:CreateLoginProfile"]),
    ("UpdateLoginProfile", &["iam:UpdateLoginProfile"]),
    ("AttachUserPolicy", &["iam:AttachUserPolicy"]),
    ("AttachGroupPolicy", &["iam:AttachGroupPolicy"]),
    (
        "AttachRolePolicy",
        &["iam:AttachRolePolicy", "sts:AssumeRole"],
    ),
    ("PutUserPolicy", &["iam:PutUserPolicy"]),
    ("PutGroupPolicy", &["iam:PutGroupPolicy"]),
    ("PutRolePolicy", &["iam:PutRolePolicy", "sts:AssumeRole"]),
    ("AddUserToGroup", &["iam:AddUserToGroup"]),
    (
        "UpdateRolePolicyToAssumeIt",
        &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
    ),
    (
        "PassExistingRoleToNewLambdaThenInvoke",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:InvokeFunction",
        ],
    ),
    (
        "PassExistingRoleToNewLambdaThenTriggerWithNewDynamo",
        &[
            "iam:PassRole",
            "lambda:CreateFunction",
            "lambda:CreateEventSourceMapping",
        ],
    ),
    (
        "EditExistingLambdaFunctionWithRole",
        &["lambda:UpdateFunctionCode"],
    ),
    (
        "PassExistingRoleToNewGlueDevEndpoint",
        &["iam:PassRole", "glue:CreateDevEndpoint"],
    ),
    ("UpdateExistingGlueDevEndpoint", &["glue:UpdateDevEndpoint"]),
    (
        "PassExistingRoleToCloudFormation",
        &["iam:PassRole", "cloudformation:CreateStack"],
    ),
    (
        "PassExistingRoleToNewDataPipeline",
        &["iam:PassRole", "datapipeline:CreatePipeline"],
    ),
    (
        "PassExistingRoleToNewCodeStarProject",
        &["iam:PassRole", "codestar:CreateProject"],
    ),
    (
        "PassExistingRoleToNewSageMakerNotebook",
        &[
            "iam:PassRole",
            "sagemaker:CreateNotebookInstance",
            "sagemaker:CreatePresignedNotebookInstanceUrl",
        ],
    ),
];

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

/// Whether the statement is an `Allow` on every resource without a condition.
fn unconstrained(statement: &Statement) -> bool {
    statement.effect == Effect::Allow
        && statement.condition.is_empty()
        && statement
            .resource
            .as_ref()
            .is_none_or(|r| r.negated || r.patterns.iter().any(|p| p == "*"))
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
    /// Folded entries without wildcards, for one lookup.
    exact: std::collections::HashSet<String>,
    wildcards: Vec<Pattern>,
}

impl<'s> Grants<'s> {
    fn new(statement: &'s Statement) -> Grants<'s> {
        let mut exact = std::collections::HashSet::new();
        let mut wildcards = Vec::new();
        for p in statement.action.patterns.iter() {
            if p.contains(['*', '?']) {
                wildcards.push(Pattern::new(p).ignore_case());
            } else {
                exact.insert(fold_case(p).into_owned());
            }
        }
        Grants {
            statement,
            exact,
            wildcards,
        }
    }

    /// Whether the `Action` lists `qualified` (through wildcards too), or the `NotAction` does
    /// not.
    fn grants(&self, qualified: &str) -> bool {
        let listed = self.exact.contains(fold_case(qualified).as_ref())
            || self.wildcards.iter().any(|w| w.matches(qualified));
        listed != self.statement.action.negated
    }
}

fn grants(statement: &Statement, qualified: &str) -> bool {
    Grants::new(statement).grants(qualified)
}

fn where_(statement: &Statement) -> JsonPath {
    statement
        .resource_path()
        .unwrap_or_else(|| statement.path.clone())
}

/// Statement by statement: credentials exposure, data exfiltration, resource exposure, and the
/// `iam:PassRole`/`iam:CreateServiceLinkedRole` resource checks.
pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_>) {
    let statement = facts.statement;
    if statement.effect != Effect::Allow || !identity_like(linter.kind) {
        return;
    }
    pass_role_wildcard(linter, statement);
    create_service_linked_role(linter, statement);
    if !unconstrained(statement) || statement.action.negated {
        return;
    }
    // `*` on `*` is `allow-all`; listing every risky action under it adds nothing.
    if statement.action.patterns.iter().any(|p| p == "*") {
        return;
    }
    let compiled = Grants::new(statement);
    let listed = |list: &[&str]| -> Vec<String> {
        list.iter()
            .filter(|a| compiled.grants(a))
            .map(|a| (*a).to_owned())
            .collect()
    };
    let credentials = listed(CREDENTIALS);
    if !credentials.is_empty() {
        linter.emit(
            "credentials-exposure",
            where_(statement),
            format!(
                "{} on every resource {} credentials or secrets of principals; name the resources",
                shown(&credentials),
                if credentials.len() == 1 {
                    "returns"
                } else {
                    "return"
                }
            ),
        );
    }
    let exfiltration = listed(EXFILTRATION);
    if !exfiltration.is_empty() {
        linter.emit(
            "data-exfiltration",
            where_(statement),
            format!(
                "{} on every resource can read any object, parameter or secret of the account; the action{} support{} resource ARNs, so name them",
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
        .filter(|a| {
            a.action()
                .has_access_level(AccessLevel::PermissionsManagement)
                && !a.action().resource_types().is_empty()
        })
        .map(ToString::to_string)
        .collect();
    if !exposure.is_empty() {
        linter.emit(
            "resource-exposure",
            where_(statement),
            format!(
                "{} (permissions management) on every resource can change who may use any such resource, outsiders included; the actions support resource ARNs, so name them",
                shown(&exposure)
            ),
        );
    }
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
fn pass_role_wildcard(linter: &mut Linter<'_, '_>, statement: &Statement) {
    let Some(resource) = &statement.resource else {
        return;
    };
    if resource.negated || !grants(statement, "iam:PassRole") || statement.action.negated {
        return;
    }
    let guarded = statement
        .condition
        .iter()
        .any(|c| fold_case(&c.key) == "iam:passedtoservice" && !c.operator.negated);
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
        if name.contains(['*', '?']) {
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
fn create_service_linked_role(linter: &mut Linter<'_, '_>, statement: &Statement) {
    let every = statement
        .resource
        .as_ref()
        .is_none_or(|r| r.negated || r.patterns.iter().any(|p| p == "*"));
    let all_actions =
        !statement.action.negated && statement.action.patterns.iter().any(|p| p == "*");
    if !every || all_actions || !grants(statement, "iam:CreateServiceLinkedRole") {
        return;
    }
    let named = statement
        .condition
        .iter()
        .any(|c| fold_case(&c.key) == "iam:awsservicename" && !c.operator.negated);
    if named {
        return;
    }
    linter.emit(
        "create-service-linked-role-star",
        where_(statement),
        "`iam:CreateServiceLinkedRole` on every resource lets the caller create the service-linked role of any service, with that service's permissions; name the role ARNs or limit `iam:AWSServiceName`",
    );
}

/// The whole policy: every action of a privilege-escalation method granted by unconstrained
/// statements (the actions may come from different statements).
pub(crate) fn check_policy(linter: &mut Linter<'_, '_>, statements: &[StatementFacts<'_, '_>]) {
    if !identity_like(linter.kind) {
        return;
    }
    // `*` on `*` is `allow-all`'s: every method is then open, and saying so adds nothing.
    let unconstrained: Vec<Grants<'_>> = statements
        .iter()
        .map(|f| f.statement)
        .filter(|s| unconstrained(s) && !s.action.patterns.iter().any(|p| p == "*"))
        .map(Grants::new)
        .collect();
    if unconstrained.is_empty() {
        return;
    }
    // Which unconstrained statement first grants each action of the table.
    let mut granted: HashMap<&str, &Statement> = HashMap::new();
    for (_, actions) in ESCALATIONS {
        for action in actions.iter() {
            if granted.contains_key(action) {
                continue;
            }
            if let Some(compiled) = unconstrained.iter().find(|s| s.grants(action)) {
                granted.insert(action, compiled.statement);
            }
        }
    }
    // One finding per statement, naming the methods whose first action it grants.
    let mut by_statement: Vec<(&Statement, Vec<String>)> = Vec::new();
    for (method, actions) in ESCALATIONS {
        if !actions.iter().all(|a| granted.contains_key(a)) {
            continue;
        }
        let Some(statement) = actions.first().and_then(|a| granted.get(a)) else {
            continue;
        };
        let list: Vec<String> = actions.iter().map(|a| format!("`{a}`")).collect();
        let described = format!("{method} ({})", list.join(" + "));
        match by_statement
            .iter_mut()
            .find(|(s, _)| std::ptr::eq(*s, *statement))
        {
            Some((_, methods)) => methods.push(described),
            None => by_statement.push((statement, vec![described])),
        }
    }
    for (statement, methods) in by_statement {
        let shown: Vec<&str> = methods.iter().take(5).map(String::as_str).collect();
        let more = methods.len().saturating_sub(shown.len());
        linter.emit(
            "privilege-escalation",
            statement.path.clone(),
            format!(
                "on every resource, this policy allows privilege escalation by {}{} (Rhino Security Labs' methods, as cloudsplaining checks them); name the resources",
                shown.join(", "),
                if more > 0 { format!(" and {more} more methods") } else { String::new() }
            ),
        );
    }
}
