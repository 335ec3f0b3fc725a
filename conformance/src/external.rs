//! The line protocol of FORMAT.md ("Running"): an external implementation is started once and
//! answers one JSON line per case, echoing the case's `id`.
//!
//! What can go wrong, and what the runner does:
//! - it cannot start, or exits or dies: the run stops with one error naming its exit status and
//!   the tail of its standard error ([`ImplementationError`]);
//! - it takes longer than the timeout: that case fails, the implementation is stopped and
//!   started again for the next case, and the restart is counted ([`External::restarts`]);
//! - it answers another case, or writes a line that is not an answer: that case fails, the line
//!   is quoted, and after [`MAX_BAD_LINES`] of them the run stops;
//! - it writes without reading, or endlessly: memory stays bounded ([`MAX_LINE`] per line, a few
//!   lines queued); a line longer than that stops the run.

mod err;

pub use err::{ImplementationError, StderrTail};

use crate::case::Case;
use crate::runner::Outcome;
use iamspec_model::json::Json;
use iamspec_model::quote::{quoted, shown};
use iamspec_model::Decision;
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The version of the line protocol, sent in every request line as `"protocol"`. Version 2 added
/// the `id` echo; version 1 answers (without `id`) are refused with a message saying so.
pub const PROTOCOL: u32 = 2;
/// The longest line read from an implementation, in bytes.
pub const MAX_LINE: usize = 1 << 20;
/// Lines that are not answers to the case asked (another case's answer, or not an answer at all)
/// after which the run stops.
pub const MAX_BAD_LINES: usize = 3;
/// How many lines of the implementation's standard error an error shows.
const STDERR_TAIL: usize = 10;
/// Lines read ahead of the runner: with the pipe's own buffer, all an implementation that
/// writes without reading can make the runner hold.
const QUEUED_LINES: usize = 4;

pub struct External {
    command: String,
    timeout: Duration,
    forward_stderr: bool,
    running: Option<Running>,
    restarts: usize,
    /// The last process was stopped by a timeout: the next start is a restart.
    timed_out: bool,
    bad_lines: usize,
}

/// One started process: a writer thread feeds its standard input (so that an implementation that
/// does not read cannot block the runner), a reader thread splits its standard output into
/// bounded lines, a third keeps the tail of its standard error.
struct Running {
    child: Child,
    requests: SyncSender<String>,
    lines: Receiver<Line>,
    stderr: Arc<Mutex<VecDeque<String>>>,
    /// Lines received from this process so far (for messages: "line 4").
    line_no: usize,
}

enum Line {
    Text(String),
    /// A line longer than [`MAX_LINE`]: its start.
    TooLong(String),
    /// End of output (or a read error): the implementation closed its standard output.
    Closed,
}

/// What the implementation's line says about the case asked.
enum Reading {
    Answer(Outcome),
    /// Not an answer to this case: why, with the line quoted.
    Bad(String),
}

impl External {
    pub fn new(command: &str, timeout: Duration) -> External {
        External {
            command: command.to_owned(),
            timeout,
            forward_stderr: false,
            running: None,
            restarts: 0,
            timed_out: false,
            bad_lines: 0,
        }
    }

    /// Copies the implementation's standard error to ours as it comes (its tail is kept for
    /// errors either way).
    pub fn forward_stderr(mut self, forward: bool) -> External {
        self.forward_stderr = forward;
        self
    }

    /// How often the implementation was started again after a timeout.
    pub fn restarts(&self) -> usize {
        self.restarts
    }

    fn name(&self) -> String {
        quoted(&self.command).to_string()
    }

