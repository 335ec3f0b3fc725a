//! `iamspec conformance run` as an evaluator author meets it: suites found and skipped, per-suite
//! totals, and one test per way an external implementation can fail (FORMAT.md, "The line
//! protocol, version 2"). The fake implementations are `sh` one-liners; every timeout is short.
//! Snapshots: `cli/tests/snapshots/runner__*.snap`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{iamspec, Run};

const SUITE: &str = "cli/tests/fixtures/suite-failing.json";

/// Reads each line, takes its `id` and answers `allow` for it (pure `sh`).
const ALLOW: &str = r#"while read l; do id=${l#*\"id\":\"}; id=${id%%\"*}; echo "{\"id\":\"$id\",\"decision\":\"allow\"}"; done"#;

fn run_impl(implementation: &str, extra: &[&str]) -> Run {
    let mut args = vec!["conformance", "run", "--impl", implementation];
    args.extend_from_slice(extra);
    args.push(SUITE);
    iamspec(&args)
}

// ---------------------------------------------------------------------------------------------
// the built-in evaluator

#[test]
fn failures_name_their_file_and_totals_come_per_suite() {
    let run = iamspec(&["conformance", "run", SUITE]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("runner_failing_case", run.transcript());
}

#[test]
fn json_records_name_their_file() {
    let run = iamspec(&["conformance", "run", "--format", "json", SUITE]);
    assert_eq!(run.code, 1);
    let records = common::records(&run.stdout);
    assert!(!records.is_empty());
    for record in &records {
        assert_eq!(record["file"], SUITE);
    }
    // `--json` is the same as `--format json`.
    let alias = iamspec(&["conformance", "run", "--json", SUITE]);
    assert_eq!((alias.code, &alias.stdout), (run.code, &run.stdout));
    insta::assert_snapshot!("runner_json", run.transcript());
}

#[test]
fn colour_is_asked_for_or_not() {
    let run = iamspec(&["conformance", "run", "--color", "always", SUITE]);
    assert!(
        run.stdout
            .starts_with("\x1b[31mFAIL\x1b[0m tiny/wrong-expectation"),
        "{}",
        run.stdout
    );
    // Not a terminal: `auto` means none.
    let run = iamspec(&["conformance", "run", SUITE]);
    assert!(!run.stdout.contains('\x1b'));
}

#[test]
fn quiet_leaves_failures_and_the_closing_line() {
    let run = iamspec(&["conformance", "run", "-q", SUITE]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stdout,
        "FAIL tiny/wrong-expectation (cli/tests/fixtures/suite-failing.json, cases[1]): expected allow, got implicit_deny (identity)\n2 passed, 1 failed\n"
    );
}

#[test]
fn a_filter_that_selects_nothing_is_an_error() {
    let run = iamspec(&["conformance", "run", "--filter", "no-such-case", SUITE]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr,
        "no case matches --filter `no-such-case` (3 cases in 1 suite)\n"
    );
}

#[test]
fn a_directory_of_cases_is_walked_skipping_them_and_selects_nothing() {
    let run = iamspec(&["conformance", "run", "examples"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("runner_directory_without_suites", run.transcript());
}

#[test]
fn a_case_file_is_sent_to_eval() {
    let run = iamspec(&["conformance", "run", "examples/scp.json", SUITE]);
    // The bad file is reported, the suite still runs, and the exit status says both.
    assert_eq!(run.code, 2);
    assert!(run
        .stderr
        .starts_with("examples/scp.json: this is a case, not a suite: use `iamspec eval`\n"));
    assert!(
        run.stdout.ends_with("2 passed, 1 failed\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn edge_values_of_timeout_are_usage_errors() {
    for value in ["0", "-1", "inf", "NaN", "soon"] {
        let run = iamspec(&["conformance", "run", "--timeout", value, SUITE]);
        assert_eq!(run.code, 2, "{value}");
        assert!(run.stderr.contains("--timeout"), "{}", run.stderr);
    }
}

// ---------------------------------------------------------------------------------------------
// external implementations

#[test]
fn an_implementation_that_answers_every_id() {
    let run = run_impl(ALLOW, &[]);
    // It allows everything: the case that expects an error fails, the others pass.
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("runner_impl_answers", run.transcript());
}

#[test]
fn a_missing_command() {
    let run = run_impl("no-such-evaluator --serve", &[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("runner_missing_command", run.transcript());
}

#[test]
fn an_implementation_that_exits_early() {
    let run = run_impl(
        "echo 'loading the policy engine' >&2; echo 'fatal: no licence' >&2; exit 3",
        &[],
    );
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("runner_early_exit", run.transcript());
}

#[test]
fn an_implementation_that_dies_mid_run() {
    // Answers the first case, then kills itself.
    let crasher =
        r#"read l; echo '{"id":"allowed-by-identity","decision":"allow"}'; read l; kill -9 $$"#;
    let run = run_impl(crasher, &[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("runner_dies_mid_run", run.transcript());
}

#[test]
fn an_implementation_that_answers_another_id() {
    let run = run_impl(
        r#"while read l; do echo '{"id":"some-other-case","decision":"allow"}'; done"#,
        &[],
    );
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("runner_wrong_id", run.transcript());
}

#[test]
fn an_implementation_that_writes_what_is_not_an_answer() {
    // A protocol-1 answer (no id), debugging output, and nothing useful.
    let run = run_impl(
        r#"read l; echo '{"decision":"allow"}'; read l; echo 'debug: got a case'; read l; echo '[]'"#,
        &[],
    );
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("runner_not_an_answer", run.transcript());
}

#[test]
fn an_implementation_of_another_protocol_version() {
    let run = run_impl(
        r#"read l; echo '{"protocol":3,"id":"allowed-by-identity","decision":"allow"}'"#,
        &[],
    );
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("speaks line protocol 3; this runner speaks 2 (line 1: "),
        "{}",
        run.stderr
    );
}

/// Writes without ever reading its input: the runner neither blocks on writing to it nor
/// queues its output without bound, and stops on the lines that answer nothing asked.
#[test]
fn an_implementation_whose_output_is_not_read() {
    let run = run_impl(r#"yes '{"id":"x","decision":"allow"}'"#, &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains(
            "error: stopped after 3 lines that were not answers to the case asked (the last: line 3, the answer to another case, `x`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_implementation_with_endless_output() {
    // One line that never ends: the runner reads at most 1 MiB of it.
    let run = run_impl("read l; tr -d '\\n' < /dev/zero | tr '\\0' x", &[]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!("runner_endless_output", run.transcript());
}

#[test]
fn an_implementation_that_hangs_is_restarted_and_the_restarts_reported() {
    // `exec`: the shell becomes the sleeper; the runner kills the whole process group anyway.
    let run = run_impl("exec sleep 30", &["--timeout", "0.2", "--filter", "tiny/"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("runner_hang", run.transcript());
}

/// With `--json`, exit 2 comes with records saying whose fault it is: a consumer (`cargo xtask
/// peer`) tells a broken implementation from a broken suite without reading standard error.
#[test]
fn json_problem_records_tell_the_implementation_from_the_suites() {
    let run = run_impl("exit 3", &["--json"]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let records = common::records(&run.stdout);
    let problem = records.last().unwrap();
    assert_eq!(problem["problem"], "implementation", "{}", run.stdout);
    assert_eq!(problem["file"], SUITE);
    insta::assert_snapshot!("runner_json_implementation_problem", run.json_transcript());

    let run = iamspec(&[
        "conformance",
        "run",
        "--json",
        "cli/tests/fixtures/no-such-suite.json",
        SUITE,
    ]);
    assert_eq!(run.code, 2, "{}", run.transcript());
    let records = common::records(&run.stdout);
    assert_eq!(records[0]["problem"], "suite");
    assert_eq!(records[0]["file"], "cli/tests/fixtures/no-such-suite.json");
    // The other suite still ran.
    assert!(records[1..]
        .iter()
        .all(|r| r["file"] == SUITE && r["passed"].is_boolean()));

    let run = iamspec(&["conformance", "run", "--json", "--filter", "nope", SUITE]);
    assert_eq!(run.code, 2);
    let records = common::records(&run.stdout);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["problem"], "selection");
}

#[test]
fn a_suite_on_standard_input() {
    let text = std::fs::read(common::workspace().join(SUITE)).unwrap();
    let run = common::iamspec_with_input(&["conformance", "run", "-"], Some(&text));
    assert_eq!(run.code, 1, "{}", run.transcript());
    assert!(
        run.stdout.contains("tiny (<stdin>): 2 passed, 1 failed"),
        "{}",
        run.stdout
    );
}
