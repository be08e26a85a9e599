//! The customer area: customers and the index of who owns each address.

use std::collections::{BTreeMap, BTreeSet};

use crate::channel::{ChannelAddress, PhoneRegion};
use crate::customer::{Customer, CustomerEvent, CustomerEventKind};
use crate::id::{ContactId, CustomerId};

/// Who owns a channel address: a customer's contact.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
pub struct ContactRef {
    /// The customer.
    pub customer: CustomerId,
    /// The contact.
    pub contact: ContactId,
}

/// Every customer the desk knows, with an index of addresses to contacts:
/// a fold of the customer streams. Phone numbers are indexed in E.164,
/// read in the desk's region (`DeskConfig::phone_region`), so a caller id
/// in any common format finds its contact.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Customers {
    /// Boxed: a B-tree node holds eleven entries whatever it uses, so
    /// small slots keep a customer's share of a node small.
    customers: BTreeMap<CustomerId, Box<Customer>>,
    /// Who owns each address (its customer is in `contacts`: a smaller
    /// entry per address).
    #[serde(with = "super::snapshot::pairs")]
    addresses: BTreeMap<ChannelAddress, ContactId>,
    /// The region phone numbers are read in.
    region: PhoneRegion,
    /// Which customer each contact belongs to.
    contacts: BTreeMap<ContactId, CustomerId>,
}

impl Customers {
    /// One customer.
    #[must_use]
    pub fn get(&self, id: CustomerId) -> Option<&Customer> {
        self.customers.get(&id).map(|c| &**c)
    }

    /// Every customer, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Customer> {
        self.customers.values().map(|c| &**c)
    }

    /// How many customers there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.customers.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.customers.is_empty()
    }

    /// The region phone numbers are read in.
    pub(super) fn region(&self) -> &PhoneRegion {
        &self.region
    }

    /// An index with phone numbers read in `region`.
    pub(super) fn in_region(region: PhoneRegion) -> Self {
        Customers {
            region,
            ..Customers::default()
        }
    }

    /// Who owns an address (a phone number in any format that reads as the
    /// same number in the desk's region).
    #[must_use]
    pub fn find_contact(&self, address: &ChannelAddress) -> Option<ContactRef> {
        let contact = *self.addresses.get(&self.key(address))?;
        let customer = *self.contacts.get(&contact)?;
        Some(ContactRef { customer, contact })
    }

    /// The index key of an address.
    fn key(&self, address: &ChannelAddress) -> ChannelAddress {
        address.normalized(&self.region)
    }

    /// The customer a contact belongs to.
    #[must_use]
    pub fn customer_of(&self, contact: ContactId) -> Option<CustomerId> {
        self.contacts.get(&contact).copied()
    }

    /// Folds one event of a customer's stream.
    pub(super) fn apply(&mut self, id: CustomerId, e: &CustomerEvent) {
        if let Some(c) = Customer::from_registered(e) {
            self.customers.insert(id, Box::new(c));
            return;
        }
        let Some(c) = self.customers.get_mut(&id) else {
            return;
        };
        if let CustomerEventKind::ContactErased { contact, .. } = &e.kind {
            // Their addresses are free again (an address the index gives
            // another contact stays theirs).
            for a in c
                .contact(*contact)
                .map(|ct| ct.addresses())
                .unwrap_or_default()
            {
                let key = a.normalized(&self.region);
                if self.addresses.get(&key).is_some_and(|r| r == contact) {
                    self.addresses.remove(&key);
                }
            }
        }
        c.apply(e);
        match &e.kind {
            CustomerEventKind::ContactAdded {
                contact, addresses, ..
            } => {
                self.contacts.insert(*contact, id);
                // A placeholder (from an erased record) is nobody's.
                for a in addresses.iter().filter(|a| !a.is_erased()) {
                    self.addresses.insert(self.key(a), *contact);
                }
            }
            CustomerEventKind::ContactMerged {
                target, addresses, ..
            } => {
                for a in addresses.iter().filter(|a| !a.is_erased()) {
                    self.addresses.insert(self.key(a), *target);
                }
            }
            CustomerEventKind::AddressAdded { contact, address } if !address.is_erased() => {
                self.addresses.insert(self.key(address), *contact);
            }
            CustomerEventKind::AddressRemoved { contact, address } => {
                // One number may be held in two spellings: the index keeps
                // it while the contact still has either.
                let key = address.normalized(&self.region);
                let still_held = c.contact(*contact).is_some_and(|ct| {
                    ct.addresses()
                        .iter()
                        .any(|a| a.normalized(&self.region) == key)
                });
                if !still_held && self.addresses.get(&key).is_some_and(|r| r == contact) {
                    self.addresses.remove(&key);
                }
            }
            _ => {}
        }
        // A customer merge: the contacts move from the source's book to
        // the target's (their events stay on the source's stream).
        if let CustomerEventKind::Absorbed {
            source, contacts, ..
        } = &e.kind
        {
            let moved = self
                .customers
                .get_mut(source)
                .map(|s| s.take_contacts(contacts))
                .unwrap_or_default();
            for ct in &moved {
                self.contacts.insert(ct.id(), id);
            }
            if let Some(t) = self.customers.get_mut(&id) {
                t.put_contacts(moved);
            }
        }
    }

    /// Where `customer` lives now: itself, or the customer it was merged
    /// into (followed to the end).
    #[must_use]
    pub fn live_id(&self, customer: CustomerId) -> CustomerId {
        let mut at = customer;
        // A chain is at most as long as the customers are many.
        for _ in 0..self.customers.len() {
            match self.get(at).and_then(Customer::merged_into_customer) {
                Some(next) => at = next,
                None => break,
            }
        }
        at
    }

    /// The customers merged into `customer`, directly or through others.
    #[must_use]
    pub fn merged_into(&self, customer: CustomerId) -> BTreeSet<CustomerId> {
        let mut found = BTreeSet::new();
        let mut next: Vec<CustomerId> = vec![customer];
        while let Some(c) = next.pop() {
            for a in self.get(c).map(Customer::absorbed).into_iter().flatten() {
                if found.insert(*a) {
                    next.push(*a);
                }
            }
        }
        found.remove(&customer);
        found
    }
}
