//! `Principal` elements of resource-based and trust policies: grants to everyone, to services
//! without a source condition, to web identities without an audience or subject condition.

use super::{Linter, StatementFacts};
use iamspec_model::json::{Json, JsonPath, Segment};
use iamspec_model::pattern::fold_case;
use iamspec_model::policy::Finding;
use iamspec_model::policy::{Effect, PolicyKind, PrincipalType, Principals};

/// Condition keys that narrow who the caller is or where the call comes from: with one of them,
/// a `"*"` principal is not "everyone".
const NARROWING: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName",
    "aws:PrincipalServiceNamesList",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpcArn",
    "aws:SourceVpce",
    "aws:SourceIp",
    "aws:VpcSourceIp",
    "aws:VpceAccount",
    "aws:VpceOrgID",
    "aws:VpceOrgPaths",
    "aws:userid",
    "aws:username",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
];

/// Keys that tie a service principal's call to the resource or account it acts for
/// (the "confused deputy" guard).
const SOURCE: &[&str] = &[
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

/// Web identity providers AWS names directly, besides `oidc-provider` ARNs.
const WEB_IDENTITY_PROVIDERS: &[&str] = &[
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
    "cognito-identity.amazonaws.com",
];

pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let statement = facts.statement;
    let Some(element) = &statement.principal else {
        return;
    };
    let Some(path) = statement.principal_path() else {
        return;
    };
    if let Principals::Typed(entries) = &element.principals {
        for (ptype, values) in entries {
            let at = path.key(ptype.as_str());
            let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
            for (i, value) in values.iter().enumerate() {
                if !seen.insert(value) {
                    linter.emit(
                        "duplicate-principal",
                        values.item_path(&at, i),
                        format!("`{value}` is listed twice"),
                    );
                }
            }
        }
    }
    identities(linter, facts, &path);
    if statement.effect != Effect::Allow || element.negated {
        return;
    }
    let has_key = |keys: &[&str]| {
        statement
            .condition
            .iter()
            .any(|c| keys.iter().any(|k| super::same_folded(k, &c.key)))
    };
    let everyone = match &element.principals {
        Principals::Any => true,
        Principals::Typed(entries) => entries
            .iter()
            .any(|(t, v)| *t == PrincipalType::Aws && v.iter().any(|x| x == "*")),
    };
    if everyone
        && matches!(linter.kind, PolicyKind::Resource | PolicyKind::Trust)
        && !has_key(NARROWING)
    {
        linter.emit(
            "public-access",
            path.clone(),
            format!("the principal `*` with no condition on who calls or from where (such as `aws:PrincipalOrgID` or `aws:SourceArn`) allows anyone, anonymous callers included, in a {}", linter.kind.aws_name()),
        );
    }
    let Principals::Typed(entries) = &element.principals else {
        return;
    };
    if linter.kind == PolicyKind::Resource && !has_key(SOURCE) {
        let services: Vec<&str> = entries
            .iter()
            .filter(|(t, _)| *t == PrincipalType::Service)
            .flat_map(|(_, v)| v.iter())
            .collect();
        if !services.is_empty() {
            linter.emit(
                "service-principal-without-source",
                path.key("Service"),
                format!("`{}` may act here on behalf of any account; add `aws:SourceArn` or `aws:SourceAccount` to the condition (confused deputy)", services.join("`, `")),
            );
        }
    }
    if linter.kind == PolicyKind::Trust && facts.allows_action("sts:AssumeRoleWithWebIdentity") {
        for (_, values) in entries
            .iter()
            .filter(|(t, _)| *t == PrincipalType::Federated)
        {
            for value in values.iter() {
                let Some(provider) = web_identity_provider(value) else {
                    continue;
                };
                // An OIDC provider ARN: `oidc-without-subject` (trust.rs) asks for the subject.
                if value.contains(":oidc-provider/") {
                    continue;
                }
                let prefix = fold_case(&format!("{provider}:")).into_owned();
                let narrowed = statement
                    .condition
                    .iter()
                    .any(|c| fold_case(&c.key).starts_with(&prefix));
                if !narrowed {
                    linter.emit(
                        "federated-without-condition",
                        path.key("Federated"),
                        format!("`{value}`: any identity of this provider can assume the role; add a condition on `{provider}:aud` or `{provider}:sub`"),
                    );
                }
            }
        }
    }
}

/// The provider name of an OIDC provider ARN or a well-known web identity provider.
fn web_identity_provider(value: &str) -> Option<&str> {
    if let Some((_, provider)) = value.split_once(":oidc-provider/") {
        return Some(provider);
    }
    WEB_IDENTITY_PROVIDERS.iter().copied().find(|p| *p == value)
}

/// Whether a validation finding is an `invalid-principal` about a principal AWS documents but
/// the model's principal grammar does not have: the CloudFront origin access identity,
/// `arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE` (legacy OAI,
/// <https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html>).
pub(crate) fn documented_principal(json: &Json, finding: &Finding) -> bool {
    finding.code == "invalid-principal"
        && json_at(json, &finding.path)
            .and_then(Json::as_str)
            .is_some_and(is_cloudfront_oai)
}

