//! `iamspec-api/1` (API-FORMAT.md): suites of IAM API call sequences with the result or error
//! code expected of each call; the runner; the model implementation (the world's lifecycle);
//! and external implementations over the line protocol.

pub mod err;

pub use err::ApiError;
use iamspec_world::lifecycle::{self, Op};
use iamspec_world::World;
use serde_json::{Map, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

pub const FORMAT: &str = "iamspec-api/1";

#[derive(Clone, Debug, PartialEq)]
pub struct ApiSuite {
    pub file: PathBuf,
    pub name: String,
    pub cases: Vec<ApiCase>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApiCase {
    pub id: String,
    pub description: String,
    pub source: String,
    pub steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// `{"Action": ..., parameters}`, documents already turned into JSON text.
    pub call: Value,
    pub expect: Expected,
    /// Names for values of the result (`"key": "AccessKey.AccessKeyId"`), used later as
    /// `${key}`.
    pub save: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// Success; the result must contain `result` when given (objects by subset, arrays element
    /// by element with the same length, scalars equal).
    Ok { result: Option<Value> },
    /// The call must fail with this error code.
    Error(String),
}

/// An implementation's answer to one call.
pub type Answer = Result<Value, (String, String)>;

/// What runs the calls.
pub trait ApiImplementation {
    /// A fresh, empty account `123456789012`.
    fn reset(&mut self) -> Result<(), ApiError>;
    fn call(&mut self, call: &Value) -> Result<Answer, ApiError>;
}

/// The model: the world's lifecycle.
#[derive(Default)]
pub struct Model {
    world: World,
}

impl ApiImplementation for Model {
    fn reset(&mut self) -> Result<(), ApiError> {
        self.world = World::default();
        Ok(())
    }

    fn call(&mut self, call: &Value) -> Result<Answer, ApiError> {
        let answer = Op::from_json(call).and_then(|op| lifecycle::call(&mut self.world, &op));
        Ok(answer.map_err(|e| (e.code().to_owned(), e.message().to_owned())))
    }
}

/// How one case went.
#[derive(Clone, Debug, PartialEq)]
pub struct CaseResult {
    pub suite: String,
    pub id: String,
    pub source: String,
    /// `None` when every step answered as expected; else the first step that did not, and why.
    pub failure: Option<Failure>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    /// 0-based.
    pub step: usize,
    pub action: String,
    pub expected: String,
    pub got: String,
}

/// Runs a case from a fresh account; stops at the first step that does not answer as expected
/// (later steps assume the earlier ones' effects).
pub fn run_case(
    implementation: &mut dyn ApiImplementation,
    suite: &str,
    case: &ApiCase,
) -> Result<CaseResult, ApiError> {
    implementation.reset()?;
    let mut saved: Vec<(String, Value)> = Vec::new();
    let mut failure = None;
    for (i, step) in case.steps.iter().enumerate() {
        let call = substitute(&step.call, &saved);
        let action = call
            .get("Action")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned();
        let answer = implementation.call(&call)?;
        let fail = |expected: String, got: String| Failure {
            step: i,
            action: action.clone(),
            expected,
            got,
        };
        match (&step.expect, &answer) {
            (Expected::Ok { result }, Ok(value)) => {
                if let Some(want) = result {
                    let want = &substitute(want, &saved);
                    if !contains(value, want) {
                        failure = Some(fail(format!("ok with {want}"), format!("ok with {value}")));
                        break;
                    }
                }
                for (name, path) in &step.save {
                    match lookup(value, path) {
                        Some(v) => saved.push((name.clone(), v.clone())),
                        None => {
                            failure = Some(fail(
                                format!("ok with `{path}` in the result"),
                                format!("ok with {value}"),
                            ));
                            break;
                        }
                    }
                }
                if failure.is_some() {
                    break;
                }
            }
            (Expected::Error(code), Err((got, _))) if code == got => {}
            (expected, got) => {
                let expected = match expected {
                    Expected::Ok { result: None } => "ok".to_owned(),
                    Expected::Ok {
                        result: Some(result),
                    } => format!("ok with {result}"),
                    Expected::Error(code) => format!("error {code}"),
                };
                let got = match got {
                    Ok(_) => "ok".to_owned(),
                    Err((code, message)) => format!("error {code} ({message})"),
                };
                failure = Some(fail(expected, got));
                break;
            }
        }
    }
    Ok(CaseResult {
        suite: suite.to_owned(),
        id: case.id.clone(),
        source: case.source.clone(),
        failure,
    })
}

/// `${name}` in any string of the call, replaced by a saved value.
fn substitute(call: &Value, saved: &[(String, Value)]) -> Value {
    match call {
        Value::String(s) if s.contains("${") => {
            let mut out = s.clone();
            for (name, value) in saved {
                let text = match value {
                    Value::String(v) => v.clone(),
                    other => other.to_string(),
                };
                out = out.replace(&format!("${{{name}}}"), &text);
            }
            Value::String(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| substitute(v, saved)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), substitute(v, saved)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// `AccessKey.AccessKeyId`, `Versions.0.VersionId`.
fn lookup<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| match v {
        Value::Array(items) => items.get(key.parse::<usize>().ok()?),
        other => other.get(key),
    })
}

/// Does `got` contain `want`? Objects by subset, arrays with the same length element by
/// element, scalars equal.
pub fn contains(got: &Value, want: &Value) -> bool {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| g.get(k).is_some_and(|gv| contains(gv, wv))),
        (Value::Array(g), Value::Array(w)) => {
            g.len() == w.len() && g.iter().zip(w).all(|(gv, wv)| contains(gv, wv))
        }
        (g, w) => g == w,
    }
}

/// Every suite under `paths`: files as given, directories' `*.json` files sorted.
pub fn find(paths: &[PathBuf]) -> Vec<Result<ApiSuite, ApiError>> {
    let mut files = Vec::new();
    for path in paths {
        collect(path, &mut files);
    }
    files
        .into_iter()
        .map(|f| f.and_then(|f| read_suite(&f)))
        .collect()
}

fn collect(path: &Path, files: &mut Vec<Result<PathBuf, ApiError>>) {
    if !path.is_dir() {
        files.push(Ok(path.to_owned()));
        return;
    }
    match std::fs::read_dir(path) {
        Ok(entries) => {
            let mut entries: Vec<PathBuf> =
                entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
            entries.sort();
            for e in entries {
                if e.is_dir() || e.extension().is_some_and(|x| x == "json") {
                    collect(&e, files);
                }
            }
        }
        Err(e) => files.push(Err(ApiError::Read {
            file: path.to_owned(),
            message: e.to_string(),
        })),
    }
}

/// Reads one suite; every fault names the file and the JSON path.
pub fn read_suite(file: &Path) -> Result<ApiSuite, ApiError> {
    let text = std::fs::read_to_string(file).map_err(|e| ApiError::Read {
        file: file.to_owned(),
        message: e.to_string(),
    })?;
    let fault = |path: &str, message: String| ApiError::Suite {
        file: file.to_owned(),
        path: path.to_owned(),
        message,
    };
    let json: Value =
        serde_json::from_str(&text).map_err(|e| fault("(root)", format!("not JSON: {e}")))?;
    let root = json
        .as_object()
        .ok_or_else(|| fault("(root)", "expected an object".into()))?;
    match root.get("format").and_then(Value::as_str) {
        Some(FORMAT) => {}
        other => {
            return Err(fault(
                "format",
                format!("expected `{FORMAT}`, found {other:?}"),
            ))
        }
    }
    let name = string(root, "suite", "", &fault)?;
    let items = root
        .get("cases")
        .and_then(Value::as_array)
        .ok_or_else(|| fault("cases", "expected an array of cases".into()))?;
    let mut cases = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = format!("cases[{i}]");
        let m = item
            .as_object()
            .ok_or_else(|| fault(&at, "expected an object".into()))?;
        let id = string(m, "id", &at, &fault)?;
        if cases.iter().any(|c: &ApiCase| c.id == id) {
            return Err(fault(
                &format!("{at}.id"),
                format!("the id `{id}` is given twice"),
            ));
        }
        let source = string(m, "source", &at, &fault)?;
        if !source.starts_with("https://") && !source.starts_with('D') {
            return Err(fault(
                &format!("{at}.source"),
                "cite the AWS page (https://...) or a D-number".into(),
            ));
        }
        let description = m
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let calls = m
            .get("calls")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| fault(&format!("{at}.calls"), "expected a non-empty array".into()))?;
        let mut steps = Vec::new();
        for (j, c) in calls.iter().enumerate() {
            steps.push(step(c, &format!("{at}.calls[{j}]"), &fault)?);
        }
        cases.push(ApiCase {
            id,
            description,
            source,
            steps,
        });
    }
    Ok(ApiSuite {
        file: file.to_owned(),
        name,
        cases,
    })
}

