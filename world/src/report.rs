//! Generating the credential report AWS would produce for an account at a given time
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html>,
//! SEMANTICS §6.4): its 22 columns in AWS's order, the `<root_account>` row first, and AWS's
//! value conventions — `N/A` for a credential the user does not have, `no_information` for a
//! password never used, `not_supported` for the root user's password fields. The parser is
//! [`crate::credential_report`]; [`account_from_report`] builds an account from a report alone,
//! so that parse → world → generate → parse can be checked on real reports.

use crate::credential_report::{self, Row};
use crate::entity::{AccessKey, Account, KeyStatus, User};
use crate::err::Finding;
use crate::time::Timestamp;

/// AWS's columns, in AWS's order.
pub const COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

const NA: &str = "N/A";
const NO_INFORMATION: &str = "no_information";
const NOT_SUPPORTED: &str = "not_supported";

/// The report's CSV for `account` as AWS would generate it at `at`: lines end in `\n`, with no
/// newline after the last row, as real reports are. Users, keys and uses dated after `at` do not
/// exist yet (D111).
pub fn generate(account: &Account, at: Timestamp) -> String {
    let mut lines = vec![COLUMNS.join(",")];
    lines.push(root_row(account, at).join(","));
    for user in &account.users {
        if user.create_date.is_some_and(|c| c > at) {
            continue;
        }
        lines.push(
            user_row(account, user, at)
                .iter()
                .map(|f| quote(f))
                .collect::<Vec<_>>()
                .join(","),
        );
    }
    lines.join("\n")
}

/// AWS writes instants as `2019-05-07T15:35:54+00:00`.
pub fn format_time(t: Timestamp) -> String {
    let iso = t.to_string();
    match iso.strip_suffix('Z') {
        Some(base) => format!("{base}+00:00"),
        None => iso,
    }
}

/// `true`/`false`: real reports are lower case, though the page writes `TRUE`/`FALSE` (D110).
fn flag(b: bool) -> String {
    if b { "true" } else { "false" }.to_owned()
}

fn date_or(t: Option<Timestamp>, at: Timestamp, absent: &str) -> String {
    match t.filter(|t| *t <= at) {
        Some(t) => format_time(t),
        None => absent.to_owned(),
    }
}

fn root_row(account: &Account, at: Timestamp) -> Vec<String> {
    let root = &account.root;
    let mut row = vec![
        "<root_account>".to_owned(),
        format!("arn:aws:iam::{}:root", account.id),
        date_or(root.create_date, at, NA),
        NOT_SUPPORTED.to_owned(),
        date_or(root.password_last_used, at, NO_INFORMATION),
        NOT_SUPPORTED.to_owned(),
        NOT_SUPPORTED.to_owned(),
        flag(root.mfa_active),
    ];
    row.extend(key_columns(&root.access_keys, at));
    row.extend(cert_columns());
    row
}

fn user_row(account: &Account, user: &User, at: Timestamp) -> Vec<String> {
    let profile = user.login_profile.as_ref();
    let (last_used, last_changed, next_rotation) = match profile {
        None => (NA.to_owned(), NA.to_owned(), NA.to_owned()),
        Some(p) => {
            // With a policy's MaxPasswordAge, the next rotation is the last change plus the age.
            let computed = p.next_rotation.or_else(|| {
                let days = account.password_policy.as_ref()?.max_password_age?;
                let changed = p.last_changed?;
                Some(Timestamp(changed.0 + i64::try_from(days).ok()? * 86_400))
            });
            (
                date_or(p.last_used, at, NO_INFORMATION),
                date_or(p.last_changed, at, NA),
                // A future rotation date is what the report shows, so not filtered by `at`.
                computed.map_or(NA.to_owned(), format_time),
            )
        }
    };
    let mut row = vec![
        user.name.clone(),
        user.arn.clone(),
        date_or(user.create_date, Timestamp(i64::MAX), NA),
        flag(profile.is_some()),
        last_used,
        last_changed,
        next_rotation,
        flag(!user.mfa_devices.is_empty()),
    ];
    row.extend(key_columns(&user.access_keys, at));
    row.extend(cert_columns());
    row
}

/// Two slots of five columns; a missing slot is `false` and `N/A`.
fn key_columns(keys: &[AccessKey], at: Timestamp) -> Vec<String> {
    let mut present = keys.iter().filter(|k| k.created.is_none_or(|c| c <= at));
    let mut out = Vec::with_capacity(10);
    for _ in 0..2 {
        match present.next() {
            Some(key) => {
                let used = key.last_used.filter(|u| *u <= at);
                out.push(flag(key.status == KeyStatus::Active));
                out.push(date_or(key.created, at, NA));
                out.push(used.map_or(NA.to_owned(), format_time));
                let detail = |v: &Option<String>| match (used, v) {
                    (Some(_), Some(v)) => v.clone(),
                    _ => NA.to_owned(),
                };
                out.push(detail(&key.last_used_region));
                out.push(detail(&key.last_used_service));
            }
            None => {
                out.push(flag(false));
                out.extend(std::iter::repeat_n(NA.to_owned(), 4));
            }
        }
    }
    out
}

/// Signing certificates are not in the world: both slots `false`, `N/A`.
fn cert_columns() -> Vec<String> {
    vec![flag(false), NA.to_owned(), flag(false), NA.to_owned()]
}

