//! From a JSON path back to a line and column of the document's text, for editors and SARIF.
//! A small scanner walks the text along the path; it never fails loudly: text it cannot follow
//! gives no position.

use super::Position;
use iamspec_model::json::{JsonPath, Segment};
use std::collections::HashMap;
use std::iter::Peekable;
use std::str::CharIndices;

/// The positions of every key and element of one document, found in one pass over its text.
pub(crate) struct Locator {
    positions: HashMap<JsonPath, Position>,
}

impl Locator {
    pub(crate) fn new(text: &str) -> Self {
        let mut scanner = Scanner::new(text);
        let mut positions = HashMap::new();
        scanner.skip_whitespace();
        // Text that is not JSON stops the walk; what was found so far stays.
        let _ = scanner.walk(JsonPath::root(), &mut positions);
        Locator { positions }
    }

    /// Where `path` is: the member's key when the path ends in a key (`Statement[0].Action`
    /// points at `"Action"`), the element when it ends in an index, the document's first
    /// character for the root. The first of duplicate keys.
    /// A path that is not in the text (`Version` of a policy without one) gets the position
    /// of its nearest ancestor that is.
    pub(crate) fn position(&self, path: &JsonPath) -> Option<Position> {
        if let Some(found) = self.positions.get(path) {
            return Some(*found);
        }
        let segments = path.segments();
        (0..segments.len()).rev().find_map(|length| {
            let ancestor = segments
                .iter()
                .take(length)
                .fold(JsonPath::root(), |at, segment| match segment {
                    Segment::Key(key) => at.key(key),
                    Segment::Index(index) => at.index(*index),
                });
            self.positions.get(&ancestor).copied()
        })
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

    /// At the start of a value (whitespace skipped) whose path is `path`: records it and
    /// everything inside it.
    fn walk(&mut self, path: JsonPath, positions: &mut HashMap<JsonPath, Position>) -> Option<()> {
        positions.entry(path.clone()).or_insert(self.here());
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
                    let member = path.key(&key);
                    // The key's position stands for the member; the first duplicate wins.
                    positions.entry(member.clone()).or_insert(at);
                    self.walk(member, positions)?;
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
                    self.walk(path.index(index), positions)?;
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
        let (start, quote) = self.next()?;
        if quote != '"' {
            return None;
        }
        loop {
            let (at, c) = self.next()?;
            match c {
                '\\' => {
                    self.next()?;
                }
                '"' => {
                    let raw = self.text.get(start..=at)?;
                    return serde_json::from_str(raw).ok();
                }
                _ => {}
            }
        }
    }

    /// Skips one value (whitespace before it already skipped).
    fn skip_value(&mut self) -> Option<()> {
        match self.peek()? {
            '"' => self.string().map(|_| ()),
            '{' | '[' => {
                // Brackets nest; strings may contain brackets, so they are skipped whole.
                let mut depth = 0usize;
                loop {
                    match self.peek()? {
                        '"' => {
                            self.string()?;
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
        Locator::new(text)
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
    fn escaped_keys_and_duplicates() {
        let text = r#"{"A\u0042": 1, "AB": 2}"#;
        assert_eq!(at(text, JsonPath::root().key("AB")), Some((1, 2)));
        assert_eq!(at("not json", JsonPath::root().key("A")), Some((1, 1)));
    }
}
