//! The queries: each encodes its policy sets over one symbolic request, asks z3 for a request
//! that breaks the property, and replays every request z3 finds through the reference
//! evaluator before showing it.

use crate::domain::Domain;
use crate::encode::Encoder;
use crate::err::{SolverError, Unsupported};
use crate::regex::{Literal, Re};
use crate::smt::{self, Expr, ModelView, Outcome, Sort};
use crate::strings::Subject;
use crate::symbolic::{CallerKind, Mode, Strs};
use crate::witness::{read_request, Witness};
use iamspec_model::arn::{resource_pattern_matches, Arn};
use iamspec_model::json::Json;
use iamspec_model::pattern::Pattern;
use iamspec_model::policy::{Effect, Policy, PrincipalType, Principals};
use iamspec_model::principal::{account_principal, Caller};
use iamspec_model::request::{Action, Resource};
use iamspec_model::{reference, Decision, PolicySet, Request};
use std::cell::RefCell;
use std::collections::HashMap;
use std::time::Duration;

/// How many z3 checks this process has made so far: the difference around a query is the
/// number of times it asked z3 (for measurement: `cargo xtask solver-corpus`).
pub fn z3_checks() -> usize {
    smt::checks()
}

/// A query's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Verdict {
    /// The property holds for every request of the domain (see the README).
    Holds,
    /// It fails; each witness has been replayed through the reference evaluator.
    Fails(Vec<Witness>),
    /// The solver could not decide: a timeout, or a construct the encoding does not cover.
    Unknown(String),
}

/// Which callers a query ranges over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Callers {
    /// Every caller: the root user, IAM identities, services, identity providers, anonymous.
    #[default]
    All,
    /// The callers identity policies, boundaries and session policies attach to: IAM users,
    /// role sessions and federated users (not the root user, whom no identity policy governs).
    IamIdentities,
}

/// How strings are encoded (see the README): `Auto` is the partition first, z3 strings only
/// where the partition cannot answer exactly. The others are for measurement.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    #[default]
    Auto,
    /// The finite partition alone (restricted where it must be: may answer `Unknown`).
    Partition,
    /// z3's string theory alone.
    Z3Strings,
}

/// Knobs shared by every query.
#[derive(Clone, Debug)]
pub struct Options {
    /// Per z3 call.
    pub timeout: Duration,
    /// How many witnesses `Fails` gathers, each for a different class of actions (actions that
    /// every compared policy treats alike); fewer when no other class shows the failure.
    pub max_witnesses: usize,
    pub callers: Callers,
    pub encoding: Encoding,
    /// Only requests on resources owned by this account (a 12-digit id) are considered.
    pub resource_account: Option<String>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            timeout: Duration::from_secs(30),
            max_witnesses: 3,
            callers: Callers::All,
            encoding: Encoding::Auto,
            resource_account: None,
        }
    }
}

/// An encoded query: the encoder (finished) and the names of the `allowed` claims.
struct Encoded {
    enc: Encoder,
    claim_names: Vec<String>,
    goals: Vec<Expr>,
    /// Combinations of atoms no string realizes, found while checking lazily explored
    /// domains: facts about strings, so every later check includes them.
    learned: RefCell<Vec<Expr>>,
    /// Per policy set, each statement's effect and a Boolean for "it applies".
    applied: Vec<Vec<(Effect, Expr)>>,
    /// The principal regions of plain customer principals: users and roles (sessions) of
    /// the `aws` partition, not service-linked (partition mode).
    plain_principals: Vec<usize>,
    /// `Encoded::plain_resources`, once computed.
    plain_resources: RefCell<Option<Vec<usize>>>,
}

/// How many unrealizable combinations one check may exclude before giving up.
const REFINEMENT_LIMIT: usize = 2_000;

/// z3's answer, refined for the lazily explored string domains.
enum Refined {
    Unsat,
    Unknown(String),
    /// A model whose atoms are realized: the string of each lazy domain.
    Sat(ModelView, HashMap<Subject, String>),
}

impl Encoded {
    /// Checks `goal`. Lazily explored domains leave their atoms free, so a model counts only
    /// once every such domain's combination of atoms is realized by a string; otherwise a small
    /// part of the combination that no string realizes is excluded, for good, and z3 is asked
    /// again. Without lazy domains this is one z3 call.
    fn check(&self, goal: &Expr, timeout: Duration) -> Result<Refined, Unsupported> {
        let lazy = &self.enc.finished().lazy;
        for _ in 0..REFINEMENT_LIMIT {
            let query = smt::and(
                std::iter::once(goal.clone()).chain(self.learned.borrow().iter().cloned()),
            );
            let view = match self.enc.p.check(&query, timeout)? {
                Outcome::Unsat => return Ok(Refined::Unsat),
                Outcome::Unknown(reason) => return Ok(Refined::Unknown(reason)),
                Outcome::Sat(view) => view,
            };
            let _lazy = crate::phases::enter(crate::phases::Phase::Lazy);
            let mut realized = HashMap::new();
            let mut excluded = None;
            for domain in lazy {
                let want: Vec<Literal> = domain
                    .atoms
                    .iter()
                    .enumerate()
                    .map(|(i, atom)| (i, view.bool(atom.text()).unwrap_or(false)))
                    .collect();
                let mut engine = domain.engine.borrow_mut();
                match engine.realize(&want)? {
                    Some(text) => {
                        let text = if domain.subject == Subject::Resource {
                            engine.respelled(text, &want, &crate::readable::resource_step)
                        } else {
                            text
                        };
                        realized.insert(domain.subject.clone(), text);
                    }
                    None => {
                        let core = engine.core(&want)?;
                        excluded = Some(smt::not(&smt::and(core.iter().map(|(i, member)| {
                            let atom = domain.atoms.get(*i).cloned().unwrap_or_else(Expr::f);
                            if *member {
                                atom
                            } else {
                                smt::not(&atom)
                            }
                        }))));
                        break;
                    }
                }
            }
            match excluded {
                None => return Ok(Refined::Sat(view, realized)),
                Some(clause) => self.learned.borrow_mut().push(clause),
            }
        }
        Ok(Refined::Unknown(format!(
            "more than {REFINEMENT_LIMIT} combinations of patterns excluded in the lazy partition"
        )))
    }
}

impl Encoded {
    /// Excludes the statements that decided the model's request: on each side, the Deny
    /// statements that apply, or when none does, whether each Allow statement applies. A
    /// further witness then differs in what a reviewer reads under "a" and "b" (issue 10),
    /// not only in the caller's kind or the action's class.
    fn signature(&self, view: &ModelView) -> Expr {
        let holds = |e: &Expr| view.bool(e.text()).unwrap_or(false);
        let mut same = Vec::new();
        for side in &self.applied {
            let denied = side
                .iter()
                .any(|(effect, e)| *effect == Effect::Deny && holds(e));
            for (effect, e) in side {
                if denied && *effect == Effect::Allow {
                    continue;
                }
                same.push(if holds(e) { e.clone() } else { smt::not(e) });
            }
        }
        smt::not(&smt::and(same))
    }

