//! `Resource`/`NotResource` entries: the form of each ARN field, and whether the resource can be
//! a resource of the statement's actions, judged against the ARN templates of their resource
//! types (with the widened test of [`super::intersect`], so "cannot" is never a guess).

use super::cover::resource_covers;
use super::index::{candidate_order, PrefixIndex, SMALL};
use super::intersect::{ArnTemplate, Glob, Scratch};
use super::{ActionSet, Linter, StatementFacts};
use crate::catalogue::{ActionRef, Catalogue};
use iamspec_model::arn::{for_each_field, split_fields};
use iamspec_model::hash::FxMap;
use iamspec_model::json::JsonPath;
use iamspec_model::policy::{ResourceElement, Statement, Values};
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};

/// Partitions AWS has (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html).
const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The catalogue's ARN templates, by the service name in their third field.
pub(crate) struct ArnIndex {
    /// By FxHash: looked up for every ARN entry (SipHash was a tenth of checking one).
    by_service: FxMap<String, Formats>,
}

/// What one service's ARN templates have in common: the checks ask whether all or none of them
/// have a region, an account, a typed resource part, and counting once answers that for every
/// entry (walking the templates per entry was a twentieth of checking one, issue 13).
#[derive(Default)]
struct Formats {
    templates: usize,
    region_empty: usize,
    account_empty: usize,
    /// The resource part starts with a literal type such as `role/` or `table:`.
    typed: usize,
}

impl Formats {
    fn add(&mut self, region_empty: bool, account_empty: bool, typed: bool) {
        self.templates += 1;
        self.region_empty += usize::from(region_empty);
        self.account_empty += usize::from(account_empty);
        self.typed += usize::from(typed);
    }

    /// Whether every template (there is at least one) is counted in `count`.
    fn all(&self, count: usize) -> bool {
        self.templates > 0 && count == self.templates
    }

    /// Whether no template is counted in `count`, there being at least one.
    fn none(&self, count: usize) -> bool {
        self.templates > 0 && count == 0
    }
}

impl ArnIndex {
    fn new(catalogue: &Catalogue) -> ArnIndex {
        let mut index = ArnIndex {
            by_service: FxMap::default(),
        };
        let mut seen = BTreeSet::new();
        for service in catalogue.services() {
            for resource_type in service.resource_types() {
                let text = resource_type.arn();
                if !seen.insert(text) {
                    continue;
                }
                let fields = split_fields(text);
                let field = |n: usize| fields.get(n).copied().unwrap_or("");
                let resource = field(5);
                // The literal text before the first placeholder or wildcard names the type.
                let open = [resource.find("${"), resource.find('*')]
                    .into_iter()
                    .flatten()
                    .min();
                // A template that is all literal (`root`) names one resource: typed too.
                let typed = match open {
                    Some(at) => resource
                        .get(..at)
                        .is_some_and(|head| head.contains(['/', ':'])),
                    None => true,
                };
                // A template whose service is a placeholder (`${Vendor}`) names no service.
                if !super::has_variable(field(2)) {
                    index
                        .by_service
                        .entry(field(2).to_owned())
                        .or_default()
                        .add(field(3).is_empty(), field(4).is_empty(), typed);
                }
            }
        }
        index
    }
}

/// The index of the embedded catalogue's ARN templates. Building it reads every template of the
/// catalogue: once per process (most of the time of linting a small policy otherwise), and ahead
/// of time by [`super::prepare_embedded`].
pub(crate) fn embedded_arn_index(embedded: &Catalogue) -> Arc<ArnIndex> {
    static EMBEDDED: OnceLock<Arc<ArnIndex>> = OnceLock::new();
    Arc::clone(EMBEDDED.get_or_init(|| Arc::new(ArnIndex::new(embedded))))
}

