//! The symbolic request: z3 constants for every part of a request, constrained to exactly the
//! requests the conformance format accepts (within the domain the README describes), and the
//! context keys the policies mention.
//!
//! Strings are represented one of two ways ([`Mode`]): as regions of a finite partition
//! (`strings.rs`), or as z3 string constants, the fallback for what the partition cannot
//! represent (policy variables, patterns that look inside account ids).

use crate::actions::ActionDomain;
use crate::domain::{Domain, KeyType, KeyUse};
use crate::err::Unsupported;
use crate::regex::{Class, Re};
use crate::smt::{self, Expr, Problem, Sort};
use std::collections::BTreeMap;

/// How strings are encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Finite partitions of each string domain; z3 sees integers only.
    Partition,
    /// z3's theory of strings and regular expressions.
    Strings,
}

/// The kinds of caller, as the `k` constant numbers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CallerKind {
    Root = 0,
    User = 1,
    /// A role session whose session ARN is known.
    RoleSession = 2,
    /// A role ARN as the principal: a session of unknown name (D41).
    Role = 3,
    FederatedUser = 4,
    Service = 5,
    IdentityProvider = 6,
    Anonymous = 7,
}

impl CallerKind {
    pub const ALL: [CallerKind; 8] = [
        CallerKind::Root,
        CallerKind::User,
        CallerKind::RoleSession,
        CallerKind::Role,
        CallerKind::FederatedUser,
        CallerKind::Service,
        CallerKind::IdentityProvider,
        CallerKind::Anonymous,
    ];

    pub fn from_index(n: i64) -> Option<CallerKind> {
        CallerKind::ALL.into_iter().find(|k| *k as i64 == n)
    }

    pub fn has_account(self) -> bool {
        self <= CallerKind::FederatedUser
    }
}

/// One value of a context key.
#[derive(Clone, Debug)]
pub enum Slot {
    /// A string: its z3 constant in `Strings` mode; in `Partition` mode its tests are atoms.
    Str(Option<Expr>),
    /// Region index: 0 not a number, then below, at and between the constants.
    Num(Expr),
    Date(Expr),
    /// `kind`: 0 not an address, 1 IPv4, 2 IPv6.
    Ip {
        kind: Expr,
        v4: Expr,
        v6: Expr,
    },
}

/// A context key the policies mention.
#[derive(Clone, Debug)]
pub struct KeyVar {
    /// The key as first written.
    pub name: String,
    pub lowercase: String,
    /// Derived keys (D40) take their value from the principal or the resource.
    pub derived: bool,
    pub ty: KeyType,
    pub present: Expr,
    pub multi: Expr,
    pub slots: Vec<Slot>,
    /// Whether slot `i` holds a value (given `present`).
    pub active: Vec<Expr>,
    /// Constant names, for reading the model back.
    pub names: KeyNames,
}

#[derive(Clone, Debug, Default)]
pub struct KeyNames {
    pub present: String,
    pub multi: String,
    pub count: Option<String>,
    pub slots: Vec<String>,
}

impl KeyVar {
    /// Present with exactly one value.
    pub fn single(&self) -> Expr {
        smt::and([self.present.clone(), smt::not(&self.multi)])
    }
}

/// The string constants of `Strings` mode.
pub struct Z3Strings {
    /// `aws:userid` of users and role sessions (D84).
    pub uid: Expr,
    pub acct: Expr,
    /// The principal as a string, per kind (see `principal_subject` in strings.rs).
    pub subjects: Vec<(CallerKind, Expr)>,
    pub res: Expr,
    pub racct_present: Expr,
    pub racct: Expr,
    /// Derived key values (lowercase key → term).
    pub derived: BTreeMap<String, Expr>,
}

/// The region constants of `Partition` mode.
pub struct Regions {
    /// Named accounts, then two unnamed ones.
    pub accounts: Vec<String>,
    /// The principal's region (over all kinds).
    pub preg: Expr,
    pub acct_id: Expr,
    /// The resource ARN's region.
    pub rreg: Expr,
    /// 0: no resource account; 2: account `racct_id`; 1 (the ARN's own account field when it is
    /// not an account id) is ruled out since D72: such a field names no owner.
    pub racct_mode: Expr,
    pub racct_id: Expr,
}

pub enum Strs {
    Z3(Z3Strings),
    Partition(Regions),
}

