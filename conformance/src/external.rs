//! The line protocol of FORMAT.md: an external implementation is started once and answers one
//! JSON line per case. A peer that crashes, hangs or answers garbage costs that case only: it is
//! restarted for the next one.

use crate::case::Case;
use crate::runner::Outcome;
use iamspec_model::json::Json;
use iamspec_model::quote::{quoted, shown};
use iamspec_model::Decision;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

pub struct External {
    command: String,
    timeout: Duration,
    running: Option<Running>,
}

struct Running {
    child: Child,
    stdin: ChildStdin,
    lines: Receiver<std::io::Result<String>>,
}

impl External {
    pub fn new(command: &str, timeout: Duration) -> External {
        External {
            command: command.to_owned(),
            timeout,
            running: None,
        }
    }

    fn start(&self) -> Result<Running, String> {
        // A process group of its own: the peer is `sh -c COMMAND`, and whatever COMMAND starts
        // (a wrapper script, a JVM, `sleep ... &`) must go when the peer is stopped, not only `sh`.
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", quoted(&self.command)))?;
        let stdin = child.stdin.take().ok_or("no standard input")?;
        let stdout = child.stdout.take().ok_or("no standard output")?;
        let (send, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let stop = line.is_err();
                if send.send(line).is_err() || stop {
                    break;
                }
            }
        });
        Ok(Running {
            child,
            stdin,
            lines,
        })
    }

    fn stop(&mut self) {
        if let Some(mut running) = self.running.take() {
            // The group is killed before `sh` is reaped: until then its pid, which is the group's
            // id, cannot be reused, so the signal reaches no stranger.
            kill_group(running.child.id());
            let _ = running.child.kill();
            let _ = running.child.wait();
        }
    }

    /// Asks the peer about one case.
    pub fn ask(&mut self, case: &Case) -> Outcome {
        if self.running.is_none() {
            match self.start() {
                Ok(running) => self.running = Some(running),
                Err(message) => return Outcome::Broken(message),
            }
        }
        let line = Json::Object(vec![
            ("id".into(), Json::String(case.id.clone())),
            ("request".into(), case.request.clone()),
            ("policies".into(), case.policies.clone()),
        ])
        .to_compact_string();
        let timeout = self.timeout;
        let Some(running) = self.running.as_mut() else {
            return Outcome::Broken("not running".into());
        };
        if writeln!(running.stdin, "{line}")
            .and_then(|_| running.stdin.flush())
            .is_err()
        {
            self.stop();
            return Outcome::Broken("the implementation exited".into());
        }
        match running.lines.recv_timeout(timeout) {
            Ok(Ok(answer)) => parse_answer(&answer),
            Ok(Err(e)) => {
                self.stop();
                Outcome::Broken(format!("cannot read the answer: {e}"))
            }
            Err(RecvTimeoutError::Timeout) => {
                self.stop();
                Outcome::Broken(format!("no answer within {} s", timeout.as_secs_f64()))
            }
            Err(RecvTimeoutError::Disconnected) => {
                self.stop();
                Outcome::Broken("the implementation exited".into())
            }
        }
    }
}

