//! Reading the files a command is given. Every command reports an unreadable file, or one that
//! is not JSON, the same way: one line on standard error naming the file, and exit 2
//! ([`crate::EXIT_INPUT`]) once the other files have been processed.
//!
//! What is read the way users' files come: a UTF-8 byte-order mark, UTF-16 (with its mark, as
//! PowerShell writes), several files, directories (their `.json` files) and `-` for standard
//! input; for policies, the output of the AWS CLI commands that return one
//! (`get-policy-version`, `get-bucket-policy`, `get-role`, `get-key-policy`, `get-*-policy`),
//! unwrapped with a note saying so. JSON errors name their real cause (a number beyond what JSON
//! numbers hold, a lone UTF-16 surrogate escape).

use crate::display_name;
use iamspec_model::json::{Json, JsonError};
use iamspec_model::quote::quoted;
use std::path::{Path, PathBuf};

/// A file read whole.
pub struct Source {
    /// The file as messages name it (`<stdin>` for `-`).
    pub name: String,
    pub text: String,
}

/// Reads `path` (`-`: standard input) as text: UTF-8 (a byte-order mark is dropped) or UTF-16
/// with its byte-order mark.
pub fn read(path: &Path) -> Result<Source, String> {
    let name = display_name(path);
    let bytes = if path == Path::new("-") {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| format!("{name}: {e}"))?;
        bytes
    } else if path.is_dir() {
        return Err(format!("{name}: is a directory"));
    } else {
        std::fs::read(path).map_err(|e| format!("{name}: {}", io_message(&e)))?
    };
    let text = decode(&bytes).map_err(|e| format!("{name}: {e}"))?;
    Ok(Source { name, text })
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        _ => e.to_string(),
    }
}

/// Text from bytes: UTF-8 with or without a byte-order mark, or UTF-16 (LE or BE) with one.
pub fn decode(bytes: &[u8]) -> Result<String, String> {
    let utf16 = |rest: &[u8], from: fn([u8; 2]) -> u16, which: &str| {
        if !rest.len().is_multiple_of(2) {
            return Err(format!("{which} text with an odd number of bytes"));
        }
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|pair| {
                from([
                    pair.first().copied().unwrap_or(0),
                    pair.get(1).copied().unwrap_or(0),
                ])
            })
            .collect();
        String::from_utf16(&units).map_err(|_| format!("not valid {which} (a lone surrogate)"))
    };
    match bytes {
        [0xEF, 0xBB, 0xBF, rest @ ..] => utf8(rest),
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes, "UTF-16LE"),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes, "UTF-16BE"),
        // UTF-16 without a mark: JSON starts with an ASCII character, so one byte of the first
        // pair is zero.
        [0, first, ..] if first.is_ascii() && *first != 0 => {
            utf16(bytes, u16::from_be_bytes, "UTF-16BE")
        }
        [first, 0, ..] if first.is_ascii() && *first != 0 => {
            utf16(bytes, u16::from_le_bytes, "UTF-16LE")
        }
        _ => utf8(bytes),
    }
}

fn utf8(bytes: &[u8]) -> Result<String, String> {
    String::from_utf8(bytes.to_vec()).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = bytes.get(..at).unwrap_or_default();
        let line = text.iter().filter(|b| **b == b'\n').count() + 1;
        format!(
            "not valid UTF-8: invalid byte 0x{:02X} at line {line} (save the file as UTF-8)",
            bytes.get(at).copied().unwrap_or(0)
        )
    })
}

/// Parses `text` as JSON; the error names the real cause where serde's message does not.
pub fn parse_json(text: &str) -> Result<Json, String> {
    Json::parse(text).map_err(|e| explain(text, &e))
}

/// A JSON error, with the cause spelled out for the two that serde names by their symptom.
fn explain(text: &str, error: &JsonError) -> String {
    match cause(text, error) {
        Some(cause) if error.message == "number out of range" => format!("{error}: {cause}"),
        Some(cause) => format!(
            "invalid JSON at line {}, column {}: {cause}",
            error.line, error.column
        ),
        None => error.to_string(),
    }
}

