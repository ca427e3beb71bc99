import { createHash, randomBytes } from 'node:crypto';

/**
 * Addresses for awsvpc ENIs. A subnet's CIDR is the one declared for it, else a /24 derived from
 * its id inside 172.31.0.0/16 (the default VPC's range). AWS reserves the first four addresses
 * and the last one of every subnet; no two live tasks share an address.
 */
export interface Lease {
  subnetId: string;
  cidr: string;
  ip: string;
  gateway: string;
  prefix: number;
  /** The EC2 network interface behind this address, when the EC2 plugin made it. */
  eniId?: string;
  macAddress?: string;
}

const toInt = (ip: string) => ip.split('.').reduce((a, o) => a * 256 + Number(o), 0);
const toIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

export function parseCidr(cidr: string): { base: number; prefix: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[2]) > 28 || Number(m[2]) < 16)
    throw new Error(`invalid subnet CIDR '${cidr}' (AWS allows /16 to /28)`);
  const prefix = Number(m[2]);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(toInt(m[1]) / size) * size, prefix };
}

export class SubnetPool {
  private readonly cidrs = new Map<string, string>();
  private readonly taken = new Map<string, Set<number>>();

  constructor(private readonly declared: Record<string, string> = {}) {
    for (const [id, cidr] of Object.entries(declared)) {
      parseCidr(cidr);
      this.cidrs.set(id, cidr);
    }
  }

  cidrOf(subnetId: string): string {
    let cidr = this.cidrs.get(subnetId);
    if (cidr) return cidr;
    const used = new Set(this.cidrs.values());
    const h = createHash('sha256').update(subnetId).digest();
    for (let i = 0; i < 256; i++) {
      const candidate = `172.31.${(h[0] + i) % 256}.0/24`;
      if (!used.has(candidate)) {
        cidr = candidate;
        break;
      }
    }
    if (!cidr) throw new Error('no free /24 left in 172.31.0.0/16 for another subnet');
    this.cidrs.set(subnetId, cidr);
    return cidr;
  }

  /** The lowest free address of the subnet, or undefined when it is exhausted. */
  lease(subnetId: string): Lease | undefined {
    const cidr = this.cidrOf(subnetId);
    const { base, prefix } = parseCidr(cidr);
    const size = 2 ** (32 - prefix);
    const taken = this.taken.get(subnetId) ?? new Set<number>();
    this.taken.set(subnetId, taken);
    for (let n = base + 4; n < base + size - 1; n++) {
      if (!taken.has(n)) {
        taken.add(n);
        return { subnetId, cidr, ip: toIp(n), gateway: toIp(base + 1), prefix };
      }
    }
    return undefined;
  }

  /** Marks an address as leased again (a task re-adopted after a restart keeps its address). */
  reserve(subnetId: string, ip: string): Lease {
    const cidr = this.cidrOf(subnetId);
    const { base, prefix } = parseCidr(cidr);
    const taken = this.taken.get(subnetId) ?? new Set<number>();
    this.taken.set(subnetId, taken);
    taken.add(toInt(ip));
    return { subnetId, cidr, ip, gateway: toIp(base + 1), prefix };
  }

  release(lease: Lease): void {
    this.taken.get(lease.subnetId)?.delete(toInt(lease.ip));
  }
}

export const newEniId = () => `eni-${randomBytes(9).toString('hex').slice(0, 17)}`;
