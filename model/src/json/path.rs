use crate::quote::shown;
use std::fmt;

/// One step into a JSON document.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Segment {
    Key(String),
    Index(usize),
}

/// Where in a document something is, written as AWS writes it:
/// `Statement[1].Condition.IpAddress.aws:SourceIp[0]`. The empty path is the document itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JsonPath(Vec<Segment>);

impl JsonPath {
    pub fn root() -> JsonPath {
        JsonPath(Vec::new())
    }

    /// This path extended by an object key.
    pub fn key(&self, key: &str) -> JsonPath {
        self.extended(Segment::Key(key.to_owned()))
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> JsonPath {
        self.extended(Segment::Index(index))
    }

    /// One allocation, not a clone and a regrowth: paths are built for every element of
    /// documents with 100,000 of them.
    fn extended(&self, last: Segment) -> JsonPath {
        let mut segments = Vec::with_capacity(self.0.len() + 1);
        segments.extend_from_slice(&self.0);
        segments.push(last);
        JsonPath(segments)
    }

    /// `other` appended to this path.
    pub fn join(&self, other: &JsonPath) -> JsonPath {
        let mut segments = self.0.clone();
        segments.extend(other.0.iter().cloned());
        JsonPath(segments)
    }

    pub fn segments(&self) -> &[Segment] {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(document)");
        }
        for (i, segment) in self.0.iter().enumerate() {
            match segment {
                // Keys are the author's text, possibly megabytes long: shortened as messages
                // quote values.
                Segment::Key(key) if i == 0 => write!(f, "{}", shown(key))?,
                Segment::Key(key) => write!(f, ".{}", shown(key))?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_as_aws_writes_it() {
        let path = JsonPath::root()
            .key("Statement")
            .index(1)
            .key("Condition")
            .key("IpAddress")
            .key("aws:SourceIp")
            .index(0);
        assert_eq!(
            path.to_string(),
            "Statement[1].Condition.IpAddress.aws:SourceIp[0]"
        );
        assert_eq!(JsonPath::root().to_string(), "(document)");
    }
}
