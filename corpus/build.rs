//! Writes the embedded action catalogue, `data/catalogue.json`, in the compact form that
//! `src/catalogue/compact.rs` reads: the same entries in the same nesting, with every text
//! written once in a table of texts and referred to by position. Reading JSON was most of the
//! time of a short `iamspec lint` (issue 13); reading this form is a walk over numbers, and the
//! catalogue's names are borrowed from the table instead of allocated one by one.
//!
//! This script does not judge the file: the crate reads the compact form into the same entries
//! `Catalogue::from_json` reads from JSON and checks them the same way, and a test holds the
//! two readings of the file equal.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::error::Error;
use std::path::PathBuf;

const INPUT: &str = "data/catalogue.json";

fn main() -> Result<()> {
    println!("cargo::rerun-if-changed={INPUT}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(INPUT)?)?;
    let mut out = Compact::default();
    out.catalogue(&json)?;
    let path = PathBuf::from(std::env::var("OUT_DIR")?).join("catalogue.bin");
    std::fs::write(path, out.finish()?)?;
    Ok(())
}

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The form: `u32` numbers, little-endian. The first is the length in bytes of the table of
/// texts (UTF-8), which follows; the body comes after it. A text in the body is two numbers, its
/// start in the table and its length; an object is its number of entries, then each entry's
/// name and value; a list is its length, then its items. An absent field is empty, or `0` for
/// `"q"`.
#[derive(Default)]
struct Compact {
    texts: String,
    /// Where each text already in `texts` starts: a catalogue names the same keys thousands of
    /// times.
    written: HashMap<String, usize>,
    body: Vec<u8>,
}

impl Compact {
    fn catalogue(&mut self, json: &Value) -> Result<()> {
        let format = json
            .get("format")
            .and_then(Value::as_u64)
            .ok_or("no format")?;
        self.number(usize::try_from(format)?)?;
        let source = json.get("source").ok_or("no source")?;
        for field in ["package", "version", "licence"] {
            self.text(
                source
                    .get(field)
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            )?;
        }
        self.object(json.get("services"), Compact::service)
    }

    fn service(&mut self, service: &Value) -> Result<()> {
        self.text(string(service.get("n"))?)?;
        self.object(service.get("a"), Compact::action)?;
        self.object(service.get("r"), |out, rt| {
            out.text(string(rt.get("arn"))?)?;
            out.texts(rt.get("k"))
        })?;
        self.object(service.get("k"), |out, ty| out.text(string(Some(ty))?))
    }

    fn action(&mut self, action: &Value) -> Result<()> {
        self.text(string(action.get("l"))?)?;
        let resource_types = list(action.get("r"))?;
        self.number(resource_types.len())?;
        for rt in resource_types {
            self.text(string(rt.get("n"))?)?;
            self.number(usize::from(
                rt.get("q").and_then(Value::as_bool).unwrap_or(false),
            ))?;
            self.texts(rt.get("k"))?;
        }
        self.texts(action.get("k"))
    }

    fn object(
        &mut self,
        value: Option<&Value>,
        mut entry: impl FnMut(&mut Compact, &Value) -> Result<()>,
    ) -> Result<()> {
        let empty = Map::new();
        let entries = match value {
            None => &empty,
            Some(value) => value.as_object().ok_or("an object expected")?,
        };
        self.number(entries.len())?;
        for (name, value) in entries {
            self.text(name)?;
            entry(self, value)?;
        }
        Ok(())
    }

    fn texts(&mut self, value: Option<&Value>) -> Result<()> {
        let items = list(value)?;
        self.number(items.len())?;
        for item in items {
            self.text(string(Some(item))?)?;
        }
        Ok(())
    }

    fn text(&mut self, text: &str) -> Result<()> {
        let start = match self.written.get(text) {
            Some(&start) => start,
            None => {
                let start = self.texts.len();
                self.texts.push_str(text);
                self.written.insert(text.to_owned(), start);
                start
            }
        };
        self.number(start)?;
        self.number(text.len())
    }

    fn number(&mut self, n: usize) -> Result<()> {
        self.body
            .extend_from_slice(&u32::try_from(n)?.to_le_bytes());
        Ok(())
    }

    fn finish(self) -> Result<Vec<u8>> {
        let mut out = u32::try_from(self.texts.len())?.to_le_bytes().to_vec();
        out.extend_from_slice(self.texts.as_bytes());
        out.extend_from_slice(&self.body);
        Ok(out)
    }
}

fn string(value: Option<&Value>) -> Result<&str> {
    Ok(value.and_then(Value::as_str).ok_or("a string expected")?)
}

fn list(value: Option<&Value>) -> Result<&[Value]> {
    match value {
        None => Ok(&[]),
        Some(value) => Ok(value.as_array().ok_or("an array expected")?),
    }
}
