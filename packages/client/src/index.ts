/**
 * Typed client for Dockside's introspection API (`/_dockside/…`). It talks plain HTTP with
 * `fetch`, so it works against a gateway in this process, another process, or a container.
 */
import type { EcsTaskChange } from '@dockside/ecs';
import type { BoundListener } from '@dockside/elbv2';
import type { BusEvent, Delivery } from '@dockside/eventbridge';

export type { BoundListener } from '@dockside/elbv2';
export type { BusEvent, Delivery } from '@dockside/eventbridge';
export interface HealthResponse {
  status: 'running';
  version: string;
  services: Array<{ name: string; plugin: string; protocol: string }>;
}

/** An ECS task as DescribeTasks returns it (JSON: timestamps are ISO strings). */
export interface EcsTask {
  taskArn: string;
  clusterArn: string;
  taskDefinitionArn: string;
  lastStatus: string;
  desiredStatus: string;
  version: number;
  stopCode?: string;
  stoppedReason?: string;
  containers: Array<{
    name: string;
    containerArn: string;
    lastStatus: string;
    exitCode?: number;
    reason?: string;
    runtimeId?: string;
    healthStatus?: string;
    networkBindings?: Array<{ bindIP: string; containerPort: number; hostPort: number; protocol: string }>;
  }>;
  tags?: Array<{ key: string; value: string }>;
  [field: string]: unknown;
}

export interface EcsCluster {
  accountId: string;
  region: string;
  clusterArn: string;
  clusterName: string;
  status: string;
  runningTasksCount: number;
  pendingTasksCount: number;
  [field: string]: unknown;
}

export interface OutputLine {
  stream: 'stdout' | 'stderr';
  /** Arrival time, epoch milliseconds. */
  timestamp: number;
  line: string;
}

export interface TaskLogs {
  taskArn: string;
  lastStatus: string;
  containers: Array<{ name: string; exitCode: number | null; reason: string | null; lines: OutputLine[] }>;
}

/** One entry of the task life-cycle event log: the ECS plugin's `ecs.task` event, numbered and timed. */
export type TaskEvent = EcsTaskChange & { seq: number; at: string };

export class DocksideApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    path: string,
  ) {
    super(`Dockside ${path} answered ${status}: ${body.slice(0, 300)}`);
    this.name = 'DocksideApiError';
  }
}

export class DocksideClient {
  private readonly base: string;

  /** @param endpoint the gateway's base URL, e.g. `http://127.0.0.1:4566` */
  constructor(endpoint: string) {
    this.base = endpoint.replace(/\/+$/, '');
  }

  protected async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? undefined : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new DocksideApiError(res.status, text, path);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** `GET /_dockside/health`: loaded services and version. */
  health(): Promise<HealthResponse> {
    return this.request('GET', '/_dockside/health');
  }

  /** `POST /_dockside/reset`: clears every plugin's state. */
  async reset(): Promise<void> {
    await this.request('POST', '/_dockside/reset');
  }

  /** ECS introspection (`/_dockside/ecs/…`). Tasks are named by id or full ARN. */
  readonly ecs = {
    /** Every cluster of every account and region, sorted by ARN. */
    clusters: async (): Promise<EcsCluster[]> =>
      (await this.request<{ clusters: EcsCluster[] }>('GET', '/_dockside/ecs/clusters')).clusters,
    /** Tasks sorted by creation, optionally of one cluster (name or ARN) and one lastStatus. */
    tasks: async (filter: { cluster?: string; status?: string } = {}): Promise<EcsTask[]> => {
      const q = new URLSearchParams(
        Object.entries(filter).filter(([, v]) => v !== undefined) as Array<[string, string]>,
      ).toString();
      return (await this.request<{ tasks: EcsTask[] }>('GET', `/_dockside/ecs/tasks${q ? `?${q}` : ''}`)).tasks;
    },
    task: (task: string): Promise<EcsTask> => this.request('GET', `/_dockside/ecs/tasks/${encodeURIComponent(task)}`),
    /** Captured output of each container (live while running, kept after STOPPED) and exit codes. */
    logs: (task: string): Promise<TaskLogs> =>
      this.request('GET', `/_dockside/ecs/tasks/${encodeURIComponent(task)}/logs`),
    /** SIGTERM then SIGKILL at once, whatever the stopTimeout. */
    forceStop: (task: string): Promise<EcsTask> =>
      this.request('POST', `/_dockside/ecs/tasks/${encodeURIComponent(task)}/force-stop`),
    /** Flips the task to STOPPED with this exit code and reason without killing its containers. */
    markFailed: (task: string, body: { exitCode?: number; reason?: string } = {}): Promise<EcsTask> =>
      this.request('POST', `/_dockside/ecs/tasks/${encodeURIComponent(task)}/mark-failed`, body),
    /** The task life-cycle event log, oldest first. */
    events: async (): Promise<TaskEvent[]> =>
      (await this.request<{ events: TaskEvent[] }>('GET', '/_dockside/ecs/events')).events,
    /** The task metadata v4 document of a task, as its containers see it. */
    metadata: (taskArn: string): Promise<Record<string, unknown>> =>
      this.request('GET', `/_dockside/ecs/metadata/${encodeURIComponent(taskArn)}`),
  };

  /** ELBv2 introspection (`/_dockside/elbv2/…`). */
  readonly elbv2 = {
    /** Every bound listener: its own port, or the mapped one it got when that was taken. */
    listeners: async (): Promise<BoundListener[]> =>
      (await this.request<{ listeners: BoundListener[] }>('GET', '/_dockside/elbv2/listeners')).listeners,
  };

  /** EventBridge introspection (`/_dockside/events/…`), in the gateway's default account and region. */
  readonly events = {
    /** Recent events of a bus, oldest first. */
    recent: async (bus = 'default'): Promise<BusEvent[]> =>
      (await this.request<{ events: BusEvent[] }>('GET', `/_dockside/events/buses/${encodeURIComponent(bus)}/events`))
        .events,
    /** Deliveries to targets (all, or one rule's), with their outcome and attempt. */
    deliveries: async (rule?: string): Promise<Delivery[]> =>
      (
        await this.request<{ deliveries: Delivery[] }>(
          'GET',
          `/_dockside/events/deliveries${rule ? `?rule=${encodeURIComponent(rule)}` : ''}`,
        )
      ).deliveries,
    /** Whether a rule matches an event, and if not, the first field that failed. */
    explain: (rule: string, event: unknown, bus = 'default'): Promise<{ matched: boolean; failedField?: string }> =>
      this.request('POST', '/_dockside/events/explain', { bus, rule, event }),
    /** Moves the schedule clock forward and fires what is due. */
    advanceClock: (seconds: number): Promise<{ now: string }> =>
      this.request('POST', '/_dockside/events/clock/advance', { seconds }),
  };
}