impl Drop for External {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends SIGKILL to every process of group `pgid`. Through `sh`'s own `kill`, the one the peer
/// already needs, because the standard library signals only its direct child (and `unsafe` is
/// forbidden here, which rules out calling `kill(2)` directly).
fn kill_group(pgid: u32) {
    let _ = Command::new("sh")
        .arg("-c")
        .arg(format!("kill -s KILL -- -{pgid}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// The peer's answer. What it says is echoed in reports, so it is shortened as the model's
/// messages shorten input ([`iamspec_model::quote`]).
fn parse_answer(line: &str) -> Outcome {
    let garbage = || Outcome::Broken(format!("unreadable answer {}", quoted(line)));
    let Ok(json) = Json::parse(line) else {
        return garbage();
    };
    if let Some(message) = json.get("error") {
        return Outcome::Rejected(shown(message.as_str().unwrap_or("error")).to_string());
    }
    match json
        .get("decision")
        .and_then(Json::as_str)
        .and_then(Decision::parse)
    {
        Some(decision) => Outcome::Decision {
            decision,
            deciding: json
                .get("deciding")
                .and_then(Json::as_str)
                .map(|kind| shown(kind).to_string()),
        },
        None => garbage(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamspec_model::json::JsonPath;

    fn case() -> Case {
        Case {
            id: "x".into(),
            description: String::new(),
            source: String::new(),
            request: Json::Object(vec![]),
            policies: Json::Object(vec![]),
            expect: crate::Expect::Error,
            path: JsonPath::root(),
        }
    }

    #[test]
    fn answers_garbage_crashes_and_hangs_are_reported_per_case() {
        let mut peer = External::new(
            r#"while read l; do echo '{"decision":"allow"}'; done"#,
            Duration::from_secs(5),
        );
        assert!(matches!(
            peer.ask(&case()),
            Outcome::Decision {
                decision: Decision::Allow,
                ..
            }
        ));
        let mut peer = External::new("read l; echo not-json", Duration::from_secs(5));
        assert!(matches!(peer.ask(&case()), Outcome::Broken(m) if m.contains("unreadable")));
        // It exited after one answer: the next case restarts it.
        assert!(matches!(peer.ask(&case()), Outcome::Broken(_)));
        let mut peer = External::new("exit 3", Duration::from_secs(5));
        assert!(matches!(peer.ask(&case()), Outcome::Broken(m) if m.contains("exited")));
        let mut peer = External::new("sleep 30", Duration::from_millis(200));
        assert!(matches!(peer.ask(&case()), Outcome::Broken(m) if m.contains("no answer")));
        let mut peer = External::new(
            r#"read l; echo '{"error":"bad policy"}'"#,
            Duration::from_secs(5),
        );
        assert_eq!(peer.ask(&case()), Outcome::Rejected("bad policy".into()));
    }

    #[test]
    fn megabyte_answers_are_shortened_in_reports() {
        let garbage = "x".repeat(1 << 20);
        let Outcome::Broken(message) = parse_answer(&garbage) else {
            panic!("garbage accepted");
        };
        assert_eq!(
            message,
            format!(
                "unreadable answer `{}…` ({} more characters)",
                "x".repeat(200),
                (1 << 20) - 200
            )
        );
        let error = format!(r#"{{"error":"{garbage}"}}"#);
        let Outcome::Rejected(message) = parse_answer(&error) else {
            panic!("not a rejection");
        };
        assert!(message.len() < 300, "{} bytes", message.len());
        assert!(message.ends_with(" (1048376 more characters)"), "{message}");
    }

    /// A process that is gone or a zombie (killed, waiting for a parent that may never reap it:
    /// PID 1 of a container does not always).
    fn is_dead(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            // `pid (comm) STATE ...`: the state follows the last `)`.
            Ok(stat) => stat
                .rsplit_once(')')
                .is_some_and(|(_, rest)| rest.trim_start().starts_with(['Z', 'X'])),
        }
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
            r#"sleep 1000 & echo $! > '{}'; read l; echo '{{"decision":"allow"}}'; read l; wait"#,
            file.display()
        );
        (External::new(&command, timeout), file)
    }

    /// Starts the peer, sees its grandchild running, stops the peer with `stop`, and asserts
    /// that the grandchild died with it (killing it otherwise, so that no test leaves it behind).
    fn assert_grandchild_dies(name: &str, timeout: Duration, stop: impl FnOnce(External)) {
        let (mut peer, file) = peer_with_grandchild(name, timeout);
        assert!(matches!(peer.ask(&case()), Outcome::Decision { .. }));
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
    fn a_timeout_kills_the_peers_children_too() {
        assert_grandchild_dies("timeout", Duration::from_millis(300), |mut peer| {
            assert!(matches!(peer.ask(&case()), Outcome::Broken(m) if m.contains("no answer")));
            // Stopped by the timeout itself: dropping it next has nothing left to kill.
            assert!(peer.running.is_none());
        });
    }

    #[test]
    fn dropping_the_peer_kills_its_children_too() {
        assert_grandchild_dies("drop", Duration::from_secs(30), drop);
    }
}
