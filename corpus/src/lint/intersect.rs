//! Can a `Resource` pattern match any resource of a type, given the type's ARN template
//! (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`)? Decided by intersecting two globs.
//!
//! This is not resource matching (the model's `ResourcePattern` is): it is a test that may only
//! say "no" when the model would never match. So the pattern side is widened: every `*` matches
//! any run and every `?` any character, `:` included, whatever the field (D11 lets only some of
//! them cross `:`), and a policy variable matches any run. The template side is what real ARNs
//! of the type look like: each `${Placeholder}` is one or more characters, without `:` in the
//! first five fields (partitions, regions and accounts have none); a `*` in a template is any run.

use iamspec_model::arn::split_fields;
use iamspec_model::condition::variables::{Part, Template};
use iamspec_model::hash::FxMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    Char(char),
    /// One character, any.
    One,
    /// Any run, possibly empty.
    Run,
    /// A template placeholder: one or more characters, `:` among them when `colon`.
    Placeholder {
        colon: bool,
    },
}

/// The buffers of one intersection search, reusable by the next.
#[derive(Default)]
pub(crate) struct Scratch {
    visited: Vec<bool>,
    stack: Vec<(usize, usize, bool)>,
}

/// A compiled resource pattern or ARN template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
    /// Where the resource field starts (after the fifth `:`), when every token before it is a
    /// character or a placeholder without `:`: the first five fields then line up one to one
    /// with another such glob's, and only the resource fields need the search.
    head: Option<usize>,
}

/// The token index after the fifth `:`, when nothing before it can match a `:` or a run.
fn head(tokens: &[Token]) -> Option<usize> {
    let mut colons = 0;
    for (at, token) in tokens.iter().enumerate() {
        match token {
            Token::Char(':') => {
                colons += 1;
                if colons == 5 {
                    return Some(at + 1);
                }
            }
            Token::Char(_) | Token::Placeholder { colon: false } => {}
            _ => return None,
        }
    }
    None
}

/// Whether two fields of the first five (no `:` in either) can hold the same text: `None` when
/// this quick test cannot tell.
fn field_meets(a: &[Token], b: &[Token]) -> Option<bool> {
    let literal = |f: &[Token]| f.iter().all(|t| matches!(t, Token::Char(_)));
    let one_placeholder = |f: &[Token]| matches!(f, [Token::Placeholder { .. }]);
    match (literal(a), literal(b)) {
        (true, true) => Some(a == b),
        (true, false) if one_placeholder(b) => Some(!a.is_empty()),
        (false, true) if one_placeholder(a) => Some(!b.is_empty()),
        _ if one_placeholder(a) && one_placeholder(b) => Some(true),
        _ => None,
    }
}

impl Glob {
    /// A policy's resource pattern, widened (see the module documentation). `substitutes` says
    /// whether `${…}` are variables (Version 2012-10-17) or literal text.
    pub(crate) fn pattern(text: &str, substitutes: bool) -> Glob {
        let mut tokens = Vec::with_capacity(text.len());
        let token = |c| match c {
            '*' => Token::Run,
            '?' => Token::One,
            c => Token::Char(c),
        };
        // Without `${` the template would be the text itself: read it as it is, without one.
        if !super::has_variable(text) {
            tokens.extend(text.chars().map(token));
            let head = head(&tokens);
            return Glob { tokens, head };
        }
        let parts = if substitutes {
            Template::parse(text).parts
        } else {
            Template::literal(text).parts
        };
        for part in parts {
            match part {
                Part::Text(text) => tokens.extend(text.chars().map(token)),
                Part::Escape(c) => tokens.push(Token::Char(c)),
                Part::Variable { .. } => tokens.push(Token::Run),
            }
        }
        let head = head(&tokens);
        Glob { tokens, head }
    }

