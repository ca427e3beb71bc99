/** Scale-in choices of the scheduler, with a stand-in runtime (no engine): protection and its expiry. */
import { Store, type Bus, type Logger } from '@dockside/core';
import { failureThreshold } from '../domain/deployments';
import { Runtime } from '../runtime/runtime';
import { type EcsState, type ServiceRecord, type TaskRecord, emptyState } from '../state/types';
import { ServiceScheduler, startRetryDelayMs } from './scheduler';

const where = { accountId: '000000000000', region: 'us-east-1' };
const clusterArn = 'arn:aws:ecs:us-east-1:000000000000:cluster/c';

function setup(protectedUntil: (i: number) => number | undefined) {
  const store = new Store<EcsState>(emptyState);
  const state = store.get(where.accountId, where.region);
  state.clusters.c = { clusterArn, clusterName: 'c', status: 'ACTIVE' };
  const stopped: string[] = [];
  const runtime = {
    launch: () => undefined,
    stop: async (t: TaskRecord) => {
      t.desiredStatus = 'STOPPED';
      stopped.push(t.taskArn);
    },
  } as unknown as Runtime;
  const created = new Date(Date.now() - 60_000);
  const svc: ServiceRecord = {
    serviceArn: 'arn:aws:ecs:us-east-1:000000000000:service/c/s',
    serviceName: 's',
    clusterArn,
    status: 'ACTIVE',
    desiredCount: 1,
    createdAt: created,
    deployments: [
      {
        id: 'ecs-svc/1',
        status: 'PRIMARY',
        taskDefinition: 'td',
        rolloutState: 'COMPLETED',
        serviceDeploymentArn: 'sd',
        serviceRevisionArn: 'sr',
      },
    ],
    taskSets: [],
    events: [],
    deploymentConfiguration: { maximumPercent: 200, minimumHealthyPercent: 100 },
  };
  state.services[svc.serviceArn] = svc;
  for (let i = 0; i < 3; i++) {
    const taskArn = `arn:aws:ecs:us-east-1:000000000000:task/c/${i}`;
    state.tasks[taskArn] = {
      taskArn,
      clusterArn,
      group: 'service:s',
      startedBy: 'ecs-svc/1',
      lastStatus: 'RUNNING',
      desiredStatus: 'RUNNING',
      createdAt: new Date(created.getTime() + i * 1000),
      startedAt: new Date(created.getTime() + i * 1000),
      definition: { taskDefinitionArn: 'td', family: 'f', revision: 1, status: 'ACTIVE', containerDefinitions: [] },
      runtimeIds: {},
      ...(protectedUntil(i) !== undefined ? { protectedUntil: protectedUntil(i) } : {}),
    };
  }
  const bus = { publish: () => undefined, subscribe: () => () => undefined, isLoaded: () => false } as unknown as Bus;
  const logger = { warn: () => undefined, error: () => undefined, info: () => undefined } as unknown as Logger;
  const scheduler = new ServiceScheduler(store, runtime, { stabilityMs: 0 }, bus, logger);
  return { scheduler, state, svc, stopped };
}

test('scale-in keeps a protected task and stops the others, newest first', () => {
  const { scheduler, state, svc, stopped } = setup((i) => (i === 0 ? Date.now() + 60_000 : undefined));
  scheduler.reconcile(state, where, svc);
  expect(stopped.sort()).toEqual([
    'arn:aws:ecs:us-east-1:000000000000:task/c/1',
    'arn:aws:ecs:us-east-1:000000000000:task/c/2',
  ]);
});

test('expired protection no longer protects', () => {
  // Task 1 is protected, task 2's protection has expired: 0 and 2 go (with 2 still protected only 0 could).
  const { scheduler, state, svc, stopped } = setup((i) =>
    i === 2 ? Date.now() - 1 : i === 1 ? Date.now() + 60_000 : undefined,
  );
  scheduler.reconcile(state, where, svc);
  expect(stopped.sort()).toEqual([
    'arn:aws:ecs:us-east-1:000000000000:task/c/0',
    'arn:aws:ecs:us-east-1:000000000000:task/c/2',
  ]);
});

test('when every extra task is protected, scale-in waits and says so once', () => {
  const { scheduler, state, svc, stopped } = setup(() => Date.now() + 60_000);
  scheduler.reconcile(state, where, svc);
  scheduler.reconcile(state, where, svc);
  expect(stopped).toEqual([]);
  expect(svc.events.filter((e) => e.message!.includes('was unable to scale in due to'))).toHaveLength(1);
});

test.each([
  [1, 3],
  [6, 3],
  [7, 4],
  [25, 13],
  [400, 200],
  [1000, 200],
])('circuit breaker threshold for %i desired tasks is %i', (desired, threshold) => {
  expect(failureThreshold(desired)).toBe(threshold);
});

test('launches after failed starts wait 0, 0, 1 s, 2 s, 4 s … and never more than 30 s', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map(startRetryDelayMs)).toEqual([
    0, 0, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000,
  ]);
});
