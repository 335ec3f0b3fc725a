//! What the compared policies mention, collected before encoding: action elements (for the
//! action partition) and, for every condition key, how it is compared (for its value domain).

use crate::err::Unsupported;
use iamspec_model::condition::value::{Decimal, Instant};
use iamspec_model::condition::variables::Template;
use iamspec_model::condition::{Comparison, ValueType};
use iamspec_model::policy::{Policy, Statement};
use iamspec_model::PolicySet;
use std::collections::BTreeMap;

/// Keys that D40 derives from the principal or the resource. The solver's requests never set
/// them in the context: they take the derived value, or are absent where D40 derives nothing.
pub const DERIVED_KEYS: [&str; 8] = [
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:username",
    "aws:userid",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:resourceaccount",
];

/// How a key's values are compared, across every clause of every compared policy.
#[derive(Clone, Debug, Default)]
pub struct KeyUse {
    /// The key as first written.
    pub name: String,
    pub string: bool,
    pub numeric: bool,
    pub date: bool,
    pub ip: bool,
    /// Distinct clauses with a set qualifier (operator and values): bounds how many values a
    /// multivalued key needs.
    pub qualified: usize,
    qualified_texts: Vec<String>,
    pub numbers: Vec<Decimal>,
    pub dates: Vec<Instant>,
}

/// The value domain chosen for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyType {
    String,
    /// Regions of the number line cut by the policy constants (sorted, distinct).
    Numeric(Vec<Decimal>),
    /// Regions of the time line cut by the policy constants (sorted, distinct).
    Date(Vec<Instant>),
    Ip,
}

impl KeyUse {
    pub fn key_type(&self) -> Result<KeyType, Unsupported> {
        let families = [self.string, self.numeric, self.date, self.ip]
            .iter()
            .filter(|b| **b)
            .count();
        if families > 1 {
            return Err(Unsupported::new(format!(
                "the condition key `{}` is compared as more than one type (string, number, date, IP address)",
                self.name
            )));
        }
        if self.numeric {
            let mut numbers = self.numbers.clone();
            numbers.sort();
            numbers.dedup();
            return Ok(KeyType::Numeric(numbers));
        }
        if self.date {
            let mut dates = self.dates.clone();
            dates.sort();
            dates.dedup();
            return Ok(KeyType::Date(dates));
        }
        if self.ip {
            return Ok(KeyType::Ip);
        }
        Ok(KeyType::String)
    }

    pub fn is_derived(lowercase: &str) -> bool {
        DERIVED_KEYS.contains(&lowercase)
    }
}

/// Everything collected.
#[derive(Clone, Debug, Default)]
pub struct Domain {
    /// Action elements (the pattern lists of `Action`/`NotAction`), in first-seen order.
    pub action_elements: Vec<Vec<String>>,
    /// Lowercase key → its use.
    pub keys: BTreeMap<String, KeyUse>,
    /// Every 12-digit account id written in the policies (or given to the query).
    pub accounts: Vec<String>,
    /// Why the partition cannot treat unnamed accounts alike, if it cannot: a pattern that
    /// could match part of an account id (a digit next to a wildcard).
    pub account_specific: Option<String>,
    /// Short literal texts of the policies: the values a policy variable is tried with when
    /// the partition instantiates variables (restricted mode).
    pub tokens: Vec<String>,
    /// Whether a policy variable is substituted anywhere.
    pub has_variables: bool,
    /// The most variables one value has.
    pub variables_per_value: usize,
}

impl Domain {
    pub fn collect(sets: &[&PolicySet]) -> Domain {
        let mut domain = Domain::default();
        for set in sets {
            for policy in policies_of(set) {
                domain.policy(policy);
            }
        }
        domain
    }

    /// Records the account ids in `text`, and whether a wildcard next to a digit could match
    /// part of one (`account_field`: the text may fall in an account field).
    pub fn note_text(&mut self, text: &str, account_field: bool) {
        for token in text
            .split(['/', ':', '*', '?', '$', '{', '}', ',', '\''])
            .chain(std::iter::once(text))
        {
            let token = token.trim();
            if !token.is_empty()
                && token.chars().count() <= 64
                && !self.tokens.iter().any(|t| t == token)
            {
                self.tokens.push(token.to_owned());
            }
        }
        for run in text.split(|c: char| !c.is_ascii_digit()) {
            if run.len() == 12 && !self.accounts.iter().any(|a| a == run) {
                self.accounts.push(run.to_owned());
            }
        }
        if account_field && self.account_specific.is_none() {
            let chars: Vec<char> = text.chars().collect();
            let wild = |c: Option<&char>| matches!(c, Some('*' | '?'));
            let partial = chars.iter().enumerate().any(|(i, c)| {
                c.is_ascii_digit()
                    && (wild(i.checked_sub(1).and_then(|j| chars.get(j))) || wild(chars.get(i + 1)))
            });
            if partial {
                self.account_specific = Some(format!(
                    "the pattern `{text}` may match part of an account id"
                ));
            }
        }
    }

