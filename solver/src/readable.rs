//! Witness strings a person can act on (issue 10). A region's witness is a shortest string
//! (`arn:a:sso::a:application/`): right, but not a request anyone would write. Each region's
//! witness is rewritten step by step into the forms below, a step kept only where the
//! rewritten string stays in its region (`regex::regions_respelled`), so no decision changes:
//!
//! - the partition `aws` (else `aws-cn`, `aws-us-gov`) instead of a shortest name;
//! - a region code (`us-east-1`) where the region field holds other text, or is empty for a
//!   service all of whose ARNs name a region;
//! - a name (`example`) in an empty last segment (`application/`, `function:`, `prefix-`);
//! - for principals, `alice`, `app` and `session` for the user, role and session names.
//!
//! The domain has no other account fields (D87: 12 digits, `aws` or empty). What a region
//! cannot respell (`*` where the action has resource types, `aws` where the caller's account
//! would do, a resource in another partition than the caller's) `witness::plainer` rewrites
//! on the replayed request, a step kept only when every policy set decides it as before (D88).

use crate::symbolic::CallerKind;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The ARN's six fields (the resource part keeps its colons), or `None`.
fn fields(text: &str) -> Option<[&str; 6]> {
    let mut parts = text.splitn(6, ':');
    let out = [
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    ];
    (out[0] == "arn").then_some(out)
}

fn join(f: [&str; 6]) -> String {
    f.join(":")
}

/// The ARN with field `i` replaced by `value`.
fn with_field<'a>(mut f: [&'a str; 6], i: usize, value: &'a str) -> String {
    if let Some(slot) = f.get_mut(i) {
        *slot = value;
    }
    join(f)
}

/// The plain partitions in the order they are tried.
const PARTITIONS: [&str; 3] = ["aws", "aws-cn", "aws-us-gov"];

/// Per service, whether every one of its catalogue ARN templates names a region (`Some(true)`),
/// none does (`Some(false)`), or some do.
pub(crate) fn regional(service: &str) -> Option<bool> {
    static TABLE: OnceLock<HashMap<String, Option<bool>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table: HashMap<String, Option<bool>> = HashMap::new();
        for template in crate::actions::all_templates() {
            let Some(f) = fields(template) else { continue };
            let named = !f[3].is_empty();
            table
                .entry(f[2].to_owned())
                .and_modify(|v| {
                    if *v != Some(named) {
                        *v = None;
                    }
                })
                .or_insert(Some(named));
        }
        table
    });
    table.get(service).copied().flatten()
}

/// A name in an empty last segment of a resource part: `application/` → `application/example`.
fn filled(resource: &str) -> Option<String> {
    if resource.is_empty() || resource.ends_with(['/', ':', '-', '_', '.', '=']) {
        return Some(format!("{resource}example"));
    }
    resource
        .find("//")
        .map(|at| format!("{}/example{}", &resource[..at], &resource[at + 1..]))
}

/// Step `step` of rewriting the resource ARN `text` (see the module).
pub fn resource_step(text: &str, step: usize) -> Option<Vec<String>> {
    let f = fields(text)?;
    let with = |i: usize, value: &str| with_field(f, i, value);
    Some(match step {
        0 if f[1] != "aws" => PARTITIONS.iter().map(|p| with(1, p)).collect(),
        1 if !f[3].is_empty() && !crate::space::is_region_code(f[3]) => {
            vec![with(3, "us-east-1"), with(3, "")]
        }
        1 if f[3].is_empty() && regional(f[2]) == Some(true) => vec![with(3, "us-east-1")],
        2 => match filled(f[5]) {
            Some(resource) => vec![with(5, &resource)],
            None => Vec::new(),
        },
        0..=2 => Vec::new(),
        _ => return None,
    })
}

/// Step `step` of rewriting the principal `text` of `kind` (a role session: its role ARN, `/`,
/// the session name).
pub fn principal_step(kind: CallerKind, text: &str, step: usize) -> Option<Vec<String>> {
    let f = fields(text)?;
    let renamed = |names: &[&str]| -> Option<String> {
        // The last `names.len()` segments of the resource part.
        let mut segments: Vec<&str> = f[5].split('/').collect();
        let n = segments.len();
        if n <= names.len() {
            return None;
        }
        for (i, name) in names.iter().enumerate() {
            if let Some(slot) = segments.get_mut(n - names.len() + i) {
                *slot = name;
            }
        }
        Some(with_field(f, 5, &segments.join("/")))
    };
    Some(match step {
        0 if f[1] != "aws" => PARTITIONS.iter().map(|p| with_field(f, 1, p)).collect(),
        1 => {
            let names: &[&[&str]] = match kind {
                CallerKind::User => &[&["alice"]],
                CallerKind::Role => &[&["app"]],
                CallerKind::RoleSession => &[&["app", "session"], &["app"]],
                CallerKind::FederatedUser => &[&["carol"]],
                _ => &[],
            };
            names.iter().filter_map(|n| renamed(n)).collect()
        }
        2 if kind == CallerKind::RoleSession => renamed(&["session"]).into_iter().collect(),
        0..=2 => Vec::new(),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_steps(text: &str, f: impl Fn(&str, usize) -> Option<Vec<String>>) -> Vec<String> {
        let mut out = Vec::new();
        let mut step = 0;
        while let Some(alternatives) = f(text, step) {
            out.extend(alternatives);
            step += 1;
        }
        out
    }

    #[test]
    fn resources_are_rewritten_toward_plain_arns() {
        let steps = all_steps("arn:a:sso::aws:application/", resource_step);
        assert!(steps.contains(&"arn:aws:sso::aws:application/".to_owned()));
        assert!(steps.contains(&"arn:a:sso::aws:application/example".to_owned()));
        let steps = all_steps("arn:aws:ec2:ssm-sap:111122223333:instance/i", resource_step);
        assert_eq!(
            steps,
            [
                "arn:aws:ec2:us-east-1:111122223333:instance/i",
                "arn:aws:ec2::111122223333:instance/i"
            ]
        );
        // KMS ARNs always name a region; S3 bucket ARNs never do.
        let steps = all_steps("arn:aws:kms::111122223333:key/k", resource_step);
        assert_eq!(steps, ["arn:aws:kms:us-east-1:111122223333:key/k"]);
        assert!(all_steps("arn:aws:s3:::b/k", resource_step).is_empty());
        assert!(all_steps("*", resource_step).is_empty());
    }

    #[test]
    fn principals_get_plain_names() {
        let steps = all_steps("arn:a:iam::111122223333:role/a/b", |t, s| {
            principal_step(CallerKind::RoleSession, t, s)
        });
        assert_eq!(
            steps.first().map(String::as_str),
            Some("arn:aws:iam::111122223333:role/a/b")
        );
        assert!(steps.contains(&"arn:a:iam::111122223333:role/app/session".to_owned()));
        let steps = all_steps("arn:aws:iam::111122223333:user/p/a", |t, s| {
            principal_step(CallerKind::User, t, s)
        });
        assert_eq!(steps, ["arn:aws:iam::111122223333:user/p/alice"]);
    }
}
