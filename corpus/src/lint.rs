//! Policy lint, in the spirit of IAM Access Analyzer's policy validation
//! (<https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html>):
//! the model's own validation ([`iamspec_model::policy::check`]) plus checks against the action
//! catalogue and for risky grants, each finding with a stable check id, one of four severities
//! and the JSON path (and line and column) it is about.
//!
//! * **error**: AWS rejects the policy, or part of it can never work, whatever the catalogue
//!   says (checks that depend on the catalogue, a snapshot of the Service Authorization
//!   Reference that lags behind AWS and drops retired services, report warnings instead, even
//!   where Access Analyzer reports errors);
//! * **security warning**: the policy allows more than it probably should;
//! * **warning**: accepted, but not what the author probably meant, or against best practice;
//! * **suggestion**: a simplification that changes nothing.
//!
//! [`CHECKS`] lists every check with its id and default severity; `docs/lint-checks.md` documents
//! each one with an example. Findings of the model's validation keep their code as their id and
//! their severity, except the two the table below raises to security warnings.
//!
//! ```
//! use iamspec_corpus::lint::{lint, LintSeverity};
//! use iamspec_corpus::Catalogue;
//! use iamspec_model::PolicyKind;
//!
//! let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
//!     "Action": "s3:GetObjekt", "Resource": "*"}}"#;
//! let report = lint(text, PolicyKind::Identity, Catalogue::embedded());
//! assert_eq!(report.findings[0].id, "unknown-action");
//! assert_eq!(report.findings[0].severity, LintSeverity::Warning);
//! assert!(!report.has_errors());
//! ```

mod actions;
mod attached;
mod bounds;
mod checks;
mod conditions;
mod cover;
mod document;
mod escalation;
mod global_keys;
mod index;
mod intersect;
mod locate;
mod nocase;
mod principals;
mod render;
mod resources;
mod risks;
mod shared;
mod statements;
mod table;
mod trust;
mod values;

pub use checks::{check, Check, Origin, CHECKS};
pub use escalation::{EscalationCategory, EscalationPath, ESCALATION_PATHS};
pub use global_keys::{global_key, GlobalKey};
pub use render::{render_json, render_text};

use crate::catalogue::{ActionRef, Catalogue, ConditionKey};
use iamspec_model::hash::FxMap as HashMap;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::policy::{
    check_measured as validate, Finding, Policy, PolicyKind, PolicySize, Severity, Statement,
};
use serde::Serialize;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

/// How serious a finding is, in Access Analyzer's four grades.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LintSeverity {
    /// Part of the policy does not work.
    Error,
    /// The policy grants more than it probably should.
    SecurityWarning,
    /// Accepted but probably not meant, or against best practice.
    Warning,
    /// A simplification that changes nothing.
    Suggestion,
}

impl LintSeverity {
    /// All four, most serious first.
    pub const ALL: [LintSeverity; 4] = [
        LintSeverity::Error,
        LintSeverity::SecurityWarning,
        LintSeverity::Warning,
        LintSeverity::Suggestion,
    ];

    /// `error`, `security warning`, `warning`, `suggestion`.
    pub fn as_str(self) -> &'static str {
        match self {
            LintSeverity::Error => "error",
            LintSeverity::SecurityWarning => "security warning",
            LintSeverity::Warning => "warning",
            LintSeverity::Suggestion => "suggestion",
        }
    }

    /// `error`, `security_warning`, `warning`, `suggestion`: the JSON spelling.
    pub fn code(self) -> &'static str {
        match self {
            LintSeverity::Error => "error",
            LintSeverity::SecurityWarning => "security_warning",
            LintSeverity::Warning => "warning",
            LintSeverity::Suggestion => "suggestion",
        }
    }
}

impl fmt::Display for LintSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding is in the document's text: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

/// One thing lint found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LintFinding {
    /// The check's stable id (`unknown-action`); for validation findings, the model's code.
    pub id: &'static str,
    /// How serious this finding is.
    pub severity: LintSeverity,
    /// Where in the document, as AWS writes paths (`Statement[1].Resource[0]`).
    #[serde(serialize_with = "serialize_path")]
    pub path: JsonPath,
    /// Where in the text, when the path could be found there.
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// What is wrong and what to do, with the policy's own text in backticks.
    pub message: String,
}

fn serialize_path<S: serde::Serializer>(path: &JsonPath, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string())
}

impl fmt::Display for LintFinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}[{}] {}: {}",
            self.severity, self.id, self.path, self.message
        )
    }
}

/// Everything lint found in one document.
#[derive(Clone, Debug)]
pub struct LintReport {
    /// The kind the document was linted as.
    pub kind: PolicyKind,
    /// The parsed policy, when the document parsed.
    pub policy: Option<Policy>,
    /// Findings in document order (by position), validation findings first at equal positions.
    pub findings: Vec<LintFinding>,
}

impl LintReport {
    /// How many findings have `severity`.
    pub fn count(&self, severity: LintSeverity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.count(LintSeverity::Error) > 0
    }
}

