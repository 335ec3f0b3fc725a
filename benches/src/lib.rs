//! Shared workloads for the criterion benchmarks (`benches/*.rs`) and the corpus-compile example.
//!
//! A workload is a list of [`Scenario`]s: the policies in force for one principal and the
//! requests asked under them. Every evaluator is prepared once per scenario (the fast one compiles
//! its policies, the reference one prepares nothing) and then asked every request; [`decide_all`]
//! is the measured loop. Everything random is drawn from [`Rng`] with a fixed seed, so that two
//! runs measure the same requests.
//!
//! * [`conformance_suites`]: every valid case of `conformance/suites/*.json`, one request each;
//! * [`corpus_workload`]: principals holding 1 to 8 AWS managed policies, some with a permissions
//!   boundary and SCP levels, asked about catalogue actions on ARNs built from the catalogue's
//!   ARN templates;
//! * [`scaling`]: synthetic identity policies of a given number of statements, of which a given
//!   number name the request's service;
//! * [`corpus_policy_set`]: the whole managed-policy corpus as one principal's identity policies.

use iamspec_conformance::Suite;
use iamspec_corpus::catalogue::{ActionRef, Catalogue};
use iamspec_corpus::managed::ManagedPolicy;
use iamspec_model::fast::Compiled;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::{check, Policy, PolicyKind};
use iamspec_model::{Decision, Evaluator, PolicySet, Request};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// The account every principal of the generated workloads belongs to.
pub const ACCOUNT: &str = "111122223333";

/// The policies in force for one principal and the requests asked under them.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub name: String,
    pub policies: PolicySet,
    pub requests: Vec<Request>,
}

/// How many decisions one pass over `scenarios` makes.
pub fn decision_count(scenarios: &[Scenario]) -> usize {
    scenarios.iter().map(|s| s.requests.len()).sum()
}

/// The fast evaluator for every scenario, compiled once.
pub fn compile_all(scenarios: &[Scenario]) -> Vec<Compiled> {
    scenarios
        .iter()
        .map(|s| Compiled::new(&s.policies))
        .collect()
}

/// The reference evaluator for every scenario (nothing is prepared in advance).
pub fn reference_all(scenarios: &[Scenario]) -> Vec<iamspec_model::evaluator::Reference<'_>> {
    scenarios
        .iter()
        .map(|s| iamspec_model::evaluator::Reference::new(&s.policies))
        .collect()
}

/// The measured loop: every request of every scenario, decided by that scenario's evaluator.
/// Returns how many were allowed, so that the work cannot be optimised away.
pub fn decide_all<E: Evaluator>(evaluators: &[E], scenarios: &[Scenario]) -> usize {
    let mut allowed = 0;
    for (evaluator, scenario) in evaluators.iter().zip(scenarios) {
        for request in &scenario.requests {
            let verdict = evaluator.decide(std::hint::black_box(request));
            allowed += usize::from(verdict.decision == Decision::Allow);
        }
    }
    allowed
}

/// How many requests of the workload are allowed, explicitly denied and implicitly denied (by
/// the reference evaluator): a workload where everything is denied would measure little.
pub fn decision_mix(scenarios: &[Scenario]) -> [usize; 3] {
    let mut mix = [0; 3];
    for scenario in scenarios {
        for request in &scenario.requests {
            let answer = iamspec_model::reference::authorize(&scenario.policies, request);
            let slot = match answer.decision {
                Decision::Allow => mix.get_mut(0),
                Decision::ExplicitDeny => mix.get_mut(1),
                Decision::ImplicitDeny => mix.get_mut(2),
            };
            if let Some(n) = slot {
                *n += 1;
            }
        }
    }
    mix
}

// ---------------------------------------------------------------------------------------------
// Randomness

/// SplitMix64: small, seedable and good enough to pick workload items; no dependency.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`0` when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        // The modulo bias is irrelevant for picking workload items.
        usize::try_from(self.next_u64() % (n as u64)).unwrap_or(0)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(self.below(items.len()))
    }
}

// ---------------------------------------------------------------------------------------------
// Conformance suites

/// The committed suites, `conformance/suites` in the repository.
pub fn suites_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("conformance")
        .join("suites")
}

