//! The command line, as clap parses it.

use crate::error::EXIT_CODES;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// The SONM sidechain from the command line: accounts, orders, deals, blacklists, KYC,
/// masternodes and prices.
///
/// Accounts are given as an SS58 address, a keystore account's name or a dev account's name
/// (alice ... ferdie, dev chains only). Transactions are signed by --from: a keystore account
/// (its password from --password, SONM_PASSWORD or a prompt), a dev name, or a secret URI
/// (`//Alice`, a mnemonic, a 0x seed).
#[derive(Debug, Parser)]
#[command(name = "sonm", version, after_help = EXIT_CODES)]
pub struct Cli {
	/// The node's WebSocket RPC address.
	#[arg(long, env = "SONM_URL", default_value = "ws://127.0.0.1:9944", global = true)]
	pub url: String,
	/// `human` for people, `json` for scripts (one JSON document on stdout, errors too).
	#[arg(long, short = 'o', value_enum, default_value_t = Output::Human, global = true)]
	pub output: Output,
	/// The keystore directory [default: $XDG_DATA_HOME/sonm/keystore or
	/// ~/.local/share/sonm/keystore].
	#[arg(long, env = "SONM_KEYSTORE", global = true)]
	pub keystore: Option<PathBuf>,
	/// Who signs: a keystore account, a dev account's name or a secret URI.
	#[arg(long, env = "SONM_FROM", global = true, hide_env_values = true)]
	pub from: Option<String>,
	/// The keystore account's password.
	#[arg(long, env = "SONM_PASSWORD", global = true, hide_env_values = true)]
	pub password: Option<String>,
	/// Wait until the transaction's block is finalized, not only included.
	#[arg(long, global = true)]
	pub finalized: bool,
	/// The market's history and search: a `sonm-indexer`'s API.
	#[arg(long, env = "SONM_INDEXER", default_value = "http://127.0.0.1:9640", global = true)]
	pub indexer: String,
	/// Show amounts exact to the base unit (10^-18 SNM) instead of rounded to 6 decimals
	/// (`~1.2 SNM`); JSON output is always exact.
	#[arg(long, global = true)]
	pub exact: bool,
	#[command(subcommand)]
	pub command: Command,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Output {
	/// Readable text: SNM with decimals, prices per hour, durations, relative times.
	Human,
	/// JSON on stdout: amounts as decimal strings of base units, times as unix seconds.
	Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
	/// Keys in the keystore: generate, import, list.
	#[command(subcommand)]
	Accounts(AccountsCommand),
	/// An account's free and held SNM.
	Balance {
		/// The account [default: --from].
		account: Option<String>,
	},
	/// Sends SNM (keeps the sender alive).
	Transfer {
		/// The recipient.
		to: String,
		/// How much, e.g. `1.5 SNM` (or base units with no unit).
		amount: String,
	},
	/// The order book: create, list, show, cancel.
	#[command(subcommand)]
	Orders(OrdersCommand),
	/// Deals: list, show, open, quick-buy, bill, close, change requests.
	#[command(subcommand)]
	Deals(DealsCommand),
	/// Masters and their workers: a worker's deal income goes to its confirmed master.
	#[command(subcommand)]
	Worker(WorkerCommand),
	/// A deal's workload on its worker: start, status, logs, exec, stop (signed by --from, the
	/// deal's customer).
	#[command(subcommand)]
	Task(TaskCommand),
	/// Your blacklist and the lists you subscribe to.
	#[command(subcommand)]
	Blacklist(BlacklistCommand),
	/// KYC: providers, verification requests, your level.
	#[command(subcommand)]
	Kyc(KycCommand),
	/// Your public profile, shown once a provider or moderator approves it.
	#[command(subcommand)]
	Profile(ProfileCommand),
	/// Staking as a masternode: register, bond, unbond, withdraw, leave, back, status, rewards.
	#[command(subcommand)]
	Masternode(MasternodeCommand),
	/// The price oracle.
	#[command(subcommand)]
	Oracle(OracleCommand),
	/// SNM in and out through the Ethereum gateway: deposit, withdraw, status.
	#[command(subcommand)]
	Token(TokenCommand),
	/// An account's past deals, orders and payments, from the indexer (--indexer).
	#[command(subcommand)]
	History(HistoryCommand),
	/// The market over time, from the indexer (--indexer).
	#[command(subcommand)]
	Market(MarketCommand),
	/// The masternodes' council, which is the chain's root: motions, votes, closing.
	#[command(subcommand)]
	Council(CouncilCommand),
	/// The chain's runtime: its version, and upgrades by council motion.
	#[command(subcommand)]
	Runtime(RuntimeCommand),
}

#[derive(Debug, Subcommand)]
pub enum CouncilCommand {
	/// The council's members (the active masternodes) and open motions with their votes.
	List,
	/// Moves that the council run a call as root; you (a member) vote aye with it.
	Propose {
		/// The call's SCALE encoding as 0x hex (polkadot.js apps shows it as "encoded call
		/// data"), e.g. `0x1400…` for `Market.set_paused(true)`.
		call: String,
	},
	/// Votes on an open motion (aye unless --nay).
	Vote {
		/// The motion's hash (`sonm council list`).
		motion: String,
		/// Vote against.
		#[arg(long)]
		nay: bool,
	},
	/// Closes a motion that has its votes or whose time is up: carried, its call runs.
	Close {
		/// The motion's hash.
		motion: String,
	},
}

#[derive(Debug, Subcommand)]
pub enum RuntimeCommand {
	/// The node's runtime: name, spec version and transaction version.
	Version,
	/// Upgrades the runtime to WASM: proposes `System.authorize_upgrade` with its hash to the
	/// council (or joins the open motion), shows the votes as they come, closes the motion once
	/// carried, applies the code and waits for the new version.
	Upgrade {
		/// The runtime's code: a built `sonm_runtime.wasm` (compressed before it is sent) or a
		/// `sonm_runtime.compact.compressed.wasm`.
		wasm: std::path::PathBuf,
	},
}

#[derive(Debug, Subcommand)]
pub enum HistoryCommand {
	/// Every deal the account took part in (supplier, customer or payee), newest first.
	Deals {
		/// The account [default: --from].
		account: Option<String>,
		/// Only `open` or only `closed` deals.
		#[arg(long, value_parser = ["open", "closed"])]
		status: Option<String>,
		/// The most deals shown.
		#[arg(long, default_value_t = 50)]
		limit: u64,
	},
	/// Every order the account placed, newest first, with how it left the book.
	Orders {
		/// The account [default: --from].
		account: Option<String>,
		/// The most orders shown.
		#[arg(long, default_value_t = 50)]
		limit: u64,
	},
	/// What the account paid and received, per period.
	Payments {
		/// The account [default: --from].
		account: Option<String>,
		/// hour, day, week or month.
		#[arg(long, default_value = "month", value_parser = ["hour", "day", "week", "month"])]
		period: String,
	},
}

#[derive(Debug, Subcommand)]
pub enum MarketCommand {
	/// The price index: median and quartiles of the asks' prices per resource-hour, per period.
	Prices {
		/// core (per core-hour), memory (per GiB-hour) or gpu (per GPU-hour).
		#[arg(long, default_value = "core", value_parser = ["core", "memory", "gpu"])]
		resource: String,
		/// hour, day, week or month.
		#[arg(long, default_value = "day", value_parser = ["hour", "day", "week", "month"])]
		period: String,
		/// The prices' unit: SNM or USD.
		#[arg(long, default_value = "SNM")]
		unit: String,
	},
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
	/// Makes a new key, prints its mnemonic once and stores it encrypted.
	Generate {
		/// The account's name in the keystore.
		name: String,
	},
	/// Adds a key: a polkadot.js JSON export (--json) or a secret URI (--suri).
	Import {
		/// The account's name in the keystore [default: the JSON's name].
		#[arg(long)]
		name: Option<String>,
		/// A JSON key file exported from polkadot.js (or another wallet); --password opens it.
		#[arg(long, conflicts_with = "suri", required_unless_present = "suri")]
		json: Option<PathBuf>,
		/// A secret URI: a mnemonic with an optional derivation path, or a 0x seed.
		#[arg(long, hide_env_values = true, env = "SONM_IMPORT_SURI")]
		suri: Option<String>,
	},
	/// The keystore's accounts.
	List,
}

/// An order's terms as flags (or --file).
#[derive(Debug, Args)]
pub struct OrderFlags {
	/// A YAML order file (see `sonm orders create --help`); no other term flags with it.
	#[arg(long, short = 'f', conflicts_with_all = ["side", "price", "duration"])]
	pub file: Option<PathBuf>,
	/// `ask` (supplier) or `bid` (customer).
	#[arg(long, required_unless_present = "file")]
	pub side: Option<String>,
	/// e.g. `2.5 USD/h`, `0.001 SNM/s`.
	#[arg(long, required_unless_present = "file")]
	pub price: Option<String>,
	/// e.g. `8h`, `1h30m`; `spot` or `0` for a spot deal.
	#[arg(long, required_unless_present = "file")]
	pub duration: Option<String>,
	/// Only this account may be the counterparty.
	#[arg(long)]
	pub counterparty: Option<String>,
	/// The least KYC level of the counterparty: anonymous, registered, identified, professional.
	#[arg(long)]
	pub identity: Option<String>,
	/// Also apply this curator's blacklist to the counterparty.
	#[arg(long)]
	pub blacklist: Option<String>,
	/// A label, at most 32 bytes.
	#[arg(long)]
	pub tag: Option<String>,
	/// Stop matching after this long, e.g. `1d`.
	#[arg(long)]
	pub expires_in: Option<String>,
	/// A resource, offered (ask) or required (bid): `NAME=VALUE`, e.g. `cpu-cores=4`,
	/// `ram-size=2GiB`, `net-download=100Mbit/s`; repeat for more.
	#[arg(long = "resource", short = 'r', value_name = "NAME=VALUE")]
	pub resources: Vec<String>,
	/// Network flag: reachable through the overlay network.
	#[arg(long)]
	pub overlay: bool,
	/// Network flag: outbound connections.
	#[arg(long)]
	pub outbound: bool,
	/// Network flag: incoming connections.
	#[arg(long)]
	pub incoming: bool,
}

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
	/// Places an order from flags or a YAML file.
	#[command(after_help = crate::order_file::FILE_HELP)]
	Create(OrderFlags),
	/// Open orders.
	List {
		/// Only bids or asks.
		#[arg(long)]
		side: Option<String>,
		/// Only this account's orders (`me`: --from's).
		#[arg(long)]
		author: Option<String>,
		/// Only orders that would make a deal with this order, best price first.
		#[arg(long, conflicts_with_all = ["side", "author"])]
		matching: Option<u64>,
		/// From this order id on.
		#[arg(long, default_value_t = 0)]
		from_id: u64,
		/// At most this many (1000 at most).
		#[arg(long, default_value_t = 100)]
		limit: u32,
	},
	/// One order.
	Show {
		/// The order's id.
		id: u64,
	},
	/// Cancels your order; what it held comes back.
	Cancel {
		/// The order's id.
		id: u64,
	},
}

