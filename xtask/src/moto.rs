//! `cargo xtask moto`: installs moto (`moto[server]`, pinned) into a virtual environment outside
//! the repository (`$IAMSPEC_MOTO_VENV`, or `~/.cache/iamspec/moto-venv`), runs the
//! `iamspec-api/1` suites against it through `conformance/adapters/moto/adapter.py`, and writes
//! the run to `target/moto-run.txt`. `conformance/API-PEER-REPORT.md` classifies what it shows.

use std::path::PathBuf;
use std::process::Command;

/// The version API-PEER-REPORT.md was written against.
const MOTO: &str = "moto[server]==5.2.6";
const ADAPTER: &str = "conformance/adapters/moto/adapter.py";

#[derive(clap::Args)]
pub struct Args {
    /// Only install (or check) the environment; run nothing.
    #[arg(long)]
    setup_only: bool,
}

fn venv() -> PathBuf {
    if let Some(dir) = std::env::var_os("IAMSPEC_MOTO_VENV") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache").join("iamspec").join("moto-venv")
}

fn run_status(command: &mut Command, what: &str) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("cannot run {what}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

pub fn run(args: &Args) -> Result<(), String> {
    let repo = crate::repo_root();
    let venv = venv();
    if venv.starts_with(&repo) {
        return Err(format!("{} is inside the repository", venv.display()));
    }
    let python = venv.join("bin").join("python");
    if !python.exists() {
        run_status(
            Command::new("python3").arg("-m").arg("venv").arg(&venv),
            "python3 -m venv",
        )?;
    }
    if !venv.join("bin").join("moto_server").exists() {
        run_status(
            Command::new(&python).args(["-m", "pip", "install", "-q", MOTO]),
            &format!("pip install '{MOTO}'"),
        )?;
    }
    if args.setup_only {
        println!("moto is installed in {}", venv.display());
        return Ok(());
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(&repo)
        .args([
            "run",
            "-q",
            "-p",
            "iamspec",
            "--",
            "conformance",
            "api",
            "conformance/api",
            "--impl",
        ])
        .arg(format!("{} {ADAPTER}", python.display()))
        .output()
        .map_err(|e| format!("cannot run iamspec: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let file = repo.join("target").join("moto-run.txt");
    std::fs::write(&file, text.as_bytes()).map_err(|e| format!("{}: {e}", file.display()))?;
    eprint!("{}", String::from_utf8_lossy(&output.stderr));
    println!(
        "{} (the whole run is in {})",
        text.lines().last().unwrap_or("no output"),
        file.display()
    );
    Ok(())
}