/// What a JSON error means, for the two errors serde names by their symptom: a number beyond
/// what JSON numbers hold, and half of a UTF-16 surrogate pair. `None` for the others.
pub fn cause(text: &str, error: &JsonError) -> Option<String> {
    let line = text.lines().nth(error.line.saturating_sub(1)).unwrap_or("");
    let before: String = line.chars().take(error.column).collect();
    if error.message == "number out of range" {
        let start = before
            .rfind(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
            .map_or(0, |i| i + 1);
        let number: String = line
            .chars()
            .skip(before.get(..start).map_or(0, |s| s.chars().count()))
            .take_while(|c| c.is_ascii_digit() || "+-.eE".contains(*c))
            .collect();
        return Some(format!(
            "{} is beyond what a JSON number can hold (about 1.8e308); write it as a string, {}",
            quoted(&number),
            quoted(&format!("\"{number}\""))
        ));
    }
    if error.message.contains("hex escape") || error.message.contains("surrogate") {
        let at = before.rfind("\\u")?;
        let escape: String = before.get(at..).unwrap_or("").chars().take(6).collect();
        let lone = escape
            .get(2..3)
            .is_some_and(|c| c.eq_ignore_ascii_case("d"))
            && escape
                .get(3..4)
                .is_some_and(|c| "89abcdefABCDEF".contains(c));
        if lone {
            return Some(format!(
                "{} is half of a UTF-16 surrogate pair without its other half: it stands for no character",
                quoted(&escape)
            ));
        }
    }
    None
}

/// A suite error as printed: a JSON error with its cause spelled out (see [`cause`]).
pub fn suite_error(error: &iamspec_conformance::suite::SuiteError) -> String {
    use iamspec_conformance::suite::SuiteError;
    if let SuiteError::Json { file, error: json } = error {
        if let Some(cause) = std::fs::read_to_string(file)
            .ok()
            .and_then(|text| cause(text.trim_start_matches('\u{feff}'), json))
        {
            return format!("{error}: {cause}");
        }
    }
    error.to_string()
}

/// The JSON record for an input that could not be read: `{"file", "error"}`, the file being
/// what the message names before its first `: `.
pub fn error_record(message: &str) -> serde_json::Value {
    let file = message.split(": ").next().unwrap_or("");
    serde_json::json!({"file": file, "error": message})
}

/// Reads `path` and parses it as JSON; the error names the file.
pub fn read_json(path: &Path) -> Result<(Source, Json), String> {
    let source = read(path)?;
    let json = parse_json(&source.text).map_err(|e| format!("{}: {e}", source.name))?;
    Ok((source, json))
}

/// The files `paths` name: files and `-` as given, directories as the `.json` files under them
/// (sorted). A directory that cannot be read is an error in the list, so that the other paths
/// are still processed.
pub fn expand(paths: &[PathBuf]) -> Vec<Result<PathBuf, String>> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            walk(path, &mut files);
        } else {
            files.push(Ok(path.clone()));
        }
    }
    files
}

fn walk(dir: &Path, files: &mut Vec<Result<PathBuf, String>>) {
    // `file_type` does not follow symbolic links, so a link cycle cannot recurse forever.
    let mut entries: Vec<(PathBuf, bool)> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .map(|e| (e.path(), e.file_type().is_ok_and(|t| t.is_dir())))
            .collect(),
        Err(e) => {
            files.push(Err(format!("{}: {e}", dir.display())));
            return;
        }
    };
    entries.sort();
    for (entry, is_dir) in entries {
        if is_dir {
            walk(&entry, files);
        } else if entry.extension().is_some_and(|e| e == "json") {
            files.push(Ok(entry));
        }
    }
}

/// A world (`iamspec-snapshot/1` directory or file, or a GAAD file), or the load error printed
/// and the exit status for it.
pub fn load_world(path: &Path) -> Result<iamspec_world::World, u8> {
    iamspec_world::snapshot::load(path).map_err(|error| {
        eprintln!("{error}");
        crate::EXIT_INPUT
    })
}

/// A policy document as read from a file.
pub struct PolicyDocument {
    pub name: String,
    pub json: Json,
    /// The document's own text when it has one (not when it sat inside an AWS CLI wrapper as
    /// an object): the size quotas of SCPs and RCPs count its whitespace.
    pub text: Option<String>,
    /// Which AWS CLI output it was unwrapped from, for a note.
    pub unwrapped: Option<String>,
}

/// Reads a policy document, unwrapping AWS CLI output.
pub fn read_policy(path: &Path) -> Result<PolicyDocument, String> {
    let (source, json) = read_json(path)?;
    let name = source.name;
    match unwrap_aws_cli(&json) {
        None => Ok(PolicyDocument {
            name,
            json,
            text: Some(source.text),
            unwrapped: None,
        }),
        Some((what, Json::String(inner))) => {
            // The IAM API URL-encodes documents; the AWS CLI decodes them, other tools may not.
            // Decoded as world decodes GAAD documents, `+` kept (D92, D140).
            let inner = iamspec_world::entity::decode_document_string(inner);
            let json =
                parse_json(&inner).map_err(|e| format!("{name}: in the `{what}` string: {e}"))?;
            Ok(PolicyDocument {
                name,
                json,
                text: Some(inner),
                unwrapped: Some(what),
            })
        }
        Some((what, inner)) => Ok(PolicyDocument {
            name,
            json: inner.clone(),
            text: None,
            unwrapped: Some(what),
        }),
    }
}

