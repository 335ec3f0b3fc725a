//! Whole statements: broad grants (`*` on `*`, `NotAction`, `NotResource`, `iam:PassRole` on
//! every role), a `Deny` of everything, and statements that repeat or are covered by others.

use super::cover::{resource_covers, ActionCover};
use super::index::PrefixIndex;
use super::nocase::NoCase;
use super::{Linter, StatementFacts};
use iamspec_model::condition::{Comparison, SetQualifier};
use iamspec_model::hash::FxMap;
use iamspec_model::policy::{ConditionClause, Effect, Principals, Statement};
use std::cell::OnceCell;
use std::hash::{Hash, Hasher};
use std::ops::Range;

pub(crate) fn check(linter: &mut Linter<'_, '_>, facts: &StatementFacts<'_, '_, '_>) {
    let statement = facts.statement;
    let actions_all =
        !statement.action.negated && statement.action.patterns.iter().any(|a| a == "*");
    let resource = statement.resource.as_ref();
    let resources_all = resource.is_none_or(|r| !r.negated && r.patterns.iter().any(|p| p == "*"));
    let conditional = !statement.condition.is_empty();
    match statement.effect {
        Effect::Allow => {
            if actions_all && resources_all {
                linter.emit(
                    "allow-all",
                    statement.path.clone(),
                    if conditional {
                        "the statement allows every action on every resource (when its condition holds): administrator access"
                    } else {
                        "the statement allows every action on every resource: administrator access"
                    },
                );
            }
            if statement.action.negated {
                linter.emit(
                    "allow-not-action",
                    statement.action_path(),
                    "`Allow` with `NotAction` allows every action not listed, including actions AWS adds later; list the allowed actions instead",
                );
            }
            if let Some(path) = resource
                .filter(|r| r.negated)
                .and_then(|_| statement.resource_path())
            {
                linter.emit(
                    "allow-not-resource",
                    path,
                    "`Allow` with `NotResource` allows every resource not listed, in every service its actions reach; list the allowed resources instead",
                );
            }
            let every_role =
                resource.is_none_or(|r| r.negated || r.patterns.iter().any(|p| p == "*"));
            // Access Analyzer's fix for a wide `iam:PassRole` is `iam:PassedToService`: with a
            // positive condition on it the role can go only to the services named.
            let guarded = statement.condition.iter().any(|c| {
                super::same_folded(&c.key, "iam:passedtoservice")
                    && !c.operator.negated
                    && c.values.iter().all(|v| v != "*")
            });
            if every_role && !guarded && grants(facts, "iam:PassRole") {
                linter.emit(
                    "pass-role-star",
                    statement.resource_path().unwrap_or_else(|| statement.path.clone()),
                    "`iam:PassRole` on every role lets the caller hand any role, an administrator's included, to any service; name the roles, or limit the services with `iam:PassedToService`",
                );
            }
        }
        Effect::Deny => {
            let everyone = statement
                .principal
                .as_ref()
                .is_none_or(|p| !p.negated && p.principals == Principals::Any);
            if actions_all && resources_all && !conditional && everyone {
                linter.emit(
                    "deny-all",
                    statement.path.clone(),
                    "the statement denies every action on every resource, unconditionally: nothing this policy applies to can be done",
                );
            }
        }
    }
}

/// Whether the statement's actions include `qualified`, for `NotAction` by not listing it.
fn grants(facts: &StatementFacts<'_, '_, '_>, qualified: &'static str) -> bool {
    if let Some(listed) = facts.lists_named(qualified) {
        return listed;
    }
    if facts.statement.action.negated {
        !facts
            .patterns
            .iter()
            .any(|p| super::entry_matches(p.text, qualified))
    } else {
        facts.allows_action(qualified)
    }
}

