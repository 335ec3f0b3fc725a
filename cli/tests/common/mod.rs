//! What the CLI tests share: running the `iamspec` binary from the workspace root, and the
//! transcript a snapshot holds.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The workspace root: every path a test passes is relative to it.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// One run of the binary.
pub struct Run {
    /// The arguments as a shell would need them.
    pub command: String,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// The text a snapshot holds.
    pub fn transcript(&self) -> String {
        format!(
            "$ iamspec {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
            self.command, self.code, self.stdout, self.stderr
        )
    }
}

/// Runs `iamspec args` with an empty standard input.
pub fn iamspec(args: &[&str]) -> Run {
    iamspec_with_input(args, None)
}

/// Runs `iamspec args` with `input` on standard input. `NO_COLOR` is removed so that colour
/// depends on the terminal alone (none here).
pub fn iamspec_with_input(args: &[&str], input: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamspec"))
        .args(args)
        .current_dir(workspace())
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    if let Some(input) = input {
        // An implementation that exits before reading closes the pipe; that is its answer.
        let _ = stdin.write_all(input);
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    Run {
        command: args.iter().map(|a| quoted(a)).collect::<Vec<_>>().join(" "),
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// An argument as a shell would need it, for the transcript.
pub fn quoted(arg: &str) -> String {
    if arg.contains([' ', '\'', '"', '$', ';', '>', '&', '|', '\\']) {
        format!("'{}'", arg.replace('\'', r"'\''"))
    } else {
        arg.to_owned()
    }
}
