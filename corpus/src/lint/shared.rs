//! What lint derives from the embedded catalogue, kept for the life of the process: the actions
//! an action pattern expands to, and the condition keys and ARN templates of an action. Every document linted
//! asks the same questions (`ec2:Describe*`, `s3:*`), and answering them again per document
//! made most of the time of linting the managed-policy corpus. Only the embedded catalogue is
//! cached (another catalogue has no `'static` lifetime to key on), and each table stops growing
//! at [`LIMIT`] entries, so that hostile input in a long-lived process cannot fill memory.

use super::intersect::ArnTemplate;
use crate::catalogue::{Action, ActionRef, Catalogue, ConditionKey};
use iamspec_model::hash::FxMap as HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Entries per table at most; further answers are computed and not kept.
pub(crate) const LIMIT: usize = 50_000;

/// The catalogue actions an action pattern matches: kept for the life of the process (the
/// embedded catalogue's expansions, [`expand`]), or owned by whoever asked. A kept expansion is
/// a plain slice: handing it out touches no reference count, whose cache line was a third of
/// the time of looking an entry up when linting the managed corpus (issue 13).
#[derive(Clone)]
pub(crate) enum Expansion<'c> {
    /// Kept in [`expand`]'s table, for as long as the process lives.
    Kept(&'c [ActionRef<'c>]),
    /// Computed for one caller (another catalogue, or the table full).
    Owned(Arc<[ActionRef<'c>]>),
}

impl<'c> std::ops::Deref for Expansion<'c> {
    type Target = [ActionRef<'c>];

    fn deref(&self) -> &[ActionRef<'c>] {
        match self {
            Expansion::Kept(actions) => actions,
            Expansion::Owned(actions) => actions,
        }
    }
}

type Expansions = HashMap<String, &'static [ActionRef<'static>]>;
type Keys = HashMap<usize, Arc<[&'static ConditionKey]>>;
type Templates = HashMap<usize, Arc<[&'static str]>>;

/// The embedded catalogue, when `catalogue` is it.
pub(crate) fn embedded(catalogue: &Catalogue) -> Option<&'static Catalogue> {
    Catalogue::try_embedded()
        .ok()
        .filter(|embedded| std::ptr::eq(*embedded, catalogue))
}

/// The actions `pattern` (already case-folded) matches in `catalogue`.
pub(crate) fn expand<'c>(catalogue: &'c Catalogue, folded: &str) -> Expansion<'c> {
    let Some(embedded) = embedded(catalogue) else {
        return Expansion::Owned(catalogue.expand(folded).into());
    };
    static TABLE: OnceLock<Mutex<Expansions>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Mutex::new(HashMap::default()));
    if let Some(found) = table.lock().ok().and_then(|t| t.get(folded).copied()) {
        return Expansion::Kept(found);
    }
    let expanded = embedded.expand(folded);
    // Actions held by the kept expansions: many broad patterns (`a*`, `b*`, ...) would
    // otherwise keep up to LIMIT copies of large parts of the catalogue.
    static HELD: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    if let Ok(mut table) = table.lock() {
        let held = HELD.load(std::sync::atomic::Ordering::Relaxed);
        if table.len() < LIMIT && held + expanded.len() <= SET_ACTIONS_LIMIT {
            HELD.store(held + expanded.len(), std::sync::atomic::Ordering::Relaxed);
            // The table keeps what it holds until the process ends (it is never emptied):
            // leaking the expansion keeps it exactly as long, as a slice without a count.
            let kept: &'static [ActionRef<'static>] = Box::leak(expanded.into_boxed_slice());
            table.insert(folded.to_owned(), kept);
            if let Ok(mut by_address) = kept_by_address().lock() {
                by_address.insert(kept.as_ptr() as usize, kept);
            }
            return Expansion::Kept(kept);
        }
    }
    Expansion::Owned(expanded.into())
}

/// What lint derives from one `Action`/`NotAction` entry of the embedded catalogue, by the
/// entry as written: its expansion, whether its service is known, and whether it is spelt as
/// the catalogue documents its one action (see [`entry`]).
pub(crate) struct EntryFacts {
    pub(crate) actions: Expansion<'static>,
    pub(crate) service_known: bool,
    pub(crate) documented: bool,
}

/// Entries up to this many bytes are kept with their text inline (98 % of the managed corpus's
/// entries): comparing the key then reads the table's own slot, not a string elsewhere.
const INLINE: usize = 46;

