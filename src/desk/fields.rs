//! The desk and custom fields: configuration commands, and checking the
//! values set on tickets, customers and contacts (and carried by inbound
//! messages) against the catalog and the forms.

use chrono::{DateTime, Utc};

use super::{Desk, Drafts};
use crate::customer::CustomerCommand;
use crate::error::Error;
use crate::event::{Event, StreamId};
use crate::field::{FieldError, FieldObject, FieldValues};
use crate::form::{FieldAction, FieldConfig};
use crate::ticket::{Status, Ticket, TicketCommand, TicketType};

impl Desk {
    /// The custom-field configuration: the catalog and the forms.
    #[must_use]
    pub fn fields(&self) -> &FieldConfig {
        &self.state.fields
    }

    /// Decides a configuration change, recorded on the fields stream with
    /// its actor.
    pub(super) fn decide_fields(
        &self,
        d: &mut Drafts,
        action: FieldAction,
        now: DateTime<Utc>,
    ) -> Result<(), Error> {
        let events = self.state.fields.handle(action, now)?;
        d.push(StreamId::Fields, events.into_iter().map(Event::Fields));
        Ok(())
    }

    /// A ticket command with its field value checked (and kept as the
    /// catalog keeps it), and a solve checked against the type's form.
    pub(super) fn checked_ticket_command(
        &self,
        t: &Ticket,
        command: TicketCommand,
    ) -> Result<TicketCommand, Error> {
        let config = &self.state.fields;
        Ok(match command {
            TicketCommand::SetField { key, value } => {
                let value = config.check_ticket(t.ticket_type(), &key, value)?;
                TicketCommand::SetField { key, value }
            }
            TicketCommand::ClearField { key } => {
                config.check_clear(FieldObject::Ticket, &key)?;
                TicketCommand::ClearField { key }
            }
            TicketCommand::SetStatus(Status::Solved) if t.status() != Status::Solved => {
                let missing = config.missing_before_solve(t.ticket_type(), t.fields());
                if !missing.is_empty() {
                    return Err(FieldError::RequiredMissing {
                        ticket: t.id(),
                        fields: missing,
                    }
                    .into());
                }
                command
            }
            other => other,
        })
    }

    /// A customer command with its field value checked against the
    /// catalog (customer fields on the customer, contact fields on a
    /// contact).
    pub(super) fn checked_customer_fields(
        &self,
        command: CustomerCommand,
    ) -> Result<CustomerCommand, FieldError> {
        let catalog = self.state.fields.catalog();
        Ok(match command {
            CustomerCommand::SetField { key, value } => {
                let value = catalog.check(FieldObject::Customer, &key, value)?;
                CustomerCommand::SetField { key, value }
            }
            CustomerCommand::SetContactField {
                contact,
                key,
                value,
            } => {
                let value = catalog.check(FieldObject::Contact, &key, value)?;
                CustomerCommand::SetContactField {
                    contact,
                    key,
                    value,
                }
            }
            CustomerCommand::ClearField { key } => {
                self.state.fields.check_clear(FieldObject::Customer, &key)?;
                CustomerCommand::ClearField { key }
            }
            CustomerCommand::ClearContactField { contact, key } => {
                self.state.fields.check_clear(FieldObject::Contact, &key)?;
                CustomerCommand::ClearContactField { contact, key }
            }
            other => other,
        })
    }

    /// Field values for a ticket being opened as `ticket_type`, checked.
    pub(super) fn checked_ticket_fields(
        &self,
        ticket_type: TicketType,
        values: FieldValues,
    ) -> Result<FieldValues, FieldError> {
        values
            .iter()
            .map(|(k, v)| {
                let v = self.state.fields.check_ticket(ticket_type, k, v.clone())?;
                Ok((k.clone(), v))
            })
            .collect()
    }
}
