//! Roles: what an employee is, for what the permission table lets them do.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::AgentError;

/// What an employee is, for what they may do: an agent can hold several
/// roles, and the desk's [`PermissionTable`](crate::permission::PermissionTable)
/// says which permissions each role grants. The built-in roles are the
/// ones support teams recognise; [`Role::Custom`] names a role of your own.
///
/// ```
/// use fanatical::agent::{Role, RoleName};
///
/// assert_eq!(Role::LightAgent.to_string(), "light agent");
/// let tier2 = Role::Custom(RoleName::new(" Tier 2 ")?);
/// assert_eq!(tier2.to_string(), "Tier 2");
/// // A custom role may not take a built-in role's name.
/// assert!(RoleName::new("Admin").is_err());
/// # Ok::<(), fanatical::agent::AgentError>(())
/// ```
///
/// Serialised as one string: the built-in roles by their snake-case names
/// (`"team_lead"`), a custom role as `"custom:<name>"`, so a role can key a
/// map in any format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
#[non_exhaustive]
pub enum Role {
    /// Front-line support.
    Agent,
    /// Leads a team.
    TeamLead,
    /// Manages people.
    Manager,
    /// Owns customer accounts; sees spend.
    AccountManager,
    /// Billing; sees spend.
    Billing,
    /// Senior leadership, up to the CEO; sees spend.
    Executive,
    /// Trained to respond to a person in crisis; the only role that sees
    /// crisis details.
    SafetyResponder,
    /// Reads tickets and adds internal notes, nothing customers see
    /// (Zendesk's light agent: a colleague from another department).
    LightAgent,
    /// Runs the desk: people, roles and permissions, configuration.
    Admin,
    /// A role of your own, granted what the permission table says.
    Custom(RoleName),
}

impl Role {
    /// The built-in roles, in order.
    pub const BUILT_IN: [Role; 9] = [
        Role::Agent,
        Role::LightAgent,
        Role::TeamLead,
        Role::Manager,
        Role::Admin,
        Role::AccountManager,
        Role::Billing,
        Role::Executive,
        Role::SafetyResponder,
    ];

    /// Whether this role sees a customer's spend and tier under the
    /// default permission table. What a desk shows follows its own table
    /// ([`crate::permission::PermissionTable::defaults`] grants
    /// [`crate::permission::Permission::ViewSpend`] to these roles).
    #[must_use]
    pub fn sees_spend(&self) -> bool {
        matches!(self, Role::AccountManager | Role::Billing | Role::Executive)
    }
}

impl Role {
    fn serial(&self) -> &str {
        match self {
            Role::Agent => "agent",
            Role::TeamLead => "team_lead",
            Role::Manager => "manager",
            Role::AccountManager => "account_manager",
            Role::Billing => "billing",
            Role::Executive => "executive",
            Role::SafetyResponder => "safety_responder",
            Role::LightAgent => "light_agent",
            Role::Admin => "admin",
            Role::Custom(name) => name.as_str(),
        }
    }
}

impl From<Role> for String {
    fn from(role: Role) -> String {
        match &role {
            Role::Custom(name) => format!("custom:{name}"),
            other => other.serial().to_owned(),
        }
    }
}

impl TryFrom<String> for Role {
    type Error = AgentError;
    fn try_from(s: String) -> Result<Self, AgentError> {
        if let Some(name) = s.strip_prefix("custom:") {
            return RoleName::new(name).map(Role::Custom);
        }
        Role::BUILT_IN
            .iter()
            .find(|r| r.serial() == s)
            .cloned()
            .ok_or(AgentError::InvalidRoleName(s))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Agent => "agent",
            Role::TeamLead => "team lead",
            Role::Manager => "manager",
            Role::AccountManager => "account manager",
            Role::Billing => "billing",
            Role::Executive => "executive",
            Role::SafetyResponder => "safety responder",
            Role::LightAgent => "light agent",
            Role::Admin => "admin",
            Role::Custom(name) => name.as_str(),
        })
    }
}

/// The name of a custom role: 1 to 64 characters after trimming, no
/// control characters, and not a built-in role's name (compared without
/// case, with `_` read as a space: `"Team_Lead"` is taken).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleName(String);

impl RoleName {
    /// A custom role's name.
    ///
    /// # Errors
    /// [`AgentError::InvalidRoleName`] for a blank or over-long name, a
    /// control character, or a built-in role's name.
    pub fn new(name: impl AsRef<str>) -> Result<Self, AgentError> {
        let raw = name.as_ref();
        let name = raw.trim();
        let folded = name.to_lowercase().replace('_', " ");
        let taken = Role::BUILT_IN.iter().any(|r| r.to_string() == folded);
        if name.is_empty()
            || name.chars().count() > 64
            || name.chars().any(char::is_control)
            || taken
        {
            return Err(AgentError::InvalidRoleName(raw.to_owned()));
        }
        Ok(RoleName(name.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

validated_string!(RoleName, AgentError);
