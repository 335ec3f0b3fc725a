//! The questions: who can perform an action on a resource (directly or through a path), who can
//! become an administrator, and the paths from one principal to another. Every answer gives all
//! minimal paths (or the k shortest), never only the first one found.

use crate::decide::{decide, Changes, Outcome, Verdict};
use crate::graph::{Edge, Graph, NodeKind};
use iamspec_world::World;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};

/// How many paths a record shows at most when all minimal paths are asked for.
pub const PATH_LIMIT: usize = 64;

/// Search limits.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_hops: usize,
    /// `Some(k)`: the k shortest simple paths; `None`: every minimal path.
    pub paths: Option<usize>,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_hops: 6,
            paths: None,
        }
    }
}

/// One hop of a path.
#[derive(Clone, Debug, Serialize)]
pub struct Hop {
    pub from: String,
    pub to: String,
    #[serde(flatten)]
    pub edge: Edge,
}

/// A path and what it waits on (its edges' facts and the end's).
#[derive(Clone, Debug, Serialize)]
pub struct FoundPath {
    pub verdict: Verdict,
    pub hops: Vec<Hop>,
    /// The node the path ends at (the principal itself for a direct answer).
    pub end: String,
    pub needs: Vec<String>,
}

/// One principal's answer (reach/README.md documents the JSON).
#[derive(Clone, Debug, Serialize)]
pub struct Record {
    pub principal: String,
    pub kind: NodeKind,
    pub verdict: Verdict,
    pub min_steps: Option<usize>,
    pub paths: Vec<FoundPath>,
    pub needs: Vec<String>,
    /// More paths exist than `paths` shows.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

/// Who can perform `action` on `resource`: one record per principal (users, roles, identity
/// providers), entry points first.
pub fn who_can(
    world: &World,
    graph: &Graph,
    action: &str,
    resource: &str,
    limits: Limits,
) -> Vec<Record> {
    // Without a resource policy, only an identity-side grant can allow: a node none of whose
    // grants may cover the action and the resource is not asked (a prefilter; the evaluator
    // decides the rest). A request resource with a wildcard (`*`: an action on no resource)
    // is not narrowed.
    let resource_policy = resource != "*"
        && (world.entity(resource).is_some()
            || world
                .resources
                .iter()
                .any(|r| r.policy.is_some() && crate::warnings::describes(&r.arn, resource)));
    let narrow = Some(resource).filter(|r| !r.contains(['*', '?']));
    let targets: Vec<Outcome> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            let grants = graph
                .grants
                .get(n)
                .is_some_and(|grants| grants.iter().any(|g| g.may_allow(action, narrow)));
            if !grants && !resource_policy {
                return Outcome::no();
            }
            if matches!(
                node.kind,
                NodeKind::IdentityProvider | NodeKind::Administrators | NodeKind::RoleGroup
            ) {
                return Outcome::no();
            }
            let changes = Changes {
                added: &node.added,
                trust: None,
            };
            decide(world, &node.principal, action, resource, &[], &changes)
        })
        .collect();
    records(world, graph, &targets, limits, None)
}

/// Who can become an administrator (D100), with the paths; `principal` restricts to one.
pub fn escalation(
    world: &World,
    graph: &Graph,
    principal: Option<&str>,
    limits: Limits,
) -> Vec<Record> {
    records(world, graph, &graph.admin, limits, principal)
}

/// The paths from `from` to `to` (an ARN) or to any administrator (`to` = `admin`).
pub fn path(world: &World, graph: &Graph, from: &str, to: &str, limits: Limits) -> Option<Record> {
    let source = graph.node(from)?;
    let targets: Vec<Outcome> = graph
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| {
            if to == "admin" {
                graph.admin.get(n).cloned().unwrap_or_else(Outcome::no)
            } else if node.principal == to && n != source {
                Outcome::yes()
            } else {
                Outcome::no()
            }
        })
        .collect();
    let dists = distances(graph, &targets, limits.max_hops);
    Some(search(world, graph, source, &targets, &dists, limits))
}

/// Whether `n` is a role group (D107): an edge into it and one out of it are one hop.
fn group(graph: &Graph, n: usize) -> bool {
    graph
        .nodes
        .get(n)
        .is_some_and(|n| n.kind == NodeKind::RoleGroup)
}

/// A path's hops: its edges, an edge out of a role group counted with the edge into it.
pub fn hop_count(graph: &Graph, edges: &[usize]) -> usize {
    edges
        .iter()
        .filter(|&&e| !graph.edges.get(e).is_some_and(|e| group(graph, e.from)))
        .count()
}

