//! The catalogue's actions and condition keys numbered densely, with which actions list each
//! key, built once per process for the embedded catalogue (once per lint run for another): a
//! statement's question "which of my actions see this condition key?" is then one bit test per
//! action instead of a comparison of the key's name with every key of every action (that
//! comparison was most of the time of linting `*`-heavy policies, issue 13).

use crate::catalogue::{ActionRef, Catalogue, ConditionKey};
use iamspec_model::hash::FxMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};

/// Names whose answers are kept at most; further answers are computed and not kept (a bitset
/// is a few kilobytes: hostile input in a long-lived process cannot fill memory).
const LIMIT: usize = 4_096;

/// Which catalogue actions see one condition key name, by action id.
pub(crate) type Seen = Arc<[u64]>;

pub(crate) struct Table {
    /// Per service (in catalogue order): the address of its first action and of its first
    /// condition key, and the ids of both.
    services: Vec<ServiceIds>,
    services_base: usize,
    actions: usize,
    /// Per key id, the ids of the actions listing it ([`ActionRef::condition_keys`]).
    listed_by: Vec<Vec<u32>>,
    /// Non-template keys by their ASCII-lowercased name.
    by_name: FxMap<String, Vec<u32>>,
    /// The keys whose names have placeholders, with their ids.
    templates: Vec<(u32, usize, usize)>,
    /// Answers of [`Table::seen`], by lowercased name and resolved key.
    cache: Mutex<FxMap<(String, Option<u32>), Seen>>,
    /// Ids of the actions lint's own tables name (`iam:PassRole`), by the name's address.
    named: Mutex<FxMap<(usize, usize), Option<u32>>>,
}

struct ServiceIds {
    actions_base: usize,
    first_action: u32,
    action_count: usize,
    keys_base: usize,
    first_key: u32,
    key_count: usize,
}

impl Table {
    fn new(catalogue: &Catalogue) -> Table {
        let services = catalogue.services();
        let mut ids = Vec::with_capacity(services.len());
        let (mut actions, mut keys) = (0usize, 0usize);
        for service in services {
            ids.push(ServiceIds {
                actions_base: service.actions().as_ptr() as usize,
                first_action: actions as u32,
                action_count: service.actions().len(),
                keys_base: service.condition_keys().as_ptr() as usize,
                first_key: keys as u32,
                key_count: service.condition_keys().len(),
            });
            actions += service.actions().len();
            keys += service.condition_keys().len();
        }
        let mut table = Table {
            services: ids,
            services_base: services.as_ptr() as usize,
            actions,
            listed_by: vec![Vec::new(); keys],
            by_name: FxMap::default(),
            templates: Vec::new(),
            cache: Mutex::new(FxMap::default()),
            named: Mutex::new(FxMap::default()),
        };
        for (si, service) in services.iter().enumerate() {
            for (ki, key) in service.condition_keys().iter().enumerate() {
                let Some(id) = table.key_id_at(si, ki) else {
                    continue;
                };
                if key.is_template() {
                    table.templates.push((id, si, ki));
                } else {
                    table
                        .by_name
                        .entry(key.name().to_ascii_lowercase())
                        .or_default()
                        .push(id);
                }
            }
        }
        for (service, ids) in services.iter().zip(&table.services) {
            for (action, action_id) in service.actions().iter().zip(ids.first_action..) {
                for &key in action.condition_key_positions() {
                    if let Some(list) = table.listed_by.get_mut((ids.first_key + key) as usize) {
                        list.push(action_id);
                    }
                }
            }
        }
        table
    }

    fn key_id_at(&self, service: usize, key: usize) -> Option<u32> {
        self.services
            .get(service)
            .filter(|s| key < s.key_count)
            .map(|s| s.first_key + key as u32)
    }

    fn service_index(&self, action: ActionRef<'_>) -> Option<usize> {
        let size = std::mem::size_of::<crate::catalogue::Service>().max(1);
        let address = std::ptr::from_ref(action.service()) as usize;
        let offset = address.checked_sub(self.services_base)?;
        (offset % size == 0)
            .then_some(offset / size)
            .filter(|&at| at < self.services.len())
    }

    /// The action's dense id, when it is an action of the catalogue the table was built from.
    pub(crate) fn action_id(&self, action: ActionRef<'_>) -> Option<u32> {
        let service = self.services.get(self.service_index(action)?)?;
        let size = std::mem::size_of::<crate::catalogue::Action>().max(1);
        let offset =
            (std::ptr::from_ref(action.action()) as usize).checked_sub(service.actions_base)?;
        (offset % size == 0 && offset / size < service.action_count)
            .then(|| service.first_action + (offset / size) as u32)
    }

    /// The id of `key`, any key of the catalogue.
    fn any_key_id(&self, key: &ConditionKey) -> Option<u32> {
        let size = std::mem::size_of::<ConditionKey>().max(1);
        let address = std::ptr::from_ref(key) as usize;
        self.services.iter().find_map(|service| {
            let offset = address.checked_sub(service.keys_base)?;
            (offset % size == 0 && offset / size < service.key_count)
                .then(|| service.first_key + (offset / size) as u32)
        })
    }

