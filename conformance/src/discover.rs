//! Finding the suites under the paths a user gives. A file named on the command line must be a
//! suite; a directory is walked, and the files in it that are not suites are skipped with a
//! reason, so that a run says what it did not read. A file that looks like a suite but is broken
//! is an error either way: skipping it would let a typo turn a run green.

use crate::suite::{Suite, SuiteError};
use iamspec_model::json::Json;
use std::path::{Path, PathBuf};

/// What one path turned out to be.
#[derive(Debug)]
pub enum Found {
    Suite(Suite),
    /// A file met while walking a directory that is not a suite.
    Skipped {
        file: PathBuf,
        reason: String,
    },
    /// A file that cannot be run: unreadable, not JSON, a malformed suite, or a file named on
    /// the command line that is not a suite.
    Error(SuiteError),
}

/// Everything under `paths`, in order: files as given (`-`: standard input), directories
/// recursively and sorted.
pub fn find(paths: &[PathBuf]) -> Vec<Found> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut found);
        } else {
            found.push(load(path, true));
        }
    }
    found
}

fn walk(dir: &Path, found: &mut Vec<Found>) {
    // `file_type` does not follow symbolic links, so a link cycle cannot recurse forever.
    let mut entries: Vec<(PathBuf, bool)> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
            .collect(),
        Err(e) => {
            found.push(Found::Error(SuiteError::Read {
                file: dir.to_owned(),
                message: e.to_string(),
            }));
            return;
        }
    };
    entries.sort();
    for (entry, is_dir) in entries {
        let hidden = entry
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if hidden {
            continue;
        }
        if is_dir {
            walk(&entry, found);
        } else if entry.extension().is_some_and(|e| e == "json") {
            found.push(load(&entry, false));
        } else {
            found.push(Found::Skipped {
                file: entry,
                reason: "not a `.json` file".into(),
            });
        }
    }
}

/// Reads `file`; `named` when the user named it (then a non-suite is an error, not a skip).
fn load(file: &Path, named: bool) -> Found {
    // `-` is standard input, as for every command that reads documents.
    let read = if file == Path::new("-") {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text).map(|_| text)
    } else {
        std::fs::read_to_string(file)
    };
    let text = match read {
        Ok(text) => text,
        Err(e) => {
            let message = if e.kind() == std::io::ErrorKind::NotFound {
                "no such file or directory".to_owned()
            } else {
                e.to_string()
            };
            return Found::Error(SuiteError::Read {
                file: file.to_owned(),
                message,
            });
        }
    };
    // A leading byte-order mark is not part of the JSON (editors on Windows write one).
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let not_a_suite = match Json::parse(text) {
        Err(error) => {
            return Found::Error(SuiteError::Json {
                file: file.to_owned(),
                error,
            })
        }
        Ok(json) => what_else(&json),
    };
    match not_a_suite {
        None => match Suite::parse(text, file) {
            Ok(suite) => Found::Suite(suite),
            Err(e) => Found::Error(e),
        },
        Some(reason) if named => Found::Error(SuiteError::NotASuite {
            file: file.to_owned(),
            message: reason,
        }),
        Some(reason) => Found::Skipped {
            file: file.to_owned(),
            reason,
        },
    }
}

/// `None` when `json` claims to be a suite; otherwise what it is instead.
fn what_else(json: &Json) -> Option<String> {
    if !matches!(json, Json::Object(_)) {
        return Some(format!("not a suite: a JSON {}", json.type_name()));
    }
    // Another iamspec format (a world snapshot beside the suites) is not a broken suite.
    if let (Some(Json::String(format)), None) = (json.get("format"), json.get("cases")) {
        if !format.starts_with("iamspec-conformance/") {
            return Some(format!(
                "not a suite: its format is {}",
                iamspec_model::quote::quoted(format)
            ));
        }
    }
    if json.get("format").is_some() || json.get("cases").is_some() {
        return None;
    }
    if json.get("request").is_some() {
        return Some("this is a case, not a suite: use `iamspec eval`".into());
    }
    Some("not a suite: it has no `format` or `cases`".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("iamspec-discover-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    fn describe(found: &[Found]) -> Vec<String> {
        found
            .iter()
            .map(|f| match f {
                Found::Suite(s) => format!("suite {}", s.name),
                Found::Skipped { file, reason } => format!(
                    "skip {}: {reason}",
                    file.file_name().unwrap().to_string_lossy()
                ),
                Found::Error(e) => format!("error {}", e.to_string().rsplit('/').next().unwrap()),
            })
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_link_cycle_is_not_followed() {
        let suite = r#"{"format":"iamspec-conformance/1","suite":"s","cases":[]}"#;
        let d = dir("cycle", &[("a.json", suite)]);
        std::os::unix::fs::symlink(&d, d.join("loop")).unwrap();
        let found = find(std::slice::from_ref(&d));
        std::fs::remove_dir_all(&d).unwrap();
        assert_eq!(
            describe(&found),
            ["suite s", "skip loop: not a `.json` file"]
        );
    }

    #[test]
    fn directories_skip_what_is_not_a_suite_but_never_a_broken_suite() {
        let suite = r#"{"format":"iamspec-conformance/1","suite":"s","cases":[]}"#;
        let case = r#"{"request":{},"expect":{"decision":"allow"}}"#;
        let d = dir(
            "walk",
            &[
                ("a.json", &format!("\u{feff}{suite}")),
                ("b.json", case),
                ("c.json", "[1]"),
                (
                    "d.json",
                    r#"{"format":"iamspec-conformance/1","suite":"s","#,
                ),
                ("README.md", "x"),
                (".hidden.json", "x"),
            ],
        );
        assert_eq!(
            describe(&find(std::slice::from_ref(&d))),
            [
                "skip README.md: not a `.json` file",
                "suite s",
                "skip b.json: this is a case, not a suite: use `iamspec eval`",
                "skip c.json: not a suite: a JSON array",
                "error d.json: invalid JSON at line 1, column 46: EOF while parsing a value",
            ]
        );
        // Named on the command line, a case file is an error that says what to do.
        assert_eq!(
            describe(&find(&[d.join("b.json"), d.join("missing.json")])),
            [
                "error b.json: this is a case, not a suite: use `iamspec eval`",
                "error missing.json: no such file or directory"
            ]
        );
        let _ = std::fs::remove_dir_all(&d);
    }
}
