//! Reads the embedded catalogue from the compact form `build.rs` writes (that file documents
//! it) into the entries [`Catalogue::from_json`](super::Catalogue::from_json) reads from JSON,
//! which are then checked and indexed the same way. Every text is borrowed from the form.

use super::{ActionResourceType, CatalogueError, Entries, RawAction, RawCatalogue};
use super::{RawResourceType, RawService, Source, Text};
use std::borrow::Cow;

/// The entries of the compact form `bytes`.
pub(super) fn read(bytes: &'static [u8]) -> Result<RawCatalogue<'static>, CatalogueError> {
    let malformed = |at| CatalogueError::Compact { at };
    let length = bytes
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .ok_or(malformed(0))? as usize;
    let texts = bytes
        .get(4..)
        .and_then(|b| b.get(..length))
        .ok_or(malformed(4))?;
    let texts = std::str::from_utf8(texts).map_err(|e| malformed(4 + e.valid_up_to()))?;
    let mut reader = Reader {
        texts,
        bytes,
        at: 4 + length,
    };
    let catalogue = reader.catalogue()?;
    if reader.at != bytes.len() {
        return Err(reader.malformed());
    }
    Ok(catalogue)
}

struct Reader {
    texts: &'static str,
    /// The whole form, so that an error gives a position in it.
    bytes: &'static [u8],
    at: usize,
}

impl Reader {
    fn catalogue(&mut self) -> Result<RawCatalogue<'static>, CatalogueError> {
        let format = u32::try_from(self.number()?).map_err(|_| self.malformed())?;
        let source = Source {
            package: self.text()?.into_owned(),
            version: self.text()?.into_owned(),
            licence: self.text()?.into_owned(),
        };
        let services = self.object(Reader::service)?;
        Ok(RawCatalogue {
            format,
            source,
            services,
        })
    }

    fn service(&mut self) -> Result<RawService<'static>, CatalogueError> {
        Ok(RawService {
            n: self.text()?,
            a: self.object(Reader::action)?,
            r: self.object(|r| {
                Ok(RawResourceType {
                    arn: r.text()?,
                    k: r.list(Reader::text)?,
                })
            })?,
            k: self.object(Reader::text)?,
        })
    }

    fn action(&mut self) -> Result<RawAction<'static>, CatalogueError> {
        Ok(RawAction {
            l: self.text()?,
            r: self.list(|r| {
                Ok(ActionResourceType {
                    name: r.text()?,
                    required: r.number()? != 0,
                    condition_keys: r.list(Reader::text)?,
                    resolved: None,
                })
            })?,
            k: self.list(Reader::text)?,
        })
    }

    fn object<V>(
        &mut self,
        mut value: impl FnMut(&mut Reader) -> Result<V, CatalogueError>,
    ) -> Result<Entries<Text, V>, CatalogueError> {
        self.list(|r| Ok((r.text()?, value(r)?))).map(Entries)
    }

    fn list<T>(
        &mut self,
        mut item: impl FnMut(&mut Reader) -> Result<T, CatalogueError>,
    ) -> Result<Vec<T>, CatalogueError> {
        let length = self.number()?;
        // Each item takes at least one number: a length beyond the bytes left is malformed, and
        // no more than that is reserved.
        let mut items =
            Vec::with_capacity(length.min(self.bytes.len().saturating_sub(self.at) / 4));
        for _ in 0..length {
            items.push(item(self)?);
        }
        Ok(items)
    }

    fn text(&mut self) -> Result<Text, CatalogueError> {
        let start = self.number()?;
        let length = self.number()?;
        start
            .checked_add(length)
            .and_then(|end| self.texts.get(start..end))
            .map(Cow::Borrowed)
            .ok_or_else(|| self.malformed())
    }

    fn number(&mut self) -> Result<usize, CatalogueError> {
        let bytes = self
            .at
            .checked_add(4)
            .and_then(|end| self.bytes.get(self.at..end))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .ok_or_else(|| self.malformed())?;
        self.at += 4;
        Ok(u32::from_le_bytes(bytes) as usize)
    }

    fn malformed(&self) -> CatalogueError {
        CatalogueError::Compact { at: self.at }
    }
}
