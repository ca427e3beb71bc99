import type * as ECS from '@aws-sdk/client-ecs';
import { ServiceError } from '@dockside/core';
import { isFargateCombination, parseCpu, parseMemory, validateTaskDefinition } from './task-definition-rules';

const c = (over: Partial<ECS.ContainerDefinition> = {}): ECS.ContainerDefinition => ({
  name: 'app',
  image: 'img',
  memory: 64,
  ...over,
});
const td = (over: Partial<ECS.RegisterTaskDefinitionRequest> = {}): ECS.RegisterTaskDefinitionRequest => ({
  family: 'f',
  containerDefinitions: [c()],
  ...over,
});
const fargate = (over: Partial<ECS.RegisterTaskDefinitionRequest> = {}) =>
  td({
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    containerDefinitions: [c({ memory: undefined })],
    ...over,
  });

const refused = (input: ECS.RegisterTaskDefinitionRequest): string => {
  try {
    validateTaskDefinition(input);
  } catch (e) {
    expect(e).toBeInstanceOf(ServiceError);
    expect((e as ServiceError).code).toBe('ClientException');
    return (e as ServiceError).message;
  }
  throw new Error('expected ClientException');
};

test.each<[string, ECS.RegisterTaskDefinitionRequest, string]>([
  ['bad family', td({ family: 'has space' }), 'Family contains invalid characters'],
  ['no containers', td({ containerDefinitions: [] }), 'Container list cannot be empty.'],
  [
    '11 containers',
    td({ containerDefinitions: Array.from({ length: 11 }, (_, i) => c({ name: `c${i}` })) }),
    'at most 10',
  ],
  ['duplicate names', td({ containerDefinitions: [c(), c()] }), "Duplicate container name 'app'"],
  ['no image', td({ containerDefinitions: [c({ image: undefined })] }), 'Container.image should not be null or empty.'],
  [
    'no memory on EC2',
    td({ containerDefinitions: [c({ memory: undefined })] }),
    "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
  ],
  [
    'reservation above memory',
    td({ containerDefinitions: [c({ memory: 64, memoryReservation: 128 })] }),
    "'memoryReservation' must be less than or equal to 'memory'",
  ],
  ['memory under 6 MiB', td({ containerDefinitions: [c({ memory: 4 })] }), 'The minimum is 6 MiB'],
  [
    'no essential container',
    td({ containerDefinitions: [c({ essential: false })] }),
    'at least one essential container',
  ],
  [
    'unknown dependency',
    td({ containerDefinitions: [c({ dependsOn: [{ containerName: 'db', condition: 'START' }] })] }),
    "depends on container 'db', which is not defined",
  ],
  [
    'dependency cycle',
    td({
      containerDefinitions: [
        c({ name: 'a', dependsOn: [{ containerName: 'b', condition: 'START' }] }),
        c({ name: 'b', dependsOn: [{ containerName: 'a', condition: 'START' }] }),
      ],
    }),
    'cyclic dependency between containers a -> b -> a',
  ],
  [
    'SUCCESS on an essential container',
    td({
      containerDefinitions: [c({ name: 'init' }), c({ dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] })],
    }),
    'cannot be set on an essential container',
  ],
  [
    'HEALTHY on a container without a health check',
    td({
      containerDefinitions: [c({ name: 'db' }), c({ dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] })],
    }),
    "container 'db' has no healthCheck",
  ],
  [
    'mount of an undeclared volume',
    td({ containerDefinitions: [c({ mountPoints: [{ sourceVolume: 'data', containerPath: '/d' }] })] }),
    "unknown volume 'data'",
  ],
  [
    'volumesFrom an unknown container',
    td({ containerDefinitions: [c({ volumesFrom: [{ sourceContainer: 'ghost' }] })] }),
    "unknown container 'ghost'",
  ],
  [
    'awsvpc host port differs',
    td({ networkMode: 'awsvpc', containerDefinitions: [c({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] }),
    'When networkMode=awsvpc, the host ports and container ports in port mappings must match.',
  ],
  [
    'host host port differs',
    td({ networkMode: 'host', containerDefinitions: [c({ portMappings: [{ containerPort: 80, hostPort: 81 }] })] }),
    'When networkMode=host',
  ],
  [
    'links outside bridge',
    td({ networkMode: 'awsvpc', containerDefinitions: [c({ links: ['x'] })] }),
    'Links are not supported when networkMode=awsvpc.',
  ],
  [
    'bad health check command',
    td({ containerDefinitions: [c({ healthCheck: { command: ['curl', 'x'] } })] }),
    'must start with CMD or CMD-SHELL',
  ],
  [
    'health check interval',
    td({ containerDefinitions: [c({ healthCheck: { command: ['CMD', 'true'], interval: 1 } })] }),
    'interval must be between 5 and 300',
  ],
  ['Fargate in bridge mode', fargate({ networkMode: 'bridge' }), "Fargate only supports network mode 'awsvpc'."],
  ['Fargate without cpu', fargate({ cpu: undefined }), "Fargate requires that 'cpu' be defined at the task level."],
  [
    'Fargate bad combination',
    fargate({ cpu: '256', memory: '4096' }),
    'No Fargate configuration exists for given values: 256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.',
  ],
  [
    'Fargate privileged',
    fargate({ containerDefinitions: [c({ privileged: true })] }),
    'Fargate does not support privileged containers',
  ],
  [
    'Fargate awslogs without execution role',
    fargate({ containerDefinitions: [c({ logConfiguration: { logDriver: 'awslogs' } })] }),
    'Fargate requires task definition to have execution role ARN to support log driver awslogs.',
  ],
  [
    'Fargate ECR image without execution role',
    fargate({ containerDefinitions: [c({ image: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:v1' })] }),
    'Fargate requires task definition to have execution role ARN to support ECR images.',
  ],
  [
    'Fargate host volume',
    fargate({ volumes: [{ name: 'v', host: { sourcePath: '/tmp' } }] }),
    'Fargate does not support host bind mounts',
  ],
  ['Fargate stopTimeout over 120', fargate({ containerDefinitions: [c({ stopTimeout: 121 })] }), 'at most 120 seconds'],
  ['duplicate volume names', td({ volumes: [{ name: 'v' }, { name: 'v' }] }), 'Volume names must be unique'],
  ['task cpu text', td({ cpu: 'lots' }), "Invalid 'cpu' setting for task."],
])('%s', (_name, input, message) => {
  expect(refused(input)).toContain(message);
});

test('defaults ECS fills in, and compatibilities', () => {
  const bridge = validateTaskDefinition(td({ containerDefinitions: [c({ portMappings: [{ containerPort: 80 }] })] }));
  expect(bridge.networkMode).toBe('bridge');
  expect(bridge.compatibilities).toEqual(['EXTERNAL', 'EC2']);
  expect(bridge.containerDefinitions[0]).toEqual({
    name: 'app',
    image: 'img',
    memory: 64,
    cpu: 0,
    essential: true,
    portMappings: [{ containerPort: 80, protocol: 'tcp' }],
    environment: [],
    mountPoints: [],
    volumesFrom: [],
    systemControls: [],
  });
  const f = validateTaskDefinition(
    fargate({
      containerDefinitions: [c({ memory: undefined, portMappings: [{ containerPort: 8080 }] })],
      cpu: '1 vCPU',
      memory: '2 GB',
    }),
  );
  expect(f).toMatchObject({ networkMode: 'awsvpc', cpu: '1024', memory: '2048', compatibilities: ['EC2', 'FARGATE'] });
  expect(f.containerDefinitions[0].portMappings).toEqual([{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }]);
  // A valid awsvpc definition without requiresCompatibilities is still Fargate-compatible.
  expect(validateTaskDefinition(td({ networkMode: 'awsvpc', cpu: '512', memory: '1024' })).compatibilities).toEqual([
    'EC2',
    'FARGATE',
  ]);
});

test('cpu/memory parsing and the Fargate table', () => {
  expect(parseCpu('0.25 vCPU')).toBe(256);
  expect(parseCpu('2048')).toBe(2048);
  expect(parseMemory('0.5GB')).toBe(512);
  expect(parseMemory('3072')).toBe(3072);
  expect(isFargateCombination(256, 2048)).toBe(true);
  expect(isFargateCombination(512, 1536)).toBe(false);
  expect(isFargateCombination(4096, 30720)).toBe(true);
  expect(isFargateCombination(8192, 20480)).toBe(true);
  expect(isFargateCombination(8192, 18432)).toBe(false);
  expect(isFargateCombination(16384, 122880)).toBe(true);
});
