//! A customer's contacts: the person, what most contacts never get
//! (roles, consent, profile), and the exact-length book the customer
//! keeps them in.

use std::collections::BTreeSet;

use super::{Consent, ContactRole, ErasureScope, PersonalProfile};
use crate::channel::ChannelAddress;
use crate::field::FieldValues;
use crate::id::ContactId;
use crate::template::Locale;

/// A person at a customer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Contact {
    pub(super) id: ContactId,
    // Boxed slices: exactly the length, no spare capacity.
    pub(super) name: Box<str>,
    pub(super) addresses: Box<[ChannelAddress]>,
    /// Roles, consent and profile: boxed, and `None` while all are empty,
    /// since most contacts have none of them.
    pub(super) details: Option<Box<ContactDetails>>,
    pub(super) erased: Option<ErasureScope>,
    /// The contact this one was merged into: a tombstone, kept so that
    /// tickets, archives and invitations naming it find the person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) merged_into: Option<ContactId>,
}

/// What most contacts never get: parts as a point of contact, consent,
/// and the personal profile that consent allows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct ContactDetails {
    pub(super) roles: BTreeSet<ContactRole>,
    pub(super) consent: Option<Consent>,
    pub(super) profile: PersonalProfile,
    /// Addresses that stopped receiving (an email that bounced for good).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub(super) undeliverable: BTreeSet<ChannelAddress>,
    /// Custom-field values: personal data, erased with the contact.
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    pub(super) fields: FieldValues,
    /// The language they are written to in (`None`: the desk's default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) locale: Option<Locale>,
}

/// The roles of a contact who has none.
static NO_ROLES: BTreeSet<ContactRole> = BTreeSet::new();

impl Contact {
    /// Contact id.
    #[must_use]
    pub fn id(&self) -> ContactId {
        self.id
    }
    /// Name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }
    /// Where they can be reached, in the order added.
    #[must_use]
    pub fn addresses(&self) -> &[ChannelAddress] {
        &self.addresses
    }
    /// Whether what is sent to `address` arrives: `false` once it was
    /// marked undeliverable (an email that bounced for good), until it is
    /// marked deliverable again.
    #[must_use]
    pub fn is_deliverable(&self, address: &ChannelAddress) -> bool {
        self.details
            .as_ref()
            .is_none_or(|d| !d.undeliverable.contains(address))
    }
    /// Their parts as a point of contact.
    #[must_use]
    pub fn roles(&self) -> &BTreeSet<ContactRole> {
        self.details.as_ref().map_or(&NO_ROLES, |d| &d.roles)
    }
    /// The standing consent, if any.
    #[must_use]
    pub fn consent(&self) -> Option<&Consent> {
        self.details.as_ref().and_then(|d| d.consent.as_ref())
    }
    /// The contact this one was merged into, if it was (then it has no
    /// addresses, roles, consent or profile left: they moved there).
    #[must_use]
    pub fn merged_into(&self) -> Option<ContactId> {
        self.merged_into
    }
    /// How far the contact was erased, if they were.
    #[must_use]
    pub fn erased(&self) -> Option<ErasureScope> {
        self.erased
    }
    /// The personal profile: `None` unless consent stands.
    #[must_use]
    pub fn profile(&self) -> Option<&PersonalProfile> {
        let d = self.details.as_ref()?;
        d.consent.as_ref().map(|_| &d.profile)
    }

    /// Their custom-field values (personal data: gone once they are
    /// erased).
    #[must_use]
    pub fn fields(&self) -> &FieldValues {
        self.details
            .as_ref()
            .map_or(&super::NO_FIELDS, |d| &d.fields)
    }

    /// The language they are written to in, if one was set (see
    /// [`crate::template`]: the desk's default locale otherwise). Gone
    /// once they are erased.
    #[must_use]
    pub fn locale(&self) -> Option<&Locale> {
        self.details.as_ref().and_then(|d| d.locale.as_ref())
    }

    /// The details, to change them.
    pub(super) fn details_mut(&mut self) -> &mut ContactDetails {
        self.details.get_or_insert_with(Box::default)
    }

    /// Drops the details once nothing is left in them, so a contact
    /// compares equal however it got there.
    pub(super) fn tidy(&mut self) {
        if self
            .details
            .as_deref()
            .is_some_and(|d| *d == ContactDetails::default())
        {
            self.details = None;
        }
    }
}

/// A customer's contacts, sorted by id, in a slice of exactly their
/// number: most customers have one or a few, and a B-tree map allocates
/// room for eleven contacts (about 2 KB) for the first.
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(super) struct ContactBook(pub(super) Box<[Contact]>);

impl ContactBook {
    pub(super) fn find(&self, id: ContactId) -> Result<usize, usize> {
        self.0.binary_search_by_key(&id, |c| c.id)
    }
    pub(super) fn get(&self, id: &ContactId) -> Option<&Contact> {
        self.find(*id).ok().and_then(|i| self.0.get(i))
    }
    pub(super) fn get_mut(&mut self, id: &ContactId) -> Option<&mut Contact> {
        self.find(*id).ok().and_then(|i| self.0.get_mut(i))
    }
    pub(super) fn contains_key(&self, id: &ContactId) -> bool {
        self.find(*id).is_ok()
    }
    /// Adds or replaces the contact with `id`.
    pub(super) fn insert(&mut self, id: ContactId, contact: Contact) {
        match self.find(id) {
            Ok(i) => {
                if let Some(slot) = self.0.get_mut(i) {
                    *slot = contact;
                }
            }
            Err(i) => {
                // Exactly one more: a growing vector would leave room
                // for four.
                let mut all = Vec::with_capacity(self.0.len().saturating_add(1));
                all.extend(std::mem::take(&mut self.0));
                all.insert(i, contact);
                self.0 = all.into_boxed_slice();
            }
        }
    }
}

impl std::fmt::Debug for ContactBook {
    /// As a map from id to contact.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|c| (c.id, c)))
            .finish()
    }
}
