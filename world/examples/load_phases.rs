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
}
