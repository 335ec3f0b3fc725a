use crate::{input, EXIT_INPUT};
use iamspec_conformance::external::External;
use iamspec_conformance::runner::run_case;
use iamspec_conformance::Implementation;
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Run every suite under the given paths; print failures and `N passed, M failed`.
    Run {
        /// Suite files or directories holding them.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Run an external implementation over the line protocol instead of the built-in one.
        #[arg(long = "impl", value_name = "COMMAND")]
        implementation: Option<String>,
        /// Print one JSON object per case.
        #[arg(long)]
        json: bool,
        /// Only cases whose `suite/id` contains this text.
        #[arg(long)]
        filter: Option<String>,
        /// Seconds an external implementation may take per case.
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
    },
}

/// Exit 0 when nothing failed, 1 when a case failed, 2 on an unreadable or malformed suite.
pub fn run(command: Command) -> u8 {
    let Command::Run {
        paths,
        implementation,
        json,
        filter,
        timeout,
    } = command;
    let Some(suites) = input::suites_or_report(&paths) else {
        return EXIT_INPUT;
    };
    let mut runner = match implementation {
        Some(command) => {
            let timeout = Duration::try_from_secs_f64(timeout).unwrap_or(Duration::from_secs(10));
            Implementation::External(External::new(&command, timeout))
        }
        None => Implementation::Reference,
    };
    let (mut passed, mut failed) = (0usize, 0usize);
    for suite in &suites {
        for case in &suite.cases {
            let full_id = format!("{}/{}", suite.name, case.id);
            if filter
                .as_ref()
                .is_some_and(|f| !full_id.contains(f.as_str()))
            {
                continue;
            }
            let result = run_case(&mut runner, &suite.name, case);
            if result.passed {
                passed += 1;
            } else {
                failed += 1;
            }
            if json {
                println!("{}", serde_json::to_string(&result).unwrap_or_default());
            } else if !result.passed {
                println!(
                    "FAIL {full_id}: expected {}, got {}",
                    result.expected, result.got
                );
            }
        }
    }
    if json {
        eprintln!("{passed} passed, {failed} failed");
    } else {
        println!("{passed} passed, {failed} failed");
    }
    u8::from(failed > 0)
}
