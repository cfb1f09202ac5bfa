//! Running deals' workloads: the limits a deal's terms put on its container ([`limits`]), what
//! a deal may take of the worker besides ([`bounds`]), which images a customer may run
//! ([`allow`]), the container engine that runs them ([`engine`]), what their networks may reach
//! ([`firewall`]) and their output ([`logs`]). The task service ([`service`]) owns a task's
//! whole life and takes customers' signed bids ([`bids`]); the customer's control plane
//! carries its requests over HTTP ([`control`]) and over libp2p streams ([`p2p`]).

pub mod allow;
pub mod bids;
pub mod bounds;
pub mod control;
pub mod engine;
pub mod firewall;
pub mod limits;
pub mod logs;
pub mod p2p;
pub mod service;
