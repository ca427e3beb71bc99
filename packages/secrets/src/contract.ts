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

declare module '@dockside/core' {
  interface DocksideServices {
    secretsmanager: SecretsManagerCalls;
    ssm: SsmCalls;
  }
}
