//! A fixed amount of work for a profiler: `WORKLOAD` decided `PASSES` times by one evaluator,
//! with no timing loop, so that `valgrind --tool=callgrind` counts the same instructions on every
//! run. With `--hot`, each request is decided `PASSES` times in a row before the next (the
//! same decisions, with the caches kept warm for one policy set). `WORKLOAD` is `suites`, `corpus`, or `scaling:STATEMENTS:NAMING` (statements in all,
//! how many name the request's service). For example:
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='*decide_all*' \
//!     target/release/examples/profile corpus fast 2
//! ```

use iamspec_benches::{
    compile_all, conformance_suites, corpus_workload, decide_all, decision_count, reference_all,
    scaling, usable_managed, CorpusConfig, Scenario,
};
use iamspec_corpus::catalogue::Catalogue;
use iamspec_corpus::managed::ManagedPolicy;
use iamspec_model::{Decision, Evaluator};
use std::process::ExitCode;

fn workload(name: &str) -> Result<Vec<Scenario>, String> {
    match name.split(':').collect::<Vec<_>>().as_slice() {
        ["suites"] => conformance_suites().map(|(scenarios, _)| scenarios),
        ["corpus"] => {
            let managed = ManagedPolicy::load_shared()
                .map_err(|e| e.to_string())?
                .ok_or("no managed-policy corpus in ../shared/data")?;
            let (usable, _) = usable_managed(&managed);
            Ok(corpus_workload(
                &usable,
                Catalogue::embedded(),
                &CorpusConfig::default(),
            ))
        }
        ["scaling", statements, naming] => {
            let number = |text: &str| {
                text.parse::<usize>()
                    .map_err(|_| format!("`{text}` is not a number"))
            };
            Ok(vec![scaling(number(statements)?, number(naming)?)])
        }
        _ => Err(format!("unknown workload `{name}`")),
    }
}

fn run<E: Evaluator>(evaluators: &[E], scenarios: &[Scenario], passes: usize, hot: bool) -> usize {
    if !hot {
        return (0..passes).map(|_| decide_all(evaluators, scenarios)).sum();
    }
    let mut allowed = 0;
    for (evaluator, scenario) in evaluators.iter().zip(scenarios) {
        for request in &scenario.requests {
            for _ in 0..passes {
                let verdict = evaluator.decide(std::hint::black_box(request));
                allowed += usize::from(verdict.decision == Decision::Allow);
            }
        }
    }
    allowed
}

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let hot = args.iter().any(|a| a == "--hot");
    args.retain(|a| a != "--hot");
    let [name, evaluator, passes] = args.as_slice() else {
        eprintln!("usage: profile WORKLOAD fast|reference PASSES [--hot]");
        return ExitCode::from(2);
    };
    let scenarios = match workload(name) {
        Ok(scenarios) => scenarios,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let Ok(passes) = passes.parse::<usize>() else {
        eprintln!("PASSES must be a number, not `{passes}`");
        return ExitCode::from(2);
    };
    let mut allowed = 0;
    match evaluator.as_str() {
        "fast" => {
            let fast = compile_all(&scenarios);
            allowed += run(&fast, &scenarios, passes, hot);
        }
        "reference" => {
            let reference = reference_all(&scenarios);
            allowed += run(&reference, &scenarios, passes, hot);
        }
        other => {
            eprintln!("unknown evaluator `{other}`");
            return ExitCode::from(2);
        }
    }
    println!(
        "{} decisions, {allowed} allowed",
        decision_count(&scenarios) * passes
    );
    ExitCode::SUCCESS
}
