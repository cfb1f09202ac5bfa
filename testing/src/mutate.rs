//! Mutation fuzzing for decoders that take outside input (order files, control-plane requests):
//! valid samples changed the way libFuzzer's mutators change them (bit flips, bytes inserted,
//! erased, repeated or swapped, chunks of other samples spliced in, interesting values such as
//! huge numbers, deep nesting and non-ASCII text), deterministically from a seed so that a
//! failure replays.

/// Values decoders choke on, spliced in at random places.
const INTERESTING: &[&[u8]] = &[
	b"18446744073709551616",
	b"340282366920938463463374607431768211456",
	b"-1",
	b"1e400",
	b"NaN",
	b"\xff\xfe",
	"é€𝄞".as_bytes(),
	b"\0",
	b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	b"{{{{{{{{{{{{{{{{{{{{",
	b"&a [*a, *a, *a, *a]",
	b"!!binary AAAA",
	b"\"\\u0000\"",
	b"    ",
	b"\n-\n-\n",
	b": : :",
];

use crate::random::Rng;

/// A seeded source of mutated inputs.
pub struct Mutator {
	rng: Rng,
}

impl Mutator {
	pub fn new(seed: u64) -> Self {
		Self { rng: Rng::new(seed) }
	}

	fn next(&mut self) -> u64 {
		self.rng.next_u64()
	}

	fn below(&mut self, n: usize) -> usize {
		self.rng.index(n)
	}

	/// One of `samples`, changed by one to eight mutations.
	pub fn mutate(&mut self, samples: &[&[u8]]) -> Vec<u8> {
		let mut data = samples[self.below(samples.len())].to_vec();
		for _ in 0..1 + self.below(8) {
			let at = self.below(data.len() + 1);
			match self.below(8) {
				0 if !data.is_empty() => {
					let i = self.below(data.len());
					data[i] ^= 1 << self.below(8);
				},
				1 => data.insert(at, self.next() as u8),
				2 if !data.is_empty() => {
					let end = (at + 1 + self.below(16)).min(data.len());
					data.drain(at.min(end)..end);
				},
				3 => {
					let value = INTERESTING[self.below(INTERESTING.len())];
					data.splice(at..at, value.iter().copied());
				},
				4 if !data.is_empty() => {
					// Repeat a chunk many times: long strings, long arrays.
					let start = self.below(data.len());
					let end = (start + 1 + self.below(8)).min(data.len());
					let chunk = data[start..end].to_vec();
					let times = 1 + self.below(2000);
					let repeated: Vec<u8> =
						chunk.iter().copied().cycle().take(chunk.len() * times).collect();
					data.splice(at..at, repeated);
				},
				5 => {
					// Splice in part of another sample.
					let other = samples[self.below(samples.len())];
					let start = self.below(other.len());
					let end = (start + self.below(other.len() - start + 1)).min(other.len());
					data.splice(at..at, other[start..end].iter().copied());
				},
				6 if !data.is_empty() => {
					let (i, j) = (self.below(data.len()), self.below(data.len()));
					data.swap(i, j);
				},
				_ => data.truncate(at),
			}
		}
		data
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn mutations_replay_from_their_seed_and_differ_from_the_samples() {
		let samples: [&[u8]; 2] = [b"side: bid\nprice: 1 SNM/h\n", b"{\"image\": \"busybox\"}"];
		let first: Vec<Vec<u8>> = (0..100)
			.map({
				let mut m = Mutator::new(7);
				move |_| m.mutate(&samples)
			})
			.collect();
		let again: Vec<Vec<u8>> = (0..100)
			.map({
				let mut m = Mutator::new(7);
				move |_| m.mutate(&samples)
			})
			.collect();
		assert_eq!(first, again);
		let changed = first.iter().filter(|m| !samples.contains(&m.as_slice())).count();
		assert!(changed > 90, "only {changed} of 100 differ from the samples");
	}
}
