//! Customers: organisations, their contacts, account points of contact, a
//! consent-gated personal profile, and spend held privately.
//!
//! A [`Customer`] is an event-sourced aggregate. Personal details
//! ([`PersonalProfile`]) belong to a [`Contact`] and can be written only
//! after that contact's consent is recorded; withdrawing consent erases
//! them from the projection. Spend and tier ([`AccountStanding`]) have no
//! public getter on [`Customer`]: they are read through
//! [`crate::view::AccountCustomerView`], which only roles that need them
//! can obtain.
//!
//! # Example
//! ```
//! use chrono::{TimeZone, Utc};
//! use fanatical::channel::ChannelAddress;
//! use fanatical::customer::{Customer, CustomerCommand, CustomerError, Relation};
//! use fanatical::id::{AgentId, ContactId, CustomerId};
//! use fanatical::customer::ConsentSource;
//!
//! let now = Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap();
//! let id = CustomerId::from_uuid(uuid::Uuid::from_u128(1));
//! let jane = ContactId::from_uuid(uuid::Uuid::from_u128(2));
//! let agent = AgentId::from_uuid(uuid::Uuid::from_u128(3));
//!
//! let mut c = Customer::from_events(&Customer::register(id, "Acme Hosting", now)?).unwrap();
//! let add = CustomerCommand::AddContact {
//!     contact: jane,
//!     name: "Jane".into(),
//!     addresses: vec![ChannelAddress::email("jane@acme.example")?],
//! };
//! for e in c.handle(add, now)? { c.apply(&e); }
//!
//! // No consent yet: personal details are refused.
//! let family = CustomerCommand::AddFamilyMember {
//!     contact: jane, name: "Sam".into(), relation: Relation::Child,
//! };
//! assert_eq!(c.handle(family.clone(), now), Err(CustomerError::NoConsent { customer: id, contact: jane }));
//!
//! for e in c.handle(CustomerCommand::RecordConsent { contact: jane, source: ConsentSource::Agent(agent) }, now)? {
//!     c.apply(&e);
//! }
//! for e in c.handle(family, now)? { c.apply(&e); }
//! assert_eq!(c.contact(jane).unwrap().profile().unwrap().family[0].name, "Sam");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod contact;
mod erasure;
mod error;
mod merge;
mod profile;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use contact::Contact;
use contact::ContactBook;
pub use erasure::{ErasureScope, Forget};
pub use error::CustomerError;
pub use merge::MergeCounts;
pub use profile::{
    AccountStanding, Consent, ConsentSource, Currency, FamilyMember, Interest, Money,
    PersonalProfile, Relation, Tier,
};

use crate::agent::Role;
use crate::channel::ChannelAddress;
use crate::field::{FieldKey, FieldValue, FieldValues};
use crate::id::{AgentId, ComponentId, ContactId, CustomerId};

/// The part a customer-side contact plays for the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactRole {
    /// The main point of contact.
    Primary,
    /// Technical questions and incidents.
    Technical,
    /// Invoices and payments.
    Billing,
    /// The customer's decision maker.
    Executive,
}

