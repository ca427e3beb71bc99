import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { Bus } from './bus';
import { Dispatcher, type ServiceRoute } from './dispatcher';
import { ServiceError, internalFailure, isServiceError, serializationError } from './errors';
import { createLogger, type Logger } from './logger';
import type { DocksidePlugin, GatewayConfig, PluginContext } from './plugin';
import { checkRoutes, CORE_PATHS, hostClaims, mountHostRoutes, mountRoutes } from './routes';
import { DocksideError } from './errors';
import { decodeJsonBody, encodeJsonError, encodeJsonResult } from './protocols/json';
import { decodeEc2Input, encodeEc2Error, encodeEc2Result } from './protocols/ec2';
import { decodeQueryInput, encodeQueryError, encodeQueryResult, parseForm } from './protocols/query';
import {
  decodeRestJsonInput,
  encodeRestJsonError,
  encodeRestJsonResult,
  matchRestOperation,
  pathKnown,
  unknownRestOperation,
} from './protocols/rest-json';

const isQueryProtocol = (p: string) => p === 'awsQuery' || p === 'ec2Query';
import { accountFromAccessKey, parseAuthorization } from './protocols/sigv4';
import type { WireResponse } from './protocols/types';
import { encodeEventMessage, isEventStream } from './protocols/event-stream';
import { Journal } from './journal';
import { isLoopbackAddress } from './util';
import { plainJsonOutput } from './model/plain-output';
import { BodyBuffers } from './body-buffers';
import { encodeErrorFor, limitOf, routeOfHeaders, tooLarge } from './body-limits';

export interface GatewayOptions {
  /** Plugin instances: `[ecs(), logs()]`. */
  plugins: DocksidePlugin[];
  /** Account used when the access key id is not a 12-digit account id. Default `000000000000`. */
  accountId?: string;
  /** Region used for unsigned requests. Default `us-east-1`. */
  region?: string;
  /** Persist every plugin's store under this folder and restore it on start. */
  dataDir?: string;
  /**
   * Let clients other than loopback use the Dockside API under `/_dockside/` (introspection:
   * task details, container output, reset). Off by default, so `--host 0.0.0.0` shares the AWS
   * APIs without exposing them; the health check always answers.
   */
  remoteIntrospection?: boolean;
  logger?: Logger;
  logLevel?: string;
  version?: string;
}

export interface Gateway {
  /** Mount in another express/connect app: `app.use(gateway.handler)` (call `start()` first). */
  readonly handler: Express;
  readonly bus: Bus;
  readonly config: GatewayConfig;
  readonly logger: Logger;
  /** The loaded services by signing name. */
  services(): string[];
  /**
   * For embedding: hand the host server's `upgrade` events here (`server.on('upgrade',
   * gateway.upgrade)`) so plugin WebSockets (ECS Exec's data channel) work there too.
   */
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Runs plugins' `start()` (and restores `--data-dir` state) once; `listen()` calls it. */
  start(): Promise<void>;
  listen(port?: number, host?: string): Promise<{ port: number; host: string; url: string }>;
  /** Stops the HTTP server and the plugins (in reverse order) and persists state. */
  close(): Promise<void>;
  /** Clears every plugin's store. */
  reset(): void;
  /** Calls an operation as an external client would, minus HTTP (for tests and embedders). */
  invoke(
    service: string,
    operation: string,
    input: unknown,
    opts?: { accountId?: string; region?: string },
  ): Promise<unknown>;
  endpoint(): string | undefined;
}

const DEFAULT_ACCOUNT = '000000000000';
/** Answers longer than this (in UTF-16 units) go out as one Buffer (see send). */
const LARGE_BODY = 16 * 1024;

