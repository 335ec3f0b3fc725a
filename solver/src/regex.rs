//! Regular languages over Unicode strings, and the finite partition of a string domain by the
//! languages that occur in a query.
//!
//! Every string test the encoding makes (a glob, an equality, a case-insensitive equality, an
//! `ArnLike` value, a principal ARN) is a regular language. Given the languages that test one
//! string, [`regions`] explores the product of their automata and returns every combination of
//! answers some string gives (a *region*), each with the shortest such string. z3 then only picks
//! a region number, and the witness string comes from here.
//!
//! Characters are handled by an alphabet partition: the characters some class names explicitly,
//! plus one stand-in for all the others (which every class treats alike).

use crate::err::Unsupported;
use crate::smt::{self, Expr};
use std::collections::HashMap;

/// A set of characters: these, or all but these (sorted, distinct).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    In(Vec<char>),
    NotIn(Vec<char>),
}

impl Class {
    pub fn any() -> Class {
        Class::NotIn(Vec::new())
    }
    pub fn one(c: char) -> Class {
        Class::In(vec![c])
    }
    pub fn set(chars: impl IntoIterator<Item = char>) -> Class {
        let mut v: Vec<char> = chars.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        Class::In(v)
    }
    pub fn not(chars: impl IntoIterator<Item = char>) -> Class {
        let mut v: Vec<char> = chars.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        Class::NotIn(v)
    }
    pub fn digit() -> Class {
        Class::set('0'..='9')
    }
    pub fn contains(&self, c: char) -> bool {
        match self {
            Class::In(v) => v.binary_search(&c).is_ok(),
            Class::NotIn(v) => v.binary_search(&c).is_err(),
        }
    }
    pub fn is_empty(&self) -> bool {
        matches!(self, Class::In(v) if v.is_empty())
    }
    fn chars(&self) -> &[char] {
        match self {
            Class::In(v) | Class::NotIn(v) => v,
        }
    }
}

/// A regular expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Re {
    /// No string.
    Empty,
    /// The empty string.
    Eps,
    Class(Class),
    Concat(Vec<Re>),
    Union(Vec<Re>),
    Star(Box<Re>),
    Inter(Vec<Re>),
}

impl Re {
    pub fn lit(text: &str) -> Re {
        Re::concat(text.chars().map(|c| Re::Class(Class::one(c))).collect())
    }
    /// Any string.
    pub fn all() -> Re {
        Re::star(Re::Class(Class::any()))
    }
    pub fn star(re: Re) -> Re {
        match re {
            Re::Empty | Re::Eps => Re::Eps,
            s @ Re::Star(_) => s,
            other => Re::Star(Box::new(other)),
        }
    }
    pub fn plus(re: Re) -> Re {
        Re::concat(vec![re.clone(), Re::star(re)])
    }
    pub fn opt(re: Re) -> Re {
        Re::union(vec![Re::Eps, re])
    }
    pub fn concat(parts: Vec<Re>) -> Re {
        let mut out = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                Re::Empty => return Re::Empty,
                Re::Eps => {}
                Re::Concat(inner) => out.extend(inner),
                other => out.push(other),
            }
        }
        match out.len() {
            0 => Re::Eps,
            1 => out.pop().unwrap_or(Re::Eps),
            _ => Re::Concat(out),
        }
    }
    pub fn union(parts: Vec<Re>) -> Re {
        let mut out: Vec<Re> = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                Re::Empty => {}
                Re::Union(inner) => {
                    for p in inner {
                        if !out.contains(&p) {
                            out.push(p);
                        }
                    }
                }
                other => {
                    if !out.contains(&other) {
                        out.push(other)
                    }
                }
            }
        }
        out.sort();
        match out.len() {
            0 => Re::Empty,
            1 => out.pop().unwrap_or(Re::Empty),
            _ => Re::Union(out),
        }
    }
    pub fn inter(parts: Vec<Re>) -> Re {
        let mut out: Vec<Re> = Vec::with_capacity(parts.len());
        for part in parts {
            match part {
                Re::Empty => return Re::Empty,
                Re::Inter(inner) => out.extend(inner),
                other => {
                    if !out.contains(&other) {
                        out.push(other)
                    }
                }
            }
        }
        match out.len() {
            0 => Re::all(),
            1 => out.pop().unwrap_or(Re::Empty),
            _ => Re::Inter(out),
        }
    }

    /// Exactly `n` characters of `class`.
    pub fn repeat(class: Class, n: usize) -> Re {
        Re::concat(vec![Re::Class(class); n])
    }

    pub fn nullable(&self) -> bool {
        match self {
            Re::Empty | Re::Class(_) => false,
            Re::Eps | Re::Star(_) => true,
            Re::Concat(parts) | Re::Inter(parts) => parts.iter().all(Re::nullable),
            Re::Union(parts) => parts.iter().any(Re::nullable),
        }
    }

    /// The Brzozowski derivative: the strings `s` with `c s` in the language.
    pub fn deriv(&self, c: char) -> Re {
        match self {
            Re::Empty | Re::Eps => Re::Empty,
            Re::Class(class) => {
                if class.contains(c) {
                    Re::Eps
                } else {
                    Re::Empty
                }
            }
            Re::Concat(parts) => {
                let mut options = Vec::new();
                for (i, part) in parts.iter().enumerate() {
                    let mut rest = vec![part.deriv(c)];
                    rest.extend(parts.iter().skip(i + 1).cloned());
                    options.push(Re::concat(rest));
                    if !part.nullable() {
                        break;
                    }
                }
                Re::union(options)
            }
            Re::Union(parts) => Re::union(parts.iter().map(|p| p.deriv(c)).collect()),
            Re::Inter(parts) => Re::inter(parts.iter().map(|p| p.deriv(c)).collect()),
            Re::Star(inner) => Re::concat(vec![inner.deriv(c), self.clone()]),
        }
    }

    /// The strings `s` with `prefix s` in the language.
    pub fn deriv_word(&self, prefix: &str) -> Re {
        let mut re = self.clone();
        for c in prefix.chars() {
            re = re.deriv(c);
            if re == Re::Empty {
                break;
            }
        }
        re
    }

    pub fn matches(&self, text: &str) -> bool {
        self.deriv_word(text).nullable()
    }

    /// The language as an SMT-LIB regular expression.
    pub fn to_smt(&self) -> Result<Expr, Unsupported> {
        Ok(match self {
            Re::Empty => Expr::raw("re.none"),
            Re::Eps => smt::re_lit("")?,
            Re::Class(class) => class_smt(class)?,
            Re::Concat(parts) => {
                // Runs of single characters become one literal.
                let mut out = Vec::new();
                let mut run = String::new();
                for part in parts {
                    if let Re::Class(Class::In(v)) = part {
                        if let [c] = v.as_slice() {
                            run.push(*c);
                            continue;
                        }
                    }
                    if !run.is_empty() {
                        out.push(smt::re_lit(&std::mem::take(&mut run))?);
                    }
                    out.push(part.to_smt()?);
                }
                if !run.is_empty() {
                    out.push(smt::re_lit(&run)?);
                }
                smt::re_concat(&out)
            }
            Re::Union(parts) => smt::re_union(
                &parts
                    .iter()
                    .map(Re::to_smt)
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Re::Inter(parts) => smt::re_inter(
                &parts
                    .iter()
                    .map(Re::to_smt)
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            Re::Star(inner) => {
                if **inner == Re::Class(Class::any()) {
                    smt::re_all()
                } else {
                    smt::re_star(&inner.to_smt()?)
                }
            }
        })
    }

    /// The literal text when the language is one string.
    pub fn as_literal(&self) -> Option<String> {
        match self {
            Re::Eps => Some(String::new()),
            Re::Class(Class::In(v)) => match v.as_slice() {
                [c] => Some(c.to_string()),
                _ => None,
            },
            Re::Concat(parts) => parts.iter().map(Re::as_literal).collect(),
            _ => None,
        }
    }

    fn classes<'a>(&'a self, out: &mut Vec<&'a Class>) {
        match self {
            Re::Class(c) => out.push(c),
            Re::Concat(p) | Re::Union(p) | Re::Inter(p) => p.iter().for_each(|r| r.classes(out)),
            Re::Star(inner) => inner.classes(out),
            Re::Empty | Re::Eps => {}
        }
    }
}

