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
//!
//! Each class also knows the resources its actions can be sent with (D73): the ARN shapes of
//! the catalogue's resource types for its actions, and `*` where an action requires none. Every
//! action of a class gets the same decisions, so the pairs (class, resource) of real requests
//! are exactly those whose resource one of the class's actions can be sent with: the solver
//! constrains the resource per class by the union of its actions' shapes ([`ResourceConstraint`],
//! one per distinct union), and a witness names the action whose shape its resource has
//! ([`ActionDomain::fitting`]). Splitting classes by shape would describe the same requests
//! with many more classes.

use crate::regex::FxMap;
use iamspec_corpus::Catalogue;
use iamspec_model::guard_rail::GuardRail;
use iamspec_model::pattern::{fold_case, Pattern, Shape};
use iamspec_model::request::Action;
use iamspec_model::scope::{needs_resource_grant, rcp_governs};
use std::collections::HashMap;
use std::sync::OnceLock;

/// The resources an action can be sent with (D73).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Any resource and `*`: the action has no resource types (the catalogue lists none, or
    /// one without an ARN template), or the catalogue does not know it.
    Any,
    /// An ARN of one of the shapes of [`shape_set`]`(shapes)`, or `*` when `star` (no resource
    /// type is required).
    Typed { star: bool, shapes: u32 },
}

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
    access: Access,
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
            access: Access::Any,
        })
    }
}

/// The catalogue's resource types of `action`: its ARN templates (sorted, distinct) and whether
/// one of them is required; `None` when it has none, or one without a template.
fn resource_types(
    action: &iamspec_corpus::catalogue::ActionRef<'_>,
) -> Option<(Vec<String>, bool)> {
    let mut templates = Vec::new();
    let mut required = false;
    for (rt, found) in action.resource_types() {
        templates.push(found?.arn().to_owned());
        required |= rt.required();
    }
    if templates.is_empty() {
        return None;
    }
    templates.sort();
    templates.dedup();
    Some((templates, required))
}

/// The catalogue's actions, prepared once.
struct Universe {
    entries: Vec<Entry>,
    /// The distinct sets of ARN templates of [`Access::Typed`].
    shape_sets: Vec<Vec<String>>,
    /// What the domain allows for each set ([`domain_templates`]).
    domain_sets: Vec<Vec<String>>,
    by_lowercase: HashMap<String, usize>,
    by_service: HashMap<String, Vec<usize>>,
    /// Every action case-folded as patterns fold them, sorted: the actions a literal pattern
    /// or a prefix pattern (`s3:Get*`) matches are one range.
    sorted: Vec<(String, usize)>,
    /// The actions of each pair of flags (`flags_index`), for the classes of the actions no
    /// element matches.
    by_flags: [FlagMembers; 4],
}

/// The actions with one pair of flags (RCP scope, D43; resource grant, D52), in universe order:
/// all of them, those with [`Access::Any`], those that can be sent with `*`, and those of each
/// set of shapes (sets in the order of their first action).
#[derive(Default)]
struct FlagMembers {
    all: Vec<usize>,
    any: Vec<usize>,
    star: Vec<usize>,
    shapes: Vec<(u32, Vec<usize>)>,
}

fn flags_index(rcp: bool, grant: bool) -> usize {
    usize::from(rcp) * 2 + usize::from(grant)
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
            shape_sets: Vec::new(),
            domain_sets: Vec::new(),
            by_lowercase: HashMap::new(),
            by_service: HashMap::new(),
            sorted: Vec::new(),
            by_flags: Default::default(),
        };
        let mut set_ids: HashMap<Vec<String>, u32> = HashMap::new();
        for action in catalogue.actions() {
            if let Some(mut entry) = Entry::new(&action.to_string()) {
                if universe.by_lowercase.contains_key(&entry.lowercase) {
                    continue;
                }
                if let Some((templates, required)) = resource_types(&action) {
                    let next = u32::try_from(universe.shape_sets.len()).unwrap_or(u32::MAX);
                    let id = *set_ids.entry(templates.clone()).or_insert_with(|| {
                        universe.shape_sets.push(templates);
                        next
                    });
                    entry.access = Access::Typed {
                        star: !required,
                        shapes: id,
                    };
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
        universe.domain_sets = universe.shape_sets.iter().map(|set| coarse(set)).collect();
        let mut shape_slot: [FxMap<u32, usize>; 4] = Default::default();
        for (index, entry) in universe.entries.iter().enumerate() {
            let f = flags_index(entry.rcp, entry.grant);
            let (Some(members), Some(slots)) =
                (universe.by_flags.get_mut(f), shape_slot.get_mut(f))
            else {
                continue;
            };
            members.all.push(index);
            match entry.access {
                Access::Any => members.any.push(index),
                Access::Typed { star, shapes } => {
                    if star {
                        members.star.push(index);
                    }
                    let slot = *slots.entry(shapes).or_insert_with(|| {
                        members.shapes.push((shapes, Vec::new()));
                        members.shapes.len() - 1
                    });
                    if let Some((_, list)) = members.shapes.get_mut(slot) {
                        list.push(index);
                    }
                }
            }
        }
        universe
    })
}

