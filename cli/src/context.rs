//! What every command needs: the connection, the keystore, who signs, accounts by name, and
//! printing results (human or JSON) and progress while a transaction is on its way.

use crate::{
	args::{Cli, Output},
	error::{CliError, Kind},
};
use indicatif::{ProgressBar, ProgressStyle};
use sonm_client::{
	keys::{is_suri, DEV_ACCOUNTS},
	subxt::tx::Payload,
	AccountId32, Client, Included, Key, Keystore, Stage, Wait,
};
use std::{io::IsTerminal, path::PathBuf, str::FromStr, time::Duration};

/// The state of one `sonm` invocation.
pub struct Context {
	pub url: String,
	/// The indexer's API (`--indexer`).
	pub indexer: String,
	pub output: Output,
	pub keystore: Keystore,
	from: Option<String>,
	password: Option<String>,
	wait: Wait,
	client: Option<Client>,
}

impl Context {
	/// From the parsed command line.
	pub fn new(cli: &Cli) -> Self {
		Self {
			url: cli.url.clone(),
			indexer: cli.indexer.clone(),
			output: cli.output,
			keystore: Keystore::new(cli.keystore.clone().unwrap_or_else(default_keystore)),
			from: cli.from.clone(),
			password: cli.password.clone(),
			wait: if cli.finalized { Wait::Finalized } else { Wait::InBlock },
			client: None,
		}
	}

	/// The connection, made on first use.
	pub async fn client(&mut self) -> Result<&Client, CliError> {
		if self.client.is_none() {
			self.client = Some(Client::connect(&self.url).await?);
		}
		Ok(self.client.as_ref().expect("connected above"))
	}

	/// The password given, or asked for on the terminal.
	pub fn password(&self, prompt: &str) -> Result<String, CliError> {
		if let Some(password) = &self.password {
			return Ok(password.clone());
		}
		if !std::io::stdin().is_terminal() {
			return Err(CliError::new(Kind::Key, "a password is needed")
				.hint("give it with --password or SONM_PASSWORD"));
		}
		rpassword::prompt_password(prompt)
			.map_err(|e| CliError::new(Kind::Key, format!("cannot read the password: {e}")))
	}

	/// The signing key named by --from: a keystore account, a dev name, or a secret URI.
	pub fn signer(&self) -> Result<Key, CliError> {
		let from = self.from.as_deref().ok_or_else(|| {
			CliError::usage("this command signs a transaction: say who signs with --from").hint(
				"a keystore account (`sonm accounts list`), a dev name (alice) or a secret URI",
			)
		})?;
		if is_suri(from) {
			return Ok(Key::from_suri(from)?);
		}
		if let Ok((_, json)) = self.keystore.find(from) {
			let password = self.password(&format!("password for {from}: "))?;
			return Ok(Key::from_json(&json, &password)?);
		}
		if let Some(key) = Key::dev(from) {
			return Ok(key);
		}
		Err(sonm_client::KeyError::UnknownAccount(
			from.to_owned(),
			self.keystore.dir().display().to_string(),
		)
		.into())
	}

	/// --from's address, without unlocking a keystore key.
	pub fn from_address(&self) -> Result<AccountId32, CliError> {
		match self.from.as_deref() {
			Some(from) if is_suri(from) => Ok(Key::from_suri(from)?.account_id()),
			Some(from) => self.account(from),
			None => Err(CliError::usage("say which account: give it, or --from")),
		}
	}

	/// `given`, or --from's address when none is given.
	pub fn account_or_from(&self, given: Option<&str>) -> Result<AccountId32, CliError> {
		match given {
			Some(text) => self.account(text),
			None => self.from_address(),
		}
	}

	/// An account as written: an SS58 address, a keystore account or a dev account's name.
	pub fn account(&self, text: &str) -> Result<AccountId32, CliError> {
		if let Ok(account) = AccountId32::from_str(text) {
			return Ok(account);
		}
		if let Ok((account, _)) = self.keystore.find(text) {
			return AccountId32::from_str(&account.address).map_err(|e| {
				CliError::new(Kind::Key, format!("keystore account {text}: bad address: {e}"))
			});
		}
		if let Some(key) = Key::dev(text) {
			return Ok(key.account_id());
		}
		Err(CliError::usage(format!(
			"{text:?} is not an SS58 address, a keystore account or a dev account ({})",
			DEV_ACCOUNTS.map(|(name, _)| name).join(", ")
		)))
	}

	/// How long a transaction is followed (--finalized or not).
	pub fn wait(&self) -> Wait {
		self.wait
	}

	/// Signs and submits `call` as --from, showing progress, and returns what it did.
	pub async fn submit<Call: Payload>(
		&mut self,
		what: &str,
		call: &Call,
	) -> Result<Included, CliError> {
		let signer = self.signer()?;
		let wait = self.wait;
		let show = self.output == Output::Human;
		let progress = Progress::start(show, what);
		let client = self.client().await?;
		let result = client.submit(call, &signer, wait, |stage| progress.stage(&stage)).await;
		progress.finish();
		Ok(result?)
	}

	/// Prints a result: `json` for --output json, `human` otherwise.
	/// Whether answers are printed as JSON (`--output json`).
	pub fn is_json(&self) -> bool {
		matches!(self.output, Output::Json)
	}

	pub fn print(&self, json: serde_json::Value, human: impl FnOnce() -> String) {
		match self.output {
			Output::Json => {
				println!("{}", serde_json::to_string_pretty(&json).expect("JSON serializes"))
			},
			Output::Human => {
				let text = human();
				if !text.is_empty() {
					println!("{text}");
				}
			},
		}
	}
}

/// `$XDG_DATA_HOME/sonm/keystore`, else `~/.local/share/sonm/keystore`.
fn default_keystore() -> PathBuf {
	let data = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).unwrap_or_else(|| {
		PathBuf::from(std::env::var_os("HOME").unwrap_or_else(|| ".".into())).join(".local/share")
	});
	data.join("sonm").join("keystore")
}

/// A spinner on a terminal, plain lines on stderr otherwise; nothing for --output json.
struct Progress {
	bar: Option<ProgressBar>,
	plain: bool,
}

impl Progress {
	fn start(show: bool, what: &str) -> Self {
		if !show {
			return Self { bar: None, plain: false };
		}
		if std::io::stderr().is_terminal() {
			let bar = ProgressBar::new_spinner();
			bar.set_style(
				ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
					.expect("the template is valid"),
			);
			bar.enable_steady_tick(Duration::from_millis(120));
			bar.set_message(format!("{what}: signing"));
			Self { bar: Some(bar), plain: false }
		} else {
			eprintln!("{what}: signing");
			Self { bar: None, plain: true }
		}
	}

	fn stage(&self, stage: &Stage) {
		let text = match stage {
			Stage::Submitted { hash } => format!("submitted {hash}"),
			Stage::InPool => "waiting for a block".to_owned(),
			Stage::InBlock { block } => format!("in block {block}"),
			Stage::Finalized { block } => format!("finalized in {block}"),
		};
		if let Some(bar) = &self.bar {
			bar.set_message(text);
		} else if self.plain && *stage != Stage::InPool {
			eprintln!("  {text}");
		}
	}

	fn finish(&self) {
		if let Some(bar) = &self.bar {
			bar.finish_and_clear();
		}
	}
}