/// The policy inside AWS CLI output, and where it was (`PolicyVersion.Document`).
fn unwrap_aws_cli(json: &Json) -> Option<(String, &Json)> {
    // A policy has `Statement`; a wrapper has none at its top.
    if json.get("Statement").is_some() {
        return None;
    }
    let paths: [(&str, &str, &str); 4] = [
        ("PolicyVersion", "Document", "aws iam get-policy-version"),
        ("Role", "AssumeRolePolicyDocument", "aws iam get-role"),
        (
            "",
            "PolicyDocument",
            "aws iam get-role-policy / get-user-policy / get-group-policy",
        ),
        (
            "",
            "Policy",
            "aws s3api get-bucket-policy / aws kms get-key-policy",
        ),
    ];
    for (outer, inner, command) in paths {
        let holder = if outer.is_empty() {
            Some(json)
        } else {
            json.get(outer)
        };
        if let Some(document) = holder.and_then(|h| h.get(inner)) {
            let at = if outer.is_empty() {
                inner.to_owned()
            } else {
                format!("{outer}.{inner}")
            };
            return Some((format!("{at}` of `{command}` output"), document));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_directory_walk_does_not_follow_a_link_cycle() {
        let dir = std::env::temp_dir().join(format!("iamspec-walk-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("p.json"), "{}").unwrap();
        std::os::unix::fs::symlink(&dir, dir.join("loop")).unwrap();
        let found = expand(std::slice::from_ref(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn text_in_the_encodings_users_save() {
        let json = "{\"a\":1}";
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice(json.as_bytes());
        assert_eq!(decode(&bom).unwrap(), json);
        let mut le = vec![0xFF, 0xFE];
        le.extend(json.encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(decode(&le).unwrap(), json);
        let be: Vec<u8> = json.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(decode(&be).unwrap(), json);
        assert_eq!(
            decode(b"{\"a\":\n\"\xff\"}").unwrap_err(),
            "not valid UTF-8: invalid byte 0xFF at line 2 (save the file as UTF-8)"
        );
    }

    #[test]
    fn json_errors_name_their_cause() {
        assert_eq!(
            parse_json("{\"n\": 1e400}").unwrap_err(),
            "invalid JSON at line 1, column 11: number out of range: `1e400` is beyond what a JSON number can hold (about 1.8e308); write it as a string, `\"1e400\"`"
        );
        assert_eq!(
            parse_json(r#"{"Sid": "\ud800"}"#).unwrap_err(),
            "invalid JSON at line 1, column 16: `\\ud800` is half of a UTF-16 surrogate pair without its other half: it stands for no character"
        );
    }

    #[test]
    fn aws_cli_output_is_unwrapped() {
        let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
        let cases = [
            (
                format!(r#"{{"PolicyVersion":{{"Document":{policy},"VersionId":"v1"}}}}"#),
                "PolicyVersion.Document` of `aws iam get-policy-version` output",
            ),
            (
                format!(r#"{{"Role":{{"RoleName":"r","AssumeRolePolicyDocument":{policy}}}}}"#),
                "Role.AssumeRolePolicyDocument` of `aws iam get-role` output",
            ),
            (
                format!(r#"{{"Policy":{}}}"#, serde_json::to_string(policy).unwrap()),
                "Policy` of `aws s3api get-bucket-policy / aws kms get-key-policy` output",
            ),
        ];
        for (text, what) in cases {
            let json = Json::parse(&text).unwrap();
            let (at, _) = unwrap_aws_cli(&json).unwrap();
            assert_eq!(at, what);
        }
        // Through the one decoder the world's GAAD reading uses: RFC 3986, so `+` stays a
        // plus (D140).
        let encoded = r#"{"PolicyVersion":{"Document":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22s3%3AGetObject%22%2C%22Resource%22%3A%22arn%3Aaws%3As3%3A%3A%3Aa+b%2F%2A%22%7D%5D%7D"}}"#;
        let dir = std::env::temp_dir().join(format!("iamspec-plus-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("v.json");
        std::fs::write(&file, encoded).unwrap();
        let document = read_policy(&file).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            document.json.to_compact_string(),
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a+b/*"}]}"#
        );
        assert!(unwrap_aws_cli(&Json::parse(policy).unwrap()).is_none());
    }
}
