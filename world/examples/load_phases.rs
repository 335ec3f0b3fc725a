//! Where loading a GAAD file spends its time: reading, JSON parsing, building the account
//! (policy documents parsed and validated), and one `access` decision.
//! `cargo run --release -p iamspec-world --example load_phases -- FILE`

use iamspec_model::json::Json;
use iamspec_world::snapshot::from_gaad_pages;
use iamspec_world::Query;
use std::time::Instant;

fn main() {
    let Some(file) = std::env::args().nth(1) else {
        eprintln!("usage: load_phases GAAD.json");
        return;
    };
    let t = Instant::now();
    let Ok(text) = std::fs::read_to_string(&file) else {
        eprintln!("cannot read {file}");
        return;
    };
    let read = t.elapsed();
    let t = Instant::now();
    let Ok(json) = Json::parse(&text) else {
        eprintln!("not JSON");
        return;
    };
    let parse = t.elapsed();
    drop(text);
    let t = Instant::now();
    let world = match from_gaad_pages(&[(file.clone(), json)]) {
        Ok(world) => world,
        Err(e) => {
            eprintln!("{e}");
            return;
        }
    };
    let build = t.elapsed();
    let account = world
        .accounts
        .first()
        .map_or(0, |a| a.users.len() + a.roles.len());
    let t = Instant::now();
    let query = Query {
        principal: world.principals().nth(7).unwrap_or_default().to_owned(),
        action: "s3:GetObject".into(),
        resource: "arn:aws:s3:::bucket-123456789012-1/k".into(),
        ..Query::default()
    };
    let decided = world.access(&query).map(|a| a.decision);
    let access = t.elapsed();
    println!("{account} principals: read {read:?}, parse {parse:?}, build {build:?}, one access {access:?} ({decided:?})");
    // Many decisions, in wall time and in this thread's CPU time (the machine may be shared).
    let principals: Vec<String> = world.principals().map(str::to_owned).collect();
    let queries: Vec<Query> = (0..1000)
        .map(|i| Query {
            principal: principals
                .get(i * 7 % principals.len().max(1))
                .cloned()
                .unwrap_or_default(),
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
            resource: format!("arn:aws:s3:::bucket-123456789012-{}/k", i % 4),
            ..Query::default()
        })
        .collect();
    let (t, cpu) = (Instant::now(), cpu_ns());
    let allowed = queries
        .iter()
        .filter(|q| {
            matches!(
                world.access(q).map(|a| a.decision),
                Ok(iamspec_model::Decision::Allow)
            )
        })
        .count();
    println!(
        "1000 access decisions ({allowed} allowed): {:?} wall, {:.1} ms CPU",
        t.elapsed(),
        (cpu_ns() - cpu) as f64 / 1e6
    );
    let catalogue = iamspec_corpus::Catalogue::embedded();
    for principal in principals.iter().take(3) {
        let (t, cpu) = (Instant::now(), cpu_ns());
        let services = world
            .permissions(principal, &[], catalogue)
            .map(|p| p.services.len());
        println!(
            "permissions {principal}: {services:?} services, {:?} wall, {:.1} ms CPU",
            t.elapsed(),
            (cpu_ns() - cpu) as f64 / 1e6
        );
    }
}

/// Nanoseconds this thread spent on a CPU (`/proc/self/schedstat`; 0 where absent).
fn cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}