    /// An ARN template from the catalogue.
    pub(crate) fn template(text: &str) -> Glob {
        let mut tokens = Vec::with_capacity(text.len());
        for (index, field) in split_fields(text).iter().enumerate() {
            if index > 0 {
                tokens.push(Token::Char(':'));
            }
            let colon = index == 5;
            let mut rest = *field;
            while !rest.is_empty() {
                if let Some(after) = rest.strip_prefix("${") {
                    if let Some(end) = after.find('}') {
                        tokens.push(Token::Placeholder { colon });
                        rest = after.get(end + 1..).unwrap_or("");
                        continue;
                    }
                }
                let mut chars = rest.chars();
                if let Some(c) = chars.next() {
                    tokens.push(if c == '*' { Token::Run } else { Token::Char(c) });
                }
                rest = chars.as_str();
            }
        }
        let head = head(&tokens);
        Glob { tokens, head }
    }

    /// Whether some string matches both globs.
    pub(crate) fn intersects(&self, other: &Glob) -> bool {
        self.intersects_with(other, &mut Scratch::default())
    }

    /// [`Glob::intersects`] with the search's buffers kept in `scratch` across calls (one
    /// statement asks about each of its resources and templates).
    pub(crate) fn intersects_with(&self, other: &Glob, scratch: &mut Scratch) -> bool {
        // Literal text at both ends decides most pairs that do not meet, without the search.
        if clash(self.tokens.iter(), other.tokens.iter())
            || clash(self.tokens.iter().rev(), other.tokens.iter().rev())
        {
            return false;
        }
        if let (Some(a), Some(b)) = (self.head, other.head) {
            let (Some(head_a), Some(head_b)) = (self.tokens.get(..a), other.tokens.get(..b)) else {
                return search(&self.tokens, &other.tokens, scratch);
            };
            // Each without its last `:`, split into the five fields.
            let fields_a = head_a
                .get(..a - 1)
                .unwrap_or(&[])
                .split(|t| *t == Token::Char(':'));
            let fields_b = head_b
                .get(..b - 1)
                .unwrap_or(&[])
                .split(|t| *t == Token::Char(':'));
            let mut decided = true;
            for (fa, fb) in fields_a.zip(fields_b) {
                match field_meets(fa, fb) {
                    Some(false) => return false,
                    Some(true) => {}
                    None => decided = false,
                }
            }
            if decided {
                let rest_a = self.tokens.get(a..).unwrap_or(&[]);
                let rest_b = other.tokens.get(b..).unwrap_or(&[]);
                return search(rest_a, rest_b, scratch);
            }
        }
        search(&self.tokens, &other.tokens, scratch)
    }
}

/// The literal characters of an ARN template and its longest run of placeholders and wildcards:
/// what a resource's characters can meet. A character of the resource that the template does
/// not have can only be matched by a placeholder or a wildcard of the template, so all such
/// characters are alike to it, and a run of more of them than the template has placeholders and
/// wildcards in a row is alike to a run of that many (each placeholder takes at least one
/// character, and any of them can take more). [`Alphabet::shape`] writes a resource in those
/// terms: a resource meets the template exactly when its shape does, and resources that differ
/// only in such characters (`bucket-17`, `bucket-18`) share one answer.
struct Alphabet {
    ascii: u128,
    /// Per ASCII byte, whether a resource's shape keeps it: the template has it, or it is one
    /// of `:`, `*` and `?` (one look-up per byte of an ASCII resource). A row for every byte,
    /// the others `false`, so that the look-up needs no bounds test.
    keeps: [bool; 256],
    other: Vec<char>,
    /// The longest run of consecutive placeholders and wildcards, at least one.
    block: usize,
}

/// What the characters of a resource that the template lacks become in its shape (NUL, a
/// character of its own in UTF-8).
const ELSE: u8 = 0;

