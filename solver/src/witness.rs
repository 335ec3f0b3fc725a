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
/// The resource must also be one the action can be sent with (D73), with the ARN fields AWS
/// writes (D87).
pub fn validate(json: &Json) -> Result<(), SolverError> {
    let impossible = |reason: String| SolverError::ImpossibleWitness {
        request: json.to_compact_string(),
        reason,
    };
    let request =
        Request::from_json(json, &JsonPath::root()).map_err(|e| impossible(e.to_string()))?;
    if let iamspec_model::request::Resource::Arn(arn) = &request.resource {
        if !crate::space::is_possible_arn(arn) {
            return Err(impossible(format!(
                "the resource `{}` has a partition, region or account field AWS never writes (D87)",
                arn
            )));
        }
    }
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

/// The text of member `name` of a request object.
fn member<'a>(json: &'a Json, name: &str) -> Option<&'a str> {
    match json {
        Json::Object(members) => members.iter().find_map(|(n, v)| match v {
            Json::String(text) if n == name => Some(text.as_str()),
            _ => None,
        }),
        _ => None,
    }
}

/// The request object with member `name` set to `value` (added when absent).
fn with_member(json: &Json, name: &str, value: &str) -> Json {
    let mut members = match json {
        Json::Object(members) => members.clone(),
        _ => Vec::new(),
    };
    match members.iter_mut().find(|(n, _)| n == name) {
        Some((_, slot)) => *slot = Json::String(value.to_owned()),
        None => members.push((name.to_owned(), Json::String(value.to_owned()))),
    }
    Json::Object(members)
}

/// The ARN `text` with field `i` (0 to 5) replaced by `value`.
fn arn_with(text: &str, i: usize, value: &str) -> Option<String> {
    let mut fields: Vec<&str> = text.splitn(6, ':').collect();
    if fields.len() != 6 || fields.first() != Some(&"arn") {
        return None;
    }
    *fields.get_mut(i)? = value;
    Some(fields.join(":"))
}

