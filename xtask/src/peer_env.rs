//! Where the Python peers (cloudsplaining, PMapper) are installed, outside the repository, and
//! how their setup commands are run.

use std::path::PathBuf;
use std::process::Command;

/// `$VAR` when set, else `~/.cache/NAME` (`/tmp/.cache/NAME` without a home).
pub fn venv(var: &str, name: &str) -> PathBuf {
    if let Some(dir) = std::env::var_os(var) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/tmp"), PathBuf::from);
    home.join(".cache").join(name)
}

/// Runs `cmd`; a failure to start or a non-zero exit is an error naming the command.
pub fn run_ok(cmd: &mut Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| format!("{cmd:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{cmd:?}: {status}"))
    }
}