impl Linter<'_, '_> {
    fn arn_index(&mut self) -> Arc<ArnIndex> {
        match &self.arn_index {
            Some(index) => Arc::clone(index),
            None => {
                let embedded = Catalogue::try_embedded()
                    .is_ok_and(|embedded| std::ptr::eq(embedded, self.catalogue));
                let index = if embedded {
                    embedded_arn_index(self.catalogue)
                } else {
                    Arc::new(ArnIndex::new(self.catalogue))
                };
                self.arn_index = Some(Arc::clone(&index));
                index
            }
        }
    }
}

/// [`split_fields`] into a fixed array: ARNs have at most six fields, so one entry's split
/// needs no vector.
pub(crate) struct ArnFields<'a> {
    fields: [&'a str; 6],
    /// Where each field starts in the text.
    starts: [usize; 6],
    len: usize,
}

impl<'a> ArnFields<'a> {
    /// Splits at the first five colons that are not inside a `${...}` variable, as
    /// [`split_fields`] does.
    pub(crate) fn split(text: &'a str) -> ArnFields<'a> {
        let mut split = ArnFields {
            fields: [""; 6],
            starts: [0; 6],
            len: 0,
        };
        for_each_field(text, |start, field| split.push(start, field));
        split
    }

    fn push(&mut self, start: usize, field: &'a str) {
        if let (Some(f), Some(s)) = (self.fields.get_mut(self.len), self.starts.get_mut(self.len)) {
            *f = field;
            *s = start;
            self.len += 1;
        }
    }

    pub(crate) fn get(&self, n: usize) -> Option<&'a str> {
        self.fields.get(..self.len)?.get(n).copied()
    }

    /// Where field `n` is in the text.
    fn range(&self, n: usize) -> Option<Range<usize>> {
        let field = self.get(n)?;
        let start = *self.starts.get(n)?;
        Some(start..start + field.len())
    }
}

pub(crate) fn is_region(text: &str) -> bool {
    // `us-east-1`, `us-gov-west-1`, `eusc-de-east-1`: letters, dash-separated words, a number.
    let mut parts = text.split('-');
    let first_ok = parts
        .next()
        .is_some_and(|p| (2..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_lowercase()));
    let rest: Vec<&str> = parts.collect();
    let Some((last, middle)) = rest.split_last() else {
        return false;
    };
    first_ok
        && !middle.is_empty()
        && middle
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && !last.is_empty()
        && last.chars().all(|c| c.is_ascii_digit())
}

pub(crate) fn check<'c>(linter: &mut Linter<'c, '_>, facts: &StatementFacts<'c, '_, '_>) {
    let Some(element) = &facts.statement.resource else {
        return;
    };
    // The per-entry buffers are kept across statements (a few vectors per statement were a
    // good part of linting 10,000 statements), out of `shapes` while `Fit` borrows it.
    let mut entries = std::mem::take(&mut linter.shapes.entries);
    let mut fits = std::mem::take(&mut linter.shapes.fits);
    check_entries(linter, facts, element, &mut entries, &mut fits);
    linter.shapes.entries = entries;
    linter.shapes.fits = fits;
}

