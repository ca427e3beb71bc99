import { SubnetPool, parseCidr } from './subnets';

test('the 5 reserved addresses are skipped; a /28 holds 11 tasks', () => {
  const pool = new SubnetPool({ 'subnet-aaaa1111': '10.0.1.0/28' });
  const ips = Array.from({ length: 11 }, () => pool.lease('subnet-aaaa1111')!.ip);
  expect(ips[0]).toBe('10.0.1.4');
  expect(ips[10]).toBe('10.0.1.14');
  expect(new Set(ips).size).toBe(11);
  expect(pool.lease('subnet-aaaa1111')).toBeUndefined();
});

test('released addresses are reused; gateway and prefix are reported', () => {
  const pool = new SubnetPool({ 'subnet-b': '10.1.0.0/24' });
  const a = pool.lease('subnet-b')!;
  expect(a).toEqual({ subnetId: 'subnet-b', cidr: '10.1.0.0/24', ip: '10.1.0.4', gateway: '10.1.0.1', prefix: 24 });
  pool.lease('subnet-b');
  pool.release(a);
  expect(pool.lease('subnet-b')!.ip).toBe('10.1.0.4');
});

test('unknown subnets get a deterministic, distinct /24 in 172.31.0.0/16', () => {
  const one = new SubnetPool();
  const two = new SubnetPool();
  expect(one.cidrOf('subnet-12345678')).toBe(two.cidrOf('subnet-12345678'));
  expect(one.cidrOf('subnet-12345678')).toMatch(/^172\.31\.\d+\.0\/24$/);
  const seen = new Set(Array.from({ length: 50 }, (_, i) => one.cidrOf(`subnet-${i}`)));
  expect(seen.size).toBe(50);
});

test('CIDR parsing keeps AWS limits', () => {
  expect(parseCidr('10.0.1.7/24').base).toBe(parseCidr('10.0.1.0/24').base);
  expect(() => parseCidr('10.0.0.0/29')).toThrow();
  expect(() => parseCidr('nope')).toThrow();
});
