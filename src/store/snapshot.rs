//! Snapshots: a fold of the record up to a global position, kept by the
//! store so a restart loads it and catches up the rest instead of
//! replaying everything.
//!
//! The port is generic over what is folded: a [`Snapshot`] carries its
//! metadata (format, event schema, a fingerprint of the configuration it
//! was folded under, the position it covers) and a state `S` the store
//! treats as opaque. The desk's snapshots are
//! `Snapshot<fanatical::desk::DeskState>`; a store keeps them in its own
//! encoding (`fanatical-sqlite` writes MessagePack), and [`MemoryStore`] keeps
//! the value itself.
//!
//! # Contract
//! - `load_snapshot` returns the snapshot with the highest position saved
//!   (the latest saved when two cover the same position), or `None`.
//! - A snapshot is a copy of the record's personal data, so erasure reaches
//!   it: `append_erasing` drops every snapshot the store holds, in the same
//!   transaction, and a snapshot saved afterwards that covers a position
//!   before that erasure is refused with [`StoreError::StaleSnapshot`]
//!   (it was folded before the erasure and still holds what it erased).
//! - A stored snapshot that cannot be read back (corrupt bytes, a state
//!   this build cannot decode) is [`StoreError::Corrupt`], never a panic;
//!   the desk then rebuilds from the events and says so.
//!
//! [`MemoryStore`]: super::MemoryStore

use std::fmt;

use serde::{Deserialize, Serialize};

use super::StoreError;

/// The snapshot layout this build writes. A snapshot with a higher number
/// was written by a newer build and is refused. 3: the checksum is
/// [`Fingerprint::checksum_of`] the state (a format 2 snapshot, the same
/// state with a [`Fingerprint::of`] checksum, still restores and is
/// checked that way); 2: the unsolved queue's log compacts archived days,
/// and the configuration has an archive window (a format 1 snapshot does
/// not read, and the desk is rebuilt instead).
pub const SNAPSHOT_FORMAT: u32 = 3;

/// A fold of the record up to `position`, with what is needed to tell
/// whether it may be restored here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Snapshot<S> {
    /// The snapshot layout ([`SNAPSHOT_FORMAT`] for snapshots this build
    /// writes).
    pub format: u32,
    /// The event schema of the build that folded it
    /// ([`crate::event::SCHEMA_VERSION`]).
    pub schema: u32,
    /// The configuration it was folded under.
    pub config: Fingerprint,
    /// The global position of the last event it covers (0: none).
    pub position: u64,
    /// The checksum of `state`'s serialized form, so a state changed in
    /// storage (a flipped bit that still parses) is caught on restore:
    /// [`Fingerprint::checksum_of`] from format 3, [`Fingerprint::of`]
    /// before.
    pub checksum: Fingerprint,
    /// The folded state.
    pub state: S,
}

impl<S: Serialize> Snapshot<S> {
    /// A snapshot in this build's format and schema, with the checksum of
    /// `state`.
    #[must_use]
    pub fn new(config: Fingerprint, position: u64, state: S) -> Self {
        Snapshot {
            format: SNAPSHOT_FORMAT,
            schema: crate::event::SCHEMA_VERSION,
            config,
            position,
            checksum: Fingerprint::checksum_of(&state),
            state,
        }
    }

    /// Whether the state still matches the checksum it was saved with,
    /// computed again from the state as its format computes it
    /// ([`Fingerprint::checksum_of`] from format 3, [`Fingerprint::of`]
    /// for older snapshots).
    ///
    /// ```
    /// use fanatical::store::{Fingerprint, Snapshot};
    ///
    /// let mut snapshot = Snapshot::new(Fingerprint(7), 12, vec!["kept".to_owned()]);
    /// assert!(snapshot.is_intact());
    /// snapshot.state[0] = "kepT".to_owned(); // changed in storage
    /// assert!(!snapshot.is_intact());
    /// ```
    #[must_use]
    pub fn is_intact(&self) -> bool {
        let actual = if self.format >= 3 {
            Fingerprint::checksum_of(&self.state)
        } else {
            Fingerprint::of(&self.state)
        };
        actual == self.checksum
    }
}

