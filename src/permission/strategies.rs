//! Proptest strategies for permission tables (feature `proptest`), to
//! test your own tables and the screens built on them. Pair them with
//! [`crate::desk::permission_checks::check_command`], which says whether
//! a desk's answer to a command agrees with its table.
//!
//! ```
//! use fanatical::permission::strategies::arb_permission_table;
//! use fanatical::permission::Permission;
//! use proptest::prelude::*;
//! use proptest::test_runner::TestRunner;
//!
//! let mut runner = TestRunner::deterministic();
//! runner.run(&arb_permission_table(), |table| {
//!     // Every table drawn validates, so some role manages permissions.
//!     prop_assert!(table.validate().is_ok());
//!     prop_assert!(!table.roles_granting(Permission::ManagePermissions).is_empty());
//!     Ok(())
//! }).unwrap();
//! ```

use proptest::prelude::*;

use super::{Grants, Permission, PermissionTable, Scope};
use crate::agent::{Role, RoleName};

/// Any permission.
pub fn arb_permission() -> impl Strategy<Value = Permission> {
    proptest::sample::select(Permission::ALL.to_vec())
}

/// A scope an agent's role may hold.
pub fn arb_agent_scope() -> impl Strategy<Value = Scope> {
    proptest::sample::select(vec![Scope::All, Scope::Teams, Scope::Assigned])
}

/// A scope contacts may hold.
pub fn arb_contact_scope() -> impl Strategy<Value = Scope> {
    proptest::sample::select(vec![Scope::Organisation, Scope::Requested])
}

/// A built-in role, or one of three custom roles.
pub fn arb_role() -> impl Strategy<Value = Role> {
    let mut roles = Role::BUILT_IN.to_vec();
    for name in ["tier 2", "qa reviewer", "contractor"] {
        if let Ok(n) = RoleName::new(name) {
            roles.push(Role::Custom(n));
        }
    }
    proptest::sample::select(roles)
}

/// A role's grants: any permissions, each in an agent scope.
pub fn arb_grants() -> impl Strategy<Value = Grants> {
    proptest::collection::btree_map(arb_permission(), arb_agent_scope(), 0..12)
}

/// A permission table drawn wide — any roles, any grants, any contact
/// grants, integrations holding any roles — and kept when it validates
/// (some role manages permissions).
pub fn arb_permission_table() -> impl Strategy<Value = PermissionTable> {
    (
        proptest::collection::btree_map(arb_role(), arb_grants(), 1..8),
        proptest::collection::btree_map(arb_permission(), arb_contact_scope(), 0..6),
        proptest::collection::btree_set(arb_role(), 0..3),
        arb_role(),
    )
        .prop_map(|(roles, contacts, integration_default, admin)| {
            let mut table = PermissionTable::empty();
            for (role, grants) in roles {
                for (permission, scope) in grants {
                    table = table.grant(role.clone(), permission, scope);
                }
            }
            for (permission, scope) in contacts {
                table = table.grant_contacts(permission, scope);
            }
            // One role always administers, so the table validates; which
            // one is drawn too.
            table
                .grant(admin, Permission::ManagePermissions, Scope::All)
                .with_integration_default(integration_default)
        })
        .prop_filter("a table that validates", |t| t.validate().is_ok())
}
