//! Policy variables (SEMANTICS.md §3.6): `${key}`, `${key, 'default'}` and the escapes `${*}`,
//! `${?}`, `${$}`. Substitution happens before matching, and characters that come from a
//! variable's value are literal (D35), so the result is a list of pieces, each marked with
//! whether `*`/`?` in it are wildcards.

use crate::request::{Context, ContextValue};

/// One piece of a value that may contain variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Policy text: `*` and `?` in it are wildcards where the operator globs.
    Text(String),
    /// `${*}`, `${?}` or `${$}`: the literal character.
    Escape(char),
    /// `${key}` or `${key, 'default'}`.
    Variable {
        key: String,
        default: Option<String>,
    },
}

/// A value split into parts. Without variables it is one `Text` part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub parts: Vec<Part>,
}

impl Template {
    /// Splits `text` at its variables. Text that looks like `${` but is not a well-formed
    /// variable stays literal text (validation warns about it).
    pub fn parse(text: &str) -> Template {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let (before, from_dollar) = rest.split_at(start);
            literal.push_str(before);
            match parse_variable(from_dollar) {
                Some((part, consumed)) => {
                    if !literal.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut literal)));
                    }
                    parts.push(part);
                    rest = from_dollar.get(consumed..).unwrap_or("");
                }
                None => {
                    literal.push_str("${");
                    rest = from_dollar.get(2..).unwrap_or("");
                }
            }
        }
        literal.push_str(rest);
        if !literal.is_empty() || parts.is_empty() {
            parts.push(Part::Text(literal));
        }
        Template { parts }
    }

    /// The whole text as a literal template (for policies whose version does not substitute).
    pub fn literal(text: &str) -> Template {
        Template {
            parts: vec![Part::Text(text.to_owned())],
        }
    }

    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Text(_)))
    }

    /// The keys of the variables, as written.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Variable { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// Substitutes from `context`: pieces of text with a flag saying whether wildcards in them
    /// are active. `Err(key)` names a variable that has no single value and no default (D36).
    pub fn substitute(&self, context: &Context) -> Result<Vec<(String, bool)>, String> {
        self.parts
            .iter()
            .map(|part| match part {
                Part::Text(text) => Ok((text.clone(), true)),
                Part::Escape(c) => Ok((c.to_string(), false)),
                Part::Variable { key, default } => match context.get(key) {
                    Some(ContextValue::Single(value)) => Ok((value.clone(), false)),
                    _ => match default {
                        Some(default) => Ok((default.clone(), false)),
                        None => Err(key.clone()),
                    },
                },
            })
            .collect()
    }

    /// Substitutes and joins into plain text, for operators that do not glob.
    pub fn substitute_text(&self, context: &Context) -> Result<String, String> {
        Ok(self
            .substitute(context)?
            .into_iter()
            .map(|(text, _)| text)
            .collect())
    }
}

/// Parses `${...}` at the start of `text`; returns the part and the bytes consumed.
fn parse_variable(text: &str) -> Option<(Part, usize)> {
    let body_start = 2;
    let inner = text.get(body_start..)?;
    if let Some(c) = ['*', '?', '$']
        .into_iter()
        .find(|c| inner.starts_with(*c) && inner.get(1..2) == Some("}"))
    {
        return Some((Part::Escape(c), body_start + 2));
    }
    // The key runs to `}` or `,`; a default is `, 'text'` followed by `}`. The scan stops at the
    // characters a key cannot contain too, so that text full of unclosed `${` stays linear.
    let key_end = inner.find(['}', ',', '$', '{', '\''])?;
    if !matches!(inner.get(key_end..key_end + 1), Some("}" | ",")) {
        return None;
    }
    let key = inner.get(..key_end)?.trim();
    if key.is_empty() || key.contains(|c: char| c.is_whitespace() || matches!(c, '$' | '{' | '\''))
    {
        return None;
    }
    let after_key = inner.get(key_end..)?;
    if let Some(rest) = after_key.strip_prefix('}') {
        let consumed = text.len() - rest.len();
        return Some((
            Part::Variable {
                key: key.to_owned(),
                default: None,
            },
            consumed,
        ));
    }
    let after_comma = after_key.strip_prefix(',')?.trim_start();
    let quoted = after_comma.strip_prefix('\'')?;
    let close = quoted.find('\'')?;
    let default = quoted.get(..close)?;
    let rest = quoted.get(close + 1..)?.trim_start().strip_prefix('}')?;
    let consumed = text.len() - rest.len();
    Some((
        Part::Variable {
            key: key.to_owned(),
            default: Some(default.to_owned()),
        },
        consumed,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> Context {
        let mut c = Context::default();
        for (k, v) in pairs {
            c.insert(k, ContextValue::Single((*v).to_owned()));
        }
        c
    }

    // SEMANTICS.md §3.6
    #[test]
    fn splits_variables_defaults_and_escapes() {
        let t = Template::parse("home/${aws:username}/${aws:PrincipalTag/team, 'all'}${*}x");
        assert_eq!(
            t.parts,
            vec![
                Part::Text("home/".into()),
                Part::Variable {
                    key: "aws:username".into(),
                    default: None
                },
                Part::Text("/".into()),
                Part::Variable {
                    key: "aws:PrincipalTag/team".into(),
                    default: Some("all".into())
                },
                Part::Escape('*'),
                Part::Text("x".into()),
            ]
        );
    }

    #[test]
    fn malformed_variables_stay_literal() {
        for text in ["${", "${}", "a${b", "${a b}", "${a, nope}", "${a, 'x'"] {
            let t = Template::parse(text);
            assert!(!t.has_variables(), "{text}");
            assert_eq!(t.parts, vec![Part::Text(text.into())], "{text}");
        }
    }

    // §3.6, D35: values from variables are literal; escapes are literal.
    #[test]
    fn substitution_marks_variable_text_literal() {
        let t = Template::parse("a*${aws:username}${?}");
        let pieces = t.substitute(&ctx(&[("AWS:UserName", "b*")])).unwrap();
        assert_eq!(
            pieces,
            vec![
                ("a*".into(), true),
                ("b*".into(), false),
                ("?".into(), false)
            ]
        );
    }

    // §3.2, D36: unresolved without default is an error naming the key; default fills in.
    #[test]
    fn unresolved_and_default() {
        let t = Template::parse("${aws:username}");
        assert_eq!(
            t.substitute(&Context::default()),
            Err("aws:username".into())
        );
        let t = Template::parse("${aws:PrincipalTag/team, 'everyone'}");
        assert_eq!(t.substitute_text(&Context::default()).unwrap(), "everyone");
        assert_eq!(
            t.substitute_text(&ctx(&[("aws:principaltag/team", "red")]))
                .unwrap(),
            "red"
        );
    }

    // D36: a multivalued key cannot be a variable.
    #[test]
    fn multivalued_key_is_unresolved() {
        let mut c = Context::default();
        c.insert("aws:TagKeys", ContextValue::Multi(vec!["a".into()]));
        assert!(Template::parse("${aws:TagKeys}").substitute(&c).is_err());
    }
}
