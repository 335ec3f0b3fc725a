//! Reference vs fast on every valid case of the committed conformance suites: each case's
//! policies compiled once, then every case's request decided once per iteration.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use iamspec_benches::{compile_all, conformance_suites, decide_all, decision_count, reference_all};
use std::time::Duration;

fn suites(c: &mut Criterion) {
    let (scenarios, skipped) = match conformance_suites() {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("suites: cannot load the conformance suites: {e}");
            return;
        }
    };
    eprintln!(
        "suites: {} cases decided per iteration ({skipped} invalid cases skipped)",
        scenarios.len()
    );
    let fast = compile_all(&scenarios);
    let reference = reference_all(&scenarios);
    let mut group = c.benchmark_group("suites");
    group.throughput(Throughput::Elements(decision_count(&scenarios) as u64));
    group.bench_function("reference", |b| {
        b.iter(|| decide_all(&reference, &scenarios))
    });
    group.bench_function("fast", |b| b.iter(|| decide_all(&fast, &scenarios)));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4))
        .sample_size(30);
    targets = suites
}
criterion_main!(benches);
