/**
 * The Dockside dashboard: a routes-only plugin (no AWS protocol, no state) serving a live page at
 * `/_dockside/ui/`. The page's assets are built at build time (scripts/build-ui.mjs) into
 * `dist/ui/`; its data comes from each service's own API through the bus (`api/state`), and it
 * stays current from a server-sent event stream of the bus's events (`api/stream`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import express, { type Request, type Response } from 'express';
import type { DocksideEvents, DocksidePlugin, PluginContext } from '@dockside/core';
import { awsCaller, type Scope } from './aws';
import { actions, reads } from './actions';
import { snapshot } from './snapshot';
import { openStream } from './stream';

export const UI_PATH = '/_dockside/ui';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** Services the page reads, by signing name. */
const SERVICES = ['ecs', 'elasticloadbalancing', 'events', 'ecr', 'secretsmanager', 'ssm', 'logs'];

export function dashboard(): DocksidePlugin {
  return {
    name: 'dashboard',
    protocols: [],
    setup(ctx: PluginContext) {
      const assets = path.join(__dirname, 'ui');
      const scopeOf = (req: Request): Scope => ({
        accountId: typeof req.query.account === 'string' ? req.query.account : ctx.config.accountId,
        region: typeof req.query.region === 'string' ? req.query.region : ctx.config.region,
      });
      // Listener local URLs (what to click) are announced once, when each listener binds.
      const listenerUrls = new Map<string, string>();
      // (Event names are typed by each plugin's contract; the dashboard depends on none of them.)
      ctx.bus.subscribe('elbv2.listener-bound' as keyof DocksideEvents, (e) => {
        const bound = e as { listenerArn: string; url: string };
        listenerUrls.set(bound.listenerArn, bound.url);
      });
      const asJson = (res: Response, work: () => Promise<unknown>) =>
        work().then(
          (body) => res.json(body),
          (err: { code?: string; message?: string; httpStatus?: number }) =>
            res.status(err.httpStatus && err.httpStatus < 500 ? err.httpStatus : 500).json({
              code: err.code ?? 'InternalFailure',
              message: err.message ?? String(err),
            }),
        );
      const sendAsset = (res: Response, file: string) => {
        const full = path.join(assets, path.basename(file));
        if (!fs.existsSync(full)) return void res.status(404).json({ message: `no asset ${file}` });
        res.setHeader('Content-Type', CONTENT_TYPES[path.extname(full)] ?? 'application/octet-stream');
        res.setHeader('Cache-Control', 'no-cache');
        fs.createReadStream(full).pipe(res);
      };
      return {
        routes: {
          prefixes: [`${UI_PATH}/`],
          mount(router) {
            // With or without the trailing slash (express matches both): the page's <base> makes
            // its relative links work from either.
            router.get(UI_PATH, (_req, res) => sendAsset(res, 'index.html'));
            router.get(`${UI_PATH}/assets/:file`, (req, res) => sendAsset(res, String(req.params.file)));
            router.get(`${UI_PATH}/api/state`, (req, res) => {
              const scope = scopeOf(req);
              asJson(res, () =>
                snapshot(
                  awsCaller(ctx.bus, scope),
                  SERVICES.filter((s) => ctx.bus.isLoaded(s)),
                  listenerUrls,
                ).then((s) => ({ ...s, scope })),
              );
            });
            router.get(`${UI_PATH}/api/stream`, (req, res) =>
              openStream(ctx.bus, scopeOf(req), req, res, {
                task: typeof req.query.task === 'string' ? req.query.task : undefined,
              }),
            );
            for (const [name, run] of Object.entries(reads)) {
              router.get(`${UI_PATH}/api/${name}`, (req, res) =>
                asJson(res, () => run(awsCaller(ctx.bus, scopeOf(req)), req.query as Record<string, string>)),
              );
            }
            for (const [name, run] of Object.entries(actions)) {
              router.post(`${UI_PATH}/api/${name}`, express.json({ limit: '64kb' }), (req, res) =>
                asJson(res, () => run(awsCaller(ctx.bus, scopeOf(req)), (req.body ?? {}) as Record<string, string>)),
              );
            }
          },
        },
      };
    },
  };
}

export default dashboard;
