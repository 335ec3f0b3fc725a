//! Reachability (issue #12) on a world benchmark's synthetic account (`iamspec_world::synth`,
//! seed 11) of 700 principals (200 users, 500 roles, 20 groups, 300 policies): building the
//! graph, one `who-can` after the build, and `escalation` for every principal with its paths.
//! This generator's trust policies trust the account and its grants name `role/app/*`, so almost
//! every principal can assume almost every role: before role groups (D107) the edges grew with
//! the square of the principals (21,324 here); `cargo xtask reach-gen --dense` measures 7,000.
//! The planted-truth runs at 1k, 7k, 50k and 50 accounts are `cargo xtask reach-gen --check`.

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use iamspec_reach::{escalation, who_can, Graph, Limits};
use iamspec_world::synth::{gaad, Size};

fn reach(c: &mut Criterion) {
    let dir = std::env::temp_dir().join(format!("iamspec-bench-reach-{}", std::process::id()));
    let file = dir.join("gaad-700.json");
    let size = Size {
        users: 200,
        roles: 500,
        groups: 20,
        policies: 300,
    };
    let text = serde_json::to_string(&gaad("123456789012", size, 11)).unwrap_or_default();
    if std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, &text))
        .is_err()
    {
        eprintln!("reach: cannot write {}: skipped", file.display());
        return;
    }
    let Ok(world) = iamspec_world::snapshot::load(&file) else {
        eprintln!("reach: the synthetic file does not load: skipped");
        return;
    };
    let mut group = c.benchmark_group("reach");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.bench_function("graph-700", |b| b.iter(|| Graph::build(&world).edges.len()));
    let graph = Graph::build(&world);
    eprintln!(
        "reach: {} nodes, {} edges",
        graph.nodes.len(),
        graph.edges.len()
    );
    group.bench_function("who-can-700", |b| {
        b.iter(|| {
            who_can(
                &world,
                &graph,
                "s3:GetObject",
                "arn:aws:s3:::bucket-123456789012-1/k",
                Limits::default(),
            )
            .len()
        })
    });
    group.bench_function("escalation-700", |b| {
        b.iter(|| escalation(&world, &graph, None, Limits::default()).len())
    });
    group.finish();
    std::fs::remove_dir_all(&dir).ok();
}

criterion_group!(benches, reach);
criterion_main!(benches);