/// Statements that repeat another, or grant (deny) nothing another does not, under the same
/// effect, principal and condition. Linear: repeats by hashing; for covers, only statements of
/// the same effect, principal and condition whose actions include one that may cover the
/// statement's first action (by literal prefix, `index.rs`) are compared, at most
/// [`super::index::MAX_CANDIDATES`] of them.
// Once a policy: out of line, so that a profile shows its cost apart from the lint's.
#[inline(never)]
pub(crate) fn check_pairs(linter: &mut Linter<'_, '_>, statements: &[Statement]) {
    let substitutes = linter.policy.version.substitutes_variables();
    let (sets, runs) = Sets::of(statements);
    let (clauses, clause_sets) = sets.clauses(statements, &runs);
    let shapes: Vec<Shape<'_>> = statements
        .iter()
        .zip(&runs.spans)
        .zip(clause_sets)
        .map(|((statement, span), clause_set)| {
            let condition = clauses.get(clause_set).unwrap_or(&[]);
            Shape::of(statement, &sets, span, condition)
        })
        .collect();
    // Freed before the indexes below are built: not held at the check's peak, which they make.
    drop(runs);
    // The wildcard action entries of a statement, compiled when it is first a candidate cover.
    let compiled: Vec<OnceCell<Vec<ActionCover>>> =
        statements.iter().map(|_| OnceCell::new()).collect();
    // Per statement, the number of its group (effect, principal, condition), then the first
    // statement of its shape: two shapes are equal when their groups and the rest are, so the
    // principal and condition are hashed once, for the group, and not again with the shape.
    let mut group_ids: FxMap<GroupKey<'_, '_>, usize> = FxMap::default();
    let group_of: Vec<usize> = shapes
        .iter()
        .map(|shape| {
            let next = group_ids.len();
            *group_ids.entry(shape.group()).or_insert(next)
        })
        .collect();
    let mut first: FxMap<Repeat<'_, '_>, usize> = FxMap::default();
    first.reserve(shapes.len());
    let earliest: Vec<usize> = shapes
        .iter()
        .zip(&group_of)
        .enumerate()
        .map(|(i, (shape, &group))| *first.entry(Repeat { group, shape }).or_insert(i))
        .collect();
    drop(first);
    // Per group, the statements by action entries and by resource entries.
    // A statement alone in its group has nothing to be covered by: no index for it.
    let mut sizes: Vec<usize> = vec![0; group_ids.len()];
    for &g in &group_of {
        if let Some(n) = sizes.get_mut(g) {
            *n += 1;
        }
    }
    // Per group, its statements (the first of each shape, `Action` not negated) and their
    // resource entries indexed; the action index is built only when a statement of the group
    // gets past the resource test (10,000 statements on their own buckets never do).
    let mut groups: Vec<Option<(Vec<usize>, PrefixIndex)>> =
        (0..group_ids.len()).map(|_| None).collect();
    let mut by_actions: Vec<Option<PrefixIndex>> = (0..group_ids.len()).map(|_| None).collect();
    for (i, (statement, shape)) in statements.iter().zip(&shapes).enumerate() {
        if earliest.get(i) != Some(&i) || statement.action.negated {
            continue;
        }
        let g = group_of.get(i).copied().unwrap_or(usize::MAX);
        if sizes.get(g).is_none_or(|&n| n < 2) {
            continue;
        }
        let Some(slot) = groups.get_mut(g) else {
            continue;
        };
        let size = sizes.get(g).copied().unwrap_or(0);
        let (members, by_resource) = slot
            .get_or_insert_with(|| (Vec::with_capacity(size), PrefixIndex::with_capacity(size)));
        members.push(i);
        // An exact entry covers only its own text, a wildcard one what its prefix leads to:
        // both are found by the literal prefix (the whole text for an exact entry). The
        // shape's entries are already distinct.
        if shape.not_resource == Some(false) {
            for pattern in shape.resources {
                by_resource.insert(pattern, substitutes, i);
            }
        }
    }
    let mut candidates: Vec<usize> = Vec::new();
    for (i, (later, later_shape)) in statements.iter().zip(&shapes).enumerate() {
        let earliest = earliest.get(i).copied().unwrap_or(i);
        if earliest != i {
            if let Some(earlier) = statements.get(earliest) {
                linter.emit(
                    "duplicate-statement",
                    later.path.clone(),
                    format!("the statement says the same as {}", name(earlier)),
                );
            }
            continue;
        }
        if later.action.negated {
            continue;
        }
        let g = group_of.get(i).copied().unwrap_or(usize::MAX);
        let Some((members, by_resource)) = groups.get(g).and_then(Option::as_ref) else {
            continue;
        };
        let Some(first_action) = later.action.patterns.iter().next() else {
            continue;
        };
        // A cover must cover the first resource too: the candidates for it, when there is one.
        let first_resource = later
            .resource
            .as_ref()
            .filter(|r| !r.negated)
            .and_then(|r| r.patterns.iter().next());
        // Into one buffer across statements, not a vector per statement.
        candidates.clear();
        let resource_candidates: Option<&[usize]> = first_resource.map(|r| {
            by_resource.any(r, |j| {
                candidates.push(j);
                false
            });
            candidates.as_slice()
        });
        // A cover must be another statement: when the first resource's only candidate is the
        // statement itself (10,000 statements on their own buckets), no action candidate can
        // pass, and the walk over them is skipped.
        if resource_candidates.is_some_and(|set| set.iter().all(|&j| j == i)) {
            continue;
        }
        let Some(by_action) = by_actions.get_mut(g) else {
            continue;
        };
        let by_action = by_action.get_or_insert_with(|| {
            // The same entries in the same order as built up front: the same candidates. Grown
            // as it fills, not sized for the members' entries: members often share actions
            // (100,000 statements on `s3:GetObject` and `s3:List*` make two prefixes), and such
            // a reservation raised the peak memory of linting them by 6 MB.
            let mut index = PrefixIndex::new();
            for &j in members {
                if let Some(shape) = shapes.get(j) {
                    for pattern in shape.actions {
                        index.insert(pattern.0, false, j);
                    }
                }
            }
            index
        });
        let mut found = None;
        by_action.any(first_action, |j| {
            if resource_candidates.is_some_and(|set| !set.contains(&j)) {
                return false;
            }
            let hit = statements
                .get(j)
                .zip(shapes.get(j))
                .zip(compiled.get(j))
                .filter(|((other, other_shape), other_compiled)| {
                    j != i
                        && *other_shape != later_shape
                        && covers(
                            other,
                            other_shape,
                            other_compiled,
                            later,
                            later_shape,
                            substitutes,
                        )
                });
            found = hit.map(|((other, _), _)| other);
            found.is_some()
        });
        if let Some(other) = found {
            linter.emit(
                "redundant-statement",
                later.path.clone(),
                format!(
                    "{} already {} everything this statement does",
                    name(other),
                    match other.effect {
                        Effect::Allow => "allows",
                        Effect::Deny => "denies",
                    }
                ),
            );
        }
    }
}