fn check_entries<'c>(
    linter: &mut Linter<'c, '_>,
    facts: &StatementFacts<'c, '_, '_>,
    element: &ResourceElement,
    entries: &mut Vec<EntryShape>,
    resource_fits: &mut Vec<bool>,
) {
    let statement = facts.statement;
    let substitutes = linter.policy.version.substitutes_variables();
    let texts = element.patterns.items.as_slice();
    let entry = |index| Entry {
        statement,
        element: &element.patterns,
        index,
    };
    entries.clear();
    for (index, text) in texts.iter().enumerate() {
        if text == "*" {
            entries.push(EntryShape {
                star: true,
                sound: true,
                ..EntryShape::default()
            });
            continue;
        }
        let split = ArnFields::split(text);
        let service = split
            .range(2)
            .filter(|r| text.get(r.clone()).is_some_and(super::is_plain));
        let sound = text.starts_with("arn:") && fields(linter, text, &split, &entry(index));
        entries.push(EntryShape {
            star: false,
            service,
            sound,
            compiled: std::cell::OnceCell::new(),
        });
    }
    duplicates_and_redundancy(linter, statement, &element.patterns, substitutes);
    // Whether the resources fit the actions: only for `Action` (not `NotAction`) with every
    // entry known, and `Resource` (not `NotResource`).
    if element.negated || statement.action.negated || !facts.all_known() {
        return;
    }
    let set = Rc::clone(&facts.set);
    if set.actions().is_empty() {
        return;
    }
    // Whether a resource can be an ARN of a template, asked only as far as needed: a resource
    // fits once one template of the statement's actions fits it, and actions are asked about
    // only for entries that name one action (below). Templates recur, so answers are kept.
    let distinct: &[usize] = if entries.iter().any(|e| !e.star) {
        linter.distinct_templates(&set)
    } else {
        &[]
    };
    let mut fit = Fit {
        templates: &linter.templates,
        texts,
        entries,
        substitutes,
        shapes: &mut linter.shapes,
    };
    fit.shapes.memo.clear();
    resource_fits.clear();
    resource_fits.extend((0..texts.len()).map(|at| fit.star(at) || fit.any(at, distinct, &set)));
    // Per action, only for entries that name one action: a wildcard entry is expected to
    // reach only some of its actions through the statement's resources.
    let mut unfit_actions: Vec<ActionRef<'_>> = Vec::new();
    for pattern in facts.patterns.iter().filter(|p| !p.has_wildcards) {
        let Some(action) = pattern.actions.first() else {
            continue;
        };
        // Into one buffer across actions and statements, not a vector per action.
        let mut ids = std::mem::take(&mut fit.shapes.ids);
        ids.clear();
        ids.extend(action.resource_types().filter_map(|(_, rt)| {
            rt.and_then(|rt| {
                linter
                    .template_ids
                    .get(&(rt.arn().as_ptr() as usize))
                    .copied()
            })
        }));
        // D13: an action that acts on no resource type is matched only by `*`.
        let fits = (0..texts.len()).any(|at| fit.star(at) || fit.any(at, &ids, &set));
        fit.shapes.ids = ids;
        if !fits {
            unfit_actions.push(*action);
        }
    }
    let any_fits = resource_fits.iter().any(|&f| f);
    for (index, ((text, fits), shape)) in
        texts.iter().zip(&*resource_fits).zip(&*entries).enumerate()
    {
        if !fits && shape.sound {
            let types_seen = types_seen(set.actions());
            let types = if types_seen.is_empty() {
                "its actions act on no resource type, so only `\"*\"` matches them (D13)".to_owned()
            } else {
                format!("its actions act on {}", types_seen.join(", "))
            };
            linter.emit(
                "resource-matches-no-resource-type",
                entry(index).path(),
                format!("`{text}` cannot be the resource of any action of this statement: {types}"),
            );
        }
    }
    if !any_fits {
        return;
    }
    for pattern in facts.patterns.iter().filter(|p| !p.has_wildcards) {
        let Some(action) = pattern.actions.first() else {
            continue;
        };
        if !unfit_actions.contains(action) {
            continue;
        }
        if action.action().resource_types().is_empty() {
            linter.emit(
                "wildcard-only-action-resource",
                pattern.path(),
                format!("`{action}` acts on no resource type: only `\"Resource\": \"*\"` matches it (D13), which this statement does not have"),
            );
        } else {
            let names: Vec<&str> = action
                .action()
                .resource_types()
                .iter()
                .map(|r| r.name())
                .collect();
            linter.emit(
                "action-matches-no-resource",
                pattern.path(),
                format!("none of this statement's resources can be a resource of `{action}`, which acts on {}", names.join(", ")),
            );
        }
    }
}

