/**
 * ECS Exec with a real container, driven by an independent client of the Session Manager data
 * channel (the npm `ssm-session` package over a `ws` WebSocket): ExecuteCommand opens a session,
 * the shell's output comes back, a resize changes the TTY, `exit` ends it with channel_closed;
 * SSM's DescribeSessions, ResumeSession and TerminateSession act on it; ECS's refusals and wording.
 * And `aws ecs execute-command` itself, with a stand-in `session-manager-plugin` on PATH (AWS's Go
 * plugin is not installable here): the CLI's checks, ARN splitting and DescribeTasks lookup.
 */
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateClusterCommand,
  DescribeTasksCommand,
  ECSClient,
  ExecuteCommandCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { DescribeSessionsCommand, ResumeSessionCommand, SSMClient, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { ecs } from '@dockside/ecs';
import { secrets } from '@dockside/secrets';
import {
  TEST_IMAGES,
  awsCliAvailable,
  ensureBusyboxImage,
  rejection,
  useTestGateway,
  waitFor,
} from '@dockside/testing';
import { ssm } from 'ssm-session';
import WebSocket from 'ws';

const gw = useTestGateway(() => ({
  plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' }), secrets()],
}));
const client = gw.sdk(ECSClient);
const ssmClient = gw.sdk(SSMClient);

/** A size message as the protocol spells it (ssm-session sends one only at start). */
function sizeFrame(seq: number, cols: number, rows: number): Buffer {
  const payload = Buffer.from(JSON.stringify({ cols, rows }));
  const b = Buffer.alloc(120 + payload.length);
  b.writeUInt32BE(116, 0);
  b.write('input_stream_data'.padEnd(32, ' '), 4, 'ascii');
  b.writeUInt32BE(1, 36);
  b.writeBigUInt64BE(BigInt(Date.now()), 40);
  b.writeBigInt64BE(BigInt(seq), 48);
  b.writeBigUInt64BE(0n, 56);
  Buffer.from(randomUUID().replace(/-/g, ''), 'hex').copy(b, 64);
  createHash('sha256').update(payload).digest().copy(b, 80);
  b.writeUInt32BE(3, 112);
  b.writeUInt32BE(payload.length, 116);
  payload.copy(b, 120);
  return b;
}

/** A client session: everything the server printed, and whether it sent channel_closed. */
function connect(streamUrl: string, token: string) {
  const ws = new WebSocket(streamUrl);
  const seen = { output: '', closedByServer: false, socketClosed: false };
  ws.binaryType = 'arraybuffer';
  ws.on('open', () => ssm.init(ws, { token, termOptions: { cols: 80, rows: 24 } }));
  ws.on('message', (data: ArrayBuffer) => {
    const m = ssm.decode(data);
    ssm.sendACK(ws, m);
    if (m.messageType === 'output_stream_data' && m.payloadType === 1) seen.output += Buffer.from(m.payload).toString();
    if (m.messageType === 'channel_closed') seen.closedByServer = true;
  });
  ws.on('close', () => (seen.socketClosed = true));
  const opened = new Promise((r) => ws.once('open', r));
  return { ws, seen, opened };
}

const until = (what: string, test: () => boolean) =>
  waitFor(async () => (test() ? true : undefined), { what, timeoutMs: 30_000, intervalMs: 50 });

test('an interactive session runs commands, resizes, exits; SSM sees, resumes and terminates sessions', async () => {
  await ensureBusyboxImage();
  await client.send(new CreateClusterCommand({}));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'shell',
      containerDefinitions: [
        { name: 'app', image: TEST_IMAGES.busybox, memory: 32, command: ['sleep', '600'], stopTimeout: 2 },
      ],
    }),
  );
  const run = async (enableExecuteCommand: boolean) => {
    const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'shell', enableExecuteCommand }));
    const arn = tasks![0].taskArn!;
    await waitFor(
      async () => {
        const t = (await client.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0];
        return t.lastStatus === 'RUNNING' ? t : undefined;
      },
      { what: 'task running', timeoutMs: 60_000 },
    );
    return arn;
  };
  const withExec = await run(true);
  const without = await run(false);
  try {
    const described = (await client.send(new DescribeTasksCommand({ tasks: [withExec] }))).tasks![0];
    expect(described.enableExecuteCommand).toBe(true);
    expect(described.containers![0].managedAgents).toEqual([
      expect.objectContaining({ name: 'ExecuteCommandAgent', lastStatus: 'RUNNING' }),
    ]);

    // ECS's refusals.
    const exec = (task: string, interactive = true) =>
      client.send(new ExecuteCommandCommand({ task, command: '/bin/sh', interactive }));
    const notInteractive = await rejection(exec(withExec, false));
    expect([notInteractive.name, notInteractive.message]).toEqual([
      'InvalidParameterException',
      'Interactive is the only mode supported currently.',
    ]);
    const notEnabled = await rejection(exec(without));
    expect(notEnabled.message).toBe(
      'The execute command failed because execute command was not enabled when the task was run or the execute command agent isn’t running. Wait and try again or run a new task with execute command enabled and try again.',
    );
    expect((await rejection(exec('abc'))).message).toBe('task length should be one of [32,36]');

    // A session: full ARNs (the CLI splits them), a WebSocket stream URL and a token.
    const out = await exec(withExec);
    expect(out).toMatchObject({
      clusterArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
      taskArn: withExec,
      containerName: 'app',
      interactive: true,
    });
    const { sessionId, streamUrl, tokenValue } = out.session!;
    expect(sessionId).toMatch(/^ecs-execute-command-[0-9a-f]{17}$/);
    expect(streamUrl).toBe(`${gw.endpoint.replace('http', 'ws')}/v1/data-channel/${sessionId}?role=publish_subscribe`);

    // A wrong token is turned away.
    const intruder = connect(streamUrl!, 'not-the-token');
    await until('the intruder is closed', () => intruder.seen.socketClosed);

    const s = connect(streamUrl!, tokenValue!);
    await s.opened;
    ssm.sendText(s.ws, Buffer.from('stty size; echo hello-$((6*7))\n'));
    await until('the first answers', () => s.seen.output.includes('hello-42'));
    expect(s.seen.output).toContain('24 80');
    const active = await ssmClient.send(new DescribeSessionsCommand({ State: 'Active' }));
    expect(active.Sessions).toEqual([
      expect.objectContaining({
        SessionId: sessionId,
        Status: 'Connected',
        Target: expect.stringMatching(/^ecs:default_/),
      }),
    ]);
    const resumed = await ssmClient.send(new ResumeSessionCommand({ SessionId: sessionId }));
    expect(resumed).toMatchObject({ SessionId: sessionId, TokenValue: tokenValue, StreamUrl: streamUrl });
    // Resize (sequence 2, after the start size 0 and the text 1), then ask again.
    s.ws.send(sizeFrame(2, 120, 40));
    ssm.sendText(s.ws, Buffer.from('stty size\n'), 3);
    await until('the new size', () => s.seen.output.includes('40 120'));
    ssm.sendText(s.ws, Buffer.from('exit\n'), 4);
    await until('channel_closed', () => s.seen.closedByServer && s.seen.socketClosed);
    await waitFor(
      async () =>
        (await ssmClient.send(new DescribeSessionsCommand({ State: 'History' }))).Sessions?.some(
          (x) => x.SessionId === sessionId && x.Status === 'Terminated',
        ) || undefined,
      { what: 'the session in history' },
    );

    // SSM TerminateSession ends a live session with channel_closed.
    const second = await exec(withExec);
    const t = connect(second.session!.streamUrl!, second.session!.tokenValue!);
    await t.opened;
    ssm.sendText(t.ws, Buffer.from('echo ready\n'));
    await until('the second shell', () => t.seen.output.includes('ready'));
    await ssmClient.send(new TerminateSessionCommand({ SessionId: second.session!.sessionId }));
    await until('terminated', () => t.seen.closedByServer && t.seen.socketClosed);
    expect(
      (await rejection(ssmClient.send(new ResumeSessionCommand({ SessionId: second.session!.sessionId })))).name,
    ).toBe('DoesNotExistException');
  } finally {
    for (const task of [withExec, without]) await client.send(new StopTaskCommand({ task }));
  }
});

