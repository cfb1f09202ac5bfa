//! The SONM peer-to-peer layer, on libp2p: how a customer reaches a worker that has no public
//! address, and how a worker serves it.
//!
//! - [`host`]: a libp2p host with an identity of its own (TCP and QUIC, Noise, Yamux, identify,
//!   ping, generic streams): listen, dial by `/p2p/<peer id>` address, open and accept streams;
//! - [`identity`]: the host's key, kept as bytes (the worker keeps them in its database);
//! - [`frame`]: length-prefixed frames on a stream, bounded in size and time;
//! - [`task`]: the task protocol (`sonm_client::task_protocol`) over a stream: the customer's
//!   transport ([`task::P2pTransport`], a `sonm_client::task_client::Transport`) and the frames
//!   a worker reads a request from and writes its reply in;
//! - [`session`]: a byte stream that outlives the libp2p streams under it (a relay gone, a
//!   relayed connection replaced by a punched one): what the task protocol and forwards ride on;
//! - [`forward`]: a task's published port carried over a stream (`sonm task forward`).

pub mod forward;
pub mod frame;
pub mod host;
pub mod identity;
pub mod session;
pub mod task;

pub use host::{Host, P2pError};
pub use libp2p::{identity::Keypair, multiaddr::Protocol, Multiaddr, PeerId, Stream};
pub use libp2p_stream::IncomingStreams;
