// Log delivery: a container writes 200,000 lines, each carrying the time it was written.
// Dockside (CLI, ecs + logs) ships them through awslogs; the bench reads them back with
// GetLogEvents as they become visible: lines/s into CloudWatch Logs and the write → visible delay.
// Baseline, same run: the same container's output read straight from the Docker API (attach).
import { createRequire } from 'node:module';
import { record, repoRoot, startCli, stats } from './lib.mjs';

const require = createRequire(`${repoRoot}/package.json`);
const Docker = require('dockerode');
const {
  ECSClient,
  CreateClusterCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
} = require('@aws-sdk/client-ecs');
const { CloudWatchLogsClient, CreateLogGroupCommand, GetLogEventsCommand } = require('@aws-sdk/client-cloudwatch-logs');
const { ensureNodeImage } = require('@dockside/testing');

const LINES = Number(process.env.BENCH_LOG_LINES ?? 200_000);
const writer = `let i=0;const w=()=>{for(let k=0;k<1000&&i<${LINES};k++,i++)process.stdout.write(Date.now()+' line '+i+'\\n');if(i<${LINES})setImmediate(w)};w()`;
const docker = new Docker();
const image = await ensureNodeImage(docker);

// Baseline: the raw Docker API.
async function raw() {
  const c = await docker.createContainer({ Image: image, Cmd: ['node', '-e', writer] });
  const stream = await c.attach({ stream: true, stdout: true, stderr: true });
  const delays = [];
  let first;
  let last;
  let partial = '';
  const out = new (require('node:stream').PassThrough)();
  docker.modem.demuxStream(stream, out, out);
  out.on('data', (d) => {
    const now = Date.now();
    partial += d.toString();
    let nl;
    while ((nl = partial.indexOf('\n')) >= 0) {
      const ts = Number(partial.slice(0, partial.indexOf(' ')));
      partial = partial.slice(nl + 1);
      first ??= ts;
      last = now;
      delays.push(now - ts);
    }
  });
  await c.start();
  await c.wait();
  await new Promise((r) => setTimeout(r, 200));
  await c.remove({ force: true });
  return { delays, seconds: (last - first) / 1000 };
}

async function dockside() {
  const d = await startCli(['--services', 'ecs,logs', '--pull-policy', 'never', '--ecs-instances', '1']);
  const cfg = { endpoint: d.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  const ecs = new ECSClient(cfg);
  const cwl = new CloudWatchLogsClient(cfg);
  try {
    await ecs.send(new CreateClusterCommand({}));
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/bench' }));
    await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: 'writer',
        containerDefinitions: [
          {
            name: 'w',
            image,
            memory: 256,
            command: ['node', '-e', writer],
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': '/bench', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'b' },
            },
          },
        ],
      }),
    );
    const { tasks } = await ecs.send(new RunTaskCommand({ taskDefinition: 'writer' }));
    const stream = `b/w/${tasks[0].taskArn.split('/').pop()}`;
    const delays = [];
    let token;
    let first;
    let last;
    const deadline = Date.now() + 300_000;
    while (delays.length < LINES && Date.now() < deadline) {
      let page;
      try {
        page = await cwl.send(
          new GetLogEventsCommand({
            logGroupName: '/bench',
            logStreamName: stream,
            startFromHead: true,
            nextToken: token,
          }),
        );
      } catch (e) {
        if (e.name !== 'ResourceNotFoundException') throw e;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      const now = Date.now();
      for (const e of page.events) {
        const ts = Number(e.message.slice(0, e.message.indexOf(' ')));
        first ??= ts;
        last = now;
        delays.push(now - ts);
      }
      token = page.nextForwardToken;
      if (!page.events.length) await new Promise((r) => setTimeout(r, 10));
    }
    if (delays.length !== LINES) throw new Error(`only ${delays.length} of ${LINES} lines became visible`);
    return { delays, seconds: (last - first) / 1000 };
  } finally {
    await d.stop();
  }
}

const base = await raw();
const ours = await dockside();
const o = stats(ours.delays);
const b = stats(base.delays);
const rate = LINES / ours.seconds;
const baseRate = LINES / base.seconds;
console.log(
  `log delivery: ${rate.toFixed(0)} lines/s into CloudWatch Logs (raw attach ${baseRate.toFixed(0)} lines/s); visible after p50 ${o.median} ms p99 ${o.p99} ms (raw p50 ${b.median} ms p99 ${b.p99} ms)`,
);
record('log-delivery', [
  {
    figure: `${LINES.toLocaleString('en')} lines: lines/s into CloudWatch Logs`,
    unit: 'lines/s',
    median: rate,
    baseline: baseRate,
    ratio: rate / baseRate,
    target: '–',
  },
  {
    figure: 'write → visible in GetLogEvents, p50 (min–max = p50–p99)',
    unit: 'ms',
    median: o.median,
    min: o.median,
    max: o.p99,
    baseline: b.median,
    ratio: b.median ? o.median / b.median : undefined,
    target: 'p50 < 250 ms',
  },
]);