/// The partition, and which classes each element matches.
#[derive(Clone, Debug, PartialEq)]
pub struct ActionDomain {
    /// A representative action for each class.
    representatives: Vec<String>,
    /// Element key → the classes whose actions the element's patterns match.
    element_classes: HashMap<Vec<String>, Vec<usize>>,
    rcp: Vec<usize>,
    grant: Vec<usize>,
    /// What each class's actions can be sent with (D73).
    resources: Vec<ClassResources>,
    /// One per distinct union of shapes of the classes that have no [`Access::Any`] action.
    constraints: Vec<ResourceConstraint>,
}

/// The resources the actions of one class can be sent with, each with an action that can.
#[derive(Clone, Debug, Default, PartialEq)]
struct ClassResources {
    /// An action of the class with [`Access::Any`].
    any: Option<String>,
    /// An action of the class that can be sent with `*` (no required resource type).
    star: Option<String>,
    /// Each set of shapes of the class's actions (an index of [`shape_set`]), with an action.
    shapes: Vec<(u32, String)>,
}

/// The resources a group of classes can be sent with: `*` when `star`, else an ARN of one of
/// `templates` (the catalogue's ARN templates, `space::template_re`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceConstraint {
    pub classes: Vec<usize>,
    pub star: bool,
    pub templates: Vec<String>,
}

/// The ARN templates of a set of shapes ([`Access::Typed`]).
pub fn shape_set(id: u32) -> &'static [String] {
    set_at(&catalogue_universe().shape_sets, id)
}

/// Set `id` of `sets`, or none.
fn set_at(sets: &'static [Vec<String>], id: u32) -> &'static [String] {
    usize::try_from(id)
        .ok()
        .and_then(|i| sets.get(i))
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Every ARN template of the catalogue's resource types, once each.
pub fn all_templates() -> impl Iterator<Item = &'static String> {
    catalogue_universe().shape_sets.iter().flatten()
}

/// Above this many resource types an action's shapes are its services' ARNs: `ec2:CreateTags`
/// (a hundred resource types) can be sent with any EC2 ARN. Larger than the truth, so sound;
/// a union of a hundred shapes would multiply the regions of the resource partition.
const COARSE: usize = 12;

/// The templates of the domain for a set of shapes: the set, or past [`COARSE`] templates one
/// per service (`arn:${Partition}:ec2:*:*:*`, every ARN of the service).
fn coarse(set: &[String]) -> Vec<String> {
    if set.len() <= COARSE {
        return set.to_vec();
    }
    let mut services: Vec<String> = set
        .iter()
        .map(|t| {
            let service = t.split(':').nth(2).unwrap_or("*");
            let service = if service.contains('$') { "*" } else { service };
            format!("arn:${{Partition}}:{service}:*:*:*")
        })
        .collect();
    services.sort();
    services.dedup();
    services
}

/// The ARN templates the domain allows for a set of shapes ([`Access::Typed`]): its own, or
/// its services' past [`COARSE`] of them.
pub fn domain_templates(id: u32) -> &'static [String] {
    set_at(&catalogue_universe().domain_sets, id)
}

