//! From a z3 model to a concrete request in the conformance format, read back through the
//! model's own parser so that a witness is exactly what `iamspec eval` would see.

use crate::domain::KeyType;
use crate::encode::Encoder;
use crate::err::SolverError;
use crate::smt::{self, Expr, ModelView};
use crate::strings::{Subject, UNIQUE_ID};
use crate::symbolic::{CallerKind, KeyVar, Mode, Strs};
use crate::values;
use iamspec_model::arn::Arn;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::principal::Caller;
use iamspec_model::{Decision, Request};
use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A request on which a property fails, replayed through the reference evaluator.
#[derive(Clone, Debug, PartialEq)]
pub struct Witness {
    pub request: Request,
    /// The request as conformance-format JSON (`request` of a case).
    pub request_json: Json,
    /// The reference evaluator's decision under each policy set of the query, in order.
    pub decisions: Vec<Decision>,
}

fn invalid(reason: impl Into<String>) -> SolverError {
    SolverError::InvalidWitness {
        reason: reason.into(),
    }
}

/// Whether the model's request reads well, and what to exclude when it does not.
pub struct Chosen {
    /// The resource fits one of the action's resource types (D85).
    pub fits: bool,
    /// What to exclude to ask for a witness elsewhere: this action class on this resource
    /// region (or on `*`).
    pub avoid: Expr,
}

/// The request of a model; `realized` has the strings of the lazily explored domains.
pub fn read_request(
    view: &ModelView,
    enc: &Encoder,
    realized: &HashMap<Subject, String>,
) -> Result<(Json, Request, Chosen), SolverError> {
    let req = &enc.req;
    let k = view.int("k").ok_or_else(|| invalid("no caller kind"))?;
    let kind = CallerKind::from_index(k).ok_or_else(|| invalid(format!("caller kind {k}")))?;
    let act = view.int("act").ok_or_else(|| invalid("no action class"))?;
    let rany = view.bool("rany").ok_or_else(|| invalid("no resource"))?;
    let parts = match req.mode {
        Mode::Strings => z3_parts(view, kind, rany)?,
        Mode::Partition => partition_parts(view, enc, kind, rany, act, realized)?,
    };
    let class = usize::try_from(act).map_err(|_| invalid(format!("action class {act}")))?;
    let (action, fits) = match &parts.action {
        Some(action) => (action.as_str(), true),
        None => enc
            .actions
            .fitting(class, &parts.resource)
            .ok_or_else(|| invalid(format!("action class {act}")))?,
    };
    let this_class = smt::eq(&enc.req.act, &Expr::int(act));
    let (fits, avoid) = match (&enc.req.strs, rany) {
        (_, true) => (fits, smt::and([this_class, enc.req.rany.clone()])),
        (Strs::Partition(regions), false) if !realized.contains_key(&Subject::Resource) => {
            let rreg = view.int("rreg").unwrap_or(-1);
            (
                parts.action.is_some(),
                smt::and([this_class, smt::eq(&regions.rreg, &Expr::int(rreg))]),
            )
        }
        _ => (true, Expr::f()),
    };
    let mut members: Vec<(String, Json)> = Vec::new();
    let s = |text: String| Json::String(text);
    members.push(("principal".into(), s(parts.principal.clone())));
    if let Some(role_arn) = parts.principal_arn {
        members.push(("principal_arn".into(), s(role_arn)));
    }
    members.push(("action".into(), s(action.to_owned())));
    members.push(("resource".into(), s(parts.resource.clone())));
    if let Some(racct) = parts.resource_account {
        let caller = Caller::parse(&parts.principal, None).ok();
        // As `Request::new` derives it: only a 12-digit account field names the owner (D72).
        let arn_account = Arn::parse(&parts.resource)
            .ok()
            .map(|a| a.account().to_owned())
            .filter(|a| iamspec_model::principal::is_account_id(a));
        let derived = arn_account.or_else(|| caller.and_then(|c| c.account().map(str::to_owned)));
        if derived.as_deref() != Some(racct.as_str()) {
            members.push(("resource_account".into(), s(racct)));
        }
    }

    let mut context = Vec::new();
    for var in req.keys.values().filter(|v| !v.derived) {
        if view.bool(&var.names.present) != Some(true) {
            continue;
        }
        let multi = view.bool(&var.names.multi) == Some(true);
        let count = match (&var.names.count, multi) {
            (Some(name), true) => usize::try_from(view.int(name).unwrap_or(1)).unwrap_or(1),
            _ => 1,
        };
        let mut items = Vec::with_capacity(count);
        for (index, slot) in var.names.slots.iter().enumerate().take(count) {
            items.push(Json::String(slot_text(
                view, enc, var, index, slot, realized,
            )?));
        }
        let value = if multi {
            Json::Array(items)
        } else {
            items
                .into_iter()
                .next()
                .ok_or_else(|| invalid("a key without a value"))?
        };
        context.push((var.name.clone(), value));
    }
    // Users and role sessions send their unique id (D84); the policies test it.
    if matches!(
        kind,
        CallerKind::User | CallerKind::RoleSession | CallerKind::Role
    ) && req.keys.contains_key("aws:userid")
    {
        let id = unique_id(view, enc, realized)?;
        context.push(("aws:userid".to_owned(), Json::String(id)));
    }
    if !context.is_empty() {
        members.push(("context".into(), Json::Object(context)));
    }
    let json = Json::Object(members);
    let request = Request::from_json_unvalidated(&json, &JsonPath::root())
        .map_err(|e| invalid(format!("`{}`: {e}", json.to_compact_string())))?;
    // The guard rails' ARN shapes are regions of their own (D68); a witness there that no
    // rail refuses (`sts:AssumeRole` on `role/aws-service-role/`) reads as a strange example,
    // so it is asked for elsewhere first, as an unfit one is.
    let fits = fits && !on_idle_guard_rail(&request);
    Ok((json, request, Chosen { fits, avoid }))
}

