//! Which statements of a group can match a request's action, found without looking at the
//! others: action patterns are case-folded and compiled once, and filed under the service
//! prefix they name (and, for literal actions, under the interned action itself).
//!
//! A pattern whose folded text starts with a literal `service:` can only match actions of that
//! service, because the request's action always has the form `service:name` and its first colon
//! ends the service prefix. Every other pattern (`*`, `*Object`, `s3*:Get`, `?3:Get`) is filed
//! under "anywhere" and tried on every request, and `NotAction` statements are always tried with
//! their whole list. The index yields exactly the statements whose action element matches the
//! request's action (possibly the same statement more than once), never a candidate to re-check.

use crate::hash::FxMap;
use crate::pattern::{Pattern, Piece, Shape};
use crate::policy::ActionElement;
use crate::request::Action;
use std::collections::HashMap;
use std::ops::ControlFlow;

/// The interning tables: short keys from policies, looked up once per request.
/// Interned names: a request's action is hashed twice per decision, hence FxHash.
type Table = FxMap<Box<str>, usize>;

/// Interned lowercase service prefixes and literal actions, shared by every group of a compiled
/// policy set, so that a request looks its action up once.
#[derive(Clone, Debug, Default)]
pub(super) struct Names {
    services: Table,
    actions: Table,
}

impl Names {
    fn service(&mut self, service: &str) -> usize {
        intern(&mut self.services, service)
    }

    fn action(&mut self, action: &str) -> usize {
        intern(&mut self.actions, action)
    }

    /// Looks up a request's action; `Action` has already split off its service prefix.
    pub(super) fn probe_action<'a>(&self, action: &'a Action) -> Probe<'a> {
        self.lookup(action.lowercase(), action.service())
    }

    /// Looks up an action given in lowercase (`s3:getobject`).
    #[cfg(test)]
    pub(super) fn probe<'a>(&self, action: &'a str) -> Probe<'a> {
        let service = action
            .split_once(':')
            .map_or(action, |(service, _)| service);
        self.lookup(action, service)
    }

    fn lookup<'a>(&self, action: &'a str, service: &str) -> Probe<'a> {
        Probe {
            action,
            service: self.services.get(service).copied(),
            id: self.actions.get(action).copied(),
        }
    }
}

fn intern(table: &mut Table, text: &str) -> usize {
    if let Some(id) = table.get(text) {
        return *id;
    }
    let id = table.len();
    table.insert(text.into(), id);
    id
}

/// A request's action, looked up in [`Names`].
#[derive(Clone, Copy, Debug)]
pub(super) struct Probe<'a> {
    /// The whole action in lowercase.
    pub(super) action: &'a str,
    /// The interned service prefix, if any policy names it.
    service: Option<usize>,
    /// The interned action, if any policy names it literally.
    id: Option<usize>,
}

/// One `Action`/`NotAction` entry, case-folded (D10) and matched against the lowercase action.
#[derive(Clone, Debug)]
pub(super) enum ActionMatcher {
    Exact(Box<str>),
    Prefix(Box<str>),
    Suffix(Box<str>),
    Anything,
    /// A case-sensitive glob over the folded pattern text: the subject is already folded.
    General(Pattern),
}

impl ActionMatcher {
    pub(super) fn new(text: &str) -> ActionMatcher {
        ActionMatcher::from_pattern(&Pattern::new(text).ignore_case())
    }

    fn from_pattern(folded: &Pattern) -> ActionMatcher {
        match folded.shape() {
            Shape::Exact(text) => ActionMatcher::Exact(text.into()),
            Shape::Prefix(text) => ActionMatcher::Prefix(text.into()),
            Shape::Suffix(text) => ActionMatcher::Suffix(text.into()),
            Shape::Anything => ActionMatcher::Anything,
            // Rebuilt case-sensitive from the folded pieces, so that matching does not fold the
            // (already lowercase) subject again.
            Shape::General => {
                ActionMatcher::General(Pattern::from_pieces(folded.pieces().iter().map(|piece| {
                    match piece {
                        Piece::Literal(text) => (text.as_str(), false),
                        Piece::AnyRun => ("*", true),
                        Piece::AnyOne => ("?", true),
                    }
                })))
            }
        }
    }

    /// `action` is lowercase, as `Action::lowercase` gives it.
    pub(super) fn matches(&self, action: &str) -> bool {
        match self {
            ActionMatcher::Exact(text) => action == &**text,
            ActionMatcher::Prefix(text) => action.starts_with(&**text),
            ActionMatcher::Suffix(text) => action.ends_with(&**text),
            ActionMatcher::Anything => true,
            ActionMatcher::General(pattern) => pattern.matches(action),
        }
    }
}

/// Statements filed under one service prefix (or under "anywhere").
#[derive(Clone, Debug, Default)]
struct Bucket {
    /// Statements matching every action here (`s3:*`, or `*` under "anywhere").
    all: Vec<usize>,
    /// (interned action, statement), sorted: literal actions.
    exact: Vec<(usize, usize)>,
    /// Statements whose pattern must be tried.
    patterns: Vec<(ActionMatcher, usize)>,
}

