/** What every ECR operation module gets. */
import type { RequestContext } from '@dockside/core';
import type { Tokens } from '../domain/auth';
import type { BlobStore } from '../storage/blobs';
import type { EcrState } from '../state/types';

export interface EcrEnv {
  stateOf(ctx: { accountId: string; region: string }): EcrState;
  blobs: BlobStore;
  tokens: Tokens;
  /** `host:port` of the registry, as repository URIs name it. */
  registryHost(): string;
  /** The registry's URL (`http://127.0.0.1:4510`). */
  registryUrl(): string;
  /** Copies a pushed image to the replication destinations of the registry. */
  replicate(ctx: RequestContext | { accountId: string; region: string }, repository: string, digest: string): void;
  /** Removes blobs no repository references any more. */
  collect(): void;
}