/// Checks a witness with the request validation every user's request gets (D61): the solver
/// quantifies only over requests AWS can send (D85), so a witness that fails it is a solver bug.
/// The resource must also be one the action can be sent with (D73).
pub fn validate(json: &Json) -> Result<(), SolverError> {
    let impossible = |reason: String| SolverError::ImpossibleWitness {
        request: json.to_compact_string(),
        reason,
    };
    let request =
        Request::from_json(json, &JsonPath::root()).map_err(|e| impossible(e.to_string()))?;
    if !crate::actions::resource_fits(request.action.as_str(), &request.resource) {
        return Err(impossible(format!(
            "the action `{}` cannot be sent with the resource `{}`",
            request.action, request.resource
        )));
    }
    Ok(())
}

/// The unique id of the model's user or role session.
fn unique_id(
    view: &ModelView,
    enc: &Encoder,
    realized: &HashMap<Subject, String>,
) -> Result<String, SolverError> {
    let missing = || invalid("no readable value for `aws:userid`");
    match enc.req.mode {
        Mode::Strings => view.string("uid").ok_or_else(missing),
        Mode::Partition => {
            if let Some(text) = realized.get(&Subject::Key(UNIQUE_ID.to_owned(), 0)) {
                return Ok(text.clone());
            }
            let (witnesses, names) = enc.finished().keys.get(UNIQUE_ID).ok_or_else(missing)?;
            names
                .first()
                .and_then(|name| view.int(name))
                .and_then(|r| usize::try_from(r).ok())
                .and_then(|r| witnesses.get(r))
                .cloned()
                .ok_or_else(missing)
        }
    }
}

/// The parts of a request that come from strings.
struct Parts {
    principal: String,
    principal_arn: Option<String>,
    resource: String,
    resource_account: Option<String>,
    /// The action, when the resource was chosen for one of the class's actions.
    action: Option<String>,
}

fn z3_parts(view: &ModelView, kind: CallerKind, rany: bool) -> Result<Parts, SolverError> {
    let string = |name: &str| {
        view.string(name)
            .ok_or_else(|| invalid(format!("no readable value for `{name}`")))
    };
    let account = if kind.has_account() {
        string("acct")?
    } else {
        String::new()
    };
    let mut principal_arn = None;
    let principal = match kind {
        CallerKind::Root => format!("arn:aws:iam::{account}:root"),
        CallerKind::User => format!(
            "arn:{}:iam::{account}:user/{}{}",
            string("part")?,
            string("upath")?,
            string("uname")?
        ),
        CallerKind::Role | CallerKind::RoleSession => {
            let part = string("part")?;
            let rpath = string("rpath")?;
            let rname = string("rname")?;
            let role_arn = format!("arn:{part}:iam::{account}:role/{rpath}{rname}");
            if kind == CallerKind::Role {
                role_arn
            } else {
                if !rpath.is_empty() {
                    principal_arn = Some(role_arn);
                }
                format!(
                    "arn:{part}:sts::{account}:assumed-role/{rname}/{}",
                    string("sname")?
                )
            }
        }
        CallerKind::FederatedUser => format!(
            "arn:{}:sts::{account}:federated-user/{}",
            string("part")?,
            string("fname")?
        ),
        CallerKind::Service => string("svc")?,
        CallerKind::IdentityProvider => string("idp")?,
        CallerKind::Anonymous => "anonymous".to_owned(),
    };
    let resource = if rany {
        "*".to_owned()
    } else {
        format!(
            "arn:{}:{}:{}:{}:{}",
            string("rpart")?,
            string("rsvc")?,
            string("rreg")?,
            string("racc")?,
            string("rrest")?
        )
    };
    let resource_account = if view.bool("racct_present") == Some(true) {
        Some(string("racct")?)
    } else {
        None
    };
    Ok(Parts {
        principal,
        principal_arn,
        resource,
        resource_account,
        action: None,
    })
}

