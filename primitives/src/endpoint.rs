//! Where a supplier's worker is reached: the endpoint record a worker publishes on chain and
//! customers resolve a deal's supplier to. One rule for what an endpoint may be, used by the
//! market pallet when the record is set, by the worker before it submits one and by the CLI.
//!
//! An endpoint is printable ASCII without spaces, at most [`MAX_ENDPOINT_LEN`] bytes, and either
//! an HTTP(S) URL with a host (`http://203.0.113.7:9630`, `https://worker.example.org`) or a
//! libp2p multiaddress (`/ip4/203.0.113.7/tcp/4001/p2p/12D3Koo...`, `/dns4/...`, `/p2p/...`) for
//! workers reached over libp2p streams.

/// The longest endpoint, in bytes.
pub const MAX_ENDPOINT_LEN: u32 = 256;

/// Why an endpoint was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointError {
	/// Nothing given.
	Empty,
	/// Longer than [`MAX_ENDPOINT_LEN`].
	TooLong,
	/// A space, a control character or a non-ASCII byte.
	BadCharacter,
	/// Neither `http://`, `https://` nor a multiaddress's first protocol.
	UnknownScheme,
	/// An HTTP(S) URL without a host.
	NoHost,
}

impl EndpointError {
	/// What is wrong, for people.
	pub fn describe(&self) -> &'static str {
		match self {
			Self::Empty => "the endpoint is empty",
			Self::TooLong => "the endpoint is longer than 256 bytes",
			Self::BadCharacter =>
				"the endpoint has a space, a control character or a non-ASCII character",
			Self::UnknownScheme =>
				"the endpoint is neither an http:// or https:// URL nor a libp2p multiaddress (/ip4, /ip6, /dns, /dns4, /dns6, /p2p)",
			Self::NoHost => "the endpoint URL has no host",
		}
	}
}

/// The multiaddress protocols an endpoint may start with.
const MULTIADDR_FIRST: [&str; 6] = ["/ip4/", "/ip6/", "/dns/", "/dns4/", "/dns6/", "/p2p/"];

/// Checks that `endpoint` is one a worker may publish.
pub fn check_endpoint(endpoint: &[u8]) -> Result<(), EndpointError> {
	if endpoint.is_empty() {
		return Err(EndpointError::Empty);
	}
	if endpoint.len() > MAX_ENDPOINT_LEN as usize {
		return Err(EndpointError::TooLong);
	}
	if !endpoint.iter().all(|byte| byte.is_ascii_graphic()) {
		return Err(EndpointError::BadCharacter);
	}
	if MULTIADDR_FIRST.iter().any(|first| endpoint.starts_with(first.as_bytes())) {
		return Ok(());
	}
	let rest = [&b"http://"[..], b"https://"]
		.iter()
		.find_map(|scheme| endpoint.strip_prefix(*scheme))
		.ok_or(EndpointError::UnknownScheme)?;
	let authority = rest.split(|byte| *byte == b'/').next().unwrap_or_default();
	let host = authority.rsplit(|byte| *byte == b'@').next().unwrap_or_default();
	if host.is_empty() || host.starts_with(b":") {
		return Err(EndpointError::NoHost);
	}
	Ok(())
}

/// The host of an endpoint that names one: the URL's host (an IPv6 address without its
/// brackets) or a multiaddress's `/ip4`, `/ip6`, `/dns`, `/dns4` or `/dns6` value; `None` for a
/// bare `/p2p/...` address. Published task ports are reached on this host.
pub fn host_of(endpoint: &str) -> Option<&str> {
	if let Some(rest) =
		endpoint.strip_prefix("http://").or_else(|| endpoint.strip_prefix("https://"))
	{
		let authority = rest.split('/').next()?;
		let host_port = authority.rsplit('@').next()?;
		let host = match host_port.strip_prefix('[') {
			Some(bracketed) => bracketed.split(']').next()?,
			None => host_port.split(':').next()?,
		};
		return (!host.is_empty()).then_some(host);
	}
	let mut parts = endpoint.strip_prefix('/')?.split('/');
	match (parts.next()?, parts.next()) {
		("ip4" | "ip6" | "dns" | "dns4" | "dns6", Some(host)) if !host.is_empty() => Some(host),
		_ => None,
	}
}

/// Whether `endpoint` is an HTTP(S) URL (else a libp2p multiaddress).
pub fn is_http(endpoint: &str) -> bool {
	endpoint.starts_with("http://") || endpoint.starts_with("https://")
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn urls_and_multiaddresses_pass_and_the_rest_is_named() {
		for good in [
			"http://203.0.113.7:9630",
			"https://worker.example.org/sonm",
			"http://[2001:db8::1]:9630",
			"/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWabc",
			"/dns4/worker.example.org/tcp/4001",
			"/p2p/12D3KooWabc",
		] {
			assert_eq!(check_endpoint(good.as_bytes()), Ok(()), "{good}");
		}
		let long = alloc::format!("http://{}", "a".repeat(250));
		for (bad, why) in [
			("", EndpointError::Empty),
			(long.as_str(), EndpointError::TooLong),
			("http://a b", EndpointError::BadCharacter),
			("http://wörker", EndpointError::BadCharacter),
			("http://a\n", EndpointError::BadCharacter),
			("ftp://host", EndpointError::UnknownScheme),
			("host:9630", EndpointError::UnknownScheme),
			("/tcp/4001", EndpointError::UnknownScheme),
			("http://", EndpointError::NoHost),
			("http://:9630", EndpointError::NoHost),
			("https:///path", EndpointError::NoHost),
		] {
			assert_eq!(check_endpoint(bad.as_bytes()), Err(why), "{bad:?}");
		}
		assert!(is_http("https://x") && !is_http("/p2p/x"));
	}

	#[test]
	fn the_host_of_an_endpoint() {
		assert_eq!(host_of("http://203.0.113.7:9630"), Some("203.0.113.7"));
		assert_eq!(host_of("https://user@worker.example.org/sonm"), Some("worker.example.org"));
		assert_eq!(host_of("http://[2001:db8::1]:9630"), Some("2001:db8::1"));
		assert_eq!(host_of("/ip4/203.0.113.7/tcp/4001/p2p/12D3KooWabc"), Some("203.0.113.7"));
		assert_eq!(host_of("/dns4/worker.example.org/tcp/4001"), Some("worker.example.org"));
		assert_eq!(host_of("/p2p/12D3KooWabc"), None);
	}
}
