/**
 * Task placement on container instances, as ECS does it for the EC2 launch type: instances that
 * are ACTIVE with a connected agent, filtered by placement constraints (`memberOf` expressions,
 * `distinctInstance`) and by resources (CPU, memory, host ports), then ordered by the placement
 * strategies in turn (`binpack`, `spread`, `random`). What cannot be placed becomes `failures[]`
 * with ECS's reasons.
 */
import type * as ECS from '@aws-sdk/client-ecs';
import { clientException, invalidParameter, invalidParameter as invalidParam } from '../../errors';
import type { ContainerInstanceRecord, TaskDefinitionRecord, TaskRecord } from '../../state/types';
import { ExpressionError, evaluate, parseExpression, type Expr, type QuerySubject } from './expression';
import { debit, misfit, needsOf, remainingOf, type Remaining } from './resources';

export const NO_INSTANCES = 'No Container Instances were found in your cluster.';
const MAX_CONSTRAINTS = 10;
const MAX_STRATEGIES = 5;

/** Checks constraints as ECS does before anything is placed (`where` says which API: task definitions allow memberOf only). */
export function checkConstraints(
  constraints: ECS.PlacementConstraint[] | ECS.TaskDefinitionPlacementConstraint[] | undefined,
  where: 'task-definition' | 'task',
): void {
  if (!constraints) return;
  // Task definitions are checked with ClientException, RunTask and services with InvalidParameterException.
  const invalidParameter = where === 'task-definition' ? clientException : invalidParam;
  if (constraints.length > MAX_CONSTRAINTS)
    throw invalidParameter(`Placement constraints cannot have more than ${MAX_CONSTRAINTS} elements.`);
  for (const c of constraints) {
    if (c.type === 'distinctInstance') {
      if (where === 'task-definition') throw invalidParameter("constraint.type 'distinctInstance' is not supported.");
      if (c.expression) throw invalidParameter('distinctInstance expression should not be specified.');
    } else if (c.type === 'memberOf') {
      if (!c.expression) throw invalidParameter('memberOf constraint must have an expression.');
      compile(c.expression, invalidParameter);
    } else {
      throw invalidParameter(`Unrecognized placement constraint type: ${c.type}`);
    }
  }
}

export function checkStrategies(strategy: ECS.PlacementStrategy[] | undefined): void {
  if (!strategy) return;
  if (strategy.length > MAX_STRATEGIES)
    throw invalidParameter(`Placement strategies cannot have more than ${MAX_STRATEGIES} elements.`);
  for (const s of strategy) {
    if (s.type === 'random') {
      if (s.field) throw invalidParameter('random placement strategy does not take a field.');
    } else if (s.type === 'binpack') {
      if (!['cpu', 'memory', 'CPU', 'MEMORY'].includes(s.field ?? ''))
        throw invalidParameter(
          `Invalid field for binpack placement strategy: ${s.field ?? ''}. Valid values are cpu, memory.`,
        );
    } else if (s.type === 'spread') {
      if (!s.field) throw invalidParameter('spread placement strategy must have a field.');
      if (!/^(instanceId|host|attribute:.+)$/.test(s.field))
        throw invalidParameter(`Invalid field for spread placement strategy: ${s.field}.`);
    } else {
      throw invalidParameter(`Unrecognized placement strategy type: ${s.type}`);
    }
  }
}

function compile(expression: string, invalid = invalidParam): Expr {
  try {
    return parseExpression(expression);
  } catch (e) {
    if (e instanceof ExpressionError)
      throw invalid(`Unable to parse the expression: ${expression}. Reason: ${e.message}.`);
    throw e;
  }
}

const attributesOf = (ci: ContainerInstanceRecord) =>
  Object.fromEntries((ci.attributes ?? []).map((a) => [a.name, a.value ?? '']));

export function subjectOf(ci: ContainerInstanceRecord, tasks: TaskRecord[]): QuerySubject {
  return {
    agentConnected: ci.agentConnected !== false,
    agentVersion: ci.versionInfo?.agentVersion,
    attributes: { ...attributesOf(ci), 'ecs.instance-id': ci.ec2InstanceId },
    ec2InstanceId: ci.ec2InstanceId,
    registeredAt: ci.registeredAt,
    runningTasksCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
    taskGroups: [...new Set(tasks.map((t) => t.group ?? ''))],
  };
}

/** Whether an instance matches a cluster query expression (ListContainerInstances' filter uses it too). */
export function matchesExpression(expression: string, ci: ContainerInstanceRecord, tasks: TaskRecord[]): boolean {
  return evaluate(compile(expression), subjectOf(ci, tasks));
}

