//! The conventions every command follows (`--format`, several files, inputs as users have them,
//! broken pipes, colour, `-q`, flag edge values) and the simulate-style `eval`, run on the built
//! binary. Snapshots: `cli/tests/snapshots/cli_conventions__*.snap`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{iamspec, workspace};
use std::process::{Command, Stdio};

use std::io::Read;

fn fixture(name: &str) -> String {
    format!("cli/tests/fixtures/{name}")
}

const ALICE: &str = "arn:aws:iam::111122223333:user/alice";

// ---------------------------------------------------------------------------------------------
// eval, simulate-style

#[test]
fn eval_simulates_every_action_on_every_resource() {
    let identity = fixture("simulate-identity.json");
    let wrapped = fixture("simulate-get-policy-version.json");
    let run = iamspec(&[
        "eval",
        "--policy",
        &identity,
        &wrapped,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "s3:DeleteObject",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
        "arn:aws:s3:::photos/cat.jpg",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    insta::assert_snapshot!("eval_simulate_text", run.transcript());
}

#[test]
fn eval_simulates_with_context_boundary_and_json() {
    let identity = fixture("simulate-identity.json");
    let boundary = fixture("simulate-boundary.json");
    let run = iamspec(&[
        "eval",
        "--format",
        "json",
        "--policy",
        &identity,
        "--boundary",
        &boundary,
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "s3:ListBucket",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
        "--context",
        "aws:SourceIp=203.0.113.9,ip",
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let records = common::records(&run.stdout);
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r["eval_decision"] == "allowed"));
    insta::assert_snapshot!("eval_simulate_json", run.transcript());
}

#[test]
fn eval_names_missing_context_values() {
    let run = iamspec(&[
        "eval",
        "--policy",
        &fixture("simulate-identity.json"),
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::reports/q1.csv",
    ]);
    assert_eq!(run.code, 0);
    assert!(run
        .stdout
        .starts_with("s3:GetObject on arn:aws:s3:::reports/q1.csv: implicitDeny\n"));
    assert!(
        run.stdout
            .contains("  missing context values: aws:SourceIp\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn eval_rejects_bad_context_and_invalid_policies_by_file() {
    let run = iamspec(&[
        "eval",
        "--policy",
        &fixture("simulate-identity.json"),
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
        "--context",
        "aws:SourceIp=somewhere,ip",
    ]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "--context: `aws:SourceIp=somewhere,ip`: `somewhere` is not ip\n"
    );
    let run = iamspec(&[
        "eval",
        "--policy",
        &fixture("errors-policy.json"),
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("cli/tests/fixtures/errors-policy.json"),
        "{}",
        run.stderr
    );
}

// ---------------------------------------------------------------------------------------------
// eval on suites

#[test]
fn eval_explains_every_case_of_a_suite() {
    let run = iamspec(&["eval", &fixture("suite-failing.json")]);
    // The second case expects the wrong decision; the third expects (and gets) an error.
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("eval_suite", run.transcript());
}

#[test]
fn eval_picks_one_case_and_names_it_in_json() {
    let run = iamspec(&[
        "eval",
        "--json",
        "--case",
        "allowed-by-identity",
        &fixture("suite-failing.json"),
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let records = common::records(&run.stdout);
    assert_eq!(records.len(), 1);
    let record = &records[0];
    assert_eq!(record["file"], "cli/tests/fixtures/suite-failing.json");
    assert_eq!(record["case"], "allowed-by-identity");
    assert_eq!(record["path"], "cases[0]");
    let run = iamspec(&["eval", "--case", "nope", &fixture("suite-failing.json")]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "cli/tests/fixtures/suite-failing.json: no case with id `nope`\n"
    );
}

#[test]
fn eval_help_says_it_takes_several_cases() {
    let run = iamspec(&["eval", "--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Case or suite files in the conformance format (`-` for standard input); several may be given"));
    assert!(run.stdout.contains("iamspec eval --policy <FILE>..."));
}

// ---------------------------------------------------------------------------------------------
// conventions

#[test]
fn a_closed_pipe_ends_the_command_quietly() {
    // `iamspec conformance run conformance/suites --json | head -1`
    let mut child = Command::new(env!("CARGO_BIN_EXE_iamspec"))
        .args(["conformance", "run", "--json", "conformance/suites"])
        .current_dir(workspace())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 10];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn usage_errors_exit_2() {
    let run = iamspec(&["eval", "--no-such-flag"]);
    assert_eq!(run.code, 2);
    let run = iamspec(&["conformance", "run", "--format", "yaml", "x"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("invalid value 'yaml' for '--format <FORMAT>'"),
        "{}",
        run.stderr
    );
}

/// Several files, one of them missing: each is reported, the rest still validated, and the exit
/// status is the worst (2).
#[test]
fn validate_reads_files_as_users_have_them() {
    let files = [
        "bom-policy.json",
        "utf16-policy.json",
        "get-bucket-policy-output.json",
        "simulate-get-policy-version.json",
        "no-such-file.json",
        "huge-number-policy.json",
        "lone-surrogate-policy.json",
        "bucket-policy-as-identity.json",
    ]
    .map(fixture);
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let run = iamspec(&args);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("validate_inputs", run.transcript());
}

#[test]
fn validate_json_has_one_record_per_file_even_unreadable() {
    let run = iamspec(&[
        "validate",
        "--format",
        "json",
        &fixture("bom-policy.json"),
        &fixture("no-such-file.json"),
    ]);
    assert_eq!(run.code, 2);
    let records = common::records(&run.stdout);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["valid"], true);
    assert_eq!(records[1]["file"], "cli/tests/fixtures/no-such-file.json");
    assert!(records[1]["error"]
        .as_str()
        .unwrap()
        .ends_with("no such file or directory"));
}

#[test]
fn colour_always_never_and_no_color() {
    let policy = fixture("bom-policy.json");
    let run = iamspec(&["validate", "--color", "always", &policy]);
    assert!(
        run.stdout.contains("\x1b[32mvalid\x1b[0m"),
        "{}",
        run.stdout
    );
    let run = iamspec(&["validate", "--color", "never", &policy]);
    assert!(!run.stdout.contains('\x1b'));
    // NO_COLOR only changes `auto` (and output to a pipe is never coloured by `auto`).
    let out = Command::new(env!("CARGO_BIN_EXE_iamspec"))
        .args(["validate", &policy])
        .current_dir(workspace())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(!String::from_utf8(out.stdout).unwrap().contains('\x1b'));
}

#[test]
fn quiet_drops_notes() {
    let wrapped = fixture("simulate-get-policy-version.json");
    let run = iamspec(&["validate", &wrapped]);
    assert!(run
        .stderr
        .contains("read the policy in `PolicyVersion.Document`"));
    let run = iamspec(&["validate", "-q", &wrapped]);
    assert_eq!(run.stderr, "");
    assert_eq!(run.code, 0);
}

#[test]
fn summary_takes_several_files() {
    let run = iamspec(&[
        "summary",
        "--json",
        &fixture("simulate-identity.json"),
        &fixture("get-bucket-policy-output.json"),
    ]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    let files: Vec<String> = common::records(&run.stdout)
        .iter()
        .map(|r| r["file"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        files,
        [
            "cli/tests/fixtures/simulate-identity.json",
            "cli/tests/fixtures/get-bucket-policy-output.json"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// one set of conventions, checked on every command

/// Every command, as its path of subcommands.
const COMMANDS: [&[&str]; 20] = [
    &["eval"],
    &["validate"],
    &["lint"],
    &["summary"],
    &["conformance", "run"],
    &["bench"],
    &["equiv"],
    &["check", "no-new-access"],
    &["check", "access-not-granted"],
    &["check", "no-public-access"],
    &["reach"],
    &["access"],
    &["permissions"],
    &["who-can"],
    &["escalation"],
    &["path"],
    &["audit"],
    &["credential-report"],
    &["conformance", "run"],
    &["validate"],
];

/// The `--long` flags the help's option list names.
fn options_listed(help: &str) -> Vec<String> {
    help.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("--") || (l.starts_with('-') && l.get(2..4) == Some(", ")))
        .filter_map(|l| {
            let at = l.find("--")?;
            let name: String = l[at..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '=' && *c != '<')
                .collect();
            Some(name)
        })
        .filter(|n| n != "--help" && n != "--version")
        .collect()
}

/// The `Usage:` paragraph of a help text.
fn usage_of(help: &str) -> &str {
    let start = help.find("Usage:").unwrap();
    let rest = &help[start..];
    &rest[..rest.find("\n\n").unwrap_or(rest.len())]
}

#[test]
fn every_usage_line_shows_every_option() {
    for command in COMMANDS {
        let mut args = command.to_vec();
        args.push("--help");
        let run = iamspec(&args);
        assert_eq!(run.code, 0, "{}", run.transcript());
        let usage = usage_of(&run.stdout);
        assert!(usage.contains("Usage: iamspec"), "{usage}");
        assert!(
            !usage.contains("[OPTIONS]") || command == ["eval"],
            "{usage}"
        );
        let listed = options_listed(&run.stdout);
        assert!(!listed.is_empty(), "{}", run.stdout);
        for option in listed {
            assert!(
                usage.contains(&format!("{option} ")) || usage.contains(&format!("{option}]")),
                "`iamspec {} --help`: the usage does not show {option}:\n{usage}",
                command.join(" ")
            );
        }
    }
    let run = iamspec(&["validate", "--help"]);
    insta::assert_snapshot!("validate_usage", usage_of(&run.stdout));
}

/// `--format json` on every command that reads files prints one array of records, one per line,
/// each naming its file (`files` for the answers that come from several).
#[test]
fn json_is_one_array_of_records_naming_their_file() {
    let identity = fixture("simulate-identity.json");
    let suite = fixture("suite-failing.json");
    let world = "examples/world";
    let alice = "arn:aws:iam::222222222222:user/alice";
    let runs: Vec<Vec<&str>> = vec![
        vec!["eval", &suite],
        vec![
            "eval",
            "--policy",
            &identity,
            "--principal",
            ALICE,
            "--action",
            "s3:GetObject",
        ],
        vec![
            "validate",
            &identity,
            "cli/tests/fixtures/no-such-file.json",
        ],
        vec!["lint", &identity, "cli/tests/fixtures/no-such-file.json"],
        vec!["summary", &identity],
        vec!["conformance", "run", &suite],
        vec!["bench", "--seconds", "0.01", &suite],
        vec![
            "access",
            world,
            "--principal",
            alice,
            "--action",
            "s3:GetObject",
            "--resource",
            "*",
        ],
        vec!["permissions", world, "--principal", alice],
        vec!["audit", world, "--at", "2026-12-01T00:00:00Z"],
        vec![
            "credential-report",
            "cli/tests/fixtures/audit",
            "--at",
            "2024-06-01T00:00:00Z",
        ],
    ];
    for mut args in runs {
        args.push("--format");
        args.push("json");
        let run = iamspec(&args);
        let records = common::records(&run.stdout);
        assert!(!records.is_empty(), "{}", run.transcript());
        for record in &records {
            assert!(
                record["file"].is_string() || record["files"].is_array(),
                "{}: {record}",
                run.command
            );
        }
    }
}

#[test]
fn bench_measures_past_a_bad_suite_and_says_so() {
    let run = iamspec(&[
        "bench",
        "--seconds",
        "0.01",
        "cli/tests/fixtures/no-such-suite.json",
        &fixture("suite-failing.json"),
    ]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    assert!(run.stdout.contains("decisions/s: "), "{}", run.transcript());
    insta::assert_snapshot!("bench_past_a_bad_suite", run.stderr);
}

/// Edge values of the flags: errors that say what is expected, exit 2; a fraction of a second is
/// a valid timeout.
#[test]
fn flag_edge_values() {
    let suite = fixture("suite-failing.json");
    let mut transcripts = Vec::new();
    for args in [
        vec![
            "conformance",
            "run",
            "--impl",
            "true",
            "--timeout",
            "0",
            &suite,
        ],
        vec![
            "conformance",
            "run",
            "--impl",
            "true",
            "--timeout",
            "-1",
            &suite,
        ],
        vec![
            "conformance",
            "run",
            "--impl",
            "true",
            "--timeout",
            "nan",
            &suite,
        ],
        vec![
            "conformance",
            "run",
            "--impl",
            "true",
            "--timeout",
            "1e400",
            &suite,
        ],
        vec!["conformance", "run", "--timeout", "ten", &suite],
        vec!["bench", "--seconds", "0", &suite],
        vec!["validate", "--format", "sarif", &suite],
        vec!["validate", "--color", "sometimes", &suite],
        vec!["validate", "--json", "--format", "text", &suite],
        vec!["lint", "--min-severity", "fatal", &suite],
    ] {
        let run = iamspec(&args);
        assert_eq!(run.code, 2, "{}", run.transcript());
        transcripts.push(run.transcript());
    }
    insta::assert_snapshot!("flag_edge_values", transcripts.join("\n"));
    // A fraction of a second is a timeout like any other.
    let run = iamspec(&["conformance", "run", "--timeout", "0.5", &suite]);
    assert_eq!(run.code, 1, "{}", run.transcript());
}

/// Colour on a terminal (through `script`, which gives the command one), not with `NO_COLOR`,
/// not into a pipe.
#[test]
fn colour_on_a_terminal_unless_no_color() {
    let binary = env!("CARGO_BIN_EXE_iamspec");
    let on_terminal = |no_color: bool| {
        let mut command = Command::new("script");
        command
            .args([
                "-qec",
                &format!("{binary} validate cli/tests/fixtures/bom-policy.json"),
                "/dev/null",
            ])
            .current_dir(workspace())
            .env_remove("NO_COLOR");
        if no_color {
            command.env("NO_COLOR", "1");
        }
        command.output().ok().filter(|o| o.status.success())
    };
    let Some(coloured) = on_terminal(false) else {
        common::eprintln_uncaptured(format_args!("skipped: no `script` to give a terminal"));
        return;
    };
    assert!(String::from_utf8_lossy(&coloured.stdout).contains("\x1b[32mvalid\x1b[0m"));
    let plain = on_terminal(true).unwrap();
    assert!(!String::from_utf8_lossy(&plain.stdout).contains('\x1b'));
}

#[test]
fn eval_walks_directories_and_skips_what_is_not_a_case() {
    let run = iamspec(&["eval", "-q", "examples"]);
    assert_eq!(run.code, 0, "{}", run.transcript());
    assert_eq!(run.stdout.matches("\n== examples/").count() + 1, 4);
    let run = iamspec(&["eval", "examples"]);
    insta::assert_snapshot!("eval_directory_notes", run.stderr);
}

#[test]
fn a_closed_pipe_ends_every_text_output_quietly() {
    for args in [
        &["eval", "conformance/suites"][..],
        &["lint", "conformance/suites"][..],
        &["validate", "--json", "conformance/suites"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_iamspec"))
            .args(args)
            .current_dir(workspace())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 10];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        // `lint` and `validate` of suites find errors, status 1, when they finish before the
        // reader leaves; a closed pipe is 0.
        assert!(matches!(status.code(), Some(0 | 1)), "{args:?}: {status}");
    }
}

/// `1e400` and a lone surrogate: every command that reads the document names the cause, not
/// only serde's symptom.
#[test]
fn numbers_beyond_json_and_lone_surrogates_are_named_by_every_command() {
    let dir = std::env::temp_dir().join(format!("iamspec-causes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let suite = dir.join("suite.json");
    std::fs::write(
        &suite,
        r#"{"format":"iamspec-conformance/1","suite":"x","cases":[{"id":"a","n":1e400}]}"#,
    )
    .unwrap();
    let suite = suite.to_str().unwrap().to_owned();
    let number = fixture("huge-number-policy.json");
    let surrogate = fixture("lone-surrogate-policy.json");
    let runs = [
        vec!["lint", number.as_str(), surrogate.as_str()],
        vec!["summary", number.as_str(), surrogate.as_str()],
        vec!["eval", suite.as_str()],
        vec!["conformance", "run", suite.as_str()],
        vec!["bench", suite.as_str()],
    ];
    for args in runs {
        let run = iamspec(&args);
        let all = format!("{}{}", run.stdout, run.stderr);
        assert!(
            all.contains("`1e400` is beyond what a JSON number can hold"),
            "{}",
            run.transcript()
        );
        if args.contains(&surrogate.as_str()) {
            assert!(
                all.contains("is half of a UTF-16 surrogate pair"),
                "{}",
                run.transcript()
            );
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A corpus-wide lint shows `[done/total] file` on a terminal's standard error (through
/// `script`), and nothing of it into a pipe or with `-q`.
#[test]
fn progress_only_on_a_terminal() {
    let binary = env!("CARGO_BIN_EXE_iamspec");
    let on_terminal = |extra: &str| {
        Command::new("script")
            .args([
                "-qec",
                &format!("{binary} lint {extra} cli/tests/fixtures/lint"),
                "/dev/null",
            ])
            .current_dir(workspace())
            .output()
            .ok()
            .filter(|o| !o.stdout.is_empty())
    };
    let Some(shown) = on_terminal("") else {
        common::eprintln_uncaptured(format_args!("skipped: no `script` to give a terminal"));
        return;
    };
    let shown = String::from_utf8_lossy(&shown.stdout).into_owned();
    assert!(shown.contains("\r\x1b[2K[0/"), "{shown}");
    let quiet = String::from_utf8_lossy(&on_terminal("-q").unwrap().stdout).into_owned();
    assert!(!quiet.contains("\x1b[2K["), "{quiet}");
    let piped = iamspec(&["lint", "cli/tests/fixtures/lint"]);
    assert!(!piped.stderr.contains('\x1b'), "{}", piped.stderr);
}

#[test]
fn eval_hints_resource_policy_for_a_principal_given_as_policy() {
    let run = iamspec(&[
        "eval",
        "--policy",
        &fixture("bucket-policy-as-identity.json"),
        "--principal",
        ALICE,
        "--action",
        "s3:GetObject",
    ]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("eval_principal_hint", run.transcript());
}