/// An entry's length, then its text, zero-padded.
type InlineKey = [u8; INLINE + 1];

fn inline_key(text: &str) -> Option<InlineKey> {
    let mut key = [0u8; INLINE + 1];
    let (len, bytes) = key.split_first_mut()?;
    *len = u8::try_from(text.len()).ok()?;
    bytes
        .get_mut(..text.len())?
        .copy_from_slice(text.as_bytes());
    Some(key)
}

/// One kept entry in one cache line: its key, its two flags and its expansion (a slot of 72
/// bytes spanned two lines, and looking entries up, one read of a table of 2 MB each, was the
/// largest part of linting the managed corpus, issue 13).
#[repr(align(64))]
struct Slot {
    key: InlineKey,
    /// [`SERVICE_KNOWN`] and [`DOCUMENTED`].
    flags: u8,
    actions: &'static [ActionRef<'static>],
}

const SERVICE_KNOWN: u8 = 1;
const DOCUMENTED: u8 = 2;

impl Slot {
    fn facts(&self) -> EntryFacts {
        EntryFacts {
            actions: Expansion::Kept(self.actions),
            service_known: self.flags & SERVICE_KNOWN != 0,
            documented: self.flags & DOCUMENTED != 0,
        }
    }
}

// A slot is its key to the table: hashed and compared as the key alone, so that the table is
// asked with the key ([`std::borrow::Borrow`]).
impl std::hash::Hash for Slot {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key.hash(state);
    }
}

impl PartialEq for Slot {
    fn eq(&self, other: &Slot) -> bool {
        self.key == other.key
    }
}

impl Eq for Slot {}

impl std::borrow::Borrow<InlineKey> for Slot {
    fn borrow(&self) -> &InlineKey {
        &self.key
    }
}

type Entries =
    std::collections::HashSet<Slot, std::hash::BuildHasherDefault<iamspec_model::hash::FxHasher>>;

/// [`EntryFacts`] of the entry `text` as written, for the embedded catalogue (`None` for
/// another catalogue, or an entry too long to keep). Every document asks about the same
/// entries: one lookup by the text as written replaces folding it, looking the folded text up,
/// and reading the catalogue's spelling of the action (reads of memory far apart, which were
/// most of the time of expanding entries when linting the managed corpus, issue 13).
pub(crate) fn entry(catalogue: &Catalogue, text: &str) -> Option<EntryFacts> {
    let embedded = embedded(catalogue)?;
    let key = inline_key(text)?;
    static TABLE: OnceLock<Mutex<Entries>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Mutex::new(Entries::default()));
    if let Some(found) = table.lock().ok().and_then(|t| t.get(&key).map(Slot::facts)) {
        return Some(found);
    }
    // As `Linter::expand` and `Linter::facts` derive them.
    let folded = if text.is_ascii() {
        std::borrow::Cow::Owned(text.to_ascii_lowercase())
    } else {
        iamspec_model::pattern::fold_case(text)
    };
    let actions = expand(embedded, &folded);
    let service_known = text.split_once(':').is_none_or(|(prefix, _)| {
        super::has_wildcard(prefix) || !actions.is_empty() || embedded.service(prefix).is_some()
    });
    let documented = documented(text, actions.first());
    if let Expansion::Kept(kept) = actions {
        if let Ok(mut table) = table.lock() {
            if table.len() < LIMIT {
                table.insert(Slot {
                    key,
                    flags: (u8::from(service_known) * SERVICE_KNOWN)
                        | (u8::from(documented) * DOCUMENTED),
                    actions: kept,
                });
            }
        }
    }
    Some(EntryFacts {
        actions,
        service_known,
        documented,
    })
}

/// Whether the entry `text` (`service:action`) is spelt as the catalogue documents `action`,
/// the first action it matched; `true` when there is nothing to compare.
pub(crate) fn documented(text: &str, action: Option<&ActionRef<'_>>) -> bool {
    match (text.split_once(':'), action) {
        (Some((prefix, name)), Some(action)) => {
            prefix == action.service().prefix() && name == action.action().name()
        }
        _ => true,
    }
}