/// Checks whose findings do not apply to AWS managed policies: the corpus holds AWS's own
/// published documents, and 83 of them (`ReadOnlyAccess` among them) exceed the 6,144 characters
/// of the customer managed policy quota, so AWS does not hold its own policies to it.
pub const NOT_FOR_AWS_MANAGED: &[&str] = &[
    "quota-policy-size",
    "quota-managed-policy-size",
    "policy-size-near-quota",
];

/// What lint may know besides the document.
#[derive(Clone, Debug, Default)]
pub struct LintOptions {
    /// The ARN of the resource a resource policy is attached to (`--resource`): statements
    /// and actions that cannot apply to it are reported (`resource-not-attached`,
    /// `action-not-for-resource`).
    pub resource: Option<String>,
}

/// Loads the embedded catalogue and builds the tables lint keeps for it for the life of the
/// process (which actions see which condition key, the ARN templates by service), as the first
/// [`lint`] otherwise does: a caller can do this on another thread while it reads its
/// documents, as `iamspec lint` does.
pub fn prepare_embedded() {
    let catalogue = Catalogue::embedded();
    let _ = table::table(catalogue);
    let _ = resources::embedded_arn_index(catalogue);
}

/// Lints the policy document `text` as a policy of `kind` against `catalogue`.
pub fn lint(text: &str, kind: PolicyKind, catalogue: &Catalogue) -> LintReport {
    lint_with(text, kind, catalogue, &LintOptions::default())
}

/// [`lint`] with [`LintOptions`].
pub fn lint_with(
    text: &str,
    kind: PolicyKind,
    catalogue: &Catalogue,
    options: &LintOptions,
) -> LintReport {
    let json = match Json::parse(text) {
        Ok(json) => json,
        Err(error) => {
            return LintReport {
                kind,
                policy: None,
                findings: vec![LintFinding {
                    id: "json-syntax",
                    severity: LintSeverity::Error,
                    path: JsonPath::root(),
                    position: Some(Position {
                        line: error.line,
                        column: error.column,
                    }),
                    message: format!("the document is not JSON: {}", error.message),
                }],
            }
        }
    };
    lint_json_with(&json, Some(text), kind, catalogue, options)
}

/// Lints a policy already read as JSON; `text`, when given, is its original text (for positions
/// and for the quotas that count whitespace).
pub fn lint_json(
    json: &Json,
    text: Option<&str>,
    kind: PolicyKind,
    catalogue: &Catalogue,
) -> LintReport {
    lint_json_with(json, text, kind, catalogue, &LintOptions::default())
}

/// [`lint_json`] with [`LintOptions`].
pub fn lint_json_with(
    json: &Json,
    text: Option<&str>,
    kind: PolicyKind,
    catalogue: &Catalogue,
    options: &LintOptions,
) -> LintReport {
    Validated::new(json, text, kind).lint(catalogue, options)
}

/// A document validated, before lint's own checks: the part of [`lint_json_with`] that needs no
/// catalogue, so that a caller can do it while the catalogue loads ([`prepare_embedded`] on
/// another thread, as `iamspec lint` does).
///
/// ```
/// use iamspec_corpus::lint::{LintOptions, Validated};
/// use iamspec_corpus::Catalogue;
/// use iamspec_model::json::Json;
/// use iamspec_model::PolicyKind;
///
/// let text = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
///     "Action": "s3:GetObjekt", "Resource": "*"}}"#;
/// let json = Json::parse(text).unwrap();
/// let validated = Validated::new(&json, Some(text), PolicyKind::Identity);
/// let report = validated.lint(Catalogue::embedded(), &LintOptions::default());
/// assert_eq!(report.findings[0].id, "unknown-action");
/// ```
pub struct Validated<'a> {
    json: &'a Json,
    text: Option<&'a str>,
    kind: PolicyKind,
    policy: Option<Policy>,
    size: Option<PolicySize>,
    /// Validation's findings, as lint reports them.
    findings: Vec<LintFinding>,
}

impl<'a> Validated<'a> {
    /// Validates `json` (whose original text is `text`, when given) as a policy of `kind`.
    pub fn new(json: &'a Json, text: Option<&'a str>, kind: PolicyKind) -> Validated<'a> {
        let (policy, validation, size) = validate(json, kind, text);
        let findings = validation
            .into_iter()
            .filter(|f| !principals::documented_principal(json, f))
            .map(from_validation)
            .collect();
        Validated {
            json,
            text,
            kind,
            policy,
            size,
            findings,
        }
    }

    /// Lint's own checks against `catalogue`, and the report of the whole.
    pub fn lint(self, catalogue: &Catalogue, options: &LintOptions) -> LintReport {
        let Validated {
            json,
            text,
            kind,
            policy,
            size,
            mut findings,
        } = self;
        if let Some(policy) = &policy {
            let mut linter = Linter::new(catalogue, kind, policy, json, text);
            linter.size = size;
            linter.resource = options.resource.as_deref();
            linter.run();
            findings.extend(linter.findings);
        }
        finish(findings, text, kind, policy)
    }
}

