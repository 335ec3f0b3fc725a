use crate::output::{Output, OutputArgs, Paint, Records};
use crate::{input, out, EXIT_INPUT};
use iamspec_model::policy::{check, PolicyKind, Severity};
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 every policy valid (warnings allowed); 1 a policy has \
    errors; 2 a file cannot be read or is not JSON (the other files are still validated)."
)]
pub struct Args {
    /// Policy documents, directories (their `.json` files) or `-` for standard input. AWS CLI
    /// output (`get-policy-version`, `get-bucket-policy`, `get-role`, `get-key-policy`) is
    /// unwrapped.
    #[arg(required = true, value_name = "PATH")]
    policies: Vec<PathBuf>,
    /// The kind of policy: identity, resource, trust, boundary, session, scp, rcp, vpc_endpoint.
    #[arg(long, default_value = "identity")]
    kind: PolicyKind,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: Args) -> u8 {
    let output = args.output.resolve();
    let mut records = Records::new();
    let mut worst = 0;
    for path in input::expand(&args.policies) {
        let code = match path {
            Ok(path) => validate_one(&path, args.kind, &output, &mut records),
            Err(message) => report_unreadable(&message, &output, &mut records),
        };
        worst = worst.max(code);
    }
    if output.json() {
        records.finish();
    }
    worst
}

/// Reports a file that could not be read: on standard error, and as a record in JSON.
fn report_unreadable(message: &str, output: &Output, records: &mut Records) -> u8 {
    eprintln!("{message}");
    if output.json() {
        records.push(&input::error_record(message));
    }
    EXIT_INPUT
}

/// The hint for a policy that names a principal checked as an identity policy: most often a
/// bucket or key policy checked under the default kind.
pub fn principal_hint<'a>(
    kind: PolicyKind,
    mut codes: impl Iterator<Item = &'a str>,
) -> Option<&'static str> {
    (kind == PolicyKind::Identity && codes.any(|code| code == "principal-not-allowed")).then_some(
        "it names a `Principal`, as resource-based policies do: check it with `--kind resource` \
         (or `--kind trust` for a role's trust policy)",
    )
}

/// Exit 0 when valid (warnings allowed), 1 when there are errors, 2 when unreadable.
fn validate_one(
    path: &std::path::Path,
    kind: PolicyKind,
    output: &Output,
    records: &mut Records,
) -> u8 {
    let document = match input::read_policy(path) {
        Ok(document) => document,
        Err(message) => return report_unreadable(&message, output, records),
    };
    let name = &document.name;
    if let Some(what) = &document.unwrapped {
        output.note(format_args!("{name}: read the policy in `{what}"));
    }
    let (_, findings) = check(&document.json, kind, document.text.as_deref());
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    let warnings = findings.len() - errors;
    // A policy that names a principal, checked as an identity policy, is most often a bucket or
    // key policy checked under the default kind.
    let hint = principal_hint(kind, findings.iter().map(|f| f.code));
    if output.json() {
        let mut value = serde_json::json!({
            "file": name,
            "kind": kind.as_str(),
            "valid": errors == 0,
            "findings": findings,
        });
        if let (Some(hint), Some(object)) = (hint, value.as_object_mut()) {
            object.insert("hint".into(), hint.into());
        }
        records.push(&value);
    } else {
        for finding in &findings {
            out!("{name}: {finding}");
        }
        let aws_name = kind.aws_name();
        let article = if aws_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let verdict = if errors == 0 {
            output.paint(Paint::Green, "valid")
        } else {
            output.paint(Paint::Red, "invalid")
        };
        out!(
            "{name}: {verdict} as {article} {aws_name}: {errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
        );
        if let Some(hint) = hint {
            out!("{name}: hint: {hint}");
        }
    }
    u8::from(errors > 0)
}
