/** Listeners, their certificates and attributes. Each listener owns a default rule holding its default actions. */
import type * as ELB from '@aws-sdk/client-elastic-load-balancing-v2';
import { ServiceError, type RequestContext } from '@dockside/core';
import { checkActions, normaliseActions } from '../domain/actions';
import { checkAttributes, LISTENER_ATTRIBUTE_RULES } from '../domain/attributes';
import { listenerAttributes } from '../domain/defaults';
import { attributesOut, listenerOut, markerPage } from '../domain/describe';
import { listenerArn, ruleArn } from '../domain/ids';
import { defaultRule, getListener, getLoadBalancer, listenersOf, rulesOf } from '../domain/lookup';
import { SSL_POLICIES } from '../domain/ssl-policies';
import { setTags } from '../domain/tags';
import { duplicateListener, invalid, notPermitted, sslPolicyNotFound, certificateNotFound } from '../errors';
import type { Elbv2State, ListenerRecord, LoadBalancerRecord } from '../state/types';
import type { Elbv2Env } from './context';

const PROTOCOLS: Record<LoadBalancerRecord['type'], string[]> = {
  application: ['HTTP', 'HTTPS'],
  network: ['TCP', 'TLS', 'UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC'],
  gateway: ['GENEVE'],
};
const SECURE = new Set(['HTTPS', 'TLS', 'QUIC', 'TCP_QUIC']);
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

/** Removes a listener and its rules. */
export function deleteListener(s: Elbv2State, arn: string) {
  for (const r of rulesOf(s, arn)) {
    delete s.rules[r.arn];
    delete s.tags[r.arn];
  }
  delete s.listeners[arn];
  delete s.tags[arn];
}

function checkProtocol(lb: LoadBalancerRecord, protocol: string | undefined, port: number | undefined) {
  if (lb.type === 'gateway') {
    if (protocol || port) throw invalid('A protocol and port cannot be specified for gateway load balancer listeners');
    return;
  }
  if (!protocol) throw invalid('A listener protocol must be specified');
  if (!PROTOCOLS[lb.type].includes(protocol)) {
    throw invalid(`Listener protocol '${protocol}' must be one of '${PROTOCOLS[lb.type].join(', ')}'`);
  }
  if (port === undefined) throw invalid('A listener port must be specified');
}

function checkSecurity(
  protocol: string | undefined,
  certificates: ELB.Certificate[] | undefined,
  sslPolicy: string | undefined,
) {
  if (!SECURE.has(protocol ?? '')) {
    if (sslPolicy) throw invalid(`An SSL policy cannot be specified for ${protocol} listeners`);
    return;
  }
  if (!certificates?.length) throw certificateNotFound(`A certificate must be specified for ${protocol} listeners`);
  if (certificates.length > 1) throw invalid('Only one default certificate can be specified for a listener');
  for (const c of certificates) {
    if (!/^arn:aws[\w-]*:(acm|iam):/.test(c.CertificateArn ?? ''))
      throw certificateNotFound(`Certificate '${c.CertificateArn}' not found`);
  }
  if (sslPolicy && !SSL_POLICIES.some((p) => p.Name === sslPolicy))
    throw sslPolicyNotFound(`SSL policy '${sslPolicy}' not found`);
}

