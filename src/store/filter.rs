//! A directory API filter ([`Filter`]) as SQL, for any entity whose filterable properties map to
//! columns.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, Condition};

use crate::domain::query::{Bound, Comparison, Filter, Property};

/// How a property is stored: its column, and whether the column holds it lowercased (so that an
/// equality on it can use the column's index).
pub(super) struct Stored<C> {
    pub column: C,
    pub lowercased: bool,
}

/// The SQL condition of `filter`. GUIDs compare as stored; names without regard to ASCII case.
pub(super) fn condition<P: Property, C: ColumnTrait>(
    filter: &Filter<P>,
    stored: &impl Fn(P) -> Stored<C>,
) -> Condition {
    match filter {
        Filter::Eq(property, value) => {
            let Stored { column, lowercased } = stored(*property);
            Condition::all().add(match property.comparison() {
                Comparison::Guid => column.eq(value.as_str()),
                Comparison::Time => column.eq(seconds(value)),
                Comparison::CaseInsensitive if lowercased => column.eq(value.to_ascii_lowercase()),
                Comparison::CaseInsensitive => lower(column).eq(value.to_ascii_lowercase()),
            })
        }
        Filter::StartsWith(property, prefix) => {
            let Stored { column, lowercased } = stored(*property);
            let pattern = starts_with(&prefix.to_ascii_lowercase());
            Condition::all().add(if lowercased { Expr::col(column).like(pattern) } else { lower(column).like(pattern) })
        }
        Filter::Range(property, bound, value) => {
            let column = stored(*property).column;
            let at = seconds(value);
            Condition::all().add(match bound {
                Bound::AtLeast => column.gte(at),
                Bound::After => column.gt(at),
                Bound::AtMost => column.lte(at),
                Bound::Before => column.lt(at),
            })
        }
        Filter::All(all) => all.iter().fold(Condition::all(), |c, f| c.add(condition(f, stored))),
        Filter::Any(any) => any.iter().fold(Condition::any(), |c, f| c.add(condition(f, stored))),
    }
}

/// A time the filter parser wrote as unix seconds.
fn seconds(value: &str) -> i64 {
    value.parse().unwrap_or_default()
}

fn lower<C: ColumnTrait>(column: C) -> Expr {
    Func::lower(Expr::col(column)).into()
}

/// `LIKE '{prefix}%'`, with the prefix's own wildcards escaped.
fn starts_with(prefix: &str) -> LikeExpr {
    let mut pattern = String::with_capacity(prefix.len() + 1);
    for c in prefix.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    LikeExpr::new(pattern).escape('\\')
}
