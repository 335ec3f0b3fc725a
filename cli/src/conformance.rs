use crate::output::{Output, OutputArgs, Paint, Records};
use crate::{out, EXIT_INPUT};
use iamspec_conformance::discover::{find, Found};
use iamspec_conformance::external::External;
use iamspec_conformance::runner::run_case;
use iamspec_conformance::{Implementation, Suite};
use iamspec_model::quote::quoted;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Run every suite under the given paths; print failures, per-suite totals and
    /// `N passed, M failed`. Exit 0 all passed, 1 a case failed, 2 a suite could not be read,
    /// no case was selected, or the implementation could not run.
    Run(RunArgs),
}

#[derive(clap::Args)]
pub struct RunArgs {
    /// Suite files or directories holding them (files in a directory that are not suites are
    /// skipped, saying so).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Run an external implementation over the line protocol (FORMAT.md, "Running") instead of
    /// the built-in one.
    #[arg(long = "impl", value_name = "COMMAND")]
    implementation: Option<String>,
    /// Only cases whose `suite/id` contains this text (a filter that selects nothing is an
    /// error).
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Seconds an external implementation may take per case (more than 0).
    #[arg(long, default_value_t = 10.0, value_parser = positive_seconds, allow_hyphen_values = true, value_name = "SECONDS")]
    timeout: f64,
    /// Copy the implementation's standard error to ours as it comes (by default only its last
    /// lines are shown, when it fails).
    #[arg(long)]
    impl_stderr: bool,
    #[command(flatten)]
    output: OutputArgs,
}

/// A number of seconds, finite and more than zero.
pub fn positive_seconds(text: &str) -> Result<f64, String> {
    let seconds: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if seconds.is_finite() && seconds > 0.0 && Duration::try_from_secs_f64(seconds).is_ok() {
        Ok(seconds)
    } else if seconds > 0.0 {
        // `1e400` and `inf` parse (as infinity), as do numbers beyond what a timer holds.
        Err(format!(
            "`{text}`: more seconds than a timer can hold; expected a number of seconds more than 0"
        ))
    } else {
        Err(format!(
            "`{text}`: expected a number of seconds more than 0"
        ))
    }
}

struct Totals {
    name: String,
    file: String,
    passed: usize,
    failed: usize,
}

/// Exit 0 when nothing failed, 1 when a case failed, 2 as the help says.
pub fn run(command: Command) -> u8 {
    let Command::Run(args) = command;
    let output = args.output.resolve();
    let mut records = Records::new();
    let code = run_suites(&args, &output, &mut records);
    if output.json() {
        records.finish();
    }
    code
}

/// A problem as a JSON record: `kind` is `suite` (a file that cannot be run), `selection` (no
/// case selected) or `implementation` (the external implementation cannot go on).
fn problem(output: &Output, records: &mut Records, kind: &str, file: Option<&str>, error: &str) {
    if output.json() {
        records.push(&serde_json::json!({"file": file, "problem": kind, "error": error}));
    }
}