/// A change to an existing customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerCommand {
    /// Rename the organisation.
    RenameOrganisation {
        /// New name.
        name: String,
    },
    /// Add a person who may contact support.
    AddContact {
        /// The caller-chosen id.
        contact: ContactId,
        /// Their name.
        name: String,
        /// Where they can be reached (validated again here).
        addresses: Vec<ChannelAddress>,
    },
    /// Add an address to a contact.
    AddAddress {
        /// The contact.
        contact: ContactId,
        /// The address.
        address: ChannelAddress,
    },
    /// Remove an address (a contact keeps at least one).
    RemoveAddress {
        /// The contact.
        contact: ContactId,
        /// The address.
        address: ChannelAddress,
    },
    /// An address no longer receives what is sent to it (an email that
    /// bounced for good): replies meant for it go out on the contact's
    /// next channel (the channel's fallbacks) until it is marked
    /// deliverable again. The address stays the contact's: mail from it
    /// still finds them.
    MarkUndeliverable {
        /// The contact.
        contact: ContactId,
        /// The address.
        address: ChannelAddress,
        /// Why (the bounce's status and diagnostic).
        reason: String,
    },
    /// An address receives again (the contact fixed their mailbox).
    MarkDeliverable {
        /// The contact.
        contact: ContactId,
        /// The address.
        address: ChannelAddress,
    },
    /// Make a contact an account point of contact for a role.
    DesignateContact {
        /// The contact.
        contact: ContactId,
        /// The role.
        role: ContactRole,
    },
    /// Name an employee on the account team (account manager, billing...).
    AssignAccountTeam {
        /// The employee.
        agent: AgentId,
        /// Their part on the account.
        role: Role,
    },
    /// Record a contact's consent to keep personal details.
    RecordConsent {
        /// The contact.
        contact: ContactId,
        /// Who recorded it.
        source: ConsentSource,
    },
    /// Withdraw consent: every personal detail of the contact is erased.
    WithdrawConsent {
        /// The contact.
        contact: ContactId,
    },
    /// Remember a family member (needs consent).
    AddFamilyMember {
        /// The contact.
        contact: ContactId,
        /// The family member's name.
        name: String,
        /// Their relation.
        relation: Relation,
    },
    /// Remember an interest (needs consent).
    AddInterest {
        /// The contact.
        contact: ContactId,
        /// The interest.
        interest: Interest,
    },
    /// Set spend and tier (through the desk, it needs
    /// [`crate::permission::Permission::ManageAccounts`]). A spend that
    /// is negative or above [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`] is
    /// refused ([`CustomerError::NegativeSpend`],
    /// [`CustomerError::SpendAboveLimit`]).
    SetAccountStanding {
        /// The new standing.
        standing: AccountStanding,
    },
    /// The customer runs on a component (a service in a datacenter): its
    /// incidents affect them.
    RunOn {
        /// The component (the desk checks it is in the catalog).
        component: ComponentId,
    },
    /// The customer no longer runs on a component.
    StopRunningOn {
        /// The component.
        component: ComponentId,
    },
    /// Set a custom field of the customer (the desk checks it against the
    /// field catalog).
    SetField {
        /// The field.
        key: FieldKey,
        /// The value.
        value: FieldValue,
    },
    /// Clear a custom field of the customer.
    ClearField {
        /// The field.
        key: FieldKey,
    },
    /// Set a custom field of a contact: personal data, erased with them.
    SetContactField {
        /// The contact.
        contact: ContactId,
        /// The field.
        key: FieldKey,
        /// The value.
        value: FieldValue,
    },
    /// Clear a custom field of a contact.
    ClearContactField {
        /// The contact.
        contact: ContactId,
        /// The field.
        key: FieldKey,
    },
    /// Set the language a contact is written to in (survey invitations,
    /// thank-yous, incident notices), or with `None` go back to the
    /// desk's default. See [`crate::template`] for the fallback chain.
    SetContactLocale {
        /// The contact.
        contact: ContactId,
        /// Their locale, or `None` for the desk's default.
        locale: Option<crate::template::Locale>,
    },
}

/// Something that happened to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerEvent {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub kind: CustomerEventKind,
}

