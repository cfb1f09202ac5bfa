//! A directory of encrypted keys, one polkadot.js JSON file per account (`<address>.json`), so
//! a wallet's export can be dropped in and a key stored here can be imported into a wallet.

use crate::{
	error::KeyError,
	keys::{Key, KeystoreJson},
};
use std::path::{Path, PathBuf};

/// An account in the keystore.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Account {
	/// Its name (`meta.name`), or its address when the file has none.
	pub name: String,
	/// Its SS58 address.
	pub address: String,
	/// The file holding it.
	pub path: PathBuf,
}

/// A keystore directory.
#[derive(Clone, Debug)]
pub struct Keystore {
	dir: PathBuf,
}

impl Keystore {
	/// The keystore in `dir` (created on the first write).
	pub fn new(dir: impl Into<PathBuf>) -> Self {
		Self { dir: dir.into() }
	}

	/// Its directory.
	pub fn dir(&self) -> &Path {
		&self.dir
	}

	fn io(&self, path: &Path, error: std::io::Error) -> KeyError {
		KeyError::Io { path: path.display().to_string(), error }
	}

	/// Every account with its encrypted key, by name: one read of each file.
	fn entries(&self) -> Result<Vec<(Account, KeystoreJson)>, KeyError> {
		let entries = match std::fs::read_dir(&self.dir) {
			Ok(entries) => entries,
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
			Err(e) => return Err(self.io(&self.dir, e)),
		};
		let mut accounts = Vec::new();
		for entry in entries {
			let path = entry.map_err(|e| self.io(&self.dir, e))?.path();
			if path.extension().is_none_or(|ext| ext != "json") {
				continue;
			}
			let json = read_json(&path)?;
			let name = json.meta.name.clone().unwrap_or_else(|| json.address.clone());
			accounts.push((Account { name, address: json.address.clone(), path }, json));
		}
		accounts.sort_by(|(a, _), (b, _)| a.name.cmp(&b.name));
		Ok(accounts)
	}

	/// Every account, by name.
	pub fn list(&self) -> Result<Vec<Account>, KeyError> {
		Ok(self.entries()?.into_iter().map(|(account, _)| account).collect())
	}

	/// The account called `name_or_address` and its encrypted key.
	pub fn find(&self, name_or_address: &str) -> Result<(Account, KeystoreJson), KeyError> {
		self.entries()?
			.into_iter()
			.find(|(account, _)| {
				account.name == name_or_address || account.address == name_or_address
			})
			.ok_or_else(|| {
				KeyError::UnknownAccount(name_or_address.into(), self.dir.display().to_string())
			})
	}

	/// The key of `name_or_address`, decrypted with `password`.
	pub fn unlock(&self, name_or_address: &str, password: &str) -> Result<Key, KeyError> {
		let (_, json) = self.find(name_or_address)?;
		Key::from_json(&json, password)
	}

	/// Stores `key` as `name`, encrypted with `password`.
	pub fn add_key(&self, key: &Key, name: &str, password: &str) -> Result<Account, KeyError> {
		self.add_json(key.to_json(name, password)?)
	}

	/// Stores an encrypted key as it is (a wallet's export), under `meta.name`. Refuses a name
	/// or an address the keystore already has.
	pub fn add_json(&self, json: KeystoreJson) -> Result<Account, KeyError> {
		let name = json.meta.name.clone().unwrap_or_else(|| json.address.clone());
		for existing in self.list()? {
			if existing.name == name || existing.address == json.address {
				return Err(KeyError::NameTaken(existing.name, existing.address));
			}
		}
		std::fs::create_dir_all(&self.dir).map_err(|e| self.io(&self.dir, e))?;
		let path = self.dir.join(format!("{}.json", json.address));
		let text = serde_json::to_string_pretty(&json).expect("a key file serializes");
		write_private(&path, text.as_bytes()).map_err(|e| self.io(&path, e))?;
		Ok(Account { name, address: json.address, path })
	}
}

/// Reads a polkadot.js JSON key file.
pub fn read_json(path: &Path) -> Result<KeystoreJson, KeyError> {
	let text = std::fs::read_to_string(path)
		.map_err(|error| KeyError::Io { path: path.display().to_string(), error })?;
	serde_json::from_str(&text).map_err(|e| {
		KeyError::UnsupportedEncoding(format!(
			"{}: not a polkadot.js key file: {e}",
			path.display()
		))
	})
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
	use std::io::Write;
	let mut options = std::fs::OpenOptions::new();
	options.write(true).create_new(true);
	#[cfg(unix)]
	std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
	options.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn stores_lists_finds_and_unlocks() {
		let dir = tempfile::tempdir().unwrap();
		let keystore = Keystore::new(dir.path().join("keys"));
		assert!(keystore.list().unwrap().is_empty());
		let (key, _) = Key::generate();
		let added = keystore.add_key(&key, "supplier", "pw").unwrap();
		assert_eq!(added.address, key.address());
		keystore.add_key(&Key::dev("bob").unwrap(), "bob", "pw2").unwrap();
		let names: Vec<_> = keystore.list().unwrap().into_iter().map(|a| a.name).collect();
		assert_eq!(names, ["bob", "supplier"]);
		assert_eq!(keystore.unlock("supplier", "pw").unwrap().address(), key.address());
		assert_eq!(keystore.unlock(&key.address(), "pw").unwrap().address(), key.address());
		assert!(matches!(keystore.unlock("supplier", "nope"), Err(KeyError::WrongPassword)));
		assert!(matches!(keystore.unlock("carol", "pw"), Err(KeyError::UnknownAccount(..))));
		#[cfg(unix)]
		{
			use std::os::unix::fs::PermissionsExt;
			let mode = std::fs::metadata(&added.path).unwrap().permissions().mode();
			assert_eq!(mode & 0o777, 0o600);
		}
	}

	#[test]
	fn names_and_addresses_are_unique() {
		let dir = tempfile::tempdir().unwrap();
		let keystore = Keystore::new(dir.path());
		let alice = Key::dev("alice").unwrap();
		keystore.add_key(&alice, "alice", "pw").unwrap();
		assert!(matches!(keystore.add_key(&alice, "other", "pw"), Err(KeyError::NameTaken(..))));
		let (fresh, _) = Key::generate();
		assert!(matches!(keystore.add_key(&fresh, "alice", "pw"), Err(KeyError::NameTaken(..))));
		assert_eq!(keystore.list().unwrap().len(), 1);
	}
}
