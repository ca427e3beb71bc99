/**
 * `--data-dir` durability through the real binary: writes stream in from concurrent clients, the
 * gateway is killed with SIGKILL in the middle of them, and every write it had acknowledged is
 * there after a restart. An unreadable state file stops the start with its name, untouched.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetLogEventsCommand, CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ListClustersCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { dockerClient, waitFor } from '@dockside/testing';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { run, runToEnd } from './run-cli';

jest.setTimeout(60_000);
const creds = { accessKeyId: 'test', secretAccessKey: 'test' };
const clients = (url: string) => ({
  ecs: new ECSClient({ endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 }),
  ssm: new SSMClient({ endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 }),
  logs: new CloudWatchLogsClient({ endpoint: url, region: 'us-east-1', credentials: creds, maxAttempts: 1 }),
});

test('every write acknowledged before a kill -9 is there after the restart', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-kill-'));
  try {
    const a = await run(['--port', '0', '--data-dir', dir, '--services', 'ecs,secrets', '--log-level', 'silent']);
    const { ecs, ssm } = clients(a.url);
    const acknowledged = { clusters: [] as string[], parameters: [] as string[] };
    let n = 0;
    let killed = false;
    // Eight writers each keep one request in flight until the gateway dies under them.
    const writer = async () => {
      while (!killed) {
        const i = n++;
        try {
          if (i % 2) {
            await ecs.send(new CreateClusterCommand({ clusterName: `c${i}` }));
            acknowledged.clusters.push(`c${i}`);
          } else {
            await ssm.send(new PutParameterCommand({ Name: `/p/${i}`, Value: `v${i}`, Type: 'SecureString' }));
            acknowledged.parameters.push(`/p/${i}`);
          }
        } catch {
          return; // the gateway is gone: this write was never acknowledged
        }
      }
    };
    const writers = Array.from({ length: 8 }, writer);
    // Kill once a few hundred writes were answered: requests are in flight at that moment.
    while (acknowledged.clusters.length + acknowledged.parameters.length < 300)
      await new Promise((r) => setTimeout(r, 5));
    a.child.kill('SIGKILL');
    killed = true;
    await Promise.all(writers);
    await a.exited;

    const b = await run(['--port', '0', '--data-dir', dir, '--services', 'ecs,secrets', '--log-level', 'silent']);
    try {
      const after = clients(b.url);
      const clusters = new Set<string>();
      let token: string | undefined;
      do {
        const page = await after.ecs.send(new ListClustersCommand({ nextToken: token, maxResults: 100 }));
        for (const arn of page.clusterArns ?? []) clusters.add(arn.split('/').pop()!);
        token = page.nextToken;
      } while (token);
      const parameters = new Map<string, string>();
      token = undefined;
      do {
        const page: { Parameters?: Array<{ Name?: string; Value?: string }>; NextToken?: string } =
          await after.ssm.send(
            new GetParametersByPathCommand({ Path: '/p', WithDecryption: true, NextToken: token, MaxResults: 10 }),
          );
        for (const p of page.Parameters ?? []) parameters.set(p.Name!, p.Value!);
        token = page.NextToken;
      } while (token);
      expect(acknowledged.clusters.filter((c) => !clusters.has(c))).toEqual([]);
      expect(acknowledged.parameters.filter((p) => parameters.get(p) !== `v${p.slice(3)}`)).toEqual([]);
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
    }
    // Readable by their owner only: parameter values are in them.
    for (const f of fs.readdirSync(dir)) expect(fs.statSync(path.join(dir, f)).mode & 0o077).toBe(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable state file stops the start, named, and is left as it was', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-corrupt-'));
  try {
    fs.writeFileSync(path.join(dir, 'state.json'), '{"generation": 3, "plugins": {"ecs": ');
    const r = await runToEnd(['--port', '0', '--data-dir', dir, '--services', 'ecs']);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`dockside: cannot start: ${path.join(dir, 'state.json')} is not valid JSON`);
    expect(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')).toBe('{"generation": 3, "plugins": {"ecs": ');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a running task survives a kill -9 of the gateway: re-adopted, its awslogs stream continues with no line lost or repeated', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-readopt-'));
  const args = [
    '--port',
    '0',
    '--data-dir',
    dir,
    '--services',
    'ecs,logs',
    '--ecs-instances',
    '1',
    '--log-level',
    'silent',
  ];
  const LINES = 300;
  let taskArn = '';
  const stopTask = async (url: string) =>
    clients(url)
      .ecs.send(new StopTaskCommand({ cluster: 'keep', task: taskArn }))
      .catch(() => undefined);
  try {
    const a = await run(args);
    const { ecs, logs } = clients(a.url);
    await ecs.send(new CreateClusterCommand({ clusterName: 'keep' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'counter',
        containerDefinitions: [
          {
            name: 'counter',
            image: 'dockside-test/busybox:latest',
            memory: 64,
            stopTimeout: 1,
            command: [
              'sh',
              '-c',
              `i=0; while [ $i -lt ${LINES} ]; do echo "line $i"; i=$((i+1)); sleep 0.01; done; exec sleep 3600`,
            ],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': '/counter',
                'awslogs-region': 'us-east-1',
                'awslogs-stream-prefix': 'app',
                'awslogs-create-group': 'true',
              },
            },
          },
        ],
      }),
    );
    const started = await ecs.send(new RunTaskCommand({ cluster: 'keep', taskDefinition: 'counter' }));
    taskArn = started.tasks![0].taskArn!;
    const stream = `app/counter/${taskArn.split('/').pop()}`;
    const events = async (url: string) =>
      (
        await clients(url).logs.send(
          new GetLogEventsCommand({
            logGroupName: '/counter',
            logStreamName: stream,
            startFromHead: true,
            limit: 10000,
          }),
        )
      ).events ?? [];
    await waitFor(async () => ((await events(a.url).catch(() => [])).length >= 20 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'the first lines in CloudWatch Logs',
    });
    const { tasks } = await ecs.send(new DescribeTasksCommand({ cluster: 'keep', tasks: [taskArn] }));
    const containerId = tasks![0].containers![0].runtimeId!;
    void logs;
    a.child.kill('SIGKILL');
    await a.exited;

    const b = await run(args);
    try {
      const after = clients(b.url);
      const [task] = (await after.ecs.send(new DescribeTasksCommand({ cluster: 'keep', tasks: [taskArn] }))).tasks!;
      expect(task).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
      expect(task.containers![0].runtimeId).toBe(containerId);
      // The metadata endpoint answers for it again.
      const token = task.containers![0].containerArn!.split('/').pop();
      const meta = (await (await fetch(`${b.url}/v4/${token}/task`)).json()) as { TaskARN: string };
      expect(meta.TaskARN).toBe(taskArn);
      // Every line, once each and in order: those written while the gateway was down included.
      const all = await waitFor(
        async () => {
          const got = await events(b.url);
          return got.length >= LINES ? got : undefined;
        },
        { timeoutMs: 30_000, what: `all ${LINES} lines in CloudWatch Logs` },
      );
      expect(all.map((e) => e.message)).toEqual(Array.from({ length: LINES }, (_, i) => `line ${i}`));
      // Its exit is still observed: StopTask stops it and the container goes.
      await after.ecs.send(new StopTaskCommand({ cluster: 'keep', task: taskArn }));
      await waitFor(
        async () =>
          (await after.ecs.send(new DescribeTasksCommand({ cluster: 'keep', tasks: [taskArn] }))).tasks![0]
            .lastStatus === 'STOPPED' || undefined,
        { timeoutMs: 30_000, what: 'the task to stop' },
      );
      await waitFor(
        async () =>
          (await dockerClient()
            .getContainer(containerId)
            .inspect()
            .then(
              () => undefined,
              () => true,
            )) ?? undefined,
        { what: 'the container to be removed' },
      );
    } finally {
      await stopTask(b.url);
      b.child.kill('SIGTERM');
      await b.exited;
    }
  } finally {
    const left = await dockerClient().listContainers({
      all: true,
      filters: { label: [`com.amazonaws.ecs.task-arn=${taskArn}`] },
    });
    await Promise.all(
      left.map((c) =>
        dockerClient()
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a dead gateway's containers are its own: another Dockside leaves them; its data dir's next gateway removes those whose task record is gone", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-orphan-'));
  const other = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-orphan-other-'));
  const args = (d: string) => [
    '--port',
    '0',
    '--data-dir',
    d,
    '--services',
    'ecs',
    '--ecs-instances',
    '1',
    '--log-level',
    'silent',
  ];
  const taskDef = {
    family: 'idle',
    containerDefinitions: [
      { name: 'idle', image: 'dockside-test/busybox:latest', memory: 16, stopTimeout: 1, command: ['sleep', '3600'] },
    ],
  };
  let left: string | undefined;
  try {
    const a = await run(args(dir));
    const { ecs } = clients(a.url);
    await ecs.send(new CreateClusterCommand({ clusterName: 'o' }));
    await ecs.send(new RegisterTaskDefinitionCommand(taskDef));
    const arn = (await ecs.send(new RunTaskCommand({ cluster: 'o', taskDefinition: 'idle' }))).tasks![0].taskArn!;
    left = await waitFor(
      async () => {
        const [t] = (await ecs.send(new DescribeTasksCommand({ cluster: 'o', tasks: [arn] }))).tasks!;
        return t.lastStatus === 'RUNNING' ? t.containers![0].runtimeId : undefined;
      },
      { timeoutMs: 30_000, what: 'the task to run' },
    );
    a.child.kill('SIGKILL');
    await a.exited;
    const exists = (id: string) =>
      dockerClient()
        .getContainer(id)
        .inspect()
        .then(
          () => true,
          () => false,
        );
    // Another Dockside (its own data dir) starting a task sweeps orphans, but not a persisted
    // gateway's: that one re-adopts them when it comes back.
    const c = await run(args(other));
    try {
      const elsewhere = clients(c.url).ecs;
      await elsewhere.send(new CreateClusterCommand({ clusterName: 'o' }));
      await elsewhere.send(new RegisterTaskDefinitionCommand(taskDef));
      const theirs = (await elsewhere.send(new RunTaskCommand({ cluster: 'o', taskDefinition: 'idle' }))).tasks![0]
        .taskArn!;
      await waitFor(
        async () =>
          (await elsewhere.send(new DescribeTasksCommand({ cluster: 'o', tasks: [theirs] }))).tasks![0].lastStatus ===
          'RUNNING',
        { timeoutMs: 30_000, what: "the other gateway's task to run" },
      );
      expect(await exists(left!)).toBe(true);
      await elsewhere.send(new StopTaskCommand({ cluster: 'o', task: theirs }));
    } finally {
      c.child.kill('SIGTERM');
      await c.exited;
    }
    // The same data dir with the task record gone (a fresh state): its first task sweeps it.
    for (const f of fs.readdirSync(dir)) fs.rmSync(path.join(dir, f), { recursive: true, force: true });
    const b = await run(args(dir));
    try {
      const next = clients(b.url).ecs;
      await next.send(new CreateClusterCommand({ clusterName: 'o' }));
      await next.send(new RegisterTaskDefinitionCommand(taskDef));
      const mine = (await next.send(new RunTaskCommand({ cluster: 'o', taskDefinition: 'idle' }))).tasks![0].taskArn!;
      await waitFor(async () => !(await exists(left!)), {
        timeoutMs: 30_000,
        what: "the dead gateway's container to be removed",
      });
      await next.send(new StopTaskCommand({ cluster: 'o', task: mine }));
    } finally {
      b.child.kill('SIGTERM');
      await b.exited;
    }
  } finally {
    if (left)
      await dockerClient()
        .getContainer(left)
        .remove({ force: true })
        .catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(other, { recursive: true, force: true });
  }
});
