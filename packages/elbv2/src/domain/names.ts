/** Name rules of load balancers and target groups (32 characters, letters, digits and hyphens). */
import { invalid } from '../errors';

export function checkName(kind: 'load balancer' | 'target group', name: string) {
  if (name.length > 32) throw invalid(`The ${kind} name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw invalid(
      `The ${kind} name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`,
    );
  }
  if (name.startsWith('-') || name.endsWith('-'))
    throw invalid(`The ${kind} name '${name}' cannot begin or end with a hyphen(-)`);
  if (kind === 'load balancer' && name.startsWith('internal-')) {
    throw invalid(`The load balancer name '${name}' cannot begin with 'internal-'`);
  }
}
