//! String tests in either mode. In `Strings` mode a test is a z3 regular membership on a string
//! term. In `Partition` mode it is an atom (a Boolean constant); once the whole query is
//! encoded, [`Encoder::finish`] computes the regions of each string domain from its atoms
//! (`regex::regions`) and ties every atom to the region numbers where it holds.
//!
//! The string domains are the principal (one string per caller kind, see `principal_shape`),
//! the resource ARN, and each string value of each free context key. Derived keys (D40) are
//! views of the principal or resource strings, so a test on one becomes a test on those.

use crate::encode::Encoder;
use crate::err::Unsupported;
use crate::regex::{self, Class, Re};
use crate::smt::{self, Expr, Sort};
use crate::symbolic::{principal_shape, resource_shape, CallerKind, Mode, Slot, Strs};
use std::cell::RefCell;
use std::collections::HashMap;

/// What a string test is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Subject {
    Principal(CallerKind),
    Resource,
    /// A free key (lowercase) and one of its value slots.
    Key(String, usize),
}

/// The string domain of the unique id of users and role sessions (`aws:userid`, D84): a
/// `Subject::Key` no context key can be called (key names have a `:`).
pub const UNIQUE_ID: &str = "uid";

/// The atoms of `Partition` mode, registered while encoding.
#[derive(Default)]
pub struct Atoms {
    entries: Vec<(Subject, Re, Expr)>,
    memo: HashMap<(Subject, Re), Expr>,
}

/// The regions computed by `finish`, for reading witnesses back.
#[derive(Default, Debug)]
pub struct Finished {
    /// Global principal region → (kind, the principal string).
    pub principals: Vec<(CallerKind, String)>,
    /// Resource region → the ARN.
    pub resources: Vec<String>,
    /// Free key → (witness string per region, the region constant of each slot).
    pub keys: HashMap<String, (Vec<String>, Vec<String>)>,
    /// The string domains explored lazily (the resource, or a key's slot) instead.
    pub lazy: Vec<LazyDomain>,
    /// The resource partition: its shape, its languages and each region's signature, so that
    /// a witness can pick, within its region, an ARN of its action's resource types.
    pub resource_space: Option<(Re, Vec<Re>, Vec<Vec<bool>>)>,
}

/// A string domain whose partition is too large to build: its atoms are free in the problem,
/// and each combination z3 proposes is checked for a string that realizes it (`query.rs`).
pub struct LazyDomain {
    pub subject: Subject,
    /// The atom of each language of the engine, in its order.
    pub atoms: Vec<Expr>,
    pub engine: RefCell<regex::Lazy>,
}

impl std::fmt::Debug for LazyDomain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyDomain")
            .field("subject", &self.subject)
            .field("atoms", &self.atoms.len())
            .finish_non_exhaustive()
    }
}

/// How many tuples of states the partition of the resource or of a key may explore before the
/// domain is explored lazily instead (a larger partition costs more to build than z3 spends
/// proposing combinations for the lazy search).
const EAGER_LIMIT: usize = 20_000;

/// The same for the resource, lower: ARN partitions grow fastest, and past a few thousand tuples
/// the field lemmas (D74) let the lazy search finish in fewer checks than building takes.
const RESOURCE_EAGER_LIMIT: usize = 5_000;

/// The memo tag of resource partitions (`regex::regions_memoized`; principal partitions use
/// their caller kind's number, 0 to 7): respelled by `readable::resource_step`.
const RESOURCE_TAG: u8 = 100;

fn no(c: char) -> Re {
    Re::Class(Class::not([c]))
}

/// `var` is one of `ids` (out of `0..total`), as few comparisons as possible.
pub(crate) fn in_set(var: &Expr, ids: &[usize], total: usize) -> Expr {
    let member: Vec<bool> = (0..total).map(|i| ids.contains(&i)).collect();
    let ranges = |want: bool| -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < total {
            if member.get(i) == Some(&want) {
                let start = i;
                while member.get(i) == Some(&want) {
                    i += 1;
                }
                out.push((start, i - 1));
            } else {
                i += 1;
            }
        }
        out
    };
    let to_expr = |ranges: Vec<(usize, usize)>| {
        smt::or(ranges.into_iter().map(|(a, b)| {
            let a = Expr::int(i64::try_from(a).unwrap_or(i64::MAX));
            let b = Expr::int(i64::try_from(b).unwrap_or(i64::MAX));
            if a == b {
                smt::eq(var, &a)
            } else {
                smt::and([smt::ge(var, &a), smt::app("<=", &[var, &b])])
            }
        }))
    };
    let inside = ranges(true);
    let outside = ranges(false);
    if outside.len() < inside.len() {
        // Within the domain, not in a gap.
        smt::not(&to_expr(outside))
    } else {
        to_expr(inside)
    }
}

impl Encoder {
    fn atom(&mut self, subject: Subject, re: Re) -> Expr {
        if re == Re::Empty {
            return Expr::f();
        }
        let key = (subject, re);
        if let Some(e) = self.atoms.memo.get(&key) {
            return e.clone();
        }
        let name = format!("atom{}", self.atoms.entries.len());
        let e = self.p.declare(&name, Sort::Bool);
        self.atoms
            .entries
            .push((key.0.clone(), key.1.clone(), e.clone()));
        self.atoms.memo.insert(key, e.clone());
        e
    }

    fn z3_member(term: &Expr, re: &Re) -> Result<Expr, Unsupported> {
        Ok(match re.as_literal() {
            Some(text) => smt::eq(term, &smt::str_lit(&text)?),
            None => smt::in_re(term, &re.to_smt()?),
        })
    }

