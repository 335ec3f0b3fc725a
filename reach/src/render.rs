//! The answers as text, JSON (reach/README.md), SARIF 2.1.0, and the paths as a graph a person
//! can look at: Graphviz DOT and Mermaid.

use crate::decide::Verdict;
use crate::graph::NodeKind;
use crate::query::{FoundPath, Record};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The records as pretty JSON (one object per principal).
pub fn json(records: &[Record]) -> String {
    serde_json::to_string_pretty(records).unwrap_or_else(|_| "[]".into())
}

fn steps(n: usize) -> String {
    match n {
        0 => "directly".into(),
        1 => "1 step".into(),
        n => format!("{n} steps"),
    }
}

fn verdict(v: &Verdict) -> &'static str {
    match v {
        Verdict::Yes => "yes",
        Verdict::Conditional => "conditional",
        Verdict::No => "no",
    }
}

/// How text is written: ANSI colour for the verdicts, and `brief` (`-q`): the principals and
/// the summary line, without their paths.
#[derive(Clone, Copy, Debug, Default)]
pub struct TextStyle {
    pub color: bool,
    pub brief: bool,
}

/// Text: a title, then the principals that can, grouped by entry point (users, identity
/// providers, roles), each with its paths and what a conditional answer waits on.
pub fn text(title: &str, records: &[Record]) -> String {
    text_styled(title, records, TextStyle::default())
}

/// [`text`] in a style.
pub fn text_styled(title: &str, records: &[Record], style: TextStyle) -> String {
    let can = records.iter().filter(|r| r.verdict != Verdict::No);
    let summary = format!(
        "{} of {} principals ({} yes, {} conditional)",
        can.clone().count(),
        records.len(),
        can.clone().filter(|r| r.verdict == Verdict::Yes).count(),
        can.filter(|r| r.verdict == Verdict::Conditional).count()
    );
    text_with(title, &summary, records, style)
}

/// `path`'s text: how many paths were found (or that none was within `max_hops`), then the
/// principal with its paths as [`text_styled`] writes it.
pub fn path_text_styled(title: &str, record: &Record, max_hops: usize, style: TextStyle) -> String {
    let summary = match (&record.verdict, record.paths.len()) {
        (Verdict::No, _) => format!(
            "no path within {max_hops} {} (`--max-hops` sets the limit)",
            if max_hops == 1 { "hop" } else { "hops" }
        ),
        (v, 1) => format!("1 path ({})", verdict(v)),
        (v, n) if record.truncated => format!("{n} paths shown, more exist ({})", verdict(v)),
        (v, n) => format!("{n} paths ({})", verdict(v)),
    };
    text_with(title, &summary, std::slice::from_ref(record), style)
}

fn text_with(title: &str, summary: &str, records: &[Record], style: TextStyle) -> String {
    let mut out = format!("{title}\n{summary}\n");
    let can: Vec<&Record> = records
        .iter()
        .filter(|r| r.verdict != Verdict::No)
        .collect();
    for (kind, heading) in [
        (NodeKind::User, "users"),
        (NodeKind::IdentityProvider, "identity providers"),
        (NodeKind::Role, "roles"),
    ] {
        let here: Vec<&&Record> = can.iter().filter(|r| r.kind == kind).collect();
        if here.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{heading}");
        for r in here {
            let word = format!("{:<11}", verdict(&r.verdict));
            let word = match (style.color, &r.verdict) {
                (true, Verdict::Yes) => format!("\x1b[31m{word}\x1b[0m"),
                (true, Verdict::Conditional) => format!("\x1b[33m{word}\x1b[0m"),
                _ => word,
            };
            let _ = writeln!(
                out,
                "  {word} {} ({}{})",
                r.principal,
                r.min_steps.map(steps).unwrap_or_default(),
                match r.paths.len() {
                    0 | 1 => String::new(),
                    n => format!(", {n} paths{}", if r.truncated { " shown" } else { "" }),
                }
            );
            if style.brief {
                continue;
            }
            for (i, p) in r.paths.iter().enumerate() {
                path_text(&mut out, i + 1, p, r.paths.len() > 1);
            }
        }
    }
    out
}

fn path_text(out: &mut String, number: usize, p: &FoundPath, numbered: bool) {
    let indent = if numbered {
        let _ = writeln!(out, "      path {number}:");
        "        "
    } else {
        "      "
    };
    for hop in &p.hops {
        let mark = match hop.edge.outcome.verdict {
            Verdict::Conditional => " [conditional]",
            _ => "",
        };
        let _ = writeln!(
            out,
            "{indent}{} -> {}{mark}\n{indent}  {}",
            hop.edge.rule, hop.to, hop.edge.step
        );
    }
    for need in &p.needs {
        let _ = writeln!(out, "{indent}needs: {need}");
    }
}

/// (from, to, rule) → conditional?
type HopMap = BTreeMap<(String, String, String), bool>;