/// The condition keys of `action` ([`ActionRef::condition_keys`]).
pub(crate) fn condition_keys<'c>(
    catalogue: &'c Catalogue,
    action: ActionRef<'c>,
) -> Arc<[&'c ConditionKey]> {
    let Some(embedded) = embedded(catalogue) else {
        return action.condition_keys().into();
    };
    static TABLE: OnceLock<Mutex<Keys>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Mutex::new(HashMap::default()));
    let id = std::ptr::from_ref::<Action>(action.action()) as usize;
    if let Some(found) = table.lock().ok().and_then(|t| t.get(&id).cloned()) {
        return found;
    }
    // The same action, borrowed from the embedded catalogue for as long as the table lives.
    let Some(action) = embedded.action(&action.to_string()) else {
        return action.condition_keys().into();
    };
    let keys: Arc<[&'static ConditionKey]> = action.condition_keys().into();
    if let Ok(mut table) = table.lock() {
        if table.len() < LIMIT {
            table.insert(id, Arc::clone(&keys));
        }
    }
    keys
}

/// The ARN templates of `action`'s resource types, as the catalogue's service lists them.
pub(crate) fn templates<'c>(catalogue: &'c Catalogue, action: ActionRef<'c>) -> Arc<[&'c str]> {
    let compute = |action: ActionRef<'c>| -> Arc<[&'c str]> {
        action
            .resource_types()
            .filter_map(|(_, rt)| rt.map(|rt| rt.arn()))
            .collect()
    };
    let Some(embedded) = embedded(catalogue) else {
        return compute(action);
    };
    static TABLE: OnceLock<Mutex<Templates>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Mutex::new(HashMap::default()));
    let id = std::ptr::from_ref::<Action>(action.action()) as usize;
    if let Some(found) = table.lock().ok().and_then(|t| t.get(&id).cloned()) {
        return found;
    }
    let Some(action) = embedded.action(&action.to_string()) else {
        return compute(action);
    };
    let arns: Arc<[&'static str]> = action
        .resource_types()
        .filter_map(|(_, rt)| rt.map(|rt| rt.arn()))
        .collect();
    if let Ok(mut table) = table.lock() {
        if table.len() < LIMIT {
            table.insert(id, Arc::clone(&arns));
        }
    }
    arns
}

/// The ARN template `arn` of `catalogue` compiled for intersection ([`ArnTemplate`]): once
/// per process for the embedded catalogue, whose templates' addresses name them for as long as
/// the process lives (compiling them again per document was a twentieth of linting the corpus;
/// the answers it keeps by resource shape are then shared by every document too).
pub(crate) fn template_glob(catalogue: &Catalogue, arn: &str) -> Arc<ArnTemplate> {
    if embedded(catalogue).is_none() {
        return Arc::new(ArnTemplate::new(arn));
    }
    static TABLE: OnceLock<Mutex<HashMap<usize, Arc<ArnTemplate>>>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Mutex::new(HashMap::default()));
    let address = arn.as_ptr() as usize;
    if let Some(found) = table.lock().ok().and_then(|t| t.get(&address).cloned()) {
        return found;
    }
    let glob = Arc::new(ArnTemplate::new(arn));
    if let Ok(mut table) = table.lock() {
        if table.len() < LIMIT {
            table.insert(address, Arc::clone(&glob));
        }
    }
    glob
}

/// What lint derives from a set of catalogue actions (a statement's `Action` entries, each
/// action once) alone, whatever the document: the actions, their ids in the catalogue's table,
/// sorted, their condition keys and their distinct ARN templates, each when first asked. For
/// the embedded catalogue, statements of every document whose entries expand to the same kept
/// expansions share one ([`set_core`]): the managed corpus repeats its `Action` lists across
/// documents, and each document derived them again (issue 13).
pub(crate) struct SetCore<'c> {
    pub(crate) actions: Vec<ActionRef<'c>>,
    ids: OnceLock<Vec<Option<u32>>>,
    /// The ids in ascending order, when every action has one.
    sorted_ids: OnceLock<Option<Vec<u32>>>,
    keys: OnceLock<Vec<Arc<[&'c ConditionKey]>>>,
    /// The ARN templates of the actions' resource types, each once (by address), in the
    /// order the actions list them.
    arns: OnceLock<Vec<&'c str>>,
}

