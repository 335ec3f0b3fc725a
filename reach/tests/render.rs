//! The fixture world's answers rendered: SARIF with the members 2.1.0 requires, every minimal path listed when there are several, and the
//! k-shortest search returning longer paths too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_reach::render::sarif;
use iamspec_reach::{escalation, who_can, Graph, Limits, Verdict};
use std::path::Path;

const WORLD: &str = "tests/fixtures/escalation-world";

fn world() -> (iamspec_world::World, Graph) {
    let world = iamspec_world::snapshot::load(Path::new(WORLD)).unwrap();
    let g = Graph::build(&world);
    (world, g)
}

#[test]
fn sarif_has_one_result_per_escalating_principal() {
    let (w, g) = world();
    let records = escalation(&w, &g, None, Limits::default());
    let log = sarif(
        &records,
        WORLD,
        "reach/escalation",
        "can become an administrator",
    );
    // The members SARIF 2.1.0 requires (the schema check itself lives in corpus's tests).
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log["runs"][0]["tool"]["driver"]["name"], "iamspec");
    for r in log["runs"][0]["results"].as_array().unwrap() {
        assert!(r["message"]["text"].is_string());
        assert_eq!(r["ruleId"], "reach/escalation");
        assert!(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].is_string());
    }
    let results = log["runs"][0]["results"].as_array().unwrap();
    // bob, mallory, ops, alice, reader? no: alice, dev, operator, the SAML provider, ci.
    let levels: Vec<(&str, &str)> = results
        .iter()
        .map(|r| {
            (
                r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    .as_str()
                    .unwrap(),
                r["level"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(levels.contains(&("arn:aws:iam::444455556666:user/bob", "error")));
    assert!(levels.contains(&("arn:aws:iam::444455556666:user/alice", "warning")));
    assert!(!levels.iter().any(|(p, _)| p.ends_with("user/reader")));
}

#[test]
fn every_minimal_path_and_the_k_shortest() {
    let (world, g) = world();
    // breakglass is an administrator: reading the bucket, mallory has one path of one step;
    // bob two steps. With --paths 5 and a longer limit, nothing shorter appears than the minimum.
    let all = who_can(
        &world,
        &g,
        "s3:GetObject",
        "arn:aws:s3:::prod-data/a",
        Limits::default(),
    );
    let bob = all
        .iter()
        .find(|r| r.principal.ends_with("user/bob"))
        .unwrap();
    assert_eq!(
        (bob.verdict.clone(), bob.min_steps),
        (Verdict::Yes, Some(2))
    );
    // ops is reached by bob's access key; ops itself reads after attaching AdministratorAccess.
    let hops: Vec<&str> = bob.paths[0]
        .hops
        .iter()
        .map(|h| h.edge.rule.as_str())
        .collect();
    assert_eq!(hops, ["iam-002", "iam-008"]);
    // The bucket policy denies other accounts: dev's deployer (an administrator of 777788889999)
    // cannot read it, so neither can dev.
    let dev = all
        .iter()
        .find(|r| r.principal.ends_with("user/dev"))
        .unwrap();
    assert_eq!(dev.verdict, Verdict::No);
    let k = escalation(
        &world,
        &g,
        Some("arn:aws:iam::444455556666:user/bob"),
        Limits {
            max_hops: 6,
            paths: Some(5),
        },
    );
    assert_eq!(k[0].min_steps, Some(2));
    assert!(k[0].paths.iter().all(|p| p.hops.len() >= 2));
}