/// One `Resource`/`NotResource` entry; its JSON path is built only when a finding needs it
/// (building one per entry, or the element's per statement, was a good part of linting 10,000
/// statements).
pub(crate) struct Entry<'a> {
    statement: &'a Statement,
    element: &'a Values,
    index: usize,
}

impl Entry<'_> {
    fn path(&self) -> JsonPath {
        match self.statement.resource_path() {
            Some(path) => self.element.item_path(&path, self.index),
            None => self.statement.path.clone(),
        }
    }
}

/// The first three resource types of the actions, with their ARN templates, for messages.
fn types_seen(actions: &[ActionRef<'_>]) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for action in actions {
        for (rt, service_rt) in action.resource_types() {
            let (name, Some(template)) = (rt.name(), service_rt.map(|s| s.arn())) else {
                continue;
            };
            if seen.len() < 3 && !seen.iter().any(|t| t.starts_with(name)) {
                seen.push(format!("{name} (`{template}`)"));
            }
        }
    }
    seen
}

/// The resource entries of one statement against catalogue templates, each pair decided once.
struct Fit<'a, 'c> {
    templates: &'a [TemplateGlob<'c>],
    /// The entries as written.
    texts: &'a [String],
    entries: &'a [EntryShape],
    substitutes: bool,
    shapes: &'a mut Shapes,
}

/// What the fit test needs of one entry, from the one split of its fields.
#[derive(Default)]
pub(crate) struct EntryShape {
    /// The entry is `*`.
    star: bool,
    /// Where the literal service field is in the entry's text, when it has one.
    service: Option<Range<usize>>,
    /// Sound enough for the resource-type test (no field-level finding).
    sound: bool,
    /// Its widened glob, compiled when a pair needs it.
    compiled: std::cell::OnceCell<Glob>,
}

/// The search's buffers, and the shape of a resource, kept across a document's statements.
#[derive(Default)]
pub(crate) struct Shapes {
    shape: Vec<u8>,
    scratch: Scratch,
    /// Per statement (cleared by each), whether entry `.0` can be an ARN of template `.1`:
    /// kept across statements, not allocated per statement.
    memo: Memo,
    /// The template ids of one action's resource types.
    ids: Vec<usize>,
    /// The entries of the statement being checked, and whether each fits a template.
    entries: Vec<EntryShape>,
    fits: Vec<bool>,
}

/// [`Shapes::memo`]: a statement asks about a few pairs (10,000 statements on one bucket each
/// ask about two), which a short list answers for less than hashing them; past
/// [`Memo::LISTED`] pairs, a table.
#[derive(Default)]
struct Memo {
    listed: Vec<((usize, usize), bool)>,
    table: FxMap<(usize, usize), bool>,
}

impl Memo {
    const LISTED: usize = 16;

    fn clear(&mut self) {
        self.listed.clear();
        self.table.clear();
    }

    fn get(&self, pair: (usize, usize)) -> Option<bool> {
        if self.table.is_empty() {
            self.listed
                .iter()
                .find(|(listed, _)| *listed == pair)
                .map(|&(_, known)| known)
        } else {
            self.table.get(&pair).copied()
        }
    }

    fn insert(&mut self, pair: (usize, usize), known: bool) {
        if self.table.is_empty() && self.listed.len() < Memo::LISTED {
            self.listed.push((pair, known));
            return;
        }
        if self.table.is_empty() {
            self.table.extend(self.listed.drain(..));
        }
        self.table.insert(pair, known);
    }
}

impl Fit<'_, '_> {
    /// Whether entry `at` is `*`, which every action fits.
    fn star(&self, at: usize) -> bool {
        self.entries.get(at).is_some_and(|e| e.star)
    }

