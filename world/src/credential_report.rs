//! The credential report (`aws iam get-credential-report`,
//! <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_getting-report.html>): the CSV,
//! given decoded, base64-encoded (the API's `Content`), or inside the CLI's
//! `{"Content": ..., "GeneratedTime": ..., "ReportFormat": "text/csv"}` wrapper. Its first data
//! row is the root user (`<root_account>`). Values `N/A`, `no_information` and `not_supported`
//! read as absent.

use crate::entity::{AccessKey, Account, KeyStatus, LoginProfile, MfaDevice, RootUser};
use crate::err::{Finding, LoadError};
use crate::time::Timestamp;
use iamspec_model::json::{Json, JsonPath};
use std::collections::HashMap;

/// One row, by column name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The line number in the CSV (1 = header).
    pub line: usize,
    pub fields: HashMap<String, String>,
}

impl Row {
    pub fn get(&self, column: &str) -> Option<&str> {
        self.fields
            .get(column)
            .map(String::as_str)
            .filter(|v| !matches!(*v, "" | "N/A" | "no_information" | "not_supported"))
    }

    fn flag(&self, column: &str) -> bool {
        self.get(column) == Some("true")
    }

    fn date(&self, column: &str) -> Option<Timestamp> {
        self.get(column).and_then(Timestamp::parse)
    }
}

/// The columns a report must have to be read.
const REQUIRED: [&str; 4] = ["user", "arn", "password_enabled", "mfa_active"];

/// Parses a report from the text of a file (JSON wrapper, base64 or CSV).
pub fn parse(file: &str, text: &str) -> Result<Vec<Row>, LoadError> {
    let error = |path: JsonPath, message: String| LoadError {
        file: file.to_owned(),
        path,
        message,
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim();
    let (content, path) = if trimmed.starts_with('{') {
        let json = Json::parse(trimmed).map_err(|e| error(JsonPath::root(), e.to_string()))?;
        match json.get("Content") {
            Some(Json::String(content)) => (content.clone(), JsonPath::root().key("Content")),
            Some(other) => {
                return Err(error(
                    JsonPath::root().key("Content"),
                    format!("expected a string, found {}", other.type_name()),
                ))
            }
            None => return Err(error(JsonPath::root(), "missing `Content`".into())),
        }
    } else {
        (trimmed.to_owned(), JsonPath::root())
    };
    let csv = if content.trim_start().starts_with("user,") {
        content
    } else {
        let bytes = base64_decode(content.trim()).ok_or_else(|| {
            error(
                path.clone(),
                "neither a credential report CSV (starting `user,`) nor base64".into(),
            )
        })?;
        String::from_utf8(bytes)
            .map_err(|_| error(path.clone(), "the decoded report is not UTF-8".into()))?
    };
    parse_csv(&csv).map_err(|(line, message)| error(path.key(&format!("line {line}")), message))
}

fn parse_csv(text: &str) -> Result<Vec<Row>, (usize, String)> {
    let records = records(text)?;
    let mut lines = records.into_iter();
    let Some((_, header)) = lines.next() else {
        return Err((1, "the report is empty".into()));
    };
    for column in REQUIRED {
        if !header.iter().any(|h| h == column) {
            return Err((1, format!("the header has no `{column}` column")));
        }
    }
    let mut rows = Vec::new();
    for (line, record) in lines {
        if record.iter().all(String::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            return Err((
                line,
                format!(
                    "{} fields where the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        rows.push(Row {
            line,
            fields: header.iter().cloned().zip(record).collect(),
        });
    }
    Ok(rows)
}

/// RFC 4180 records: fields separated by commas, optionally quoted with `"` (a doubled quote
/// inside), records by CRLF or LF. Linear; an unterminated quote is an error.
/// A record with the line it starts on.
type Record = (usize, Vec<String>);

fn records(text: &str) -> Result<Vec<Record>, (usize, String)> {
    let mut out = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut line = 1;
    let mut start_line = 1;
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                out.push((start_line, std::mem::take(&mut record)));
                line += 1;
                start_line = line;
            }
            _ => field.push(c),
        }
    }
    if quoted {
        return Err((start_line, "a quoted field is not closed".into()));
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        out.push((start_line, record));
    }
    Ok(out)
}

