//! Names compared without regard to ASCII case: action names and condition keys.

use std::hash::{Hash, Hasher};

/// Text compared without regard to ASCII case: action names and condition keys (D10). Stricter
/// than IAM for letters outside ASCII, which valid names do not have, so shapes that compare
/// equal always are.
#[derive(Clone, Copy, Debug)]
pub(crate) struct NoCase<'s>(pub(crate) &'s str);

impl PartialEq for NoCase<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(other.0)
    }
}

impl Eq for NoCase<'_> {}

impl Ord for NoCase<'_> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // The lowercased bytes compared in order, without building them: the first byte that
        // differs decides, and when one text is a prefix of the other, the shorter is less.
        let (a, b) = (self.0.as_bytes(), other.0.as_bytes());
        // Eight bytes at a time while they are the same as written (sorted action lists share
        // long prefixes, `ec2:Describe…`): equal bytes are equal lowercased.
        let mut start = 0;
        while let (Some(x), Some(y)) = (a.get(start..start + 8), b.get(start..start + 8)) {
            if x != y {
                // Read big-endian, two words compare as their bytes in order: lowercased, the
                // words decide unless they differ only in case (a byte at a time was most of
                // sorting the corpus's long action lists).
                let (x, y) = (lowercase_big_endian(x), lowercase_big_endian(y));
                if x != y {
                    return x.cmp(&y);
                }
            }
            start += 8;
        }
        let (a, b) = (a.get(start..).unwrap_or(&[]), b.get(start..).unwrap_or(&[]));
        for (x, y) in a.iter().zip(b) {
            match x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase()) {
                std::cmp::Ordering::Equal => {}
                unequal => return unequal,
            }
        }
        a.len().cmp(&b.len())
    }
}

impl PartialOrd for NoCase<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Hash for NoCase<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Eight lowercased bytes a word, one hasher step each (a step per byte was most of
        // hashing statement shapes with thousands of actions), then the length, which ends
        // the text (a shape hashes several in a row).
        let lower = |chunk: &[u8]| {
            let mut word = [0u8; 8];
            for (to, from) in word.iter_mut().zip(chunk) {
                *to = *from;
            }
            lowercase_word(u64::from_le_bytes(word))
        };
        let mut chunks = self.0.as_bytes().chunks_exact(8);
        for chunk in &mut chunks {
            state.write_u64(lower(chunk));
        }
        state.write_u64(lower(chunks.remainder()));
        state.write_usize(self.0.len());
    }
}

/// Eight bytes as a big-endian word, lowercased (zero when there are not eight).
fn lowercase_big_endian(bytes: &[u8]) -> u64 {
    <[u8; 8]>::try_from(bytes).map_or(0, |word| lowercase_word(u64::from_be_bytes(word)))
}

/// The eight bytes of `word`, each as `u8::to_ascii_lowercase` makes it, in a few word
/// operations rather than eight byte ones.
pub(crate) fn lowercase_word(word: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Without their high bits no byte carries into the next: the high bit of each byte of the
    // sums says whether it is at least `A` (0x41), and at least `[` (0x5b).
    let low = word & !HIGH;
    let from_a = low + 0x3f3f_3f3f_3f3f_3f3f;
    let past_z = low + 0x2525_2525_2525_2525;
    // Upper-case ASCII letters only: bytes with the high bit set are not ASCII.
    let upper = from_a & !past_z & !word & HIGH;
    word | (upper >> 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use iamspec_model::hash::FxHasher;

    #[test]
    fn words_lowercase_as_bytes_do() {
        for first in 0..=255u8 {
            let bytes = [
                first,
                b'A',
                b'Z',
                b'@',
                b'[',
                0xc3,
                0x9f,
                first.wrapping_add(1),
            ];
            let expected = bytes.map(|b| b.to_ascii_lowercase());
            assert_eq!(
                lowercase_word(u64::from_le_bytes(bytes)),
                u64::from_le_bytes(expected),
                "{first}"
            );
        }
    }

    fn hash(text: &str) -> u64 {
        let mut hasher = FxHasher::default();
        NoCase(text).hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn equal_up_to_case_hashes_alike() {
        for (a, b) in [
            ("s3:GetObject", "S3:GETOBJECT"),
            ("", ""),
            ("ec2:DescribeInstances", "EC2:describeinstances"),
            ("iam:PassRole", "IAM:passrole"),
        ] {
            assert_eq!(NoCase(a), NoCase(b));
            assert_eq!(hash(a), hash(b), "{a} / {b}");
        }
        assert_ne!(hash("s3:GetObject"), hash("s3:GetObjectAcl"));
        // The length ends the text: a trailing NUL is not padding.
        assert_ne!(hash("abcdefgh"), hash("abcdefgh\0"));
        assert_ne!(hash("abc"), hash("abc\0"));
    }

    #[test]
    fn ordered_as_the_lowercased_bytes() {
        let lower = |s: &str| s.to_ascii_lowercase().into_bytes();
        let texts = [
            "s3:GetObject",
            "S3:getobjectacl",
            "s3:Get",
            "s3:get",
            "",
            "ec2:*",
            "EC2:Describe*",
            "s3:GetObject_",
            "ec2:DescribeInstances",
            "ec2:DescribeInstancesStatus",
            "EC2:DESCRIBEImages",
            "ec2:describeinstances",
            "ec2:Describe",
            "EC2:DescribeInstanceStatus",
            "ec2:describeINSTANCEstatus",
            "ec2:DescribeInstanceStatuS_",
            "s3:GetObjectAcl\u{e9}",
            "S3:GETOBJECTACL\u{c9}",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(
                    NoCase(a).cmp(&NoCase(b)),
                    lower(a).cmp(&lower(b)),
                    "{a} / {b}"
                );
            }
        }
    }
}
