use crate::{input, EXIT_INPUT};
use iamspec_model::policy::{check, PolicyKind, Severity};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A policy document (`-` for standard input).
    policy: PathBuf,
    /// The kind of policy: identity, resource, trust, boundary, session, scp, rcp, vpc_endpoint.
    #[arg(long, default_value = "identity")]
    kind: PolicyKind,
    /// Print the findings as JSON.
    #[arg(long)]
    json: bool,
}

/// Exit 0 when valid (warnings allowed), 1 when there are errors, 2 when unreadable.
pub fn run(args: Args) -> u8 {
    let Some((source, json)) = input::read_json_or_report(&args.policy) else {
        return EXIT_INPUT;
    };
    let (name, text) = (source.name, source.text);
    let (_, findings) = check(&json, args.kind, Some(&text));
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    if args.json {
        let value = serde_json::json!({
            "file": name,
            "kind": args.kind.as_str(),
            "valid": errors == 0,
            "findings": findings,
        });
        println!("{value}");
    } else {
        for finding in &findings {
            println!("{name}: {finding}");
        }
        let kind = args.kind.aws_name();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        println!(
            "{name}: {} as {article} {kind}: {errors} error{}, {warnings} warning{}",
            if errors == 0 { "valid" } else { "invalid" },
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        );
    }
    u8::from(errors > 0)
}