impl Bucket {
    fn try_each<B>(
        &self,
        probe: &Probe<'_>,
        f: &mut impl FnMut(usize) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        for statement in &self.all {
            f(*statement)?;
        }
        if let Some(id) = probe.id {
            let start = self.exact.partition_point(|(action, _)| *action < id);
            let listed = self.exact.get(start..).unwrap_or(&[]);
            for (_, statement) in listed.iter().take_while(|(action, _)| *action == id) {
                f(*statement)?;
            }
        }
        for (matcher, statement) in &self.patterns {
            if matcher.matches(probe.action) {
                f(*statement)?;
            }
        }
        ControlFlow::Continue(())
    }
}

/// The statements of one effect in one group, by the actions they can match.
#[derive(Clone, Debug, Default)]
pub(super) struct ActionIndex {
    /// Sorted by interned service prefix.
    services: Vec<(usize, Bucket)>,
    anywhere: Bucket,
    /// `NotAction` statements: they match unless one of their entries does.
    negated: Vec<(Vec<ActionMatcher>, usize)>,
}

/// Builds an [`ActionIndex`].
#[derive(Debug, Default)]
pub(super) struct IndexBuilder {
    services: HashMap<usize, Bucket>,
    anywhere: Bucket,
    negated: Vec<(Vec<ActionMatcher>, usize)>,
}

impl IndexBuilder {
    /// Files statement number `statement` under its action element.
    pub(super) fn add(&mut self, names: &mut Names, element: &ActionElement, statement: usize) {
        if element.negated {
            let matchers = element.patterns.iter().map(ActionMatcher::new).collect();
            self.negated.push((matchers, statement));
            return;
        }
        for text in element.patterns.iter() {
            self.add_pattern(names, &Pattern::new(text).ignore_case(), statement);
        }
    }

    fn add_pattern(&mut self, names: &mut Names, folded: &Pattern, statement: usize) {
        let service = match folded.pieces().first() {
            Some(Piece::Literal(text)) => text.split_once(':').map(|(service, _)| service),
            _ => None,
        };
        let Some(service) = service else {
            match folded.shape() {
                Shape::Anything => self.anywhere.all.push(statement),
                // A literal without a colon can never equal `service:name`.
                Shape::Exact(_) => {}
                _ => self
                    .anywhere
                    .patterns
                    .push((ActionMatcher::from_pattern(folded), statement)),
            }
            return;
        };
        let bucket = self.services.entry(names.service(service)).or_default();
        match folded.shape() {
            Shape::Exact(action) => bucket.exact.push((names.action(action), statement)),
            Shape::Prefix(text) if text.len() == service.len() + 1 => bucket.all.push(statement),
            _ => bucket
                .patterns
                .push((ActionMatcher::from_pattern(folded), statement)),
        }
    }

    pub(super) fn finish(self) -> ActionIndex {
        let mut services: Vec<(usize, Bucket)> = self
            .services
            .into_iter()
            .map(|(service, mut bucket)| {
                bucket.exact.sort_unstable();
                (service, bucket)
            })
            .collect();
        services.sort_unstable_by_key(|(service, _)| *service);
        ActionIndex {
            services,
            anywhere: self.anywhere,
            negated: self.negated,
        }
    }
}

impl ActionIndex {
    /// Calls `f` with every statement whose action element matches `probe` (a statement may come
    /// more than once), until `f` breaks.
    pub(super) fn try_each<B>(
        &self,
        probe: &Probe<'_>,
        mut f: impl FnMut(usize) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        if let Some(service) = probe.service {
            if let Ok(at) = self.services.binary_search_by_key(&service, |(s, _)| *s) {
                if let Some((_, bucket)) = self.services.get(at) {
                    bucket.try_each(probe, &mut f)?;
                }
            }
        }
        self.anywhere.try_each(probe, &mut f)?;
        for (matchers, statement) in &self.negated {
            if !matchers.iter().any(|m| m.matches(probe.action)) {
                f(*statement)?;
            }
        }
        ControlFlow::Continue(())
    }