/// Every case of the suite files under `paths` whose inputs are valid, one scenario each; also
/// returns how many cases were skipped because their inputs are invalid (nothing to decide).
pub fn load_suites(paths: &[PathBuf]) -> Result<(Vec<Scenario>, usize), String> {
    let files = Suite::discover(paths).map_err(|e| e.to_string())?;
    let mut scenarios = Vec::new();
    let mut skipped = 0;
    for file in &files {
        let suite = Suite::load(file).map_err(|e| e.to_string())?;
        for case in &suite.cases {
            match case.inputs() {
                Ok((request, policies)) => scenarios.push(Scenario {
                    name: format!("{}/{}", suite.name, case.id),
                    policies,
                    requests: vec![request],
                }),
                Err(_) => skipped += 1,
            }
        }
    }
    Ok((scenarios, skipped))
}

/// [`load_suites`] on the committed suites.
pub fn conformance_suites() -> Result<(Vec<Scenario>, usize), String> {
    load_suites(&[suites_dir()])
}

// ---------------------------------------------------------------------------------------------
// Policies from JSON

/// Reads `document` as a policy of `kind`; `None` when validation finds an error that blocks
/// evaluation (size quotas do not, as in [`PolicySet::from_json`]).
pub fn policy_of_kind(document: &Value, kind: PolicyKind) -> Option<Policy> {
    let json = Json::parse(&document.to_string()).ok()?;
    let (policy, findings) = check(&json, kind, None);
    if findings.iter().any(|f| f.blocks_evaluation()) {
        return None;
    }
    policy
}

/// Reads a request in the conformance format.
pub fn request_from(value: &Value) -> Option<Request> {
    let json = Json::parse(&value.to_string()).ok()?;
    Request::from_json(&json, &JsonPath::root()).ok()
}

/// One managed policy, checked as an identity policy, with the action patterns its `Allow`
/// statements name (what a request for this principal is likely to be about).
#[derive(Clone, Debug)]
pub struct Usable {
    pub name: String,
    pub policy: Policy,
    pub allowed_actions: Vec<String>,
}

/// The managed policies that are valid identity policies (the corpus has a few that are not:
/// they are skipped, as an evaluator would skip them), with the count of those skipped.
pub fn usable_managed(managed: &[ManagedPolicy]) -> (Vec<Usable>, usize) {
    let mut usable = Vec::new();
    let mut skipped = 0;
    for m in managed {
        match policy_of_kind(&m.document, PolicyKind::Identity) {
            Some(policy) => usable.push(Usable {
                name: m.name.clone(),
                policy,
                allowed_actions: allowed_actions(&m.document),
            }),
            None => skipped += 1,
        }
    }
    (usable, skipped)
}

fn allowed_actions(document: &Value) -> Vec<String> {
    let statements = match document.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(one @ Value::Object(_)) => vec![one],
        _ => Vec::new(),
    };
    let mut actions = Vec::new();
    for statement in statements {
        if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
            continue;
        }
        match statement.get("Action") {
            Some(Value::String(a)) => actions.push(a.clone()),
            Some(Value::Array(items)) => {
                actions.extend(items.iter().filter_map(Value::as_str).map(str::to_owned))
            }
            _ => {}
        }
    }
    actions
}

/// The whole managed-policy corpus as the identity policies of one principal: what
/// "compiling the corpus into one evaluator" compiles. Also returns how many were skipped.
pub fn corpus_policy_set(managed: &[ManagedPolicy]) -> (PolicySet, usize) {
    let (usable, skipped) = usable_managed(managed);
    let set = PolicySet {
        identity: usable.into_iter().map(|u| u.policy).collect(),
        ..PolicySet::default()
    };
    (set, skipped)
}

/// How many statements a policy set holds, over every kind.
pub fn statement_count(set: &PolicySet) -> usize {
    let levels = |levels: &Option<Vec<Vec<Policy>>>| -> usize {
        levels
            .iter()
            .flatten()
            .flatten()
            .map(|p| p.statements.len())
            .sum()
    };
    set.identity
        .iter()
        .chain(&set.session)
        .chain(&set.permission_boundary)
        .chain(&set.resource)
        .chain(&set.vpc_endpoint)
        .map(|p| p.statements.len())
        .sum::<usize>()
        + levels(&set.scp)
        + levels(&set.rcp)
}

