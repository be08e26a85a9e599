//! Channels: how customers reach support and how support answers.
//!
//! Phone (24x7x365), the portal ticket, email, social networks (public posts
//! and private messages, with handles), video and chat. A [`Channel`] names
//! the medium of one interaction; a [`ChannelAddress`] is where a contact can
//! be reached on it, validated when it is built.
//!
//! # Example
//! ```
//! use fanatical::channel::{Channel, ChannelAddress, ChannelKind, SocialNetwork, Visibility};
//!
//! let handle = ChannelAddress::social(SocialNetwork::X, "@rackerjane")?;
//! assert_eq!(handle.kind(), ChannelKind::Social);
//! let dm = Channel::Social { network: SocialNetwork::X, visibility: Visibility::Private };
//! assert!(handle.reaches(&dm));
//! assert!(ChannelAddress::email("no-at-sign").is_err());
//! # Ok::<(), fanatical::channel::ChannelError>(())
//! ```

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A bad channel address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChannelError {
    /// The email address has no local part, no `@`, or no domain.
    #[error("invalid email address {0:?}")]
    InvalidEmail(String),
    /// The phone number has characters other than digits, spaces, dashes,
    /// dots, parentheses and a leading `+`, or fewer than 3 digits.
    #[error("invalid phone number {0:?}")]
    InvalidPhone(String),
    /// The social handle is empty or contains white space.
    #[error("invalid social handle {0:?}")]
    InvalidHandle(String),
    /// A chat or video address (session link or user name) is empty.
    #[error("empty {0} address")]
    EmptyAddress(ChannelKind),
    /// A phone number that cannot be written in E.164 in the region it is
    /// read in.
    #[error("phone number {number:?} cannot be placed in {region}: {problem}")]
    UnplaceablePhone {
        /// The number as given.
        number: String,
        /// The region it was read in.
        region: PhoneRegion,
        /// What is wrong with it.
        problem: PhoneProblem,
    },
    /// A phone region with a calling code outside 1 to 999, or a trunk
    /// prefix that is not one or two digits.
    #[error("invalid phone region: calling code {calling_code}, trunk prefix {trunk_prefix:?}")]
    InvalidPhoneRegion {
        /// The calling code given.
        calling_code: u16,
        /// The trunk prefix given.
        trunk_prefix: String,
    },
}

/// Why a phone number cannot be written in E.164.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhoneProblem {
    /// Fewer digits than any number in international form (7, country
    /// code included), and too many for a short code (6).
    #[error("too few digits")]
    TooShort,
    /// More than E.164's 15 digits.
    #[error("more than 15 digits")]
    TooLong,
    /// A number of the North American Numbering Plan (+1) that is not ten
    /// digits with an area code and an exchange starting 2 to 9.
    #[error("not a North American number (+1 and ten digits, area code and exchange from 2xx)")]
    NotNanp,
}

/// The region phone numbers are read in when they are written without an
/// international prefix: its country calling code and its national trunk
/// prefix (the `1` Americans and the `0` Britons dial before a national
/// number). Configured on the desk (`DeskConfig::phone_region`); the
/// default is the North American Numbering Plan.
///
/// [`ChannelAddress::phone_in`] reads numbers as people type them:
/// separators (spaces, `-`, `.`, `/`, parentheses) are dropped; `+` or
/// `00` starts an international number (and `011` in North America);
/// anything else is national: its trunk prefix is dropped and the calling
/// code put before it. Numbers of six digits or fewer without a prefix
/// are short codes (`911`, `112`) and stay as dialled. North American
/// numbers are checked against the plan (ten digits, area code and
/// exchange from 2xx); others only against E.164's lengths, as nothing
/// here knows each country's plan.
///
/// # Example
/// ```
/// use fanatical::channel::{ChannelAddress, PhoneRegion};
///
/// let us = PhoneRegion::nanp();
/// for typed in ["(210) 555-0100", "210.555.0100", "+1 210 555 0100", "001 210 555 0100", "1-210-555-0100"] {
///     assert_eq!(ChannelAddress::phone_in(typed, &us)?, ChannelAddress::phone("+12105550100")?);
/// }
/// let uk = PhoneRegion::new(44, "0")?;
/// assert_eq!(ChannelAddress::phone_in("020 7946 0958", &uk)?, ChannelAddress::phone("+442079460958")?);
/// # Ok::<(), fanatical::channel::ChannelError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "PhoneRegionFields")]
#[non_exhaustive]
pub struct PhoneRegion {
    /// The country calling code (1 for North America, 44 for the UK).
    pub calling_code: u16,
    /// The national trunk prefix dropped from national numbers (`1` in
    /// North America, `0` in most of Europe; empty where there is none,
    /// as in Italy, where the leading 0 is part of the number).
    pub trunk_prefix: String,
}

