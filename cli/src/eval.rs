//! `iamspec eval`: decide and explain. Two ways in:
//! - cases and suites in the conformance format (every case of a suite, or `--case ID`);
//! - policy files and a request given by flags, answered as `aws iam simulate-custom-policy`
//!   answers: one result per action × resource, with its EvalDecision, the matched statements
//!   (policy file and position) and the missing context values.

use crate::input;
use crate::output::{Output, OutputArgs, Paint, Records};
use crate::{out, EXIT_INPUT};
use iamspec_conformance::case::{Case, Expect};
use iamspec_conformance::discover::{find, Found};
use iamspec_conformance::suite::parse_case;
use iamspec_model::answer::StatementRef;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::quote::{quoted, shown};
use iamspec_model::{Answer, Decision, Request};
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(
    override_usage = "iamspec eval [--case <ID>] [OUTPUT] <FILE>...\n       \
        iamspec eval --policy <FILE>... [--boundary <FILE>] [--resource-policy <FILE>]\n                    \
        [--scp <FILE>...] --principal <ARN> --action <ACTION>... [--resource <ARN>...]\n                    \
        [--resource-account <ACCOUNT>] [--context <KEY=VALUE[,TYPE]>...] [OUTPUT]\n       \
        OUTPUT: [--format <text|json>] [--json] [--color <auto|always|never>] [-q|--quiet]",
    after_help = "With FILEs: decide every case they hold. A case file holds one case; a suite \
        (`iamspec-conformance/1`) holds several, all explained unless `--case` picks one.\n\
        With --policy: decide every action on every resource, as `aws iam simulate-custom-policy` \
        does.\n\nExit status: 0 decided (and as each case expects, where it says); 1 a decision \
        differs from its case's `expect`; 2 an input cannot be read or is invalid (the other \
        inputs are still decided)."
)]
pub struct Args {
    /// Case or suite files in the conformance format (`-` for standard input); several may be
    /// given, and directories (the case and suite files under them; other files are skipped).
    #[arg(conflicts_with_all = ["policy", "principal", "action"], value_name = "FILE")]
    cases: Vec<PathBuf>,
    /// In a suite, only the case with this id.
    #[arg(long = "case", value_name = "ID")]
    case_id: Option<String>,
    /// Identity-based policies of the principal (AWS CLI output is unwrapped).
    #[arg(long, num_args = 1.., value_name = "FILE", requires_all = ["principal", "action"])]
    policy: Vec<PathBuf>,
    /// The principal's permissions boundary.
    #[arg(long, value_name = "FILE", requires = "principal")]
    boundary: Option<PathBuf>,
    /// The resource's resource-based policy (bucket, key, queue policy; a role's trust policy for
    /// `sts:AssumeRole*`).
    #[arg(long, value_name = "FILE", requires = "principal")]
    resource_policy: Option<PathBuf>,
    /// Service control policies on the principal's account, all at one level of the
    /// organization (give AWS's FullAWSAccess too where it is attached: an SCP that only denies
    /// allows nothing).
    #[arg(long, num_args = 1.., value_name = "FILE", requires = "principal")]
    scp: Vec<PathBuf>,
    /// The caller: a user, role, assumed-role session or root ARN, a service principal or
    /// `anonymous`.
    #[arg(long, value_name = "ARN", requires = "action")]
    principal: Option<String>,
    /// Actions to decide (`service:Action`).
    #[arg(long, num_args = 1.., value_name = "ACTION", requires = "principal")]
    action: Vec<String>,
    /// Resources to decide each action on (default `*`).
    #[arg(long, num_args = 1.., value_name = "ARN", requires = "principal")]
    resource: Vec<String>,
    /// The account that owns the resources, when their ARNs do not say (S3).
    #[arg(long, value_name = "ACCOUNT", requires = "principal")]
    resource_account: Option<String>,
    /// A context value: `key=value`, or `key=value,type` with AWS's ContextKeyType (string,
    /// numeric, boolean, date, ip, binary, or one of them with `List`). Repeat a key for a list.
    #[arg(long, num_args = 1.., value_name = "KEY=VALUE[,TYPE]", requires = "principal")]
    context: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: Args) -> u8 {
    let output = args.output.resolve();
    let mut records = Records::new();
    let code = if args.principal.is_some() {
        simulate(&args, &output, &mut records)
    } else if args.cases.is_empty() {
        eprintln!("eval needs case files, or --policy, --principal and --action (see --help)");
        EXIT_INPUT
    } else {
        explain_files(&args, &output, &mut records)
    };
    if output.json() {
        records.finish();
    }
    code
}

