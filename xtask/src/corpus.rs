//! `cargo xtask corpus`: validates, lints and summarizes every AWS managed policy of the shared
//! data folder, with a progress line on stderr, and writes `target/corpus-report.md`: findings per
//! check, error counts, access-level totals and the slowest policies.

use iamspec_corpus::lint::{self, LintSeverity, Origin};
use iamspec_corpus::summary::summarize;
use iamspec_corpus::{shared_data_dir, Catalogue, ManagedPolicy};
use iamspec_model::json::Json;
use iamspec_model::PolicyKind;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::time::{Duration, Instant};

/// Why the corpus run could not finish.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    /// The managed-policy file is not in the shared data folder.
    #[error("no managed-policy corpus in `{0}`")]
    Missing(String),
    /// The file is there but cannot be read.
    #[error(transparent)]
    Load(#[from] iamspec_corpus::ManagedError),
    /// The report cannot be written.
    #[error("cannot write `{path}`: {source}")]
    Write {
        /// The report file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// What one policy gave.
struct Outcome {
    name: String,
    statements: usize,
    elapsed: Duration,
    findings: Vec<(&'static str, LintSeverity, String)>,
    /// Findings of [`lint::NOT_FOR_AWS_MANAGED`], kept apart.
    exempt: usize,
    /// Services in the summary's Allow section, and how many of them with full access.
    allow_services: usize,
    full_access: usize,
    deny_services: usize,
}

pub fn run() -> Result<(), CorpusError> {
    let policies = ManagedPolicy::load_shared()?
        .ok_or_else(|| CorpusError::Missing(shared_data_dir().display().to_string()))?;
    let catalogue = Catalogue::embedded();
    let started = Instant::now();
    let mut progress = Progress::new(policies.len());
    let mut outcomes = Vec::with_capacity(policies.len());
    for (done, policy) in policies.iter().enumerate() {
        progress.show(done, &policy.name);
        outcomes.push(run_one(policy, catalogue));
    }
    progress.finish();
    let total = started.elapsed();
    let report = render(&policies, &outcomes, catalogue, total);
    let path = crate::repo_root().join("target").join("corpus-report.md");
    let write = |e| CorpusError::Write {
        path: path.display().to_string(),
        source: e,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write)?;
    }
    std::fs::write(&path, &report).map_err(write)?;
    let errors: usize = outcomes
        .iter()
        .map(|o| {
            o.findings
                .iter()
                .filter(|f| f.1 == LintSeverity::Error)
                .count()
        })
        .sum();
    eprintln!(
        "{} policies linted in {:.1} s: {errors} errors; report in {}",
        outcomes.len(),
        total.as_secs_f64(),
        path.display()
    );
    Ok(())
}

fn run_one(policy: &ManagedPolicy, catalogue: &Catalogue) -> Outcome {
    let started = Instant::now();
    // The published document, pretty-printed so that findings have useful line numbers.
    let text = serde_json::to_string_pretty(&policy.document).unwrap_or_default();
    let json = Json::from(&policy.document);
    let mut report = lint::lint_json(&json, Some(&text), PolicyKind::Identity, catalogue);
    let before = report.findings.len();
    report
        .findings
        .retain(|f| !lint::NOT_FOR_AWS_MANAGED.contains(&f.id));
    let exempt = before - report.findings.len();
    let (allow_services, full_access, deny_services) = match &report.policy {
        Some(parsed) => {
            let summary = summarize(parsed, catalogue);
            let full = summary
                .allow
                .iter()
                .filter(|s| s.access == "Full access")
                .count();
            (summary.allow.len(), full, summary.deny.len())
        }
        None => (0, 0, 0),
    };
    Outcome {
        name: policy.name.clone(),
        statements: report.policy.as_ref().map_or(0, |p| p.statements.len()),
        elapsed: started.elapsed(),
        findings: report
            .findings
            .into_iter()
            .map(|f| (f.id, f.severity, format!("{}: {}", f.path, f.message)))
            .collect(),
        exempt,
        allow_services,
        full_access,
        deny_services,
    }
}

/// `((severity, check id), (findings, policies))`.
type CheckRow<'a> = ((LintSeverity, &'a str), (usize, usize));

