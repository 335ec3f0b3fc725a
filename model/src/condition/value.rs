//! Typed values compared by the condition operators (SEMANTICS.md §3.3 and its parsing notes;
//! model decisions D26–D30).
//!
//! Policy values and request-context values go through the same parsers. Both sides are untrusted
//! text, so every parser answers `None` for anything outside its grammar, never panics, and runs
//! in time linear in the length of its input.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

// ---------------------------------------------------------------------------------------------
// Numbers (D26)
// ---------------------------------------------------------------------------------------------

/// An exact decimal number, the value type of the `Numeric*` operators (D26).
///
/// Accepted text: `[+-]? DIGITS ( "." DIGITS )?` with ASCII digits, for example `12`, `-12`,
/// `+0.5`, `3.50`, `007`. Rejected: a bare point on either side (`.5`, `5.`), exponents (`1e3`),
/// `NaN`/`Infinity`, hexadecimal, digit separators, non-ASCII digits, whitespace anywhere, and the
/// empty string. There is no length limit: parsing, comparison and hashing are linear in the
/// number of digits.
///
/// Comparison is exact, never through `f64`: `1.0 == 1`, `-0 == 0`, `007 == 7`,
/// `10 > 9.99999999999999999999`.
#[derive(Clone, Debug)]
pub struct Decimal {
    /// Never true for zero, so that `-0` and `0` share one representation.
    negative: bool,
    /// Integer digits without leading zeros (empty for a zero integer part).
    integer: String,
    /// Fraction digits without trailing zeros (empty for an integer).
    fraction: String,
}

impl Decimal {
    /// Parses the text of a numeric condition value (D26); `None` if it is not a decimal number.
    pub fn parse(text: &str) -> Option<Decimal> {
        let (negative, unsigned) = match text.as_bytes().first() {
            Some(b'-') => (true, text.get(1..)?),
            Some(b'+') => (false, text.get(1..)?),
            _ => (false, text),
        };
        let (integer, fraction) = match unsigned.split_once('.') {
            Some((integer, fraction)) => (integer, Some(fraction)),
            None => (unsigned, None),
        };
        if !is_ascii_digits(integer) || !fraction.is_none_or(is_ascii_digits) {
            return None;
        }
        let integer = integer.trim_start_matches('0');
        let fraction = fraction.unwrap_or("").trim_end_matches('0');
        Some(Decimal {
            negative: negative && !(integer.is_empty() && fraction.is_empty()),
            integer: integer.to_owned(),
            fraction: fraction.to_owned(),
        })
    }

    /// Whether the value is below zero (`-0` is not).
    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// Whether the value has no fractional part (`3.000` has none).
    pub fn is_integer(&self) -> bool {
        self.fraction.is_empty()
    }

    /// Compares absolute values. With leading and trailing zeros stripped, a longer integer part
    /// is larger, and equal-length digit strings (and fraction strings of any length) order like
    /// the numbers they spell.
    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.integer
            .len()
            .cmp(&other.integer.len())
            .then_with(|| self.integer.cmp(&other.integer))
            .then_with(|| self.fraction.cmp(&other.fraction))
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Decimal {
        let magnitude = value.unsigned_abs();
        Decimal {
            negative: value < 0,
            integer: if magnitude == 0 {
                String::new()
            } else {
                magnitude.to_string()
            },
            fraction: String::new(),
        }
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Decimal) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Decimal {}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.negative, other.negative) {
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
        }
    }
}

impl Hash for Decimal {
    // The representation is canonical (no `-0`, no leading or trailing zeros), so equal values
    // have equal fields and hashing the fields agrees with `Eq`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.negative.hash(state);
        self.integer.hash(state);
        self.fraction.hash(state);
    }
}

impl fmt::Display for Decimal {
    /// The canonical form: `-` only below zero, no leading zeros (but `0` before a point), no
    /// trailing fraction zeros, no point for integers: `+007.500` shows as `7.5`, `-0.0` as `0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative {
            f.write_str("-")?;
        }
        f.write_str(if self.integer.is_empty() {
            "0"
        } else {
            &self.integer
        })?;
        if !self.fraction.is_empty() {
            write!(f, ".{}", self.fraction)?;
        }
        Ok(())
    }
}

/// One or more ASCII digits.
fn is_ascii_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------------
// Dates (D27)
// ---------------------------------------------------------------------------------------------

const SECONDS_PER_DAY: i64 = 86_400;
const NANOS_PER_SECOND: u32 = 1_000_000_000;

/// An instant in time on the UTC time line (proleptic Gregorian calendar, no leap seconds), with
/// nanosecond precision: the value type of the `Date*` operators (D27).
///
/// Ordering is chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Instant {
    // Field order matters: the derived `Ord` compares seconds first.
    /// Seconds since 1970-01-01T00:00:00Z.
    seconds: i64,
    /// Always below one second.
    nanos: u32,
}

impl Instant {
    /// Parses the text of a date condition value (D27); `None` if it is not a date.
    ///
    /// AWS says a date is a "String adhering to the W3C Profile of ISO 8601"
    /// (<https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_datatypes.html>)
    /// or epoch (UNIX) time, and `aws:EpochTime` "also accepts the number of seconds since
    /// January 1, 1970". Accepted, exactly:
    ///
    /// * a year `YYYY` (exactly four digits) or a year and month `YYYY-MM`, the reduced W3C
    ///   forms, meaning the first instant of that year or month in UTC (D66): `2024` is
    ///   2024-01-01T00:00:00Z;
    /// * epoch seconds: `-?DIGITS` fitting an `i64` (`1704067200`, `-1`, `0`) other than four
    ///   digits; leading zeros are allowed, a `+` sign and a fraction are not;
    /// * a complete date `YYYY-MM-DD`, meaning midnight UTC;
    /// * a date and time `YYYY-MM-DDThh:mmTZD`, `YYYY-MM-DDThh:mm:ssTZD` or
    ///   `YYYY-MM-DDThh:mm:ss.sTZD` with 1 to 9 fraction digits, where the zone designator `TZD`
    ///   is `Z`, `+hh:mm` or `-hh:mm` (hours 00–23, minutes 00–59).
    ///
    /// Years have exactly four digits (0000–9999); months 01–12; days 01 to the length of the
    /// month (29 in February of leap years: divisible by 4, except centuries not divisible by
    /// 400); hours 00–23; minutes and seconds 00–59 (no `24:00`, no leap second `:60`).
    ///
    /// Rejected, although some ISO 8601 or RFC 3339 readers take them: a time without a zone
    /// designator; basic
    /// format (`20240101`, `+0500`, `T120000`); lowercase `t`/`z`; a space instead of `T`; more
    /// than 9 fraction digits; whitespace anywhere.
    pub fn parse(text: &str) -> Option<Instant> {
        if let Some(instant) = parse_w3c_year_or_month(text) {
            return Some(instant);
        }
        if let Some(seconds) = parse_epoch_seconds(text) {
            return Some(Instant::from_epoch_seconds(seconds));
        }
        parse_w3c_datetime(text)
    }

    /// The instant `secs` seconds after 1970-01-01T00:00:00Z (before it if negative).
    pub fn from_epoch_seconds(secs: i64) -> Instant {
        Instant {
            seconds: secs,
            nanos: 0,
        }
    }

