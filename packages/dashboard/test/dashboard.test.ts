/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core) against a real
 * gateway and real containers: tasks walk through their states live, output streams in, the stop
 * button stops, a failing deployment shows its rollback, target health shows its reason.
 * Skipped where chromium is not installed (`.ci/run` installs it). DASHBOARD_SCREENSHOTS=<dir>
 * saves a screenshot of each main view there (how docs/screenshots/ was made).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTasksCommand,
  ECSClient,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { ecs } from '@dockside/ecs';
import { ecrRegistry } from '@dockside/ecr-registry';
import { elbv2 } from '@dockside/elbv2';
import { eventbridge } from '@dockside/eventbridge';
import { logs } from '@dockside/logs';
import { secrets } from '@dockside/secrets';
import { ensureBusyboxImage, useTestGateway, waitFor } from '@dockside/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboard } from '@dockside/dashboard';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const run = fs.existsSync(CHROMIUM) ? describe : describe.skip;
jest.setTimeout(120_000);

run('dashboard in chromium', () => {
  const gw = useTestGateway(() => ({
    plugins: [
      ecs({ instancesPerCluster: 1, pullPolicy: 'never' }),
      logs(),
      elbv2(),
      secrets(),
      eventbridge(),
      ecrRegistry({ port: 0 }),
      dashboard(),
    ],
  }));
  const client = gw.sdk(ECSClient);
  let browser: Browser;
  let page: Page;
  let image: string;
  const shots = process.env.DASHBOARD_SCREENSHOTS;
  const shoot = async (name: string) => {
    if (shots) await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    image = await ensureBusyboxImage();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await client.send(new CreateClusterCommand({ clusterName: 'ui' }));
  });
  afterAll(async () => {
    await browser?.close();
  });

  const register = async (family: string, command: string[]) =>
    (
      await client.send(
        new RegisterTaskDefinitionCommand({
          family,
          containerDefinitions: [{ name: 'app', image, memory: 32, command, stopTimeout: 1 }],
        }),
      )
    ).taskDefinition!.taskDefinitionArn!;
  const statusOf = async (taskArn: string) =>
    (await client.send(new DescribeTasksCommand({ cluster: 'ui', tasks: [taskArn] }))).tasks![0].lastStatus;
  /** Marks the document: the mark is gone if the page ever reloads. */
  // (These functions run in the page; the test's own types have no DOM.)
  const mark = () => page.evaluate(() => ((globalThis as unknown as { mark: number }).mark = 1));
  const stillMarked = () => page.evaluate(() => (globalThis as unknown as { mark?: number }).mark === 1);

  test('a RunTask appears and walks to RUNNING, then STOPPED, without a reload', async () => {
    await page.goto(`${gw.endpoint}/_dockside/ui/`);
    await page.waitForSelector('section.cluster');
    await mark();
    const def = await register('ui-sleep', ['sleep', '600']);
    const taskArn = (await client.send(new RunTaskCommand({ cluster: 'ui', taskDefinition: def }))).tasks![0].taskArn!;
    const row = `tr[data-task="${taskArn}"]`;
    await page.waitForSelector(`${row} [data-status="RUNNING"]`, { timeout: 60_000 });
    await shoot('clusters');
    await client.send(new StopTaskCommand({ cluster: 'ui', task: taskArn }));
    await page.waitForSelector(`${row} [data-status="STOPPED"]`, { timeout: 60_000 });
    expect(await page.textContent(`${row} .reason`)).toContain('UserInitiated');
    expect(await stillMarked()).toBe(true);
  });

  test("a task's output streams in while it prints; its stop button stops it", async () => {
    const def = await register('ui-ticker', [
      'sh',
      '-c',
      'echo first; i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.2; done',
    ]);
    const taskArn = (await client.send(new RunTaskCommand({ cluster: 'ui', taskDefinition: def }))).tasks![0].taskArn!;
    await waitFor(async () => (await statusOf(taskArn)) === 'RUNNING', { timeoutMs: 60_000, what: 'RUNNING' });
    await page.goto(`${gw.endpoint}/_dockside/ui/#/task/ui/${taskArn.split('/').pop()}`);
    await page.waitForSelector('pre.output >> text=first');
    await mark();
    const ticks = async () =>
      Math.max(-1, ...[...(await page.textContent('pre.output'))!.matchAll(/tick (\d+)/g)].map((m) => Number(m[1])));
    const seen = await ticks();
    // Later lines arrive on the open page (the stream), five past the last one seen.
    await page.waitForFunction(
      (n) => {
        const doc = (globalThis as unknown as { document: { querySelector(q: string): { textContent: string } } })
          .document;
        return [...doc.querySelector('pre.output').textContent.matchAll(/tick (\d+)/g)].some((m) => Number(m[1]) >= n);
      },
      seen + 5,
      { timeout: 60_000 },
    );
    await shoot('task');
    await page.click('text=Stop task');
    await waitFor(async () => (await statusOf(taskArn)) === 'STOPPED', { timeoutMs: 60_000, what: 'STOPPED' });
    await page.waitForSelector('section.task h2 [data-status="STOPPED"]', { timeout: 60_000 });
    expect(await stillMarked()).toBe(true);
  });

  test('a failing deployment shows its rollback', async () => {
    const good = await register('ui-good', ['sleep', '3600']);
    const bad = await register('ui-bad', ['sh', '-c', 'exit 1']);
    await client.send(
      new CreateServiceCommand({
        cluster: 'ui',
        serviceName: 'web',
        taskDefinition: good,
        desiredCount: 1,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
    await waitFor(
      async () => {
        const s = (await client.send(new DescribeServicesCommand({ cluster: 'ui', services: ['web'] }))).services![0];
        return s.runningCount === 1 && s.deployments![0].rolloutState === 'COMPLETED';
      },
      { timeoutMs: 90_000, what: 'the first deployment to complete' },
    );
    await page.goto(`${gw.endpoint}/_dockside/ui/#/service/ui/web`);
    await page.waitForSelector('.timeline .deployment [data-status="COMPLETED"]');
    await mark();
    await client.send(new UpdateServiceCommand({ cluster: 'ui', service: 'web', taskDefinition: bad }));
    await page.waitForSelector('.service-deployment .rollback', { timeout: 110_000 });
    await page.waitForSelector('.service-deployment [data-status^="ROLLBACK"]');
    await shoot('service');
    expect(await stillMarked()).toBe(true);
    await client.send(new UpdateServiceCommand({ cluster: 'ui', service: 'web', desiredCount: 0 }));
  });

  test('target health shows its reason', async () => {
    const elb = gw.client(ElasticLoadBalancingV2Client);
    const { TargetGroups } = await elb.send(
      new CreateTargetGroupCommand({ Name: 'ui-tg', Protocol: 'HTTP', Port: 80, TargetType: 'ip', VpcId: 'vpc-1' }),
    );
    await page.goto(`${gw.endpoint}/_dockside/ui/#/elb`);
    await page.waitForSelector('text=ui-tg');
    await elb.send(
      new RegisterTargetsCommand({
        TargetGroupArn: TargetGroups![0].TargetGroupArn!,
        Targets: [{ Id: '10.9.9.9', Port: 8080 }],
      }),
    );
    // No listener forwards to the group: AWS's unused / Target.NotInUse, shown without a reload.
    await page.waitForSelector('tr.target >> text=Target.NotInUse', { timeout: 30_000 });
    expect(await page.textContent('tr.target')).toContain('unused');
    await shoot('load-balancers');
  });

  test('scale and force a new deployment from the page', async () => {
    await page.goto(`${gw.endpoint}/_dockside/ui/#/service/ui/web`);
    await page.waitForSelector('.actions input[type=number]');
    const service = async () =>
      (await client.send(new DescribeServicesCommand({ cluster: 'ui', services: ['web'] }))).services![0];
    await page.fill('.actions input[type=number]', '2');
    await page.click('text=Scale');
    await waitFor(async () => (await service()).desiredCount === 2, { what: 'desiredCount 2' });
    const before = (await service()).deployments![0].id;
    await page.click('text=Force new deployment');
    await waitFor(async () => (await service()).deployments![0].id !== before, { what: 'a new deployment' });
    await client.send(new UpdateServiceCommand({ cluster: 'ui', service: 'web', desiredCount: 0 }));
  });

  test('logs with a filter pattern; secret names without their values; a listener’s local URL', async () => {
    const cwl = gw.client(CloudWatchLogsClient);
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ui/app' }));
    await cwl.send(new CreateLogStreamCommand({ logGroupName: '/ui/app', logStreamName: 's' }));
    const now = Date.now();
    await cwl.send(
      new PutLogEventsCommand({
        logGroupName: '/ui/app',
        logStreamName: 's',
        logEvents: [
          { timestamp: now, message: 'ERROR boom' },
          { timestamp: now + 1, message: 'INFO fine' },
        ],
      }),
    );
    await page.goto(`${gw.endpoint}/_dockside/ui/#/logs`);
    await page.click('.log-groups a >> text="/ui/app"', { timeout: 60_000 });
    await page.waitForSelector('pre.log-events >> text=INFO fine', { timeout: 60_000 });
    await page.fill('input.filter', 'ERROR');
    await page.press('input.filter', 'Enter');
    await page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: { querySelector(q: string): { textContent: string } } })
          .document;
        const text = doc.querySelector('pre.log-events').textContent;
        return text.includes('ERROR boom') && !text.includes('INFO fine');
      },
      undefined,
      { timeout: 60_000 },
    );
    await shoot('logs');

    await gw.client(SecretsManagerClient).send(new CreateSecretCommand({ Name: 'db', SecretString: 'hunter2-value' }));
    await gw
      .client(SSMClient)
      .send(new PutParameterCommand({ Name: '/ui/p', Value: 'param-value-xyz', Type: 'String' }));
    await page.goto(`${gw.endpoint}/_dockside/ui/#/secrets`);
    await page.waitForSelector('td >> text="/ui/p"', { timeout: 60_000 });
    const text = (await page.textContent('main'))!;
    expect(text).toContain('db');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('param-value-xyz');

    const elb = gw.client(ElasticLoadBalancingV2Client);
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'ui-alb', Subnets: ['subnet-a', 'subnet-b'] })))
      .LoadBalancers![0];
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: 80,
        DefaultActions: [
          {
            Type: 'fixed-response',
            FixedResponseConfig: { StatusCode: '200', ContentType: 'text/plain', MessageBody: 'from the alb' },
          },
        ],
      }),
    );
    await page.goto(`${gw.endpoint}/_dockside/ui/#/elb`);
    const link = await page.waitForSelector('a.local-url', { timeout: 60_000 });
    const url = (await link.getAttribute('href'))!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await (await fetch(url)).text()).toBe('from the alb');
  });

  test('the region switcher shows another region', async () => {
    await page.goto(`${gw.endpoint}/_dockside/ui/`);
    await page.waitForSelector('section.cluster');
    await page.fill('form.scope input[name=region]', 'eu-west-1');
    await page.click('form.scope button');
    await page.waitForSelector('text=eu-west-1');
    await page.waitForSelector('text=No clusters.');
    expect(page.url()).toContain('region=eu-west-1');
  });

  test('EventBridge rules with their deliveries, ECR repositories, and Reset', async () => {
    const eb = gw.client(EventBridgeClient);
    const cwl = gw.client(CloudWatchLogsClient);
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ui/events' }));
    await eb.send(new PutRuleCommand({ Name: 'orders', EventPattern: JSON.stringify({ source: ['shop'] }) }));
    await eb.send(
      new PutTargetsCommand({
        Rule: 'orders',
        Targets: [{ Id: 'to-logs', Arn: 'arn:aws:logs:us-east-1:000000000000:log-group:/ui/events' }],
      }),
    );
    await eb.send(new PutEventsCommand({ Entries: [{ Source: 'shop', DetailType: 'order', Detail: '{"id":1}' }] }));
    await gw.client(ECRClient).send(new CreateRepositoryCommand({ repositoryName: 'ui/app' }));
    await page.goto(`${gw.endpoint}/_dockside/ui/#/events`);
    await page.waitForSelector('.rule >> text=orders', { timeout: 60_000 });
    await page.waitForSelector('.deliveries >> text=delivered', { timeout: 60_000 });
    await page.click('.bus summary >> text=/\\d+ recent events/', { timeout: 60_000 });
    await page.waitForSelector('.bus pre.json >> text=shop');
    await shoot('eventbridge');
    await page.goto(`${gw.endpoint}/_dockside/ui/#/ecr`);
    await page.waitForSelector('.repo >> text=ui/app', { timeout: 60_000 });

    page.once('dialog', (d) => void d.accept());
    await page.click('header button.danger');
    await page.waitForSelector('text=No repositories.', { timeout: 60_000 });
  });
});
