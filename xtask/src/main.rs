//! Developer tasks, run as `cargo xtask <task>`. Each task lives in its own module.

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), String> = match cli.task {
        Task::Shared => {
            println!("{}", shared_dir().display());
            Ok(())
        }
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
