//! Who the desk is on email: its brands' mailboxes, the domain of its
//! `Message-ID`s, and the limits on inbound mail.

use fanatical::channel::ChannelAddress;
use serde::{Deserialize, Serialize};

use crate::thread::base_mailbox;

/// A configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Not an email address (`local@domain`).
    #[error("{what} is not an email address: {value:?}")]
    NotAnAddress {
        /// Which setting.
        what: &'static str,
        /// The value given.
        value: String,
    },
    /// Not a domain name for `Message-ID`s.
    #[error("not a domain for Message-IDs: {0:?}")]
    BadDomain(String),
    /// A brand's display name that is blank or spans lines.
    #[error("a brand's name must be one non-blank line: {0:?}")]
    BadBrandName(String),
}

/// A brand (or account) the desk answers for: its name and mailbox. Mail
/// to the mailbox (with or without a plus tag) is the brand's; replies on
/// its tickets go out `From` it, with `Reply-To` its mailbox plus the
/// ticket's tag. Mail `From` the mailbox is the desk's own mail come back
/// ([`Outcome::OwnMail`](crate::Outcome::OwnMail)) and never opens a
/// ticket: the mailbox must be the desk's alone, no person's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Brand {
    /// The display name (`Acme Support`).
    pub name: String,
    /// The mailbox, lowercased (`support@acme.example`).
    pub mailbox: String,
}

impl Brand {
    /// A brand with a display name and a mailbox.
    ///
    /// # Errors
    /// [`ConfigError::BadBrandName`], [`ConfigError::NotAnAddress`].
    pub fn new(name: &str, mailbox: &str) -> Result<Self, ConfigError> {
        let name = name.trim();
        if name.is_empty() || name.contains(['\r', '\n']) {
            return Err(ConfigError::BadBrandName(name.to_owned()));
        }
        let mailbox = match ChannelAddress::email(mailbox) {
            Ok(ChannelAddress::Email(a)) if !a.contains('+') => a,
            _ => {
                return Err(ConfigError::NotAnAddress {
                    what: "a brand's mailbox",
                    value: mailbox.to_owned(),
                });
            }
        };
        Ok(Brand {
            name: name.to_owned(),
            mailbox,
        })
    }
}

/// The desk's email settings, shared by parsing and sending.
///
/// ```
/// use fanatical_email::{Brand, MailConfig};
///
/// let config = MailConfig::new("desk.acme.example", Brand::new("Acme Support", "support@acme.example")?)?
///     .with_brand(Brand::new("Acme Billing", "billing@acme.example")?)
///     .with_max_attachment_bytes(10 * 1024 * 1024);
/// assert_eq!(config.brand_for("Billing+t1@ACME.example").name, "Acme Billing");
/// assert_eq!(config.brand_for("someone@else.example").name, "Acme Support");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailConfig {
    /// The domain of the `Message-ID`s the desk writes; mail carrying one
    /// of them as its own `Message-ID` is the desk's own, looping back.
    pub domain: String,
    /// The default brand.
    default: Brand,
    /// The other brands.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    more: Vec<Brand>,
    /// The largest attachment accepted, in bytes (default 50 MiB, the
    /// desk's own default limit): a larger one refuses the mail, kept for
    /// a person to look at. The whole mail, kept with its ticket entry as
    /// `original.eml`, must fit it too.
    pub max_attachment_bytes: u64,
    /// The most files a mail may carry, counting the original kept with
    /// them (default 20, the desk's own limit per entry): more refuse the
    /// mail, kept for a person to look at.
    #[serde(default = "default_max_attachments")]
    pub max_attachments: usize,
}

fn default_max_attachments() -> usize {
    fanatical::ticket::TicketRules::default().max_attachments_per_entry
}

impl MailConfig {
    /// Settings with one brand (the default) and `Message-ID`s at `domain`.
    ///
    /// # Errors
    /// [`ConfigError::BadDomain`] for a domain that is blank, has no dot,
    /// or holds anything but letters, digits, `-` and `.`.
    pub fn new(domain: &str, brand: Brand) -> Result<Self, ConfigError> {
        let d = domain.trim().to_ascii_lowercase();
        let ok = d.contains('.')
            && !d.starts_with('.')
            && !d.ends_with('.')
            && d.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
        if !ok {
            return Err(ConfigError::BadDomain(domain.to_owned()));
        }
        Ok(MailConfig {
            domain: d,
            default: brand,
            more: Vec::new(),
            max_attachment_bytes: 50 * 1024 * 1024,
            max_attachments: default_max_attachments(),
        })
    }

    /// The same settings with another brand.
    #[must_use]
    pub fn with_brand(mut self, brand: Brand) -> Self {
        self.more.push(brand);
        self
    }

    /// The same settings with another limit on the number of files
    /// (counting the original kept with them).
    #[must_use]
    pub fn with_max_attachments(mut self, limit: usize) -> Self {
        self.max_attachments = limit;
        self
    }

    /// The same settings with another attachment limit.
    #[must_use]
    pub fn with_max_attachment_bytes(mut self, limit: u64) -> Self {
        self.max_attachment_bytes = limit;
        self
    }

    /// The brands, the default first.
    pub fn brands(&self) -> impl Iterator<Item = &Brand> {
        std::iter::once(&self.default).chain(&self.more)
    }

    /// The brand whose mailbox `address` is (plus tag and case ignored),
    /// if any.
    #[must_use]
    pub fn brand_of(&self, address: &str) -> Option<&Brand> {
        let base = base_mailbox(address);
        self.brands().find(|b| b.mailbox == base)
    }

    /// The brand for `address`, else the default brand.
    #[must_use]
    pub fn brand_for(&self, address: &str) -> &Brand {
        match self.brand_of(address) {
            Some(b) => b,
            None => self.default_brand(),
        }
    }

    /// The default brand (the first).
    #[must_use]
    pub fn default_brand(&self) -> &Brand {
        &self.default
    }
}
