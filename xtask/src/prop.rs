//! `cargo xtask prop`: the long differential campaign (reference vs fast evaluator on generated
//! cases), and `cargo xtask gen-suite`: a conformance suite of generated cases decided by the
//! reference evaluator. Both use the generators of `iamspec_model::testing`; case `i` of seed `s`
//! is the same case in the test, the campaign and the suite.
//!
//! The campaign wants an optimized build: `cargo run --release -p xtask -- prop --cases 1000000`
//! (the `cargo xtask` alias builds without optimization, several times slower).

use iamspec_model::testing::differential::{self, CANDIDATE};
use iamspec_model::testing::{suite, Failure, Generator, Stats};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct PropArgs {
    /// How many generated cases to run.
    #[arg(long, default_value_t = 1_000_000)]
    cases: u64,
    /// The seed (default: from the clock, printed so that a run can be repeated).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (each runs a contiguous range of case indices).
    #[arg(long, default_value_t = 2)]
    threads: u64,
    /// Where mismatches are written as conformance cases (default `target/differential-failures`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// At most this many mismatches are shrunk and written per thread; the rest are counted.
    #[arg(long, default_value_t = 10)]
    max_failures: usize,
}

#[derive(clap::Args)]
pub struct GenSuiteArgs {
    /// How many cases the suite has.
    #[arg(long, default_value_t = 200)]
    cases: u64,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The suite file to write (default: standard output).
    #[arg(long)]
    out: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum PropError {
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{mismatches} of {cases} cases: the reference and {candidate} disagree; the shrunk cases are in {files}")]
    Mismatches {
        mismatches: u64,
        cases: u64,
        candidate: &'static str,
        files: String,
    },
}

/// A seed from the clock, for runs that do not give one.
pub fn clock_seed() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() ^ u64::from(d.subsec_nanos()))
        .unwrap_or(0)
}

pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| crate::repo_root().join("target"))
}

pub fn prop(args: &PropArgs) -> Result<(), PropError> {
    let seed = args.seed.unwrap_or_else(clock_seed);
    let threads = args.threads.max(1);
    println!(
        "prop: {} cases, seed {seed}, {threads} threads, reference vs {CANDIDATE}",
        args.cases
    );
    let done = AtomicU64::new(0);
    let mismatches = AtomicU64::new(0);
    let results: Mutex<Vec<(Stats, Vec<Failure>)>> = Mutex::new(Vec::new());
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..threads {
            let (done, mismatches, results) = (&done, &mismatches, &results);
            let range = (args.cases * t / threads)..(args.cases * (t + 1) / threads);
            scope.spawn(move || {
                // Strategies are not `Send`: each thread builds its own (case `i` is the same).
                let generator = Generator::new(seed);
                let mut reported = Stats::default();
                let run = differential::run(&generator, range, args.max_failures, &mut |stats| {
                    done.fetch_add(stats.cases - reported.cases, Ordering::Relaxed);
                    mismatches.fetch_add(stats.mismatches - reported.mismatches, Ordering::Relaxed);
                    reported = stats.clone();
                });
                done.fetch_add(run.0.cases - reported.cases, Ordering::Relaxed);
                mismatches.fetch_add(run.0.mismatches - reported.mismatches, Ordering::Relaxed);
                if let Ok(mut results) = results.lock() {
                    results.push(run);
                }
            });
        }
        let mut last_print = Instant::now();
        loop {
            std::thread::sleep(Duration::from_millis(200));
            let finished = results.lock().map(|r| r.len() as u64).unwrap_or(threads) == threads;
            if finished {
                break;
            }
            if last_print.elapsed() >= Duration::from_secs(5) {
                last_print = Instant::now();
                let n = done.load(Ordering::Relaxed);
                println!(
                    "prop: {n}/{} cases, {:.0} cases/s, {} mismatches",
                    args.cases,
                    n as f64 / started.elapsed().as_secs_f64(),
                    mismatches.load(Ordering::Relaxed)
                );
            }
        }
    });
    let seconds = started.elapsed().as_secs_f64();
    let mut total = Stats::default();
    let mut failures = Vec::new();
    for (stats, found) in results.into_inner().unwrap_or_default() {
        total.merge(&stats);
        failures.extend(found);
    }
    println!(
        "prop: {} cases in {seconds:.1} s ({:.0} cases/s); {}",
        total.cases,
        total.cases as f64 / seconds,
        total.summary()
    );
    for (key, count) in &total.by_deciding {
        println!("prop:   {key}: {count}");
    }
    if total.mismatches == 0 {
        return Ok(());
    }
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| target_dir().join("differential-failures"));
    failures.sort_by_key(|f| f.index);
    let files = suite::write_failures(&dir, &failures, "cargo xtask prop").map_err(|source| {
        PropError::Write {
            path: dir.clone(),
            source,
        }
    })?;
    for (failure, file) in failures.iter().zip(&files) {
        println!(
            "prop: case {}: {} (shrunk in {} steps) -> {}",
            failure.index,
            failure.mismatch,
            failure.shrink_steps,
            file.display()
        );
    }
    Err(PropError::Mismatches {
        mismatches: total.mismatches,
        cases: total.cases,
        candidate: CANDIDATE,
        files: dir.display().to_string(),
    })
}

pub fn gen_suite(args: &GenSuiteArgs) -> Result<(), PropError> {
    let text = suite::to_pretty(&suite::generated_suite(args.seed, args.cases));
    match &args.out {
        None => {
            print!("{text}");
            Ok(())
        }
        Some(path) => {
            let write = |path: &PathBuf| -> std::io::Result<()> {
                if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    std::fs::create_dir_all(parent)?;
                }
                std::fs::write(path, &text)
            };
            write(path).map_err(|source| PropError::Write {
                path: path.clone(),
                source,
            })?;
            eprintln!(
                "gen-suite: {} cases (seed {}) written to {}",
                args.cases,
                args.seed,
                path.display()
            );
            Ok(())
        }
    }
}