/** What the CLI runs: exit 0 without arguments; else drive the session with `ssm-session` and print it. */
const STAND_IN = `#!${process.execPath}
const args = process.argv.slice(2);
if (!args.length) process.exit(0);
const { ssm } = require('ssm-session');
const WebSocket = require('ws');
const session = JSON.parse(args[0]);
const ws = new WebSocket(session.streamUrl);
ws.binaryType = 'arraybuffer';
ws.on('open', () => {
  ssm.init(ws, { token: session.tokenValue, termOptions: { cols: 80, rows: 24 } });
  ssm.sendText(ws, Buffer.from(process.env.STANDIN_INPUT));
});
ws.on('message', (data) => {
  const m = ssm.decode(data);
  ssm.sendACK(ws, m);
  if (m.messageType === 'output_stream_data' && m.payloadType === 1) process.stdout.write(Buffer.from(m.payload));
  if (m.messageType === 'channel_closed') {
    process.stdout.write('\\n[' + args.slice(1).join(' | ') + ']\\n');
    process.exit(0);
  }
});
`;

(awsCliAvailable() || process.env.CI ? test : test.skip)('aws ecs execute-command through the AWS CLI', async () => {
  await ensureBusyboxImage();
  await client.send(new CreateClusterCommand({}));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'cli-shell',
      containerDefinitions: [
        { name: 'app', image: TEST_IMAGES.busybox, memory: 32, command: ['sleep', '600'], stopTimeout: 2 },
        { name: 'side', image: TEST_IMAGES.busybox, memory: 32, command: ['sleep', '600'], stopTimeout: 2 },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'cli-shell', enableExecuteCommand: true }));
  const task = tasks![0].taskArn!;
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-smp-'));
  try {
    await waitFor(
      async () =>
        (await client.send(new DescribeTasksCommand({ tasks: [task] }))).tasks![0].lastStatus === 'RUNNING' ||
        undefined,
      { what: 'task running', timeoutMs: 60_000 },
    );
    fs.writeFileSync(path.join(bin, 'session-manager-plugin'), STAND_IN, { mode: 0o755 });
    const { stdout } = await promisify(execFile)(
      'aws',
      [
        ...['--endpoint-url', gw.endpoint, '--region', 'us-east-1', 'ecs', 'execute-command'],
        ...['--cluster', 'default', '--task', task.split('/').pop()!, '--container', 'side'],
        ...['--interactive', '--command', '/bin/sh'],
      ],
      {
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          NODE_PATH: path.join(__dirname, '..', 'node_modules'),
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_PAGER: '',
          STANDIN_INPUT: 'echo cli-$((2+3)) in $HOSTNAME\nexit\n',
        },
        encoding: 'utf8',
      },
    );
    // The CLI found the container's runtime id through DescribeTasks and named the target with it.
    const side = (await client.send(new DescribeTasksCommand({ tasks: [task] }))).tasks![0].containers!.find(
      (c) => c.name === 'side',
    )!;
    expect(stdout).toContain('cli-5 in');
    expect(stdout).toContain(`ecs:default_${task.split('/').pop()}_${side.runtimeId}`);
    expect(stdout).toContain('StartSession');
  } finally {
    fs.rmSync(bin, { recursive: true, force: true });
    await client.send(new StopTaskCommand({ task }));
  }
});