/// Positions, order, and the last word between checks.
fn finish(
    mut findings: Vec<LintFinding>,
    text: Option<&str>,
    kind: PolicyKind,
    policy: Option<Policy>,
) -> LintReport {
    if let Some(text) = text {
        let unplaced = findings.iter().filter(|f| f.position.is_none());
        if unplaced.clone().next().is_some() {
            let locator = locate::Locator::new(text, unplaced.map(|f| &f.path));
            for finding in &mut findings {
                if finding.position.is_none() {
                    finding.position = locator.position(&finding.path);
                }
            }
        }
    }
    // Stable order: by position in the text, then by path, then severity and id.
    findings.sort_by(|a, b| {
        (a.position, &a.path, a.severity, a.id).cmp(&(b.position, &b.path, b.severity, b.id))
    });
    findings.dedup_by(|a, b| a.id == b.id && a.path == b.path && a.message == b.message);
    // `ForAllValues:` on a single-valued key: the fix is to drop the qualifier, not to add the
    // `Null` guard `for-all-values-without-null` asks for; one finding per clause (issue 13).
    let single_valued: std::collections::HashSet<JsonPath> = findings
        .iter()
        .filter(|f| f.id == "for-all-values-single-valued")
        .map(|f| f.path.clone())
        .collect();
    if !single_valued.is_empty() {
        findings
            .retain(|f| f.id != "for-all-values-without-null" || !single_valued.contains(&f.path));
    }
    LintReport {
        kind,
        policy,
        findings,
    }
}

/// Validation findings keep their code and severity, except where lint grades them otherwise.
fn from_validation(finding: Finding) -> LintFinding {
    let severity = match checks::check(finding.code) {
        Some(check) if check.severity == LintSeverity::SecurityWarning => check.severity,
        _ => match finding.severity {
            Severity::Error => LintSeverity::Error,
            Severity::Warning => LintSeverity::Warning,
        },
    };
    LintFinding {
        id: finding.code,
        severity,
        path: finding.path,
        position: None,
        message: finding.message,
    }
}

/// The state of one lint run: the policy, the catalogue, the findings so far and the action
/// expansions already computed (the same pattern recurs across statements).
pub(crate) struct Linter<'c, 'p> {
    catalogue: &'c Catalogue,
    kind: PolicyKind,
    policy: &'p Policy,
    /// The document, for its length without whitespace (`document.rs`, when it matters).
    json: &'p Json,
    /// The original text, when known.
    text: Option<&'p str>,
    /// The document's size as validation measured it, when it did.
    size: Option<PolicySize>,
    findings: Vec<LintFinding>,
    expansions: HashMap<String, shared::Expansion<'c>>,
    /// The previous statement's action entries as written, each with its expansion and
    /// whether its service is known: statements often repeat the previous one's `Action`
    /// list (10,000 statements on the same two actions), and an entry equal to the one at its
    /// place there is neither folded nor looked up again. (A table of every entry cost the
    /// managed corpus, whose entries rarely repeat, more than it saved.)
    previous: Vec<Previous<'c, 'p>>,
    /// An ASCII action entry lowercased (what folding does to it), in one buffer across
    /// entries rather than a new string for each.
    folded: String,
    /// The action sets of statements, by the expansions they are made of: statements repeat
    /// the same `Action` lists, and what lint derives from one (each action once, its ARN
    /// templates, its condition keys) is then derived once.
    action_sets: HashMap<Vec<usize>, Rc<ActionSet<'c>>>,
    /// A statement's key into `action_sets`, in one buffer across statements: a key is copied
    /// only for a new set.
    set_key: Vec<usize>,
    /// The wildcard entries of a statement's few `Action` entries, each compiled when first
    /// needed (`actions.rs`), in one buffer across statements.
    action_covers: Vec<(usize, std::cell::OnceCell<cover::ActionCover>)>,
    /// The catalogue's ARN templates by service, built when a policy first needs them.
    arn_index: Option<std::sync::Arc<resources::ArnIndex>>,
    /// The ARN of the resource the policy is attached to, when given.
    resource: Option<&'p str>,
    /// Whether the catalogue is the embedded one, whose answers `shared.rs` keeps.
    embedded: bool,
    /// Catalogue ARN templates compiled for intersection, with their service, across
    /// statements; an [`ActionSet`] names its templates by their index here.
    templates: Vec<resources::TemplateGlob<'c>>,
    template_ids: iamspec_model::hash::FxMap<usize, usize>,
    /// Whether resources fit templates, by the resource's shape, across statements.
    shapes: resources::Shapes,
    /// The catalogue's dense numbering, built (or, for the embedded catalogue, fetched) when a
    /// set first asks about a condition key.
    table: Rc<std::cell::OnceCell<Arc<table::Table>>>,
    /// [`Linter::named_ids`]' answers, by the list's address.
    named_ids: HashMap<usize, Rc<[Option<u32>]>>,
}

/// An action entry of the previous statement: its text, expansion, whether its service is known
/// and whether it is spelt as documented (when known).
type Previous<'c, 'p> = (&'p str, shared::Expansion<'c>, bool, Option<bool>);