    /// Whether entry `at` can be an ARN of one of the templates `ids` of `set`'s actions: the
    /// one that last fitted a resource of the set is asked first, as the others mostly do not
    /// fit (the answer does not depend on the order; the search does).
    fn any(&mut self, at: usize, ids: &[usize], set: &ActionSet<'_>) -> bool {
        let last = set.last_fit.get().filter(|id| ids.contains(id));
        if last.is_some_and(|id| self.meets(at, id)) {
            return true;
        }
        let found = ids
            .iter()
            .copied()
            .find(|&id| Some(id) != last && self.meets(at, id));
        if found.is_some() {
            set.last_fit.set(found);
        }
        found.is_some()
    }

    /// Whether entry `at` can be an ARN of template `id`.
    fn meets(&mut self, at: usize, id: usize) -> bool {
        if let Some(known) = self.shapes.memo.get((at, id)) {
            return known;
        }
        let texts = self.texts;
        let fits = match (self.entries.get(at), texts.get(at), self.templates.get(id)) {
            (Some(entry), _, _) if entry.star => true,
            (Some(entry), Some(text), Some(template)) => {
                let service = entry.service.clone().and_then(|r| text.get(r));
                let same_service = match (service, template.service) {
                    (Some(a), Some(b)) => a == b,
                    _ => true,
                };
                same_service && self.intersects(at, text, template)
            }
            _ => false,
        };
        self.shapes.memo.insert((at, id), fits);
        fits
    }

    fn intersects(&mut self, at: usize, text: &str, template: &TemplateGlob<'_>) -> bool {
        let Shapes { shape, scratch, .. } = &mut *self.shapes;
        self.entries.get(at).is_some_and(|entry| {
            template
                .glob
                .meets(text, self.substitutes, &entry.compiled, shape, scratch)
        })
    }
}

/// A catalogue ARN template compiled for [`Glob::intersects`], with its service when the
/// template names one (not `${Vendor}`).
pub(crate) struct TemplateGlob<'c> {
    glob: Arc<ArnTemplate>,
    service: Option<&'c str>,
}

