//! Lint reports as text (one line per finding, `file:line:column: severity[id] path: message`)
//! and as JSON.

use super::{LintReport, LintSeverity};
use std::fmt::Write as _;

/// One line per finding, then a count line.
pub fn render_text(file: &str, report: &LintReport) -> String {
    let mut out = String::new();
    for finding in &report.findings {
        let at = match finding.position {
            Some(p) => format!("{file}:{}:{}", p.line, p.column),
            None => file.to_owned(),
        };
        let _ = writeln!(out, "{at}: {finding}");
    }
    let counts: Vec<String> = LintSeverity::ALL
        .iter()
        .map(|&severity| {
            let n = report.count(severity);
            let plural = if n == 1 { "" } else { "s" };
            format!("{n} {severity}{plural}")
        })
        .collect();
    let _ = writeln!(
        out,
        "{file}: {} ({}): {}",
        report.kind.aws_name(),
        report.kind.as_str(),
        counts.join(", ")
    );
    out
}

/// `{"file", "kind", "counts": {severity: n}, "findings": [...]}`.
pub fn render_json(file: &str, report: &LintReport) -> serde_json::Value {
    let counts: serde_json::Map<String, serde_json::Value> = LintSeverity::ALL
        .iter()
        .map(|&severity| (severity.code().to_owned(), report.count(severity).into()))
        .collect();
    serde_json::json!({
        "file": file,
        "kind": report.kind.as_str(),
        "counts": counts,
        "findings": report.findings,
    })
}