fn explain_files(args: &Args, output: &Output, records: &mut Records) -> u8 {
    let mut worst = 0;
    let mut first = true;
    // Directories stand for the case and suite files under them; other files there are skipped.
    let mut files: Vec<(Result<PathBuf, String>, bool)> = Vec::new();
    for path in &args.cases {
        if path.is_dir() {
            files.extend(
                input::expand(std::slice::from_ref(path))
                    .into_iter()
                    .map(|f| (f, true)),
            );
        } else {
            files.push((Ok(path.clone()), false));
        }
    }
    let several = files.len() > 1;
    for (path, walked) in files {
        let cases =
            match path.and_then(|path| cases_in(&path, args.case_id.as_deref(), walked, output)) {
                Ok(cases) => cases,
                Err(message) if message.is_empty() => continue,
                Err(message) => {
                    eprintln!("{message}");
                    if output.json() {
                        records.push(&input::error_record(&message));
                    }
                    worst = EXIT_INPUT;
                    continue;
                }
            };
        let many = several || cases.len() > 1;
        for (name, case, expect_given) in cases {
            if many && !output.json() {
                if !first {
                    out!();
                }
                match &case {
                    Some(c) if !c.id.is_empty() && c.path != JsonPath::root() => {
                        out!("== {name}: {}", c.id)
                    }
                    _ => out!("== {name}"),
                }
            }
            first = false;
            let code = match case {
                Some(case) => explain_case(&name, &case, expect_given, output, records),
                None => EXIT_INPUT,
            };
            worst = worst.max(code);
        }
    }
    worst
}

/// The cases in `path`: a case file's one case, or a suite's (all, or the one with `only`).
/// Each comes with its file's name and whether it states `expect`. `None` for a case that
/// could not be read (reported already).
type Found1 = (String, Option<Case>, bool);

/// `walked`: met in a directory, where a JSON file that is neither a case nor a suite is
/// skipped (noted; the error is then empty).
fn cases_in(
    path: &Path,
    only: Option<&str>,
    walked: bool,
    output: &Output,
) -> Result<Vec<Found1>, String> {
    let (source, json) = input::read_json(path)?;
    let name = source.name;
    let is_case = json.get("request").is_some() || json.get("policies").is_some();
    let format = json.get("format").and_then(Json::as_str);
    let is_suite = format.is_some_and(|f| f.starts_with("iamspec-conformance"))
        || (format.is_none() && json.get("cases").is_some());
    if walked && !is_case && !is_suite {
        let what = format.map_or_else(
            || "neither a case nor a suite".to_owned(),
            |f| format!("its format is {}", quoted(f)),
        );
        output.note(format_args!("skipped {name}: {what}"));
        return Err(String::new());
    }
    // In a directory, `--case` picks among suites; case files are not what it asks for.
    if walked && only.is_some() && !is_suite {
        return Err(String::new());
    }
    if json.get("cases").is_some() || json.get("format").is_some() {
        let suite = match find(&[path.to_owned()]).into_iter().next() {
            Some(Found::Suite(suite)) => suite,
            Some(Found::Error(e)) => return Err(input::suite_error(&e)),
            _ if path == Path::new("-") => {
                iamspec_conformance::Suite::parse(&source.text, Path::new("<stdin>"))
                    .map_err(|e| e.to_string())?
            }
            _ => return Err(format!("{name}: not a suite")),
        };
        let cases: Vec<Found1> = suite
            .cases
            .into_iter()
            .filter(|c| only.is_none_or(|id| c.id == id))
            .map(|c| (name.clone(), Some(c), true))
            .collect();
        if cases.is_empty() {
            return Err(match only {
                Some(id) => format!("{name}: no case with id {}", quoted(id)),
                None => format!("{name}: the suite holds no case"),
            });
        }
        return Ok(cases);
    }
    if only.is_some() {
        return Err(format!(
            "{name}: --case picks a case in a suite; this file is one case"
        ));
    }
    let mut json = json;
    // A case file may leave out `expect` (it is then only decided, not checked) and `id`.
    let expect_given = json.get("expect").is_some();
    if let Json::Object(members) = &mut json {
        if !expect_given {
            members.push((
                "expect".into(),
                Json::Object(vec![("error".into(), Json::Bool(true))]),
            ));
        }
        if !members.iter().any(|(k, _)| k == "id") {
            members.push(("id".into(), Json::String(String::new())));
        }
    }
    match parse_case(&json, JsonPath::root()) {
        Ok(case) => Ok(vec![(name, Some(case), expect_given)]),
        Err((at, message)) => Err(format!("{name}: {at}: {message}")),
    }
}

