/** AWS's defaults: attributes of load balancers, target groups and listeners, and health checks per protocol. */
import type { Attributes, HealthCheck, LoadBalancerRecord, TargetGroupRecord } from '../state/types';

const ACCESS_LOGS = { 'access_logs.s3.enabled': 'false', 'access_logs.s3.bucket': '', 'access_logs.s3.prefix': '' };

export function loadBalancerAttributes(type: LoadBalancerRecord['type']): Attributes {
  if (type === 'application') {
    return {
      ...ACCESS_LOGS,
      'deletion_protection.enabled': 'false',
      'idle_timeout.timeout_seconds': '60',
      'client_keep_alive.seconds': '3600',
      'connection_logs.s3.enabled': 'false',
      'connection_logs.s3.bucket': '',
      'connection_logs.s3.prefix': '',
      'routing.http.desync_mitigation_mode': 'defensive',
      'routing.http.drop_invalid_header_fields.enabled': 'false',
      'routing.http.preserve_host_header.enabled': 'false',
      'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': 'false',
      'routing.http.xff_client_port.enabled': 'false',
      'routing.http.xff_header_processing.mode': 'append',
      'routing.http2.enabled': 'true',
      'waf.fail_open.enabled': 'false',
      'zonal_shift.config.enabled': 'false',
    };
  }
  return {
    ...ACCESS_LOGS,
    'deletion_protection.enabled': 'false',
    'load_balancing.cross_zone.enabled': 'false',
    ...(type === 'network'
      ? { 'dns_record.client_routing_policy': 'any_availability_zone', 'zonal_shift.config.enabled': 'false' }
      : {}),
  };
}

const HTTP_FAMILY = new Set(['HTTP', 'HTTPS']);

export function targetGroupAttributes(tg: Pick<TargetGroupRecord, 'protocol' | 'targetType'>): Attributes {
  if (tg.targetType === 'lambda') return { 'lambda.multi_value_headers.enabled': 'false' };
  const common = {
    'deregistration_delay.timeout_seconds': '300',
    'stickiness.enabled': 'false',
    'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
    'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
    'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
    'target_group_health.unhealthy_state_routing.minimum_healthy_targets.count': '1',
    'target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage': 'off',
  };
  if (HTTP_FAMILY.has(tg.protocol ?? '')) {
    return {
      ...common,
      'stickiness.type': 'lb_cookie',
      'stickiness.lb_cookie.duration_seconds': '86400',
      'stickiness.app_cookie.cookie_name': '',
      'stickiness.app_cookie.duration_seconds': '86400',
      'load_balancing.algorithm.type': 'round_robin',
      'load_balancing.algorithm.anomaly_mitigation': 'off',
      'slow_start.duration_seconds': '0',
    };
  }
  return {
    ...common,
    'stickiness.type': 'source_ip',
    'deregistration_delay.connection_termination.enabled': 'false',
    'proxy_protocol_v2.enabled': 'false',
    'preserve_client_ip.enabled': tg.targetType === 'ip' && tg.protocol !== 'UDP' ? 'false' : 'true',
    'target_health_state.unhealthy.connection_termination.enabled': 'true',
    'target_health_state.unhealthy.draining_interval_seconds': '0',
  };
}

export function listenerAttributes(protocol: string | undefined): Attributes {
  if (protocol === 'TCP' || protocol === 'TLS' || protocol === 'TCP_UDP') return { 'tcp.idle_timeout.seconds': '350' };
  if (protocol === 'HTTP' || protocol === 'HTTPS') {
    return {
      'routing.http.response.server.enabled': 'true',
      'routing.http.request.x_amzn_mtls_clientcert_serial_number.header_name': 'X-Amzn-Mtls-Clientcert-Serial-Number',
      'routing.http.request.x_amzn_mtls_clientcert_issuer.header_name': 'X-Amzn-Mtls-Clientcert-Issuer',
      'routing.http.request.x_amzn_mtls_clientcert_subject.header_name': 'X-Amzn-Mtls-Clientcert-Subject',
      'routing.http.request.x_amzn_mtls_clientcert_validity.header_name': 'X-Amzn-Mtls-Clientcert-Validity',
      'routing.http.request.x_amzn_mtls_clientcert_leaf.header_name': 'X-Amzn-Mtls-Clientcert-Leaf',
      'routing.http.request.x_amzn_mtls_clientcert.header_name': 'X-Amzn-Mtls-Clientcert',
      'routing.http.request.x_amzn_tls_version.header_name': 'X-Amzn-Tls-Version',
      'routing.http.request.x_amzn_tls_cipher_suite.header_name': 'X-Amzn-Tls-Cipher-Suite',
      'routing.http.response.access_control_allow_credentials.header_value': '',
    };
  }
  return {};
}

/** The health check a new target group gets for what it leaves out (API_CreateTargetGroup). */
export function healthCheckDefaults(
  protocol: string | undefined,
  targetType: TargetGroupRecord['targetType'],
  hcProtocol: string | undefined,
): HealthCheck {
  if (targetType === 'lambda') {
    return {
      enabled: false,
      path: '/',
      intervalSeconds: 35,
      timeoutSeconds: 30,
      healthyThreshold: 5,
      unhealthyThreshold: 2,
      matcher: { HttpCode: '200' },
    };
  }
  if (protocol === 'GENEVE') {
    return {
      enabled: true,
      protocol: 'TCP',
      port: '80',
      intervalSeconds: 10,
      timeoutSeconds: 5,
      healthyThreshold: 5,
      unhealthyThreshold: 2,
    };
  }
  const alb = HTTP_FAMILY.has(protocol ?? '');
  const hp = hcProtocol ?? (alb ? protocol : 'TCP');
  const http = HTTP_FAMILY.has(hp ?? '');
  return {
    enabled: true,
    protocol: hp,
    port: 'traffic-port',
    path: http ? '/' : undefined,
    intervalSeconds: 30,
    timeoutSeconds: alb ? 5 : hp === 'HTTP' ? 6 : 10,
    healthyThreshold: 5,
    unhealthyThreshold: 2,
    matcher: http ? { HttpCode: alb ? '200' : '200-399' } : undefined,
  };
}
