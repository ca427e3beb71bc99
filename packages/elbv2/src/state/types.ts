/** What the ELBv2 plugin stores per account and region (snapshotted with `--data-dir`). */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';

export type Attributes = Record<string, string>;

export interface LoadBalancerRecord {
  arn: string;
  name: string;
  type: 'application' | 'network' | 'gateway';
  scheme: 'internet-facing' | 'internal';
  dnsName: string;
  createdTime: Date;
  state: 'provisioning' | 'active';
  vpcId: string;
  subnets: { subnetId: string; zone: string }[];
  securityGroups?: string[];
  ipAddressType: string;
  attributes: Attributes;
  ipamPools?: ELB.IpamPools;
  capacityUnits?: number;
  capacityModifiedAt?: Date;
  enablePrefixForIpv6SourceNat?: string;
  enforceSecurityGroupInboundRulesOnPrivateLinkTraffic?: string;
  customerOwnedIpv4Pool?: string;
}

export interface HealthCheck {
  enabled: boolean;
  protocol?: string;
  port?: string;
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
  matcher?: ELB.Matcher;
}

export interface TargetGroupRecord {
  arn: string;
  name: string;
  targetType: 'instance' | 'ip' | 'lambda' | 'alb';
  protocol?: string;
  protocolVersion?: string;
  port?: number;
  vpcId?: string;
  ipAddressType?: string;
  targetControlPort?: number;
  healthCheck: HealthCheck;
  attributes: Attributes;
}

export type TargetState = 'initial' | 'healthy' | 'unhealthy' | 'draining' | 'unavailable';

/** One registered (Id, Port) pair and what its health checks found. */
export interface TargetRecord {
  id: string;
  port: number;
  availabilityZone?: string;
  state: TargetState;
  reason?: string;
  description?: string;
  registeredAt: number;
  /** When it turned healthy (slow start ramps from here). */
  healthyAt?: number;
  /** Consecutive passes / failures of the current streak. */
  passes: number;
  failures: number;
  /** Draining: when it disappears. */
  drainUntil?: number;
}

export interface ListenerRecord {
  arn: string;
  loadBalancerArn: string;
  port?: number;
  protocol?: string;
  sslPolicy?: string;
  certificates: { CertificateArn: string; IsDefault?: boolean }[];
  alpnPolicy?: string[];
  mutualAuthentication?: ELB.MutualAuthenticationAttributes;
  attributes: Attributes;
}

export interface RuleRecord {
  arn: string;
  listenerArn: string;
  /** 1–50000, or `default` (evaluated last). */
  priority: number | 'default';
  conditions: ELB.RuleCondition[];
  actions: ELB.Action[];
  transforms?: ELB.RuleTransform[];
}

export interface TrustStoreRecord {
  arn: string;
  name: string;
  bundle: { bucket: string; key: string; version?: string };
  /**
   * The CA bundle's PEM, when given through `PUT /_dockside/elbv2/trust-stores/{name}/ca-bundle`
   * (the S3 object the API names is not readable here). Verify-mode listeners check clients with it.
   */
  caBundle?: string;
  revocations: { id: number; bucket: string; key: string; version?: string; type: string; entries: number }[];
}

export interface Elbv2State {
  loadBalancers: Record<string, LoadBalancerRecord>;
  targetGroups: Record<string, TargetGroupRecord>;
  /** Target group ARN → `id:port` → target. */
  targets: Record<string, Record<string, TargetRecord>>;
  listeners: Record<string, ListenerRecord>;
  rules: Record<string, RuleRecord>;
  trustStores: Record<string, TrustStoreRecord>;
  tags: Record<string, ELB.Tag[]>;
  nextRevocationId: number;
}

export const emptyElbv2State = (): Elbv2State => ({
  loadBalancers: {},
  targetGroups: {},
  targets: {},
  listeners: {},
  rules: {},
  trustStores: {},
  tags: {},
  nextRevocationId: 1,
});
