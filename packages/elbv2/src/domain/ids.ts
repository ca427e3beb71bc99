/** ARNs, ids and DNS names of ELBv2 resources, as AWS shapes them. */
import { randomBytes, randomInt } from 'node:crypto';

export interface Where {
  accountId: string;
  region: string;
}

export const hex16 = () => randomBytes(8).toString('hex');

const base = (w: Where) => `arn:aws:elasticloadbalancing:${w.region}:${w.accountId}`;

const lbKind = { application: 'app', network: 'net', gateway: 'gwy' } as const;

export function loadBalancerArn(w: Where, type: keyof typeof lbKind, name: string) {
  return `${base(w)}:loadbalancer/${lbKind[type]}/${name}/${hex16()}`;
}

/** `app/<name>/<id>` of a load balancer ARN (the part listeners and rules repeat). */
export const lbPath = (lbArn: string) => lbArn.slice(lbArn.indexOf(':loadbalancer/') + ':loadbalancer/'.length);

export const targetGroupArn = (w: Where, name: string) => `${base(w)}:targetgroup/${name}/${hex16()}`;
export const listenerArn = (w: Where, lbArn: string) => `${base(w)}:listener/${lbPath(lbArn)}/${hex16()}`;
export const ruleArn = (w: Where, listener: string) =>
  `${base(w)}:listener-rule/${listener.slice(listener.indexOf(':listener/') + ':listener/'.length)}/${hex16()}`;
export const trustStoreArn = (w: Where, name: string) => `${base(w)}:truststore/${name}/${hex16()}`;

/** `<name>-<id>.<region>.elb.amazonaws.com`, with `internal-` before internal ones. */
export function dnsName(w: Where, name: string, scheme: string) {
  return `${scheme === 'internal' ? 'internal-' : ''}${name}-${randomInt(1_000_000_000, 2_000_000_000)}.${w.region}.elb.amazonaws.com`;
}

/** ELB's hosted zones (Route 53 alias targets) of us-east-1; other regions reuse them. */
export const hostedZone = (type: string) => (type === 'network' ? 'Z26RNL4JYFTOTI' : 'Z35SXDOTRQ7X7K');

/** What kind of resource an ELBv2 ARN names, or undefined when it is not one. */
export function arnKind(
  arn: string,
): 'loadbalancer' | 'targetgroup' | 'listener' | 'listener-rule' | 'truststore' | undefined {
  const m =
    /^arn:aws[\w-]*:elasticloadbalancing:[\w-]+:\d{12}:(loadbalancer|targetgroup|listener-rule|listener|truststore)\//.exec(
      arn,
    );
  return m?.[1] as ReturnType<typeof arnKind>;
}
