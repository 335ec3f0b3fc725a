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

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

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
    let cli = Cli::parse();
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

/// Exit status for input that cannot be read or parsed.
pub const EXIT_INPUT: u8 = 2;

/// Reads a file, or standard input for `-`.
pub fn read_input(path: &Path) -> Result<String, String> {
    if path == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .map_err(|e| format!("-: {e}"))?;
        Ok(text)
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// How a file is named in messages.
pub fn display_name(path: &Path) -> String {
    if path == Path::new("-") {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}

pub type Paths = Vec<PathBuf>;

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a panic.
pub fn print_out(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
}