    /// A plain customer principal as a constraint to ask again with (partition mode: users
    /// and roles, sessions too, of the `aws` partition, not service-linked), and whether the
    /// model's principal is not one.
    fn plain_principal(&self, view: &ModelView) -> (Option<Expr>, bool) {
        let Strs::Partition(regions) = &self.enc.req.strs else {
            return (None, false);
        };
        if self.plain_principals.is_empty() {
            return (None, false);
        }
        let preg = view.int("preg").and_then(|p| usize::try_from(p).ok());
        let odd = preg.is_some_and(|p| !self.plain_principals.contains(&p));
        let total = self.enc.finished().principals.len();
        let plain = crate::strings::in_set(&regions.preg, &self.plain_principals, total);
        (Some(plain), odd)
    }

    /// The resource regions whose ARN reads plainly: the `aws` partition, no guard rail's
    /// shape (partition mode, resource partition built eagerly), computed once.
    fn plain_resources(&self) -> Vec<usize> {
        if let Some(found) = self.plain_resources.borrow().as_ref() {
            return found.clone();
        }
        use iamspec_model::guard_rail::GuardRail;
        let found: Vec<usize> = self
            .enc
            .finished()
            .resources
            .iter()
            .enumerate()
            .filter(|(_, text)| {
                Arn::parse(text).is_ok_and(|arn| {
                    let resource = Resource::Arn(arn);
                    text.starts_with("arn:aws:")
                        && !GuardRail::ALL.iter().any(|rail| rail.covers(&resource))
                })
            })
            .map(|(region, _)| region)
            .collect();
        *self.plain_resources.borrow_mut() = Some(found.clone());
        found
    }

    /// A plain resource ARN as a constraint to ask again with, and whether the model's
    /// resource is not one (partition mode, resource partition built eagerly).
    fn plain_resource(
        &self,
        view: &ModelView,
        realized: &HashMap<Subject, String>,
    ) -> (Option<Expr>, bool) {
        let Strs::Partition(regions) = &self.enc.req.strs else {
            return (None, false);
        };
        let total = self.enc.finished().resources.len();
        if realized.contains_key(&Subject::Resource) || total == 0 {
            return (None, false);
        }
        let plain = self.plain_resources();
        if plain.is_empty() {
            return (None, false);
        }
        let rreg = view.int("rreg").and_then(|r| usize::try_from(r).ok());
        let odd = view.bool("rany") != Some(true) && rreg.is_some_and(|r| !plain.contains(&r));
        let expr = smt::and([
            smt::not(&self.enc.req.rany),
            crate::strings::in_set(&regions.rreg, &plain, total),
        ]);
        (Some(expr), odd)
    }

    /// The request of a model of `query`, made readable (issue 10). When the model's caller is
    /// not a plain customer principal (`Encoded::plain_principal`), its resource ARN is not
    /// plain (another partition, a guard rail's shape), or its resource fits none of its
    /// action class's resource types, z3 is asked again, at most twice: with every
    /// preference (and elsewhere than the unfit class and resource), then with the fixes of
    /// what was odd only. This replaces asking up to forty times for a resource that fits,
    /// which was most of the time of a `Fails` answer. Every model is of `query`, so the
    /// witness shows the same failure; when the query needs an odd request (a policy that
    /// names a service-linked role), it keeps it.
    fn readable(
        &self,
        query: &Expr,
        view: ModelView,
        realized: HashMap<Subject, String>,
        timeout: Duration,
        plain: bool,
    ) -> Result<(ModelView, HashMap<Subject, String>, Json, Request), SolverError> {
        let _timed = crate::phases::enter(crate::phases::Phase::ReadBack);
        let ((principal, odd_principal), (resource, odd_resource)) = if plain {
            (
                self.plain_principal(&view),
                self.plain_resource(&view, &realized),
            )
        } else {
            ((None, false), (None, false))
        };
        let (json, request, chosen) = read_request(&view, &self.enc, &realized)?;
        if chosen.fits && !odd_principal && !odd_resource {
            return Ok((view, realized, json, request));
        }
        let elsewhere = (!chosen.fits).then(|| smt::not(&chosen.avoid));
        let all: Vec<Expr> = principal
            .iter()
            .chain(&resource)
            .chain(&elsewhere)
            .cloned()
            .collect();
        let fixes: Vec<Expr> = principal
            .iter()
            .filter(|_| odd_principal)
            .chain(resource.iter().filter(|_| odd_resource))
            .chain(&elsewhere)
            .cloned()
            .collect();
        let same = fixes.len() == all.len();
        for (attempt, prefs) in [all, fixes].into_iter().enumerate() {
            if prefs.is_empty() || (attempt == 1 && same) {
                continue;
            }
            let again = smt::and(std::iter::once(query.clone()).chain(prefs));
            if let Ok(Refined::Sat(view, realized)) = self.check(&again, timeout) {
                let (json, request, _) = read_request(&view, &self.enc, &realized)?;
                return Ok((view, realized, json, request));
            }
        }
        Ok((view, realized, json, request))
    }
}

/// What a query adds to the domain, and how it builds its goals from the claims.
#[derive(Clone)]
struct Spec<'a> {
    sets: &'a [&'a PolicySet],
    extra_actions: Vec<Vec<String>>,
    /// Text that may hold account ids (query arguments).
    extra_texts: Vec<String>,
    extra_resource_patterns: Vec<String>,
    /// Every goal is restricted to resources of this account ([`Options::resource_account`]).
    resource_account: Option<String>,
    goals: Goals<'a>,
    /// Tie the caller's partition to the resource's (D75).
    tie_partitions: bool,
}

fn encode_in(mode: Mode, spec: &Spec) -> Result<Encoded, Unsupported> {
    encode_with(mode, false, spec)
}

fn encode_with(mode: Mode, abstract_variables: bool, spec: &Spec) -> Result<Encoded, Unsupported> {
    let _timed = crate::phases::enter(crate::phases::Phase::Encode);
    let mut domain = Domain::collect(spec.sets);
    for element in &spec.extra_actions {
        domain.add_action_element(element.clone());
    }
    for text in &spec.extra_texts {
        domain.note_text(text, true);
    }
    for pattern in &spec.extra_resource_patterns {
        domain.note_resource_pattern(pattern);
    }
    if let Some(account) = &spec.resource_account {
        domain.note_text(account, true);
    }
    if abstract_variables && domain.account_specific.is_some() {
        return Err(Unsupported::new("an account-specific pattern"));
    }
    let mut enc = Encoder::new(mode, &domain, abstract_variables)?;
    enc.tie_partitions = spec.tie_partitions;
    let mut allowed = Vec::new();
    let mut statements = Vec::new();
    for set in spec.sets {
        allowed.push(enc.allowed(set)?);
        statements.push(std::mem::take(&mut enc.statements));
    }
    let mut claims = Vec::new();
    let mut claim_names = Vec::new();
    for (index, e) in allowed.iter().enumerate() {
        let name = format!("claim{index}");
        let c = enc.p.declare(&name, Sort::Bool);
        enc.p.assert(&smt::iff(&c, e));
        claims.push(c);
        claim_names.push(name);
    }
    let mut goals = Vec::new();
    let owned = match &spec.resource_account {
        Some(account) => smt::and([enc.req.racct_present(), enc.racct_pred(&Re::lit(account))?]),
        None => Expr::t(),
    };
    for (index, goal) in (spec.goals)(&mut enc, &claims)?.into_iter().enumerate() {
        let goal = smt::and([goal, owned.clone()]);
        // Named, so that checking a goal adds one assertion over declared constants to the
        // loaded problem (`Problem::check`).
        let name = format!("goal{index}");
        let g = enc.p.declare(&name, Sort::Bool);
        enc.p.assert(&smt::iff(&g, &goal));
        goals.push(g);
    }
    // Declared, so that excluding a witness's deciding statements keeps each further check
    // incremental (`Problem::check`).
    let mut applied = Vec::new();
    for (side, list) in statements.into_iter().enumerate() {
        let mut mine = Vec::new();
        for (index, (effect, applies)) in list.into_iter().enumerate() {
            if applies.is_false() {
                continue;
            }
            let c = enc.p.declare(&format!("applies{side}_{index}"), Sort::Bool);
            enc.p.assert(&smt::iff(&c, &applies));
            mine.push((effect, c));
        }
        applied.push(mine);
    }
    if abstract_variables {
        enc.relate_opaque();
    }
    enc.finish()?;
    let plain_principals = match &enc.req.strs {
        Strs::Partition(_) => enc
            .finished()
            .principals
            .iter()
            .enumerate()
            .filter(|(_, (kind, text))| {
                matches!(
                    kind,
                    CallerKind::User | CallerKind::RoleSession | CallerKind::Role
                ) && text.starts_with("arn:aws:")
                    && !text.contains(":role/aws-service-role/")
            })
            .map(|(region, _)| region)
            .collect(),
        Strs::Z3(_) => Vec::new(),
    };
    Ok(Encoded {
        enc,
        claim_names,
        goals,
        learned: RefCell::new(Vec::new()),
        applied,
        plain_principals,
        plain_resources: RefCell::new(None),
    })
}

