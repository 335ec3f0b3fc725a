//! Snapshots of `lint`'s three outputs (text, JSON, SARIF) and of `summary` for the example
//! policies in `lint-examples/`. The kind comes from the file name's first word.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::{lint, render_json, render_text};
use iamspec_corpus::sarif::sarif;
use iamspec_corpus::summary::{render_text as summary_text, summarize};
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;
use std::path::PathBuf;

/// `(stem, name as shown, kind, text)` for every example, by name.
pub fn examples() -> Vec<(String, String, PolicyKind, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/lint-examples");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let kind: PolicyKind = stem.split('-').next().unwrap().parse().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        out.push((
            stem.clone(),
            format!("lint-examples/{stem}.json"),
            kind,
            text,
        ));
    }
    out.sort();
    assert!(out.len() >= 5);
    out
}

#[test]
fn text_json_and_sarif() {
    let catalogue = Catalogue::embedded();
    for (stem, name, kind, text) in examples() {
        let report = lint(&text, kind, catalogue);
        insta::assert_snapshot!(format!("{stem}-text"), render_text(&name, &report));
        insta::assert_snapshot!(
            format!("{stem}-json"),
            serde_json::to_string_pretty(&render_json(&name, &report)).unwrap()
        );
        insta::assert_snapshot!(
            format!("{stem}-sarif"),
            serde_json::to_string_pretty(&sarif(&[(&name, &report)])).unwrap()
        );
    }
}

#[test]
fn summaries() {
    let catalogue = Catalogue::embedded();
    for (stem, _, kind, text) in examples() {
        if kind == PolicyKind::Trust {
            continue;
        }
        let report = lint(&text, kind, catalogue);
        let policy = report.policy.unwrap();
        insta::assert_snapshot!(
            format!("{stem}-summary"),
            summary_text(&summarize(&policy, catalogue))
        );
    }
}