/// What happened to a customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum CustomerEventKind {
    /// The account was created.
    Registered {
        /// Its id.
        id: CustomerId,
        /// Organisation name.
        organisation: String,
    },
    /// The organisation was renamed.
    OrganisationRenamed {
        /// New name.
        name: String,
    },
    /// A contact was added.
    ContactAdded {
        /// Contact id.
        contact: ContactId,
        /// Name.
        name: String,
        /// Addresses.
        addresses: Vec<ChannelAddress>,
    },
    /// An address was added.
    AddressAdded {
        /// Contact id.
        contact: ContactId,
        /// Address.
        address: ChannelAddress,
    },
    /// An address was removed.
    AddressRemoved {
        /// Contact id.
        contact: ContactId,
        /// Address.
        address: ChannelAddress,
    },
    /// An address stopped receiving: see
    /// [`CustomerCommand::MarkUndeliverable`].
    AddressUndeliverable {
        /// Contact id.
        contact: ContactId,
        /// Address.
        address: ChannelAddress,
        /// Why.
        reason: String,
    },
    /// An address receives again.
    AddressDeliverable {
        /// Contact id.
        contact: ContactId,
        /// Address.
        address: ChannelAddress,
    },
    /// A contact became a point of contact.
    ContactDesignated {
        /// Contact id.
        contact: ContactId,
        /// Role.
        role: ContactRole,
    },
    /// An employee joined the account team.
    AccountTeamAssigned {
        /// Employee.
        agent: AgentId,
        /// Role on the account.
        role: Role,
    },
    /// One contact was merged into another (the same person, known by two
    /// records): the source's addresses (`addresses`), roles, consent (when
    /// the target had none), personal details, undeliverable marks and
    /// custom-field values (where both have a value for a field, the
    /// target's stays) move to the target; the source stays as a tombstone pointing at it
    /// ([`Contact::merged_into`]). The desk moves the tickets they request
    /// or are copied on in the same decision.
    ContactMerged {
        /// The contact merged away.
        source: ContactId,
        /// The contact it became.
        target: ContactId,
        /// The addresses that moved (the source's, as it held them).
        addresses: Vec<ChannelAddress>,
    },
    /// This customer was merged into `target` (one organisation known by
    /// two accounts), recorded on the source's stream: it stays as a
    /// tombstone ([`Customer::merged_into_customer`]), running on no
    /// component and with no account team (both are the target's now);
    /// its contacts moved to the target and the desk moved its tickets in
    /// the same decision. Who merged is the recorded event's actor.
    MergedInto {
        /// The customer it became.
        target: CustomerId,
        /// What moved.
        moved: MergeCounts,
    },
    /// Customer `source` was merged into this one, recorded on the
    /// target's stream: its contacts (`contacts`, with their profiles,
    /// consent and field values) are this customer's now; the field
    /// values, components and account team members the target did not
    /// have are taken from the source (where both have a value for a
    /// field, the target's stays).
    Absorbed {
        /// The customer merged away.
        source: CustomerId,
        /// The contacts that moved.
        contacts: Vec<ContactId>,
        /// The source's field values the target takes.
        #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
        fields: FieldValues,
        /// The source's components the target did not run on.
        #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
        components: BTreeSet<ComponentId>,
        /// The source's account team members the target did not have.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        account_team: BTreeMap<AgentId, Role>,
        /// What moved.
        moved: MergeCounts,
    },
    /// Consent recorded.
    ConsentRecorded {
        /// Contact id.
        contact: ContactId,
        /// Who recorded it.
        source: ConsentSource,
    },
    /// Consent withdrawn; the profile is erased.
    ConsentWithdrawn {
        /// Contact id.
        contact: ContactId,
    },
    /// The contact was erased: their name, addresses and personal details
    /// (and with [`ErasureScope::ProfileAndMessages`] what they wrote and
    /// were sent) were replaced in the record by a placeholder. Their id,
    /// tickets and timings stay.
    ContactErased {
        /// Contact id.
        contact: ContactId,
        /// How far.
        scope: ErasureScope,
    },
    /// Recorded right after [`CustomerEventKind::ContactErased`] when the
    /// erased contact had survey invitations on archived tickets: what the
    /// desk forgets for them, by id only. A fold of the record then erases
    /// in memory what the store erased: the praise those invitations
    /// carried and the messages quoting it, and notes on tickets still in
    /// memory that quote their comments.
    ArchiveErased {
        /// Contact id.
        contact: ContactId,
        /// How far.
        scope: ErasureScope,
        /// Their invitations about archived tickets.
        invitations: BTreeSet<crate::id::InvitationId>,
        /// Internal notes on tickets in memory quoting what they answered,
        /// by ticket and entry number.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        notes: BTreeMap<crate::id::TicketId, BTreeSet<u32>>,
    },
    /// A family member was remembered.
    FamilyMemberAdded {
        /// Contact id.
        contact: ContactId,
        /// The family member.
        member: FamilyMember,
    },
    /// An interest was remembered.
    InterestAdded {
        /// Contact id.
        contact: ContactId,
        /// The interest.
        interest: Interest,
    },
    /// Spend and tier changed.
    AccountStandingSet {
        /// The new standing.
        standing: AccountStanding,
    },
    /// Now runs on a component.
    RunsOn {
        /// The component.
        component: ComponentId,
    },
    /// No longer runs on a component.
    StoppedRunningOn {
        /// The component.
        component: ComponentId,
    },
    /// A custom field of the customer was set.
    FieldSet {
        /// The field.
        key: FieldKey,
        /// Its value.
        value: FieldValue,
    },
    /// A custom field of the customer was cleared.
    FieldCleared {
        /// The field.
        key: FieldKey,
    },
    /// A custom field of a contact was set (erased with the contact).
    ContactFieldSet {
        /// The contact.
        contact: ContactId,
        /// The field.
        key: FieldKey,
        /// Its value.
        value: FieldValue,
    },
    /// A custom field of a contact was cleared.
    ContactFieldCleared {
        /// The contact.
        contact: ContactId,
        /// The field.
        key: FieldKey,
    },
    /// A contact's locale was set (`None`: back to the desk's default).
    ContactLocaleSet {
        /// The contact.
        contact: ContactId,
        /// Their locale.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        locale: Option<crate::template::Locale>,
    },
}

