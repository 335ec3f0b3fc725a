//! `iamspec equiv`: are two policies (or policy sets) equivalent? Also the input handling and
//! witness printing that `check` and `reach` share.

use crate::{input, EXIT_INPUT};
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::{check, Policy, PolicyKind};
use iamspec_model::request::Action;
use iamspec_model::PolicySet;
use iamspec_solver::harness::{accounts_named, place_in, Placed, DEFAULT_ACCOUNT};
use iamspec_solver::{Options, SolverError, Verdict, Witness};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Exit status when the solver cannot decide (timeout, unsupported construct).
pub const EXIT_UNKNOWN: u8 = 3;
/// Exit status for a solver bug (a witness that does not replay).
pub const EXIT_BUG: u8 = 4;

#[derive(clap::Args)]
pub struct Args {
    /// The first policy document, or a policy set (a conformance case's `policies` object).
    a: PathBuf,
    /// The second, of the same form.
    b: PathBuf,
    #[command(flatten)]
    common: Common,
}

/// Options shared by the solver commands.
#[derive(clap::Args, Clone)]
pub struct Common {
    /// The kind of policy documents: identity, resource, trust, boundary, session, scp, rcp,
    /// vpc_endpoint. Ignored for policy sets.
    #[arg(long, default_value = "identity")]
    pub kind: PolicyKind,
    #[command(flatten)]
    pub output: crate::output::FindingsOutputArgs,
    /// What a SARIF result points at: the rule and the file (set by the command, not an
    /// argument).
    #[arg(skip)]
    pub sarif_target: SarifTarget,
    /// The files the answer is about, named by each JSON record (set by the command).
    #[arg(skip)]
    pub files: Vec<String>,
    /// Seconds z3 may spend on each query.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// How many witnesses to find when the property fails (at least 1).
    #[arg(long, default_value_t = 3)]
    pub witnesses: usize,
    /// Write the witnesses as a conformance suite to FILE (the terminal gets the summary).
    #[arg(long, value_name = "FILE")]
    pub witnesses_out: Option<PathBuf>,
    /// Only requests on resources owned by this account (12 digits); single policies are
    /// deployed in it (its KMS keys and roles delegate to IAM).
    #[arg(long)]
    pub resource_account: Option<String>,
}

/// The rule and file a SARIF result of a solver command names.
#[derive(Clone, Debug, Default)]
pub struct SarifTarget {
    pub rule: &'static str,
    pub description: &'static str,
    pub file: String,
}

impl Common {
    pub fn out(&self) -> crate::output::Output {
        self.output.resolve()
    }

    /// `--format json` or `--json`.
    pub fn json(&self) -> bool {
        self.out().json()
    }

    /// Prints `record` as every command's JSON is shaped: an array of records, each naming
    /// its files (issue 14).
    pub fn print_json(&self, record: serde_json::Value) {
        let mut named = serde_json::Map::new();
        named.insert("files".into(), json!(self.files));
        match record {
            serde_json::Value::Object(fields) => named.extend(fields),
            other => {
                named.insert("answer".into(), other);
            }
        }
        println!(
            "{}",
            serde_json::Value::Array(vec![serde_json::Value::Object(named)])
        );
    }

    pub fn sarif(&self) -> bool {
        self.out().format == crate::output::Format::Sarif
    }

    /// `-q`: the answer without the notes (placements, assumptions).
    pub fn quiet(&self) -> bool {
        self.out().quiet
    }

    /// The verdict word in colour when colour is on (`--color`, `NO_COLOR`).
    pub fn headline(&self, text: &str, bad: bool) -> String {
        let paint = if bad {
            crate::output::Paint::Red
        } else {
            crate::output::Paint::Green
        };
        self.out().paint(paint, text).to_string()
    }

