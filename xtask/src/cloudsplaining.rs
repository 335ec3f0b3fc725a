//! `cargo xtask cloudsplaining DIR...`: cloudsplaining beside `iamspec escalation` on the
//! synthetic accounts of `cargo xtask reach-gen` (each DIR holds its `gaad.json`,
//! `snapshot.json` and `truth.json`).
//!
//! cloudsplaining (BSD-3-Clause) is installed with pip into a virtual environment *outside* the
//! repository (`$IAMSPEC_CLOUDSPLAINING_DIR`, or `~/.cache/iamspec-cloudsplaining`) and run from
//! there; nothing of it enters the repository. `cloudsplaining scan --input-file GAAD` runs
//! offline. A principal counts as flagged when one of its policies (inline, customer or AWS
//! managed) has a `PrivilegeEscalation` finding; both modes are run: the default, which flags
//! only grants without resource constraints, and `--flag-all-risky-actions`.
//!
//! PMapper is `cargo xtask pmapper` (offline, its IAM calls answered by moto in-process).

use crate::peer_env::{self, run_ok};
use iamspec_reach::{escalation, Graph, Limits, Verdict};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const VERSION: &str = "0.9.1";

#[derive(clap::Args)]
pub struct Args {
    /// reach-gen output directories.
    #[arg(required = true)]
    dirs: Vec<PathBuf>,
}

fn venv() -> PathBuf {
    peer_env::venv("IAMSPEC_CLOUDSPLAINING_DIR", "iamspec-cloudsplaining")
}

/// The cloudsplaining executable, installed first when missing.
fn install() -> Result<PathBuf, String> {
    let dir = venv();
    let exe = dir.join("bin").join("cloudsplaining");
    if exe.exists() {
        return Ok(exe);
    }
    eprintln!(
        "installing cloudsplaining {VERSION} into {} (outside the repository)",
        dir.display()
    );
    run_ok(Command::new("python3").arg("-m").arg("venv").arg(&dir))?;
    run_ok(
        Command::new(dir.join("bin").join("pip"))
            .args(["install", "--quiet"])
            .arg(format!("cloudsplaining=={VERSION}")),
    )?;
    Ok(exe)
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The principals cloudsplaining's results flag with a privilege-escalation finding.
fn flagged(results: &Value) -> BTreeSet<String> {
    let escalates = |id: &str| {
        [
            "inline_policies",
            "customer_managed_policies",
            "aws_managed_policies",
        ]
        .iter()
        .filter_map(|k| results.get(k).and_then(|m| m.get(id)))
        .any(|p| {
            p.get("PrivilegeEscalation")
                .and_then(|e| e.get("findings"))
                .and_then(Value::as_array)
                .is_some_and(|f| !f.is_empty())
        })
    };
    let mut out = BTreeSet::new();
    for kind in ["users", "roles"] {
        let Some(Value::Object(principals)) = results.get(kind) else {
            continue;
        };
        for p in principals.values() {
            let ids = [
                "inline_policies",
                "customer_managed_policies",
                "aws_managed_policies",
            ]
            .iter()
            .filter_map(|k| p.get(k).and_then(Value::as_object))
            .flat_map(|m| m.keys());
            let mut ids = ids;
            if ids.any(|id| escalates(id)) {
                if let Some(arn) = p.get("arn").and_then(Value::as_str) {
                    out.insert(arn.to_owned());
                }
            }
        }
    }
    out
}

fn score(name: &str, found: &BTreeSet<String>, truth: &BTreeSet<String>, secs: f64) -> String {
    format!(
        "| {name} | {secs:.2} s | {} | {} | {} |",
        found.intersection(truth).count(),
        found.difference(truth).count(),
        truth.difference(found).count()
    )
}

pub fn run(args: &Args) -> Result<(), String> {
    let exe = install()?;
    println!("| account | tool | time | planted found | false positives | missed |");
    println!("|---|---|---|---|---|---|");
    for dir in &args.dirs {
        let truth: BTreeSet<String> = read_json(&dir.join("truth.json"))?
            .get("escalates")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let gaad = dir.join("gaad.json");
        let label = dir.display().to_string();
        for (mode, extra) in [
            ("cloudsplaining", None),
            (
                "cloudsplaining --flag-all-risky-actions",
                Some("--flag-all-risky-actions"),
            ),
        ] {
            let out = dir.join(if extra.is_some() {
                "cloudsplaining-all"
            } else {
                "cloudsplaining"
            });
            std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
            let t = Instant::now();
            let mut cmd = Command::new(&exe);
            cmd.args(["scan", "--skip-open-report", "--input-file"])
                .arg(&gaad)
                .arg("--output")
                .arg(&out)
                .args(extra)
                .stdout(std::process::Stdio::null());
            run_ok(&mut cmd)?;
            let secs = t.elapsed().as_secs_f64();
            let results = read_json(&out.join("iam-results-gaad.json"))?;
            println!(
                "| {label} {}",
                score(mode, &flagged(&results), &truth, secs)
            );
        }
        let t = Instant::now();
        let world = iamspec_world::snapshot::load(dir).map_err(|e| e.to_string())?;
        let graph = Graph::build(&world);
        let records = escalation(&world, &graph, None, Limits::default());
        let secs = t.elapsed().as_secs_f64();
        let found: BTreeSet<String> = records
            .iter()
            .filter(|r| r.verdict != Verdict::No && r.min_steps.is_some_and(|s| s > 0))
            .map(|r| r.principal.clone())
            .collect();
        println!(
            "| {label} {}",
            score(
                "iamspec escalation (load + graph + query)",
                &found,
                &truth,
                secs
            )
        );
    }
    Ok(())
}
