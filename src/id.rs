//! Typed identifiers and a caller-seeded id generator.
//!
//! Every entity has its own id type, a newtype over [`Uuid`], so a
//! [`TicketId`] can never be passed where a [`CustomerId`] is expected. The
//! crate never asks the operating system for randomness: ids come from the
//! caller (parse them, or wrap a [`Uuid`] you already have) or from an
//! [`IdGenerator`] seeded by the caller, which produces the same sequence
//! for the same seed on every machine.
//!
//! # Example
//! ```
//! use fanatical::id::{IdGenerator, TicketId};
//!
//! let mut ids = IdGenerator::from_seed(7);
//! let a: TicketId = ids.next_id();
//! let b: TicketId = ids.next_id();
//! assert_ne!(a, b);
//! // Same seed, same ids: simulations and tests replay exactly.
//! let mut again = IdGenerator::from_seed(7);
//! assert_eq!(again.next_id::<TicketId>(), a);
//! // Ids print and parse as plain UUIDs.
//! assert_eq!(a.to_string().parse::<TicketId>()?, a);
//! # Ok::<(), fanatical::id::IdError>(())
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// An id string that is not what its kind expects: a UUID for entity ids,
/// one word for a [`ComponentId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {kind} id {value:?}: expected {expected}")]
pub struct IdError {
    /// Which id type was being parsed (for example `ticket`).
    pub kind: &'static str,
    /// The text that failed to parse.
    pub value: String,
    /// What the kind expects (for example `a UUID`).
    pub expected: &'static str,
}

impl IdError {
    /// What every UUID-based id expects.
    pub(crate) const UUID: &'static str = "a UUID";

    /// `value` is not a UUID, for an id of `kind`.
    pub(crate) fn not_a_uuid(kind: &'static str, value: &str) -> Self {
        IdError {
            kind,
            value: value.to_owned(),
            expected: Self::UUID,
        }
    }
}

/// Implemented by every typed id, so generic code (such as
/// [`IdGenerator::next_id`]) can build any of them from a [`Uuid`].
pub trait TypedId: Copy + Eq + Ord + fmt::Display {
    /// The id type's name in messages, for example `ticket`.
    const KIND: &'static str;
    /// Wraps a UUID.
    fn from_uuid(uuid: Uuid) -> Self;
    /// The UUID inside.
    fn as_uuid(&self) -> Uuid;
}

macro_rules! typed_id {
    ($(#[$meta:meta])* $name:ident, $kind:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        /// Ordered as the UUID's bytes are, compared as one big-endian
        /// 128-bit number (the same order, without a byte-by-byte
        /// comparison: every index of the desk is a B-tree of ids).
        impl Ord for $name {
            fn cmp(&self, other: &Self) -> std::cmp::Ordering {
                self.0.as_u128().cmp(&other.0.as_u128())
            }
        }

        impl PartialOrd for $name {
            fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl $name {
            /// Wraps a UUID the caller already has.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The UUID inside.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl TypedId for $name {
            const KIND: &'static str = $kind;
            fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }
            fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl From<Uuid> for $name {
            fn from(uuid: Uuid) -> Self {
                Self(uuid)
            }
        }

        impl From<$name> for Uuid {
            fn from(id: $name) -> Self {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0.hyphenated(), f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0.hyphenated())
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s)
                    .map(Self)
                    .map_err(|_| IdError::not_a_uuid($kind, s))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = IdError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                s.parse()
            }
        }
    };
}

typed_id!(
    /// A customer account (an organisation, or a person buying for themselves).
    CustomerId,
    "customer"
);
typed_id!(
    /// A person at a customer who can contact support.
    ContactId,
    "contact"
);
typed_id!(
    /// A support employee ("Racker"): agent, lead, manager, executive.
    AgentId,
    "agent"
);
typed_id!(
    /// A team of agents.
    TeamId,
    "team"
);
typed_id!(
    /// A ticket.
    TicketId,
    "ticket"
);
typed_id!(
    /// A post from an official account.
    PostId,
    "post"
);
typed_id!(
    /// A piece of praise.
    PraiseId,
    "praise"
);
typed_id!(
    /// A major incident.
    IncidentId,
    "incident"
);
typed_id!(
    /// A goodwill credit or refund on a ticket.
    RefundId,
    "refund"
);
typed_id!(
    /// A survey invitation.
    InvitationId,
    "invitation"
);
typed_id!(
    /// One stored event.
    EventId,
    "event"
);
typed_id!(
    /// One outbound message; its idempotency key.
    MessageId,
    "message"
);

