//! The checksum snapshots keep of their state from format 3 on: a hash
//! of the state's serialized form taken 64 bits at a time.
//!
//! [`super::Fingerprint::of`] hashes a byte form one byte at a time and
//! formats every identifier and instant as text first; over a desk of
//! 350,000 customers that pass took as long as writing the state out as
//! JSON. This one hashes the same serde walk a word at a time, takes
//! identifiers in their compact (non human-readable) form, and hashes
//! text written through `collect_str` (instants) without allocating it.
//!
//! Each step is `h = (rotl(h, 23) ^ w) * K` with `K` odd: a bijection of
//! `h` for a fixed word and of the word for a fixed `h`, so two walks of
//! the same length that differ in exactly one word always end in
//! different values (a flipped bit in storage is always caught); a final
//! mix spreads the result over all 64 bits.

use std::fmt;

use serde::Serialize;

/// The multiplier: odd (so multiplying is a bijection), from splitmix64.
const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// Type tags, folded into a word with the length where there is one.
mod tag {
    pub(super) const BOOL: u64 = 1;
    pub(super) const INT: u64 = 2;
    pub(super) const INT128: u64 = 3;
    pub(super) const UINT: u64 = 4;
    pub(super) const UINT128: u64 = 5;
    pub(super) const FLOAT: u64 = 6;
    pub(super) const CHAR: u64 = 7;
    pub(super) const STR: u64 = 8;
    pub(super) const BYTES: u64 = 9;
    pub(super) const NONE: u64 = 10;
    pub(super) const SOME: u64 = 11;
    pub(super) const UNIT: u64 = 12;
    pub(super) const UNIT_STRUCT: u64 = 13;
    pub(super) const UNIT_VARIANT: u64 = 14;
    pub(super) const NEWTYPE_VARIANT: u64 = 15;
    pub(super) const SEQ: u64 = 16;
    pub(super) const TUPLE: u64 = 17;
    pub(super) const TUPLE_VARIANT: u64 = 18;
    pub(super) const MAP: u64 = 19;
    pub(super) const STRUCT: u64 = 20;
    pub(super) const STRUCT_VARIANT: u64 = 21;
    pub(super) const END: u64 = 22;
    pub(super) const SKIPPED: u64 = 23;
    pub(super) const FIELD: u64 = 24;
}

/// The checksum of `value`'s serialized form (see the module docs).
pub(super) fn checksum<T: Serialize + ?Sized>(value: &T) -> u64 {
    hash(value, true)
}

/// The fingerprint of a keyed command (its actor and action), recorded in
/// its `command.accepted` event and compared when the key comes again,
/// perhaps after an upgrade: the same walk as [`checksum`], except that a
/// field left out of the serialized form (`skip_serializing_if`) adds
/// nothing, so a build that adds an optional field to a command keeps the
/// fingerprints of commands without it. Stored fingerprints depend on this
/// walk: a change to it is a change of the event schema (the golden
/// `command.accepted` record pins a value).
pub(crate) fn command_fingerprint<T: Serialize + ?Sized>(value: &T) -> u64 {
    hash(value, false)
}

fn hash<T: Serialize + ?Sized>(value: &T, skipped: bool) -> u64 {
    let mut h = WordHasher::new();
    h.skipped = skipped;
    // The hasher never fails; a value whose `Serialize` fails still gets
    // the checksum of what it wrote before, with the failure's text.
    if let Err(e) = value.serialize(&mut h) {
        h.text(tag::STR, e.0.as_bytes());
    }
    h.finish()
}

/// A serde serializer that only hashes, a word at a time.
struct WordHasher {
    h: u64,
    /// Bytes of text not yet folded (fewer than 8), low byte first.
    pending: u64,
    /// How many bytes `pending` holds.
    pending_len: u32,
    /// How many bytes the text being hashed has had so far.
    text_len: u64,
    /// Whether a field the form leaves out is hashed (by name).
    skipped: bool,
}

impl WordHasher {
    fn new() -> Self {
        WordHasher {
            h: 0xcbf2_9ce4_8422_2325,
            pending: 0,
            pending_len: 0,
            text_len: 0,
            skipped: true,
        }
    }

    #[inline]
    fn word(&mut self, w: u64) {
        self.h = (self.h.rotate_left(23) ^ w).wrapping_mul(K);
    }

    /// A tag and a length (or any value below 2^56) in one word.
    #[inline]
    fn tagged(&mut self, tag: u64, n: u64) {
        self.word(tag | (n << 8));
    }