/// Requests like `json` that read more plainly (D88), step by step, each step's alternatives
/// in the order they are tried. The caller keeps one only when it is a request AWS can send
/// and every policy set decides it as before, so the witness shows the same failure:
///
/// - `*` for an action with resource types: an example ARN of one of its types; an ARN for an
///   action the catalogue lists without resource types: `*`;
/// - a resource in another partition than the caller's: the caller's partition, else the
///   caller moved to the resource's (an AWS account lives in one partition);
/// - an account field of `aws`, or an empty one where the action's types name an account: the
///   caller's account (else 111122223333);
/// - an empty region field of a service whose ARNs all name a region: `us-east-1`;
/// - a resource of none of the action's types: the rest of a type's template after one of its
///   variables (`stack/name` → `stack/name/example`).
pub fn plainer_steps(json: &Json) -> Vec<Vec<Json>> {
    let mut steps = Vec::new();
    let (Some(principal), Some(action), Some(resource)) = (
        member(json, "principal"),
        member(json, "action"),
        member(json, "resource"),
    ) else {
        return steps;
    };
    let caller = Caller::parse(principal, member(json, "principal_arn")).ok();
    let caller_account = caller
        .as_ref()
        .and_then(|c| c.account().map(str::to_owned))
        .filter(|a| iamspec_model::principal::is_account_id(a))
        .unwrap_or_else(|| "111122223333".to_owned());
    let caller_partition = Arn::parse(principal).ok().map(|a| a.partition().to_owned());
    let templates: &[String] = match crate::actions::access(action) {
        crate::actions::Access::Typed { shapes, .. } => crate::actions::shape_set(shapes),
        crate::actions::Access::Any => &[],
    };
    if resource == "*" {
        let own_service = action.split(':').next().unwrap_or("");
        // The action's own service first, then the shortest (`example-bucket/key.txt` before
        // an access point's object).
        let mut ordered: Vec<(bool, String)> = templates
            .iter()
            .map(|t| {
                let own = t.split(':').nth(2) == Some(own_service);
                (!own, crate::space::example_arn(t, &caller_account))
            })
            .collect();
        ordered.sort_by_key(|(other, arn)| (*other, arn.len()));
        let partition = caller_partition.as_deref().unwrap_or("aws");
        steps.push(
            ordered
                .iter()
                .take(8)
                .filter_map(|(_, arn)| arn_with(arn, 1, partition))
                .map(|arn| with_member(json, "resource", &arn))
                .collect(),
        );
        return steps;
    }
    let Ok(arn) = Arn::parse(resource) else {
        return steps;
    };
    // An action the catalogue lists without resource types is authorized on `*`.
    if templates.is_empty()
        && iamspec_corpus::Catalogue::embedded()
            .action(action)
            .is_some()
    {
        steps.push(vec![with_member(json, "resource", "*")]);
    }
    if let Some(partition) = caller_partition.as_deref() {
        if partition != arn.partition() {
            let mut step = Vec::new();
            if let Some(moved) = arn_with(resource, 1, partition) {
                step.push(with_member(json, "resource", &moved));
            }
            let mut moved = json.clone();
            for name in ["principal", "principal_arn"] {
                if let Some(other) =
                    member(json, name).and_then(|t| arn_with(t, 1, arn.partition()))
                {
                    moved = with_member(&moved, name, &other);
                }
            }
            step.push(moved);
            steps.push(step);
        }
    }
    // A region of the resource's partition (the readable respelling writes `us-east-1`).
    let home = match arn.partition() {
        "aws-cn" => Some(("cn-", "cn-north-1")),
        "aws-us-gov" => Some(("us-gov-", "us-gov-west-1")),
        _ => None,
    };
    if let Some((prefix, region)) = home {
        if !arn.region().is_empty() && !arn.region().starts_with(prefix) {
            steps.push(
                arn_with(resource, 3, region)
                    .map(|text| with_member(json, "resource", &text))
                    .into_iter()
                    .collect(),
            );
        }
    }
    let names_account = templates
        .iter()
        .any(|t| t.split(':').nth(4).is_some_and(|f| !f.is_empty()));
    if arn.account() == "aws" || (arn.account().is_empty() && names_account) {
        steps.push(
            arn_with(resource, 4, &caller_account)
                .map(|text| with_member(json, "resource", &text))
                .into_iter()
                .collect(),
        );
    }
    let names_region = templates.iter().any(|t| {
        t.split(':').nth(2) == Some(arn.service())
            && t.split(':').nth(3).is_some_and(|f| !f.is_empty())
    });
    if arn.region().is_empty()
        && (names_region || crate::readable::regional(arn.service()) == Some(true))
    {
        steps.push(
            arn_with(resource, 3, "us-east-1")
                .map(|text| with_member(json, "resource", &text))
                .into_iter()
                .collect(),
        );
    }
    if !templates.is_empty() && !of_a_type(templates, &arn) {
        let mut step = Vec::new();
        for template in templates {
            let Some(part) = template.splitn(6, ':').nth(5) else {
                continue;
            };
            let mut rest = part;
            while let Some(end) = rest.find('}') {
                rest = rest.get(end + 1..).unwrap_or("");
                let suffix = crate::space::example_arn(rest, "example");
                let longer = format!("{resource}{suffix}");
                let fits = Arn::parse(&longer).is_ok_and(|a| of_a_type(templates, &a));
                if !suffix.is_empty() && fits {
                    step.push(with_member(json, "resource", &longer));
                }
            }
        }
        // Else an example ARN of a type, in the resource's partition, region and account.
        for template in templates {
            let account = if iamspec_model::principal::is_account_id(arn.account()) {
                arn.account()
            } else {
                caller_account.as_str()
            };
            let example = crate::space::example_arn(template, account);
            let example = [(1, arn.partition()), (3, arn.region())]
                .into_iter()
                .try_fold(example, |text, (i, value)| {
                    let field = text.split(':').nth(i).unwrap_or("");
                    if field.is_empty() || value.is_empty() {
                        Some(text)
                    } else {
                        arn_with(&text, i, value)
                    }
                });
            if let Some(example) = example {
                step.push(with_member(json, "resource", &example));
            }
        }
        steps.push(step);
    }
    steps
}

/// Does the resource have the shape of one of `templates` (each `${...}` any text)?
fn of_a_type(templates: &[String], arn: &Arn) -> bool {
    templates
        .iter()
        .any(|t| iamspec_model::arn::resource_pattern_matches(&template_glob(t), arn, None))
}