    /// The caller of kind `kind`, written as its principal string, is in `re` (meaningful
    /// only when the caller is of that kind).
    pub fn principal_pred(&mut self, kind: CallerKind, re: Re) -> Result<Expr, Unsupported> {
        match &self.req.strs {
            Strs::Z3(z) => {
                let term = z
                    .subjects
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map(|(_, t)| t.clone())
                    .ok_or_else(|| Unsupported::new("internal: no principal term"))?;
                Encoder::z3_member(&term, &re)
            }
            Strs::Partition(_) => Ok(self.atom(Subject::Principal(kind), re)),
        }
    }

    /// The caller's account is in `re` (meaningful for callers with an account).
    pub fn account_pred(&mut self, re: &Re) -> Result<Expr, Unsupported> {
        match &self.req.strs {
            Strs::Z3(z) => Encoder::z3_member(&z.acct, re),
            Strs::Partition(r) => {
                let ids: Vec<usize> = (0..r.accounts.len())
                    .filter(|&j| r.accounts.get(j).is_some_and(|a| re.matches(a)))
                    .collect();
                Ok(in_set(&r.acct_id, &ids, r.accounts.len()))
            }
        }
    }

    /// The resource ARN is in `re` (meaningful when the resource is not `*`).
    pub fn resource_pred(&mut self, re: Re) -> Result<Expr, Unsupported> {
        match &self.req.strs {
            Strs::Z3(z) => Encoder::z3_member(&z.res, &re),
            Strs::Partition(_) => Ok(self.atom(Subject::Resource, re)),
        }
    }

    /// Slot `slot` of the free key `key` is in `re`.
    pub fn key_pred(&mut self, key: &str, slot: usize, re: Re) -> Result<Expr, Unsupported> {
        match self.req.mode {
            Mode::Strings => {
                let term = self
                    .req
                    .keys
                    .get(key)
                    .and_then(|k| k.slots.get(slot))
                    .and_then(|s| match s {
                        Slot::Str(Some(t)) => Some(t.clone()),
                        _ => None,
                    })
                    .ok_or_else(|| Unsupported::new(format!("internal: no term for `{key}`")))?;
                Encoder::z3_member(&term, &re)
            }
            Mode::Partition => Ok(self.atom(Subject::Key(key.to_owned(), slot), re)),
        }
    }

    /// The unique id of a user or role session (`aws:userid`, D84) is in `re`.
    pub fn unique_id_pred(&mut self, re: Re) -> Result<Expr, Unsupported> {
        match &self.req.strs {
            Strs::Z3(z) => Encoder::z3_member(&z.uid, &re),
            Strs::Partition(_) => Ok(self.atom(Subject::Key(UNIQUE_ID.to_owned(), 0), re)),
        }
    }

    /// The resource's account is in `re` (meaningful when it has one).
    pub fn racct_pred(&mut self, re: &Re) -> Result<Expr, Unsupported> {
        let (mode, id, ids) = match &self.req.strs {
            Strs::Z3(z) => return Encoder::z3_member(&z.racct, re),
            Strs::Partition(r) => {
                let ids: Vec<usize> = (0..r.accounts.len())
                    .filter(|&j| r.accounts.get(j).is_some_and(|a| re.matches(a)))
                    .collect();
                let total = r.accounts.len();
                (
                    r.racct_mode.clone(),
                    r.racct_id.clone(),
                    in_set(&r.racct_id, &ids, total),
                )
            }
        };
        let _ = id;
        let own = self.resource_pred(resource_shape(Re::inter(vec![
            re.clone(),
            Re::plus(no(':')),
        ])))?;
        Ok(smt::or([
            smt::and([smt::eq(&mode, &Expr::int(2)), ids]),
            smt::and([smt::eq(&mode, &Expr::int(1)), own]),
        ]))
    }

    /// The resource belongs to the caller's account (given a caller with an account).
    pub fn same_account(&self) -> Expr {
        match &self.req.strs {
            Strs::Z3(z) => smt::and([z.racct_present.clone(), smt::eq(&z.racct, &z.acct)]),
            Strs::Partition(r) => smt::and([
                smt::eq(&r.racct_mode, &Expr::int(2)),
                smt::eq(&r.racct_id, &r.acct_id),
            ]),
        }
    }

