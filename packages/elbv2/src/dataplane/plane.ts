/**
 * The data plane: one real socket per listener. A listener binds its own port on the listen host
 * when it can, else a mapped port derived from its load balancer and port (the same every run
 * for the same free ports). HTTP/HTTPS listeners proxy with rules; TCP/TLS listeners pipe
 * connections to a target. Requests on the gateway's own port whose Host is a load balancer's
 * DNS name reach that load balancer's listener too.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { Store, Logger } from '@dockside/core';
import { targetHost } from '../domain/address';
import { listenersOf } from '../domain/lookup';
import { minTlsVersion } from '../domain/ssl-policies';
import type { ListenerBound } from '../contract';
import type { Elbv2Options } from '../options';
import type { Elbv2State, ListenerRecord, TargetGroupRecord, TargetRecord } from '../state/types';
import { Balancer, candidates } from './balancer';
import { handleRequest, handleUpgrade, type Found, type HttpPlane } from './http-handler';
import { selfSignedCertificate } from './self-signed';
import { serveFast, UpstreamPool } from './fast-http';
import { accepted, mtlsMode, mtlsServerOptions } from './mtls';
import { UdpRelay } from './udp';

/** Listens on a port of the host; false when it is taken or not bindable. */
function listenOn(server: net.Server, port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const onError = () => resolve(false);
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve(true);
    });
  });
}

/** A bound listener, as the introspection route shows it. */
export interface BoundListener {
  listenerArn: string;
  loadBalancerArn: string;
  loadBalancerName: string;
  dnsName: string;
  protocol: string;
  /** The port the listener was created with. */
  port: number;
  /** Where it really listens (differs from `port` when that was taken or not bindable). */
  host: string;
  boundPort: number;
  mapped: boolean;
  url: string;
}

interface Binding {
  key: string;
  /** The TCP side (every protocol but UDP). */
  server?: net.Server;
  /** The UDP side (UDP and TCP_UDP). */
  udp?: UdpRelay;
  info: BoundListener;
  sockets: Set<net.Socket>;
}

const SERVED = new Set(['HTTP', 'HTTPS', 'TCP', 'TLS', 'TCP_UDP', 'UDP']);
/** NLB forgets a UDP flow after 120 s without traffic. */
const UDP_IDLE_MS = 120_000;

export class DataPlane {
  private readonly bindings = new Map<string, Binding>();
  private readonly certs = new Map<string, { cert: string; key: string }>();
  private queue: Promise<void> = Promise.resolve();
  private host = '127.0.0.1';
  private readonly pool = new UpstreamPool();
  private stopped = false;
  readonly http: HttpPlane;

  constructor(
    private readonly store: Store<Elbv2State>,
    private readonly options: Elbv2Options,
    private readonly logger: Logger,
    scale: number,
    /** The gateway's listen host, once it listens. */
    private readonly gatewayHost: () => string,
    /** Told each time a listener's socket is bound (the bus event `elbv2.listener-bound`). */
    private readonly onBound: (e: ListenerBound) => void = () => undefined,
  ) {
    this.http = {
      find: (arn) => this.find(arn),
      balancer: new Balancer(),
      scale,
      agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
      tlsAgent: new https.Agent({ keepAlive: true, maxSockets: 256, rejectUnauthorized: false }),
      logger,
    };
  }

  /** The listener, its load balancer and its state, looked up afresh for each request. */
  find(listenerArn: string): Found | undefined {
    for (const { state: s } of this.store.entries()) {
      const listener = s.listeners[listenerArn];
      if (listener) {
        const lb = s.loadBalancers[listener.loadBalancerArn];
        return lb ? { s, listener, lb } : undefined;
      }
    }
    return undefined;
  }

  listeners(): BoundListener[] {
    return [...this.bindings.values()].map((b) => b.info);
  }

  /** Binds, rebinds and closes sockets to match the stored listeners (serialised). */
  sync(): Promise<void> {
    this.queue = this.queue
      .then(() => this.reconcile())
      .catch((err) => this.logger.error({ err }, 'elbv2 data plane sync failed'));
    return this.queue;
  }

  private async reconcile() {
    if (this.stopped) return;
    this.host = this.options.listenHost ?? this.gatewayHost();
    const wanted = new Map<string, { s: Elbv2State; l: ListenerRecord }>();
    for (const { state: s } of this.store.entries()) {
      for (const l of Object.values(s.listeners)) {
        if (SERVED.has(l.protocol ?? '') && l.port && s.loadBalancers[l.loadBalancerArn]) wanted.set(l.arn, { s, l });
      }
    }
    for (const [arn, b] of this.bindings) {
      const w = wanted.get(arn);
      if (!w || this.keyOf(w.l) !== b.key) await this.close(arn);
    }
    for (const [arn, { s, l }] of wanted) {
      if (this.bindings.has(arn)) continue;
      try {
        await this.bind(s, l);
      } catch (err) {
        this.logger.error({ err, listener: arn }, 'could not bind an ELB listener');
      }
    }
  }

