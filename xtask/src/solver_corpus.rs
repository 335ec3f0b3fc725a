//! `cargo xtask solver-corpus`: issue 5's corpus benchmark. Every AWS managed policy of the
//! shared data, as an identity policy, is compared by `iamspec_solver::equivalent` with three
//! forms of itself:
//!
//! - rewritten (`rewrite::rewrite_document`: lists reordered, scalars as lists, keys in
//!   lowercase, statements split and reordered, patterns expanded): the verdict must be `Holds`;
//! - one action removed, and one condition value changed (`rewrite::mutate`): `Fails`, with
//!   witnesses the solver replayed, or `Holds` when the mutation happens to change nothing.
//!
//! Each query runs in a worker process, which this command starts and restarts, so that a
//! panic, a crash or a hang costs that query only; the time is measured inside the worker,
//! around the query alone. The report goes to `target/solver-corpus.md` (or `--out`).

use iamspec_corpus::{shared_data_dir, ManagedPolicy};
use iamspec_model::json::Json;
use iamspec_model::policy::{check, PolicyKind};
use iamspec_model::PolicySet;
use iamspec_solver::rewrite::{self, Mutation};
use iamspec_solver::{equivalent, Options, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, IsTerminal, Write as _};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Seconds z3 may spend on each of its calls (a query makes one to a few).
    #[arg(long, default_value_t = 30)]
    timeout: u64,
    /// Only the first N policies, in the corpus's order.
    #[arg(long)]
    limit: Option<usize>,
    /// Only every Nth policy, in the corpus's order (a sample spread over the whole corpus,
    /// to compare two builds on a busy machine); applied before `--limit`.
    #[arg(long)]
    every: Option<usize>,
    /// Only these policies (names, comma-separated).
    #[arg(long, value_delimiter = ',')]
    policies: Vec<String>,
    /// The report, relative to the repository root unless absolute.
    #[arg(long, default_value = "target/solver-corpus.md")]
    out: PathBuf,
    /// Witnesses gathered per failing query (`iamspec equiv`'s default).
    #[arg(long, default_value_t = 3)]
    witnesses: usize,
    /// Also write every query's figures here, one tab-separated line each (policy, form,
    /// milliseconds, z3 checks, verdict, witnesses), to compare two builds query by query.
    #[arg(long)]
    times: Option<PathBuf>,
    /// Also report where the time goes, by phase (`iamspec_solver::phases`: encoding, the
    /// partitions, z3 loading and checking, witnesses read back, replayed, made plainer),
    /// and add each query's phases to `--times`.
    #[arg(long)]
    phases: bool,
    /// Answer queries read from standard input, one JSON line each (started by this command).
    #[arg(long, hide = true)]
    worker: bool,
}

/// Why the benchmark could not run.
#[derive(Debug, thiserror::Error)]
pub enum SolverCorpusError {
    #[error(transparent)]
    Load(#[from] iamspec_corpus::ManagedError),
    #[error("no managed policy is named {0}")]
    UnknownPolicies(String),
    #[error("cannot start the worker `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("cannot talk to the worker: {0}")]
    Pipe(std::io::Error),
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The forms a policy is compared with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Form {
    Rewritten,
    ActionRemoved,
    ConditionChanged,
}

const FORMS: [Form; 3] = [Form::Rewritten, Form::ActionRemoved, Form::ConditionChanged];

impl Form {
    fn label(self) -> &'static str {
        match self {
            Form::Rewritten => "rewritten",
            Form::ActionRemoved => "one action removed",
            Form::ConditionChanged => "one condition value changed",
        }
    }

    fn short(self) -> &'static str {
        match self {
            Form::Rewritten => "rewritten",
            Form::ActionRemoved => "action",
            Form::ConditionChanged => "condition",
        }
    }
}

/// One query for the worker: two identity policies, as text.
#[derive(Serialize, Deserialize)]
struct Job {
    a: String,
    b: String,
}