    /// The value of the derived key `key` (lowercase) is in `re`, given that it is present.
    pub fn derived_pred(&mut self, key: &str, re: &Re) -> Result<Expr, Unsupported> {
        use CallerKind::*;
        if let Strs::Z3(z) = &self.req.strs {
            let term = z
                .derived
                .get(key)
                .cloned()
                .ok_or_else(|| Unsupported::new(format!("internal: no term for `{key}`")))?;
            return Encoder::z3_member(&term, re);
        }
        let r = &self.req;
        let constant =
            |kind: CallerKind, text: &str| smt::and([r.is(kind), Expr::Bool(re.matches(text))]);
        Ok(match key {
            "aws:principalarn" => {
                let mut options = Vec::new();
                for kind in [Root, User, Role, FederatedUser] {
                    let is = self.req.is(kind);
                    options.push(smt::and([is, self.principal_pred(kind, re.clone())?]));
                }
                let session = Re::concat(vec![re.clone(), Re::lit("/"), Re::plus(no('/'))]);
                let is = self.req.is(RoleSession);
                options.push(smt::and([is, self.principal_pred(RoleSession, session)?]));
                smt::or(options)
            }
            "aws:principalaccount" => {
                let has = self.req.has_identity_side();
                smt::and([has, self.account_pred(re)?])
            }
            "aws:principaltype" => smt::or([
                constant(Root, "Account"),
                constant(User, "User"),
                constant(RoleSession, "AssumedRole"),
                constant(Role, "AssumedRole"),
                constant(FederatedUser, "FederatedUser"),
                constant(Anonymous, "Anonymous"),
            ]),
            "aws:username" => {
                let view = Re::concat(vec![
                    Re::lit("arn:"),
                    Re::plus(no(':')),
                    Re::lit(":iam::"),
                    Re::star(no(':')),
                    Re::lit(":user/"),
                    Re::opt(Re::concat(vec![Re::all(), Re::lit("/")])),
                    Re::inter(vec![re.clone(), Re::plus(no('/'))]),
                ]);
                let is = self.req.is(User);
                smt::and([is, self.principal_pred(User, view)?])
            }
            "aws:userid" => {
                let mut options = vec![constant(Anonymous, "anonymous")];
                // Users and role sessions: their unique id, unknown but one value (D84).
                let unique = self.unique_id_pred(re.clone())?;
                options.push(smt::and([
                    self.req.is_any(&[User, RoleSession, Role]),
                    unique,
                ]));
                let is_root = self.req.is(Root);
                options.push(smt::and([is_root, self.account_pred(re)?]));
                let accounts = match &self.req.strs {
                    Strs::Partition(regions) => regions.accounts.clone(),
                    Strs::Z3(_) => Vec::new(),
                };
                for (j, account) in accounts.iter().enumerate() {
                    // `ACCOUNT:NAME`: the names after this account's prefix.
                    let names = re.deriv_word(&format!("{account}:"));
                    let view = Re::concat(vec![
                        Re::lit("arn:"),
                        Re::plus(no(':')),
                        Re::lit(":sts::"),
                        Re::lit(account),
                        Re::lit(":federated-user/"),
                        Re::inter(vec![names, Re::plus(no('/'))]),
                    ]);
                    let is = self.req.is(FederatedUser);
                    let this = self.account_pred(&Re::lit(account))?;
                    let _ = j;
                    options.push(smt::and([
                        is,
                        this,
                        self.principal_pred(FederatedUser, view)?,
                    ]));
                }
                smt::or(options)
            }
            "aws:principalisawsservice" => smt::or([
                smt::and([self.req.is(Service), Expr::Bool(re.matches("true"))]),
                smt::and([
                    smt::not(&self.req.is(Service)),
                    Expr::Bool(re.matches("false")),
                ]),
            ]),
            "aws:principalservicename" => {
                let is = self.req.is(Service);
                smt::and([is, self.principal_pred(Service, re.clone())?])
            }
            "aws:resourceaccount" => self.racct_pred(re)?,
            other => {
                return Err(Unsupported::new(format!(
                    "internal: `{other}` is not a derived key"
                )))
            }
        })
    }

    /// Computes every partition and ties the atoms to regions (`Partition` mode); nothing to
    /// do in `Strings` mode.
    pub fn finish(&mut self) -> Result<(), Unsupported> {
        let principal_phase = crate::phases::enter(crate::phases::Phase::Principal);
        let Strs::Partition(regions) = &self.req.strs else {
            return Ok(());
        };
        let accounts = regions.accounts.clone();
        let (preg, acct_id, rreg, racct_mode) = (
            regions.preg.clone(),
            regions.acct_id.clone(),
            regions.rreg.clone(),
            regions.racct_mode.clone(),
        );
        let regions_racct_id = regions.racct_id.clone();
        let account_alt = Re::union(accounts.iter().map(|a| Re::lit(a)).collect());
        let entries = std::mem::take(&mut self.atoms.entries);
        self.finished = Finished::default();
        // An account and its resources live in one partition, and no access crosses
        // partitions (D75): the caller's ARN and the resource's share their partition. Each
        // partition a language names (and `aws`) is a class of both domains; any other
        // partition is one more class, in which the two may still differ (sound: the domain
        // only shrinks by requests AWS cannot send).
        let partitions = if self.tie_partitions {
            named_partitions(&entries)
        } else {
            Vec::new()
        };
        let partition_languages: Vec<Re> = partitions
            .iter()
            .map(|p| Re::concat(vec![Re::lit("arn:"), Re::lit(p), Re::lit(":"), Re::all()]))
            .collect();
        let class_of = |bits: &[bool]| bits.iter().position(|b| *b).unwrap_or(partitions.len());
        // Per global principal region, its partition class when its kind has an ARN.
        let mut principal_class: Vec<Option<usize>> = Vec::new();

        // The principal, kind by kind, in one numbering.
        let mut offset = 0usize;
        let mut account_of: Vec<Option<usize>> = Vec::new();
        let mut ties: Vec<(Expr, Vec<usize>)> = Vec::new();
        let mut kind_ranges = Vec::new();
        for kind in CallerKind::ALL {
            let mine: Vec<&(Subject, Re, Expr)> = entries
                .iter()
                .filter(|(s, _, _)| *s == Subject::Principal(kind))
                .collect();
            let mut languages: Vec<Re> = mine.iter().map(|(_, re, _)| re.clone()).collect();
            let tags = if kind.has_account() {
                accounts.len()
            } else {
                0
            };
            for account in accounts.iter().take(tags) {
                languages.push(principal_shape(kind, &Re::lit(account)));
            }
            if kind.has_account() {
                languages.extend(partition_languages.iter().cloned());
            }
            let found = regex::regions_memoized(
                kind as u8,
                &principal_shape(kind, &account_alt),
                &languages,
                &preferred_principals(kind, &accounts),
                regex::STATE_LIMIT,
                &|text, step| crate::readable::principal_step(kind, text, step),
            )?
            .ok_or_else(regex::too_many)?;
            let n = found.signatures.len();
            for (signature, witness) in found.signatures.iter().zip(found.witnesses) {
                self.finished.principals.push((kind, witness));
                let tag = signature
                    .iter()
                    .skip(mine.len())
                    .take(tags)
                    .position(|b| *b);
                account_of.push(tag);
                principal_class.push(
                    kind.has_account()
                        .then(|| class_of(signature.get(mine.len() + tags..).unwrap_or(&[]))),
                );
            }
            for (i, (_, _, atom)) in mine.iter().enumerate() {
                let ids: Vec<usize> = found
                    .signatures
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.get(i) == Some(&true))
                    .map(|(r, _)| offset + r)
                    .collect();
                ties.push((atom.clone(), ids));
            }
            kind_ranges.push((kind, offset, n));
            offset += n;
        }
        let total = offset;
        for (kind, start, n) in kind_ranges {
            let is = self.req.is(kind);
            let range: Vec<usize> = (start..start + n).collect();
            let within = in_set(&preg, &range, total);
            self.p.assert(&smt::iff(&is, &within));
        }
        self.p.assert(&smt::and([
            smt::ge(&preg, &Expr::int(0)),
            smt::lt(&preg, &Expr::int(i64::try_from(total).unwrap_or(i64::MAX))),
        ]));
        for (atom, ids) in ties {
            self.p.assert(&smt::iff(&atom, &in_set(&preg, &ids, total)));
        }
        for j in 0..accounts.len() {
            let ids: Vec<usize> = account_of
                .iter()
                .enumerate()
                .filter(|(_, a)| **a == Some(j))
                .map(|(g, _)| g)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let j = Expr::int(i64::try_from(j).unwrap_or(i64::MAX));
            self.p.assert(&smt::implies(
                &in_set(&preg, &ids, total),
                &smt::eq(&acct_id, &j),
            ));
        }

