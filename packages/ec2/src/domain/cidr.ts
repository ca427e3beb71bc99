/** IPv4 CIDR arithmetic for VPCs and subnets. */
export interface Cidr {
  base: number;
  prefix: number;
}

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
export const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Parses `a.b.c.d/n`; undefined when malformed or when host bits are set. */
export function parseCidr(s: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(s);
  if (!m || m.slice(1, 5).some((o) => Number(o) > 255)) return undefined;
  const prefix = Number(m[5]);
  if (prefix > 32) return undefined;
  const base = toInt(m.slice(1, 5).join('.'));
  if (base % 2 ** (32 - prefix) !== 0) return undefined;
  return { base, prefix };
}

export const size = (c: Cidr) => 2 ** (32 - c.prefix);
export const contains = (outer: Cidr, inner: Cidr) =>
  inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
export const overlaps = (a: Cidr, b: Cidr) => a.base < b.base + size(b) && b.base < a.base + size(a);
export const hasAddress = (c: Cidr, ip: string) => {
  const n = toInt(ip);
  return n >= c.base && n < c.base + size(c);
};

/** AWS reserves the first four addresses and the last one of every subnet. */
export const RESERVED_PER_SUBNET = 5;

/** The first free address of a subnet after AWS's reserved ones, or undefined when full. */
export function freeAddress(c: Cidr, used: Set<string>): string | undefined {
  for (let n = c.base + 4; n < c.base + size(c) - 1; n++) {
    const ip = toIp(n);
    if (!used.has(ip)) return ip;
  }
  return undefined;
}
