//! The request context a caller chooses (D104): the region it sends a request to, its address,
//! whether it signed in with MFA, the time, an external ID, the tags it sends. A snapshot holds
//! none of these, so a request decided without them is not the whole answer: when the
//! evaluator denies it and the policies test such keys, the edge is conditional on a context
//! the evaluator allows, and the needs name it with the conditions that test it.

use iamspec_model::evaluator::Evaluator;
use iamspec_model::policy::{ConditionClause, Effect, Policy, Statement};
use iamspec_model::request::ContextValue;
use iamspec_model::{Decision, PolicySet, Request};

/// Global condition keys whose value the caller chooses or brings with it, per request
/// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>).
pub const CALLER_CHOSEN: &[&str] = &[
    "aws:RequestedRegion",
    "aws:SourceIp",
    "aws:VpcSourceIp",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge",
    "aws:CurrentTime",
    "aws:EpochTime",
    "aws:SecureTransport",
    "aws:UserAgent",
    "aws:Referer",
    "sts:ExternalId",
    "sts:SourceIdentity",
    "sts:RoleSessionName",
    "aws:TagKeys",
];

/// Keys that describe where and when the caller is, and whether it holds an MFA device: one
/// attacker walking a path has the same on every hop (D105). Other keys are chosen per request.
pub const SHARED_ALONG_A_PATH: &[&str] = &[
    "aws:SourceIp",
    "aws:VpcSourceIp",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:MultiFactorAuthPresent",
    "aws:CurrentTime",
    "aws:EpochTime",
];

/// Whether the caller chooses `key` (D104), `aws:RequestTag/…` included.
pub fn caller_chosen(key: &str) -> bool {
    CALLER_CHOSEN.iter().any(|k| k.eq_ignore_ascii_case(key))
        || key
            .get(..15)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:RequestTag/"))
}

pub fn shared(key: &str) -> bool {
    SHARED_ALONG_A_PATH
        .iter()
        .any(|k| k.eq_ignore_ascii_case(key))
}

/// Regions a request can be sent to, for `aws:RequestedRegion`: a witness names a real one.
const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-northeast-1",
    "ap-south-1",
    "ca-central-1",
    "sa-east-1",
    "me-south-1",
    "af-south-1",
    "cn-north-1",
    "us-gov-west-1",
];

/// An address outside every range a policy is likely to name (TEST-NET-1, RFC 5737).
const OTHER_ADDRESS: &str = "192.0.2.77";

fn policies(set: &PolicySet) -> impl Iterator<Item = &Policy> {
    set.identity
        .iter()
        .chain(set.session.iter())
        .chain(set.permission_boundary.iter())
        .chain(set.resource.iter())
        .chain(set.vpc_endpoint.iter())
        .chain(set.scp.iter().flatten().flatten())
        .chain(set.rcp.iter().flatten().flatten())
}

/// Every condition clause of the set with its statement's effect and sid.
pub fn clauses(set: &PolicySet) -> impl Iterator<Item = (Effect, Option<&str>, &ConditionClause)> {
    policies(set)
        .flat_map(|p| p.statements.iter())
        .flat_map(|s| {
            s.condition
                .iter()
                .map(move |c| (s.effect, s.sid.as_deref(), c))
        })
}

/// The keys worth choosing for `request` under `set`: the keys the evaluator found missing and
/// the caller-chosen keys the set's conditions test that the request does not carry.
pub fn open_keys(set: &PolicySet, request: &Request, missing: &[String]) -> Vec<String> {
    let mut keys: Vec<String> = missing.to_vec();
    for (_, _, clause) in clauses(set) {
        let key = clause.key.as_str();
        if caller_chosen(key)
            && request.context.get(key).is_none()
            && !keys.iter().any(|k| k.eq_ignore_ascii_case(key))
        {
            keys.push(key.to_owned());
        }
    }
    keys
}