    /// The instant `secs` seconds and `nanos` nanoseconds after the epoch; `None` unless
    /// `nanos` is below one second.
    pub fn from_epoch_parts(secs: i64, nanos: u32) -> Option<Instant> {
        (nanos < NANOS_PER_SECOND).then_some(Instant {
            seconds: secs,
            nanos,
        })
    }

    /// Whole seconds since the epoch, rounded towards the past (`1969-12-31T23:59:59.5Z` is -1).
    pub fn epoch_seconds(&self) -> i64 {
        self.seconds
    }

    /// Nanoseconds past [`Instant::epoch_seconds`], below 1,000,000,000.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }
}

impl fmt::Display for Instant {
    /// RFC 3339 in UTC, `2024-01-01T12:00:00Z`, with a fraction (trailing zeros dropped) only
    /// when it is not zero: `2024-01-01T12:00:00.5Z`. Years outside 0000–9999, which only
    /// [`Instant::from_epoch_seconds`] and extreme offsets can produce, use the ISO 8601 expanded
    /// form (`-0001-…`, `+10000-…`) that [`Instant::parse`] does not read back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.seconds.div_euclid(SECONDS_PER_DAY);
        let second_of_day = self.seconds.rem_euclid(SECONDS_PER_DAY);
        let (year, month, day) = civil_from_days(days);
        if (0..=9999).contains(&year) {
            write!(f, "{year:04}")?;
        } else if year < 0 {
            write!(f, "-{:04}", year.unsigned_abs())?;
        } else {
            write!(f, "+{year}")?;
        }
        write!(
            f,
            "-{month:02}-{day:02}T{:02}:{:02}:{:02}",
            second_of_day / 3600,
            second_of_day / 60 % 60,
            second_of_day % 60
        )?;
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            write!(f, ".{}", fraction.trim_end_matches('0'))?;
        }
        f.write_str("Z")
    }
}

/// `-?DIGITS` as an `i64`; `None` on any other text or on overflow. Overflow is detected within
/// the first 20 digits, so long inputs are not read to the end.
fn parse_epoch_seconds(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if digits.is_empty() {
        return None;
    }
    let mut value: i64 = 0;
    for byte in digits.bytes() {
        let digit = i64::from(ascii_digit(byte)?);
        value = value.checked_mul(10)?;
        // Accumulating towards the sign lets `i64::MIN` through.
        value = if negative {
            value.checked_sub(digit)?
        } else {
            value.checked_add(digit)?
        };
    }
    Some(value)
}

/// The reduced forms of the W3C profile of ISO 8601, `YYYY` and `YYYY-MM` (D66).
fn parse_w3c_year_or_month(text: &str) -> Option<Instant> {
    let mut cursor = Cursor::new(text);
    let year = cursor.number(4)?;
    let month = if cursor.is_empty() {
        1
    } else {
        cursor.expect(b'-')?;
        let month = cursor.number(2)?;
        if !cursor.is_empty() || !(1..=12).contains(&month) {
            return None;
        }
        month
    };
    let days = days_from_civil(i64::from(year), month, 1);
    Some(Instant::from_epoch_seconds(
        days.checked_mul(SECONDS_PER_DAY)?,
    ))
}

/// The complete-date and date-time forms of the W3C profile of ISO 8601 (see [`Instant::parse`]).
fn parse_w3c_datetime(text: &str) -> Option<Instant> {
    let mut cursor = Cursor::new(text);
    let year = cursor.number(4)?;
    cursor.expect(b'-')?;
    let month = cursor.number(2)?;
    cursor.expect(b'-')?;
    let day = cursor.number(2)?;
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    let midnight = days_from_civil(i64::from(year), month, day).checked_mul(SECONDS_PER_DAY)?;
    if cursor.is_empty() {
        return Some(Instant::from_epoch_seconds(midnight));
    }

    cursor.expect(b'T')?;
    let hour = cursor.number(2)?;
    cursor.expect(b':')?;
    let minute = cursor.number(2)?;
    let (second, nanos) = if cursor.peek() == Some(b':') {
        cursor.expect(b':')?;
        let second = cursor.number(2)?;
        let nanos = if cursor.peek() == Some(b'.') {
            cursor.expect(b'.')?;
            cursor.fraction_nanos()?
        } else {
            0
        };
        (second, nanos)
    } else {
        (0, 0)
    };
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }

    let offset = match cursor.next()? {
        b'Z' => 0,
        sign @ (b'+' | b'-') => {
            let hours = cursor.number(2)?;
            cursor.expect(b':')?;
            let minutes = cursor.number(2)?;
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' {
                -magnitude
            } else {
                magnitude
            }
        }
        _ => return None,
    };
    if !cursor.is_empty() {
        return None;
    }

    // Local time minus the offset is UTC: 01:00+02:00 is 23:00Z the day before.
    let local = midnight.checked_add(i64::from(hour * 3600 + minute * 60 + second))?;
    Instant::from_epoch_parts(local.checked_sub(offset)?, nanos)
}

/// A reader over the bytes of a date-time; every method fails rather than read past the end.
struct Cursor<'a> {
    rest: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn new(text: &'a str) -> Cursor<'a> {
        Cursor {
            rest: text.as_bytes(),
        }
    }

    fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }

    fn peek(&self) -> Option<u8> {
        self.rest.first().copied()
    }

    fn next(&mut self) -> Option<u8> {
        let (&first, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(first)
    }

    fn expect(&mut self, expected: u8) -> Option<()> {
        (self.next()? == expected).then_some(())
    }

    /// Exactly `width` ASCII digits (at most 4, so the value fits a `u32`).
    fn number(&mut self, width: usize) -> Option<u32> {
        let (digits, rest) = self.rest.split_at_checked(width)?;
        let mut value: u32 = 0;
        for &byte in digits {
            value = value.checked_mul(10)?.checked_add(ascii_digit(byte)?)?;
        }
        self.rest = rest;
        Some(value)
    }

    /// 1 to 9 fraction digits, scaled to nanoseconds.
    fn fraction_nanos(&mut self) -> Option<u32> {
        let mut nanos: u32 = 0;
        let mut count: u32 = 0;
        while let Some(digit) = self.peek().and_then(ascii_digit) {
            count += 1;
            if count > 9 {
                return None;
            }
            nanos = nanos * 10 + digit;
            self.rest = self.rest.get(1..)?;
        }
        if count == 0 {
            return None;
        }
        nanos.checked_mul(10u32.checked_pow(9 - count)?)
    }
}

fn ascii_digit(byte: u8) -> Option<u32> {
    byte.is_ascii_digit().then(|| u32::from(byte - b'0'))
}

fn is_leap_year(year: u32) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