/// How many plainer requests a witness may become in turn (each step may open the next:
/// `*` → an ARN whose account then reads plainly).
const PLAINER_ROUNDS: usize = 6;

/// The plainest request reached through [`plainer_steps`], taking in each round the first
/// alternative `keep` accepts (it returns the request); `None` when none is accepted.
pub fn plainer(json: &Json, keep: &dyn Fn(&Json) -> Option<Request>) -> Option<(Json, Request)> {
    let mut best: Option<(Json, Request)> = None;
    for _ in 0..PLAINER_ROUNDS {
        let current = best.as_ref().map_or(json, |(j, _)| j).clone();
        let found = plainer_steps(&current)
            .into_iter()
            .flatten()
            .filter(|candidate| *candidate != current)
            .find_map(|candidate| keep(&candidate).map(|request| (candidate, request)));
        match found {
            Some(next) => best = Some(next),
            None => break,
        }
    }
    best
}

/// The witness `json` (its request `request`, decided `decisions` by `sets`) made plainer
/// (D88): each step is kept only when the request passes [`validate`], every set decides it
/// as before and `accept` (the query's own check) takes it.
pub fn plainest(
    json: Json,
    request: Request,
    sets: &[&iamspec_model::PolicySet],
    decisions: &[Decision],
    accept: &dyn Fn(&Request, &[Decision]) -> bool,
) -> (Json, Request) {
    let keep = |candidate: &Json| -> Option<Request> {
        validate(candidate).ok()?;
        let request = Request::from_json(candidate, &JsonPath::root()).ok()?;
        let again: Vec<Decision> = sets
            .iter()
            .map(|set| iamspec_model::reference::authorize(set, &request).decision)
            .collect();
        (again == decisions && accept(&request, &again) && !on_idle_guard_rail(&request))
            .then_some(request)
    };
    plainer(&json, &keep).unwrap_or((json, request))
}

/// Whether the caller's ARN and the resource's name different partitions, which no request
/// does (D75).
pub(crate) fn crosses_partitions(request: &Request) -> bool {
    use iamspec_model::request::Resource;
    let Resource::Arn(resource) = &request.resource else {
        return false;
    };
    request.principal_text.starts_with("arn:")
        && Arn::parse(&request.principal_text)
            .is_ok_and(|caller| caller.partition() != resource.partition())
}