#[derive(Debug, Subcommand)]
pub enum DealsCommand {
	/// Your open deals (or another account's).
	List {
		/// The account [default: --from].
		account: Option<String>,
	},
	/// One deal, with its pending change requests.
	Show {
		/// The deal's id.
		id: u64,
	},
	/// Opens a deal from an ask and a bid (anyone may match two orders).
	Open {
		/// The ask's id.
		ask: u64,
		/// The bid's id.
		bid: u64,
	},
	/// Hands a worker a bid signed by --from, placed nowhere before: the worker checks it
	/// against its free asks and opens the deal with the cheapest that matches, in one
	/// transaction the worker pays for. The bid's escrow is held from --from as for any bid.
	#[command(after_help = crate::order_file::FILE_HELP)]
	Request {
		/// The supplier whose worker takes the bid: its published endpoint is used.
		#[arg(long, required_unless_present = "worker")]
		supplier: Option<String>,
		/// The worker's control plane: a URL or a libp2p address with its peer id [default:
		/// the endpoint --supplier publishes on chain].
		#[arg(long, env = "SONM_WORKER_URL")]
		worker: Option<String>,
		/// How long the signed bid may be used, e.g. `5m`; after that no one can open a deal
		/// with it.
		#[arg(long, default_value = "5m")]
		valid_for: String,
		/// The bid's nonce: a signed bid with a used nonce is refused [default: a random one].
		#[arg(long)]
		nonce: Option<u64>,
		/// The bid (`--side bid`).
		#[command(flatten)]
		bid: Box<OrderFlags>,
		/// The deal's task: the worker checks it with the bid, before it pays for the deal,
		/// and starts it as soon as the deal is in a block (without it, start the task with
		/// `sonm task start` once the deal is open).
		#[arg(long)]
		image: Option<String>,
		#[command(flatten)]
		task: Box<TaskFlags>,
	},
	/// Buys an ask directly for a duration (a bid at the ask's price, matched at once).
	QuickBuy {
		/// The ask's id.
		ask: u64,
		/// e.g. `8h`; `spot` for a spot deal [default: the ask's duration].
		#[arg(long)]
		duration: Option<String>,
	},
	/// Pays the supplier for the time since the last bill (anyone may bill).
	Bill {
		/// The deal's id.
		id: u64,
	},
	/// Closes a deal; before the end of a forward deal only the customer may, with a refund.
	Close {
		/// The deal's id.
		id: u64,
		/// Also blacklist the counterparty.
		#[arg(long)]
		blacklist: bool,
	},
	/// Change requests: propose new terms, accept, cancel or reject.
	#[command(subcommand)]
	Change(ChangeCommand),
}