impl Alphabet {
    fn of(template: &Glob) -> Alphabet {
        let mut alphabet = Alphabet {
            ascii: 0,
            keeps: [false; 256],
            other: Vec::new(),
            block: 1,
        };
        let mut run = 0;
        for token in &template.tokens {
            match token {
                Token::Char(c) => {
                    run = 0;
                    match u32::from(*c) {
                        code @ 0..128 => alphabet.ascii |= 1u128 << code,
                        _ => alphabet.other.push(*c),
                    }
                }
                _ => {
                    run += 1;
                    alphabet.block = alphabet.block.max(run);
                }
            }
        }
        for (byte, keep) in (0..=u8::MAX).zip(alphabet.keeps.iter_mut()) {
            *keep = byte.is_ascii()
                && (matches!(byte, b':' | b'*' | b'?') || alphabet.ascii & (1u128 << byte) != 0);
        }
        alphabet
    }

    fn has(&self, c: char) -> bool {
        match u32::from(c) {
            code @ 0..128 => self.ascii & (1u128 << code) != 0,
            _ => self.other.contains(&c),
        }
    }

    /// A character the template lacks, the `run`-th in a row: past the longest block of the
    /// template's placeholders and wildcards, more are alike to none.
    #[inline]
    fn lacks(&self, run: &mut usize, shape: &mut Vec<u8>) {
        if *run < self.block {
            shape.push(ELSE);
        }
        *run += 1;
    }

    /// Writes the shape of the resource pattern `text` into `shape` (UTF-8), or returns `false`
    /// when the pattern has `${` (a variable or an escape: not one token per character) or the
    /// template has the character that stands for the others. `:` stays itself: placeholders of
    /// the first five fields cannot hold it.
    fn shape(&self, text: &str, shape: &mut Vec<u8>) -> bool {
        shape.clear();
        // Few resources have a `$`: a byte search (word by word) rules `${` out for most, for
        // less than testing every pair of bytes.
        let variable = text.as_bytes().contains(&b'$') && super::has_variable(text);
        if variable || self.has(char::from(ELSE)) {
            return false;
        }
        // A shape is never longer than its text: room once, not growth per character.
        shape.reserve(text.len());
        let mut run = 0;
        if text.is_ascii() {
            // By its bytes (no decoding), one table look-up each.
            for &byte in text.as_bytes() {
                if self.keeps.get(usize::from(byte)) == Some(&true) {
                    run = 0;
                    shape.push(byte);
                } else {
                    self.lacks(&mut run, shape);
                }
            }
        } else {
            let mut utf8 = [0; 4];
            for c in text.chars() {
                let kept = match u8::try_from(c) {
                    Ok(byte) if byte.is_ascii() => self.keeps.get(usize::from(byte)) == Some(&true),
                    _ => self.other.contains(&c),
                };
                if kept {
                    run = 0;
                    shape.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
                } else {
                    self.lacks(&mut run, shape);
                }
            }
        }
        true
    }
}

/// How many shapes one template keeps answers for, at most (hostile input in a long-lived
/// process cannot fill memory; further answers are searched for and not kept).
const SHAPES: usize = 10_000;

/// A catalogue ARN template compiled for intersection, with its [`Alphabet`] and the answers it
/// gave, by resource shape. For the embedded catalogue it lives as long as the process
/// (`shared.rs`), so documents share the answers too.
pub(crate) struct ArnTemplate {
    glob: Glob,
    alphabet: Alphabet,
    answers: std::sync::Mutex<FxMap<Vec<u8>, bool>>,
    /// Where the service field (the third) lies in the template's text, when it names a
    /// service (not `${Vendor}`): found once, not per document (splitting the fields again for
    /// every document was a fiftieth of linting the corpus).
    service: Option<std::ops::Range<usize>>,
}

impl ArnTemplate {
    pub(crate) fn new(arn: &str) -> ArnTemplate {
        let glob = Glob::template(arn);
        let service = split_fields(arn)
            .get(2)
            .copied()
            .filter(|f| !super::has_variable(f))
            .map(|field| {
                // The field is a slice of `arn`: its offset is the distance between them.
                let start = (field.as_ptr() as usize).saturating_sub(arn.as_ptr() as usize);
                start..start + field.len()
            });
        ArnTemplate {
            alphabet: Alphabet::of(&glob),
            glob,
            answers: std::sync::Mutex::new(FxMap::default()),
            service,
        }
    }