/// The symbolic request.
pub struct SymRequest {
    pub mode: Mode,
    pub kind: Expr,
    pub act: Expr,
    pub rany: Expr,
    pub strs: Strs,
    pub keys: BTreeMap<String, KeyVar>,
}

pub fn lit(text: &str) -> Expr {
    // Only called with ASCII constants of the encoding.
    smt::str_lit(text).unwrap_or_else(|_| Expr::raw("\"\""))
}

fn no(c: char) -> Re {
    Re::Class(Class::not([c]))
}

/// The strings a caller of `kind` is written as, with its account from `accounts` (see the
/// README: role sessions are their role ARN, `/`, and the session name).
pub fn principal_shape(kind: CallerKind, accounts: &Re) -> Re {
    use CallerKind::*;
    // IAM names never contain `:` (nor `/`, which ends the path): D85.
    let name = || Re::plus(Re::Class(Class::not([':', '/'])));
    let path_and_name = || {
        Re::concat(vec![
            Re::opt(Re::concat(vec![Re::all(), Re::lit("/")])),
            name(),
        ])
    };
    // `arn:PARTITION:{service}ACCOUNT{resource}` followed by `rest`.
    let arn = |service: &str, resource: &str, rest: Vec<Re>| {
        let mut parts = vec![
            Re::lit("arn:"),
            Re::plus(no(':')),
            Re::lit(service),
            accounts.clone(),
            Re::lit(resource),
        ];
        parts.extend(rest);
        Re::concat(parts)
    };
    match kind {
        Root => Re::concat(vec![
            Re::lit("arn:aws:iam::"),
            accounts.clone(),
            Re::lit(":root"),
        ]),
        User => arn(":iam::", ":user/", vec![path_and_name()]),
        RoleSession => arn(
            ":iam::",
            ":role/",
            vec![path_and_name(), Re::lit("/"), name()],
        ),
        Role => arn(":iam::", ":role/", vec![path_and_name()]),
        FederatedUser => arn(":sts::", ":federated-user/", vec![name()]),
        Service => Re::concat(vec![
            Re::plus(Re::Class(Class::set(
                ('a'..='z').chain('0'..='9').chain(['.', '-']),
            ))),
            Re::lit(".amazonaws.com"),
            Re::opt(Re::lit(".cn")),
        ]),
        IdentityProvider => Re::union(vec![
            Re::lit("accounts.google.com"),
            Re::lit("graph.facebook.com"),
            Re::lit("www.amazon.com"),
            Re::concat(vec![
                Re::lit("arn:"),
                Re::plus(no(':')),
                Re::lit(":iam:"),
                Re::star(no(':')),
                Re::lit(":"),
                Re::repeat(Class::digit(), 12),
                Re::union(vec![Re::lit(":saml-provider/"), Re::lit(":oidc-provider/")]),
                Re::plus(Re::Class(Class::any())),
            ]),
        ]),
        Anonymous => Re::Eps,
    }
}

/// Any 12-digit account id.
pub fn any_account() -> Re {
    Re::repeat(Class::digit(), 12)
}

/// A resource ARN whose account field is `account` (Arn::parse).
pub fn resource_shape(account: Re) -> Re {
    Re::concat(vec![
        Re::lit("arn:"),
        Re::plus(no(':')),
        Re::lit(":"),
        Re::plus(no(':')),
        Re::lit(":"),
        Re::star(no(':')),
        Re::lit(":"),
        account,
        Re::lit(":"),
        Re::all(),
    ])
}

impl SymRequest {
    pub fn new(
        p: &mut Problem,
        mode: Mode,
        actions: &ActionDomain,
        domain: &Domain,
    ) -> Result<SymRequest, Unsupported> {
        let kind = p.declare("k", Sort::Int);
        p.assert(&smt::and([
            smt::ge(&kind, &Expr::int(0)),
            smt::lt(&kind, &Expr::int(8)),
        ]));
        let act = p.declare("act", Sort::Int);
        let classes = i64::try_from(actions.class_count()).unwrap_or(i64::MAX);
        p.assert(&smt::and([
            smt::ge(&act, &Expr::int(0)),
            smt::lt(&act, &Expr::int(classes.max(1))),
        ]));
        let rany = p.declare("rany", Sort::Bool);
        let strs = match mode {
            Mode::Strings => Strs::Z3(z3_strings(p, &kind, &rany)?),
            Mode::Partition => Strs::Partition(partition_regions(p, domain)),
        };
        let mut request = SymRequest {
            mode,
            kind,
            act,
            rany,
            strs,
            keys: BTreeMap::new(),
        };
        for (index, (lowercase, used)) in domain.keys.iter().enumerate() {
            let key = if KeyUse::is_derived(lowercase) {
                request.derived_key(lowercase, used)?
            } else {
                free_key(p, mode, index, lowercase, used)?
            };
            request.keys.insert(lowercase.clone(), key);
        }
        Ok(request)
    }

