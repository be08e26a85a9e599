//! The customer area's deciding: accounts, contacts and their addresses.

#![allow(clippy::wildcard_imports)]

use super::*;

impl Desk {
    pub(super) fn decide_customer(
        &self,
        d: &mut Drafts,
        action: CustomerAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        match action {
            CustomerAction::Register { id, organisation } => {
                let stream = self.fresh(StreamId::Customer(id))?;
                let events = Customer::register(id, organisation, now)?;
                d.push(stream, events.into_iter().map(Event::Customer));
            }
            CustomerAction::Update { customer, command } => {
                let c = self.customer_or_err(customer)?;
                // Setting spend tells whether it changed: an agent doing it
                // must be one who may see it (integrations are billing).
                if let (CustomerCommand::SetAccountStanding { .. }, Some(agent)) =
                    (&command, d.actor().agent())
                    && !self.active_agent(agent)?.sees_spend()
                {
                    return Err(crate::view::ViewError::Forbidden {
                        agent,
                        what: "spend and tier",
                        needed: "account manager, billing, executive",
                    }
                    .into());
                }
                self.check_customer_command(c, &command)?;
                let events = c.handle(command, now)?;
                d.push(
                    StreamId::Customer(customer),
                    events.into_iter().map(Event::Customer),
                );
            }
        }
        Ok(())
    }

    pub(super) fn check_address_free(
        &self,
        address: &ChannelAddress,
        owner: (CustomerId, ContactId),
    ) -> Result<(), DeskError> {
        match self.state.customers.find_contact(address) {
            Some(ContactRef { customer, contact }) if (customer, contact) != owner => {
                Err(DeskError::AddressInUse {
                    address: address.clone(),
                    customer,
                    contact,
                })
            }
            _ => Ok(()),
        }
    }

    /// Checks a customer command's references to the rest of the desk.
    pub(super) fn check_customer_command(
        &self,
        c: &Customer,
        command: &CustomerCommand,
    ) -> Result<(), Error> {
        match command {
            CustomerCommand::AddContact {
                contact, addresses, ..
            } => {
                for a in addresses {
                    let a = a.clone().validated()?;
                    self.check_address_free(&a, (c.id(), *contact))?;
                }
            }
            CustomerCommand::AddAddress { contact, address } => {
                let a = address.clone().validated()?;
                self.check_address_free(&a, (c.id(), *contact))?;
            }
            CustomerCommand::AssignAccountTeam { agent, .. } => {
                self.active_agent(*agent)?;
            }
            CustomerCommand::RecordConsent { contact, source } => match source {
                ConsentSource::Agent(a) => {
                    self.active_agent(*a)?;
                }
                ConsentSource::Contact(given_by) if given_by != contact => {
                    return Err(DeskError::ConsentByOtherContact {
                        contact: *contact,
                        given_by: *given_by,
                    }
                    .into());
                }
                ConsentSource::Contact(_) => {}
            },
            CustomerCommand::RunOn { component } => {
                self.config.incidents.components.check(component)?;
            }
            _ => {}
        }
        Ok(())
    }
}