    fn start(&self) -> Result<Running, ImplementationError> {
        // A process group of its own: the peer is `sh -c COMMAND`, and whatever COMMAND starts
        // (a wrapper script, a JVM, `sleep ... &`) must go when the peer is stopped, not only `sh`.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| ImplementationError::CannotStart {
                command: self.name(),
                message: e.to_string(),
            })?;
        let missing = |what: &str| ImplementationError::CannotStart {
            command: self.name(),
            message: format!("no {what}"),
        };
        let stdin = child
            .stdin
            .take()
            .ok_or_else(|| missing("standard input"))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| missing("standard output"))?;
        let stderr_pipe = child
            .stderr
            .take()
            .ok_or_else(|| missing("standard error"))?;

        let (requests, to_write) = sync_channel::<String>(1);
        std::thread::spawn(move || write_lines(stdin, &to_write));

        let (send, lines) = sync_channel(QUEUED_LINES);
        std::thread::spawn(move || read_lines(stdout, &send));

        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr);
        let forward = self.forward_stderr;
        std::thread::spawn(move || keep_tail(stderr_pipe, &tail, forward));

        Ok(Running {
            child,
            requests,
            lines,
            stderr,
            line_no: 0,
        })
    }

    /// Kills the process group and reaps `sh`.
    fn stop(&mut self) {
        if let Some(mut running) = self.running.take() {
            // The group is killed before `sh` is reaped: until then its pid, which is the group's
            // id, cannot be reused, so the signal reaches no stranger.
            kill_group(running.child.id());
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
    }

    /// The implementation closed its output or its input: how it ended, and its stderr tail.
    fn ended(&mut self, case: &Case) -> ImplementationError {
        let Some(mut running) = self.running.take() else {
            return ImplementationError::CannotStart {
                command: self.name(),
                message: "not running".into(),
            };
        };
        let status = exit_status(&mut running.child);
        ImplementationError::Exited {
            command: self.name(),
            status,
            case: quoted(&case.id).to_string(),
            tail: settled_tail(&running.stderr),
        }
    }

    /// Asks the implementation about one case. `Err` ends the run.
    pub fn ask(&mut self, case: &Case) -> Result<Outcome, ImplementationError> {
        if self.running.is_none() {
            self.running = Some(self.start()?);
            if std::mem::take(&mut self.timed_out) {
                self.restarts += 1;
            }
        }
        let request = Json::Object(vec![
            ("protocol".into(), Json::Number(PROTOCOL.to_string())),
            ("id".into(), Json::String(case.id.clone())),
            ("request".into(), case.request.clone()),
            ("policies".into(), case.policies.clone()),
        ])
        .to_compact_string();
        let timeout = self.timeout;
        let name = self.name();
        let Some(running) = self.running.as_mut() else {
            return Err(self.ended(case));
        };
        let deadline = Instant::now() + timeout;
        let mut request = request;
        loop {
            match running.requests.try_send(request) {
                Ok(()) => break,
                // The writer still holds an earlier line: the implementation has not read it yet.
                // Past the deadline it is not reading at all.
                Err(TrySendError::Full(back)) if Instant::now() < deadline => {
                    request = back;
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(TrySendError::Full(_)) => {
                    let tail = tail_of(&running.stderr);
                    self.stop();
                    return Err(ImplementationError::NotReading {
                        command: name,
                        case: quoted(&case.id).to_string(),
                        tail,
                    });
                }
                Err(TrySendError::Disconnected(_)) => return Err(self.ended(case)),
            }
        }
        let line = match running
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(Line::Text(line)) => line,
            Ok(Line::TooLong(start)) => {
                running.line_no += 1;
                let error = ImplementationError::LineTooLong {
                    command: name,
                    limit: MAX_LINE,
                    line: running.line_no,
                    start: quoted(&start).to_string(),
                    tail: tail_of(&running.stderr),
                };
                self.stop();
                return Err(error);
            }
            Ok(Line::Closed) | Err(RecvTimeoutError::Disconnected) => return Err(self.ended(case)),
            Err(RecvTimeoutError::Timeout) => {
                self.stop();
                self.timed_out = true;
                return Ok(Outcome::Broken(format!(
                    "no answer within {} s; the implementation was stopped, to be started again for the next case",
                    timeout.as_secs_f64()
                )));
            }
        };
        running.line_no += 1;
        let line_no = running.line_no;
        match read_answer(&line, &case.id) {
            Ok(Reading::Answer(outcome)) => Ok(outcome),
            Ok(Reading::Bad(what)) => {
                self.bad_lines += 1;
                if self.bad_lines >= MAX_BAD_LINES {
                    let tail = tail_of(&running.stderr);
                    self.stop();
                    return Err(ImplementationError::TooManyBadLines {
                        count: self.bad_lines,
                        line: line_no,
                        what,
                        tail,
                    });
                }
                Ok(Outcome::Broken(format!("line {line_no}: {what}")))
            }
            Err(version) => {
                self.stop();
                Err(ImplementationError::Protocol {
                    command: name,
                    got: version,
                    want: PROTOCOL,
                    line: line_no,
                    text: quoted(&line).to_string(),
                })
            }
        }
    }
}

impl Drop for External {
    fn drop(&mut self) {
        self.stop();
    }
}