#[derive(Deserialize)]
struct PhoneRegionFields {
    calling_code: u16,
    #[serde(default)]
    trunk_prefix: String,
}

impl TryFrom<PhoneRegionFields> for PhoneRegion {
    type Error = ChannelError;
    fn try_from(f: PhoneRegionFields) -> Result<Self, Self::Error> {
        PhoneRegion::new(f.calling_code, &f.trunk_prefix)
    }
}

impl Default for PhoneRegion {
    fn default() -> Self {
        PhoneRegion::nanp()
    }
}

impl fmt::Display for PhoneRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "+{}", self.calling_code)
    }
}

impl PhoneRegion {
    /// The North American Numbering Plan: calling code 1, trunk prefix 1.
    #[must_use]
    pub fn nanp() -> Self {
        PhoneRegion {
            calling_code: 1,
            trunk_prefix: "1".to_owned(),
        }
    }

    /// A region from its calling code and trunk prefix (`""` for none).
    ///
    /// # Errors
    /// [`ChannelError::InvalidPhoneRegion`] for a calling code outside 1
    /// to 999 or a trunk prefix that is not zero to two digits.
    pub fn new(calling_code: u16, trunk_prefix: &str) -> Result<Self, ChannelError> {
        let prefix_ok = trunk_prefix.len() <= 2 && trunk_prefix.bytes().all(|b| b.is_ascii_digit());
        if !(1..=999).contains(&calling_code) || !prefix_ok {
            return Err(ChannelError::InvalidPhoneRegion {
                calling_code,
                trunk_prefix: trunk_prefix.to_owned(),
            });
        }
        Ok(PhoneRegion {
            calling_code,
            trunk_prefix: trunk_prefix.to_owned(),
        })
    }

    /// `number` in E.164 (`+` and digits), or a short code as dialled.
    fn place(&self, number: &str) -> Result<String, ChannelError> {
        let problem = |problem| ChannelError::UnplaceablePhone {
            number: number.to_owned(),
            region: self.clone(),
            problem,
        };
        let trimmed = number.trim();
        let (plus, body) = match trimmed.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let allowed =
            |c: char| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '/' | '(' | ')');
        if body.is_empty() || !body.chars().all(allowed) {
            return Err(ChannelError::InvalidPhone(number.to_owned()));
        }
        let digits: String = body.chars().filter(char::is_ascii_digit).collect();
        let international = if plus {
            Some(digits.as_str())
        } else if let Some(rest) = digits.strip_prefix("00") {
            Some(rest)
        } else if self.calling_code == 1 {
            digits.strip_prefix("011")
        } else {
            None
        };
        let full = match international {
            Some(d) => d.to_owned(),
            None if digits.len() <= 6 => {
                return if digits.len() >= 3 {
                    Ok(digits)
                } else {
                    Err(problem(PhoneProblem::TooShort))
                };
            }
            None => {
                let national = match digits.strip_prefix(self.trunk_prefix.as_str()) {
                    Some(rest) if !self.trunk_prefix.is_empty() => rest,
                    _ => digits.as_str(),
                };
                format!("{}{national}", self.calling_code)
            }
        };
        if full.len() < 7 {
            return Err(problem(PhoneProblem::TooShort));
        }
        if full.len() > 15 {
            return Err(problem(PhoneProblem::TooLong));
        }
        if let Some(nanp) = full.strip_prefix('1') {
            let b = nanp.as_bytes();
            let plan = |i: usize| b.get(i).is_some_and(|d| (b'2'..=b'9').contains(d));
            if b.len() != 10 || !plan(0) || !plan(3) {
                return Err(problem(PhoneProblem::NotNanp));
            }
        }
        Ok(format!("+{full}"))
    }
}