/// A stable fingerprint of a value's serialized form: the same on every
/// run and machine (it hashes what serde writes, in order, with FNV-1a;
/// never a `Hash` or pointer value), and different when any field is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Fingerprint(pub u64);

impl fmt::Display for Fingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

impl Fingerprint {
    /// The fingerprint of `value`'s serialized form.
    ///
    /// ```
    /// use fanatical::desk::DeskConfig;
    /// use fanatical::store::Fingerprint;
    ///
    /// let a = Fingerprint::of(&DeskConfig::default());
    /// assert_eq!(a, Fingerprint::of(&DeskConfig::default()));
    /// let mut other = DeskConfig::default();
    /// other.delivery_lease = chrono::Duration::minutes(9);
    /// assert_ne!(a, Fingerprint::of(&other));
    /// ```
    #[must_use]
    pub fn of<T: Serialize + ?Sized>(value: &T) -> Self {
        let mut h = FnvSerializer(0xcbf2_9ce4_8422_2325);
        // The hasher itself never fails; a value whose `Serialize` fails
        // (a map with a key that refuses) still gets the fingerprint of
        // what it wrote before, with the failure's text folded in.
        if let Err(e) = value.serialize(&mut h) {
            h.bytes(e.0.as_bytes());
        }
        Fingerprint(h.0)
    }

    /// The checksum a snapshot keeps of its state (from format 3): like
    /// [`Fingerprint::of`] a fixed value of `value`'s serialized form, the
    /// same on every run and machine, but hashed 64 bits at a time with
    /// identifiers in their compact form, several times faster over a
    /// desk's state. Any single changed word of that form changes it.
    ///
    /// ```
    /// use fanatical::store::Fingerprint;
    ///
    /// let a = Fingerprint::checksum_of(&("Acme", 3u32));
    /// assert_eq!(a, Fingerprint::checksum_of(&("Acme", 3u32)));
    /// assert_ne!(a, Fingerprint::checksum_of(&("Acme", 4u32)));
    /// assert_ne!(a, Fingerprint::of(&("Acme", 3u32)));
    /// ```
    #[must_use]
    pub fn checksum_of<T: Serialize + ?Sized>(value: &T) -> Self {
        Fingerprint(super::checksum::checksum(value))
    }
}

/// Keeps snapshots next to the events. See the module docs for the
/// contract; [`crate::store::conformance::run_snapshots`] checks it.
///
/// A separate trait, so a [`super::Store`] written before snapshots
/// existed still compiles and works (its desks rebuild on restart).
pub trait SnapshotStore<S> {
    /// Keeps `snapshot`, replacing older ones (a store may keep several;
    /// only the latest is read).
    ///
    /// # Errors
    /// [`StoreError::StaleSnapshot`] for a snapshot taken before the last
    /// erasure; backend errors (nothing is kept).
    fn save_snapshot(&mut self, snapshot: &Snapshot<S>) -> Result<(), StoreError>;

    /// The snapshot with the highest position, if any.
    ///
    /// # Errors
    /// [`StoreError::Corrupt`] for a stored snapshot that cannot be read
    /// back; backend errors.
    fn load_snapshot(&self) -> Result<Option<Snapshot<S>>, StoreError>;
}

impl<S, T: SnapshotStore<S> + ?Sized> SnapshotStore<S> for &mut T {
    fn save_snapshot(&mut self, snapshot: &Snapshot<S>) -> Result<(), StoreError> {
        (**self).save_snapshot(snapshot)
    }
    fn load_snapshot(&self) -> Result<Option<Snapshot<S>>, StoreError> {
        (**self).load_snapshot()
    }
}

/// A serde serializer that only hashes (FNV-1a over a tagged byte form).
struct FnvSerializer(u64);

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

