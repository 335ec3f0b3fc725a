//! The action domain: a finite partition of every action the catalogue knows (plus every action
//! the compared policies name literally) by what the policies can tell apart.
//!
//! Two actions that every `Action`/`NotAction` element of the compared policies matches alike, and
//! that agree on the two action-dependent rules of the decision procedure (RCP scope, D43, and the
//! resources that must grant themselves, D52), are indistinguishable for the query, so the solver
//! only chooses among the classes. Matching is done here, concretely, with the model's own glob
//! (D10), so the encoding cannot disagree with the reference evaluator about actions.
//!
//! A verdict therefore assumes that the actions which exist are those of the embedded catalogue
//! (and those the policies name): a wildcard may match a future action the catalogue does not
//! list, and that action is not considered.

use crate::regex::FxMap;
use iamspec_corpus::Catalogue;
use iamspec_model::guard_rail::GuardRail;
use iamspec_model::pattern::{fold_case, Pattern, Shape};
use iamspec_model::request::Action;
use iamspec_model::scope::{needs_resource_grant, rcp_governs};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One action of the universe.
#[derive(Clone, Debug)]
struct Entry {
    /// As the catalogue (or the policy) writes it: `s3:GetObject`.
    display: String,
    lowercase: String,
    /// RCPs govern it (D43).
    rcp: bool,
    /// Its resource-based policy must grant access itself (D52).
    grant: bool,
}

impl Entry {
    fn new(display: &str) -> Option<Entry> {
        // Only actions a request can name are in the domain.
        let action = Action::parse(display)?;
        Some(Entry {
            display: display.to_owned(),
            lowercase: action.lowercase().to_owned(),
            rcp: rcp_governs(&action),
            grant: needs_resource_grant(&action),
        })
    }
}

/// The catalogue's actions, prepared once.
struct Universe {
    entries: Vec<Entry>,
    by_lowercase: HashMap<String, usize>,
    by_service: HashMap<String, Vec<usize>>,
    /// Every action case-folded as patterns fold them, sorted: the actions a literal pattern
    /// or a prefix pattern (`s3:Get*`) matches are one range.
    sorted: Vec<(String, usize)>,
}

impl Universe {
    /// The actions whose folded name is `exact`, or starts with `prefix`.
    fn range<'a>(&'a self, text: &'a str, prefix: bool) -> impl Iterator<Item = usize> + 'a {
        let start = self
            .sorted
            .partition_point(|(name, _)| name.as_str() < text);
        self.sorted
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take_while(move |(name, _)| {
                if prefix {
                    name.starts_with(text)
                } else {
                    name == text
                }
            })
            .map(|(_, index)| *index)
    }
}

fn catalogue_universe() -> &'static Universe {
    static UNIVERSE: OnceLock<Universe> = OnceLock::new();
    UNIVERSE.get_or_init(|| {
        let catalogue = Catalogue::embedded();
        let mut universe = Universe {
            entries: Vec::with_capacity(catalogue.action_count()),
            by_lowercase: HashMap::new(),
            by_service: HashMap::new(),
            sorted: Vec::new(),
        };
        for action in catalogue.actions() {
            if let Some(entry) = Entry::new(&action.to_string()) {
                if universe.by_lowercase.contains_key(&entry.lowercase) {
                    continue;
                }
                let index = universe.entries.len();
                let service = entry.lowercase.split(':').next().unwrap_or("").to_owned();
                universe.by_service.entry(service).or_default().push(index);
                universe.by_lowercase.insert(entry.lowercase.clone(), index);
                universe
                    .sorted
                    .push((fold_case(&entry.lowercase).into_owned(), index));
                universe.entries.push(entry);
            }
        }
        universe.sorted.sort_unstable();
        universe
    })
}

/// The partition, and which classes each element matches.
#[derive(Clone, Debug)]
pub struct ActionDomain {
    /// A representative action for each class.
    representatives: Vec<String>,
    /// Element key → the classes whose actions the element's patterns match.
    element_classes: HashMap<Vec<String>, Vec<usize>>,
    rcp: Vec<usize>,
    grant: Vec<usize>,
    /// Some actions of each class (the policies cannot tell them apart), so that a witness
    /// can name one whose resource types fit its resource.
    members: Vec<Vec<String>>,
}

/// How many actions of a class are kept for [`ActionDomain::fitting`].
const MEMBERS: usize = 400;

/// The resource patterns of an action's resource types (the catalogue's ARN templates, each
/// `${...}` a `*`); empty when the action takes no resource (`*`).
fn resource_templates(action: &str) -> Option<Vec<String>> {
    let found = Catalogue::embedded().action(action)?;
    Some(
        found
            .resource_types()
            .filter_map(|(_, rt)| rt.map(|rt| template_pattern(rt.arn())))
            .collect(),
    )
}