/// The kind of a channel, without its details.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    /// A phone call.
    Phone,
    /// A ticket written in the customer portal.
    Portal,
    /// Email.
    Email,
    /// A social network, public or private.
    Social,
    /// A video call.
    Video,
    /// Live chat.
    Chat,
}

impl ChannelKind {
    /// Every kind, in a fixed order (for reports).
    pub const ALL: [ChannelKind; 6] = [
        ChannelKind::Phone,
        ChannelKind::Portal,
        ChannelKind::Email,
        ChannelKind::Social,
        ChannelKind::Video,
        ChannelKind::Chat,
    ];

    /// The lowercase name used in messages and on the wire.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Phone => "phone",
            ChannelKind::Portal => "portal",
            ChannelKind::Email => "email",
            ChannelKind::Social => "social",
            ChannelKind::Video => "video",
            ChannelKind::Chat => "chat",
        }
    }
}

impl fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A social network. The set is open: unknown networks round-trip through
/// [`SocialNetwork::Other`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SocialNetwork {
    /// X, formerly Twitter.
    X,
    /// Facebook.
    Facebook,
    /// LinkedIn.
    LinkedIn,
    /// Instagram.
    Instagram,
    /// Mastodon and the fediverse.
    Mastodon,
    /// Any other network, by name.
    Other(String),
}

impl fmt::Display for SocialNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SocialNetwork::X => f.write_str("x"),
            SocialNetwork::Facebook => f.write_str("facebook"),
            SocialNetwork::LinkedIn => f.write_str("linkedin"),
            SocialNetwork::Instagram => f.write_str("instagram"),
            SocialNetwork::Mastodon => f.write_str("mastodon"),
            SocialNetwork::Other(name) => f.write_str(name),
        }
    }
}

/// Whether a social interaction is seen by the world or only by the parties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// A public post or mention: everyone can read it.
    Public,
    /// A direct or private message.
    Private,
}

/// The medium of one interaction.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Channel {
    /// A phone call.
    Phone,
    /// A ticket written in the customer portal.
    Portal,
    /// Email.
    Email,
    /// A post or message on a social network.
    Social {
        /// Which network.
        network: SocialNetwork,
        /// A public post or a private message.
        visibility: Visibility,
    },
    /// A video call.
    Video,
    /// Live chat.
    Chat,
}

impl Channel {
    /// The kind of this channel.
    #[must_use]
    pub const fn kind(&self) -> ChannelKind {
        match self {
            Channel::Phone => ChannelKind::Phone,
            Channel::Portal => ChannelKind::Portal,
            Channel::Email => ChannelKind::Email,
            Channel::Social { .. } => ChannelKind::Social,
            Channel::Video => ChannelKind::Video,
            Channel::Chat => ChannelKind::Chat,
        }
    }

    /// True for a public social post, which the whole world can read.
    #[must_use]
    pub const fn is_public(&self) -> bool {
        matches!(
            self,
            Channel::Social {
                visibility: Visibility::Public,
                ..
            }
        )
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Channel::Social {
                network,
                visibility,
            } => {
                let v = match visibility {
                    Visibility::Public => "public",
                    Visibility::Private => "private",
                };
                write!(f, "social ({network}, {v})")
            }
            other => f.write_str(other.kind().as_str()),
        }
    }
}

