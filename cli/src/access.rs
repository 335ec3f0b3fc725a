//! `iamspec access SNAPSHOT --principal ARN --action A... --resource R...`: decide and explain
//! requests against a world (iamspec-world does the work).

use crate::output::{OutputArgs, Paint, Records};
use crate::EXIT_INPUT;
use iamspec_model::request::ContextValue;
use iamspec_world::Query;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// An iamspec-snapshot/1 directory or file, or a GAAD file.
    snapshot: PathBuf,
    /// The principal: a user, role, assumed-role or root ARN, a service principal, `anonymous`.
    #[arg(long, value_name = "ARN")]
    principal: String,
    /// One or more actions (`s3:GetObject`).
    #[arg(long, num_args = 1.., required = true, value_name = "ACTION")]
    action: Vec<String>,
    /// One or more resources (ARNs, or `*`).
    #[arg(long, num_args = 1.., required = true, value_name = "ARN")]
    resource: Vec<String>,
    /// Context keys, `key=value` (repeat the key for a multivalued key).
    #[arg(long, num_args = 1.., value_name = "KEY=VALUE")]
    context: Vec<String>,
    #[command(flatten)]
    output: OutputArgs,
}

/// Exit 0 when every request is allowed, 1 when one is denied, 2 on bad input.
pub fn run(args: Args) -> u8 {
    let output = args.output.resolve();
    let json = output.json();
    let Some(context) = parse_context(&args.context) else {
        return EXIT_INPUT;
    };
    let world = match crate::input::load_world(&args.snapshot) {
        Ok(world) => world,
        Err(code) => return code,
    };
    let mut answers = Vec::new();
    for action in &args.action {
        for resource in &args.resource {
            let query = Query {
                principal: args.principal.clone(),
                action: action.clone(),
                resource: resource.clone(),
                context: context.clone(),
                session_policies: Vec::new(),
            };
            match world.access(&query) {
                Ok(answer) => answers.push(answer),
                Err(error) => {
                    eprintln!("{error}");
                    return EXIT_INPUT;
                }
            }
        }
    }
    let denied = answers
        .iter()
        .any(|a| a.decision != iamspec_model::Decision::Allow);
    if json {
        let mut records = Records::new();
        for answer in &answers {
            records.push(&with_file(&args.snapshot, answer));
        }
        records.finish();
    } else {
        let text: Vec<String> = answers
            .iter()
            .map(|a| {
                let text = a.render_text();
                // The decision ends the answer's first line: in colour when asked for.
                let decision = a.decision.as_str();
                let suffix = format!(": {decision}\n");
                match text.find(&suffix) {
                    Some(at) if output.color => {
                        let paint = if a.decision == iamspec_model::Decision::Allow {
                            Paint::Green
                        } else {
                            Paint::Red
                        };
                        format!(
                            "{}: {}\n{}",
                            text.get(..at).unwrap_or(""),
                            output.paint(paint, decision),
                            text.get(at + suffix.len()..).unwrap_or("")
                        )
                    }
                    _ => text,
                }
            })
            .collect();
        crate::print_out(&text.join("\n"));
    }
    u8::from(denied)
}

/// `value` as a JSON record with a `file` member naming the world it was decided against.
pub fn with_file(file: &std::path::Path, value: &impl serde::Serialize) -> serde_json::Value {
    let mut record = serde_json::Map::new();
    record.insert("file".into(), crate::display_name(file).into());
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(members)) => record.extend(members),
        Ok(other) => {
            record.insert("value".into(), other);
        }
        Err(e) => {
            record.insert("error".into(), e.to_string().into());
        }
    }
    serde_json::Value::Object(record)
}

/// `key=value` items; a key given again adds a value (a multivalued key). `None` after
/// reporting a malformed item.
pub fn parse_context(items: &[String]) -> Option<Vec<(String, ContextValue)>> {
    let mut context: Vec<(String, ContextValue)> = Vec::new();
    for item in items {
        let Some((key, value)) = item.split_once('=') else {
            eprintln!("--context: expected `key=value`, found `{item}`");
            return None;
        };
        match context
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
        {
            Some((_, existing)) => {
                let mut values = existing.as_slice().to_vec();
                values.push(value.to_owned());
                *existing = ContextValue::Multi(values);
            }
            None => context.push((key.to_owned(), ContextValue::Single(value.to_owned()))),
        }
    }
    Some(context)
}
