//! `iamspec who-can`, `escalation` and `path` on the reach fixture world
//! (`reach/tests/fixtures/escalation-world`), each output format snapshotted with `insta`
//! (`cli/tests/snapshots/reach_world__*.snap`); the DOT output is rendered by Graphviz where
//! `dot` is installed.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use std::process::Command;

/// The command, exit status, standard output and standard error.
fn iamspec(args: &[&str]) -> (String, i32, String, String) {
    let run = common::iamspec(args);
    (run.command, run.code, run.stdout, run.stderr)
}

fn transcript(args: &[&str]) -> String {
    common::iamspec(args).transcript()
}

const WORLD: &str = "reach/tests/fixtures/escalation-world";

#[test]
fn escalation_in_every_format() {
    for format in ["text", "json", "sarif", "dot", "mermaid"] {
        insta::assert_snapshot!(
            format!("reach_escalation_{format}"),
            transcript(&["escalation", WORLD, "--format", format])
        );
    }
}

#[test]
fn who_can_text_and_json() {
    for format in ["text", "json"] {
        insta::assert_snapshot!(
            format!("reach_who_can_{format}"),
            transcript(&[
                "who-can",
                WORLD,
                "--action",
                "s3:GetObject",
                "--resource",
                "arn:aws:s3:::prod-data/report.csv",
                "--format",
                format,
            ])
        );
    }
}

