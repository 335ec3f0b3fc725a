//! A fixed amount of lint work for a profiler, and a dump of every finding to compare before and
//! after an optimization (issue 13). `WORKLOAD` is `corpus` (the AWS managed policies, compact, as
//! `benches/lint.rs` lints them) or `ten-thousand` (the bench's 10,000-statement policy); `MODE`
//! is `validate` or `lint`. One warm-up pass fills the process-wide tables, as criterion's loop
//! does, then `measured_pass` runs once:
//!
//! ```text
//! valgrind --tool=callgrind --toggle-collect='*measured_pass*' \
//!     target/release/examples/lint_profile corpus lint
//! ```
//!
//! `lint_profile WORKLOAD MODE PASSES` times `PASSES` passes after the warm-up and prints the
//! fastest and the median (wall time, for an A/B loop against another build).
//!
//! `lint_profile findings` prints every finding (id, severity, path, position, message) of the
//! corpus, compact and pretty-printed, and of the 10,000 statements, one a line.

use iamspec_corpus::catalogue::Catalogue;
use iamspec_corpus::lint::lint;
use iamspec_corpus::managed::ManagedPolicy;
use iamspec_model::json::Json;
use iamspec_model::policy::check;
use iamspec_model::PolicyKind;
use std::hint::black_box;
use std::process::ExitCode;

fn corpus(pretty: bool) -> Result<Vec<(String, String)>, String> {
    let managed = ManagedPolicy::load_shared()
        .map_err(|e| e.to_string())?
        .ok_or("no managed-policy corpus in ../shared/data")?;
    Ok(managed
        .iter()
        .map(|p| {
            let text = if pretty {
                serde_json::to_string_pretty(&p.document).unwrap_or_default()
            } else {
                p.document.to_string()
            };
            (p.name.clone(), text)
        })
        .collect())
}

fn pass(texts: &[String], lint_them: bool, catalogue: &Catalogue) -> usize {
    texts
        .iter()
        .map(|t| {
            if lint_them {
                lint(black_box(t), PolicyKind::Identity, catalogue)
                    .findings
                    .len()
            } else {
                Json::parse(black_box(t))
                    .ok()
                    .map_or(0, |json| check(&json, PolicyKind::Identity, None).1.len())
            }
        })
        .sum()
}

#[inline(never)]
fn measured_pass(texts: &[String], lint_them: bool, catalogue: &Catalogue) -> usize {
    pass(texts, lint_them, catalogue)
}

fn findings(catalogue: &Catalogue) -> Result<(), String> {
    let mut documents: Vec<(String, String)> = Vec::new();
    for (pretty, label) in [(false, "compact"), (true, "pretty")] {
        for (name, text) in corpus(pretty)? {
            documents.push((format!("{label} {name}"), text));
        }
    }
    documents.push((
        "ten-thousand".to_owned(),
        iamspec_benches::ten_thousand_statements(),
    ));
    for (name, text) in &documents {
        for f in lint(text, PolicyKind::Identity, catalogue).findings {
            let position = f
                .position
                .map_or_else(String::new, |p| format!("{}:{}", p.line, p.column));
            println!(
                "{name}\t{}\t{}\t{}\t{position}\t{}",
                f.id, f.severity, f.path, f.message
            );
        }
    }
    Ok(())
}

fn run(args: &[String]) -> Result<(), String> {
    let catalogue = Catalogue::embedded();
    match args {
        [what] if what == "findings" => findings(catalogue),
        [workload, mode, rest @ ..] if rest.len() <= 1 => {
            let texts: Vec<String> = match workload.as_str() {
                "corpus" => corpus(false)?.into_iter().map(|(_, t)| t).collect(),
                "ten-thousand" => vec![iamspec_benches::ten_thousand_statements()],
                other => return Err(format!("unknown workload `{other}`")),
            };
            let lint_them = match mode.as_str() {
                "lint" => true,
                "validate" => false,
                other => return Err(format!("unknown mode `{other}`")),
            };
            let warm = pass(&texts, lint_them, catalogue);
            if let [passes] = rest {
                let passes: usize = passes
                    .parse()
                    .map_err(|e| format!("passes `{passes}`: {e}"))?;
                let mut times: Vec<f64> = (0..passes.max(1))
                    .map(|_| {
                        let start = std::time::Instant::now();
                        black_box(pass(&texts, lint_them, catalogue));
                        start.elapsed().as_secs_f64() * 1e3
                    })
                    .collect();
                times.sort_by(f64::total_cmp);
                let median = times.get(times.len() / 2).copied().unwrap_or(0.0);
                let min = times.first().copied().unwrap_or(0.0);
                println!(
                    "{workload} {mode}: {passes} passes, min {min:.2} ms, median {median:.2} ms"
                );
                return Ok(());
            }
            let measured = measured_pass(&texts, lint_them, catalogue);
            println!("{workload} {mode}: {warm} / {measured} findings");
            Ok(())
        }
        _ => Err(
            "usage: lint_profile (corpus|ten-thousand) (validate|lint) [PASSES] | findings".into(),
        ),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("lint_profile: {e}");
            ExitCode::FAILURE
        }
    }
}