/// The catalogue actions of one statement's `Action` element, each once, and what lint derives
/// from them.
pub(crate) struct ActionSet<'c> {
    catalogue: &'c Catalogue,
    /// The actions and what is derived from them alone.
    core: Core<'c>,
    /// The ARN templates of the actions' resource types, each once, as indices into
    /// [`Linter::templates`], when first asked ([`Linter::distinct_templates`]): statements on
    /// `"Resource": "*"` never ask.
    distinct: std::cell::OnceCell<Vec<usize>>,
    /// The template of `distinct` that last fitted a resource: statements with the same actions
    /// mostly name the same kind of resource, so it is tried first (the others were a second
    /// search per statement).
    last_fit: std::cell::Cell<Option<usize>>,
    /// Which actions see a condition key, by the key's folded name, when first asked.
    support: std::cell::RefCell<HashMap<String, Rc<KeySupport<'c>>>>,
    /// The same answers by the key as written.
    support_written: std::cell::RefCell<HashMap<String, Rc<KeySupport<'c>>>>,
    /// The catalogue's dense numbering (shared by the run's sets), when first asked.
    table: Rc<std::cell::OnceCell<Arc<table::Table>>>,
}

/// A set's [`shared::SetCore`]: the process's, shared by documents (the embedded catalogue),
/// or the document's own. (A core is not covariant in its lifetime, so the process's
/// `'static` one is held as such and its answers shortened where they are read.)
enum Core<'c> {
    Shared(Arc<shared::SetCore<'static>>),
    Own(shared::SetCore<'c>),
}

/// Which actions of an [`ActionSet`] see one condition key.
pub(crate) struct KeySupport<'c> {
    /// The actions that never see the key, as indices into the set's actions.
    without: Vec<usize>,
    /// The services of the set none of whose actions sees the key.
    services_without: std::collections::BTreeSet<&'c str>,
}

impl<'c> ActionSet<'c> {
    /// The set's actions, each once.
    fn actions(&self) -> &[ActionRef<'c>] {
        match &self.core {
            Core::Shared(core) => &core.actions,
            Core::Own(core) => &core.actions,
        }
    }

    /// Whether action `at` lists the key `name` (or `resolved`), by comparing names: for an
    /// action the table does not number.
    fn sees(&self, at: usize, name: &str, resolved: Option<&ConditionKey>) -> bool {
        self.keys().get(at).is_some_and(|keys| {
            keys.iter().any(|k| {
                resolved.is_some_and(|r| std::ptr::eq(*k, r))
                    || if k.is_template() {
                        k.matches(name)
                    } else {
                        k.name().eq_ignore_ascii_case(name)
                    }
            })
        })
    }

    fn table(&self) -> &Arc<table::Table> {
        self.table.get_or_init(|| table::table(self.catalogue))
    }

    /// Per action, its id in the table.
    fn ids(&self) -> &[Option<u32>] {
        let table = self.table();
        match &self.core {
            Core::Shared(core) => core.ids(table),
            Core::Own(core) => core.ids(table),
        }
    }

    /// Whether the set has the action `name` (a constant of lint's tables, `iam:PassRole`);
    /// `None` when the table cannot tell (an action it does not number).
    fn has_named(&self, name: &'static str) -> Option<bool> {
        let sorted = self.sorted_ids()?;
        let id = self.table().named(self.catalogue, name)?;
        Some(sorted.binary_search(&id).is_ok())
    }

    /// The actions' ids in ascending order, when every action has one: a set sized by its
    /// actions, not a bitset sized by the catalogue (zeroing a kilobyte per set, and the large
    /// allocation making the allocator consolidate its free lists, was a tenth of the wall
    /// time of linting the managed corpus, issue 13).
    fn sorted_ids(&self) -> Option<&[u32]> {
        let table = self.table();
        match &self.core {
            Core::Shared(core) => core.sorted_ids(table),
            Core::Own(core) => core.sorted_ids(table),
        }
    }

    /// Per action, the condition keys it supports.
    fn keys(&self) -> &[Arc<[&'c ConditionKey]>] {
        match &self.core {
            Core::Shared(core) => shared::embedded(self.catalogue).map_or(&[], |c| core.keys(c)),
            Core::Own(core) => core.keys(self.catalogue),
        }
    }

    /// The ARN templates of the actions' resource types, each once.
    fn arns(&self) -> &[&'c str] {
        match &self.core {
            Core::Shared(core) => shared::embedded(self.catalogue).map_or(&[], |c| core.arns(c)),
            Core::Own(core) => core.arns(self.catalogue),
        }
    }

    /// Which actions see the key `name` (resolved to `resolved`, when the catalogue has it):
    /// those listing the resolved key (which may be a plain-word placeholder such as
    /// `…/tag-key`), or any key that `name` is or instantiates. Computed once per set and key,
    /// so that statements sharing their actions cost a lookup each.
    fn support(&self, name: &str, resolved: Option<&ConditionKey>) -> Rc<KeySupport<'c>> {
        // The key as written first: statements repeat their conditions, and looking it up
        // so needs no folded copy.
        if let Some(found) = self.support_written.borrow().get(name) {
            return Rc::clone(found);
        }
        let folded = iamspec_model::pattern::fold_case(name);
        if let Some(found) = self.support.borrow().get(folded.as_ref()) {
            let found = Rc::clone(found);
            self.support_written
                .borrow_mut()
                .insert(name.to_owned(), Rc::clone(&found));
            return found;
        }
        let table = self.table();
        let ids = self.ids();
        let seen = table.seen(self.catalogue, name, resolved);
        let mut without = Vec::new();
        let mut services = std::collections::BTreeSet::new();
        let mut supported = std::collections::BTreeSet::new();
        let mut last: Option<(&str, bool)> = None;
        for (at, (action, id)) in self.actions().iter().zip(ids).enumerate() {
            let prefix = action.service().prefix();
            let sees = match id {
                Some(id) => table::has(&seen, *id),
                None => self.sees(at, name, resolved),
            };
            // Sets list a service's actions together: its prefix is inserted once per run.
            if last != Some((prefix, sees)) {
                services.insert(prefix);
                if sees {
                    supported.insert(prefix);
                }
                last = Some((prefix, sees));
            }
            if !sees {
                without.push(at);
            }
        }
        let support = Rc::new(KeySupport {
            without,
            services_without: services.difference(&supported).copied().collect(),
        });
        self.support
            .borrow_mut()
            .insert(folded.into_owned(), Rc::clone(&support));
        self.support_written
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&support));
        support
    }
}

