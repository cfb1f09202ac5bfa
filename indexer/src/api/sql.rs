//! Building a query's WHERE clause from typed filters: every value a bound parameter (never text
//! pasted into SQL), placeholders numbered as both databases read them (`$1`).

use crate::{store::amount, write::stored_integer};
use sonm_client::indexer_api::{PageCursor, Range};
use sqlx::{any::AnyArguments, Any};

pub type Query<'q> = sqlx::query::Query<'q, Any, AnyArguments<'q>>;

/// A value to bind.
#[derive(Clone, Debug)]
pub enum Arg {
	Int(i64),
	Text(String),
}

/// Conditions joined by AND, and their arguments.
#[derive(Default, Debug, Clone)]
pub struct Filter {
	conditions: Vec<String>,
	args: Vec<Arg>,
}

impl Filter {
	/// The placeholder of a new argument.
	pub fn arg(&mut self, arg: Arg) -> String {
		self.args.push(arg);
		format!("${}", self.args.len())
	}

	/// Adds a condition written with `arg` placeholders.
	pub fn push(&mut self, condition: String) {
		self.conditions.push(condition);
	}

	pub fn text(&mut self, column: &str, value: Option<impl Into<String>>) {
		if let Some(value) = value {
			let p = self.arg(Arg::Text(value.into()));
			self.push(format!("{column} = {p}"));
		}
	}

	pub fn int_range(&mut self, column: &str, range: Range<u64>) {
		if let Some(min) = range.min {
			let p = self.arg(Arg::Int(stored_integer(min)));
			self.push(format!("{column} >= {p}"));
		}
		if let Some(max) = range.max {
			let p = self.arg(Arg::Int(stored_integer(max)));
			self.push(format!("{column} <= {p}"));
		}
	}

	/// A range over a stored amount (zero-padded text compares as the number).
	pub fn amount_range(&mut self, column: &str, range: Range<u128>) {
		if let Some(min) = range.min {
			let p = self.arg(Arg::Text(amount(min)));
			self.push(format!("{column} >= {p}"));
		}
		if let Some(max) = range.max {
			let p = self.arg(Arg::Text(amount(max)));
			self.push(format!("{column} <= {p}"));
		}
	}

	/// `WHERE ...` or nothing.
	pub fn clause(&self) -> String {
		if self.conditions.is_empty() {
			String::new()
		} else {
			format!(" WHERE {}", self.conditions.join(" AND "))
		}
	}

	/// Binds every argument, in order.
	pub fn bind<'q>(&self, mut query: Query<'q>) -> Query<'q> {
		for arg in &self.args {
			query = match arg {
				Arg::Int(value) => query.bind(*value),
				Arg::Text(value) => query.bind(value.clone()),
			};
		}
		query
	}
}

/// A sort column: integer or stored amount.
#[derive(Clone, Copy, Debug)]
pub struct SortKey {
	pub column: &'static str,
	pub is_amount: bool,
}

/// The page's ordering and the condition that starts it after `cursor`.
pub fn page(
	filter: &mut Filter,
	key: SortKey,
	descending: bool,
	cursor: Option<&PageCursor>,
) -> String {
	let (dir, cmp) = if descending { ("DESC", "<") } else { ("ASC", ">") };
	if let Some(cursor) = cursor {
		let value = if key.is_amount {
			Arg::Text(amount(cursor.key.parse().unwrap_or(0)))
		} else {
			Arg::Int(cursor.key.parse().unwrap_or(i64::MAX))
		};
		let k = filter.arg(value);
		let i = filter.arg(Arg::Int(stored_integer(cursor.id)));
		let column = key.column;
		filter.push(format!("({column} {cmp} {k} OR ({column} = {k} AND id {cmp} {i}))"));
	}
	format!(" ORDER BY {} {dir}, id {dir}", key.column)
}