#[derive(Debug, Subcommand)]
pub enum ChangeCommand {
	/// Proposes a new price and/or duration for a deal.
	Create {
		/// The deal's id.
		deal: u64,
		/// The new price in the deal's unit, e.g. `3 USD/h` [default: unchanged].
		#[arg(long)]
		price: Option<String>,
		/// The new total duration from the deal's start [default: unchanged].
		#[arg(long)]
		duration: Option<String>,
	},
	/// Accepts the other side's request.
	Accept {
		/// The deal's id.
		deal: u64,
	},
	/// Withdraws your own request.
	Cancel {
		/// The deal's id.
		deal: u64,
	},
	/// Rejects the other side's request.
	Reject {
		/// The deal's id.
		deal: u64,
	},
}

#[derive(Debug, Subcommand)]
pub enum BlacklistCommand {
	/// Puts an account on your blacklist (holds a small deposit).
	Add {
		/// The account.
		account: String,
	},
	/// Takes an account off your blacklist.
	Remove {
		/// The account.
		account: String,
	},
	/// Your list, your subscriptions and the published curated lists.
	List {
		/// Whose list [default: --from].
		account: Option<String>,
	},
	/// Applies another account's list (a curator's) as your own.
	Subscribe {
		/// The list's owner.
		account: String,
	},
	/// Stops applying another account's list.
	Unsubscribe {
		/// The list's owner.
		account: String,
	},
}

