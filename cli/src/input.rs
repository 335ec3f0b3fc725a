//! Reading the files a command is given. Every command reports an unreadable file, or one that
//! is not JSON, the same way: one line on standard error naming the file, and exit 2
//! ([`crate::EXIT_INPUT`]).

use crate::{display_name, read_input};
use iamspec_conformance::Suite;
use iamspec_model::json::Json;
use std::path::{Path, PathBuf};

/// A file read whole.
pub struct Source {
    /// The file as messages name it (`<stdin>` for `-`).
    pub name: String,
    pub text: String,
}

/// Reads `path` (`-`: standard input).
pub fn read(path: &Path) -> Result<Source, String> {
    Ok(Source {
        name: display_name(path),
        text: read_input(path)?,
    })
}

/// Reads `path` and parses it as JSON; the error names the file.
pub fn read_json(path: &Path) -> Result<(Source, Json), String> {
    let source = read(path)?;
    let json = Json::parse(&source.text).map_err(|e| format!("{}: {e}", source.name))?;
    Ok((source, json))
}

/// [`read`], printing the error: `None` means the command exits with [`EXIT_INPUT`].
pub fn read_or_report(path: &Path) -> Option<Source> {
    read(path).map_err(|message| eprintln!("{message}")).ok()
}

/// [`read_json`], printing the error: `None` means the command exits with [`EXIT_INPUT`].
pub fn read_json_or_report(path: &Path) -> Option<(Source, Json)> {
    read_json(path)
        .map_err(|message| eprintln!("{message}"))
        .ok()
}

/// Every suite in `paths` (files, or directories holding them), printing the error: `None`
/// means the command exits with [`EXIT_INPUT`].
pub fn suites_or_report(paths: &[PathBuf]) -> Option<Vec<Suite>> {
    Suite::discover(paths)
        .and_then(|files| files.iter().map(|f| Suite::load(f)).collect())
        .map_err(|e| eprintln!("{e}"))
        .ok()
}