/// The steps out of `u`: an edge, or an edge into a role group with one out of it (D107).
fn steps(graph: &Graph, u: usize, mut each: impl FnMut(usize, Option<usize>, &Edge, usize)) {
    for &e in graph.out.get(u).map(Vec::as_slice).unwrap_or(&[]) {
        let Some(edge) = graph.edges.get(e) else {
            continue;
        };
        if group(graph, edge.to) {
            for &e2 in graph.out.get(edge.to).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(second) = graph.edges.get(e2) {
                    each(e, Some(e2), edge, second.to);
                }
            }
        } else {
            each(e, None, edge, edge.to);
        }
    }
}

/// No target within the hop limit.
const FAR: usize = usize::MAX;

/// The edges into each node.
fn into_edges(graph: &Graph) -> Vec<Vec<usize>> {
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); graph.nodes.len()];
    for (e, edge) in graph.edges.iter().enumerate() {
        if let Some(list) = into.get_mut(edge.to) {
            list.push(e);
        }
    }
    into
}

/// How far each node is from the nearest target, in hops over the edges one kind of search
/// walks (those that hold, or only unconditional ones): one backward breadth-first search from
/// every target, so that a principal's own search walks only edges on its shortest paths and a
/// principal with no path costs nothing more.
struct Distances {
    /// Hops to a target (`FAR`: none within the limit). A role group (D107) has the hops of
    /// the callers that reach a target through it.
    hops: Vec<usize>,
    /// Per role group, its edges (in `graph.out` order) to the members a shortest path
    /// through it goes on to: the same for every caller, so found once, not once per caller.
    near: Vec<Vec<usize>>,
}

