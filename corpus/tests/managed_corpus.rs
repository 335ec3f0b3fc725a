//! The AWS managed-policy corpus, read from `../shared/data` when it is there (skipped, with a
//! message, when not), and the corpus-wide check of action expansion (SEMANTICS.md §2.1, D10).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use iamspec_corpus::{shared_data_dir, Catalogue, ManagedPolicy};
use std::collections::{BTreeMap, BTreeSet};

fn corpus() -> Option<Vec<ManagedPolicy>> {
    let policies = ManagedPolicy::load_shared().expect("the managed-policy corpus reads");
    if policies.is_none() {
        eprintln_uncaptured(format_args!(
            "{}: skipped: no managed-policy corpus in {}",
            module_path!(),
            shared_data_dir().display()
        ));
    }
    policies
}

/// Every `Action` and `NotAction` entry of every statement, with how often it occurs.
fn action_patterns(policies: &[ManagedPolicy]) -> BTreeMap<String, usize> {
    let mut patterns = BTreeMap::new();
    for policy in policies {
        let statements = match &policy.document["Statement"] {
            serde_json::Value::Array(list) => list.clone(),
            single => vec![single.clone()],
        };
        for statement in &statements {
            for element in ["Action", "NotAction"] {
                let values = match statement.get(element) {
                    Some(serde_json::Value::Array(list)) => list.clone(),
                    Some(single) => vec![single.clone()],
                    None => continue,
                };
                for value in values {
                    let text = value.as_str().unwrap_or_else(|| {
                        panic!("{}: `{element}` holds a non-string {value}", policy.name)
                    });
                    *patterns.entry(text.to_owned()).or_insert(0) += 1;
                }
            }
        }
    }
    patterns
}

#[test]
fn corpus_loads() {
    let Some(policies) = corpus() else { return };
    assert_eq!(policies.len(), 1_643);
    let names: BTreeSet<&str> = policies.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names.len(), policies.len(), "names are unique");
    let admin = policies
        .iter()
        .find(|p| p.name == "AdministratorAccess")
        .unwrap();
    assert_eq!(
        admin.arn.as_deref(),
        Some("arn:aws:iam::aws:policy/AdministratorAccess")
    );
    assert_eq!(admin.document["Statement"][0]["Action"], "*");
    let with_arn: Vec<&str> = policies.iter().filter_map(|p| p.arn.as_deref()).collect();
    assert!(with_arn
        .iter()
        .all(|arn| arn.starts_with("arn:aws:iam::aws:policy/")));
    println!(
        "{} of {} policies have an ARN",
        with_arn.len(),
        policies.len()
    );
    assert!(policies.iter().all(|p| p.version.starts_with('v')));
    assert!(policies
        .iter()
        .all(|p| p.document.get("Statement").is_some()));
    let deprecated = policies.iter().filter(|p| p.deprecated).count();
    println!(
        "{} managed policies, {deprecated} deprecated",
        policies.len()
    );
    assert!(deprecated > 0 && deprecated < policies.len());
}

#[test]
fn from_json_and_errors() {
    let text = r#"[{"name":"P","arn":"arn:aws:iam::aws:policy/P","version":"v1","deprecated":false,
        "document":{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}}]"#;
    let policies = ManagedPolicy::from_json(text).unwrap();
    assert_eq!(policies.len(), 1);
    assert_eq!(policies[0].update_date, None);
    assert_eq!(
        action_patterns(&policies).into_keys().collect::<Vec<_>>(),
        ["s3:*"]
    );
    let error = ManagedPolicy::from_json("{}").unwrap_err();
    assert!(error
        .to_string()
        .starts_with("`<text>` is not a list of managed policies"));
    let missing = std::path::Path::new("/nonexistent/aws-managed-policies.json");
    assert!(ManagedPolicy::load(missing)
        .unwrap_err()
        .to_string()
        .starts_with("cannot read `/nonexistent/aws-managed-policies.json`"));
}