/// The values tried for `key`: the values the conditions name, made concrete (a wildcard made
/// `x`, a range's first and last address, a number and its neighbours), `true`/`false`, a
/// value none names; for the region, the real regions the conditions' values match.
pub fn candidates<'a>(
    key: &str,
    clauses: impl Iterator<Item = &'a ConditionClause>,
) -> Vec<String> {
    let named: Vec<&str> = clauses
        .filter(|c| c.key.eq_ignore_ascii_case(key))
        .flat_map(|c| c.values.iter())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut add = |v: String| {
        if !out.contains(&v) {
            out.push(v);
        }
    };
    if key.eq_ignore_ascii_case("aws:RequestedRegion") {
        for region in REGIONS {
            if named.iter().any(|p| {
                iamspec_model::pattern::Pattern::new(p)
                    .ignore_case()
                    .matches(region)
            }) {
                add((*region).to_owned());
            }
        }
        add("us-east-1".into());
        add("eu-central-1".into());
        return out;
    }
    for v in &named {
        for value in realize(v) {
            add(value);
        }
    }
    add("true".into());
    add("false".into());
    if key.to_ascii_lowercase().contains("ip") {
        add(OTHER_ADDRESS.into());
    } else {
        add("iamspec-other-value".into());
    }
    out
}

/// Concrete values a condition's value admits or borders.
fn realize(value: &str) -> Vec<String> {
    let v: String = value
        .chars()
        .map(|c| if matches!(c, '*' | '?') { 'x' } else { c })
        .collect();
    if let Some((ip, bits)) = v.split_once('/') {
        if let (Ok(ip), Ok(bits)) = (ip.parse::<std::net::Ipv4Addr>(), bits.parse::<u32>()) {
            let base = u32::from(ip);
            let size = if bits >= 32 { 0 } else { u32::MAX >> bits };
            let first = base & !size;
            return vec![
                std::net::Ipv4Addr::from(first).to_string(),
                std::net::Ipv4Addr::from(first | size).to_string(),
            ];
        }
        if ip.parse::<std::net::Ipv6Addr>().is_ok() && bits.parse::<u32>().is_ok() {
            return vec![ip.to_owned()];
        }
    }
    if let Ok(n) = v.parse::<i64>() {
        return vec![
            n.to_string(),
            n.saturating_sub(1).to_string(),
            n.saturating_add(1).to_string(),
        ];
    }
    vec![v]
}

/// How many contexts [`witness`] tries at most.
pub const CONTEXTS_TRIED: usize = 4096;

/// A context (a value or absence for each of `keys`) under which the evaluator allows
/// `request`, fewest keys first; `None` when none of the candidates' combinations is allowed
/// (D102: a possible miss, never a guess).
pub fn witness(
    set: &PolicySet,
    request: &Request,
    keys: &[String],
) -> Option<Vec<(String, String)>> {
    let options: Vec<(String, Vec<Option<String>>)> = keys
        .iter()
        .map(|k| {
            let mut values: Vec<Option<String>> = vec![None];
            values.extend(
                candidates(k, clauses(set).map(|(_, _, c)| c))
                    .into_iter()
                    .map(Some),
            );
            (k.clone(), values)
        })
        .collect();
    let compiled = iamspec_model::fast::Compiled::new(set);
    for (context, _) in combinations(&options, CONTEXTS_TRIED) {
        let mut r = request.clone();
        for (k, v) in &context {
            r.context.insert(k, ContextValue::Single(v.clone()));
        }
        if compiled.authorize(&r).decision == Decision::Allow {
            return Some(context);
        }
    }
    None
}