/// A customer account.
///
/// Its `Debug` output never shows spend (see [`AccountStanding`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Customer {
    id: CustomerId,
    organisation: Box<str>,
    contacts: ContactBook,
    /// Account team, standing and components: boxed, and `None` while
    /// all are empty.
    account: Option<Box<AccountDetails>>,
    since: DateTime<Utc>,
}

/// What a customer may have beyond a name and contacts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct AccountDetails {
    account_team: BTreeMap<AgentId, Role>,
    standing: Option<AccountStanding>,
    components: BTreeSet<ComponentId>,
    #[serde(default, skip_serializing_if = "FieldValues::is_empty")]
    fields: FieldValues,
    /// The customer this one was merged into (a tombstone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    merged_into: Option<CustomerId>,
    /// The customers merged into this one.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    absorbed: BTreeSet<CustomerId>,
}

/// The account team of a customer who has none.
static NO_TEAM: BTreeMap<AgentId, Role> = BTreeMap::new();
/// The field values of a customer or contact with none.
pub(crate) static NO_FIELDS: FieldValues = FieldValues::EMPTY;
/// The components of a customer who runs on none.
static NO_COMPONENTS: BTreeSet<ComponentId> = BTreeSet::new();

impl Customer {
    /// Decides the registration of a new customer.
    ///
    /// # Errors
    /// [`CustomerError::Empty`] for a blank organisation name.
    pub fn register(
        id: CustomerId,
        organisation: impl Into<String>,
        now: DateTime<Utc>,
    ) -> Result<Vec<CustomerEvent>, CustomerError> {
        let organisation = non_empty(organisation.into(), "organisation name")?;
        Ok(vec![CustomerEvent {
            at: now,
            kind: CustomerEventKind::Registered { id, organisation },
        }])
    }

    /// The customer created by a `Registered` event.
    #[must_use]
    pub fn from_registered(event: &CustomerEvent) -> Option<Self> {
        match &event.kind {
            CustomerEventKind::Registered { id, organisation } => Some(Customer {
                id: *id,
                organisation: organisation.as_str().into(),
                contacts: ContactBook::default(),
                account: None,
                since: event.at,
            }),
            _ => None,
        }
    }

    /// Rebuilds a customer from its events.
    #[must_use]
    pub fn from_events(events: &[CustomerEvent]) -> Option<Self> {
        let (first, rest) = events.split_first()?;
        let mut c = Self::from_registered(first)?;
        for e in rest {
            c.apply(e);
        }
        Some(c)
    }