/// Days in `month` (1–12) of `year`; 0 for a month out of range.
fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
/// The caller passes a validated date with a four-digit year, so nothing here can overflow.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let month = i64::from(month);
    let day = i64::from(day);
    // Count years from March so that the leap day ends the year.
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year.rem_euclid(400);
    let month_from_march = if month > 2 { month - 3 } else { month + 9 };
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`]. Any `days` derived from an `i64` count of seconds is below
/// 1.1e14 in magnitude, far from overflowing any step.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    // Day is 1..=31 and month 1..=12 by construction; the fallbacks are unreachable.
    (
        year,
        u32::try_from(month).unwrap_or(1),
        u32::try_from(day).unwrap_or(1),
    )
}

// ---------------------------------------------------------------------------------------------
// IP addresses (D29)
// ---------------------------------------------------------------------------------------------

/// An IPv4 or IPv6 network from an `IpAddress`/`NotIpAddress` policy value (D29).
///
/// `network` holds the address bits with every host bit cleared: `203.0.113.7/24` is parsed as
/// `203.0.113.0/24`, and a bare address is a /32 (IPv4) or /128 (IPv6) network. An IPv4-mapped
/// IPv6 address such as `::ffff:203.0.113.7` is an IPv6 network, which never contains an IPv4
/// address.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cidr {
    /// An IPv4 network; `prefix` is 0–32.
    V4 { network: u32, prefix: u8 },
    /// An IPv6 network; `prefix` is 0–128.
    V6 { network: u128, prefix: u8 },
}

impl Cidr {
    /// Parses `ADDRESS` or `ADDRESS/PREFIX` (RFC 4632 notation, extended to IPv6).
    ///
    /// The address follows [`parse_ip`]. The prefix is decimal, 0–32 for IPv4 and 0–128 for
    /// IPv6, without sign or leading zeros (`/08` is rejected). Whitespace anywhere, an empty
    /// prefix (`10.0.0.0/`) and the empty string are rejected.
    pub fn parse(text: &str) -> Option<Cidr> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address = parse_ip(address)?;
        let max_prefix = match address {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix {
            Some(prefix) => parse_prefix(prefix, max_prefix)?,
            None => max_prefix,
        };
        Cidr::new(address, prefix)
    }

    /// The network of `address` with `prefix` leading bits; `None` if the prefix is longer than
    /// the address (32 or 128 bits).
    pub fn new(address: IpAddr, prefix: u8) -> Option<Cidr> {
        match address {
            IpAddr::V4(address) if prefix <= 32 => Some(Cidr::V4 {
                network: u32::from(address) & mask_v4(prefix),
                prefix,
            }),
            IpAddr::V6(address) if prefix <= 128 => Some(Cidr::V6 {
                network: u128::from(address) & mask_v6(prefix),
                prefix,
            }),
            _ => None,
        }
    }

    /// Whether `addr` lies inside the network. An IPv4 address is never inside an IPv6 network
    /// and vice versa, IPv4-mapped IPv6 addresses included (D29).
    pub fn contains(&self, addr: IpAddr) -> bool {
        // Masking both sides keeps the answer right for a hand-built value with host bits set.
        match (*self, addr) {
            (Cidr::V4 { network, prefix }, IpAddr::V4(addr)) => {
                let mask = mask_v4(prefix);
                u32::from(addr) & mask == network & mask
            }
            (Cidr::V6 { network, prefix }, IpAddr::V6(addr)) => {
                let mask = mask_v6(prefix);
                u128::from(addr) & mask == network & mask
            }
            _ => false,
        }
    }
}

impl fmt::Display for Cidr {
    /// Always with the prefix: `203.0.113.0/24`, `203.0.113.7/32`, and IPv6 in the standard
    /// library's RFC 5952 form, `2001:db8::/32`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Cidr::V4 { network, prefix } => write!(f, "{}/{prefix}", Ipv4Addr::from(network)),
            Cidr::V6 { network, prefix } => write!(f, "{}/{prefix}", Ipv6Addr::from(network)),
        }
    }
}

/// A request-side IP value (`aws:SourceIp`, `aws:VpcSourceIp`): a bare IPv4 or IPv6 address,
/// with no prefix; `None` for anything else (D29).
///
/// IPv4 is the dotted quad of four decimal octets 0–255, and an octet with a leading zero
/// (`010.0.0.1`) is rejected because other readers take it as octal. IPv6 is RFC 4291 text,
/// including `::` compression and an embedded dotted quad (`::ffff:203.0.113.7`), without a zone
/// (`fe80::1%eth0` is rejected). No whitespace, brackets or ports.
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    // The standard library's parsers implement exactly the grammar above.
    text.parse().ok()
}

/// A prefix length: 1 to 3 decimal digits, no leading zero (except `0` itself), at most `max`.
fn parse_prefix(text: &str, max: u8) -> Option<u8> {
    if text.len() > 3 || (text.len() > 1 && text.starts_with('0')) || !is_ascii_digits(text) {
        return None;
    }
    let prefix: u8 = text.parse().ok()?;
    (prefix <= max).then_some(prefix)
}

/// The network mask with `prefix` leading one bits (all ones from 32 on).
fn mask_v4(prefix: u8) -> u32 {
    !u32::MAX.checked_shr(u32::from(prefix)).unwrap_or(0)
}

/// The network mask with `prefix` leading one bits (all ones from 128 on).
fn mask_v6(prefix: u8) -> u128 {
    !u128::MAX.checked_shr(u32::from(prefix)).unwrap_or(0)
}

// ---------------------------------------------------------------------------------------------
// Binary (D30)
// ---------------------------------------------------------------------------------------------

/// Decodes a `BinaryEquals` value (D30): standard base64 with the RFC 4648 §4 alphabet
/// (`A–Z a–z 0–9 + /`), in its canonical form only.
///
/// The length must be a multiple of 4, with `=` padding (one or two characters, only at the
/// end) completing the last group; the unused bits before the padding must be zero (RFC 4648
/// §3.5). Rejected: missing padding (`Zg`), the URL-safe alphabet (`-`, `_`), whitespace and line
/// breaks, any other character. The empty string decodes to no bytes. Because only the canonical
/// encoding is accepted, two values decode to the same bytes exactly when their texts are equal.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(4) {
        return None;
    }
    let mut decoded = Vec::with_capacity(bytes.len() / 4 * 3);
    let mut groups = bytes.chunks_exact(4).peekable();
    while let Some(group) = groups.next() {
        let &[first, second, third, fourth] = group else {
            return None;
        };
        let is_last = groups.peek().is_none();
        let first = base64_sextet(first)?;
        let second = base64_sextet(second)?;
        decoded.push(first << 2 | second >> 4);
        match (third, fourth) {
            (b'=', b'=') if is_last => {
                if second & 0b1111 != 0 {
                    return None;
                }
            }
            (third, b'=') if is_last => {
                let third = base64_sextet(third)?;
                if third & 0b11 != 0 {
                    return None;
                }
                decoded.push(second << 4 | third >> 2);
            }
            (third, fourth) => {
                let third = base64_sextet(third)?;
                let fourth = base64_sextet(fourth)?;
                decoded.push(second << 4 | third >> 2);
                decoded.push(third << 6 | fourth);
            }
        }
    }
    Some(decoded)
}

/// The 6-bit value of a base64 character; `None` outside the standard alphabet (`=` included).
fn base64_sextet(byte: u8) -> Option<u8> {
    match byte {
        b'A'..=b'Z' => Some(byte - b'A'),
        b'a'..=b'z' => Some(byte - b'a' + 26),
        b'0'..=b'9' => Some(byte - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Booleans (D28)
// ---------------------------------------------------------------------------------------------

/// Validates a `Bool` policy value: `true` or `false` in any ASCII case (`True`, `FALSE`);
/// `None` for anything else, including surrounding whitespace, `1`, `yes` and the empty string.
pub fn parse_bool(text: &str) -> Option<bool> {
    if text.eq_ignore_ascii_case("true") {
        Some(true)
    } else if text.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        None
    }
}

/// The `Bool` comparison of D28: the request value, lowercased, equals the policy value,
/// lowercased. It works on the text, so it also answers for a policy value that came from a
/// substituted variable and is neither `true` nor `false`.
pub fn bool_values_match(policy: &str, request: &str) -> bool {
    policy.to_lowercase() == request.to_lowercase()
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::HashSet;
    use std::time::{Duration, Instant as Clock};

    fn dec(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|| panic!("`{text}` should parse as a decimal"))
    }

    fn at(text: &str) -> Instant {
        Instant::parse(text).unwrap_or_else(|| panic!("`{text}` should parse as a date"))
    }

    fn cidr(text: &str) -> Cidr {
        Cidr::parse(text).unwrap_or_else(|| panic!("`{text}` should parse as a CIDR"))
    }

    fn ip(text: &str) -> IpAddr {
        parse_ip(text).unwrap_or_else(|| panic!("`{text}` should parse as an IP address"))
    }

    /// Runs `f` and fails if it takes longer than a second (hostile-input checks).
    fn quickly<T>(f: impl FnOnce() -> T) -> T {
        let start = Clock::now();
        let result = f();
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "took {:?}",
            start.elapsed()
        );
        result
    }

    // --- §3.3 / D26: numbers ---

    #[test]
    fn d26_decimal_equalities() {
        assert_eq!(dec("1.0"), dec("1"));
        assert_eq!(dec("-0"), dec("0"));
        assert_eq!(dec("+0"), dec("0"));
        assert_eq!(dec("-0.000"), dec("0"));
        assert_eq!(dec("007"), dec("7"));
        assert_eq!(dec("+7"), dec("7"));
        assert_eq!(dec("3.50"), dec("3.5"));
        assert_eq!(dec("-003.500"), dec("-3.5"));
        assert_eq!(dec("0.5"), dec("+0.50"));
        assert_ne!(dec("1"), dec("-1"));
        assert_ne!(dec("0.1"), dec("0.01"));
        assert_ne!(dec("10"), dec("1"));
        assert_ne!(dec("100"), dec("1.00"));
    }

    #[test]
    fn d26_decimal_orderings() {
        assert!(dec("10") > dec("9.99999999999999999999"));
        assert!(dec("9") < dec("10"));
        assert!(dec("-1") < dec("0"));
        assert!(dec("-0.0001") < dec("0"));
        assert!(dec("-2") < dec("-1.5"));
        assert!(dec("-1.5") < dec("-1.49"));
        assert!(dec("0.1") < dec("0.10001"));
        assert!(dec("0.09") < dec("0.1"));
        assert!(dec("1.2") < dec("1.3"));
        assert!(dec("-10") < dec("-9"));
        assert!(dec("00010") > dec("9.5"));
        assert!(dec("1.2") > dec("1.19999999999999999999999999"));
        // s3:TlsVersion in AWS managed policies.
        assert!(dec("1.3") >= dec("1.2"));
        assert!(dec("1.1") < dec("1.2"));
    }

    #[test]
    fn d26_decimal_huge_values() {
        let big = format!("1{}", "0".repeat(1000));
        let nines = "9".repeat(1000);
        assert!(dec(&big) > dec(&nines));
        assert!(dec(&format!("-{big}")) < dec(&format!("-{nines}")));
        assert!(dec(&format!("0.{}1", "0".repeat(1000))) > dec("0"));
        assert!(dec(&format!("0.{}1", "0".repeat(1000))) < dec(&format!("0.{}1", "0".repeat(999))));
        // Beyond i64 and u128 and f64 precision.
        assert!(dec("9223372036854775808") > dec("9223372036854775807"));
        assert!(
            dec("340282366920938463463374607431768211457")
                > dec("340282366920938463463374607431768211456")
        );
        assert_ne!(dec("9007199254740993"), dec("9007199254740992"));
    }

    #[test]
    fn d26_decimal_hostile_inputs_are_fast() {
        let digits = "7".repeat(100_000);
        let a = quickly(|| Decimal::parse(&digits)).unwrap();
        let b = quickly(|| Decimal::parse(&format!("{digits}.5"))).unwrap();
        assert!(quickly(|| a < b));
        let mega = "1".repeat(1_000_000);
        assert!(quickly(|| Decimal::parse(&mega)).is_some());
        assert!(quickly(|| Decimal::parse(&format!("{mega}x"))).is_none());
        assert!(quickly(|| Decimal::parse(&"-".repeat(1_000_000))).is_none());
        assert!(quickly(|| Decimal::parse(&".".repeat(1_000_000))).is_none());
    }

    #[test]
    fn d26_decimal_rejects() {
        for text in [
            "",
            "+",
            "-",
            ".",
            ".5",
            "5.",
            "-.5",
            "+.",
            "1e3",
            "1E3",
            "1.5e-3",
            " 1",
            "1 ",
            "1 000",
            "1_000",
            "0x10",
            "1.2.3",
            "--1",
            "+-1",
            "-+1",
            "NaN",
            "nan",
            "inf",
            "Infinity",
            "١",
            "1,5",
            "１",
            "0b1",
            "1/2",
            "\u{200b}1",
        ] {
            assert!(
                Decimal::parse(text).is_none(),
                "`{text}` should be rejected"
            );
        }
    }

    #[test]
    fn d26_decimal_display_is_canonical() {
        for (text, shown) in [
            ("+007.500", "7.5"),
            ("-0.0", "0"),
            ("-000.5", "-0.5"),
            ("0", "0"),
            ("000", "0"),
            ("12", "12"),
            ("-12", "-12"),
            ("3.50", "3.5"),
            ("10.0", "10"),
            ("0.001", "0.001"),
        ] {
            assert_eq!(dec(text).to_string(), shown, "`{text}`");
        }
    }

    #[test]
    fn d26_decimal_hash_agrees_with_eq() {
        let set: HashSet<Decimal> = ["1", "1.0", "+1", "001.000", "-0", "0", "0.0"]
            .iter()
            .map(|text| dec(text))
            .collect();
        assert_eq!(set.len(), 2);
    }

    #[test]
    fn d26_decimal_from_i64() {
        for value in [i64::MIN, -10, -1, 0, 1, 42, i64::MAX] {
            assert_eq!(Decimal::from(value), dec(&value.to_string()));
            assert_eq!(Decimal::from(value).to_string(), value.to_string());
        }
        assert!(!Decimal::from(0).is_negative());
        assert!(dec("-0").to_string() == "0" && !dec("-0").is_negative());
        assert!(dec("3.000").is_integer() && !dec("3.01").is_integer());
    }

    // --- §3.3 / D27: dates ---

    #[test]
    fn d27_every_date_form() {
        let new_year = Instant::from_epoch_seconds(1_704_067_200);
        assert_eq!(at("2024-01-01"), new_year);
        assert_eq!(at("1704067200"), new_year);
        assert_eq!(at("2024-01-01T00:00Z"), new_year);
        assert_eq!(at("2024-01-01T00:00:00Z"), new_year);
        assert_eq!(at("2024-01-01T00:00:00.000Z"), new_year);
        assert_eq!(at("2024-01-01T00:00:00.000000000Z"), new_year);
        assert_eq!(at("2024-01-01T02:00:00+02:00"), new_year);
        assert_eq!(at("2023-12-31T19:00:00-05:00"), new_year);
        assert_eq!(at("2023-12-31T19:00-05:00"), new_year);
        assert_eq!(at("2024-01-01T00:00:00+00:00"), new_year);
        assert_eq!(at("2024-01-01T00:00:00-00:00"), new_year);
        assert_eq!(at("2024-01-01T05:30:00+05:30"), new_year);

        let noon = at("2024-01-01T12:00:00Z");
        assert_eq!(noon.epoch_seconds(), 1_704_110_400);
        assert_eq!(at("2024-01-01T12:00Z"), noon);
        assert_eq!(at("2024-01-01T14:00:00+02:00"), noon);

        let fraction = at("2024-01-01T12:00:00.123Z");
        assert_eq!(fraction.epoch_seconds(), 1_704_110_400);
        assert_eq!(fraction.subsec_nanos(), 123_000_000);
        assert_eq!(at("2024-01-01T12:00:00.5Z").subsec_nanos(), 500_000_000);
        assert_eq!(at("2024-01-01T12:00:00.000000001Z").subsec_nanos(), 1);
        assert_eq!(
            at("2024-01-01T12:00:00.123456789+01:00").subsec_nanos(),
            123_456_789
        );

        assert_eq!(at("1970-01-01T00:00:00Z"), Instant::from_epoch_seconds(0));
        assert_eq!(at("0"), Instant::from_epoch_seconds(0));
        assert_eq!(at("-1"), at("1969-12-31T23:59:59Z"));
        assert_eq!(at("-0"), Instant::from_epoch_seconds(0));
        assert_eq!(at("0001704067200"), new_year);
        // Four digits are a year, the W3C `YYYY` form (D66); other all-digit texts are seconds.
        assert_eq!(at("2024"), at("2024-01-01T00:00:00Z"));
        assert_eq!(at("2024-02"), at("2024-02-01T00:00:00Z"));
        assert_eq!(at("0000"), at("0000-01-01"));
        assert_eq!(at("202"), Instant::from_epoch_seconds(202));
        assert_eq!(at("20240"), Instant::from_epoch_seconds(20240));
        assert_eq!(at("2024-06-01T12:30+02:00"), at("2024-06-01T10:30:00Z"));
        assert_eq!(at("9223372036854775807").epoch_seconds(), i64::MAX);
        assert_eq!(at("-9223372036854775808").epoch_seconds(), i64::MIN);
        assert_eq!(
            at("0000-01-01"),
            Instant::from_epoch_seconds(-62_167_219_200)
        );
        assert_eq!(
            at("9999-12-31T23:59:59Z"),
            Instant::from_epoch_seconds(253_402_300_799)
        );
    }

    #[test]
    fn d27_offsets_cross_midnight() {
        // Forwards across midnight and the year.
        assert_eq!(at("2024-01-01T01:00:00+02:00"), at("2023-12-31T23:00:00Z"));
        // Backwards across midnight and the year.
        assert_eq!(at("2023-12-31T22:00:00-05:00"), at("2024-01-01T03:00:00Z"));
        // Across a leap day.
        assert_eq!(at("2024-03-01T00:30:00+01:00"), at("2024-02-29T23:30:00Z"));
        assert_eq!(at("2024-02-28T23:00:00-02:00"), at("2024-02-29T01:00:00Z"));
        // Extreme offsets.
        assert_eq!(at("2024-01-01T00:00:00+23:59"), at("2023-12-31T00:01:00Z"));
        assert_eq!(at("2024-01-01T23:59:59-23:59"), at("2024-01-02T23:58:59Z"));
        assert_eq!(
            at("0000-01-01T00:00:00+01:00").epoch_seconds(),
            -62_167_219_200 - 3600
        );
    }

    #[test]
    fn d27_leap_days() {
        assert!(Instant::parse("2024-02-29").is_some());
        assert!(Instant::parse("2000-02-29").is_some());
        assert!(Instant::parse("1600-02-29").is_some());
        assert!(Instant::parse("0000-02-29").is_some());
        assert!(Instant::parse("2023-02-29").is_none());
        assert!(Instant::parse("1900-02-29").is_none());
        assert!(Instant::parse("2100-02-29T00:00:00Z").is_none());
        assert!(Instant::parse("2024-02-30").is_none());
        assert_eq!(
            at("2024-03-01").epoch_seconds() - at("2024-02-28").epoch_seconds(),
            2 * SECONDS_PER_DAY
        );
        assert_eq!(
            at("2023-03-01").epoch_seconds() - at("2023-02-28").epoch_seconds(),
            SECONDS_PER_DAY
        );
    }

    #[test]
    fn d27_rejects() {
        for text in [
            "",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-00",
            "2024-01-32",
            "2024-04-31",
            "2024-06-31",
            "2024-09-31",
            "2024-11-31",
            "2024-01-01T24:00:00Z",
            "2024-01-01T24:00Z",
            "2024-01-01T23:60:00Z",
            "2024-01-01T23:59:60Z",
            "2024-01-01T12:00:00",
            "2024-01-01T12:00",
            "2024-01-01T12:00:00+0500",
            "2024-01-01T12:00:00-0500",
            "2024-01-01T12:00:00+05",
            "2024-01-01T12:00:00+24:00",
            "2024-01-01T12:00:00+05:60",
            "2024-01-01T12:00:00z",
            "2024-01-01t12:00:00Z",
            "2024-01-01 12:00:00Z",
            "2024-01-01T12:00:00.Z",
            "2024-01-01T12:00:00.1234567890Z",
            "2024-01-01T12:00.5Z",
            "2024-01-01T12Z",
            "2024-01-01T1:00:00Z",
            "2024-01-01T12:0:00Z",
            "2024-01-01Z",
            "2024-01-01T",
            "2024-01-01T12:00:00ZZ",
            "2024-01-01T12:00:00Z ",
            " 2024-01-01",
            "2024-13",
            "2024-00",
            "2024-1",
            "2024-01-",
            "2024-1-01",
            "2024-01-1",
            "24-01-01",
            "02024-01-01",
            "+2024-01-01",
            "-2024-01-01",
            "20240101",
            "2024/01/01",
            "99999999999-99-99",
            "99999999999999999999",
            "-99999999999999999999",
            "9223372036854775808",
            "+1704067200",
            "1704067200.5",
            "1e9",
            "-",
            "now",
            "２０２４-01-01",
        ] {
            let parsed = Instant::parse(text);
            // "20240101" is rejected as a date but read as epoch seconds; check the ISO path.
            if text == "20240101" {
                assert_eq!(parsed, Some(Instant::from_epoch_seconds(20_240_101)));
                continue;
            }
            assert!(
                parsed.is_none(),
                "`{text}` should be rejected, got {parsed:?}"
            );
        }
    }

    #[test]
    fn d27_hostile_inputs_are_fast() {
        let digits = "9".repeat(1_000_000);
        assert!(quickly(|| Instant::parse(&digits)).is_none());
        let junk = format!("2024-01-01T12:00:00.{}Z", "1".repeat(1_000_000));
        assert!(quickly(|| Instant::parse(&junk)).is_none());
        let tail = format!("2024-01-01T12:00:00Z{}", "Z".repeat(1_000_000));
        assert!(quickly(|| Instant::parse(&tail)).is_none());
    }

    #[test]
    fn d27_epoch_seconds_equal_iso() {
        for (epoch, iso) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_704_067_200, "2024-01-01T00:00:00Z"),
            (1_709_164_800, "2024-02-29T00:00:00Z"),
            (4_102_444_800, "2100-01-01T00:00:00Z"),
            (-86_400, "1969-12-31T00:00:00Z"),
            (-2_208_988_800, "1900-01-01T00:00:00Z"),
        ] {
            assert_eq!(at(&epoch.to_string()), at(iso), "{epoch}");
            assert_eq!(Instant::from_epoch_seconds(epoch).to_string(), iso);
        }
    }

    #[test]
    fn d27_ordering() {
        assert!(at("2024-01-01") < at("2024-01-01T00:00:00.000000001Z"));
        assert!(at("2024-01-01T12:00:00+02:00") < at("2024-01-01T12:00:00Z"));
        assert!(at("2024-01-01T12:00:00-02:00") > at("2024-01-01T12:00:00Z"));
        assert!(at("1969-12-31T23:59:59.5Z") < at("0"));
        assert_eq!(at("1969-12-31T23:59:59.5Z").epoch_seconds(), -1);
        assert!(at("2020-04-01T00:00:00Z") < at("2020-06-30T23:59:59Z"));
        assert!(at("1704067199") < at("2024-01-01"));
    }

    #[test]
    fn d27_display() {
        assert_eq!(
            at("2024-01-01T12:00:00Z").to_string(),
            "2024-01-01T12:00:00Z"
        );
        assert_eq!(at("2024-01-01").to_string(), "2024-01-01T00:00:00Z");
        assert_eq!(
            at("2024-01-01T12:00:00.500Z").to_string(),
            "2024-01-01T12:00:00.5Z"
        );
        assert_eq!(
            at("2024-01-01T12:00:00.000000001Z").to_string(),
            "2024-01-01T12:00:00.000000001Z"
        );
        assert_eq!(
            at("2024-01-01T01:00:00+02:00").to_string(),
            "2023-12-31T23:00:00Z"
        );
        assert_eq!(at("-1").to_string(), "1969-12-31T23:59:59Z");
        assert_eq!(
            Instant::from_epoch_seconds(-62_167_219_201).to_string(),
            "-0001-12-31T23:59:59Z"
        );
        assert_eq!(
            Instant::from_epoch_seconds(253_402_300_800).to_string(),
            "+10000-01-01T00:00:00Z"
        );
        // The extremes display without panicking.
        assert!(!Instant::from_epoch_seconds(i64::MIN).to_string().is_empty());
        assert!(!Instant::from_epoch_parts(i64::MAX, 999_999_999)
            .unwrap()
            .to_string()
            .is_empty());
        assert!(Instant::from_epoch_parts(0, 1_000_000_000).is_none());
    }

    // --- §3.3 / D29: IP addresses ---

    #[test]
    fn d29_cidr_parse_and_normalize() {
        assert_eq!(
            cidr("203.0.113.7/24"),
            Cidr::V4 {
                network: 0xCB00_7100,
                prefix: 24
            }
        );
        assert_eq!(cidr("203.0.113.7/24").to_string(), "203.0.113.0/24");
        assert_eq!(cidr("203.0.113.7"), cidr("203.0.113.7/32"));
        assert_eq!(cidr("203.0.113.7").to_string(), "203.0.113.7/32");
        assert_eq!(
            cidr("255.255.255.255/0"),
            Cidr::V4 {
                network: 0,
                prefix: 0
            }
        );
        assert_eq!(cidr("255.255.255.255/1").to_string(), "128.0.0.0/1");
        assert_eq!(cidr("10.1.2.3/31").to_string(), "10.1.2.2/31");
        assert_eq!(cidr("2001:DB8::1/32").to_string(), "2001:db8::/32");
        assert_eq!(cidr("2001:db8:0:0:0:0:0:1").to_string(), "2001:db8::1/128");
        assert_eq!(cidr("2001:db8::ffff/127").to_string(), "2001:db8::fffe/127");
        assert_eq!(
            cidr("ffff::/0"),
            Cidr::V6 {
                network: 0,
                prefix: 0
            }
        );
        assert_eq!(
            cidr("::ffff:203.0.113.7").to_string(),
            "::ffff:203.0.113.7/128"
        );
        assert!(matches!(cidr("::ffff:203.0.113.7"), Cidr::V6 { .. }));
        assert!(matches!(cidr("::203.0.113.7/96"), Cidr::V6 { .. }));
        assert_eq!(Cidr::new(ip("10.9.8.7"), 8), Some(cidr("10.0.0.0/8")));
        assert_eq!(Cidr::new(ip("10.9.8.7"), 33), None);
        assert_eq!(Cidr::new(ip("::1"), 129), None);
    }

    #[test]
    fn d29_cidr_rejects() {
        for text in [
            "",
            " ",
            "/",
            "/24",
            " 10.0.0.0/8",
            "10.0.0.0/8 ",
            "10.0.0.0 /8",
            "10.0.0.0/ 8",
            "10.0.0.0/",
            "10.0.0.0/33",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/08",
            "10.0.0.0/0008",
            "10.0.0.0/256",
            "10.0.0.0/8/8",
            "10.0.0.0/8.0",
            "010.0.0.0/8",
            "10.0.0",
            "10.0.0.0.0",
            "256.0.0.0",
            "10.0.0.0a",
            "::/129",
            "::/1000",
            "fe80::1%eth0",
            "[::1]",
            "[::1]/128",
            "1.2.3.4:80",
            "2001:db8:::1",
            "2001:db8::g",
            "localhost",
            "*",
            "0x0a.0.0.0",
        ] {
            assert!(Cidr::parse(text).is_none(), "`{text}` should be rejected");
        }
        let long = format!("10.0.0.0/{}", "1".repeat(1_000_000));
        assert!(quickly(|| Cidr::parse(&long)).is_none());
        let long = "1.".repeat(500_000);
        assert!(quickly(|| Cidr::parse(&long)).is_none());
    }

    #[test]
    fn d29_cidr_contains_v4() {
        let net = cidr("10.0.0.0/8");
        assert!(net.contains(ip("10.0.0.0")));
        assert!(net.contains(ip("10.255.255.255")));
        assert!(!net.contains(ip("11.0.0.0")));
        assert!(!net.contains(ip("9.255.255.255")));
        let host = cidr("203.0.113.7/24");
        assert!(host.contains(ip("203.0.113.200")));
        assert!(!host.contains(ip("203.0.114.7")));

        let all = cidr("0.0.0.0/0");
        assert!(all.contains(ip("0.0.0.0")));
        assert!(all.contains(ip("255.255.255.255")));
        assert!(!all.contains(ip("::")));

        let single = cidr("203.0.113.7/32");
        assert!(single.contains(ip("203.0.113.7")));
        assert!(!single.contains(ip("203.0.113.6")));
        assert!(!single.contains(ip("203.0.113.8")));
        assert_eq!(single, cidr("203.0.113.7"));
    }

    #[test]
    fn d29_cidr_contains_v6() {
        let net = cidr("2001:db8::/32");
        assert!(net.contains(ip("2001:db8::")));
        assert!(net.contains(ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!net.contains(ip("2001:db9::")));
        assert!(!net.contains(ip("2001:db7:ffff:ffff:ffff:ffff:ffff:ffff")));

        let all = cidr("::/0");
        assert!(all.contains(ip("::")));
        assert!(all.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        assert!(!all.contains(ip("0.0.0.0")));

        let single = cidr("2001:db8::1/128");
        assert!(single.contains(ip("2001:db8::1")));
        assert!(single.contains(ip("2001:DB8:0::1")));
        assert!(!single.contains(ip("2001:db8::2")));
        assert!(!single.contains(ip("2001:db8::")));
    }

    #[test]
    fn d29_v4_never_matches_v6() {
        let mapped = ip("::ffff:203.0.113.7");
        let plain = ip("203.0.113.7");
        assert!(!cidr("203.0.113.0/24").contains(mapped));
        assert!(!cidr("0.0.0.0/0").contains(mapped));
        assert!(!cidr("::ffff:203.0.113.0/120").contains(plain));
        assert!(!cidr("::/0").contains(plain));
        assert!(cidr("::ffff:203.0.113.0/120").contains(mapped));
        assert!(!cidr("0.0.0.0/0").contains(ip("::")));
        assert_ne!(cidr("0.0.0.0/0"), cidr("::/0"));
    }

    #[test]
    fn d29_parse_ip() {
        assert_eq!(
            parse_ip("203.0.113.7"),
            Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 7)))
        );
        assert_eq!(
            parse_ip("2001:db8::1"),
            Some(IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)))
        );
        assert!(matches!(parse_ip("::ffff:1.2.3.4"), Some(IpAddr::V6(_))));
        for text in [
            "",
            "203.0.113.7/32",
            "2001:db8::1/128",
            " 203.0.113.7",
            "203.0.113.7 ",
            "203.0.113.07",
            "203.0.113",
            "256.0.0.1",
            "fe80::1%1",
            "[::1]",
            "example.com",
            "1.2.3.4:443",
        ] {
            assert!(parse_ip(text).is_none(), "`{text}` should be rejected");
        }
        let long = "1".repeat(1_000_000);
        assert!(quickly(|| parse_ip(&long)).is_none());
    }

    // --- §3.3 / D30: binary ---

    #[test]
    fn d30_base64_valid() {
        assert_eq!(decode_base64(""), Some(vec![]));
        assert_eq!(decode_base64("Zg=="), Some(b"f".to_vec()));
        assert_eq!(decode_base64("Zm8="), Some(b"fo".to_vec()));
        assert_eq!(decode_base64("Zm9v"), Some(b"foo".to_vec()));
        assert_eq!(decode_base64("Zm9vYg=="), Some(b"foob".to_vec()));
        assert_eq!(decode_base64("Zm9vYmE="), Some(b"fooba".to_vec()));
        assert_eq!(decode_base64("Zm9vYmFy"), Some(b"foobar".to_vec()));
        assert_eq!(decode_base64("+/+/"), Some(vec![0xfb, 0xff, 0xbf]));
        assert_eq!(decode_base64("AAAA"), Some(vec![0, 0, 0]));
        assert_eq!(decode_base64("////"), Some(vec![0xff, 0xff, 0xff]));
        assert_eq!(decode_base64("QUJDRA=="), Some(b"ABCD".to_vec()));
    }

    #[test]
    fn d30_base64_invalid() {
        for text in [
            "Zg",
            "Zg=",
            "Z===",
            "====",
            "Zm8",
            "Z",
            "Zg==Zg==",
            "Zg==Zm9v",
            "=Zm9",
            "Zm=v",
            "Zm9v\n",
            "Zm9v\r\n",
            " Zm9v",
            "Zm 9v",
            "Zm9v-_==",
            "Zm9v_w==",
            "Zh==",
            "Zm9=",
            "Zg==\n",
            "Zm9v!",
            "Zm9vé===",
            "Zg===",
        ] {
            assert!(decode_base64(text).is_none(), "`{text}` should be rejected");
        }
        let long = format!("{}!", "A".repeat(1_000_003));
        assert!(quickly(|| decode_base64(&long)).is_none());
        let long = "A".repeat(1_000_000);
        assert_eq!(
            quickly(|| decode_base64(&long)).map(|bytes| bytes.len()),
            Some(750_000)
        );
    }

    // --- §3.3 / D28: booleans ---

    #[test]
    fn d28_bools() {
        for text in ["true", "True", "TRUE", "tRuE"] {
            assert_eq!(parse_bool(text), Some(true), "`{text}`");
        }
        for text in ["false", "False", "FALSE", "fAlSe"] {
            assert_eq!(parse_bool(text), Some(false), "`{text}`");
        }
        for text in [
            "", "yes", "no", "1", "0", " true", "true ", "t", "truee", "\"true\"", "null",
        ] {
            assert_eq!(parse_bool(text), None, "`{text}`");
        }
        assert!(bool_values_match("True", "true"));
        assert!(bool_values_match("true", "TRUE"));
        assert!(!bool_values_match("true", "false"));
        assert!(!bool_values_match("true", "1"));
        assert!(bool_values_match("Yes", "yes"));
    }

    // --- property tests ---

    /// A text spelling `value`, with optional `+` and leading zeros.
    fn integer_text() -> impl Strategy<Value = (i64, String)> {
        (any::<i64>(), 0usize..4, any::<bool>()).prop_map(|(value, zeros, plus)| {
            let sign = if value < 0 {
                "-"
            } else if plus {
                "+"
            } else {
                ""
            };
            let text = format!("{sign}{}{}", "0".repeat(zeros), value.unsigned_abs());
            (value, text)
        })
    }

    /// `mantissa / 10^scale`, spelled with a point and optional extra zeros at either end.
    fn decimal_text() -> impl Strategy<Value = (i128, u32, String)> {
        (
            -999_999_999_999_999_999i64..=999_999_999_999_999_999,
            0u32..=18,
            0usize..3,
            0usize..3,
        )
            .prop_map(|(mantissa, scale, leading, trailing)| {
                let digits = format!(
                    "{:0width$}",
                    mantissa.unsigned_abs(),
                    width = scale as usize + 1
                );
                let (integer, fraction) = digits.split_at(digits.len() - scale as usize);
                let sign = if mantissa < 0 { "-" } else { "" };
                let text = if fraction.is_empty() && trailing == 0 {
                    format!("{sign}{}{integer}", "0".repeat(leading))
                } else {
                    format!(
                        "{sign}{}{integer}.{fraction}{}",
                        "0".repeat(leading),
                        "0".repeat(trailing.max(1))
                    )
                };
                (i128::from(mantissa), scale, text)
            })
    }

    /// Exact comparison of `a / 10^sa` with `b / 10^sb` by cross-multiplication.
    fn rational_cmp(a: i128, sa: u32, b: i128, sb: u32) -> Ordering {
        (a * 10i128.pow(sb)).cmp(&(b * 10i128.pow(sa)))
    }

    fn hash_of<T: Hash>(value: &T) -> u64 {
        use std::collections::hash_map::DefaultHasher;
        let mut hasher = DefaultHasher::new();
        value.hash(&mut hasher);
        hasher.finish()
    }

    /// Naive civil date of a day count: walk whole years, then months.
    fn naive_days(year: u32, month: u32, day: u32) -> i64 {
        let mut days: i64 = 0;
        if year >= 1970 {
            for y in 1970..year {
                days += if is_leap_year(y) { 366 } else { 365 };
            }
        } else {
            for y in year..1970 {
                days -= if is_leap_year(y) { 366 } else { 365 };
            }
        }
        for m in 1..month {
            days += i64::from(days_in_month(year, m));
        }
        days + i64::from(day) - 1
    }

    proptest! {
        /// §3.3 / D26: integer texts order like the integers they spell.
        #[test]
        fn d26_prop_integer_order_agrees_with_i64((a, a_text) in integer_text(), (b, b_text) in integer_text()) {
            let (x, y) = (dec(&a_text), dec(&b_text));
            prop_assert_eq!(x.cmp(&y), a.cmp(&b));
            prop_assert_eq!(x == y, a == b);
            prop_assert_eq!(x.to_string(), a.to_string());
            prop_assert_eq!(x, Decimal::from(a));
        }

        /// §3.3 / D26: decimals compare like the exact rationals they spell.
        #[test]
        fn d26_prop_decimal_order_agrees_with_rationals(
            (a, sa, a_text) in decimal_text(),
            (b, sb, b_text) in decimal_text(),
        ) {
            let (x, y) = (dec(&a_text), dec(&b_text));
            let expected = rational_cmp(a, sa, b, sb);
            prop_assert_eq!(x.cmp(&y), expected, "`{}` vs `{}`", a_text, b_text);
            prop_assert_eq!(x.partial_cmp(&y), Some(expected));
            if x == y {
                prop_assert_eq!(hash_of(&x), hash_of(&y));
            }
            // Display is canonical and reads back as the same value.
            let shown = x.to_string();
            prop_assert_eq!(dec(&shown).to_string(), shown.clone());
            prop_assert_eq!(dec(&shown), x);
        }

        /// §3.3 / D26: a value equals itself however it is padded.
        #[test]
        fn d26_prop_padding_preserves_value((_, _, text) in decimal_text(), zeros in 1usize..5) {
            let (sign, unsigned) = match text.strip_prefix('-') {
                Some(rest) => ("-", rest),
                None => ("", text.as_str()),
            };
            let padded = if unsigned.contains('.') {
                format!("{sign}{}{unsigned}{}", "0".repeat(zeros), "0".repeat(zeros))
            } else {
                format!("{sign}{}{unsigned}.{}", "0".repeat(zeros), "0".repeat(zeros))
            };
            prop_assert_eq!(dec(&padded), dec(&text));
            prop_assert_eq!(hash_of(&dec(&padded)), hash_of(&dec(&text)));
        }

        /// §3.3 / D27: Display reads back as the same instant for years 0000–9999.
        #[test]
        fn d27_prop_display_round_trips(seconds in -62_167_219_200i64..=253_402_300_799, nanos in 0u32..1_000_000_000) {
            let instant = Instant::from_epoch_parts(seconds, nanos).unwrap();
            let shown = instant.to_string();
            prop_assert_eq!(Instant::parse(&shown), Some(instant), "`{}`", shown);
            prop_assert_eq!(Instant::parse(&seconds.to_string()), Some(Instant::from_epoch_seconds(seconds)));
        }

        /// §3.3 / D27: dates agree with a naive day count, and offsets shift by exactly their length.
        #[test]
        fn d27_prop_dates_agree_with_naive_count(
            year in 0u32..=9999, month in 1u32..=12, day_seed in 0u32..31,
            hour in 0u32..24, minute in 0u32..60, second in 0u32..60,
            offset_hours in 0u32..24, offset_minutes in 0u32..60, east in any::<bool>(),
        ) {
            let day = day_seed % days_in_month(year, month) + 1;
            let date = format!("{year:04}-{month:02}-{day:02}");
            let midnight = naive_days(year, month, day) * SECONDS_PER_DAY;
            prop_assert_eq!(at(&date).epoch_seconds(), midnight);
            let local = midnight + i64::from(hour * 3600 + minute * 60 + second);
            let sign = if east { '+' } else { '-' };
            let offset = i64::from(offset_hours * 3600 + offset_minutes * 60);
            let utc = if east { local - offset } else { local + offset };
            let text = format!("{date}T{hour:02}:{minute:02}:{second:02}{sign}{offset_hours:02}:{offset_minutes:02}");
            prop_assert_eq!(at(&text), Instant::from_epoch_seconds(utc), "`{}`", text);
        }

        /// §3.3 / D29: IPv4 `contains` agrees with a bit-by-bit prefix comparison.
        #[test]
        fn d29_prop_v4_contains_agrees_with_naive_mask(network in any::<u32>(), prefix in 0u8..=32, addr in any::<u32>(), near in any::<bool>()) {
            // Half the cases put the address inside the network's /prefix on purpose.
            let addr = if near { (network & mask_v4(prefix)) | (addr & !mask_v4(prefix)) } else { addr };
            let text = format!("{}/{prefix}", Ipv4Addr::from(network));
            let parsed = cidr(&text);
            let naive = (0..u32::from(prefix)).all(|bit| (network >> (31 - bit)) & 1 == (addr >> (31 - bit)) & 1);
            prop_assert_eq!(parsed.contains(IpAddr::V4(Ipv4Addr::from(addr))), naive);
            prop_assert!(!parsed.contains(IpAddr::V6(Ipv6Addr::from(u128::from(addr)))));
            prop_assert!(!parsed.contains(IpAddr::V6(Ipv4Addr::from(addr).to_ipv6_mapped())));
            prop_assert_eq!(cidr(&parsed.to_string()), parsed);
        }

        /// §3.3 / D29: IPv6 `contains` agrees with a bit-by-bit prefix comparison.
        #[test]
        fn d29_prop_v6_contains_agrees_with_naive_mask(network in any::<u128>(), prefix in 0u8..=128, addr in any::<u128>(), near in any::<bool>()) {
            let addr = if near { (network & mask_v6(prefix)) | (addr & !mask_v6(prefix)) } else { addr };
            let text = format!("{}/{prefix}", Ipv6Addr::from(network));
            let parsed = cidr(&text);
            let naive = (0..u32::from(prefix)).all(|bit| (network >> (127 - bit)) & 1 == (addr >> (127 - bit)) & 1);
            prop_assert_eq!(parsed.contains(IpAddr::V6(Ipv6Addr::from(addr))), naive);
            prop_assert!(!parsed.contains(IpAddr::V4(Ipv4Addr::from(addr as u32))));
            prop_assert_eq!(cidr(&parsed.to_string()), parsed);
        }

        /// §3.3 / D30: decoding inverts a naive encoder, and only canonical text decodes.
        #[test]
        fn d30_prop_base64_round_trips(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut text = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
                for i in 0..4 {
                    if i <= chunk.len() {
                        text.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
                    } else {
                        text.push('=');
                    }
                }
            }
            prop_assert_eq!(decode_base64(&text), Some(bytes.clone()));
        }

        /// Hostile input: arbitrary text never panics any parser.
        #[test]
        fn prop_arbitrary_text_never_panics(text in ".{0,40}") {
            let _ = Decimal::parse(&text).map(|d| d.to_string());
            let _ = Instant::parse(&text).map(|i| i.to_string());
            let _ = Cidr::parse(&text).map(|c| c.to_string());
            let _ = parse_ip(&text);
            let _ = decode_base64(&text);
            let _ = parse_bool(&text);
        }

        /// Hostile input: date-shaped text with random digits never panics and, when accepted,
        /// displays as text that reads back the same.
        #[test]
        fn prop_date_shaped_text(text in "[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,9})?)?(Z|[+-][0-9]{2}:[0-9]{2}))?") {
            if let Some(instant) = Instant::parse(&text) {
                if (-62_167_219_200..=253_402_300_799).contains(&instant.epoch_seconds()) {
                    prop_assert_eq!(Instant::parse(&instant.to_string()), Some(instant));
                }
            }
        }
    }
}