export interface PlacementRequest {
  instances: ContainerInstanceRecord[];
  /** Tasks that have not stopped, by container instance ARN. */
  live: Map<string, TaskRecord[]>;
  definition: TaskDefinitionRecord;
  count: number;
  group: string;
  constraints: ECS.PlacementConstraint[];
  strategy: ECS.PlacementStrategy[];
  /** StartTask: the listed instances, one task each, no strategy. */
  manual?: boolean;
}

export interface Placement {
  /** The instance for each task placed, in order. */
  placed: ContainerInstanceRecord[];
  failures: ECS.Failure[];
  /** No ACTIVE instance at all (ECS answers RunTask with an exception). */
  noInstances: boolean;
}

interface Candidate {
  ci: ContainerInstanceRecord;
  remaining: Remaining;
  groups: Map<string, number>;
  tasks: TaskRecord[];
}

export function place(req: PlacementRequest): Placement {
  const needs = needsOf(req.definition);
  const memberOf = req.constraints.filter((c) => c.type === 'memberOf').map((c) => compile(c.expression!));
  const distinct = req.constraints.some((c) => c.type === 'distinctInstance');
  const active = req.instances.filter((ci) => ci.status === 'ACTIVE');
  if (!active.length && !req.manual) return { placed: [], failures: [], noInstances: true };
  const candidates: Candidate[] = active.map((ci) => {
    const tasks = req.live.get(ci.containerInstanceArn) ?? [];
    const groups = new Map<string, number>();
    for (const t of tasks) groups.set(t.group ?? '', (groups.get(t.group ?? '') ?? 0) + 1);
    return { ci, remaining: remainingOf(ci, tasks), groups, tasks };
  });
  const reasonFor = (c: Candidate): string | undefined => {
    if (c.ci.agentConnected === false) return 'AGENT';
    // The query subject (every attribute of the instance) is built only for a memberOf
    // constraint: built for every candidate of every task placed, it was the most memory a
    // RunTask allocated, ~3.9 KB per task that lived long enough to be promoted (bench/scale.mjs).
    if (memberOf.length) {
      const subject = subjectOf(c.ci, c.tasks);
      if (memberOf.some((e) => !evaluate(e, subject))) return 'MemberOf placement constraint unsatisfied.';
    }
    if (distinct && (c.groups.get(req.group) ?? 0) > 0) return 'DistinctInstance placement constraint unsatisfied.';
    return misfit(c.remaining, needs);
  };
  const placed: ContainerInstanceRecord[] = [];
  const failures = new Map<string, ECS.Failure>();
  const fail = (arn: string, reason: string) => failures.set(`${arn} ${reason}`, { arn, reason });
  const take = (c: Candidate) => {
    debit(c.remaining, needs);
    c.groups.set(req.group, (c.groups.get(req.group) ?? 0) + 1);
    placed.push(c.ci);
  };

  if (req.manual) {
    for (const ci of req.instances) {
      const c = candidates.find((x) => x.ci === ci);
      const reason = c ? reasonFor(c) : 'MISSING';
      if (reason) fail(ci.containerInstanceArn, ci.status === 'ACTIVE' ? reason : 'INACTIVE');
      else take(c!);
    }
    return { placed, failures: [...failures.values()], noInstances: false };
  }

  for (let i = 0; i < req.count; i++) {
    const fits = candidates.filter((c) => !reasonFor(c));
    if (!fits.length) {
      // Nothing frees up within one call: the rest cannot be placed either, for these reasons.
      for (const c of candidates) fail(c.ci.containerInstanceArn, reasonFor(c)!);
      break;
    }
    take(order(fits, candidates, req.strategy, req.group)[0]);
  }
  return { placed, failures: [...failures.values()], noInstances: false };
}

/** Candidates sorted by the strategies in turn: each later strategy breaks the earlier ones' ties. */
function order(fits: Candidate[], all: Candidate[], strategy: ECS.PlacementStrategy[], group: string): Candidate[] {
  const keys = new Map<Candidate, number[]>();
  for (const c of fits) {
    keys.set(
      c,
      strategy.map((s) => {
        if (s.type === 'binpack') return s.field?.toLowerCase() === 'memory' ? c.remaining.memory : c.remaining.cpu;
        if (s.type === 'random') return Math.random();
        // spread: the fewest tasks of this group in the candidate's bucket first.
        const field = s.field === 'host' ? 'instanceId' : s.field!;
        const bucket = (x: Candidate) =>
          field === 'instanceId'
            ? x.ci.containerInstanceArn
            : (x.ci.attributes ?? []).find((a) => a.name === field.slice('attribute:'.length))?.value;
        const mine = bucket(c);
        return all.filter((x) => bucket(x) === mine).reduce((a, x) => a + (x.groups.get(group) ?? 0), 0);
      }),
    );
  }
  return [...fits].sort((a, b) => {
    const [ka, kb] = [keys.get(a)!, keys.get(b)!];
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return a.ci.containerInstanceArn < b.ci.containerInstanceArn ? -1 : 1;
  });
}