/// Where a contact can be reached on a channel. Built through the
/// validating constructors ([`ChannelAddress::email`], ...), and validated
/// again when deserialized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum ChannelAddress {
    /// A phone number, as written by the customer (digits and separators).
    Phone(String),
    /// An email address.
    Email(String),
    /// A handle on a social network.
    Social {
        /// The network.
        network: SocialNetwork,
        /// The handle, for example `@rackerjane`.
        handle: String,
    },
    /// A chat user name.
    Chat(String),
    /// A video address (a meeting link or user name).
    Video(String),
}

impl ChannelAddress {
    /// A validated email address: one `@`, with text on both sides and a
    /// dot-free-or-not domain without white space.
    ///
    /// # Errors
    /// [`ChannelError::InvalidEmail`] naming the address.
    pub fn email(address: impl Into<String>) -> Result<Self, ChannelError> {
        let address = address.into();
        let trimmed = address.trim();
        let ok = match trimmed.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.is_empty()
                    && !domain.contains('@')
                    && !trimmed.chars().any(char::is_whitespace)
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }
            None => false,
        };
        if ok {
            Ok(ChannelAddress::Email(trimmed.to_ascii_lowercase()))
        } else {
            Err(ChannelError::InvalidEmail(address))
        }
    }

    /// A validated phone number: digits with optional separators
    /// (space, `-`, `.`, parentheses) and an optional leading `+`; at least
    /// 3 digits (short codes) and at most 15 (E.164).
    ///
    /// # Errors
    /// [`ChannelError::InvalidPhone`] naming the number.
    pub fn phone(number: impl Into<String>) -> Result<Self, ChannelError> {
        let number = number.into();
        let trimmed = number.trim();
        let body = trimmed.strip_prefix('+').unwrap_or(trimmed);
        let allowed = body
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '.' | '(' | ')'));
        let digits = body.chars().filter(char::is_ascii_digit).count();
        if allowed && (3..=15).contains(&digits) {
            Ok(ChannelAddress::Phone(trimmed.to_owned()))
        } else {
            Err(ChannelError::InvalidPhone(number))
        }
    }

    /// A phone number read in `region` and written in E.164 (`+12105550100`),
    /// so the same number typed any common way is the same address; a
    /// short code stays as dialled. See [`PhoneRegion`] for how it reads.
    ///
    /// # Errors
    /// [`ChannelError::InvalidPhone`] for characters a phone number does
    /// not have; [`ChannelError::UnplaceablePhone`] naming the number, the
    /// region and the problem when it cannot be written in E.164.
    ///
    /// # Example
    /// ```
    /// use fanatical::channel::{ChannelAddress, ChannelError, PhoneProblem, PhoneRegion};
    ///
    /// let us = PhoneRegion::nanp();
    /// assert_eq!(ChannelAddress::phone_in("911", &us)?, ChannelAddress::phone("911")?);
    /// assert_eq!(
    ///     ChannelAddress::phone_in("555-0100", &us),
    ///     Err(ChannelError::UnplaceablePhone {
    ///         number: "555-0100".into(),
    ///         region: us.clone(),
    ///         problem: PhoneProblem::NotNanp,
    ///     })
    /// );
    /// # Ok::<(), ChannelError>(())
    /// ```
    pub fn phone_in(number: &str, region: &PhoneRegion) -> Result<Self, ChannelError> {
        region.place(number).map(ChannelAddress::Phone)
    }

    /// This address as the desk indexes it in `region`: a phone number in
    /// E.164 when it can be written so (numbers stored before numbers were
    /// normalised, as typed, find their contact too); any other address,
    /// or a number that cannot be placed, as it is.
    #[must_use]
    pub fn normalized(&self, region: &PhoneRegion) -> ChannelAddress {
        match self {
            ChannelAddress::Phone(n) if !self.is_erased() => region
                .place(n)
                .map_or_else(|_| self.clone(), ChannelAddress::Phone),
            other => other.clone(),
        }
    }

    /// A validated social handle: non-empty, no white space.
    ///
    /// # Errors
    /// [`ChannelError::InvalidHandle`] naming the handle.
    pub fn social(network: SocialNetwork, handle: impl Into<String>) -> Result<Self, ChannelError> {
        let handle = handle.into();
        let trimmed = handle.trim();
        if trimmed.is_empty() || trimmed == "@" || trimmed.chars().any(char::is_whitespace) {
            return Err(ChannelError::InvalidHandle(handle));
        }
        Ok(ChannelAddress::Social {
            network,
            handle: trimmed.to_owned(),
        })
    }

    /// A chat user name.
    ///
    /// # Errors
    /// [`ChannelError::EmptyAddress`] when it is blank.
    pub fn chat(user: impl Into<String>) -> Result<Self, ChannelError> {
        let user = user.into();
        if user.trim().is_empty() {
            return Err(ChannelError::EmptyAddress(ChannelKind::Chat));
        }
        Ok(ChannelAddress::Chat(user.trim().to_owned()))
    }

    /// A video address (meeting link or user name).
    ///
    /// # Errors
    /// [`ChannelError::EmptyAddress`] when it is blank.
    pub fn video(address: impl Into<String>) -> Result<Self, ChannelError> {
        let address = address.into();
        if address.trim().is_empty() {
            return Err(ChannelError::EmptyAddress(ChannelKind::Video));
        }
        Ok(ChannelAddress::Video(address.trim().to_owned()))
    }

    /// Checks an address that was built directly (for example by
    /// deserializing), returning it normalised.
    ///
    /// # Errors
    /// The same errors as the constructors.
    pub fn validated(self) -> Result<Self, ChannelError> {
        match self {
            ChannelAddress::Phone(n) => Self::phone(n),
            ChannelAddress::Email(e) => Self::email(e),
            ChannelAddress::Social { network, handle } => Self::social(network, handle),
            ChannelAddress::Chat(c) => Self::chat(c),
            ChannelAddress::Video(v) => Self::video(v),
        }
    }

    /// The channel kind this address belongs to.
    #[must_use]
    pub const fn kind(&self) -> ChannelKind {
        match self {
            ChannelAddress::Phone(_) => ChannelKind::Phone,
            ChannelAddress::Email(_) => ChannelKind::Email,
            ChannelAddress::Social { .. } => ChannelKind::Social,
            ChannelAddress::Chat(_) => ChannelKind::Chat,
            ChannelAddress::Video(_) => ChannelKind::Video,
        }
    }

    /// The placeholder an erased address becomes: the same kind (and
    /// social network), nobody's address. Valid, so an erased record
    /// still reads back.
    #[must_use]
    pub fn erased(&self) -> ChannelAddress {
        use crate::text::ERASED;
        match self {
            ChannelAddress::Phone(_) => ChannelAddress::Phone("000".to_owned()),
            ChannelAddress::Email(_) => ChannelAddress::Email("erased@erased.invalid".to_owned()),
            ChannelAddress::Social { network, .. } => ChannelAddress::Social {
                network: network.clone(),
                handle: ERASED.to_owned(),
            },
            ChannelAddress::Chat(_) => ChannelAddress::Chat(ERASED.to_owned()),
            ChannelAddress::Video(_) => ChannelAddress::Video(ERASED.to_owned()),
        }
    }

    /// Whether this is the placeholder of an erased address.
    #[must_use]
    pub fn is_erased(&self) -> bool {
        *self == self.erased()
    }

    /// Whether a message on `channel` can be delivered to this address (a
    /// social handle reaches only its own network).
    #[must_use]
    pub fn reaches(&self, channel: &Channel) -> bool {
        match (self, channel) {
            (ChannelAddress::Social { network, .. }, Channel::Social { network: n, .. }) => {
                network == n
            }
            _ => self.kind() == channel.kind(),
        }
    }
}

