//! Running deals' workloads: the limits a deal's terms put on its container ([`limits`]), which
//! images a customer may run ([`allow`]), the container engine that runs them ([`engine`]) and
//! their output ([`logs`]). The task service ([`service`]) owns a task's whole life; the
//! customer's control plane ([`control`]) carries its requests over HTTP.

pub mod allow;
pub mod control;
pub mod engine;
pub mod limits;
pub mod logs;
pub mod service;
