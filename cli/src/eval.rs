use crate::{display_name, input, EXIT_INPUT};
use iamspec_conformance::case::Expect;
use iamspec_conformance::suite::parse_case;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::quote::shown;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Case files in the conformance format (`-` for standard input).
    #[arg(required = true)]
    cases: Vec<PathBuf>,
    /// Print the answer as JSON.
    #[arg(long)]
    json: bool,
}

/// Exit 0 when every case is decided (and, where a case states one, as expected); 1 when a
/// decision differs from its case's `expect`; 2 when an input cannot be read or is invalid.
pub fn run(args: Args) -> u8 {
    let several = args.cases.len() > 1;
    let mut worst = 0;
    for (i, case) in args.cases.iter().enumerate() {
        if several && !args.json {
            if i > 0 {
                println!();
            }
            println!("== {}", display_name(case));
        }
        worst = worst.max(eval_one(case, args.json));
    }
    worst
}

fn eval_one(path: &std::path::Path, json_output: bool) -> u8 {
    let Some((input::Source { name, .. }, json)) = input::read_json_or_report(path) else {
        return EXIT_INPUT;
    };
    let fail = |message: String| {
        eprintln!("{name}: {message}");
        EXIT_INPUT
    };
    if json.get("cases").is_some() {
        return fail("this is a suite, not a case: use `iamspec conformance run`".into());
    }
    let mut json = json;
    // A case file may leave out `expect` (it is then only decided, not checked) and `id`.
    let expect_given = json.get("expect").is_some();
    if let Json::Object(members) = &mut json {
        if !expect_given {
            members.push((
                "expect".into(),
                Json::Object(vec![("error".into(), Json::Bool(true))]),
            ));
        }
        if !members.iter().any(|(k, _)| k == "id") {
            members.push(("id".into(), Json::String(String::new())));
        }
    }
    let case = match parse_case(&json, JsonPath::root()) {
        Ok(case) => case,
        Err((path, message)) => return fail(format!("{path}: {message}")),
    };
    let (request, answer) = match case.evaluate() {
        Ok(result) => result,
        Err(e) => return fail(e.to_string()),
    };
    let expected_ok = match (&case.expect, expect_given) {
        (Expect::Decision { decision, deciding }, true) => Some(
            *decision == answer.decision
                && deciding
                    .as_ref()
                    .is_none_or(|d| answer.deciding.map(|k| k.slot()) == Some(d.as_str())),
        ),
        (Expect::Error, true) => Some(false),
        _ => None,
    };
    if json_output {
        let value = serde_json::json!({
            "decision": answer.decision,
            "deciding": answer.deciding.map(|k| k.slot()),
            "message": answer.message(&request),
            "matched": answer.matched,
            "missing_keys": answer.missing_keys,
            "as_expected": expected_ok,
        });
        println!("{value}");
    } else {
        println!("decision: {}", answer.decision);
        if let Some(kind) = answer.deciding {
            println!("deciding: {} ({})", kind.aws_name(), kind.slot());
        }
        println!("message:  {}", answer.message(&request));
        if answer.matched.is_empty() {
            println!("matched statements: none");
        } else {
            println!("matched statements:");
            for statement in &answer.matched {
                println!("  {statement}");
            }
        }
        if !answer.missing_keys.is_empty() {
            let keys: Vec<String> = answer
                .missing_keys
                .iter()
                .map(|key| shown(key).to_string())
                .collect();
            println!("missing context keys: {}", keys.join(", "));
        }
        match expected_ok {
            Some(true) => println!("expected: {} (as expected)", case.expect),
            Some(false) => println!("expected: {} (DIFFERENT)", case.expect),
            None => {}
        }
    }
    u8::from(expected_ok == Some(false))
}