    /// Appends every statement whose action element matches `probe`, repeats included.
    pub(super) fn collect_into(&self, probe: &Probe<'_>, out: &mut Vec<usize>) {
        let _ = self.try_each(probe, |statement| {
            out.push(statement);
            ControlFlow::<()>::Continue(())
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Values;

    fn element(negated: bool, patterns: &[&str]) -> ActionElement {
        ActionElement {
            negated,
            patterns: Values {
                items: patterns.iter().map(|p| p.to_string()).collect(),
                is_list: true,
            },
        }
    }

    /// An index over one statement per element, and the statements it yields for `action`.
    struct Fixture {
        names: Names,
        index: ActionIndex,
    }

    impl Fixture {
        fn new(elements: &[ActionElement]) -> Fixture {
            let mut names = Names::default();
            let mut builder = IndexBuilder::default();
            for (statement, element) in elements.iter().enumerate() {
                builder.add(&mut names, element, statement);
            }
            Fixture {
                names,
                index: builder.finish(),
            }
        }

        fn matching(&self, action: &str) -> Vec<usize> {
            let lower = action.to_ascii_lowercase();
            let mut found = Vec::new();
            self.index
                .collect_into(&self.names.probe(&lower), &mut found);
            found.sort_unstable();
            found.dedup();
            found
        }
    }

    /// What the reference's `action_matches` says, statement by statement.
    fn reference_matching(elements: &[ActionElement], action: &str) -> Vec<usize> {
        let lower = action.to_ascii_lowercase();
        elements
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                let listed = e
                    .patterns
                    .iter()
                    .any(|p| Pattern::new(p).ignore_case().matches(&lower));
                listed != e.negated
            })
            .map(|(i, _)| i)
            .collect()
    }

    // SEMANTICS.md §2.1, D10: every shape of pattern is found, wherever it is filed.
    #[test]
    fn every_kind_of_pattern_is_found() {
        let elements = [
            element(false, &["s3:GetObject"]),          // 0 literal
            element(false, &["S3:GET*"]),               // 1 prefix, folded
            element(false, &["s3:*"]),                  // 2 whole service
            element(false, &["*"]),                     // 3 everything
            element(false, &["*Object"]),               // 4 suffix: no service
            element(false, &["?3:GetObject"]),          // 5 `?` in the service prefix
            element(false, &["s3*:GetObject"]),         // 6 `*` in the service prefix
            element(true, &["iam:*", "s3:Put*"]),       // 7 NotAction
            element(true, &["s3:get*"]),                // 8 NotAction excluding it
            element(false, &["ec2:*", "s3:G?tObject"]), // 9 general, second entry
            element(false, &["ec2:DescribeInstances"]), // 10 another service
            element(false, &["s3"]),                    // 11 no colon: never
            element(false, &["s3:getobject*x"]),        // 12 general, no match
            element(false, &["S3:L\u{130}stBucket"]),   // 13 İ folds to i
        ];
        let fixture = Fixture::new(&elements);
        let cases = [
            ("s3:GetObject", vec![0, 1, 2, 3, 4, 5, 6, 7, 9]),
            ("S3:getobject", vec![0, 1, 2, 3, 4, 5, 6, 7, 9]),
            ("s3:ListBucket", vec![2, 3, 7, 8, 13]),
            ("s3:PutObject", vec![2, 3, 4, 8]),
            ("iam:CreateUser", vec![3, 8]),
            ("ec2:DescribeInstances", vec![3, 7, 8, 9, 10]),
            ("s3control:GetObject", vec![3, 4, 6, 7, 8]),
            ("sqs:SendMessage", vec![3, 7, 8]),
        ];
        for (action, expected) in cases {
            assert_eq!(fixture.matching(action), expected, "{action}");
            assert_eq!(
                reference_matching(&elements, action),
                expected,
                "{action} (reference)"
            );
        }
    }

    // The scaling target: statements naming other services are never visited.
    #[test]
    fn only_the_requests_service_is_visited() {
        let mut elements: Vec<ActionElement> = (0..10_000)
            .map(|i| element(false, &[&format!("svc{}:Action{i}", i % 500)]))
            .collect();
        for i in 0..10 {
            elements.push(element(false, &[&format!("s3:Get{i}*")]));
        }
        let fixture = Fixture::new(&elements);
        let mut visited = Vec::new();
        fixture
            .index
            .collect_into(&fixture.names.probe("s3:get3object"), &mut visited);
        assert_eq!(visited, vec![10_003]);
        let services = fixture.index.services.len();
        assert_eq!(services, 501);
        let bucket = fixture
            .index
            .services
            .iter()
            .find(|(id, _)| Some(*id) == fixture.names.probe("s3:x").service)
            .map(|(_, bucket)| bucket.patterns.len());
        assert_eq!(bucket, Some(10));
        assert_eq!(fixture.matching("svc7:Action7"), vec![7]);
        assert_eq!(fixture.matching("svc7:Action8"), Vec::<usize>::new());
    }

    #[test]
    fn matchers_take_the_pattern_shape() {
        assert!(
            matches!(ActionMatcher::new("S3:Get*"), ActionMatcher::Prefix(t) if &*t == "s3:get")
        );
        assert!(
            matches!(ActionMatcher::new("*Object"), ActionMatcher::Suffix(t) if &*t == "object")
        );
        assert!(matches!(ActionMatcher::new("**"), ActionMatcher::Anything));
        assert!(matches!(
            ActionMatcher::new("s3:GetObject"),
            ActionMatcher::Exact(_)
        ));
        let general = ActionMatcher::new("S3:*Get?bject*");
        assert!(matches!(general, ActionMatcher::General(_)));
        assert!(general.matches("s3:batchgetobjectx"));
        assert!(!general.matches("s3:batchgetbject"));
    }
}
