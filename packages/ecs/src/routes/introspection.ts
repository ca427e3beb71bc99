import express, { type Request, type Response, type Router } from 'express';
import { clusterView } from '../domain/clusters';
import type { EcsDomain } from '../domain/context';
import { tagsOf } from '../domain/tags';
import { taskView } from '../domain/tasks';
import { Runtime } from '../runtime/runtime';
import type { TaskRecord } from '../state/types';
import { taskDocument } from './metadata';

/**
 * `/_dockside/ecs/…` (and the seed's `/_fakecloud/ecs/…` aliases): JSON views for tests, in a
 * deterministic order, across every account and region.
 */
export function introspectionRoutes(router: Router, { store, index }: EcsDomain, runtime: Runtime) {
  const allTasks = () => store.entries().flatMap(({ state }) => Object.values(state.tasks).map((t) => ({ state, t })));
  const byCreation = (a: { t: TaskRecord }, b: { t: TaskRecord }) =>
    a.t.createdAt!.getTime() - b.t.createdAt!.getTime() || (a.t.taskArn < b.t.taskArn ? -1 : 1);
  const findTask = (ref: string) => {
    const id = decodeURIComponent(ref);
    return allTasks().find(({ t }) => t.taskArn === id || t.taskArn.endsWith(`/${id}`));
  };
  const notFound = (res: Response, what: string) =>
    res.status(404).json({ __type: 'NotFound', message: `${what} not found` });

  for (const prefix of ['/_dockside/ecs', '/_fakecloud/ecs']) {
    router.get(`${prefix}/clusters`, (_req, res) => {
      const clusters = store
        .entries()
        .flatMap(({ accountId, region, state }) =>
          Object.values(state.clusters).map((c) => ({
            accountId,
            region,
            ...clusterView(state, index, c, ['SETTINGS', 'CONFIGURATIONS', 'TAGS', 'STATISTICS']),
          })),
        )
        .sort((a, b) => (a.clusterArn! < b.clusterArn! ? -1 : 1));
      res.json({ clusters });
    });

    router.get(`${prefix}/tasks`, (req: Request, res) => {
      const cluster = typeof req.query.cluster === 'string' ? req.query.cluster : undefined;
      const status = typeof req.query.status === 'string' ? req.query.status.toUpperCase() : undefined;
      const tasks = allTasks()
        .filter(({ t }) => !cluster || t.clusterArn === cluster || t.clusterArn.endsWith(`:cluster/${cluster}`))
        .filter(({ t }) => !status || t.lastStatus === status)
        .sort(byCreation)
        .map(({ state, t }) => taskView(state, t, true));
      res.json({ tasks });
    });

    router.get(`${prefix}/tasks/:id`, (req, res) => {
      const found = findTask(String(req.params.id));
      if (!found) return void notFound(res, 'task');
      res.json(taskView(found.state, found.t, true));
    });

    router.get(`${prefix}/tasks/:id/logs`, (req, res) => {
      const found = findTask(String(req.params.id));
      if (!found) return void notFound(res, 'task');
      const output = runtime.output(found.t) ?? {};
      res.json({
        taskArn: found.t.taskArn,
        lastStatus: found.t.lastStatus,
        containers: found.t.containers!.map((c) => ({
          name: c.name,
          exitCode: c.exitCode ?? null,
          reason: c.reason ?? null,
          lines: output[c.name!] ?? [],
        })),
      });
    });

    router.post(`${prefix}/tasks/:id/force-stop`, async (req, res) => {
      const found = findTask(String(req.params.id));
      if (!found) return void notFound(res, 'task');
      // SIGTERM then SIGKILL straight away, whatever the container's stopTimeout.
      await runtime.stop(found.t, 'UserInitiated', 'Task force-stopped through the Dockside API', { stopTimeout: 0 });
      res.json(taskView(found.state, found.t, true));
    });

    router.post(`${prefix}/tasks/:id/mark-failed`, express.json({ limit: '64kb' }), (req, res) => {
      const found = findTask(String(req.params.id));
      if (!found) return void notFound(res, 'task');
      const body = (req.body ?? {}) as { exitCode?: unknown; reason?: unknown };
      const exitCode = body.exitCode === undefined ? 1 : Number(body.exitCode);
      if (!Number.isInteger(exitCode))
        return void res.status(400).json({ __type: 'ValidationError', message: 'exitCode must be an integer' });
      const reason =
        typeof body.reason === 'string' && body.reason ? body.reason : 'Marked failed through the Dockside API';
      runtime.markFailed(found.t, exitCode, reason);
      res.json(taskView(found.state, found.t, true));
    });

    router.get(`${prefix}/events`, (_req, res) => {
      res.json({ events: runtime.events() });
    });

    router.get(`${prefix}/metadata/:taskArn`, async (req, res) => {
      const found = findTask(String(req.params.taskArn));
      if (!found) return void notFound(res, 'task');
      res.json(await taskDocument(found.t, 4, runtime.engine, (arn) => tagsOf(found.state, arn)));
    });
  }
}
