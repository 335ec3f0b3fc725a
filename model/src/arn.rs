//! Amazon Resource Names and the resource-matching rules of SEMANTICS.md §2.2 (D11–D13).

mod err;
mod glob;

pub use err::ArnError;
pub use glob::ResourcePattern;

use crate::pattern::Pattern;
use crate::request::Context;
use std::fmt;

/// An ARN with its six fields: `arn:partition:service:region:account:resource`. The resource
/// field keeps any further colons (`log-group:x:log-stream:y`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Arn {
    text: String,
    /// Byte offsets of the five separating colons.
    colons: [usize; 5],
}

impl Arn {
    pub fn parse(text: &str) -> Result<Arn, ArnError> {
        if !text.starts_with("arn:") {
            return Err(ArnError::NotAnArn(text.to_owned()));
        }
        let mut colons = [0usize; 5];
        let mut found = text.match_indices(':').map(|(i, _)| i);
        for slot in colons.iter_mut() {
            *slot = found
                .next()
                .ok_or_else(|| ArnError::TooFewFields(text.to_owned()))?;
        }
        let arn = Arn {
            text: text.to_owned(),
            colons,
        };
        if arn.partition().is_empty() || arn.service().is_empty() {
            return Err(ArnError::EmptyField(text.to_owned()));
        }
        Ok(arn)
    }

    fn field(&self, n: usize) -> &str {
        let start = match n {
            0 => 0,
            _ => self.colons.get(n - 1).map_or(0, |c| c + 1),
        };
        let end = self.colons.get(n).copied().unwrap_or(self.text.len());
        self.text.get(start..end).unwrap_or("")
    }

