//! Instants as AWS exports write them: ISO 8601 (`2023-03-09T10:41:45Z`,
//! `2023-03-09T10:41:45.123+00:00`) and Python's `str()` of a boto3 datetime
//! (`2023-03-09 10:41:45+00:00`). Kept as seconds since the Unix epoch, shown in ISO 8601 UTC.

use iamspec_model::condition::value::Instant;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

impl Timestamp {
    /// Parses either form; `None` for anything else (a date without a time included). The
    /// calendar is the model's [`Instant`]: the text is first brought to the W3C form it reads
    /// (`T` and `Z` in capitals, `+hh:mm` offsets, `Z` where no zone is written).
    pub fn parse(text: &str) -> Option<Timestamp> {
        let (date, time) = (text.get(..10)?, text.get(11..)?);
        if !matches!(text.as_bytes().get(10), Some(b'T' | b't' | b' ')) {
            return None;
        }
        let zone_at = time.find(['Z', 'z', '+', '-']).unwrap_or(time.len());
        let (clock, zone) = time.split_at(zone_at);
        // `hh:mm:ss` with an optional fraction: the exports always write seconds.
        if clock.get(2..3) != Some(":") || clock.get(5..6) != Some(":") {
            return None;
        }
        let zone = match zone {
            "" | "Z" | "z" => "Z".to_owned(),
            _ if zone.len() == 5 && !zone.contains(':') => {
                format!("{}:{}", zone.get(..3)?, zone.get(3..)?)
            }
            _ => zone.to_owned(),
        };
        let instant = Instant::parse(&format!("{date}T{clock}{zone}"))?;
        Some(Timestamp(instant.epoch_seconds()))
    }
}

impl fmt::Display for Timestamp {
    /// ISO 8601 in UTC, whole seconds: `2023-03-09T10:41:45Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Instant::from_epoch_seconds(self.0).fmt(f)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_and_offsets() {
        let iso = Timestamp::parse("2023-03-09T10:41:45Z").unwrap();
        assert_eq!(iso.to_string(), "2023-03-09T10:41:45Z");
        assert_eq!(Timestamp::parse("2023-03-09 10:41:45+00:00"), Some(iso));
        assert_eq!(Timestamp::parse("2023-03-09T10:41:45.120+00:00"), Some(iso));
        assert_eq!(Timestamp::parse("2023-03-09T12:41:45+02:00"), Some(iso));
        assert_eq!(iso.0, 1_678_358_505);
        assert_eq!(
            Timestamp::parse("2024-02-29T00:00:00Z")
                .unwrap()
                .to_string(),
            "2024-02-29T00:00:00Z"
        );
        for bad in [
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "2023-03-09",
            "N/A",
            "2023-03-09T10:41:45+0",
            "２０２３-03-09T10:41:45Z",
        ] {
            assert_eq!(Timestamp::parse(bad), None, "{bad}");
        }
    }
}
