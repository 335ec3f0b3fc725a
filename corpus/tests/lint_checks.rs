//! Every check is documented in `docs/lint-checks.md`, and every example there triggers its
//! check with the documented severity; the size-quota checks, whose examples would be thousands
//! of characters long, get policies built here.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::lint::{lint, lint_with, LintOptions, Origin, CHECKS};
use iamspec_corpus::Catalogue;
use iamspec_model::PolicyKind;
use std::collections::BTreeMap;

/// The documentation's sections: id → (severity word, kind, example) when there is an example.
struct Section {
    severity: String,
    example: Option<(PolicyKind, String, Option<String>)>,
}

fn sections() -> BTreeMap<String, Section> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/lint-checks.md");
    let text = std::fs::read_to_string(path).unwrap();
    let mut out = BTreeMap::new();
    let mut lines = text.lines().peekable();
    let mut current: Option<(String, Section)> = None;
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("### `") {
            if let Some((id, section)) = current.take() {
                assert!(out.insert(id.clone(), section).is_none(), "`{id}` twice");
            }
            let id = rest.trim_end_matches('`').to_owned();
            let meta = lines.next().unwrap();
            let severity = meta
                .strip_prefix("**")
                .and_then(|m| m.split_once("**"))
                .map(|(s, _)| s.to_owned())
                .unwrap_or_else(|| panic!("`{id}`: no severity line"));
            current = Some((
                id,
                Section {
                    severity,
                    example: None,
                },
            ));
        } else if let Some(info) = line.strip_prefix("```json") {
            // `kind=KIND` and `resource=ARN` (the attached resource), in any order.
            let mut kind = PolicyKind::Identity;
            let mut resource = None;
            for word in info.split_whitespace() {
                if let Some(k) = word.strip_prefix("kind=") {
                    kind = k.parse().unwrap();
                } else if let Some(arn) = word.strip_prefix("resource=") {
                    resource = Some(arn.to_owned());
                }
            }
            let mut body = String::new();
            for line in lines.by_ref() {
                if line == "```" {
                    break;
                }
                body.push_str(line);
                body.push('\n');
            }
            if let Some((_, section)) = current.as_mut() {
                if section.example.is_none() {
                    section.example = Some((kind, body, resource));
                }
            }
        }
    }
    if let Some((id, section)) = current {
        out.insert(id, section);
    }
    out
}

#[test]
fn every_check_has_one_section_and_every_section_a_check() {
    let sections = sections();
    for check in CHECKS {
        let section = sections
            .get(check.id)
            .unwrap_or_else(|| panic!("`{}` is not documented", check.id));
        assert_eq!(section.severity, check.severity.as_str(), "`{}`", check.id);
    }
    for id in sections.keys() {
        assert!(
            CHECKS.iter().any(|c| c.id == id),
            "`{id}` is documented but not a check"
        );
    }
    let own = CHECKS.iter().filter(|c| c.origin == Origin::Lint).count();
    assert!(own >= 40, "{own} lint checks");
}

#[test]
fn the_readme_counts_the_checks() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    let readme = std::fs::read_to_string(path).unwrap();
    let own = CHECKS.iter().filter(|c| c.origin == Origin::Lint).count();
    let validation = CHECKS.len() - own;
    let said = format!("({own} checks besides validation's {validation},");
    assert!(readme.contains(&said), "README.md should say `{said}`");
}

#[test]
fn every_example_triggers_its_check() {
    let catalogue = Catalogue::embedded();
    let mut checked = 0;
    for (id, section) in sections() {
        let Some((kind, example, resource)) = section.example else {
            continue;
        };
        let report = lint_with(&example, kind, catalogue, &LintOptions { resource });
        let finding = report
            .findings
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| {
                panic!(
                    "the example of `{id}` does not trigger it; it gives:\n{}",
                    report
                        .findings
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n")
                )
            });
        assert_eq!(
            finding.severity.as_str(),
            section.severity,
            "`{id}`: {finding}"
        );
        assert!(finding.position.is_some(), "`{id}`: no position");
        checked += 1;
    }
    assert!(checked >= 90, "{checked} examples");
}

/// An identity policy of about `size` characters without whitespace.
fn identity_policy_of(size: usize) -> String {
    let mut actions = Vec::new();
    let mut text = String::new();
    while text.len() < size {
        actions.push(format!("\"s3:GetObject{:04}\"", actions.len()));
        text = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":[{}],"Resource":"*"}}]}}"#,
            actions.join(",")
        );
    }
    text
}

#[test]
fn size_quotas() {
    let catalogue = Catalogue::embedded();
    let ids = |text: &str, kind| -> Vec<&'static str> {
        lint(text, kind, catalogue)
            .findings
            .iter()
            .map(|f| f.id)
            .collect()
    };
    let over = identity_policy_of(6_200);
    assert!(ids(&over, PolicyKind::Identity).contains(&"quota-managed-policy-size"));
    assert!(!ids(&over, PolicyKind::Identity).contains(&"quota-policy-size"));
    let near = identity_policy_of(5_800);
    let near_ids = ids(&near, PolicyKind::Identity);
    assert!(near_ids.contains(&"policy-size-near-quota"));
    assert!(!near_ids.contains(&"quota-policy-size"));
    let small = identity_policy_of(1_000);
    assert!(!ids(&small, PolicyKind::Identity).contains(&"policy-size-near-quota"));
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":[{}]}},"Action":"sts:AssumeRole"}}]}}"#,
        (0..80)
            .map(|i| format!("\"arn:aws:iam::111122223333:role/r{i:03}\""))
            .collect::<Vec<_>>()
            .join(",")
    );
    assert!(ids(&trust, PolicyKind::Trust).contains(&"quota-trust-policy-size"));
}
