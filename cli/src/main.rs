//! The `iamspec` command line. Thin by design: it parses arguments, calls the crates and prints;
//! no IAM logic lives here.

mod conformance;
mod eval;
mod validate;

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
    /// Decide one case (a request and its policies, in the conformance format) and explain it.
    Eval(eval::Args),
    /// Validate a policy document for its kind: errors (what AWS rejects) and warnings.
    Validate(validate::Args),
    /// Run conformance suites.
    #[command(subcommand)]
    Conformance(conformance::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Eval(args) => eval::run(args),
        Command::Validate(args) => validate::run(args),
        Command::Conformance(command) => conformance::run(command),
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