/** Builds a gateway. Configuration mistakes throw a coded `DocksideError` here, before anything listens. */
export function createGateway(options: GatewayOptions): Gateway {
  const config: GatewayConfig = {
    accountId: options.accountId ?? DEFAULT_ACCOUNT,
    region: options.region ?? 'us-east-1',
    dataDir: options.dataDir,
    version: options.version ?? '0.0.0',
  };
  const logger = options.logger ?? createLogger(options.logLevel ?? 'info');
  const bus = new Bus(logger);
  let server: http.Server | undefined;
  let url: string | undefined;
  const extra = new Map<string, Promise<{ server: http.Server; url: string }>>();
  /** WebSocket (and other) upgrades go to the plugin that claims them; the rest get a 404. */
  const upgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    for (const p of plugins) {
      try {
        if (p.routes?.upgrade?.(req, socket, head)) return;
      } catch (err) {
        logger.error({ err, plugin: p.name }, 'upgrade handler failed');
        return void socket.destroy();
      }
    }
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  };
  const serve = async (port: number, host: string) => {
    const s = http.createServer((req, res) => {
      // AWS API calls (POST / with X-Amz-Target, or a query-protocol form) skip express: its
      // router and middleware cost more than the call itself (bench/api-floor.mjs: ELBv2
      // DescribeTargetHealth ran at a quarter of a bare server through it). Everything else goes through it.
      if (
        req.method === 'POST' &&
        req.url === '/' &&
        (req.headers['x-amz-target'] || req.headers['content-type']?.startsWith('application/x-www-form-urlencoded')) &&
        !claimHost?.(req.headers.host)
      )
        return void fastAws(req, res);
      app(req, res);
    });
    s.on('upgrade', upgrade);
    s.keepAliveTimeout = 65_000;
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => resolve());
    });
    return s;
  };
  const exposeOn = (host: string): Promise<string> => {
    if (!server || !url) return Promise.reject(new Error('the gateway is not listening'));
    const port = (server.address() as AddressInfo).port;
    let p = extra.get(host);
    if (!p) {
      p = serve(port, host).then((s) => ({
        server: s,
        url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
      }));
      p.catch(() => extra.delete(host));
      extra.set(host, p);
    }
    return p.then((x) => x.url);
  };
  const pluginCtx: PluginContext = { bus, logger, config, endpoint: () => url, exposeOn };
  // Each plugin builds what needs the context once, here; its parts complete the plugin.
  const plugins: DocksidePlugin[] = options.plugins.map((p) => {
    if (!p || typeof p.name !== 'string' || !Array.isArray(p.protocols)) {
      throw new DocksideError(
        'DOCKSIDE_INVALID_PLUGIN',
        'a plugin must be an object with a name and protocols[] (did you pass the factory instead of calling it?)',
      );
    }
    return p.setup ? { ...p, ...(p.setup(pluginCtx) ?? {}) } : p;
  });
  const dispatcher = new Dispatcher(plugins, bus, logger);
  bus.attach(
    (service, operation, input, opts) => dispatcher.call(service, operation, input, opts),
    (service) => dispatcher.bySigningName.has(service),
  );
  checkRoutes(plugins);
  // --data-dir: every acknowledged write is on disk before its response (journal.ts).
  const journal = config.dataDir ? new Journal(config.dataDir, plugins, logger) : undefined;

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  // Plugin routes (registry pushes, introspection actions…) end their responses only once what
  // they changed is on disk; AWS operations commit before they answer (below).
  if (journal)
    app.use((_req, res, next) => {
      const end = res.end.bind(res) as (...a: unknown[]) => Response;
      res.end = ((...args: unknown[]) => {
        if (!journal.pending()) return end(...args);
        journal.commit().then(
          () => end(...args),
          (err) => {
            logger.error({ err }, 'persisting state failed');
            end(...args);
          },
        );
        return res;
      }) as Response['end'];
      next();
    });

  const reset = () => {
    for (const p of plugins) p.state?.reset();
    journal?.compact();
  };
  const health = (_req: Request, res: Response) => {
    res.json({
      status: 'running',
      version: config.version,
      services: dispatcher.routes.map((r) => ({
        name: r.protocol.signingName,
        plugin: r.plugin.name,
        protocol: r.protocol.protocol,
      })),
    });
  };
  const resetRoute = (_req: Request, res: Response) => {
    reset();
    res.json({ reset: true });
  };
  app.get(CORE_PATHS.health, health);
  if (!options.remoteIntrospection)
    app.use(['/_dockside/', '/_fakecloud/', '/moto-api/'], (req, res, next) => {
      if (isLoopbackAddress(req.socket.remoteAddress)) return next();
      res.status(403).json({
        message:
          'The Dockside API answers loopback clients only (it shows task details and container output); start Dockside with --remote-introspection to open it.',
      });
    });
  mountHostRoutes(app, plugins);
  app.post(CORE_PATHS.reset, resetRoute);
  // moto-server compatible reset, so suites written for moto switch to Dockside unchanged.
  app.post(CORE_PATHS.motoReset, resetRoute);
  mountRoutes(app, plugins);

  // Each service reads bodies up to its own limit (ProtocolDef.maxRequestBytes), known from the
  // headers before a byte of the body is read; one parser per distinct limit.
  const parsers = new Map<number, express.RequestHandler>();
  const rawBody: express.RequestHandler = (req, res, next) => {
    const limit = limitOf(routeOfHeaders(dispatcher, req.headers));
    let parse = parsers.get(limit);
    if (!parse) parsers.set(limit, (parse = express.raw({ type: () => true, limit })));
    parse(req, res, next);
  };
  const claimHost = hostClaims(plugins);
  const bodyBuffers = new BodyBuffers();
  const send = (res: http.ServerResponse, requestId: string, w: WireResponse) => {
    // One writeHead with the headers as a flat list (and the length known): setHeader per header
    // validated and stored each one in a map first — 4 % of a DescribeClusters in the profile.
    const headers: string[] = ['Content-Type', w.contentType, 'x-amzn-RequestId', requestId, 'Content-Length', ''];
    if (w.headers) for (const k in w.headers) headers.push(k, String(w.headers[k]));
    // A large answer is encoded to bytes once, into a reused buffer: measuring a string's length
    // and then writing it walks it twice, and a socket write of a string costs more system time
    // than one of a Buffer (750 KB GetLogEvents pages over loopback: 835 → 608 ms of CPU for 50).
    if (typeof w.body !== 'string' || w.body.length > LARGE_BODY)
      return bodyBuffers.end(res, w.status, headers, 5, w.body);
    headers[5] = String(Buffer.byteLength(w.body));
    res.writeHead(w.status, headers);
    res.end(w.body);
  };

  /** A handler's failure as the AWS error it answers; anything unexpected is logged and becomes InternalFailure. */
  const asServiceError = (e: unknown, requestId: string, route: ServiceRoute | undefined, operation: string) => {
    if (isServiceError(e)) return e;
    logger.error(
      { err: e, requestId, service: route?.protocol.signingName, operation },
      'operation failed with an internal error',
    );
    return internalFailure();
  };

  const handleAws = async (req: AwsRequest, res: http.ServerResponse) => {
    const debug = logger.isLevelEnabled('debug');
    const started = debug ? performance.now() : 0;
    const requestId = randomUUID();
    const scope = parseAuthorization(req.header('authorization'), req.query as Record<string, unknown>);
    const accountId = accountFromAccessKey(scope?.accessKeyId, config.accountId);
    const region = scope?.region ?? config.region;
    const target = req.header('x-amz-target');
    let route: ServiceRoute | undefined;
    let operation = '';
    let jsonProtocol = true;
    let wire: WireResponse;
    try {
      let input: unknown;
      if (target) {
        const dot = target.lastIndexOf('.');
        route = dispatcher.byTarget.get(target.slice(0, dot));
        operation = target.slice(dot + 1);
        if (!route)
          throw new ServiceError('UnknownOperationException', `Unrecognized operation or service target: ${target}`);
        input = decodeJsonBody(req.body as Buffer);
      } else {
        jsonProtocol = false;
        const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
        const params = parseForm(body);
        for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string' && !params.has(k)) params.set(k, v);
        const queryRoutes = dispatcher.routes.filter((r) => isQueryProtocol(r.protocol.protocol));
        route = scope
          ? dispatcher.bySigningName.get(scope.service)
          : queryRoutes.length === 1
            ? queryRoutes[0]
            : undefined;
        if (route && !isQueryProtocol(route.protocol.protocol)) {
          jsonProtocol = true;
          throw new ServiceError(
            'UnknownOperationException',
            'Missing X-Amz-Target header for a JSON protocol service.',
          );
        }
        operation = params.get('Action') ?? '';
        if (!route) {
          throw new ServiceError(
            'UnknownOperationException',
            scope
              ? `No loaded service is signed as '${scope.service}'.`
              : 'Cannot tell which service this request is for: send X-Amz-Target or a SigV4 Authorization header.',
          );
        }
        if (!operation) throw new ServiceError('MissingAction', 'Missing Action parameter.');
        const op = route.model().operations[operation];
        input =
          route.protocol.protocol === 'ec2Query'
            ? decodeEc2Input(route.model(), op?.input ?? null, params)
            : decodeQueryInput(route.model(), op?.input ?? null, params);
      }
      const ctx = dispatcher.context(route, operation, accountId, region, false, requestId);
      const output = await dispatcher.invoke(route, operation, input, ctx);
      if (journal) await journal.commit(route.plugin.name);
      if (isEventStream(output) && jsonProtocol) {
        // A streaming response: events are written as they come, until either side ends it.
        res.statusCode = 200;
        res.setHeader('Content-Type', 'application/vnd.amazon.eventstream');
        res.setHeader('x-amzn-RequestId', requestId);
        res.flushHeaders();
        const close = output.open({
          send: (eventType, body) =>
            void res.write(
              encodeEventMessage(
                { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
                Buffer.from(JSON.stringify(body ?? {})),
              ),
            ),
          end: () => void res.end(),
        });
        res.on('close', close);
        return;
      }
      wire = jsonProtocol
        ? encodeJsonResult(route.protocol.protocol, output, plainJsonOutput(route.model(), operation))
        : route.protocol.protocol === 'ec2Query'
          ? encodeEc2Result(route.model(), operation, route.protocol.xmlNamespace!, output, requestId)
          : encodeQueryResult(route.model(), operation, route.protocol.xmlNamespace!, output, requestId);
    } catch (e) {
      const err = asServiceError(e, requestId, route, operation);
      wire = jsonProtocol
        ? encodeJsonError(route?.protocol.protocol ?? 'awsJson1_1', err)
        : route?.protocol.protocol === 'ec2Query'
          ? encodeEc2Error(err, requestId)
          : encodeQueryError(route?.model(), route?.protocol.xmlNamespace ?? 'https://dockside.local/', err, requestId);
    }
    send(res, requestId, wire);
    if (debug)
      logger.debug(
        {
          requestId,
          service: route?.protocol.signingName,
          operation,
          status: wire.status,
          ms: performance.now() - started,
        },
        'request',
      );
  };
  app.post('/', rawBody, (req, res) => void handleAws(req, res));
  /** handleAws for a request express never saw: the body read here, under the same limit. */
  const fastAws = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    const route = routeOfHeaders(dispatcher, req.headers);
    const limit = limitOf(route);
    let size = Number(req.headers['content-length'] ?? 0);
    let refused = false;
    const refuse = () => {
      refused = true;
      const requestId = randomUUID();
      send(res, requestId, encodeErrorFor(route, tooLarge(), requestId));
      req.resume();
    };
    // A declared length over the limit is refused before anything is read.
    if (size > limit) refuse();
    size = 0;
    req.on('data', (c: Buffer) => {
      if (refused) return;
      size += c.length;
      if (size > limit) return refuse();
      chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const headers = req.headers;
      void handleAws(
        {
          header: (name) => {
            const v = headers[name.toLowerCase()];
            return Array.isArray(v) ? v[0] : v;
          },
          query: {},
          body: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks),
        },
        res,
      );
    });
    req.on('error', () => res.destroy());
  };
  app.get('/', (req, res, next) => (req.query.Action ? void handleAws(req, res) : next()));

  /**
   * restJson1 services: any other path, routed by the model's HTTP bindings. The SigV4 scope names
   * the service; an unsigned request goes to the one REST service whose routes know the path.
   */
  const restRoutes = dispatcher.routes.filter((r) => r.protocol.protocol === 'restJson1');
  const handleRest = async (req: Request, res: Response, next: NextFunction) => {
    const scope = parseAuthorization(req.header('authorization'), req.query as Record<string, unknown>);
    const url = new URL(req.originalUrl, 'http://dockside');
    const route = scope
      ? restRoutes.find((r) => r.protocol.signingName === scope.service)
      : restRoutes.find((r) => pathKnown(r.model(), url.pathname));
    if (!route) return next();
    const requestId = randomUUID();
    let operation = '';
    let wire: WireResponse;
    try {
      const match = matchRestOperation(route.model(), req.method, url.pathname, url.searchParams);
      if (!match) throw unknownRestOperation(req.method, url.pathname);
      operation = match.operation;
      const input = decodeRestJsonInput(
        route.model(),
        operation,
        match.labels,
        url.searchParams,
        req.headers,
        req.body as Buffer | undefined,
      );
      const accountId = accountFromAccessKey(scope?.accessKeyId, config.accountId);
      const ctx = dispatcher.context(route, operation, accountId, scope?.region ?? config.region, false, requestId);
      const output = await dispatcher.invoke(route, operation, input, ctx);
      await journal?.commit(route.plugin.name);
      wire = encodeRestJsonResult(route.model(), operation, output);
    } catch (e) {
      wire = encodeRestJsonError(route.model(), asServiceError(e, requestId, route, operation));
    }
    send(res, requestId, wire);
  };
  if (restRoutes.length) app.use(rawBody, (req, res, next) => void handleRest(req, res, next));

  // Unknown paths get a JSON answer, never express's HTML page.
  app.use((req: Request, res: Response) => {
    res.status(404).json({ __type: 'NotFound', message: `No Dockside endpoint at ${req.method} ${req.path}` });
  });

  // Body-parser failures (too large, bad encoding) and anything thrown by a route: never a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const requestId = randomUUID();
    const status = (err as { status?: number }).status;
    // A body over the service's limit gets what AWS's front end answers: 413, "Request Entity Too Large".
    if (status === 413)
      return send(res, requestId, encodeErrorFor(routeOfHeaders(dispatcher, req.headers), tooLarge(), requestId));
    const se = status && status < 500 ? serializationError((err as Error).message) : internalFailure();
    if (se.httpStatus >= 500) logger.error({ err, path: req.path }, 'request failed');
    send(res, requestId, encodeJsonError('awsJson1_1', se));
  });

  let started: Promise<void> | undefined;
  const start = () =>
    (started ??= (async () => {
      if (journal) {
        // Every plugin's state is back before any starts (a start may read another's state).
        const stored = journal.load();
        for (const p of plugins) {
          if (!p.state || stored[p.name] === undefined) continue;
          p.state.restore(stored[p.name]);
          logger.info({ plugin: p.name }, 'state restored');
        }
        journal.start();
      }
      for (const p of plugins) await p.start?.();
    })());

  const gateway: Gateway = {
    handler: app,
    bus,
    config,
    logger,
    services: () => dispatcher.routes.map((r) => r.protocol.signingName),
    start,
    upgrade,
    async listen(port = 4566, host = '127.0.0.1') {
      await start();
      server = await serve(port, host);
      const addr = server.address() as AddressInfo;
      const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
      url = `http://${shownHost}:${addr.port}`;
      return { port: addr.port, host, url };
    },
    async close() {
      const servers = [
        server,
        ...(await Promise.all(
          [...extra.values()].map((p) =>
            p.then(
              (x) => x.server,
              () => undefined,
            ),
          ),
        )),
      ];
      server = undefined;
      extra.clear();
      await Promise.all(
        servers.map(
          (s) =>
            s &&
            new Promise<void>((resolve) => {
              s.close(() => resolve());
              s.closeAllConnections();
            }),
        ),
      );
      if (started) {
        for (const p of [...plugins].reverse()) {
          try {
            await p.stop?.();
          } catch (err) {
            logger.error({ err, plugin: p.name }, 'plugin stop failed');
          }
        }
      }
      await journal?.close();
      url = undefined;
    },
    reset,
    async invoke(service, operation, input, opts = {}) {
      const out = await dispatcher.call(
        service,
        operation,
        input,
        {
          accountId: opts.accountId ?? config.accountId,
          region: opts.region ?? config.region,
        },
        false,
      );
      await journal?.commit();
      return out;
    },
    endpoint: () => url,
  };
  return gateway;
}

/** What handleAws reads of a request (an express request, or the fast path's own). */
interface AwsRequest {
  header(name: string): string | undefined;
  query: Record<string, unknown>;
  body: Buffer | undefined;
}