impl<'c> TemplateGlob<'c> {
    pub(crate) fn new(catalogue: &Catalogue, arn: &'c str) -> TemplateGlob<'c> {
        let glob = super::shared::template_glob(catalogue, arn);
        let service = glob.service(arn);
        TemplateGlob { glob, service }
    }
}

/// The form of each field of one ARN pattern. Returns whether the pattern is sound enough for
/// the resource-type test (no field-level finding).
fn fields(linter: &mut Linter<'_, '_>, text: &str, fields: &ArnFields<'_>, at: &Entry<'_>) -> bool {
    let field = |n: usize| fields.get(n);
    let mut sound = true;
    if linter.policy.version.substitutes_variables() {
        let names = ["partition", "service", "region", "account"];
        for (name, n) in names.into_iter().zip(1..) {
            if field(n).is_some_and(super::has_variable) {
                linter.emit(
                    "variable-before-resource-field",
                    at.path(),
                    format!("`{text}`: AWS documents policy variables only in the resource field of an ARN (after the fifth colon); in the {name} field `${{` is literal text, so this entry matches no resource (D37)"),
                );
                sound = false;
            }
        }
    }
    if let Some(partition) = field(1).filter(|f| super::is_plain(f)) {
        if !PARTITIONS.contains(&partition) {
            linter.emit(
                "invalid-arn-partition",
                at.path(),
                format!(
                    "`{text}`: `{partition}` is not a partition ({})",
                    PARTITIONS.join(", ")
                ),
            );
            sound = false;
        }
    }
    let index = linter.arn_index();
    let service = field(2).filter(|f| super::is_plain(f) && !f.is_empty());
    let mut formats = None;
    if let Some(service) = service {
        if service.chars().any(|c| c.is_ascii_uppercase()) {
            linter.emit(
                "arn-service-case",
                at.path(),
                format!("`{text}`: the service `{service}` must be lowercase in an ARN; ARNs compare case-sensitively"),
            );
            return false;
        }
        formats = index.by_service.get(service);
        if formats.is_none() {
            linter.emit(
                "unknown-arn-service",
                at.path(),
                format!(
                    "`{text}`: no resource type of the catalogue has ARNs of service `{service}`"
                ),
            );
        }
    }
    if let Some(region) = field(3).filter(|f| super::is_plain(f) && !f.is_empty()) {
        if !is_region(region) {
            linter.emit(
                "invalid-arn-region",
                at.path(),
                format!("`{text}`: `{region}` is not a region name (such as `us-east-1`)"),
            );
            sound = false;
        } else if !crate::regions::is_known(region) {
            linter.emit(
                "unknown-arn-region",
                at.path(),
                format!("`{text}`: `{region}` is not a Region AWS publishes (list of {}), so no resource has this ARN, unless the Region is newer than the list", crate::regions::LISTED),
            );
        }
    }
    // A region field with wildcards (`eu-*`) is fine when it can match a published Region.
    if let Some(region) = field(3).filter(|f| super::has_wildcard(f) && !super::has_variable(f)) {
        if !crate::regions::pattern_matches_known(region) {
            linter.emit(
                "unknown-arn-region",
                at.path(),
                format!("`{text}`: the region field `{region}` matches no Region AWS publishes (list of {}), so no resource has this ARN", crate::regions::LISTED),
            );
        }
    }
    if let Some(account) = field(4).filter(|f| super::is_plain(f) && !f.is_empty()) {
        if !(account.len() == 12 && account.chars().all(|c| c.is_ascii_digit())) && account != "aws"
        {
            linter.emit(
                "invalid-arn-account",
                at.path(),
                format!("`{text}`: `{account}` is not a 12-digit account id"),
            );
            sound = false;
        }
    }
    if let (Some(formats), Some(service)) = (formats, service) {
        let present = |n: usize| field(n).is_some_and(|f| !f.is_empty());
        let empty = |n: usize| field(n).is_some_and(|f| f.is_empty());
        let mut report = |id: &'static str, message: String| {
            linter.emit(id, at.path(), message);
            sound = false;
        };
        if formats.all(formats.region_empty) && present(3) && field(3).is_some_and(super::is_plain)
        {
            report("arn-region-not-allowed", format!("`{text}`: no documented ARN format of `{service}` has a region; leave the fourth field empty"));
        }
        if formats.none(formats.region_empty) && empty(3) {
            report("arn-missing-region", format!("`{text}`: every documented ARN format of `{service}` has a region, and an empty region field matches only ARNs without one (use `*` for any region)"));
        }
        if formats.all(formats.account_empty) && present(4) && field(4).is_some_and(super::is_plain)
        {
            report("arn-account-not-allowed", format!("`{text}`: no documented ARN format of `{service}` has an account; leave the fifth field empty"));
        }
        if formats.none(formats.account_empty) && empty(4) {
            report("arn-missing-account", format!("`{text}`: every documented ARN format of `{service}` has an account, and an empty account field matches only ARNs without one, such as AWS-owned resources (use `*` for any account)"));
        }
        if formats.all(formats.typed) {
            if let Some(resource) = field(5) {
                let wildcard = resource.find(['*', '?']);
                let separator = resource.find(['/', ':']);
                let early = match (wildcard, separator) {
                    (Some(w), Some(s)) => w < s,
                    (Some(_), None) => true,
                    _ => false,
                };
                if early && resource != "*" {
                    linter.emit(
                        "resource-type-wildcard",
                        at.path(),
                        format!("`{text}`: a wildcard stands in for the resource type; AWS recommends naming the type (as in `…:role/*`) and using wildcards after it"),
                    );
                }
            }
        }
    }
    sound
}

