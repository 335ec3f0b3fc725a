//! A small SMT-LIB 2 text builder and the bridge to z3.
//!
//! The encoding is written as SMT-LIB text and handed to z3 with `Solver::from_string`, rather
//! than built with the `z3` crate's AST functions, because libz3 4.8.12 lacks several of the C
//! functions the crate uses for strings (`Z3_mk_re_allchar`, `Z3_mk_char`, `Z3_mk_u32string`),
//! and `Z3_mk_string` reads non-ASCII text byte by byte. In SMT-LIB text every character is
//! written as a `\u{...}` escape, `re.allchar` exists, and the whole problem can be dumped for a
//! bug report.

use crate::err::Unsupported;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::rc::Rc;
use std::time::Duration;
use z3::{ast, SatResult, Solver, Tactic};

static DUMPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// z3 checks made by this process (a deterministic measure of a query's work, beside its time).
static CHECKS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many z3 checks this process has made so far.
pub fn checks() -> usize {
    CHECKS.load(std::sync::atomic::Ordering::Relaxed)
}

/// The largest character z3 4.8.12 represents (`\u{2ffff}`).
pub const MAX_CHAR: u32 = 0x2_FFFF;

/// An SMT-LIB expression: a constant truth value (so that `and`/`or` fold away) or text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expr {
    Bool(bool),
    Term(Rc<str>),
}

impl Expr {
    pub fn t() -> Expr {
        Expr::Bool(true)
    }
    pub fn f() -> Expr {
        Expr::Bool(false)
    }
    pub fn raw(text: impl Into<String>) -> Expr {
        Expr::Term(Rc::from(text.into()))
    }
    pub fn int(n: i64) -> Expr {
        if n < 0 {
            Expr::raw(format!("(- {})", n.unsigned_abs()))
        } else {
            Expr::raw(n.to_string())
        }
    }
    pub fn text(&self) -> &str {
        match self {
            Expr::Bool(true) => "true",
            Expr::Bool(false) => "false",
            Expr::Term(text) => text,
        }
    }
    pub fn is_true(&self) -> bool {
        *self == Expr::Bool(true)
    }
    pub fn is_false(&self) -> bool {
        *self == Expr::Bool(false)
    }
}

/// `(op a b ...)`.
pub fn app(op: &str, args: &[&Expr]) -> Expr {
    let mut text =
        String::with_capacity(16 + args.iter().map(|a| a.text().len() + 1).sum::<usize>());
    text.push('(');
    text.push_str(op);
    for arg in args {
        text.push(' ');
        text.push_str(arg.text());
    }
    text.push(')');
    Expr::raw(text)
}

pub fn and(items: impl IntoIterator<Item = Expr>) -> Expr {
    let mut kept = Vec::new();
    for item in items {
        match item {
            Expr::Bool(true) => {}
            Expr::Bool(false) => return Expr::f(),
            term => {
                if !kept.contains(&term) {
                    kept.push(term)
                }
            }
        }
    }
    match kept.len() {
        0 => Expr::t(),
        1 => kept.pop().unwrap_or_else(Expr::t),
        _ => app("and", &kept.iter().collect::<Vec<_>>()),
    }
}

pub fn or(items: impl IntoIterator<Item = Expr>) -> Expr {
    let mut kept = Vec::new();
    for item in items {
        match item {
            Expr::Bool(false) => {}
            Expr::Bool(true) => return Expr::t(),
            term => {
                if !kept.contains(&term) {
                    kept.push(term)
                }
            }
        }
    }
    match kept.len() {
        0 => Expr::f(),
        1 => kept.pop().unwrap_or_else(Expr::f),
        _ => app("or", &kept.iter().collect::<Vec<_>>()),
    }
}

pub fn not(e: &Expr) -> Expr {
    match e {
        Expr::Bool(b) => Expr::Bool(!b),
        term => app("not", &[term]),
    }
}

pub fn implies(a: &Expr, b: &Expr) -> Expr {
    or([not(a), b.clone()])
}

pub fn iff(a: &Expr, b: &Expr) -> Expr {
    match (a, b) {
        (Expr::Bool(x), Expr::Bool(y)) => Expr::Bool(x == y),
        (Expr::Bool(true), other) | (other, Expr::Bool(true)) => other.clone(),
        (Expr::Bool(false), other) | (other, Expr::Bool(false)) => not(other),
        _ => app("=", &[a, b]),
    }
}