fn class_smt(class: &Class) -> Result<Expr, Unsupported> {
    let ranges = |chars: &[char]| -> Result<Vec<Expr>, Unsupported> {
        chars
            .iter()
            .map(|c| smt::re_lit(c.encode_utf8(&mut [0u8; 4])))
            .collect()
    };
    Ok(match class {
        Class::In(chars) => smt::re_union(&ranges(chars)?),
        Class::NotIn(chars) if chars.is_empty() => smt::re_allchar(),
        Class::NotIn(chars) => {
            // All characters between the excluded ones.
            let mut parts = Vec::new();
            let mut low: u32 = 0;
            for c in chars {
                let code = u32::from(*c);
                if code > low {
                    parts.push(range(low, code - 1)?);
                }
                low = code + 1;
            }
            if low <= smt::MAX_CHAR {
                parts.push(range(low, smt::MAX_CHAR)?);
            }
            smt::re_union(&parts)
        }
    })
}

fn range(low: u32, high: u32) -> Result<Expr, Unsupported> {
    let c = |code: u32| -> Result<Expr, Unsupported> {
        let ch = char::from_u32(code)
            .or_else(|| char::from_u32(code + 0x800))
            .ok_or_else(|| Unsupported::new("internal: a character range over surrogates"))?;
        smt::str_lit(ch.encode_utf8(&mut [0u8; 4]))
    };
    Ok(smt::app("re.range", &[&c(low)?, &c(high)?]))
}

// ---------------------------------------------------------------------------------------------
// Automata: derivatives over hash-consed expressions
// ---------------------------------------------------------------------------------------------

pub use iamspec_model::hash::FxMap;

/// An interned expression node; children are node ids.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Node {
    Empty,
    Eps,
    Class(u32),
    Concat(u32, u32),
    Union(Vec<u32>),
    Star(u32),
    Inter(Vec<u32>),
}

const EMPTY: u32 = 0;
const EPS: u32 = 1;

/// Expressions interned so that equal expressions are one id, with memoized nullability and
/// derivatives: the states of a language's automaton are the distinct derivatives, which
/// merges what a subset construction keeps apart (two patterns that end alike share their
/// tails), and a derivative is computed once per (expression, symbol).
struct Arena {
    nodes: Vec<Node>,
    index: FxMap<Node, u32>,
    nullable: Vec<bool>,
    /// Per interned class: whether each symbol is in it.
    class_symbols: Vec<Vec<bool>>,
    class_index: FxMap<Class, u32>,
    symbols: Vec<char>,
    /// `derivs[node * symbols + symbol]`, `u32::MAX` while unknown.
    derivs: Vec<u32>,
    all: u32,
    /// Per node whose every derivative is known ([`Arena::row`]): the symbols whose derivative
    /// differs from the stand-in symbol's, in order.
    exceptions: Vec<Option<Box<[u16]>>>,
}

/// How many expressions one partition may build before giving up.
const NODE_LIMIT: usize = 2_000_000;

impl Arena {
    fn new(symbols: Vec<char>) -> Arena {
        let mut arena = Arena {
            nodes: Vec::new(),
            index: FxMap::default(),
            nullable: Vec::new(),
            class_symbols: Vec::new(),
            class_index: FxMap::default(),
            symbols,
            derivs: Vec::new(),
            all: 0,
            exceptions: Vec::new(),
        };
        arena.node(Node::Empty, false);
        arena.node(Node::Eps, true);
        let any = arena.class(&Class::any());
        arena.all = arena.star(any);
        arena
    }

    fn node(&mut self, node: Node, nullable: bool) -> u32 {
        if let Some(&id) = self.index.get(&node) {
            return id;
        }
        let id = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.index.insert(node.clone(), id);
        self.nodes.push(node);
        self.nullable.push(nullable);
        id
    }

    /// The alternatives of a union, or the expression itself.
    fn alternatives<'a>(&'a self, id: &'a u32) -> &'a [u32] {
        match self.nodes.get(*id as usize) {
            Some(Node::Union(items)) => items,
            _ => std::slice::from_ref(id),
        }
    }

    fn nullable(&self, id: u32) -> bool {
        self.nullable.get(id as usize).copied().unwrap_or(false)
    }

    fn get(&self, id: u32) -> Node {
        self.nodes.get(id as usize).cloned().unwrap_or(Node::Empty)
    }

    fn class(&mut self, class: &Class) -> u32 {
        if class.is_empty() {
            return EMPTY;
        }
        let k = match self.class_index.get(class) {
            Some(&k) => k,
            None => {
                let k = u32::try_from(self.class_symbols.len()).unwrap_or(u32::MAX);
                let row = self.symbols.iter().map(|c| class.contains(*c)).collect();
                self.class_symbols.push(row);
                self.class_index.insert(class.clone(), k);
                k
            }
        };
        self.node(Node::Class(k), false)
    }