    pub fn add_action_element(&mut self, element: Vec<String>) {
        if !self.action_elements.contains(&element) {
            self.action_elements.push(element);
        }
    }

    fn key(&mut self, key: &str) -> &mut KeyUse {
        self.keys
            .entry(key.to_lowercase())
            .or_insert_with(|| KeyUse {
                name: key.to_owned(),
                ..KeyUse::default()
            })
    }

    fn policy(&mut self, policy: &Policy) {
        let substitutes = policy.version.substitutes_variables();
        for statement in &policy.statements {
            self.statement(statement, substitutes);
        }
    }

    fn statement(&mut self, statement: &Statement, substitutes: bool) {
        self.add_action_element(statement.action.patterns.items.clone());
        if let Some(principal) = &statement.principal {
            if let iamspec_model::policy::Principals::Typed(entries) = &principal.principals {
                for (_, values) in entries {
                    for value in values.iter() {
                        self.note_text(value, false);
                    }
                }
            }
        }
        if let Some(resource) = &statement.resource {
            for pattern in resource.patterns.iter() {
                self.note_resource_pattern(pattern);
                if !substitutes {
                    continue;
                }
                let fields = iamspec_model::arn::split_fields(pattern);
                if let (Some(sixth), 6) = (fields.get(5), fields.len()) {
                    let template = Template::parse(sixth);
                    self.variables_per_value = self
                        .variables_per_value
                        .max(template.variable_keys().count());
                    for key in template.variable_keys() {
                        self.has_variables = true;
                        self.key(key).string = true;
                    }
                }
            }
        }
        for clause in &statement.condition {
            let lowercase = clause.key.to_lowercase();
            let about_accounts = KeyUse::is_derived(&lowercase) && lowercase != "aws:principaltype";
            for value in clause.values.iter() {
                self.note_text(value, about_accounts);
            }
            let comparison = clause.operator.comparison;
            let value_type = comparison.value_type();
            if substitutes && value_type.takes_variables() {
                for value in clause.values.iter() {
                    let template = Template::parse(value);
                    self.variables_per_value = self
                        .variables_per_value
                        .max(template.variable_keys().count());
                    for key in template.variable_keys() {
                        self.has_variables = true;
                        self.key(key).string = true;
                    }
                }
            }
            let qualified = clause.operator.qualifier.is_some();
            let text = format!(
                "{} {substitutes} {:?}",
                clause.operator, clause.values.items
            );
            let used = self.key(&clause.key);
            if qualified && !used.qualified_texts.contains(&text) {
                used.qualified_texts.push(text);
                used.qualified += 1;
            }
            match value_type {
                ValueType::String | ValueType::Arn | ValueType::Bool | ValueType::Binary => {
                    used.string = true
                }
                ValueType::Numeric => {
                    used.numeric = true;
                    used.numbers
                        .extend(clause.values.iter().filter_map(Decimal::parse));
                }
                ValueType::Date => {
                    used.date = true;
                    used.dates
                        .extend(clause.values.iter().filter_map(Instant::parse));
                }
                ValueType::Ip => used.ip = true,
                ValueType::Null => {}
            }
            debug_assert!(comparison != Comparison::Null || value_type == ValueType::Null);
        }
    }
}

impl Domain {
    /// A resource pattern: only its first five fields can reach an account field.
    pub fn note_resource_pattern(&mut self, pattern: &str) {
        let fields = iamspec_model::arn::split_fields(pattern);
        for (index, field) in fields.iter().enumerate() {
            self.note_text(field, index < 5);
        }
    }
}

/// Every policy of a set, in any order.
pub fn policies_of(set: &PolicySet) -> Vec<&Policy> {
    let mut all: Vec<&Policy> = Vec::new();
    all.extend(set.identity.iter());
    all.extend(set.permission_boundary.iter());
    all.extend(set.session.iter());
    all.extend(set.resource.iter());
    for levels in [&set.scp, &set.rcp].into_iter().flatten() {
        for level in levels {
            all.extend(level.iter());
        }
    }
    all.extend(set.vpc_endpoint.iter());
    all
}

