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
}

impl ActionDomain {
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
        let empty: Vec<u32> = Vec::new();
        for index in 0..total {
            let Some(e) = entry(index) else { continue };
            let signature: &[u32] = matched_by.get(index).unwrap_or(&empty);
            let key = (signature, e.rcp, e.grant);
            if class_of.contains_key(&key) {
                continue;
            }
            let class = representatives.len();
            representatives.push(e.display.clone());
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
