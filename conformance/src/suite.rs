//! Reading suite files. Every fault names the file and the JSON path.

mod err;

pub use err::SuiteError;

use crate::case::{Case, Expect};
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::quote::quoted;
use iamspec_model::Decision;
use std::path::{Path, PathBuf};

pub const FORMAT: &str = "iamspec-conformance/1";

#[derive(Clone, Debug, PartialEq)]
pub struct Suite {
    pub file: PathBuf,
    pub name: String,
    pub description: String,
    pub cases: Vec<Case>,
}

impl Suite {
    pub fn load(file: &Path) -> Result<Suite, SuiteError> {
        let text = std::fs::read_to_string(file).map_err(|e| SuiteError::Read {
            file: file.to_owned(),
            message: e.to_string(),
        })?;
        Suite::parse(&text, file)
    }

    /// Parses suite text; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Suite, SuiteError> {
        let json = Json::parse(text).map_err(|e| SuiteError::Json {
            file: file.to_owned(),
            error: e,
        })?;
        let fault = |path: JsonPath, message: String| SuiteError::Malformed {
            file: file.to_owned(),
            path,
            message,
        };
        let root = JsonPath::root();
        let members = object(&json, &root).map_err(|m| fault(root.clone(), m))?;
        let mut name = None;
        let mut description = String::new();
        let mut cases = None;
        let mut format_seen = false;
        for (key, value) in members {
            let at = root.key(key);
            match key {
                "format" => {
                    if value.as_str() != Some(FORMAT) {
                        return Err(fault(at, format!("expected `\"{FORMAT}\"`")));
                    }
                    format_seen = true;
                }
                "suite" => name = Some(string(value).map_err(|m| fault(at, m))?),
                "description" => description = string(value).map_err(|m| fault(at, m))?,
                "cases" => {
                    let Json::Array(items) = value else {
                        return Err(fault(
                            at,
                            format!("expected an array, found {}", value.type_name()),
                        ));
                    };
                    let mut parsed = Vec::with_capacity(items.len());
                    for (i, item) in items.iter().enumerate() {
                        parsed.push(parse_case(item, at.index(i)).map_err(|(p, m)| fault(p, m))?);
                    }
                    cases = Some(parsed);
                }
                // Later versions may add fields; unknown top-level fields are ignored.
                _ => {}
            }
        }
        if !format_seen {
            return Err(fault(
                root,
                format!("the suite has no `\"format\": \"{FORMAT}\"`"),
            ));
        }
        let name =
            name.ok_or_else(|| fault(root.clone(), "the suite has no `suite` name".into()))?;
        let cases = cases.ok_or_else(|| fault(root.clone(), "the suite has no `cases`".into()))?;
        let mut ids = std::collections::HashSet::new();
        for case in &cases {
            if !ids.insert(case.id.as_str()) {
                return Err(fault(
                    case.path.key("id"),
                    format!("duplicate case id {}", quoted(&case.id)),
                ));
            }
        }
        Ok(Suite {
            file: file.to_owned(),
            name,
            description,
            cases,
        })
    }

    /// Every `.json` file under `paths` (files as given, directories recursively, sorted).
    pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, SuiteError> {
        let mut files = Vec::new();
        for path in paths {
            collect(path, &mut files)?;
        }
        Ok(files)
    }
}

fn collect(path: &Path, files: &mut Vec<PathBuf>) -> Result<(), SuiteError> {
    let read_error = |e: std::io::Error| SuiteError::Read {
        file: path.to_owned(),
        message: e.to_string(),
    };
    if path.is_dir() {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
            .map_err(read_error)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for entry in entries {
            if entry.is_dir() || entry.extension().is_some_and(|e| e == "json") {
                collect(&entry, files)?;
            }
        }
        Ok(())
    } else if path.exists() {
        files.push(path.to_owned());
        Ok(())
    } else {
        Err(read_error(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file or directory",
        )))
    }
}

fn object<'a>(json: &'a Json, _path: &JsonPath) -> Result<Vec<(&'a str, &'a Json)>, String> {
    match json {
        Json::Object(members) => {
            // A set beside the list keeps an object of many members linear, not quadratic.
            let mut names: std::collections::HashSet<&str> = std::collections::HashSet::new();
            let mut seen: Vec<(&str, &Json)> = Vec::new();
            for (k, v) in members {
                if !names.insert(k.as_str()) {
                    return Err(format!("duplicate field {}", quoted(k)));
                }
                seen.push((k, v));
            }
            Ok(seen)
        }
        other => Err(format!("expected an object, found {}", other.type_name())),
    }
}