    /// Adds bytes to the text being hashed.
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.text_len += bytes.len() as u64;
        let mut rest = bytes;
        while self.pending_len > 0 {
            let Some((b, tail)) = rest.split_first() else {
                return;
            };
            self.push_byte(*b);
            rest = tail;
        }
        let mut words = rest.chunks_exact(8);
        for w in &mut words {
            let mut buf = [0u8; 8];
            buf.copy_from_slice(w);
            self.word(u64::from_le_bytes(buf));
        }
        for b in words.remainder() {
            self.push_byte(*b);
        }
    }

    #[inline]
    fn push_byte(&mut self, b: u8) {
        self.pending |= u64::from(b) << (8 * self.pending_len);
        self.pending_len += 1;
        if self.pending_len == 8 {
            let w = self.pending;
            self.pending = 0;
            self.pending_len = 0;
            self.word(w);
        }
    }

    /// Ends the text being hashed: its last bytes, then its tag and length
    /// (so "ab", "c" is not "a", "bc").
    #[inline]
    fn end_text(&mut self, tag: u64) {
        if self.pending_len > 0 {
            let w = self.pending;
            self.pending = 0;
            self.pending_len = 0;
            self.word(w);
        }
        let len = std::mem::take(&mut self.text_len);
        self.tagged(tag, len);
    }

    fn text(&mut self, tag: u64, bytes: &[u8]) {
        self.write(bytes);
        self.end_text(tag);
    }

    fn finish(&self) -> u64 {
        // murmur3's final mix: every bit of the result depends on every
        // bit of the state.
        let mut x = self.h;
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51_afd7_ed55_8ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        x ^ (x >> 33)
    }
}

impl fmt::Write for WordHasher {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write(s.as_bytes());
        Ok(())
    }
    /// An instant's `Display` writes a character at a time.
    fn write_char(&mut self, c: char) -> fmt::Result {
        if let Ok(b) = u8::try_from(c)
            && b.is_ascii()
        {
            self.text_len += 1;
            self.push_byte(b);
            Ok(())
        } else {
            self.write_str(c.encode_utf8(&mut [0; 4]))
        }
    }
}

#[derive(Debug)]
struct HashError(String);

impl fmt::Display for HashError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for HashError {}

impl serde::ser::Error for HashError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        HashError(msg.to_string())
    }
}

type R = Result<(), HashError>;

impl serde::Serializer for &mut WordHasher {
    type Ok = ();
    type Error = HashError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    /// Identifiers as their bytes, not their hyphenated text.
    fn is_human_readable(&self) -> bool {
        false
    }