type Check<'c> = &'c dyn Fn(&Request, &[Decision], &[bool]) -> Result<(), String>;

/// The encodings of one query, tried in order: the partition, exact or restricted, and where it
/// cannot answer exactly, z3 strings. A restricted partition answers `Fails` (its witnesses are
/// real requests, replayed), never `Holds`.
struct Runner<'a> {
    spec: Spec<'a>,
    partition: Option<Result<Encoded, Unsupported>>,
    /// The partition with the caller's and the resource's partitions tied (D75).
    tied: Option<Result<Encoded, Unsupported>>,
    abstraction: Option<Result<Encoded, Unsupported>>,
    strings: Option<Result<Encoded, Unsupported>>,
    /// Whether witnesses are made plain for a reader (`solve`).
    plain: bool,
}

impl<'a> Runner<'a> {
    fn new(spec: Spec<'a>) -> Runner<'a> {
        Runner {
            spec,
            partition: None,
            tied: None,
            abstraction: None,
            strings: None,
            plain: true,
        }
    }

    fn verdict(
        &mut self,
        goal: usize,
        options: &Options,
        check: Check,
    ) -> Result<Verdict, SolverError> {
        // Since D84 the domain has `aws:userid` for users and role sessions (their unique id,
        // unknown but one value), so a policy that tests it gets `Holds` where it holds (D83
        // answered `Unknown`).
        self.verdict_in_domain(goal, options, check)
    }

    fn verdict_in_domain(
        &mut self,
        goal: usize,
        options: &Options,
        check: Check,
    ) -> Result<Verdict, SolverError> {
        if let Some(account) = &options.resource_account {
            if !iamspec_model::principal::is_account_id(account) {
                return Err(SolverError::InvalidQuery(format!(
                    "`{account}` is not a 12-digit account id"
                )));
            }
        }
        // The encodings are built on the first call, with the options of that call.
        if self.partition.is_none() && self.abstraction.is_none() && self.strings.is_none() {
            self.spec.resource_account = options.resource_account.clone();
        }
        let spec = &self.spec;
        // With policy variables the partition is restricted: first try to prove the property
        // on the over-approximation, which is cheap.
        if options.encoding == Encoding::Auto && Domain::collect(spec.sets).has_variables {
            let abstraction = self
                .abstraction
                .get_or_insert_with(|| encode_with(Mode::Partition, true, spec));
            if let Ok(encoded) = abstraction {
                let goal_expr = encoded.goals.get(goal).cloned().unwrap_or_else(Expr::f);
                let mut blocks = vec![goal_expr];
                if options.callers == Callers::IamIdentities {
                    use CallerKind::*;
                    blocks.push(
                        encoded
                            .enc
                            .req
                            .is_any(&[User, RoleSession, Role, FederatedUser]),
                    );
                }
                if let Ok(Outcome::Unsat) = encoded.enc.p.check(&smt::and(blocks), options.timeout)
                {
                    return Ok(Verdict::Holds);
                }
            }
        }
        let partition = match options.encoding {
            Encoding::Z3Strings => self
                .partition
                .get_or_insert_with(|| Err(Unsupported::new("z3 strings were asked for"))),
            _ => self
                .partition
                .get_or_insert_with(|| encode_in(Mode::Partition, spec)),
        };
        let note = match partition {
            Ok(encoded) => {
                let goal_expr = encoded.goals.get(goal).cloned().unwrap_or_else(Expr::f);
                let mut verdict = solve(
                    encoded,
                    spec.sets,
                    goal_expr.clone(),
                    options,
                    self.plain,
                    check,
                )?;
                // No access crosses partitions (D75). The domain without the tie is larger, so
                // its `Holds` stands; a witness that still crosses after D88 is asked again
                // where the two are tied, which only this rare query pays for.
                if let Verdict::Fails(ws) = &verdict {
                    if ws
                        .iter()
                        .any(|w| crate::witness::crosses_partitions(&w.request))
                    {
                        let tied = self.tied.get_or_insert_with(|| {
                            let spec = Spec {
                                tie_partitions: true,
                                ..spec.clone()
                            };
                            encode_in(Mode::Partition, &spec)
                        });
                        if let Ok(tied) = tied {
                            verdict =
                                solve(tied, spec.sets, goal_expr, options, self.plain, check)?;
                        }
                    }
                }
                match (&verdict, &encoded.enc.restricted) {
                    (_, None) | (Verdict::Fails(_), Some(_)) => return Ok(verdict),
                    (Verdict::Unknown(reason), Some(r)) => format!("{reason}; {r}"),
                    (Verdict::Holds, Some(r)) => r.clone(),
                }
            }
            Err(u) => u.0.clone(),
        };
        if options.encoding == Encoding::Partition {
            return Ok(Verdict::Unknown(format!(
                "the partition alone cannot decide: {note}"
            )));
        }
        let strings = self
            .strings
            .get_or_insert_with(|| encode_in(Mode::Strings, spec));
        match strings {
            Ok(encoded) => {
                let goal_expr = encoded.goals.get(goal).cloned().unwrap_or_else(Expr::f);
                Ok(
                    match solve(encoded, spec.sets, goal_expr, options, self.plain, check)? {
                        Verdict::Unknown(reason) => {
                            Verdict::Unknown(format!("{reason} (with z3 strings, because {note})"))
                        }
                        other => other,
                    },
                )
            }
            Err(u) if u.0 == note => Ok(Verdict::Unknown(note)),
            Err(u) => Ok(Verdict::Unknown(format!("{} (and {note})", u.0))),
        }
    }
}

/// Runs `goal`, collecting witnesses that `check` accepts after replay. After each witness the
/// statements that decided it are excluded (`Encoded::signature`), so that the next one shows
/// another reason; fewer than asked means no other combination of deciding statements shows
/// the failure. Without `plain` a witness is only as readable as validity needs (no re-asks for
/// a plainer caller or resource, no D88): for callers that only count verdicts.
fn solve(
    encoded: &Encoded,
    sets: &[&PolicySet],
    goal: Expr,
    options: &Options,
    plain: bool,
    check: Check,
) -> Result<Verdict, SolverError> {
    let enc = &encoded.enc;
    let mut witnesses = Vec::new();
    let mut blocks: Vec<Expr> = vec![goal];
    if options.callers == Callers::IamIdentities {
        use CallerKind::*;
        blocks.push(enc.req.is_any(&[User, RoleSession, Role, FederatedUser]));
    }
    while witnesses.len() < options.max_witnesses.max(1) {
        let query = smt::and(blocks.iter().cloned());
        let outcome = match encoded.check(&query, options.timeout) {
            Ok(outcome) => outcome,
            Err(_) if !witnesses.is_empty() => break,
            Err(unsupported) => return Ok(Verdict::Unknown(unsupported.0)),
        };
        let (view, realized) = match outcome {
            Refined::Unsat => break,
            Refined::Unknown(reason) if witnesses.is_empty() => {
                return Ok(Verdict::Unknown(format!("z3 gave up: {reason}")));
            }
            Refined::Unknown(_) => break,
            Refined::Sat(view, realized) => (view, realized),
        };
        let (view, _, json, request) =
            encoded.readable(&query, view, realized, options.timeout, plain)?;
        let replay = crate::phases::enter(crate::phases::Phase::Replay);
        let claimed: Vec<bool> = encoded
            .claim_names
            .iter()
            .map(|name| view.bool(name).unwrap_or(false))
            .collect();
        crate::witness::validate(&json)?;
        let decisions: Vec<Decision> = sets
            .iter()
            .map(|set| reference::authorize(set, &request).decision)
            .collect();
        for (index, (decision, claim)) in decisions.iter().zip(&claimed).enumerate() {
            if (*decision == Decision::Allow) != *claim {
                return Err(SolverError::WitnessDidNotReplay {
                    request: json.to_compact_string(),
                    side: format!("policy set {}", index + 1),
                    claimed: if *claim { "allowed" } else { "denied" }.into(),
                    replayed: *decision,
                });
            }
        }
        if let Err(reason) = check(&request, &decisions, &claimed) {
            return Err(SolverError::WitnessDidNotReplay {
                request: json.to_compact_string(),
                side: reason,
                claimed: "a witness".into(),
                replayed: decisions.first().copied().unwrap_or(Decision::ImplicitDeny),
            });
        }
        drop(replay);
        // The same failure on a plainer request, where there is one (D88).
        let plainer = crate::phases::enter(crate::phases::Phase::Plainer);
        let (json, request) = if !plain {
            (json, request)
        } else {
            crate::witness::plainest(json, request, sets, &decisions, &|r, d| {
                check(r, d, &claimed).is_ok()
            })
        };
        drop(plainer);
        witnesses.push(Witness {
            request,
            request_json: json,
            decisions,
        });
        // Witnesses that differ only in the caller's kind or the action's class tell a
        // reviewer nothing new (issue 10): the next one must be decided by other statements.
        blocks.push(encoded.signature(&view));
    }
    Ok(if witnesses.is_empty() {
        Verdict::Holds
    } else {
        Verdict::Fails(witnesses)
    })
}

/// Whether the `i`th decision allows.
fn allowed_at(decisions: &[Decision], i: usize) -> bool {
    decisions.get(i) == Some(&Decision::Allow)
}

/// The `i`th claim (a set's `allowed`).
fn claim(claims: &[Expr], i: usize) -> Expr {
    claims.get(i).cloned().unwrap_or_else(Expr::f)
}

/// How a query builds its goals from the encoder and the claims.
type Goals<'a> = &'a dyn Fn(&mut Encoder, &[Expr]) -> Result<Vec<Expr>, Unsupported>;

fn spec<'a>(sets: &'a [&'a PolicySet], goals: Goals<'a>) -> Spec<'a> {
    Spec {
        sets,
        extra_actions: Vec::new(),
        extra_texts: Vec::new(),
        extra_resource_patterns: Vec::new(),
        resource_account: None,
        goals,
        tie_partitions: false,
    }
}

