//! Which images a customer may run: customers at or above the configured identity level run
//! any image; below it, only images on the worker's allow-list, by name and, where the list
//! pins one, by digest.

use sonm_primitives::IdentityLevel;

/// An allowed image: its name (`registry/repo:tag`) and optionally the only digest accepted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allowed {
	/// The image's name as the customer gives it.
	pub name: String,
	/// `sha256:...`: only this content, whatever the tag points to now.
	pub digest: Option<String>,
}

/// The worker's image policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImagePolicy {
	/// Customers at or above this level run any image (default Identified).
	pub free_from: IdentityLevel,
	/// The images customers below it may run.
	pub allowed: Vec<Allowed>,
}

impl Default for ImagePolicy {
	fn default() -> Self {
		Self { free_from: IdentityLevel::Identified, allowed: Vec::new() }
	}
}

/// Why an image may not run.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImageRefused {
	/// Not on the allow-list, and the customer is below the level that runs anything.
	#[error("image {image} is not on this worker's allow-list, and customers below {free_from:?} run only listed images")]
	NotAllowed {
		/// The image asked for.
		image: String,
		/// The level that runs anything.
		free_from: IdentityLevel,
	},
	/// On the list, but with another digest than the one pinned.
	#[error("image {image} has digest {found}, and the allow-list pins {pinned}")]
	DigestMismatch {
		/// The image asked for.
		image: String,
		/// Its digest in the engine.
		found: String,
		/// The digest the list accepts.
		pinned: String,
	},
}

impl ImagePolicy {
	/// Whether a customer at `level` may run an image named `image`, whatever its content:
	/// checked before an image is pulled, so that nothing off the list is fetched.
	pub fn permits_name(&self, image: &str, level: IdentityLevel) -> Result<(), ImageRefused> {
		self.entry(image, level).map(|_| ())
	}

	/// The allow-list entry a customer at `level` needs to run `image`: `None` when the level
	/// runs anything.
	fn entry(&self, image: &str, level: IdentityLevel) -> Result<Option<&Allowed>, ImageRefused> {
		if level >= self.free_from {
			return Ok(None);
		}
		let entry = self.allowed.iter().find(|entry| entry.name == image).ok_or_else(|| {
			ImageRefused::NotAllowed { image: image.to_owned(), free_from: self.free_from }
		})?;
		Ok(Some(entry))
	}

	/// Whether a customer at `level` may run `image`, whose content digest is `digest`.
	pub fn permits(
		&self,
		image: &str,
		digest: Option<&str>,
		level: IdentityLevel,
	) -> Result<(), ImageRefused> {
		let Some(entry) = self.entry(image, level)? else { return Ok(()) };
		match (&entry.digest, digest) {
			(None, _) => Ok(()),
			(Some(pinned), Some(found)) if pinned == found => Ok(()),
			(Some(pinned), found) => Err(ImageRefused::DigestMismatch {
				image: image.to_owned(),
				found: found.unwrap_or("unknown").to_owned(),
				pinned: pinned.clone(),
			}),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use IdentityLevel::*;

	fn policy() -> ImagePolicy {
		ImagePolicy {
			free_from: Identified,
			allowed: vec![
				Allowed { name: "busybox:1.36".into(), digest: None },
				Allowed { name: "app:1".into(), digest: Some("sha256:aa".into()) },
			],
		}
	}

	#[test]
	fn identified_customers_run_anything_others_only_the_list() {
		let policy = policy();
		assert_eq!(policy.permits("anything:latest", None, Identified), Ok(()));
		assert_eq!(policy.permits("anything:latest", None, Professional), Ok(()));
		assert_eq!(policy.permits("busybox:1.36", Some("sha256:ff"), Anonymous), Ok(()));
		assert!(matches!(
			policy.permits("anything:latest", None, Registered),
			Err(ImageRefused::NotAllowed { .. })
		));
		assert_eq!(policy.permits("app:1", Some("sha256:aa"), Anonymous), Ok(()));
		assert!(matches!(
			policy.permits("app:1", Some("sha256:bb"), Anonymous),
			Err(ImageRefused::DigestMismatch { .. })
		));
		assert!(matches!(
			policy.permits("app:1", None, Anonymous),
			Err(ImageRefused::DigestMismatch { .. })
		));
		let open = ImagePolicy { free_from: Anonymous, allowed: vec![] };
		assert_eq!(open.permits("anything", None, Anonymous), Ok(()));
	}

	#[test]
	fn the_name_is_checked_before_a_pull_and_the_digest_after() {
		let policy = policy();
		assert_eq!(policy.permits_name("app:1", Anonymous), Ok(()), "its digest is checked later");
		assert!(matches!(
			policy.permits_name("other:1", Registered),
			Err(ImageRefused::NotAllowed { .. })
		));
		assert_eq!(policy.permits_name("other:1", Identified), Ok(()));
	}
}