/// Whether some context could let the evaluator allow `request`: the set with every Allow's
/// conditions dropped and every conditional Deny removed allows it. Conditions only narrow an
/// Allow and a conditional Deny applies only in some contexts, so when even this set denies, no
/// context helps and no search is made.
pub fn could_allow(set: &PolicySet, request: &Request) -> bool {
    let relax = |p: &Policy| -> Policy {
        let mut p = p.clone();
        p.statements
            .retain(|s| s.effect == Effect::Allow || s.condition.is_empty());
        for s in &mut p.statements {
            s.condition.clear();
        }
        p
    };
    let levels = |l: &Option<Vec<Vec<Policy>>>| {
        l.as_ref()
            .map(|l| l.iter().map(|v| v.iter().map(relax).collect()).collect())
    };
    let mut open = set.clone();
    open.identity = set.identity.iter().map(relax).collect();
    open.session = set.session.iter().map(relax).collect();
    open.permission_boundary = set.permission_boundary.as_ref().map(relax);
    open.resource = set.resource.as_ref().map(relax);
    open.vpc_endpoint = set.vpc_endpoint.as_ref().map(relax);
    open.scp = levels(&set.scp);
    open.rcp = levels(&set.rcp);
    iamspec_model::fast::Compiled::new(&open)
        .authorize(request)
        .decision
        == Decision::Allow
}

/// When no candidate context works, ask z3 (`iamspec_solver::who_can_reach`, a bounded
/// timeout): each group of callers it finds allowed comes with a witness request; its context
/// keys that `request` lacks are tried on `request` itself and kept only when the evaluator
/// allows it. `None` when z3 finds none, gives up, or no witness context replays (D104).
pub fn solver_witness(set: &PolicySet, request: &Request) -> Option<Vec<(String, String)>> {
    let options = iamspec_solver::Options {
        timeout: std::time::Duration::from_secs(2),
        max_witnesses: 3,
        callers: iamspec_solver::Callers::IamIdentities,
        ..iamspec_solver::Options::default()
    };
    let resource = match &request.resource {
        iamspec_model::request::Resource::Any => "*".to_owned(),
        iamspec_model::request::Resource::Arn(arn) => arn.as_str().to_owned(),
    };
    let verdict = iamspec_solver::who_can_reach(
        set,
        request.action.as_str(),
        &resource,
        request.resource_account.as_deref(),
        &options,
    );
    let verdict = verdict.ok()?;
    let iamspec_solver::ReachVerdict::Groups(groups) = verdict else {
        return None;
    };
    let compiled = iamspec_model::fast::Compiled::new(set);
    for group in groups {
        let mut r = request.clone();
        let mut chosen = Vec::new();
        for (key, value) in group.witness.request.context.iter() {
            if request.context.get(key).is_some() {
                continue; // derived from the witness's own caller; ours stays
            }
            r.context.insert(key, value.clone());
            let shown = match value {
                ContextValue::Single(v) => v.clone(),
                ContextValue::Multi(list) => list.join(", "),
            };
            chosen.push((key.to_owned(), shown));
        }
        if !chosen.is_empty() && compiled.authorize(&r).decision == Decision::Allow {
            return Some(chosen);
        }
    }
    None
}

/// The combinations of `options` (each key absent or one of its values), fewest present keys
/// first, at most `limit`.
pub fn combinations(
    options: &[(String, Vec<Option<String>>)],
    limit: usize,
) -> Vec<(Vec<(String, String)>, usize)> {
    let total = options
        .iter()
        .map(|(_, v)| v.len().max(1))
        .try_fold(1usize, |a, b| a.checked_mul(b))
        .unwrap_or(usize::MAX)
        .min(limit.saturating_mul(4));
    let mut all: Vec<(Vec<(String, String)>, usize)> = (0..total)
        .map(|n| {
            let mut rest = n;
            let mut chosen = Vec::new();
            for (key, values) in options {
                let len = values.len().max(1);
                if let Some(Some(v)) = values.get(rest % len) {
                    chosen.push((key.clone(), v.clone()));
                }
                rest /= len;
            }
            (chosen, n)
        })
        .collect();
    all.sort_by_key(|(c, n)| (c.len(), *n));
    all.truncate(limit);
    all
}