impl fmt::Display for ChannelAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChannelAddress::Phone(v)
            | ChannelAddress::Email(v)
            | ChannelAddress::Chat(v)
            | ChannelAddress::Video(v) => write!(f, "{}:{v}", self.kind()),
            ChannelAddress::Social { network, handle } => write!(f, "{network}:{handle}"),
        }
    }
}

impl<'de> Deserialize<'de> for ChannelAddress {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(tag = "kind", content = "value", rename_all = "snake_case")]
        enum Raw {
            Phone(String),
            Email(String),
            Social {
                network: SocialNetwork,
                handle: String,
            },
            Chat(String),
            Video(String),
        }
        let raw = Raw::deserialize(deserializer)?;
        let address = match raw {
            Raw::Phone(v) => ChannelAddress::Phone(v),
            Raw::Email(v) => ChannelAddress::Email(v),
            Raw::Social { network, handle } => ChannelAddress::Social { network, handle },
            Raw::Chat(v) => ChannelAddress::Chat(v),
            Raw::Video(v) => ChannelAddress::Video(v),
        };
        address.validated().map_err(serde::de::Error::custom)
    }
}

/// Something that happened to a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: ChannelEventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChannelEventKind {
    /// The channel went down; contacts are offered the fallbacks.
    Down {
        /// Which.
        channel: ChannelKind,
        /// Why.
        reason: String,
        /// What is offered instead, in order.
        fallbacks: Vec<ChannelKind>,
    },
    /// The channel is back.
    Up {
        /// Which.
        channel: ChannelKind,
    },
}

