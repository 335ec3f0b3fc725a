//! Role trust policies: web-identity trusts without a subject, federated principals paired with
//! the wrong `sts:` action or not naming an identity provider, `Resource` (which IAM refuses in a
//! trust policy), and IAM Roles Anywhere trusts without the actions its sessions need.

use super::{Linter, StatementFacts};
use iamspec_model::pattern::{fold_case, Pattern};
use iamspec_model::policy::{Effect, PolicyKind, PrincipalType, Principals, Statement};

/// Web identity providers AWS names directly (not by an `oidc-provider` ARN).
const WEB_IDENTITY_PROVIDERS: &[&str] = &[
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
    "cognito-identity.amazonaws.com",
];

/// What a `Federated` value names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider<'v> {
    /// `arn:…:iam::ACCOUNT:saml-provider/NAME`
    Saml,
    /// `arn:…:iam::ACCOUNT:oidc-provider/HOST…`, with the host and path.
    Oidc(&'v str),
    /// `accounts.google.com` and the other names AWS takes as they are.
    WebIdentity,
}

fn provider(value: &str) -> Option<Provider<'_>> {
    if WEB_IDENTITY_PROVIDERS.contains(&value) {
        return Some(Provider::WebIdentity);
    }
    let fields: Vec<&str> = value.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = fields.as_slice() else {
        return None;
    };
    let account_ok = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    if *arn != "arn"
        || partition.is_empty()
        || *service != "iam"
        || !region.is_empty()
        || !account_ok
    {
        return None;
    }
    if let Some(name) = resource.strip_prefix("saml-provider/") {
        return (!name.is_empty()).then_some(Provider::Saml);
    }
    resource
        .strip_prefix("oidc-provider/")
        .filter(|host| !host.is_empty())
        .map(Provider::Oidc)
}

/// Whether the statement's `Action` lists `qualified`, through wildcards too (`NotAction`: does
/// not list it).
fn grants(statement: &Statement, qualified: &str) -> bool {
    let listed = statement
        .action
        .patterns
        .iter()
        .any(|p| Pattern::new(p).ignore_case().matches(qualified));
    listed != statement.action.negated
}

pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    if linter.kind != PolicyKind::Trust {
        return;
    }
    let statement = facts.statement;
    if let Some(path) = statement.resource_path() {
        linter.emit(
            "trust-policy-resource",
            path,
            "a role trust policy has no `Resource`: the role it is attached to is the resource, and IAM refuses the element (`Has prohibited field Resource`)",
        );
    }
    let Some(element) = &statement.principal else {
        return;
    };
    let Some(principal_path) = statement.principal_path() else {
        return;
    };
    let Principals::Typed(entries) = &element.principals else {
        return;
    };
    if element.negated || statement.effect != Effect::Allow {
        return;
    }
    for (ptype, values) in entries {
        let at = principal_path.key(ptype.as_str());
        for (i, value) in values.iter().enumerate() {
            let here = values.item_path(&at, i);
            match ptype {
                PrincipalType::Federated => federated(linter, statement, value, here),
                PrincipalType::Service if value == "rolesanywhere.amazonaws.com" => {
                    let missing: Vec<&str> =
                        ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
                            .into_iter()
                            .filter(|a| !grants(statement, a))
                            .collect();
                    if !missing.is_empty() {
                        linter.emit(
                            "roles-anywhere-missing-actions",
                            statement.action_path(),
                            format!("IAM Roles Anywhere needs `sts:AssumeRole`, `sts:TagSession` and `sts:SetSourceIdentity` to create its sessions; `{}` missing", missing.join("`, `")),
                        );
                    }
                }
                _ => {}
            }
        }
    }
}

fn federated(
    linter: &mut Linter<'_, '_>,
    statement: &Statement,
    value: &str,
    here: iamspec_model::json::JsonPath,
) {
    let Some(kind) = provider(value) else {
        if !value.is_empty() {
            linter.emit(
                "invalid-federated-principal",
                here,
                format!("`{value}` is not an identity provider: a `Federated` principal is a SAML provider ARN (`arn:aws:iam::ACCOUNT:saml-provider/NAME`), an OIDC provider ARN (`…:oidc-provider/HOST`) or one of `{}`", WEB_IDENTITY_PROVIDERS.join("`, `")),
            );
        }
        return;
    };
    let (needed, wrong) = match kind {
        Provider::Saml => ("sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"),
        Provider::Oidc(_) | Provider::WebIdentity => {
            ("sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
        }
    };
    if !statement.action.negated && !grants(statement, needed) {
        let written = if grants(statement, wrong) {
            format!("`{wrong}`")
        } else {
            "other actions".to_owned()
        };
        linter.emit(
            "federated-action-mismatch",
            statement.action_path(),
            format!("`{value}` can only assume the role with `{needed}`, which this statement does not allow ({written} instead)"),
        );
        return;
    }
    let Provider::Oidc(host) = kind else {
        return;
    };
    // The subject is who, of everyone the provider issues tokens to, may assume the role.
    let sub = fold_case(&format!("{host}:sub")).into_owned();
    let clauses: Vec<_> = statement
        .condition
        .iter()
        .filter(|c| super::same_folded(&c.key, &sub) && !c.operator.negated)
        .collect();
    let github = host == "token.actions.githubusercontent.com";
    if clauses.is_empty() {
        linter.emit(
            "oidc-without-subject",
            here,
            format!("`{value}` with no condition on `{host}:sub`: every identity the provider issues tokens to{} can assume the role", if github { " (any GitHub repository's workflows)" } else { "" }),
        );
        return;
    }
    let open = clauses.iter().flat_map(|c| c.values.iter()).find(|v| {
        let v = v.trim();
        v == "*" || (github && (v.starts_with("repo:*") || v == "repo:*"))
    });
    if let Some(v) = open {
        linter.emit(
            "oidc-without-subject",
            here,
            format!("`{host}:sub` allows `{v}`: every identity the provider issues tokens to{} can assume the role; name the subjects (`repo:ORG/REPO:ref:refs/heads/main`)", if github { " (any GitHub repository's workflows)" } else { "" }),
        );
    }
}
