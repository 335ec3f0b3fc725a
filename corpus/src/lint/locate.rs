//! From JSON paths back to lines and columns of the document's text, for editors and SARIF.
//! A small scanner walks the text once, descending only into the members and elements that lead
//! to a path asked for and skipping everything else unread: the cost is one pass over the text
//! plus the paths, whatever the size of the document (issue 13: a table of every node's
//! position made a tenth of the time of linting 10,000 statements). It never fails loudly:
//! text it cannot follow gives no position.

use super::Position;
use iamspec_model::hash::FxMap as HashMap;
use iamspec_model::json::{JsonPath, Segment};
use std::borrow::Cow;

/// The paths asked for, as a trie of their segments; each node gets the position of its value
/// (of its key, for a member) when the walk finds it.
pub(crate) struct Locator {
    nodes: Vec<Node>,
}

/// Keys and indices apart, so that a key of the text is looked up as a slice of it, not as a
/// `Segment` made for the look-up.
#[derive(Default)]
struct Node {
    keys: HashMap<String, usize>,
    indices: HashMap<usize, usize>,
    /// Where the walk found the node: first as a byte offset, turned into a line and column
    /// once the walk is over, for the found nodes only.
    offset: Option<usize>,
    position: Option<Position>,
}

impl Node {
    fn child(&self, segment: &Segment) -> Option<usize> {
        match segment {
            Segment::Key(key) => self.keys.get(key.as_str()).copied(),
            Segment::Index(index) => self.indices.get(index).copied(),
        }
    }

    fn is_leaf(&self) -> bool {
        self.keys.is_empty() && self.indices.is_empty()
    }
}

impl Locator {
    /// Finds `paths` (and their ancestors) in `text`.
    pub(crate) fn new<'a>(text: &str, paths: impl IntoIterator<Item = &'a JsonPath>) -> Self {
        let mut locator = Locator {
            nodes: vec![Node::default()],
        };
        for path in paths {
            let mut node = 0;
            for segment in path.segments() {
                let next = locator.nodes.len();
                let child = match locator.nodes.get_mut(node) {
                    Some(parent) => match segment {
                        Segment::Key(key) => match parent.keys.get(key.as_str()) {
                            Some(&child) => child,
                            None => {
                                parent.keys.insert(key.clone(), next);
                                next
                            }
                        },
                        Segment::Index(index) => *parent.indices.entry(*index).or_insert(next),
                    },
                    None => break,
                };
                if child == next {
                    locator.nodes.push(Node::default());
                }
                node = child;
            }
        }
        let mut scanner = Scanner::new(text);
        scanner.skip_whitespace();
        if let [root] = locator.nodes.as_mut_slice() {
            // Only the document itself is asked for (a quota finding): its position is where
            // its value starts, which the walk would record before skipping all of the text.
            root.offset = Some(scanner.at);
        } else {
            // Text that is not JSON stops the walk; what was found so far stays.
            let _ = scanner.walk(0, &mut locator.nodes);
        }
        locator.place(text);
        locator
    }

    /// Lines and columns for the offsets found, in one pass over the text up to the last.
    fn place(&mut self, text: &str) {
        let mut found: Vec<(usize, usize)> = self
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.offset.map(|o| (o, i)))
            .collect();
        found.sort_unstable();
        let mut counter = Counter::default();
        for (offset, node) in found {
            let position = counter.advance(text, offset);
            if let Some(n) = self.nodes.get_mut(node) {
                n.position = Some(position);
            }
        }
    }

    /// Where `path` is: the member's key when the path ends in a key (`Statement[0].Action`
    /// points at `"Action"`), the element when it ends in an index, the document's first
    /// character for the root. The first of duplicate keys. A path that is not in the text
    /// (`Version` of a policy without one) gets the position of its nearest ancestor that is.
    pub(crate) fn position(&self, path: &JsonPath) -> Option<Position> {
        let mut node = self.nodes.first()?;
        let mut found = node.position;
        for segment in path.segments() {
            let Some(next) = node.child(segment).and_then(|i| self.nodes.get(i)) else {
                break;
            };
            node = next;
            found = node.position.or(found);
        }
        found
    }
}

