import { policyDecision } from './policy';

const doc = (...Statement: object[]) => JSON.stringify({ Version: '2012-10-17', Statement });
const A = { accountId: '111111111111' };
const role = { accountId: '111111111111', arn: 'arn:aws:iam::111111111111:role/exec' };

test.each([
  ['no policy', undefined, A, 'ecr:BatchGetImage', 'none'],
  ['Principal *', doc({ Effect: 'Allow', Principal: '*', Action: 'ecr:*' }), A, 'ecr:BatchGetImage', 'allow'],
  [
    'account id',
    doc({ Effect: 'Allow', Principal: { AWS: '111111111111' }, Action: 'ecr:BatchGetImage' }),
    role,
    'ecr:BatchGetImage',
    'allow',
  ],
  [
    'root ARN covers its roles',
    doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:root' }, Action: '*' }),
    role,
    'ecr:GetDownloadUrlForLayer',
    'allow',
  ],
  [
    'another role of the account',
    doc({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111111111111:role/other' }, Action: '*' }),
    role,
    'ecr:BatchGetImage',
    'none',
  ],
  [
    'the role itself',
    doc({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::111111111111:role/exec'] }, Action: '*' }),
    role,
    'ecr:BatchGetImage',
    'allow',
  ],
  [
    'another account',
    doc({ Effect: 'Allow', Principal: { AWS: '222222222222' }, Action: '*' }),
    A,
    'ecr:BatchGetImage',
    'none',
  ],
  [
    'action wildcard ?',
    doc({ Effect: 'Allow', Principal: '*', Action: 'ecr:BatchGetImag?' }),
    A,
    'ecr:BatchGetImage',
    'allow',
  ],
  [
    'actions case-insensitive',
    doc({ Effect: 'Allow', Principal: '*', Action: 'ECR:batchgetimage' }),
    A,
    'ecr:BatchGetImage',
    'allow',
  ],
  ['other action', doc({ Effect: 'Allow', Principal: '*', Action: 'ecr:PutImage' }), A, 'ecr:BatchGetImage', 'none'],
  ['NotAction', doc({ Effect: 'Allow', Principal: '*', NotAction: 'ecr:PutImage' }), A, 'ecr:BatchGetImage', 'allow'],
  [
    'Deny beats Allow',
    doc({ Effect: 'Allow', Principal: '*', Action: '*' }, { Effect: 'Deny', Principal: '*', Action: 'ecr:Batch*' }),
    A,
    'ecr:BatchGetImage',
    'deny',
  ],
  [
    'NotPrincipal deny spares the named',
    doc({ Effect: 'Deny', NotPrincipal: { AWS: '111111111111' }, Action: '*' }),
    A,
    'ecr:BatchGetImage',
    'none',
  ],
  [
    'single statement object',
    JSON.stringify({ Statement: { Effect: 'Allow', Principal: '*', Action: '*' } }),
    A,
    'ecr:BatchGetImage',
    'allow',
  ],
])('%s', (_name, policy, who, action, want) => {
  expect(policyDecision(policy, who, action)).toBe(want);
});