pub fn xor(a: &Expr, b: &Expr) -> Expr {
    not(&iff(a, b))
}

pub fn eq(a: &Expr, b: &Expr) -> Expr {
    if a == b {
        Expr::t()
    } else {
        app("=", &[a, b])
    }
}

pub fn ite(c: &Expr, a: &Expr, b: &Expr) -> Expr {
    match c {
        Expr::Bool(true) => a.clone(),
        Expr::Bool(false) => b.clone(),
        _ if a == b => a.clone(),
        _ => app("ite", &[c, a, b]),
    }
}

/// Boolean `ite`, folded when a branch is constant.
pub fn bool_ite(c: &Expr, a: &Expr, b: &Expr) -> Expr {
    match (a, b) {
        (Expr::Bool(true), _) => or([c.clone(), b.clone()]),
        (Expr::Bool(false), _) => and([not(c), b.clone()]),
        (_, Expr::Bool(true)) => or([not(c), a.clone()]),
        (_, Expr::Bool(false)) => and([c.clone(), a.clone()]),
        _ => ite(c, a, b),
    }
}

/// An SMT-LIB string literal of `text`; every character outside printable ASCII, and `\` and
/// `"`, is written `\u{...}`, the only escape z3 4.8.12 reads without ambiguity.
pub fn str_lit(text: &str) -> Result<Expr, Unsupported> {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        let code = u32::from(c);
        if code > MAX_CHAR {
            return Err(Unsupported::new(format!(
                "the character U+{code:04X} in `{text}` is beyond z3's alphabet (U+2FFFF)"
            )));
        }
        if (0x20..0x7f).contains(&code) && c != '\\' && c != '"' {
            out.push(c);
        } else {
            let _ = write!(out, "\\u{{{code:x}}}");
        }
    }
    out.push('"');
    Ok(Expr::raw(out))
}

pub fn concat(parts: &[Expr]) -> Expr {
    match parts {
        [] => Expr::raw("\"\""),
        [one] => one.clone(),
        _ => app("str.++", &parts.iter().collect::<Vec<_>>()),
    }
}

pub fn in_re(s: &Expr, re: &Expr) -> Expr {
    app("str.in_re", &[s, re])
}

pub fn re_lit(text: &str) -> Result<Expr, Unsupported> {
    Ok(app("str.to_re", &[&str_lit(text)?]))
}

pub fn re_concat(parts: &[Expr]) -> Expr {
    match parts {
        [] => Expr::raw("(str.to_re \"\")"),
        [one] => one.clone(),
        _ => app("re.++", &parts.iter().collect::<Vec<_>>()),
    }
}

pub fn re_union(parts: &[Expr]) -> Expr {
    match parts {
        [] => Expr::raw("re.none"),
        [one] => one.clone(),
        _ => app("re.union", &parts.iter().collect::<Vec<_>>()),
    }
}

pub fn re_inter(parts: &[Expr]) -> Expr {
    match parts {
        [] => Expr::raw("re.all"),
        [one] => one.clone(),
        _ => app("re.inter", &parts.iter().collect::<Vec<_>>()),
    }
}

pub fn re_star(re: &Expr) -> Expr {
    app("re.*", &[re])
}

pub fn re_allchar() -> Expr {
    Expr::raw("re.allchar")
}

/// Every string.
pub fn re_all() -> Expr {
    Expr::raw("re.all")
}

/// One character other than `:`.
pub fn re_no_colon() -> Expr {
    Expr::raw("(re.union (re.range \"\\u{0}\" \"9\") (re.range \";\" \"\\u{2ffff}\"))")
}

pub fn len(s: &Expr) -> Expr {
    app("str.len", &[s])
}

pub fn substr(s: &Expr, offset: &Expr, length: &Expr) -> Expr {
    app("str.substr", &[s, offset, length])
}

pub fn add(items: &[Expr]) -> Expr {
    let mut constant: i64 = 0;
    let mut terms: Vec<Expr> = Vec::new();
    for item in items {
        match item.text().parse::<i64>() {
            Ok(n) => constant += n,
            Err(_) => terms.push(item.clone()),
        }
    }
    if constant != 0 || terms.is_empty() {
        terms.push(Expr::int(constant));
    }
    match terms.as_slice() {
        [one] => one.clone(),
        _ => app("+", &terms.iter().collect::<Vec<_>>()),
    }
}