    fn concat(&mut self, a: u32, b: u32) -> u32 {
        if a == EMPTY || b == EMPTY {
            return EMPTY;
        }
        if a == EPS {
            return b;
        }
        if b == EPS {
            return a;
        }
        match self.get(a) {
            // Right-nested, so that equal sequences intern alike.
            Node::Concat(x, y) => {
                let rest = self.concat(y, b);
                self.concat(x, rest)
            }
            Node::Star(_) if a == b => a,
            _ => {
                let nullable = self.nullable(a) && self.nullable(b);
                self.node(Node::Concat(a, b), nullable)
            }
        }
    }

    fn union(&mut self, items: Vec<u32>) -> u32 {
        let mut flat = Vec::with_capacity(items.len());
        for id in items {
            match self.get(id) {
                Node::Empty => {}
                Node::Union(inner) => flat.extend(inner),
                _ if id == self.all => return self.all,
                _ => flat.push(id),
            }
        }
        flat.sort_unstable();
        flat.dedup();
        match flat.as_slice() {
            [] => EMPTY,
            [one] => *one,
            _ => {
                let nullable = flat.iter().any(|&i| self.nullable(i));
                self.node(Node::Union(flat), nullable)
            }
        }
    }

    fn inter(&mut self, items: Vec<u32>) -> u32 {
        let mut flat = Vec::with_capacity(items.len());
        for id in items {
            match self.get(id) {
                Node::Empty => return EMPTY,
                Node::Inter(inner) => flat.extend(inner),
                _ if id == self.all => {}
                _ => flat.push(id),
            }
        }
        flat.sort_unstable();
        flat.dedup();
        match flat.as_slice() {
            [] => self.all,
            [one] => *one,
            _ => {
                let nullable = flat.iter().all(|&i| self.nullable(i));
                self.node(Node::Inter(flat), nullable)
            }
        }
    }

    fn star(&mut self, a: u32) -> u32 {
        match self.get(a) {
            Node::Empty | Node::Eps => EPS,
            Node::Star(_) => a,
            _ => self.node(Node::Star(a), true),
        }
    }

    fn intern(&mut self, re: &Re) -> u32 {
        match re {
            Re::Empty => EMPTY,
            Re::Eps => EPS,
            Re::Class(c) => self.class(c),
            Re::Concat(parts) => {
                let mut id = EPS;
                for part in parts.iter().rev() {
                    let p = self.intern(part);
                    id = self.concat(p, id);
                }
                id
            }
            Re::Union(parts) => {
                let ids = parts.iter().map(|p| self.intern(p)).collect();
                self.union(ids)
            }
            Re::Inter(parts) => {
                let ids = parts.iter().map(|p| self.intern(p)).collect();
                self.inter(ids)
            }
            Re::Star(inner) => {
                let i = self.intern(inner);
                self.star(i)
            }
        }
    }

    /// Computes every derivative of `id` and the symbols whose derivative differs from that
    /// of `default` (the stand-in for the characters no language names): every other symbol
    /// leads where `default` does. A tuple of states then needs the derivatives of a few
    /// symbols only, not of the whole alphabet (most characters lead every state alike).
    fn row(&mut self, id: u32, default: u16) -> Result<(), Unsupported> {
        if self
            .exceptions
            .get(id as usize)
            .is_some_and(Option::is_some)
        {
            return Ok(());
        }
        let width = self.symbols.len();
        let mut targets = Vec::with_capacity(width);
        for symbol in 0..width {
            let symbol = u16::try_from(symbol).unwrap_or(u16::MAX);
            targets.push(self.deriv(id, symbol)?);
        }
        let fallback = targets.get(usize::from(default)).copied();
        let differing: Box<[u16]> = targets
            .iter()
            .enumerate()
            .filter(|(_, t)| Some(**t) != fallback)
            .map(|(s, _)| u16::try_from(s).unwrap_or(u16::MAX))
            .collect();
        if self.exceptions.len() <= id as usize {
            self.exceptions.resize(id as usize + 1, None);
        }
        if let Some(slot) = self.exceptions.get_mut(id as usize) {
            *slot = Some(differing);
        }
        Ok(())
    }

    /// The symbols to try from `tuple`, in the alphabet's order, into `tried`: those some state
    /// of it treats apart from `default`, and the first of the others. Every other symbol
    /// leads to the tuple that first one leads to, which a breadth-first search has then
    /// seen or refused, so the search, its order and its strings are those of trying every
    /// symbol. `marked` is all false, one per symbol, and left so.
    fn tried_symbols(
        &mut self,
        tuple: &[u32],
        default: u16,
        marked: &mut [bool],
        tried: &mut Vec<u16>,
    ) -> Result<(), Unsupported> {
        tried.clear();
        for &q in tuple {
            self.row(q, default)?;
            for &s in self.exceptions_of(q) {
                if let Some(m) = marked.get_mut(usize::from(s)) {
                    if !*m {
                        *m = true;
                        tried.push(s);
                    }
                }
            }
        }
        let first_plain = (0..marked.len())
            .find(|&s| !marked.get(s).copied().unwrap_or(true))
            .and_then(|s| u16::try_from(s).ok());
        for &s in tried.iter() {
            if let Some(m) = marked.get_mut(usize::from(s)) {
                *m = false;
            }
        }
        tried.extend(first_plain);
        tried.sort_unstable();
        Ok(())
    }

    /// The derivative of `id` by `symbol`, known after [`Arena::row`].
    fn known_deriv(&self, id: u32, symbol: u16) -> u32 {
        self.derivs
            .get(id as usize * self.symbols.len() + usize::from(symbol))
            .copied()
            .unwrap_or(EMPTY)
    }

    /// The symbols of [`Arena::row`] for `id` (empty before it is computed).
    fn exceptions_of(&self, id: u32) -> &[u16] {
        self.exceptions
            .get(id as usize)
            .and_then(|e| e.as_deref())
            .unwrap_or(&[])
    }