/// The conditions of `set` on `key`, in words: `StringNotLike eu-* (Deny DenyOutsideEU)`.
pub fn conditions_on(set: &PolicySet, key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (effect, sid, c) in clauses(set) {
        if !c.key.eq_ignore_ascii_case(key) {
            continue;
        }
        let values: Vec<&str> = c.values.iter().collect();
        let line = format!(
            "{} {} ({effect}{})",
            c.operator_text,
            values.join(" | "),
            sid.map(|s| format!(" `{s}`")).unwrap_or_default()
        );
        if !out.contains(&line) {
            out.push(line);
        }
    }
    out
}

/// The need a chosen context value is: `the request carries `k` = `v` (conditions: …)`.
pub fn need(set: &PolicySet, key: &str, value: &str) -> String {
    let conditions = conditions_on(set, key);
    if conditions.is_empty() {
        format!("the request carries `{key}` = `{value}`")
    } else {
        format!(
            "the request carries `{key}` = `{value}` (conditions on it: {})",
            conditions.join("; ")
        )
    }
}

/// One request of a path, as `along` decides it: the assembled set and request.
pub struct Step {
    pub set: PolicySet,
    pub request: Request,
    pub missing: Vec<String>,
}

/// Whether one attacker can make every step of a path (D105): the keys that describe where and
/// when it is and whether it holds an MFA device ([`SHARED_ALONG_A_PATH`]), where more than one
/// step tests them, take one value (or absence) for the whole path; the other keys take any
/// value per request (the candidates, then z3). `Some`
/// with the shared context found (empty when no step tests a shared key), `None` when no
/// combination of the candidates lets every step be allowed: the path is pruned.
pub fn along(steps: &[Step]) -> Option<Vec<(String, String)>> {
    // A shared key couples the steps only when more than one tests it.
    let mut tested: Vec<(String, usize)> = Vec::new();
    for step in steps {
        for key in open_keys(&step.set, &step.request, &step.missing) {
            if !shared(&key) {
                continue;
            }
            match tested
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(&key))
            {
                Some((_, n)) => *n += 1,
                None => tested.push((key, 1)),
            }
        }
    }
    let shared_keys: Vec<String> = tested
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(k, _)| k)
        .collect();
    if shared_keys.is_empty() {
        return Some(Vec::new());
    }
    let options: Vec<(String, Vec<Option<String>>)> = shared_keys
        .iter()
        .map(|k| {
            let mut values: Vec<Option<String>> = vec![None];
            values.extend(
                candidates(
                    k,
                    steps
                        .iter()
                        .flat_map(|s| clauses(&s.set).map(|(_, _, c)| c)),
                )
                .into_iter()
                .map(Some),
            );
            (k.clone(), values)
        })
        .collect();
    let compiled: Vec<iamspec_model::fast::Compiled> = steps
        .iter()
        .map(|s| iamspec_model::fast::Compiled::new(&s.set))
        .collect();
    let mut solver_calls = vec![0usize; steps.len()];
    let mut walkable = |context: &[(String, String)]| -> bool {
        for (i, (step, compiled)) in steps.iter().zip(&compiled).enumerate() {
            let mut r = step.request.clone();
            for (k, v) in context {
                r.context.insert(k, ContextValue::Single(v.clone()));
            }
            if compiled.authorize(&r).decision == Decision::Allow {
                continue;
            }
            let own: Vec<String> = open_keys(&step.set, &r, &step.missing)
                .into_iter()
                .filter(|k| !shared_keys.iter().any(|s| s.eq_ignore_ascii_case(k)))
                .collect();
            if own.is_empty() {
                return false;
            }
            if witness(&step.set, &r, &own).is_some() {
                continue;
            }
            // z3 at most twice per step of a path: its answer does not depend on the shared
            // values (only its replay does), and each call costs up to its timeout.
            let Some(calls) = solver_calls.get_mut(i) else {
                return false;
            };
            *calls += 1;
            if *calls > 2 || solver_witness(&step.set, &r).is_none() {
                return false;
            }
        }
        true
    };
    // z3 first (D108): it proves that no one caller satisfies every step, or gives shared values
    // that the steps then replay; the candidates below only when it cannot answer.
    match joint(steps, &shared_keys) {
        Joint::Impossible => return None,
        Joint::Witness(context) if walkable(&context) => return Some(context),
        Joint::Witness(_) | Joint::Unknown => {}
    }
    combinations(&options, CONTEXTS_TRIED)
        .into_iter()
        .map(|(context, _)| context)
        .find(|context| walkable(context))
}