    pub fn is(&self, kind: CallerKind) -> Expr {
        smt::eq(&self.kind, &Expr::int(kind as i64))
    }

    pub fn is_any(&self, kinds: &[CallerKind]) -> Expr {
        smt::or(kinds.iter().map(|k| self.is(*k)))
    }

    pub fn has_identity_side(&self) -> Expr {
        smt::app(
            "<=",
            &[&self.kind, &Expr::int(CallerKind::FederatedUser as i64)],
        )
    }

    /// The action is one of `classes`.
    pub fn action_in(&self, classes: &[usize], total: usize) -> Expr {
        if classes.len() * 2 > total {
            let outside: Vec<usize> = (0..total).filter(|c| !classes.contains(c)).collect();
            return smt::not(&self.action_in_list(&outside));
        }
        self.action_in_list(classes)
    }

    fn action_in_list(&self, classes: &[usize]) -> Expr {
        smt::or(
            classes
                .iter()
                .map(|c| smt::eq(&self.act, &Expr::int(i64::try_from(*c).unwrap_or(-1)))),
        )
    }

    /// Whether the resource has an account (`aws:ResourceAccount` is present).
    pub fn racct_present(&self) -> Expr {
        match &self.strs {
            Strs::Z3(z) => z.racct_present.clone(),
            Strs::Partition(r) => smt::not(&smt::eq(&r.racct_mode, &Expr::int(0))),
        }
    }

    fn derived_key(&self, lowercase: &str, used: &KeyUse) -> Result<KeyVar, Unsupported> {
        if used.key_type()? != KeyType::String {
            return Err(Unsupported::new(format!(
                "the derived key `{}` compared as a number, date or IP address",
                used.name
            )));
        }
        use CallerKind::*;
        let present = match lowercase {
            "aws:principalarn" | "aws:principalaccount" => self.has_identity_side(),
            "aws:principaltype" => smt::or([self.has_identity_side(), self.is(Anonymous)]),
            "aws:username" => self.is(User),
            // Every caller but service principals and identity providers (D40, D84).
            "aws:userid" => self.is_any(&[Root, User, RoleSession, Role, FederatedUser, Anonymous]),
            // Signed requests only (D62): not anonymous, not an identity provider's call.
            "aws:principalisawsservice" => smt::not(&self.is_any(&[IdentityProvider, Anonymous])),
            "aws:principalservicename" => self.is(Service),
            "aws:resourceaccount" => self.racct_present(),
            other => {
                return Err(Unsupported::new(format!(
                    "internal: `{other}` is not a derived key"
                )))
            }
        };
        let term = match &self.strs {
            Strs::Z3(z) => z.derived.get(lowercase).cloned(),
            Strs::Partition(_) => None,
        };
        Ok(KeyVar {
            name: used.name.clone(),
            lowercase: lowercase.to_owned(),
            derived: true,
            ty: KeyType::String,
            present,
            multi: Expr::f(),
            slots: vec![Slot::Str(term)],
            active: vec![Expr::t()],
            names: KeyNames::default(),
        })
    }
}

/// Unnamed account ids for the partition: two, so that caller and resource can both be
/// outside the named accounts and still differ.
fn fresh_accounts(named: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut n: u64 = 123_456_789_012;
    while out.len() < 2 {
        let candidate = format!("{n:012}");
        if !named.contains(&candidate) {
            out.push(candidate);
        }
        n += 111_111_111_111;
        n %= 1_000_000_000_000;
    }
    out
}

