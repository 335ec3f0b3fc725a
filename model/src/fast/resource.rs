//! `Resource`/`NotResource` entries compiled once. Matching is `arn::ResourcePattern`'s (D11),
//! compiled at policy-compile time; two shapes need no automaton and are recognised here:
//! an entry without wildcards is the ARN itself, and an entry whose only wildcard is a final
//! `*` is every ARN that starts with the rest, since a `*` that ends its field matches any run,
//! colons included (D11). Both keep their meaning with variables in the sixth field, because a
//! variable's value is literal text (D35). The tests check both shapes against
//! `ResourcePattern`.

use crate::arn::{resource_pattern_matches, split_fields, Arn, ResourcePattern};
use crate::condition::variables::{Part, Template};
use crate::request::{Context, ContextValue, Request, Resource};

/// A `Resource` or `NotResource` element.
#[derive(Clone, Debug)]
pub(super) struct ResourceTest {
    negated: bool,
    entries: Vec<Entry>,
    /// Version 2012-10-17: variables are substituted in the sixth field.
    substitutes: bool,
}

#[derive(Clone, Debug)]
enum Entry {
    /// `*`: every resource, the no-resource `*` included (D13).
    Star,
    /// The ARN equals the text of `parts`, or with `prefix` starts with it.
    Literal {
        parts: Vec<LiteralPart>,
        prefix: bool,
    },
    /// Compiled once; `None`: matches nothing.
    Fixed(Option<ResourcePattern>),
    /// With a variable in the sixth field and other wildcards: compiled per request.
    Variable(String),
}

#[derive(Clone, Debug)]
enum LiteralPart {
    Text(String),
    Variable {
        key_lower: String,
        default: Option<String>,
    },
}

impl ResourceTest {
    pub(super) fn compile<'a>(
        negated: bool,
        patterns: impl Iterator<Item = &'a str>,
        substitutes: bool,
    ) -> ResourceTest {
        ResourceTest {
            negated,
            entries: patterns.map(|p| Entry::compile(p, substitutes)).collect(),
            substitutes,
        }
    }

    /// The reference's `resource_matches` for a statement that has this element.
    pub(super) fn matches(&self, request: &Request) -> bool {
        let listed = self.entries.iter().any(|entry| match entry {
            Entry::Star => true,
            _ => match &request.resource {
                Resource::Any => false,
                Resource::Arn(arn) => entry.matches(arn, &request.context, self.substitutes),
            },
        });
        listed != self.negated
    }
}

impl Entry {
    fn compile(pattern: &str, substitutes: bool) -> Entry {
        if pattern == "*" {
            return Entry::Star;
        }
        if let Some((parts, prefix)) = literal_shape(pattern, substitutes) {
            return Entry::Literal { parts, prefix };
        }
        if !substitutes {
            return Entry::Fixed(ResourcePattern::new(pattern, None));
        }
        let has_variable = split_fields(pattern).get(5).is_some_and(|field| {
            Template::parse(field)
                .parts
                .iter()
                .any(|part| matches!(part, Part::Variable { .. }))
        });
        if has_variable {
            Entry::Variable(pattern.to_owned())
        } else {
            // Escapes (`${*}`) still mean their literal character: substitute, with nothing to
            // substitute from.
            Entry::Fixed(ResourcePattern::new(pattern, Some(&Context::default())))
        }
    }

    fn matches(&self, arn: &Arn, context: &Context, substitutes: bool) -> bool {
        match self {
            Entry::Star => true,
            Entry::Literal { parts, prefix } => {
                // An unresolvable variable makes the entry match nothing (D36).
                if parts.iter().any(|part| resolve(part, context).is_none()) {
                    return false;
                }
                let mut rest = arn.as_str();
                for part in parts {
                    match resolve(part, context).and_then(|text| rest.strip_prefix(text)) {
                        Some(after) => rest = after,
                        None => return false,
                    }
                }
                *prefix || rest.is_empty()
            }
            Entry::Fixed(pattern) => pattern.as_ref().is_some_and(|p| p.matches(arn.as_str())),
            Entry::Variable(pattern) => {
                resource_pattern_matches(pattern, arn, substitutes.then_some(context))
            }
        }
    }
}

fn resolve<'a>(part: &'a LiteralPart, context: &'a Context) -> Option<&'a str> {
    match part {
        LiteralPart::Text(text) => Some(text),
        LiteralPart::Variable { key_lower, default } => match context.get_lowercase(key_lower) {
            Some(ContextValue::Single(value)) => Some(value),
            _ => default.as_deref(),
        },
    }
}