    fn deriv(&mut self, id: u32, symbol: u16) -> Result<u32, Unsupported> {
        let slot = id as usize * self.symbols.len() + usize::from(symbol);
        if let Some(&d) = self.derivs.get(slot) {
            if d != u32::MAX {
                return Ok(d);
            }
        }
        if self.nodes.len() > NODE_LIMIT {
            return Err(too_many());
        }
        let d = match self.get(id) {
            Node::Empty | Node::Eps => EMPTY,
            Node::Class(k) => {
                let hit = self
                    .class_symbols
                    .get(k as usize)
                    .and_then(|row| row.get(usize::from(symbol)))
                    .copied()
                    .unwrap_or(false);
                if hit {
                    EPS
                } else {
                    EMPTY
                }
            }
            Node::Concat(a, b) => {
                let da = self.deriv(a, symbol)?;
                let left = self.concat(da, b);
                if self.nullable(a) {
                    let db = self.deriv(b, symbol)?;
                    self.union(vec![left, db])
                } else {
                    left
                }
            }
            Node::Union(items) => {
                let mut ds = Vec::with_capacity(items.len());
                for i in items {
                    ds.push(self.deriv(i, symbol)?);
                }
                self.union(ds)
            }
            Node::Inter(items) => {
                let mut ds = Vec::with_capacity(items.len());
                for i in items {
                    ds.push(self.deriv(i, symbol)?);
                }
                self.inter(ds)
            }
            Node::Star(a) => {
                let da = self.deriv(a, symbol)?;
                self.concat(da, id)
            }
        };
        if self.derivs.len() <= slot {
            let size = (self.nodes.len() * self.symbols.len()).max(slot + 1);
            self.derivs.resize(size, u32::MAX);
        }
        if let Some(entry) = self.derivs.get_mut(slot) {
            *entry = d;
        }
        Ok(d)
    }
}

/// The regions of a string domain: which languages hold together, with a shortest string each.
#[derive(Clone, Debug)]
pub struct Regions {
    /// One entry per region: for each language of the query, whether its strings are in it.
    pub signatures: Vec<Vec<bool>>,
    pub witnesses: Vec<String>,
}

/// How many combinations of automaton states one partition may explore before giving up.
pub const STATE_LIMIT: usize = 200_000;

/// The number of languages (plus the shape) a partition's limit is counted for.
const WIDTH: usize = 32;

/// The regions of `shape` (the strings the domain allows) cut by `languages`. A region's witness
/// is the first of `preferred` that falls in it, else a shortest string.
#[cfg(test)]
pub fn regions(shape: &Re, languages: &[Re], preferred: &[String]) -> Result<Regions, Unsupported> {
    regions_within(shape, languages, preferred, STATE_LIMIT)?.ok_or_else(too_many)
}

pub(crate) fn too_many() -> Unsupported {
    Unsupported::new("the patterns on one string are too many to partition")
}

/// The characters the languages name, plus one stand-in for all the others, in the order
/// breadth-first search tries them (so that witnesses read naturally), and the stand-in.
fn alphabet<'a>(
    languages: impl IntoIterator<Item = &'a Re>,
) -> Result<(Vec<char>, char), Unsupported> {
    let mut named: Vec<char> = Vec::new();
    for re in languages {
        let mut classes = Vec::new();
        re.classes(&mut classes);
        for class in classes {
            named.extend_from_slice(class.chars());
        }
    }
    named.sort_unstable();
    named.dedup();
    let other = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        .chars()
        .chain((0xC0u32..0x2_0000).filter_map(char::from_u32))
        .find(|c| named.binary_search(c).is_err())
        .ok_or_else(|| Unsupported::new("internal: no character left for the alphabet"))?;
    let mut symbols = named;
    symbols.push(other);
    symbols.sort_by_key(|c| {
        let rank = match c {
            'a'..='z' => 0,
            '0'..='9' => 1,
            'A'..='Z' => 2,
            '-' | '_' | '.' => 3,
            '/' => 4,
            ':' => 5,
            c if c.is_ascii_graphic() => 6,
            _ => 7,
        };
        (rank, *c)
    });
    if symbols.len() > usize::from(u16::MAX) {
        return Err(Unsupported::new(
            "too many distinct characters to partition",
        ));
    }
    Ok((symbols, other))
}

/// [`regions`], or `None` when the exploration needs more than `limit` tuples of states (a
/// tuple of more than [`WIDTH`] languages counting for as many tuples of that width).
pub fn regions_within(
    shape: &Re,
    languages: &[Re],
    preferred: &[String],
    limit: usize,
) -> Result<Option<Regions>, Unsupported> {
    regions_respelled(shape, languages, preferred, limit, &|_, _| None)
}

/// Rewrites of a region's witness that may read better (issue 10): step `n` of `text`, the
/// alternatives in order of preference, `None` after the last step.
pub type Respell<'a> = &'a dyn Fn(&str, usize) -> Option<Vec<String>>;

/// The key of a memoized partition: a tag naming its `respell`, the shape, the languages, the
/// preferred strings and the limit.
type MemoKey = (u8, Re, Vec<Re>, Vec<String>, usize);

/// How many partitions [`regions_memoized`] keeps.
const MEMO_ENTRIES: usize = 64;

/// Process-wide: consecutive queries run on different threads (`contexts`).
static MEMO: std::sync::Mutex<Vec<(MemoKey, Option<Regions>)>> = std::sync::Mutex::new(Vec::new());

fn memo() -> std::sync::MutexGuard<'static, Vec<(MemoKey, Option<Regions>)>> {
    // A list that no panic leaves half-changed.
    MEMO.lock().unwrap_or_else(|e| e.into_inner())
}

/// [`regions_respelled`], remembered for the last [`MEMO_ENTRIES`] inputs: the
/// partition is a function of its inputs (and of `respell`, which `tag` must name: one tag,
/// one respelling function), so a query whose principal languages are those of an earlier
/// query (the same placements, most queries) reuses its partition. Errors are not kept.
pub fn regions_memoized(
    tag: u8,
    shape: &Re,
    languages: &[Re],
    preferred: &[String],
    limit: usize,
    respell: Respell,
) -> Result<Option<Regions>, Unsupported> {
    let key: MemoKey = (
        tag,
        shape.clone(),
        languages.to_vec(),
        preferred.to_vec(),
        limit,
    );
    let hit = memo()
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, r)| r.clone());
    if let Some(found) = hit {
        return Ok(found);
    }
    let found = regions_respelled(shape, languages, preferred, limit, respell)?;
    let mut m = memo();
    if m.len() >= MEMO_ENTRIES {
        m.remove(0);
    }
    m.push((key, found.clone()));
    Ok(found)
}