/// `arn:PARTITION:iam::cloudfront:user/CloudFront Origin Access Identity ID`, the id being
/// CloudFront's upper-case letters and digits.
pub(crate) fn is_cloudfront_oai(value: &str) -> bool {
    let Some(rest) = value.strip_prefix("arn:") else {
        return false;
    };
    let Some((partition, rest)) = rest.split_once(':') else {
        return false;
    };
    let Some(id) = rest.strip_prefix("iam::cloudfront:user/CloudFront Origin Access Identity ")
    else {
        return false;
    };
    matches!(partition, "aws" | "aws-cn" | "aws-us-gov")
        && !id.is_empty()
        && id.len() <= 32
        && id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The JSON value at `path`, the first member where a key repeats.
pub(crate) fn json_at<'j>(json: &'j Json, path: &JsonPath) -> Option<&'j Json> {
    path.segments()
        .iter()
        .try_fold(json, |node, segment| match (segment, node) {
            (Segment::Key(key), _) => node.get(key),
            (Segment::Index(i), Json::Array(items)) => items.get(*i),
            (Segment::Index(_), _) => None,
        })
}

/// Keys that no request of such a principal carries: service principals have no tags, no MFA
/// and no user name; a federated (SAML or web identity) caller of `sts:AssumeRoleWith…` is no
/// AWS principal yet, so its request has none of the `aws:Principal…` keys (SEMANTICS.md §3.8).
const NOT_FROM_SERVICES: &[&str] = &[
    "aws:PrincipalTag/",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:username",
];
const NOT_FROM_FEDERATED: &[&str] = &[
    "aws:PrincipalTag/",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:username",
];

/// Principals named by unique id, principals already included by another entry, federated
/// principals in resource policies, and condition keys the statement's principals never send.
fn identities(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>, path: &JsonPath) {
    let statement = facts.statement;
    let Some(element) = &statement.principal else {
        return;
    };
    let Principals::Typed(entries) = &element.principals else {
        return;
    };
    for (ptype, values) in entries {
        let at = path.key(ptype.as_str());
        match ptype {
            PrincipalType::Aws => {
                let everyone = values.iter().any(|v| v == "*");
                let accounts: std::collections::HashSet<&str> = values
                    .iter()
                    .filter(|v| v.len() == 12 && v.bytes().all(|b| b.is_ascii_digit()))
                    .collect();
                for (i, value) in values.iter().enumerate() {
                    if is_unique_id(value) {
                        linter.emit(
                            "unique-id-principal",
                            values.item_path(&at, i),
                            format!("`{value}` is a unique id, not an ARN: AWS shows one where the user or role it named was deleted, and a new principal of the same name does not match it; name the principal by ARN"),
                        );
                    }
                    let root_of = value
                        .strip_prefix("arn:")
                        .and_then(|r| r.split_once(":iam::"))
                        .and_then(|(_, r)| r.strip_suffix(":root"))
                        .filter(|account| accounts.contains(account));
                    if everyone && value != "*" {
                        linter.emit(
                            "redundant-principal",
                            values.item_path(&at, i),
                            format!("`{value}` is already included by `*` in the same `AWS` list"),
                        );
                    } else if let Some(account) = root_of {
                        linter.emit(
                            "redundant-principal",
                            values.item_path(&at, i),
                            format!("`{value}` names the same principal as `{account}` in the same list"),
                        );
                    }
                }
            }
            PrincipalType::Federated if linter.kind == PolicyKind::Resource => {
                linter.emit(
                    "federated-principal-in-resource-policy",
                    at.clone(),
                    "a `Federated` principal only assumes roles: in a resource policy it never matches a request; name the role its users assume (`AWS`)",
                );
            }
            _ => {}
        }
    }
    if element.negated {
        return;
    }
    let only = |wanted: PrincipalType| entries.iter().all(|(t, _)| *t == wanted);
    let missing: &[&str] = if only(PrincipalType::Service) {
        NOT_FROM_SERVICES
    } else if only(PrincipalType::Federated) && linter.kind == PolicyKind::Trust {
        NOT_FROM_FEDERATED
    } else {
        return;
    };
    let who = if missing == NOT_FROM_SERVICES {
        "service principals"
    } else {
        "federated callers of `sts:AssumeRoleWith…`"
    };
    for clause in &statement.condition {
        let key = fold_case(&clause.key);
        let never = missing.iter().any(|m| {
            let m = fold_case(m);
            if m.ends_with('/') {
                key.starts_with(m.as_ref())
            } else {
                key == m
            }
        });
        if never {
            linter.emit(
                "key-principal-never-sends",
                statement.condition_path(clause),
                format!("`{}` is never in the requests of {who}, the only principals of this statement: the condition {}", clause.key, if clause.operator.if_exists || clause.operator.negated { "always holds" } else { "never holds" }),
            );
        }
    }
}

/// An IAM user (`AIDA`) or role (`AROA`) unique id.
fn is_unique_id(value: &str) -> bool {
    (value.starts_with("AIDA") || value.starts_with("AROA"))
        && value.len() >= 16
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