/// Decides one case and prints its explanation; the exit status for it.
fn explain_case(
    name: &str,
    case: &Case,
    expect_given: bool,
    output: &Output,
    records: &mut Records,
) -> u8 {
    let (request, answer) = match case.evaluate() {
        Ok(result) => result,
        // A case that expects its inputs to be rejected: the rejection is its answer.
        Err(e) if expect_given && case.expect == Expect::Error => {
            if output.json() {
                let value = serde_json::json!({
                    "file": name,
                    "case": (!case.id.is_empty()).then_some(case.id.as_str()),
                    "path": (case.path != JsonPath::root()).then(|| case.path.to_string()),
                    "error": e.to_string(),
                    "expected": "error",
                    "as_expected": true,
                });
                records.push(&value);
            } else {
                out!("error:    {e}");
                out!("expected: error (as expected)");
            }
            return 0;
        }
        Err(e) => {
            eprintln!("{name}: {e}");
            if output.json() {
                records.push(&serde_json::json!({
                    "file": name,
                    "case": (!case.id.is_empty()).then_some(case.id.as_str()),
                    "path": (case.path != JsonPath::root()).then(|| case.path.to_string()),
                    "error": e.to_string(),
                }));
            }
            return EXIT_INPUT;
        }
    };
    let expected_ok = match (&case.expect, expect_given) {
        (Expect::Decision { decision, deciding }, true) => Some(
            *decision == answer.decision
                && deciding
                    .as_ref()
                    .is_none_or(|d| answer.deciding.map(|k| k.slot()) == Some(d.as_str())),
        ),
        (Expect::Error, true) => Some(false),
        _ => None,
    };
    if output.json() {
        let id = (!case.id.is_empty()).then_some(case.id.as_str());
        let path = (case.path != JsonPath::root()).then(|| case.path.to_string());
        let value = serde_json::json!({
            "file": name,
            "case": id,
            "path": path,
            "decision": answer.decision,
            "deciding": answer.deciding.map(|k| k.slot()),
            "message": answer.message(&request),
            "matched": answer.matched,
            "missing_keys": answer.missing_keys,
            "expected": expect_given.then(|| case.expect.to_string()),
            "as_expected": expected_ok,
        });
        records.push(&value);
    } else {
        out!("decision: {}", paint_decision(output, answer.decision));
        if let Some(kind) = answer.deciding {
            out!("deciding: {} ({})", kind.aws_name(), kind.slot());
        }
        out!("message:  {}", answer.message(&request));
        if answer.matched.is_empty() {
            out!("matched statements: none");
        } else {
            out!("matched statements:");
            for statement in &answer.matched {
                out!("  {statement}");
            }
        }
        if !answer.missing_keys.is_empty() {
            out!("missing context keys: {}", keys(&answer));
        }
        match expected_ok {
            Some(true) => out!("expected: {} (as expected)", case.expect),
            Some(false) => out!(
                "expected: {} ({})",
                case.expect,
                output.paint(Paint::Red, "DIFFERENT")
            ),
            None => {}
        }
    }
    u8::from(expected_ok == Some(false))
}