/// [`regions_within`], each witness that no preferred string replaced then rewritten step by
/// step by `respell`, keeping at each step the first alternative that stays in its region (so
/// the region's decisions do not change): `arn:a:...` becomes `arn:aws:...` where no pattern
/// tells the two apart.
pub fn regions_respelled(
    shape: &Re,
    languages: &[Re],
    preferred: &[String],
    limit: usize,
    respell: Respell,
) -> Result<Option<Regions>, Unsupported> {
    let (symbols, other) = alphabet(std::iter::once(shape).chain(languages))?;
    let mut arena = Arena::new(symbols.clone());
    let start: Vec<u32> = std::iter::once(shape)
        .chain(languages)
        .map(|re| arena.intern(re))
        .collect();

    // Breadth-first over tuples of states; tuple `id` is `flat[id * width..][..width]`, and ids
    // are handed out in visiting order, so the queue is the id range itself.
    let width = start.len();
    let mut seen: FxMap<Box<[u32]>, usize> = FxMap::default();
    seen.insert(start.clone().into_boxed_slice(), 0);
    let mut flat: Vec<u32> = start.clone();
    let mut parent: Vec<Option<(usize, char)>> = vec![None];
    let mut found: FxMap<Vec<bool>, usize> = FxMap::default();
    let mut order: Vec<Vec<bool>> = Vec::new();
    let mut tuple: Vec<u32> = Vec::with_capacity(width);
    let mut next: Vec<u32> = Vec::with_capacity(width);
    let default = symbol_index(&symbols, other);
    let mut marked = vec![false; symbols.len()];
    let mut tried: Vec<u16> = Vec::new();
    let mut id = 0;
    while id < parent.len() {
        tuple.clear();
        tuple.extend_from_slice(flat.get(id * width..(id + 1) * width).unwrap_or(&[]));
        if tuple.first().is_some_and(|&s| arena.nullable(s)) {
            let signature: Vec<bool> = tuple.iter().skip(1).map(|&q| arena.nullable(q)).collect();
            if !found.contains_key(&signature) {
                found.insert(signature.clone(), id);
                order.push(signature);
            }
        }
        // Too many expressions: as many tuples would follow.
        if arena
            .tried_symbols(&tuple, default, &mut marked, &mut tried)
            .is_err()
        {
            return Ok(None);
        }
        for &symbol in &tried {
            let Some(&c) = symbols.get(usize::from(symbol)) else {
                continue;
            };
            next.clear();
            next.extend(tuple.iter().map(|&q| arena.known_deriv(q, symbol)));
            // A string that left the shape can never come back into it.
            if next.first() == Some(&EMPTY) || next == tuple || seen.contains_key(next.as_slice()) {
                continue;
            }
            // The limit counts tuples of the width of a typical partition: a wider one spends
            // as much per tuple as several narrow ones.
            if parent.len() * width.max(WIDTH) >= limit * WIDTH {
                return Ok(None);
            }
            seen.insert(next.clone().into_boxed_slice(), parent.len());
            flat.extend_from_slice(&next);
            parent.push(Some((id, c)));
        }
        id += 1;
    }
    let mut witnesses: Vec<String> = order
        .iter()
        .map(|signature| {
            found
                .get(signature)
                .map_or_else(String::new, |&id| spell(&parent, id))
        })
        .collect();
    // Preferred witnesses: derive every expression by each candidate.
    let symbol_of: HashMap<char, u16> = symbols
        .iter()
        .enumerate()
        .map(|(i, c)| (*c, u16::try_from(i).unwrap_or(u16::MAX)))
        .collect();
    let other_symbol = symbol_of.get(&other).copied().unwrap_or(0);
    let mut replaced = vec![false; order.len()];
    for candidate in preferred {
        let mut tuple = start.clone();
        for c in candidate.chars() {
            let symbol = symbol_of.get(&c).copied().unwrap_or(other_symbol);
            for q in tuple.iter_mut() {
                *q = arena.deriv(*q, symbol)?;
            }
        }
        if !tuple.first().is_some_and(|&s| arena.nullable(s)) {
            continue;
        }
        let signature: Vec<bool> = tuple.iter().skip(1).map(|&q| arena.nullable(q)).collect();
        if let Some(at) = order.iter().position(|s| *s == signature) {
            if let (Some(done), Some(w)) = (replaced.get_mut(at), witnesses.get_mut(at)) {
                if !*done {
                    *done = true;
                    *w = candidate.clone();
                }
            }
        }
    }
    // The signature of `text`, `None` outside the shape.
    let mut classify = |text: &str| -> Result<Option<Vec<bool>>, Unsupported> {
        let mut tuple = start.clone();
        for c in text.chars() {
            let symbol = symbol_of.get(&c).copied().unwrap_or(other_symbol);
            for q in tuple.iter_mut() {
                *q = arena.deriv(*q, symbol)?;
            }
        }
        if !tuple.first().is_some_and(|&s| arena.nullable(s)) {
            return Ok(None);
        }
        Ok(Some(
            tuple.iter().skip(1).map(|&q| arena.nullable(q)).collect(),
        ))
    };
    for ((witness, signature), done) in witnesses.iter_mut().zip(&order).zip(&replaced) {
        if *done {
            continue;
        }
        let mut step = 0;
        while let Some(alternatives) = respell(witness, step) {
            for alternative in alternatives {
                if classify(&alternative)?.as_ref() == Some(signature) {
                    *witness = alternative;
                    break;
                }
            }
            step += 1;
        }
    }
    Ok(Some(Regions {
        signatures: order,
        witnesses,
    }))
}

/// A string domain explored lazily: instead of every region at once, [`Lazy::realize`] looks
/// for a string with one given combination of answers, the one z3 proposes. Used where the
/// partition is too large to build (patterns whose `*` crosses `:` make almost every
/// combination of a domain's languages realizable: 2^n regions).
pub struct Lazy {
    arena: Arena,
    symbols: Vec<char>,
    /// The stand-in for the characters no language names.
    other: char,
    shape: u32,
    languages: Vec<u32>,
    memo: FxMap<Vec<(usize, bool)>, Option<String>>,
}

/// A language of a lazy domain (its index) and whether the string is in it.
pub type Literal = (usize, bool);

impl Lazy {
    pub fn new(shape: &Re, languages: &[Re]) -> Result<Lazy, Unsupported> {
        let (symbols, other) = alphabet(std::iter::once(shape).chain(languages))?;
        let mut arena = Arena::new(symbols.clone());
        let shape = arena.intern(shape);
        let languages = languages.iter().map(|re| arena.intern(re)).collect();
        Ok(Lazy {
            arena,
            symbols,
            other,
            shape,
            languages,
            memo: FxMap::default(),
        })
    }

