/** Which attribute keys each resource accepts and the values they take. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { invalid } from '../errors';

type Rule = RegExp | [number, number] | string[];

const BOOL = ['true', 'false'];
const TEXT = /^.*$/s;

export const LB_ATTRIBUTE_RULES: Record<string, Rule> = {
  'deletion_protection.enabled': BOOL,
  'access_logs.s3.enabled': BOOL,
  'access_logs.s3.bucket': TEXT,
  'access_logs.s3.prefix': TEXT,
  'connection_logs.s3.enabled': BOOL,
  'connection_logs.s3.bucket': TEXT,
  'connection_logs.s3.prefix': TEXT,
  'health_check_logs.s3.enabled': BOOL,
  'health_check_logs.s3.bucket': TEXT,
  'health_check_logs.s3.prefix': TEXT,
  'idle_timeout.timeout_seconds': [1, 4000],
  'client_keep_alive.seconds': [60, 604800],
  'routing.http.desync_mitigation_mode': ['monitor', 'defensive', 'strictest'],
  'routing.http.drop_invalid_header_fields.enabled': BOOL,
  'routing.http.preserve_host_header.enabled': BOOL,
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': BOOL,
  'routing.http.xff_client_port.enabled': BOOL,
  'routing.http.xff_header_processing.mode': ['append', 'preserve', 'remove'],
  'routing.http2.enabled': BOOL,
  'waf.fail_open.enabled': BOOL,
  'zonal_shift.config.enabled': BOOL,
  'load_balancing.cross_zone.enabled': BOOL,
  'dns_record.client_routing_policy': [
    'availability_zone_affinity',
    'partial_availability_zone_affinity',
    'any_availability_zone',
  ],
  'ipv6.deny_all_igw_traffic': BOOL,
  'secondary_ips.auto_assigned.per_subnet': [0, 7],
};

export const TG_ATTRIBUTE_RULES: Record<string, Rule> = {
  'deregistration_delay.timeout_seconds': [0, 3600],
  'deregistration_delay.connection_termination.enabled': BOOL,
  'stickiness.enabled': BOOL,
  'stickiness.type': ['lb_cookie', 'app_cookie', 'source_ip', 'source_ip_dest_ip', 'source_ip_dest_ip_proto'],
  'stickiness.lb_cookie.duration_seconds': [1, 604800],
  'stickiness.app_cookie.cookie_name': TEXT,
  'stickiness.app_cookie.duration_seconds': [1, 604800],
  'load_balancing.algorithm.type': ['round_robin', 'least_outstanding_requests', 'weighted_random'],
  'load_balancing.algorithm.anomaly_mitigation': ['on', 'off'],
  'load_balancing.cross_zone.enabled': ['true', 'false', 'use_load_balancer_configuration'],
  'slow_start.duration_seconds': /^(0|[3-9]\d|[1-8]\d\d|900)$/,
  'proxy_protocol_v2.enabled': BOOL,
  'preserve_client_ip.enabled': BOOL,
  'lambda.multi_value_headers.enabled': BOOL,
  'target_group_health.dns_failover.minimum_healthy_targets.count': /^(off|\d+)$/,
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': /^(off|\d{1,3})$/,
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': /^\d+$/,
  'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': /^(off|\d{1,3})$/,
  'target_health_state.unhealthy.connection_termination.enabled': BOOL,
  'target_health_state.unhealthy.draining_interval_seconds': [0, 360000],
  'target_failover.on_deregistration': ['rebalance', 'no_rebalance'],
  'target_failover.on_unhealthy': ['rebalance', 'no_rebalance'],
};

export const LISTENER_ATTRIBUTE_RULES: Record<string, Rule> = {
  'tcp.idle_timeout.seconds': [60, 6000],
  'routing.http.response.server.enabled': BOOL,
};

function ok(rule: Rule, value: string) {
  if (rule instanceof RegExp) return rule.test(value);
  if (Array.isArray(rule) && typeof rule[0] === 'number') {
    const [lo, hi] = rule as [number, number];
    return /^\d+$/.test(value) && +value >= lo && +value <= hi;
  }
  return (rule as string[]).includes(value);
}

/**
 * Checks attribute changes against the keys a resource has (or the rules know) and returns them
 * as a record. Unknown keys and bad values are `ValidationError`, as on AWS.
 */
export function checkAttributes(
  rules: Record<string, Rule>,
  current: Record<string, string>,
  changes: ELB.LoadBalancerAttribute[] | ELB.TargetGroupAttribute[] | ELB.ListenerAttribute[],
  what: string,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const { Key, Value } of changes) {
    const key = Key ?? '';
    const rule = rules[key] ?? (key.startsWith('routing.http.') && key in current ? TEXT : undefined);
    if (!rule || (!(key in current) && !(key in rules))) {
      throw invalid(`${what[0].toUpperCase()}${what.slice(1)} attribute key '${key}' is not recognized`);
    }
    const value = Value ?? '';
    if (!ok(rule, value))
      throw invalid(`${what[0].toUpperCase()}${what.slice(1)} attribute '${key}' cannot have value '${value}'`);
    out[key] = value;
  }
  return out;
}