#[derive(Debug, Subcommand)]
pub enum KycCommand {
	/// The registered KYC providers.
	Providers,
	/// Asks a provider to verify you at a level; its fee is held until it decides.
	Request {
		/// The provider's id.
		provider: u32,
		/// registered, identified or professional.
		level: String,
	},
	/// Your level, certifications and pending requests (or another account's).
	Status {
		/// The account [default: --from].
		account: Option<String>,
	},
}

#[derive(Debug, Subcommand)]
pub enum ProfileCommand {
	/// Submits your profile (a deposit is held); shown once approved.
	Set {
		#[arg(long, default_value = "")]
		name: String,
		#[arg(long, default_value = "")]
		company: String,
		#[arg(long, default_value = "")]
		site: String,
		#[arg(long, default_value = "")]
		logo: String,
		#[arg(long, default_value = "")]
		email: String,
		#[arg(long, default_value = "")]
		phone: String,
		/// A social link; repeat for more (8 at most).
		#[arg(long)]
		social: Vec<String>,
	},
	/// An account's approved profile.
	Show {
		/// The account [default: --from].
		account: Option<String>,
	},
}

#[derive(Debug, Subcommand)]
pub enum MasternodeCommand {
	/// Registers as a masternode, staking at least 10,000 SNM (session keys are set separately).
	Register {
		/// The stake, e.g. `10000 SNM`.
		stake: String,
	},
	/// Adds to your stake.
	Bond {
		/// How much, e.g. `500 SNM`.
		amount: String,
	},
	/// Starts unbonding part of your stake.
	Unbond {
		/// How much, e.g. `500 SNM`.
		amount: String,
	},
	/// Withdraws stake whose unbonding period is over.
	Withdraw,
	/// Leaves: the whole stake unbonds and the masternode is not selected again.
	Leave,
	/// Signals that a masternode marked offline is online again (from the next planned set).
	Back,
	/// Sets the node's session keys, as `author_rotateKeysWithOwner(<your account>)` on your
	/// node returned them: without them a masternode is not selected.
	SetKeys {
		/// The session keys, `0x` hex (Aura then GRANDPA, 64 bytes): the answer's `keys`.
		keys: String,
		/// The proof that the keys' owner is you, `0x` hex: the answer's `proof`.
		proof: String,
	},
	/// Registers the Ethereum key your gateway signs with (`sonm-bridge gateway --eth-suri`):
	/// the signer set of the next set change includes it.
	EthKey {
		/// The Ethereum key: a secret URI (`//Alice` on dev chains) or a `0x` hex secret key.
		#[arg(long, env = "SONM_ETH_SURI")]
		eth_suri: String,
	},
	/// The session, the active set and every masternode (or one).
	Status {
		/// Only this masternode.
		account: Option<String>,
	},
	/// What a masternode would be paid if the session ended now.
	Rewards {
		/// The masternode [default: --from].
		account: Option<String>,
	},
}