    /// A shortest string of the shape that is in the languages `want` marks true and not in
    /// those it marks false (the others are free), or `None` when there is none. Breadth-first
    /// over tuples of derivatives, pruning a tuple once a wanted language can no longer be
    /// reached or an unwanted one can no longer be left.
    pub fn realize(&mut self, want: &[Literal]) -> Result<Option<String>, Unsupported> {
        let mut key = want.to_vec();
        key.sort_unstable();
        key.dedup();
        if let Some(known) = self.memo.get(&key) {
            return Ok(known.clone());
        }
        let contradictory = key.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0));
        let found = if contradictory {
            None
        } else {
            self.search(&key)?
        };
        self.memo.insert(key, found.clone());
        Ok(found)
    }

    /// Whether `text` is in the shape, and in each language: derivatives memoized in the
    /// engine, so that many candidate strings cost little.
    pub fn classify(&mut self, text: &str) -> Result<(bool, Vec<bool>), Unsupported> {
        let symbol_of = |c: char| {
            let at = |c: char| self.symbols.iter().position(|s| *s == c);
            at(c).or_else(|| at(self.other)).unwrap_or(0)
        };
        let symbols: Vec<u16> = text
            .chars()
            .map(|c| u16::try_from(symbol_of(c)).unwrap_or(u16::MAX))
            .collect();
        let mut states: Vec<u32> = std::iter::once(self.shape)
            .chain(self.languages.iter().copied())
            .collect();
        for symbol in symbols {
            for q in states.iter_mut() {
                *q = self.arena.deriv(*q, symbol)?;
            }
        }
        let mut answers = states.iter().map(|&q| self.arena.nullable(q));
        let shape = answers.next().unwrap_or(false);
        Ok((shape, answers.collect()))
    }

    /// `text` (a string with the answers `want`) rewritten step by step by `respell`, each
    /// step's first alternative with the same answers kept (as [`regions_respelled`]).
    pub fn respelled(&mut self, text: String, want: &[Literal], respell: Respell) -> String {
        let mut text = text;
        let mut step = 0;
        while let Some(alternatives) = respell(&text, step) {
            for alternative in alternatives {
                let Ok((true, answers)) = self.classify(&alternative) else {
                    continue;
                };
                if want
                    .iter()
                    .all(|(i, member)| answers.get(*i) == Some(member))
                {
                    text = alternative;
                    break;
                }
            }
            step += 1;
        }
        text
    }

    /// As [`Lazy::realize`], giving up (`None`) after `limit` tuples of states: for searches
    /// whose failure costs nothing but a less readable string.
    pub fn realize_within(&mut self, want: &[Literal], limit: usize) -> Option<String> {
        let mut key = want.to_vec();
        key.sort_unstable();
        key.dedup();
        if key.windows(2).any(|w| matches!(w, [a, b] if a.0 == b.0)) {
            return None;
        }
        self.search_within(&key, limit).ok().flatten()
    }

    fn search(&mut self, want: &[Literal]) -> Result<Option<String>, Unsupported> {
        self.search_within(want, STATE_LIMIT)
    }

    fn search_within(
        &mut self,
        want: &[Literal],
        limit: usize,
    ) -> Result<Option<String>, Unsupported> {
        let mut start = vec![self.shape];
        for (index, _) in want {
            let language = self
                .languages
                .get(*index)
                .copied()
                .ok_or_else(|| Unsupported::new("internal: no such language"))?;
            start.push(language);
        }
        let mut unwanted = FxMap::default();
        if dead(&self.arena, want, &start, &mut unwanted) {
            return Ok(None);
        }
        let width = start.len();
        let mut seen: FxMap<Box<[u32]>, usize> = FxMap::default();
        seen.insert(start.clone().into_boxed_slice(), 0);
        let mut flat = start;
        let mut parent: Vec<Option<(usize, char)>> = vec![None];
        let mut tuple: Vec<u32> = Vec::with_capacity(width);
        let mut next: Vec<u32> = Vec::with_capacity(width);
        let default = symbol_index(&self.symbols, self.other);
        let mut marked = vec![false; self.symbols.len()];
        let mut tried: Vec<u16> = Vec::new();
        let mut id = 0;
        while id < parent.len() {
            tuple.clear();
            tuple.extend_from_slice(flat.get(id * width..(id + 1) * width).unwrap_or(&[]));
            let accepted = tuple.first().is_some_and(|&q| self.arena.nullable(q))
                && tuple
                    .iter()
                    .skip(1)
                    .zip(want)
                    .all(|(&q, (_, member))| self.arena.nullable(q) == *member);
            if accepted {
                return Ok(Some(spell(&parent, id)));
            }
            self.arena
                .tried_symbols(&tuple, default, &mut marked, &mut tried)?;
            for &symbol in &tried {
                let Some(&c) = self.symbols.get(usize::from(symbol)) else {
                    continue;
                };
                next.clear();
                next.extend(tuple.iter().map(|&q| self.arena.known_deriv(q, symbol)));
                if next == tuple
                    || seen.contains_key(next.as_slice())
                    || dead(&self.arena, want, &next, &mut unwanted)
                {
                    continue;
                }
                if parent.len() >= limit {
                    return Err(Unsupported::new(
                        "the patterns on one string are too many to search",
                    ));
                }
                seen.insert(next.clone().into_boxed_slice(), parent.len());
                flat.extend_from_slice(&next);
                parent.push(Some((id, c)));
            }
            id += 1;
        }
        Ok(None)
    }

    /// A part of `want` (which no string realizes) that no string realizes either, small, so
    /// that the clause excluding it excludes many combinations: one literal, else two of which
    /// one is a membership (most combinations z3 proposes have few), else what is left after
    /// dropping, half a group at a time, the literals that are not needed.
    pub fn core(&mut self, want: &[Literal]) -> Result<Vec<Literal>, Unsupported> {
        if let Some(core) = self.plain_core(want) {
            return Ok(core);
        }
        let (members, others): (Vec<Literal>, Vec<Literal>) =
            want.iter().copied().partition(|(_, member)| *member);
        for literal in members.iter().chain(&others) {
            if self.realize(std::slice::from_ref(literal))?.is_none() {
                return Ok(vec![*literal]);
            }
        }
        for (i, a) in members.iter().enumerate() {
            for b in members.iter().skip(i + 1).chain(&others) {
                if self.realize(&[*a, *b])?.is_none() {
                    return Ok(vec![*a, *b]);
                }
            }
        }
        // Dropping groups: `needed` literals are kept; each group of the rest is dropped when
        // what remains is still unrealizable, else split in two and tried again.
        let mut needed: Vec<Literal> = Vec::new();
        let mut groups: Vec<Vec<Literal>> = vec![want.to_vec()];
        while let Some(group) = groups.pop() {
            let rest: Vec<Literal> = needed
                .iter()
                .chain(groups.iter().flatten())
                .copied()
                .collect();
            if self.realize(&rest)?.is_none() {
                continue;
            }
            if group.len() == 1 {
                needed.extend(group);
                continue;
            }
            let half = group.len() / 2;
            let (first, second) = group.split_at(half);
            groups.push(first.to_vec());
            groups.push(second.to_vec());
        }
        Ok(needed)
    }
}

