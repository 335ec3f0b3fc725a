//! The example organization (examples/world): edges and answers that could be wrong.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_reach::{escalation, path, who_can, Graph, Limits, Verdict};
use std::path::Path;

fn graph() -> (iamspec_world::World, Graph) {
    let world = iamspec_world::snapshot::load(Path::new("../examples/world")).unwrap();
    let g = Graph::build(&world);
    (world, g)
}

#[test]
fn example_world_edges_and_answers() {
    let (world, g) = graph();
    let edge = |from: &str, to: &str| {
        g.edges
            .iter()
            .find(|e| g.nodes[e.from].id == from && g.nodes[e.to].id == to)
            .map(|e| (e.rule.clone(), e.outcome.verdict.clone()))
    };
    // bob's identity policy allows sts:AssumeRole; deployer's trust names him.
    assert_eq!(
        edge(
            "arn:aws:iam::222222222222:user/ops/bob",
            "arn:aws:iam::222222222222:role/deploy/deployer"
        ),
        Some(("sts-001".into(), Verdict::Yes))
    );
    // The auditor's trust wants an external id: conditional, never a guess.
    assert_eq!(
        edge(
            "arn:aws:iam::333333333333:user/carol",
            "arn:aws:iam::222222222222:role/auditor"
        ),
        Some(("sts-001".into(), Verdict::Conditional))
    );
    let provider = "arn:aws:iam::333333333333:oidc-provider/token.actions.githubusercontent.com";
    let fed = edge(provider, "arn:aws:iam::333333333333:role/github-deploy");
    assert_eq!(fed, Some(("federation".into(), Verdict::Conditional)));

    let admins = escalation(&world, &g, None, Limits::default());
    let verdict = |arn: &str| {
        admins
            .iter()
            .find(|r| r.principal == arn)
            .map(|r| (r.verdict.clone(), r.min_steps))
    };
    assert_eq!(
        verdict("arn:aws:iam::333333333333:user/carol"),
        Some((Verdict::Yes, Some(0)))
    );
    assert_eq!(
        verdict("arn:aws:iam::222222222222:user/alice"),
        Some((Verdict::No, None))
    );

    // Reading the bucket: the role the provider federates into reads it; the provider can,
    // conditionally, through it.
    let readers = who_can(
        &world,
        &g,
        "s3:GetObject",
        "arn:aws:s3:::example-app-data/report.csv",
        Limits::default(),
    );
    let r = readers.iter().find(|r| r.principal == provider).unwrap();
    assert_eq!(
        (r.verdict.clone(), r.min_steps),
        (Verdict::Conditional, Some(1))
    );
    assert!(r.needs.iter().any(|n| n.contains(":sub")), "{:?}", r.needs);
    // D104: the SCP DenyOutsideEU denies a request without a region; alice, bob (through the
    // deployer role) and the deployer read the bucket from an EU region: conditional, the
    // region and the condition named, never "no".
    for (who, steps) in [
        ("arn:aws:iam::222222222222:user/alice", 0),
        ("arn:aws:iam::222222222222:user/ops/bob", 1),
        ("arn:aws:iam::222222222222:role/deploy/deployer", 0),
    ] {
        let r = readers.iter().find(|r| r.principal == who).unwrap();
        assert_eq!(
            (r.verdict.clone(), r.min_steps),
            (Verdict::Conditional, Some(steps)),
            "{who}"
        );
        assert!(
            r.needs
                .iter()
                .any(|n| n.contains("`aws:RequestedRegion` = `eu-")
                    && n.contains("StringNotLike eu-*")),
            "{who}: {:?}",
            r.needs
        );
    }
    // A region outside the EU is no witness: the needs never name one.
    assert!(readers
        .iter()
        .flat_map(|r| r.needs.iter())
        .all(|n| !n.contains("`us-east-1`")));

    let p = path(
        &world,
        &g,
        "arn:aws:iam::222222222222:user/ops/bob",
        "arn:aws:iam::222222222222:role/deploy/deployer",
        Limits::default(),
    )
    .unwrap();
    assert_eq!(p.min_steps, Some(1));
    assert_eq!(p.paths.len(), 1);
}