/// What `action` can be sent with (D73): [`Access::Any`] for an action the catalogue does not
/// know (as the solver treats actions a policy names).
pub fn access(action: &str) -> Access {
    let universe = catalogue_universe();
    Action::parse(action)
        .and_then(|a| universe.by_lowercase.get(a.lowercase()))
        .and_then(|&i| universe.entries.get(i))
        .map_or(Access::Any, |e| e.access)
}

/// Can `action` be sent with `resource` (D73)? An action without resource types, or unknown
/// to the catalogue, with anything; another with an ARN of one of its resource types' shapes,
/// and with `*` when it requires none.
pub fn resource_fits(action: &str, resource: &iamspec_model::request::Resource) -> bool {
    use iamspec_model::request::Resource;
    match (access(action), resource) {
        (Access::Any, _) => true,
        (Access::Typed { star, .. }, Resource::Any) => star,
        (Access::Typed { shapes, .. }, Resource::Arn(arn)) => {
            let text = arn.to_string();
            domain_templates(shapes)
                .iter()
                .any(|t| crate::space::template_re(t).matches(&text))
        }
    }
}

impl ActionDomain {
    /// An action of `class` that can be sent with `resource` (D73), and `true`; else the
    /// class's representative and `false` (outside the domain: a solver bug unless the
    /// resource constraint was left out). Every action of a class gets the same decisions, so
    /// the choice only makes the witness a request AWS can send. An action whose shapes the
    /// resource has reads better than one that takes any resource, so it comes first.
    pub fn fitting(&self, class: usize, resource: &str) -> Option<(&str, bool)> {
        let representative = self.representative(class)?;
        let Some(info) = self.resources.get(class) else {
            return Some((representative, false));
        };
        if resource == "*" {
            return Some(
                info.star
                    .as_deref()
                    .or(info.any.as_deref())
                    .map_or((representative, false), |a| (a, true)),
            );
        }
        // An action of the resource's own service reads best (`s3:GetObject` on an object,
        // not `s3:CreateJob`, whose resource types include IAM roles).
        let service = resource.split(':').nth(2).unwrap_or("");
        let own = |action: &str| action.split(':').next() == Some(service);
        let mut fits_other = None;
        for (set, action) in &info.shapes {
            if domain_templates(*set)
                .iter()
                .any(|t| crate::space::template_re(t).matches(resource))
            {
                if own(action) {
                    return Some((action, true));
                }
                fits_other.get_or_insert(action.as_str());
            }
        }
        if let Some(action) = fits_other {
            return Some((action, true));
        }
        Some(
            info.any
                .as_deref()
                .map_or((representative, false), |a| (a, true)),
        )
    }

    /// The resources each group of classes without an [`Access::Any`] action can be sent
    /// with; classes with such an action can be sent with anything.
    pub fn resource_constraints(&self) -> &[ResourceConstraint] {
        &self.constraints
    }