fn partition_regions(p: &mut Problem, domain: &Domain) -> Regions {
    let mut accounts = domain.accounts.clone();
    accounts.extend(fresh_accounts(&domain.accounts));
    let preg = p.declare("preg", Sort::Int);
    let acct_id = p.declare("acct_id", Sort::Int);
    let rreg = p.declare("rreg", Sort::Int);
    let racct_mode = p.declare("racct_mode", Sort::Int);
    let racct_id = p.declare("racct_id", Sort::Int);
    let n = i64::try_from(accounts.len()).unwrap_or(i64::MAX);
    p.assert(&smt::and([
        smt::ge(&acct_id, &Expr::int(0)),
        smt::lt(&acct_id, &Expr::int(n)),
        smt::ge(&racct_id, &Expr::int(0)),
        smt::lt(&racct_id, &Expr::int(n)),
        smt::ge(&racct_mode, &Expr::int(0)),
        smt::app("<=", &[&racct_mode, &Expr::int(2)]),
    ]));
    Regions {
        accounts,
        preg,
        acct_id,
        rreg,
        racct_mode,
        racct_id,
    }
}

fn any_kind(kind: &Expr, kinds: &[CallerKind]) -> Expr {
    smt::or(kinds.iter().map(|k| smt::eq(kind, &Expr::int(*k as i64))))
}