#[derive(Debug, Subcommand)]
pub enum OracleCommand {
	/// The prices in force and how fresh they are.
	Prices,
}

#[cfg(test)]
mod tests {
	use super::*;
	use clap::{error::ErrorKind, CommandFactory};

	fn parse(line: &str) -> Result<Cli, clap::Error> {
		Cli::try_parse_from(line.split_whitespace())
	}

	#[test]
	fn exact_is_one_flag_away() {
		let held = 1_199_999_999_999_999_800;
		for (line, shown) in [
			("sonm balance", "~1.2"),
			("sonm --exact balance", "1.1999999999999998"),
			("sonm balance --exact", "1.1999999999999998"),
		] {
			let cli = parse(line).expect("the arguments parse");
			assert_eq!(crate::format::shown_decimal(held, cli.exact), shown, "{line}");
		}
	}

	#[test]
	fn the_command_tree_is_consistent() {
		Cli::command().debug_assert();
	}

	#[test]
	fn orders_from_a_file_or_from_flags() {
		let cli = parse("sonm orders create --file ask.yaml --from bob").unwrap();
		let Command::Orders(OrdersCommand::Create(flags)) = cli.command else { panic!() };
		assert_eq!(flags.file.unwrap(), PathBuf::from("ask.yaml"));
		assert_eq!(cli.from.as_deref(), Some("bob"));

		let cli = parse(
			"sonm -o json orders create --side bid --price 2.5USD/h --duration 8h -r cpu-cores=4 \
			 -r ram-size=2GiB --outbound --identity registered",
		)
		.unwrap();
		assert_eq!(cli.output, Output::Json);
		let Command::Orders(OrdersCommand::Create(flags)) = cli.command else { panic!() };
		assert_eq!(flags.side.as_deref(), Some("bid"));
		assert_eq!(flags.resources, ["cpu-cores=4", "ram-size=2GiB"]);
		assert!(flags.outbound && !flags.overlay);
	}