fn partition_parts(
    view: &ModelView,
    enc: &Encoder,
    kind: CallerKind,
    rany: bool,
    act: i64,
    realized: &HashMap<Subject, String>,
) -> Result<Parts, SolverError> {
    let Strs::Partition(regions) = &enc.req.strs else {
        return Err(invalid("not a partition"));
    };
    let finished = enc.finished();
    let preg = view
        .int("preg")
        .ok_or_else(|| invalid("no principal region"))?;
    let (region_kind, subject) = usize::try_from(preg)
        .ok()
        .and_then(|r| finished.principals.get(r))
        .cloned()
        .ok_or_else(|| invalid(format!("principal region {preg}")))?;
    if region_kind != kind {
        return Err(invalid(format!(
            "principal region {preg} is not of kind {kind:?}"
        )));
    }
    let mut principal_arn = None;
    let principal = match kind {
        CallerKind::RoleSession => {
            // The role ARN, `/`, the session name.
            let (role_arn, session) = subject
                .rsplit_once('/')
                .ok_or_else(|| invalid(format!("role session `{subject}`")))?;
            let arn = Arn::parse(role_arn).map_err(|e| invalid(e.to_string()))?;
            let path_and_name = arn.resource().strip_prefix("role/").unwrap_or("");
            let name = path_and_name.rsplit('/').next().unwrap_or(path_and_name);
            if path_and_name.contains('/') {
                principal_arn = Some(role_arn.to_owned());
            }
            format!(
                "arn:{}:sts::{}:assumed-role/{name}/{session}",
                arn.partition(),
                arn.account()
            )
        }
        CallerKind::Anonymous => "anonymous".to_owned(),
        _ => subject,
    };
    let mut action = None;
    let resource = if rany {
        "*".to_owned()
    } else if let Some(text) = realized.get(&Subject::Resource) {
        text.clone()
    } else {
        let rreg = view
            .int("rreg")
            .ok_or_else(|| invalid("no resource region"))?;
        let region =
            usize::try_from(rreg).map_err(|_| invalid(format!("resource region {rreg}")))?;
        let class = usize::try_from(act).map_err(|_| invalid(format!("action class {act}")))?;
        match enc.fit_resource(class, region) {
            Some((fitting, text)) => {
                action = Some(fitting);
                text
            }
            None => finished
                .resources
                .get(region)
                .cloned()
                .ok_or_else(|| invalid(format!("resource region {rreg}")))?,
        }
    };
    let resource_account = match view.int("racct_mode") {
        Some(1) => Arn::parse(&resource).ok().map(|a| a.account().to_owned()),
        Some(2) => {
            let id = view.int("racct_id").unwrap_or(0);
            usize::try_from(id)
                .ok()
                .and_then(|i| regions.accounts.get(i))
                .cloned()
        }
        _ => None,
    };
    Ok(Parts {
        principal,
        principal_arn,
        resource,
        resource_account,
        action,
    })
}

fn slot_text(
    view: &ModelView,
    enc: &Encoder,
    var: &KeyVar,
    index: usize,
    slot: &str,
    realized: &HashMap<Subject, String>,
) -> Result<String, SolverError> {
    let lazy = realized.get(&Subject::Key(var.lowercase.clone(), index));
    let text = match &var.ty {
        KeyType::String => match enc.req.mode {
            Mode::Strings => view.string(slot),
            Mode::Partition if lazy.is_some() => lazy.cloned(),
            Mode::Partition => match enc.finished().keys.get(&var.lowercase) {
                Some((witnesses, names)) => names
                    .get(index)
                    .and_then(|name| view.int(name))
                    .and_then(|r| usize::try_from(r).ok())
                    .and_then(|r| witnesses.get(r))
                    .cloned(),
                // No string test reads it: any value of its type.
                None => Some(crate::space::example_value(&var.name).to_owned()),
            },
        },
        KeyType::Numeric(constants) => view
            .int(slot)
            .and_then(|region| values::number_text(constants, region))
            .map(|t| typed_outside(var, &t)),
        KeyType::Date(constants) => view
            .int(slot)
            .and_then(|region| values::date_text(constants, region))
            .map(|t| typed_outside(var, &t)),
        KeyType::Ip => match view.int(&format!("{slot}_kind")) {
            Some(1) => view
                .bv(&format!("{slot}_v4"), 32)
                .and_then(|bits| u32::try_from(bits).ok())
                .map(|bits| Ipv4Addr::from(bits).to_string()),
            Some(2) => view
                .bv(&format!("{slot}_v6"), 128)
                .map(|bits| Ipv6Addr::from(bits).to_string()),
            Some(_) => Some(typed_outside(var, "not-an-ip-address")),
            None => None,
        },
    };
    text.ok_or_else(|| invalid(format!("no readable value for the key `{}`", var.name)))
}