fn run_suites(args: &RunArgs, output: &Output, records: &mut Records) -> u8 {
    let mut worst = 0;
    let mut suites: Vec<Suite> = Vec::new();
    for found in find(&args.paths) {
        match found {
            Found::Suite(suite) => suites.push(suite),
            Found::Skipped { file, reason } => {
                output.note(format_args!("skipped {}: {reason}", file.display()));
            }
            Found::Error(error) => {
                let message = crate::input::suite_error(&error);
                eprintln!("{message}");
                let file = crate::display_name(error.file());
                problem(output, records, "suite", Some(&file), &message);
                worst = EXIT_INPUT;
            }
        }
    }
    let selected: Vec<(&Suite, Vec<&iamspec_conformance::Case>)> = suites
        .iter()
        .map(|suite| {
            let cases = suite
                .cases
                .iter()
                .filter(|case| {
                    args.filter
                        .as_ref()
                        .is_none_or(|f| format!("{}/{}", suite.name, case.id).contains(f.as_str()))
                })
                .collect();
            (suite, cases)
        })
        .collect();
    let total: usize = selected.iter().map(|(_, cases)| cases.len()).sum();
    if total == 0 {
        let all: usize = suites.iter().map(|s| s.cases.len()).sum();
        let message = match (&args.filter, suites.len()) {
            (_, 0) if worst == 0 => Some("no suite found in the given paths".to_owned()),
            (_, 0) => None,
            (Some(filter), n) => Some(format!(
                "no case matches --filter {} ({all} cases in {n} suite{})",
                quoted(filter),
                if n == 1 { "" } else { "s" }
            )),
            (None, _) => Some("the suites hold no case".to_owned()),
        };
        if let Some(message) = message {
            eprintln!("{message}");
            problem(output, records, "selection", None, &message);
        }
        return EXIT_INPUT;
    }
    let external = args.implementation.is_some();
    let mut runner = match &args.implementation {
        Some(command) => {
            let timeout = Duration::try_from_secs_f64(args.timeout).unwrap_or(Duration::MAX);
            Implementation::External(
                External::new(command, timeout).forward_stderr(args.impl_stderr),
            )
        }
        None => Implementation::Reference,
    };
    let (mut passed, mut failed, mut done) = (0usize, 0usize, 0usize);
    let mut per_suite = Vec::new();
    for (suite, cases) in &selected {
        if cases.is_empty() {
            continue;
        }
        let file = crate::display_name(&suite.file);
        let mut totals = Totals {
            name: suite.name.clone(),
            file: file.clone(),
            passed: 0,
            failed: 0,
        };
        for case in cases {
            let full_id = format!("{}/{}", suite.name, case.id);
            if external {
                output.progress(done, total, &full_id);
            }
            let result = match run_case(&mut runner, &file, &suite.name, case) {
                Ok(result) => result,
                Err(error) => {
                    output.clear_progress();
                    eprintln!("error: {error}");
                    problem(
                        output,
                        records,
                        "implementation",
                        Some(&file),
                        &error.to_string(),
                    );
                    eprintln!(
                        "stopped at case {} ({file}), after {done} of {total} cases: {passed} passed, {failed} failed",
                        quoted(&full_id)
                    );
                    return EXIT_INPUT;
                }
            };
            done += 1;
            if result.passed {
                passed += 1;
                totals.passed += 1;
            } else {
                failed += 1;
                totals.failed += 1;
            }
            if output.json() {
                let mut record = serde_json::to_value(&result).unwrap_or_default();
                if let Some(object) = record.as_object_mut() {
                    object.insert("path".into(), case.path.to_string().into());
                }
                output.clear_progress();
                records.push(&record);
            } else if !result.passed {
                output.clear_progress();
                out!(
                    "{} {full_id} ({file}, {}): expected {}, got {}",
                    output.paint(Paint::Red, "FAIL"),
                    case.path,
                    result.expected,
                    result.got
                );
            }
        }
        per_suite.push(totals);
    }
    output.clear_progress();
    if !output.quiet {
        for suite in &per_suite {
            let line = format!(
                "{} ({}): {} passed, {} failed",
                suite.name, suite.file, suite.passed, suite.failed
            );
            if output.json() {
                eprintln!("{line}");
            } else {
                out!("{line}");
            }
        }
    }
    if let Implementation::External(peer) = &runner {
        if peer.restarts() > 0 {
            eprintln!(
                "the implementation was started again {} time{} after a timeout",
                peer.restarts(),
                if peer.restarts() == 1 { "" } else { "s" }
            );
        }
    }
    if worst != 0 {
        eprintln!("some files could not be run (see above)");
    }
    let closing = format!("{passed} passed, {failed} failed");
    if output.json() {
        eprintln!("{closing}");
    } else if failed == 0 && worst == 0 {
        out!("{}", output.paint(Paint::Green, &closing));
    } else {
        out!("{}", output.paint(Paint::Red, &closing));
    }
    worst.max(u8::from(failed > 0))
}