/// What z3 says of the steps of a path together (D108).
#[derive(Debug)]
pub enum Joint {
    /// No one caller's values of the shared keys let every step be allowed: proved.
    Impossible,
    /// Values of the shared keys that z3 found (still to be replayed on each step).
    Witness(Vec<(String, String)>),
    /// z3 gave up, or the question could not be put.
    Unknown,
}

/// Whether one caller's values of `shared` keys can satisfy every step at once, asked of z3
/// (`iamspec_solver::never_allows`) as one policy set: each step becomes one SCP level (levels
/// must all allow, so the set allows exactly where every step's projection does) holding
///
/// - an Allow on everything for each Allow statement of the step's identity or resource policies
///   (of its trust policy alone when the resource is a role: the trust policy must allow) that
///   names its action, with the statement's conditions on the shared keys only (the other keys
///   are chosen per request, or fixed, and dropped: this only widens the step);
/// - a Deny on everything for each Deny of the step whose conditions all test shared keys and
///   which, conditions aside, denies the step's request (asked of the evaluator with that
///   statement alone in its place): exact.
///
/// Each projection allows at least where its step can be allowed, so z3 proving that the set
/// allows nothing proves the path cannot be walked by one caller. A witness is only a proposal:
/// the caller replays its values on every step.
pub fn joint(steps: &[Step], shared: &[String]) -> Joint {
    let mut levels = Vec::new();
    for step in steps {
        match projection(step, shared) {
            Some(p) => levels.push(vec![p]),
            None => return Joint::Unknown,
        }
    }
    // Identity policies govern IAM users and role sessions; an SCP does not apply to a
    // service-linked role, so none is a caller here.
    let Some(identity) = crate::decide::policy(
        r#"{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringNotLike":{"aws:PrincipalArn":"arn:*:iam::*:role/aws-service-role/*"}}}"#,
    ) else {
        return Joint::Unknown;
    };
    let set = PolicySet {
        identity: vec![identity],
        scp: Some(levels),
        ..PolicySet::default()
    };
    let options = iamspec_solver::Options {
        timeout: std::time::Duration::from_secs(5),
        max_witnesses: 1,
        callers: iamspec_solver::Callers::IamIdentities,
        ..iamspec_solver::Options::default()
    };
    match iamspec_solver::never_allows(&set, &options) {
        Ok(iamspec_solver::Verdict::Holds) => Joint::Impossible,
        Ok(iamspec_solver::Verdict::Fails(witnesses)) => {
            let Some(w) = witnesses.first() else {
                return Joint::Unknown;
            };
            let context = w
                .request
                .context
                .iter()
                .filter(|(k, _)| shared.iter().any(|s| s.eq_ignore_ascii_case(k)))
                .map(|(k, v)| {
                    let shown = match v {
                        ContextValue::Single(v) => v.clone(),
                        ContextValue::Multi(list) => list.join(", "),
                    };
                    (k.to_owned(), shown)
                })
                .collect();
            Joint::Witness(context)
        }
        Ok(iamspec_solver::Verdict::Unknown(_)) | Err(_) => Joint::Unknown,
    }
}

