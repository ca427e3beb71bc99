/** The AWS CLI (botocore's awsQuery client) against the ELBv2 plugin: describe-target-health. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  ElasticLoadBalancingV2Client,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { elbv2 } from '@dockside/elbv2';
import { awsCliAvailable, useTestGateway } from '@dockside/testing';
import { allIn, freePort, httpTarget, targetGroup, waitHealth } from './helpers';

const gw = useTestGateway(() => ({ plugins: [elbv2({ timeScale: 0.01 })] }));

(awsCliAvailable() || process.env.CI ? test : test.skip)('aws elbv2 describe-target-health', async () => {
  const elb = gw.client(ElasticLoadBalancingV2Client);
  const web = await httpTarget('cli');
  try {
    const lb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'cli', Subnets: ['subnet-a', 'subnet-b'] })))
      .LoadBalancers![0];
    const tg = await targetGroup(elb, 'cli');
    await elb.send(
      new CreateListenerCommand({
        LoadBalancerArn: lb.LoadBalancerArn,
        Protocol: 'HTTP',
        Port: await freePort(),
        DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroupArn }],
      }),
    );
    await elb.send(
      new RegisterTargetsCommand({ TargetGroupArn: tg.TargetGroupArn, Targets: [{ Id: '127.0.0.1', Port: web.port }] }),
    );
    await waitHealth(elb, tg.TargetGroupArn!, allIn('healthy', 1), 'the target healthy');
    const aws = (...args: string[]) =>
      promisify(execFile)(
        'aws',
        ['--endpoint-url', gw.endpoint, '--region', 'us-east-1', '--output', 'json', 'elbv2', ...args],
        {
          env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PAGER: '' },
          encoding: 'utf8',
        },
      );
    const { stdout } = await aws(
      'describe-target-health',
      '--target-group-arn',
      tg.TargetGroupArn!,
      '--targets',
      `Id=127.0.0.1,Port=${web.port}`,
      'Id=127.0.0.2,Port=80',
    );
    expect(JSON.parse(stdout)).toEqual({
      TargetHealthDescriptions: [
        {
          Target: { Id: '127.0.0.1', Port: web.port },
          HealthCheckPort: String(web.port),
          TargetHealth: { State: 'healthy' },
        },
        {
          Target: { Id: '127.0.0.2', Port: 80 },
          HealthCheckPort: '80',
          TargetHealth: {
            State: 'unused',
            Reason: 'Target.NotRegistered',
            Description: 'Target is not registered to the target group',
          },
        },
      ],
    });
    const failed = await aws(
      'describe-target-health',
      '--target-group-arn',
      tg.TargetGroupArn!.replace(/\/[0-9a-f]{16}$/, '/0000000000000000'),
    ).catch((e: { stderr: string }) => e);
    expect((failed as { stderr: string }).stderr).toContain('(TargetGroupNotFound)');
  } finally {
    await web.close();
  }
});