        drop(principal_phase);
        let _resource_phase = crate::phases::enter(crate::phases::Phase::Resource);
        // The resource ARN.
        let mine: Vec<&(Subject, Re, Expr)> = entries
            .iter()
            .filter(|(s, _, _)| *s == Subject::Resource)
            .collect();
        let mut languages: Vec<Re> = mine.iter().map(|(_, re, _)| re.clone()).collect();
        for account in &accounts {
            languages.push(resource_shape(Re::lit(account)));
        }
        languages.push(resource_shape(Re::Eps));
        let first_partition = languages.len();
        languages.extend(partition_languages.iter().cloned());
        // Each partition class (the last: any other partition) with the principal regions in
        // it, where there are some; none unless the partitions are tied.
        let caller_classes: Vec<(usize, Vec<usize>)> = (0..=partitions.len())
            .filter(|_| !partitions.is_empty())
            .map(|c| {
                let ids: Vec<usize> = (0..total)
                    .filter(|&g| principal_class.get(g) == Some(&Some(c)))
                    .collect();
                (c, ids)
            })
            .filter(|(_, ids)| !ids.is_empty())
            .collect();
        // The ARNs AWS can send (D87): an account field that is empty, one of the accounts
        // (12 digits) or `aws`; a partition name and a region code or nothing.
        let shape =
            crate::space::possible_arn(Re::union(vec![Re::Eps, account_alt, Re::lit("aws")]));
        let mut preferred = vec!["arn:aws:s3:::example-bucket/key.txt".to_owned()];
        if let Some(account) = accounts.first() {
            preferred.extend(self.actions.example_resources(account));
        }
        for account in &accounts {
            preferred.push(format!("arn:aws:sqs:us-east-1:{account}:queue"));
        }
        let rany = self.req.rany.clone();
        let has_id = self.req.has_identity_side();
        let Some(found) = regex::regions_memoized(
            RESOURCE_TAG,
            &shape,
            &languages,
            &preferred,
            RESOURCE_EAGER_LIMIT,
            &crate::readable::resource_step,
        )?
        else {
            // Lazily: the account field's shapes (one per account, then empty: the last
            // languages) become atoms too; at most one holds.
            let mut atoms: Vec<Expr> = mine.iter().map(|(_, _, atom)| atom.clone()).collect();
            let mut tags = Vec::new();
            for j in 0..=accounts.len() {
                tags.push(self.p.declare(&format!("rtag{j}"), Sort::Bool));
            }
            for (i, a) in tags.iter().enumerate() {
                for b in tags.iter().skip(i + 1) {
                    self.p.assert(&smt::not(&smt::and([a.clone(), b.clone()])));
                }
            }
            let (_empty, account_tags) = tags
                .split_last()
                .ok_or_else(|| Unsupported::new("internal: no account tags"))?;
            let classes: Vec<Expr> = (0..partitions.len())
                .map(|c| self.p.declare(&format!("rpart{c}"), Sort::Bool))
                .collect();
            for (c, ids) in &caller_classes {
                let resource_in = match classes.get(*c) {
                    Some(atom) => atom.clone(),
                    None => smt::not(&smt::or(classes.iter().cloned())),
                };
                self.p.assert(&smt::implies(
                    &smt::and([smt::not(&rany), in_set(&preg, ids, total)]),
                    &resource_in,
                ));
            }
            // Only a 12-digit account field names the owner (D72): an empty field, `aws` or
            // any other text leaves the resource account to the request or the caller.
            self.p
                .assert(&smt::not(&smt::eq(&racct_mode, &Expr::int(1))));
            self.p.assert(&smt::implies(
                &smt::eq(&racct_mode, &Expr::int(0)),
                &smt::and([
                    smt::not(&has_id),
                    smt::or([
                        rany.clone(),
                        smt::not(&smt::or(account_tags.iter().cloned())),
                    ]),
                ]),
            ));
            // An ARN that names one of the accounts names the owner (D61, D85).
            for (j, tag) in account_tags.iter().enumerate() {
                self.p.assert(&smt::implies(
                    &smt::and([smt::not(&rany), tag.clone()]),
                    &smt::and([
                        smt::eq(&racct_mode, &Expr::int(2)),
                        smt::eq(
                            &regions_racct_id,
                            &Expr::int(i64::try_from(j).unwrap_or(i64::MAX)),
                        ),
                    ]),
                ));
            }
            atoms.extend(tags);
            atoms.extend(classes);
            self.field_lemmas(&languages, &atoms);
            self.finished.lazy.push(LazyDomain {
                subject: Subject::Resource,
                atoms,
                engine: RefCell::new(regex::Lazy::new(&shape, &languages)?),
            });
            return self.finish_keys(&entries);
        };
        let n = found.signatures.len();
        self.p.assert(&smt::implies(
            &smt::not(&rany),
            &smt::and([
                smt::ge(&rreg, &Expr::int(0)),
                smt::lt(&rreg, &Expr::int(i64::try_from(n).unwrap_or(i64::MAX))),
            ]),
        ));
        for (i, (_, _, atom)) in mine.iter().enumerate() {
            let ids: Vec<usize> = found
                .signatures
                .iter()
                .enumerate()
                .filter(|(_, s)| s.get(i) == Some(&true))
                .map(|(r, _)| r)
                .collect();
            self.p.assert(&smt::iff(atom, &in_set(&rreg, &ids, n)));
        }
        for (c, ids) in &caller_classes {
            let resources: Vec<usize> = (0..n)
                .filter(|&r| {
                    found
                        .signatures
                        .get(r)
                        .is_some_and(|s| class_of(s.get(first_partition..).unwrap_or(&[])) == *c)
                })
                .collect();
            self.p.assert(&smt::implies(
                &smt::and([smt::not(&rany), in_set(&preg, ids, total)]),
                &in_set(&rreg, &resources, n),
            ));
        }
        let field = |s: &Vec<bool>| -> (bool, bool) {
            let tags = s.get(mine.len()..first_partition).unwrap_or(&[]);
            let empty = tags.last() == Some(&true);
            let account = tags.iter().take(accounts.len()).any(|b| *b);
            (empty, account)
        };
        let empty_ids: Vec<usize> = (0..n)
            .filter(|&r| found.signatures.get(r).is_some_and(|s| field(s).0))
            .collect();
        let other_ids: Vec<usize> = (0..n)
            .filter(|&r| {
                found
                    .signatures
                    .get(r)
                    .is_some_and(|s| !field(s).0 && !field(s).1)
            })
            .collect();
        // Only a 12-digit account field names the owner (D72): an empty field, `aws` or any
        // other text leaves the resource account to the request or the caller.
        self.p
            .assert(&smt::not(&smt::eq(&racct_mode, &Expr::int(1))));
        let unnamed_ids: Vec<usize> = empty_ids.iter().chain(&other_ids).copied().collect();
        // An ARN that names one of the accounts names the owner (D61, D85).
        for j in 0..accounts.len() {
            let ids: Vec<usize> = (0..n)
                .filter(|&r| {
                    found.signatures.get(r).and_then(|s| s.get(mine.len() + j)) == Some(&true)
                })
                .collect();
            if ids.is_empty() {
                continue;
            }
            self.p.assert(&smt::implies(
                &smt::and([smt::not(&rany), in_set(&rreg, &ids, n)]),
                &smt::and([
                    smt::eq(&racct_mode, &Expr::int(2)),
                    smt::eq(
                        &regions_racct_id,
                        &Expr::int(i64::try_from(j).unwrap_or(i64::MAX)),
                    ),
                ]),
            ));
        }
        self.p.assert(&smt::implies(
            &smt::eq(&racct_mode, &Expr::int(0)),
            &smt::and([
                smt::not(&has_id),
                smt::or([rany, in_set(&rreg, &unnamed_ids, n)]),
            ]),
        ));
        self.finished.resources = found.witnesses;
        self.finished.resource_space = Some((shape, languages, found.signatures));
        self.finish_keys(&entries)
    }

    /// Lemmas of a lazily explored ARN domain (D74): per field of the ARN that some languages
    /// fix to literal texts, a number for the resource's text in that field (one per text
    /// named, and one for any other), which each such atom restricts. Two atoms whose field
    /// texts differ (an EC2 shape and an S3 pattern) then never hold together, and z3 no
    /// longer proposes that combination for the search to refute one check at a time. Sound
    /// because every string has one text per field: no combination a string realizes is
    /// excluded.
    fn field_lemmas(&mut self, languages: &[Re], atoms: &[Expr]) {
        let heads: Vec<Vec<Option<Vec<String>>>> = languages.iter().map(arn_fields).collect();
        for field in 0..FIELDS {
            let mut values: Vec<&String> = Vec::new();
            for head in &heads {
                for value in head.get(field).into_iter().flatten().flatten() {
                    if !values.contains(&value) {
                        values.push(value);
                    }
                }
            }
            if values.len() < 2 {
                continue;
            }
            // The last number stands for every text no language names.
            let total = values.len() + 1;
            let var = self.p.declare(&format!("rfield{field}"), Sort::Int);
            self.p.assert(&smt::and([
                smt::ge(&var, &Expr::int(0)),
                smt::lt(&var, &Expr::int(i64::try_from(total).unwrap_or(i64::MAX))),
            ]));
            for (head, atom) in heads.iter().zip(atoms) {
                let Some(Some(set)) = head.get(field) else {
                    continue;
                };
                let ids: Vec<usize> = set
                    .iter()
                    .filter_map(|v| values.iter().position(|x| *x == v))
                    .collect();
                self.p
                    .assert(&smt::implies(atom, &in_set(&var, &ids, total)));
            }
        }
    }

    /// Free keys: one partition per key, one region constant per slot; or, when the partition
    /// is too large, each slot explored lazily.
    fn finish_keys(&mut self, entries: &[(Subject, Re, Expr)]) -> Result<(), Unsupported> {
        let _timed = crate::phases::enter(crate::phases::Phase::Keys);
        let mut keys: Vec<String> = Vec::new();
        for (subject, _, _) in entries {
            if let Subject::Key(key, _) = subject {
                if !keys.contains(key) {
                    keys.push(key.clone());
                }
            }
        }
        for key in keys {
            let mine: Vec<&(Subject, Re, Expr)> = entries
                .iter()
                .filter(|(s, _, _)| matches!(s, Subject::Key(k, _) if *k == key))
                .collect();
            let mut languages: Vec<Re> = Vec::new();
            for (_, re, _) in &mine {
                if !languages.contains(re) {
                    languages.push(re.clone());
                }
            }
            let slots = self.req.keys.get(&key).map(|k| k.slots.len()).unwrap_or(1);
            let preferred: Vec<String> = if key == UNIQUE_ID {
                crate::space::PREFERRED_UNIQUE_IDS
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect()
            } else {
                crate::space::preferred_values(&key)
            };
            let Some(found) =
                regex::regions_within(&Re::all(), &languages, &preferred, EAGER_LIMIT)?
            else {
                for slot in 0..slots {
                    let subject = Subject::Key(key.clone(), slot);
                    let (res, atoms): (Vec<Re>, Vec<Expr>) = mine
                        .iter()
                        .filter(|(s, _, _)| *s == subject)
                        .map(|(_, re, atom)| (re.clone(), atom.clone()))
                        .unzip();
                    self.finished.lazy.push(LazyDomain {
                        subject,
                        atoms,
                        engine: RefCell::new(regex::Lazy::new(&Re::all(), &res)?),
                    });
                }
                continue;
            };
            let n = found.signatures.len();
            let base = self
                .req
                .keys
                .get(&key)
                .and_then(|k| k.names.slots.first().cloned())
                .unwrap_or_else(|| key.clone());
            let mut names = Vec::new();
            for slot in 0..slots {
                let name = format!("{base}_r{slot}");
                let var = self.p.declare(&name, Sort::Int);
                self.p.assert(&smt::and([
                    smt::ge(&var, &Expr::int(0)),
                    smt::lt(&var, &Expr::int(i64::try_from(n).unwrap_or(i64::MAX))),
                ]));
                for (subject, re, atom) in &mine {
                    if *subject != Subject::Key(key.clone(), slot) {
                        continue;
                    }
                    let Some(i) = languages.iter().position(|l| l == re) else {
                        continue;
                    };
                    let ids: Vec<usize> = found
                        .signatures
                        .iter()
                        .enumerate()
                        .filter(|(_, s)| s.get(i) == Some(&true))
                        .map(|(r, _)| r)
                        .collect();
                    self.p.assert(&smt::iff(atom, &in_set(&var, &ids, n)));
                }
                names.push(name);
            }
            self.finished.keys.insert(key, (found.witnesses, names));
        }
        Ok(())
    }
}