    pub fn partition(&self) -> &str {
        self.field(1)
    }
    pub fn service(&self) -> &str {
        self.field(2)
    }
    pub fn region(&self) -> &str {
        self.field(3)
    }
    pub fn account(&self) -> &str {
        self.field(4)
    }
    /// Everything after the fifth colon.
    pub fn resource(&self) -> &str {
        self.field(5)
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    /// The six fields, `arn` first.
    pub fn fields(&self) -> [&str; 6] {
        [
            self.field(0),
            self.partition(),
            self.service(),
            self.region(),
            self.account(),
            self.resource(),
        ]
    }
}

impl fmt::Display for Arn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Splits at the first five colons that are not inside a `${...}` variable; at most six fields.
pub fn split_fields(text: &str) -> Vec<&str> {
    let mut fields = Vec::with_capacity(6);
    for_each_field(text, |_, field| fields.push(field));
    fields
}

/// The fields [`split_fields`] returns, each with the byte offset where it starts, to `found`
/// (for callers that keep them without a vector).
pub fn for_each_field<'a>(text: &'a str, mut found: impl FnMut(usize, &'a str)) {
    let mut count = 0;
    let mut start = 0;
    let mut depth = 0usize;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() && count < 5 {
        // One test per byte: only a `$` can open a variable.
        match bytes.get(i) {
            Some(b'$') if bytes.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 1;
            }
            Some(b'}') if depth > 0 => depth -= 1,
            Some(b':') if depth == 0 => {
                found(start, text.get(start..i).unwrap_or(""));
                count += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    found(start, text.get(start..).unwrap_or(""));
}

/// Does the `Resource` entry `pattern` match `arn` (D11)? Variables are substituted only in the
/// sixth field, and only when `variables` is given (Version 2012-10-17); an unresolvable variable
/// makes the entry match nothing (D36). `*` alone is handled by the caller.
pub fn resource_pattern_matches(pattern: &str, arn: &Arn, variables: Option<&Context>) -> bool {
    ResourcePattern::new(pattern, variables).is_some_and(|p| p.matches(arn.as_str()))
}

/// `ArnLike`/`ArnEquals`: both sides split into six fields, each field globbed separately, so
/// `*` cannot cross `:` in the first five (§3.3). `pieces` is the substituted policy value.
pub fn arn_condition_matches(pieces: &[(String, bool)], value: &str) -> bool {
    ArnConditionPattern::new(pieces).matches(value)
}

/// An `ArnLike`/`ArnEquals` policy value split into its six field globs. A policy value with
/// fewer than six fields is padded with `*` fields (D16).
#[derive(Clone, Debug)]
pub struct ArnConditionPattern(Vec<Pattern>);

impl ArnConditionPattern {
    /// `pieces` is the substituted policy value; it is split at its first five colons,
    /// whichever piece they come from.
    pub fn new(pieces: &[(String, bool)]) -> ArnConditionPattern {
        let mut fields: Vec<Vec<(&str, bool)>> = vec![Vec::new()];
        for (text, wild) in pieces {
            let mut rest = text.as_str();
            while fields.len() < 6 {
                let Some((head, tail)) = rest.split_once(':') else {
                    break;
                };
                if let Some(last) = fields.last_mut() {
                    last.push((head, *wild));
                }
                fields.push(Vec::new());
                rest = tail;
            }
            if let Some(last) = fields.last_mut() {
                last.push((rest, *wild));
            }
        }
        ArnConditionPattern(fields.into_iter().map(Pattern::from_pieces).collect())
    }

    /// A request value that is not an ARN (as [`Arn::parse`] reads one) matches nothing.
    pub fn matches(&self, value: &str) -> bool {
        let Some(subject) = arn_fields(value) else {
            return false;
        };
        subject
            .iter()
            .zip(self.0.iter().map(Some).chain(std::iter::repeat(None)))
            .all(|(field, glob)| glob.is_none_or(|glob| glob.matches(field)))
    }
}

/// The six fields of `text` when [`Arn::parse`] accepts it, without allocating: `arn:`, five
/// colons, a non-empty partition and service.
pub fn arn_fields(text: &str) -> Option<[&str; 6]> {
    let mut fields = [""; 6];
    let mut rest = text;
    for field in fields.iter_mut().take(5) {
        let colon = rest.bytes().position(|b| b == b':')?;
        *field = rest.get(..colon)?;
        rest = rest.get(colon + 1..)?;
    }
    match fields {
        ["arn", partition, service, region, account, _]
            if !partition.is_empty() && !service.is_empty() =>
        {
            Some(["arn", partition, service, region, account, rest])
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The allocation-free split accepts exactly what `Arn::parse` accepts.
    #[test]
    fn arn_fields_agrees_with_parse() {
        for text in [
            "arn:aws:iam::111122223333:role/x",
            "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s",
            "arn:aws:s3:::b/k",
            "arn:aws:s3",
            "arn::iam::1:x",
            "arn:aws::::",
            "arn:aws:s3:::",
            "ARN:aws:iam::111122223333:role/x",
            "arnx:aws:iam::1:x",
            "not-an-arn",
            "",
        ] {
            let parsed = Arn::parse(text).ok();
            let fields = arn_fields(text);
            assert_eq!(fields.is_some(), parsed.is_some(), "{text}");
            if let (Some(fields), Some(arn)) = (fields, parsed) {
                assert_eq!(fields, arn.fields(), "{text}");
            }
        }
    }

    fn arn(s: &str) -> Arn {
        Arn::parse(s).unwrap()
    }

    #[test]
    fn six_fields_with_colons_in_the_resource() {
        let a = arn("arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s");
        assert_eq!(
            a.fields(),
            [
                "arn",
                "aws",
                "logs",
                "us-east-1",
                "111122223333",
                "log-group:g:log-stream:s"
            ]
        );
        assert_eq!(arn("arn:aws:s3:::bucket/key").account(), "");
    }

    #[test]
    fn rejects_non_arns() {
        assert!(Arn::parse("bucket/key").is_err());
        assert!(Arn::parse("arn:aws:s3").is_err());
        assert!(Arn::parse("arn::s3:::x").is_err());
    }

    // §2.2 item 6: variables only in the sixth field; unresolved matches nothing.
    #[test]
    fn variables_in_the_sixth_field() {
        use crate::request::ContextValue;
        let mut ctx = Context::default();
        ctx.insert("aws:username", ContextValue::Single("alice".into()));
        let a = arn("arn:aws:s3:::bucket/home/alice/f");
        let p = "arn:aws:s3:::bucket/home/${aws:username}/*";
        assert!(resource_pattern_matches(p, &a, Some(&ctx)));
        assert!(!resource_pattern_matches(p, &a, Some(&Context::default())));
        // Without substitution (legacy version) the text is literal.
        assert!(!resource_pattern_matches(p, &a, None));
        assert_eq!(split_fields("arn:aws:iam::${aws:x}:user/a").len(), 6);
    }

    // §3.3: ArnLike globs field by field.
    #[test]
    fn arn_condition_is_fieldwise() {
        let p = |s: &str| vec![(s.to_owned(), true)];
        assert!(arn_condition_matches(
            &p("arn:aws:iam::*:role/*"),
            "arn:aws:iam::111122223333:role/a/b"
        ));
        // D16: a short policy value is padded with `*` fields.
        assert!(arn_condition_matches(
            &p("arn:aws:iam::*"),
            "arn:aws:iam::111122223333:role/a"
        ));
        assert!(!arn_condition_matches(
            &p("arn:aws:*:role/x"),
            "arn:aws:iam::111122223333:role/x"
        ));
        assert!(!arn_condition_matches(
            &p("arn:aws:iam::*:role/*"),
            "not-an-arn"
        ));
    }
}