// ---------------------------------------------------------------------------------------------
// Corpus workload

/// The shape of the corpus workload.
#[derive(Clone, Copy, Debug)]
pub struct CorpusConfig {
    pub principals: usize,
    pub requests_per_principal: usize,
    /// Percent of principals with a permissions boundary.
    pub boundary_percent: usize,
    /// Percent of principals whose account is governed by SCPs.
    pub scp_percent: usize,
    /// Percent of requests about an action one of the principal's policies allows (the rest are
    /// about any catalogue action).
    pub granted_percent: usize,
    pub seed: u64,
}

impl Default for CorpusConfig {
    fn default() -> CorpusConfig {
        CorpusConfig {
            principals: 100,
            requests_per_principal: 50,
            boundary_percent: 30,
            scp_percent: 40,
            granted_percent: 70,
            seed: 0x1A4_5EC,
        }
    }
}

const REGIONS: [&str; 4] = ["us-east-1", "us-east-1", "eu-west-1", "ap-southeast-2"];

/// SCPs in the style AWS documents: `FullAWSAccess` at the root, a deny list (leaving the
/// organization, switching off CloudTrail) and a region restriction at an OU, and sometimes an
/// allow list of services instead of `FullAWSAccess` at the account.
fn scp_documents() -> [Value; 4] {
    [
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "*", "Resource": "*"}]}),
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyLeavingAndAuditTampering", "Effect": "Deny",
             "Action": ["organizations:LeaveOrganization", "cloudtrail:StopLogging",
                        "cloudtrail:DeleteTrail", "config:DeleteConfigRule",
                        "guardduty:DeleteDetector", "iam:CreateAccessKey"],
             "Resource": "*"},
            {"Sid": "DenyOutsideRegions", "Effect": "Deny",
             "NotAction": ["iam:*", "sts:*", "organizations:*", "cloudfront:*", "route53:*",
                           "support:*", "budgets:*", "waf:*", "globalaccelerator:*"],
             "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}},
            {"Sid": "RequireSecureTransport", "Effect": "Deny", "Action": "s3:*", "Resource": "*",
             "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}),
        json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow",
             "Action": ["s3:*", "ec2:*", "lambda:*", "dynamodb:*", "sqs:*", "sns:*", "logs:*",
                        "cloudwatch:*", "iam:Get*", "iam:List*", "kms:*", "rds:*", "ecs:*",
                        "ecr:*", "sts:*", "cloudformation:*", "elasticloadbalancing:*",
                        "autoscaling:*", "secretsmanager:*", "ssm:*"],
             "Resource": "*"}]}),
        json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "DenyUnlessTagged", "Effect": "Deny",
             "Action": ["ec2:RunInstances", "ec2:CreateVolume"],
             "Resource": "*",
             "Condition": {"Null": {"aws:RequestTag/team": "true"}}},
            {"Sid": "DenyRootLikeIam", "Effect": "Deny",
             "Action": ["iam:CreateUser", "iam:DeleteRole", "iam:PutRolePolicy"],
             "Resource": "*",
             "Condition": {"StringNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/admin-*"}}}]}),
    ]
}