/// Principals that read naturally in witnesses, tried before the shortest strings.
fn preferred_principals(kind: CallerKind, accounts: &[String]) -> Vec<String> {
    use CallerKind::*;
    let per_account: &[&str] = match kind {
        Root => &["arn:aws:iam::{a}:root"],
        User => &["arn:aws:iam::{a}:user/alice", "arn:aws:iam::{a}:user/dev/alice"],
        RoleSession => &[
            "arn:aws:iam::{a}:role/app/session",
            "arn:aws:iam::{a}:role/team/app/session",
            "arn:aws:iam::{a}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport/session",
        ],
        Role => &[
            "arn:aws:iam::{a}:role/app",
            "arn:aws:iam::{a}:role/team/app",
            "arn:aws:iam::{a}:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport",
        ],
        FederatedUser => &["arn:aws:sts::{a}:federated-user/carol"],
        Service => return vec!["s3.amazonaws.com".into(), "lambda.amazonaws.com".into()],
        IdentityProvider => return vec!["accounts.google.com".into(), "www.amazon.com".into()],
        Anonymous => return Vec::new(),
    };
    let mut out = Vec::new();
    for template in per_account {
        for account in accounts {
            out.push(template.replace("{a}", account));
        }
    }
    out
}

/// The partitions named literally by a language of the principal or the resource, `aws` first
/// (D75), at most [`PARTITION_CLASSES`]: the others share the class of unnamed partitions.
fn named_partitions(entries: &[(Subject, Re, Expr)]) -> Vec<String> {
    let mut out = vec!["aws".to_owned()];
    for (subject, re, _) in entries {
        let arn = match subject {
            Subject::Principal(kind) => kind.has_account(),
            Subject::Resource => true,
            Subject::Key(..) => false,
        };
        if !arn {
            continue;
        }
        let fields = arn_fields(re);
        for name in fields.get(1).into_iter().flatten().flatten() {
            if out.len() < PARTITION_CLASSES
                && !out.contains(name)
                && crate::space::is_partition_name(name)
            {
                out.push(name.clone());
            }
        }
    }
    out
}

