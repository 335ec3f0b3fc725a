use crate::{input, EXIT_INPUT};
use iamspec_corpus::lint::{lint, render_json, render_text, LintReport};
use iamspec_corpus::sarif::sarif;
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per finding: `file:line:column: severity[check] path: message`.
    Text,
    /// A JSON object per file (an array of them for several files).
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

#[derive(clap::Args)]
pub struct Args {
    /// Policy documents (`-` for standard input).
    #[arg(required = true)]
    policies: Vec<PathBuf>,
    /// The kind of policy: identity, resource, trust, boundary, session, scp, rcp, vpc_endpoint.
    #[arg(long, default_value = "identity")]
    kind: PolicyKind,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Exit 0 when no finding is an error, 1 when one is, 2 when a file cannot be read.
pub fn run(args: Args) -> u8 {
    // The embedded catalogue: lint needs no shared data folder.
    let catalogue = Catalogue::embedded();
    let mut reports: Vec<(String, LintReport)> = Vec::with_capacity(args.policies.len());
    for path in &args.policies {
        let Some(source) = input::read_or_report(path) else {
            return EXIT_INPUT;
        };
        reports.push((source.name, lint(&source.text, args.kind, catalogue)));
    }
    match args.format {
        Format::Text => {
            for (name, report) in &reports {
                print_out(&render_text(name, report));
            }
        }
        Format::Json => {
            let mut values: Vec<serde_json::Value> = reports
                .iter()
                .map(|(name, report)| render_json(name, report))
                .collect();
            let value = if values.len() == 1 {
                values.pop().unwrap_or_default()
            } else {
                serde_json::Value::Array(values)
            };
            print_out(&format!("{value}\n"));
        }
        Format::Sarif => {
            let files: Vec<(&str, &LintReport)> =
                reports.iter().map(|(n, r)| (n.as_str(), r)).collect();
            let log = sarif(&files);
            print_out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&log).unwrap_or_default()
            ));
        }
    }
    u8::from(reports.iter().any(|(_, r)| r.has_errors()))
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a panic.
fn print_out(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
}