/// Standard base64 (with or without padding, whitespace ignored).
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut buffer = 0u32;
    let mut bits = 0;
    let mut padding = false;
    for b in text.bytes() {
        let value = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                padding = true;
                continue;
            }
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        if padding {
            return None;
        }
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Applies the report to the account's root user and users; rows for users the account does
/// not have are findings.
pub fn apply(file: &str, rows: &[Row], account: &mut Account, findings: &mut Vec<Finding>) {
    let keys = |row: &Row| {
        (1..=2)
            .filter_map(|n| {
                let active = row.get(&format!("access_key_{n}_active"))?;
                let status = if active == "true" {
                    KeyStatus::Active
                } else {
                    // A slot that never held a key reads `false` with no rotation date.
                    row.get(&format!("access_key_{n}_last_rotated"))?;
                    KeyStatus::Inactive
                };
                Some(AccessKey {
                    id: None,
                    status,
                    created: row.date(&format!("access_key_{n}_last_rotated")),
                    last_used: row.date(&format!("access_key_{n}_last_used_date")),
                    last_used_region: row
                        .get(&format!("access_key_{n}_last_used_region"))
                        .map(str::to_owned),
                    last_used_service: row
                        .get(&format!("access_key_{n}_last_used_service"))
                        .map(str::to_owned),
                })
            })
            .collect::<Vec<_>>()
    };
    for row in rows {
        if row.get("user") == Some("<root_account>") {
            account.root = RootUser {
                create_date: row.date("user_creation_time"),
                password_last_used: row.date("password_last_used"),
                mfa_active: row.flag("mfa_active"),
                access_keys: keys(row),
                known: true,
            };
            continue;
        }
        let arn = row.get("arn").unwrap_or_default();
        let Some(user) = account.users.iter_mut().find(|u| u.arn == arn) else {
            findings.push(Finding {
                code: "unknown-user",
                file: file.to_owned(),
                path: JsonPath::root().key(&format!("line {}", row.line)),
                message: format!("the credential report lists `{arn}`, which the account's authorization details do not"),
            });
            continue;
        };
        user.login_profile = row.flag("password_enabled").then(|| LoginProfile {
            last_used: row.date("password_last_used"),
            last_changed: row.date("password_last_changed"),
            next_rotation: row.date("password_next_rotation"),
        });
        if row.flag("mfa_active") && user.mfa_devices.is_empty() {
            user.mfa_devices.push(MfaDevice {
                serial: None,
                enable_date: None,
            });
        }
        if user.access_keys.is_empty() {
            user.access_keys = keys(row);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CSV: &str = "user,arn,user_creation_time,password_enabled,mfa_active,access_key_1_active,access_key_1_last_rotated\n<root_account>,arn:aws:iam::111122223333:root,2020-01-01T00:00:00+00:00,not_supported,true,false,N/A\nalice,arn:aws:iam::111122223333:user/alice,2020-01-01T00:00:00+00:00,true,false,true,\"2021-01-01T00:00:00+00:00\"\n";

    #[test]
    fn three_encodings_read_alike() {
        let plain = parse("r.csv", CSV).unwrap();
        assert_eq!(plain.len(), 2);
        assert_eq!(
            plain[1].get("access_key_1_last_rotated"),
            Some("2021-01-01T00:00:00+00:00")
        );
        let b64 = encode(CSV);
        assert_eq!(parse("r.b64", &b64).unwrap(), plain);
        let wrapped = serde_json::json!({"Content": b64, "ReportFormat": "text/csv"}).to_string();
        assert_eq!(parse("r.json", &wrapped).unwrap(), plain);
    }

    #[test]
    fn broken_reports_name_the_line() {
        let e = parse("r.csv", "user,arn,password_enabled,mfa_active\na,b\n").unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.csv: line 2: 2 fields where the header has 4"
        );
        let e = parse("r.csv", "user,arn\n").unwrap_err();
        assert!(
            e.to_string().contains("no `password_enabled` column"),
            "{e}"
        );
        let e = parse("r.json", r#"{"Content": 5}"#).unwrap_err();
        assert_eq!(
            e.to_string(),
            "r.json: Content: expected a string, found number"
        );
        assert!(parse("r", "not base64 !").is_err());
        assert!(parse("r", "user,arn,password_enabled,mfa_active\n\"a,b").is_err());
    }

    fn encode(text: &str) -> String {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in text.as_bytes().chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
                << (8 * (3 - chunk.len()));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
