//! The line protocol of FORMAT.md: an external implementation is started once and answers one
//! JSON line per case. A peer that crashes, hangs or answers garbage costs that case only: it is
//! restarted for the next one.

use crate::case::Case;
use crate::runner::Outcome;
use iamspec_model::json::Json;
use iamspec_model::Decision;
use std::io::{BufRead, BufReader, Write};
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
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start `{}`: {e}", self.command))?;
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

fn parse_answer(line: &str) -> Outcome {
    let shown: String = line.chars().take(200).collect();
    let garbage = || Outcome::Broken(format!("unreadable answer `{shown}`"));
    let Ok(json) = Json::parse(line) else {
        return garbage();
    };
    if let Some(message) = json.get("error") {
        return Outcome::Rejected(message.as_str().unwrap_or("error").to_owned());
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
                .map(str::to_owned),
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
}