impl Distances {
    fn new(
        graph: &Graph,
        into: &[Vec<usize>],
        ok_edge: &dyn Fn(&Edge) -> bool,
        ok_target: &dyn Fn(usize) -> bool,
        max_hops: usize,
    ) -> Distances {
        let n = graph.nodes.len();
        let mut hops = vec![FAR; n];
        let mut frontier: Vec<usize> = (0..n)
            .filter(|&v| !group(graph, v) && ok_target(v))
            .collect();
        for &v in &frontier {
            if let Some(h) = hops.get_mut(v) {
                *h = 0;
            }
        }
        let set = |hops: &mut Vec<usize>, next: &mut Vec<usize>, u: usize, level: usize| {
            if let Some(h) = hops.get_mut(u) {
                if *h == FAR {
                    *h = level;
                    next.push(u);
                }
            }
        };
        for level in 1..=max_hops {
            let mut next = Vec::new();
            for v in frontier {
                for edge in into
                    .get(v)
                    .into_iter()
                    .flatten()
                    .filter_map(|&e| graph.edges.get(e))
                {
                    if !ok_edge(edge) {
                        continue;
                    }
                    let u = edge.from;
                    if !group(graph, u) {
                        set(&mut hops, &mut next, u, level);
                        continue;
                    }
                    // A role group is passed through within the hop (D107): its callers are
                    // one hop from this member; the group is marked so that they are not
                    // visited again from its other members.
                    if hops.get(u).is_none_or(|&h| h != FAR) {
                        continue;
                    }
                    if let Some(h) = hops.get_mut(u) {
                        *h = level;
                    }
                    for caller in into
                        .get(u)
                        .into_iter()
                        .flatten()
                        .filter_map(|&e| graph.edges.get(e))
                    {
                        if ok_edge(caller) {
                            set(&mut hops, &mut next, caller.from, level);
                        }
                    }
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        let mut near = vec![Vec::new(); n];
        for (g, list) in near.iter_mut().enumerate() {
            let Some(&h) = hops.get(g).filter(|&&h| h != FAR && group(graph, g)) else {
                continue;
            };
            for &e in graph.out.get(g).map(Vec::as_slice).unwrap_or(&[]) {
                if let Some(edge) = graph.edges.get(e) {
                    if ok_edge(edge)
                        && hops
                            .get(edge.to)
                            .is_some_and(|&m| m.checked_add(1) == Some(h))
                    {
                        list.push(e);
                    }
                }
            }
        }
        Distances { hops, near }
    }

    fn hops(&self, n: usize) -> usize {
        self.hops.get(n).copied().unwrap_or(FAR)
    }
}

/// The distances for the two searches of `search`: over unconditional edges to unconditional
/// targets, and over edges and targets that hold.
fn distances(graph: &Graph, targets: &[Outcome], max_hops: usize) -> [Distances; 2] {
    let into = into_edges(graph);
    [true, false].map(|strict| {
        let ok_edge = |e: &Edge| {
            if strict {
                e.outcome.verdict == Verdict::Yes
            } else {
                e.outcome.holds()
            }
        };
        let ok_target = |n: usize| {
            targets.get(n).is_some_and(|o| {
                if strict {
                    o.verdict == Verdict::Yes
                } else {
                    o.holds()
                }
            })
        };
        Distances::new(graph, &into, &ok_edge, &ok_target, max_hops)
    })
}

fn records(
    world: &World,
    graph: &Graph,
    targets: &[Outcome],
    limits: Limits,
    only: Option<&str>,
) -> Vec<Record> {
    let dists = distances(graph, targets, limits.max_hops);
    let mut out: Vec<Record> = graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, node)| {
            !matches!(
                node.kind,
                NodeKind::Escalated | NodeKind::Administrators | NodeKind::RoleGroup
            )
        })
        .filter(|(_, node)| only.is_none_or(|p| p == node.id))
        .map(|(n, _)| {
            if dists[1].hops(n) != FAR {
                search(world, graph, n, targets, &dists, limits)
            } else {
                unreached(graph, n)
            }
        })
        .collect();
    // Entry points (users, identity providers) before roles; then by ARN.
    let rank = |k: NodeKind| match k {
        NodeKind::User => 0,
        NodeKind::IdentityProvider => 1,
        NodeKind::Role => 2,
        NodeKind::Escalated | NodeKind::Administrators | NodeKind::RoleGroup => 3,
    };
    out.sort_by(|a, b| (rank(a.kind), &a.principal).cmp(&(rank(b.kind), &b.principal)));
    out
}

/// The answer for a node no path leads from.
fn unreached(graph: &Graph, source: usize) -> Record {
    let node = graph.nodes.get(source);
    Record {
        principal: node.map(|n| n.id.clone()).unwrap_or_default(),
        kind: node.map_or(NodeKind::User, |n| n.kind),
        verdict: Verdict::No,
        min_steps: None,
        paths: Vec::new(),
        needs: Vec::new(),
        truncated: false,
    }
}

/// The answer for `source`: unconditional paths first; only when there are none, conditional
/// ones (with the facts they wait on).
fn search(
    world: &World,
    graph: &Graph,
    source: usize,
    targets: &[Outcome],
    dists: &[Distances; 2],
    limits: Limits,
) -> Record {
    let node = graph.nodes.get(source);
    let mut record = Record {
        principal: node.map(|n| n.id.clone()).unwrap_or_default(),
        kind: node.map_or(NodeKind::User, |n| n.kind),
        verdict: Verdict::No,
        min_steps: None,
        paths: Vec::new(),
        needs: Vec::new(),
        truncated: false,
    };
    for (strict, dist) in [(true, &dists[0]), (false, &dists[1])] {
        let ok_edge = |e: &Edge| {
            if strict {
                e.outcome.verdict == Verdict::Yes
            } else {
                e.outcome.holds()
            }
        };
        let ok_target = |n: usize| {
            targets.get(n).is_some_and(|o| {
                if strict {
                    o.verdict == Verdict::Yes
                } else {
                    o.holds()
                }
            })
        };
        let (mut paths, mut truncated) = match limits.paths {
            None => minimal_paths(graph, source, &ok_edge, dist),
            Some(k) => k_shortest(graph, source, &ok_edge, &ok_target, limits.max_hops, k),
        };
        let mut shared = Vec::new();
        if !strict {
            // Conditions along a path (D105): a path no one attacker can walk is pruned; when
            // every minimal one is, the shortest others are tried.
            let keep = |paths: Vec<Vec<usize>>, shared: &mut Vec<Option<Vec<(String, String)>>>| {
                let mut kept = Vec::new();
                for p in paths {
                    if let Some(context) = along(world, graph, &p) {
                        shared.push(Some(context));
                        kept.push(p);
                    }
                }
                kept
            };
            let before = paths.len();
            paths = keep(paths, &mut shared);
            if paths.is_empty() && before > 0 && limits.paths.is_none() {
                let (more, cut) = k_shortest(
                    graph,
                    source,
                    &ok_edge,
                    &ok_target,
                    limits.max_hops,
                    PATH_LIMIT,
                );
                shared.clear();
                paths = keep(more, &mut shared);
                truncated = cut;
            }
        }
        if paths.is_empty() {
            continue;
        }
        record.min_steps = paths.iter().map(|p| hop_count(graph, p)).min();
        record.truncated = truncated;
        for (i, edges) in paths.into_iter().enumerate() {
            let mut found = found_path(graph, source, &edges, targets);
            if let Some(Some(context)) = shared.get(i) {
                // Said once for the path where it adds something: a key more than one hop
                // tests, or a value other than the one hop's own witness.
                let along: Vec<String> = context
                    .iter()
                    .filter(|(k, v)| {
                        // Not said already by the one hop that tests the key.
                        let key = format!("`{k}` = `");
                        let said = format!("`{k}` = `{v}`");
                        let testing = found.needs.iter().filter(|n| n.contains(&key)).count();
                        let saying = found.needs.iter().filter(|n| n.contains(&said)).count();
                        !(testing == 1 && saying == 1)
                    })
                    .map(|(k, v)| {
                        format!("on every hop, the caller's `{k}` = `{v}` (one attacker, D105)")
                    })
                    .collect();
                found.needs.splice(0..0, along);
            }
            for need in &found.needs {
                if !record.needs.contains(need) {
                    record.needs.push(need.clone());
                }
            }
            record.paths.push(found);
        }
        record.verdict = if strict {
            Verdict::Yes
        } else {
            Verdict::Conditional
        };
        break;
    }
    record
}

/// The shared context under which one attacker can make every request of the path, or `None`
/// when none can (D105): each hop's checks are assembled again (with what the hop's start had
/// gained); a check decided on a changed world (`assuming`) is left as its edge decided it.
fn along(world: &World, graph: &Graph, edges: &[usize]) -> Option<Vec<(String, String)>> {
    let mut steps = Vec::new();
    for edge in edges.iter().filter_map(|&e| graph.edges.get(e)) {
        if edge.outcome.verdict != Verdict::Conditional {
            continue;
        }
        let added = graph
            .nodes
            .get(edge.from)
            .map(|n| n.added.as_slice())
            .unwrap_or(&[]);
        for check in edge.checks.iter().filter(|c| c.assuming.is_none()) {
            let query = iamspec_world::Query {
                principal: check.principal.clone(),
                action: check.action.clone(),
                resource: check.resource.clone(),
                context: check
                    .context
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.clone(),
                            iamspec_model::request::ContextValue::Single(v.clone()),
                        )
                    })
                    .collect(),
                session_policies: Vec::new(),
            };
            let Ok(mut assembled) = world.assemble(&query) else {
                continue;
            };
            if graph
                .nodes
                .get(edge.from)
                .is_some_and(|n| n.principal == check.principal)
            {
                assembled.set.identity.extend(added.iter().cloned());
            }
            use iamspec_model::evaluator::Evaluator;
            let answer =
                iamspec_model::fast::Compiled::new(&assembled.set).authorize(&assembled.request);
            steps.push(crate::context::Step {
                set: assembled.set,
                request: assembled.request,
                missing: answer.missing_keys,
            });
        }
    }
    crate::context::along(&steps)
}

