//! How the cost of a decision grows with the number of statements
//! ([`iamspec_benches::scaling`]): 1 to 10,000 statements of which at most 10 name the
//! request's service (the target: 10,000 costs at most 5x 10), and 1 to 10,000 statements that
//! all name it (where every statement can match and the cost must grow).

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use iamspec_benches::{compile_all, decide_all, decision_count, reference_all, scaling};
use std::time::Duration;

const SIZES: [usize; 5] = [1, 10, 100, 1_000, 10_000];

fn series(c: &mut Criterion, name: &str, naming: impl Fn(usize) -> usize) {
    let mut group = c.benchmark_group(name);
    // The reference takes a tenth of a second per iteration at 10,000 statements.
    group.sampling_mode(SamplingMode::Flat);
    for statements in SIZES {
        let scenarios = [scaling(statements, naming(statements))];
        let fast = compile_all(&scenarios);
        let reference = reference_all(&scenarios);
        group.throughput(Throughput::Elements(decision_count(&scenarios) as u64));
        group.bench_with_input(BenchmarkId::new("fast", statements), &(), |b, ()| {
            b.iter(|| decide_all(&fast, &scenarios))
        });
        group.bench_with_input(BenchmarkId::new("reference", statements), &(), |b, ()| {
            b.iter(|| decide_all(&reference, &scenarios))
        });
    }
    group.finish();
}

fn scaling_benches(c: &mut Criterion) {
    series(c, "scaling-10-name-the-service", |_| 10);
    series(c, "scaling-all-name-the-service", |n| n);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    targets = scaling_benches
}
criterion_main!(benches);
