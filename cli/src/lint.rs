use crate::output::{FindingsOutputArgs, Format, Records};
use crate::{out, EXIT_INPUT};
use iamspec_corpus::lint::{
    lint_with, render_json, render_text, LintOptions, LintReport, LintSeverity, Validated,
};
use iamspec_corpus::sarif::sarif;
use iamspec_corpus::Catalogue;
use iamspec_model::json::Json;
use iamspec_model::PolicyKind;
use std::path::PathBuf;

/// The least serious severity shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MinSeverity {
    Error,
    #[value(name = "security_warning", alias = "security-warning")]
    SecurityWarning,
    Warning,
    Suggestion,
}

impl MinSeverity {
    fn severity(self) -> LintSeverity {
        match self {
            MinSeverity::Error => LintSeverity::Error,
            MinSeverity::SecurityWarning => LintSeverity::SecurityWarning,
            MinSeverity::Warning => LintSeverity::Warning,
            MinSeverity::Suggestion => LintSeverity::Suggestion,
        }
    }
}

#[derive(clap::Args)]
pub struct Args {
    /// Policy documents: files, directories (every `*.json` below them), `-` for standard
    /// input. AWS CLI output (`get-policy-version`, `get-bucket-policy`, `get-key-policy`,
    /// `get-role`, `get-role-policy` and its user and group twins) and the managed-policy corpus
    /// shape (`[{name, document}, …]`) are unwrapped.
    #[arg(required = true, value_name = "PATH")]
    policies: Vec<PathBuf>,
    /// The kind of policy: identity, resource, trust, boundary, session, scp, rcp, vpc_endpoint
    /// (default identity; trust for `get-role` output, resource for `get-bucket-policy` output).
    #[arg(long)]
    kind: Option<PolicyKind>,
    /// Show only findings at least this serious.
    #[arg(long, value_enum)]
    min_severity: Option<MinSeverity>,
    /// The ARN of the resource a resource policy is attached to: statements and actions that
    /// cannot apply to it are reported.
    #[arg(long, value_name = "ARN")]
    resource: Option<String>,
    /// `text`: one line per finding, `file:line:column: severity[check] path: message`;
    /// `json`: an array with one record per document; `sarif`: SARIF 2.1.0.
    #[command(flatten)]
    output: FindingsOutputArgs,
}

/// One policy document to lint.
struct Document {
    name: String,
    text: String,
    kind: Option<PolicyKind>,
    /// The text as JSON, when `unwrap` already read it so: a large document is parsed once.
    json: Option<Json>,
}

/// Exit 0 when no finding is an error, 1 when one is, 2 when an input cannot be read (the others
/// are linted all the same).
pub fn run(args: Args) -> u8 {
    let output = args.output.resolve();
    // The embedded catalogue (lint needs no shared data folder) and lint's table for it are
    // built on a second thread while the documents are read, parsed and the first one
    // validated: loading them costs about as much as parsing 10,000 statements. Both are kept
    // in `OnceLock`s, so the first `Catalogue::embedded` here waits for that thread's load
    // rather than starting another; nothing waits when no document is read.
    std::thread::spawn(iamspec_corpus::lint::prepare_embedded);
    let mut unreadable = Vec::new();
    let mut documents = Vec::new();
    for file in crate::input::expand(&args.policies) {
        // Read as every command reads: a byte-order mark dropped, UTF-16 decoded.
        match file.and_then(|file| crate::input::read(&file)) {
            Ok(source) => documents.extend(unwrap(&source.name, source.text)),
            Err(message) => {
                eprintln!("{message}");
                unreadable.push(message);
            }
        }
    }
    let options = LintOptions {
        resource: args.resource.clone(),
    };
    let total = documents.len();
    let mut reports: Vec<(String, LintReport)> = documents
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            // A corpus-wide run takes a while: show how far it is (on a terminal only).
            output.progress(i, total, &d.name);
            let kind = args.kind.or(d.kind).unwrap_or(PolicyKind::Identity);
            let json = d.json.or_else(|| Json::parse(&d.text).ok());
            let report = match &json {
                Some(json) => {
                    Validated::new(json, Some(&d.text), kind).lint(Catalogue::embedded(), &options)
                }
                None => {
                    let mut report = lint_with(&d.text, kind, Catalogue::embedded(), &options);
                    name_the_cause(&d.text, &mut report);
                    report
                }
            };
            (d.name, report)
        })
        .collect();
    output.clear_progress();
    let errors = reports.iter().any(|(_, r)| r.has_errors());
    if let Some(min) = args.min_severity {
        for (_, report) in &mut reports {
            report.findings.retain(|f| f.severity <= min.severity());
        }
    }
    match output.format {
        Format::Text => {
            for (name, report) in &reports {
                let text = render_text(name, report);
                let text = if output.color { coloured(&text) } else { text };
                out!("{}", text.trim_end_matches('\n'));
                if let Some(hint) = hint(report) {
                    out!("{name}: hint: {hint}");
                }
            }
        }
        Format::Json => {
            let mut records = Records::new();
            for message in &unreadable {
                records.push(&crate::input::error_record(message));
            }
            for (name, report) in &reports {
                let mut record = render_json(name, report);
                if let (Some(hint), Some(object)) = (hint(report), record.as_object_mut()) {
                    object.insert("hint".into(), hint.into());
                }
                records.push(&record);
            }
            records.finish();
        }
        Format::Sarif => {
            let files: Vec<(&str, &LintReport)> =
                reports.iter().map(|(n, r)| (n.as_str(), r)).collect();
            let log = sarif(&files);
            out!("{}", serde_json::to_string_pretty(&log).unwrap_or_default());
        }
    }
    if !unreadable.is_empty() {
        EXIT_INPUT
    } else {
        u8::from(errors)
    }
}