/// The parts of an entry whose only wildcard is a final `*` (then `prefix`), or that has none.
/// Variables count only in the sixth field and only when `substitutes` (D37), as
/// `ResourcePattern::new` reads them.
fn literal_shape(pattern: &str, substitutes: bool) -> Option<(Vec<LiteralPart>, bool)> {
    let (body, prefix) = match pattern.strip_suffix('*') {
        Some(body) => (body, true),
        None => (pattern, false),
    };
    let wild = |text: &str| text.contains(['*', '?']);
    let fields = split_fields(body);
    let sixth = match fields.get(5) {
        Some(sixth) if substitutes => *sixth,
        _ => {
            return (!wild(body)).then(|| (vec![LiteralPart::Text(body.to_owned())], prefix));
        }
    };
    // `split_fields` returns the sixth field as the tail of `body`.
    let head = body.get(..body.len() - sixth.len())?;
    if wild(head) {
        return None;
    }
    let mut parts = vec![LiteralPart::Text(head.to_owned())];
    for part in Template::parse(sixth).parts {
        match part {
            Part::Text(text) if wild(&text) => return None,
            Part::Text(text) => push_text(&mut parts, &text),
            Part::Escape(c) => push_text(&mut parts, c.encode_utf8(&mut [0; 4])),
            Part::Variable { key, default } => parts.push(LiteralPart::Variable {
                key_lower: key.to_lowercase(),
                default,
            }),
        }
    }
    Some((parts, prefix))
}

fn push_text(parts: &mut Vec<LiteralPart>, text: &str) {
    match parts.last_mut() {
        Some(LiteralPart::Text(last)) => last.push_str(text),
        _ => parts.push(LiteralPart::Text(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // D11, D35–D37: the literal and prefix shapes answer as `ResourcePattern` does.
    #[test]
    fn entries_agree_with_resource_pattern() {
        let patterns = [
            "arn:aws:s3:::bucket/*",
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::*",
            "arn:aws:s3:*",
            "arn:aws:s3*",
            "arn:aws:s3",
            "arn:aws:*",
            "arn*",
            "",
            "arn:aws:logs:us-east-1:111122223333:log-group:g:*",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::*:user/alice",
            "arn:aws:s3:::bucket/?",
            "arn:aws:s3:::b*/k*",
            "arn:aws:s3:::b/${*}",
            "arn:aws:s3:::b/${*}*",
            "arn:aws:s3:::b/${aws:username}",
            "arn:aws:s3:::b/${aws:username}*",
            "arn:aws:s3:::b/${aws:username}/*",
            "arn:aws:s3:::b/${aws:UserName}${?}",
            "arn:aws:s3:::b/${aws:username}/?",
            "arn:aws:s3:::b/${aws:PrincipalTag/team, 'k'}*",
            "arn:aws:s3:::b/${aws:PrincipalTag/dept}*",
            "arn:aws:s3:::b/${aws:TagKeys}",
            "arn:aws:iam::${aws:PrincipalAccount}:user/alice",
            "arn:aws:s3:::b/${aws:username",
            "arn:aws:s3:${aws:username}",
        ];
        let arns = [
            "arn:aws:s3:::bucket/key",
            "arn:aws:s3:::bucket",
            "arn:aws:s3:::bucket/",
            "arn:aws:s3control:us-east-1:111122223333:x",
            "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s",
            "arn:aws:iam::111122223333:user/alice",
            "arn:aws:iam::444455556666:user/alice",
            "arn:aws:s3:::b/*",
            "arn:aws:s3:::b/*x",
            "arn:aws:s3:::b/alice",
            "arn:aws:s3:::b/alice?",
            "arn:aws:s3:::b/alice/x",
            "arn:aws:s3:::b/k/x",
            "arn:aws:s3:::bx/kx",
            "arn:aws:iam::${aws:PrincipalAccount}:user/alice",
            "arn:aws:s3:::b/${aws:username",
        ];
        let mut context = Context::default();
        context.insert("aws:username", ContextValue::Single("alice".into()));
        context.insert("aws:TagKeys", ContextValue::Multi(vec!["a".into()]));
        for pattern in patterns {
            for substitutes in [false, true] {
                let test = ResourceTest::compile(false, [pattern].into_iter(), substitutes);
                let variables = substitutes.then_some(&context);
                for text in arns {
                    let arn = Arn::parse(text).unwrap();
                    let expected =
                        pattern == "*" || resource_pattern_matches(pattern, &arn, variables);
                    let got = test
                        .entries
                        .iter()
                        .any(|e| e.matches(&arn, &context, substitutes));
                    assert_eq!(got, expected, "{pattern} {text} {substitutes}");
                }
            }
        }
    }

    #[test]
    fn common_shapes_need_no_automaton() {
        let literal = |pattern: &str, substitutes: bool| {
            matches!(Entry::compile(pattern, substitutes), Entry::Literal { .. })
        };
        assert!(literal("arn:aws:s3:::bucket/*", true));
        assert!(literal("arn:aws:s3:::bucket", false));
        assert!(literal("arn:aws:s3:::bucket/home/${aws:username}/*", true));
        assert!(literal("arn:aws:iam::*", false));
        assert!(!literal("arn:aws:iam::*:user/x", true));
        assert!(!literal("arn:aws:s3:::b/${aws:username}/?", true));
    }
}
