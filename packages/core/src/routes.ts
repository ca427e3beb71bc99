import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { DocksideError } from './errors';
import type { DocksidePlugin, PluginRoutes } from './plugin';

/** The gateway's own endpoints: no plugin may claim a prefix that covers them. */
export const CORE_PATHS = {
  health: '/_dockside/health',
  reset: '/_dockside/reset',
  motoReset: '/moto-api/reset',
} as const;

const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);

/**
 * Refuses, before anything listens, route prefixes that are malformed or that overlap another
 * plugin's (or the gateway's own paths): two owners of one path would make the answer depend
 * on load order.
 */
export function checkRoutes(plugins: DocksidePlugin[]): void {
  const claimed: Array<{ prefix: string; owner: string }> = Object.values(CORE_PATHS).map((p) => ({
    prefix: p,
    owner: 'the gateway',
  }));
  for (const p of plugins) {
    for (const prefix of p.routes?.prefixes ?? []) {
      if (!/^\/.+\/$/.test(prefix)) {
        throw new DocksideError(
          'DOCKSIDE_ROUTE_CONFLICT',
          `plugin '${p.name}': route prefix '${prefix}' must start and end with '/' and not be the root`,
        );
      }
      const taken = claimed.find((c) => overlaps(c.prefix, prefix));
      if (taken) {
        throw new DocksideError(
          'DOCKSIDE_ROUTE_CONFLICT',
          `plugin '${p.name}' claims '${prefix}', which overlaps '${taken.prefix}' of ${taken.owner === 'the gateway' ? 'the gateway' : `plugin '${taken.owner}'`}`,
        );
      }
      claimed.push({ prefix, owner: p.name });
    }
  }
}

/** Mounts each plugin's router behind a check of its prefixes, so a plugin sees only its own paths. */
export function mountRoutes(app: Express, plugins: DocksidePlugin[]): void {
  for (const p of plugins) {
    if (!p.routes) continue;
    const router = express.Router();
    p.routes.mount(router);
    const prefixes = p.routes.prefixes;
    // `/v2/credentials` is under `/v2/credentials/` too: compare with a trailing slash.
    app.use((req: Request, res: Response, next: NextFunction) => {
      const path = `${req.path}/`;
      return prefixes.some((x) => path.startsWith(x)) ? router(req, res, next) : next();
    });
  }
}

/** Lets plugins claim requests by Host header (checked first, for every request). */
export function mountHostRoutes(app: Express, plugins: DocksidePlugin[]): void {
  const claimed = hostClaims(plugins);
  if (!claimed) return;
  app.use((req: Request, res: Response, next: NextFunction) => {
    const handle = claimed(req.headers.host);
    return handle ? handle(req, res) : next();
  });
}

/**
 * The handler a plugin claims a request's Host header with (a load balancer's DNS name), or
 * undefined; undefined as a whole when no plugin claims hosts.
 */
export function hostClaims(
  plugins: DocksidePlugin[],
): ((hostHeader: string | undefined) => ReturnType<NonNullable<PluginRoutes['byHost']>>) | undefined {
  const claimers = plugins.filter((p) => p.routes?.byHost);
  if (!claimers.length) return undefined;
  return (hostHeader) => {
    const host = (hostHeader ?? '').replace(/:\d+$/, '');
    if (!host || host === 'localhost' || /^[\d.]+$/.test(host) || host.startsWith('[')) return undefined;
    for (const p of claimers) {
      const handle = p.routes!.byHost!(host);
      if (handle) return handle;
    }
    return undefined;
  };
}
