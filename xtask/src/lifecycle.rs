//! `cargo xtask lifecycle-prop`: the lifecycle state-machine property with many more sequences
//! than `cargo test` runs (world/LIFECYCLE.md).

use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// Sequences to run (each up to 60 calls).
    #[arg(long, default_value_t = 2_000)]
    cases: u32,
}

pub fn run(args: &Args) -> Result<(), String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .current_dir(crate::repo_root())
        .args([
            "test",
            "--release",
            "-p",
            "iamspec-world",
            "--test",
            "lifecycle",
            "--",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("IAMSPEC_LIFECYCLE_CASES", args.cases.to_string())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the lifecycle property failed ({status})"))
    }
}
