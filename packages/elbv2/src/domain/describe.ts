/** Records as the API returns them. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import type { ListenerRecord, LoadBalancerRecord, RuleRecord, TargetGroupRecord, Elbv2State } from '../state/types';
import { invalid } from '../errors';
import { hostedZone } from './ids';
import { loadBalancersOf } from './lookup';

export function loadBalancerOut(lb: LoadBalancerRecord): ELB.LoadBalancer {
  return {
    LoadBalancerArn: lb.arn,
    DNSName: lb.dnsName,
    CanonicalHostedZoneId: hostedZone(lb.type),
    CreatedTime: lb.createdTime,
    LoadBalancerName: lb.name,
    Scheme: lb.scheme,
    VpcId: lb.vpcId,
    State: { Code: lb.state },
    Type: lb.type,
    AvailabilityZones: lb.subnets.map((s) => ({ ZoneName: s.zone, SubnetId: s.subnetId, LoadBalancerAddresses: [] })),
    SecurityGroups: lb.type === 'application' || lb.securityGroups ? (lb.securityGroups ?? []) : undefined,
    IpAddressType: lb.ipAddressType as ELB.IpAddressType,
    CustomerOwnedIpv4Pool: lb.customerOwnedIpv4Pool,
    EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic: lb.enforceSecurityGroupInboundRulesOnPrivateLinkTraffic,
    EnablePrefixForIpv6SourceNat: lb.enablePrefixForIpv6SourceNat as ELB.EnablePrefixForIpv6SourceNatEnum,
    IpamPools: lb.ipamPools,
  };
}

export function targetGroupOut(s: Elbv2State, tg: TargetGroupRecord): ELB.TargetGroup {
  const hc = tg.healthCheck;
  return {
    TargetGroupArn: tg.arn,
    TargetGroupName: tg.name,
    Protocol: tg.protocol as ELB.ProtocolEnum,
    Port: tg.port,
    VpcId: tg.vpcId,
    HealthCheckProtocol: hc.protocol as ELB.ProtocolEnum,
    HealthCheckPort: hc.port,
    HealthCheckEnabled: hc.enabled,
    HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds,
    HealthyThresholdCount: hc.healthyThreshold,
    UnhealthyThresholdCount: hc.unhealthyThreshold,
    HealthCheckPath: hc.path,
    Matcher: hc.matcher,
    LoadBalancerArns: loadBalancersOf(s, tg.arn),
    TargetType: tg.targetType,
    ProtocolVersion: tg.protocolVersion,
    IpAddressType: tg.ipAddressType as ELB.TargetGroupIpAddressTypeEnum,
    TargetControlPort: tg.targetControlPort,
  };
}

export function listenerOut(s: Elbv2State, l: ListenerRecord): ELB.Listener {
  const def = Object.values(s.rules).find((r) => r.listenerArn === l.arn && r.priority === 'default');
  return {
    ListenerArn: l.arn,
    LoadBalancerArn: l.loadBalancerArn,
    Port: l.port,
    Protocol: l.protocol as ELB.ProtocolEnum,
    Certificates: l.certificates.filter((c) => c.IsDefault).map((c) => ({ CertificateArn: c.CertificateArn })),
    SslPolicy: l.sslPolicy,
    DefaultActions: def?.actions ?? [],
    AlpnPolicy: l.alpnPolicy,
    MutualAuthentication: l.mutualAuthentication,
  };
}

export function ruleOut(r: RuleRecord): ELB.Rule {
  return {
    RuleArn: r.arn,
    Priority: String(r.priority),
    Conditions: r.conditions,
    Actions: r.actions,
    IsDefault: r.priority === 'default',
    Transforms: r.transforms,
  };
}

/** `Key=Value` pairs of an attributes record, sorted like AWS lists them. */
export const attributesOut = (a: Record<string, string>) => Object.entries(a).map(([Key, Value]) => ({ Key, Value }));

/** Marker pagination of the Describe* calls (`Marker` = index of the next item). */
export function markerPage<T>(items: T[], marker: string | undefined, pageSize: number | undefined) {
  const start = marker ? Number(Buffer.from(marker, 'base64').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) {
    throw invalid(`The marker '${marker}' is not valid`);
  }
  const size = pageSize ?? 400;
  const page = items.slice(start, start + size);
  const next = start + size < items.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
  return { page, next };
}