/// Whether no string continues `tuple` (the shape, then the languages of `want`) into the
/// combination `want`: out of the shape, a wanted language out of reach, an unwanted one
/// inevitable, or a wanted language inside the union of the unwanted ones, seen on the
/// expressions (its alternatives are among theirs), as a list is inside the union of its items.
fn dead(arena: &Arena, want: &[Literal], tuple: &[u32], unwanted: &mut FxMap<u32, ()>) -> bool {
    if tuple.first() == Some(&EMPTY) {
        return true;
    }
    unwanted.clear();
    for (q, (_, member)) in tuple.iter().skip(1).zip(want) {
        if (*member && *q == EMPTY) || (!*member && *q == arena.all) {
            return true;
        }
        if !*member {
            for part in arena.alternatives(q) {
                unwanted.insert(*part, ());
            }
        }
    }
    tuple.iter().skip(1).zip(want).any(|(q, (_, member))| {
        *member
            && arena
                .alternatives(q)
                .iter()
                .all(|part| unwanted.contains_key(part))
    })
}

impl Lazy {
    /// The literals that make `want` dead before the first character (see [`dead`]): a
    /// language wanted and empty, unwanted and universal, or wanted and inside the union of
    /// some unwanted ones (a list and its items, typically). `None` when `want` is not dead
    /// from the start.
    fn plain_core(&self, want: &[Literal]) -> Option<Vec<Literal>> {
        let start: Vec<u32> = want
            .iter()
            .map(|(i, _)| self.languages.get(*i).copied())
            .collect::<Option<_>>()?;
        let arena = &self.arena;
        for (q, literal) in start.iter().zip(want) {
            if (literal.1 && *q == EMPTY) || (!literal.1 && *q == arena.all) {
                return Some(vec![*literal]);
            }
        }
        for (q, literal) in start.iter().zip(want).filter(|(_, l)| l.1) {
            let mut core = vec![*literal];
            let covered = arena.alternatives(q).iter().all(|part| {
                let cover = start
                    .iter()
                    .zip(want)
                    .find(|(n, l)| !l.1 && arena.alternatives(n).contains(part));
                if let Some((_, l)) = cover {
                    if !core.contains(l) {
                        core.push(*l);
                    }
                }
                cover.is_some()
            });
            if covered {
                return Some(core);
            }
        }
        None
    }
}

/// The string that leads to tuple `id`.
/// The index of `c` in `symbols` (the stand-in's), 0 if absent.
fn symbol_index(symbols: &[char], c: char) -> u16 {
    symbols
        .iter()
        .position(|s| *s == c)
        .and_then(|i| u16::try_from(i).ok())
        .unwrap_or(0)
}

