//! From JSON paths back to lines and columns of the document's text, for editors and SARIF.
//! A small scanner walks the text once, descending only into the members and elements that lead
//! to a path asked for and skipping everything else unread: the cost is one pass over the text
//! plus the paths, whatever the size of the document (issue 13: a table of every node's
//! position made a tenth of the time of linting 10,000 statements). It never fails loudly:
//! text it cannot follow gives no position.

use super::Position;
use iamspec_model::json::{JsonPath, Segment};
use std::collections::HashMap;
use std::iter::Peekable;
use std::str::CharIndices;

/// The paths asked for, as a trie of their segments; each node gets the position of its value
/// (of its key, for a member) when the walk finds it.
pub(crate) struct Locator {
    nodes: Vec<Node>,
}

#[derive(Default)]
struct Node {
    children: HashMap<Segment, usize>,
    position: Option<Position>,
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
                    Some(parent) => *parent.children.entry(segment.clone()).or_insert(next),
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
        // Text that is not JSON stops the walk; what was found so far stays.
        let _ = scanner.walk(0, &mut locator.nodes);
        locator
    }

    /// Where `path` is: the member's key when the path ends in a key (`Statement[0].Action`
    /// points at `"Action"`), the element when it ends in an index, the document's first
    /// character for the root. The first of duplicate keys. A path that is not in the text
    /// (`Version` of a policy without one) gets the position of its nearest ancestor that is.
    pub(crate) fn position(&self, path: &JsonPath) -> Option<Position> {
        let mut node = self.nodes.first()?;
        let mut found = node.position;
        for segment in path.segments() {
            let Some(next) = node.children.get(segment).and_then(|&i| self.nodes.get(i)) else {
                break;
            };
            node = next;
            found = node.position.or(found);
        }
        found
    }
}

struct Scanner<'t> {
    text: &'t str,
    chars: Peekable<CharIndices<'t>>,
    line: usize,
    column: usize,
}

impl<'t> Scanner<'t> {
    fn new(text: &'t str) -> Self {
        Scanner {
            text,
            chars: text.char_indices().peekable(),
            line: 1,
            column: 1,
        }
    }

    fn here(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn next(&mut self) -> Option<(usize, char)> {
        let next = self.chars.next();
        if let Some((_, c)) = next {
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        next
    }

    fn skip_whitespace(&mut self) {
        while self
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.next();
        }
    }

    fn expect(&mut self, wanted: char) -> Option<()> {
        self.skip_whitespace();
        match self.next() {
            Some((_, c)) if c == wanted => Some(()),
            _ => None,
        }
    }

    /// At the start of a value (whitespace skipped) that trie node `node` stands for: records
    /// its position and walks into the members or elements that lead to other nodes.
    fn walk(&mut self, node: usize, nodes: &mut [Node]) -> Option<()> {
        let here = self.here();
        let Some(current) = nodes.get_mut(node) else {
            return self.skip_value();
        };
        current.position.get_or_insert(here);
        if current.children.is_empty() {
            return self.skip_value();
        }
        match self.peek()? {
            '{' => {
                self.next();
                loop {
                    self.skip_whitespace();
                    if self.peek() == Some('}') {
                        self.next();
                        return Some(());
                    }
                    let at = self.here();
                    let key = self.string()?;
                    self.expect(':')?;
                    self.skip_whitespace();
                    let child = nodes
                        .get(node)
                        .and_then(|n| n.children.get(&Segment::Key(key)).copied());
                    match child {
                        Some(child) => {
                            // The key's position stands for the member; the first duplicate wins.
                            if let Some(c) = nodes.get_mut(child) {
                                c.position.get_or_insert(at);
                            }
                            self.walk(child, nodes)?;
                        }
                        None => self.skip_value()?,
                    }
                    self.skip_whitespace();
                    match self.next() {
                        Some((_, ',')) => {}
                        Some((_, '}')) => return Some(()),
                        _ => return None,
                    }
                }
            }
            '[' => {
                self.next();
                let mut index = 0usize;
                loop {
                    self.skip_whitespace();
                    if self.peek() == Some(']') {
                        self.next();
                        return Some(());
                    }
                    let child = nodes
                        .get(node)
                        .and_then(|n| n.children.get(&Segment::Index(index)).copied());
                    match child {
                        Some(child) => self.walk(child, nodes)?,
                        None => self.skip_value()?,
                    }
                    self.skip_whitespace();
                    match self.next() {
                        Some((_, ',')) => index += 1,
                        Some((_, ']')) => return Some(()),
                        _ => return None,
                    }
                }
            }
            _ => self.skip_value(),
        }
    }

    /// Reads a string token and returns its unescaped value.
    fn string(&mut self) -> Option<String> {
        let start = self.skip_string()?;
        let end = self.chars.peek().map_or(self.text.len(), |&(at, _)| at);
        serde_json::from_str(self.text.get(start..end)?).ok()
    }

    /// Skips a string token; where it started.
    fn skip_string(&mut self) -> Option<usize> {
        let (start, quote) = self.next()?;
        if quote != '"' {
            return None;
        }
        loop {
            match self.next()?.1 {
                '\\' => {
                    self.next()?;
                }
                '"' => return Some(start),
                _ => {}
            }
        }
    }

    /// Skips one value (whitespace before it already skipped).
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            '"' => self.skip_string().map(|_| ()),
            '{' | '[' => {
                // Brackets nest; strings may contain brackets, so they are skipped whole.
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        '"' => {
                            self.skip_string()?;
                            continue;
                        }
                        '{' | '[' => depth += 1,
                        '}' | ']' => {
                            depth = depth.checked_sub(1)?;
                            if depth == 0 {
                                self.next();
                                return Some(());
                            }
                        }
                        _ => {}
                    }
                    self.next();
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|c| !matches!(c, ',' | '}' | ']' | ' ' | '\t' | '\n' | '\r'))
                {
                    self.next();
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