/// Lines and columns (in characters) of increasing byte offsets. Offsets are where JSON's
/// structural characters or values start, which are ASCII, so never inside a character.
struct Counter {
    /// The position of byte `counted`.
    counted: usize,
    line: usize,
    column: usize,
}

impl Default for Counter {
    fn default() -> Self {
        Counter {
            counted: 0,
            line: 1,
            column: 1,
        }
    }
}

impl Counter {
    fn advance(&mut self, text: &str, offset: usize) -> Position {
        let upto = offset.min(text.len());
        if let Some(between) = text.as_bytes().get(self.counted..upto) {
            // Only the characters after the last newline make the column.
            let line_start = match memchr::memrchr(b'\n', between) {
                Some(last) => {
                    self.line += memchr::memchr_iter(b'\n', between).count();
                    self.column = 1;
                    self.counted + last + 1
                }
                None => self.counted,
            };
            self.column += text.get(line_start..upto).map_or(0, |s| s.chars().count());
            self.counted = upto;
        }
        Position {
            line: self.line,
            column: self.column,
        }
    }
}

/// Walks the text byte by byte: JSON's structural characters are ASCII, and no byte of a
/// multi-byte UTF-8 character is, so no character needs decoding. Positions are recorded as
/// byte offsets; lines and columns are counted afterwards, for the recorded ones only.
struct Scanner<'t> {
    text: &'t str,
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn next(&mut self) -> Option<(usize, u8)> {
        let b = self.peek()?;
        let at = self.at;
        self.at += 1;
        Some((at, b))
    }

    fn skip_whitespace(&mut self) {
        while self
            .peek()
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
        {
            self.at += 1;
        }
    }

    fn expect(&mut self, wanted: u8) -> Option<()> {
        self.skip_whitespace();
        match self.next() {
            Some((_, c)) if c == wanted => Some(()),
            _ => None,
        }
    }

    /// At the start of a value (whitespace skipped) that trie node `node` stands for: records
    /// its position and walks into the members or elements that lead to other nodes.
    fn walk(&mut self, node: usize, nodes: &mut [Node]) -> Option<()> {
        let here = self.at;
        let Some(current) = nodes.get_mut(node) else {
            return self.skip_value();
        };
        current.offset.get_or_insert(here);
        if current.is_leaf() {
            return self.skip_value();
        }
        match self.peek()? {
            b'{' => {
                self.next();
                loop {
                    self.skip_whitespace();
                    if self.peek() == Some(b'}') {
                        self.next();
                        return Some(());
                    }
                    let at = self.at;
                    let key = self.string()?;
                    self.expect(b':')?;
                    self.skip_whitespace();
                    let child = nodes
                        .get(node)
                        .and_then(|n| n.keys.get(key.as_ref()).copied());
                    match child {
                        Some(child) => {
                            // The key's position stands for the member; the first duplicate wins.
                            if let Some(c) = nodes.get_mut(child) {
                                c.offset.get_or_insert(at);
                            }
                            self.walk(child, nodes)?;
                        }
                        None => self.skip_value()?,
                    }
                    self.skip_whitespace();
                    match self.next() {
                        Some((_, b',')) => {}
                        Some((_, b'}')) => return Some(()),
                        _ => return None,
                    }
                }
            }
            b'[' => {
                self.next();
                let mut index = 0usize;
                loop {
                    self.skip_whitespace();
                    if self.peek() == Some(b']') {
                        self.next();
                        return Some(());
                    }
                    let child = nodes.get(node).and_then(|n| n.indices.get(&index).copied());
                    match child {
                        Some(child) => self.walk(child, nodes)?,
                        None => self.skip_value()?,
                    }
                    self.skip_whitespace();
                    match self.next() {
                        Some((_, b',')) => index += 1,
                        Some((_, b']')) => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => self.skip_value(),
        }
    }

    /// Reads a string token and returns its unescaped value.
    fn string(&mut self) -> Option<Cow<'t, str>> {
        let start = self.skip_string()?;
        let raw = self.text.get(start..self.at)?;
        // Keys without escapes are their own value, a slice of the text: no JSON reader and no
        // copy needed.
        match raw.get(1..raw.len().saturating_sub(1)) {
            Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
            _ => serde_json::from_str::<String>(raw).ok().map(Cow::Owned),
        }
    }

    /// Skips a string token; where it started.
    fn skip_string(&mut self) -> Option<usize> {
        let (start, quote) = self.next()?;
        if quote != b'"' {
            return None;
        }
        loop {
            let rest = self.bytes.get(self.at..)?;
            let stop = memchr::memchr2(b'"', b'\\', rest)?;
            self.at += stop;
            match self.next()?.1 {
                b'\\' => {
                    self.next()?;
                }
                _ => return Some(start),
            }
        }
    }

    /// Skips one value (whitespace before it already skipped).
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.skip_string().map(|_| ()),
            b'{' | b'[' => {
                // Brackets nest; strings may contain brackets, so they are skipped whole.
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        b'"' => {
                            self.skip_string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                self.at += 1;
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            _ => {
                while self.peek().is_some_and(|c| {
                    !matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                }) {
                    self.at += 1;
                }
                Some(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, path: JsonPath) -> Option<(usize, usize)> {
        Locator::new(text, [&path])
            .position(&path)
            .map(|p| (p.line, p.column))
    }

    #[test]
    fn follows_keys_and_indices() {
        let text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Sid\": \"a]\\\"{\", \"Effect\": \"Allow\"},\n    {\"Effect\": \"Deny\",\n     \"Action\": [\"s3:*\", \"ec2:*\"]}\n  ]\n}";
        let root = JsonPath::root();
        assert_eq!(at(text, root.clone()), Some((1, 1)));
        assert_eq!(at(text, root.key("Version")), Some((2, 3)));
        let statement = root.key("Statement");
        assert_eq!(at(text, statement.index(0).key("Effect")), Some((4, 22)));
        assert_eq!(at(text, statement.index(1)), Some((5, 5)));
        assert_eq!(
            at(text, statement.index(1).key("Action").index(1)),
            Some((6, 25))
        );
        // Paths not in the text fall back to their nearest ancestor.
        assert_eq!(at(text, statement.index(2)), at(text, statement.clone()));
        assert_eq!(at(text, root.key("Nope")), Some((1, 1)));
    }

    #[test]
    fn the_document_alone_without_a_walk() {
        // Where its value starts, after leading whitespace, also for text that is not JSON.
        let root = JsonPath::root();
        assert_eq!(at("\n  {\"a\": [1, 2]}", root.clone()), Some((2, 3)));
        assert_eq!(at("{\"a\": ", root.clone()), Some((1, 1)));
        assert_eq!(at("  \u{e9}", root.clone()), Some((1, 3)));
        assert_eq!(at("", root), Some((1, 1)));
    }

    #[test]
    fn many_paths_in_one_walk() {
        let text = "{\"Statement\": [\n{\"Effect\": \"Allow\"},\n{\"Effect\": \"Deny\"}]}";
        let statement = JsonPath::root().key("Statement");
        let paths = [statement.index(1).key("Effect"), statement.index(0)];
        let locator = Locator::new(text, &paths);
        let found: Vec<Option<(usize, usize)>> = paths
            .iter()
            .map(|p| locator.position(p).map(|p| (p.line, p.column)))
            .collect();
        assert_eq!(found, [Some((3, 2)), Some((2, 1))]);
        assert_eq!(
            locator.position(&statement).map(|p| (p.line, p.column)),
            Some((1, 2))
        );
    }

    #[test]
    fn escaped_keys_and_duplicates() {
        let text = r#"{"A\u0042": 1, "AB": 2}"#;
        assert_eq!(at(text, JsonPath::root().key("AB")), Some((1, 2)));
        assert_eq!(at("not json", JsonPath::root().key("A")), Some((1, 1)));
    }
}
