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

/// 10,000 statements, each on its own bucket, half with a condition.
fn ten_thousand() -> String {
    let statements: Vec<String> = (0..10_000)
        .map(|i| {
            let condition = if i % 2 == 0 {
                r#", "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}"#
            } else {
                ""
            };
            format!(
                r#"{{"Effect": "Allow", "Action": ["s3:GetObject", "s3:List*"], "Resource": "arn:aws:s3:::bucket-{i}/*"{condition}}}"#
            )
        })
        .collect();
    format!(
        r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
        statements.join(",")
    )
}

fn lint_benches(c: &mut Criterion) {
    let catalogue = Catalogue::embedded();
    let text = ten_thousand();
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