/// Region 0 of a key compared as a number, date or address (`not-a-number`...) written as a
/// value of the key's type where it has one (D85).
fn typed_outside(var: &KeyVar, text: &str) -> String {
    if text.starts_with("not-a") {
        crate::space::outside_value(&var.name, &var.ty, text)
    } else {
        text.to_owned()
    }
}

/// What makes a witness read oddly to a person (issue 10): a service-linked role as the
/// caller, an ARN outside the `aws` partition, a resource that fits none of the action's
/// resource types in the catalogue (`*` for an action that names one). Empty for a
/// witness a reviewer can act on. A policy may require an odd request (one that names
/// `arn:aws-cn:` or a service-linked role): then the witness is right to be odd.
pub fn oddities(request: &Request) -> Vec<&'static str> {
    use iamspec_model::request::Resource;
    let mut out = Vec::new();
    if request.principal.is_service_linked_role() {
        out.push("a service-linked role as the caller");
    }
    let foreign = |text: &str| {
        Arn::parse(text)
            .ok()
            .is_some_and(|arn| arn.partition() != "aws")
    };
    if request.principal_text.starts_with("arn:") && foreign(&request.principal_text) {
        out.push("a caller outside the aws partition");
    }
    let templates = match crate::actions::access(request.action.as_str()) {
        crate::actions::Access::Typed { shapes, .. } => crate::actions::shape_set(shapes),
        crate::actions::Access::Any => &[],
    };
    match &request.resource {
        Resource::Any if !templates.is_empty() => {
            out.push("`*` for an action with resource types");
        }
        Resource::Any => {}
        Resource::Arn(arn) => {
            if arn.partition() != "aws" {
                out.push("a resource outside the aws partition");
            }
            if !arn.region().is_empty() && !crate::space::is_region_code(arn.region()) {
                out.push("a resource region that is not a region code");
            }
            if !arn.account().is_empty()
                && arn.account() != "aws"
                && !iamspec_model::principal::is_account_id(arn.account())
            {
                out.push("a resource account field that is not an account id");
            }
            let known = iamspec_corpus::Catalogue::embedded()
                .action(request.action.as_str())
                .is_some();
            if known
                && !templates.is_empty()
                && !templates.iter().any(|t| {
                    iamspec_model::arn::resource_pattern_matches(&template_glob(t), arn, None)
                })
            {
                out.push("a resource of none of the action's resource types");
            }
        }
    }
    out
}

/// A catalogue ARN template as a resource pattern: each `${...}` a `*`.
fn template_glob(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let Some(end) = rest.get(start..).and_then(|r| r.find('}')) else {
            break;
        };
        out.push('*');
        rest = rest.get(start + end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// Is the resource one a guard rail protects (D68), in a request no rail refuses?
fn on_idle_guard_rail(request: &Request) -> bool {
    use iamspec_model::guard_rail::{refusing, GuardRail};
    GuardRail::ALL
        .iter()
        .any(|rail| rail.covers(&request.resource))
        && refusing(request).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A request AWS cannot send (an organization id for an anonymous caller, a list for a
    /// single-valued key, a resource account the ARN contradicts) is a solver bug when it comes
    /// out of a model: `ImpossibleWitness`, which the CLI reports with exit 4.
    #[test]
    fn impossible_requests_are_solver_bugs() {
        for text in [
            r#"{"principal":"anonymous","action":"s3:GetObject","resource":"*","context":{"aws:PrincipalOrgID":"o-1"}}"#,
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"*","context":{"aws:SecureTransport":["true","false"]}}"#,
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"kms:Decrypt","resource":"arn:aws:kms:us-east-1:111122223333:key/k","resource_account":"444455556666"}"#,
            // D73: an object action on a bucket, an S3 action on a queue, an action that
            // requires a bucket on `*`.
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::b"}"#,
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:sqs:us-east-1:111122223333:q"}"#,
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:DeleteBucket","resource":"*"}"#,
        ] {
            let json = Json::parse(text).unwrap();
            assert!(
                matches!(validate(&json), Err(SolverError::ImpossibleWitness { .. })),
                "{text}"
            );
        }
        let fine = Json::parse(r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"s3:GetObject","resource":"arn:aws:s3:::b/k","context":{"aws:userid":"AIDAEXAMPLE","aws:SecureTransport":"true"}}"#).unwrap();
        assert_eq!(validate(&fine), Ok(()));
    }
}