/// How many partitions [`named_partitions`] tells apart.
const PARTITION_CLASSES: usize = 8;

/// The ARN fields (`arn`, partition, service, region, account) that [`arn_fields`] reads.
const FIELDS: usize = 5;

/// How many alternatives [`arn_fields`] follows before calling the rest unknown.
const FIELD_BRANCHES: usize = 256;

/// One alternative's fields: the text of each field when it is one literal, `None` when unknown.
type Heads = Vec<Option<String>>;

/// For each of the first [`FIELDS`] `:`-separated fields, every text that field has in the
/// strings of `re` (a string of the language has at least that many colons and its field is
/// one of these), or `None` when that is not known. Read from the expression's structure, no
/// search: the walk keeps count of the colons exactly (a literal character, or a part whose
/// language has no `:`), and gives up on a field once a part may hold a colon (a `*` that
/// crosses fields, D11). Two languages whose sets of one field are known and disjoint share
/// no string, which is what the lazy resource domain asserts up front (D74).
pub fn arn_fields(re: &Re) -> Vec<Option<Vec<String>>> {
    let mut branches: Vec<Heads> = Vec::new();
    let mut budget = FIELD_BRANCHES;
    walk(
        vec![re],
        0,
        Some(String::new()),
        Vec::new(),
        &mut branches,
        &mut budget,
    );
    let mut out: Vec<Option<Vec<String>>> = vec![Some(Vec::new()); FIELDS];
    if budget == 0 {
        return vec![None; FIELDS];
    }
    for heads in &branches {
        for (field, slot) in out.iter_mut().enumerate() {
            match (heads.get(field).cloned().flatten(), slot.as_mut()) {
                (Some(text), Some(values)) => {
                    if !values.contains(&text) {
                        values.push(text);
                    }
                }
                (None, _) => *slot = None,
                (Some(_), None) => {}
            }
        }
    }
    out
}