impl<'c, 'p> Linter<'c, 'p> {
    fn new(
        catalogue: &'c Catalogue,
        kind: PolicyKind,
        policy: &'p Policy,
        json: &'p Json,
        text: Option<&'p str>,
    ) -> Self {
        Linter {
            catalogue,
            kind,
            policy,
            json,
            text,
            size: None,
            findings: Vec::new(),
            expansions: HashMap::default(),
            previous: Vec::new(),
            folded: String::new(),
            set_key: Vec::new(),
            action_covers: Vec::new(),
            action_sets: HashMap::default(),
            arn_index: None,
            resource: None,
            embedded: shared::embedded(catalogue).is_some(),
            templates: Vec::new(),
            template_ids: iamspec_model::hash::FxMap::default(),
            shapes: resources::Shapes::default(),
            table: Rc::new(std::cell::OnceCell::new()),
            named_ids: HashMap::default(),
        }
    }

    fn run(&mut self) {
        document::check(self);
        let policy = self.policy;
        // One statement's entries at a time, in one buffer: the checks across statements read
        // the statements themselves, and the policy-wide risk check only the action sets of
        // the few statements it asks about (entries and facts for every statement, kept to
        // the end, were a fifth of lint's memory on 100,000 statements).
        let mut patterns = Vec::new();
        let mut policy_wide = Vec::new();
        for statement in &policy.statements {
            patterns.clear();
            self.action_patterns(statement, &mut patterns);
            let facts = self.facts(statement, &patterns);
            actions::check(self, &facts);
            resources::check(self, &facts);
            conditions::check(self, &facts);
            principals::check(self, &facts);
            statements::check(self, &facts);
            risks::check(self, &facts);
            trust::check(self, &facts);
            values::check(self, &facts);
            attached::check(self, &facts);
            if risks::asked_policy_wide(self.kind, statement) {
                policy_wide.push(facts.set_facts());
            }
        }
        statements::check_pairs(self, &policy.statements);
        risks::check_policy(self, &policy_wide);
    }

    fn report(
        &mut self,
        id: &'static str,
        severity: LintSeverity,
        path: JsonPath,
        message: impl Into<String>,
    ) {
        self.findings.push(LintFinding {
            id,
            severity,
            path,
            position: None,
            message: message.into(),
        });
    }

    /// Reports with the check's default severity.
    fn emit(&mut self, id: &'static str, path: JsonPath, message: impl Into<String>) {
        let severity = checks::check(id).map_or(LintSeverity::Warning, |c| c.severity);
        // Checks quote the policy's text in backticks; a hostile value may be megabytes long.
        let message = shorten(message.into());
        self.report(id, severity, path, message);
    }

