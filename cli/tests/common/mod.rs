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

    /// The transcript with standard output, a JSON array of records (checked), pretty-printed
    /// so that a snapshot can be read.
    pub fn json_transcript(&self) -> String {
        let records = serde_json::Value::Array(records(&self.stdout));
        format!(
            "$ iamspec {}\nexit: {}\n--- stdout (JSON, pretty-printed)\n{}\n--- stderr\n{}",
            self.command,
            self.code,
            serde_json::to_string_pretty(&records).unwrap(),
            self.stderr
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

/// The records of a command's JSON output: one array, each record on its own line between the
/// brackets (so that line tools still work on it).
pub fn records(stdout: &str) -> Vec<serde_json::Value> {
    let value: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("not one JSON document ({e}):\n{stdout}"));
    let serde_json::Value::Array(records) = value else {
        panic!("not a JSON array:\n{stdout}");
    };
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"["), "{stdout}");
    assert_eq!(lines.last(), Some(&"]"), "{stdout}");
    assert_eq!(
        lines.len(),
        records.len() + 2,
        "one record per line:\n{stdout}"
    );
    records
}

/// A skip must show in `cargo test`'s output, and libtest captures `println!`/`eprintln!` of
/// passing tests: this writes to the process's standard error directly, which it does not.
pub fn eprintln_uncaptured(message: std::fmt::Arguments<'_>) {
    let _ = writeln!(std::io::stderr(), "{message}");
}