/// A document that is not JSON because of a number beyond what JSON holds or a lone surrogate:
/// the finding says so, not only serde's symptom (`number out of range`).
fn name_the_cause(text: &str, report: &mut LintReport) {
    if report.findings.iter().all(|f| f.id != "json-syntax") {
        return;
    }
    let Err(error) = Json::parse(text) else {
        return;
    };
    let Some(cause) = crate::input::cause(text, &error) else {
        return;
    };
    for finding in &mut report.findings {
        if finding.id == "json-syntax" {
            finding.message = format!("{}: {cause}", finding.message);
        }
    }
}

fn hint(report: &LintReport) -> Option<&'static str> {
    crate::validate::principal_hint(report.kind, report.findings.iter().map(|f| f.id))
}

/// The policy documents of a file: the file itself when it is a policy (or not JSON: lint says
/// so), else the document inside AWS CLI output or a managed-policy corpus entry.
fn unwrap(name: &str, text: String) -> Vec<Document> {
    // A byte-order mark is not part of the JSON.
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    let as_is = |text: String, json: Option<Json>| Document {
        name: name.to_owned(),
        text,
        kind: None,
        json,
    };
    let Ok(json) = Json::parse(&text) else {
        return vec![as_is(text, None)];
    };
    if json.get("Statement").is_some() {
        return vec![as_is(text, Some(json))];
    }
    let inner = |value: &Json, at: &str, kind: Option<PolicyKind>| {
        document_text(value).map(|text| Document {
            name: format!("{name}#{at}"),
            text,
            kind,
            json: None,
        })
    };
    let found = if let Some(version) = json.get("PolicyVersion") {
        version
            .get("Document")
            .and_then(|d| inner(d, "PolicyVersion.Document", None))
    } else if let Some(role) = json.get("Role") {
        role.get("AssumeRolePolicyDocument")
            .and_then(|d| inner(d, "Role.AssumeRolePolicyDocument", Some(PolicyKind::Trust)))
    } else if let Some(document) = json.get("PolicyDocument") {
        // `get-role-policy`, `get-user-policy`, `get-group-policy`: an inline identity policy.
        inner(document, "PolicyDocument", None)
    } else if let Some(policy) = json.get("Policy") {
        inner(policy, "Policy", Some(PolicyKind::Resource))
    } else if let Some(document) = json.get("document") {
        inner(document, "document", None)
    } else if let Json::Array(items) = &json {
        let corpus: Vec<Document> = items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| {
                let label = item
                    .get("name")
                    .and_then(Json::as_str)
                    .map_or_else(|| format!("[{i}]"), ToOwned::to_owned);
                item.get("document").and_then(|d| inner(d, &label, None))
            })
            .collect();
        if !corpus.is_empty() {
            return corpus;
        }
        None
    } else {
        None
    };
    // Not a shape lint knows: lint it as it is, and validation names what is missing.
    match found {
        Some(document) => vec![document],
        None => vec![as_is(text, Some(json))],
    }
}

/// A document given as JSON, as a JSON string, or URL-encoded as the IAM API returns it.
fn document_text(value: &Json) -> Option<String> {
    match value {
        Json::Object(_) => Some(value.to_compact_string()),
        // As world reads GAAD documents: RFC 3986, `+` kept (D92, D140).
        Json::String(text) => Some(iamspec_world::entity::decode_document_string(text.trim())),
        _ => None,
    }
}

/// The severity word of each finding line in colour (ANSI): red errors, magenta security
/// warnings, yellow warnings, cyan suggestions.
fn coloured(text: &str) -> String {
    const COLOURS: [(&str, &str); 4] = [
        (": error[", "31"),
        (": security warning[", "35"),
        (": warning[", "33"),
        (": suggestion[", "36"),
    ];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.lines() {
        let hit = COLOURS
            .iter()
            .find_map(|(marker, code)| line.find(marker).map(|at| (at, *marker, *code)));
        match hit {
            Some((at, marker, code)) => {
                let word = marker.trim_start_matches(": ").trim_end_matches('[');
                let before = line.get(..at).unwrap_or("");
                let after = line.get(at + marker.len()..).unwrap_or("");
                out.push_str(&format!("{before}: \x1b[{code}m{word}\x1b[0m[{after}\n"));
            }
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_the_severity_word() {
        let text = "f:1:2: error[x] p: m\nf: identity-based policy (identity): 1 error\n";
        let out = coloured(text);
        assert!(
            out.starts_with("f:1:2: \x1b[31merror\x1b[0m[x] p: m\n"),
            "{out}"
        );
        assert!(out.ends_with("(identity): 1 error\n"));
    }
}