fn write_lines(mut stdin: ChildStdin, lines: &Receiver<String>) {
    for line in lines {
        if writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .is_err()
        {
            // Dropping the receiver tells `ask` that the implementation's input is closed.
            return;
        }
    }
}

/// Splits `output` into lines of at most [`MAX_LINE`] bytes, sending each; stops at the end, at a
/// read error, at a line too long, or when nobody listens any more.
fn read_lines(output: impl Read, send: &SyncSender<Line>) {
    let mut reader = BufReader::new(output);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX) + 1;
        let line = match (&mut reader).take(limit).read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => Line::Closed,
            Ok(_) if buffer.last() == Some(&b'\n') || buffer.len() <= MAX_LINE => {
                let text = String::from_utf8_lossy(&buffer);
                Line::Text(text.trim_end_matches(['\n', '\r']).to_owned())
            }
            Ok(_) => {
                let start = String::from_utf8_lossy(buffer.get(..400).unwrap_or(&buffer));
                Line::TooLong(start.into_owned())
            }
        };
        let last = !matches!(line, Line::Text(_));
        if send.send(line).is_err() || last {
            return;
        }
    }
}

/// Keeps the last [`STDERR_TAIL`] lines of the implementation's standard error (each shortened,
/// so that the tail stays small whatever it writes), copying them to ours when `forward`.
fn keep_tail(output: impl Read, tail: &Mutex<VecDeque<String>>, forward: bool) {
    let mut reader = BufReader::new(output);
    let mut buffer = Vec::new();
    let limit = u64::try_from(MAX_LINE).unwrap_or(u64::MAX);
    loop {
        buffer.clear();
        match (&mut reader).take(limit).read_until(b'\n', &mut buffer) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let text = String::from_utf8_lossy(&buffer);
        let text = text.trim_end_matches(['\n', '\r']);
        if forward {
            eprintln!("{text}");
        }
        if let Ok(mut tail) = tail.lock() {
            if tail.len() == STDERR_TAIL {
                tail.pop_front();
            }
            tail.push_back(shown(text).to_string());
        }
    }
}

fn tail_of(tail: &Mutex<VecDeque<String>>) -> StderrTail {
    StderrTail(
        tail.lock()
            .map(|t| t.iter().cloned().collect())
            .unwrap_or_default(),
    )
}

/// The tail once the process is gone: its last words may still be in the pipe.
fn settled_tail(tail: &Arc<Mutex<VecDeque<String>>>) -> StderrTail {
    // The reader thread holds the other reference until the pipe closes.
    let deadline = Instant::now() + Duration::from_millis(500);
    while Arc::strong_count(tail) > 1 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    tail_of(tail)
}

/// How `child`, which closed its standard output or input, ended: waits briefly for it to exit
/// by itself, then kills its group and reaps it.
fn exit_status(child: &mut Child) -> String {
    let pid = child.id();
    let deadline = Instant::now() + Duration::from_secs(2);
    while !has_exited(pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    if !has_exited(pid) && std::path::Path::new("/proc/self/stat").exists() {
        kill_group(pid);
        let _ = child.wait();
        return "closed its standard output or input without exiting (it was stopped)".into();
    }
    kill_group(pid);
    match child.wait() {
        Ok(status) => match (status.code(), status.signal()) {
            // `sh -c`'s own statuses for a command it cannot run.
            (Some(127), _) => "exited with status 127 (the shell found no such command)".into(),
            (Some(126), _) => "exited with status 126 (the command is not executable)".into(),
            (Some(code), _) => format!("exited with status {code}"),
            (None, Some(signal)) => format!("was killed by signal {signal}"),
            _ => format!("ended ({status})"),
        },
        Err(e) => format!("ended (cannot wait for it: {e})"),
    }
}

/// Has process `pid` exited (it is a zombie, waiting to be reaped)? Read from `/proc`, so that
/// the process is not reaped before its group is killed; where there is no `/proc`, the
/// answer is "not yet" and the caller's short wait runs out.
fn has_exited(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // `pid (comm) STATE ...`: the state follows the last `)`.
        stat.rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X']))
    })
}

