//! Every AWS managed policy lints with zero errors (read from `../shared` when it is there,
//! skipped with a message otherwise), apart from the size quotas AWS does not hold its own
//! policies to (`lint::NOT_FOR_AWS_MANAGED`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::{lint_json, LintSeverity, NOT_FOR_AWS_MANAGED};
use iamspec_corpus::summary::summarize;
use iamspec_corpus::{shared_data_dir, Catalogue, ManagedPolicy};
use iamspec_model::json::Json;
use iamspec_model::PolicyKind;

#[test]
fn every_managed_policy_lints_without_errors() {
    let Some(policies) = ManagedPolicy::load_shared().unwrap() else {
        eprintln_uncaptured(format_args!(
            "{}: skipped: no managed-policy corpus in {}",
            module_path!(),
            shared_data_dir().display()
        ));
        return;
    };
    let catalogue = Catalogue::embedded();
    // Two threads: the machine has two cores.
    let (first, second) = policies.split_at(policies.len() / 2);
    let results: Vec<(String, Vec<String>, usize, usize)> = std::thread::scope(|scope| {
        let work = move |part: &[ManagedPolicy]| {
            part.iter()
                .map(|policy| {
                    let json = Json::from(&policy.document);
                    let report = lint_json(&json, None, PolicyKind::Identity, catalogue);
                    let errors: Vec<String> = report
                        .findings
                        .iter()
                        .filter(|f| f.severity == LintSeverity::Error)
                        .filter(|f| !NOT_FOR_AWS_MANAGED.contains(&f.id))
                        .map(ToString::to_string)
                        .collect();
                    let services = report
                        .policy
                        .as_ref()
                        .map_or(0, |p| summarize(p, catalogue).allow.len());
                    (policy.name.clone(), errors, report.findings.len(), services)
                })
                .collect::<Vec<_>>()
        };
        let a = scope.spawn(move || work(first));
        let mut out = work(second);
        let mut head = a.join().unwrap();
        head.append(&mut out);
        head
    });
    let failing: Vec<String> = results
        .iter()
        .filter(|(_, errors, _, _)| !errors.is_empty())
        .map(|(name, errors, _, _)| format!("{name}: {}", errors.join("; ")))
        .collect();
    let findings: usize = results.iter().map(|r| r.2).sum();
    let summarized = results.iter().filter(|r| r.3 > 0).count();
    println!(
        "{} managed policies linted: {findings} findings, {} with errors; {summarized} summaries with an Allow section",
        results.len(),
        failing.len()
    );
    assert_eq!(results.len(), 1_643);
    assert!(summarized > 1_500, "{summarized}");
    assert!(failing.is_empty(), "{}", failing.join("\n"));
}

/// A skip must show in `cargo test`'s output, and libtest captures `println!`/`eprintln!` of
/// passing tests: this writes to the process's standard error directly, which it does not.
fn eprintln_uncaptured(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}
