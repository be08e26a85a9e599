//! Personal details that make service personal, and the money that must not
//! change how anyone is treated.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::id::{AgentId, ContactId};

/// How a family member relates to the contact.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// Husband, wife or spouse.
    Spouse,
    /// Partner.
    Partner,
    /// Son or daughter.
    Child,
    /// Mother or father.
    Parent,
    /// Brother or sister.
    Sibling,
    /// A pet is family too.
    Pet,
    /// Anything else, in the contact's words.
    Other(String),
}

impl fmt::Display for Relation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Relation::Spouse => f.write_str("spouse"),
            Relation::Partner => f.write_str("partner"),
            Relation::Child => f.write_str("child"),
            Relation::Parent => f.write_str("parent"),
            Relation::Sibling => f.write_str("sibling"),
            Relation::Pet => f.write_str("pet"),
            Relation::Other(s) => f.write_str(s),
        }
    }
}

/// A member of a contact's family, remembered with consent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FamilyMember {
    /// Their name.
    pub name: String,
    /// How they relate to the contact.
    pub relation: Relation,
}

/// Something a contact cares about: "favourite team" → "San Antonio Spurs".
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Interest {
    /// What kind of interest, for example `favourite team` or `hobby`.
    pub topic: String,
    /// The interest itself.
    pub detail: String,
}

/// The personal side of a contact: only ever written after consent, erased
/// when consent is withdrawn.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalProfile {
    /// Family members' names and relations.
    pub family: Vec<FamilyMember>,
    /// Interests.
    pub interests: Vec<Interest>,
}

impl PersonalProfile {
    /// True when nothing personal is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.family.is_empty() && self.interests.is_empty()
    }
}

/// Who recorded a consent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "by", content = "id", rename_all = "snake_case")]
pub enum ConsentSource {
    /// The contact gave it themselves (portal, email link).
    Contact(ContactId),
    /// An agent recorded the contact's spoken consent.
    Agent(AgentId),
}

/// A standing consent to keep personal details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consent {
    /// When it was given.
    pub given_at: DateTime<Utc>,
    /// Who recorded it.
    pub source: ConsentSource,
}

/// An ISO 4217 currency code such as `USD`. Its `Debug` is `Currency(USD)`.
///
/// [`Currency::new`] accepts only ISO 4217 codes, and so does setting an
/// account's standing. Reading a stored or configured amount accepts any
/// three letters (amounts recorded before codes were checked must still
/// read); [`Currency::is_iso`] tells them apart.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// A currency from its ISO 4217 code (case-insensitive). Codes ISO
    /// has since withdrawn (HRK, replaced by EUR) are kept, so amounts
    /// recorded in them still read.
    ///
    /// # Errors
    /// [`super::CustomerError::InvalidCurrency`] unless it is an ISO 4217
    /// code.
    ///
    /// # Example
    /// ```
    /// use fanatical::customer::{Currency, CustomerError};
    ///
    /// assert_eq!(Currency::new("jpy")?.minor_unit(), 0);
    /// assert_eq!(Currency::new("BHD")?.minor_unit(), 3);
    /// assert_eq!(Currency::new("ABC"), Err(CustomerError::InvalidCurrency("ABC".into())));
    /// # Ok::<(), CustomerError>(())
    /// ```
    pub fn new(code: &str) -> Result<Self, super::CustomerError> {
        let unknown = || super::CustomerError::InvalidCurrency(code.to_owned());
        let upper = code.trim().to_ascii_uppercase();
        iso_currency::Currency::from_code(&upper).ok_or_else(unknown)?;
        match upper.as_bytes() {
            [a, b, c] => Ok(Currency([*a, *b, *c])),
            _ => Err(unknown()),
        }
    }

    /// Whether the code is an ISO 4217 code (current or withdrawn).
    #[must_use]
    pub fn is_iso(&self) -> bool {
        iso_currency::Currency::from_code(self.code()).is_some()
    }

    /// The code, such as `USD`.
    #[must_use]
    pub fn code(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// How many decimal places its minor unit is: 2 for USD (cents), 0
    /// for JPY, 3 for BHD. Units with none in ISO 4217 (gold, special
    /// drawing rights, the testing code XTS) count in whole units: 0.
    #[must_use]
    pub fn minor_unit(&self) -> u32 {
        iso_currency::Currency::from_code(self.code())
            .and_then(iso_currency::Currency::exponent)
            .map_or(0, u32::from)
    }
}

/// Reading: any three ASCII letters, so amounts stored before codes were
/// checked still read (see [`Currency::is_iso`]).
impl TryFrom<String> for Currency {
    type Error = super::CustomerError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let upper = value.trim().to_ascii_uppercase();
        match upper.as_bytes() {
            [a, b, c] if [a, b, c].iter().all(|x| x.is_ascii_uppercase()) => {
                Ok(Currency([*a, *b, *c]))
            }
            _ => Err(super::CustomerError::InvalidCurrency(value)),
        }
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> Self {
        c.to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({self})")
    }
}

