//! Every AWS managed policy validates as an identity policy with zero errors: AWS accepts each
//! of them by definition, so an error here is a bug in our validation.
//!
//! No exceptions: 83 of them are larger than the 6,144 characters of a *customer* managed
//! policy (`AWSSupportServiceRolePolicy` has 152,297), which is why an identity document over that
//! size is a warning (`quota-managed-policy-size`, D8), not an error.
//!
//! The corpus lives outside the repository (`../shared/data/aws-managed-policies.json`, or
//! `$IAMSPEC_SHARED/data/...`); without it the test says so and passes. Run with `--nocapture`
//! to see the warning counts by code.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use iamspec_model::json::Json;
use iamspec_model::policy::{check, PolicyKind, Severity};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn corpus_file() -> Option<PathBuf> {
    let shared = match std::env::var_os("IAMSPEC_SHARED") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"),
    };
    let file = shared.join("data/aws-managed-policies.json");
    file.is_file().then_some(file)
}

#[test]
fn every_managed_policy_is_a_valid_identity_policy() {
    let Some(file) = corpus_file() else {
        eprintln_uncaptured(format_args!(
            "skipped: no aws-managed-policies.json (set IAMSPEC_SHARED to the shared folder)"
        ));
        return;
    };
    let text = std::fs::read_to_string(&file).unwrap();
    // Our own JSON reader, not serde_json's map: duplicate keys in a document must be seen.
    let corpus = Json::parse(&text).unwrap();
    let Json::Array(entries) = &corpus else {
        panic!("{}: expected an array of policies", file.display());
    };
    let mut warnings: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut policies_with_warnings = 0;
    let mut failures = Vec::new();
    for entry in entries {
        let name = entry.get("name").and_then(Json::as_str).unwrap();
        let document = entry
            .get("document")
            .unwrap_or_else(|| panic!("{name}: no document"));
        let (policy, findings) = check(document, PolicyKind::Identity, None);
        let mut warned = false;
        for finding in &findings {
            match finding.severity {
                Severity::Error => failures.push(format!("{name}: {finding}")),
                Severity::Warning => {
                    *warnings.entry(finding.code).or_default() += 1;
                    warned = true;
                }
            }
        }
        policies_with_warnings += usize::from(warned);
        assert!(
            policy.is_some() || findings.iter().any(|f| f.severity == Severity::Error),
            "{name}: neither parsed nor rejected"
        );
    }
    println!(
        "{} managed policies checked as identity policies: {} errors; {policies_with_warnings} with warnings",
        entries.len(),
        failures.len()
    );
    for (code, count) in &warnings {
        println!("  warning {code}: {count}");
    }
    assert!(entries.len() >= 1_600, "only {} policies", entries.len());
    assert!(
        failures.is_empty(),
        "{} errors in policies AWS accepts:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A skip must show in `cargo test`'s output, and libtest captures `println!`/`eprintln!` of
/// passing tests: this writes to the process's standard error directly, which it does not.
fn eprintln_uncaptured(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}
