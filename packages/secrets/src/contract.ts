/**
 * The secrets plugin's public contract: the operations other plugins call through the bus (ECS
 * resolves `secrets`, `secretOptions` and `repositoryCredentials` with these). Types only.
 */
import type * as SM from '@aws-sdk/client-secrets-manager';
import type * as SSM from '@aws-sdk/client-ssm';
import type { Call } from '@dockside/core';

export interface SecretsManagerCalls {
  GetSecretValue: Call<SM.GetSecretValueRequest, SM.GetSecretValueResponse>;
  DescribeSecret: Call<SM.DescribeSecretRequest, SM.DescribeSecretResponse>;
}

export interface SsmCalls {
  GetParameter: Call<SSM.GetParameterRequest, SSM.GetParameterResult>;
  GetParameters: Call<SSM.GetParametersRequest, SSM.GetParametersResult>;
}

/**
 * A Session Manager session another plugin hosts (ECS Exec), as it starts and ends; SSM answers
 * ResumeSession and DescribeSessions from these.
 */
export interface SsmSessionEvent {
  accountId: string;
  region: string;
  sessionId: string;
  /** e.g. `ecs:<cluster>_<taskId>_<runtimeId>` */
  target: string;
  status: 'Connected' | 'Terminated';
  streamUrl: string;
  tokenValue: string;
  startedAt: string;
}

/** SSM's TerminateSession, for the plugin hosting the session to end it. */
export interface SsmTerminateSession {
  accountId: string;
  region: string;
  sessionId: string;
}

declare module '@dockside/core' {
  interface DocksideEvents {
    'ssm.session': SsmSessionEvent;
    'ssm.terminate-session': SsmTerminateSession;
  }
  interface DocksideServices {
    secretsmanager: SecretsManagerCalls;
    ssm: SsmCalls;
  }
}
