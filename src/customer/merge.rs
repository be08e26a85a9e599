//! Merging two contacts of a customer: the same person known by two
//! records. The source's addresses, roles, consent and personal details
//! move to the target; the source stays as a tombstone pointing at it.

use chrono::{DateTime, Utc};

use super::{Contact, Customer, CustomerError, CustomerEvent, CustomerEventKind};
use crate::channel::ChannelAddress;
use crate::id::ContactId;

impl Customer {
    /// Decides merging contact `source` into contact `target`.
    ///
    /// # Errors
    /// [`CustomerError::MergeIntoItself`] when they are one contact;
    /// [`CustomerError::UnknownContact`] for a contact this customer does
    /// not have (a contact of another customer included: merge the
    /// customers first); [`CustomerError::ContactErased`] for an erased
    /// one; [`CustomerError::ContactMerged`] for one merged already,
    /// naming where it went.
    pub fn merge_contacts(
        &self,
        source: ContactId,
        target: ContactId,
        now: DateTime<Utc>,
    ) -> Result<Vec<CustomerEvent>, CustomerError> {
        if source == target {
            return Err(CustomerError::MergeIntoItself {
                customer: self.id,
                contact: source,
            });
        }
        let s = self.live_contact(source)?;
        self.live_contact(target)?;
        Ok(vec![CustomerEvent {
            at: now,
            kind: CustomerEventKind::ContactMerged {
                source,
                target,
                addresses: s.addresses.to_vec(),
            },
        }])
    }

    /// Folds a merge: see [`CustomerEventKind::ContactMerged`].
    pub(super) fn fold_merge(
        &mut self,
        source: ContactId,
        target: ContactId,
        addresses: &[ChannelAddress],
    ) {
        let Some(s) = self.contacts.get_mut(&source) else {
            return;
        };
        let details = s.details.take();
        s.addresses = Box::default();
        s.merged_into = Some(target);
        let Some(t) = self.contacts.get_mut(&target) else {
            return;
        };
        let mut all = std::mem::take(&mut t.addresses).into_vec();
        for a in addresses {
            if !all.contains(a) {
                all.push(a.clone());
            }
        }
        t.addresses = all.into_boxed_slice();
        if let Some(d) = details {
            let d = *d;
            let into = t.details_mut();
            into.roles.extend(d.roles);
            into.undeliverable.extend(
                d.undeliverable
                    .into_iter()
                    .filter(|a| addresses.contains(a)),
            );
            if into.consent.is_none() {
                into.consent = d.consent;
            }
            if into.locale.is_none() {
                into.locale = d.locale;
            }
            if into.consent.is_some() {
                for m in d.profile.family {
                    if !into.profile.family.contains(&m) {
                        into.profile.family.push(m);
                    }
                }
                for i in d.profile.interests {
                    if !into.profile.interests.contains(&i) {
                        into.profile.interests.push(i);
                    }
                }
            }
            t.tidy();
        }
    }

    /// The contacts merged into `contact`, directly or through others.
    #[must_use]
    pub fn merged_into(&self, contact: ContactId) -> Vec<ContactId> {
        let mut found = vec![contact];
        let mut i = 0;
        while let Some(&c) = found.get(i) {
            found.extend(
                self.contacts
                    .0
                    .iter()
                    .filter(|x| x.merged_into == Some(c))
                    .map(Contact::id),
            );
            i += 1;
        }
        found.remove(0);
        found
    }

    /// Where `contact` lives now: itself, or the contact it was merged
    /// into (followed to the end).
    #[must_use]
    pub fn live_id(&self, contact: ContactId) -> ContactId {
        let mut at = contact;
        // A chain is at most as long as the contacts are many.
        for _ in 0..self.contacts.0.len() {
            match self.contacts.get(&at).and_then(|c| c.merged_into) {
                Some(next) => at = next,
                None => break,
            }
        }
        at
    }
}
