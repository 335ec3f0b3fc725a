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
use std::collections::{HashMap, VecDeque};

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
    index: HashMap<Node, u32>,
    nullable: Vec<bool>,
    /// Per interned class: whether each symbol is in it.
    class_symbols: Vec<Vec<bool>>,
    class_index: HashMap<Class, u32>,
    symbols: Vec<char>,
    /// `derivs[node * symbols + symbol]`, `u32::MAX` while unknown.
    derivs: Vec<u32>,
    all: u32,
}

/// How many expressions one partition may build before giving up.
const NODE_LIMIT: usize = 2_000_000;

impl Arena {
    fn new(symbols: Vec<char>) -> Arena {
        let mut arena = Arena {
            nodes: Vec::new(),
            index: HashMap::new(),
            nullable: Vec::new(),
            class_symbols: Vec::new(),
            class_index: HashMap::new(),
            symbols,
            derivs: Vec::new(),
            all: 0,
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

    fn deriv(&mut self, id: u32, symbol: u16) -> Result<u32, Unsupported> {
        let slot = id as usize * self.symbols.len() + usize::from(symbol);
        if let Some(&d) = self.derivs.get(slot) {
            if d != u32::MAX {
                return Ok(d);
            }
        }
        if self.nodes.len() > NODE_LIMIT {
            return Err(Unsupported::new(
                "the patterns on one string are too many to partition",
            ));
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

/// The regions of `shape` (the strings the domain allows) cut by `languages`. A region's witness
/// is the first of `preferred` that falls in it, else a shortest string.
pub fn regions(shape: &Re, languages: &[Re], preferred: &[String]) -> Result<Regions, Unsupported> {
    // The alphabet: every character some class names, plus one stand-in for the rest.
    let mut named: Vec<char> = Vec::new();
    for re in std::iter::once(shape).chain(languages) {
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
    // Breadth-first search tries symbols in this order, so witnesses read naturally.
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
    let mut arena = Arena::new(symbols.clone());
    let start: Vec<u32> = std::iter::once(shape)
        .chain(languages)
        .map(|re| arena.intern(re))
        .collect();

    let mut seen: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut parent: Vec<Option<(usize, char)>> = Vec::new();
    let mut tuples: Vec<Vec<u32>> = Vec::new();
    let mut queue = VecDeque::new();
    seen.insert(start.clone(), 0);
    tuples.push(start.clone());
    parent.push(None);
    queue.push_back(0usize);
    let mut found: HashMap<Vec<bool>, usize> = HashMap::new();
    let mut order: Vec<Vec<bool>> = Vec::new();
    while let Some(id) = queue.pop_front() {
        let Some(tuple) = tuples.get(id).cloned() else {
            continue;
        };
        if tuple.first().is_some_and(|&s| arena.nullable(s)) {
            let signature: Vec<bool> = tuple.iter().skip(1).map(|&q| arena.nullable(q)).collect();
            if !found.contains_key(&signature) {
                found.insert(signature.clone(), id);
                order.push(signature);
            }
        }
        for (si, &c) in symbols.iter().enumerate() {
            let symbol = u16::try_from(si).unwrap_or(u16::MAX);
            let mut next = Vec::with_capacity(tuple.len());
            for &q in &tuple {
                next.push(arena.deriv(q, symbol)?);
            }
            // A string that left the shape can never come back into it.
            if next.first() == Some(&EMPTY) {
                continue;
            }
            if seen.contains_key(&next) {
                continue;
            }
            if tuples.len() >= STATE_LIMIT {
                return Err(Unsupported::new(
                    "the patterns on one string are too many to partition",
                ));
            }
            let nid = tuples.len();
            seen.insert(next.clone(), nid);
            tuples.push(next);
            parent.push(Some((id, c)));
            queue.push_back(nid);
        }
    }
    let mut witnesses = Vec::with_capacity(order.len());
    for signature in &order {
        let mut text = Vec::new();
        let mut at = found.get(signature).copied();
        while let Some(id) = at {
            match parent.get(id).copied().flatten() {
                Some((from, c)) => {
                    text.push(c);
                    at = Some(from);
                }
                None => at = None,
            }
        }
        text.reverse();
        witnesses.push(text.into_iter().collect());
    }
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
    Ok(Regions {
        signatures: order,
        witnesses,
    })
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
}