/// Whether some string of `re` may hold a `:` (over-approximated).
fn may_colon(re: &Re) -> bool {
    match re {
        Re::Empty | Re::Eps => false,
        Re::Class(class) => class.contains(':'),
        Re::Concat(parts) | Re::Union(parts) => parts.iter().any(may_colon),
        Re::Inter(parts) => parts.iter().all(may_colon),
        Re::Star(inner) => may_colon(inner),
    }
}

/// Follows `items` (a sequence still to read) from field `field`, whose text so far is `acc`
/// (`None`: not one literal), with the fields done so far in `done`; each alternative's fields
/// go to `out` (an alternative with no string adds nothing).
fn walk(
    mut items: Vec<&Re>,
    mut field: usize,
    mut acc: Option<String>,
    mut done: Heads,
    out: &mut Vec<Heads>,
    budget: &mut usize,
) {
    let finish = |mut done: Heads, out: &mut Vec<Heads>| {
        done.resize(FIELDS, None);
        out.push(done);
    };
    items.reverse();
    while let Some(item) = items.pop() {
        if field >= FIELDS {
            break;
        }
        match item {
            Re::Empty => return,
            Re::Eps => {}
            Re::Class(Class::In(chars)) if chars.len() == 1 => {
                if chars.first() == Some(&':') {
                    done.push(acc.take());
                    field += 1;
                    acc = Some(String::new());
                } else if let (Some(text), Some(c)) = (acc.as_mut(), chars.first()) {
                    text.push(*c);
                }
            }
            Re::Concat(parts) => items.extend(parts.iter().rev()),
            Re::Union(alternatives) => {
                if *budget < alternatives.len() {
                    *budget = 0;
                    return;
                }
                *budget -= alternatives.len();
                for alternative in alternatives {
                    let mut rest: Vec<&Re> = items.iter().rev().copied().collect();
                    rest.insert(0, alternative);
                    walk(rest, field, acc.clone(), done.clone(), out, budget);
                    if *budget == 0 {
                        return;
                    }
                }
                return;
            }
            other if !may_colon(other) => acc = None,
            // A part that may hold a colon: which field follows is no longer known.
            _ => break,
        }
    }
    // The string may end here (or the walk gave up): the field being read, and the later
    // ones, are unknown (a string without them has none).
    finish(done, out);
}

#[cfg(test)]
mod field_tests {
    use super::*;
    use crate::regex::Lazy;

    /// A resource pattern as the encoder reads it (D11): in the first five fields `?` and a
    /// `*` within the field stay in it, a `*` ending a field crosses colons.
    fn resource_glob(pattern: &str) -> Re {
        let mut parts = Vec::new();
        for (index, field) in pattern.splitn(6, ':').enumerate() {
            if index > 0 {
                parts.push(Re::lit(":"));
            }
            let chars: Vec<char> = field.chars().collect();
            for (at, c) in chars.iter().enumerate() {
                parts.push(match (c, index < 5) {
                    ('*', true) if at + 1 == chars.len() => Re::all(),
                    ('*', true) => Re::star(Re::Class(Class::not([':']))),
                    ('?', true) => Re::Class(Class::not([':'])),
                    ('*', false) => Re::all(),
                    ('?', false) => Re::Class(Class::any()),
                    (c, _) => Re::Class(Class::one(*c)),
                });
            }
        }
        Re::concat(parts)
    }

