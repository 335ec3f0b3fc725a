//! `iamspec audit SNAPSHOT [--at TIME] [--format text|json|sarif]`: the best-practice audit of a
//! world (iamspec-world does the work), each finding citing the IAM best-practices page or the
//! CIS AWS Foundations Benchmark control.

use crate::output::{FindingsOutputArgs, Format, Paint, Records};
use crate::{out, EXIT_INPUT};
use iamspec_world::audit;
use iamspec_world::time::Timestamp;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// The time of the audit, ISO 8601; default: now.
    #[arg(long, value_name = "TIME")]
    at: Option<String>,
    /// `json`: an array holding one record, `{"file", "at", "findings"}`.
    #[command(flatten)]
    output: FindingsOutputArgs,
}

/// Exit 0 without findings of severity high, 1 with, 2 on bad input.
pub fn run(args: Args) -> u8 {
    let output = args.output.resolve();
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
    match output.format {
        Format::Json => {
            let mut records = Records::new();
            records.push(&serde_json::json!({
                "file": crate::display_name(&args.snapshot),
                "at": at,
                "findings": findings,
            }));
            records.finish();
        }
        Format::Sarif => out!(
            "{}",
            serde_json::to_string_pretty(&audit::to_sarif(&findings)).unwrap_or_default()
        ),
        Format::Text => {
            for line in audit::render_text(&findings).trim_end().lines() {
                // The severity word that starts a finding's line, in colour when asked for.
                match line.split_once(' ') {
                    Some((word @ "high", rest)) => {
                        out!("{} {rest}", output.paint(Paint::Red, word))
                    }
                    Some((word @ "medium", rest)) => {
                        out!("{} {rest}", output.paint(Paint::Yellow, word))
                    }
                    _ => out!("{line}"),
                }
            }
        }
    }
    u8::from(findings.iter().any(|f| f.severity == audit::Severity::High))
}
