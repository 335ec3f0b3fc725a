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
const LIMIT: usize = 50_000;

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
