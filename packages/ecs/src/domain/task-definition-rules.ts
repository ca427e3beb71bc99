import type * as ECS from '@aws-sdk/client-ecs';
import { clientException } from '../errors';
import { parseEcrImage } from './ecr-image';

/**
 * What RegisterTaskDefinition checks before storing anything, with ECS's own wording, and the
 * defaults ECS fills in. Pure functions: the table of cases lives in the unit tests.
 */
const clientError = (message: string) => clientException(message);

const NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const MAX_CONTAINERS = 10;

/** Valid Fargate memory values (MiB) for each task cpu value (units). */
const FARGATE_MEMORY: Record<number, (m: number) => boolean> = {
  256: (m) => [512, 1024, 2048].includes(m),
  512: (m) => m >= 1024 && m <= 4096 && m % 1024 === 0,
  1024: (m) => m >= 2048 && m <= 8192 && m % 1024 === 0,
  2048: (m) => m >= 4096 && m <= 16384 && m % 1024 === 0,
  4096: (m) => m >= 8192 && m <= 30720 && m % 1024 === 0,
  8192: (m) => m >= 16384 && m <= 61440 && m % 4096 === 0,
  16384: (m) => m >= 32768 && m <= 122880 && m % 8192 === 0,
};

/** `"1 vCPU"`, `"0.25 vcpu"` or `"1024"` → 1024 units. */
export function parseCpu(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(vcpu)?\s*$/i.exec(value);
  if (!m) throw clientError(`Invalid 'cpu' setting for task.`);
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

/** `"2 GB"`, `"0.5gb"` or `"2048"` → MiB. */
export function parseMemory(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(gb)?\s*$/i.exec(value);
  if (!m) throw clientError(`Invalid 'memory' setting for task.`);
  return m[2] ? Math.round(Number(m[1]) * 1024) : Number(m[1]);
}

export const isFargateCombination = (cpu: number | undefined, memory: number | undefined) =>
  cpu !== undefined && memory !== undefined && Boolean(FARGATE_MEMORY[cpu]?.(memory));

function checkDependencies(defs: ECS.ContainerDefinition[]) {
  const byName = new Map(defs.map((d) => [d.name!, d]));
  for (const d of defs) {
    for (const dep of d.dependsOn ?? []) {
      const target = byName.get(dep.containerName ?? '');
      if (!target) {
        throw clientError(
          `Invalid dependency: container '${d.name}' depends on container '${dep.containerName}', which is not defined in the task definition.`,
        );
      }
      if (dep.containerName === d.name)
        throw clientError(`Invalid dependency: container '${d.name}' cannot depend on itself.`);
      if ((dep.condition === 'COMPLETE' || dep.condition === 'SUCCESS') && target.essential !== false) {
        throw clientError(
          `Invalid dependency: the ${dep.condition} condition cannot be set on an essential container ('${dep.containerName}'). Mark it essential: false.`,
        );
      }
      if (dep.condition === 'HEALTHY' && !target.healthCheck) {
        throw clientError(
          `Invalid dependency: container '${dep.containerName}' has no healthCheck, so the HEALTHY condition of '${d.name}' can never be met.`,
        );
      }
    }
  }
  // Cycles: depth-first search over dependsOn and volumesFrom (both order container start).
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      throw clientError(`Invalid dependency: cyclic dependency between containers ${[...path, name].join(' -> ')}.`);
    }
    state.set(name, 'visiting');
    const d = byName.get(name)!;
    for (const dep of d.dependsOn ?? []) visit(dep.containerName!, [...path, name]);
    for (const vf of d.volumesFrom ?? [])
      if (byName.has(vf.sourceContainer ?? '')) visit(vf.sourceContainer!, [...path, name]);
    state.set(name, 'done');
  };
  for (const d of defs) visit(d.name!, []);
}