/// A glob written the plainest way: `*` any run, `?` one character, the rest literal; by
/// backtracking to the last `*`. Independent of `iamspec_model::pattern`.
fn naive_glob(pattern: &[char], subject: &[char]) -> bool {
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < subject.len() {
        if p < pattern.len() && (pattern[p] == '?' || pattern[p] == subject[s]) {
            p += 1;
            s += 1;
        } else if p < pattern.len() && pattern[p] == '*' {
            star = Some((p, s));
            p += 1;
        } else if let Some((star_p, star_s)) = star {
            p = star_p + 1;
            s = star_s + 1;
            star = Some((star_p, star_s + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[test]
fn naive_glob_examples() {
    let m = |p: &str, s: &str| {
        naive_glob(
            &p.chars().collect::<Vec<_>>(),
            &s.chars().collect::<Vec<_>>(),
        )
    };
    assert!(m("*", ""));
    assert!(m("s3:get*", "s3:getobject"));
    assert!(m("iam:*accesskey*", "iam:listaccesskeys"));
    assert!(m("ec2:describe?pcs", "ec2:describevpcs"));
    assert!(!m("ec2:describe?pcs", "ec2:describepcs"));
    assert!(m("a*b*c", "aXbYbZc"));
    assert!(!m("a*b", "aXbY"));
    assert!(!m("s3:get", "s3:getobject"));
}

/// For every action pattern in every managed policy, [`Catalogue::expand`] gives exactly what a
/// naive scan of `iam-catalogue.json`'s action list gives. Patterns that match no action are
/// counted and printed: they are findings for validation, not failures.
#[test]
fn s2_1_corpus_wide_expansion_agrees_with_naive_scan() {
    let Some(policies) = corpus() else { return };
    let path = shared_data_dir().join("iam-catalogue.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln_uncaptured(format_args!(
            "{}: skipped: {} not found",
            module_path!(),
            path.display()
        ));
        return;
    };
    let shared: serde_json::Value = serde_json::from_str(&text).unwrap();
    // `service:Action` as spelled in the shared file, and its lowercase form as chars.
    let mut all: Vec<(String, Vec<char>)> = Vec::new();
    for (prefix, service) in shared["services"].as_object().unwrap() {
        for name in service["actions"].as_object().unwrap().keys() {
            let qualified = format!("{prefix}:{name}");
            let lower = qualified.to_lowercase().chars().collect();
            all.push((qualified, lower));
        }
    }
    assert_eq!(all.len(), 22_091);

    let catalogue = Catalogue::embedded();
    let patterns = action_patterns(&policies);
    let occurrences: usize = patterns.values().sum();
    let mut empty: Vec<(&str, usize)> = Vec::new();
    let mut expanded_total = 0;
    for (pattern, &count) in &patterns {
        let lower: Vec<char> = pattern.to_lowercase().chars().collect();
        let mut naive: Vec<&str> = all
            .iter()
            .filter(|(_, subject)| naive_glob(&lower, subject))
            .map(|(qualified, _)| qualified.as_str())
            .collect();
        naive.sort_unstable();
        let mut ours: Vec<String> = catalogue
            .expand(pattern)
            .iter()
            .map(ToString::to_string)
            .collect();
        ours.sort_unstable();
        assert_eq!(ours, naive, "pattern `{pattern}`");
        expanded_total += ours.len();
        if ours.is_empty() {
            empty.push((pattern, count));
        }
    }
    let empty_occurrences: usize = empty.iter().map(|(_, count)| count).sum();
    println!(
        "{} policies, {occurrences} action pattern occurrences, {} distinct patterns, \
         {expanded_total} actions in all expansions",
        policies.len(),
        patterns.len()
    );
    println!(
        "{} distinct patterns ({empty_occurrences} occurrences) match no catalogue action, e.g.:",
        empty.len()
    );
    for (pattern, count) in empty.iter().take(15) {
        println!("  {pattern} ({count}x)");
    }
}

/// A skip must show in `cargo test`'s output, and libtest captures `println!`/`eprintln!` of
/// passing tests: this writes to the process's standard error directly, which it does not.
fn eprintln_uncaptured(message: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{message}");
}
