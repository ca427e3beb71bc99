import EventEmitter from 'eventemitter3';
import type { Logger } from 'pino';
import { ServiceNotLoadedError } from './errors';

/**
 * Event types, keyed by name. Producers extend this in their own `contract` module:
 * `declare module '@dockside/core' { interface DocksideEvents { 'ecs.task': TaskStateChange } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface DocksideEvents {}

/**
 * Operations one service may call on another, keyed by signing name then operation:
 * `interface DocksideServices { logs: { PutLogEvents: Call<PutLogEventsRequest, PutLogEventsResponse> } }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface DocksideServices {}

/** The input and output types of one callable operation. */
export interface Call<I, O> {
  input: I;
  output: O;
}

export interface CallOptions {
  accountId: string;
  region: string;
  /** The IAM principal (role ARN) the call acts as, for resource-policy checks (RequestContext.principal). */
  principal?: string;
  /**
   * The caller built the input from typed values within the operation's documented limits (e.g.
   * the awslogs shipper's PutLogEvents batches): the model's validation is skipped. It cost a fifth
   * of the gateway's time while a task wrote 200,000 lines (bench/log-delivery.mjs profile). Never
   * set it for input that came from a user: that must get the model's ValidationException.
   */
  trusted?: boolean;
}

/** The input type of a callable operation, from its provider's contract. */
export type InputOf<S extends keyof DocksideServices, O extends keyof DocksideServices[S]> =
  DocksideServices[S][O] extends Call<infer I, unknown> ? I : never;
/** The output type of a callable operation, from its provider's contract. */
export type OutputOf<S extends keyof DocksideServices, O extends keyof DocksideServices[S]> =
  DocksideServices[S][O] extends Call<unknown, infer R> ? R : never;

export type Dispatch = (service: string, operation: string, input: unknown, opts: CallOptions) => Promise<unknown>;

/**
 * One bus per gateway. Events are facts published by a producer; every subscriber runs isolated,
 * so one that throws (or rejects) is logged and never reaches the producer. Calls are one
 * service invoking another's operation through the gateway's dispatcher, validated like an
 * external request but marked internal.
 */
export class Bus {
  private readonly emitter = new EventEmitter();
  private dispatch?: Dispatch;
  private loaded: (service: string) => boolean = () => false;

  constructor(private readonly logger?: Logger) {}

  /** @internal wired by the gateway once its plugins are known. */
  attach(dispatch: Dispatch, isLoaded: (service: string) => boolean): void {
    this.dispatch = dispatch;
    this.loaded = isLoaded;
  }

  publish<K extends keyof DocksideEvents>(type: K, payload: DocksideEvents[K]): void {
    this.emitter.emit(type as string, payload);
  }

  /** Whether anyone listens to an event type: lets a producer skip building a per-line payload. */
  hasSubscribers<K extends keyof DocksideEvents>(type: K): boolean {
    return this.emitter.listenerCount(type as string) > 0;
  }

  /** Subscribes to one event type; returns the unsubscribe function. */
  subscribe<K extends keyof DocksideEvents>(
    type: K,
    handler: (payload: DocksideEvents[K]) => void | Promise<void>,
  ): () => void {
    const isolated = (payload: DocksideEvents[K]) => {
      try {
        const r = handler(payload);
        if (r && typeof (r as Promise<void>).catch === 'function') {
          (r as Promise<void>).catch((err) => this.subscriberFailed(type as string, err));
        }
      } catch (err) {
        this.subscriberFailed(type as string, err);
      }
    };
    this.emitter.on(type as string, isolated);
    return () => void this.emitter.off(type as string, isolated);
  }

  /** Whether a service (by signing name) is loaded in this gateway. */
  isLoaded(service: string): boolean {
    return this.loaded(service);
  }

  /**
   * Calls another service's operation, typed by the provider's contract (the SDK's input/output
   * types). A service this gateway does not load rejects with `ServiceNotLoadedError`.
   */
  async call<S extends keyof DocksideServices, O extends keyof DocksideServices[S] & string>(
    service: S,
    operation: O,
    input: InputOf<S, O>,
    opts: CallOptions,
  ): Promise<OutputOf<S, O>> {
    if (!this.dispatch || !this.loaded(service as string))
      throw new ServiceNotLoadedError(service as string, operation);
    return this.dispatch(service as string, operation, input, opts) as Promise<OutputOf<S, O>>;
  }

  private subscriberFailed(type: string, err: unknown) {
    this.logger?.error({ err, event: type }, 'bus subscriber failed');
  }
}

/**
 * `bus.call` with the account bound and the region last: what a caller that acts for one
 * resource (a task) in several regions passes around. `S` narrows the services it may call.
 */
export type RegionalCall<S extends keyof DocksideServices> = <
  T extends S,
  O extends keyof DocksideServices[T] & string,
>(
  service: T,
  operation: O,
  input: InputOf<T, O>,
  region: string,
  opts?: Pick<CallOptions, 'trusted'>,
) => Promise<OutputOf<T, O>>;