    /// The service field of `arn`, the text this template was compiled from.
    pub(crate) fn service<'a>(&self, arn: &'a str) -> Option<&'a str> {
        self.service.clone().and_then(|range| arn.get(range))
    }

    /// Whether the resource pattern `text` can be an ARN of this template: by its shape when it
    /// has one, else with `compiled`, its glob, compiled when first needed.
    pub(crate) fn meets(
        &self,
        text: &str,
        substitutes: bool,
        compiled: &std::cell::OnceCell<Glob>,
        shape: &mut Vec<u8>,
        scratch: &mut Scratch,
    ) -> bool {
        let whole = |scratch: &mut Scratch| {
            compiled
                .get_or_init(|| Glob::pattern(text, substitutes))
                .intersects_with(&self.glob, scratch)
        };
        if !self.alphabet.shape(text, shape) {
            return whole(scratch);
        }
        if let Some(&known) = self
            .answers
            .lock()
            .ok()
            .as_ref()
            .and_then(|answers| answers.get(shape.as_slice()))
        {
            return known;
        }
        // The shape is whole characters of `text` and `ELSE`, so UTF-8 (else, the text itself).
        let Ok(shape_text) = std::str::from_utf8(shape) else {
            return whole(scratch);
        };
        // The shape has no `${`: variables or not, it reads as one token per character.
        let answer = Glob::pattern(shape_text, false).intersects_with(&self.glob, scratch);
        if let Ok(mut answers) = self.answers.lock() {
            if answers.len() < SHAPES {
                answers.insert(shape.clone(), answer);
            }
        }
        answer
    }
}

/// Whether some string matches both token runs: a search over the pairs of positions.
fn search(a_tokens: &[Token], b_tokens: &[Token], scratch: &mut Scratch) -> bool {
    {
        let width = b_tokens.len() + 1;
        let height = a_tokens.len() + 1;
        // States (i, j): `i` tokens of `a_tokens` and `j` of `b_tokens` consumed. A placeholder that has
        // consumed at least one character is "inside" it: state (i, j) with `inside[j]` marks it.
        let size = width * height;
        let Scratch { visited, stack } = scratch;
        visited.clear();
        visited.resize(size * 2, false);
        stack.clear();
        stack.push((0, 0, false));
        while let Some((i, j, inside)) = stack.pop() {
            let slot = (i * width + j) * 2 + usize::from(inside);
            match visited.get_mut(slot) {
                Some(seen) if !*seen => *seen = true,
                _ => continue,
            }
            let a = a_tokens.get(i).copied();
            let b = b_tokens.get(j).copied();
            if a.is_none() && b.is_none() {
                return true;
            }
            // Epsilon moves: a run may match nothing; a placeholder may end once entered.
            if a == Some(Token::Run) {
                stack.push((i + 1, j, inside));
            }
            match b {
                Some(Token::Run) => stack.push((i, j + 1, false)),
                Some(Token::Placeholder { .. }) if inside => stack.push((i, j + 1, false)),
                _ => {}
            }
            // One character consumed by both sides.
            let (Some(a), Some(b)) = (a, b) else {
                continue;
            };
            if !share_a_char(a, b) {
                continue;
            }
            let next_i = match a {
                Token::Run => i,
                _ => i + 1,
            };
            let (next_j, next_inside) = match b {
                Token::Run => (j, false),
                Token::Placeholder { .. } => (j, true),
                _ => (j + 1, false),
            };
            stack.push((next_i, next_j, next_inside));
        }
        false
    }
}

/// Whether two token runs, read from the same end, differ in a character before either has
/// anything but literal characters: then no string matches both.
fn clash<'t>(a: impl Iterator<Item = &'t Token>, b: impl Iterator<Item = &'t Token>) -> bool {
    for (a, b) in a.zip(b) {
        match (a, b) {
            (Token::Char(c), Token::Char(d)) if c != d => return true,
            (Token::Char(_), Token::Char(_)) => {}
            _ => return false,
        }
    }
    false
}

