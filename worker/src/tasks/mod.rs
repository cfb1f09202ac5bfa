//! Running deals' workloads: the limits a deal's terms put on its container ([`limits`]), which
//! images a customer may run ([`allow`]) and the container engine that runs them ([`engine`]).
//! The customer's control plane ([`control`]) serves them, signed by the deal's key.

pub mod allow;
pub mod control;
pub mod engine;
pub mod limits;
pub mod logs;
