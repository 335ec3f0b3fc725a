//! Reference vs fast on the corpus workload ([`iamspec_benches::corpus_workload`]): principals
//! with 1 to 8 AWS managed policies, some with a permissions boundary and SCP levels, asked
//! about catalogue actions. Skipped when `../shared/data` has no managed-policy corpus.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use iamspec_benches::{
    compile_all, corpus_workload, decide_all, decision_count, decision_mix, reference_all,
    statement_count, usable_managed, CorpusConfig,
};
use iamspec_corpus::catalogue::Catalogue;
use iamspec_corpus::managed::ManagedPolicy;
use std::time::Duration;

fn corpus(c: &mut Criterion) {
    let managed = match ManagedPolicy::load_shared() {
        Ok(Some(managed)) => managed,
        Ok(None) => {
            eprintln!("corpus: no managed-policy corpus in ../shared/data: skipped");
            return;
        }
        Err(e) => {
            eprintln!("corpus: {e}: skipped");
            return;
        }
    };
    let (usable, skipped) = usable_managed(&managed);
    let config = CorpusConfig::default();
    let scenarios = corpus_workload(&usable, Catalogue::embedded(), &config);
    let [allow, explicit, implicit] = decision_mix(&scenarios);
    let statements: usize = scenarios.iter().map(|s| statement_count(&s.policies)).sum();
    eprintln!(
        "corpus: {} principals, {} requests ({allow} allow, {explicit} explicit deny, \
         {implicit} implicit deny), {statements} statements in all; {} managed policies usable \
         ({skipped} skipped)",
        scenarios.len(),
        decision_count(&scenarios),
        usable.len(),
    );
    let fast = compile_all(&scenarios);
    let reference = reference_all(&scenarios);

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Elements(decision_count(&scenarios) as u64));
    // An iteration takes up to a second: the same few per sample keeps the run short.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("reference", |b| {
        b.iter(|| decide_all(&reference, &scenarios))
    });
    group.bench_function("fast", |b| b.iter(|| decide_all(&fast, &scenarios)));
    group.finish();

    // What the fast evaluator pays up front for the same principals.
    let mut group = c.benchmark_group("corpus-compile");
    group.throughput(Throughput::Elements(scenarios.len() as u64));
    // An iteration takes up to a second: the same few per sample keeps the run short.
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("fast", |b| b.iter(|| compile_all(&scenarios)));
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = corpus
}
criterion_main!(benches);