/// One step as a policy on the shared keys alone ([`joint`]); `None` when it cannot be built.
fn projection(step: &Step, shared: &[String]) -> Option<Policy> {
    let on_shared = |c: &ConditionClause| shared.iter().any(|k| k.eq_ignore_ascii_case(&c.key));
    let everything = |effect: Effect, condition: Vec<ConditionClause>| -> Option<Statement> {
        let text = match effect {
            Effect::Allow => r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#,
            Effect::Deny => r#"{"Effect":"Deny","Action":"*","Resource":"*"}"#,
        };
        let mut s = crate::decide::policy(text)?.statements.into_iter().next()?;
        s.condition = condition;
        Some(s)
    };
    let action = step.request.action.as_str();
    let mut statements = Vec::new();
    // A role's trust policy must allow whatever the identity side says (§4.3): its grants alone
    // bound the step. Otherwise a grant comes from an identity or a resource policy.
    let trust = step.set.resource_kind == Some(iamspec_model::policy::PolicyKind::Trust)
        && step.set.resource.is_some();
    let identity: &[Policy] = if trust { &[] } else { &step.set.identity };
    for s in identity
        .iter()
        .chain(step.set.resource.iter())
        .flat_map(|p| p.statements.iter())
        .filter(|s| s.effect == Effect::Allow && crate::decide::names_action(s, action))
    {
        statements.push(everything(
            Effect::Allow,
            s.condition
                .iter()
                .filter(|c| on_shared(c))
                .cloned()
                .collect(),
        )?);
    }
    if statements.is_empty() {
        // Allowed by no statement this reads: leave the step unconstrained (wider, not exact).
        statements.push(everything(Effect::Allow, Vec::new())?);
    }
    let all: Vec<&Statement> = policies(&step.set)
        .flat_map(|p| p.statements.iter())
        .collect();
    for (k, s) in all.iter().enumerate() {
        if s.effect == Effect::Deny
            && !s.condition.is_empty()
            && s.condition.iter().all(on_shared)
            && denies_alone(step, k)
        {
            statements.push(everything(Effect::Deny, s.condition.clone())?);
        }
    }
    let mut p = crate::decide::policy(r#"{"Effect":"Allow","Action":"*","Resource":"*"}"#)?;
    p.statements = statements;
    Some(p)
}

/// Whether statement `k` of the step's set (in [`policies`] order), its conditions removed and
/// every other statement gone, explicitly denies the step's request.
fn denies_alone(step: &Step, k: usize) -> bool {
    let mut set = step.set.clone();
    let mut n = 0usize;
    let mut keep = |p: &mut Policy| {
        p.statements.retain_mut(|s| {
            let here = n == k;
            n += 1;
            if here {
                s.condition.clear();
            }
            here
        });
    };
    set.identity.iter_mut().for_each(&mut keep);
    set.session.iter_mut().for_each(&mut keep);
    set.permission_boundary.iter_mut().for_each(&mut keep);
    set.resource.iter_mut().for_each(&mut keep);
    set.vpc_endpoint.iter_mut().for_each(&mut keep);
    set.scp.iter_mut().flatten().flatten().for_each(&mut keep);
    set.rcp.iter_mut().flatten().flatten().for_each(&mut keep);
    iamspec_model::fast::Compiled::new(&set)
        .authorize(&step.request)
        .decision
        == Decision::ExplicitDeny
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_give_their_ends_and_regions_real_names() {
        assert_eq!(realize("10.1.0.0/16"), vec!["10.1.0.0", "10.1.255.255"]);
        assert_eq!(realize("3600"), vec!["3600", "3599", "3601"]);
        assert_eq!(realize("repo:example/app:*"), vec!["repo:example/app:x"]);
        assert_eq!(realize("2001:db8::/32"), vec!["2001:db8::"]);
        assert!(caller_chosen("aws:requestedregion"));
        assert!(caller_chosen("aws:RequestTag/team"));
        assert!(!caller_chosen("aws:PrincipalTag/team"));
        let c = candidates("aws:RequestedRegion", std::iter::empty());
        assert_eq!(c, vec!["us-east-1", "eu-central-1"]);
    }

    #[test]
    fn fewest_keys_first() {
        let options = vec![
            ("a".to_owned(), vec![None, Some("1".to_owned())]),
            ("b".to_owned(), vec![None, Some("2".to_owned())]),
        ];
        let all = combinations(&options, 10);
        let sizes: Vec<usize> = all.iter().map(|(c, _)| c.len()).collect();
        assert_eq!(sizes, vec![0, 1, 1, 2]);
    }
}