fn string(json: &Json) -> Result<String, String> {
    json.as_str()
        .map(str::to_owned)
        .ok_or_else(|| format!("expected a string, found {}", json.type_name()))
}

/// One case. Policies and requests are kept as JSON: they are read (and may be rejected) when
/// the case runs, because `expect.error` cases are invalid on purpose.
/// Reads one case at `path`; errors carry the JSON path of the fault.
pub fn parse_case(json: &Json, path: JsonPath) -> Result<Case, (JsonPath, String)> {
    let members = object(json, &path).map_err(|m| (path.clone(), m))?;
    let mut id = None;
    let mut description = String::new();
    let mut source = String::new();
    let mut request = None;
    let mut policies = Json::Object(Vec::new());
    let mut expect = None;
    for (key, value) in members {
        let at = path.key(key);
        match key {
            "id" => id = Some(string(value).map_err(|m| (at, m))?),
            "description" => description = string(value).map_err(|m| (at, m))?,
            "source" => source = string(value).map_err(|m| (at, m))?,
            "request" => request = Some(value.clone()),
            "policies" => policies = value.clone(),
            "expect" => expect = Some(parse_expect(value, &at)?),
            _ => {}
        }
    }
    let id = id.ok_or_else(|| (path.clone(), "the case has no `id`".to_owned()))?;
    let request = request.ok_or_else(|| (path.clone(), "the case has no `request`".to_owned()))?;
    let expect = expect.ok_or_else(|| (path.clone(), "the case has no `expect`".to_owned()))?;
    Ok(Case {
        id,
        description,
        source,
        request,
        policies,
        expect,
        path,
    })
}

fn parse_expect(json: &Json, path: &JsonPath) -> Result<Expect, (JsonPath, String)> {
    let members = object(json, path).map_err(|m| (path.clone(), m))?;
    let mut decision = None;
    let mut deciding = None;
    let mut error = false;
    for (key, value) in members {
        let at = path.key(key);
        match key {
            "decision" => {
                let text = string(value).map_err(|m| (at.clone(), m))?;
                decision = Some(Decision::parse(&text).ok_or((
                    at,
                    format!(
                        "{} is not a decision (allow, explicit_deny, implicit_deny)",
                        quoted(&text)
                    ),
                ))?);
            }
            "deciding" => deciding = Some(string(value).map_err(|m| (at, m))?),
            "error" => match value {
                Json::Bool(b) => error = *b,
                other => {
                    return Err((
                        at,
                        format!("expected a boolean, found {}", other.type_name()),
                    ))
                }
            },
            _ => {}
        }
    }
    match (decision, error) {
        (Some(_), true) => Err((
            path.clone(),
            "`expect` has both `decision` and `error`".into(),
        )),
        (Some(decision), false) => Ok(Expect::Decision { decision, deciding }),
        (None, true) => Ok(Expect::Error),
        (None, false) => Err((
            path.clone(),
            "`expect` needs `decision` or `\"error\": true`".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        Suite::parse(text, Path::new("s.json"))
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn malformed_suites_name_file_and_path() {
        assert_eq!(
            err("{"),
            "s.json: invalid JSON at line 1, column 1: EOF while parsing an object"
        );
        assert_eq!(
            err(r#"{"format":"x"}"#),
            "s.json: format: expected `\"iamspec-conformance/1\"`"
        );
        let base = r#"{"format":"iamspec-conformance/1","suite":"s","cases":[CASE]}"#;
        let with = |case: &str| err(&base.replace("CASE", case));
        assert_eq!(with(r#"{"id":"a","request":{},"expect":{"decision":"maybe"}}"#), "s.json: cases[0].expect.decision: `maybe` is not a decision (allow, explicit_deny, implicit_deny)");
        assert_eq!(
            with(r#"{"id":"a","request":{}}"#),
            "s.json: cases[0]: the case has no `expect`"
        );
        assert_eq!(
            with(
                r#"{"id":"a","request":{},"expect":{"decision":"allow"}},{"id":"a","request":{},"expect":{"error":true}}"#
            ),
            "s.json: cases[1].id: duplicate case id `a`"
        );
        assert_eq!(
            with("7"),
            "s.json: cases[0]: expected an object, found number"
        );
    }
}