/// A degenerate question still gets its answer, with warnings that say why it may mislead.
#[test]
fn who_can_warns_on_degenerate_questions() {
    let (_, code, _, stderr) = iamspec(&[
        "who-can",
        WORLD,
        "--action",
        "s3:GetObjectz",
        "--resource",
        "*",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning: `s3:GetObjectz` is not an action of"),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: `--resource *` asks about"),
        "{stderr}"
    );
    let (_, code, _, stderr) = iamspec(&[
        "who-can",
        WORLD,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::not-in-the-world/key",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("`arn:aws:s3:::not-in-the-world/key` names no account and is not a resource of the snapshot"),
        "{stderr}"
    );
}

#[test]
fn who_can_max_hops_cuts_longer_paths() {
    let (_, code, stdout, _) = iamspec(&[
        "who-can",
        WORLD,
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::prod-data/report.csv",
        "--max-hops",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let records: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let bob = records
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["principal"] == "arn:aws:iam::444455556666:user/bob")
        .unwrap();
    // bob needs two steps (an access key for ops, then ops attaches AdministratorAccess).
    assert_eq!(bob["verdict"], "no");
    assert_eq!(bob["min_steps"], serde_json::Value::Null);
}

#[test]
fn path_to_admin_and_to_a_principal() {
    insta::assert_snapshot!(
        "reach_path_alice_admin",
        transcript(&[
            "path",
            WORLD,
            "--from",
            "arn:aws:iam::444455556666:user/alice",
            "--to",
            "admin",
            "--paths",
            "3",
        ])
    );
    insta::assert_snapshot!(
        "reach_path_none",
        transcript(&[
            "path",
            WORLD,
            "--from",
            "arn:aws:iam::444455556666:user/reader",
            "--to",
            "arn:aws:iam::444455556666:role/ci",
        ])
    );
    insta::assert_snapshot!(
        "reach_path_unknown_principal",
        transcript(&[
            "path",
            WORLD,
            "--from",
            "arn:aws:iam::444455556666:user/nobody",
            "--to",
            "admin",
        ])
    );
}

#[test]
fn dot_output_renders_with_graphviz() {
    let (_, _, dot, _) = iamspec(&["escalation", WORLD, "--format", "dot"]);
    let Ok(mut child) = Command::new("dot")
        .arg("-Tsvg")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
    else {
        eprintln!(
            "skipped: `dot` (Debian's graphviz) is not installed, the DOT output was not rendered"
        );
        return;
    };
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8_lossy(&out.stdout);
    assert!(svg.contains("<svg"));
    assert!(svg.contains("lambda&#45;001") || svg.contains("lambda-001"));
}

/// The output conventions of every command: `--json` is `--format json`, `-q` keeps the
/// principals and the summary without their paths, `--color always` colours the verdicts, and a
/// format the commands do not have is an input error.
#[test]
fn output_conventions() {
    let (_, code, json, _) = iamspec(&["escalation", WORLD, "--json"]);
    let (_, _, format_json, _) = iamspec(&["escalation", WORLD, "--format", "json"]);
    assert_eq!((code, &json), (1, &format_json));
    let (_, _, quiet, _) = iamspec(&["escalation", WORLD, "-q", "--color", "never"]);
    assert!(quiet.contains("user/bob (2 steps)"), "{quiet}");
    assert!(!quiet.contains("iam-002 ->"), "{quiet}");
    let (_, _, full, _) = iamspec(&["escalation", WORLD, "--color", "never"]);
    assert!(full.contains("iam-002 ->"), "{full}");
    let (_, _, colored, _) = iamspec(&["escalation", WORLD, "-q", "--color", "always"]);
    assert!(colored.contains("\x1b[31myes"), "{colored}");
    let (_, code, _, stderr) = iamspec(&["escalation", WORLD, "--format", "yaml"]);
    assert_eq!(code, 2, "{stderr}");
    let (_, code, _, _) = iamspec(&["escalation", WORLD, "--json", "--format", "text"]);
    assert_eq!(code, 2);
}

/// `--cases-out`: every request that decided a hop (and, for who-can, the request at each path's
/// end) as a conformance suite that `iamspec eval` replays with the decisions it states. On the
/// example organization the requests of alice and bob carry the EU region the SCP wants (D104).
#[test]
fn hops_replay_as_conformance_cases() {
    let dir = std::env::temp_dir().join(format!("iamspec-reach-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("who-can.json");
    let out = file.to_str().unwrap();
    let (_, code, _, stderr) = iamspec(&[
        "who-can",
        "examples/world",
        "--action",
        "s3:GetObject",
        "--resource",
        "arn:aws:s3:::example-app-data/report.csv",
        "--cases-out",
        out,
    ]);
    assert_eq!(code, 0, "{stderr}");
    let suite: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let cases = suite["cases"].as_array().unwrap();
    let alice = cases
        .iter()
        .find(|c| c["id"] == "arn:aws:iam::222222222222:user/alice/path-1/end")
        .unwrap();
    assert_eq!(alice["expect"]["decision"], "allow");
    assert!(alice["request"]["context"]["aws:RequestedRegion"]
        .as_str()
        .unwrap()
        .starts_with("eu-"));
    assert!(cases
        .iter()
        .any(|c| c["id"].as_str().unwrap().ends_with("/hop-1/check-1")));
    let (_, code, stdout, stderr) = iamspec(&["eval", out]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(
        stdout.matches("(as expected)").count(),
        cases.len(),
        "{stdout}"
    );

    let file = dir.join("escalation.json");
    let out = file.to_str().unwrap();
    let (_, code, _, _) = iamspec(&["escalation", WORLD, "-q", "--cases-out", out]);
    assert_eq!(code, 1);
    let (_, code, stdout, stderr) = iamspec(&["eval", out]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.matches("(as expected)").count() >= 5, "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The three questions on the shared real samples, in text, as a new user would first ask them:
/// who can become an administrator, the paths of one principal to it and to another principal,
/// and a principal with no path.
#[test]
fn shared_real_samples_in_text() {
    let dir = common::workspace().join("../shared/data/gaad");
    if !dir.is_dir() {
        common::eprintln_uncaptured(format_args!("skipped: {} is absent", dir.display()));
        return;
    }
    let demo = "../shared/data/gaad/cloudmapper-demo-gaad.json";
    let example = "../shared/data/gaad/cloudsplaining-example-authz-details.json";
    let runs: [(&str, Vec<&str>); 5] = [
        ("escalation_cloudmapper_demo", vec!["escalation", demo]),
        (
            "escalation_cloudsplaining_example",
            vec!["escalation", example],
        ),
        (
            "who_can_cloudmapper_demo",
            vec![
                "who-can",
                demo,
                "--action",
                "s3:GetObject",
                "--resource",
                "arn:aws:s3:::bucket/key",
            ],
        ),
        (
            "path_cloudmapper_demo_to_a_role",
            vec![
                "path",
                demo,
                "--from",
                "arn:aws:iam::123456789012:role/exfiller",
                "--to",
                "arn:aws:iam::123456789012:role/level3",
            ],
        ),
        (
            "path_cloudsplaining_example_none",
            vec![
                "path",
                example,
                "--from",
                "arn:aws:iam::012345678901:user/obama",
                "--to",
                "arn:aws:iam::012345678901:role/OverprivilegedEC2",
                "--max-hops",
                "1",
            ],
        ),
    ];
    for (name, args) in runs {
        insta::assert_snapshot!(format!("reach_shared_{name}"), transcript(&args));
    }
}
