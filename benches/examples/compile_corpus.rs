//! Time and memory of compiling the whole managed-policy corpus into one fast evaluator.
//!
//! Criterion measures time only, so the memory is read here from `/proc/self/status`:
//! `VmHWM` (peak resident size) before and after compiling, with the peak reset just before
//! compiling where the kernel allows it. Run with
//! `cargo run --release -p iamspec-benches --example compile_corpus`.

use iamspec_benches::{corpus_policy_set, proc_status_kib, reset_peak_rss, statement_count};
use iamspec_corpus::managed::ManagedPolicy;
use iamspec_model::fast::Compiled;
use std::process::ExitCode;
use std::time::{Duration, Instant};

fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "unknown".to_owned(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

fn main() -> ExitCode {
    let started = Instant::now();
    let managed = match ManagedPolicy::load_shared() {
        Ok(Some(managed)) => managed,
        Ok(None) => {
            eprintln!("no managed-policy corpus in ../shared/data: nothing to measure");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let (set, skipped) = corpus_policy_set(&managed);
    let loaded = started.elapsed();
    drop(managed);
    println!(
        "corpus: {} managed policies as identity policies ({skipped} skipped as invalid), {} statements",
        set.identity.len(),
        statement_count(&set)
    );
    println!("read, parse and validate: {:.1} ms", ms(loaded));
    let peak_before = proc_status_kib("VmHWM");
    let rss_before = proc_status_kib("VmRSS");
    let reset = reset_peak_rss();

    let t = Instant::now();
    let compiled = Compiled::new(&set);
    let first = t.elapsed();
    let peak_compile = proc_status_kib("VmHWM");
    let rss_after = proc_status_kib("VmRSS");

    // Memory freed by reading the corpus is reused by the first compile, which hides its size;
    // keeping further copies alive shows what one compiled corpus holds.
    let mut times = Vec::new();
    let mut kept = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let again = Compiled::new(&set);
        times.push(t.elapsed());
        kept.push(std::hint::black_box(again));
    }
    let rss_kept = proc_status_kib("VmRSS");
    times.sort();
    let median = times.get(times.len() / 2).copied().unwrap_or(first);
    println!(
        "compile (Compiled::new): first {:.1} ms, median of 5 more {:.1} ms",
        ms(first),
        ms(median)
    );
    println!(
        "process peak (VmHWM) after reading the corpus: {}",
        mib(peak_before)
    );
    let whole = if reset {
        peak_compile.max(peak_before)
    } else {
        peak_compile
    };
    println!(
        "process peak (VmHWM) after compiling it once:  {} (corpus text, parsed policies and \
         compiled form together)",
        mib(whole)
    );
    let grown = rss_after.zip(rss_before).map(|(a, b)| a.saturating_sub(b));
    println!(
        "resident size grown by the first compile:      {} (it reuses memory freed by reading)",
        mib(grown)
    );
    let per_copy = rss_kept
        .zip(rss_after)
        .map(|(k, a)| k.saturating_sub(a) / 5);
    println!(
        "one compiled corpus holds about:               {} (5 more copies kept alive)",
        mib(per_copy)
    );
    drop(std::hint::black_box((compiled, kept)));
    ExitCode::SUCCESS
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
