use crate::output::{Output, OutputArgs, Records};
use crate::{input, out, EXIT_INPUT};
use iamspec_corpus::summary::{render_text, summarize};
use iamspec_corpus::Catalogue;
use iamspec_model::policy::Policy;
use std::path::{Path, PathBuf};

#[derive(clap::Args)]
#[command(
    after_help = "Exit status: 0 every policy summarized; 1 a policy does not parse; 2 a \
    file cannot be read or is not JSON (the other files are still summarized)."
)]
pub struct Args {
    /// Policy documents, directories (their `.json` files) or `-` for standard input. AWS CLI
    /// output is unwrapped.
    #[arg(required = true, value_name = "PATH")]
    policies: Vec<PathBuf>,
    #[command(flatten)]
    output: OutputArgs,
}

pub fn run(args: Args) -> u8 {
    let output = args.output.resolve();
    let files = input::expand(&args.policies);
    let several = files.len() > 1;
    let mut records = Records::new();
    let mut worst = 0;
    for (i, path) in files.into_iter().enumerate() {
        let code = match path {
            Ok(path) => {
                if several && !output.json() {
                    if i > 0 {
                        out!();
                    }
                    out!("== {}", crate::display_name(&path));
                }
                summary_one(&path, &output, &mut records)
            }
            Err(message) => unreadable(&message, &output, &mut records),
        };
        worst = worst.max(code);
    }
    if output.json() {
        records.finish();
    }
    worst
}

fn unreadable(message: &str, output: &Output, records: &mut Records) -> u8 {
    eprintln!("{message}");
    if output.json() {
        records.push(&input::error_record(message));
    }
    EXIT_INPUT
}

fn summary_one(path: &Path, output: &Output, records: &mut Records) -> u8 {
    let document = match input::read_policy(path) {
        Ok(document) => document,
        Err(message) => return unreadable(&message, output, records),
    };
    let name = &document.name;
    if let Some(what) = &document.unwrapped {
        output.note(format_args!("{name}: read the policy in `{what}"));
    }
    let policy = match Policy::from_json(&document.json) {
        Ok(policy) => policy,
        Err(error) => {
            eprintln!("{name}: {error}");
            eprintln!("{name}: run `iamspec lint` for every problem with its position");
            if output.json() {
                records.push(&serde_json::json!({"file": name, "error": error.to_string()}));
            }
            return 1;
        }
    };
    let summary = summarize(&policy, Catalogue::embedded());
    if output.json() {
        records.push(&serde_json::json!({"file": name, "summary": summary}));
    } else {
        out!("{}", render_text(&summary).trim_end_matches('\n'));
    }
    0
}