export function listenerOperations(env: Elbv2Env) {
  const { stateOf } = env;
  return {
    CreateListener(input: ELB.CreateListenerInput, ctx: RequestContext): ELB.CreateListenerOutput {
      const s = stateOf(ctx);
      const lb = getLoadBalancer(s, input.LoadBalancerArn!);
      checkProtocol(lb, input.Protocol, input.Port);
      checkSecurity(input.Protocol, input.Certificates, input.SslPolicy);
      const same = listenersOf(s, lb.arn).find((l) => l.port === input.Port);
      const actions = normaliseActions(checkActions(s, lb, { protocol: input.Protocol }, input.DefaultActions ?? []));
      if (same) {
        const def = defaultRule(s, same.arn);
        if (same.protocol === input.Protocol && JSON.stringify(def.actions) === JSON.stringify(actions)) {
          return { Listeners: [listenerOut(s, same)] };
        }
        throw duplicateListener();
      }
      if (listenersOf(s, lb.arn).length >= 50) {
        throw new ServiceError('TooManyListenersException', 'The load balancer has reached its limit of 50 listeners');
      }
      const secure = SECURE.has(input.Protocol ?? '');
      const l: ListenerRecord = {
        arn: listenerArn(ctx, lb.arn),
        loadBalancerArn: lb.arn,
        port: input.Port,
        protocol: input.Protocol,
        sslPolicy: secure ? (input.SslPolicy ?? DEFAULT_SSL_POLICY) : undefined,
        certificates: (input.Certificates ?? []).map((c) => ({ CertificateArn: c.CertificateArn!, IsDefault: true })),
        alpnPolicy: input.AlpnPolicy,
        mutualAuthentication: input.Protocol === 'HTTPS' ? (input.MutualAuthentication ?? { Mode: 'off' }) : undefined,
        attributes: listenerAttributes(input.Protocol),
      };
      s.listeners[l.arn] = l;
      const rule = {
        arn: ruleArn(ctx, l.arn),
        listenerArn: l.arn,
        priority: 'default' as const,
        conditions: [],
        actions,
      };
      s.rules[rule.arn] = rule;
      setTags(s, l.arn, input.Tags ?? []);
      env.changed();
      return { Listeners: [listenerOut(s, l)] };
    },

    DescribeListeners(input: ELB.DescribeListenersInput, ctx: RequestContext): ELB.DescribeListenersOutput {
      const s = stateOf(ctx);
      if (!input.LoadBalancerArn && !input.ListenerArns?.length)
        throw invalid('You must specify either listener ARNs or a load balancer ARN');
      if (input.LoadBalancerArn && input.ListenerArns?.length)
        throw invalid('Listener ARNs and a load balancer ARN cannot be specified at the same time');
      const ls = input.LoadBalancerArn
        ? listenersOf(s, getLoadBalancer(s, input.LoadBalancerArn).arn).sort((a, b) => (a.port ?? 0) - (b.port ?? 0))
        : input.ListenerArns!.map((arn) => getListener(s, arn));
      const { page, next } = markerPage(ls, input.Marker, input.PageSize);
      return { Listeners: page.map((l) => listenerOut(s, l)), NextMarker: next };
    },

    ModifyListener(input: ELB.ModifyListenerInput, ctx: RequestContext): ELB.ModifyListenerOutput {
      const s = stateOf(ctx);
      const l = getListener(s, input.ListenerArn!);
      const lb = getLoadBalancer(s, l.loadBalancerArn);
      const protocol = input.Protocol ?? l.protocol;
      const port = input.Port ?? l.port;
      checkProtocol(lb, protocol, port);
      const certificates = input.Certificates ?? l.certificates.filter((c) => c.IsDefault);
      const secure = SECURE.has(protocol ?? '');
      checkSecurity(
        protocol,
        secure ? certificates : undefined,
        secure ? (input.SslPolicy ?? l.sslPolicy) : input.SslPolicy,
      );
      if (port !== l.port && listenersOf(s, lb.arn).some((x) => x.arn !== l.arn && x.port === port))
        throw duplicateListener();
      if (input.DefaultActions?.length) {
        defaultRule(s, l.arn).actions = normaliseActions(checkActions(s, lb, { protocol }, input.DefaultActions));
      }
      l.port = port;
      if (protocol !== l.protocol) l.attributes = listenerAttributes(protocol);
      l.protocol = protocol;
      l.sslPolicy = secure ? (input.SslPolicy ?? l.sslPolicy ?? DEFAULT_SSL_POLICY) : undefined;
      if (secure && input.Certificates) {
        l.certificates = [
          ...input.Certificates.map((c) => ({ CertificateArn: c.CertificateArn!, IsDefault: true })),
          ...l.certificates.filter((c) => !c.IsDefault),
        ];
      } else if (!secure) l.certificates = [];
      if (input.AlpnPolicy) l.alpnPolicy = input.AlpnPolicy;
      if (input.MutualAuthentication) l.mutualAuthentication = input.MutualAuthentication;
      env.changed();
      return { Listeners: [listenerOut(s, l)] };
    },

    DeleteListener(input: ELB.DeleteListenerInput, ctx: RequestContext): ELB.DeleteListenerOutput {
      const s = stateOf(ctx);
      getListener(s, input.ListenerArn!);
      deleteListener(s, input.ListenerArn!);
      env.changed();
      return {};
    },

    DescribeListenerAttributes(input: ELB.DescribeListenerAttributesInput, ctx: RequestContext) {
      const l = getListener(stateOf(ctx), input.ListenerArn!);
      return { Attributes: attributesOut(l.attributes) };
    },

    ModifyListenerAttributes(input: ELB.ModifyListenerAttributesInput, ctx: RequestContext) {
      const l = getListener(stateOf(ctx), input.ListenerArn!);
      Object.assign(
        l.attributes,
        checkAttributes(LISTENER_ATTRIBUTE_RULES, l.attributes, input.Attributes ?? [], 'listener'),
      );
      return { Attributes: attributesOut(l.attributes) };
    },

    AddListenerCertificates(input: ELB.AddListenerCertificatesInput, ctx: RequestContext) {
      const l = getListener(stateOf(ctx), input.ListenerArn!);
      if (!SECURE.has(l.protocol ?? '')) throw invalid(`Certificates can only be added to HTTPS and TLS listeners`);
      for (const c of input.Certificates ?? []) {
        if (!/^arn:aws[\w-]*:(acm|iam):/.test(c.CertificateArn ?? ''))
          throw certificateNotFound(`Certificate '${c.CertificateArn}' not found`);
        if (!l.certificates.some((x) => x.CertificateArn === c.CertificateArn))
          l.certificates.push({ CertificateArn: c.CertificateArn!, IsDefault: false });
      }
      return { Certificates: l.certificates.filter((c) => !c.IsDefault) };
    },

    RemoveListenerCertificates(input: ELB.RemoveListenerCertificatesInput, ctx: RequestContext) {
      const l = getListener(stateOf(ctx), input.ListenerArn!);
      for (const c of input.Certificates ?? []) {
        if (l.certificates.some((x) => x.CertificateArn === c.CertificateArn && x.IsDefault)) {
          throw notPermitted('The default certificate of a listener cannot be removed');
        }
      }
      const drop = new Set((input.Certificates ?? []).map((c) => c.CertificateArn));
      l.certificates = l.certificates.filter((c) => !drop.has(c.CertificateArn));
      return {};
    },

    DescribeListenerCertificates(input: ELB.DescribeListenerCertificatesInput, ctx: RequestContext) {
      const l = getListener(stateOf(ctx), input.ListenerArn!);
      const { page, next } = markerPage(l.certificates, input.Marker, input.PageSize);
      return { Certificates: page, NextMarker: next };
    },
  };
}
