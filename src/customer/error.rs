//! Why a customer command was refused.

use super::{AccountStanding, ErasureScope, Money};
use crate::channel::{ChannelAddress, ChannelError};
use crate::id::{ContactId, CustomerId};

/// Why a customer command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CustomerError {
    /// A required name was blank.
    #[error("{what} must not be empty")]
    Empty {
        /// Which field.
        what: &'static str,
    },
    /// The contact is not one of this customer's.
    #[error("customer {customer} has no contact {contact}")]
    UnknownContact {
        /// The customer.
        customer: CustomerId,
        /// The contact asked for.
        contact: ContactId,
    },
    /// The contact id is already used by this customer.
    #[error("customer {customer} already has contact {contact}")]
    DuplicateContact {
        /// The customer.
        customer: CustomerId,
        /// The contact id.
        contact: ContactId,
    },
    /// Personal details need the contact's consent first.
    #[error("no consent recorded for contact {contact} of customer {customer}")]
    NoConsent {
        /// The customer.
        customer: CustomerId,
        /// The contact.
        contact: ContactId,
    },
    /// The address is not one of the contact's.
    #[error("contact {contact} has no address {address}")]
    UnknownAddress {
        /// The contact.
        contact: ContactId,
        /// The address.
        address: ChannelAddress,
    },
    /// A contact must keep at least one way to be reached.
    #[error("contact {0} would have no address left")]
    LastAddress(ContactId),
    /// A contact is added with no way to reach them.
    #[error("contact {0} needs at least one address")]
    NoAddress(ContactId),
    /// The contact was erased: nothing more is recorded about them.
    #[error("contact {contact} of customer {customer} is erased")]
    ContactErased {
        /// The customer.
        customer: CustomerId,
        /// The contact.
        contact: ContactId,
    },
    /// The contact is already erased at least this far.
    #[error("contact {contact} of customer {customer} is already erased ({scope})")]
    AlreadyErased {
        /// The customer.
        customer: CustomerId,
        /// The contact.
        contact: ContactId,
        /// How far they were erased.
        scope: ErasureScope,
    },
    /// A currency code that is not an ISO 4217 code.
    #[error("invalid currency code {0:?}: not an ISO 4217 code")]
    InvalidCurrency(String),
    /// A negative monthly spend.
    #[error("monthly spend must not be negative (got {0})")]
    NegativeSpend(Money),
    /// A monthly spend above [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`].
    #[error(
        "monthly spend must be at most {max} a month (got {0})",
        max = AccountStanding::max_monthly_spend(.0.currency)
    )]
    SpendAboveLimit(Money),
    /// A bad channel address.
    #[error(transparent)]
    Channel(#[from] ChannelError),
    /// A contact merged into itself.
    #[error("contact {contact} of customer {customer} cannot be merged into itself")]
    MergeIntoItself {
        /// The customer.
        customer: CustomerId,
        /// The contact.
        contact: ContactId,
    },
    /// The contact was merged into another: commands name that one.
    #[error("contact {contact} of customer {customer} was merged into contact {into}")]
    ContactMerged {
        /// The customer.
        customer: CustomerId,
        /// The contact named.
        contact: ContactId,
        /// The contact it was merged into.
        into: ContactId,
    },
    /// A customer merged into itself.
    #[error("customer {0} cannot be merged into itself")]
    MergeCustomerIntoItself(CustomerId),
    /// The customer was merged into another: commands name that one.
    #[error("customer {customer} was merged into customer {into}")]
    CustomerMerged {
        /// The customer named.
        customer: CustomerId,
        /// The customer it was merged into.
        into: CustomerId,
    },
    /// The source of a customer merge has an account standing (spend and
    /// tier) that the target, the account of record, does not have as it
    /// is: set the target's standing first (spend is not summed).
    #[error(
        "customer {from} has an account standing that customer {into} does not: set the target's standing first"
    )]
    StandingDiffers {
        /// The customer merged away.
        from: CustomerId,
        /// The customer it would become.
        into: CustomerId,
    },
    /// Both customers of a merge hold a contact with this id.
    #[error("contact {contact} is a contact of both customer {from} and customer {into}")]
    ContactInBoth {
        /// The contact.
        contact: ContactId,
        /// The customer merged away.
        from: CustomerId,
        /// The customer it would become.
        into: CustomerId,
    },
}