impl<'c> SetCore<'c> {
    pub(crate) fn new(actions: Vec<ActionRef<'c>>) -> SetCore<'c> {
        SetCore {
            actions,
            ids: OnceLock::new(),
            sorted_ids: OnceLock::new(),
            keys: OnceLock::new(),
            arns: OnceLock::new(),
        }
    }

    /// Per action, its id in `table` (the catalogue's, the same for every call on one set).
    pub(crate) fn ids(&self, table: &super::table::Table) -> &[Option<u32>] {
        self.ids
            .get_or_init(|| self.actions.iter().map(|a| table.action_id(*a)).collect())
    }

    /// The actions' ids in ascending order, when every action has one.
    pub(crate) fn sorted_ids(&self, table: &super::table::Table) -> Option<&[u32]> {
        self.sorted_ids
            .get_or_init(|| {
                let mut sorted = self
                    .ids(table)
                    .iter()
                    .copied()
                    .collect::<Option<Vec<u32>>>()?;
                sorted.sort_unstable();
                Some(sorted)
            })
            .as_deref()
    }

    /// Per action, the condition keys it supports.
    pub(crate) fn keys(&self, catalogue: &'c Catalogue) -> &[Arc<[&'c ConditionKey]>] {
        self.keys.get_or_init(|| {
            self.actions
                .iter()
                .map(|a| condition_keys(catalogue, *a))
                .collect()
        })
    }

    /// The ARN templates of the actions' resource types, each once.
    pub(crate) fn arns(&self, catalogue: &'c Catalogue) -> &[&'c str] {
        self.arns.get_or_init(|| {
            let mut seen: std::collections::HashSet<
                usize,
                std::hash::BuildHasherDefault<iamspec_model::hash::FxHasher>,
            > = Default::default();
            let mut arns = Vec::new();
            for action in &self.actions {
                for arn in templates(catalogue, *action).iter() {
                    if seen.insert(arn.as_ptr() as usize) {
                        arns.push(*arn);
                    }
                }
            }
            arns
        })
    }
}

/// The kept expansions by their address: a set's key names its expansions so ([`set_core`]).
fn kept_by_address() -> &'static Mutex<HashMap<usize, &'static [ActionRef<'static>]>> {
    static TABLE: OnceLock<Mutex<HashMap<usize, &'static [ActionRef<'static>]>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(HashMap::default()))
}

/// Actions held by the kept set cores at most (each a few tens of bytes with what is derived
/// from it): `*` with any other entry is a set of every action, so a count of sets would not
/// bound memory; past it, sets are built per document.
const SET_ACTIONS_LIMIT: usize = 1_000_000;

/// The set core of the non-negated `Action` entries whose expansions are at the addresses
/// `key`, in order, when every one is a kept expansion of the embedded catalogue (`None`
/// otherwise: build the set for the document). Kept expansions are never freed, so an address
/// names one expansion for the life of the process.
pub(crate) fn set_core(catalogue: &Catalogue, key: &[usize]) -> Option<Arc<SetCore<'static>>> {
    embedded(catalogue)?;
    struct Sets {
        cores: HashMap<Vec<usize>, Arc<SetCore<'static>>>,
        actions: usize,
    }
    static TABLE: OnceLock<Mutex<Sets>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        Mutex::new(Sets {
            cores: HashMap::default(),
            actions: 0,
        })
    });
    if let Some(found) = table.lock().ok()?.cores.get(key) {
        return Some(Arc::clone(found));
    }
    let expansions: Vec<&'static [ActionRef<'static>]> = {
        let kept = kept_by_address().lock().ok()?;
        key.iter()
            .map(|address| kept.get(address).copied())
            .collect::<Option<_>>()?
    };
    // As `Linter::action_set` builds a set: one expansion lists each action once already.
    let actions: Vec<ActionRef<'static>> = match expansions.as_slice() {
        [only] => only.to_vec(),
        _ => {
            let mut seen: std::collections::HashSet<
                usize,
                std::hash::BuildHasherDefault<iamspec_model::hash::FxHasher>,
            > = Default::default();
            let mut actions = Vec::new();
            for expansion in &expansions {
                for action in expansion.iter() {
                    if seen.insert(std::ptr::from_ref(action.action()) as usize) {
                        actions.push(*action);
                    }
                }
            }
            actions
        }
    };
    let core = Arc::new(SetCore::new(actions));
    let mut table = table.lock().ok()?;
    if table.cores.len() < LIMIT && table.actions + core.actions.len() <= SET_ACTIONS_LIMIT {
        table.actions += core.actions.len();
        table.cores.insert(key.to_vec(), Arc::clone(&core));
    }
    Some(core)
}