/// An amount of money in the currency's minor unit (cents for USD, yen
/// for JPY, fils for BHD). It shows with as many decimals as that unit
/// has.
///
/// # Example
/// ```
/// use fanatical::customer::{Currency, Money};
///
/// let money = |minor, code| Money { minor, currency: Currency::new(code).unwrap() };
/// assert_eq!(money(123_456, "USD").to_string(), "1234.56 USD");
/// assert_eq!(money(123_456, "JPY").to_string(), "123456 JPY");
/// assert_eq!(money(-123_456, "BHD").to_string(), "-123.456 BHD");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Amount in minor units: 1000 is ten dollars, or a thousand yen.
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.minor < 0 { "-" } else { "" };
        let abs = self.minor.unsigned_abs();
        let places = self.currency.minor_unit();
        match 10_u64.checked_pow(places) {
            Some(unit) if places > 0 => {
                let width = usize::try_from(places).unwrap_or(0);
                write!(
                    f,
                    "{sign}{}.{:0width$} {}",
                    abs / unit,
                    abs % unit,
                    self.currency
                )
            }
            _ => write!(f, "{sign}{abs} {}", self.currency),
        }
    }
}

/// A commercial tier. Like spend, hidden from agent-facing views.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// Self-service and small accounts.
    Standard,
    /// Mid-sized accounts.
    Business,
    /// Large accounts.
    Enterprise,
}

/// Spend and tier: what billing and account management need, and what an
/// agent must never see ("agents see the customer, not the invoice").
///
/// Its `Debug` output is redacted so it cannot leak into logs.
#[derive(Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStanding {
    /// Monthly recurring spend.
    pub monthly_spend: Money,
    /// Commercial tier.
    pub tier: Tier,
}

impl AccountStanding {
    /// The most monthly spend the desk accepts, in minor units: 10^14, a
    /// trillion in major units, above any real monthly contract in any
    /// currency. More is a typo or bad data, and credits computed from it
    /// would be absurd.
    pub const MAX_MONTHLY_SPEND_MINOR: i64 = 100_000_000_000_000;

    /// The most monthly spend the desk accepts in `currency`
    /// ([`AccountStanding::MAX_MONTHLY_SPEND_MINOR`] of its minor unit).
    #[must_use]
    pub fn max_monthly_spend(currency: Currency) -> Money {
        Money {
            minor: Self::MAX_MONTHLY_SPEND_MINOR,
            currency,
        }
    }

    /// Checks the spend: an ISO 4217 currency, from zero to
    /// [`AccountStanding::MAX_MONTHLY_SPEND_MINOR`].
    ///
    /// # Errors
    /// [`super::CustomerError::InvalidCurrency`],
    /// [`super::CustomerError::NegativeSpend`],
    /// [`super::CustomerError::SpendAboveLimit`].
    ///
    /// ```
    /// use fanatical::customer::{AccountStanding, Currency, CustomerError, Money, Tier};
    /// let usd = Currency::new("USD")?;
    /// let at = |minor| AccountStanding { monthly_spend: Money { minor, currency: usd }, tier: Tier::Business };
    /// assert!(at(AccountStanding::MAX_MONTHLY_SPEND_MINOR).validate().is_ok());
    /// assert!(matches!(at(-1).validate(), Err(CustomerError::NegativeSpend(_))));
    /// assert!(matches!(at(AccountStanding::MAX_MONTHLY_SPEND_MINOR + 1).validate(),
    ///     Err(CustomerError::SpendAboveLimit(_))));
    /// # Ok::<(), CustomerError>(())
    /// ```
    pub fn validate(&self) -> Result<(), super::CustomerError> {
        let spend = self.monthly_spend;
        if !spend.currency.is_iso() {
            return Err(super::CustomerError::InvalidCurrency(
                spend.currency.code().to_owned(),
            ));
        }
        if spend.minor < 0 {
            return Err(super::CustomerError::NegativeSpend(spend));
        }
        if spend.minor > Self::MAX_MONTHLY_SPEND_MINOR {
            return Err(super::CustomerError::SpendAboveLimit(spend));
        }
        Ok(())
    }
}

impl fmt::Debug for AccountStanding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccountStanding(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currency_debug_reads_as_its_code() {
        let usd = Currency::new("usd").unwrap();
        assert_eq!(format!("{usd:?}"), "Currency(USD)");
        let price = Money {
            minor: 1000,
            currency: usd,
        };
        assert_eq!(
            format!("{price:?}"),
            "Money { minor: 1000, currency: Currency(USD) }"
        );
    }
}