pub fn sub(a: &Expr, b: &Expr) -> Expr {
    app("-", &[a, b])
}

pub fn ge(a: &Expr, b: &Expr) -> Expr {
    app(">=", &[a, b])
}

pub fn lt(a: &Expr, b: &Expr) -> Expr {
    app("<", &[a, b])
}

/// Runs `f` in a z3 context of its own. z3 keeps state in a context that grows with every
/// problem parsed into it (on one long-lived context, queries slow down several times over a
/// few hundred of them), so each query gets a fresh context and drops it; the context is made
/// ahead, while the previous query runs (`contexts`).
pub fn in_fresh_context<R: Send + Sync + 'static>(
    f: impl FnOnce() -> R + Send + Sync + 'static,
) -> R {
    crate::contexts::run(f)
}

/// A problem under construction: declarations, definitions and assertions, in order; once
/// checked, the z3 solver that holds them, reused for every further goal.
#[derive(Default)]
pub struct Problem {
    text: String,
    asserts: usize,
    names: usize,
    /// Declared constants, for the declarations a goal needs.
    declared: HashMap<String, Sort>,
    /// Names given to definitions: a goal that uses one cannot be checked incrementally.
    defined: HashSet<String>,
    uses_strings: bool,
    loaded: RefCell<Option<Loaded>>,
}

/// A solver holding the problem's text as it was when loaded.
struct Loaded {
    solver: Solver,
    text_len: usize,
    timeout: u32,
}

/// The sorts the encoding uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    Bool,
    Int,
    String,
    Bv(u32),
}

impl Sort {
    fn text(self) -> String {
        match self {
            Sort::Bool => "Bool".into(),
            Sort::Int => "Int".into(),
            Sort::String => "String".into(),
            Sort::Bv(bits) => format!("(_ BitVec {bits})"),
        }
    }
}

impl Problem {
    /// Declares a constant named `name` (which must be a plain SMT-LIB symbol, unique).
    pub fn declare(&mut self, name: &str, sort: Sort) -> Expr {
        let _ = writeln!(self.text, "(declare-const {name} {})", sort.text());
        self.declared.insert(name.to_owned(), sort);
        self.uses_strings |= sort == Sort::String;
        Expr::raw(name)
    }

    /// A fresh name with `hint` in it.
    pub fn fresh(&mut self, hint: &str) -> String {
        self.names += 1;
        format!("{hint}!{}", self.names)
    }

    /// Names `value` so that it is written once however often it is used; constants stay inline.
    pub fn define(&mut self, hint: &str, sort: Sort, value: Expr) -> Expr {
        if matches!(value, Expr::Bool(_)) || !value.text().starts_with('(') {
            return value;
        }
        let name = self.fresh(hint);
        let _ = writeln!(
            self.text,
            "(define-fun {name} () {} {})",
            sort.text(),
            value.text()
        );
        self.defined.insert(name.clone());
        Expr::raw(name)
    }

    pub fn assert(&mut self, e: &Expr) {
        if e.is_true() {
            return;
        }
        let _ = writeln!(self.text, "(assert {})", e.text());
        self.asserts += 1;
    }

    /// A solver for the problem. Partition problems (integers, Booleans, bitvectors) use z3's
    /// SMT kernel directly: the default solver's setup costs about ten times more than solving
    /// them. String problems keep the default solver, which chooses its own strategy.
    fn new_solver(&self, timeout: u32) -> Solver {
        let solver = if self.uses_strings {
            Solver::new()
        } else {
            Tactic::new("smt").solver()
        };
        let mut params = z3::Params::new();
        params.set_u32("timeout", timeout);
        solver.set_params(&params);
        solver
    }