/// What two statements must share for one to cover the other.
type GroupKey<'a, 's> = (
    Effect,
    &'a Option<Box<PrincipalShape<'s>>>,
    &'a [ClauseShape<'s>],
);

/// A shape as a key for finding repeats: the number of its group and the rest of the shape,
/// equal exactly when the shapes are. Two words in the map, not the rest's slices (a map entry
/// per statement).
struct Repeat<'a, 's> {
    group: usize,
    shape: &'a Shape<'s>,
}

impl Repeat<'_, '_> {
    /// The shape beside its group: `NotAction`, `NotResource` (when there is a resource
    /// element), the actions and the resources.
    fn entries(&self) -> (bool, Option<bool>, &[NoCase<'_>], &[&str]) {
        // Every field named: a field added to `Shape` must be placed in the group or here, or
        // two different shapes would count as repeats.
        let Shape {
            effect: _,
            principal: _,
            condition: _,
            not_action,
            not_resource,
            actions,
            resources,
        } = self.shape;
        (*not_action, *not_resource, actions, resources)
    }
}

impl PartialEq for Repeat<'_, '_> {
    fn eq(&self, other: &Self) -> bool {
        self.group == other.group && self.entries() == other.entries()
    }
}

impl Eq for Repeat<'_, '_> {}

impl Hash for Repeat<'_, '_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.group.hash(state);
        self.entries().hash(state);
    }
}

fn name(statement: &Statement) -> String {
    match &statement.sid {
        Some(sid) if !sid.is_empty() => format!("statement `{sid}` ({})", statement.path),
        _ => format!("`{}`", statement.path),
    }
}