/// Principals holding 1 to 8 managed policies from `usable`, some with a permissions boundary
/// (another managed policy) and some governed by two or three SCP levels, each asked
/// `requests_per_principal` questions about catalogue actions on ARNs built from the catalogue's
/// ARN templates. Deterministic for a given `config.seed`.
pub fn corpus_workload(
    usable: &[Usable],
    catalogue: &Catalogue,
    config: &CorpusConfig,
) -> Vec<Scenario> {
    let mut rng = Rng::new(config.seed);
    let all_actions: Vec<ActionRef<'_>> = catalogue.actions().collect();
    let scps: Vec<Policy> = scp_documents()
        .iter()
        .filter_map(|d| policy_of_kind(d, PolicyKind::Scp))
        .collect();
    let mut scenarios = Vec::with_capacity(config.principals);
    for p in 0..config.principals {
        let held = 1 + rng.below(8);
        let mut chosen: Vec<&Usable> = Vec::with_capacity(held);
        for _ in 0..held {
            if let Some(u) = rng.pick(usable) {
                chosen.push(u);
            }
        }
        let mut policies = PolicySet {
            identity: chosen.iter().map(|u| u.policy.clone()).collect(),
            ..PolicySet::default()
        };
        if rng.chance(config.boundary_percent) {
            policies.permission_boundary = rng.pick(usable).map(|u| u.policy.clone());
        }
        if rng.chance(config.scp_percent) {
            policies.scp = Some(scp_levels(&scps, &mut rng));
        }
        let granted: Vec<&str> = chosen
            .iter()
            .flat_map(|u| u.allowed_actions.iter().map(String::as_str))
            .collect();
        let role = format!("role-{p}");
        let mut requests = Vec::with_capacity(config.requests_per_principal);
        let mut attempts = 0;
        while requests.len() < config.requests_per_principal
            && attempts < config.requests_per_principal * 4
        {
            attempts += 1;
            let action = if rng.chance(config.granted_percent) {
                granted_action(&granted, catalogue, &mut rng)
            } else {
                None
            }
            .or_else(|| rng.pick(&all_actions).copied());
            let Some(action) = action else { continue };
            if let Some(request) = corpus_request(&role, action, &mut rng) {
                requests.push(request);
            }
        }
        scenarios.push(Scenario {
            name: format!("principal-{p} ({held} managed policies)"),
            policies,
            requests,
        });
    }
    scenarios
}

/// Root `FullAWSAccess`, an OU with the deny list or the allow list, and sometimes an account
/// level with the tag and IAM guard rails.
fn scp_levels(scps: &[Policy], rng: &mut Rng) -> Vec<Vec<Policy>> {
    let full = scps.first().cloned();
    let nth = |i: usize| scps.get(i).cloned();
    let mut levels = vec![full.clone().into_iter().collect::<Vec<_>>()];
    let ou: Vec<Policy> = if rng.chance(70) {
        full.clone().into_iter().chain(nth(1)).collect()
    } else {
        nth(2).into_iter().collect()
    };
    levels.push(ou);
    if rng.chance(50) {
        levels.push(full.into_iter().chain(nth(3)).collect());
    }
    levels
}

/// An action that one of `granted` (action patterns of the principal's `Allow` statements)
/// matches, according to the catalogue.
fn granted_action<'c>(
    granted: &[&str],
    catalogue: &'c Catalogue,
    rng: &mut Rng,
) -> Option<ActionRef<'c>> {
    let pattern = rng.pick(granted)?;
    // `*` expands to the whole catalogue; picking any action is the same and much cheaper.
    if *pattern == "*" {
        return None;
    }
    let expanded = catalogue.expand(pattern);
    rng.pick(&expanded).copied()
}

/// A request by a session of `role` for `action` on a resource of one of its resource types
/// (the ARN template filled in), or on `*` when it takes none.
fn corpus_request(role: &str, action: ActionRef<'_>, rng: &mut Rng) -> Option<Request> {
    let region = *rng.pick(&REGIONS)?;
    let template = {
        let types: Vec<_> = action
            .resource_types()
            .filter_map(|(_, rt)| rt.map(|rt| rt.arn().to_owned()))
            .collect();
        rng.pick(&types).cloned()
    };
    let resource = match template {
        Some(template) => fill_template(&template, region, rng),
        None => "*".to_owned(),
    };
    let qualified = format!("{}:{}", action.service().prefix(), action.action().name());
    let mut context = serde_json::Map::new();
    context.insert("aws:RequestedRegion".into(), json!(region));
    context.insert("aws:SecureTransport".into(), json!(rng.chance(95)));
    context.insert("aws:CurrentTime".into(), json!("2026-11-23T12:00:00Z"));
    context.insert(
        "aws:SourceIp".into(),
        json!(format!("203.0.113.{}", rng.below(250))),
    );
    context.insert(
        "aws:MultiFactorAuthPresent".into(),
        json!(rng.chance(50).to_string()),
    );
    if rng.chance(50) {
        context.insert("aws:PrincipalTag/team".into(), json!("blue"));
        context.insert("aws:RequestTag/team".into(), json!("blue"));
        context.insert("aws:TagKeys".into(), json!(["team"]));
    }
    request_from(&json!({
        "principal": format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/session"),
        "action": qualified,
        "resource": resource,
        "context": Value::Object(context),
    }))
}

