import { describe, expect, it } from 'vitest';
import { routeUrl } from './indexer';

describe('routeUrl', () => {
  it('puts the route on the base and leaves out absent parameters', () => {
    expect(routeUrl('http://127.0.0.1:9640', '/orders', { side: 'Ask', limit: 10, author: undefined })).toBe(
      'http://127.0.0.1:9640/orders?side=Ask&limit=10',
    );
  });
  it('keeps ranges and addresses as written, encoded', () => {
    expect(routeUrl('http://h:1/', '/orders', { price: '..1000', cpu_cores: '4..' })).toBe(
      'http://h:1/orders?price=..1000&cpu_cores=4..',
    );
  });
  it('fills the path from the parameters named in it', () => {
    expect(routeUrl('http://h:1', '/orders/{id}/matches', { id: 7, limit: 20 })).toBe('http://h:1/orders/7/matches?limit=20');
  });
});
