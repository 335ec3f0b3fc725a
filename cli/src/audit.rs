//! `iamspec audit SNAPSHOT [--at TIME] [--format text|json|sarif]`: the best-practice audit of a
//! world (iamspec-world does the work), each finding citing the IAM best-practices page or the
//! CIS AWS Foundations Benchmark control.

use crate::EXIT_INPUT;
use iamspec_world::audit;
use iamspec_world::time::Timestamp;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// The time of the audit, ISO 8601; default: now.
    #[arg(long)]
    at: Option<String>,
    /// `text`, `json` or `sarif`.
    #[arg(long, default_value = "text")]
    format: String,
}

/// Exit 0 without findings of severity high, 1 with, 2 on bad input.
pub fn run(args: Args) -> u8 {
    if !matches!(args.format.as_str(), "text" | "json" | "sarif") {
        eprintln!("--format: expected `text`, `json` or `sarif`");
        return EXIT_INPUT;
    }
    let at = match &args.at {
        Some(text) => match Timestamp::parse(text) {
            Some(at) => at,
            None => {
                eprintln!("--at: `{text}` is not an ISO 8601 time");
                return EXIT_INPUT;
            }
        },
        None => Timestamp(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        ),
    };
    let world = match crate::input::load_world(&args.snapshot) {
        Ok(world) => world,
        Err(code) => return code,
    };
    let findings = audit::audit(&world, at);
    let text = match args.format.as_str() {
        "json" => serde_json::to_string_pretty(&serde_json::json!({
            "at": at,
            "findings": findings,
        }))
        .unwrap_or_default(),
        "sarif" => serde_json::to_string_pretty(&audit::to_sarif(&findings)).unwrap_or_default(),
        _ => audit::render_text(&findings),
    };
    crate::print_out(text.trim_end());
    crate::print_out("\n");
    u8::from(findings.iter().any(|f| f.severity == audit::Severity::High))
}