/// RFC 4180: quote a field holding a comma, quote or line break (IAM names may hold commas).
fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_owned()
    }
}

/// An account built from a report alone: the root user and one user per row (name, ARN,
/// creation time), with the report's credentials applied by [`credential_report::apply`].
pub fn account_from_report(file: &str, rows: &[Row], findings: &mut Vec<Finding>) -> Account {
    let id = rows
        .iter()
        .find_map(|r| r.get("arn")?.split(':').nth(4).map(str::to_owned))
        .unwrap_or_default();
    let mut account = Account::new(&id);
    for row in rows {
        if row.get("user") == Some("<root_account>") {
            continue;
        }
        account.users.push(User {
            name: row.get("user").unwrap_or_default().to_owned(),
            arn: row.get("arn").unwrap_or_default().to_owned(),
            create_date: row.get("user_creation_time").and_then(Timestamp::parse),
            ..User::default()
        });
    }
    credential_report::apply(file, rows, &mut account, findings);
    account
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::{LoginProfile, MfaDevice, PasswordPolicy};

    fn t(s: &str) -> Timestamp {
        Timestamp::parse(s).unwrap()
    }

    fn fields(csv: &str) -> Vec<Vec<(String, String)>> {
        let mut rows: Vec<_> = credential_report::parse("r.csv", csv)
            .unwrap()
            .into_iter()
            .map(|r| {
                let mut f: Vec<_> = r.fields.into_iter().collect();
                f.sort();
                f
            })
            .collect();
        rows.iter_mut().for_each(|r| r.sort());
        rows
    }

    #[test]
    fn round_trip_on_the_shared_real_report() {
        let path =
            std::path::Path::new("../../shared/data/gaad/cloudmapper-demo-credential-report.json");
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("skipping: {} is absent", path.display());
            return;
        };
        let rows = credential_report::parse("real", &text).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let content = json["Content"].as_str().unwrap();
        // The sample keeps the CSV as text; the API gives it base64-encoded.
        let original = if content.starts_with("user,") {
            content.to_owned()
        } else {
            String::from_utf8(credential_report::base64_decode(content).unwrap()).unwrap()
        };
        let generated_at = t(json["GeneratedTime"].as_str().unwrap());
        let mut findings = Vec::new();
        let account = account_from_report("real", &rows, &mut findings);
        assert!(findings.is_empty(), "{findings:?}");
        assert_eq!(account.users.len(), 2);
        let generated = generate(&account, generated_at);
        assert_eq!(fields(&generated), fields(&original));
        // Byte for byte: same columns, order, conventions and line ends.
        assert_eq!(generated, original);
    }

    #[test]
    fn conventions_for_absent_and_unused_credentials() {
        let mut account = Account::new("111122223333");
        account.password_policy = Some(PasswordPolicy {
            max_password_age: Some(90),
            ..PasswordPolicy::default()
        });
        account.root.mfa_active = true;
        account.users.push(User {
            name: "a,b".into(),
            arn: "arn:aws:iam::111122223333:user/a,b".into(),
            create_date: Some(t("2024-01-01T00:00:00Z")),
            login_profile: Some(LoginProfile {
                last_used: Some(t("2024-06-01T00:00:00Z")),
                last_changed: Some(t("2024-01-01T00:00:00Z")),
                next_rotation: None,
            }),
            mfa_devices: vec![MfaDevice {
                serial: None,
                enable_date: None,
            }],
            access_keys: vec![AccessKey {
                id: None,
                status: KeyStatus::Inactive,
                created: Some(t("2024-01-02T00:00:00Z")),
                last_used: Some(t("2024-05-01T00:00:00Z")),
                last_used_region: Some("eu-west-1".into()),
                last_used_service: Some("s3".into()),
            }],
            ..User::default()
        });
        account.users.push(User {
            name: "later".into(),
            arn: "arn:aws:iam::111122223333:user/later".into(),
            create_date: Some(t("2025-01-01T00:00:00Z")),
            ..User::default()
        });
        let at = t("2024-03-01T00:00:00Z");
        let csv = generate(&account, at);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3, "{csv}");
        assert_eq!(
            lines[1],
            "<root_account>,arn:aws:iam::111122223333:root,N/A,not_supported,no_information,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        );
        // At 2024-03-01 the password and the key exist but neither has been used yet; the next
        // rotation is 90 days after the change.
        assert_eq!(
            lines[2],
            "\"a,b\",\"arn:aws:iam::111122223333:user/a,b\",2024-01-01T00:00:00+00:00,true,no_information,2024-01-01T00:00:00+00:00,2024-03-31T00:00:00+00:00,true,false,2024-01-02T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A"
        );
        let later = generate(&account, t("2024-07-01T00:00:00Z"));
        assert!(later.contains(",2024-06-01T00:00:00+00:00,"), "{later}");
        assert!(later.contains(",2024-05-01T00:00:00+00:00,eu-west-1,s3,"));
        // What we generate, we parse back to the same credentials.
        let rows = credential_report::parse("g", &later).unwrap();
        let back = account_from_report("g", &rows, &mut Vec::new());
        assert_eq!(
            back.users[0].access_keys, account.users[0].access_keys,
            "{later}"
        );
        assert_eq!(back.users[0].name, "a,b");
    }
}