function checkHealthCheck(name: string, h: ECS.HealthCheck | undefined) {
  if (!h) return;
  const cmd = h.command ?? [];
  if (!cmd.length || !['CMD', 'CMD-SHELL', 'NONE'].includes(cmd[0]) || (cmd[0] !== 'NONE' && cmd.length < 2)) {
    throw clientError(
      `Invalid healthCheck for container '${name}': the command must start with CMD or CMD-SHELL followed by the command.`,
    );
  }
  const range = (v: number | undefined, lo: number, hi: number, what: string) => {
    if (v !== undefined && (v < lo || v > hi))
      throw clientError(`Invalid healthCheck for container '${name}': ${what} must be between ${lo} and ${hi}.`);
  };
  range(h.interval, 5, 300, 'interval');
  range(h.timeout, 2, 120, 'timeout');
  range(h.retries, 1, 10, 'retries');
  range(h.startPeriod, 0, 300, 'startPeriod');
}

/** The container definition as ECS returns it, defaults filled in. */
function normalizeContainer(d: ECS.ContainerDefinition, networkMode: string): ECS.ContainerDefinition {
  return {
    ...d,
    cpu: d.cpu ?? 0,
    portMappings: (d.portMappings ?? []).map((p) => ({
      ...p,
      // awsvpc and host publish the container port itself.
      ...(networkMode === 'awsvpc' || networkMode === 'host' ? { hostPort: p.hostPort ?? p.containerPort } : {}),
      protocol: p.protocol ?? 'tcp',
    })),
    essential: d.essential ?? true,
    environment: d.environment ?? [],
    mountPoints: d.mountPoints ?? [],
    volumesFrom: d.volumesFrom ?? [],
    systemControls: d.systemControls ?? [],
  };
}

export interface ValidatedDefinition {
  containerDefinitions: ECS.ContainerDefinition[];
  networkMode: string;
  cpu?: string;
  memory?: string;
  compatibilities: string[];
}