fn found_path(graph: &Graph, source: usize, edges: &[usize], targets: &[Outcome]) -> FoundPath {
    let name = |n: usize| graph.nodes.get(n).map(|n| n.id.clone()).unwrap_or_default();
    let mut outcome = Outcome::yes();
    let mut hops: Vec<Hop> = Vec::new();
    let mut end = source;
    for &e in edges {
        if let Some(edge) = graph.edges.get(e) {
            outcome = outcome.and(edge.outcome.clone());
            end = edge.to;
            if group(graph, edge.from) {
                // The edge into the group and this one are one hop into this role (D107): the
                // group edge's decision, its checks asked of this role (decided alike).
                if let Some(hop) = hops.last_mut() {
                    let via = hop.edge.checks.first().map(|c| c.resource.clone());
                    let role = graph
                        .nodes
                        .get(edge.to)
                        .map(|n| n.principal.clone())
                        .unwrap_or_default();
                    for c in &mut hop.edge.checks {
                        if via.as_deref() == Some(c.resource.as_str()) {
                            c.resource = role.clone();
                        }
                    }
                    hop.to = name(edge.to);
                    hop.edge.to = edge.to;
                    hop.edge.step = edge.step.clone();
                }
                continue;
            }
            hops.push(Hop {
                from: name(edge.from),
                to: name(edge.to),
                edge: edge.clone(),
            });
        }
    }
    if let Some(t) = targets.get(end) {
        outcome = outcome.and(t.clone());
    }
    FoundPath {
        verdict: outcome.verdict,
        hops,
        end: name(end),
        needs: outcome.needs,
    }
}