/// Fills an ARN template of the catalogue (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`):
/// partition `aws`, the request's region, the principal's account, and short names elsewhere.
pub fn fill_template(template: &str, region: &str, rng: &mut Rng) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        let after = rest.get(start + 2..).unwrap_or("");
        let Some(end) = after.find('}') else {
            out.push_str(rest.get(start..).unwrap_or(""));
            rest = "";
            break;
        };
        let name = after.get(..end).unwrap_or("");
        match name {
            "Partition" => out.push_str("aws"),
            "Region" => out.push_str(region),
            "Account" | "AccountId" => out.push_str(ACCOUNT),
            _ => {
                let n = rng.below(20);
                out.push_str(&format!("{}-{n}", name.to_lowercase()));
            }
        }
        rest = after.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Scaling

/// How many statements share one identity policy in [`scaling`].
pub const STATEMENTS_PER_POLICY: usize = 100;

/// Identity policies with `statements` statements in all, of which `naming_service` (at most
/// `statements`) name the request's service `svc0`; the others name `svc1`, `svc2`, … ten
/// statements to a service. Every statement is of the usual shape: two actions (one literal, one
/// prefix pattern), a resource pattern and a condition. The requests ask about `svc0` actions:
/// some allowed by one of its statements, some by none.
pub fn scaling(statements: usize, naming_service: usize) -> Scenario {
    let naming_service = naming_service.min(statements);
    let mut documents: Vec<Value> = Vec::new();
    let mut current: Vec<Value> = Vec::new();
    for k in 0..statements {
        let service = if k < naming_service {
            0
        } else {
            1 + (k - naming_service) / 10
        };
        current.push(json!({
            "Sid": format!("S{k}"),
            "Effect": "Allow",
            "Action": [format!("svc{service}:GetThing{k}"), format!("svc{service}:List{k}*")],
            "Resource": format!("arn:aws:svc{service}:*:{ACCOUNT}:thing/{k}/*"),
            "Condition": {"StringEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}},
        }));
        if current.len() == STATEMENTS_PER_POLICY {
            documents.push(json!({"Version": "2012-10-17", "Statement": current}));
            current = Vec::new();
        }
    }
    if !current.is_empty() {
        documents.push(json!({"Version": "2012-10-17", "Statement": current}));
    }
    let identity = documents
        .iter()
        .filter_map(|d| policy_of_kind(d, PolicyKind::Identity))
        .collect();
    let last = naming_service.saturating_sub(1);
    let asks = [
        // Allowed by the first and by the last statement naming `svc0`.
        ("svc0:GetThing0", "thing/0/a"),
        (
            &*format!("svc0:GetThing{last}"),
            &*format!("thing/{last}/b"),
        ),
        (
            &*format!("svc0:List{last}Items"),
            &*format!("thing/{last}/c"),
        ),
        // Right action, wrong resource; then an action no statement names.
        ("svc0:GetThing0", "thing/999999/a"),
        ("svc0:DeleteThing0", "thing/0/a"),
        ("svc0:PutThing", "thing/0/a"),
    ]
    .map(|(a, r)| (a.to_owned(), r.to_owned()));
    let requests = asks
        .iter()
        .filter_map(|(action, resource)| {
            request_from(&json!({
                "principal": format!("arn:aws:iam::{ACCOUNT}:user/alice"),
                "action": action,
                "resource": format!("arn:aws:svc0:us-east-1:{ACCOUNT}:{resource}"),
                "context": {"aws:RequestedRegion": "us-east-1"},
            }))
        })
        .collect();
    Scenario {
        name: format!("{statements} statements, {naming_service} naming the service"),
        policies: PolicySet {
            identity,
            ..PolicySet::default()
        },
        requests,
    }
}

// ---------------------------------------------------------------------------------------------
// Memory

/// A `kB` field of `/proc/self/status` (`VmHWM`, `VmRSS`), in KiB; `None` off Linux.
pub fn proc_status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status.lines().find_map(|line| {
        let rest = line.strip_prefix(field)?.strip_prefix(':')?;
        rest.trim().trim_end_matches("kB").trim().parse().ok()
    })
}