/// A principal element up to order: negated, and each type with its values.
type PrincipalShape<'s> = (bool, Vec<(&'static str, Vec<&'s str>)>);

/// A condition clause up to the order of its values: the operator (as parsed, so that
/// `ArnEquals` and `ArnLike` are one), the key without case, the values.
type ClauseShape<'s> = ((Comparison, u8, bool, bool), NoCase<'s>, &'s [&'s str]);

/// A statement up to order, case of action names and the `Sid`, borrowing the statement's text
/// and its sets from [`Sets`].
#[derive(PartialEq, Eq, Hash)]
struct Shape<'s> {
    effect: Effect,
    /// Boxed: a shape is kept per statement for the whole check, and most statements (all of
    /// an identity policy's) have no principal, whose shape would triple a pointer's size.
    principal: Option<Box<PrincipalShape<'s>>>,
    /// Whether the actions are `NotAction`, and the resources (when the statement has any)
    /// `NotResource`: beside the effect, where paired with their sets each would pad to a
    /// pointer's size.
    not_action: bool,
    not_resource: Option<bool>,
    actions: &'s [NoCase<'s>],
    /// Empty when the statement has no `Resource` element.
    resources: &'s [&'s str],
    condition: &'s [ClauseShape<'s>],
}

/// The action, resource and condition-value sets of a document's statements, each a sorted run
/// of one vector: a vector per set and statement was a good part of linting 10,000 statements.
#[derive(Default)]
struct Sets<'s> {
    actions: Vec<NoCase<'s>>,
    resources: Vec<&'s str>,
    values: Vec<&'s str>,
}

/// Where the statements' sets are in [`Sets`]: read only to build the shapes, which then hold
/// the sets themselves.
struct Runs {
    /// Per statement, where its sets are.
    spans: Vec<Span>,
    /// Per clause of every statement in order, where its values are.
    clause_values: Vec<Range<usize>>,
}

struct Span {
    action: Range<usize>,
    resource: Option<(bool, Range<usize>)>,
    /// The statement's clauses in [`Runs::clause_values`].
    clauses: Range<usize>,
}

impl<'s> Sets<'s> {
    fn of(statements: &'s [Statement]) -> (Sets<'s>, Runs) {
        // Sized up front (at most every entry once): no copies as they grow.
        let total =
            |count: fn(&Statement) -> usize| -> usize { statements.iter().map(count).sum() };
        let mut sets = Sets {
            actions: Vec::with_capacity(total(|s| s.action.patterns.items.len())),
            resources: Vec::with_capacity(total(|s| {
                s.resource.as_ref().map_or(0, |r| r.patterns.items.len())
            })),
            values: Vec::with_capacity(total(|s| {
                s.condition.iter().map(|c| c.values.items.len()).sum()
            })),
        };
        let mut runs = Runs {
            spans: Vec::with_capacity(statements.len()),
            clause_values: Vec::with_capacity(total(|s| s.condition.len())),
        };
        let mut names = Vec::new();
        let mut texts = Vec::new();
        for statement in statements {
            let action = push_set(
                &mut sets.actions,
                &mut names,
                statement.action.patterns.iter().map(NoCase),
            );
            let resource = statement.resource.as_ref().map(|r| {
                let run = push_set(&mut sets.resources, &mut texts, r.patterns.iter());
                (r.negated, run)
            });
            let first_clause = runs.clause_values.len();
            for clause in &statement.condition {
                let run = push_set(&mut sets.values, &mut texts, clause.values.iter());
                runs.clause_values.push(run);
            }
            runs.spans.push(Span {
                action,
                resource,
                clauses: first_clause..runs.clause_values.len(),
            });
        }
        (sets, runs)
    }