    /// The ids ([`table::Table::named`]) of a list of lint's action names, looked up once per
    /// document, not once per statement and name (a lookup each was a tenth of the
    /// instructions of linting the managed corpus, issue 13).
    fn named_ids(&mut self, names: &'static [&'static str]) -> Rc<[Option<u32>]> {
        let key = names.as_ptr() as usize;
        if let Some(found) = self.named_ids.get(&key) {
            return Rc::clone(found);
        }
        let catalogue = self.catalogue;
        let table = self.table.get_or_init(|| table::table(catalogue));
        let ids = table.named_list(catalogue, names);
        self.named_ids.insert(key, Rc::clone(&ids));
        ids
    }

    /// The catalogue actions an action pattern matches, computed once per pattern.
    fn expand(&mut self, pattern: &str) -> shared::Expansion<'c> {
        if self.embedded && pattern.is_ascii() {
            let mut folded = std::mem::take(&mut self.folded);
            folded.clear();
            folded.push_str(pattern);
            folded.make_ascii_lowercase();
            let expanded = shared::expand(self.catalogue, &folded);
            self.folded = folded;
            return expanded;
        }
        let key = iamspec_model::pattern::fold_case(pattern);
        if self.embedded {
            // Kept for the process already (`shared.rs`): no second table per document.
            return shared::expand(self.catalogue, &key);
        }
        if let Some(found) = self.expansions.get(key.as_ref()) {
            return found.clone();
        }
        let expanded = shared::expand(self.catalogue, &key);
        self.expansions.insert(key.into_owned(), expanded.clone());
        expanded
    }

    /// The `Action`/`NotAction` entries of `statement` with their expansions, appended to
    /// `patterns`.
    fn action_patterns(
        &mut self,
        statement: &'p Statement,
        patterns: &mut Vec<ActionPattern<'c, 'p>>,
    ) {
        let start = patterns.len();
        patterns.extend(
            statement
                .action
                .patterns
                .iter()
                .enumerate()
                .map(|(index, text)| {
                    let (actions, service_known, documented) = match self.previous.get(index) {
                        Some((before, actions, known, documented)) if *before == text => {
                            (actions.clone(), *known, *documented)
                        }
                        _ => match shared::entry(self.catalogue, text) {
                            Some(kept) => (kept.actions, kept.service_known, Some(kept.documented)),
                            None => {
                                let actions = self.expand(text);
                                // An entry whose literal prefix matched actions names their
                                // service (the prefix of `service:action` folds to the service's):
                                // no lookup.
                                let service_known = service_prefix(text).is_none_or(|prefix| {
                                    has_wildcard(prefix)
                                        || !actions.is_empty()
                                        || self.catalogue.service(prefix).is_some()
                                });
                                (actions, service_known, None)
                            }
                        },
                    };
                    ActionPattern {
                        text,
                        statement,
                        index,
                        has_wildcards: has_wildcard(text),
                        service_known,
                        documented,
                        actions,
                    }
                }),
        );
        self.previous.clear();
        self.previous.extend(
            patterns
                .get(start..)
                .unwrap_or(&[])
                .iter()
                .map(|p| (p.text, p.actions.clone(), p.service_known, p.documented)),
        );
    }

    fn facts<'f>(
        &mut self,
        statement: &'p Statement,
        patterns: &'f [ActionPattern<'c, 'p>],
    ) -> StatementFacts<'c, 'p, 'f> {
        let set = self.action_set(statement, patterns);
        StatementFacts {
            statement,
            ascii: patterns.iter().all(|p| p.text.is_ascii()),
            patterns,
            set,
        }
    }

    /// The action set of a statement's entries, derived once per distinct list of entries.
    fn action_set(
        &mut self,
        statement: &Statement,
        patterns: &[ActionPattern<'c, '_>],
    ) -> Rc<ActionSet<'c>> {
        let mut key = std::mem::take(&mut self.set_key);
        key.clear();
        if !statement.action.negated {
            key.extend(patterns.iter().map(|p| p.actions.as_ptr() as usize));
        }
        let set = match self.action_sets.get(key.as_slice()) {
            Some(found) => Rc::clone(found),
            None => self.new_action_set(statement, patterns, key.to_vec()),
        };
        self.set_key = key;
        set
    }

    /// [`Linter::action_set`] for a list of entries not met before, kept under `key`.
    fn new_action_set(
        &mut self,
        statement: &Statement,
        patterns: &[ActionPattern<'c, '_>],
        key: Vec<usize>,
    ) -> Rc<ActionSet<'c>> {
        if !statement.action.negated {
            if let Some(core) = shared::set_core(self.catalogue, &key) {
                let set = Rc::new(self.new_set(Core::Shared(core)));
                self.action_sets.insert(key, Rc::clone(&set));
                return set;
            }
        }
        let mut seen: std::collections::HashSet<
            usize,
            std::hash::BuildHasherDefault<iamspec_model::hash::FxHasher>,
        > = Default::default();
        let mut actions = Vec::new();
        if let ([only], false) = (patterns, statement.action.negated) {
            // One expansion lists each action once already (`*`: every action of the catalogue).
            actions = only.actions.to_vec();
        } else if !statement.action.negated {
            seen.reserve(patterns.iter().map(|p| p.actions.len()).sum());
            for pattern in patterns {
                for action in pattern.actions.iter() {
                    if seen.insert(std::ptr::from_ref(action.action()) as usize) {
                        actions.push(*action);
                    }
                }
            }
        }
        let set = Rc::new(self.new_set(Core::Own(shared::SetCore::new(actions))));
        self.action_sets.insert(key, Rc::clone(&set));
        set
    }

    fn new_set(&self, core: Core<'c>) -> ActionSet<'c> {
        ActionSet {
            catalogue: self.catalogue,
            core,
            distinct: std::cell::OnceCell::new(),
            last_fit: std::cell::Cell::new(None),
            support: std::cell::RefCell::new(HashMap::default()),
            support_written: std::cell::RefCell::new(HashMap::default()),
            table: Rc::clone(&self.table),
        }
    }

    /// The ARN templates of a set's actions, each once, compiled and interned when first asked.
    fn distinct_templates<'s>(&mut self, set: &'s ActionSet<'c>) -> &'s [usize] {
        if let Some(found) = set.distinct.get() {
            return found;
        }
        // Distinct templates (by address) get distinct ids (`template_id`), in the order the
        // actions list them.
        let distinct: Vec<usize> = set.arns().iter().map(|arn| self.template_id(arn)).collect();
        set.distinct.get_or_init(|| distinct)
    }

    /// The index of a catalogue ARN template in [`Linter::templates`], compiled when first met.
    fn template_id(&mut self, arn: &'c str) -> usize {
        // Templates live in the catalogue: their address names them (two services' identical
        // templates get two ids, which costs a repeated intersection, never a wrong one).
        let address = arn.as_ptr() as usize;
        if let Some(&id) = self.template_ids.get(&address) {
            return id;
        }
        let id = self.templates.len();
        self.templates
            .push(resources::TemplateGlob::new(self.catalogue, arn));
        self.template_ids.insert(address, id);
        id
    }
}

