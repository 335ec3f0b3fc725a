//! The SARIF output validates against the OASIS SARIF 2.1.0 schema (vendored in `sarif/`, see
//! its NOTICE), for each example policy alone and for all of them in one log; and the validator
//! does reject what the schema forbids.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::{lint, LintReport};
use iamspec_corpus::sarif::sarif;
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;

fn validator() -> jsonschema::Validator {
    let text = include_str!("sarif/sarif-schema-2.1.0.json");
    let schema: serde_json::Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        schema["$schema"], "http://json-schema.org/draft-04/schema#",
        "the OASIS schema is draft-04"
    );
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn errors(validator: &jsonschema::Validator, log: &serde_json::Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

fn examples() -> Vec<(String, LintReport)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/lint-examples");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let kind: PolicyKind = stem.split('-').next().unwrap().parse().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        out.push((
            format!("policies/{stem} copy.json"),
            lint(&text, kind, Catalogue::embedded()),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn sarif_output_validates_against_the_schema() {
    let validator = validator();
    let reports = examples();
    let mut results = 0;
    for (name, report) in &reports {
        let log = sarif(&[(name, report)]);
        assert_eq!(errors(&validator, &log), Vec::<String>::new(), "{name}");
        results += log["runs"][0]["results"].as_array().unwrap().len();
    }
    assert!(results > 20, "{results} results");
    let all: Vec<(&str, &LintReport)> = reports.iter().map(|(n, r)| (n.as_str(), r)).collect();
    let log = sarif(&all);
    assert_eq!(errors(&validator, &log), Vec::<String>::new());
    // What code scanning needs: each result names a rule of the driver and a located artifact.
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .starts_with("policies/"));
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    // A log with no finding is valid too.
    let clean = lint(
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}"#,
        PolicyKind::Identity,
        Catalogue::embedded(),
    );
    assert!(clean.findings.is_empty());
    assert_eq!(
        errors(&validator, &sarif(&[("clean.json", &clean)])),
        Vec::<String>::new()
    );
}

#[test]
fn the_validator_rejects_what_the_schema_forbids() {
    let validator = validator();
    let (name, report) = examples().into_iter().next().unwrap();
    let good = sarif(&[(&name, &report)]);
    let mut bad_level = good.clone();
    bad_level["runs"][0]["results"][0]["level"] = "severe".into();
    assert!(!errors(&validator, &bad_level).is_empty());
    let mut bad_version = good.clone();
    bad_version["version"] = "2.0.0".into();
    assert!(!errors(&validator, &bad_version).is_empty());
    let mut bad_line = good.clone();
    bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!errors(&validator, &bad_line).is_empty());
    let mut unknown = good;
    unknown["runs"][0]["tool"]["driver"]["severity"] = "high".into();
    assert!(!errors(&validator, &unknown).is_empty());
}
