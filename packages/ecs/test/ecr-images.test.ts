/**
 * ECS tasks whose image names ECR by its AWS host (as CDK and Terraform write it) run from
 * Dockside's registry: pushed with the real Docker CLI, pulled by the runtime, shown under the
 * AWS name with the pushed digest; a missing image stops the task with ECS's pull error. Pulls act as
 * the task's execution role: another account's role needs the repository policy to allow it.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CreateClusterCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import {
  CreateRepositoryCommand,
  ECRClient,
  GetAuthorizationTokenCommand,
  SetRepositoryPolicyCommand,
} from '@aws-sdk/client-ecr';
import { ecrRegistry } from '@dockside/ecr-registry';
import { ecs } from '@dockside/ecs';
import { TEST_IMAGES, ensureBusyboxImage, rejection, removeImageNames, useTestGateway } from '@dockside/testing';
import { waitForTask } from './helpers';

const run = promisify(execFile);
const gw = useTestGateway(() => ({
  plugins: [ecs({ instancesPerCluster: 1, pullPolicy: 'never' }), ecrRegistry({ port: 0 })],
}));
const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'dockside-docker-config-'));
const env = { ...process.env, DOCKER_CONFIG: dockerConfig };
const AWS_NAME = '000000000000.dkr.ecr.us-east-1.amazonaws.com/svc/busy';
let registryHost = '';

beforeAll(() => ensureBusyboxImage());
afterAll(async () => {
  await removeImageNames(AWS_NAME);
  if (registryHost) await removeImageNames(registryHost);
  fs.rmSync(dockerConfig, { recursive: true, force: true });
});

test('a task runs an image pushed to Dockside under its ECR URI; a missing one fails as ECS says', async () => {
  const ecr = gw.client(ECRClient);
  const uri = (await ecr.send(new CreateRepositoryCommand({ repositoryName: 'svc/busy' }))).repository!.repositoryUri!;
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const password = Buffer.from(authorizationData![0].authorizationToken!, 'base64').toString().slice('AWS:'.length);
  await new Promise<void>((resolve, reject) => {
    const child = execFile(
      'docker',
      ['login', '--username', 'AWS', '--password-stdin', uri.split('/')[0]],
      { env },
      (err) => (err ? reject(err) : resolve()),
    );
    child.stdin!.end(password);
  });
  registryHost = uri.split('/')[0];
  await run('docker', ['tag', TEST_IMAGES.busybox, `${uri}:v1`], { env });
  const push = await run('docker', ['push', `${uri}:v1`], { env, encoding: 'utf8' });
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push.stdout)![1];
  // The engine only knows the image under its AWS name once the task pulled it.
  await removeImageNames(registryHost);
  await removeImageNames(AWS_NAME);

  const client = gw.client(ECSClient);
  await client.send(new CreateClusterCommand({}));
  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'from-ecr',
      containerDefinitions: [
        { name: 'main', image: `${AWS_NAME}:v1`, memory: 32, command: ['sh', '-c', 'echo from ecr'] },
      ],
    }),
  );
  const { tasks } = await client.send(new RunTaskCommand({ taskDefinition: 'from-ecr' }));
  const done = await waitForTask(client, tasks![0].taskArn!, 'STOPPED');
  expect(done.containers![0]).toMatchObject({ image: `${AWS_NAME}:v1`, imageDigest: digest, exitCode: 0 });
  const inspected = await run('docker', ['image', 'inspect', '--format', '{{.Id}}', `${AWS_NAME}:v1`], {
    env,
    encoding: 'utf8',
  });
  expect(inspected.stdout.trim()).toMatch(/^sha256:/);

  await client.send(
    new RegisterTaskDefinitionCommand({
      family: 'missing',
      containerDefinitions: [{ name: 'main', image: `${AWS_NAME}:nope`, memory: 32 }],
    }),
  );
  const missing = await client.send(new RunTaskCommand({ taskDefinition: 'missing' }));
  const failed = await waitForTask(client, missing.tasks![0].taskArn!, 'STOPPED');
  expect(failed).toMatchObject({
    stopCode: 'TaskFailedToStart',
    stoppedReason: `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${AWS_NAME}:nope: ${AWS_NAME}:nope: not found`,
  });
});

test('the execution role pulls: another account needs the repository policy, Fargate needs a role at all', async () => {
  // Continues from the push above (same gateway): svc/busy:v1 is in account 000000000000.
  const OTHER = '222222222222';
  const role = `arn:aws:iam::${OTHER}:role/ecsTaskExecutionRole`;
  const other = gw.client(ECSClient, { credentials: { accessKeyId: OTHER, secretAccessKey: 'x' } });
  const refused = await rejection(
    other.send(
      new RegisterTaskDefinitionCommand({
        family: 'no-role',
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'main', image: `${AWS_NAME}:v1` }],
      }),
    ),
  );
  expect([refused.name, refused.message]).toEqual([
    'ClientException',
    'Fargate requires task definition to have execution role ARN to support ECR images.',
  ]);

  await other.send(new CreateClusterCommand({}));
  await other.send(
    new RegisterTaskDefinitionCommand({
      family: 'cross-account',
      executionRoleArn: role,
      containerDefinitions: [
        { name: 'main', image: `${AWS_NAME}:v1`, memory: 32, command: ['sh', '-c', 'echo cross'] },
      ],
    }),
  );
  const runOnce = async () => {
    const { tasks } = await other.send(new RunTaskCommand({ taskDefinition: 'cross-account' }));
    return waitForTask(other, tasks![0].taskArn!, 'STOPPED');
  };
  // Even with the image on the engine already, the role must be allowed to pull it.
  expect(await runOnce()).toMatchObject({
    stopCode: 'TaskFailedToStart',
    stoppedReason:
      `CannotPullContainerError: pull image manifest has been retried 1 time(s): failed to resolve ref ${AWS_NAME}:v1: ` +
      `pulling from host 000000000000.dkr.ecr.us-east-1.amazonaws.com failed with status code [manifests v1]: 403 Forbidden`,
  });

  await gw.client(ECRClient).send(
    new SetRepositoryPolicyCommand({
      repositoryName: 'svc/busy',
      policyText: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: role },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
          },
        ],
      }),
    }),
  );
  const allowed = await runOnce();
  expect(allowed.containers![0]).toMatchObject({ exitCode: 0, imageDigest: expect.stringMatching(/^sha256:/) });
});
