use crate::output::{OutputArgs, Records};
use crate::{out, EXIT_INPUT};
use iamspec_conformance::discover::{find, Found};
use iamspec_model::evaluator::Reference;
use iamspec_model::fast::Compiled;
use iamspec_model::{Decision, Evaluator, PolicySet, Request};
use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Suite files in the conformance format, or directories holding them.
    #[arg(required = true, value_name = "PATH")]
    suites: Vec<PathBuf>,
    /// The evaluator to measure.
    #[arg(long, value_enum, default_value_t = Which::Fast)]
    evaluator: Which,
    /// How long to keep deciding, in seconds (more than 0).
    #[arg(long, default_value_t = 3.0, value_parser = crate::conformance::positive_seconds, allow_hyphen_values = true)]
    seconds: f64,
    #[command(flatten)]
    output: OutputArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Which {
    Fast,
    Reference,
}

/// Exit 0 after measuring; 2 when a suite cannot be read (the others are measured all the same)
/// or no suite has a case with valid inputs.
pub fn run(args: Args) -> u8 {
    let output = args.output.resolve();
    let Some(duration) = Duration::try_from_secs_f64(args.seconds)
        .ok()
        .filter(|d| !d.is_zero())
    else {
        eprintln!(
            "--seconds must be a positive number, not `{}`",
            args.seconds
        );
        return EXIT_INPUT;
    };
    let mut bad = Vec::new();
    let mut suites = Vec::new();
    for found in find(&args.suites) {
        match found {
            Found::Suite(suite) => suites.push(suite),
            Found::Skipped { file, reason } => {
                output.note(format_args!("skipped {}: {reason}", file.display()));
            }
            Found::Error(error) => {
                eprintln!("{}", crate::input::suite_error(&error));
                bad.push(error);
            }
        }
    }
    let code = if bad.is_empty() { 0 } else { EXIT_INPUT };
    let mut cases: Vec<(Request, PolicySet)> = Vec::new();
    let mut skipped = 0usize;
    for suite in &suites {
        for case in &suite.cases {
            // A case whose inputs are invalid has nothing to decide: an evaluator rejects it.
            match case.inputs() {
                Ok(inputs) => cases.push(inputs),
                Err(_) => skipped += 1,
            }
        }
    }
    if cases.is_empty() {
        eprintln!("no case with valid inputs in the given suites");
        if output.json() {
            let mut records = Records::new();
            for error in &bad {
                records.push(&serde_json::json!({
                    "file": crate::display_name(error.file()),
                    "error": crate::input::suite_error(error),
                }));
            }
            records.finish();
        }
        return EXIT_INPUT;
    }
    if !output.json() {
        out!(
            "cases: {} from {} suite(s), {skipped} skipped (invalid inputs)",
            cases.len(),
            suites.len()
        );
    }
    let result = match args.evaluator {
        Which::Fast => {
            let started = Instant::now();
            let compiled: Vec<(Compiled, &Request)> = cases
                .iter()
                .map(|(request, policies)| (Compiled::new(policies), request))
                .collect();
            if !output.json() {
                out!(
                    "evaluator: fast (compiled {} policy sets in {:.1} ms)",
                    compiled.len(),
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
            measure(&compiled, duration)
        }
        Which::Reference => {
            if !output.json() {
                out!("evaluator: reference");
            }
            let prepared: Vec<(Reference<'_>, &Request)> = cases
                .iter()
                .map(|(request, policies)| (Reference::new(policies), request))
                .collect();
            measure(&prepared, duration)
        }
    };
    let seconds = result.elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        result.decisions as f64 / seconds
    } else {
        0.0
    };
    let cpu = result.cpu.filter(|cpu| !cpu.is_zero());
    if output.json() {
        let mut records = Records::new();
        for error in &bad {
            records.push(&serde_json::json!({
                "file": crate::display_name(error.file()),
                "error": crate::input::suite_error(error),
            }));
        }
        records.push(&serde_json::json!({
                "evaluator": match args.evaluator { Which::Fast => "fast", Which::Reference => "reference" },
                "files": suites.iter().map(|s| crate::display_name(&s.file)).collect::<Vec<_>>(),
                "cases": cases.len(),
                "skipped": skipped,
                "decisions": result.decisions,
                "passes": result.passes,
                "seconds": seconds,
                "cpu_seconds": cpu.map(|c| c.as_secs_f64()),
                "decisions_per_second": rate.round(),
        }));
        records.finish();
        return code;
    }
    out!(
        "decided: {} in {seconds:.2} s ({} passes, {} allowed per pass)",
        result.decisions,
        result.passes,
        result.allowed_per_pass
    );
    // On a busy machine other processes hold the CPU part of the time; the thread's own CPU
    // time shows how much (the kernel accounts it at scheduler ticks: close enough over seconds).
    if let Some(cpu) = cpu {
        out!(
            "on CPU: {:.2} s of {seconds:.2} s ({:.0} decisions per CPU-second)",
            cpu.as_secs_f64(),
            result.decisions as f64 / cpu.as_secs_f64()
        );
    }
    out!("decisions/s: {rate:.0}");
    if !bad.is_empty() {
        eprintln!(
            "{} suite file{} could not be read (see above); measured the others",
            bad.len(),
            if bad.len() == 1 { "" } else { "s" }
        );
    }
    code
}

struct Measured {
    decisions: u64,
    passes: u64,
    allowed_per_pass: usize,
    elapsed: Duration,
    /// The measuring thread's CPU time, where the system tells it.
    cpu: Option<Duration>,
}

/// The calling thread's CPU time so far (`/proc/thread-self/schedstat`, Linux only).
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// Decides every case in turn, pass after pass, until `duration` has gone by (checking the clock
/// once per pass, so that the clock costs nothing measurable).
fn measure<E: Evaluator>(prepared: &[(E, &Request)], duration: Duration) -> Measured {
    let cpu_start = thread_cpu_time();
    let started = Instant::now();
    let mut passes = 0u64;
    let allowed_per_pass = loop {
        let mut allowed = 0;
        for (evaluator, request) in prepared {
            let verdict = evaluator.decide(std::hint::black_box(request));
            allowed += usize::from(verdict.decision == Decision::Allow);
        }
        passes += 1;
        if started.elapsed() >= duration {
            break std::hint::black_box(allowed);
        }
    };
    Measured {
        decisions: passes * prepared.len() as u64,
        passes,
        allowed_per_pass,
        elapsed: started.elapsed(),
        cpu: thread_cpu_time()
            .zip(cpu_start)
            .map(|(end, start)| end.saturating_sub(start)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamspec_conformance::Suite;

    fn args(suites: Vec<PathBuf>, evaluator: Which, seconds: f64) -> Args {
        Args {
            suites,
            evaluator,
            seconds,
            output: OutputArgs::default(),
        }
    }

    fn suites_dir() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join("conformance")
            .join("suites")
    }

    #[test]
    fn both_evaluators_run_over_the_suites() {
        assert_eq!(run(args(vec![suites_dir()], Which::Fast, 0.01)), 0);
        assert_eq!(run(args(vec![suites_dir()], Which::Reference, 0.01)), 0);
    }

    #[test]
    fn bad_input_is_an_input_error() {
        assert_eq!(run(args(vec![suites_dir()], Which::Fast, 0.0)), EXIT_INPUT);
        assert_eq!(run(args(vec![suites_dir()], Which::Fast, -1.0)), EXIT_INPUT);
        let missing = suites_dir().join("no-such-suite.json");
        assert_eq!(run(args(vec![missing], Which::Fast, 0.01)), EXIT_INPUT);
    }

    #[test]
    fn a_bad_suite_is_reported_and_the_others_are_measured() {
        let missing = suites_dir().join("no-such-suite.json");
        let good = suites_dir().join("decision.json");
        assert!(good.is_file());
        // Measured (it would be 2 at once if nothing had been), and the status says a file was
        // bad.
        assert_eq!(
            run(args(vec![missing, good], Which::Fast, 0.01)),
            EXIT_INPUT
        );
    }

    #[test]
    fn every_pass_decides_every_case_and_both_evaluators_allow_as_many_cases() {
        let mut scenarios = Vec::new();
        for file in Suite::discover(&[suites_dir()]).unwrap() {
            for case in Suite::load(&file).unwrap().cases {
                if let Ok(inputs) = case.inputs() {
                    scenarios.push(inputs);
                }
            }
        }
        let fast: Vec<(Compiled, &Request)> = scenarios
            .iter()
            .map(|(r, p)| (Compiled::new(p), r))
            .collect();
        let reference: Vec<(Reference<'_>, &Request)> = scenarios
            .iter()
            .map(|(r, p)| (Reference::new(p), r))
            .collect();
        let a = measure(&fast, Duration::from_millis(1));
        let b = measure(&reference, Duration::from_millis(1));
        assert!(a.passes >= 1);
        assert_eq!(a.decisions, a.passes * scenarios.len() as u64);
        assert_eq!(a.allowed_per_pass, b.allowed_per_pass);
        assert!(a.allowed_per_pass > 0 && a.allowed_per_pass < scenarios.len());
    }
}