/// Do `a` and `b` allow exactly the same requests? Witnesses are requests one allows and the
/// other does not.
pub fn equivalent(a: &PolicySet, b: &PolicySet, options: &Options) -> Result<Verdict, SolverError> {
    let (a, b, options) = (a.clone(), b.clone(), options.clone());
    smt::in_fresh_context(move || equivalent_in(&a, &b, &options))
}

fn equivalent_in(a: &PolicySet, b: &PolicySet, options: &Options) -> Result<Verdict, SolverError> {
    let sets = [a, b];
    let goals = |_: &mut Encoder, c: &[Expr]| Ok(vec![smt::xor(&claim(c, 0), &claim(c, 1))]);
    Runner::new(spec(&sets, &goals)).verdict(0, options, &|_, d, _| {
        (allowed_at(d, 0) != allowed_at(d, 1))
            .then_some(())
            .ok_or_else(|| "both sets decide alike".to_owned())
    })
}

/// Does `b` allow at least everything `a` allows (no new access in `a`)? Witnesses are requests
/// `a` allows and `b` does not.
pub fn implies(a: &PolicySet, b: &PolicySet, options: &Options) -> Result<Verdict, SolverError> {
    let (a, b, options) = (a.clone(), b.clone(), options.clone());
    smt::in_fresh_context(move || implies_in(&a, &b, &options))
}

fn implies_in(a: &PolicySet, b: &PolicySet, options: &Options) -> Result<Verdict, SolverError> {
    let sets = [a, b];
    let goals =
        |_: &mut Encoder, c: &[Expr]| Ok(vec![smt::and([claim(c, 0), smt::not(&claim(c, 1))])]);
    Runner::new(spec(&sets, &goals)).verdict(0, options, &|_, d, _| {
        (allowed_at(d, 0) && !allowed_at(d, 1))
            .then_some(())
            .ok_or_else(|| "not allowed by the first and denied by the second".to_owned())
    })
}

/// Does `a` deny every request? Witnesses are allowed requests.
pub fn never_allows(a: &PolicySet, options: &Options) -> Result<Verdict, SolverError> {
    let (a, options) = (a.clone(), options.clone());
    smt::in_fresh_context(move || never_allows_in(&a, &options))
}

fn never_allows_in(a: &PolicySet, options: &Options) -> Result<Verdict, SolverError> {
    let sets = [a];
    let goals = |_: &mut Encoder, c: &[Expr]| Ok(vec![claim(c, 0)]);
    Runner::new(spec(&sets, &goals)).verdict(0, options, &|_, d, _| {
        allowed_at(d, 0)
            .then_some(())
            .ok_or_else(|| "not allowed".to_owned())
    })
}

/// How many actions one encoding of [`access_not_granted_each`] asks about: each action is a
/// class of the action domain, which every check of that encoding carries, so one encoding for
/// hundreds of actions is slower than a few smaller ones (AmazonS3ReadOnlyAccess to
/// AmazonS3FullAccess, 200 actions: 2.2 s of CPU by 32, 2.6 s by 128, 3.7 s in one encoding,
/// 6.0 s one encoding per action).
const ACTIONS_PER_ENCODING: usize = 32;