/// An outage, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outage {
    /// Which channel.
    pub channel: ChannelKind,
    /// Why.
    pub reason: String,
    /// What was offered instead.
    pub fallbacks: Vec<ChannelKind>,
    /// From when.
    pub from: DateTime<Utc>,
    /// Until when (`None` while down).
    pub until: Option<DateTime<Utc>>,
}

/// What the channel area can be asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ChannelAction {
    /// A channel went down (the phone system did): contacts are offered its
    /// fallbacks, and replies meant for it go out on them.
    MarkDown {
        /// Which.
        channel: ChannelKind,
        /// Why.
        reason: String,
    },
    /// A channel is back.
    MarkUp {
        /// Which.
        channel: ChannelKind,
    },
}

/// The channel-status aggregate: every outage, oldest first. A pure fold
/// of [`ChannelEvent`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChannelStatus {
    outages: Vec<Outage>,
}

impl ChannelStatus {
    /// Whether a channel is down.
    #[must_use]
    pub fn is_down(&self, channel: ChannelKind) -> bool {
        self.outages
            .iter()
            .any(|o| o.channel == channel && o.until.is_none())
    }

    /// Every outage, oldest first.
    #[must_use]
    pub fn outages(&self) -> &[Outage] {
        &self.outages
    }

    /// Decides an outage or a recovery: a channel goes down offering its
    /// `fallbacks`, or comes back. Marking a channel as it already is
    /// changes nothing.
    ///
    /// # Errors
    /// [`crate::error::BlankText`] for an outage without a reason.
    pub fn handle(
        &self,
        action: ChannelAction,
        fallbacks: &std::collections::BTreeMap<ChannelKind, Vec<ChannelKind>>,
        now: DateTime<Utc>,
    ) -> Result<Vec<ChannelEvent>, crate::text::BlankText> {
        let kind = match action {
            ChannelAction::MarkDown { channel, reason } => {
                let reason = crate::text::BlankText::check(&reason, "an outage reason")?;
                if self.is_down(channel) {
                    return Ok(Vec::new());
                }
                ChannelEventKind::Down {
                    channel,
                    reason,
                    fallbacks: fallbacks.get(&channel).cloned().unwrap_or_default(),
                }
            }
            ChannelAction::MarkUp { channel } if self.is_down(channel) => {
                ChannelEventKind::Up { channel }
            }
            ChannelAction::MarkUp { .. } => return Ok(Vec::new()),
        };
        Ok(vec![ChannelEvent { at: now, kind }])
    }

