//! User input in messages. An error or a finding names the value it is about, but a hostile
//! value may be megabytes long: a message shows at most [`SHOWN_CHARS`] characters of it, then
//! `…` and how many characters were left out. Every message that echoes input goes through here.

use std::fmt;

/// How many characters of a value a message shows.
pub const SHOWN_CHARS: usize = 200;

/// `text` in backticks, shortened: `` `arn:aws:s3:::b` `` or `` `aaaa…` (1048376 more characters) ``.
pub fn quoted(text: &str) -> Shown<'_> {
    Shown {
        text,
        backticks: true,
    }
}

/// `text` without backticks, shortened as [`quoted`] does (for JSON paths, and for sentences
/// that AWS words without quotes).
pub fn shown(text: &str) -> Shown<'_> {
    Shown {
        text,
        backticks: false,
    }
}

/// A value as a message shows it; see [`quoted`] and [`shown`].
#[derive(Clone, Copy, Debug)]
pub struct Shown<'a> {
    text: &'a str,
    backticks: bool,
}

impl Shown<'_> {
    /// The shown part, cut on a character boundary, and how many characters were left out.
    fn parts(&self) -> (&str, usize) {
        match self.text.char_indices().nth(SHOWN_CHARS) {
            None => (self.text, 0),
            Some((end, _)) => {
                let (head, rest) = self.text.split_at(end);
                (head, rest.chars().count())
            }
        }
    }
}

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tick = if self.backticks { "`" } else { "" };
        match self.parts() {
            (head, 0) => write!(f, "{tick}{head}{tick}"),
            (head, 1) => write!(f, "{tick}{head}…{tick} (1 more character)"),
            (head, left_out) => write!(f, "{tick}{head}…{tick} ({left_out} more characters)"),
        }
    }
}

/// `message` with every backticked span longer than [`SHOWN_CHARS`] shortened as [`quoted`]
/// does: for messages formatted in many places (lint's), shortened in the one place they all
/// pass through. An unpaired backtick leaves the rest as it is.
pub fn shorten_backticked(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * SHOWN_CHARS));
    let mut rest = message;
    while let Some((before, after)) = rest.split_once('`') {
        let Some((span, tail)) = after.split_once('`') else {
            break;
        };
        out.push_str(before);
        out.push_str(&quoted(span).to_string());
        rest = tail;
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticked_spans_are_shortened() {
        let long = "a".repeat(1_000);
        let message = format!("`{long}` is not `b`, nor `{long}`; `open");
        let short = shorten_backticked(&message);
        let shown = format!("`{}…` (800 more characters)", "a".repeat(SHOWN_CHARS));
        assert_eq!(short, format!("{shown} is not `b`, nor {shown}; `open"));
        assert_eq!(shorten_backticked("no `ticks` here"), "no `ticks` here");
    }

    #[test]
    fn short_values_are_shown_whole() {
        assert_eq!(quoted("s3:GetObject").to_string(), "`s3:GetObject`");
        assert_eq!(quoted("").to_string(), "``");
        assert_eq!(shown("Statement").to_string(), "Statement");
        let exactly: String = "é".repeat(SHOWN_CHARS);
        assert_eq!(quoted(&exactly).to_string(), format!("`{exactly}`"));
    }

    #[test]
    fn long_values_are_cut_after_two_hundred_characters_saying_how_much_is_left_out() {
        let megabyte = "a".repeat(1 << 20);
        let head = "a".repeat(SHOWN_CHARS);
        assert_eq!(
            quoted(&megabyte).to_string(),
            format!("`{head}…` ({} more characters)", (1 << 20) - SHOWN_CHARS)
        );
        assert_eq!(
            shown(&megabyte).to_string(),
            format!("{head}… ({} more characters)", (1 << 20) - SHOWN_CHARS)
        );
    }

    #[test]
    fn the_cut_falls_on_a_character_boundary() {
        // Two-byte characters: byte 200 is the middle of the 100th; characters are counted.
        let text = "é".repeat(SHOWN_CHARS + 5);
        let shown = quoted(&text).to_string();
        assert_eq!(
            shown,
            format!("`{}…` (5 more characters)", "é".repeat(SHOWN_CHARS))
        );
        let mixed = format!("{}€𝄞", "x".repeat(SHOWN_CHARS - 1));
        assert_eq!(
            quoted(&mixed).to_string(),
            format!("`{}€…` (1 more character)", "x".repeat(SHOWN_CHARS - 1))
        );
    }
}