  private keyOf(l: ListenerRecord) {
    const m = l.mutualAuthentication;
    const mtls =
      m && mtlsMode(m) !== 'off' ? `${m.Mode}|${m.TrustStoreArn ?? ''}|${this.caBundleOf(l)?.length ?? 0}` : '';
    return `${l.protocol}|${l.port}|${l.certificates.find((c) => c.IsDefault)?.CertificateArn ?? ''}|${l.sslPolicy ?? ''}|${mtls}`;
  }

  /** The CA bundle of the trust store a listener's mutual authentication names, when one was given. */
  private caBundleOf(l: ListenerRecord): string | undefined {
    const arn = l.mutualAuthentication?.TrustStoreArn;
    return arn ? this.find(l.arn)?.s.trustStores[arn]?.caBundle : undefined;
  }

  private async bind(s: Elbv2State, l: ListenerRecord) {
    const lb = s.loadBalancers[l.loadBalancerArn];
    const sockets = new Set<net.Socket>();
    const seed = `${lb.arn}|${l.port}`;
    let server: net.Server | undefined;
    let udp: UdpRelay | undefined;
    let port: number;
    if (l.protocol === 'UDP') {
      udp = this.udpRelay(l.arn);
      port = await this.listen((p) => udp!.bind(p, this.host), l.port!, seed);
    } else {
      const tcp = this.serverFor(l, lb.dnsName);
      server = tcp;
      tcp.on('connection', (sock: net.Socket) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
      });
      port = await this.listen((p) => listenOn(tcp, p, this.host), l.port!, seed);
      if (l.protocol === 'TCP_UDP') {
        // The UDP half shares the port the TCP half got.
        udp = this.udpRelay(l.arn);
        if (!(await udp.bind(port, this.host))) {
          this.logger.warn(
            { listener: l.arn, port },
            `UDP port ${port} is taken: ${lb.name}:${l.port} serves TCP only`,
          );
          udp = undefined;
        }
      }
    }
    const info: BoundListener = {
      listenerArn: l.arn,
      loadBalancerArn: lb.arn,
      loadBalancerName: lb.name,
      dnsName: lb.dnsName,
      protocol: l.protocol!,
      port: l.port!,
      host: this.host,
      boundPort: port,
      mapped: port !== l.port,
      url: `${(l.protocol ?? 'tcp').toLowerCase()}://${this.host.includes(':') ? `[${this.host}]` : this.host}:${port}`,
    };
    this.bindings.set(l.arn, { key: this.keyOf(l), server, udp, info, sockets });
    const [, , , region, accountId] = l.arn.split(':');
    this.onBound({ accountId, region, listenerArn: l.arn, loadBalancerArn: lb.arn, url: info.url, boundPort: port });
    this.logger.info(
      { loadBalancer: lb.name, protocol: l.protocol, port: l.port, boundPort: port },
      port === l.port
        ? `ELB listener ${lb.name}:${l.port} on ${info.url}`
        : `ELB listener ${lb.name}:${l.port} mapped to ${info.url}`,
    );
  }

  /** Its own port first; then ports derived from a hash of (load balancer, port), probing upwards. */
  private async listen(tryBind: (port: number) => Promise<boolean>, port: number, seed: string): Promise<number> {
    const base = this.options.mappedPortBase ?? 20000;
    const start = createHash('sha256').update(seed).digest().readUInt32BE(0) % 10000;
    const tries = [port, ...Array.from({ length: 64 }, (_, i) => base + ((start + i) % 10000))];
    for (const p of tries) {
      if (p !== port && [...this.bindings.values()].some((b) => b.info.boundPort === p)) continue;
      if (await tryBind(p)) return p;
    }
    throw new Error(`no free port for listener port ${port}`);
  }

  private serverFor(l: ListenerRecord, dnsName: string): net.Server {
    const arn = l.arn;
    if (l.protocol === 'HTTP' || l.protocol === 'HTTPS') {
      const secure = l.protocol === 'HTTPS';
      const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) =>
        handleRequest(this.http, arn, req, res, secure);
      const mode = mtlsMode(l.mutualAuthentication);
      const ca = this.caBundleOf(l);
      const server = secure
        ? https.createServer(
            { ...this.certificate(dnsName), minVersion: minTlsVersion(l.sslPolicy), ...mtlsServerOptions(mode, ca) },
            onRequest,
          )
        : http.createServer(onRequest);
      if (secure && mode === 'verify') {
        if (!ca)
          this.logger.warn(
            { listener: arn, trustStore: l.mutualAuthentication?.TrustStoreArn },
            'mTLS verify: the trust store has no CA bundle (PUT /_dockside/elbv2/trust-stores/{name}/ca-bundle): every client is refused',
          );
        // Before the HTTP layer sees the connection: a refused client sends no request.
        server.prependListener('secureConnection', (sock: tls.TLSSocket) => {
          if (!accepted(sock, this.find(arn)?.listener.mutualAuthentication, Boolean(ca))) sock.destroy();
        });
      }
      server.on('upgrade', (req, socket, head) => handleUpgrade(this.http, arn, req, socket, head, secure));
      server.keepAliveTimeout = 60_000;
      if (secure) return server;
      // Plain HTTP: the fast path serves what it can and hands the rest to the full handler.
      return net.createServer((sock) =>
        serveFast(this.http, this.pool, arn, sock, (handed) => server.emit('connection', handed)),
      );
    }
    const onConnection = (client: net.Socket) => this.pipe(arn, client);
    return l.protocol === 'TLS'
      ? tls.createServer({ ...this.certificate(dnsName), minVersion: minTlsVersion(l.sslPolicy) }, onConnection)
      : net.createServer(onConnection);
  }

  private certificate(dnsName: string) {
    if (this.options.certificate) return this.options.certificate;
    let c = this.certs.get(dnsName);
    if (!c) {
      c = selfSignedCertificate([dnsName, 'localhost', '127.0.0.1']);
      this.certs.set(dnsName, c);
    }
    return c;
  }

  /** An NLB listener's target for a new connection or UDP flow: one of its default action's group. */
  private streamTarget(listenerArn: string): { tg: TargetGroupRecord; target: TargetRecord } | undefined {
    const found = this.find(listenerArn);
    const rule =
      found && Object.values(found.s.rules).find((r) => r.listenerArn === listenerArn && r.priority === 'default');
    const tgArn = rule?.actions.find((a) => a.Type === 'forward')?.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn;
    const tg = tgArn ? found!.s.targetGroups[tgArn] : undefined;
    const target =
      tg && this.http.balancer.pick(tg, candidates(Object.values(found!.s.targets[tg.arn] ?? {})), this.http.scale);
    return tg && target ? { tg, target } : undefined;
  }

  private udpRelay(listenerArn: string): UdpRelay {
    return new UdpRelay(
      this.host,
      () => {
        const chosen = this.streamTarget(listenerArn);
        if (!chosen) return undefined;
        const { tg, target } = chosen;
        return { host: targetHost(tg, target), port: target.port, done: this.http.balancer.begin(tg, target) };
      },
      Math.max(1000, UDP_IDLE_MS * this.http.scale),
    );
  }

  /** NLB TCP/TLS: the connection goes to one target of the listener's group, bytes both ways. */
  private pipe(listenerArn: string, client: net.Socket) {
    client.on('error', () => client.destroy());
    const chosen = this.streamTarget(listenerArn);
    if (!chosen) return void client.destroy();
    const { tg, target } = chosen;
    const done = this.http.balancer.begin(tg, target);
    const opts = { host: targetHost(tg, target), port: target.port };
    const up = tg.protocol === 'TLS' ? tls.connect({ ...opts, rejectUnauthorized: false }) : net.connect(opts);
    up.on('error', () => client.destroy());
    client.on('close', () => up.destroy());
    up.on('close', () => {
      done();
      client.destroy();
    });
    client.pipe(up);
    up.pipe(client);
  }

  /** Requests to the gateway's own port whose Host names a load balancer. */
  hostHandler(hostname: string): ((req: http.IncomingMessage, res: http.ServerResponse) => void) | undefined {
    const host = hostname.toLowerCase();
    if (!host.endsWith('.elb.amazonaws.com')) return undefined;
    for (const { state: s } of this.store.entries()) {
      const lb = Object.values(s.loadBalancers).find((x) => x.dnsName.toLowerCase() === host);
      if (!lb) continue;
      const ls = listenersOf(s, lb.arn).filter((l) => l.protocol === 'HTTP' || l.protocol === 'HTTPS');
      const l = ls.find((x) => x.port === 80) ?? ls.find((x) => x.protocol === 'HTTP') ?? ls[0];
      if (!l) return undefined;
      return (req, res) => handleRequest(this.http, l.arn, req, res, false);
    }
    return undefined;
  }

  private async close(arn: string) {
    const b = this.bindings.get(arn);
    if (!b) return;
    this.bindings.delete(arn);
    for (const s of b.sockets) s.destroy();
    await b.udp?.close();
    if (b.server) await new Promise<void>((resolve) => b.server!.close(() => resolve()));
  }

  async stop() {
    this.stopped = true;
    await this.queue;
    for (const arn of [...this.bindings.keys()]) await this.close(arn);
    this.pool.destroy();
    this.http.agent.destroy();
    this.http.tlsAgent.destroy();
  }
}
