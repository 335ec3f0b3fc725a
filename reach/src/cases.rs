//! Every hop of the answers as conformance cases (`iamspec-conformance/1`, FORMAT.md): the
//! policy set the world assembles for each request that decided a hop, the request with the
//! context the hop needs, and the reference evaluator's decision as `expect`. `iamspec eval FILE`
//! replays them, so a path can be checked by any evaluator that speaks the format.

use crate::context;
use crate::graph::Graph;
use crate::query::Record;
use iamspec_model::evaluator::Evaluator;
use iamspec_model::policy::{Policy, Principals, Version};
use iamspec_model::request::{ContextValue, Resource};
use iamspec_model::PolicySet;
use iamspec_world::{Query, World};
use serde_json::{json, Map, Value};

/// The suite of every hop of `records`' paths (one case per request that decided a hop; a
/// request decided on a changed world, `assuming`, is left out: the world cannot assemble it),
/// and for `who-can` (`target`: action and resource) the request at each path's end.
pub fn suite(
    world: &World,
    graph: &Graph,
    records: &[Record],
    name: &str,
    target: Option<(&str, &str)>,
) -> Value {
    let mut cases: Vec<Value> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for record in records {
        for (p, path) in record.paths.iter().enumerate() {
            for (h, hop) in path.hops.iter().enumerate() {
                let added = graph
                    .node(&hop.from)
                    .and_then(|n| graph.nodes.get(n))
                    .map(|n| (n.principal.clone(), n.added.clone()));
                for (c, check) in hop.edge.checks.iter().enumerate() {
                    if check.assuming.is_some() {
                        continue;
                    }
                    let key = format!("{check:?}{:?}", added.as_ref().map(|a| a.1.len()));
                    if seen.contains(&key) {
                        continue;
                    }
                    seen.push(key);
                    let id = format!(
                        "{}/path-{}/hop-{}/check-{}",
                        record.principal,
                        p + 1,
                        h + 1,
                        c + 1
                    );
                    let extra = added
                        .as_ref()
                        .filter(|(principal, _)| *principal == check.principal)
                        .map(|(_, a)| a.as_slice())
                        .unwrap_or(&[]);
                    if let Some(case) = case(world, check, extra, &id, &hop.edge.step) {
                        cases.push(case);
                    }
                }
            }
            let Some((action, resource)) = target else {
                continue;
            };
            let Some(end) = graph.node(&path.end).and_then(|n| graph.nodes.get(n)) else {
                continue;
            };
            let key = format!("end {}", end.id);
            if seen.contains(&key) {
                continue;
            }
            seen.push(key);
            let check = crate::decide::Check {
                principal: end.principal.clone(),
                action: action.to_owned(),
                resource: resource.to_owned(),
                context: Vec::new(),
                assuming: None,
            };
            let id = format!("{}/path-{}/end", record.principal, p + 1);
            let step = format!("`{}` performs {action} on {resource}", end.id);
            if let Some(case) = case(world, &check, &end.added, &id, &step) {
                cases.push(case);
            }
        }
    }
    json!({
        "format": "iamspec-conformance/1",
        "suite": name,
        "description": "each request that decided a hop of the reach answers, on the policy set the world assembles (iamspec who-can/escalation/path --cases-out)",
        "cases": cases,
    })
}