    fn serialize_bool(self, v: bool) -> R {
        self.tagged(tag::BOOL, u64::from(v));
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> R {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> R {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> R {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> R {
        self.word(tag::INT);
        self.word(v.cast_unsigned());
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> R {
        self.word(tag::INT128);
        let v = v.cast_unsigned();
        self.word(v as u64);
        self.word((v >> 64) as u64);
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> R {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> R {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> R {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> R {
        self.word(tag::UINT);
        self.word(v);
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> R {
        self.word(tag::UINT128);
        self.word(v as u64);
        self.word((v >> 64) as u64);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> R {
        self.word(tag::FLOAT);
        self.word(v.to_bits());
        Ok(())
    }
    fn serialize_char(self, v: char) -> R {
        self.tagged(tag::CHAR, u64::from(u32::from(v)));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> R {
        self.text(tag::STR, v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        self.text(tag::BYTES, v);
        Ok(())
    }
    fn serialize_none(self) -> R {
        self.word(tag::NONE);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R {
        self.word(tag::SOME);
        value.serialize(self)
    }
    fn serialize_unit(self) -> R {
        self.word(tag::UNIT);
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> R {
        self.text(tag::UNIT_STRUCT, name.as_bytes());
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R {
        self.text(tag::UNIT_VARIANT, variant.as_bytes());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> R {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> R {
        self.text(tag::NEWTYPE_VARIANT, variant.as_bytes());
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, HashError> {
        self.tagged(tag::SEQ, len.map_or(u64::MAX >> 8, |n| n as u64));
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, HashError> {
        self.tagged(tag::TUPLE, len as u64);
        Ok(self)
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Self, HashError> {
        self.serialize_tuple(len)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, HashError> {
        self.text(tag::TUPLE_VARIANT, variant.as_bytes());
        self.tagged(tag::TUPLE, len as u64);
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, HashError> {
        self.tagged(tag::MAP, len.map_or(u64::MAX >> 8, |n| n as u64));
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Self, HashError> {
        self.tagged(tag::STRUCT, len as u64);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, HashError> {
        self.text(tag::STRUCT_VARIANT, variant.as_bytes());
        self.tagged(tag::STRUCT, len as u64);
        Ok(self)
    }
    /// Text written piece by piece (an instant's `Display`), hashed as it
    /// comes: the same as the whole text given to `serialize_str`.
    fn collect_str<T: fmt::Display + ?Sized>(self, value: &T) -> R {
        // Writing to the hasher never fails; a `Display` that does still
        // gets a checksum of what it wrote, as `to_string` would panic.
        let _ = fmt::write(self, format_args!("{value}"));
        self.end_text(tag::STR);
        Ok(())
    }
}

macro_rules! compound {
    ($($trait:ident :: $method:ident),*) => {$(
        impl serde::ser::$trait for &mut WordHasher {
            type Ok = ();
            type Error = HashError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
                value.serialize(&mut **self)
            }
            fn end(self) -> R {
                self.word(tag::END);
                Ok(())
            }
        }
    )*};
}

compound!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl serde::ser::SerializeMap for &mut WordHasher {
    type Ok = ();
    type Error = HashError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> R {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.word(tag::END);
        Ok(())
    }
}

impl serde::ser::SerializeStruct for &mut WordHasher {
    type Ok = ();
    type Error = HashError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
        self.text(tag::FIELD, key.as_bytes());
        value.serialize(&mut **self)
    }
    fn skip_field(&mut self, key: &'static str) -> R {
        if self.skipped {
            self.text(tag::SKIPPED, key.as_bytes());
        }
        Ok(())
    }
    fn end(self) -> R {
        self.word(tag::END);
        Ok(())
    }
}

impl serde::ser::SerializeStructVariant for &mut WordHasher {
    type Ok = ();
    type Error = HashError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
        self.text(tag::FIELD, key.as_bytes());
        value.serialize(&mut **self)
    }
    fn skip_field(&mut self, key: &'static str) -> R {
        if self.skipped {
            self.text(tag::SKIPPED, key.as_bytes());
        }
        Ok(())
    }
    fn end(self) -> R {
        self.word(tag::END);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Config {
        name: &'static str,
        limit: u32,
        rates: Vec<f64>,
    }

    #[derive(Serialize)]
    struct Before {
        a: u32,
    }

    #[derive(Serialize)]
    struct After {
        a: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<u32>,
    }

    #[derive(Serialize)]
    struct Renamed {
        a: u32,
    }

    #[test]
    fn a_command_fingerprint_ignores_an_optional_field_left_out() {
        let before = Before { a: 1 };
        let after = After { a: 1, b: None };
        assert_eq!(command_fingerprint(&before), command_fingerprint(&after));
        // The checksum tells the two layouts apart; the fingerprint
        // tells the values apart.
        assert_ne!(checksum(&before), checksum(&after));
        let with_b = After { a: 1, b: Some(1) };
        assert_ne!(command_fingerprint(&before), command_fingerprint(&with_b));
        assert_ne!(
            command_fingerprint(&before),
            command_fingerprint(&Before { a: 2 })
        );
        // A type's name is not part of it: renaming one keeps them.
        assert_eq!(
            command_fingerprint(&before),
            command_fingerprint(&Renamed { a: 1 })
        );
    }

    #[test]
    fn checksums_are_fixed_values_and_tell_values_apart() {
        let a = Config {
            name: "desk",
            limit: 3,
            rates: vec![0.5],
        };
        // A fixed value: the same on every run and machine.
        assert_eq!(checksum(&a), 16_055_552_816_436_061_803);
        let b = Config { limit: 4, ..a };
        assert_ne!(checksum(&b), checksum(&Config { limit: 3, ..b }));
        // Text boundaries count: ("ab", "c") is not ("a", "bc").
        assert_ne!(checksum(&("ab", "c")), checksum(&("a", "bc")));
        assert_ne!(checksum(&Some(0u8)), checksum(&None::<u8>));
        assert_ne!(checksum(&"abcdefgh"), checksum(&"abcdefgh\0"));
        // Text collected from `Display` is text given whole.
        let at = chrono::DateTime::<chrono::Utc>::UNIX_EPOCH;
        assert_eq!(checksum(&at), checksum(&"1970-01-01T00:00:00Z"));
    }

    #[test]
    fn text_is_hashed_the_same_however_it_is_split() {
        let whole = {
            let mut h = WordHasher::new();
            h.text(tag::STR, b"the quick brown fox jumps");
            h.finish()
        };
        for split in 0..25 {
            let mut h = WordHasher::new();
            let (a, b) = b"the quick brown fox jumps".split_at(split);
            h.write(a);
            h.write(b);
            h.end_text(tag::STR);
            assert_eq!(h.finish(), whole, "split at {split}");
        }
    }

    #[test]
    fn any_flipped_bit_of_the_text_changes_the_checksum() {
        let hash = |bytes: &[u8]| {
            let mut h = WordHasher::new();
            h.word(tag::STRUCT);
            h.text(tag::STR, bytes);
            h.word(tag::END);
            h.finish()
        };
        let bytes = "Zoë's ☕, ops278360@customer278360.example".as_bytes();
        let base = hash(bytes);
        for i in 0..bytes.len() * 8 {
            let mut flipped = bytes.to_vec();
            if let Some(b) = flipped.get_mut(i / 8) {
                *b ^= 1 << (i % 8);
            }
            assert_ne!(hash(&flipped), base, "bit {i}");
        }
    }
}