    /// For each set of shapes of `class`'s actions, its templates and an action.
    pub fn class_shapes(&self, class: usize) -> Vec<(&'static [String], &str)> {
        self.resources
            .get(class)
            .map(|info| {
                info.shapes
                    .iter()
                    .map(|(set, action)| (shape_set(*set), action.as_str()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Example resource ARNs of the classes' resource types, for readable witnesses.
    pub fn example_resources(&self, account: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for info in &self.resources {
            for (set, _) in info.shapes.iter().take(1) {
                if let Some(template) = shape_set(*set).first() {
                    let example = crate::space::example_arn(template, account);
                    if !out.contains(&example) {
                        out.push(example);
                    }
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
        // the last partition is kept (for the process: queries run on the threads of
        // `contexts`, one after another on different ones).
        static LAST: std::sync::Mutex<Option<(Vec<Vec<String>>, ActionDomain)>> =
            std::sync::Mutex::new(None);
        let last = || LAST.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(domain) = last()
            .as_ref()
            .filter(|(key, _)| key.as_slice() == elements)
            .map(|(_, domain)| domain.clone())
        {
            return domain;
        }
        let domain = Self::build_(elements);
        *last() = Some((elements.to_vec(), domain.clone()));
        domain
    }

    fn build_(elements: &[Vec<String>]) -> ActionDomain {
        let universe = catalogue_universe();
        let extra = actions_lacking(universe, elements);
        let total = universe.entries.len() + extra.len();
        let entry = |index: usize| entry_at(universe, &extra, index);
        let extra_indices: Vec<usize> = (universe.entries.len()..total).collect();
        let keys = element_keys(elements);
        let (matched_by, group) = refine(universe, &keys, &extra, total);
        let unmatched = |list: &[usize]| list.iter().copied().find(|i| !group.contains_key(i));

        // Each class with its first action: the classes of the actions no element matches
        // (one per pair of flags) from the universe's tables, the others from their actions.
        // The classes are numbered in the order of their first actions, as a walk over the
        // universe would number them.
        let mut explicit: Vec<usize> = group.keys().copied().chain(extra_indices).collect();
        explicit.sort_unstable();
        explicit.dedup();
        let key_of =
            |index: usize, e: &Entry| (group.get(&index).copied().unwrap_or(0), e.rcp, e.grant);
        let mut firsts: Vec<(usize, (u32, bool, bool))> = Vec::new();
        for (f, members) in universe.by_flags.iter().enumerate() {
            if let Some(first) = unmatched(&members.all) {
                firsts.push((first, (0, f >= 2, f % 2 == 1)));
            }
        }
        let mut keyed: FxMap<(u32, bool, bool), ()> =
            firsts.iter().map(|(_, key)| (*key, ())).collect();
        for &index in &explicit {
            let Some(e) = entry(index) else { continue };
            let key = key_of(index, e);
            if keyed.insert(key, ()).is_none() {
                firsts.push((index, key));
            }
        }
        firsts.sort_unstable();

        let mut class_of: FxMap<(u32, bool, bool), usize> = FxMap::default();
        let mut classes = Classes::new(&keys);
        for (first, key) in &firsts {
            let Some(e) = entry(*first) else { continue };
            let signature = matched_by.get(first).map(Vec::as_slice).unwrap_or(&[]);
            let class = classes.open(e, signature, &keys);
            class_of.insert(*key, class);
            if key.0 == 0 {
                // The actions no element matches: the first of each kind that is not matched.
                let members = universe.by_flags.get(flags_index(key.1, key.2));
                let display = |i: Option<usize>| i.and_then(entry).map(|e| e.display.clone());
                if let (Some(members), Some(info)) = (members, classes.resources.get_mut(class)) {
                    info.any = display(unmatched(&members.any));
                    info.star = display(unmatched(&members.star));
                    let mut shapes: Vec<(usize, u32)> = members
                        .shapes
                        .iter()
                        .filter_map(|(set, list)| unmatched(list).map(|i| (i, *set)))
                        .collect();
                    shapes.sort_unstable();
                    info.shapes = shapes
                        .into_iter()
                        .filter_map(|(i, set)| entry(i).map(|e| (set, e.display.clone())))
                        .collect();
                }
            }
        }
        // The matched actions (and those the catalogue lacks), in universe order; they come
        // after the universe's unmatched ones only where their class is one of those (an
        // action the catalogue lacks, which no element matched).
        let mut seen_shapes: FxMap<(usize, u32), ()> = classes
            .resources
            .iter()
            .enumerate()
            .flat_map(|(class, info)| info.shapes.iter().map(move |(set, _)| ((class, *set), ())))
            .collect();
        for &index in &explicit {
            let Some(e) = entry(index) else { continue };
            if let Some(&class) = class_of.get(&key_of(index, e)) {
                classes.add(class, e, &mut seen_shapes);
            }
        }
        classes.finish()
    }

    /// The partition as first written: every action grouped one by one (the oracle of the
    /// grouping that looks at the matched actions only).
    #[cfg(test)]
    fn build_plain(elements: &[Vec<String>]) -> ActionDomain {
        let universe = catalogue_universe();
        let extra = actions_lacking(universe, elements);
        let total = universe.entries.len() + extra.len();
        let entry = |index: usize| entry_at(universe, &extra, index);
        let keys = element_keys(elements);
        let (matched_by, group) = refine(universe, &keys, &extra, total);

        // Group by signature, in universe order.
        let mut class_of: FxMap<(u32, bool, bool), usize> = FxMap::default();
        let mut classes = Classes::new(&keys);
        let mut seen_shapes: FxMap<(usize, u32), ()> = FxMap::default();
        let empty: Vec<u32> = Vec::new();
        for index in 0..total {
            let Some(e) = entry(index) else { continue };
            let signature: &[u32] = matched_by.get(&index).unwrap_or(&empty);
            let key = (group.get(&index).copied().unwrap_or(0), e.rcp, e.grant);
            let class = *class_of
                .entry(key)
                .or_insert_with(|| classes.open(e, signature, &keys));
            classes.add(class, e, &mut seen_shapes);
        }
        classes.finish()
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

/// The actions the policies name literally that the catalogue lacks, each once.
fn actions_lacking(universe: &Universe, elements: &[Vec<String>]) -> Vec<Entry> {
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
    extra
}

/// The action at `index`: the universe's, then `extra`'s.
fn entry_at<'a>(universe: &'a Universe, extra: &'a [Entry], index: usize) -> Option<&'a Entry> {
    universe.entries.get(index).or_else(|| {
        index
            .checked_sub(universe.entries.len())
            .and_then(|i| extra.get(i))
    })
}

/// The distinct elements to tell actions apart by: the policies', then those of AWS's guard
/// rails (D68).
fn element_keys(elements: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut keys: Vec<Vec<String>> = Vec::new();
    let rails = GuardRail::ALL.map(rail_element);
    for element in elements.iter().chain(&rails) {
        if !keys.contains(element) {
            keys.push(element.clone());
        }
    }
    keys
}

/// The classes of an [`ActionDomain`] as they are opened, each with its first action.
struct Classes {
    representatives: Vec<String>,
    element_classes: HashMap<Vec<String>, Vec<usize>>,
    rcp: Vec<usize>,
    grant: Vec<usize>,
    resources: Vec<ClassResources>,
}

impl Classes {
    fn new(keys: &[Vec<String>]) -> Classes {
        Classes {
            representatives: Vec::new(),
            element_classes: keys.iter().map(|k| (k.clone(), Vec::new())).collect(),
            rcp: Vec::new(),
            grant: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// Opens the next class, whose first action is `e`, matched by the elements `signature`
    /// (indices of `keys`).
    fn open(&mut self, e: &Entry, signature: &[u32], keys: &[Vec<String>]) -> usize {
        let class = self.representatives.len();
        self.representatives.push(e.display.clone());
        self.resources.push(ClassResources::default());
        for &element_index in signature {
            let element = usize::try_from(element_index)
                .ok()
                .and_then(|i| keys.get(i));
            if let Some(list) = element.and_then(|k| self.element_classes.get_mut(k)) {
                list.push(class);
            }
        }
        if e.rcp {
            self.rcp.push(class);
        }
        if e.grant {
            self.grant.push(class);
        }
        class
    }

    /// Counts action `e` of `class` (actions taken in universe order).
    fn add(&mut self, class: usize, e: &Entry, seen_shapes: &mut FxMap<(usize, u32), ()>) {
        if let Some(info) = self.resources.get_mut(class) {
            info.add(class, e, seen_shapes);
        }
    }

    fn finish(self) -> ActionDomain {
        let constraints = constraints(&self.resources);
        ActionDomain {
            representatives: self.representatives,
            element_classes: self.element_classes,
            rcp: self.rcp,
            grant: self.grant,
            resources: self.resources,
            constraints,
        }
    }
}

impl ClassResources {
    /// Counts action `e` of `class` (actions taken in universe order): the first action with
    /// any resource, the first that can be sent with `*`, the first of each set of shapes.
    fn add(&mut self, class: usize, e: &Entry, seen_shapes: &mut FxMap<(usize, u32), ()>) {
        match e.access {
            Access::Any => {
                if self.any.is_none() {
                    self.any = Some(e.display.clone());
                }
            }
            Access::Typed { star, shapes } => {
                if star && self.star.is_none() {
                    self.star = Some(e.display.clone());
                }
                if seen_shapes.insert((class, shapes), ()).is_none() {
                    self.shapes.push((shapes, e.display.clone()));
                }
            }
        }
    }
}

/// Which elements (indices of `keys`) match each matched action, and a number per set of
/// elements (0, absent, for none): refined element by element, the actions an element matches
/// moving to a fresh number per number they had, so that two actions share a number exactly
/// when the same elements match them. Grouping by that number costs a small key per action
/// where grouping by the list of elements compared lists.
fn refine(
    universe: &Universe,
    keys: &[Vec<String>],
    extra: &[Entry],
    total: usize,
) -> (FxMap<usize, Vec<u32>>, FxMap<usize, u32>) {
    let mut matched_by: FxMap<usize, Vec<u32>> = FxMap::default();
    let mut group: FxMap<usize, u32> = FxMap::default();
    let mut groups: u32 = 1;
    let mut moved: FxMap<u32, u32> = FxMap::default();
    for (element_index, element) in keys.iter().enumerate() {
        let hits = element_hits(universe, element, extra, total);
        let id = u32::try_from(element_index).unwrap_or(u32::MAX);
        moved.clear();
        for index in hits {
            matched_by.entry(index).or_default().push(id);
            let g = group.entry(index).or_insert(0);
            *g = *moved.entry(*g).or_insert_with(|| {
                groups += 1;
                groups - 1
            });
        }
    }
    (matched_by, group)
}

/// The actions (indices of the universe, then of `extra`) that some pattern of `element`
/// matches, sorted and distinct.
fn element_hits(
    universe: &Universe,
    element: &[String],
    extra: &[Entry],
    total: usize,
) -> Vec<usize> {
    let extra_indices = universe.entries.len()..total;
    let entry = |index: usize| entry_at(universe, extra, index);
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
                    .clone()
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
                    .chain(extra_indices.clone()),
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
    hits
}

/// The classes without an [`Access::Any`] action, grouped by what they can be sent with.
fn constraints(resources: &[ClassResources]) -> Vec<ResourceConstraint> {
    let mut out: Vec<ResourceConstraint> = Vec::new();
    for (class, info) in resources.iter().enumerate() {
        if info.any.is_some() {
            continue;
        }
        let mut templates: Vec<String> = info
            .shapes
            .iter()
            .flat_map(|(set, _)| domain_templates(*set).iter().cloned())
            .collect();
        templates.sort();
        templates.dedup();
        let star = info.star.is_some();
        match out
            .iter_mut()
            .find(|c| c.star == star && c.templates == templates)
        {
            Some(c) => c.classes.push(class),
            None => out.push(ResourceConstraint {
                classes: vec![class],
                star,
                templates,
            }),
        }
    }
    out
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

    /// Classes are the sets of actions the same elements match, with the same flags: no two
    /// classes share their elements and flags, and each representative is matched by exactly
    /// the elements that list its class (the grouping by a refined number per action).
    #[test]
    fn classes_are_exactly_the_sets_of_matching_elements() {
        let elements = vec![
            el(&["*"]),
            el(&["s3:*"]),
            el(&["s3:Get*", "kms:Decrypt"]),
            el(&["s3:GetObject"]),
            el(&["iam:Pass*", "ec2:*Instances"]),
            el(&["sts:AssumeRole", "s3:GetObject"]),
        ];
        let domain = ActionDomain::build(&elements);
        // The guard rails' actions are told apart too.
        let elements: Vec<Vec<String>> = elements
            .into_iter()
            .chain(GuardRail::ALL.map(rail_element))
            .collect();
        let mut keys = Vec::new();
        for class in 0..domain.class_count() {
            let rep = domain.representative(class).unwrap().to_owned();
            let members: Vec<bool> = elements
                .iter()
                .map(|e| domain.classes_of(e).contains(&class))
                .collect();
            for (element, member) in elements.iter().zip(&members) {
                let matched = element.iter().any(|p| {
                    Pattern::new(p)
                        .ignore_case()
                        .matches(&rep.to_ascii_lowercase())
                });
                assert_eq!(matched, *member, "{rep} and {element:?}");
            }
            let key = (
                members,
                domain.rcp_classes().contains(&class),
                domain.grant_classes().contains(&class),
            );
            assert!(!keys.contains(&key), "two classes for {key:?}");
            keys.push(key);
        }
        assert!(domain.class_count() > 6, "{}", domain.class_count());
    }

    /// D73: a class of object actions can be sent with objects only; one that also holds an
    /// action without resource types with anything; the witness's action fits its resource.
    #[test]
    fn classes_know_their_resources() {
        let objects = el(&["s3:GetObject", "s3:GetObjectAcl"]);
        let domain = ActionDomain::build(std::slice::from_ref(&objects));
        let class = domain.classes_of(&objects)[0];
        let constraint = domain
            .resource_constraints()
            .iter()
            .find(|c| c.classes.contains(&class))
            .expect("object actions are constrained");
        // Neither of its resource types (access point object, object) is required alone.
        assert!(constraint.star);
        assert!(constraint
            .templates
            .iter()
            .any(|t| t.ends_with(":s3:::${BucketName}/${ObjectName}")));
        assert_eq!(
            domain
                .fitting(class, "arn:aws:s3:::b/k")
                .map(|(_, fits)| fits),
            Some(true)
        );
        assert_eq!(
            domain
                .fitting(class, "arn:aws:s3:::b")
                .map(|(_, fits)| fits),
            Some(false)
        );
        // `s3:*` holds `s3:ListAllMyBuckets`, which has no resource types: no constraint.
        let all = el(&["s3:*"]);
        let domain = ActionDomain::build(std::slice::from_ref(&all));
        for &class in domain.classes_of(&all) {
            let constrained = domain
                .resource_constraints()
                .iter()
                .any(|c| c.classes.contains(&class));
            let (action, fits) = domain.fitting(class, "*").unwrap();
            assert_eq!(
                fits,
                !constrained || access(action) != Access::Any,
                "{action}"
            );
        }
        use iamspec_model::request::Resource;
        let arn = |t: &str| Resource::Arn(iamspec_model::arn::Arn::parse(t).unwrap());
        assert!(resource_fits("s3:GetObject", &arn("arn:aws:s3:::b/k")));
        assert!(!resource_fits("s3:GetObject", &arn("arn:aws:s3:::b")));
        assert!(!resource_fits("s3:DeleteBucket", &Resource::Any));
        assert!(!resource_fits(
            "kms:Decrypt",
            &arn("arn:aws:kms:us-east-1:111122223333:alias/a")
        ));
        assert!(resource_fits(
            "s3:ListAllMyBuckets",
            &arn("arn:aws:sqs:us-east-1:111122223333:q")
        ));
        assert!(resource_fits("s3:ListAllMyBuckets", &Resource::Any));
        assert!(resource_fits("madeup:DoThing", &arn("arn:aws:s3:::b")));
        assert!(resource_fits(
            "iam:DeletePolicy",
            &arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        ));
    }

    #[test]
    fn literal_unknown_actions_join_the_universe() {
        let a = el(&["madeup:DoThing"]);
        let domain = ActionDomain::build(std::slice::from_ref(&a));
        let classes = domain.classes_of(&a);
        assert_eq!(classes.len(), 1);
        assert_eq!(domain.representative(classes[0]), Some("madeup:DoThing"));
    }

    /// The grouping that looks only at matched actions (and takes the rest from the
    /// universe's tables) builds the same domain as the walk over every action: the same
    /// classes, numbered alike, with the same representatives and resources.
    #[test]
    fn grouping_the_matched_actions_only_is_the_walk_over_all() {
        use proptest::prelude::*;
        const POOL: &[&str] = &[
            "*",
            "s3:*",
            "s3:Get*",
            "s3:GetObject",
            "S3:getobject",
            "s3:*Object*",
            "*:Get*",
            "ec2:Describe*",
            "ec2:?escribeInstances",
            "iam:PassRole",
            "iam:*",
            "kms:Decrypt",
            "sts:AssumeRole",
            "lambda:InvokeFunction",
            "organizations:*",
            "sqs:SendMessage",
            "dynamodb:*",
            "madeup:DoThing",
            "Madeup:dothing",
            "other:Thing*",
            "cloudtrail:*",
        ];
        let element = proptest::collection::vec(proptest::sample::select(POOL), 1..4);
        let elements = proptest::collection::vec(element, 0..5);
        let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
            cases: 48,
            ..ProptestConfig::default()
        });
        runner
            .run(&elements, |elements| {
                let elements: Vec<Vec<String>> = elements
                    .iter()
                    .map(|e| e.iter().map(|p| p.to_string()).collect())
                    .collect();
                prop_assert_eq!(
                    ActionDomain::build_(&elements),
                    ActionDomain::build_plain(&elements)
                );
                Ok(())
            })
            .unwrap();
    }
}