/// Whether some character is accepted by both tokens.
fn share_a_char(a: Token, b: Token) -> bool {
    let accepts = |token: Token, c: char| match token {
        Token::Char(d) => c == d,
        Token::One | Token::Run => true,
        Token::Placeholder { colon } => colon || c != ':',
    };
    match (a, b) {
        (Token::Char(c), other) | (other, Token::Char(c)) => accepts(other, c),
        // Two wildcard classes always share a letter.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meets(pattern: &str, template: &str) -> bool {
        Glob::pattern(pattern, true).intersects(&Glob::template(template))
    }

    const OBJECT: &str = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
    const BUCKET: &str = "arn:${Partition}:s3:::${BucketName}";
    const ROLE: &str = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}";
    const STREAM: &str =
        "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}";

    #[test]
    fn s3() {
        assert!(meets("arn:aws:s3:::bucket/*", OBJECT));
        // Placeholders in the resource part may hold `/` (`${RoleNameWithPath}`), so a bucket
        // template cannot rule this out: the test only ever errs towards "may match".
        assert!(meets("arn:aws:s3:::bucket/*", BUCKET));
        assert!(meets("arn:aws:s3:::bucket", BUCKET));
        assert!(!meets("arn:aws:s3:::bucket", OBJECT));
        assert!(
            !meets("arn:aws:s3:::bucket/", OBJECT),
            "an object name is not empty"
        );
        assert!(meets("arn:aws:s3:::*", OBJECT));
        assert!(meets("arn:aws:s3:*", OBJECT));
        assert!(!meets("arn:aws:s3", OBJECT));
        assert!(!meets("arn:aws:s3:us-east-1::bucket", BUCKET));
        assert!(!meets("arn:aws:ec2:::bucket", BUCKET));
        assert!(meets("arn:aws:s3:::${aws:username}", BUCKET));
        assert!(meets("arn:*:s3:::b", BUCKET));
    }

    #[test]
    fn fields_and_placeholders() {
        assert!(meets("arn:aws:iam::123456789012:role/x", ROLE));
        assert!(meets("arn:aws:iam::*:role/*", ROLE));
        assert!(
            !meets("arn:aws:iam:::role/x", ROLE),
            "an account is not empty"
        );
        assert!(!meets("arn:aws:iam::123456789012:user/x", ROLE));
        assert!(meets("arn:aws:iam::123456789012:*", ROLE));
        assert!(meets("arn:aws:logs:*:*:*", STREAM));
        assert!(meets(
            "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
            STREAM
        ));
        assert!(!meets("arn:aws:logs:us-east-1:1:log-group:g", STREAM));
        assert!(meets(
            "arn:aws:dms:r:1:cert:*",
            "arn:${Partition}:dms:${Region}:${Account}:cert:*"
        ));
        assert!(meets(
            "arn:aws:dms:r:1:cert:",
            "arn:${Partition}:dms:${Region}:${Account}:cert:*"
        ));
        // A placeholder in the first five fields takes no `:`.
        assert!(!meets("arn:aws:iam::1:2:role/x", ROLE));
    }

    #[test]
    fn literal_ends_decide_early_and_soundly() {
        assert!(!meets(
            "arn:aws:s3:::b/x.txt",
            "arn:${Partition}:s3:::${BucketName}/y"
        ));
        assert!(!meets("brn:aws:s3:::b/*", OBJECT));
        assert!(meets("*.txt", OBJECT));
        assert!(meets("arn:*", "arn:${Partition}:s3:::${BucketName}/a.txt"));
        assert!(!meets(
            "arn:*.txt",
            "arn:${Partition}:s3:::${BucketName}/a.csv"
        ));
        // One side ending with the other's literal tail is no clash.
        assert!(meets(
            "arn:aws:s3:::b/",
            "arn:${Partition}:s3:::${BucketName}/*"
        ));
    }

    /// The field-by-field shortcut answers as the whole search does.
    #[test]
    fn fields_shortcut_agrees_with_the_whole_search() {
        let patterns = [
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::",
            "arn:aws:iam::123456789012:role/x",
            "arn:aws:iam:::role/x",
            "arn:aws:iam::1:2:role/x",
            "arn:aws:logs:us-east-1:1:log-group:g:log-stream:s",
            "arn:aws:logs:us-east-1:1:log-group:g",
            "arn:aws:dms:r:1:cert:",
            "arn:aws:s3:us-east-1::bucket",
            "arn:aws-cn:ec2:cn-north-1:1:instance/i-1",
            "arn:aws:iam::123456789012:user/${aws:username}",
        ];
        let templates = [
            OBJECT,
            BUCKET,
            ROLE,
            STREAM,
            "arn:${Partition}:dms:${Region}:${Account}:cert:*",
            "arn:${Partition}:ec2:${Region}:${Account}:instance/${InstanceId}",
            "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}",
            "arn:${Partition}:iam::aws:policy/${PolicyNameWithPath}",
        ];
        let mut scratch = Scratch::default();
        let mut shortcut = 0;
        for pattern in patterns {
            let glob = Glob::pattern(pattern, true);
            for template in templates {
                let template = Glob::template(template);
                shortcut += usize::from(glob.head.is_some() && template.head.is_some());
                assert_eq!(
                    glob.intersects_with(&template, &mut scratch),
                    search(&glob.tokens, &template.tokens, &mut scratch),
                    "{pattern} {template:?}"
                );
            }
        }
        assert!(shortcut > 50, "{shortcut}");
    }

    #[test]
    fn shapes_answer_as_the_whole_search() {
        // Adjacent placeholders, a template wildcard, a non-ASCII literal; resources over
        // characters some templates have and some none has (`x`, `y`, `é` for most), with
        // wildcards and `:`, every text up to four characters after each head.
        let templates = [
            OBJECT,
            BUCKET,
            "arn:${Partition}:x:::${A}${B}a${C}",
            "arn:${Partition}:x:::a*${B}/é",
            "arn:${Partition}:x:::ab",
            "arn:${Partition}:x:${Region}:${Account}:${A}:b",
        ];
        let alphabet = ['a', 'b', 'x', 'y', 'é', '/', '*', '?', ':'];
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..4 {
            last = last
                .iter()
                .flat_map(|t| alphabet.iter().map(move |c| format!("{t}{c}")))
                .collect();
            texts.extend(last.iter().cloned());
        }
        let (mut scratch, mut shape) = (Scratch::default(), Vec::new());
        for template in templates {
            let compiled = ArnTemplate::new(template);
            let mut asked = 0;
            for head in ["arn:aws:s3:::", "arn:aws:x:r:1:", "arn:*"] {
                for text in &texts {
                    let text = format!("{head}{text}");
                    let whole = Glob::pattern(&text, true).intersects(&compiled.glob);
                    let cell = std::cell::OnceCell::new();
                    let by_shape = compiled.meets(&text, true, &cell, &mut shape, &mut scratch);
                    assert_eq!(by_shape, whole, "{text} {template}");
                    asked += 1;
                }
            }
            let kept = compiled.answers.lock().map(|a| a.len()).unwrap_or(0);
            assert!(
                kept > 0 && kept * 2 < asked,
                "{template}: {kept} of {asked}"
            );
        }
    }

    #[test]
    fn literal_text_under_old_versions() {
        let glob = Glob::pattern("arn:aws:s3:::${aws:username}", false);
        assert!(glob.intersects(&Glob::template(BUCKET)));
        assert!(!Glob::pattern("arn:aws:s3:::a${*}b", true)
            .intersects(&Glob::pattern("arn:aws:s3:::axb", true)));
    }
}