fn duplicates_and_redundancy(
    linter: &mut Linter<'_, '_>,
    statement: &Statement,
    element: &Values,
    substitutes: bool,
) {
    let patterns = element.items.as_slice();
    let entry = |index| Entry {
        statement,
        element,
        index,
    };
    if patterns.len() <= SMALL {
        return duplicates_and_redundancy_small(linter, patterns, entry, substitutes);
    }
    // Exact repeats by hashing; covers through their literal prefixes (linear, `index.rs`). A
    // pattern without wildcards or variables covers only itself.
    let mut first: HashMap<&str, usize> = HashMap::with_capacity(patterns.len());
    let mut index = PrefixIndex::new();
    for (at, text) in patterns.iter().enumerate() {
        if first.insert(text, at).is_none() && !super::is_plain(text) {
            index.insert(text, substitutes, at);
        }
    }
    let mut reported: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for (at, text) in patterns.iter().enumerate() {
        if !reported.insert(text) {
            linter.emit(
                "duplicate-resource",
                entry(at).path(),
                format!("`{text}` is listed twice"),
            );
            continue;
        }
        let mut cover = None;
        index.any(text, |other| {
            cover = patterns
                .get(other)
                .filter(|other| *other != text && resource_covers(other, text, substitutes));
            cover.is_some()
        });
        if let Some(cover) = cover {
            linter.emit(
                "redundant-resource",
                entry(at).path(),
                format!("`{text}` is already matched by `{cover}` in the same statement"),
            );
        }
    }
}

/// [`duplicates_and_redundancy`] for a few entries: every pair compared, no tables.
fn duplicates_and_redundancy_small<'a>(
    linter: &mut Linter<'_, '_>,
    patterns: &[String],
    entry: impl Fn(usize) -> Entry<'a>,
    substitutes: bool,
) {
    // One entry repeats and covers nothing.
    if patterns.len() < 2 {
        return;
    }
    let mut covers: Vec<usize> = (0..patterns.len())
        .filter(|&at| patterns.get(at).is_some_and(|t| !super::is_plain(t)))
        .collect();
    covers.sort_by_key(|&at| {
        candidate_order(patterns.get(at).map_or("", String::as_str), substitutes, at)
    });
    for (at, text) in patterns.iter().enumerate() {
        let earlier = patterns.get(..at).unwrap_or(&[]);
        if earlier.iter().any(|other| other == text) {
            linter.emit(
                "duplicate-resource",
                entry(at).path(),
                format!("`{text}` is listed twice"),
            );
            continue;
        }
        let cover = covers.iter().find_map(|&other| {
            let other = patterns.get(other)?;
            (other != text && resource_covers(other, text, substitutes)).then_some(other)
        });
        if let Some(cover) = cover {
            linter.emit(
                "redundant-resource",
                entry(at).path(),
                format!("`{text}` is already matched by `{cover}` in the same statement"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_as_split_fields_splits_them() {
        for text in [
            "",
            "*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:iam::123456789012:role/a:b:c",
            "arn:${aws:partition}:s3:::${aws:username}/x",
            "arn:aws:s3:::${a:{b}}:c:d",
            "a:b",
            "arn:aws:ec2:us-east-1:",
            ":::::::",
            "arn:aws:s3:::caf\u{e9}:x",
        ] {
            let split = ArnFields::split(text);
            let expected = split_fields(text);
            let got: Vec<&str> = (0..6).map_while(|n| split.get(n)).collect();
            assert_eq!(got, expected, "{text}");
            for (n, field) in expected.iter().enumerate() {
                assert_eq!(split.range(n).and_then(|r| text.get(r)), Some(*field));
            }
        }
    }

    #[test]
    fn regions() {
        for good in [
            "us-east-1",
            "us-gov-west-1",
            "eusc-de-east-1",
            "ap-southeast-5",
            "us-isob-east-1",
        ] {
            assert!(is_region(good), "{good}");
        }
        for bad in [
            "",
            "us-east",
            "useast1",
            "US-EAST-1",
            "us-east-1a",
            "global",
            "-east-1",
        ] {
            assert!(!is_region(bad), "{bad}");
        }
    }
}
