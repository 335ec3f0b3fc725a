//! Paths across several hops: conditions along a path (D105) and what an escalated principal
//! reaches afterwards (D106). Each world is small and written here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use iamspec_reach::{escalation, path, Graph, Limits, Verdict};
use serde_json::{json, Value};

const A: &str = "111111111111";
const B: &str = "222222222222";

fn arn(account: &str, kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:{kind}/{name}")
}

fn doc(statements: Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn user(account: &str, name: &str, policy: Value) -> Value {
    json!({"UserName": name, "UserId": format!("AIDA{}", name.to_uppercase()), "Arn": arn(account, "user", name), "Path": "/",
        "UserPolicyList": [{"PolicyName": "p", "PolicyDocument": policy}], "AttachedManagedPolicies": [], "GroupList": []})
}

fn role(account: &str, name: &str, trust: Value, policy: Value) -> Value {
    json!({"RoleName": name, "RoleId": format!("AROA{}", name.to_uppercase()), "Arn": arn(account, "role", name), "Path": "/",
        "AssumeRolePolicyDocument": trust, "RolePolicyList": [{"PolicyName": "p", "PolicyDocument": policy}],
        "AttachedManagedPolicies": [], "InstanceProfileList": []})
}

fn load(accounts: Value) -> iamspec_world::World {
    let dir = std::env::temp_dir().join(format!(
        "iamspec-reach-chains-{}-{}",
        std::process::id(),
        rand_suffix()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let snapshot = json!({"format": "iamspec-snapshot/1", "accounts": accounts});
    std::fs::write(dir.join("snapshot.json"), snapshot.to_string()).unwrap();
    let world = iamspec_world::snapshot::load(&dir).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    world
}

fn rand_suffix() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed)
}

/// alice assumes `mfa` only with MFA from 203.0.113.0/24; `mfa` assumes `admin` only from
/// `second` (a range). With `second` disjoint from the first range no one attacker walks both
/// hops (one place, D105): the path is pruned; with a range inside it, it survives and says the
/// address.
fn mfa_then_ip(second: &str) -> (iamspec_world::World, String) {
    let alice = arn(A, "user", "alice");
    let mfa = arn(A, "role", "mfa");
    let admin = arn(A, "role", "admin");
    let world = load(json!([{"id": A, "gaad": {
        "UserDetailList": [user(A, "alice", doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": mfa}])))],
        "GroupDetailList": [],
        "RoleDetailList": [
            role(A, "mfa",
                doc(json!([{"Effect": "Allow", "Principal": {"AWS": alice}, "Action": "sts:AssumeRole",
                    "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}, "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}])),
                doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": admin}]))),
            role(A, "admin",
                doc(json!([{"Effect": "Allow", "Principal": {"AWS": mfa}, "Action": "sts:AssumeRole",
                    "Condition": {"IpAddress": {"aws:SourceIp": second}}}])),
                doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))),
        ],
        "Policies": []}}]));
    (world, alice)
}

#[test]
fn contradictory_conditions_along_a_path_prune_it() {
    let (world, alice) = mfa_then_ip("198.51.100.0/24");
    let g = Graph::build(&world);
    // Each hop holds on its own, conditionally.
    let hops: Vec<&str> = g
        .edges
        .iter()
        .filter(|e| e.outcome.verdict == Verdict::Conditional)
        .map(|e| e.rule.as_str())
        .collect();
    assert_eq!(hops, vec!["sts-001", "sts-001"]);
    let r = &escalation(&world, &g, Some(&alice), Limits::default())[0];
    assert_eq!(r.verdict, Verdict::No, "{:?}", r.paths);
    assert!(r.paths.is_empty());
    // z3 proves it (D108): no one address is in both ranges.
    let steps = [
        step(&world, &alice, &arn(A, "role", "mfa")),
        step(&world, &arn(A, "role", "mfa"), &arn(A, "role", "admin")),
    ];
    let shared = vec!["aws:SourceIp".to_owned()];
    assert!(matches!(
        iamspec_reach::context::joint(&steps, &shared),
        iamspec_reach::context::Joint::Impossible
    ));
    let (world, alice) = mfa_then_ip("203.0.113.0/26");
    let steps = [
        step(&world, &alice, &arn(A, "role", "mfa")),
        step(&world, &arn(A, "role", "mfa"), &arn(A, "role", "admin")),
    ];
    assert!(matches!(
        iamspec_reach::context::joint(&steps, &shared),
        iamspec_reach::context::Joint::Witness(_)
    ));
}

/// One `sts:AssumeRole` request as `along` assembles it.
fn step(world: &iamspec_world::World, principal: &str, role: &str) -> iamspec_reach::context::Step {
    let a = world
        .assemble(&iamspec_world::Query {
            principal: principal.to_owned(),
            action: "sts:AssumeRole".into(),
            resource: role.to_owned(),
            ..iamspec_world::Query::default()
        })
        .unwrap();
    iamspec_reach::context::Step {
        set: a.set,
        request: a.request,
        missing: Vec::new(),
    }
}

#[test]
fn compatible_conditions_along_a_path_are_printed() {
    let (world, alice) = mfa_then_ip("203.0.113.0/26");
    let g = Graph::build(&world);
    let r = &escalation(&world, &g, Some(&alice), Limits::default())[0];
    assert_eq!(
        (r.verdict.clone(), r.min_steps),
        (Verdict::Conditional, Some(2))
    );
    let needs = &r.paths[0].needs;
    // One address for both hops, inside both ranges; MFA on the whole path.
    assert!(
        needs
            .iter()
            .any(|n| n.contains("`aws:SourceIp` = `203.0.113.0`") && n.contains("every hop")),
        "{needs:?}"
    );
    assert!(
        needs
            .iter()
            .any(|n| n.contains("`aws:MultiFactorAuthPresent` = `true`")),
        "{needs:?}"
    );
}

/// D106: after `eve` grants herself administrator rights, she acts as any principal of her
/// account (through the account's hub), so she reaches a role of another account that trusts
/// only `ops`.
#[test]
fn an_escalated_principal_reaches_what_its_account_reaches() {
    let eve = arn(A, "user", "eve");
    let ops = arn(A, "role", "ops");
    let partner = arn(B, "role", "partner");
    let world = load(json!([
        {"id": A, "gaad": {
            "UserDetailList": [user(A, "eve", doc(json!([{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": eve}])))],
            "GroupDetailList": [],
            "RoleDetailList": [role(A, "ops",
                doc(json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{A}:root")}, "Action": "sts:AssumeRole"}])),
                doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": partner}])))],
            "Policies": []}},
        {"id": B, "gaad": {
            "UserDetailList": [],
            "GroupDetailList": [],
            "RoleDetailList": [role(B, "partner",
                doc(json!([{"Effect": "Allow", "Principal": {"AWS": ops}, "Action": "sts:AssumeRole"}])),
                doc(json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}])))],
            "Policies": []}}
    ]));
    let g = Graph::build(&world);
    let p = path(&world, &g, &eve, &partner, Limits::default()).unwrap();
    assert_eq!(p.verdict, Verdict::Yes);
    let rules: Vec<&str> = p.paths[0]
        .hops
        .iter()
        .map(|h| h.edge.rule.as_str())
        .collect();
    assert_eq!(
        rules,
        vec!["iam-007", "administrator", "iam-012", "sts-001"]
    );
    // Without the escalation she has no way in.
    let ops_only = path(&world, &g, &ops, &partner, Limits::default()).unwrap();
    assert_eq!(ops_only.min_steps, Some(1));
    // An administrator's edges go through the hub, not one per principal.
    let from_admin = g
        .edges
        .iter()
        .filter(|e| {
            g.nodes[e.from].id == format!("{eve} (+administrator policy)")
                && e.rule != "administrator"
        })
        .count();
    assert_eq!(from_admin, 0);
}

/// A context no value the policies name satisfies (a time after a date: the date itself is not
/// after it) is found by z3 (`iamspec_solver::who_can_reach`) and replayed by the evaluator.
#[test]
fn a_context_the_candidates_miss_is_found_by_the_solver() {
    let dev = arn(A, "user", "dev");
    let later = arn(A, "role", "later");
    let world = load(json!([{"id": A, "gaad": {
        "UserDetailList": [user(A, "dev", doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": later}])))],
        "GroupDetailList": [],
        "RoleDetailList": [role(A, "later",
            doc(json!([{"Effect": "Allow", "Principal": {"AWS": dev}, "Action": "sts:AssumeRole",
                "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}}])),
            doc(json!([{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}])))],
        "Policies": []}}]));
    let g = Graph::build(&world);
    let p = path(&world, &g, &dev, &later, Limits::default()).unwrap();
    assert_eq!(p.verdict, Verdict::Conditional, "{p:?}");
    let needs = &p.paths[0].needs;
    assert!(
        needs.iter().any(|n| n.contains("`aws:CurrentTime` = `")
            && !n.contains("= `2030-01-01T00:00:00Z`")),
        "{needs:?}"
    );
}

/// D107: twelve roles trust the account alike; `wide` may assume `role/*` and reaches all of
/// them through one edge to their group, each shown as one `sts:AssumeRole` hop into the role;
/// `narrow` may assume one of them only and keeps its own edge.
#[test]
fn roles_that_trust_alike_are_reached_through_their_group() {
    let root = format!("arn:aws:iam::{A}:root");
    let trust =
        doc(json!([{"Effect": "Allow", "Principal": {"AWS": root}, "Action": "sts:AssumeRole"}]));
    let mut roles = Vec::new();
    for i in 0..12 {
        let policy = match i {
            3 => doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])),
            5 => doc(
                json!([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]),
            ),
            _ => doc(
                json!([{"Effect": "Allow", "Action": "ec2:DescribeInstances", "Resource": "*"}]),
            ),
        };
        roles.push(role(A, &format!("app-{i}"), trust.clone(), policy));
    }
    let wide = arn(A, "user", "wide");
    let narrow = arn(A, "user", "narrow");
    let world = load(json!([{"id": A, "gaad": {
        "UserDetailList": [
            user(A, "wide", doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": format!("arn:aws:iam::{A}:role/*")}]))),
            user(A, "narrow", doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": arn(A, "role", "app-5")}]))),
        ],
        "GroupDetailList": [],
        "RoleDetailList": roles,
        "Policies": []}}]));
    let g = Graph::build(&world);
    let out = |who: &str| -> Vec<String> {
        let n = g.node(who).unwrap();
        g.out[n]
            .iter()
            .map(|&e| g.nodes[g.edges[e].to].id.clone())
            .collect()
    };
    let wide_out = out(&wide);
    assert_eq!(wide_out.len(), 1, "{wide_out:?}");
    assert!(
        wide_out[0].starts_with("the 12 roles of account"),
        "{wide_out:?}"
    );
    assert_eq!(out(&narrow), vec![arn(A, "role", "app-5")]);

    // The group's hop counts once: one hop reaches the administrator role.
    let one = Limits {
        max_hops: 1,
        paths: None,
    };
    let r = &escalation(&world, &g, Some(&wide), one)[0];
    assert_eq!((r.verdict.clone(), r.min_steps), (Verdict::Yes, Some(1)));
    let hop = &r.paths[0].hops[0];
    assert_eq!(
        (hop.from.as_str(), hop.to.clone()),
        (wide.as_str(), arn(A, "role", "app-3"))
    );
    assert_eq!(
        hop.edge.step,
        format!("sts:AssumeRole into `{}`", arn(A, "role", "app-3"))
    );
    assert_eq!(hop.edge.checks[0].resource, arn(A, "role", "app-3"));
    assert_eq!(r.paths.len(), 1);

    let readers = iamspec_reach::who_can(
        &world,
        &g,
        "s3:GetObject",
        "arn:aws:s3:::b/k",
        Limits::default(),
    );
    let steps = |who: &str| {
        readers
            .iter()
            .find(|r| r.principal == who)
            .map(|r| (r.verdict.clone(), r.min_steps))
    };
    // app-3 (administrator) and app-5 read directly; both users in one hop, each path into a role.
    assert_eq!(steps(&wide), Some((Verdict::Yes, Some(1))));
    assert_eq!(steps(&narrow), Some((Verdict::Yes, Some(1))));
    let wide_paths: Vec<String> = readers
        .iter()
        .find(|r| r.principal == wide)
        .unwrap()
        .paths
        .iter()
        .map(|p| p.end.clone())
        .collect();
    assert_eq!(
        wide_paths,
        vec![arn(A, "role", "app-3"), arn(A, "role", "app-5")]
    );
    // No record for the group itself.
    assert!(readers.iter().all(|r| !r.principal.starts_with("the ")));
}

/// dev assumes `first` only after `after`, and `first` assumes `admin` only before `before`:
/// one caller's clock (D105) must satisfy both.
fn time_window(after: &str, before: &str) -> (iamspec_world::World, String) {
    let dev = arn(A, "user", "dev");
    let first = arn(A, "role", "first");
    let admin = arn(A, "role", "admin");
    let world = load(json!([{"id": A, "gaad": {
        "UserDetailList": [user(A, "dev", doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": first}])))],
        "GroupDetailList": [],
        "RoleDetailList": [
            role(A, "first",
                doc(json!([{"Effect": "Allow", "Principal": {"AWS": dev}, "Action": "sts:AssumeRole",
                    "Condition": {"DateGreaterThan": {"aws:CurrentTime": after}}}])),
                doc(json!([{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": admin}]))),
            role(A, "admin",
                doc(json!([{"Effect": "Allow", "Principal": {"AWS": first}, "Action": "sts:AssumeRole",
                    "Condition": {"DateLessThan": {"aws:CurrentTime": before}}}])),
                doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}]))),
        ],
        "Policies": []}}]));
    (world, dev)
}

/// D108: z3 decides the hops together. A window no value the policies name lies in (each bound
/// fails the other hop's strict comparison) is found by z3 and printed; an empty window is
/// pruned, proved by z3.
#[test]
fn the_solver_decides_the_hops_of_a_path_together() {
    let (world, dev) = time_window("2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z");
    let steps_of = |world: &iamspec_world::World| {
        let g = Graph::build(world);
        escalation(world, &g, Some(&dev), Limits::default())
            .into_iter()
            .next()
            .unwrap()
    };
    let r = steps_of(&world);
    assert_eq!(
        (r.verdict.clone(), r.min_steps),
        (Verdict::Conditional, Some(2)),
        "{r:?}"
    );
    let needs = &r.paths[0].needs;
    let time = needs
        .iter()
        .find(|n| n.contains("every hop") && n.contains("`aws:CurrentTime` = `"))
        .unwrap_or_else(|| panic!("{needs:?}"));
    assert!(
        !time.contains("2030-01-01T00:00:00Z`") && !time.contains("2031-01-01T00:00:00Z`"),
        "{time}"
    );

    let (world, dev2) = time_window("2031-01-01T00:00:00Z", "2030-01-01T00:00:00Z");
    let g = Graph::build(&world);
    let r = &escalation(&world, &g, Some(&dev2), Limits::default())[0];
    assert_eq!(r.verdict, Verdict::No, "{:?}", r.paths);

    // The same question asked of z3 directly.
    let steps = [
        step(&world, &dev2, &arn(A, "role", "first")),
        step(&world, &arn(A, "role", "first"), &arn(A, "role", "admin")),
    ];
    let shared = vec!["aws:CurrentTime".to_owned()];
    assert!(matches!(
        iamspec_reach::context::joint(&steps, &shared),
        iamspec_reach::context::Joint::Impossible
    ));
    assert!(matches!(
        iamspec_reach::context::joint(&steps[..1], &shared),
        iamspec_reach::context::Joint::Witness(_)
    ));
}

/// Accounts are built in parallel; the graph is the same with one thread or several.
#[test]
fn the_graph_does_not_depend_on_the_thread_count() {
    let accounts: Vec<Value> = ["111111111111", "222222222222", "333333333333"]
        .iter()
        .map(|id| {
            let next = if *id == "333333333333" { A } else { B };
            json!({"id": id, "gaad": {
                "UserDetailList": [
                    user(id, "eve", doc(json!([{"Effect": "Allow", "Action": "iam:PutUserPolicy", "Resource": arn(id, "user", "eve")}]))),
                    user(id, "dev", doc(json!([{"Effect": "Allow", "Action": ["sts:AssumeRole", "iam:CreateAccessKey"], "Resource": "*"}]))),
                ],
                "GroupDetailList": [],
                "RoleDetailList": [role(id, "ops",
                    doc(json!([{"Effect": "Allow", "Principal": {"AWS": format!("arn:aws:iam::{next}:root")}, "Action": "sts:AssumeRole"}])),
                    doc(json!([{"Effect": "Allow", "Action": "*", "Resource": "*"}])))],
                "Policies": []}})
        })
        .collect();
    let world = load(Value::Array(accounts));
    let shape = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let g = pool.install(|| Graph::build(&world));
        let nodes: Vec<String> = g.nodes.iter().map(|n| n.id.clone()).collect();
        let edges: Vec<(String, String, String)> = g
            .edges
            .iter()
            .map(|e| {
                (
                    g.nodes[e.from].id.clone(),
                    g.nodes[e.to].id.clone(),
                    e.rule.clone(),
                )
            })
            .collect();
        (nodes, edges)
    };
    let one = shape(1);
    assert!(one
        .1
        .iter()
        .any(|(_, to, rule)| rule == "sts-001" && to.contains("222222222222")));
    assert!(one.0.iter().any(|n| n.ends_with("(+administrator policy)")));
    assert_eq!(one, shape(3));
}
