//! Erasing a contact: deciding it, folding it, and what it replaces in
//! the customer's record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{
    Consent, Contact, Customer, CustomerError, CustomerEvent, CustomerEventKind, FamilyMember,
    Interest, PersonalProfile, Relation,
};
use crate::field::FieldValue;
use crate::id::ContactId;
use crate::text::ERASED;

/// How far a contact is erased.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErasureScope {
    /// Their profile: name, addresses, consent and personal details. What
    /// they wrote stays, attributed to the erased contact.
    Profile,
    /// Their profile, and the text of everything they wrote (ticket
    /// subjects and messages, file names, survey comments, praise) or were
    /// sent.
    ProfileAndMessages,
}

impl ErasureScope {
    /// Whether message texts are erased too.
    #[must_use]
    pub fn messages(self) -> bool {
        self == ErasureScope::ProfileAndMessages
    }
}

impl std::fmt::Display for ErasureScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ErasureScope::Profile => "profile",
            ErasureScope::ProfileAndMessages => "profile and messages",
        })
    }
}

/// What is forgotten about a contact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "what", content = "scope", rename_all = "snake_case")]
pub enum Forget {
    /// Their personal details only (family, interests): consent was
    /// withdrawn.
    PersonalDetails,
    /// The contact: see [`ErasureScope`].
    Contact(ErasureScope),
}

impl Forget {
    /// Whether message texts are erased.
    #[must_use]
    pub fn messages(self) -> bool {
        matches!(self, Forget::Contact(s) if s.messages())
    }
}

impl FamilyMember {
    /// The placeholder a remembered family member becomes: the relation
    /// stays when it is one of the named ones.
    #[must_use]
    pub fn erased(&self) -> FamilyMember {
        FamilyMember {
            name: ERASED.to_owned(),
            relation: match &self.relation {
                Relation::Other(_) => Relation::Other(ERASED.to_owned()),
                r => r.clone(),
            },
        }
    }
}

impl Interest {
    /// The placeholder a remembered interest becomes.
    #[must_use]
    pub fn erased() -> Interest {
        Interest {
            topic: ERASED.to_owned(),
            detail: ERASED.to_owned(),
        }
    }
}

impl CustomerEvent {
    /// This event with what `forget` forgets about `contact` replaced by
    /// the placeholder, or `None` when it holds none of it. The event
    /// keeps its kind, time and ids.
    #[must_use]
    pub fn erased_for(&self, contact: ContactId, forget: Forget) -> Option<CustomerEvent> {
        use CustomerEventKind as K;
        let whole = matches!(forget, Forget::Contact(_));
        let mut e = self.clone();
        match &mut e.kind {
            K::ContactAdded {
                contact: c,
                name,
                addresses,
            } if *c == contact && whole => {
                ERASED.clone_into(name);
                addresses.clear();
            }
            K::AddressAdded {
                contact: c,
                address,
            }
            | K::AddressRemoved {
                contact: c,
                address,
            } if *c == contact && whole => *address = address.erased(),
            K::AddressUndeliverable {
                contact: c,
                address,
                reason,
            } if *c == contact && whole => {
                *address = address.erased();
                // A bounce's diagnostic names the address.
                ERASED.clone_into(reason);
            }
            K::AddressDeliverable {
                contact: c,
                address,
            } if *c == contact && whole => *address = address.erased(),
            K::ContactMerged {
                source,
                target,
                addresses,
            } if (*source == contact || *target == contact) && whole => {
                for a in addresses.iter_mut() {
                    *a = a.erased();
                }
            }
            K::FamilyMemberAdded { contact: c, member } if *c == contact => {
                *member = member.erased();
            }
            K::InterestAdded {
                contact: c,
                interest,
            } if *c == contact => *interest = Interest::erased(),
            // A contact's custom fields are personal data: the value goes,
            // the field it was set on stays.
            K::ContactFieldSet {
                contact: c, value, ..
            } if *c == contact && whole => *value = FieldValue::Text(ERASED.to_owned()),
            _ => return None,
        }
        (e != *self).then_some(e)
    }
}

impl Customer {
    /// Decides erasing a contact. Erasing again is refused unless it goes
    /// further (messages after the profile).
    ///
    /// # Errors
    /// [`CustomerError::UnknownContact`]; [`CustomerError::AlreadyErased`]
    /// when the contact is already erased at least as far.
    pub fn erase_contact(
        &self,
        contact: ContactId,
        scope: ErasureScope,
        now: DateTime<Utc>,
    ) -> Result<Vec<CustomerEvent>, CustomerError> {
        let c = self.contact_or_err(contact)?;
        // A merged contact is erased with the contact it became.
        if let Some(into) = c.merged_into {
            return Err(CustomerError::ContactMerged {
                customer: self.id,
                contact,
                into,
            });
        }
        if let Some(done) = c.erased.filter(|done| *done >= scope) {
            return Err(CustomerError::AlreadyErased {
                customer: self.id,
                contact,
                scope: done,
            });
        }
        Ok(vec![CustomerEvent {
            at: now,
            kind: CustomerEventKind::ContactErased { contact, scope },
        }])
    }

    /// A contact commands may still change: known and not erased.
    pub(super) fn live_contact(&self, contact: ContactId) -> Result<&Contact, CustomerError> {
        let c = self.contact_or_err(contact)?;
        if c.erased.is_some() {
            return Err(CustomerError::ContactErased {
                customer: self.id,
                contact,
            });
        }
        if let Some(into) = c.merged_into {
            return Err(CustomerError::ContactMerged {
                customer: self.id,
                contact,
                into,
            });
        }
        Ok(c)
    }
}

impl Contact {
    /// Folds the contact's erasure: the same state a fold of the erased
    /// record reaches (name a placeholder, no addresses, no consent, no
    /// personal details).
    pub(super) fn erase(&mut self, scope: ErasureScope) {
        self.name = ERASED.into();
        self.addresses = Box::default();
        if let Some(d) = self.details.as_mut() {
            d.consent = None::<Consent>;
            d.profile = PersonalProfile::default();
            d.undeliverable.clear();
            d.fields.clear();
            d.locale = None;
        }
        self.tidy();
        self.erased = Some(self.erased.map_or(scope, |done| done.max(scope)));
    }
}
