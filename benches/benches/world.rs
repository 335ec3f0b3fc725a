//! The world (issue #11): loading a synthetic 7,000-principal GAAD (`iamspec_world::synth`,
//! seed 11; the file `cargo xtask world-gen` writes), one `access` decision after load (assemble
//! the policy set, compile it, decide and explain), and `permissions` for one principal over the
//! whole catalogue. Memory is measured on the binary: see BENCHMARKS.md.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use iamspec_corpus::Catalogue;
use iamspec_world::synth::{gaad, Size};
use iamspec_world::{snapshot, Query};

fn world(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("iamspec-bench-world-{}", std::process::id()));
    let file = dir.join("gaad-7000.json");
    let text =
        serde_json::to_string_pretty(&gaad("123456789012", Size::LARGE, 11)).unwrap_or_default();
    if std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, &text))
        .is_err()
    {
        eprintln!("world: cannot write {}: skipped", file.display());
        return;
    }
    eprintln!(
        "world: {} ({:.1} MB)",
        file.display(),
        text.len() as f64 / 1e6
    );
    let mut group = c.benchmark_group("world");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("load-7000", |b| {
        b.iter(|| snapshot::load(&file).map(|w| w.accounts.len()))
    });
    let Ok(world) = snapshot::load(&file) else {
        eprintln!("world: the synthetic file does not load: skipped");
        return;
    };
    group.finish();
    let queries: Vec<Query> = (0..100)
        .map(|i| Query {
            principal: if i % 2 == 0 {
                format!("arn:aws:iam::123456789012:user/user-{}", i * 17)
            } else {
                format!("arn:aws:iam::123456789012:role/app/role-{}", i * 41)
            },
            action: [
                "s3:GetObject",
                "kms:Decrypt",
                "sts:AssumeRole",
                "ec2:RunInstances",
            ]
            .get(i % 4)
            .copied()
            .unwrap_or("s3:GetObject")
            .to_owned(),
            resource: if i % 4 == 2 {
                format!("arn:aws:iam::123456789012:role/app/role-{}", i * 7)
            } else {
                format!("arn:aws:s3:::bucket-123456789012-{}/k", i % 4)
            },
            ..Query::default()
        })
        .collect();
    let mut group = c.benchmark_group("world");
    group.bench_function("access-100-decisions", |b| {
        b.iter(|| queries.iter().filter(|q| world.access(q).is_ok()).count())
    });
    group.sample_size(10);
    let catalogue = Catalogue::embedded();
    group.bench_function("permissions-user", |b| {
        b.iter(|| {
            world
                .permissions("arn:aws:iam::123456789012:user/user-7", &[], catalogue)
                .map(|p| p.services.len())
        })
    });
    group.bench_function("permissions-role", |b| {
        b.iter(|| {
            world
                .permissions("arn:aws:iam::123456789012:role/app/role-7", &[], catalogue)
                .map(|p| p.services.len())
        })
    });
    group.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, world);
criterion_main!(benches);
