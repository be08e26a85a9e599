//! The components incidents name, as a forest, and the states a status
//! page shows for each.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::IncidentError;
use crate::id::ComponentId;

/// One component in the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentSpec {
    /// Display name ("Cloud Servers, DFW").
    pub name: String,
    /// The component it is part of (a service in a datacenter), whose
    /// incidents affect it too.
    #[serde(default)]
    pub parent: Option<ComponentId>,
}

/// A component of a [`ComponentCatalog`], with its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Component<'a> {
    /// Its id.
    pub id: &'a ComponentId,
    /// What the catalog says of it.
    pub spec: &'a ComponentSpec,
}

/// The components incidents can name, as a forest: an incident on a
/// datacenter affects every component inside it.
///
/// ```
/// use fanatical::id::ComponentId;
/// use fanatical::incident::ComponentCatalog;
/// let dfw = ComponentId::new("dfw1")?;
/// let servers = ComponentId::new("dfw1/servers")?;
/// let catalog = ComponentCatalog::new()
///     .with(dfw.clone(), "DFW1 datacenter", None)?
///     .with(servers.clone(), "Servers in DFW1", Some(dfw.clone()))?;
/// assert!(catalog.covers(&dfw, &servers));
/// assert!(!catalog.covers(&servers, &dfw));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ComponentCatalog {
    components: BTreeMap<ComponentId, ComponentSpec>,
}

impl ComponentCatalog {
    /// An empty catalog.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// With a component. A parent must already be in the catalog, so the
    /// catalog can never hold a cycle.
    ///
    /// # Errors
    /// [`IncidentError::DuplicateComponent`]; [`IncidentError::UnknownComponent`]
    /// for an unknown parent.
    pub fn with(
        mut self,
        id: ComponentId,
        name: &str,
        parent: Option<ComponentId>,
    ) -> Result<Self, IncidentError> {
        if self.components.contains_key(&id) {
            return Err(IncidentError::DuplicateComponent(id));
        }
        if let Some(p) = &parent {
            self.check(p)?;
        }
        self.components.insert(
            id,
            ComponentSpec {
                name: name.trim().to_owned(),
                parent,
            },
        );
        Ok(self)
    }

    /// A component.
    #[must_use]
    pub fn get(&self, id: &ComponentId) -> Option<&ComponentSpec> {
        self.components.get(id)
    }

    /// Every component, in id order.
    ///
    /// ```
    /// use fanatical::id::ComponentId;
    /// use fanatical::incident::ComponentCatalog;
    /// let dfw = ComponentId::new("dfw1")?;
    /// let catalog = ComponentCatalog::new().with(dfw.clone(), "DFW1 datacenter", None)?;
    /// let first = catalog.iter().next().unwrap();
    /// assert_eq!((first.id, first.spec.name.as_str()), (&dfw, "DFW1 datacenter"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = Component<'_>> {
        self.components
            .iter()
            .map(|(id, spec)| Component { id, spec })
    }

    /// Refuses an unknown component.
    ///
    /// # Errors
    /// [`IncidentError::UnknownComponent`].
    pub fn check(&self, id: &ComponentId) -> Result<(), IncidentError> {
        if self.components.contains_key(id) {
            Ok(())
        } else {
            Err(IncidentError::UnknownComponent(id.clone()))
        }
    }

    /// Whether an incident on `outer` affects `inner`: it is `inner` or
    /// one of its ancestors. Bounded by the catalog size, so even a
    /// deserialized catalog with a cycle cannot loop.
    #[must_use]
    pub fn covers(&self, outer: &ComponentId, inner: &ComponentId) -> bool {
        let mut at = Some(inner);
        for _ in 0..=self.components.len() {
            match at {
                Some(c) if c == outer => return true,
                Some(c) => at = self.components.get(c).and_then(|s| s.parent.as_ref()),
                None => return false,
            }
        }
        false
    }
}

/// A component's state, as on a status page, from best to worst.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum ComponentState {
    /// Working.
    #[default]
    Operational,
    /// Slow or erroring, but up.
    Degraded,
    /// Down for some.
    PartialOutage,
    /// Down.
    MajorOutage,
}

impl fmt::Display for ComponentState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ComponentState::Operational => "operational",
            ComponentState::Degraded => "degraded performance",
            ComponentState::PartialOutage => "partial outage",
            ComponentState::MajorOutage => "major outage",
        })
    }
}
