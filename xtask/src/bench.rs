//! `cargo xtask bench-report`: the figures of BENCHMARKS.md in one go. Runs the `report` and
//! `compile_corpus` examples of `iamspec-benches` (and, with `--criterion`, `cargo bench` on
//! that crate first), then condenses criterion's saved estimates into one table, and writes it all
//! to `target/bench-report.md`.

use crate::repo_root;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

#[derive(clap::Args)]
pub struct Args {
    /// Run `cargo bench -p iamspec-benches` first (a few minutes).
    #[arg(long)]
    criterion: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("cannot run `{command}`: {source}")]
    Spawn {
        command: String,
        source: std::io::Error,
    },
    #[error("`{command}` failed ({status})")]
    Failed { command: String, status: String },
    #[error("cannot write `{}`: {source}", path.display())]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub fn run(args: &Args) -> Result<(), BenchError> {
    let root = repo_root();
    let mut report = String::from("# Benchmark report\n\n");
    if args.criterion {
        cargo(
            &root,
            &["bench", "-p", "iamspec-benches", "--", "--noplot"],
            false,
        )?;
    }
    for example in ["compile_corpus", "report"] {
        let output = cargo(
            &root,
            &[
                "run",
                "--release",
                "-q",
                "-p",
                "iamspec-benches",
                "--example",
                example,
            ],
            true,
        )?;
        let _ = writeln!(report, "## `{example}`\n\n{output}");
    }
    let target = target_dir(&root);
    let table = criterion_table(&target.join("criterion"));
    if table.is_empty() {
        report.push_str("## criterion\n\nNo saved criterion estimates (run with `--criterion`).\n");
    } else {
        let _ = writeln!(report, "## criterion (median per iteration)\n\n{table}");
    }
    print!("{report}");
    let path = target.join("bench-report.md");
    std::fs::write(&path, &report).map_err(|source| BenchError::Write {
        path: path.clone(),
        source,
    })?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// Runs cargo in `root`; returns its standard output when `capture`, else lets it through.
fn cargo(root: &Path, args: &[&str], capture: bool) -> Result<String, BenchError> {
    let command = format!("cargo {}", args.join(" "));
    let mut cmd = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cmd.args(args).current_dir(root);
    let (status, stdout) = if capture {
        // Standard error goes straight through, so that a long run's progress shows as it comes.
        let output = cmd
            .stderr(std::process::Stdio::inherit())
            .output()
            .map_err(|source| BenchError::Spawn {
                command: command.clone(),
                source,
            })?;
        (
            output.status,
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    } else {
        let status = cmd.status().map_err(|source| BenchError::Spawn {
            command: command.clone(),
            source,
        })?;
        (status, String::new())
    };
    if !status.success() {
        return Err(BenchError::Failed {
            command,
            status: status.to_string(),
        });
    }
    Ok(stdout)
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

/// One row per benchmark under `dir` (criterion's `<group>/<bench>/new/estimates.json`): the
/// median time per iteration and, where the benchmark declared a number of elements, per element.
fn criterion_table(dir: &Path) -> String {
    let mut rows = Vec::new();
    collect(dir, dir, &mut rows);
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if rows.is_empty() {
        return String::new();
    }
    let mut table = String::from(
        "| benchmark | median per iteration | elements | per element | elements/s |\n\
         |---|---:|---:|---:|---:|\n",
    );
    for (name, nanos, elements) in rows {
        let per = |n: f64| {
            if n >= 1e6 {
                format!("{:.2} ms", n / 1e6)
            } else if n >= 1e3 {
                format!("{:.2} µs", n / 1e3)
            } else {
                format!("{n:.0} ns")
            }
        };
        match elements {
            Some(count) if count > 0 => {
                let each = nanos / count as f64;
                let _ = writeln!(
                    table,
                    "| {name} | {} | {count} | {} | {:.0} |",
                    per(nanos),
                    per(each),
                    1e9 / each
                );
            }
            _ => {
                let _ = writeln!(table, "| {name} | {} | | | |", per(nanos));
            }
        }
    }
    table
}

fn collect(root: &Path, dir: &Path, rows: &mut Vec<(String, f64, Option<u64>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !path.is_dir() {
            continue;
        }
        let new = path.join("new");
        if new.join("estimates.json").is_file() {
            if let Some(row) = row(root, &path, &new) {
                rows.push(row);
            }
        } else if path.file_name().is_some_and(|n| n != "report") {
            collect(root, &path, rows);
        }
    }
}

fn row(root: &Path, bench: &Path, new: &Path) -> Option<(String, f64, Option<u64>)> {
    let read = |file: &str| -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(new.join(file)).ok()?;
        serde_json::from_str(&text).ok()
    };
    let estimates = read("estimates.json")?;
    let nanos = estimates.get("median")?.get("point_estimate")?.as_f64()?;
    let elements = read("benchmark.json").and_then(|b| {
        b.get("throughput")?
            .get("Elements")
            .and_then(serde_json::Value::as_u64)
    });
    let name = bench
        .strip_prefix(root)
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    Some((name, nanos, elements))
}
