//! Merging two contacts of a customer (the same person known by two
//! records: the source's addresses, roles, consent, personal details and
//! field values move to the target) and two customers (one organisation
//! known by two accounts: the source's contacts, field values,
//! components and account team move to the target). The source stays as
//! a tombstone pointing at the target.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Contact, Customer, CustomerError, CustomerEvent, CustomerEventKind};
use crate::agent::Role;
use crate::channel::ChannelAddress;
use crate::field::FieldValues;
use crate::id::{AgentId, ComponentId, ContactId, CustomerId};

/// What a customer merge moved, as recorded for the audit
/// ([`CustomerEventKind::MergedInto`], [`CustomerEventKind::Absorbed`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MergeCounts {
    /// Tickets in the desk's memory (open, solved and closed) moved.
    pub tickets: u32,
    /// Tickets archived out of memory, listed in the target's archive
    /// from then on.
    #[serde(default)]
    pub archived_tickets: u32,
    /// Contacts moved (erased and merged-away contacts included).
    pub contacts: u32,
    /// Field values the target took (the source's where the target had
    /// none).
    pub fields: u32,
    /// Components the target now runs on.
    pub components: u32,
    /// Account team members the target gained.
    pub account_team: u32,
    /// Credits and refunds moved to the target's ledger.
    pub refunds: u32,
}

impl MergeCounts {
    /// Counts with the desk's parts (tickets in memory and archived,
    /// refunds) filled in; the customer fills the rest when it decides the
    /// merge.
    #[must_use]
    pub fn with_tickets(tickets: u32, archived_tickets: u32, refunds: u32) -> Self {
        MergeCounts {
            tickets,
            archived_tickets,
            refunds,
            ..MergeCounts::default()
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Customer {
    /// Decides merging this customer into `target`: the event on this
    /// (the source's) stream, then the one on the target's. `moved` holds
    /// what the desk moves (tickets, refunds); the contacts, field values,
    /// components and account team are counted here. The target is the
    /// account of record: where both have a value for a field, the
    /// target's stays.
    ///
    /// # Errors
    /// [`CustomerError::MergeCustomerIntoItself`];
    /// [`CustomerError::CustomerMerged`] when either was merged already;
    /// [`CustomerError::StandingDiffers`] when the source has an account
    /// standing (spend and tier) the target does not have as it is (set
    /// the target's first: spend is not summed);
    /// [`CustomerError::ContactInBoth`] for a contact id both hold.
    pub fn merge_into(
        &self,
        target: &Customer,
        moved: MergeCounts,
        now: DateTime<Utc>,
    ) -> Result<(CustomerEvent, CustomerEvent), CustomerError> {
        if self.id == target.id {
            return Err(CustomerError::MergeCustomerIntoItself(self.id));
        }
        for c in [self, target] {
            if let Some(into) = c.merged_into_customer() {
                return Err(CustomerError::CustomerMerged {
                    customer: c.id,
                    into,
                });
            }
        }
        if self.standing().is_some() && self.standing() != target.standing() {
            return Err(CustomerError::StandingDiffers {
                from: self.id,
                into: target.id,
            });
        }
        if let Some(c) = self
            .contacts
            .0
            .iter()
            .find(|c| target.contacts.contains_key(&c.id))
        {
            return Err(CustomerError::ContactInBoth {
                contact: c.id,
                from: self.id,
                into: target.id,
            });
        }
        let contacts: Vec<ContactId> = self.contacts.0.iter().map(Contact::id).collect();
        let mut fields = FieldValues::new();
        for (key, value) in self.fields().iter() {
            if target.fields().get(key).is_none() {
                fields.insert(key.clone(), value.clone());
            }
        }
        let components: BTreeSet<ComponentId> = self
            .components()
            .difference(target.components())
            .cloned()
            .collect();
        let account_team: BTreeMap<AgentId, Role> = self
            .account_team()
            .iter()
            .filter(|(a, _)| !target.account_team().contains_key(a))
            .map(|(a, r)| (*a, r.clone()))
            .collect();
        let moved = MergeCounts {
            contacts: count(contacts.len()),
            fields: count(fields.len()),
            components: count(components.len()),
            account_team: count(account_team.len()),
            ..moved
        };
        Ok((
            CustomerEvent {
                at: now,
                kind: CustomerEventKind::MergedInto {
                    target: target.id,
                    moved,
                },
            },
            CustomerEvent {
                at: now,
                kind: CustomerEventKind::Absorbed {
                    source: self.id,
                    contacts,
                    fields,
                    components,
                    account_team,
                    moved,
                },
            },
        ))
    }

    /// The customer this one was merged into, if it was (a tombstone:
    /// commands naming it are refused).
    #[must_use]
    pub fn merged_into_customer(&self) -> Option<CustomerId> {
        self.account.as_ref().and_then(|a| a.merged_into)
    }

    /// The customers merged into this one directly.
    #[must_use]
    pub fn absorbed(&self) -> &BTreeSet<CustomerId> {
        static NONE: BTreeSet<CustomerId> = BTreeSet::new();
        self.account.as_ref().map_or(&NONE, |a| &a.absorbed)
    }

    /// Folds [`CustomerEventKind::MergedInto`] into the source: a
    /// tombstone, whose components and account team are the target's now
    /// (so incidents on them reach the target, not the tombstone).
    pub(super) fn fold_merged_into(&mut self, target: CustomerId) {
        let a = self.account_mut();
        a.merged_into = Some(target);
        a.components.clear();
        a.account_team.clear();
    }

    /// Folds [`CustomerEventKind::Absorbed`] into the target (the desk
    /// moves the contacts, which the source's stream holds).
    pub(super) fn fold_absorbed(
        &mut self,
        source: CustomerId,
        fields: &FieldValues,
        components: &BTreeSet<ComponentId>,
        team: &BTreeMap<AgentId, Role>,
    ) {
        let a = self.account_mut();
        a.absorbed.insert(source);
        for (key, value) in fields.iter() {
            if a.fields.get(key).is_none() {
                a.fields.insert(key.clone(), value.clone());
            }
        }
        a.components.extend(components.iter().cloned());
        for (agent, role) in team {
            a.account_team.entry(*agent).or_insert_with(|| role.clone());
        }
    }

    /// Takes the contacts out of this customer (merged into another).
    pub(crate) fn take_contacts(&mut self, ids: &[ContactId]) -> Vec<Contact> {
        let (taken, kept): (Vec<Contact>, Vec<Contact>) = std::mem::take(&mut self.contacts.0)
            .into_vec()
            .into_iter()
            .partition(|c| ids.contains(&c.id));
        self.contacts.0 = kept.into_boxed_slice();
        taken
    }

    /// Puts contacts taken from a customer merged into this one.
    pub(crate) fn put_contacts(&mut self, contacts: Vec<Contact>) {
        for c in contacts {
            self.contacts.insert(c.id, c);
        }
    }
}

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
            // Custom-field values move too; where both have a value for
            // a field, the target's stays.
            for (key, value) in d.fields.iter() {
                if into.fields.get(key).is_none() {
                    into.fields.insert(key.clone(), value.clone());
                }
            }
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
