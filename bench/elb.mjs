// ELB: requests/s and p50/p99 through an ALB listener (Dockside's proxy, rules evaluated, a
// healthy target chosen, X-Forwarded-* added) against the same target hit directly, in one run
// and with the same load (wrk, keep-alive, c=16 and c=64). The target is a small Node HTTP server
// in its own process; a bare TCP relay is measured too, as the floor of any proxy on the machine.
// Load: wrk (apt-get install wrk).
import { spawn } from 'node:child_process';
import { freePort, record, sigv4, startCli, wrk } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_ELB_SECONDS ?? 5);
const CONCURRENCY = [16, 64];

/** One ELBv2 awsQuery call; returns the response XML (throws on an error answer). */
async function elb(url, action, params) {
  const body = new URLSearchParams({ Action: action, Version: '2015-12-01', ...params });
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: sigv4('elasticloadbalancing') },
    body,
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${action}: ${text}`);
  return text;
}
const tag = (xml, name) => new RegExp(`<${name}>([^<]+)</${name}>`).exec(xml)[1];

const targetPort = await freePort();
const target = spawn(
  process.execPath,
  [
    '-e',
    `require('http').createServer((q, s) => { s.writeHead(200, { 'content-type': 'text/plain' }); s.end('ok'); })` +
      `.listen(${targetPort}, '127.0.0.1', () => console.log('up'))`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((r) => target.stdout.once('data', r));
// A second baseline: a bare TCP relay (no HTTP parsing, one upstream connection per client
// connection), the least any user-space proxy in one Node process costs on this machine.
const relayPort = await freePort();
const relay = spawn(
  process.execPath,
  [
    '-e',
    `const net = require('net'); net.createServer((c) => { const u = net.connect(${targetPort}, '127.0.0.1');` +
      ` c.pipe(u); u.pipe(c); c.on('error', () => u.destroy()); u.on('error', () => c.destroy()); })` +
      `.listen(${relayPort}, '127.0.0.1', () => console.log('up'))`,
  ],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise((r) => relay.stdout.once('data', r));
const dockside = await startCli(['--services', 'elbv2', '--elbv2-time-scale', '0.01']);
const rows = [];
try {
  const lb = tag(
    await elb(dockside.url, 'CreateLoadBalancer', {
      Name: 'bench',
      'Subnets.member.1': 'subnet-a',
      'Subnets.member.2': 'subnet-b',
    }),
    'LoadBalancerArn',
  );
  const tg = tag(
    await elb(dockside.url, 'CreateTargetGroup', {
      Name: 'bench',
      Protocol: 'HTTP',
      Port: '80',
      VpcId: 'vpc-0123456789abcdef0',
      TargetType: 'ip',
      HealthCheckIntervalSeconds: '5',
      HealthCheckTimeoutSeconds: '2',
    }),
    'TargetGroupArn',
  );
  const listenerPort = await freePort();
  await elb(dockside.url, 'CreateListener', {
    LoadBalancerArn: lb,
    Protocol: 'HTTP',
    Port: String(listenerPort),
    'DefaultActions.member.1.Type': 'forward',
    'DefaultActions.member.1.TargetGroupArn': tg,
  });
  // A rule to evaluate on every request, as real listeners have.
  const listener = JSON.parse(await (await fetch(`${dockside.url}/_dockside/elbv2/listeners`)).text()).listeners[0];
  await elb(dockside.url, 'CreateRule', {
    ListenerArn: listener.listenerArn,
    Priority: '10',
    'Conditions.member.1.Field': 'path-pattern',
    'Conditions.member.1.Values.member.1': '/admin/*',
    'Actions.member.1.Type': 'fixed-response',
    'Actions.member.1.FixedResponseConfig.StatusCode': '403',
  });
  await elb(dockside.url, 'RegisterTargets', {
    TargetGroupArn: tg,
    'Targets.member.1.Id': '127.0.0.1',
    'Targets.member.1.Port': String(targetPort),
  });
  for (
    let i = 0;
    i < 100 &&
    !(await elb(dockside.url, 'DescribeTargetHealth', { TargetGroupArn: tg })).includes('<State>healthy</State>');
    i++
  )
    await new Promise((r) => setTimeout(r, 100));
  const direct = `http://127.0.0.1:${targetPort}/`;
  const through = `${listener.url}/`;
  wrk(through, 16, 1); // warm-up
  for (const c of CONCURRENCY) {
    const d = wrk(direct, c, SECONDS);
    const p = wrk(through, c, SECONDS);
    const r = wrk(`http://127.0.0.1:${relayPort}/`, c, SECONDS);
    rows.push({
      figure: `GET through a bare TCP relay (the floor of a proxy here), c=${c}: requests/s`,
      unit: 'req/s',
      median: r.rps,
      baseline: d.rps,
      ratio: r.rps / d.rps,
      target: `– (the ALB is ${(p.rps / r.rps).toFixed(2)}× this relay)`,
    });
    rows.push({
      figure: `GET through an ALB listener, c=${c}: requests/s`,
      unit: 'req/s',
      median: p.rps,
      baseline: d.rps,
      ratio: p.rps / d.rps,
      target: '≥ 0.5× the target hit directly',
    });
    rows.push({
      figure: `GET through an ALB listener, c=${c}: p50 / p99 latency`,
      unit: 'ms',
      median: p.p50,
      min: p.p50,
      max: p.p99,
      baseline: d.p50,
      ratio: p.p50 / d.p50,
      target: `p50 added < 1 ms (added: ${(p.p50 - d.p50).toFixed(2)} ms)`,
    });
    console.log(
      `c=${c}: through ALB ${p.rps.toFixed(0)} req/s p50 ${p.p50} ms p99 ${p.p99} ms | direct ${d.rps.toFixed(0)} req/s p50 ${d.p50} ms p99 ${d.p99} ms (ratio ${(p.rps / d.rps).toFixed(2)}) | bare TCP relay ${r.rps.toFixed(0)} req/s (ratio ${(r.rps / d.rps).toFixed(2)})`,
    );
  }
} finally {
  await dockside.stop();
  target.kill('SIGTERM');
  relay.kill('SIGTERM');
}
record('elb', rows);