fn case(
    world: &World,
    check: &crate::decide::Check,
    added: &[Policy],
    id: &str,
    step: &str,
) -> Option<Value> {
    let query = Query {
        principal: check.principal.clone(),
        action: check.action.clone(),
        resource: check.resource.clone(),
        context: check
            .context
            .iter()
            .map(|(k, v)| (k.clone(), ContextValue::Single(v.clone())))
            .collect(),
        session_policies: Vec::new(),
    };
    let mut assembled = world.assemble(&query).ok()?;
    assembled.set.identity.extend(added.iter().cloned());
    let set = &assembled.set;
    let mut request = assembled.request.clone();
    // The context the hop needs (D104): the one the edge was decided with.
    let answer = iamspec_model::fast::Compiled::new(set).authorize(&request);
    if answer.decision != iamspec_model::Decision::Allow {
        let keys = context::open_keys(set, &request, &answer.missing_keys);
        if let Some(chosen) = context::witness(set, &request, &keys) {
            for (k, v) in chosen {
                request.context.insert(&k, ContextValue::Single(v));
            }
        }
    }
    let decision = iamspec_model::reference::authorize(set, &request).decision;
    let mut context = Map::new();
    for (k, v) in request.context.iter() {
        context.insert(
            k.to_owned(),
            match v {
                ContextValue::Single(s) => json!(s),
                ContextValue::Multi(list) => json!(list),
            },
        );
    }
    let mut req = Map::new();
    req.insert("principal".into(), json!(request.principal_text));
    req.insert("action".into(), json!(request.action.as_str()));
    req.insert(
        "resource".into(),
        json!(match &request.resource {
            Resource::Any => "*".to_owned(),
            Resource::Arn(arn) => arn.as_str().to_owned(),
        }),
    );
    if let Some(account) = &request.resource_account {
        req.insert("resource_account".into(), json!(account));
    }
    req.insert("context".into(), Value::Object(context));
    let mut source = format!("iamspec reach: {step}; the policy set the world assembles");
    if !assembled.unavailable.is_empty() {
        source.push_str(&format!(
            " (not in the snapshot: {})",
            assembled.unavailable.join(", ")
        ));
    }
    Some(json!({
        "id": id,
        "description": format!("{} {} on {}", check.principal, check.action, check.resource),
        "source": source,
        "request": Value::Object(req),
        "policies": policies(set),
        "expect": {"decision": decision.as_str()},
    }))
}

fn policies(set: &PolicySet) -> Value {
    let mut out = Map::new();
    if !set.identity.is_empty() {
        out.insert(
            "identity".into(),
            Value::Array(set.identity.iter().map(policy).collect()),
        );
    }
    if let Some(b) = &set.permission_boundary {
        out.insert("permission_boundary".into(), policy(b));
    }
    if !set.session.is_empty() {
        out.insert(
            "session".into(),
            Value::Array(set.session.iter().map(policy).collect()),
        );
    }
    if let Some(r) = &set.resource {
        out.insert("resource".into(), policy(r));
    }
    if let Some(v) = &set.vpc_endpoint {
        out.insert("vpc_endpoint".into(), policy(v));
    }
    for (name, levels) in [("scp", &set.scp), ("rcp", &set.rcp)] {
        if let Some(levels) = levels {
            out.insert(
                name.into(),
                Value::Array(
                    levels
                        .iter()
                        .map(|level| Value::Array(level.iter().map(policy).collect()))
                        .collect(),
                ),
            );
        }
    }
    Value::Object(out)
}

/// A policy as JSON, from its parsed form.
pub fn policy(p: &Policy) -> Value {
    let mut doc = Map::new();
    match p.version {
        Version::V2012_10_17 => {
            doc.insert("Version".into(), json!("2012-10-17"));
        }
        Version::V2008_10_17 => {
            doc.insert("Version".into(), json!("2008-10-17"));
        }
        Version::Absent => {}
    }
    if let Some(id) = &p.id {
        doc.insert("Id".into(), json!(id));
    }
    let statements: Vec<Value> = p
        .statements
        .iter()
        .map(|s| {
            let mut st = Map::new();
            if let Some(sid) = &s.sid {
                st.insert("Sid".into(), json!(sid));
            }
            st.insert("Effect".into(), json!(s.effect.to_string()));
            if let Some(pr) = &s.principal {
                let value = match &pr.principals {
                    Principals::Any => json!("*"),
                    Principals::Typed(list) => {
                        let mut m = Map::new();
                        for (kind, values) in list {
                            m.insert(kind.as_str().into(), json!(values.items));
                        }
                        Value::Object(m)
                    }
                };
                let key = if pr.negated {
                    "NotPrincipal"
                } else {
                    "Principal"
                };
                st.insert(key.into(), value);
            }
            let key = if s.action.negated {
                "NotAction"
            } else {
                "Action"
            };
            st.insert(key.into(), json!(s.action.patterns.items));
            if let Some(r) = &s.resource {
                let key = if r.negated { "NotResource" } else { "Resource" };
                st.insert(key.into(), json!(r.patterns.items));
            }
            if !s.condition.is_empty() {
                let mut c: Map<String, Value> = Map::new();
                for clause in &s.condition {
                    let entry = c
                        .entry(clause.operator_text.clone())
                        .or_insert_with(|| Value::Object(Map::new()));
                    if let Value::Object(m) = entry {
                        m.insert(clause.key.clone(), json!(clause.values.items));
                    }
                }
                st.insert("Condition".into(), Value::Object(c));
            }
            Value::Object(st)
        })
        .collect();
    doc.insert("Statement".into(), Value::Array(statements));
    Value::Object(doc)
}
