//! What the SONM daemons (`sonm-worker`, `sonm-bridge`) share, so that they stop, report and
//! serve the same way:
//!
//! - [`shutdown`]: SIGTERM (or Ctrl-C) asks a daemon to stop; it finishes its step and exits 0.
//! - [`telemetry`]: a Prometheus registry with its metrics' constructors, and the `/metrics` and
//!   `/health` routes over it, served from the daemon's first second.
//! - [`serve`]: an HTTP server bound at once (a taken port fails the start) and restarted
//!   when it fails, so that a daemon never goes on without its metrics or its control plane.

pub mod serve;
pub mod shutdown;
pub mod telemetry;

pub use serve::serve;
pub use shutdown::Shutdown;
