/**
 * Terraform's hashicorp/aws provider (from the machine's mirror) applies test/terraform/main.tf
 * (bus, rules with a pattern and a schedule, a log group, an ECS target, and an EventBridge Scheduler
 * group with a schedule) against Dockside,
 * re-plans with no changes (no drift), and destroys. Skipped where terraform is absent.
 */
import * as path from 'node:path';
import { EventBridgeClient, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { eventbridge } from '@dockside/eventbridge';
import { logs } from '@dockside/logs';
import { terraformAvailable, useTerraformWorkspace, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(() => ({ plugins: [eventbridge(), logs()] }));
const ws = useTerraformWorkspace(path.join(__dirname, 'terraform', 'main.tf'), {
  endpoints: ['eventbridge', 'cloudwatchlogs', 'scheduler'],
});

(terraformAvailable() ? test : test.skip)(
  'apply, re-plan with no changes, destroy',
  async () => {
    const vars = ['-var', `endpoint=${gw.endpoint}`];
    expect((await ws.run(['init', '-input=false'])).out).toContain('Terraform has been successfully initialized');
    const apply = await ws.run(['apply', '-auto-approve', '-input=false', ...vars]);
    expect(apply.out).toContain('Apply complete! Resources: 9 added, 0 changed, 0 destroyed.');
    const targets = await gw.client(EventBridgeClient).send(new ListTargetsByRuleCommand({ Rule: 'tf-nightly' }));
    expect(targets.Targets![0]).toMatchObject({
      Arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/default',
      EcsParameters: { TaskCount: 1, LaunchType: 'FARGATE' },
    });
    const weekday = await gw
      .client(SchedulerClient)
      .send(new GetScheduleCommand({ Name: 'tf-weekday', GroupName: 'tf-jobs' }));
    expect(weekday).toMatchObject({
      ScheduleExpressionTimezone: 'Europe/Paris',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: { RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 86400 } },
    });
    const plan = await ws.run(['plan', '-detailed-exitcode', '-input=false', ...vars]);
    expect(plan.out).toContain('No changes.');
    expect(plan.status).toBe(0);
    const destroy = await ws.run(['destroy', '-auto-approve', '-input=false', ...vars]);
    expect(destroy.out).toContain('Destroy complete! Resources: 9 destroyed.');
  },
  600_000,
);