/// What makes a witness read oddly to a person (issue 10, issue 16), each reason saying
/// whether AWS could send the request at all. Impossible (a solver bug since D87): a resource
/// in another partition than its caller's, a partition field that is no partition, a region
/// field that is no region code, an account field that is not 12 digits, `aws` or empty.
/// Possible but unusual (a policy may require it, D88 keeps it only then): a service-linked
/// role as the caller, a caller or resource outside the `aws` partition, `*` for an action
/// whose resource types are all optional, a resource that fits none of the action's resource
/// types in the catalogue (D73's shapes are larger). Empty for a witness a reviewer can act
/// on.
pub fn oddities(request: &Request) -> Vec<&'static str> {
    use iamspec_model::request::Resource;
    let mut out = Vec::new();
    if request.principal.is_service_linked_role() {
        out.push("a service-linked role as the caller");
    }
    let caller_partition = request
        .principal_text
        .starts_with("arn:")
        .then(|| Arn::parse(&request.principal_text).ok())
        .flatten()
        .map(|arn| arn.partition().to_owned());
    if caller_partition.as_deref().is_some_and(|p| p != "aws") {
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
            if !crate::space::is_partition_name(arn.partition()) {
                out.push("impossible: a resource partition that is no partition");
            } else if caller_partition
                .as_deref()
                .is_some_and(|p| p != arn.partition())
            {
                out.push("impossible: a resource in another partition than the caller's");
            } else if arn.partition() != "aws" {
                out.push("a resource outside the aws partition");
            }
            if !arn.region().is_empty() && !crate::space::is_region_code(arn.region()) {
                out.push("impossible: a resource region that is not a region code");
            }
            if !crate::space::is_account_field(arn.account()) {
                out.push(
                    "impossible: a resource account field that is not 12 digits, aws or empty",
                );
            }
            let known = iamspec_corpus::Catalogue::embedded()
                .action(request.action.as_str())
                .is_some();
            if known && !templates.is_empty() && !of_a_type(templates, arn) {
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

    fn request(text: &str) -> Request {
        Request::from_json(&Json::parse(text).unwrap(), &JsonPath::root()).unwrap()
    }

    #[test]
    fn oddities_tell_impossible_from_unusual() {
        let odd = |principal: &str, resource: &str| {
            oddities(&request(&format!(
                r#"{{"principal":"{principal}","action":"sqs:SendMessage","resource":"{resource}"}}"#
            )))
        };
        let user = "arn:aws:iam::111122223333:user/alice";
        assert!(odd(user, "arn:aws:sqs:us-east-1:111122223333:q").is_empty());
        assert_eq!(
            odd(user, "arn:aws:sqs:us-east-1:a:q"),
            ["impossible: a resource account field that is not 12 digits, aws or empty"]
        );
        assert_eq!(
            odd(user, "arn:aws:sqs:ssm-sap:111122223333:q"),
            ["impossible: a resource region that is not a region code"]
        );
        assert_eq!(
            odd(user, "arn:aws-cn:sqs:cn-north-1:111122223333:q"),
            ["impossible: a resource in another partition than the caller's"]
        );
        assert_eq!(
            odd(
                "arn:aws-cn:iam::111122223333:user/alice",
                "arn:aws-cn:sqs:cn-north-1:111122223333:q"
            ),
            [
                "a caller outside the aws partition",
                "a resource outside the aws partition"
            ]
        );
    }

    /// D88's steps, every one accepted (the solver keeps one only when the decisions stay).
    #[test]
    fn plainer_requests_read_plainly() {
        let keep = |json: &Json| {
            validate(json).ok()?;
            Request::from_json(json, &JsonPath::root()).ok()
        };
        let plain = |text: &str| {
            let (json, request) = plainer(&Json::parse(text).unwrap(), &keep).unwrap();
            assert!(
                oddities(&request).is_empty(),
                "{}",
                json.to_compact_string()
            );
            member(&json, "resource").unwrap().to_owned()
        };
        let star = plain(
            r#"{"principal":"arn:aws:iam::444455556666:user/alice","action":"cloudwatch:PutMetricData","resource":"*"}"#,
        );
        assert_eq!(
            star,
            "arn:aws:cloudwatch:us-east-1:444455556666:dataset/example"
        );
        let stack = plain(
            r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"cloudformation:CreateStack","resource":"arn:aws:cloudformation:us-east-1:aws:stack/SC-example"}"#,
        );
        assert_eq!(
            stack,
            "arn:aws:cloudformation:us-east-1:111122223333:stack/SC-example/example"
        );
        let (json, _) = plainer(
            &Json::parse(r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"sqs:SendMessage","resource":"arn:aws-cn:sqs:cn-north-1:111122223333:q"}"#).unwrap(),
            &|json: &Json| {
                // The policies decide only the `aws-cn` queue this way: the caller moves.
                (member(json, "resource")? == "arn:aws-cn:sqs:cn-north-1:111122223333:q")
                    .then(|| keep(json))
                    .flatten()
            },
        )
        .unwrap();
        assert_eq!(
            member(&json, "principal"),
            Some("arn:aws-cn:iam::111122223333:user/alice")
        );
        // Nothing to do on a plain request.
        let fine = Json::parse(r#"{"principal":"arn:aws:iam::111122223333:user/alice","action":"sqs:SendMessage","resource":"arn:aws:sqs:us-east-1:111122223333:q"}"#).unwrap();
        assert!(plainer(&fine, &keep).is_none());
    }

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
            // D87: an account field, a region field, a partition AWS never writes.
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"sqs:SendMessage","resource":"arn:aws:sqs:us-east-1:a:q"}"#,
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"sqs:SendMessage","resource":"arn:aws:sqs:ssm-sap:111122223333:q"}"#,
            r#"{"principal":"arn:aws:iam::111122223333:user/a","action":"kms:ListAliases","resource":"arn:a:sqs:us-east-1:111122223333:q"}"#,
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