/// The worker's answer.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Answer {
    /// Time spent in `equivalent`, in milliseconds.
    millis: f64,
    /// `holds`, `fails`, `unknown` or `error` (a solver error, a panic, or bad input).
    verdict: String,
    /// The reason of `unknown`, the message of `error`, the first witness of `fails`.
    detail: String,
    witnesses: usize,
    /// Witnesses that fail request validation when read back from their JSON (issue 16: must
    /// be none; the solver itself reports one as `ImpossibleWitness`, an error).
    #[serde(default)]
    invalid: usize,
    /// Witnesses that read oddly (`iamspec_solver::oddities`: a service-linked role as the
    /// caller, another partition, a resource that fits none of the action's resource types).
    #[serde(default)]
    odd: usize,
    /// Each odd witness and why, for the report.
    #[serde(default)]
    odd_examples: Vec<String>,
    /// z3 checks the query made (a deterministic measure of its work).
    #[serde(default)]
    checks: usize,
    /// Milliseconds per phase (`iamspec_solver::phases::ALL`'s order), with `--phases`.
    #[serde(default)]
    phases: Vec<f64>,
}

/// One query's outcome.
struct Outcome {
    policy: String,
    form: Form,
    description: String,
    answer: Answer,
}

pub fn run(args: &Args) -> Result<(), SolverCorpusError> {
    if args.worker {
        return work(args);
    }
    let Some(mut policies) = ManagedPolicy::load_shared()? else {
        eprintln!(
            "solver-corpus: skipped: no managed-policy corpus in `{}`",
            shared_data_dir().display()
        );
        return Ok(());
    };
    policies.extend(variable_policies());
    if !args.policies.is_empty() {
        let missing: Vec<&String> = args
            .policies
            .iter()
            .filter(|name| !policies.iter().any(|p| &p.name == *name))
            .collect();
        if !missing.is_empty() {
            let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
            return Err(SolverCorpusError::UnknownPolicies(names.join(", ")));
        }
        policies.retain(|p| args.policies.contains(&p.name));
    }
    if let Some(every) = args.every.filter(|n| *n > 1) {
        policies = policies
            .into_iter()
            .enumerate()
            .filter(|(i, _)| i % every == 0)
            .map(|(_, p)| p)
            .collect();
    }
    if let Some(limit) = args.limit {
        policies.truncate(limit);
    }
    let load_before = load_average();
    let started = Instant::now();
    let mut worker = Worker::start(args)?;
    let deadline = Duration::from_secs(4 * args.timeout + 30);
    let mut outcomes = Vec::new();
    let mut skipped: Vec<(String, String)> = Vec::new();
    let mut progress = Progress::new(policies.len());
    for (index, policy) in policies.iter().enumerate() {
        let original = policy.document.to_string();
        if let Err(reason) = identity_set(&original) {
            skipped.push((
                policy.name.clone(),
                format!("not a valid identity policy: {reason}"),
            ));
            continue;
        }
        let mut line = Vec::new();
        for form in FORMS {
            let (document, description) = match form {
                Form::Rewritten => {
                    let (document, applied) = rewrite::rewrite_document(&policy.document);
                    (document, format!("{applied:?}"))
                }
                Form::ActionRemoved | Form::ConditionChanged => {
                    let how = if form == Form::ActionRemoved {
                        Mutation::RemoveAction
                    } else {
                        Mutation::ChangeConditionValue
                    };
                    match rewrite::mutate(&policy.document, how) {
                        Some(m) => (m.document, m.description),
                        None => continue,
                    }
                }
            };
            let text = document.to_string();
            if let Err(reason) = identity_set(&text) {
                skipped.push((
                    policy.name.clone(),
                    format!("the {} form is not valid: {reason}", form.label()),
                ));
                continue;
            }
            let answer = worker.ask(
                args,
                &Job {
                    a: original.clone(),
                    b: text,
                },
                deadline,
            )?;
            line.push(format!(
                "{} {:.0} ms {}",
                form.short(),
                answer.millis,
                answer.verdict
            ));
            outcomes.push(Outcome {
                policy: policy.name.clone(),
                form,
                description,
                answer,
            });
        }
        let notable = outcomes.iter().rev().take(line.len()).any(|o| {
            o.answer.millis > 1000.0 || !matches!(o.answer.verdict.as_str(), "holds" | "fails")
        });
        progress.show(index + 1, &policy.name, &line.join(", "), notable);
    }
    progress.finish();
    worker.stop();
    let elapsed = started.elapsed();
    let load_after = load_average();
    let report = render(
        args,
        &outcomes,
        &skipped,
        policies.len(),
        elapsed,
        (&load_before, &load_after),
    );
    let path = if args.out.is_absolute() {
        args.out.clone()
    } else {
        crate::repo_root().join(&args.out)
    };
    let write = |source| SolverCorpusError::Write {
        path: path.clone(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    std::fs::write(&path, &report).map_err(write)?;
    if let Some(times) = &args.times {
        let mut text = String::new();
        for o in &outcomes {
            let _ = write!(
                text,
                "{}\t{}\t{:.1}\t{}\t{}\t{}",
                o.policy,
                o.form.short(),
                o.answer.millis,
                o.answer.checks,
                o.answer.verdict,
                o.answer.witnesses
            );
            if args.phases {
                for ms in &o.answer.phases {
                    let _ = write!(text, "\t{ms:.2}");
                }
            }
            text.push('\n');
        }
        std::fs::write(times, text).map_err(|source| SolverCorpusError::Write {
            path: times.clone(),
            source,
        })?;
    }
    println!("{report}");
    eprintln!("solver-corpus: wrote {}", path.display());
    Ok(())
}

/// The policy set of one identity policy, or why there is none.
/// Policies heavy in policy variables (issue 10), benchmarked beside the managed ones: home
/// directories, self-management, tag-based access, `*${aws:username}*`, leading keys.
fn variable_policies() -> Vec<ManagedPolicy> {
    let documents = [
        (
            "iamspec-variables-home-directories",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Sid": "ListHome", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::home-bucket",
             "Condition": {"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}}},
            {"Sid": "OwnObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": ["arn:aws:s3:::home-bucket/home/${aws:username}", "arn:aws:s3:::home-bucket/home/${aws:username}/*"]}]}),
        ),
        (
            "iamspec-variables-self-management",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["iam:ChangePassword", "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
             "Resource": "arn:aws:iam::*:user/${aws:username}"},
            {"Effect": "Allow", "Action": ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice"],
             "Resource": ["arn:aws:iam::*:mfa/${aws:username}", "arn:aws:iam::*:user/${aws:username}"]}]}),
        ),
        (
            "iamspec-variables-tags",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ec2:StartInstances", "ec2:StopInstances"], "Resource": "*",
             "Condition": {"StringEquals": {"aws:ResourceTag/team": "${aws:PrincipalTag/team}"}}},
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::projects/${aws:PrincipalTag/project}/*"}]}),
        ),
        (
            "iamspec-variables-contains",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-bucket/*${aws:username}*"},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared-bucket",
             "Condition": {"StringLike": {"s3:prefix": "*${aws:username}*"}}}]}),
        ),
        (
            "iamspec-variables-leading-keys",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"],
             "Resource": "arn:aws:dynamodb:*:*:table/users",
             "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:userid}"]}}}]}),
        ),
        (
            "iamspec-variables-nested-home",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::home-bucket/home/${aws:username}/*", "arn:aws:s3:::home-bucket/home/${aws:username}/x/*"]},
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::home-bucket",
             "Condition": {"StringLike": {"s3:prefix": "home/${aws:username}"}, "StringEquals": {"s3:delimiter": "/"}}}]}),
        ),
        (
            "iamspec-variables-unique-id",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::home-bucket/home/${aws:userid}/*"},
            {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*",
             "Condition": {"StringNotLike": {"aws:userid": ["AIDA*", "AROA*:*"]}}}]}),
        ),
        (
            "iamspec-variables-prefixes",
            serde_json::json!({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:*", "Resource": "arn:aws:sqs:*:*:${aws:PrincipalTag/project}-*"},
            {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:*:*:log-group:/app/${aws:username}/*",
             "Condition": {"StringEquals": {"aws:RequestedRegion": ["eu-west-1", "eu-central-1"]}}}]}),
        ),
    ];
    documents
        .into_iter()
        .map(|(name, document)| ManagedPolicy {
            name: name.to_owned(),
            arn: None,
            version: "v1".to_owned(),
            update_date: None,
            deprecated: false,
            document,
        })
        .collect()
}

fn identity_set(text: &str) -> Result<PolicySet, String> {
    let json = Json::parse(text).map_err(|e| e.to_string())?;
    let (policy, findings) = check(&json, PolicyKind::Identity, Some(text));
    if let Some(blocking) = findings.iter().find(|f| f.blocks_evaluation()) {
        return Err(blocking.to_string());
    }
    let policy = policy.ok_or_else(|| "it does not parse as a policy".to_owned())?;
    iamspec_solver::harness::place(PolicyKind::Identity, &policy, &json)
        .into_iter()
        .next()
        .map(|placed| placed.set)
        .ok_or_else(|| "no placement".to_owned())
}

fn options(args: &Args) -> Options {
    Options {
        timeout: Duration::from_secs(args.timeout),
        max_witnesses: args.witnesses.max(1),
        ..Options::default()
    }
}

/// The worker: answers each job line with an answer line.
fn work(args: &Args) -> Result<(), SolverCorpusError> {
    // Panics are caught and reported as answers; the default hook would also print them.
    std::panic::set_hook(Box::new(|_| {}));
    let options = options(args);
    // One query first, so that what a process sets up once (the catalogue's action table, the
    // case-folding table) is not counted against the first policy.
    let warm = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}"#;
    let _ = answer(
        &Job {
            a: warm.to_owned(),
            b: warm.to_owned(),
        },
        &options,
    );
    let stdin = std::io::stdin();
    let mut stdout = std::io::stdout();
    for line in stdin.lock().lines() {
        let line = line.map_err(SolverCorpusError::Pipe)?;
        let answer = match serde_json::from_str::<Job>(&line) {
            Ok(job) => answer(&job, &options),
            Err(e) => Answer {
                millis: 0.0,
                verdict: "error".into(),
                detail: format!("a job the worker cannot read: {e}"),
                witnesses: 0,
                invalid: 0,
                odd: 0,
                odd_examples: Vec::new(),
                checks: 0,
                phases: Vec::new(),
            },
        };
        let text = serde_json::to_string(&answer).unwrap_or_default();
        writeln!(stdout, "{text}").map_err(SolverCorpusError::Pipe)?;
        stdout.flush().map_err(SolverCorpusError::Pipe)?;
    }
    Ok(())
}

fn answer(job: &Job, options: &Options) -> Answer {
    let error = |detail: String| Answer {
        millis: 0.0,
        verdict: "error".into(),
        detail,
        witnesses: 0,
        invalid: 0,
        odd: 0,
        odd_examples: Vec::new(),
        checks: 0,
        phases: Vec::new(),
    };
    let (a, b) = match (identity_set(&job.a), identity_set(&job.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return error(format!("invalid input: {e}")),
    };
    let checks_before = iamspec_solver::z3_checks();
    let _ = iamspec_solver::phases::take();
    let started = Instant::now();
    let result = std::panic::catch_unwind(|| equivalent(&a, &b, options));
    let millis = started.elapsed().as_secs_f64() * 1000.0;
    let phases: Vec<f64> = iamspec_solver::phases::take()
        .into_iter()
        .map(|(_, d)| d.as_secs_f64() * 1000.0)
        .collect();
    let checks = iamspec_solver::z3_checks().saturating_sub(checks_before);
    let mut invalid = 0;
    let mut odd = 0;
    let mut odd_examples = Vec::new();
    let (verdict, detail, witnesses) = match result {
        Ok(Ok(Verdict::Holds)) => ("holds", String::new(), 0),
        Ok(Ok(Verdict::Fails(w))) => {
            invalid = w
                .iter()
                .filter(|w| {
                    iamspec_model::Request::from_json(
                        &w.request_json,
                        &iamspec_model::json::JsonPath::root(),
                    )
                    .is_err()
                })
                .count();
            for witness in &w {
                let why = iamspec_solver::oddities(&witness.request);
                if !why.is_empty() {
                    odd += 1;
                    odd_examples.push(format!(
                        "{} ({})",
                        witness.request_json.to_compact_string(),
                        why.join("; ")
                    ));
                }
            }
            (
                "fails",
                w.first()
                    .map(|w| w.request_json.to_compact_string())
                    .unwrap_or_default(),
                w.len(),
            )
        }
        Ok(Ok(Verdict::Unknown(reason))) => ("unknown", reason, 0),
        Ok(Err(e)) => ("error", e.to_string(), 0),
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            ("error", format!("the query panicked: {message}"), 0)
        }
    };
    Answer {
        millis,
        verdict: verdict.into(),
        detail,
        witnesses,
        invalid,
        odd,
        odd_examples,
        checks,
        phases,
    }
}

/// The worker process, seen from the benchmark.
struct Worker {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
}

impl Worker {
    fn start(args: &Args) -> Result<Worker, SolverCorpusError> {
        let exe = std::env::current_exe().map_err(|source| SolverCorpusError::Spawn {
            command: "the current executable".into(),
            source,
        })?;
        let mut command = Command::new(&exe);
        command
            .arg("solver-corpus")
            .arg("--worker")
            .arg("--timeout")
            .arg(args.timeout.to_string())
            .arg("--witnesses")
            .arg(args.witnesses.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command.spawn().map_err(|source| SolverCorpusError::Spawn {
            command: format!("{} solver-corpus --worker", exe.display()),
            source,
        })?;
        let pipe =
            |what: &str| SolverCorpusError::Pipe(std::io::Error::other(format!("no {what} pipe")));
        let stdin = child.stdin.take().ok_or_else(|| pipe("stdin"))?;
        let stdout = child.stdout.take().ok_or_else(|| pipe("stdout"))?;
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Ok(Worker {
            child,
            stdin,
            lines,
        })
    }

    /// Runs `job`; a worker that dies or does not answer within `deadline` is replaced, and
    /// the query is reported as such.
    fn ask(
        &mut self,
        args: &Args,
        job: &Job,
        deadline: Duration,
    ) -> Result<Answer, SolverCorpusError> {
        let text = serde_json::to_string(job)
            .map_err(|e| SolverCorpusError::Pipe(std::io::Error::other(e)))?;
        let sent = writeln!(self.stdin, "{text}").and_then(|()| self.stdin.flush());
        let lost = |detail: String, millis: f64, verdict: &str| Answer {
            millis,
            verdict: verdict.into(),
            detail,
            witnesses: 0,
            invalid: 0,
            odd: 0,
            odd_examples: Vec::new(),
            checks: 0,
            phases: Vec::new(),
        };
        let (answer, restart) = match sent {
            Err(e) => (lost(format!("the worker is gone: {e}"), 0.0, "error"), true),
            Ok(()) => match self.lines.recv_timeout(deadline) {
                Ok(line) => (
                    serde_json::from_str::<Answer>(&line).unwrap_or_else(|e| {
                        lost(
                            format!("an answer the benchmark cannot read: {e}"),
                            0.0,
                            "error",
                        )
                    }),
                    false,
                ),
                Err(RecvTimeoutError::Timeout) => (
                    lost(
                        format!(
                            "no answer within {} s: the worker was stopped",
                            deadline.as_secs()
                        ),
                        deadline.as_secs_f64() * 1000.0,
                        "unknown",
                    ),
                    true,
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self
                        .child
                        .wait()
                        .map(|s| s.to_string())
                        .unwrap_or_else(|e| e.to_string());
                    (
                        lost(format!("the worker died ({status})"), 0.0, "error"),
                        true,
                    )
                }
            },
        };
        if restart {
            self.restart(args)?;
        }
        Ok(answer)
    }

    fn restart(&mut self, args: &Args) -> Result<(), SolverCorpusError> {
        self.stop();
        *self = Worker::start(args)?;
        Ok(())
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `/proc/loadavg`'s three load averages, or `?` where there is none.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|text| {
            text.split_whitespace()
                .take(3)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .unwrap_or_else(|| "?".to_owned())
}

struct Progress {
    total: usize,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// A line per notable policy (slow, unknown, error) and every 50 policies; on a terminal,
    /// one line rewritten in place.
    fn show(&mut self, done: usize, name: &str, line: &str, notable: bool) {
        let text = format!("[{done}/{}] {name}: {line}", self.total);
        if self.terminal && !notable {
            let shown: String = text.chars().take(120).collect();
            eprint!("\r{shown:<120}");
            let _ = std::io::stderr().flush();
        } else if notable || done.is_multiple_of(50) || done == self.total {
            if self.terminal {
                eprint!("\r{:<120}\r", "");
            }
            eprintln!("{text}");
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

/// The value at `q` (0..=1) of sorted `values`, nearest rank.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (q * sorted.len() as f64).ceil().max(1.0) as usize;
    sorted
        .get(rank.min(sorted.len()) - 1)
        .copied()
        .unwrap_or(0.0)
}

fn millis(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{:.2} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// Whether a verdict is what the form expects: `Holds` for a rewrite, `Fails` (or `Holds`, a
/// neutral mutation) for a mutation.
fn unexpected(outcome: &Outcome) -> bool {
    match outcome.form {
        Form::Rewritten => outcome.answer.verdict == "fails",
        Form::ActionRemoved | Form::ConditionChanged => false,
    }
}

/// Where the time goes (`--phases`): per phase, its share of all queries' time, and its
/// median and p90 over the queries answered `Holds` and `Fails`; "other" is the rest of each
/// query's time (the z3 context, the domain's collection, what no phase covers).
fn render_phases(out: &mut String, outcomes: &[Outcome]) {
    let labels: Vec<&str> = iamspec_solver::phases::ALL
        .iter()
        .map(|p| p.label())
        .chain(std::iter::once("other"))
        .collect();
    let of = |o: &Outcome, i: usize| -> f64 {
        match o.answer.phases.get(i) {
            Some(ms) => *ms,
            None if i == labels.len() - 1 => {
                (o.answer.millis - o.answer.phases.iter().sum::<f64>()).max(0.0)
            }
            None => 0.0,
        }
    };
    let total: f64 = outcomes.iter().map(|o| o.answer.millis).sum();
    let _ = writeln!(
        out,
        "\nWhere the time goes (`--phases`; ms, each phase's own time):\n\n\
         | phase | share of all | Holds median | Holds p90 | Holds mean | Fails median | Fails p90 | Fails mean |\n\
         |---|---|---|---|---|---|---|---|"
    );
    for (i, label) in labels.iter().enumerate() {
        let sum: f64 = outcomes.iter().map(|o| of(o, i)).sum();
        let stats = |verdict: &str| {
            let mut v: Vec<f64> = outcomes
                .iter()
                .filter(|o| o.answer.verdict == verdict)
                .map(|o| of(o, i))
                .collect();
            v.sort_by(f64::total_cmp);
            let mean = v.iter().sum::<f64>() / (v.len().max(1) as f64);
            (quantile(&v, 0.5), quantile(&v, 0.9), mean)
        };
        let (hm, h9, ha) = stats("holds");
        let (fm, f9, fa) = stats("fails");
        let _ = writeln!(
            out,
            "| {label} | {:.1} % | {hm:.2} | {h9:.2} | {ha:.2} | {fm:.2} | {f9:.2} | {fa:.2} |",
            100.0 * sum / total.max(f64::MIN_POSITIVE)
        );
    }
}

fn render(
    args: &Args,
    outcomes: &[Outcome],
    skipped: &[(String, String)],
    policies: usize,
    elapsed: Duration,
    load: (&str, &str),
) -> String {
    let mut out = String::from("# Solver corpus benchmark (issue 5)\n\n");
    let mut command = format!(
        "cargo run --release -p xtask -- solver-corpus --timeout {}",
        args.timeout
    );
    if args.witnesses != 3 {
        let _ = write!(command, " --witnesses {}", args.witnesses);
    }
    if let Some(every) = args.every {
        let _ = write!(command, " --every {every}");
    }
    if let Some(limit) = args.limit {
        let _ = write!(command, " --limit {limit}");
    }
    if !args.policies.is_empty() {
        let _ = write!(command, " --policies {}", args.policies.join(","));
    }
    let _ = writeln!(
        out,
        "`{command}`: {policies} managed policies as identity policies, {} queries \
         (`equivalent`, {} s z3 timeout per call, up to {} witnesses), {:.0} s in all; \
         load average (1, 5, 15 min) {} at the start, {} at the end.\n",
        outcomes.len(),
        args.timeout,
        args.witnesses.max(1),
        elapsed.as_secs_f64(),
        load.0,
        load.1
    );
    let _ = writeln!(
        out,
        "| form | queries | median | p90 | p99 | max | Holds | Fails | Unknown | unexpected | errors |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|---|");
    let mut rows: Vec<(&str, Vec<&Outcome>)> = FORMS
        .iter()
        .map(|f| {
            (
                f.label(),
                outcomes.iter().filter(|o| o.form == *f).collect(),
            )
        })
        .collect();
    rows.push(("all", outcomes.iter().collect()));
    // Failing queries cost more (witnesses, each replayed): their times apart.
    rows.push((
        "answered Fails",
        outcomes
            .iter()
            .filter(|o| o.answer.verdict == "fails")
            .collect(),
    ));
    rows.push((
        "answered Holds",
        outcomes
            .iter()
            .filter(|o| o.answer.verdict == "holds")
            .collect(),
    ));
    for (label, group) in &rows {
        let mut times: Vec<f64> = group.iter().map(|o| o.answer.millis).collect();
        times.sort_by(f64::total_cmp);
        let count = |v: &str| group.iter().filter(|o| o.answer.verdict == v).count();
        let _ = writeln!(
            out,
            "| {label} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            group.len(),
            millis(quantile(&times, 0.5)),
            millis(quantile(&times, 0.9)),
            millis(quantile(&times, 0.99)),
            millis(times.last().copied().unwrap_or(0.0)),
            count("holds"),
            count("fails"),
            count("unknown"),
            group.iter().filter(|o| unexpected(o)).count(),
            count("error"),
        );
    }
    let mut checks: Vec<f64> = outcomes.iter().map(|o| o.answer.checks as f64).collect();
    checks.sort_by(f64::total_cmp);
    let _ = writeln!(
        out,
        "\nz3 checks per query: median {}, p90 {}, p99 {}, max {}, {} in all.",
        quantile(&checks, 0.5),
        quantile(&checks, 0.9),
        quantile(&checks, 0.99),
        checks.last().copied().unwrap_or(0.0),
        checks.iter().sum::<f64>()
    );
    if args.phases {
        render_phases(&mut out, outcomes);
    }
    let neutral: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| o.form != Form::Rewritten && o.answer.verdict == "holds")
        .collect();
    let _ = writeln!(
        out,
        "\nA mutation answered `Holds` changed nothing the solver's domain can tell: {} of {} \
         mutated forms ({} with one action removed, {} with a condition value changed). Every \
         `Fails` came with replayed witnesses ({} in all); {} of them fail request validation \
         (issue 16: must be 0; `solver bug: ... not one AWS can send` errors count too); {} \
         read oddly (`iamspec_solver::oddities`, below).\n",
        neutral.len(),
        outcomes
            .iter()
            .filter(|o| o.form != Form::Rewritten)
            .count(),
        neutral
            .iter()
            .filter(|o| o.form == Form::ActionRemoved)
            .count(),
        neutral
            .iter()
            .filter(|o| o.form == Form::ConditionChanged)
            .count(),
        outcomes.iter().map(|o| o.answer.witnesses).sum::<usize>(),
        outcomes.iter().map(|o| o.answer.invalid).sum::<usize>()
            + outcomes
                .iter()
                .filter(|o| o.answer.detail.contains("not one AWS can send"))
                .count(),
        outcomes.iter().map(|o| o.answer.odd).sum::<usize>()
    );
    let list = |out: &mut String, title: &str, items: Vec<&Outcome>, limit: usize| {
        let _ = writeln!(out, "## {title}: {}\n", items.len());
        for o in items.iter().take(limit) {
            let detail: String = o.answer.detail.chars().take(300).collect();
            let _ = writeln!(
                out,
                "- {} ({}, {}): {} — {}",
                o.policy,
                o.form.label(),
                millis(o.answer.millis),
                o.description,
                detail
            );
        }
        if items.len() > limit {
            let _ = writeln!(out, "- … and {} more", items.len() - limit);
        }
        let _ = writeln!(out);
    };
    list(
        &mut out,
        "Unknown",
        outcomes
            .iter()
            .filter(|o| o.answer.verdict == "unknown")
            .collect(),
        100,
    );
    list(
        &mut out,
        "Unexpected verdicts",
        outcomes.iter().filter(|o| unexpected(o)).collect(),
        100,
    );
    list(
        &mut out,
        "Errors (solver errors, panics, workers that died)",
        outcomes
            .iter()
            .filter(|o| o.answer.verdict == "error")
            .collect(),
        100,
    );
    list(&mut out, "Neutral mutations (`Holds`)", neutral, 40);
    let odd: Vec<&Outcome> = outcomes.iter().filter(|o| o.answer.odd > 0).collect();
    let _ = writeln!(
        out,
        "## Odd witnesses: {} of {} (in {} queries), {} impossible\n\n\
         `iamspec_solver::oddities`. Impossible (must be 0 since D87): a resource in another \
         partition than the caller's, or with a partition, region or account field AWS never \
         writes. Possible but unusual (a policy may require them; D88 keeps them only then): a \
         service-linked role as the caller, a caller or resource outside the `aws` partition, \
         `*` for an action with resource types, a resource that fits none of the action's \
         resource types.\n",
        outcomes.iter().map(|o| o.answer.odd).sum::<usize>(),
        outcomes.iter().map(|o| o.answer.witnesses).sum::<usize>(),
        odd.len(),
        odd.iter()
            .flat_map(|o| &o.answer.odd_examples)
            .filter(|e| e.contains("(impossible") || e.contains("; impossible"))
            .count()
    );
    // How often each reason occurs: the reasons are the parenthesised end of each example.
    let mut reasons: Vec<(String, usize)> = Vec::new();
    for example in odd.iter().flat_map(|o| &o.answer.odd_examples) {
        let why = example
            .rsplit_once(" (")
            .map_or("", |(_, why)| why.trim_end_matches(')'));
        for reason in why.split("; ") {
            match reasons.iter_mut().find(|(r, _)| r == reason) {
                Some((_, n)) => *n += 1,
                None => reasons.push((reason.to_owned(), 1)),
            }
        }
    }
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (reason, count) in &reasons {
        let _ = writeln!(out, "- {count}: {reason}");
    }
    let _ = writeln!(out);
    let mut shown = 0;
    for o in &odd {
        for example in &o.answer.odd_examples {
            if shown < 200 {
                let example: String = example.chars().take(400).collect();
                let _ = writeln!(out, "- {} ({}): {example}", o.policy, o.form.label());
            }
            shown += 1;
        }
    }
    if shown > 200 {
        let _ = writeln!(out, "- … and {} more", shown - 200);
    }
    let _ = writeln!(out);
    let mut slowest: Vec<&Outcome> = outcomes.iter().collect();
    slowest.sort_by(|a, b| b.answer.millis.total_cmp(&a.answer.millis));
    let _ = writeln!(out, "## The 10 slowest queries\n");
    let _ = writeln!(out, "| policy | form | time | z3 checks | verdict |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for o in slowest.iter().take(10) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            o.policy,
            o.form.label(),
            millis(o.answer.millis),
            o.answer.checks,
            o.answer.verdict
        );
    }
    let _ = writeln!(out, "\n## Skipped: {}\n", skipped.len());
    for (name, reason) in skipped.iter().take(50) {
        let _ = writeln!(out, "- {name}: {reason}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(quantile(&v, 0.5), 50.0);
        assert_eq!(quantile(&v, 0.99), 99.0);
        assert_eq!(quantile(&v, 1.0), 100.0);
        assert_eq!(quantile(&[7.0], 0.99), 7.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }
}
