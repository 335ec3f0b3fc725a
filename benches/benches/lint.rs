//! Lint against validate (issue 13): a 10,000-statement policy, and every AWS managed policy
//! (skipped when `../shared/data` has no managed-policy corpus).

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use iamspec_corpus::catalogue::Catalogue;
use iamspec_corpus::lint::lint;
use iamspec_corpus::managed::ManagedPolicy;
use iamspec_model::json::Json;
use iamspec_model::policy::check;
use iamspec_model::PolicyKind;
use std::hint::black_box;
use std::time::Duration;

fn lint_benches(c: &mut Criterion) {
    let catalogue = Catalogue::embedded();
    let text = iamspec_benches::ten_thousand_statements();
    let mut group = c.benchmark_group("lint-10000-statements");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::Elements(10_000));
    group.bench_function("validate", |b| {
        b.iter(|| {
            let json = Json::parse(black_box(&text)).ok();
            json.map(|json| check(&json, PolicyKind::Identity, Some(&text)).1.len())
        })
    });
    group.bench_function("lint", |b| {
        b.iter(|| {
            lint(black_box(&text), PolicyKind::Identity, catalogue)
                .findings
                .len()
        })
    });
    group.finish();

    let managed = match ManagedPolicy::load_shared() {
        Ok(Some(managed)) => managed,
        Ok(None) => {
            eprintln!("lint: no managed-policy corpus in ../shared/data: corpus skipped");
            return;
        }
        Err(e) => {
            eprintln!("lint: {e}: corpus skipped");
            return;
        }
    };
    let texts: Vec<String> = managed.iter().map(|p| p.document.to_string()).collect();
    let mut group = c.benchmark_group("lint-managed-corpus");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.measurement_time(Duration::from_secs(20));
    group.throughput(Throughput::Elements(texts.len() as u64));
    group.bench_function("validate", |b| {
        b.iter(|| {
            texts
                .iter()
                .filter_map(|t| Json::parse(t).ok())
                .map(|json| check(&json, PolicyKind::Identity, None).1.len())
                .sum::<usize>()
        })
    });
    group.bench_function("lint", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|t| lint(t, PolicyKind::Identity, catalogue).findings.len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, lint_benches);
criterion_main!(benches);
