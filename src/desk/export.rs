//! Everything held about one person, for them: the export behind a
//! subject-access request.

#![allow(clippy::wildcard_imports)]

use std::collections::BTreeSet;

use serde::Serialize;

use super::*;
use crate::customer::{Consent, ContactRole, ErasureScope, PersonalProfile};
use crate::id::{InvitationId, PraiseId};
use crate::recognition::PraiseSource;
use crate::survey::Response;
use crate::ticket::Author;
use crate::view::CustomerTicketView;

/// Everything the desk holds about one person (a customer's contact), as
/// they may see it: their profile, addresses and consent, the tickets
/// they opened with their own messages and the public replies to them,
/// their survey answers, and the praise they gave. Never internal notes,
/// other people's messages, spend or crisis records.
///
/// Serialise it (it is `serde::Serialize`) to hand it over, for example
/// as JSON. See [`CustomersView::export`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PersonExport {
    /// The customer they are a contact of.
    pub customer: CustomerId,
    /// The customer's organisation name.
    pub organisation: String,
    /// Their id.
    pub contact: ContactId,
    /// Their name.
    pub name: String,
    /// Where they can be reached.
    pub addresses: Vec<ChannelAddress>,
    /// Their parts as the account's point of contact.
    pub roles: BTreeSet<ContactRole>,
    /// Their standing consent to keep personal details, if any.
    pub consent: Option<Consent>,
    /// Their personal details (only while consent stands).
    pub profile: Option<PersonalProfile>,
    /// How far they were erased, if they were.
    pub erased: Option<ErasureScope>,
    /// Their custom-field values (none once erased).
    #[serde(skip_serializing_if = "crate::field::FieldValues::is_empty")]
    pub fields: crate::field::FieldValues,
    /// Tickets they opened or wrote on, oldest first: their own entries,
    /// and on the tickets they opened the public replies by the desk.
    pub tickets: Vec<CustomerTicketView>,
    /// The surveys they were sent, and their answers.
    pub surveys: Vec<SurveyExport>,
    /// Praise they gave (through a survey of theirs, or from one of their
    /// social handles).
    pub praise: Vec<PraiseExport>,
}

/// A survey sent to the person, and their answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct SurveyExport {
    /// The invitation.
    pub invitation: InvitationId,
    /// Which survey.
    pub survey: String,
    /// The ticket it followed, if any.
    pub ticket: Option<TicketId>,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// When they answered, if they did.
    pub answered_at: Option<DateTime<Utc>>,
    /// Their answers.
    pub response: Option<Response>,
}

/// Praise the person gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PraiseExport {
    /// Its id.
    pub id: PraiseId,
    /// When it was received.
    pub at: DateTime<Utc>,
    /// Their words.
    pub text: String,
}

impl Desk {
    /// See [`CustomersView::export`].
    pub(crate) fn export_person(&self, contact: ContactId) -> Result<PersonExport, Error> {
        self.export_person_with(contact, None)
    }

    /// [`Desk::export_person`], with what the customer's archive holds
    /// about them (see [`CustomersView::export_with_archive`]).
    pub(crate) fn export_person_with(
        &self,
        contact: ContactId,
        archive: Option<&super::CustomerArchive>,
    ) -> Result<PersonExport, Error> {
        let unknown = || DeskError::UnknownContact(contact);
        let customer = self
            .state
            .customers
            .customer_of(contact)
            .and_then(|id| self.customer(id))
            .ok_or_else(unknown)?;
        let person = customer.contact(contact).ok_or_else(unknown)?;
        let archived = archive
            .filter(|a| a.customer() == customer.id())
            .into_iter();
        let mut tickets: Vec<&Ticket> = self
            .state
            .tickets
            .of_customer(customer.id())
            .chain(archived.clone().flat_map(super::CustomerArchive::tickets))
            .filter(|t| {
                t.requester() == Some(contact)
                    || t.conversation()
                        .iter()
                        .any(|e| e.author == Author::Contact(contact))
            })
            .collect();
        tickets.sort_by_key(|t| (t.opened_at(), t.id()));
        let tickets = tickets
            .into_iter()
            .map(|t| {
                let theirs = t.requester() == Some(contact);
                let mut view = CustomerTicketView::from_ticket(t);
                // Their own words; the desk's public replies on tickets
                // they opened; never another contact's messages.
                view.conversation.retain(|e| match e.author {
                    Author::Contact(c) => c == contact,
                    Author::Agent(_) | Author::System => theirs,
                });
                if theirs {
                    view.ccs = self.shown_ccs(t);
                } else {
                    // Another contact's words, and whom they copied.
                    view.subject = self.text_for(
                        customer.id(),
                        contact,
                        crate::template::TemplateName::ExportOtherTicket,
                        &[],
                    );
                    view.ccs.clear();
                }
                view
            })
            .collect();
        let mut surveys: Vec<SurveyExport> = self
            .state
            .surveys
            .iter()
            .chain(archived.flat_map(|a| a.surveys().iter()))
            .filter(|r| r.invitation.contact == contact)
            .map(|r| SurveyExport {
                invitation: r.invitation.id,
                survey: r.invitation.survey.clone(),
                ticket: r.invitation.ticket,
                sent_at: r.invitation.sent_at,
                answered_at: r.answered.as_ref().map(|(at, _)| *at),
                response: r.answered.as_ref().map(|(_, response)| response.clone()),
            })
            .collect();
        surveys.sort_by_key(|s| (s.sent_at, s.invitation));
        let invitations: BTreeSet<InvitationId> = surveys.iter().map(|s| s.invitation).collect();
        let handles: Vec<(&crate::channel::SocialNetwork, &str)> = person
            .addresses()
            .iter()
            .filter_map(|a| match a {
                ChannelAddress::Social { network, handle } => Some((network, handle.as_str())),
                _ => None,
            })
            .collect();
        let praise = self
            .state
            .recognition
            .praises()
            .map(|r| &r.praise)
            .filter(|p| match &p.source {
                PraiseSource::Survey { invitation } => invitations.contains(invitation),
                PraiseSource::Social { network, handle } => {
                    p.customer == Some(customer.id())
                        && handles.contains(&(network, handle.as_str()))
                }
                PraiseSource::TicketReply | PraiseSource::PhoneNote => false,
            })
            .map(|p| PraiseExport {
                id: p.id,
                at: p.at,
                text: p.text.clone(),
            })
            .collect();
        Ok(PersonExport {
            customer: customer.id(),
            organisation: customer.organisation().to_owned(),
            contact,
            name: person.name().to_owned(),
            addresses: person.addresses().to_vec(),
            roles: person.roles().clone(),
            consent: person.consent().cloned(),
            profile: person.profile().cloned(),
            erased: person.erased(),
            fields: person.fields().clone(),
            tickets,
            surveys,
            praise,
        })
    }
}