/// Is `request` inside the domain the solver's verdicts range over (solver/README.md)? Every
/// request the conformance format accepts is, except: a context that overrides a key D40
/// derives; an IAM principal ARN with a region or an empty name; a role session whose
/// `principal_arn` names a role of another partition, account or name; an action that is
/// neither in the catalogue nor named by the policies in `sets`; a resource the action cannot
/// be sent with (D73: not of its resource types' shapes, or `*` for an action that requires a
/// resource type). `Err` says why not.
pub fn request_in_domain(
    request: &iamspec_model::Request,
    sets: &[&PolicySet],
) -> Result<(), String> {
    use iamspec_model::arn::Arn;
    use iamspec_model::principal::Caller;
    use iamspec_model::request::Context;
    let action = request.action.lowercase();
    let named = sets.iter().flat_map(|s| policies_of(s)).any(|p| {
        p.statements.iter().any(|st| {
            st.action
                .patterns
                .iter()
                .any(|a| !a.contains(['*', '?']) && a.eq_ignore_ascii_case(action))
        })
    });
    if iamspec_corpus::Catalogue::embedded()
        .action(request.action.as_str())
        .is_none()
        && !named
    {
        return Err(format!(
            "the action `{}` is not in the catalogue",
            request.action
        ));
    }
    // The resources an action can be sent with (D73).
    if !crate::actions::resource_fits(request.action.as_str(), &request.resource) {
        return Err(format!(
            "the action `{}` cannot be sent with the resource `{}`: it fits none of its resource types",
            request.action, request.resource
        ));
    }
    // The ARN fields AWS writes (D87, `space.rs`).
    if let iamspec_model::request::Resource::Arn(arn) = &request.resource {
        if !crate::space::is_possible_arn(arn) {
            return Err(format!(
                "the resource `{arn}` has a partition, region or account field AWS never writes"
            ));
        }
    }
    let base = iamspec_model::Request::new(
        &request.principal_text,
        request.principal.clone(),
        request.action.clone(),
        request.resource.clone(),
        request.resource_account.clone(),
        Context::default(),
    );
    let unique_id = matches!(
        request.principal,
        Caller::User { .. } | Caller::RoleSession { .. }
    );
    for key in DERIVED_KEYS {
        // Users and role sessions state their unique id (D84).
        if key == "aws:userid" && unique_id {
            continue;
        }
        if request.context.get(key) != base.context.get(key) {
            return Err(format!("the context sets the derived key `{key}`"));
        }
    }
    // The requests AWS can send (D85, `space.rs`), for the keys the policies test.
    let tested = Domain::collect(sets).keys;
    for (lowercase, used) in &tested {
        if lowercase == "aws:userid" {
            let id = request.context.get(lowercase).map(|v| v.as_slice());
            let shaped = |id: &str| {
                let tail = |prefix: &str| id.strip_prefix(prefix).map(str::to_owned);
                match &request.principal {
                    Caller::User { .. } => tail("AIDA").is_some_and(|t| {
                        !t.is_empty()
                            && t.chars()
                                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                    }),
                    _ => tail("AROA")
                        .and_then(|t| t.split_once(':').map(|(a, b)| (a.to_owned(), b.to_owned())))
                        .is_some_and(|(a, b)| {
                            !a.is_empty()
                                && a.chars()
                                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                                && !b.is_empty()
                                && !b.contains([':', '/'])
                        }),
                }
            };
            if unique_id && !matches!(id, Some([one]) if shaped(one)) {
                return Err("a user or role session without its unique id `aws:userid`".into());
            }
            continue;
        }
        if KeyUse::is_derived(lowercase) {
            continue;
        }
        let Some(spec) = iamspec_model::context_keys::GlobalKey::lookup(&used.name) else {
            continue;
        };
        let possible = spec.possible_for(&request.principal);
        let value = request.context.get(lowercase);
        if spec.availability.always_present() && possible && value.is_none() {
            return Err(format!(
                "the key `{}` is always included but absent",
                used.name
            ));
        }
        if value.is_some() && !possible {
            return Err(format!("the caller cannot carry `{}`", used.name));
        }
        if spec.cardinality == iamspec_model::context_keys::Cardinality::Single
            && value.is_some_and(|v| v.as_slice().len() > 1)
        {
            return Err(format!(
                "several values for the single-valued `{}`",
                used.name
            ));
        }
    }
    let named = |name: &str| !name.is_empty() && !name.contains(':');
    let region_empty = |arn: &str| {
        Arn::parse(arn)
            .map(|a| a.region().is_empty())
            .unwrap_or(false)
    };
    match &request.principal {
        Caller::User { arn, name, .. } => {
            if !region_empty(arn) || !named(name) {
                return Err(format!("the user ARN `{arn}` has a region or no name"));
            }
        }
        Caller::FederatedUser { arn, name, .. } => {
            if !region_empty(arn) || !named(name) {
                return Err(format!("the federated user ARN `{arn}` has a region"));
            }
        }
        Caller::RoleSession {
            role_arn,
            session_arn,
            account,
        } => {
            let role = Arn::parse(role_arn).map_err(|e| e.to_string())?;
            let role_name = role.resource().rsplit('/').next().unwrap_or("");
            if !role.region().is_empty() || !named(role_name) || role.account() != account {
                return Err(format!(
                    "the role ARN `{role_arn}` has a region, no name or another account"
                ));
            }
            if let Some(session) = session_arn {
                let s = Arn::parse(session).map_err(|e| e.to_string())?;
                let session_role = s
                    .resource()
                    .strip_prefix("assumed-role/")
                    .and_then(|r| r.split('/').next())
                    .unwrap_or("");
                let session_name = s.resource().rsplit('/').next().unwrap_or("");
                if !s.region().is_empty()
                    || s.partition() != role.partition()
                    || session_role != role_name
                    || !named(session_name)
                {
                    return Err(format!(
                        "the session `{session}` does not belong to the role `{role_arn}`"
                    ));
                }
            }
        }
        Caller::Root { .. }
        | Caller::Service { .. }
        | Caller::IdentityProvider { .. }
        | Caller::Anonymous => {}
    }
    Ok(())
}