/// The union of the paths' nodes and hops.
fn hops(records: &[Record]) -> (Vec<String>, HopMap) {
    let mut nodes: Vec<String> = Vec::new();
    let mut edges = BTreeMap::new();
    let mut node = |id: &str| {
        if !nodes.iter().any(|n| n == id) {
            nodes.push(id.to_owned());
        }
    };
    for r in records.iter().filter(|r| r.verdict != Verdict::No) {
        for p in &r.paths {
            node(&r.principal);
            for h in &p.hops {
                node(&h.from);
                node(&h.to);
                let conditional = h.edge.outcome.verdict != Verdict::Yes;
                edges.insert(
                    (h.from.clone(), h.to.clone(), h.edge.rule.clone()),
                    conditional,
                );
            }
        }
    }
    (nodes, edges)
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Graphviz DOT: principals as boxes, the nodes the answers end at doubled, conditional edges
/// dashed, each edge labelled with its rule.
pub fn dot(records: &[Record]) -> String {
    let (nodes, edges) = hops(records);
    let ends: Vec<&str> = records
        .iter()
        .flat_map(|r| r.paths.iter().map(|p| p.end.as_str()))
        .collect();
    let mut out =
        String::from("digraph reach {\n  rankdir=LR;\n  node [shape=box, fontsize=10];\n");
    for n in &nodes {
        let peripheries = if ends.contains(&n.as_str()) { 2 } else { 1 };
        let _ = writeln!(out, "  {} [peripheries={peripheries}];", dot_quote(n));
    }
    for ((from, to, rule), conditional) in &edges {
        let style = if *conditional { ", style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}{style}];",
            dot_quote(from),
            dot_quote(to),
            dot_quote(rule)
        );
    }
    out.push_str("}\n");
    out
}

/// Mermaid `flowchart LR`: the same graph; conditional edges dotted.
pub fn mermaid(records: &[Record]) -> String {
    let (nodes, edges) = hops(records);
    let mut out = String::from("flowchart LR\n");
    let id = |n: &str| nodes.iter().position(|x| x == n).unwrap_or(0);
    for (i, n) in nodes.iter().enumerate() {
        let _ = writeln!(out, "  n{i}[\"{}\"]", n.replace('"', "#quot;"));
    }
    for ((from, to, rule), conditional) in &edges {
        let arrow = if *conditional { "-.->" } else { "-->" };
        let _ = writeln!(out, "  n{} {arrow}|{rule}| n{}", id(from), id(to));
    }
    out
}

/// SARIF 2.1.0: one result per principal that can (through at least one step), located in the
/// snapshot file with the principal as a logical location; `yes` is an error, `conditional` a
/// warning. `rule` names the question (`reach/escalation`, `reach/who-can`).
pub fn sarif(records: &[Record], snapshot: &str, rule: &str, description: &str) -> Value {
    let results: Vec<Value> = records
        .iter()
        .filter(|r| r.verdict != Verdict::No && r.min_steps.is_some_and(|s| s > 0))
        .map(|r| {
            let via: Vec<String> = r
                .paths
                .iter()
                .map(|p| {
                    p.hops
                        .iter()
                        .map(|h| format!("{} -> {}", h.edge.rule, h.to))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .collect();
            let mut text = format!(
                "{} {}: {} ({} path{}): {}",
                r.principal,
                description,
                verdict(&r.verdict),
                r.paths.len(),
                if r.paths.len() == 1 { "" } else { "s" },
                via.join("; ")
            );
            if !r.needs.is_empty() {
                let _ = write!(text, "; needs {}", r.needs.join("; "));
            }
            json!({
                "ruleId": rule,
                "ruleIndex": 0,
                "level": if r.verdict == Verdict::Yes { "error" } else { "warning" },
                "message": {"text": text},
                "locations": [{
                    "physicalLocation": {"artifactLocation": {"uri": snapshot.replace('\\', "/")}},
                    "logicalLocations": [{"fullyQualifiedName": r.principal, "kind": "resource"}],
                }],
                "properties": {"minSteps": r.min_steps, "verdict": verdict(&r.verdict)},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "iamspec",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": [{
                    "id": rule,
                    "shortDescription": {"text": format!("a principal {description}")},
                    "properties": {"tags": ["security"]},
                }],
            }},
            "results": results,
        }],
    })
}

/// One of the output formats by name: `text`, `json`, `sarif`, `dot`, `mermaid`.
pub fn render(
    format: &str,
    records: &[Record],
    title: &str,
    snapshot: &str,
    rule: &str,
    description: &str,
) -> Result<String, String> {
    Ok(match format {
        "text" => text(title, records),
        "json" => json(records) + "\n",
        "sarif" => {
            serde_json::to_string_pretty(&sarif(records, snapshot, rule, description))
                .unwrap_or_default()
                + "\n"
        }
        "dot" => dot(records),
        "mermaid" => mermaid(records),
        other => {
            return Err(format!(
                "--format: expected `text`, `json`, `sarif`, `dot` or `mermaid`, found `{other}`"
            ))
        }
    })
}
