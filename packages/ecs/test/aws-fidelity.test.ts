/**
 * ECS behaviours checked against AWS's documentation and AWS-verified answers (the list of
 * known differences in the container-instances issue), each through the real SDK client.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTaskDefinitionFamiliesCommand,
  ListTaskDefinitionsCommand,
  PutAccountSettingCommand,
  PutAccountSettingDefaultCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  UpdateClusterSettingsCommand,
} from '@aws-sdk/client-ecs';
import { ecs } from '@dockside/ecs';
import { rejection, useTestGateway } from '@dockside/testing';

const gw = useTestGateway(
  () => ({
    plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never', docker: { socketPath: '/nonexistent/docker.sock' } })],
  }),
  { resetEach: true },
);
const client = gw.sdk(ECSClient);
// Every test starts from a fresh store with the default cluster.
beforeEach(() => client.send(new CreateClusterCommand({})));
const fargate = {
  requiresCompatibilities: ['FARGATE' as const],
  networkMode: 'awsvpc' as const,
  cpu: '256',
  memory: '512',
};
const container = { name: 'c', image: 'busybox', essential: true };

test('Fargate task definitions refuse pidMode host and any ipcMode, in ECS wording', async () => {
  expect(
    await rejection(
      client.send(
        new RegisterTaskDefinitionCommand({
          family: 'f',
          ...fargate,
          pidMode: 'host',
          containerDefinitions: [container],
        }),
      ),
    ),
  ).toMatchObject({
    name: 'ClientException',
    message:
      "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
  });
  expect(
    await rejection(
      client.send(
        new RegisterTaskDefinitionCommand({
          family: 'f',
          ...fargate,
          ipcMode: 'task',
          containerDefinitions: [container],
        }),
      ),
    ),
  ).toMatchObject({ name: 'ClientException', message: 'Tasks using the Fargate launch type do not support ipcMode.' });
});

test('ListTaskDefinitions familyPrefix is an exact family; ListTaskDefinitionFamilies keeps prefix matching', async () => {
  for (const family of ['web', 'web_a']) {
    await client.send(
      new RegisterTaskDefinitionCommand({ family, containerDefinitions: [{ ...container, memory: 32 }] }),
    );
  }
  const defs = await client.send(new ListTaskDefinitionsCommand({ familyPrefix: 'web' }));
  expect(defs.taskDefinitionArns).toEqual(['arn:aws:ecs:us-east-1:000000000000:task-definition/web:1']);
  const families = await client.send(new ListTaskDefinitionFamiliesCommand({ familyPrefix: 'web' }));
  expect(families.families).toEqual(['web', 'web_a']);
});

test("a deployment's rolloutStateReason names it", async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({ family: 'svc', containerDefinitions: [{ ...container, memory: 32 }] }),
  );
  await client.send(new CreateServiceCommand({ serviceName: 's', taskDefinition: 'svc', desiredCount: 0 }));
  const svc = (await client.send(new DescribeServicesCommand({ services: ['s'] }))).services![0];
  expect(svc.deployments![0].rolloutStateReason).toMatch(/^ECS deployment ecs-svc\/\d{19} (in progress|completed)\.$/);
  expect(svc.deployments![0].rolloutStateReason).toContain(svc.deployments![0].id!);
});

test('DescribeServices reports a missing short name without the cluster segment; a full ARN as given', async () => {
  const full = 'arn:aws:ecs:us-east-1:000000000000:service/default/other';
  const out = await client.send(new DescribeServicesCommand({ services: ['nope', full] }));
  expect(out.failures).toEqual([
    { arn: 'arn:aws:ecs:us-east-1:000000000000:service/nope', reason: 'MISSING' },
    { arn: full, reason: 'MISSING' },
  ]);
});

test('empty lists are refused in ECS wording', async () => {
  expect(await rejection(client.send(new DescribeTasksCommand({ tasks: [] })))).toMatchObject({
    name: 'InvalidParameterException',
    message: 'Tasks cannot be empty.',
  });
  expect(await rejection(client.send(new DescribeContainerInstancesCommand({ containerInstances: [] })))).toMatchObject(
    {
      name: 'InvalidParameterException',
      message: 'Container instance cannot be empty.',
    },
  );
});

test("an EFS volume's rootDirectory defaults to /", async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'efs',
      containerDefinitions: [{ ...container, memory: 32 }],
      volumes: [{ name: 'data', efsVolumeConfiguration: { fileSystemId: 'fs-12345678' } }],
    }),
  );
  const td = (await client.send(new DescribeTaskDefinitionCommand({ taskDefinition: 'efs' }))).taskDefinition!;
  expect(td.volumes![0].efsVolumeConfiguration).toMatchObject({ fileSystemId: 'fs-12345678', rootDirectory: '/' });
});

test('a capacity provider strategy may only name providers associated with the cluster, FARGATE included', async () => {
  await client.send(new RegisterTaskDefinitionCommand({ family: 'ft', ...fargate, containerDefinitions: [container] }));
  const message =
    'The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.';
  const networkConfiguration = { awsvpcConfiguration: { subnets: ['subnet-0123456789abcdef0'] } };
  expect(
    await rejection(
      client.send(
        new RunTaskCommand({
          taskDefinition: 'ft',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
          networkConfiguration,
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message });
  expect(
    await rejection(
      client.send(
        new CreateServiceCommand({
          serviceName: 'cp',
          taskDefinition: 'ft',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
          networkConfiguration,
        }),
      ),
    ),
  ).toMatchObject({ message });
});

test('Long ARN settings can no longer be disabled', async () => {
  for (const name of ['serviceLongArnFormat', 'taskLongArnFormat', 'containerInstanceLongArnFormat'] as const) {
    expect(await rejection(client.send(new PutAccountSettingCommand({ name, value: 'disabled' })))).toMatchObject({
      name: 'InvalidParameterException',
      message: 'You can no longer disable Long Arn settings.',
    });
    expect(
      (await rejection(client.send(new PutAccountSettingDefaultCommand({ name, value: 'disabled' })))).message,
    ).toBe('You can no longer disable Long Arn settings.');
  }
});

test('a non-numeric revision is refused as ECS words it', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({ family: 'web', containerDefinitions: [{ ...container, memory: 32 }] }),
  );
  expect(await rejection(client.send(new RunTaskCommand({ taskDefinition: 'web:latest' })))).toMatchObject({
    name: 'InvalidParameterException',
    message: 'Invalid revision number. Number: latest',
  });
});

test('wording: DAEMON with a desired count; an invalid containerInsights value', async () => {
  await client.send(
    new RegisterTaskDefinitionCommand({ family: 'd', containerDefinitions: [{ ...container, memory: 32 }] }),
  );
  expect(
    (
      await rejection(
        client.send(
          new CreateServiceCommand({
            serviceName: 'dm',
            taskDefinition: 'd',
            schedulingStrategy: 'DAEMON',
            desiredCount: 1,
          }),
        ),
      )
    ).message,
  ).toMatch(/Remove the desired count value and try again\.$/);
  expect(
    await rejection(
      client.send(
        new UpdateClusterSettingsCommand({
          cluster: 'default',
          settings: [{ name: 'containerInsights', value: 'sometimes' }],
        }),
      ),
    ),
  ).toMatchObject({ name: 'InvalidParameterException', message: "Invalid setting 'value'" });
});
