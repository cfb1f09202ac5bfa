-- "The open asks that match this bid" for a bid that needs many cores: walking the whole book
-- in price order passes every cheaper ask with too few cores (25-40 ms among 200,000 open
-- asks). An order's class by CPU cores is the power of two at or below its cores (0 for none or
-- one, at most 15; `write::cores_class`); the open asks are indexed by class, then price, and
-- covering every column a match filters on, so that a bid reads only the classes that can have
-- enough cores, each in price order (`api/matches.rs`).
ALTER TABLE orders ADD COLUMN cores_class INTEGER NOT NULL DEFAULT 0;
UPDATE orders SET cores_class = CASE
	WHEN b2 >= 32768 THEN 15
	WHEN b2 >= 16384 THEN 14
	WHEN b2 >= 8192 THEN 13
	WHEN b2 >= 4096 THEN 12
	WHEN b2 >= 2048 THEN 11
	WHEN b2 >= 1024 THEN 10
	WHEN b2 >= 512 THEN 9
	WHEN b2 >= 256 THEN 8
	WHEN b2 >= 128 THEN 7
	WHEN b2 >= 64 THEN 6
	WHEN b2 >= 32 THEN 5
	WHEN b2 >= 16 THEN 4
	WHEN b2 >= 8 THEN 3
	WHEN b2 >= 4 THEN 2
	WHEN b2 >= 2 THEN 1
	ELSE 0
END;
CREATE INDEX open_asks_by_cores_class ON orders (unit, cores_class, per_second, id, b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11, netflags, duration, expires_at)
	WHERE status = 'Active' AND side = 'Ask';
