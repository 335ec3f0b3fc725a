//! Compiling the whole managed-policy corpus into one fast evaluator (target: under 1 s; the
//! memory is measured by `cargo run --release -p iamspec-benches --example compile_corpus`,
//! since criterion measures only time), and for context, reading and validating it.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use iamspec_benches::{corpus_policy_set, statement_count, usable_managed};
use iamspec_corpus::managed::ManagedPolicy;
use iamspec_model::fast::Compiled;
use std::time::Duration;

fn compile(c: &mut Criterion) {
    let managed = match ManagedPolicy::load_shared() {
        Ok(Some(managed)) => managed,
        Ok(None) => {
            eprintln!("compile: no managed-policy corpus in ../shared/data: skipped");
            return;
        }
        Err(e) => {
            eprintln!("compile: {e}: skipped");
            return;
        }
    };
    let (set, skipped) = corpus_policy_set(&managed);
    eprintln!(
        "compile: {} managed policies ({skipped} skipped), {} statements",
        set.identity.len(),
        statement_count(&set)
    );
    let mut group = c.benchmark_group("compile-corpus");
    // An iteration takes up to a second: the same few per sample keeps the run short.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("fast", |b| b.iter(|| Compiled::new(&set)));
    group.bench_function("parse-and-validate", |b| {
        b.iter(|| usable_managed(&managed).0.len())
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = compile
}
criterion_main!(benches);