fn spell(parent: &[Option<(usize, char)>], id: usize) -> String {
    let mut text = Vec::new();
    let mut at = Some(id);
    while let Some(i) = at {
        match parent.get(i).copied().flatten() {
            Some((from, c)) => {
                text.push(c);
                at = Some(from);
            }
            None => at = None,
        }
    }
    text.into_iter().rev().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(text: &str) -> Re {
        Re::concat(
            text.chars()
                .map(|c| match c {
                    '*' => Re::all(),
                    '?' => Re::Class(Class::any()),
                    c => Re::Class(Class::one(c)),
                })
                .collect(),
        )
    }

    #[test]
    fn derivatives_match_like_the_model_glob() {
        use iamspec_model::pattern::Pattern;
        for (p, s) in [
            ("a*c?", "abbbcd"),
            ("a*c?", "abbbc"),
            ("*", ""),
            ("?", ""),
            ("a*b*c", "aXbYc"),
            ("a*b*c", "acb"),
        ] {
            assert_eq!(glob(p).matches(s), Pattern::new(p).matches(s), "{p} {s}");
        }
        let digits = Re::repeat(Class::digit(), 3);
        assert!(digits.matches("123"));
        assert!(!digits.matches("12a"));
        let both = Re::inter(vec![glob("a*"), glob("*b")]);
        assert!(both.matches("ab") && both.matches("axb") && !both.matches("a"));
    }

    #[test]
    fn regions_cover_every_combination_with_witnesses() {
        let shape = Re::all();
        let langs = vec![glob("a*"), glob("*b"), Re::lit("ab")];
        let r = regions(&shape, &langs, &["zzz".into()]).unwrap();
        assert!(r.witnesses.contains(&"zzz".to_string()));
        // Realizable: none, a*, *b, a*&*b (not ab), ab.
        assert_eq!(r.signatures.len(), 5, "{:?}", r.signatures);
        for (sig, w) in r.signatures.iter().zip(&r.witnesses) {
            for (lang, expected) in langs.iter().zip(sig) {
                assert_eq!(lang.matches(w), *expected, "{w:?}");
            }
        }
    }

    #[test]
    fn lazy_domains_realize_combinations_and_find_cores() {
        let langs = vec![glob("a*"), glob("*b"), Re::lit("ab"), glob("*x*y*")];
        let mut lazy = Lazy::new(&Re::all(), &langs).unwrap();
        let s = lazy
            .realize(&[(0, true), (1, true), (2, false)])
            .unwrap()
            .unwrap();
        assert!(
            langs[0].matches(&s) && langs[1].matches(&s) && !langs[2].matches(&s),
            "{s}"
        );
        let s = lazy.realize(&[(3, true), (0, false)]).unwrap().unwrap();
        assert!(langs[3].matches(&s) && !langs[0].matches(&s), "{s}");
        // `ab` is in `a*`: in `ab` and not in `a*` is impossible, whatever else is asked.
        let want = [(1, true), (2, true), (0, false), (3, false)];
        assert_eq!(lazy.realize(&want).unwrap(), None);
        let mut core = lazy.core(&want).unwrap();
        core.sort_unstable();
        assert_eq!(core, vec![(0, false), (2, true)]);
        // Agrees with the full partition on every combination.
        let full = regions(&Re::all(), &langs, &[]).unwrap();
        for bits in 0..16u32 {
            let want: Vec<Literal> = (0..4).map(|i| (i, bits & (1 << i) != 0)).collect();
            let realizable = full
                .signatures
                .iter()
                .any(|sig| want.iter().all(|(i, b)| sig[*i] == *b));
            assert_eq!(
                lazy.realize(&want).unwrap().is_some(),
                realizable,
                "{want:?}"
            );
        }
    }

    #[test]
    fn intersection_inside_a_language() {
        let user = Re::concat(vec![
            Re::lit("u/"),
            Re::inter(vec![glob("*x"), Re::plus(Re::Class(Class::not(['/'])))]),
        ]);
        assert!(user.matches("u/ax"));
        assert!(!user.matches("u/a/x"));
        let r = regions(&Re::all(), std::slice::from_ref(&user), &[]).unwrap();
        assert_eq!(r.signatures.len(), 2);
        for (sig, w) in r.signatures.iter().zip(&r.witnesses) {
            assert_eq!(user.matches(w), sig[0]);
        }
    }

    /// The exploration of [`regions_within`] trying every symbol from every tuple (as before
    /// the exception rows): the regions in visiting order, each with its first string.
    fn regions_every_symbol(shape: &Re, languages: &[Re]) -> (Vec<Vec<bool>>, Vec<String>) {
        let (symbols, _) = alphabet(std::iter::once(shape).chain(languages)).unwrap();
        let mut arena = Arena::new(symbols.clone());
        let start: Vec<u32> = std::iter::once(shape)
            .chain(languages)
            .map(|re| arena.intern(re))
            .collect();
        let mut seen: FxMap<Vec<u32>, usize> = FxMap::default();
        seen.insert(start.clone(), 0);
        let mut queue = vec![start];
        let mut parent: Vec<Option<(usize, char)>> = vec![None];
        let (mut order, mut witnesses) = (Vec::new(), Vec::new());
        let mut id = 0;
        while id < queue.len() {
            let tuple = queue[id].clone();
            if arena.nullable(tuple[0]) {
                let signature: Vec<bool> = tuple[1..].iter().map(|&q| arena.nullable(q)).collect();
                if !order.contains(&signature) {
                    order.push(signature);
                    witnesses.push(spell(&parent, id));
                }
            }
            for (si, &c) in symbols.iter().enumerate() {
                let next: Vec<u32> = tuple
                    .iter()
                    .map(|&q| arena.deriv(q, si as u16).unwrap())
                    .collect();
                if next[0] == EMPTY || next == tuple || seen.contains_key(&next) {
                    continue;
                }
                seen.insert(next.clone(), queue.len());
                queue.push(next);
                parent.push(Some((id, c)));
            }
            id += 1;
        }
        (order, witnesses)
    }

    #[test]
    fn trying_the_symbols_states_tell_apart_explores_as_trying_all() {
        let arn = |text: &str| glob(text);
        let any_field = Re::star(Re::Class(Class::not([':'])));
        let shape = Re::concat(vec![
            Re::lit("arn:"),
            Re::plus(Re::Class(Class::not([':']))),
            Re::lit(":"),
            any_field.clone(),
            Re::lit(":"),
            any_field,
            Re::lit(":"),
            Re::union(vec![Re::Eps, Re::lit("111122223333"), Re::lit("aws")]),
            Re::lit(":"),
            Re::all(),
        ]);
        let cases: Vec<(Re, Vec<Re>)> = vec![
            (
                Re::all(),
                vec![glob("a*"), glob("*b"), Re::lit("ab"), glob("*x*y*")],
            ),
            (
                shape.clone(),
                vec![
                    arn("arn:aws:s3:::bucket/*"),
                    arn("arn:aws:s3:::*"),
                    arn("arn:*:ec2:*:*:instance/*"),
                    arn("arn:aws:iam::*:role/aws-service-role/*"),
                    arn("*:111122223333:*"),
                    arn("arn:aws:kms:us-?ast-1:*:key/*"),
                    crate::space::template_re(
                        "arn:${Partition}:sqs:${Region}:${Account}:${QueueName}",
                    ),
                    crate::space::template_re(
                        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}",
                    ),
                ],
            ),
            (
                shape,
                vec![Re::lit("arn:aws:s3:::x"), arn("arn:aws:s3:::x*")],
            ),
        ];
        for (shape, languages) in cases {
            let expected = regions_every_symbol(&shape, &languages);
            let found = regions_within(&shape, &languages, &[], STATE_LIMIT)
                .unwrap()
                .unwrap();
            assert_eq!((found.signatures, found.witnesses), expected);
        }
    }

    #[test]
    fn memoized_partitions_are_the_partitions_of_their_inputs() {
        let langs = vec![glob("a*"), glob("*b")];
        let plain = regions_respelled(&Re::all(), &langs, &[], STATE_LIMIT, &|_, _| None)
            .unwrap()
            .unwrap();
        let respell: Respell = &|text, step| (step == 0).then(|| vec![format!("{text}zz")]);
        for _ in 0..2 {
            let memo = regions_memoized(200, &Re::all(), &langs, &[], STATE_LIMIT, &|_, _| None)
                .unwrap()
                .unwrap();
            assert_eq!(
                (&memo.signatures, &memo.witnesses),
                (&plain.signatures, &plain.witnesses)
            );
            // Another tag is another respelling: not the entry above.
            let other = regions_memoized(201, &Re::all(), &langs, &[], STATE_LIMIT, respell)
                .unwrap()
                .unwrap();
            let direct = regions_respelled(&Re::all(), &langs, &[], STATE_LIMIT, respell)
                .unwrap()
                .unwrap();
            assert_eq!(other.witnesses, direct.witnesses);
            assert_ne!(other.witnesses, memo.witnesses);
        }
        // Other languages, another partition.
        let fewer = regions_memoized(200, &Re::all(), &langs[..1], &[], STATE_LIMIT, &|_, _| None)
            .unwrap()
            .unwrap();
        assert_eq!(fewer.signatures.len(), 2);
    }
}