impl EventId {
    /// The id of the event at `version` of the stream whose key is `stream`:
    /// derived, so a desk rebuilt from its store names every event the same.
    #[must_use]
    pub fn derive(stream: Uuid, discriminator: u64, version: u64) -> Self {
        Self(derive_uuid(stream, discriminator, version))
    }
}

typed_id!(
    /// The stream that records one idempotency key's command: derived from
    /// the key, so every desk sharing a store names it the same.
    CommandId,
    "command"
);

impl CommandId {
    /// The id of the stream recording the command with this idempotency
    /// key (a 128-bit FNV-1a hash of the key text).
    #[must_use]
    pub fn for_key(key: &str) -> Self {
        const OFFSET: u128 = 0x6c62_272e_07bb_0142_62b8_2175_6295_c58d;
        const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
        let h = key
            .bytes()
            .fold(OFFSET, |h, b| (h ^ u128::from(b)).wrapping_mul(PRIME));
        Self(Uuid::new_v8(h.to_be_bytes()))
    }
}

impl IncidentId {
    /// The id of the call-out task an incident opens for a contact that
    /// only a person can phone: derived, so a rebuilt desk and a retried
    /// command agree, and one contact has one task per incident.
    #[must_use]
    pub fn call_out_ticket(&self, contact: ContactId) -> TicketId {
        let (hi, lo) = contact.0.as_u64_pair();
        TicketId(derive_uuid(self.0, 0x6361_6c6c_0000 ^ hi, lo))
    }
}

impl InvitationId {
    /// The id of the follow-up ticket a low score on this invitation opens:
    /// derived, so a rebuilt desk and a retried command agree.
    #[must_use]
    pub fn follow_up_ticket(&self) -> TicketId {
        TicketId(derive_uuid(self.0, 0x666f_6c6c_6f77, 0))
    }
}

impl CustomerId {
    /// The id of the video-onboarding task the onboarding policy opens for
    /// this customer (at most one: derived, so a rebuilt desk and a
    /// retried command agree).
    #[must_use]
    pub fn onboarding_ticket(&self) -> TicketId {
        TicketId(derive_uuid(self.0, 0x6f6e_626f_6172, 0))
    }
}

impl PraiseId {
    /// The id of the crisis ticket this "praise" opens when its words say
    /// a person may be at risk: derived, so a rebuilt desk and a retried
    /// command agree.
    #[must_use]
    pub fn crisis_ticket(&self) -> TicketId {
        TicketId(derive_uuid(self.0, 0x6372_6973_6973, 0))
    }
}

impl MessageId {
    /// The id of the outbound message queued by the event `event`, at
    /// position `index` among that event's messages. Deterministic, so a
    /// redelivery after a crash carries the same idempotency key.
    #[must_use]
    pub fn derive(event: EventId, index: u64) -> Self {
        Self(derive_uuid(event.as_uuid(), 0x6d73_6700, index))
    }
}

/// A component (a service, a datacenter, a power system) customers run
/// on: one word, case kept (`dfw1`, `dfw1/cloud-servers`). Incidents are
/// declared against components and customers say which ones they run on,
/// so the id lives here, below both.
///
/// ```
/// use fanatical::id::ComponentId;
/// assert_eq!(ComponentId::new(" dfw1/servers ")?.as_str(), "dfw1/servers");
/// let err = ComponentId::new("two words").unwrap_err();
/// assert_eq!(err.to_string(), r#"invalid component id "two words": expected one word of 1 to 100 characters"#);
/// # Ok::<(), fanatical::id::IdError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ComponentId(String);

impl ComponentId {
    /// A component id: the text trimmed.
    ///
    /// # Errors
    /// [`IdError`] (kind `component`) for blank text, white space inside,
    /// or more than 100 characters.
    pub fn new(id: &str) -> Result<Self, IdError> {
        crate::text::one_word(id)
            .map(ComponentId)
            .ok_or_else(|| IdError {
                kind: "component",
                value: id.to_owned(),
                expected: "one word of 1 to 100 characters",
            })
    }
    /// The id text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(ComponentId, IdError);

/// A deterministic, well-mixed UUID (version 8, "custom") from a seed UUID
/// and two numbers.
fn derive_uuid(seed: Uuid, a: u64, b: u64) -> Uuid {
    let (hi, lo) = seed.as_u64_pair();
    let mut state = hi ^ lo.rotate_left(17) ^ a.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ b;
    let x = splitmix64(&mut state);
    let y = splitmix64(&mut state) ^ lo;
    let z = splitmix64(&mut state) ^ hi;
    let mut bytes = [0u8; 16];
    let (left, right) = bytes.split_at_mut(8);
    left.copy_from_slice(&(x ^ z.rotate_left(29)).to_be_bytes());
    right.copy_from_slice(&y.to_be_bytes());
    Uuid::new_v8(bytes)
}

/// SplitMix64: a tiny, fast, well-distributed generator (Steele, Lea and
/// Flood, 2014). Used for ids and for the crate's seeded sampling.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Produces ids deterministically from a caller-chosen seed.
///
/// The ids are random-looking version 4 UUIDs; the same seed gives the same
/// sequence on every platform. Use one generator per process, seeded from
/// wherever your service gets entropy, or a fixed seed in tests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdGenerator {
    state: u64,
}