/// `Strings` mode: the principal's parts, the resource ARN and its account as z3 strings,
/// constrained as Caller::parse, Arn::parse and Request::new require.
fn z3_strings(p: &mut Problem, kind: &Expr, rany: &Expr) -> Result<Z3Strings, Unsupported> {
    use CallerKind::*;
    let s = |p: &mut Problem, name: &str| p.declare(name, Sort::String);
    let is = |k: CallerKind| smt::eq(kind, &Expr::int(k as i64));
    let has_account = smt::app("<=", &[kind, &Expr::int(FederatedUser as i64)]);
    let acct = s(p, "acct");
    let part = s(p, "part");
    let upath = s(p, "upath");
    let uname = s(p, "uname");
    let rpath = s(p, "rpath");
    let rname = s(p, "rname");
    let sname = s(p, "sname");
    let fname = s(p, "fname");
    let svc = s(p, "svc");
    let idp = s(p, "idp");
    // The unique id AWS sends as `aws:userid` for users and role sessions (D84).
    let uid = s(p, "uid");
    let no_colon = |e: &Expr| smt::not(&smt::app("str.contains", &[e, &lit(":")]));
    let no_slash = |e: &Expr| smt::not(&smt::app("str.contains", &[e, &lit("/")]));
    let nonempty = |e: &Expr| smt::app(">", &[&smt::len(e), &Expr::int(0)]);
    let path = |e: &Expr| {
        smt::or([
            smt::eq(e, &lit("")),
            smt::app("str.suffixof", &[&lit("/"), e]),
        ])
    };
    p.assert(&smt::implies(
        &has_account,
        &smt::in_re(&acct, &any_account().to_smt()?),
    ));
    p.assert(&smt::implies(
        &any_kind(kind, &[User, RoleSession, Role, FederatedUser]),
        &smt::and([nonempty(&part), no_colon(&part)]),
    ));
    p.assert(&smt::implies(
        &is(User),
        &smt::and([
            path(&upath),
            nonempty(&uname),
            no_slash(&uname),
            no_colon(&uname),
        ]),
    ));
    p.assert(&smt::implies(
        &any_kind(kind, &[RoleSession, Role]),
        &smt::and([
            path(&rpath),
            nonempty(&rname),
            no_slash(&rname),
            no_colon(&rname),
        ]),
    ));
    p.assert(&smt::implies(
        &is(RoleSession),
        &smt::and([nonempty(&sname), no_slash(&sname), no_colon(&sname)]),
    ));
    p.assert(&smt::implies(
        &is(FederatedUser),
        &smt::and([nonempty(&fname), no_slash(&fname), no_colon(&fname)]),
    ));
    p.assert(&smt::implies(
        &is(Service),
        &smt::in_re(&svc, &principal_shape(Service, &Re::Empty).to_smt()?),
    ));
    p.assert(&smt::implies(
        &is(IdentityProvider),
        &smt::in_re(
            &idp,
            &principal_shape(IdentityProvider, &Re::Empty).to_smt()?,
        ),
    ));
    let cat = |parts: Vec<Expr>| smt::concat(&parts);
    let user_arn = p.define(
        "user_arn",
        Sort::String,
        cat(vec![
            lit("arn:"),
            part.clone(),
            lit(":iam::"),
            acct.clone(),
            lit(":user/"),
            upath,
            uname.clone(),
        ]),
    );
    let role_arn = p.define(
        "role_arn",
        Sort::String,
        cat(vec![
            lit("arn:"),
            part.clone(),
            lit(":iam::"),
            acct.clone(),
            lit(":role/"),
            rpath.clone(),
            rname.clone(),
        ]),
    );
    let fed_arn = p.define(
        "fed_arn",
        Sort::String,
        cat(vec![
            lit("arn:"),
            part,
            lit(":sts::"),
            acct.clone(),
            lit(":federated-user/"),
            fname.clone(),
        ]),
    );
    let root_arn = cat(vec![lit("arn:aws:iam::"), acct.clone(), lit(":root")]);
    let subjects = vec![
        (Root, root_arn.clone()),
        (User, user_arn.clone()),
        (RoleSession, cat(vec![role_arn.clone(), lit("/"), sname])),
        (Role, role_arn.clone()),
        (FederatedUser, fed_arn.clone()),
        (Service, svc.clone()),
        (IdentityProvider, idp),
        (Anonymous, lit("")),
    ];

    // The resource: an ARN (Arn::parse) and its account (Request::new).
    let res = s(p, "res");
    let rpart = s(p, "rpart");
    let rsvc = s(p, "rsvc");
    let rreg = s(p, "rreg");
    let racc = s(p, "racc");
    let rrest = s(p, "rrest");
    p.assert(&smt::implies(
        &smt::not(rany),
        &smt::and([
            smt::eq(
                &res,
                &cat(vec![
                    lit("arn:"),
                    rpart.clone(),
                    lit(":"),
                    rsvc.clone(),
                    lit(":"),
                    rreg.clone(),
                    lit(":"),
                    racc.clone(),
                    lit(":"),
                    rrest,
                ]),
            ),
            // A partition name, a region code or nothing, 12 digits, `aws` or nothing (D87).
            smt::in_re(&rpart, &crate::space::partition_name().to_smt()?),
            nonempty(&rsvc),
            no_colon(&rsvc),
            smt::in_re(&rreg, &crate::space::region_field().to_smt()?),
            smt::in_re(&racc, &crate::space::account_field().to_smt()?),
        ]),
    ));
    let racct_present = p.declare("racct_present", Sort::Bool);
    let racct = s(p, "racct");
    // Only a 12-digit account field names the owner (D72).
    let arn_account = smt::and([smt::not(rany), smt::in_re(&racc, &any_account().to_smt()?)]);
    // Given explicitly (12 digits), or the ARN's, or the caller's account.
    p.assert(&smt::implies(
        &racct_present,
        &smt::or([
            smt::in_re(&racct, &any_account().to_smt()?),
            smt::and([arn_account.clone(), smt::eq(&racct, &racc)]),
            smt::and([has_account.clone(), smt::eq(&racct, &acct)]),
        ]),
    ));
    p.assert(&smt::implies(
        &smt::not(&racct_present),
        &smt::and([smt::not(&has_account), smt::not(&arn_account)]),
    ));
    // An ARN that names a 12-digit account names the owner (D61, D85).
    p.assert(&smt::implies(
        &smt::and([smt::not(rany), smt::in_re(&racc, &any_account().to_smt()?)]),
        &smt::and([racct_present.clone(), smt::eq(&racct, &racc)]),
    ));

    let mut derived = BTreeMap::new();
    let d = |p: &mut Problem, e: Expr| p.define("derived", Sort::String, e);
    derived.insert(
        "aws:principalarn".to_owned(),
        d(
            p,
            smt::ite(
                &is(Root),
                &root_arn,
                &smt::ite(
                    &is(User),
                    &user_arn,
                    &smt::ite(&any_kind(kind, &[RoleSession, Role]), &role_arn, &fed_arn),
                ),
            ),
        ),
    );
    derived.insert("aws:principalaccount".to_owned(), acct.clone());
    derived.insert(
        "aws:principaltype".to_owned(),
        d(
            p,
            smt::ite(
                &is(Root),
                &lit("Account"),
                &smt::ite(
                    &is(User),
                    &lit("User"),
                    &smt::ite(
                        &any_kind(kind, &[RoleSession, Role]),
                        &lit("AssumedRole"),
                        &smt::ite(&is(FederatedUser), &lit("FederatedUser"), &lit("Anonymous")),
                    ),
                ),
            ),
        ),
    );
    derived.insert("aws:username".to_owned(), uname.clone());
    derived.insert(
        "aws:userid".to_owned(),
        d(
            p,
            smt::ite(
                &is(Root),
                &acct,
                &smt::ite(
                    &is(FederatedUser),
                    &cat(vec![acct.clone(), lit(":"), fname.clone()]),
                    &smt::ite(
                        &any_kind(kind, &[User, RoleSession, Role]),
                        &uid,
                        &lit("anonymous"),
                    ),
                ),
            ),
        ),
    );
    derived.insert(
        "aws:principalisawsservice".to_owned(),
        d(p, smt::ite(&is(Service), &lit("true"), &lit("false"))),
    );
    derived.insert("aws:principalservicename".to_owned(), svc.clone());
    derived.insert("aws:resourceaccount".to_owned(), racct.clone());
    Ok(Z3Strings {
        uid,
        acct,
        subjects,
        res,
        racct_present,
        racct,
        derived,
    })
}

