//! `iamspec conformance api`: the `iamspec-api/1` suites (conformance/API-FORMAT.md) against
//! the model (the world's lifecycle) or an implementation behind the line protocol.

use crate::conformance::positive_seconds;
use crate::EXIT_INPUT;
use iamspec_conformance::api::{self, ApiImplementation, ExternalApi, Model};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct ApiArgs {
    /// `iamspec-api/1` suite files or directories holding them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Run an implementation over the line protocol (API-FORMAT.md) instead of the model.
    #[arg(long = "impl", value_name = "COMMAND")]
    implementation: Option<String>,
    /// Only cases whose `suite/id` contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Seconds an implementation may take per call.
    #[arg(long, default_value_t = 30.0, value_parser = positive_seconds, allow_hyphen_values = true)]
    timeout: f64,
    /// Print every case, passed or not, with its source.
    #[arg(long)]
    verbose: bool,
}

/// Exit 0 all passed, 1 a case failed, 2 a suite could not be read, no case was selected, or
/// the implementation could not run.
pub fn run(args: ApiArgs) -> u8 {
    let mut suites = Vec::new();
    let mut worst = 0;
    for found in api::find(&args.paths) {
        match found {
            Ok(suite) => suites.push(suite),
            Err(e) => {
                eprintln!("{e}");
                worst = EXIT_INPUT;
            }
        }
    }
    let selected: Vec<(String, &api::ApiCase)> = (suites.iter())
        .flat_map(|s| s.cases.iter().map(move |c| (s.name.clone(), c)))
        .filter(|(suite, case)| {
            (args.filter.as_ref())
                .is_none_or(|f| format!("{suite}/{}", case.id).contains(f.as_str()))
        })
        .collect();
    if selected.is_empty() {
        eprintln!("no case selected");
        return EXIT_INPUT;
    }
    let mut implementation: Box<dyn ApiImplementation> = match &args.implementation {
        Some(command) => {
            let timeout = Duration::try_from_secs_f64(args.timeout).unwrap_or(Duration::MAX);
            match ExternalApi::start(command, timeout) {
                Ok(external) => Box::new(external),
                Err(e) => {
                    eprintln!("{e}");
                    return EXIT_INPUT;
                }
            }
        }
        None => Box::new(Model::default()),
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for (suite, case) in selected {
        match api::run_case(implementation.as_mut(), &suite, case) {
            Ok(result) => match &result.failure {
                None => {
                    passed += 1;
                    if args.verbose {
                        println!("ok   {suite}/{}", case.id);
                    }
                }
                Some(f) => {
                    failed += 1;
                    println!(
                        "FAIL {suite}/{}: step {} {}: expected {}, got {}\n     source: {}",
                        case.id,
                        f.step + 1,
                        f.action,
                        f.expected,
                        f.got,
                        case.source
                    );
                }
            },
            Err(e) => {
                eprintln!("{e}");
                return EXIT_INPUT;
            }
        }
    }
    println!("{passed} passed, {failed} failed");
    if worst != 0 {
        worst
    } else if failed > 0 {
        1
    } else {
        0
    }
}
