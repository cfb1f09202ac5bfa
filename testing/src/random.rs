//! The one small random generator of the tests (xorshift64*): deterministic from a seed, so
//! that a failing seed, world or sample replays. Not for anything but tests and benchmarks.

/// A seeded xorshift64* generator.
#[derive(Clone, Debug)]
pub struct Rng {
	state: u64,
}

impl Rng {
	/// A generator for `seed`; every seed (zero included) gives a usable sequence.
	pub fn new(seed: u64) -> Self {
		Self { state: seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1 }
	}

	/// The next number.
	pub fn next_u64(&mut self) -> u64 {
		self.state ^= self.state >> 12;
		self.state ^= self.state << 25;
		self.state ^= self.state >> 27;
		self.state.wrapping_mul(0x2545_f491_4f6c_dd1d)
	}

	/// A number in `0..n`; 0 when `n` is 0.
	pub fn below(&mut self, n: u64) -> u64 {
		if n == 0 {
			0
		} else {
			self.next_u64() % n
		}
	}

	/// An index into something `len` long; 0 when it is empty.
	pub fn index(&mut self, len: usize) -> usize {
		self.below(len as u64) as usize
	}

	/// True once in `one_in` times on average.
	pub fn chance(&mut self, one_in: u64) -> bool {
		self.below(one_in) == 0
	}

	/// One of `items`, `None` when there are none.
	pub fn pick<T: Clone>(&mut self, items: &[T]) -> Option<T> {
		(!items.is_empty()).then(|| items[self.index(items.len())].clone())
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_seed_replays_and_ranges_hold() {
		let (mut a, mut b) = (Rng::new(7), Rng::new(7));
		let first: Vec<u64> = (0..100).map(|_| a.next_u64()).collect();
		assert_eq!(first, (0..100).map(|_| b.next_u64()).collect::<Vec<_>>());
		assert_ne!(Rng::new(8).next_u64(), first[0]);
		let mut zero = Rng::new(0);
		assert_ne!(zero.next_u64(), zero.next_u64(), "seed 0 is not stuck");
		for _ in 0..1_000 {
			assert!(a.below(10) < 10);
		}
		assert_eq!(a.below(0), 0);
		assert_eq!(a.pick::<u8>(&[]), None);
		assert_eq!(a.pick(&[5]), Some(5));
	}
}
