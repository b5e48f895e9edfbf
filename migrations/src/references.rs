//! Foreign keys that several migrations declare: a tenant-owned row goes with its tenant, a user's
//! row with its user, an app's row with its registration.

use sea_orm_migration::prelude::*;

/// `table.column` references `to_table.to_column`, and is deleted with it.
fn cascade<T: IntoIden + 'static>(
    table: T,
    column: &str,
    to_table: &str,
    to_column: &str,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .from_col(Alias::new(column))
        .from_tbl(table)
        .to(Alias::new(to_table), Alias::new(to_column))
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

/// `table.tenant_id` → `tenants.id`.
pub fn tenant_fk<T: IntoIden + 'static>(table: T) -> ForeignKeyCreateStatement {
    cascade(table, "tenant_id", "tenants", "id")
}

/// `table.user_id` → `users.id`.
pub fn user_fk<T: IntoIden + 'static>(table: T) -> ForeignKeyCreateStatement {
    cascade(table, "user_id", "users", "id")
}

/// `table.app_id` → `applications.app_id`.
pub fn app_fk<T: IntoIden + 'static>(table: T) -> ForeignKeyCreateStatement {
    cascade(table, "app_id", "applications", "app_id")
}