/** Checks a RegisterTaskDefinition request as ECS does and returns the normalised parts. */
export function validateTaskDefinition(input: ECS.RegisterTaskDefinitionRequest): ValidatedDefinition {
  if (!NAME.test(input.family ?? '')) {
    throw clientError(
      'Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.',
    );
  }
  const defs = input.containerDefinitions ?? [];
  if (!defs.length) throw clientError('Container list cannot be empty.');
  if (defs.length > MAX_CONTAINERS)
    throw clientError(`Too many containers: a task definition can have at most ${MAX_CONTAINERS}.`);
  const fargate = (input.requiresCompatibilities ?? []).includes('FARGATE');
  const networkMode = input.networkMode ?? (fargate ? 'awsvpc' : 'bridge');
  const taskCpu = parseCpu(input.cpu);
  const taskMemory = parseMemory(input.memory);
  const volumes = new Map((input.volumes ?? []).map((v) => [v.name, v]));
  if (volumes.size !== (input.volumes ?? []).length)
    throw clientError('Volume names must be unique within a task definition.');

  const names = new Set<string>();
  for (const d of defs) {
    if (!d.name) throw clientError('Container.name should not be null or empty.');
    if (!NAME.test(d.name))
      throw clientError(
        `Invalid container name '${d.name}': up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.`,
      );
    if (names.has(d.name))
      throw clientError(
        `Duplicate container name '${d.name}': container names must be unique within a task definition.`,
      );
    names.add(d.name);
    if (!d.image) throw clientError('Container.image should not be null or empty.');
    if (taskMemory === undefined && d.memory === undefined && d.memoryReservation === undefined && !fargate) {
      throw clientError(
        `Invalid setting for container '${d.name}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
      );
    }
    if (d.memory !== undefined && d.memory < 6)
      throw clientError(`Invalid 'memory' setting for container '${d.name}'. The minimum is 6 MiB.`);
    if (d.memory !== undefined && d.memoryReservation !== undefined && d.memoryReservation > d.memory) {
      throw clientError(
        `Invalid setting for container '${d.name}'. 'memoryReservation' must be less than or equal to 'memory'.`,
      );
    }
    if (taskMemory !== undefined && d.memory !== undefined && d.memory > taskMemory) {
      throw clientError(
        `Invalid setting for container '${d.name}'. The container 'memory' must not exceed the task 'memory' (${taskMemory} MiB).`,
      );
    }
    for (const p of d.portMappings ?? []) {
      if (
        (networkMode === 'awsvpc' || networkMode === 'host') &&
        p.hostPort !== undefined &&
        p.hostPort !== p.containerPort
      ) {
        throw clientError(
          `When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`,
        );
      }
    }
    if (d.links?.length && networkMode !== 'bridge')
      throw clientError(`Links are not supported when networkMode=${networkMode}.`);
    for (const mp of d.mountPoints ?? []) {
      if (!volumes.has(mp.sourceVolume)) {
        throw clientError(
          `Invalid 'mountPoints' setting for container '${d.name}': unknown volume '${mp.sourceVolume}'.`,
        );
      }
      if (!mp.containerPath)
        throw clientError(`Invalid 'mountPoints' setting for container '${d.name}': containerPath is required.`);
    }
    for (const vf of d.volumesFrom ?? []) {
      if (!defs.some((o) => o.name === vf.sourceContainer)) {
        throw clientError(
          `Invalid 'volumesFrom' setting for container '${d.name}': unknown container '${vf.sourceContainer}'.`,
        );
      }
    }
    checkHealthCheck(d.name, d.healthCheck);
    if (d.secrets?.length && !input.executionRoleArn) {
      throw clientError(
        "When you are specifying container secrets, you must also specify a value for 'executionRoleArn'.",
      );
    }
    if (fargate) {
      if (d.privileged) throw clientError(`Fargate does not support privileged containers ('${d.name}').`);
      if (d.linuxParameters?.devices?.length) throw clientError(`Fargate does not support devices ('${d.name}').`);
      if (d.stopTimeout !== undefined && d.stopTimeout > 120)
        throw clientError(`Invalid 'stopTimeout' for container '${d.name}': Fargate allows at most 120 seconds.`);
      if (d.image && parseEcrImage(d.image) && !input.executionRoleArn) {
        throw clientError('Fargate requires task definition to have execution role ARN to support ECR images.');
      }
      if (d.logConfiguration?.logDriver === 'awslogs' && !input.executionRoleArn) {
        throw clientError('Fargate requires task definition to have execution role ARN to support log driver awslogs.');
      }
    }
  }
  if (!defs.some((d) => d.essential !== false))
    throw clientError('A task definition must have at least one essential container.');
  checkDependencies(defs);

  for (const v of input.volumes ?? []) {
    if (!v.name) throw clientError('Volume name should not be null or empty.');
    if (fargate && v.host?.sourcePath)
      throw clientError(`Fargate does not support host bind mounts with a sourcePath (volume '${v.name}').`);
    if (fargate && v.dockerVolumeConfiguration)
      throw clientError(`Fargate does not support Docker volumes (volume '${v.name}').`);
  }

  if (fargate) {
    if (input.pidMode === 'host') {
      throw clientError(
        "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.",
      );
    }
    if (input.ipcMode !== undefined) throw clientError('Tasks using the Fargate launch type do not support ipcMode.');
    if (networkMode !== 'awsvpc') throw clientError(`Fargate only supports network mode 'awsvpc'.`);
    if (taskCpu === undefined) throw clientError(`Fargate requires that 'cpu' be defined at the task level.`);
    if (taskMemory === undefined) throw clientError(`Fargate requires that 'memory' be defined at the task level.`);
    if (!isFargateCombination(taskCpu, taskMemory)) {
      throw clientError(
        `No Fargate configuration exists for given values: ${taskCpu} CPU, ${taskMemory} memory. See the Amazon ECS documentation for the valid values.`,
      );
    }
  }

  const compatibilities = ['EC2'];
  if (networkMode !== 'awsvpc') compatibilities.unshift('EXTERNAL');
  if (
    networkMode === 'awsvpc' &&
    isFargateCombination(taskCpu, taskMemory) &&
    !defs.some((d) => d.privileged || d.linuxParameters?.devices?.length) &&
    !(input.volumes ?? []).some((v) => v.host?.sourcePath || v.dockerVolumeConfiguration)
  ) {
    compatibilities.push('FARGATE');
  }
  return {
    containerDefinitions: defs.map((d) => normalizeContainer(d, networkMode)),
    networkMode,
    ...(taskCpu !== undefined ? { cpu: String(taskCpu) } : {}),
    ...(taskMemory !== undefined ? { memory: String(taskMemory) } : {}),
    compatibilities,
  };
}
