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

type Expansions = HashMap<String, Arc<[ActionRef<'static>]>>;
type Keys = HashMap<usize, Arc<[&'static ConditionKey]>>;
type Templates = HashMap<usize, Arc<[&'static str]>>;

/// The embedded catalogue, when `catalogue` is it.
pub(crate) fn embedded(catalogue: &Catalogue) -> Option<&'static Catalogue> {
    Catalogue::try_embedded()
        .ok()
        .filter(|embedded| std::ptr::eq(*embedded, catalogue))
}

/// The actions `pattern` (already case-folded) matches in `catalogue`.
pub(crate) fn expand<'c>(catalogue: &'c Catalogue, folded: &str) -> Arc<[ActionRef<'c>]> {
    let Some(embedded) = embedded(catalogue) else {
        return catalogue.expand(folded).into();
    };
    static TABLE: OnceLock<Mutex<Expansions>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Mutex::new(HashMap::default()));
    if let Some(found) = table.lock().ok().and_then(|t| t.get(folded).cloned()) {
        return found;
    }
    let expanded: Arc<[ActionRef<'static>]> = embedded.expand(folded).into();
    if let Ok(mut table) = table.lock() {
        if table.len() < LIMIT {
            table.insert(folded.to_owned(), Arc::clone(&expanded));
        }
    }
    expanded
}

/// What lint derives from one `Action`/`NotAction` entry of the embedded catalogue, by the
/// entry as written: its expansion, whether its service is known, and whether it is spelt as
/// the catalogue documents its one action (see [`entry`]).
#[derive(Clone)]
pub(crate) struct EntryFacts {
    pub(crate) actions: Arc<[ActionRef<'static>]>,
    pub(crate) service_known: bool,
    pub(crate) documented: bool,
}

/// Entries up to this many bytes are kept with their text inline (98 % of the managed corpus's
/// entries): comparing the key then reads the table's own slot, not a string elsewhere.
const INLINE: usize = 47;

/// An entry's text held inline, zero-padded.
#[derive(PartialEq, Eq, Hash)]
struct InlineKey {
    len: u8,
    bytes: [u8; INLINE],
}

impl InlineKey {
    fn new(text: &str) -> Option<InlineKey> {
        let mut bytes = [0u8; INLINE];
        bytes
            .get_mut(..text.len())?
            .copy_from_slice(text.as_bytes());
        Some(InlineKey {
            len: u8::try_from(text.len()).ok()?,
            bytes,
        })
    }
}

type Entries = HashMap<InlineKey, EntryFacts>;

/// [`EntryFacts`] of the entry `text` as written, for the embedded catalogue (`None` for
/// another catalogue, or an entry too long to keep). Every document asks about the same
/// entries: one lookup by the text as written replaces folding it, looking the folded text up,
/// and reading the catalogue's spelling of the action (reads of memory far apart, which were
/// most of the time of expanding entries when linting the managed corpus, issue 13).
pub(crate) fn entry(catalogue: &Catalogue, text: &str) -> Option<EntryFacts> {
    let embedded = embedded(catalogue)?;
    let key = InlineKey::new(text)?;
    static TABLE: OnceLock<Mutex<Entries>> = OnceLock::new();
    let table = TABLE.get_or_init(|| Mutex::new(HashMap::default()));
    if let Some(found) = table.lock().ok().and_then(|t| t.get(&key).cloned()) {
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
        prefix.contains(['*', '?']) || !actions.is_empty() || embedded.service(prefix).is_some()
    });
    let facts = EntryFacts {
        documented: documented(text, actions.first()),
        actions,
        service_known,
    };
    if let Ok(mut table) = table.lock() {
        if table.len() < LIMIT {
            table.insert(key, facts.clone());
        }
    }
    Some(facts)
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
