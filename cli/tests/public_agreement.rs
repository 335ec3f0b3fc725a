//! Issue 16: `iamspec reach` and `iamspec check no-public-access` agree on the same resource
//! policy. A policy is public (no-public-access exits 1) exactly when `reach` finds an outsider
//! group (anonymous callers, or principals of an account the policy does not name) whose witness
//! does not carry a value of a trusted key (organization, VPC, endpoint, source) that the policy
//! names: D86, Access Analyzer's notion — an outsider can create its own organization, VPC or
//! endpoint, but cannot take a named one
//! (https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-findings.html;
//! the condition keys it reads:
//! https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-filter-keys.html).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use serde_json::Value;
use std::path::Path;

const TRUSTED: [&str; 5] = [
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceAccount",
];

/// A bucket policy granting `s3:GetObject` to `principal` under `condition`.
fn bucket_policy(principal: &str, condition: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*","Condition":{condition}}}]}}"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// Does `reach` show an outsider group reaching without a named trusted value?
fn reach_says_public(path: &str, policy: &str) -> bool {
    let run = common::iamspec(&[
        "reach",
        path,
        "--kind",
        "resource",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
        "--resource-account",
        "111122223333",
        "--json",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let answer: Value = serde_json::from_str(&run.stdout).unwrap();
    let groups = answer[0]["reach"].as_array().expect("groups");
    groups.iter().any(|group| {
        let who = group["principals"].as_str().unwrap_or("");
        let outsider = who == "anonymous" || who == "any principal of any other account";
        let context = &group["case"]["request"]["context"];
        let pinned = TRUSTED.iter().any(|key| {
            let values: Vec<String> = match &context[*key] {
                Value::String(s) => vec![s.clone()],
                Value::Array(items) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            };
            // A value the policy names (or that starts with a named org path).
            values.iter().any(|v| {
                policy.contains(&format!("\"{v}\""))
                    || v.split('/')
                        .next()
                        .is_some_and(|org| org.len() > 2 && policy.contains(&format!("{org}/")))
            })
        });
        outsider && !pinned
    })
}

fn no_public_access(path: &str) -> i32 {
    let run = common::iamspec(&["check", "no-public-access", path, "--kind", "resource"]);
    assert!(matches!(run.code, 0 | 1), "{}", run.transcript());
    run.code
}

#[test]
fn reach_and_no_public_access_agree() {
    let dir = std::env::temp_dir().join(format!("iamspec-public-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // (name, principal, condition, public?)
    let cases = [
        ("everyone", r#""*""#, "{}", true),
        (
            "named-org",
            r#""*""#,
            r#"{"StringEquals":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}"#,
            false,
        ),
        (
            "any-org",
            r#""*""#,
            r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
            true,
        ),
        (
            "org-present",
            r#""*""#,
            r#"{"Null":{"aws:PrincipalOrgID":"false"}}"#,
            true,
        ),
        (
            "named-org-path",
            r#""*""#,
            r#"{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-a1b2c3d4e5/*"}}"#,
            false,
        ),
        (
            "named-endpoint",
            r#""*""#,
            r#"{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d"}}"#,
            false,
        ),
        (
            "any-vpc",
            r#""*""#,
            r#"{"StringLike":{"aws:SourceVpc":"vpc-*"}}"#,
            true,
        ),
        (
            "named-account",
            r#"{"AWS":"arn:aws:iam::444455556666:root"}"#,
            "{}",
            false,
        ),
    ];
    for (name, principal, condition, public) in cases {
        let policy = bucket_policy(principal, condition);
        let path = write(&dir, name, &policy);
        let check = no_public_access(&path);
        let reach = reach_says_public(&path, &policy);
        assert_eq!(check == 1, public, "{name}: no-public-access exit {check}");
        assert_eq!(reach, public, "{name}: reach disagrees ({policy})");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `check no-public-access` reads its policy as a resource-based policy unless `--kind trust`
/// says otherwise (issue 14): without `--kind`, a public bucket policy is public, not an
/// identity policy refused for naming a `Principal`.
#[test]
fn no_public_access_reads_a_resource_policy_by_default() {
    let dir = std::env::temp_dir().join(format!("iamspec-public-kind-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let public = write(
        &dir,
        "public",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#,
    );
    let private = write(
        &dir,
        "private",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#,
    );
    let run = common::iamspec(&["check", "no-public-access", &public]);
    assert_eq!(run.code, 1, "{}", run.transcript());
    let run = common::iamspec(&["check", "no-public-access", &private]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let run = common::iamspec(&["check", "no-public-access", &public, "--timeout", "0"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stderr.contains("--timeout 0"), "{}", run.transcript());
    std::fs::remove_dir_all(&dir).ok();
}