    /// Runs z3 on the problem plus `goal`. The problem is loaded once; each goal is pushed,
    /// checked and popped, so that the witnesses of one query and the goals of another share
    /// the parsing and the solver's setup.
    pub fn check(&self, goal: &Expr, timeout: Duration) -> Result<Outcome, Unsupported> {
        CHECKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let _timed = crate::phases::enter(crate::phases::Phase::Z3Check);
        let millis = u32::try_from(timeout.as_millis()).unwrap_or(u32::MAX);
        if let Some(dir) = std::env::var_os("IAMSPEC_SMT_DUMP") {
            // Debugging aid: every problem as SMT-LIB, to replay outside the solver.
            let n = DUMPS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let path = std::path::Path::new(&dir).join(format!("problem-{n}.smt2"));
            let mut text = self.text.clone();
            if !goal.is_true() {
                let _ = writeln!(text, "(assert {})", goal.text());
            }
            let _ = std::fs::write(path, format!("{text}(check-sat)\n"));
        }
        // z3's string solver answers much sooner on a fresh solver than incrementally (after
        // a push it leaves the strategy the default solver picks for the whole problem).
        let goal_text = match self.goal_text(goal) {
            Some(text) if !self.uses_strings => text,
            _ => return self.check_alone(goal, millis),
        };
        let mut slot = self.loaded.borrow_mut();
        if slot.as_ref().is_some_and(|l| l.text_len != self.text.len()) {
            *slot = None;
        }
        let loaded = match slot.take() {
            Some(loaded) => loaded,
            None => {
                let _load = crate::phases::enter(crate::phases::Phase::Z3Load);
                let solver = self.new_solver(millis);
                solver.from_string(self.text.as_str());
                lost_assertions(&solver, self.asserts)?;
                Loaded {
                    solver,
                    text_len: self.text.len(),
                    timeout: millis,
                }
            }
        };
        if loaded.timeout != millis {
            let mut params = z3::Params::new();
            params.set_u32("timeout", millis);
            loaded.solver.set_params(&params);
        }
        let loaded = Loaded {
            timeout: millis,
            ..loaded
        };
        loaded.solver.push();
        let mut expected = self.asserts;
        if !goal.is_true() {
            loaded.solver.from_string(goal_text.as_str());
            expected += 1;
        }
        let outcome = lost_assertions(&loaded.solver, expected).map(|()| outcome(&loaded.solver));
        loaded.solver.pop(1);
        *slot = Some(loaded);
        outcome
    }

    /// The declarations `goal` needs and its assertion, or `None` when it uses a definition
    /// (then it is checked with the whole problem, in a solver of its own).
    fn goal_text(&self, goal: &Expr) -> Option<String> {
        let mut text = String::new();
        let mut seen = HashSet::new();
        for token in goal
            .text()
            .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        {
            if self.defined.contains(token) {
                return None;
            }
            if let Some(sort) = self.declared.get(token) {
                if seen.insert(token) {
                    let _ = writeln!(text, "(declare-const {token} {})", sort.text());
                }
            }
        }
        let _ = writeln!(text, "(assert {})", goal.text());
        Some(text)
    }

    fn check_alone(&self, goal: &Expr, millis: u32) -> Result<Outcome, Unsupported> {
        let load = crate::phases::enter(crate::phases::Phase::Z3Load);
        let solver = self.new_solver(millis);
        let mut text = self.text.clone();
        let mut expected = self.asserts;
        if !goal.is_true() {
            let _ = writeln!(text, "(assert {})", goal.text());
            expected += 1;
        }
        solver.from_string(text.as_str());
        lost_assertions(&solver, expected)?;
        drop(load);
        Ok(outcome(&solver))
    }
}

/// z3 drops what follows a parse error silently: a lost assertion would make a wrong `Holds`,
/// so they are counted.
fn lost_assertions(solver: &Solver, expected: usize) -> Result<(), Unsupported> {
    let found = solver.get_assertions().len();
    if found != expected {
        return Err(Unsupported::new(format!(
            "internal: z3 read {found} of the {expected} assertions of the encoding"
        )));
    }
    Ok(())
}

fn outcome(solver: &Solver) -> Outcome {
    match solver.check() {
        SatResult::Unsat => Outcome::Unsat,
        SatResult::Sat => match solver.get_model() {
            Some(model) => Outcome::Sat(ModelView { model }),
            None => Outcome::Unknown("z3 said sat without a model".to_owned()),
        },
        SatResult::Unknown => Outcome::Unknown(
            solver
                .get_reason_unknown()
                .unwrap_or_else(|| "unknown".to_owned()),
        ),
    }
}

pub enum Outcome {
    Unsat,
    /// A model of the problem and the goal.
    Sat(ModelView),
    Unknown(String),
}

/// Reads values of declared constants from a model.
pub struct ModelView {
    model: z3::Model,
}

