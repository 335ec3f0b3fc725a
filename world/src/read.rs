//! Typed reads from a JSON tree, each failure a [`LoadError`] naming the file and the JSON path.

use crate::err::LoadError;
use crate::time::Timestamp;
use iamspec_model::json::{Json, JsonPath};
use iamspec_model::quote::quoted;

pub(crate) type Members = [(String, Json)];

#[derive(Clone, Copy)]
pub(crate) struct Reader<'f> {
    pub file: &'f str,
}

impl<'f> Reader<'f> {
    pub fn new(file: &'f str) -> Reader<'f> {
        Reader { file }
    }

    pub fn error(&self, path: &JsonPath, message: impl Into<String>) -> LoadError {
        LoadError {
            file: self.file.to_owned(),
            path: path.clone(),
            message: message.into(),
        }
    }

    fn wrong(&self, path: &JsonPath, expected: &str, found: &Json) -> LoadError {
        self.error(
            path,
            format!("expected {expected}, found {}", found.type_name()),
        )
    }

    /// An object's members; a key given twice is an error (the first would silently win).
    pub fn object<'a>(&self, json: &'a Json, path: &JsonPath) -> Result<&'a Members, LoadError> {
        let Json::Object(members) = json else {
            return Err(self.wrong(path, "an object", json));
        };
        let mut keys: Vec<&str> = members.iter().map(|(k, _)| k.as_str()).collect();
        keys.sort_unstable();
        if let Some(pair) = keys.windows(2).find(|w| w.first() == w.get(1)) {
            let key = pair.first().copied().unwrap_or_default();
            return Err(self.error(&path.key(key), "duplicate key"));
        }
        Ok(members)
    }

    pub fn array<'a>(&self, json: &'a Json, path: &JsonPath) -> Result<&'a [Json], LoadError> {
        match json {
            Json::Array(items) => Ok(items),
            other => Err(self.wrong(path, "an array", other)),
        }
    }

    pub fn string<'a>(&self, json: &'a Json, path: &JsonPath) -> Result<&'a str, LoadError> {
        match json {
            Json::String(s) => Ok(s),
            other => Err(self.wrong(path, "a string", other)),
        }
    }

    /// A member, `None` when absent or `null` (AWS omits empty keys; some tools write null).
    pub fn get<'a>(members: &'a Members, key: &str) -> Option<&'a Json> {
        members
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| !matches!(v, Json::Null))
    }

    pub fn req_str<'a>(
        &self,
        members: &'a Members,
        key: &str,
        path: &JsonPath,
    ) -> Result<&'a str, LoadError> {
        match Self::get(members, key) {
            Some(value) => self.string(value, &path.key(key)),
            None => Err(self.error(path, format!("missing `{key}`"))),
        }
    }

    pub fn opt_str<'a>(
        &self,
        members: &'a Members,
        key: &str,
        path: &JsonPath,
    ) -> Result<Option<&'a str>, LoadError> {
        Self::get(members, key)
            .map(|v| self.string(v, &path.key(key)))
            .transpose()
    }

    /// An array member; absent means empty.
    pub fn opt_array<'a>(
        &self,
        members: &'a Members,
        key: &str,
        path: &JsonPath,
    ) -> Result<&'a [Json], LoadError> {
        match Self::get(members, key) {
            Some(value) => self.array(value, &path.key(key)),
            None => Ok(&[]),
        }
    }

    pub fn opt_bool(
        &self,
        members: &Members,
        key: &str,
        path: &JsonPath,
    ) -> Result<Option<bool>, LoadError> {
        match Self::get(members, key) {
            Some(Json::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(&path.key(key), "a boolean", other)),
            None => Ok(None),
        }
    }

    pub fn opt_u64(
        &self,
        members: &Members,
        key: &str,
        path: &JsonPath,
    ) -> Result<Option<u64>, LoadError> {
        match Self::get(members, key) {
            Some(Json::Number(n)) => n.parse().map(Some).map_err(|_| {
                self.error(
                    &path.key(key),
                    format!("{} is not a whole number", quoted(n)),
                )
            }),
            Some(other) => Err(self.wrong(&path.key(key), "a number", other)),
            None => Ok(None),
        }
    }

    pub fn date(&self, text: &str, path: &JsonPath) -> Result<Timestamp, LoadError> {
        Timestamp::parse(text).ok_or_else(|| {
            self.error(
                path,
                format!(
                    "{} is not a date (ISO 8601, or boto3's `2023-03-09 10:41:45+00:00`)",
                    quoted(text)
                ),
            )
        })
    }

    pub fn opt_date(
        &self,
        members: &Members,
        key: &str,
        path: &JsonPath,
    ) -> Result<Option<Timestamp>, LoadError> {
        self.opt_str(members, key, path)?
            .map(|text| self.date(text, &path.key(key)))
            .transpose()
    }

    /// Tags as AWS lists them (`[{"Key": k, "Value": v}]`) or as a plain object (`{k: v}`).
    pub fn tags(
        &self,
        members: &Members,
        key: &str,
        path: &JsonPath,
    ) -> Result<Vec<crate::entity::Tag>, LoadError> {
        let at = path.key(key);
        let mut tags = Vec::new();
        match Self::get(members, key) {
            None => {}
            Some(Json::Object(_)) => {
                let object = Self::get(members, key).map(|j| self.object(j, &at));
                if let Some(object) = object {
                    for (k, v) in object? {
                        tags.push(crate::entity::Tag {
                            key: k.clone(),
                            value: self.string(v, &at.key(k))?.to_owned(),
                        });
                    }
                }
            }
            Some(value) => {
                for (i, item) in self.array(value, &at)?.iter().enumerate() {
                    let p = at.index(i);
                    let m = self.object(item, &p)?;
                    tags.push(crate::entity::Tag {
                        key: self.req_str(m, "Key", &p)?.to_owned(),
                        value: self.opt_str(m, "Value", &p)?.unwrap_or_default().to_owned(),
                    });
                }
            }
        }
        Ok(tags)
    }
}
