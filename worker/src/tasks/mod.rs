//! Running deals' workloads: the limits a deal's terms put on its container ([`limits`]), which
//! images a customer may run ([`allow`]) and the container engine that runs them ([`engine`]).
//! The customer's control plane builds on these.

pub mod allow;
pub mod engine;
pub mod limits;