    /// Decides a command against this customer. Commands that would change
    /// nothing decide no events.
    ///
    /// # Errors
    /// [`CustomerError`] naming the contact, address or value at fault;
    /// [`CustomerError::NoConsent`] for personal details without consent;
    /// [`CustomerError::CustomerMerged`] for a customer merged into another.
    pub fn handle(
        &self,
        command: CustomerCommand,
        now: DateTime<Utc>,
    ) -> Result<Vec<CustomerEvent>, CustomerError> {
        use CustomerEventKind as K;
        if let Some(into) = self.merged_into_customer() {
            return Err(CustomerError::CustomerMerged {
                customer: self.id,
                into,
            });
        }
        let kind = match command {
            CustomerCommand::RenameOrganisation { name } => {
                let name = non_empty(name, "organisation name")?;
                (*name != *self.organisation).then_some(K::OrganisationRenamed { name })
            }
            CustomerCommand::AddContact {
                contact,
                name,
                addresses,
            } => {
                if self.contacts.contains_key(&contact) {
                    return Err(CustomerError::DuplicateContact {
                        customer: self.id,
                        contact,
                    });
                }
                let name = non_empty(name, "contact name")?;
                if addresses.is_empty() {
                    return Err(CustomerError::NoAddress(contact));
                }
                let mut clean: Vec<ChannelAddress> = Vec::with_capacity(addresses.len());
                for a in addresses {
                    let a = a.validated()?;
                    if !clean.contains(&a) {
                        clean.push(a);
                    }
                }
                Some(K::ContactAdded {
                    contact,
                    name,
                    addresses: clean,
                })
            }
            CustomerCommand::AddAddress { contact, address } => {
                let c = self.live_contact(contact)?;
                let address = address.validated()?;
                (!c.addresses.contains(&address)).then_some(K::AddressAdded { contact, address })
            }
            CustomerCommand::RemoveAddress { contact, address } => {
                let c = self.live_contact(contact)?;
                if !c.addresses.contains(&address) {
                    return Err(CustomerError::UnknownAddress { contact, address });
                }
                if c.addresses.len() == 1 {
                    return Err(CustomerError::LastAddress(contact));
                }
                Some(K::AddressRemoved { contact, address })
            }
            CustomerCommand::MarkUndeliverable {
                contact,
                address,
                reason,
            } => {
                let c = self.live_contact(contact)?;
                if !c.addresses.contains(&address) {
                    return Err(CustomerError::UnknownAddress { contact, address });
                }
                let reason = reason.trim().to_owned();
                if reason.is_empty() {
                    return Err(CustomerError::Empty {
                        what: "an undeliverable reason",
                    });
                }
                c.is_deliverable(&address)
                    .then_some(K::AddressUndeliverable {
                        contact,
                        address,
                        reason,
                    })
            }
            CustomerCommand::MarkDeliverable { contact, address } => {
                let c = self.live_contact(contact)?;
                if !c.addresses.contains(&address) {
                    return Err(CustomerError::UnknownAddress { contact, address });
                }
                (!c.is_deliverable(&address)).then_some(K::AddressDeliverable { contact, address })
            }
            CustomerCommand::DesignateContact { contact, role } => {
                let c = self.live_contact(contact)?;
                (!c.roles().contains(&role)).then_some(K::ContactDesignated { contact, role })
            }
            CustomerCommand::AssignAccountTeam { agent, role } => (self.account_team().get(&agent)
                != Some(&role))
            .then_some(K::AccountTeamAssigned { agent, role }),
            CustomerCommand::RecordConsent { contact, source } => {
                let c = self.live_contact(contact)?;
                c.consent()
                    .is_none()
                    .then_some(K::ConsentRecorded { contact, source })
            }
            CustomerCommand::WithdrawConsent { contact } => {
                let c = self.live_contact(contact)?;
                c.consent()
                    .is_some()
                    .then_some(K::ConsentWithdrawn { contact })
            }
            CustomerCommand::AddFamilyMember {
                contact,
                name,
                relation,
            } => {
                let c = self.consenting(contact)?;
                let name = non_empty(name, "family member name")?;
                let relation = match relation {
                    Relation::Other(r) => Relation::Other(non_empty(r, "relation")?),
                    r => r,
                };
                let member = FamilyMember { name, relation };
                (!c.profile().is_some_and(|p| p.family.contains(&member)))
                    .then_some(K::FamilyMemberAdded { contact, member })
            }
            CustomerCommand::AddInterest { contact, interest } => {
                let c = self.consenting(contact)?;
                let interest = Interest {
                    topic: non_empty(interest.topic, "interest topic")?,
                    detail: non_empty(interest.detail, "interest detail")?,
                };
                (!c.profile().is_some_and(|p| p.interests.contains(&interest)))
                    .then_some(K::InterestAdded { contact, interest })
            }
            CustomerCommand::SetAccountStanding { standing } => {
                standing.validate()?;
                (self.standing() != Some(standing)).then_some(K::AccountStandingSet { standing })
            }
            CustomerCommand::RunOn { component } => {
                (!self.components().contains(&component)).then_some(K::RunsOn { component })
            }
            CustomerCommand::StopRunningOn { component } => self
                .components()
                .contains(&component)
                .then_some(K::StoppedRunningOn { component }),
            CustomerCommand::SetField { key, value } => {
                (self.fields().get(&key) != Some(&value)).then_some(K::FieldSet { key, value })
            }
            CustomerCommand::ClearField { key } => self
                .fields()
                .get(&key)
                .is_some()
                .then_some(K::FieldCleared { key }),
            CustomerCommand::SetContactField {
                contact,
                key,
                value,
            } => (self.live_contact(contact)?.fields().get(&key) != Some(&value)).then_some(
                K::ContactFieldSet {
                    contact,
                    key,
                    value,
                },
            ),
            CustomerCommand::ClearContactField { contact, key } => self
                .live_contact(contact)?
                .fields()
                .get(&key)
                .is_some()
                .then_some(K::ContactFieldCleared { contact, key }),
            CustomerCommand::SetContactLocale { contact, locale } => {
                (self.live_contact(contact)?.locale() != locale.as_ref())
                    .then_some(K::ContactLocaleSet { contact, locale })
            }
        };
        Ok(kind
            .map(|kind| CustomerEvent { at: now, kind })
            .into_iter()
            .collect())
    }