impl FnvSerializer {
    fn bytes(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn tag(&mut self, tag: u8) {
        self.bytes(&[tag]);
    }
    fn len(&mut self, len: usize) {
        self.bytes(&(len as u64).to_le_bytes());
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.bytes(s.as_bytes());
    }
}

type R = Result<(), HashError>;

impl serde::Serializer for &mut FnvSerializer {
    type Ok = ();
    type Error = HashError;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> R {
        self.bytes(&[1, u8::from(v)]);
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
        self.tag(2);
        self.bytes(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> R {
        self.tag(3);
        self.bytes(&v.to_le_bytes());
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
        self.tag(4);
        self.bytes(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> R {
        self.tag(5);
        self.bytes(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> R {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> R {
        self.tag(6);
        self.bytes(&v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> R {
        self.tag(7);
        self.bytes(&u32::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> R {
        self.tag(8);
        self.str(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> R {
        self.tag(9);
        self.len(v.len());
        self.bytes(v);
        Ok(())
    }
    fn serialize_none(self) -> R {
        self.tag(10);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> R {
        self.tag(11);
        value.serialize(self)
    }
    fn serialize_unit(self) -> R {
        self.tag(12);
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> R {
        self.tag(13);
        self.str(name);
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> R {
        self.tag(14);
        self.str(variant);
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
        self.tag(15);
        self.str(variant);
        value.serialize(self)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self, HashError> {
        self.tag(16);
        self.len(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self, HashError> {
        self.tag(17);
        self.len(len);
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
        self.tag(18);
        self.str(variant);
        self.len(len);
        Ok(self)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self, HashError> {
        self.tag(19);
        self.len(len.unwrap_or(usize::MAX));
        Ok(self)
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Self, HashError> {
        self.tag(20);
        self.len(len);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self, HashError> {
        self.tag(21);
        self.str(variant);
        self.len(len);
        Ok(self)
    }
}

macro_rules! compound {
    ($($trait:ident :: $method:ident),*) => {$(
        impl serde::ser::$trait for &mut FnvSerializer {
            type Ok = ();
            type Error = HashError;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
                value.serialize(&mut **self)
            }
            fn end(self) -> R {
                self.tag(22);
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

impl serde::ser::SerializeMap for &mut FnvSerializer {
    type Ok = ();
    type Error = HashError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> R {
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> R {
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.tag(22);
        Ok(())
    }
}

impl serde::ser::SerializeStruct for &mut FnvSerializer {
    type Ok = ();
    type Error = HashError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
        self.str(key);
        value.serialize(&mut **self)
    }
    fn skip_field(&mut self, key: &'static str) -> R {
        self.tag(23);
        self.str(key);
        Ok(())
    }
    fn end(self) -> R {
        self.tag(22);
        Ok(())
    }
}

impl serde::ser::SerializeStructVariant for &mut FnvSerializer {
    type Ok = ();
    type Error = HashError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> R {
        self.str(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> R {
        self.tag(22);
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

    #[test]
    fn fingerprints_are_fixed_values_not_per_run_hashes() {
        let a = Config {
            name: "desk",
            limit: 3,
            rates: vec![0.5],
        };
        // A fixed value: the same on every run and machine.
        assert_eq!(Fingerprint::of(&a), Fingerprint(2_849_409_431_482_273_273));
        assert_eq!(Fingerprint::of(&a).to_string().len(), 16);
        let b = Config { limit: 4, ..a };
        assert_ne!(
            Fingerprint::of(&b),
            Fingerprint::of(&Config { limit: 3, ..b })
        );
        // Field boundaries count: ("ab", "c") is not ("a", "bc").
        assert_ne!(Fingerprint::of(&("ab", "c")), Fingerprint::of(&("a", "bc")));
        assert_ne!(Fingerprint::of(&Some(0u8)), Fingerprint::of(&None::<u8>));
    }
}