    /// Prints a SARIF 2.1.0 log with one result per message (`level`: error, warning).
    pub fn print_sarif(&self, results: &[(&str, String)]) {
        let target = &self.sarif_target;
        let results: Vec<serde_json::Value> = results
            .iter()
            .map(|(level, text)| {
                json!({
                    "ruleId": target.rule,
                    "level": level,
                    "message": {"text": text},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": target.file}}}]
                })
            })
            .collect();
        let log = json!({
            "version": "2.1.0",
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "runs": [{
                "tool": {"driver": {
                    "name": "iamspec",
                    "rules": [{"id": target.rule, "shortDescription": {"text": target.description}}]
                }},
                "results": results
            }]
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&log).unwrap_or_else(|_| log.to_string())
        );
    }

    pub fn options(&self) -> Options {
        Options {
            timeout: Duration::from_secs(self.timeout),
            max_witnesses: self.witnesses.max(1),
            resource_account: self.resource_account.clone(),
            ..Options::default()
        }
    }

    /// The arguments that no query can take, as a message.
    pub fn invalid(&self) -> Option<String> {
        if self.witnesses == 0 {
            return Some("`--witnesses 0`: ask for at least one witness".into());
        }
        if self.timeout == 0 {
            return Some("`--timeout 0`: give z3 at least one second".into());
        }
        match &self.resource_account {
            Some(a) if !iamspec_model::principal::is_account_id(a) => Some(format!(
                "`--resource-account {a}`: not a 12-digit account id"
            )),
            _ => None,
        }
    }
}

/// Actions that a policy names (in `Action` or `NotAction`) and that match no action of the
/// catalogue: likely typos, about which a verdict says nothing.
pub fn unknown_actions(policy: &Policy) -> Vec<String> {
    let catalogue = iamspec_corpus::Catalogue::embedded();
    let mut unknown: Vec<String> = Vec::new();
    for statement in &policy.statements {
        for pattern in statement.action.patterns.iter() {
            if pattern != "*"
                && catalogue.expand(pattern).is_empty()
                && !unknown.iter().any(|u| u == pattern)
            {
                unknown.push(pattern.to_owned());
            }
        }
    }
    unknown
}

/// Warnings about the inputs of a comparison: actions the catalogue does not list.
pub fn input_warnings(inputs: &[&Input]) -> Vec<String> {
    let mut warnings = Vec::new();
    for input in inputs {
        let policies: Vec<&Policy> = match input {
            Input::Policy { policy, .. } => vec![policy],
            Input::Set { set, .. } => policies_of(set),
        };
        for policy in policies {
            for action in unknown_actions(policy) {
                let line = format!(
                    "`{action}` matches no action of {}: a typo? The verdict covers it only as named",
                    iamspec_solver::catalogue_assumption()
                );
                if !warnings.contains(&line) {
                    warnings.push(line);
                }
            }
        }
    }
    warnings
}

fn policies_of(set: &PolicySet) -> Vec<&Policy> {
    let mut all: Vec<&Policy> = set.identity.iter().chain(&set.session).collect();
    all.extend(set.permission_boundary.iter());
    all.extend(set.resource.iter());
    all.extend(set.vpc_endpoint.iter());
    for levels in set.scp.iter().chain(&set.rcp) {
        all.extend(levels.iter().flatten());
    }
    all
}

/// A file given to a solver command.
pub enum Input {
    Policy { policy: Policy, json: Json },
    Set { set: Box<PolicySet>, json: Json },
}

/// Reads a policy document (validated as `kind`) or a policy set.
pub fn load(path: &Path, kind: PolicyKind) -> Result<Input, String> {
    let (input::Source { name, text }, json) = input::read_json(path)?;
    if json.get("Statement").is_some() {
        let (policy, findings) = check(&json, kind, Some(&text));
        if let Some(finding) = findings.iter().find(|f| f.blocks_evaluation()) {
            return Err(format!("{name}: {finding}"));
        }
        let policy = policy.ok_or_else(|| format!("{name}: not a policy document"))?;
        return Ok(Input::Policy { policy, json });
    }
    // A policy set is validated for a request of some action; trust policies need an STS one.
    let action = if kind == PolicyKind::Trust {
        "sts:AssumeRole"
    } else {
        "s3:GetObject"
    };
    let action = Action::parse(action).ok_or_else(|| "internal: bad action".to_owned())?;
    let set = PolicySet::from_json(&json, &JsonPath::root(), &action).map_err(|e| {
        format!("{name}: {e} (expected a policy document with `Statement`, or a policy set)")
    })?;
    Ok(Input::Set {
        set: Box::new(set),
        json,
    })
}

