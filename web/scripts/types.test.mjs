// The generated TypeScript types are what `npm run types` writes from the documents now: a
// changed Rust type (its document rewritten by the indexer's test) without regenerated types
// fails here.
import { describe, expect, it } from 'vitest';
import { DOCUMENTS, checkedIn, moduleFor } from './types.mjs';

describe('generated types', () => {
  for (const { document, module } of DOCUMENTS) {
    it(`src/generated/${module} is current with ${document} (npm run types)`, async () => {
      expect(await checkedIn(module)).toBe(await moduleFor(document));
    });
  }
});