/// [`access_not_granted`] for each of `actions` (action names or patterns) on any resource, in
/// encodings of `ACTIONS_PER_ENCODING`: the policies are encoded once per chunk, and each
/// action is one goal of it, so a long list (the new-actions list of `no-new-access`, hundreds
/// of actions) costs one z3 check per action instead of one encoding each. The first goal of a
/// chunk is the whole chunk: when `a` grants none of it, that one check answers for every
/// action. Witnesses are valid and replayed but not made plain (D88): only the verdicts are
/// meant to be read. The chunks run side by side, one per core.
pub fn access_not_granted_each(
    a: &PolicySet,
    actions: &[String],
    options: &Options,
) -> Result<Vec<Verdict>, SolverError> {
    if actions.iter().any(|p| p.is_empty()) {
        return Err(SolverError::InvalidQuery("an empty pattern".into()));
    }
    // The chunks are independent queries, each in a context of its own: as many run at once as
    // the machine has cores, and their answers are read back in order.
    let chunks: Vec<&[String]> = actions.chunks(ACTIONS_PER_ENCODING).collect();
    let width = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(chunks.len());
    let next = std::sync::atomic::AtomicUsize::new(0);
    type Answer = Option<Result<Vec<Verdict>, SolverError>>;
    let answers: std::sync::Mutex<Vec<Answer>> =
        std::sync::Mutex::new((0..chunks.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..width {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(chunk) = chunks.get(i) else { break };
                let (a, chunk, options) = (a.clone(), chunk.to_vec(), options.clone());
                let answer =
                    smt::in_fresh_context(move || access_not_granted_each_in(&a, &chunk, &options));
                let mut answers = answers.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(slot) = answers.get_mut(i) {
                    *slot = Some(answer);
                }
            });
        }
    });
    let mut out = Vec::with_capacity(actions.len());
    for answer in answers.into_inner().unwrap_or_else(|e| e.into_inner()) {
        match answer {
            Some(answer) => out.extend(answer?),
            None => {
                return Err(SolverError::InvalidQuery(
                    "internal: a chunk of actions was not asked".into(),
                ))
            }
        }
    }
    Ok(out)
}

fn access_not_granted_each_in(
    a: &PolicySet,
    actions: &[String],
    options: &Options,
) -> Result<Vec<Verdict>, SolverError> {
    let elements: Vec<Vec<String>> = actions.iter().map(|p| vec![p.clone()]).collect();
    let sets = [a];
    let goals = |enc: &mut Encoder, c: &[Expr]| {
        let each: Vec<Expr> = elements
            .iter()
            .map(|element| {
                let action_in = enc
                    .req
                    .action_in(enc.actions.classes_of(element), enc.actions.class_count());
                smt::and([claim(c, 0), action_in])
            })
            .collect();
        Ok(std::iter::once(smt::or(each.iter().cloned()))
            .chain(each)
            .collect())
    };
    let mut query = spec(&sets, &goals);
    query.extra_actions = elements.clone();
    let mut runner = Runner::new(query);
    // Only the verdicts are used: witnesses need be valid and replayed, not plain.
    runner.plain = false;
    let patterns: Vec<Pattern> = actions
        .iter()
        .map(|p| Pattern::new(p).ignore_case())
        .collect();
    // Goal 0 asks for any of `patterns`, goal `i + 1` for the `i`th.
    let mut ask = |goal: usize, patterns: &[Pattern]| {
        runner.verdict(goal, options, &|request, d, _| {
            (allowed_at(d, 0)
                && patterns
                    .iter()
                    .any(|p| p.matches(request.action.lowercase())))
            .then_some(())
            .ok_or_else(|| "not an allowed request for the actions".to_owned())
        })
    };
    if actions.len() > 1 && ask(0, &patterns)? == Verdict::Holds {
        return Ok(vec![Verdict::Holds; actions.len()]);
    }
    (0..patterns.len())
        .map(|i| ask(i + 1, patterns.get(i..=i).unwrap_or(&[])))
        .collect()
}

/// Does `a` deny every request for an action matching one of `actions` on a resource matching
/// one of `resources` (patterns as in a policy's `Action` and `Resource`; none means all)?
pub fn access_not_granted(
    a: &PolicySet,
    actions: &[String],
    resources: &[String],
    options: &Options,
) -> Result<Verdict, SolverError> {
    let (a, actions, resources) = (a.clone(), actions.to_vec(), resources.to_vec());
    let options = options.clone();
    smt::in_fresh_context(move || access_not_granted_in(&a, &actions, &resources, &options))
}

fn access_not_granted_in(
    a: &PolicySet,
    actions: &[String],
    resources: &[String],
    options: &Options,
) -> Result<Verdict, SolverError> {
    if actions.iter().chain(resources).any(|p| p.is_empty()) {
        return Err(SolverError::InvalidQuery("an empty pattern".into()));
    }
    let element = if actions.is_empty() {
        vec!["*".to_owned()]
    } else {
        actions.to_vec()
    };
    let sets = [a];
    let goals = |enc: &mut Encoder, c: &[Expr]| {
        let action_in = enc
            .req
            .action_in(enc.actions.classes_of(&element), enc.actions.class_count());
        let resource_in = if resources.is_empty() {
            Expr::t()
        } else {
            enc.resource_element(resources, false)?
        };
        Ok(vec![smt::and([claim(c, 0), action_in, resource_in])])
    };
    let mut query = spec(&sets, &goals);
    query.extra_actions.push(element.clone());
    query.extra_resource_patterns = resources.to_vec();
    Runner::new(query).verdict(0, options, &|request, d, _| {
        let action_ok = element.iter().any(|p| {
            Pattern::new(p)
                .ignore_case()
                .matches(request.action.lowercase())
        });
        let resource_ok = resources.is_empty()
            || resources.iter().any(|p| match &request.resource {
                _ if p == "*" => true,
                Resource::Any => false,
                Resource::Arn(arn) => resource_pattern_matches(p, arn, None),
            });
        (allowed_at(d, 0) && action_ok && resource_ok)
            .then_some(())
            .ok_or_else(|| "not an allowed request for the given actions and resources".to_owned())
    })
}

/// Keys that identify the caller's organization or network and that an outside caller cannot
/// choose; for [`no_public_access`] an outside caller has none of them.
pub const TRUSTED_KEYS: [&str; 9] = [
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceowner",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
];

/// `text` in any ASCII case (identifiers of organizations, VPCs and endpoints are compared
/// case-insensitively by some operators; no outsider gets another's id in any case).
fn any_case(text: &str) -> Re {
    Re::concat(
        text.chars()
            .map(|c| {
                Re::Class(crate::regex::Class::set([
                    c.to_ascii_lowercase(),
                    c.to_ascii_uppercase(),
                ]))
            })
            .collect(),
    )
}