impl IdGenerator {
    /// A generator whose sequence is fixed by `seed`.
    #[must_use]
    pub const fn from_seed(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next UUID of the sequence.
    pub fn next_uuid(&mut self) -> Uuid {
        let hi = splitmix64(&mut self.state);
        let lo = splitmix64(&mut self.state);
        let mut bytes = [0u8; 16];
        let (left, right) = bytes.split_at_mut(8);
        left.copy_from_slice(&hi.to_be_bytes());
        right.copy_from_slice(&lo.to_be_bytes());
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    /// The next raw 64-bit number of the sequence (for seeded sampling and
    /// simulations that want to share the caller's seed).
    pub fn next_u64(&mut self) -> u64 {
        splitmix64(&mut self.state)
    }

    /// The next id of any typed id kind.
    pub fn next_id<T: TypedId>(&mut self) -> T {
        T::from_uuid(self.next_uuid())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Ids order as their UUIDs do (byte by byte), however they compare.
        #[test]
        fn ids_order_as_their_uuids(a: u128, b: u128, prefix in 0u32..4) {
            // Equal leading bytes three times in four: the comparison must
            // look past them.
            let b = if prefix == 0 { b } else { (a & (u128::MAX << 64)) | (b >> 64) };
            let (x, y) = (Uuid::from_u128(a), Uuid::from_u128(b));
            let (t, u) = (TicketId::from_uuid(x), TicketId::from_uuid(y));
            proptest::prop_assert_eq!(t.cmp(&u), x.cmp(&y));
            proptest::prop_assert_eq!(t.partial_cmp(&u), x.partial_cmp(&y));
            proptest::prop_assert_eq!(t == u, x == y);
        }
    }

    #[test]
    fn same_seed_same_sequence_different_seed_different_sequence() {
        let mut a = IdGenerator::from_seed(1);
        let mut b = IdGenerator::from_seed(1);
        let mut c = IdGenerator::from_seed(2);
        let xs: Vec<Uuid> = (0..100).map(|_| a.next_uuid()).collect();
        let ys: Vec<Uuid> = (0..100).map(|_| b.next_uuid()).collect();
        let zs: Vec<Uuid> = (0..100).map(|_| c.next_uuid()).collect();
        assert_eq!(xs, ys);
        assert_ne!(xs, zs);
        let unique: std::collections::BTreeSet<_> = xs.iter().collect();
        assert_eq!(unique.len(), 100);
        assert!(xs.iter().all(|u| u.get_version_num() == 4));
    }

    #[test]
    fn parse_rejects_garbage_and_names_the_kind() {
        let err = "not-a-uuid".parse::<TicketId>().unwrap_err();
        assert_eq!(err.kind, "ticket");
        assert_eq!(
            err.to_string(),
            "invalid ticket id \"not-a-uuid\": expected a UUID"
        );
    }

    #[test]
    fn serde_is_a_plain_uuid_string() {
        let id = CustomerId::from_uuid(Uuid::from_u128(0x1234));
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(
            json,
            "\"00000000-0000-0000-0000-000000000000\"".replace("0000\"", "1234\"")
        );
        let back: CustomerId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert!(serde_json::from_str::<CustomerId>("\"nope\"").is_err());
    }

    #[test]
    fn derived_event_ids_are_distinct_per_version_and_stream() {
        let s1 = Uuid::from_u128(1);
        let s2 = Uuid::from_u128(2);
        let mut seen = std::collections::BTreeSet::new();
        for v in 0..1000 {
            assert!(seen.insert(EventId::derive(s1, 1, v)));
            assert!(seen.insert(EventId::derive(s2, 1, v)));
            assert!(seen.insert(EventId::derive(s1, 2, v)));
        }
        assert_eq!(EventId::derive(s1, 1, 5), EventId::derive(s1, 1, 5));
    }
}