/// A key the context sets freely: present or not, one value or several.
fn free_key(
    p: &mut Problem,
    mode: Mode,
    index: usize,
    lowercase: &str,
    used: &KeyUse,
) -> Result<KeyVar, Unsupported> {
    let ty = used.key_type()?;
    let base = format!("key{index}");
    let present_name = format!("{base}_present");
    let multi_name = format!("{base}_multi");
    let present = p.declare(&present_name, Sort::Bool);
    let multi = p.declare(&multi_name, Sort::Bool);
    // One value per distinct qualified clause suffices: each `ForAnyValue` that holds needs one
    // witness value and each `ForAllValues` that fails one counterexample; dropping the other
    // values changes no clause (see the README).
    let n = used.qualified.max(1);
    let mut names = KeyNames {
        present: present_name,
        multi: multi_name,
        count: None,
        slots: Vec::new(),
    };
    let mut active = vec![Expr::t()];
    if n > 1 {
        let count_name = format!("{base}_count");
        let count = p.declare(&count_name, Sort::Int);
        p.assert(&smt::and([
            smt::ge(&count, &Expr::int(1)),
            smt::app(
                "<=",
                &[&count, &Expr::int(i64::try_from(n).unwrap_or(i64::MAX))],
            ),
        ]));
        for i in 1..n {
            active.push(smt::and([
                multi.clone(),
                smt::app(
                    ">",
                    &[&count, &Expr::int(i64::try_from(i).unwrap_or(i64::MAX))],
                ),
            ]));
        }
        names.count = Some(count_name);
    }
    let mut slots = Vec::with_capacity(n);
    for i in 0..n {
        let name = format!("{base}_v{i}");
        let slot = match &ty {
            KeyType::String => match mode {
                Mode::Strings => Slot::Str(Some(p.declare(&name, Sort::String))),
                Mode::Partition => Slot::Str(None),
            },
            KeyType::Numeric(constants) => {
                let v = p.declare(&name, Sort::Int);
                let top = i64::try_from(2 * constants.len() + 1).unwrap_or(i64::MAX);
                p.assert(&smt::and([
                    smt::ge(&v, &Expr::int(0)),
                    smt::app("<=", &[&v, &Expr::int(top)]),
                ]));
                Slot::Num(v)
            }
            KeyType::Date(constants) => {
                let v = p.declare(&name, Sort::Int);
                let top = i64::try_from(2 * constants.len() + 1).unwrap_or(i64::MAX);
                p.assert(&smt::and([
                    smt::ge(&v, &Expr::int(0)),
                    smt::app("<=", &[&v, &Expr::int(top)]),
                ]));
                for region in crate::values::empty_date_regions(constants) {
                    p.assert(&smt::not(&smt::eq(&v, &Expr::int(region))));
                }
                Slot::Date(v)
            }
            KeyType::Ip => {
                let kind = p.declare(&format!("{name}_kind"), Sort::Int);
                p.assert(&smt::and([
                    smt::ge(&kind, &Expr::int(0)),
                    smt::app("<=", &[&kind, &Expr::int(2)]),
                ]));
                let v4 = p.declare(&format!("{name}_v4"), Sort::Bv(32));
                let v6 = p.declare(&format!("{name}_v6"), Sort::Bv(128));
                Slot::Ip { kind, v4, v6 }
            }
        };
        names.slots.push(name);
        slots.push(slot);
    }
    Ok(KeyVar {
        name: used.name.clone(),
        lowercase: lowercase.to_owned(),
        derived: false,
        ty,
        present,
        multi,
        slots,
        active,
        names,
    })
}