/// The values of the trusted keys that `policy` pins (D86): a value without wildcards or
/// variables pins itself; a value with a wildcard pins what starts with its text before the
/// first wildcard when that text already names an organization (`o-abc123/` of an org path)
/// or an account (an ARN through its account field); `o-*` or `arn:aws:s3:::*` pin nothing.
/// Lowercase key → the languages an outsider's value must avoid.
fn pinned_values(policy: &Policy) -> HashMap<String, Vec<Re>> {
    let mut out: HashMap<String, Vec<Re>> = HashMap::new();
    for statement in &policy.statements {
        for clause in &statement.condition {
            let key = clause.key.to_ascii_lowercase();
            if !TRUSTED_KEYS.contains(&key.as_str()) {
                continue;
            }
            for value in clause.values.iter() {
                let cut = value.find(['*', '?', '$']);
                let re = match cut {
                    None if !value.is_empty() => any_case(value),
                    Some(at) => {
                        let prefix = value.get(..at).unwrap_or("");
                        let org = prefix.starts_with("o-") && prefix.contains('/');
                        let account = Arn::parse(prefix).is_ok()
                            && iamspec_model::principal::is_account_id(
                                prefix.split(':').nth(4).unwrap_or(""),
                            )
                            && prefix.split(':').count() > 5;
                        if !(org || account) {
                            continue;
                        }
                        Re::concat(vec![any_case(prefix), Re::all()])
                    }
                    None => continue,
                };
                out.entry(key.clone()).or_default().push(re);
            }
        }
    }
    out
}

/// Can an outsider reach the resource through `resource` (a resource-based policy): an
/// anonymous caller, or a caller from an account the policy never names and that does not own
/// the resource, whose own identity policies allow everything? Witnesses are such requests.
pub fn no_public_access(
    resource: &Policy,
    kind: iamspec_model::PolicyKind,
    options: &Options,
) -> Result<Verdict, SolverError> {
    let (resource, options) = (resource.clone(), options.clone());
    smt::in_fresh_context(move || no_public_access_in(&resource, kind, &options))
}

fn no_public_access_in(
    resource: &Policy,
    kind: iamspec_model::PolicyKind,
    options: &Options,
) -> Result<Verdict, SolverError> {
    let set = PolicySet {
        identity: vec![crate::harness::allow_all()],
        resource: Some(resource.clone()),
        resource_kind: Some(kind),
        ..PolicySet::default()
    };
    let known = accounts_named(resource);
    let pinned = pinned_values(resource);
    let sets = [&set];
    let goals = |enc: &mut Encoder, c: &[Expr]| {
        let mut fresh = vec![enc.req.has_identity_side(), smt::not(&enc.same_account())];
        for account in &known {
            fresh.push(smt::not(&enc.account_pred(&Re::lit(account))?));
        }
        let outsider = smt::or([enc.req.is(CallerKind::Anonymous), smt::and(fresh)]);
        // An outsider may create its own organization, VPC, endpoint or source (D86): a
        // trusted key is absent, or has a value the policy does not pin.
        let mut untrusted = Vec::new();
        for key in TRUSTED_KEYS {
            let Some(var) = enc.req.keys.get(key).cloned() else {
                continue;
            };
            let Some(pins) = pinned.get(key) else {
                continue;
            };
            for (index, slot) in var.slots.iter().enumerate() {
                if !matches!(slot, crate::symbolic::Slot::Str(_)) {
                    continue;
                }
                for pin in pins {
                    let named = enc.key_pred(key, index, pin.clone())?;
                    let active = var.active.get(index).cloned().unwrap_or_else(Expr::t);
                    untrusted.push(smt::implies(
                        &smt::and([var.present.clone(), active]),
                        &smt::not(&named),
                    ));
                }
            }
        }
        Ok(vec![smt::and([claim(c, 0), outsider, smt::and(untrusted)])])
    };
    Runner::new(spec(&sets, &goals)).verdict(0, options, &|request, d, _| {
        let outside = match &request.principal {
            Caller::Anonymous => true,
            caller => caller.account().is_some_and(|a| {
                !known.iter().any(|k| k == a) && request.resource_account.as_deref() != Some(a)
            }),
        };
        (allowed_at(d, 0) && outside)
            .then_some(())
            .ok_or_else(|| "not an outsider's allowed request".to_owned())
    })
}

use crate::harness::accounts_named;

/// A group of callers for [`who_can_reach`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalGroup {
    Anonymous,
    /// Exactly this principal (a user, role, role session or federated user ARN).
    Arn(String),
    /// Any IAM principal of this account (root, users, role sessions, federated users).
    Account(String),
    /// Any IAM principal of the resource's own account (when the policies do not name it).
    ResourceAccount,
    /// Any IAM principal of an account no policy names and that does not own the resource.
    OtherAccount,
    Service(String),
    /// A service principal no policy names.
    OtherService,
    IdentityProvider(String),
    OtherIdentityProvider,
}

impl std::fmt::Display for PrincipalGroup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrincipalGroup::Anonymous => f.write_str("anonymous"),
            PrincipalGroup::Arn(arn) => write!(f, "{arn}"),
            PrincipalGroup::Account(a) => write!(f, "any principal of account {a}"),
            PrincipalGroup::ResourceAccount => {
                f.write_str("any principal of the resource's account")
            }
            PrincipalGroup::OtherAccount => f.write_str("any principal of any other account"),
            PrincipalGroup::Service(s) => write!(f, "service {s}"),
            PrincipalGroup::OtherService => f.write_str("any other service"),
            PrincipalGroup::IdentityProvider(p) => write!(f, "identity provider {p}"),
            PrincipalGroup::OtherIdentityProvider => f.write_str("any other identity provider"),
        }
    }
}

/// Who can reach: one group of callers that some request allows.
#[derive(Clone, Debug, PartialEq)]
pub struct Reach {
    pub group: PrincipalGroup,
    /// `true` when every caller of the group, in every context, is allowed; `false` when some
    /// caller or context of the group is denied (the grant is conditional).
    pub always: bool,
    /// An allowed request from the group.
    pub witness: Witness,
}

/// The answer of [`who_can_reach`].
#[derive(Clone, Debug, PartialEq)]
pub enum ReachVerdict {
    Groups(Vec<Reach>),
    Unknown(String),
}

/// Which callers can perform `action` on `resource` under `set`: each group of callers the
/// policies distinguish, whether all of it or only some (or only in some contexts).
pub fn who_can_reach(
    set: &PolicySet,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
    options: &Options,
) -> Result<ReachVerdict, SolverError> {
    let (set, action, resource) = (set.clone(), action.to_owned(), resource.to_owned());
    let (resource_account, options) = (resource_account.map(str::to_owned), options.clone());
    smt::in_fresh_context(move || {
        who_can_reach_in(
            &set,
            &action,
            &resource,
            resource_account.as_deref(),
            &options,
        )
    })
}