	#[test]
	fn an_order_needs_its_terms_or_a_file() {
		let error = parse("sonm orders create --side ask --price 1SNM/h").unwrap_err();
		assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
		assert!(error.to_string().contains("--duration"));
		let error = parse("sonm orders create --file a.yaml --side ask").unwrap_err();
		assert_eq!(error.kind(), ErrorKind::ArgumentConflict);
	}

	#[test]
	fn a_signed_bid_with_its_task_or_without() {
		let cli = parse(
			"sonm deals request --worker http://127.0.0.1:9630 --side bid --price 1SNM/h \
			 --duration 1h --image busybox:1.36 -e A=1 -p 80 --restart on-failure -- sleep 60",
		)
		.unwrap();
		let Command::Deals(DealsCommand::Request { image, task, bid, .. }) = cli.command else {
			panic!()
		};
		assert_eq!(image.as_deref(), Some("busybox:1.36"));
		assert!(task.any_given());
		assert_eq!((task.env, task.ports), (vec!["A=1".to_owned()], vec![80]));
		assert_eq!(
			(task.restart.as_deref(), task.command),
			(Some("on-failure"), vec!["sleep".into(), "60".into()])
		);
		assert_eq!(bid.side.as_deref(), Some("bid"));
		let cli = parse("sonm deals request --worker http://127.0.0.1:9630 --side bid --price 1SNM/h --duration 1h").unwrap();
		let Command::Deals(DealsCommand::Request { image, task, .. }) = cli.command else {
			panic!()
		};
		assert!(image.is_none() && !task.any_given());
		let cli = parse("sonm deals request --worker http://127.0.0.1:9630 --side bid --price 1SNM/h --duration 1h --restart always").unwrap();
		let Command::Deals(DealsCommand::Request { image, task, .. }) = cli.command else {
			panic!()
		};
		assert!(image.is_none() && task.any_given(), "a task flag without its image");
	}

	#[test]
	fn deals_and_change_requests() {
		let cli = parse("sonm deals close 7 --blacklist").unwrap();
		assert!(matches!(
			cli.command,
			Command::Deals(DealsCommand::Close { id: 7, blacklist: true })
		));
		let cli = parse("sonm deals quick-buy 3 --duration 1h").unwrap();
		assert!(matches!(
			cli.command,
			Command::Deals(DealsCommand::QuickBuy { ask: 3, duration: Some(ref d) }) if d == "1h"
		));
		let cli = parse("sonm deals change create 4 --price 3USD/h").unwrap();
		assert!(matches!(
			cli.command,
			Command::Deals(DealsCommand::Change(ChangeCommand::Create { deal: 4, .. }))
		));
		for action in ["accept", "cancel", "reject"] {
			assert!(parse(&format!("sonm deals change {action} 4")).is_ok(), "{action}");
		}
		let error = parse("sonm deals open 1").unwrap_err();
		assert_eq!(error.kind(), ErrorKind::MissingRequiredArgument);
		let error = parse("sonm deals bill seven").unwrap_err();
		assert_eq!(error.kind(), ErrorKind::ValueValidation);
	}

	#[test]
	fn every_group_parses() {
		for line in [
			"sonm accounts generate supplier",
			"sonm accounts import --json wallet.json",
			"sonm accounts import --suri //Alice --name alice",
			"sonm accounts list",
			"sonm balance",
			"sonm balance 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
			"sonm transfer bob 1.5SNM",
			"sonm orders list --side ask --limit 10",
			"sonm orders list --matching 3",
			"sonm orders show 1",
			"sonm orders cancel 1",
			"sonm deals list",
			"sonm deals show 2",
			"sonm blacklist add bob",
			"sonm blacklist remove bob",
			"sonm blacklist list",
			"sonm blacklist subscribe bob",
			"sonm blacklist unsubscribe bob",
			"sonm kyc providers",
			"sonm kyc request 0 identified",
			"sonm kyc status",
			"sonm profile set --name Alice --social https://x.example/alice",
			"sonm profile show bob",
			"sonm masternode register 10000SNM",
			"sonm masternode bond 5SNM",
			"sonm masternode unbond 5SNM",
			"sonm masternode leave",
			"sonm masternode back",
			"sonm masternode withdraw",
			"sonm masternode status",
			"sonm masternode rewards alice",
			"sonm oracle prices",
		] {
			assert!(parse(line).is_ok(), "{line}: {:?}", parse(line).err());
		}
		assert_eq!(
			parse("sonm accounts import").unwrap_err().kind(),
			ErrorKind::MissingRequiredArgument
		);
		assert_eq!(
			parse("sonm -o yaml oracle prices").unwrap_err().kind(),
			ErrorKind::InvalidValue
		);
		assert_eq!(
			parse("sonm orders frobnicate").unwrap_err().kind(),
			ErrorKind::InvalidSubcommand
		);
	}