type Paths = (Vec<Vec<usize>>, bool);

/// Every shortest path (as edge lists) from `source` to a target, by BFS layers and a walk back
/// over the predecessor edges. Only nodes on a shortest path are visited (`dist` says which):
/// they are found in the order, and with the predecessors, a search over every edge would give
/// them, so the paths and their order are the same.
fn minimal_paths(
    graph: &Graph,
    source: usize,
    ok_edge: &dyn Fn(&Edge) -> bool,
    dist: &Distances,
) -> Paths {
    let length = dist.hops(source);
    if length == 0 {
        return (vec![Vec::new()], false);
    }
    if length == FAR {
        return (Vec::new(), false);
    }
    let mut preds: HashMap<usize, Vec<Pred>> = HashMap::new();
    let mut frontier = vec![source];
    let mut found = Vec::new();
    for depth in 1..=length {
        // The hops a node reached at this depth has left when it is on a shortest path.
        let left = length - depth;
        let mut next = Vec::new();
        for &u in &frontier {
            for &e in graph.out.get(u).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(edge) = graph.edges.get(e) else {
                    continue;
                };
                if !ok_edge(edge) {
                    continue;
                }
                let mut reach = |second: Option<usize>, v: usize| {
                    if dist.hops(v) != left {
                        return;
                    }
                    let list = preds.entry(v).or_default();
                    if list.is_empty() {
                        next.push(v);
                        if left == 0 {
                            found.push(v);
                        }
                    }
                    list.push((e, second));
                };
                if group(graph, edge.to) {
                    if dist.hops(edge.to) != left + 1 {
                        continue;
                    }
                    for &e2 in dist.near.get(edge.to).map(Vec::as_slice).unwrap_or(&[]) {
                        if let Some(second) = graph.edges.get(e2) {
                            reach(Some(e2), second.to);
                        }
                    }
                } else {
                    reach(None, edge.to);
                }
            }
        }
        frontier = next;
    }
    let mut paths = Vec::new();
    let mut truncated = false;
    for t in found {
        walk_back(
            graph,
            &preds,
            t,
            &mut Vec::new(),
            &mut paths,
            &mut truncated,
        );
    }
    (paths, truncated)
}

/// How a node was reached: an edge, or an edge into a role group and one out of it (D107).
type Pred = (usize, Option<usize>);

fn walk_back(
    graph: &Graph,
    preds: &HashMap<usize, Vec<Pred>>,
    at: usize,
    suffix: &mut Vec<usize>,
    out: &mut Vec<Vec<usize>>,
    truncated: &mut bool,
) {
    // Only the source has no predecessors.
    let list = preds.get(&at).map(Vec::as_slice).unwrap_or(&[]);
    if list.is_empty() {
        if out.len() >= PATH_LIMIT {
            *truncated = true;
            return;
        }
        out.push(suffix.iter().rev().copied().collect());
        return;
    }
    for &(e, e2) in list {
        let Some(edge) = graph.edges.get(e) else {
            continue;
        };
        let before = suffix.len();
        suffix.extend(e2);
        suffix.push(e);
        walk_back(graph, preds, edge.from, suffix, out, truncated);
        suffix.truncate(before);
    }
}

