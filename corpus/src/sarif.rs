//! Lint reports as SARIF 2.1.0 (<https://docs.oasis-open.org/sarif/sarif/v2.1.0/sarif-v2.1.0.html>),
//! the format code-scanning services read: one run of the `iamspec` tool, one rule per check
//! that found something, one result per finding with the file, line and column, and the JSON
//! path as a logical location.
//!
//! Severities map to SARIF levels as code scanning expects them: error → `error`, security
//! warning and warning → `warning`, suggestion → `note`. Security warnings also carry the
//! `security` tag and a `security-severity` score, which GitHub code scanning uses to rank
//! security alerts.

use crate::lint::{self, LintReport, LintSeverity, Origin};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// The `$schema` written into every log.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// A SARIF log of the lint reports of `files` (`(name, report)`, the name as the user gave it).
pub fn sarif(files: &[(&str, &LintReport)]) -> Value {
    // Rules: the checks that found something, sorted by id; results refer to them by index.
    let mut ids: Vec<&'static str> = files
        .iter()
        .flat_map(|(_, report)| report.findings.iter().map(|f| f.id))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let index: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let rules: Vec<Value> = ids.iter().map(|id| rule(id)).collect();
    let artifacts: Vec<Value> = files
        .iter()
        .map(|(name, _)| json!({"location": {"uri": uri(name)}}))
        .collect();
    let mut results = Vec::new();
    for (artifact, (name, report)) in files.iter().enumerate() {
        for finding in &report.findings {
            let mut physical = Map::new();
            physical.insert(
                "artifactLocation".to_owned(),
                json!({"uri": uri(name), "index": artifact}),
            );
            if let Some(position) = finding.position {
                physical.insert(
                    "region".to_owned(),
                    json!({"startLine": position.line, "startColumn": position.column}),
                );
            }
            let mut location = Map::new();
            location.insert("physicalLocation".to_owned(), Value::Object(physical));
            if !finding.path.is_root() {
                location.insert(
                    "logicalLocations".to_owned(),
                    json!([{"fullyQualifiedName": finding.path.to_string(), "kind": "member"}]),
                );
            }
            let location = Value::Object(location);
            results.push(json!({
                "ruleId": finding.id,
                "ruleIndex": index.get(finding.id).copied().unwrap_or(0),
                "level": level(finding.severity),
                "message": {"text": finding.message},
                "locations": [location],
                "properties": {
                    "severity": finding.severity.code(),
                    "policyKind": report.kind.as_str(),
                },
            }));
        }
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iamspec",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "artifacts": artifacts,
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn level(severity: LintSeverity) -> &'static str {
    match severity {
        LintSeverity::Error => "error",
        LintSeverity::SecurityWarning | LintSeverity::Warning => "warning",
        LintSeverity::Suggestion => "note",
    }
}

fn rule(id: &str) -> Value {
    let check = lint::check(id);
    let title = check.map_or("A finding of the model's policy validation", |c| c.title);
    let severity = check.map_or(LintSeverity::Warning, |c| c.severity);
    let origin = match check.map(|c| c.origin) {
        Some(Origin::Lint) => "lint",
        _ => "validation",
    };
    let mut tags = vec!["iam", origin];
    let mut properties = Map::new();
    if severity == LintSeverity::SecurityWarning {
        tags.push("security");
        // GitHub's scale: 7.0–8.9 is "high".
        properties.insert("security-severity".to_owned(), json!("7.0"));
    }
    properties.insert("tags".to_owned(), json!(tags));
    properties.insert(
        "problem.severity".to_owned(),
        json!(match severity {
            LintSeverity::Error => "error",
            LintSeverity::SecurityWarning | LintSeverity::Warning => "warning",
            LintSeverity::Suggestion => "recommendation",
        }),
    );
    json!({
        "id": id,
        "name": pascal_case(id),
        "shortDescription": {"text": title},
        "fullDescription": {"text": format!("{title} ({}).", severity.as_str())},
        "help": {
            "text": format!("See the `{id}` section of docs/lint-checks.md."),
            "markdown": format!("See [`{id}`](docs/lint-checks.md#{id}) in docs/lint-checks.md."),
        },
        "defaultConfiguration": {"level": level(severity)},
        "properties": properties,
    })
}

/// `unknown-action` → `UnknownAction`.
fn pascal_case(id: &str) -> String {
    id.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// A file name as a relative URI reference: `/` kept, everything outside the unreserved
/// characters percent-encoded; standard input is `stdin`.
fn uri(name: &str) -> String {
    if name == "<stdin>" || name == "-" {
        return "stdin".to_owned();
    }
    let mut out = String::with_capacity(name.len());
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("unknown-action"), "UnknownAction");
        assert_eq!(uri("policies/my policy.json"), "policies/my%20policy.json");
        assert_eq!(uri("<stdin>"), "stdin");
    }
}