fn string(
    m: &Map<String, Value>,
    key: &str,
    at: &str,
    fault: &dyn Fn(&str, String) -> ApiError,
) -> Result<String, ApiError> {
    let path = if at.is_empty() {
        key.to_owned()
    } else {
        format!("{at}.{key}")
    };
    m.get(key)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| fault(&path, "expected a string".into()))
}

fn step(
    json: &Value,
    at: &str,
    fault: &dyn Fn(&str, String) -> ApiError,
) -> Result<Step, ApiError> {
    let m = json
        .as_object()
        .ok_or_else(|| fault(at, "expected an object".into()))?;
    for key in m.keys() {
        if !matches!(key.as_str(), "call" | "expect" | "save") {
            return Err(fault(&format!("{at}.{key}"), "unknown field".into()));
        }
    }
    let call = m
        .get("call")
        .and_then(Value::as_object)
        .ok_or_else(|| fault(&format!("{at}.call"), "expected an object".into()))?;
    if !call.get("Action").is_some_and(Value::is_string) {
        return Err(fault(
            &format!("{at}.call.Action"),
            "expected a string".into(),
        ));
    }
    // A document given as a JSON object is sent as its text, as the API takes it.
    let call: Map<String, Value> = call
        .iter()
        .map(|(k, v)| match v {
            Value::Object(_) if k.ends_with("Document") => {
                (k.clone(), Value::String(v.to_string()))
            }
            _ => (k.clone(), v.clone()),
        })
        .collect();
    let expect = match m.get("expect") {
        None => Expected::Ok { result: None },
        Some(Value::String(s)) if s == "ok" => Expected::Ok { result: None },
        Some(Value::Object(e)) => match (e.get("error"), e.get("result")) {
            (Some(Value::String(code)), None) => Expected::Error(code.clone()),
            (None, Some(result)) => Expected::Ok {
                result: Some(result.clone()),
            },
            _ => {
                return Err(fault(
                    &format!("{at}.expect"),
                    "expected `\"ok\"`, `{\"error\": CODE}` or `{\"result\": {...}}`".into(),
                ))
            }
        },
        Some(_) => {
            return Err(fault(
                &format!("{at}.expect"),
                "expected `\"ok\"`, `{\"error\": CODE}` or `{\"result\": {...}}`".into(),
            ))
        }
    };
    let mut save = Vec::new();
    if let Some(s) = m.get("save") {
        let s = s
            .as_object()
            .ok_or_else(|| fault(&format!("{at}.save"), "expected an object".into()))?;
        for (name, path) in s {
            let path = path.as_str().ok_or_else(|| {
                fault(
                    &format!("{at}.save.{name}"),
                    "expected a result path".into(),
                )
            })?;
            save.push((name.clone(), path.to_owned()));
        }
    }
    Ok(Step {
        call: Value::Object(call),
        expect,
        save,
    })
}