    /// The actions that see the key `name`: those listing `resolved`, or a key named `name`
    /// (ASCII case aside), or a template `name` instantiates, as one bit per action id.
    pub(crate) fn seen(
        &self,
        catalogue: &Catalogue,
        name: &str,
        resolved: Option<&ConditionKey>,
    ) -> Seen {
        let resolved = resolved.and_then(|k| self.any_key_id(k));
        let key = (name.to_ascii_lowercase(), resolved);
        if let Some(found) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return found;
        }
        let mut bits = vec![0u64; self.actions.div_ceil(64)];
        let mut mark = |id: u32| {
            for &action in self
                .listed_by
                .get(id as usize)
                .map_or(&[][..], Vec::as_slice)
            {
                if let Some(word) = bits.get_mut(action as usize / 64) {
                    *word |= 1 << (action % 64);
                }
            }
        };
        if let Some(id) = resolved {
            mark(id);
        }
        for &id in self.by_name.get(&key.0).map_or(&[][..], Vec::as_slice) {
            mark(id);
        }
        let services = catalogue.services();
        for &(id, si, ki) in &self.templates {
            let template = services.get(si).and_then(|s| s.condition_keys().get(ki));
            if template.is_some_and(|t| t.matches(name)) {
                mark(id);
            }
        }
        let seen: Seen = bits.into();
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() < LIMIT {
                cache.insert(key, Arc::clone(&seen));
            }
        }
        seen
    }
}

impl Table {
    /// The id of the action `name`, a constant of lint's own tables (`iam:PassRole`), looked up
    /// once per process; `None` when the catalogue does not have it.
    pub(crate) fn named(&self, catalogue: &Catalogue, name: &'static str) -> Option<u32> {
        let key = (name.as_ptr() as usize, name.len());
        // The embedded catalogue's table lives as long as the process: its answers are also
        // kept per thread, without the lock (locking for each of the hundreds of names asked
        // per document was a thirtieth of linting the managed corpus, issue 13).
        let embedded = self.is_embedded();
        if embedded {
            if let Some(found) = NAMED.with(|n| n.borrow().get(&key).copied()) {
                return found;
            }
        }
        let id = match self.named.lock().ok().and_then(|n| n.get(&key).copied()) {
            Some(found) => found,
            None => {
                let id = catalogue.action(name).and_then(|a| self.action_id(a));
                if let Ok(mut named) = self.named.lock() {
                    named.insert(key, id);
                }
                id
            }
        };
        if embedded {
            NAMED.with(|n| n.borrow_mut().insert(key, id));
        }
        id
    }
}

impl Table {
    /// Whether this is the embedded catalogue's table, which lives as long as the process.
    fn is_embedded(&self) -> bool {
        EMBEDDED
            .get()
            .is_some_and(|table| std::ptr::eq(Arc::as_ptr(table), self))
    }

    /// [`Table::named`] for each name of `names` (a list of lint's tables), kept per thread for
    /// the embedded catalogue: a document asks for the same lists as every other.
    pub(crate) fn named_list(
        &self,
        catalogue: &Catalogue,
        names: &'static [&'static str],
    ) -> Rc<[Option<u32>]> {
        let key = (names.as_ptr() as usize, names.len());
        let embedded = self.is_embedded();
        if embedded {
            if let Some(found) = NAMED_LISTS.with(|n| n.borrow().get(&key).cloned()) {
                return found;
            }
        }
        let ids: Rc<[Option<u32>]> = names.iter().map(|n| self.named(catalogue, n)).collect();
        if embedded {
            NAMED_LISTS.with(|n| n.borrow_mut().insert(key, Rc::clone(&ids)));
        }
        ids
    }
}

/// Lists of names' ids, by the list's address and length.
type NamedLists = FxMap<(usize, usize), Rc<[Option<u32>]>>;

thread_local! {
    /// [`Table::named_list`]'s answers for the embedded catalogue's table, per thread.
    static NAMED_LISTS: std::cell::RefCell<NamedLists> =
        std::cell::RefCell::new(FxMap::default());
    /// [`Table::named`]'s answers for the embedded catalogue's table, per thread.
    static NAMED: std::cell::RefCell<FxMap<(usize, usize), Option<u32>>> =
        std::cell::RefCell::new(FxMap::default());
}

/// The embedded catalogue's table, built on first use.
static EMBEDDED: OnceLock<Arc<Table>> = OnceLock::new();

/// Whether bit `id` is set.
pub(crate) fn has(seen: &[u64], id: u32) -> bool {
    seen.get(id as usize / 64)
        .is_some_and(|word| word & (1 << (id % 64)) != 0)
}

/// The table of `catalogue`: the process's own for the embedded catalogue.
pub(crate) fn table(catalogue: &Catalogue) -> Arc<Table> {
    match super::shared::embedded(catalogue) {
        Some(embedded) => Arc::clone(EMBEDDED.get_or_init(|| Arc::new(Table::new(embedded)))),
        None => Arc::new(Table::new(catalogue)),
    }
}