    /// Each statement's clause set, a run of one vector, and where each is.
    fn clauses<'a>(
        &'a self,
        statements: &'s [Statement],
        runs: &Runs,
    ) -> (Vec<ClauseShape<'a>>, Vec<Range<usize>>) {
        let mut clauses = Vec::with_capacity(runs.clause_values.len());
        let mut clause_sets = Vec::with_capacity(statements.len());
        let mut scratch = Vec::new();
        for (statement, span) in statements.iter().zip(&runs.spans) {
            let values = span
                .clauses
                .clone()
                .map(|c| runs.clause_values.get(c).cloned().unwrap_or(0..0));
            let shapes = statement
                .condition
                .iter()
                .zip(values)
                .map(|(clause, run)| clause_shape(clause, self.values.get(run).unwrap_or(&[])));
            clause_sets.push(push_set(&mut clauses, &mut scratch, shapes));
        }
        (clauses, clause_sets)
    }
}

/// Appends `items` to `run` sorted and each once, through `scratch`; where they are.
fn push_set<T: Ord>(
    run: &mut Vec<T>,
    scratch: &mut Vec<T>,
    items: impl Iterator<Item = T>,
) -> Range<usize> {
    scratch.clear();
    scratch.extend(items);
    scratch.sort_unstable();
    scratch.dedup();
    let start = run.len();
    run.append(scratch);
    start..run.len()
}

/// Sorted, each once.
fn set<T: Ord>(mut items: Vec<T>) -> Vec<T> {
    items.sort_unstable();
    items.dedup();
    items
}

impl<'s> Shape<'s> {
    fn of(
        statement: &'s Statement,
        sets: &'s Sets<'s>,
        span: &Span,
        condition: &'s [ClauseShape<'s>],
    ) -> Shape<'s> {
        Shape {
            effect: statement.effect,
            principal: statement.principal.as_ref().map(|p| {
                let entries = match &p.principals {
                    Principals::Any => vec![("*", Vec::new())],
                    Principals::Typed(entries) => set(entries
                        .iter()
                        .map(|(t, v)| (t.as_str(), set(v.iter().collect())))
                        .collect()),
                };
                Box::new((p.negated, entries))
            }),
            not_action: statement.action.negated,
            not_resource: span.resource.as_ref().map(|(negated, _)| *negated),
            actions: sets.actions.get(span.action.clone()).unwrap_or(&[]),
            resources: span
                .resource
                .as_ref()
                .and_then(|(_, run)| sets.resources.get(run.clone()))
                .unwrap_or(&[]),
            condition,
        }
    }

    fn group(&self) -> GroupKey<'_, 's> {
        (self.effect, &self.principal, self.condition)
    }
}

fn clause_shape<'s>(clause: &'s ConditionClause, values: &'s [&'s str]) -> ClauseShape<'s> {
    let op = clause.operator;
    let qualifier = match op.qualifier {
        None => 0,
        Some(SetQualifier::ForAllValues) => 1,
        Some(SetQualifier::ForAnyValue) => 2,
    };
    (
        (op.comparison, qualifier, op.negated, op.if_exists),
        NoCase(&clause.key),
        values,
    )
}

/// Whether `wide` matches every request `narrow` matches, with the same effect, principal and
/// condition, and plain (not negated) `Action` and `Resource`.
fn covers(
    wide: &Statement,
    wide_shape: &Shape<'_>,
    wide_compiled: &OnceCell<Vec<ActionCover>>,
    narrow: &Statement,
    narrow_shape: &Shape<'_>,
    substitutes: bool,
) -> bool {
    if wide_shape.effect != narrow_shape.effect
        || wide_shape.principal != narrow_shape.principal
        || wide_shape.condition != narrow_shape.condition
        || wide.action.negated
        || narrow.action.negated
    {
        return false;
    }
    let wildcards = wide_compiled.get_or_init(|| {
        wide.action
            .patterns
            .iter()
            .filter(|a| super::has_wildcard(a))
            .map(ActionCover::new)
            .collect()
    });
    let actions = narrow.action.patterns.iter().all(|n| {
        wide_shape.actions.binary_search(&NoCase(n)).is_ok()
            || wildcards.iter().any(|w| w.covers(n))
    });
    let resources = match (&wide.resource, &narrow.resource) {
        (None, None) => true,
        (Some(w), Some(n)) if !w.negated && !n.negated => n.patterns.iter().all(|n| {
            w.patterns
                .iter()
                .any(|w| w == n || resource_covers(w, n, substitutes))
        }),
        _ => false,
    };
    actions && resources
}