    fn fields_of(text: &str) -> Vec<&str> {
        text.split(':').take(FIELDS).collect()
    }

    /// Every field set `arn_fields` claims holds for strings of the language, and every pair
    /// of languages it calls disjoint (some field's known sets disjoint) shares no string,
    /// by an exhaustive search of the pair's product.
    fn check_lemmas(named: &[(String, Re)]) -> usize {
        let heads: Vec<Vec<Option<Vec<String>>>> =
            named.iter().map(|(_, re)| arn_fields(re)).collect();
        for ((name, re), head) in named.iter().zip(&heads) {
            let mut lazy = Lazy::new(&Re::all(), std::slice::from_ref(re)).unwrap();
            let Some(text) = lazy.realize(&[(0, true)]).unwrap() else {
                continue;
            };
            let fields = fields_of(&text);
            for (field, set) in head.iter().enumerate() {
                if let Some(set) = set {
                    let value = fields.get(field).map(|f| (*f).to_owned());
                    assert!(
                        value.is_some_and(|v| set.contains(&v)),
                        "{name}: `{text}` field {field} not in {set:?}"
                    );
                }
            }
        }
        let mut disjoint = 0;
        for (i, a) in heads.iter().enumerate() {
            for (j, b) in heads.iter().enumerate().skip(i + 1) {
                let apart = a.iter().zip(b).any(|(x, y)| match (x, y) {
                    (Some(x), Some(y)) => !x.iter().any(|v| y.contains(v)),
                    _ => false,
                });
                if !apart {
                    continue;
                }
                disjoint += 1;
                let pair = [named[i].1.clone(), named[j].1.clone()];
                let mut lazy = Lazy::new(&Re::all(), &pair).unwrap();
                assert_eq!(
                    lazy.realize(&[(0, true), (1, true)]).unwrap(),
                    None,
                    "{} and {} were called disjoint",
                    named[i].0,
                    named[j].0
                );
            }
        }
        disjoint
    }

    #[test]
    fn field_lemmas_hold_on_patterns_that_cross_fields() {
        let patterns = [
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3*",
            "arn:aws:s3:*",
            "arn:*:s3:::*",
            "arn:aws:ec2:*:*:instance/*",
            "arn:aws:ec2*:*:*:*",
            "arn:aws:e?2:*:*:*",
            "arn:aws:*:*:*:*",
            "arn:aws:iam::*:role/x",
            "arn:aws:iam::111122223333:role/*",
            "arn:aws:iam::111122223333*",
            "arn:aws:sqs:us-east-1:111122223333:q",
            "arn:aws:sqs:us-east-1:*",
            "arn:aws-cn:sqs:*:*:*",
            "arn:*",
            "arn:aws:s3:::a:b:c",
            "arn:aws:kms:*:444455556666:key/*",
        ];
        let mut named: Vec<(String, Re)> = patterns
            .iter()
            .map(|p| ((*p).to_owned(), resource_glob(p)))
            .collect();
        for template in [
            "arn:${Partition}:s3:::${BucketName}",
            "arn:${Partition}:s3:::${BucketName}/${ObjectName}",
            "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}",
            "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
            "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}",
            "arn:${Partition}:kms:${Region}:${Account}:key/${KeyId}",
        ] {
            named.push((template.to_owned(), crate::space::template_re(template)));
        }
        let templates: Vec<String> = crate::actions::all_templates().take(60).cloned().collect();
        named.push((
            "sixty shapes".to_owned(),
            crate::space::shapes_re(&templates),
        ));
        named.push((
            "a union of services".to_owned(),
            Re::union(vec![
                resource_glob("arn:aws:s3:::b"),
                resource_glob("arn:aws:sqs:*:*:q"),
            ]),
        ));
        // The domain's account-field languages (`finish`'s tags).
        named.push((
            "account 111122223333".to_owned(),
            crate::symbolic::resource_shape(Re::lit("111122223333")),
        ));
        named.push((
            "empty account".to_owned(),
            crate::symbolic::resource_shape(Re::Eps),
        ));
        let disjoint = check_lemmas(&named);
        // The lemmas must say something: S3 against EC2, accounts against each other.
        assert!(disjoint > 50, "{disjoint}");
        // And nothing about a `*` that crosses fields.
        let crossing = arn_fields(&resource_glob("arn:aws:s3*"));
        assert_eq!(crossing[2], None);
        assert_eq!(crossing[1], Some(vec!["aws".to_owned()]));
        let ec2 = arn_fields(&resource_glob("arn:aws:ec2*:*:*:*"));
        assert_eq!(ec2[2], None);
    }

    #[test]
    fn field_lemmas_hold_on_the_corpus_patterns() {
        let Ok(Some(policies)) = iamspec_corpus::ManagedPolicy::load_shared() else {
            eprintln!("skipped: no managed-policy corpus in ../shared");
            return;
        };
        let mut named: Vec<(String, Re)> = Vec::new();
        for policy in policies.iter().step_by(7) {
            let text = policy.document.to_string();
            for piece in text.split('"') {
                if piece.starts_with("arn:")
                    && !piece.contains("${")
                    && named.len() < 160
                    && !named.iter().any(|(n, _)| n == piece)
                {
                    named.push((piece.to_owned(), resource_glob(piece)));
                }
            }
        }
        for template in crate::actions::all_templates().step_by(97).take(60) {
            named.push((template.clone(), crate::space::template_re(template)));
        }
        let disjoint = check_lemmas(&named);
        assert!(disjoint > 100, "{disjoint}");
    }
}