impl Input {
    /// The policy sets the input is compared in (one for a set; see `harness::place_in`),
    /// deployed in `accounts`.
    pub fn placed(&self, kind: PolicyKind, accounts: &[String]) -> Vec<Placed> {
        match self {
            Input::Policy { policy, json } => place_in(kind, policy, json, accounts),
            Input::Set { set, json } => vec![Placed {
                set: (**set).clone(),
                json: json.clone(),
                label: AS_GIVEN.into(),
            }],
        }
    }

    /// The action patterns its policies name without a wildcard.
    pub fn actions_named(&self) -> Vec<String> {
        let policies: Vec<&Policy> = match self {
            Input::Policy { policy, .. } => vec![policy],
            Input::Set { set, .. } => policies_of(set),
        };
        policies
            .iter()
            .flat_map(|p| &p.statements)
            .flat_map(|s| s.action.patterns.iter())
            .filter(|a| !a.contains(['*', '?']))
            .map(str::to_owned)
            .collect()
    }

    /// The accounts it names.
    pub fn accounts(&self) -> Vec<String> {
        match self {
            Input::Policy { policy, .. } => accounts_named(policy),
            Input::Set { set, .. } => policies_of(set)
                .into_iter()
                .flat_map(accounts_named)
                .collect(),
        }
    }

    pub fn is_set(&self) -> bool {
        matches!(self, Input::Set { .. })
    }
}

/// The label of a policy set compared as given.
pub const AS_GIVEN: &str = "as given";

/// The accounts single policies are deployed in: `--resource-account` (or the harness's
/// default), then every account the inputs name.
pub fn deployment(common: &Common, inputs: &[&Input]) -> Vec<String> {
    let mut accounts = vec![common
        .resource_account
        .clone()
        .unwrap_or_else(|| DEFAULT_ACCOUNT.to_owned())];
    for input in inputs {
        for a in input.accounts() {
            if !accounts.contains(&a) {
                accounts.push(a);
            }
        }
    }
    accounts
}

/// Both inputs of a comparison, placed alike, and the warnings about them.
pub struct Pair {
    pub a: Vec<Placed>,
    pub b: Vec<Placed>,
    pub warnings: Vec<String>,
}

/// Loads both inputs of a comparison, which must be of the same form.
pub fn load_pair(a: &Path, b: &Path, common: &Common) -> Result<Pair, String> {
    if let Some(message) = common.invalid() {
        return Err(message);
    }
    let kind = common.kind;
    let a_input = load(a, kind)?;
    let b_input = load(b, kind)?;
    if a_input.is_set() != b_input.is_set() {
        return Err("compare two policy documents or two policy sets, not one of each".into());
    }
    let accounts = deployment(common, &[&a_input, &b_input]);
    Ok(Pair {
        a: a_input.placed(kind, &accounts),
        b: b_input.placed(kind, &accounts),
        warnings: input_warnings(&[&a_input, &b_input]),
    })
}

/// How a comparison over several placements came out.
pub enum Combined {
    Holds,
    /// The first failing placement: its index and witnesses.
    Fails(usize, Vec<Witness>),
    Unknown(String),
}

/// Runs `query` on each placement pair; fails at the first failure; unknown if any is.
pub fn combine(
    pairs: usize,
    mut query: impl FnMut(usize) -> Result<Verdict, SolverError>,
) -> Result<Combined, SolverError> {
    let mut unknown = None;
    for index in 0..pairs {
        match query(index)? {
            Verdict::Holds => {}
            Verdict::Fails(witnesses) => return Ok(Combined::Fails(index, witnesses)),
            Verdict::Unknown(reason) => unknown = unknown.or(Some(reason)),
        }
    }
    Ok(match unknown {
        Some(reason) => Combined::Unknown(reason),
        None => Combined::Holds,
    })
}

