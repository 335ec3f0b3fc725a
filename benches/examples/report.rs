//! The figures BENCHMARKS.md records, against the targets of issue 4, in one run of about a
//! minute: decisions per second of both evaluators on the conformance suites, the corpus workload
//! and the scaling workloads, and the time to compile the managed-policy corpus. The memory of
//! that compile is measured by the `compile_corpus` example, in a process of its own.
//!
//! Each figure is measured in several rounds, per CPU-second of the measuring thread (the
//! single-threaded rate, which other work on a shared machine does not dilute) and per
//! wall-clock second (which it does). Run with
//! `cargo run --release -p iamspec-benches --example report [-- --round-ms N --rounds N]`.

use iamspec_benches::{
    compile_all, conformance_suites, corpus_policy_set, corpus_workload, decide_all,
    decision_count, decision_mix, reference_all, scaling, thread_cpu_time, usable_managed,
    CorpusConfig, Scenario,
};
use iamspec_corpus::catalogue::Catalogue;
use iamspec_corpus::managed::ManagedPolicy;
use iamspec_model::fast::Compiled;
use iamspec_model::Evaluator;
use std::time::{Duration, Instant};

struct Options {
    round: Duration,
    rounds: usize,
}

fn options() -> Result<Options, String> {
    let mut options = Options {
        round: Duration::from_millis(500),
        rounds: 5,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut number = |name: &str| -> Result<u64, String> {
            let value = args.next().unwrap_or_default();
            value
                .parse()
                .map_err(|_| format!("{name} takes a whole number, not `{value}`"))
        };
        match arg.as_str() {
            "--round-ms" => options.round = Duration::from_millis(number("--round-ms")?.max(1)),
            "--rounds" => options.rounds = usize::try_from(number("--rounds")?.max(1)).unwrap_or(5),
            // `cargo bench` and `cargo run` may pass their own flags through.
            "--bench" => {}
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(options)
}

/// Decisions per second of `options.rounds` rounds: the median per CPU-second of this thread
/// (the single-threaded rate, however busy the machine) and the median per wall-clock second.
#[derive(Clone, Copy)]
struct Rate {
    cpu: f64,
    wall: f64,
}

fn rate<E: Evaluator>(evaluators: &[E], scenarios: &[Scenario], options: &Options) -> Rate {
    let per_pass = decision_count(scenarios) as f64;
    // One warm-up pass so that the first round does not pay for cold caches.
    std::hint::black_box(decide_all(evaluators, scenarios));
    let mut cpu_rates = Vec::new();
    let mut wall_rates = Vec::new();
    for _ in 0..options.rounds {
        let cpu_start = thread_cpu_time();
        let started = Instant::now();
        let mut passes = 0u64;
        while started.elapsed() < options.round {
            std::hint::black_box(decide_all(evaluators, scenarios));
            passes += 1;
        }
        let wall = started.elapsed().as_secs_f64();
        let decisions = passes as f64 * per_pass;
        wall_rates.push(decisions / wall);
        // Without a CPU clock the wall clock stands in.
        let cpu = match (cpu_start, thread_cpu_time()) {
            (Some(a), Some(b)) if b > a => (b - a).as_secs_f64(),
            _ => wall,
        };
        cpu_rates.push(decisions / cpu);
    }
    cpu_rates.sort_by(f64::total_cmp);
    wall_rates.sort_by(f64::total_cmp);
    Rate {
        cpu: cpu_rates.get(cpu_rates.len() / 2).copied().unwrap_or(0.0),
        wall: wall_rates.get(wall_rates.len() / 2).copied().unwrap_or(0.0),
    }
}

fn both(scenarios: &[Scenario], options: &Options) -> (Rate, Rate) {
    let fast = compile_all(scenarios);
    let reference = reference_all(scenarios);
    (
        rate(&reference, scenarios, options),
        rate(&fast, scenarios, options),
    )
}

fn per_second(r: f64) -> String {
    let whole = r.round() as u64;
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn met(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

fn row(name: &str, decisions: usize, reference: Rate, fast: Rate) {
    println!(
        "| {name} | {decisions} | {} ({}) | {} ({}) | {:.1}x |",
        per_second(reference.cpu),
        per_second(reference.wall),
        per_second(fast.cpu),
        per_second(fast.wall),
        fast.cpu / reference.cpu.max(f64::MIN_POSITIVE)
    );
}

fn main() -> std::process::ExitCode {
    let options = match options() {
        Ok(options) => options,
        Err(message) => {
            eprintln!("{message}");
            return std::process::ExitCode::from(2);
        }
    };
    println!(
        "Each rate is decisions per CPU-second of the measuring thread, the median of {} rounds of \
         {} ms; in parentheses, decisions per wall-clock second, the median round.\n",
        options.rounds,
        options.round.as_millis()
    );
    println!("| workload | decisions per pass | reference | fast | fast / reference |");
    println!("|---|---:|---:|---:|---:|");
    let mut verdicts: Vec<String> = Vec::new();

    match conformance_suites() {
        Ok((scenarios, _)) => {
            let (reference, fast) = both(&scenarios, &options);
            row(
                "conformance suites",
                decision_count(&scenarios),
                reference,
                fast,
            );
            verdicts.push(format!(
                "fast >= 1,000,000 decisions/s on the conformance suites: {} ({})",
                met(fast.cpu >= 1_000_000.0),
                per_second(fast.cpu)
            ));
        }
        Err(e) => eprintln!("conformance suites: {e}"),
    }

    let managed = match ManagedPolicy::load_shared() {
        Ok(Some(managed)) => Some(managed),
        Ok(None) => {
            eprintln!("no managed-policy corpus in ../shared/data: corpus figures skipped");
            None
        }
        Err(e) => {
            eprintln!("{e}: corpus figures skipped");
            None
        }
    };
    let mut corpus_note = String::new();
    if let Some(managed) = &managed {
        let (usable, _) = usable_managed(managed);
        let scenarios = corpus_workload(&usable, Catalogue::embedded(), &CorpusConfig::default());
        let [allow, explicit, implicit] = decision_mix(&scenarios);
        corpus_note = format!(
            "corpus workload: {} principals, {allow} allow, {explicit} explicit deny, {implicit} implicit deny",
            scenarios.len()
        );
        let (reference, fast) = both(&scenarios, &options);
        row(
            "corpus workload",
            decision_count(&scenarios),
            reference,
            fast,
        );
        let ratio = fast.cpu / reference.cpu.max(f64::MIN_POSITIVE);
        verdicts.push(format!(
            "fast >= 200,000 decisions/s on the corpus workload: {} ({})",
            met(fast.cpu >= 200_000.0),
            per_second(fast.cpu)
        ));
        verdicts.push(format!(
            "fast >= 20x reference on the corpus workload: {} ({ratio:.1}x)",
            met(ratio >= 20.0)
        ));
    }

    let mut ten_of = Vec::new();
    for (label, all) in [("10 naming the service", false), ("all naming it", true)] {
        for statements in [1, 10, 100, 1_000, 10_000] {
            let naming = if all { statements } else { 10 };
            let scenarios = [scaling(statements, naming)];
            let (reference, fast) = both(&scenarios, &options);
            row(
                &format!("{statements} statements, {label}"),
                decision_count(&scenarios),
                reference,
                fast,
            );
            if !all {
                ten_of.push((statements, fast));
            }
        }
    }
    let cost = |n: usize| {
        ten_of
            .iter()
            .find(|(s, _)| *s == n)
            .map(|(_, r)| 1.0 / r.cpu.max(f64::MIN_POSITIVE))
    };
    if let (Some(ten), Some(ten_thousand)) = (cost(10), cost(10_000)) {
        let ratio = ten_thousand / ten;
        verdicts.push(format!(
            "10,000 statements (10 naming the service) cost <= 5x 10 statements: {} ({ratio:.2}x)",
            met(ratio <= 5.0)
        ));
    }

    if let Some(managed) = &managed {
        let (set, _) = corpus_policy_set(managed);
        let mut wall_times = Vec::new();
        let mut cpu_times = Vec::new();
        for _ in 0..options.rounds.max(3) {
            let cpu_start = thread_cpu_time();
            let started = Instant::now();
            std::hint::black_box(Compiled::new(&set));
            let wall = started.elapsed();
            wall_times.push(wall);
            cpu_times.push(match (cpu_start, thread_cpu_time()) {
                (Some(a), Some(b)) if b > a => b - a,
                _ => wall,
            });
        }
        let median = |times: &mut Vec<Duration>| {
            times.sort();
            times.get(times.len() / 2).copied().unwrap_or_default()
        };
        let (cpu, wall) = (median(&mut cpu_times), median(&mut wall_times));
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "\ncompiling the managed-policy corpus ({} policies): median {:.0} ms of CPU, {:.0} ms \
             wall-clock",
            set.identity.len(),
            ms(cpu),
            ms(wall)
        );
        verdicts.push(format!(
            "corpus compiles in < 1 s: {} ({:.0} ms of CPU, {:.0} ms wall-clock; memory: see the \
             compile_corpus example)",
            met(cpu < Duration::from_secs(1)),
            ms(cpu),
            ms(wall)
        ));
    }

    if !corpus_note.is_empty() {
        println!("\n{corpus_note}");
    }
    println!();
    for verdict in verdicts {
        println!("- {verdict}");
    }
    std::process::ExitCode::SUCCESS
}