impl ModelView {
    pub fn bool(&self, name: &str) -> Option<bool> {
        let c = ast::Bool::new_const(name);
        self.model.eval(&c, true).and_then(|v| v.as_bool())
    }

    /// A Boolean expression over declared constants: only names, so it is parsed back by
    /// declaring nothing new.
    pub fn int(&self, name: &str) -> Option<i64> {
        let c = ast::Int::new_const(name);
        self.model.eval(&c, true).and_then(|v| v.as_i64())
    }

    pub fn bv(&self, name: &str, bits: u32) -> Option<u128> {
        let c = ast::BV::new_const(name, bits);
        if bits <= 64 {
            return self
                .model
                .eval(&c, true)
                .and_then(|v| v.as_u64())
                .map(u128::from);
        }
        let low = self.model.eval(&c.extract(63, 0), true)?.as_u64()?;
        let high = self.model.eval(&c.extract(bits - 1, 64), true)?.as_u64()?;
        Some(u128::from(high) << 64 | u128::from(low))
    }

    /// The value of a string constant. z3 4.8.12 prints characters outside printable ASCII as
    /// `\u{...}` but a backslash as itself, so the text is decoded and then checked against the
    /// model; `None` if neither reading agrees.
    pub fn string(&self, name: &str) -> Option<String> {
        let c = ast::String::new_const(name);
        let value = self.model.eval(&c, true)?;
        let printed = value.as_string()?;
        [decode_escapes(&printed), Some(printed.clone())]
            .into_iter()
            .flatten()
            .find(|candidate| self.agrees(&c, candidate))
    }

    fn agrees(&self, c: &ast::String, candidate: &str) -> bool {
        // `from_str` reads `\u{...}` escapes, so the candidate is written with them.
        let Ok(Expr::Term(literal)) = str_lit(candidate) else {
            return false;
        };
        let inner = literal
            .strip_prefix('"')
            .and_then(|t| t.strip_suffix('"'))
            .unwrap_or("");
        let Ok(lit) = <ast::String as std::str::FromStr>::from_str(inner) else {
            return false;
        };
        self.model
            .eval(&c.eq(&lit), true)
            .and_then(|b| b.as_bool())
            .unwrap_or(false)
    }
}

/// Reads the `\u{...}` escapes of z3's printed strings.
fn decode_escapes(printed: &str) -> Option<String> {
    let mut out = String::with_capacity(printed.len());
    let mut rest = printed;
    while let Some(at) = rest.find("\\u{") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let after = from.get(3..)?;
        let close = after.find('}')?;
        let code = u32::from_str_radix(after.get(..close)?, 16).ok()?;
        out.push(char::from_u32(code)?);
        rest = after.get(close + 1..)?;
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_constants() {
        let x = Expr::raw("x");
        assert_eq!(and([Expr::t(), x.clone()]), x);
        assert_eq!(and([Expr::f(), x.clone()]), Expr::f());
        assert_eq!(or([Expr::f(), x.clone(), x.clone()]), x);
        assert_eq!(not(&Expr::t()), Expr::f());
        assert_eq!(add(&[Expr::int(2), Expr::int(3)]).text(), "5");
        assert_eq!(add(&[Expr::int(2), x.clone()]).text(), "(+ x 2)");
    }

    #[test]
    fn string_literals_escape_everything_unusual() {
        assert_eq!(
            str_lit("a\\\"é").unwrap().text(),
            "\"a\\u{5c}\\u{22}\\u{e9}\""
        );
        assert!(str_lit("\u{10FFFF}").is_err());
    }

    #[test]
    fn round_trips_unusual_strings_through_z3() {
        for text in ["a\\u{41}b", "é\"x\u{0}", "plain", "\\", "\u{2ffff}"] {
            let mut p = Problem::default();
            let x = p.declare("x", Sort::String);
            p.assert(&eq(&x, &str_lit(text).unwrap()));
            let Outcome::Sat(view) = p.check(&Expr::t(), Duration::from_secs(5)).unwrap() else {
                panic!("unsat")
            };
            assert_eq!(view.string("x").as_deref(), Some(text));
        }
    }

    #[test]
    fn lost_assertions_are_detected() {
        let mut p = Problem::default();
        p.assert(&Expr::raw("(= undeclared 1)"));
        assert!(p.check(&Expr::t(), Duration::from_secs(5)).is_err());
    }
}
