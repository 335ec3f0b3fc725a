//! Wrong JSON types everywhere: every node of a document replaced by each JSON type, for the
//! hostile-input tests of the model (policies, requests, policy sets) and of the CLI (case files,
//! suites). A parser must answer each with an error at or under the replaced node, or accept it.

use crate::json::{Json, JsonPath, Segment};

/// One document with one node replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Mutation {
    pub document: Json,
    /// The node replaced (the root for the whole document).
    pub at: JsonPath,
    /// What it was replaced by.
    pub sample: Json,
}

impl Mutation {
    /// `Statement[0].Effect := null`, for assertion messages.
    pub fn describe(&self) -> String {
        format!("{} := {}", self.at, self.sample.to_compact_string())
    }
}

/// One value of each JSON type, empty and not: null, a boolean, a number, a string, an empty
/// and a one-item array, an empty and a one-member object.
pub fn samples() -> Vec<Json> {
    vec![
        Json::Null,
        Json::Bool(true),
        Json::Number("7".into()),
        Json::String("x".into()),
        Json::Array(vec![]),
        Json::Array(vec![Json::Number("7".into())]),
        Json::Object(vec![]),
        Json::Object(vec![("x".into(), Json::Null)]),
    ]
}

/// Every node of `template` replaced by every one of [`samples`].
pub fn mutations(template: &Json) -> Vec<Mutation> {
    let mut paths = Vec::new();
    node_paths(template, &JsonPath::root(), &mut paths);
    let mut out = Vec::with_capacity(paths.len() * samples().len());
    for at in paths {
        for sample in samples() {
            out.push(Mutation {
                document: replaced(template, at.segments(), &sample),
                at: at.clone(),
                sample,
            });
        }
    }
    out
}

/// Is `path` at or under `prefix`?
pub fn is_under(path: &JsonPath, prefix: &JsonPath) -> bool {
    path.segments().starts_with(prefix.segments())
}

/// Every node's path, the document itself included, in document order.
fn node_paths(json: &Json, at: &JsonPath, out: &mut Vec<JsonPath>) {
    out.push(at.clone());
    match json {
        Json::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                node_paths(item, &at.index(i), out);
            }
        }
        Json::Object(members) => {
            for (key, value) in members {
                node_paths(value, &at.key(key), out);
            }
        }
        Json::Null | Json::Bool(_) | Json::Number(_) | Json::String(_) => {}
    }
}

/// `json` with the node at `at` replaced by `with`. A path that leads nowhere (not one of
/// [`node_paths`]) leaves the document as it is.
fn replaced(json: &Json, at: &[Segment], with: &Json) -> Json {
    let Some((first, rest)) = at.split_first() else {
        return with.clone();
    };
    match (json, first) {
        (Json::Array(items), Segment::Index(i)) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(j, item)| {
                    if j == *i {
                        replaced(item, rest, with)
                    } else {
                        item.clone()
                    }
                })
                .collect(),
        ),
        (Json::Object(members), Segment::Key(k)) => Json::Object(
            members
                .iter()
                .map(|(key, value)| {
                    let value = if key == k {
                        replaced(value, rest, with)
                    } else {
                        value.clone()
                    };
                    (key.clone(), value)
                })
                .collect(),
        ),
        _ => json.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_is_replaced_by_every_sample() {
        let template = Json::parse(r#"{"a": [1, {"b": "c"}]}"#).unwrap();
        let all = mutations(&template);
        // Nodes: the document, a, a[0], a[1], a[1].b.
        assert_eq!(all.len(), 5 * samples().len());
        let m = all
            .iter()
            .find(|m| m.at.to_string() == "a[1].b" && m.sample == Json::Null)
            .unwrap();
        assert_eq!(m.document.to_compact_string(), r#"{"a":[1,{"b":null}]}"#);
        assert_eq!(m.describe(), "a[1].b := null");
        let root = all.iter().find(|m| m.at.is_root()).unwrap();
        assert_eq!(root.document, Json::Null);
        assert!(is_under(&m.at, &JsonPath::root().key("a")));
        assert!(!is_under(&JsonPath::root().key("a"), &m.at));
    }
}