/// The catalogue's ARN templates of an action's resource types (`arn:${Partition}:s3:::${BucketName}`).
pub fn arn_templates(action: &str) -> Vec<String> {
    Catalogue::embedded()
        .action(action)
        .map(|found| {
            found
                .resource_types()
                .filter_map(|(_, rt)| rt.map(|rt| rt.arn().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

fn template_pattern(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("${") {
        out.push_str(rest.get(..start).unwrap_or(""));
        match rest.get(start..).and_then(|r| r.find('}')) {
            Some(end) => {
                out.push('*');
                rest = rest.get(start + end + 1..).unwrap_or("");
            }
            None => {
                rest = rest.get(start..).unwrap_or("");
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A resource ARN of the action's first resource type, with example values, for witnesses.
fn example_resource(action: &str, account: &str) -> Option<String> {
    let template = arn_templates(action).into_iter().next()?;
    Some(crate::space::example_arn(&template, account))
}

impl ActionDomain {
    /// An action of `class` whose resource types fit `resource` (`*`: an action that takes no
    /// resource; an ARN: one of its resource types' ARN templates matches, else its service
    /// field is the ARN's), else the class's representative. Every action of a class gets the
    /// same decisions, so the choice only makes the witness a request AWS can send.
    pub fn fitting(&self, class: usize, resource: &str) -> Option<(&str, bool)> {
        let members = self.members.get(class)?;
        let arn = iamspec_model::arn::Arn::parse(resource).ok();
        let score = |action: &str| -> u8 {
            let Some(templates) = resource_templates(action) else {
                return 0;
            };
            match &arn {
                None => u8::from(templates.is_empty()) * 2,
                Some(arn) => {
                    if templates
                        .iter()
                        .any(|t| iamspec_model::arn::resource_pattern_matches(t, arn, None))
                    {
                        2
                    } else {
                        let service = action.split(':').next().unwrap_or("");
                        u8::from(arn.service().eq_ignore_ascii_case(service))
                    }
                }
            }
        };
        let mut best: Option<(&str, u8)> = None;
        for action in members {
            let s = score(action);
            if best.is_none_or(|(_, b)| s > b) {
                best = Some((action, s));
                if s == 2 {
                    break;
                }
            }
        }
        best.map(|(a, s)| (a, s == 2))
            .or_else(|| self.representative(class).map(|a| (a, false)))
    }

    /// Some actions of `class`, in catalogue order (at most [`MEMBERS`]).
    pub fn members(&self, class: usize) -> &[String] {
        self.members.get(class).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Example resource ARNs of the classes' representatives, for readable witnesses.
    pub fn example_resources(&self, account: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for action in &self.representatives {
            if let Some(example) = example_resource(action, account) {
                if !out.contains(&example) {
                    out.push(example);
                }
            }
            if out.len() >= 40 {
                break;
            }
        }
        out
    }

    /// Partitions the catalogue and the literal actions of `elements` (each a list of action
    /// patterns) by the elements.
    pub fn build(elements: &[Vec<String>]) -> ActionDomain {
        // The encodings of one query (abstract, partition, z3 strings) share their elements:
        // the last partition is kept.
        thread_local! {
            static LAST: RefCell<Option<(Vec<Vec<String>>, ActionDomain)>> =
                const { RefCell::new(None) };
        }
        if let Some(domain) = LAST.with(|last| {
            last.borrow()
                .as_ref()
                .filter(|(key, _)| key.as_slice() == elements)
                .map(|(_, domain)| domain.clone())
        }) {
            return domain;
        }
        let domain = Self::build_(elements);
        LAST.with(|last| *last.borrow_mut() = Some((elements.to_vec(), domain.clone())));
        domain
    }

    fn build_(elements: &[Vec<String>]) -> ActionDomain {
        let universe = catalogue_universe();
        // Actions the policies name that the catalogue lacks.
        let mut extra: Vec<Entry> = Vec::new();
        for pattern in elements.iter().flatten() {
            if pattern.contains(['*', '?']) {
                continue;
            }
            if let Some(entry) = Entry::new(pattern) {
                if !universe.by_lowercase.contains_key(&entry.lowercase)
                    && !extra.iter().any(|e| e.lowercase == entry.lowercase)
                {
                    extra.push(entry);
                }
            }
        }
        let total = universe.entries.len() + extra.len();
        let entry = |index: usize| -> Option<&Entry> {
            universe.entries.get(index).or_else(|| {
                index
                    .checked_sub(universe.entries.len())
                    .and_then(|i| extra.get(i))
            })
        };
        let extra_indices: Vec<usize> = (universe.entries.len()..total).collect();

        let mut keys: Vec<Vec<String>> = Vec::new();
        // The actions of AWS's guard rails (D68) are told apart like the policies' elements.
        let rails = GuardRail::ALL.map(rail_element);
        for element in elements.iter().chain(&rails) {
            if !keys.contains(element) {
                keys.push(element.clone());
            }
        }
        // Which elements match each action (most match none).
        let mut matched_by: Vec<Vec<u32>> = vec![Vec::new(); total];
        for (element_index, element) in keys.iter().enumerate() {
            let mut hits: Vec<usize> = Vec::new();
            for text in element {
                let pattern = Pattern::new(text).ignore_case();
                if matches!(pattern.shape(), Shape::Anything) {
                    hits.extend(0..total);
                    continue;
                }
                // Literal and prefix patterns (most of them) are a range of the sorted names.
                let range = match pattern.shape() {
                    Shape::Exact(name) => Some((name, false)),
                    Shape::Prefix(prefix) => Some((prefix, true)),
                    _ => None,
                };
                if let Some((text, prefix)) = range {
                    hits.extend(universe.range(text, prefix));
                    hits.extend(
                        extra_indices
                            .iter()
                            .copied()
                            .filter(|&i| entry(i).is_some_and(|e| pattern.matches(&e.lowercase))),
                    );
                    continue;
                }
                let all: Vec<usize>;
                let candidates: Box<dyn Iterator<Item = usize>> = match literal_service(text) {
                    Some(service) => Box::new(
                        universe
                            .by_service
                            .get(fold_case(service).as_ref())
                            .into_iter()
                            .flatten()
                            .copied()
                            .chain(extra_indices.iter().copied()),
                    ),
                    None => {
                        all = (0..total).collect();
                        Box::new(all.into_iter())
                    }
                };
                for index in candidates {
                    if entry(index).is_some_and(|e| pattern.matches(&e.lowercase)) {
                        hits.push(index);
                    }
                }
            }
            hits.sort_unstable();
            hits.dedup();
            let id = u32::try_from(element_index).unwrap_or(u32::MAX);
            for index in hits {
                if let Some(list) = matched_by.get_mut(index) {
                    list.push(id);
                }
            }
        }

        // Group by signature, in universe order.
        let mut class_of: FxMap<(&[u32], bool, bool), usize> = FxMap::default();
        let mut representatives = Vec::new();
        let mut element_classes: HashMap<Vec<String>, Vec<usize>> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        let mut rcp = Vec::new();
        let mut grant = Vec::new();
        let mut members: Vec<Vec<String>> = Vec::new();
        let empty: Vec<u32> = Vec::new();
        for index in 0..total {
            let Some(e) = entry(index) else { continue };
            let signature: &[u32] = matched_by.get(index).unwrap_or(&empty);
            let key = (signature, e.rcp, e.grant);
            if let Some(&class) = class_of.get(&key) {
                if let Some(list) = members.get_mut(class) {
                    if list.len() < MEMBERS {
                        list.push(e.display.clone());
                    }
                }
                continue;
            }
            let class = representatives.len();
            representatives.push(e.display.clone());
            members.push(vec![e.display.clone()]);
            for &element_index in signature {
                let element = usize::try_from(element_index)
                    .ok()
                    .and_then(|i| keys.get(i));
                if let Some(list) = element.and_then(|k| element_classes.get_mut(k)) {
                    list.push(class);
                }
            }
            if e.rcp {
                rcp.push(class);
            }
            if e.grant {
                grant.push(class);
            }
            class_of.insert(key, class);
        }
        ActionDomain {
            representatives,
            element_classes,
            rcp,
            grant,
            members,
        }
    }

    pub fn class_count(&self) -> usize {
        self.representatives.len()
    }

    /// The classes an element (as given to [`ActionDomain::build`]) matches.
    pub fn classes_of(&self, element: &[String]) -> &[usize] {
        self.element_classes
            .get(element)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn rcp_classes(&self) -> &[usize] {
        &self.rcp
    }

    pub fn grant_classes(&self) -> &[usize] {
        &self.grant
    }

    pub fn representative(&self, class: usize) -> Option<&str> {
        self.representatives.get(class).map(String::as_str)
    }
}

/// The actions a guard rail refuses, as an element: [`ActionDomain::classes_of`] gives its classes.
pub fn rail_element(rail: GuardRail) -> Vec<String> {
    rail.actions().iter().map(|a| (*a).to_owned()).collect()
}

/// The service prefix of a pattern when it has no wildcard: `s3` for `s3:Get*`.
fn literal_service(pattern: &str) -> Option<&str> {
    let (service, _) = pattern.split_once(':')?;
    (!service.contains(['*', '?'])).then_some(service)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn partitions_by_elements_and_flags() {
        let a = el(&["s3:Get*"]);
        let b = el(&["s3:GetObject", "s3:GetObjectAcl"]);
        let domain = ActionDomain::build(&[a.clone(), b.clone()]);
        let in_a = domain.classes_of(&a);
        let in_b = domain.classes_of(&b);
        // Every class matched by `b` is matched by `a`.
        assert!(in_b.iter().all(|c| in_a.contains(c)));
        assert!(in_a.len() > in_b.len());
        // Representatives of `b`'s classes really are matched by its patterns.
        for &c in in_b {
            let rep = domain.representative(c).unwrap().to_ascii_lowercase();
            assert!(rep == "s3:getobject" || rep == "s3:getobjectacl", "{rep}");
        }
        assert!(domain.class_count() < 20, "{}", domain.class_count());
    }

    #[test]
    fn literal_unknown_actions_join_the_universe() {
        let a = el(&["madeup:DoThing"]);
        let domain = ActionDomain::build(std::slice::from_ref(&a));
        let classes = domain.classes_of(&a);
        assert_eq!(classes.len(), 1);
        assert_eq!(domain.representative(classes[0]), Some("madeup:DoThing"));
    }
}
