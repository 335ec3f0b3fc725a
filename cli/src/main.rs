//! The `iamspec` command line. Thin by design: it parses arguments, calls the crates and prints;
//! no IAM logic lives here.

mod access;
mod audit;
mod bench;
mod check;
mod conformance;
mod conformance_api;
mod credential_report;
mod equiv;
mod escalation;
mod eval;
mod input;
mod lint;
mod output;
mod path;
mod permissions;
mod reach;
mod summary;
mod validate;
mod who_can;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// mimalloc rather than the system's allocator. With glibc's, nearly half of `validate`'s time on
/// 10,000 statements went to faulting in fresh heap pages 4 KiB at a time (5,400 faults), and
/// the heap of `lint`'s catalogue thread grew by one `mprotect` per page (1,700 calls, each
/// holding up the other thread's faults). mimalloc reserves its heap at once and asks for
/// transparent huge pages (`MADV_HUGEPAGE`): about 300 faults, and `validate` twice as fast.
/// BENCHMARKS.md, "Lint, twelfth round".
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "iamspec",
    version,
    about = "An executable reference model of AWS IAM authorization"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decide and explain cases (case files, or every case of suites, in the conformance
    /// format); or, with --policy, every action on every resource, as `aws iam
    /// simulate-custom-policy` does.
    Eval(eval::Args),
    /// Validate a policy document for its kind: errors (what AWS rejects) and warnings.
    Validate(validate::Args),
    /// Lint policy documents: validation plus checks against the action catalogue, as errors,
    /// security warnings, warnings and suggestions (text, JSON or SARIF).
    Lint(lint::Args),
    /// Summarize what a policy allows and denies per service and access level, as the IAM
    /// console's policy summary does.
    Summary(summary::Args),
    /// Run conformance suites.
    #[command(subcommand)]
    Conformance(conformance::Command),
    /// Measure an evaluator on conformance suites: compile each case once, decide them in a loop,
    /// end with `decisions/s: N`.
    Bench(bench::Args),
    /// Are two policies (or policy sets) equivalent? Exit 0 yes, 1 no (with witness requests as
    /// conformance cases), 2 bad input, 3 unknown, 4 solver bug.
    Equiv(equiv::Args),
    /// Prove or refute a property with the solver: no-new-access, access-not-granted,
    /// no-public-access.
    #[command(subcommand)]
    Check(check::Command),
    /// Which principals can perform an action on a resource.
    Reach(reach::Args),
    /// Decide requests against a world (an iamspec-snapshot/1 or a GAAD file), naming each
    /// policy and where it is attached.
    Access(access::Args),
    /// What a principal of a world can do, per service and access level.
    Permissions(permissions::Args),
    /// Every principal of a world that can perform an action on a resource, directly or through
    /// role chains, federation and escalation paths, with all minimal paths.
    WhoCan(who_can::Args),
    /// Who in a world can become an administrator of its account, and how. Exit 1 when one can.
    Escalation(escalation::Args),
    /// The paths from one principal of a world to another, or to any administrator.
    Path(path::Args),

    /// Audit a world against the IAM best practices and the CIS AWS Foundations Benchmark.
    /// Exit 0 without high-severity findings, 1 with, 2 bad input.
    Audit(audit::Args),
    /// The credential report AWS would generate for an account of a world at a given time.
    CredentialReport(credential_report::Args),
}

fn main() -> ExitCode {
    output::exit_quietly_on_broken_pipe();
    let matches = synopses(Cli::command(), "iamspec").get_matches();
    // Usage errors exit 2 (clap's own status), as the README's table says.
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let code = match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Summary(args) => summary::run(args),
        Command::Conformance(command) => conformance::run(command),
        Command::Bench(args) => bench::run(args),
        Command::Equiv(args) => equiv::run(args),
        Command::Check(command) => check::run(command),
        Command::Reach(args) => reach::run(args),
        Command::Access(args) => access::run(args),
        Command::Permissions(args) => permissions::run(args),
        Command::WhoCan(args) => who_can::run(args),
        Command::Escalation(args) => escalation::run(args),
        Command::Path(args) => path::run(args),

        Command::Audit(args) => audit::run(args),
        Command::CredentialReport(args) => credential_report::run(args),
    };
    ExitCode::from(code)
}

/// Each command's usage line with every argument it takes (clap shows `[OPTIONS]` for the
/// optional ones), as a man page's synopsis does. `eval` keeps its own: it has two forms.
fn synopses(command: clap::Command, path: &str) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    let mut command = command;
    for name in names {
        let inner = format!("{path} {name}");
        command = command.mut_subcommand(&name, |sub| {
            if sub.has_subcommands() {
                synopses(sub, &inner)
            } else if name == "eval" {
                sub
            } else {
                let usage = synopsis(&sub, &inner);
                sub.override_usage(usage)
            }
        });
    }
    command
}

/// `path` and every argument of `command`: required ones bare, optional ones in brackets,
/// repeatable ones with `...`, choices spelt out; wrapped under the command's name.
fn synopsis(command: &clap::Command, path: &str) -> String {
    let mut words = Vec::new();
    let (positional, options): (Vec<&clap::Arg>, Vec<&clap::Arg>) = command
        .get_arguments()
        .filter(|a| !a.is_hide_set() && !matches!(a.get_id().as_str(), "help" | "version"))
        .partition(|a| a.is_positional());
    for arg in options.into_iter().chain(positional) {
        let value = value_of(arg);
        let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1)
            || matches!(arg.get_action(), clap::ArgAction::Append);
        let dots = if many { "..." } else { "" };
        let word = match (arg.get_long(), arg.get_short()) {
            _ if arg.is_positional() => format!("<{value}>{dots}"),
            (Some(long), short) if !arg.get_action().takes_values() => match short {
                Some(short) => format!("-{short}|--{long}"),
                None => format!("--{long}"),
            },
            (Some(long), _) => format!("--{long} <{value}>{dots}"),
            (None, Some(short)) => format!("-{short} <{value}>{dots}"),
            (None, None) => continue,
        };
        words.push(if arg.is_required_set() {
            word
        } else {
            format!("[{word}]")
        });
    }
    let indent = " ".repeat(path.len() + 1);
    let mut out = path.to_owned();
    let mut width = out.len();
    for word in words {
        if width + 1 + word.len() > 92 && width > indent.len() {
            out.push('\n');
            out.push_str(&indent);
            width = indent.len();
        } else {
            out.push(' ');
            width += 1;
        }
        width += word.len();
        out.push_str(&word);
    }
    out
}

/// An argument's value as a synopsis shows it: its choices (`text|json`) when it has a few, else
/// its value name.
fn value_of(arg: &clap::Arg) -> String {
    let choices: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !choices.is_empty() && choices.len() <= 4 {
        return choices.join("|");
    }
    arg.get_value_names()
        .and_then(|names| names.first())
        .map_or_else(|| arg.get_id().as_str().to_uppercase(), ToString::to_string)
}

/// Exit status for input that cannot be read or parsed.
pub const EXIT_INPUT: u8 = 2;

/// How a file is named in messages.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

pub type Paths = Vec<PathBuf>;

/// Writes `text` as it is to standard output; a closed pipe (`| head`) ends the command quietly,
/// as [`out!`] does.
pub fn print_out(text: &str) {
    output::write(format_args!("{text}"));
}