    /// Folds one channel event.
    pub fn apply(&mut self, e: &ChannelEvent) {
        match &e.kind {
            ChannelEventKind::Down {
                channel,
                reason,
                fallbacks,
            } => self.outages.push(Outage {
                channel: *channel,
                reason: reason.clone(),
                fallbacks: fallbacks.clone(),
                from: e.at,
                until: None,
            }),
            ChannelEventKind::Up { channel } => {
                if let Some(o) = self
                    .outages
                    .iter_mut()
                    .rev()
                    .find(|o| o.channel == *channel && o.until.is_none())
                {
                    o.until = Some(e.at);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_validation() {
        assert_eq!(
            ChannelAddress::email(" Jane@Example.com ").unwrap(),
            ChannelAddress::Email("jane@example.com".into())
        );
        for bad in [
            "",
            "jane",
            "@example.com",
            "jane@",
            "ja ne@x.com",
            "a@b@c",
            "a@.com",
        ] {
            assert_eq!(
                ChannelAddress::email(bad),
                Err(ChannelError::InvalidEmail(bad.into())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn phone_validation() {
        assert!(ChannelAddress::phone("+1 (210) 312-4000").is_ok());
        assert!(ChannelAddress::phone("911").is_ok());
        for bad in ["", "12", "call me", "+1 210 ext 5", "1234567890123456"] {
            assert_eq!(
                ChannelAddress::phone(bad),
                Err(ChannelError::InvalidPhone(bad.into()))
            );
        }
    }

    #[test]
    fn social_handles_reach_only_their_network() {
        let h = ChannelAddress::social(SocialNetwork::X, "@rob").unwrap();
        assert!(h.reaches(&Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public
        }));
        assert!(!h.reaches(&Channel::Social {
            network: SocialNetwork::Facebook,
            visibility: Visibility::Public
        }));
        assert!(!h.reaches(&Channel::Email));
        assert!(ChannelAddress::social(SocialNetwork::X, "two words").is_err());
        assert!(ChannelAddress::social(SocialNetwork::X, "@").is_err());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let addrs = [
            ChannelAddress::phone("+44 20 7946 0958").unwrap(),
            ChannelAddress::email("a@b.co").unwrap(),
            ChannelAddress::social(SocialNetwork::Other("bluesky".into()), "@x.bsky").unwrap(),
            ChannelAddress::chat("jane").unwrap(),
            ChannelAddress::video("https://meet.example/abc").unwrap(),
        ];
        for a in addrs {
            let json = serde_json::to_string(&a).unwrap();
            let back: ChannelAddress = serde_json::from_str(&json).unwrap();
            assert_eq!(back, a);
        }
        let bad = r#"{"kind":"email","value":"nope"}"#;
        let err = serde_json::from_str::<ChannelAddress>(bad).unwrap_err();
        assert!(err.to_string().contains("invalid email address \"nope\""));
    }

    #[test]
    fn channel_serde_is_readable() {
        let c = Channel::Social {
            network: SocialNetwork::X,
            visibility: Visibility::Public,
        };
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            r#"{"kind":"social","network":"x","visibility":"public"}"#
        );
        assert_eq!(
            serde_json::to_string(&Channel::Phone).unwrap(),
            r#"{"kind":"phone"}"#
        );
        assert!(c.is_public());
        assert_eq!(c.to_string(), "social (x, public)");
    }
}