fn who_can_reach_in(
    set: &PolicySet,
    action: &str,
    resource: &str,
    resource_account: Option<&str>,
    options: &Options,
) -> Result<ReachVerdict, SolverError> {
    if Action::parse(action).is_none() {
        return Err(SolverError::InvalidQuery(format!(
            "`{action}` is not an action (`service:Name`)"
        )));
    }
    let arn = if resource == "*" {
        None
    } else {
        Some(Arn::parse(resource).map_err(|e| SolverError::InvalidQuery(e.to_string()))?)
    };
    if let Some(given) = resource_account {
        if !iamspec_model::principal::is_account_id(given) {
            return Err(SolverError::InvalidQuery(format!(
                "`{given}` is not a 12-digit account id"
            )));
        }
    }
    let element = vec![action.to_owned()];
    let groups = principal_groups(set);
    let sets = [set];
    let goals = |enc: &mut Encoder, c: &[Expr]| {
        let mut fixed = vec![enc
            .req
            .action_in(enc.actions.classes_of(&element), enc.actions.class_count())];
        match &arn {
            None => fixed.push(enc.req.rany.clone()),
            Some(arn) => {
                fixed.push(smt::not(&enc.req.rany));
                fixed.push(enc.resource_pred(Re::lit(arn.as_str()))?);
            }
        }
        let arn_account = arn.as_ref().map(|a| a.account()).filter(|a| !a.is_empty());
        let present = enc.req.racct_present();
        match resource_account.or(arn_account) {
            Some(account) => {
                fixed.push(present);
                fixed.push(enc.racct_pred(&Re::lit(account))?);
            }
            None => {
                let has = enc.req.has_identity_side();
                fixed.push(smt::iff(&present, &has));
                fixed.push(smt::implies(&has, &enc.same_account()));
            }
        }
        let fixed = smt::and(fixed);
        let mut goals = Vec::new();
        for (_, member) in &groups {
            let member = member(enc)?;
            goals.push(smt::and([fixed.clone(), member.clone(), claim(c, 0)]));
            goals.push(smt::and([fixed.clone(), member, smt::not(&claim(c, 0))]));
        }
        Ok(goals)
    };
    let mut query = spec(&sets, &goals);
    query.extra_actions.push(element.clone());
    query.extra_texts.push(resource.to_owned());
    query
        .extra_texts
        .extend(resource_account.map(str::to_owned));
    let mut runner = Runner::new(query);
    let single = Options {
        max_witnesses: 1,
        ..options.clone()
    };
    let mut reached = Vec::new();
    for (index, (group, _)) in groups.iter().enumerate() {
        let verdict = runner.verdict(2 * index, &single, &|_, d, _| {
            allowed_at(d, 0)
                .then_some(())
                .ok_or_else(|| "not allowed".to_owned())
        })?;
        let witness = match verdict {
            Verdict::Holds => continue,
            Verdict::Unknown(reason) => return Ok(ReachVerdict::Unknown(reason)),
            Verdict::Fails(mut w) => match w.pop() {
                Some(w) => w,
                None => continue,
            },
        };
        let denied = runner.verdict(2 * index + 1, &single, &|_, d, _| {
            (!allowed_at(d, 0))
                .then_some(())
                .ok_or_else(|| "allowed".to_owned())
        })?;
        let always = match denied {
            Verdict::Holds => true,
            Verdict::Fails(_) => false,
            Verdict::Unknown(reason) => return Ok(ReachVerdict::Unknown(reason)),
        };
        reached.push(Reach {
            group: group.clone(),
            always,
            witness,
        });
    }
    Ok(ReachVerdict::Groups(reached))
}

type Member = Box<dyn Fn(&mut Encoder) -> Result<Expr, Unsupported>>;

/// The caller groups the policies tell apart: everything they name, and the rest.
fn principal_groups(set: &PolicySet) -> Vec<(PrincipalGroup, Member)> {
    use CallerKind::*;
    let mut arns: Vec<String> = Vec::new();
    let mut accounts: Vec<String> = Vec::new();
    let mut services: Vec<String> = Vec::new();
    let mut providers: Vec<String> = Vec::new();
    for policy in crate::domain::policies_of(set) {
        for a in accounts_named(policy) {
            if !accounts.contains(&a) {
                accounts.push(a);
            }
        }
        for statement in &policy.statements {
            let Some(element) = &statement.principal else {
                continue;
            };
            let Principals::Typed(entries) = &element.principals else {
                continue;
            };
            for (ty, values) in entries {
                for value in values.iter() {
                    let list = match ty {
                        PrincipalType::Aws if value == "*" => continue,
                        PrincipalType::Aws if account_principal(value).is_some() => continue,
                        PrincipalType::Aws => &mut arns,
                        PrincipalType::Service => &mut services,
                        PrincipalType::Federated => &mut providers,
                        PrincipalType::CanonicalUser => continue,
                    };
                    if !list.iter().any(|x| x == value) {
                        list.push(value.to_owned());
                    }
                }
            }
        }
    }
    let not_account = |enc: &mut Encoder, named: &[String]| -> Result<Vec<Expr>, Unsupported> {
        let mut parts = Vec::new();
        for a in named {
            parts.push(smt::not(&enc.account_pred(&Re::lit(a))?));
        }
        Ok(parts)
    };
    let mut groups: Vec<(PrincipalGroup, Member)> = Vec::new();
    groups.push((
        PrincipalGroup::Anonymous,
        Box::new(|enc: &mut Encoder| Ok(enc.req.is(Anonymous))),
    ));
    for arn in arns {
        let text = arn.clone();
        groups.push((
            PrincipalGroup::Arn(arn),
            // The callers the value names, as a `Principal` entry names them (a role: its
            // sessions too).
            Box::new(move |enc: &mut Encoder| {
                let [named, _, _] = enc.principal_value(PrincipalType::Aws, &text)?;
                Ok(named)
            }),
        ));
    }
    for account in accounts.clone() {
        groups.push((
            PrincipalGroup::Account(account.clone()),
            Box::new(move |enc: &mut Encoder| {
                let has = enc.req.has_identity_side();
                Ok(smt::and([has, enc.account_pred(&Re::lit(&account))?]))
            }),
        ));
    }
    let named = accounts.clone();
    groups.push((
        PrincipalGroup::ResourceAccount,
        Box::new(move |enc: &mut Encoder| {
            let mut parts = vec![enc.req.has_identity_side(), enc.same_account()];
            parts.extend(not_account(enc, &named)?);
            Ok(smt::and(parts))
        }),
    ));
    let named = accounts;
    groups.push((
        PrincipalGroup::OtherAccount,
        Box::new(move |enc: &mut Encoder| {
            let mut parts = vec![enc.req.has_identity_side(), smt::not(&enc.same_account())];
            parts.extend(not_account(enc, &named)?);
            Ok(smt::and(parts))
        }),
    ));
    let services = services.into_iter().map(|service| {
        let text = service.to_ascii_lowercase();
        (PrincipalGroup::Service(service), text)
    });
    named_groups(&mut groups, Service, services, PrincipalGroup::OtherService);
    let providers = providers
        .into_iter()
        .map(|provider| (PrincipalGroup::IdentityProvider(provider.clone()), provider));
    named_groups(
        &mut groups,
        IdentityProvider,
        providers,
        PrincipalGroup::OtherIdentityProvider,
    );
    groups
}

/// One group per name the policies give callers of `kind` (`(group, text)`), and `other` for the
/// callers of `kind` named by none of them.
fn named_groups(
    groups: &mut Vec<(PrincipalGroup, Member)>,
    kind: CallerKind,
    names: impl Iterator<Item = (PrincipalGroup, String)>,
    other: PrincipalGroup,
) {
    let mut texts = Vec::new();
    for (group, text) in names {
        texts.push(text.clone());
        groups.push((
            group,
            Box::new(move |enc: &mut Encoder| {
                let is = enc.req.is(kind);
                Ok(smt::and([is, enc.principal_pred(kind, Re::lit(&text))?]))
            }),
        ));
    }
    groups.push((
        other,
        Box::new(move |enc: &mut Encoder| {
            let mut parts = vec![enc.req.is(kind)];
            for text in &texts {
                parts.push(smt::not(&enc.principal_pred(kind, Re::lit(text))?));
            }
            Ok(smt::and(parts))
        }),
    ));
}