/// A one-line progress bar on a terminal, a line per tenth otherwise (CI logs).
struct Progress {
    total: usize,
    terminal: bool,
    last_tenth: usize,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            terminal: std::io::stderr().is_terminal(),
            last_tenth: 0,
        }
    }

    fn show(&mut self, done: usize, name: &str) {
        let total = self.total.max(1);
        if self.terminal {
            let width = 30;
            let filled = done * width / total;
            let name: String = name.chars().take(40).collect();
            eprint!(
                "\r[{}{}] {done}/{} {name:<40}",
                "#".repeat(filled),
                ".".repeat(width - filled),
                self.total
            );
            let _ = std::io::stderr().flush();
        } else {
            let tenth = done * 10 / total;
            if tenth > self.last_tenth {
                self.last_tenth = tenth;
                eprintln!("{}% ({done}/{})", tenth * 10, self.total);
            }
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!(
                "\r[{}] {}/{}{:40}",
                "#".repeat(30),
                self.total,
                self.total,
                ""
            );
        }
    }
}

fn render(
    policies: &[ManagedPolicy],
    outcomes: &[Outcome],
    catalogue: &Catalogue,
    total: Duration,
) -> String {
    let mut out = String::new();
    let source = catalogue.source();
    let deprecated = policies.iter().filter(|p| p.deprecated).count();
    let statements: usize = outcomes.iter().map(|o| o.statements).sum();
    let count = |severity: LintSeverity| -> usize {
        outcomes
            .iter()
            .map(|o| o.findings.iter().filter(|f| f.1 == severity).count())
            .sum()
    };
    let validation_errors: usize = outcomes
        .iter()
        .map(|o| {
            o.findings
                .iter()
                .filter(|f| {
                    f.1 == LintSeverity::Error
                        && lint::check(f.0).is_none_or(|c| c.origin == Origin::Validation)
                })
                .count()
        })
        .sum();
    let with_errors = outcomes
        .iter()
        .filter(|o| o.findings.iter().any(|f| f.1 == LintSeverity::Error))
        .count();
    let _ = writeln!(out, "# Managed-policy corpus report\n");
    let _ = writeln!(
        out,
        "Every AWS managed policy of `{}` ({} policies, {deprecated} deprecated), validated and \
         linted as an identity policy and summarized by access level, against the action \
         catalogue {} {}. Generated by `cargo xtask corpus` in {:.1} s.\n",
        iamspec_corpus::managed::MANAGED_POLICIES_FILE,
        policies.len(),
        source.package,
        source.version,
        total.as_secs_f64()
    );
    let _ = writeln!(out, "## Totals\n\n| | count |\n|---|---:|");
    let exempt: usize = outcomes.iter().map(|o| o.exempt).sum();
    let exempt_policies = outcomes.iter().filter(|o| o.exempt > 0).count();
    let rows: [(&str, usize); 10] = [
        ("policies", outcomes.len()),
        ("statements", statements),
        ("validation errors (the model's `check`)", validation_errors),
        ("errors", count(LintSeverity::Error)),
        ("security warnings", count(LintSeverity::SecurityWarning)),
        ("warnings", count(LintSeverity::Warning)),
        ("suggestions", count(LintSeverity::Suggestion)),
        ("policies with an error", with_errors),
        (
            "size-quota findings left out (AWS managed policies are not held to them)",
            exempt,
        ),
        (
            "policies with no finding",
            outcomes.iter().filter(|o| o.findings.is_empty()).count(),
        ),
    ];
    for (label, n) in rows {
        let _ = writeln!(out, "| {label} | {n} |");
    }

    let _ = writeln!(
        out,
        "\n{exempt_policies} policies are over (or near) the customer managed policy quota of \
         6,144 characters; AWS publishes them as they are, so the quota checks ({}) are left out \
         above and below.",
        lint::NOT_FOR_AWS_MANAGED
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(out, "\n## Findings per check\n");
    let _ = writeln!(
        out,
        "| check | severity | findings | policies |\n|---|---|---:|---:|"
    );
    // By check and severity: some checks grade their findings (a security warning when a
    // condition then always holds, a suggestion otherwise).
    let mut per_check: BTreeMap<(LintSeverity, &str), (usize, usize)> = BTreeMap::new();
    for outcome in outcomes {
        let mut seen: Vec<(LintSeverity, &str)> = Vec::new();
        for (id, severity, _) in &outcome.findings {
            let key = (*severity, *id);
            let entry = per_check.entry(key).or_insert((0, 0));
            entry.0 += 1;
            if !seen.contains(&key) {
                seen.push(key);
                entry.1 += 1;
            }
        }
    }
    let mut rows: Vec<CheckRow<'_>> = per_check.into_iter().collect();
    rows.sort_by_key(|((severity, id), (findings, _))| {
        (*severity, std::cmp::Reverse(*findings), *id)
    });
    for ((severity, id), (findings, policies)) in &rows {
        let _ = writeln!(out, "| `{id}` | {severity} | {findings} | {policies} |");
    }
    let silent: Vec<&str> = lint::CHECKS
        .iter()
        .map(|c| c.id)
        .filter(|id| !rows.iter().any(|((_, r), _)| r == id))
        .collect();
    let _ = writeln!(
        out,
        "\nChecks with no finding in the corpus ({}): {}.",
        silent.len(),
        silent
            .iter()
            .map(|id| format!("`{id}`"))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let _ = writeln!(out, "\n## An example of each check\n");
    for ((severity, id), _) in &rows {
        let example = outcomes.iter().find_map(|o| {
            o.findings
                .iter()
                .find(|f| f.0 == *id && f.1 == *severity)
                .map(|f| (o.name.as_str(), f.2.as_str()))
        });
        if let Some((name, message)) = example {
            let _ = writeln!(out, "- `{id}` ({severity}) in `{name}`: {message}");
        }
    }

    let errors: Vec<(&str, &str, &str)> = outcomes
        .iter()
        .flat_map(|o| {
            o.findings
                .iter()
                .filter(|f| f.1 == LintSeverity::Error)
                .map(move |f| (o.name.as_str(), f.0, f.2.as_str()))
        })
        .collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "\n## Errors\n");
        for (name, id, message) in errors.iter().take(100) {
            let _ = writeln!(out, "- `{name}` [{id}] {message}");
        }
    }

    let _ = writeln!(
        out,
        "\n## Access-level summaries\n\n| | count |\n|---|---:|"
    );
    let allow: usize = outcomes.iter().map(|o| o.allow_services).sum();
    let full: usize = outcomes.iter().map(|o| o.full_access).sum();
    let deny: usize = outcomes.iter().map(|o| o.deny_services).sum();
    let with_full = outcomes.iter().filter(|o| o.full_access > 0).count();
    for (label, n) in [
        ("services in Allow sections (policy × service)", allow),
        ("of which Full access", full),
        ("policies with Full access to some service", with_full),
        ("services in Explicit deny sections", deny),
    ] {
        let _ = writeln!(out, "| {label} | {n} |");
    }

    let _ = writeln!(
        out,
        "\n## Slowest policies\n\n| policy | statements | ms |\n|---|---:|---:|"
    );
    let mut slow: Vec<&Outcome> = outcomes.iter().collect();
    slow.sort_by_key(|o| std::cmp::Reverse(o.elapsed));
    for outcome in slow.iter().take(10) {
        let _ = writeln!(
            out,
            "| `{}` | {} | {:.1} |",
            outcome.name,
            outcome.statements,
            outcome.elapsed.as_secs_f64() * 1000.0
        );
    }
    out
}
