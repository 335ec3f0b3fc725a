use crate::{input, EXIT_INPUT};
use iamspec_corpus::summary::{render_text, summarize};
use iamspec_corpus::Catalogue;
use iamspec_model::policy::Policy;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A policy document (`-` for standard input).
    policy: PathBuf,
    /// Print the summary as JSON.
    #[arg(long)]
    json: bool,
}

/// Exit 0 with a summary, 1 when the policy does not parse, 2 when it cannot be read.
pub fn run(args: Args) -> u8 {
    let Some(input::Source { name, text }) = input::read_or_report(&args.policy) else {
        return EXIT_INPUT;
    };
    let policy = match Policy::parse(&text) {
        Ok(policy) => policy,
        Err(error) => {
            eprintln!("{name}: {error}");
            eprintln!("{name}: run `iamspec lint` for every problem with its position");
            return 1;
        }
    };
    let summary = summarize(&policy, Catalogue::embedded());
    if args.json {
        print_out(&format!(
            "{}\n",
            serde_json::json!({"file": name, "summary": summary})
        ));
    } else {
        print_out(&render_text(&summary));
    }
    0
}

/// Writes to standard output; a closed pipe (`| head`) is not an error worth a panic.
fn print_out(text: &str) {
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
}