/// The time the calling thread has spent on a CPU (`/proc/thread-self/schedstat`, first field);
/// `None` off Linux. The kernel brings it up to date at each scheduler tick, so a reading may lag
/// by a few milliseconds: use it over rounds of a second or so, not for one decision. On a machine
/// shared with other work, decisions per CPU-second are the single-threaded rate, where decisions
/// per wall-clock second also count the time other processes held the CPU.
pub fn thread_cpu_time() -> Option<std::time::Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(std::time::Duration::from_nanos(nanos))
}

/// Resets `VmHWM` to the current resident size (Linux `clear_refs` value 5), so that a later
/// reading is the peak of what follows. Returns whether the kernel accepted it.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// The lint workload of 10,000 statements (the bench and `examples/lint_profile.rs`): each on
/// its own bucket, half with a condition.
pub fn ten_thousand_statements() -> String {
    let statements: Vec<String> = (0..10_000)
        .map(|i| {
            let condition = if i % 2 == 0 {
                r#", "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}"#
            } else {
                ""
            };
            format!(
                r#"{{"Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"], "Resource": "arn:aws:s3:::bucket-{i}/*"{condition}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_conformance_workload_has_the_valid_cases() {
        let (scenarios, skipped) = conformance_suites().unwrap();
        assert!(scenarios.len() >= 700, "{}", scenarios.len());
        assert!(skipped > 0, "the suites have invalid cases to skip");
        assert!(scenarios.iter().all(|s| s.requests.len() == 1));
    }

    #[test]
    fn templates_are_filled_with_partition_region_and_account() {
        let mut rng = Rng::new(1);
        let arn = fill_template(
            "arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}",
            "eu-west-1",
            &mut rng,
        );
        assert!(
            arn.starts_with("arn:aws:dynamodb:eu-west-1:111122223333:table/tablename-"),
            "{arn}"
        );
        assert!(!arn.contains('$'));
    }

    #[test]
    fn scaling_names_the_service_in_the_requested_number_of_statements() {
        let scenario = scaling(1000, 10);
        assert_eq!(statement_count(&scenario.policies), 1000);
        assert_eq!(scenario.policies.identity.len(), 10);
        assert_eq!(scenario.requests.len(), 6);
        // The first three requests are allowed, the rest are not, with 10 statements or 10,000.
        let mix: Vec<Decision> = scenario
            .requests
            .iter()
            .map(|r| iamspec_model::reference::authorize(&scenario.policies, r).decision)
            .collect();
        let allow = Decision::Allow;
        let deny = Decision::ImplicitDeny;
        assert_eq!(mix, [allow, allow, allow, deny, deny, deny]);
        assert_eq!(statement_count(&scaling(1, 10).policies), 1);
    }

    #[test]
    fn the_corpus_workload_is_deterministic_and_mixed() {
        let Some(managed) = ManagedPolicy::load_shared().unwrap() else {
            eprintln!("no managed-policy corpus in ../shared/data: skipped");
            return;
        };
        let (usable, _) = usable_managed(&managed);
        let config = CorpusConfig {
            principals: 10,
            requests_per_principal: 20,
            ..CorpusConfig::default()
        };
        let catalogue = Catalogue::embedded();
        let a = corpus_workload(&usable, catalogue, &config);
        let b = corpus_workload(&usable, catalogue, &config);
        assert_eq!(decision_count(&a), 200);
        let requests = |w: &[Scenario]| -> Vec<Request> {
            w.iter().flat_map(|s| s.requests.clone()).collect()
        };
        assert_eq!(requests(&a), requests(&b));
        let [allow, explicit, implicit] = decision_mix(&a);
        assert!(allow > 0 && implicit > 0, "{allow} {explicit} {implicit}");
    }

    #[test]
    fn proc_status_reads_resident_size_and_cpu_time() {
        if cfg!(target_os = "linux") {
            assert!(proc_status_kib("VmHWM").unwrap() > 0);
            assert!(proc_status_kib("VmRSS").unwrap() > 0);
            let before = thread_cpu_time().unwrap();
            // Spin until the kernel has accounted some CPU time to this thread.
            let mut spins = 0u64;
            while thread_cpu_time().unwrap() == before && spins < 1_000_000_000 {
                spins = std::hint::black_box(spins + 1);
            }
            assert!(thread_cpu_time().unwrap() > before);
        }
    }
}