	#[test]
	fn the_url_defaults_to_a_local_node_and_help_lists_exit_codes() {
		let cli = parse("sonm --url ws://10.0.0.1:9944 oracle prices").unwrap();
		assert_eq!(cli.url, "ws://10.0.0.1:9944");
		let help = Cli::command().render_long_help().to_string();
		assert!(help.contains("SONM_URL"));
		assert!(help.contains("Exit codes"));
	}
}

#[derive(Debug, Subcommand)]
pub enum WorkerCommand {
	/// Asks to join a master as its worker (signed by the worker).
	Join {
		/// The master.
		master: String,
	},
	/// Confirms a worker that asked to join you (signed by the master).
	Confirm {
		/// The worker.
		worker: String,
	},
	/// Ends a worker's link (signed by the worker or its master).
	Remove {
		/// The worker [default: --from].
		worker: Option<String>,
	},
	/// The workers of a master, confirmed or waiting.
	List {
		/// The master [default: --from].
		master: Option<String>,
	},
	/// Where a worker's control plane is reached: its endpoint record on chain.
	#[command(subcommand)]
	Endpoint(EndpointCommand),
}

#[derive(Debug, Subcommand)]
pub enum EndpointCommand {
	/// A worker's published endpoint.
	Show {
		/// The worker [default: --from].
		worker: Option<String>,
	},
	/// Publishes (or changes) --from's endpoint; the first record holds a deposit. `sonm-worker`
	/// does this itself from `tasks.advertise`.
	Set {
		/// An `http://` or `https://` URL, or a libp2p multiaddress.
		endpoint: String,
	},
	/// Withdraws --from's endpoint and releases its deposit.
	Clear,
}

/// Where a task command goes.
#[derive(Debug, Args)]
pub struct TaskTarget {
	/// The deal.
	#[arg(long)]
	pub deal: u64,
	/// The worker's control plane: a URL (`http://203.0.113.7:9630`) or a libp2p address with
	/// its peer id (`/ip4/203.0.113.7/tcp/9631/p2p/12D3KooW...`) [default: the endpoint the
	/// deal's supplier publishes on chain].
	#[arg(long, env = "SONM_WORKER_URL")]
	pub worker: Option<String>,
}

/// A task's flags beside its image: `sonm task start`'s, and `sonm deals request`'s for the
/// task started on the deal as soon as it opens.
#[derive(Debug, Args)]
pub struct TaskFlags {
	/// An environment variable, NAME=value (repeatable).
	#[arg(long = "env", short = 'e')]
	pub env: Vec<String>,
	/// A container port to publish (repeatable; the deal must allow incoming connections).
	#[arg(long = "port", short = 'p')]
	pub ports: Vec<u16>,
	/// Mount the deal's volume here (an absolute path): a file system of the deal's storage
	/// that keeps its files across the deal's tasks until the deal ends.
	#[arg(long)]
	pub volume: Option<String>,
	/// Start it again when it exits: `no` (report the exit code), `on-failure` (after a
	/// non-zero exit, at most 5 times) or `always` [default: no].
	#[arg(long, value_parser = ["no", "on-failure", "always"])]
	pub restart: Option<String>,
	/// The command (after `--`); the image's own without it.
	#[arg(last = true)]
	pub command: Vec<String>,
}