/// Sends SIGKILL to every process of group `pgid`. Through `sh`'s own `kill`, the one the peer
/// already needs, because the standard library signals only its direct child (and `unsafe` is
/// forbidden here, which rules out calling `kill(2)` directly).
fn kill_group(pgid: u32) {
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -s KILL -- -{pgid} 2>/dev/null"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Reads the implementation's line as the answer to case `id`. `Err` carries a protocol version
/// other than ours. What the peer says is echoed in reports, so it is shortened as the model's
/// messages shorten input ([`iamspec_model::quote`]).
fn read_answer(line: &str, id: &str) -> Result<Reading, String> {
    let bad = |why: &str| Ok(Reading::Bad(format!("{why}: {}", quoted(line))));
    let Ok(json) = Json::parse(line) else {
        return bad("not JSON");
    };
    if !matches!(json, Json::Object(_)) {
        return bad("not a JSON object");
    }
    if let Some(version) = json.get("protocol") {
        let text = match version {
            Json::Number(n) => n.clone(),
            other => other.to_compact_string(),
        };
        if text != PROTOCOL.to_string() {
            return Err(shown(&text).to_string());
        }
    }
    match json.get("id") {
        None => return bad("an answer without `id` (line protocol 2 echoes the case's `id`)"),
        Some(Json::String(got)) if got == id => {}
        Some(Json::String(got)) => {
            return bad(&format!("the answer to another case, {}", quoted(got)))
        }
        Some(_) => return bad("an `id` that is not a string"),
    }
    if let Some(message) = json.get("error") {
        return Ok(Reading::Answer(Outcome::Rejected(
            shown(message.as_str().unwrap_or("error")).to_string(),
        )));
    }
    match json
        .get("decision")
        .and_then(Json::as_str)
        .and_then(Decision::parse)
    {
        Some(decision) => Ok(Reading::Answer(Outcome::Decision {
            decision,
            deciding: json
                .get("deciding")
                .and_then(Json::as_str)
                .map(|kind| shown(kind).to_string()),
        })),
        None => bad("neither a `decision` (allow, explicit_deny, implicit_deny) nor an `error`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamspec_model::json::JsonPath;

    fn case(id: &str) -> Case {
        Case {
            id: id.into(),
            description: String::new(),
            source: String::new(),
            request: Json::Object(vec![]),
            policies: Json::Object(vec![]),
            expect: crate::Expect::Error,
            path: JsonPath::root(),
        }
    }

    /// Answers `allow` to every line, echoing its id (pure `sh`, no other process).
    const ALLOW: &str = r#"while read l; do id=${l#*\"id\":\"}; id=${id%%\"*}; echo "{\"id\":\"$id\",\"decision\":\"allow\"}"; done"#;

    #[test]
    fn answers_carry_the_case_id() {
        let mut peer = External::new(ALLOW, Duration::from_secs(5));
        for id in ["a", "b"] {
            assert!(matches!(
                peer.ask(&case(id)),
                Ok(Outcome::Decision {
                    decision: Decision::Allow,
                    ..
                })
            ));
        }
        let mut peer = External::new(
            r#"read l; echo '{"id":"x","error":"bad policy"}'"#,
            Duration::from_secs(5),
        );
        assert_eq!(
            peer.ask(&case("x")),
            Ok(Outcome::Rejected("bad policy".into()))
        );
    }

    #[test]
    fn lines_that_answer_no_case_fail_it_and_stop_the_run_at_the_third() {
        let mut peer = External::new(
            r#"while read l; do echo '{"id":"other","decision":"allow"}'; done"#,
            Duration::from_secs(5),
        );
        let first = peer.ask(&case("a"));
        assert_eq!(
            first,
            Ok(Outcome::Broken(
                r#"line 1: the answer to another case, `other`: `{"id":"other","decision":"allow"}`"#
                    .into()
            ))
        );
        assert!(peer.ask(&case("b")).is_ok());
        let third = peer.ask(&case("c")).unwrap_err().to_string();
        assert!(
            third.starts_with("stopped after 3 lines that were not answers to the case asked (the last: line 3, the answer to another case"),
            "{third}"
        );
    }

    #[test]
    fn an_implementation_that_exits_is_one_error_with_status_and_stderr() {
        let mut peer = External::new(
            "echo starting >&2; echo oops >&2; exit 3",
            Duration::from_secs(5),
        );
        let error = peer.ask(&case("a")).unwrap_err().to_string();
        assert_eq!(
            error,
            "the implementation `echo starting >&2; echo oops >&2; exit 3` exited with status 3 before answering case `a`; its standard error ended with:\n  | starting\n  | oops"
        );
    }

    #[test]
    fn another_protocol_version_stops_the_run() {
        let mut peer = External::new(
            r#"read l; echo '{"protocol":1,"id":"a","decision":"allow"}'"#,
            Duration::from_secs(5),
        );
        let error = peer.ask(&case("a")).unwrap_err().to_string();
        assert!(
            error.contains("speaks line protocol 1; this runner speaks 2"),
            "{error}"
        );
    }

    #[test]
    fn a_line_without_end_stops_the_run_with_bounded_memory() {
        // `yes` without newlines: an endless line.
        let mut peer = External::new("read l; tr -d '\\n' < /dev/zero", Duration::from_secs(20));
        let error = peer.ask(&case("a")).unwrap_err().to_string();
        assert!(
            error.contains("wrote a line of more than 1048576 bytes without a newline (line 1"),
            "{error}"
        );
    }

    #[test]
    fn megabyte_answers_are_shortened_in_reports() {
        let garbage = "x".repeat(1 << 20);
        let Ok(Reading::Bad(message)) = read_answer(&garbage, "a") else {
            panic!("garbage accepted");
        };
        assert_eq!(
            message,
            format!(
                "not JSON: `{}…` ({} more characters)",
                "x".repeat(200),
                (1 << 20) - 200
            )
        );
        let error = format!(r#"{{"id":"a","error":"{garbage}"}}"#);
        let Ok(Reading::Answer(Outcome::Rejected(message))) = read_answer(&error, "a") else {
            panic!("not a rejection");
        };
        assert!(message.len() < 300, "{} bytes", message.len());
        assert!(message.ends_with(" (1048376 more characters)"), "{message}");
    }

    /// A process that is gone or a zombie (killed, waiting for a parent that may never reap it:
    /// PID 1 of a container does not always).
    fn is_dead(pid: &str) -> bool {
        pid.parse().map_or(true, |pid: u32| {
            has_exited(pid) || !std::path::Path::new(&format!("/proc/{pid}")).exists()
        })
    }

    fn wait_dead(pid: &str) -> bool {
        // Killing is asynchronous; a generous bound keeps a busy machine from failing the test.
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while std::time::Instant::now() < deadline {
            if is_dead(pid) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    /// A peer that starts a long-lived grandchild, writes its pid to a file, answers the first
    /// case and hangs on the second.
    fn peer_with_grandchild(name: &str, timeout: Duration) -> (External, std::path::PathBuf) {
        let file = std::env::temp_dir().join(format!(
            "iamspec-external-{}-{name}.pid",
            std::process::id()
        ));
        let _ = std::fs::remove_file(&file);
        let command = format!(
            r#"sleep 1000 & echo $! > '{}'; read l; echo '{{"id":"a","decision":"allow"}}'; read l; wait"#,
            file.display()
        );
        (External::new(&command, timeout), file)
    }

    /// Starts the peer, sees its grandchild running, stops the peer with `stop`, and asserts
    /// that the grandchild died with it (killing it otherwise, so that no test leaves it behind).
    fn assert_grandchild_dies(name: &str, timeout: Duration, stop: impl FnOnce(External)) {
        let (mut peer, file) = peer_with_grandchild(name, timeout);
        assert!(matches!(peer.ask(&case("a")), Ok(Outcome::Decision { .. })));
        let pid = std::fs::read_to_string(&file).unwrap().trim().to_owned();
        assert!(
            !pid.is_empty() && !is_dead(&pid),
            "grandchild `{pid}` not running"
        );
        stop(peer);
        let dead = wait_dead(&pid);
        if !dead {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
        }
        let _ = std::fs::remove_file(&file);
        assert!(dead, "the grandchild {pid} outlived the peer ({name})");
    }

    #[test]
    fn a_timeout_kills_the_peers_children_and_is_counted_as_a_restart() {
        assert_grandchild_dies("timeout", Duration::from_millis(300), |mut peer| {
            assert!(
                matches!(peer.ask(&case("b")), Ok(Outcome::Broken(m)) if m.starts_with("no answer within 0.3 s; the implementation was stopped"))
            );
            assert_eq!(peer.restarts(), 0);
            // Stopped by the timeout itself: dropping it next has nothing left to kill.
            assert!(peer.running.is_none());
        });
    }

    #[test]
    fn dropping_the_peer_kills_its_children_too() {
        assert_grandchild_dies("drop", Duration::from_secs(30), drop);
    }
}