/// Whether `text` has a `*` or `?`, by its bytes (both are ASCII): a character search decodes
/// and compares every character with both.
pub(crate) fn has_wildcard(text: &str) -> bool {
    text.bytes().any(|b| matches!(b, b'*' | b'?'))
}

/// Whether `text` has `${` (a policy variable, or an escape such as `${*}`), by its bytes: most
/// of the texts are a few bytes long (ARN fields), and setting up `str::contains`'s substring
/// search cost more than the search.
pub(crate) fn has_variable(text: &str) -> bool {
    text.as_bytes().windows(2).any(|pair| pair == b"${")
}

/// Neither a wildcard nor a variable: the text stands only for itself.
pub(crate) fn is_plain(text: &str) -> bool {
    !has_wildcard(text) && !has_variable(text)
}

/// `message` with its long backticked spans shortened
/// ([`iamspec_model::quote::shorten_backticked`]), and as it is, without a copy, when no span is
/// long enough to shorten (nearly every message: rebuilding each one span by span was a
/// fourteenth of the instructions of linting the managed corpus, issue 13).
pub(crate) fn shorten(message: String) -> String {
    // The spans `shorten_backticked` finds, the same way; a span of at most `SHOWN_CHARS`
    // bytes has at most as many characters and is shown whole, so the message is unchanged.
    let mut rest = message.as_str();
    while let Some((_, after)) = rest.split_once('`') {
        let Some((span, tail)) = after.split_once('`') else {
            break;
        };
        if span.len() > iamspec_model::quote::SHOWN_CHARS {
            return iamspec_model::quote::shorten_backticked(&message);
        }
        rest = tail;
    }
    message
}

/// Whether the resource pattern `pattern` can match an ARN of one of `templates` (catalogue
/// ARN templates), by the widened test of [`intersect`]: `false` only when it never can.
pub(crate) fn intersect_templates(pattern: &str, templates: &[&str], substitutes: bool) -> bool {
    let glob = intersect::Glob::pattern(pattern, substitutes);
    templates
        .iter()
        .any(|t| glob.intersects(&intersect::Glob::template(t)))
}

/// Whether the action entry `entry` matches the action `qualified`, case-insensitively: a
/// wildcard entry is compiled only when its literal prefix fits (this is asked of every entry
/// of every statement).
pub(crate) fn entry_matches(entry: &str, qualified: &str) -> bool {
    let Some(at) = entry.find(['*', '?']) else {
        return entry.eq_ignore_ascii_case(qualified)
            || iamspec_model::pattern::fold_case(entry)
                == iamspec_model::pattern::fold_case(qualified);
    };
    let head = entry.get(..at).unwrap_or("");
    qualified
        .get(..head.len())
        .is_none_or(|q| q.eq_ignore_ascii_case(head) || !q.is_ascii() || !head.is_ascii())
        && iamspec_model::pattern::Pattern::new(entry)
            .ignore_case()
            .matches(qualified)
}

/// Whether `a` and `b` are equal once case is folded ([`iamspec_model::pattern::fold_case`]),
/// without building either folded string when both are ASCII (folding is then ASCII
/// lowercasing; text outside ASCII may fold into it, so it takes the full way).
pub(crate) fn same_folded(a: &str, b: &str) -> bool {
    if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        iamspec_model::pattern::fold_case(a) == iamspec_model::pattern::fold_case(b)
    }
}

/// The text before the first `:` of an action pattern, when there is one.
fn service_prefix(pattern: &str) -> Option<&str> {
    pattern.split_once(':').map(|(prefix, _)| prefix)
}

/// The JSON path of one condition clause (`Statement[0].Condition.StringEquals.aws:SourceIp`),
/// built when a finding first needs it: checks walk every clause of every statement, and
/// building the path for each was a good part of linting 10,000 statements that have no
/// finding (issue 13).
pub(crate) struct ClausePath<'a> {
    statement: &'a Statement,
    clause: &'a iamspec_model::policy::ConditionClause,
    built: std::cell::OnceCell<JsonPath>,
}

impl<'a> ClausePath<'a> {
    fn new(statement: &'a Statement, clause: &'a iamspec_model::policy::ConditionClause) -> Self {
        ClausePath {
            statement,
            clause,
            built: std::cell::OnceCell::new(),
        }
    }

    /// The path, built on first use.
    fn get(&self) -> &JsonPath {
        self.built
            .get_or_init(|| self.statement.condition_path(self.clause))
    }

