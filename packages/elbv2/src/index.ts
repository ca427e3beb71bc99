/**
 * The ELBv2 plugin's package. Today it carries the contract other plugins call (the ECS service
 * scheduler registers tasks as targets through it); the plugin itself is the next to land here.
 */
import './contract';

export type { ElasticLoadBalancingCalls } from './contract';