fn paint_decision(output: &Output, decision: Decision) -> String {
    let paint = if decision == Decision::Allow {
        Paint::Green
    } else {
        Paint::Red
    };
    output.paint(paint, decision.as_str()).to_string()
}

fn keys(answer: &Answer) -> String {
    answer
        .missing_keys
        .iter()
        .map(|key| shown(key).to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// AWS's EvalDecision for a decision.
fn eval_decision(decision: Decision) -> &'static str {
    match decision {
        Decision::Allow => "allowed",
        Decision::ExplicitDeny => "explicitDeny",
        Decision::ImplicitDeny => "implicitDeny",
    }
}

/// The policy files by the place the case format gives them.
struct Sources {
    /// (`policies` path such as `identity[0]`, file name)
    files: Vec<(String, String)>,
}

impl Sources {
    fn file(&self, statement: &StatementRef) -> Option<&str> {
        let slot = match statement.level {
            Some(level) => format!("{}[{level}][{}]", statement.kind.slot(), statement.policy),
            None if matches!(statement.kind.slot(), "identity" | "session") => {
                format!("{}[{}]", statement.kind.slot(), statement.policy)
            }
            None => statement.kind.slot().to_owned(),
        };
        self.files
            .iter()
            .find(|(at, _)| *at == slot)
            .map(|(_, file)| file.as_str())
    }

    /// `message` with the case-format paths (`policies.identity[0]`) replaced by file names.
    fn rename(&self, message: &str) -> String {
        let mut message = message.to_owned();
        // Longest first, so that `scp[0][10]` is not taken for `scp[0][1]`.
        let mut files: Vec<&(String, String)> = self.files.iter().collect();
        files.sort_by_key(|(at, _)| std::cmp::Reverse(at.len()));
        for (at, file) in files {
            message = message.replace(&format!("policies.{at}."), &format!("{file}: "));
            message = message.replace(&format!("policies.{at}"), file);
        }
        message
    }
}

/// The simulate-style answer: every action on every resource.
fn simulate(args: &Args, output: &Output, records: &mut Records) -> u8 {
    let Some(principal) = &args.principal else {
        return EXIT_INPUT;
    };
    let mut failed = false;
    let mut files = Vec::new();
    let mut read = |path: &Path, at: String| -> Json {
        match input::read_policy(path) {
            Ok(document) => {
                if let Some(what) = &document.unwrapped {
                    output.note(format_args!(
                        "{}: read the policy in `{what}",
                        document.name
                    ));
                }
                files.push((at, document.name));
                document.json
            }
            Err(message) => {
                eprintln!("{message}");
                if output.json() {
                    records.push(&input::error_record(&message));
                }
                failed = true;
                Json::Null
            }
        }
    };
    let mut policies = Vec::new();
    let identity: Vec<Json> = args
        .policy
        .iter()
        .enumerate()
        .map(|(i, p)| read(p, format!("identity[{i}]")))
        .collect();
    if !identity.is_empty() {
        policies.push(("identity".to_owned(), Json::Array(identity)));
    }
    if let Some(path) = &args.boundary {
        policies.push((
            "permission_boundary".into(),
            read(path, "permission_boundary".into()),
        ));
    }
    if let Some(path) = &args.resource_policy {
        policies.push(("resource".into(), read(path, "resource".into())));
    }
    let scps: Vec<Json> = args
        .scp
        .iter()
        .enumerate()
        .map(|(i, p)| read(p, format!("scp[0][{i}]")))
        .collect();
    if !scps.is_empty() {
        policies.push(("scp".into(), Json::Array(vec![Json::Array(scps)])));
    }
    let context = match context(&args.context) {
        Ok(context) => context,
        Err(message) => {
            eprintln!("--context: {message}");
            return EXIT_INPUT;
        }
    };
    if failed {
        return EXIT_INPUT;
    }
    let sources = Sources { files };
    let resources = if args.resource.is_empty() {
        vec!["*".to_owned()]
    } else {
        args.resource.clone()
    };
    let mut worst = 0;
    for action in &args.action {
        for resource in &resources {
            let mut request = vec![
                ("principal".to_owned(), Json::String(principal.clone())),
                ("action".into(), Json::String(action.clone())),
                ("resource".into(), Json::String(resource.clone())),
            ];
            if let Some(account) = &args.resource_account {
                request.push(("resource_account".into(), Json::String(account.clone())));
            }
            if !context.is_empty() {
                request.push(("context".into(), Json::Object(context.clone())));
            }
            let case = Case {
                id: String::new(),
                description: String::new(),
                source: String::new(),
                request: Json::Object(request),
                policies: Json::Object(policies.clone()),
                expect: Expect::Error,
                path: JsonPath::root(),
            };
            match case.evaluate() {
                Ok((request, answer)) => {
                    print_simulated(
                        (action, resource),
                        &request,
                        &answer,
                        &sources,
                        output,
                        records,
                    );
                }
                Err(e) => {
                    let mut message = sources.rename(&e.to_string());
                    // A bucket or key policy given as `--policy` is the usual cause.
                    if message.contains("an identity-based policy does not take `Principal`") {
                        message.push_str(
                            "; a policy that names a `Principal` is a resource-based policy: give \
                             it with `--resource-policy`",
                        );
                    }
                    eprintln!("{message}");
                    if output.json() {
                        let files: Vec<&str> =
                            sources.files.iter().map(|(_, f)| f.as_str()).collect();
                        records.push(&serde_json::json!({
                            "files": files,
                            "action": action,
                            "resource": resource,
                            "error": message,
                        }));
                    }
                    // Every action and resource would meet the same invalid policy.
                    if e.to_string().contains("policies.") {
                        return EXIT_INPUT;
                    }
                    worst = EXIT_INPUT;
                }
            }
        }
    }
    worst
}

fn print_simulated(
    (action, resource): (&str, &str),
    request: &Request,
    answer: &Answer,
    sources: &Sources,
    output: &Output,
    records: &mut Records,
) {
    let where_ = |s: &StatementRef| sources.file(s).unwrap_or("?").to_owned();
    if output.json() {
        let matched: Vec<serde_json::Value> = answer
            .matched
            .iter()
            .map(|s| {
                serde_json::json!({
                    "file": where_(s),
                    "source_policy_type": s.kind.aws_name(),
                    "statement": format!("Statement[{}]", s.statement),
                    "sid": s.sid,
                    "effect": s.effect,
                })
            })
            .collect();
        let files: Vec<&str> = sources.files.iter().map(|(_, f)| f.as_str()).collect();
        let value = serde_json::json!({
            "files": files,
            "action": action,
            "resource": resource,
            "eval_decision": eval_decision(answer.decision),
            "decision": answer.decision,
            "deciding": answer.deciding.map(|k| k.slot()),
            "message": answer.message(request),
            "matched_statements": matched,
            "missing_context_values": answer.missing_keys,
        });
        records.push(&value);
        return;
    }
    let decision = eval_decision(answer.decision);
    let paint = if answer.decision == Decision::Allow {
        Paint::Green
    } else {
        Paint::Red
    };
    out!("{action} on {resource}: {}", output.paint(paint, decision));
    if !output.quiet {
        out!("  {}", answer.message(request));
        for s in &answer.matched {
            let sid = s
                .sid
                .as_ref()
                .map(|sid| format!(" (Sid {})", quoted(sid)))
                .unwrap_or_default();
            out!(
                "  matched: {} Statement[{}]{sid}: {} [{}]",
                where_(s),
                s.statement,
                s.effect,
                s.kind.aws_name()
            );
        }
        if !answer.missing_keys.is_empty() {
            out!("  missing context values: {}", keys(answer));
        }
    }
}

/// The request context from `key=value[,type]` arguments.
fn context(entries: &[String]) -> Result<Vec<(String, Json)>, String> {
    const TYPES: [&str; 6] = ["string", "numeric", "boolean", "date", "ip", "binary"];
    let mut context: Vec<(String, Json, bool)> = Vec::new();
    for entry in entries {
        let Some((key, rest)) = entry.split_once('=') else {
            return Err(format!("{}: expected `key=value[,type]`", quoted(entry)));
        };
        if key.is_empty() {
            return Err(format!("{}: the key is empty", quoted(entry)));
        }
        let (value, kind) = match rest.rsplit_once(',') {
            Some((value, kind))
                if TYPES
                    .iter()
                    .any(|t| kind.eq_ignore_ascii_case(t) || kind.eq_ignore_ascii_case(&format!("{t}List"))) =>
            {
                (value, kind.to_ascii_lowercase())
            }
            // Most likely a misspelt type (`strng`), not a value holding a comma (`a,b`).
            Some((_, kind))
                if kind.chars().all(|c| c.is_ascii_alphabetic())
                    && ["str", "num", "boo", "dat", "ip", "bin"]
                        .iter()
                        .any(|p| kind.to_ascii_lowercase().starts_with(p)) =>
            {
                return Err(format!(
                    "{}: `{kind}` is not a context key type (string, numeric, boolean, date, ip, binary, each also as a List)",
                    quoted(entry)
                ))
            }
            _ => (rest, "string".to_owned()),
        };
        let scalar = kind.trim_end_matches("list");
        let valid = match scalar {
            "numeric" => value.parse::<f64>().is_ok_and(f64::is_finite),
            "boolean" => value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false"),
            "ip" => {
                let address = value.split_once('/').map_or(value, |(a, _)| a);
                address.parse::<std::net::IpAddr>().is_ok()
            }
            _ => true,
        };
        if !valid {
            return Err(format!("{}: `{value}` is not {scalar}", quoted(entry)));
        }
        let list = kind.ends_with("list");
        match context
            .iter_mut()
            .find(|(k, _, _)| k.eq_ignore_ascii_case(key))
        {
            Some((_, Json::Array(values), _)) => values.push(Json::String(value.to_owned())),
            Some((_, existing, _)) => {
                let first = std::mem::replace(existing, Json::Null);
                *existing = Json::Array(vec![first, Json::String(value.to_owned())]);
            }
            None if list => context.push((
                key.to_owned(),
                Json::Array(vec![Json::String(value.to_owned())]),
                true,
            )),
            None => context.push((key.to_owned(), Json::String(value.to_owned()), false)),
        }
    }
    Ok(context.into_iter().map(|(k, v, _)| (k, v)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_values_as_simulate_custom_policy_takes_them() {
        let entries = |e: &[&str]| context(&e.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            Json::Object(
                entries(&[
                    "aws:SourceIp=203.0.113.7,ip",
                    "aws:TagKeys=team,stringList",
                    "aws:TagKeys=cost",
                    "s3:prefix=a,b"
                ])
                .unwrap()
            )
            .to_compact_string(),
            r#"{"aws:SourceIp":"203.0.113.7","aws:TagKeys":["team","cost"],"s3:prefix":"a,b"}"#
        );
        assert_eq!(
            entries(&["aws:MultiFactorAuthPresent=yes,boolean"]).unwrap_err(),
            "`aws:MultiFactorAuthPresent=yes,boolean`: `yes` is not boolean"
        );
        assert_eq!(
            entries(&["k=v,strng"]).unwrap_err(),
            "`k=v,strng`: `strng` is not a context key type (string, numeric, boolean, date, ip, binary, each also as a List)"
        );
        assert!(entries(&["novalue"]).is_err());
    }
}