/// An implementation behind the line protocol (API-FORMAT.md, "The line protocol"): one JSON
/// object a line each way, one answer per request.
pub struct ExternalApi {
    command: String,
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<String>,
    timeout: Duration,
}

impl ExternalApi {
    /// Starts `command` with `sh -c` and checks its greeting.
    pub fn start(command: &str, timeout: Duration) -> Result<ExternalApi, ApiError> {
        let cannot = |message: String| ApiError::CannotStart {
            command: command.to_owned(),
            message,
        };
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| cannot(e.to_string()))?;
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| cannot("no standard input".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| cannot("no standard output".into()))?;
        let (send, lines) = std::sync::mpsc::sync_channel(16);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if send.send(line).is_err() {
                    break;
                }
            }
        });
        let mut external = ExternalApi {
            command: command.to_owned(),
            child,
            stdin,
            lines,
            timeout,
        };
        let hello = external.ask(&serde_json::json!({"op": "hello", "protocol": FORMAT}))?;
        if hello.get("protocol").and_then(Value::as_str) != Some(FORMAT) {
            return Err(cannot(format!(
                "it greeted with {hello}, not protocol `{FORMAT}`"
            )));
        }
        Ok(external)
    }

    fn fail(&self, what: String) -> ApiError {
        ApiError::Implementation {
            command: self.command.clone(),
            what,
        }
    }

    fn ask(&mut self, request: &Value) -> Result<Value, ApiError> {
        writeln!(self.stdin, "{request}")
            .and_then(|()| self.stdin.flush())
            .map_err(|e| self.fail(format!("stopped reading its input: {e}")))?;
        // Startup (a server the adapter launches) may take longer than a call.
        let wait = if request.get("op").and_then(Value::as_str) == Some("hello") {
            self.timeout.max(Duration::from_secs(60))
        } else {
            self.timeout
        };
        let line = match self.lines.recv_timeout(wait) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => {
                return Err(self.fail(format!(
                    "did not answer {request} within {} s",
                    wait.as_secs_f64()
                )))
            }
            Err(RecvTimeoutError::Disconnected) => {
                return Err(self.fail(format!("exited before answering {request}")))
            }
        };
        serde_json::from_str(&line)
            .map_err(|e| self.fail(format!("answered a line that is not JSON ({e}): {line}")))
    }
}

impl ApiImplementation for ExternalApi {
    fn reset(&mut self) -> Result<(), ApiError> {
        let answer = self.ask(&serde_json::json!({"op": "reset"}))?;
        if answer.get("ok") == Some(&Value::Bool(true)) {
            Ok(())
        } else {
            Err(self.fail(format!("answered reset with {answer}")))
        }
    }

    fn call(&mut self, call: &Value) -> Result<Answer, ApiError> {
        let answer = self.ask(&serde_json::json!({"op": "call", "call": call}))?;
        if let Some(result) = answer.get("result") {
            return Ok(Ok(result.clone()));
        }
        let error = answer.get("error");
        match error.and_then(|e| e.get("code")).and_then(Value::as_str) {
            Some(code) => Ok(Err((
                code.to_owned(),
                error
                    .and_then(|e| e.get("message"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
            ))),
            None => Err(self.fail(format!(
                "answered a call with {answer}: neither `result` nor `error.code`"
            ))),
        }
    }
}

impl Drop for ExternalApi {
    fn drop(&mut self) {
        // Closing its input asks the implementation to stop; it is killed if it does not.
        let _ = writeln!(self.stdin, "{}", serde_json::json!({"op": "bye"}));
        let _ = self.stdin.flush();
        for _ in 0..50 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