impl TaskFlags {
	/// Whether any of them was given.
	pub fn any_given(&self) -> bool {
		!self.env.is_empty()
			|| !self.ports.is_empty()
			|| self.volume.is_some()
			|| self.restart.is_some()
			|| !self.command.is_empty()
	}
}

#[derive(Debug, Subcommand)]
pub enum TaskCommand {
	/// Starts the deal's task.
	Start {
		#[command(flatten)]
		target: TaskTarget,
		/// The image.
		#[arg(long)]
		image: String,
		#[command(flatten)]
		task: TaskFlags,
	},
	/// The task's state: status, exit code, published ports.
	Status {
		#[command(flatten)]
		target: TaskTarget,
	},
	/// The task's output.
	Logs {
		#[command(flatten)]
		target: TaskTarget,
		/// Keep following it until the task ends.
		#[arg(long, short)]
		follow: bool,
		/// Start from this byte of the output (the `next` of an earlier call: a follower that
		/// reconnects resumes there, without gap or repetition).
		#[arg(long, default_value_t = 0)]
		cursor: usize,
		/// Only lines written in this last while (`10m`, `1h30m`).
		#[arg(long)]
		since: Option<String>,
		/// Only the last this many lines.
		#[arg(long)]
		tail: Option<usize>,
	},
	/// Runs a command in the task, not interactively; its output shows as it comes.
	Exec {
		#[command(flatten)]
		target: TaskTarget,
		/// Stop it after this long (`30s`, `5m`); the worker's own limit when not given (asking
		/// for more is refused).
		#[arg(long)]
		timeout: Option<String>,
		/// The command (after `--`).
		#[arg(last = true, required = true)]
		command: Vec<String>,
	},
	/// Carries connections to a local port to a port the task publishes, over the worker's
	/// libp2p address (a worker behind NAT); runs until stopped (Ctrl-C).
	Forward {
		#[command(flatten)]
		target: TaskTarget,
		/// `LOCAL:TASK`: connections to 127.0.0.1:LOCAL reach the task's port TASK (LOCAL 0:
		/// any free port, printed).
		ports: String,
	},
	/// Stops and removes the task (its output stays readable).
	Stop {
		#[command(flatten)]
		target: TaskTarget,
	},
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
	/// Locks SNM on Ethereum for a sidechain account and waits until the sidechain mints it.
	Deposit {
		/// How much, e.g. `12.5` or `12.5 SNM`.
		amount: String,
		/// The sidechain account to mint to (address, keystore account or dev name) [default:
		/// --from].
		#[arg(long)]
		to: Option<String>,
		#[command(flatten)]
		ethereum: EthereumFlags,
		/// The Ethereum key that holds the SNM and pays gas (secret URI or 0x hex).
		#[arg(long, env = "SONM_ETH_SURI", hide_env_values = true)]
		eth_suri: String,
		/// Minutes to wait for the mint.
		#[arg(long, default_value_t = 30)]
		timeout: u64,
	},
	/// Burns SNM of --from on the sidechain and waits until Ethereum pays it out.
	Withdraw {
		/// How much leaves the account, e.g. `10` (the flat fee is taken from it).
		amount: String,
		/// The Ethereum address to pay (0x hex).
		#[arg(long)]
		to: String,
		#[command(flatten)]
		ethereum: EthereumFlags,
		/// Relay `payOut` with this Ethereum key once the signatures are complete, instead of
		/// waiting for a gateway to.
		#[arg(long, env = "SONM_ETH_SURI", hide_env_values = true)]
		relay_with: Option<String>,
		/// Minutes to wait for the payout.
		#[arg(long, default_value_t = 30)]
		timeout: u64,
	},
	/// The gateway on both sides: the contract, caps, totals, signer sets, pause, SNM locked.
	Status {
		#[command(flatten)]
		ethereum: EthereumFlags,
	},
}

/// Where Ethereum is.
#[derive(Args, Debug)]
pub struct EthereumFlags {
	/// The Ethereum node's JSON-RPC address.
	#[arg(long, env = "SONM_ETH_URL", default_value = "http://127.0.0.1:8545")]
	pub eth_url: String,
}
