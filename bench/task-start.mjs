// Task start overhead: RunTask → RUNNING and RunTask → STOPPED (a container running `true`) on a
// cached image, against the same container created and started directly through the Docker API
// (dockerode) in the same script; also a 3-container awsvpc task against its raw equivalent.
import { createRequire } from 'node:module';
import { record, repoRoot, stats } from './lib.mjs';

const require = createRequire(`${repoRoot}/package.json`);
const Docker = require('dockerode');
const {
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  CreateClusterCommand,
} = require('@aws-sdk/client-ecs');
const { ecs } = require('@dockside/ecs');
const { startTestGateway, ensureBusyboxImage } = require('@dockside/testing');

const RUNS = Number(process.env.BENCH_TASK_RUNS ?? 10);
const docker = new Docker();
const image = await ensureBusyboxImage(docker);
const t = await startTestGateway({
  plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', defaultStopTimeout: 1 })],
});
const client = t.client(ECSClient);
await client.send(new CreateClusterCommand({}));
const one = (cmd) => [{ name: 'main', image, memory: 32, command: cmd }];
await client.send(
  new RegisterTaskDefinitionCommand({ family: 'sleeper', containerDefinitions: one(['sleep', '3600']) }),
);
await client.send(new RegisterTaskDefinitionCommand({ family: 'oneshot', containerDefinitions: one(['true']) }));
await client.send(
  new RegisterTaskDefinitionCommand({
    family: 'trio',
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: ['a', 'b', 'c'].map((n) => ({ name: n, image, command: ['sleep', '3600'] })),
  }),
);

/** Resolves when the task reaches `status` (from the bus: no polling delay in the figure). */
function until(taskArn, status) {
  return new Promise((resolve) => {
    const off = t.gateway.bus.subscribe('ecs.task', (e) => {
      if (e.taskArn === taskArn && e.lastStatus === status) {
        off();
        resolve(performance.now());
      }
    });
  });
}
async function runTask(family, status, extra = {}) {
  const start = performance.now();
  let arn;
  const done = new Promise((resolve) => {
    const off = t.gateway.bus.subscribe('ecs.task', (e) => {
      if (e.lastStatus === status && (!arn || e.taskArn === arn)) {
        off();
        resolve(performance.now());
      }
    });
  });
  const out = await client.send(new RunTaskCommand({ taskDefinition: family, ...extra }));
  arn = out.tasks[0].taskArn;
  const end = await done;
  return { ms: end - start, arn };
}
const stopTask = async (arn) => {
  const stopped = until(arn, 'STOPPED');
  await client.send(new (require('@aws-sdk/client-ecs').StopTaskCommand)({ task: arn }));
  await stopped;
};

// Dockside puts a bridge-mode task on its agent network, a user-defined bridge whose gateway is
// 169.254.170.2 (the credentials and metadata endpoints' address). The engine sets up embedded DNS
// for every container on a user-defined network, which costs it ~200 ms a start here; the second
// baseline does that same container work on a user-defined network of its own.
const userNet = `dockside-bench-${process.pid}`;
await docker.createNetwork({ Name: userNet, Driver: 'bridge' });
async function rawRun(cmd, networkMode) {
  const start = performance.now();
  const c = await docker.createContainer({
    Image: image,
    Cmd: cmd,
    HostConfig: { Memory: 32 * 1024 * 1024, ...(networkMode ? { NetworkMode: networkMode } : {}) },
  });
  await c.start();
  return { ms: performance.now() - start, c };
}
async function rawOneshot() {
  const start = performance.now();
  const c = await docker.createContainer({ Image: image, Cmd: ['true'], HostConfig: { Memory: 32 * 1024 * 1024 } });
  const wait = c.wait({ condition: 'next-exit' });
  await c.start();
  await wait;
  await c.remove({ force: true });
  return performance.now() - start;
}
async function rawTrio() {
  const start = performance.now();
  const pause = await docker.createContainer({ Image: 'dockside/pause:1', HostConfig: { NetworkMode: 'bridge' } });
  await pause.start();
  const cs = [];
  for (let i = 0; i < 3; i++)
    cs.push(
      await docker.createContainer({
        Image: image,
        Cmd: ['sleep', '3600'],
        HostConfig: { NetworkMode: `container:${pause.id}` },
      }),
    );
  await Promise.all(cs.map((c) => c.start()));
  const ms = performance.now() - start;
  await Promise.all([...cs, pause].map((c) => c.remove({ force: true })));
  return ms;
}

const series = {
  running: [],
  rawRunning: [],
  rawRunningUserNet: [],
  stopped: [],
  rawStopped: [],
  trio: [],
  rawTrio: [],
};
// Warm-up (pause image, agent network, code paths), then interleave so drift hits both alike.
await stopTask(
  (
    await runTask('trio', 'RUNNING', {
      networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0b0b0b0b'] } },
    })
  ).arn,
);
await stopTask((await runTask('sleeper', 'RUNNING')).arn);
for (let i = 0; i < RUNS; i++) {
  const r = await runTask('sleeper', 'RUNNING');
  series.running.push(r.ms);
  await stopTask(r.arn);
  const raw = await rawRun(['sleep', '3600']);
  series.rawRunning.push(raw.ms);
  await raw.c.remove({ force: true });
  const rawUser = await rawRun(['sleep', '3600'], userNet);
  series.rawRunningUserNet.push(rawUser.ms);
  await rawUser.c.remove({ force: true });
  series.stopped.push((await runTask('oneshot', 'STOPPED')).ms);
  series.rawStopped.push(await rawOneshot());
  const trio = await runTask('trio', 'RUNNING', {
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-0b0b0b0b'] } },
  });
  series.trio.push(trio.ms);
  await stopTask(trio.arn);
  series.rawTrio.push(await rawTrio());
}
await t.stop();
await docker.getNetwork(userNet).remove();

const row = (figure, ours, base, target) => {
  const o = stats(ours);
  const b = stats(base);
  console.log(
    `${figure}: ${o.median.toFixed(0)} ms vs raw ${b.median.toFixed(0)} ms (${(o.median / b.median).toFixed(2)}x)`,
  );
  return { figure, unit: 'ms', ...o, baseline: b.median, ratio: o.median / b.median, target };
};
record('task-start', [
  row('RunTask → RUNNING (1 container)', series.running, series.rawRunning, '≤ 1.15× raw Docker API'),
  row(
    "RunTask → RUNNING (1 container) vs raw on a user-defined bridge network (the agent network's container work)",
    series.running,
    series.rawRunningUserNet,
    '≤ 1.15× raw Docker API',
  ),
  row('RunTask → STOPPED (`true`)', series.stopped, series.rawStopped, '–'),
  row('RunTask → RUNNING (3-container awsvpc)', series.trio, series.rawTrio, '–'),
]);