/// A witness as conformance cases (FORMAT.md), one per policy set of the query.
pub fn witness_cases(
    number: usize,
    witness: &Witness,
    sides: &[(&str, &Json)],
    why: &str,
) -> Vec<Json> {
    let text = |t: &str| Json::String(t.to_owned());
    sides
        .iter()
        .zip(&witness.decisions)
        .map(|((side, policies), decision)| {
            object(vec![
                ("id", text(&format!("witness-{number}/{side}"))),
                (
                    "description",
                    text(&format!("{why}: under {side}, {}", decision.as_str())),
                ),
                (
                    "source",
                    text("iamspec solver witness, replayed through the reference evaluator"),
                ),
                ("request", witness.request_json.clone()),
                ("policies", (*policies).clone()),
                (
                    "expect",
                    object(vec![("decision", text(decision.as_str()))]),
                ),
            ])
        })
        .collect()
}

pub fn object(members: Vec<(&str, Json)>) -> Json {
    Json::Object(
        members
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

pub fn suite(cases: Vec<Json>) -> Json {
    object(vec![
        ("format", Json::String("iamspec-conformance/1".into())),
        ("suite", Json::String("witnesses".into())),
        (
            "description",
            Json::String(
                "requests on which the checked property fails, found by the solver".into(),
            ),
        ),
        ("cases", Json::Array(cases)),
    ])
}

/// JSON text with two-space indentation, keys in their order.
pub fn pretty(json: &Json) -> String {
    let mut out = String::new();
    write_pretty(json, 0, &mut out);
    out
}

fn write_pretty(json: &Json, depth: usize, out: &mut String) {
    let indent = |n: usize| "  ".repeat(n);
    match json {
        Json::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (i, item) in items.iter().enumerate() {
                out.push_str(&indent(depth + 1));
                write_pretty(item, depth + 1, out);
                out.push_str(if i + 1 < items.len() { ",\n" } else { "\n" });
            }
            out.push_str(&indent(depth));
            out.push(']');
        }
        Json::Object(members) if !members.is_empty() => {
            out.push_str("{\n");
            for (i, (key, value)) in members.iter().enumerate() {
                out.push_str(&indent(depth + 1));
                out.push_str(&Json::String(key.clone()).to_compact_string());
                out.push_str(": ");
                write_pretty(value, depth + 1, out);
                out.push_str(if i + 1 < members.len() { ",\n" } else { "\n" });
            }
            out.push_str(&indent(depth));
            out.push('}');
        }
        other => out.push_str(&other.to_compact_string()),
    }
}

/// Prints a verdict that failed: a table per witness (or all of it as JSON), and writes the
/// witnesses as a conformance suite to `--witnesses-out`. Returns 1, or 2 when the file cannot
/// be written.
pub fn print_failure(
    common: &Common,
    heading: &str,
    label: &str,
    tables: &[String],
    extra: &[String],
    cases: Vec<Json>,
) -> u8 {
    let count = cases.len();
    let suite = suite(cases);
    let mut status = 1;
    let written = match &common.witnesses_out {
        Some(path) => match std::fs::write(path, pretty(&suite) + "\n") {
            Ok(()) => Some(path.display().to_string()),
            Err(e) => {
                eprintln!("{}: cannot write the witnesses: {e}", path.display());
                status = EXIT_INPUT;
                None
            }
        },
        None => None,
    };
    if common.sarif() {
        let results: Vec<(&str, String)> = tables
            .iter()
            .map(|t| ("error", format!("{heading}: {label}\n{t}")))
            .collect();
        common.print_sarif(&results);
    } else if common.json() {
        let output = object(vec![
            ("verdict", Json::String("fails".into())),
            ("placement", Json::String(label.to_owned())),
            (
                "witnesses",
                Json::Array(tables.iter().map(|l| Json::String(l.clone())).collect()),
            ),
            (
                "notes",
                Json::Array(extra.iter().map(|l| Json::String(l.clone())).collect()),
            ),
            ("suite", suite),
        ]);
        common.print_json(output.to_value());
    } else {
        println!("{}:", common.headline(heading, true));
        println!("checked {label}");
        for table in tables {
            println!();
            print!("{table}");
        }
        for line in extra {
            // The new-actions list answers the question; the rest are notes.
            if !common.quiet() || line.starts_with("new actions") {
                println!("{line}");
            }
        }
        match written {
            Some(path) => println!(
                "wrote {count} conformance cases to {path} (iamspec conformance run {path})"
            ),
            None if common.witnesses_out.is_none() => {
                println!("(--witnesses-out FILE writes them as conformance cases)")
            }
            None => {}
        }
    }
    status
}

/// A witness as a compact table: the request (principal, resource, its account, the context
/// values the policies test), then under each side the decision and the statements that
/// decided it (kind, policy index, statement index, Sid).
pub fn table(number: usize, witness: &Witness, sides: &[(&str, &Placed)]) -> String {
    let r = &witness.request;
    let mut out = format!("witness {number}: {}\n", r.action);
    let mut row = |name: &str, value: &str| out.push_str(&format!("  {name:<17} {value}\n"));
    row("principal", &r.principal_text);
    row("resource", &r.resource.to_string());
    row(
        "resource account",
        r.resource_account.as_deref().unwrap_or("(none)"),
    );
    if let Some(Json::Object(context)) = witness.request_json.get("context") {
        for (key, value) in context {
            row(&format!("context {key}"), &value.to_compact_string());
        }
    }
    let answers: Vec<_> = sides
        .iter()
        .map(|(_, placed)| iamspec_model::reference::authorize(&placed.set, r))
        .collect();
    let mut absent: Vec<&str> = Vec::new();
    for key in answers.iter().flat_map(|a| &a.missing_keys) {
        if !absent.iter().any(|k| k.eq_ignore_ascii_case(key)) {
            absent.push(key);
        }
    }
    if !absent.is_empty() {
        row("absent keys", &absent.join(", "));
    }
    for (((side, _), decision), answer) in sides.iter().zip(&witness.decisions).zip(&answers) {
        let wanted = match decision {
            iamspec_model::Decision::Allow => Some(iamspec_model::policy::Effect::Allow),
            iamspec_model::Decision::ExplicitDeny => Some(iamspec_model::policy::Effect::Deny),
            iamspec_model::Decision::ImplicitDeny => None,
        };
        let deciding: Vec<String> = answer
            .matched
            .iter()
            .filter(|m| Some(m.effect) == wanted)
            .map(|m| {
                let level = m.level.map(|l| format!(" level {l}")).unwrap_or_default();
                let sid = m
                    .sid
                    .as_deref()
                    .map(|s| format!(" ({s})"))
                    .unwrap_or_default();
                format!(
                    "{}{level}[{}] Statement[{}]{sid}",
                    m.kind.as_str(),
                    m.policy,
                    m.statement
                )
            })
            .collect();
        let why = if deciding.is_empty() {
            match answer.deciding {
                Some(kind) => format!("no statement allows; decided by {}", kind.as_str()),
                None => "no statement allows".to_owned(),
            }
        } else {
            deciding.join(", ")
        };
        out.push_str(&format!("  {side:<17} {:<14}{why}\n", decision.as_str()));
    }
    out
}

/// Exit status when the property holds but neither side allows anything: the check saw nothing.
pub const EXIT_VACUOUS: u8 = 5;

/// What a two-sided comparison prints besides its verdict.
pub struct Wording<'a> {
    pub holds: &'a str,
    pub fails: &'a str,
    pub names: [&'a str; 2],
    /// List the witnesses' actions that the second side never allows to these callers
    /// (no-new-access).
    pub new_actions: Option<iamspec_solver::Callers>,
}

/// How many actions the "new actions" list examines beyond the witnesses' own.
const NEW_ACTION_CANDIDATES: usize = 2_000;

/// The actions `new` allows somewhere and `old` allows on no resource for no caller (Access
/// Analyzer's reviewers expect the list): the witnesses' actions, and the actions `new`'s Allow
/// statements name (wildcards expanded through the catalogue up to a bound, as one
/// witness stands for a whole class of actions the policies cannot tell apart). Sorted.
fn actions_new(
    witnesses: &[Witness],
    new: &Placed,
    old: &Placed,
    callers: iamspec_solver::Callers,
    options: &Options,
) -> Result<(Vec<String>, Vec<String>), SolverError> {
    let catalogue = iamspec_corpus::Catalogue::embedded();
    let mut candidates: Vec<String> = Vec::new();
    // Patterns left unexamined for the bound: the list must say it is incomplete.
    let mut unexamined: Vec<String> = Vec::new();
    let push = |action: String, list: &mut Vec<String>| {
        if !list.iter().any(|a| a.eq_ignore_ascii_case(&action)) {
            list.push(action);
        }
    };
    for w in witnesses {
        push(w.request.action.as_str().to_owned(), &mut candidates);
    }
    let witnessed = candidates.len();
    // The changed policies only: what the placement adds (delegating key and trust policies,
    // open resource policies) is the same on both sides.
    let unchanged = policies_of(&old.set);
    for policy in policies_of(&new.set)
        .into_iter()
        .filter(|p| !unchanged.contains(p))
    {
        for statement in &policy.statements {
            if statement.effect != iamspec_model::policy::Effect::Allow {
                continue;
            }
            if statement.action.negated {
                // Every catalogue action but a few: too many to ask one by one.
                push(
                    format!(
                        "NotAction {}",
                        statement
                            .action
                            .patterns
                            .iter()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    &mut unexamined,
                );
                continue;
            }
            for pattern in statement.action.patterns.iter() {
                if pattern.contains(['*', '?']) {
                    let expanded = catalogue.expand(pattern);
                    if candidates.len() + expanded.len() <= witnessed + NEW_ACTION_CANDIDATES {
                        for action in expanded {
                            push(action.to_string(), &mut candidates);
                        }
                    } else {
                        push(
                            format!("{pattern} (past {NEW_ACTION_CANDIDATES} actions)"),
                            &mut unexamined,
                        );
                    }
                } else if candidates.len() < witnessed + NEW_ACTION_CANDIDATES {
                    push(pattern.to_owned(), &mut candidates);
                } else {
                    push(
                        format!("{pattern} (past {NEW_ACTION_CANDIDATES} actions)"),
                        &mut unexamined,
                    );
                }
            }
        }
    }
    let single = Options {
        max_witnesses: 1,
        callers,
        ..options.clone()
    };
    // The witnesses' actions are allowed by `new` already; the rest are asked of `new`, then
    // what it allows of `old`.
    let asked = candidates.get(witnessed..).unwrap_or(&[]);
    let mut granted: Vec<String> = candidates.get(..witnessed).unwrap_or(&[]).to_vec();
    for (action, verdict) in asked.iter().zip(iamspec_solver::access_not_granted_each(
        &new.set, asked, &single,
    )?) {
        match verdict {
            Verdict::Holds => {}
            Verdict::Fails(_) => granted.push(action.clone()),
            Verdict::Unknown(_) => push(format!("{action} (undecided)"), &mut unexamined),
        }
    }
    let mut list: Vec<String> = Vec::new();
    for (action, verdict) in granted.iter().zip(iamspec_solver::access_not_granted_each(
        &old.set, &granted, &single,
    )?) {
        match verdict {
            Verdict::Holds => list.push(action.clone()),
            Verdict::Fails(_) => {}
            Verdict::Unknown(_) => push(format!("{action} (undecided)"), &mut unexamined),
        }
    }
    // In name order: the order the solver finds its witnesses in is no information.
    list.sort_by_key(|a| a.to_ascii_lowercase());
    Ok((list, unexamined))
}

/// Prints warnings on stderr.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// Whether neither side allows any request in the placement where the policies' own grants
/// show (`grants`): then "equivalent" or "no new access" says nothing.
pub fn vacuous(
    a: &[Placed],
    b: &[Placed],
    grants: Option<usize>,
    options: &Options,
) -> Result<Option<String>, SolverError> {
    let Some(index) = grants else {
        return Ok(None);
    };
    let (Some(pa), Some(pb)) = (a.get(index), b.get(index)) else {
        return Ok(None);
    };
    // Identity-side policies are asked about the callers they govern: in their placement the
    // root user is allowed KMS by the delegating key policy whatever they say (D53).
    let identity_side = pa.label.starts_with("as the only identity policy")
        || pa.label.starts_with("as the boundary")
        || pa.label.starts_with("as the session policy");
    let options = Options {
        max_witnesses: 1,
        callers: if identity_side {
            iamspec_solver::Callers::IamIdentities
        } else {
            iamspec_solver::Callers::All
        },
        ..options.clone()
    };
    for p in [pa, pb] {
        if iamspec_solver::never_allows(&p.set, &options)? != Verdict::Holds {
            return Ok(None);
        }
    }
    Ok(Some(pa.label.clone()))
}

/// Prints the outcome of a two-sided comparison and returns the exit status.
pub fn report(
    common: &Common,
    outcome: Result<Combined, SolverError>,
    (a, b): (&[Placed], &[Placed]),
    warnings: &[String],
    grants: Option<usize>,
    wording: Wording,
) -> u8 {
    let Wording {
        holds,
        fails,
        names,
        new_actions,
    } = wording;
    let combined = match outcome {
        Ok(combined) => combined,
        Err(e) => return bug(e),
    };
    warn(warnings);
    let assumption = format!(
        "actions are those of {} and those the policies name",
        iamspec_solver::catalogue_assumption()
    );
    let labels: Vec<&str> = a.iter().map(|p| p.label.as_str()).collect();
    match combined {
        Combined::Holds => {
            let empty = match vacuous(a, b, grants, &common.options()) {
                Ok(empty) => empty,
                Err(e) => return bug(e),
            };
            if common.sarif() {
                let results: Vec<(&str, String)> = match &empty {
                    Some(label) => vec![(
                        "warning",
                        format!("vacuous: neither side allows any request ({label})"),
                    )],
                    None => Vec::new(),
                };
                common.print_sarif(&results);
            } else if common.json() {
                let verdict = if empty.is_some() { "vacuous" } else { "holds" };
                common.print_json(
                    json!({"verdict": verdict, "assumes": assumption, "placements": labels, "warnings": warnings}),
                );
            } else {
                match &empty {
                    Some(label) => {
                        println!("vacuous: neither side allows any request ({label}); {holds} only because both allow nothing");
                    }
                    None => println!("{}", common.headline(holds, false)),
                }
                if !common.quiet() {
                    print_placements(&labels);
                    println!("(assuming {assumption})");
                }
            }
            if empty.is_some() {
                EXIT_VACUOUS
            } else {
                0
            }
        }
        Combined::Unknown(reason) => {
            if common.sarif() {
                common.print_sarif(&[("warning", format!("unknown: {reason}"))]);
            } else if common.json() {
                common.print_json(
                    json!({"verdict": "unknown", "reason": reason, "warnings": warnings}),
                );
            } else {
                println!("unknown: {reason}");
            }
            EXIT_UNKNOWN
        }
        Combined::Fails(index, witnesses) => {
            let (Some(pa), Some(pb)) = (a.get(index), b.get(index)) else {
                return bug(SolverError::InvalidQuery(
                    "internal: placement index".into(),
                ));
            };
            let mut cases = Vec::new();
            let mut tables = Vec::new();
            for (n, w) in witnesses.iter().enumerate() {
                cases.extend(witness_cases(
                    n + 1,
                    w,
                    &[(names[0], &pa.json), (names[1], &pb.json)],
                    fails,
                ));
                tables.push(table(n + 1, w, &[(names[0], pa), (names[1], pb)]));
            }
            let count = witnesses.len();
            let mut extra = Vec::new();
            if count < common.witnesses {
                extra.push(format!(
                    "({count} of the {} witnesses asked for: no other combination of deciding statements shows a difference)",
                    common.witnesses
                ));
            }
            if let Some(callers) = new_actions {
                match actions_new(&witnesses, pa, pb, callers, &common.options()) {
                    Ok((list, unexamined)) => {
                        if !list.is_empty() {
                            extra.push(format!(
                                "new actions (allowed somewhere now, never before): {}",
                                list.join(", ")
                            ));
                        }
                        if !unexamined.is_empty() {
                            extra.push(format!(
                                "(not examined for the new actions: {}; the list above may be incomplete, ask with `iamspec reach` per action)",
                                unexamined.join(", ")
                            ));
                        }
                    }
                    Err(e) => return bug(e),
                }
            }
            let heading = format!(
                "{fails} ({count} {})",
                if count == 1 { "witness" } else { "witnesses" }
            );
            print_failure(common, &heading, &pa.label, &tables, &extra, cases)
        }
    }
}

/// Which sets a verdict covers.
pub fn print_placements(labels: &[&str]) {
    if labels == [AS_GIVEN] {
        println!("checked the policy sets as given");
        return;
    }
    println!(
        "checked each policy placed in {} policy sets:",
        labels.len()
    );
    for label in labels {
        println!("  - {label}");
    }
}

pub fn bug(e: SolverError) -> u8 {
    match e {
        SolverError::InvalidQuery(message) => {
            eprintln!("{message}");
            EXIT_INPUT
        }
        other => {
            eprintln!("{other}");
            EXIT_BUG
        }
    }
}

/// Exit 0 when equivalent, 1 when different (with witnesses), 2 on bad input, 3 when unknown,
/// 4 on a solver bug, 5 when neither side allows anything.
pub fn run(mut args: Args) -> u8 {
    args.common.sarif_target = SarifTarget {
        rule: "iamspec/equivalence",
        description: "Two policies are not equivalent",
        file: args.b.display().to_string(),
    };
    args.common.files = vec![args.a.display().to_string(), args.b.display().to_string()];
    let pair = match load_pair(&args.a, &args.b, &args.common) {
        Ok(pair) => pair,
        Err(message) => {
            eprintln!("{message}");
            return EXIT_INPUT;
        }
    };
    let (a, b) = (&pair.a, &pair.b);
    let options = args.common.options();
    let outcome = combine(a.len().min(b.len()), |i| match (a.get(i), b.get(i)) {
        (Some(pa), Some(pb)) => iamspec_solver::equivalent(&pa.set, &pb.set, &options),
        _ => Ok(Verdict::Holds),
    });
    let set = a.first().is_some_and(|p| p.label == AS_GIVEN);
    let kind = if set {
        "policy sets".to_owned()
    } else {
        format!("{} policies", args.common.kind)
    };
    report(
        &args.common,
        outcome,
        (a, b),
        &pair.warnings,
        grants_placement(set, args.common.kind),
        Wording {
            holds: &format!("equivalent as {kind}: every request gets the same decision"),
            fails: "different",
            names: ["a", "b"],
            new_actions: None,
        },
    )
}

/// The placement in which a policy's own grants show (for [`vacuous`]); none for the kinds
/// that only limit (SCPs, RCPs, VPC endpoint policies).
pub fn grants_placement(set: bool, kind: PolicyKind) -> Option<usize> {
    match kind {
        _ if set => Some(0),
        PolicyKind::Identity | PolicyKind::PermissionBoundary | PolicyKind::Session => Some(0),
        PolicyKind::Resource | PolicyKind::Trust => Some(1),
        PolicyKind::Scp | PolicyKind::Rcp | PolicyKind::VpcEndpoint => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 16: a witness that fails request validation is a solver bug: exit 4, like a
    /// witness that does not replay; a malformed question stays bad input (2).
    #[test]
    fn impossible_witnesses_exit_4() {
        let impossible = SolverError::ImpossibleWitness {
            request: "{}".into(),
            reason: "a list for the single-valued key `aws:SecureTransport`".into(),
        };
        assert_eq!(bug(impossible), EXIT_BUG);
        assert_eq!(bug(SolverError::InvalidQuery("x".into())), EXIT_INPUT);
    }
}