/// The `k` shortest simple paths, in order of length (breadth-first over partial paths).
fn k_shortest(
    graph: &Graph,
    source: usize,
    ok_edge: &dyn Fn(&Edge) -> bool,
    ok_target: &dyn Fn(usize) -> bool,
    max_hops: usize,
    k: usize,
) -> Paths {
    let mut out = Vec::new();
    if ok_target(source) {
        out.push(Vec::new());
    }
    let mut queue: VecDeque<(usize, Vec<usize>)> = VecDeque::from([(source, Vec::new())]);
    while let Some((at, path)) = queue.pop_front() {
        if out.len() >= k {
            return (out, !queue.is_empty());
        }
        if hop_count(graph, &path) >= max_hops {
            continue;
        }
        steps(graph, at, |e, e2, edge, v| {
            let revisits = v == source
                || path
                    .iter()
                    .any(|&p| graph.edges.get(p).is_some_and(|x| x.to == v));
            let second_ok = e2.and_then(|e2| graph.edges.get(e2)).is_none_or(ok_edge);
            if !ok_edge(edge) || !second_ok || revisits {
                return;
            }
            let mut next = path.clone();
            next.push(e);
            next.extend(e2);
            if ok_target(v) {
                if out.len() < k {
                    out.push(next.clone());
                }
            } else {
                queue.push_back((v, next));
            }
        });
    }
    out.truncate(k);
    (out, false)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
    use super::*;
    use iamspec_model::json::Json;

    /// The search `minimal_paths` replaced: a breadth-first search over every edge from the
    /// source, stopped at the first layer with a target.
    fn every_edge(
        graph: &Graph,
        source: usize,
        ok_edge: &dyn Fn(&Edge) -> bool,
        ok_target: &dyn Fn(usize) -> bool,
        max_hops: usize,
    ) -> Paths {
        if ok_target(source) {
            return (vec![Vec::new()], false);
        }
        let n = graph.nodes.len();
        let mut dist = vec![usize::MAX; n];
        let mut preds: HashMap<usize, Vec<Pred>> = HashMap::new();
        dist[source] = 0;
        let mut frontier = vec![source];
        let mut found = Vec::new();
        let mut depth = 0;
        while !frontier.is_empty() && found.is_empty() && depth < max_hops {
            depth += 1;
            let mut next = Vec::new();
            for &u in &frontier {
                steps(graph, u, |e, e2, edge, v| {
                    if !ok_edge(edge) || e2.is_some_and(|e2| !ok_edge(&graph.edges[e2])) {
                        return;
                    }
                    if dist[v] == usize::MAX {
                        dist[v] = depth;
                        next.push(v);
                        if ok_target(v) {
                            found.push(v);
                        }
                    }
                    if dist[v] == depth {
                        preds.entry(v).or_default().push((e, e2));
                    }
                });
            }
            frontier = next;
        }
        let mut paths = Vec::new();
        let mut truncated = false;
        for t in found {
            walk_back(
                graph,
                &preds,
                t,
                &mut Vec::new(),
                &mut paths,
                &mut truncated,
            );
        }
        (paths, truncated)
    }

    /// The same paths, in the same order, as the search over every edge: from every principal,
    /// to administrators and to scattered targets (some conditional), over unconditional edges
    /// and over every edge that holds, at every hop limit up to 4, on a dense-trust account
    /// (role groups, D107).
    #[test]
    fn minimal_paths_are_those_of_a_search_over_every_edge() {
        let size = iamspec_world::synth::Size {
            users: 60,
            roles: 150,
            groups: 6,
            policies: 90,
        };
        let gaad = iamspec_world::synth::gaad("123456789012", size, 11);
        let json = Json::parse(&gaad.to_string()).unwrap();
        let world =
            iamspec_world::snapshot::from_gaad_pages(&[("dense.json".to_owned(), json)]).unwrap();
        let graph = Graph::build(&world);
        let into_groups = graph.edges.iter().filter(|e| group(&graph, e.to)).count();
        assert!(into_groups > 0, "callers reach the role groups");
        let scattered: Vec<Outcome> = (0..graph.nodes.len())
            .map(|n| match n % 13 {
                0 => Outcome::yes(),
                5 => Outcome::conditional(format!("fact {n}")),
                _ => Outcome::no(),
            })
            .collect();
        let mut compared = 0;
        for targets in [&graph.admin, &scattered] {
            for max_hops in 1..=4 {
                let dists = distances(&graph, targets, max_hops);
                for (strict, dist) in [(true, &dists[0]), (false, &dists[1])] {
                    let ok_edge = |e: &Edge| {
                        if strict {
                            e.outcome.verdict == Verdict::Yes
                        } else {
                            e.outcome.holds()
                        }
                    };
                    let ok_target = |n: usize| {
                        targets.get(n).is_some_and(|o| {
                            if strict {
                                o.verdict == Verdict::Yes
                            } else {
                                o.holds()
                            }
                        })
                    };
                    for source in 0..graph.nodes.len() {
                        if group(&graph, source) {
                            continue;
                        }
                        let want = every_edge(&graph, source, &ok_edge, &ok_target, max_hops);
                        let got = minimal_paths(&graph, source, &ok_edge, dist);
                        assert_eq!(got, want, "from node {source}, max hops {max_hops}");
                        compared += usize::from(!want.0.is_empty());
                    }
                }
            }
        }
        assert!(compared > 100, "only {compared} searches found paths");
    }
}