    /// A copy of the path, for a finding.
    fn owned(&self) -> JsonPath {
        self.get().clone()
    }
}

/// What lint knows about one statement's `Action` or `NotAction` entries.
pub(crate) struct StatementFacts<'c, 'p, 'f> {
    statement: &'p Statement,
    /// Every `Action`/`NotAction` entry is ASCII.
    ascii: bool,
    /// The statement's entries, in a buffer the linter fills again for each statement.
    patterns: &'f [ActionPattern<'c, 'p>],
    set: Rc<ActionSet<'c>>,
}

/// A statement's action set without its entries: what the policy-wide risk check
/// ([`risks::check_policy`]) reads after the statement-by-statement checks, which keep the
/// entries only while they run.
pub(crate) struct SetFacts<'c, 'p> {
    statement: &'p Statement,
    /// Every `Action`/`NotAction` entry is ASCII.
    ascii: bool,
    set: Rc<ActionSet<'c>>,
}

impl SetFacts<'_, '_> {
    /// [`StatementFacts::lists_named`] for names by their ids ([`Linter::named_ids`]): the
    /// set's action ids in ascending order, to search for them; `None` when the ids cannot
    /// answer (`NotAction`, an entry outside ASCII, an action without an id).
    fn sorted_ids(&self) -> Option<&[u32]> {
        if self.statement.action.negated || !self.ascii {
            return None;
        }
        self.set.sorted_ids()
    }
}

/// One `Action`/`NotAction` entry with its expansion.
pub(crate) struct ActionPattern<'c, 'p> {
    text: &'p str,
    /// The statement and the entry's place in it, for [`ActionPattern::path`].
    statement: &'p Statement,
    index: usize,
    has_wildcards: bool,
    /// The service prefix is in the catalogue (or has wildcards, or there is none: `*`).
    service_known: bool,
    /// Whether the entry is spelt as the catalogue documents its first action
    /// ([`shared::documented`]), when known without reading the catalogue.
    documented: Option<bool>,
    actions: shared::Expansion<'c>,
}

impl ActionPattern<'_, '_> {
    /// The entry's JSON path, built when a finding needs it.
    fn path(&self) -> JsonPath {
        let element = self.statement.action_path();
        self.statement
            .action
            .patterns
            .item_path(&element, self.index)
    }
}

impl<'c, 'p> StatementFacts<'c, 'p, '_> {
    /// Whether every entry matched some catalogue action, so that the statement's actions are
    /// exactly the union of the expansions (checks that reason about "every action of the
    /// statement" skip statements with unknown actions, which may be newer than the catalogue).
    fn all_known(&self) -> bool {
        self.patterns.iter().all(|p| !p.actions.is_empty())
    }

    /// The catalogue actions of a non-negated `Action` element, each once.
    fn actions(&self) -> &[ActionRef<'c>] {
        self.set.actions()
    }

    /// Whether the `Action` element (not `NotAction`) lists the catalogue action `name`, a
    /// constant of lint's tables, directly or through a wildcard, answered from the statement's
    /// expanded actions; `None` when that answer could differ from matching the entries' text
    /// (`NotAction`, an entry outside ASCII, an action the catalogue lacks): ask the text then.
    fn lists_named(&self, name: &'static str) -> Option<bool> {
        if self.statement.action.negated || !self.ascii {
            return None;
        }
        self.set.has_named(name)
    }

    /// The statement's action set without its entries, for the policy-wide checks.
    fn set_facts(&self) -> SetFacts<'c, 'p> {
        SetFacts {
            statement: self.statement,
            ascii: self.ascii,
            set: Rc::clone(&self.set),
        }
    }

    /// Whether a non-negated `Action` element lists `service:Action` (case-insensitive),
    /// directly or through a wildcard.
    fn allows_action(&self, qualified: &str) -> bool {
        !self.statement.action.negated
            && self
                .patterns
                .iter()
                .any(|p| entry_matches(p.text, qualified))
    }
}

#[cfg(test)]
mod tests {
    use super::{has_variable, shorten};
    use iamspec_model::quote::shorten_backticked;

    #[test]
    fn variables_open_with_dollar_brace() {
        for (field, opens) in [
            ("", false),
            ("$", false),
            ("$x{", false),
            ("${", true),
            ("aws${x}", true),
            ("caf\u{e9}${", true),
        ] {
            assert_eq!(has_variable(field), field.contains("${"), "{field}");
            assert_eq!(has_variable(field), opens, "{field}");
        }
    }

    #[test]
    fn shorten_is_shorten_backticked_with_or_without_long_spans() {
        let long = "a".repeat(201);
        let wide = "é".repeat(150); // 300 bytes, 150 characters: shown whole
        for message in [
            String::from("no ticks"),
            String::from("`s3:GetObject` is listed twice"),
            format!("`{long}` is long, `b` is not; `open"),
            format!("`{wide}` and `{long}`"),
            format!("`{wide}`"),
            format!("unpaired `{long}"),
        ] {
            assert_eq!(shorten(message.clone()), shorten_backticked(&message));
        }
        assert_ne!(shorten(format!("`{long}`")), format!("`{long}`"));
    }
}
