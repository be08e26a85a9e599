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
/// // A custom role may not take a built-in role's name, or one like it.
/// assert!(RoleName::new("Admin").is_err());
/// assert!(RoleName::new("team-lead").is_err());
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
/// control characters, and not a name that could be taken for a built-in
/// role's. Names are compared by their skeleton: case folded, every
/// character that is not a letter or digit left out (spaces of any kind,
/// `_`, `-`, `.`, zero-width characters), accents taken off, and the
/// look-alikes of Latin letters read as the letters they look like
/// (Cyrillic and Greek letters such as `а` and `ο`, full-width forms,
/// `0` for `o`, `1`, `l` and `|` for `i`, `rn` for `m`). So `"Team_Lead"`,
/// `"team-lead"`, `"TeamLead"`, `"ADM1N"` and `"аdmin"` (with a Cyrillic
/// `а`) are all taken.
///
/// ```
/// use fanatical::agent::{AgentError, Role, RoleName};
///
/// assert!(RoleName::new("tier 2").is_ok());
/// assert_eq!(
///     RoleName::new("Team_Lead"),
///     Err(AgentError::RoleNameTaken { name: "Team_Lead".into(), role: Role::TeamLead })
/// );
/// assert!(RoleName::new("\u{0430}dmin").is_err()); // Cyrillic а
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleName(String);

impl RoleName {
    /// A custom role's name.
    ///
    /// # Errors
    /// [`AgentError::InvalidRoleName`] for a blank or over-long name or a
    /// control character; [`AgentError::RoleNameTaken`] for a name whose
    /// skeleton is a built-in role's (see [`RoleName`]), naming the name
    /// and the role.
    pub fn new(name: impl AsRef<str>) -> Result<Self, AgentError> {
        let raw = name.as_ref();
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(AgentError::InvalidRoleName(raw.to_owned()));
        }
        let key = skeleton(name);
        if let Some(role) = Role::BUILT_IN
            .iter()
            .find(|r| skeleton(&r.to_string()) == key)
        {
            return Err(AgentError::RoleNameTaken {
                name: raw.to_owned(),
                role: role.clone(),
            });
        }
        Ok(RoleName(name.to_owned()))
    }

    /// The name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What two role names are compared by: lower case, letters and digits
/// only, look-alikes read as the Latin letters they look like (see
/// [`RoleName`]).
fn skeleton(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        // Full-width forms of ASCII are ASCII.
        let c = match u32::from(c) {
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        for c in c.to_lowercase() {
            let c = look_alike(c);
            if c.is_alphanumeric() {
                out.push(c);
            }
        }
    }
    out.replace("rn", "m").replace("vv", "w")
}

/// The Latin letter `c` (lower case) is taken for, or `c` itself.
fn look_alike(c: char) -> char {
    match c {
        // Digits and signs read as letters.
        '0' => 'o',
        '1' | 'l' | '|' | '!' | 'ı' | 'ℓ' | 'ɩ' => 'i',
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        // Accented Latin letters.
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è'..='ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì'..='ï' | 'ī' | 'į' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ù'..='ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        // Cyrillic look-alikes.
        'а' => 'a',
        'в' | 'ь' => 'b',
        'с' => 'c',
        'ԁ' => 'd',
        'е' | 'ё' => 'e',
        'һ' => 'h',
        'і' | 'ї' => 'i',
        'ј' => 'j',
        'к' => 'k',
        'м' => 'm',
        'п' | 'ո' => 'n',
        'о' => 'o',
        'р' => 'p',
        'ѕ' => 's',
        'т' => 't',
        'у' => 'y',
        'х' => 'x',
        // Greek look-alikes.
        'α' => 'a',
        'β' => 'b',
        'ε' => 'e',
        'η' => 'n',
        'ι' => 'i',
        'κ' => 'k',
        'ν' => 'v',
        'ο' => 'o',
        'ρ' => 'p',
        'τ' => 't',
        'υ' => 'u',
        'χ' => 'x',
        // Latin letters of other alphabets' shapes.
        'ɡ' => 'g',
        'ɑ' => 'a',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_like_a_built_in_role_are_taken() {
        for (name, role) in [
            ("Admin", Role::Admin),
            (" team lead ", Role::TeamLead),
            ("Team_Lead", Role::TeamLead),
            ("team-lead", Role::TeamLead),
            ("TeamLead", Role::TeamLead),
            ("team  lead", Role::TeamLead),
            ("team\u{a0}lead", Role::TeamLead),
            ("team.lead", Role::TeamLead),
            ("te\u{200b}am lead", Role::TeamLead),
            ("ADM1N", Role::Admin),
            ("\u{0430}dmin", Role::Admin),
            ("ａｄｍｉｎ", Role::Admin),
            ("Ádmin", Role::Admin),
            ("adrnin", Role::Admin),
            ("light_agent", Role::LightAgent),
            ("Safety-Responder", Role::SafetyResponder),
            ("\u{0430}ccount manager", Role::AccountManager),
            ("Executive.", Role::Executive),
            ("bi11ing", Role::Billing),
            ("mаnаger", Role::Manager),
            ("Agent", Role::Agent),
        ] {
            assert_eq!(
                RoleName::new(name),
                Err(AgentError::RoleNameTaken {
                    name: name.to_owned(),
                    role
                }),
                "{name:?}"
            );
        }
    }

    #[test]
    fn names_of_their_own_are_kept_as_given() {
        for name in [
            "tier 2",
            "Team lead (EMEA)",
            "agents",
            "QA reviewer",
            "admin 2",
            "Billing Ops",
        ] {
            assert_eq!(
                RoleName::new(name).map(|n| n.as_str().to_owned()),
                Ok(name.to_owned())
            );
        }
        assert_eq!(
            RoleName::new("   "),
            Err(AgentError::InvalidRoleName("   ".into()))
        );
    }

    #[test]
    fn a_look_alike_is_refused_when_read_from_the_record_too() {
        let read: Result<Role, _> = serde_json::from_str("\"custom:Team_Lead\"");
        assert!(read.is_err());
        let read: Result<Role, _> = serde_json::from_str("\"custom:tier 2\"");
        assert!(read.is_ok());
    }
}

validated_string!(RoleName, AgentError);