/// What the encoding says about one concrete request under `set`: `Some(allowed)` when pinning
/// the symbolic request to `request` forces the decision, `None` when the encoding cannot pin
/// it (a value it does not represent, more values than it keeps for a key) or z3 gives up.
/// This checks the encoding against the reference evaluator request by request.
pub fn decide(
    set: &PolicySet,
    request: &Request,
    options: &Options,
) -> Result<Option<bool>, SolverError> {
    let (set, request, options) = (set.clone(), request.clone(), options.clone());
    smt::in_fresh_context(move || decide_in(&set, &request, &options))
}

fn decide_in(
    set: &PolicySet,
    request: &Request,
    options: &Options,
) -> Result<Option<bool>, SolverError> {
    let sets = [set];
    let goals = |enc: &mut Encoder, c: &[Expr]| {
        let pinned = pin(enc, request)?;
        Ok(vec![
            smt::and([pinned.clone(), claim(c, 0)]),
            smt::and([pinned, smt::not(&claim(c, 0))]),
        ])
    };
    let mut query = spec(&sets, &goals);
    query
        .extra_actions
        .push(vec![request.action.as_str().to_owned()]);
    query.extra_texts.push(request.principal_text.clone());
    query.extra_texts.push(request.resource.to_string());
    query.extra_texts.extend(request.resource_account.clone());
    if let Caller::RoleSession { role_arn, .. } = &request.principal {
        query.extra_texts.push(role_arn.clone());
    }
    for mode in [Mode::Partition, Mode::Strings] {
        let Ok(encoded) = encode_in(mode, &query) else {
            continue;
        };
        let sat = |goal: usize| -> Option<bool> {
            let goal = encoded.goals.get(goal)?.clone();
            match encoded.check(&goal, options.timeout).ok()? {
                Refined::Sat(..) => Some(true),
                Refined::Unsat => Some(false),
                Refined::Unknown(_) => None,
            }
        };
        match (sat(0), sat(1)) {
            (Some(true), Some(false)) => return Ok(Some(true)),
            (Some(false), Some(true)) => return Ok(Some(false)),
            // Both: the pinning left something open; neither: the request is outside what
            // this encoding represents (a variable's value the partition does not try).
            _ => continue,
        }
    }
    Ok(None)
}

/// The symbolic request equals `request`.
fn pin(enc: &mut Encoder, request: &Request) -> Result<Expr, Unsupported> {
    use crate::domain::KeyType;
    use crate::symbolic::Slot;
    use iamspec_model::request::ContextValue;
    let mut all = Vec::new();
    let (kind, subject) = match &request.principal {
        Caller::Root { account } => (CallerKind::Root, format!("arn:aws:iam::{account}:root")),
        Caller::User { arn, .. } => (CallerKind::User, arn.clone()),
        Caller::RoleSession {
            role_arn,
            session_arn: Some(session),
            ..
        } => {
            let name = session.rsplit('/').next().unwrap_or("");
            (CallerKind::RoleSession, format!("{role_arn}/{name}"))
        }
        Caller::RoleSession { role_arn, .. } => (CallerKind::Role, role_arn.clone()),
        Caller::FederatedUser { arn, .. } => (CallerKind::FederatedUser, arn.clone()),
        Caller::Service { name } => (CallerKind::Service, name.clone()),
        Caller::IdentityProvider { provider } => (CallerKind::IdentityProvider, provider.clone()),
        Caller::Anonymous => (CallerKind::Anonymous, String::new()),
    };
    all.push(enc.req.is(kind));
    all.push(enc.principal_pred(kind, Re::lit(&subject))?);
    if let Some(account) = request.principal.account() {
        all.push(enc.account_pred(&Re::lit(account))?);
    }
    let element = vec![request.action.as_str().to_owned()];
    all.push(
        enc.req
            .action_in(enc.actions.classes_of(&element), enc.actions.class_count()),
    );
    match &request.resource {
        Resource::Any => all.push(enc.req.rany.clone()),
        Resource::Arn(arn) => {
            all.push(smt::not(&enc.req.rany));
            all.push(enc.resource_pred(Re::lit(arn.as_str()))?);
        }
    }
    let present = enc.req.racct_present();
    match &request.resource_account {
        Some(account) => {
            all.push(present);
            all.push(enc.racct_pred(&Re::lit(account))?);
        }
        None => all.push(smt::not(&present)),
    }
    let keys: Vec<_> = enc
        .req
        .keys
        .values()
        .filter(|k| !k.derived)
        .cloned()
        .collect();
    for var in keys {
        let Some(value) = request.context.get(&var.lowercase) else {
            all.push(smt::not(&var.present));
            continue;
        };
        all.push(var.present.clone());
        let values = value.as_slice();
        all.push(if matches!(value, ContextValue::Multi(_)) {
            var.multi.clone()
        } else {
            smt::not(&var.multi)
        });
        if values.len() > var.slots.len() {
            return Err(Unsupported::new(format!(
                "`{}` has more values than the encoding keeps",
                var.name
            )));
        }
        for (i, active) in var.active.iter().enumerate() {
            all.push(if i < values.len() {
                active.clone()
            } else {
                smt::not(active)
            });
        }
        for (i, (slot, text)) in var.slots.iter().zip(values).enumerate() {
            let region = |constants_position: Option<i64>| constants_position.unwrap_or(-1);
            all.push(match (slot, &var.ty) {
                (Slot::Str(_), _) => enc.key_pred(&var.lowercase, i, Re::lit(text))?,
                (Slot::Num(r), KeyType::Numeric(constants)) => smt::eq(
                    r,
                    &Expr::int(region(crate::values::number_region(constants, text))),
                ),
                (Slot::Date(r), KeyType::Date(constants)) => smt::eq(
                    r,
                    &Expr::int(region(crate::values::date_region(constants, text))),
                ),
                (Slot::Ip { kind, v4, v6 }, _) => {
                    match iamspec_model::condition::value::parse_ip(text) {
                        Some(std::net::IpAddr::V4(a)) => smt::and([
                            smt::eq(kind, &Expr::int(1)),
                            smt::eq(v4, &Expr::raw(format!("#x{:08x}", u32::from(a)))),
                        ]),
                        Some(std::net::IpAddr::V6(a)) => smt::and([
                            smt::eq(kind, &Expr::int(2)),
                            smt::eq(v6, &Expr::raw(format!("#x{:032x}", u128::from(a)))),
                        ]),
                        None => smt::eq(kind, &Expr::int(0)),
                    }
                }
                _ => return Err(Unsupported::new("internal: a slot of the wrong type")),
            });
        }
    }
    // The unique id a user or role session states (D84).
    if enc.req.keys.contains_key("aws:userid")
        && matches!(
            kind,
            CallerKind::User | CallerKind::RoleSession | CallerKind::Role
        )
    {
        if let Some(id) = request.context.get("aws:userid") {
            if let [one] = id.as_slice() {
                all.push(enc.unique_id_pred(Re::lit(one))?);
            }
        }
    }
    Ok(smt::and(all))
}