    /// Folds an event into the customer.
    pub fn apply(&mut self, event: &CustomerEvent) {
        use CustomerEventKind as K;
        match &event.kind {
            K::Registered { .. } => {}
            K::OrganisationRenamed { name } => self.organisation = name.as_str().into(),
            K::ContactAdded {
                contact,
                name,
                addresses,
            } => {
                self.contacts.insert(
                    *contact,
                    Contact {
                        id: *contact,
                        name: name.as_str().into(),
                        addresses: addresses.as_slice().into(),
                        details: None,
                        erased: None,
                        merged_into: None,
                    },
                );
            }
            K::AddressAdded { contact, address } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    let mut all = std::mem::take(&mut c.addresses).into_vec();
                    all.push(address.clone());
                    c.addresses = all.into_boxed_slice();
                }
            }
            K::AddressRemoved { contact, address } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    let mut all = std::mem::take(&mut c.addresses).into_vec();
                    all.retain(|a| a != address);
                    c.addresses = all.into_boxed_slice();
                    if let Some(d) = c.details.as_mut() {
                        d.undeliverable.remove(address);
                    }
                    c.tidy();
                }
            }
            K::AddressUndeliverable {
                contact, address, ..
            } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().undeliverable.insert(address.clone());
                }
            }
            K::AddressDeliverable { contact, address } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().undeliverable.remove(address);
                    c.tidy();
                }
            }
            K::ContactDesignated { contact, role } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().roles.insert(*role);
                }
            }
            K::AccountTeamAssigned { agent, role } => {
                self.account_mut().account_team.insert(*agent, role.clone());
            }
            K::ConsentRecorded { contact, source } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().consent = Some(Consent {
                        given_at: event.at,
                        source: *source,
                    });
                }
            }
            K::ConsentWithdrawn { contact } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    if let Some(d) = c.details.as_mut() {
                        d.consent = None;
                        d.profile = PersonalProfile::default();
                    }
                    c.tidy();
                }
            }
            K::ContactErased { contact, scope } => {
                // The contacts merged into them are the same person.
                for id in std::iter::once(*contact).chain(self.merged_into(*contact)) {
                    if let Some(c) = self.contacts.get_mut(&id) {
                        c.erase(*scope);
                    }
                }
            }
            // The desk's areas fold it; the contact is erased already.
            K::ArchiveErased { .. } => {}
            K::ContactMerged {
                source,
                target,
                addresses,
            } => self.fold_merge(*source, *target, addresses),
            K::MergedInto { target, .. } => self.fold_merged_into(*target),
            K::Absorbed {
                source,
                fields,
                components,
                account_team,
                ..
            } => self.fold_absorbed(*source, fields, components, account_team),
            K::FamilyMemberAdded { contact, member } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().profile.family.push(member.clone());
                }
            }
            K::InterestAdded { contact, interest } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().profile.interests.push(interest.clone());
                }
            }
            K::AccountStandingSet { standing } => self.account_mut().standing = Some(*standing),
            K::RunsOn { component } => {
                self.account_mut().components.insert(component.clone());
            }
            K::StoppedRunningOn { component } => {
                if let Some(a) = self.account.as_mut() {
                    a.components.remove(component);
                }
                self.tidy_account();
            }
            K::FieldSet { key, value } => {
                self.account_mut().fields.insert(key.clone(), value.clone());
            }
            K::FieldCleared { key } => {
                if let Some(a) = self.account.as_mut() {
                    a.fields.remove(key);
                }
                self.tidy_account();
            }
            K::ContactFieldSet {
                contact,
                key,
                value,
            } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().fields.insert(key.clone(), value.clone());
                }
            }
            K::ContactFieldCleared { contact, key } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().fields.remove(key);
                    c.tidy();
                }
            }
            K::ContactLocaleSet { contact, locale } => {
                if let Some(c) = self.contacts.get_mut(contact) {
                    c.details_mut().locale.clone_from(locale);
                    c.tidy();
                }
            }
        }
    }

    /// The customer's id.
    #[must_use]
    pub fn id(&self) -> CustomerId {
        self.id
    }
    /// Organisation name.
    #[must_use]
    pub fn organisation(&self) -> &str {
        &self.organisation
    }
    /// When the account was registered.
    #[must_use]
    pub fn since(&self) -> DateTime<Utc> {
        self.since
    }
    /// One contact.
    #[must_use]
    pub fn contact(&self, id: ContactId) -> Option<&Contact> {
        self.contacts.get(&id)
    }
    /// Every contact, by id.
    pub fn contacts(&self) -> impl Iterator<Item = &Contact> {
        self.contacts.0.iter()
    }
    /// The employees on the account team and their parts.
    #[must_use]
    pub fn account_team(&self) -> &BTreeMap<AgentId, Role> {
        self.account.as_ref().map_or(&NO_TEAM, |a| &a.account_team)
    }

    /// The components the customer runs on.
    #[must_use]
    pub fn components(&self) -> &BTreeSet<ComponentId> {
        self.account
            .as_ref()
            .map_or(&NO_COMPONENTS, |a| &a.components)
    }

    /// Spend and tier, for the crate's own role-checked views only.
    pub(crate) fn standing(&self) -> Option<AccountStanding> {
        self.account.as_ref().and_then(|a| a.standing)
    }

    /// The customer's custom-field values (see [`crate::field`]).
    #[must_use]
    pub fn fields(&self) -> &FieldValues {
        self.account.as_ref().map_or(&NO_FIELDS, |a| &a.fields)
    }

    /// Drops the account details once nothing is left in them.
    fn tidy_account(&mut self) {
        if self
            .account
            .as_deref()
            .is_some_and(|a| *a == AccountDetails::default())
        {
            self.account = None;
        }
    }

    fn account_mut(&mut self) -> &mut AccountDetails {
        self.account.get_or_insert_with(Box::default)
    }

    fn contact_or_err(&self, contact: ContactId) -> Result<&Contact, CustomerError> {
        self.contacts
            .get(&contact)
            .ok_or(CustomerError::UnknownContact {
                customer: self.id,
                contact,
            })
    }

    fn consenting(&self, contact: ContactId) -> Result<&Contact, CustomerError> {
        let c = self.live_contact(contact)?;
        if c.consent().is_none() {
            return Err(CustomerError::NoConsent {
                customer: self.id,
                contact,
            });
        }
        Ok(c)
    }
}

fn non_empty(s: String, what: &'static str) -> Result<String, CustomerError> {
    let t = s.trim();
    if t.is_empty() {
        Err(CustomerError::Empty { what })
    } else {
        Ok(t.to_owned())
    }
}

#[cfg(test)]
mod tests;
